#!/usr/bin/env bash
# Benchmark `migrun sql` (offline SQL) against writing the bundle's scripts
# with `cat`: generated small migrations, both dialects.
# usage: bench/sql.sh [--migrun PATH] [--migpack PATH] [--runs N] [--count N]
# A table goes to stdout, progress to stderr.  Exit 0 even if targets are
# missed.
#
# The limit is `cat` of every script in the bundle (up and down, extracted
# beforehand) into one file: the bytes the script must at least hold.
# migrun also verifies the bundle, reads it a second time and writes the
# history rows.  Memory is measured at COUNT/10 migrations, the same with
# scripts 10 KB larger, and COUNT: the script is streamed, so only the
# manifest grows, with the number of files.
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "sql.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-5} count=10000
while (($#)); do
    case $1 in
    --count) count=${2:?--count needs a number}; shift 2 ;;
    *) shared_opt migrun,migpack,runs "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $count =~ ^[1-9][0-9]{1,4}$ ]] || usage_error "--count must be 10..99999"
MIGRUN=$(find_bin "$migrun") || die "no migrun at '$migrun'"
MIGPACK=$(find_bin "$migpack") || die "no migpack at '$migpack'"

# gen DIR N [PAD]: N migrations with a table, an index and a string holding
# a semicolon each (and PAD comment lines of 100 bytes), and their downs.
gen() {
    mkdir -p "$1"
    awk -v dir="$1" -v n="$2" -v pad="${3:-0}" 'BEGIN {
        line = sprintf("-- %97s", "padding")
        for (i = 1; i <= n; i++) {
            f = sprintf("%s/%05d_t%d", dir, i, i)
            for (j = 0; j < pad; j++) print line > f ".up.sql"
            printf "CREATE TABLE t%d (id integer PRIMARY KEY, name text NOT NULL DEFAULT '\''a;b'\'');\nCREATE INDEX t%d_name ON t%d (name);\n", i, i, i > f ".up.sql"
            printf "DROP TABLE t%d;\n", i > f ".down.sql"
            close(f ".up.sql"); close(f ".down.sql")
        }
    }'
}

log "generating $count migrations"
gen "$tmp/m" "$count"
"$MIGPACK" build -o "$tmp/b.tgz" --name bench "$tmp/m" >/dev/null
mkdir "$tmp/x" && tar -xzf "$tmp/b.tgz" -C "$tmp/x"
# The scripts in the bundle's order, for cat.
find "$tmp/x" -name '*.sql' | sort >"$tmp/files"
small=$((count / 10))
gen "$tmp/s" "$small"
"$MIGPACK" build -o "$tmp/s.tgz" --name bench "$tmp/s" >/dev/null
gen "$tmp/l" "$small" 100     # the same count, 10 KB scripts
"$MIGPACK" build -o "$tmp/l.tgz" --name bench "$tmp/l" >/dev/null

peak() {    # peak RSS in MiB of migrun sql on BUNDLE for DIALECT
    /usr/bin/time -f %M "$MIGRUN" sql --dialect "$2" -o "$tmp/p.sql" "$1" 2>&1 >/dev/null |
        tail -n1 | awk '{ printf "%.1f", $1 / 1024 }'
}

printf '## migrun sql benchmark (%d migrations; medians of %d runs, alternating)\n\n' "$count" "$runs"
printf '| dialect | migrun sql (s) | limit: cat of the scripts (s) | ratio | script MiB | target |\n'
printf '|---|---|---|---|---|---|\n'
for d in postgres sqlite; do
    log "$d: timing"
    : >"$tmp/t.m" && : >"$tmp/t.c"
    for ((i = 0; i < runs; i++)); do
        t0=$EPOCHREALTIME
        "$MIGRUN" sql --dialect "$d" -o "$tmp/out.sql" "$tmp/b.tgz"
        t1=$EPOCHREALTIME
        xargs cat <"$tmp/files" >"$tmp/cat.sql"
        t2=$EPOCHREALTIME
        elapsed "$t0" "$t1" >>"$tmp/t.m"
        elapsed "$t1" "$t2" >>"$tmp/t.c"
    done
    m=$(median 4 <"$tmp/t.m") c=$(median 4 <"$tmp/t.c")
    size=$(stat -c %s "$tmp/out.sql" | awk '{ printf "%.1f", $1 / 1048576 }')
    printf '| %s | %s | %s | %.2f× | %s | < 1 s, ≤ 3× |\n' "$d" "$m" "$c" \
        "$(awk -v a="$m" -v b="$c" 'BEGIN { print a / b }')" "$size"
done
if [[ -x /usr/bin/time ]]; then
    printf '\n| peak RSS (MiB) | %d migrations | %d migrations, 10 KB scripts | %d migrations |\n|---|---|---|---|\n' "$small" "$small" "$count"
    for d in postgres sqlite; do
        printf '| migrun sql --dialect %s | %s | %s | %s |\n' "$d" "$(peak "$tmp/s.tgz" "$d")" \
            "$(peak "$tmp/l.tgz" "$d")" "$(peak "$tmp/b.tgz" "$d")"
    done
fi
