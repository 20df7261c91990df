#!/usr/bin/env bash
# Benchmark `migrun seed` (one CSV file of ROWS rows, about 105 bytes each)
# against the engines' own CSV loaders: sqlite3 .import and psql \copy.
# usage: bench/seed.sh [--migrun PATH] [--migpack PATH] [--runs N] [--rows N] [--engines sqlite,postgres] [--quick]
# Tables go to stdout, progress to stderr. Exit 0 even if targets are missed.
#
# The CSV (id, name, email, amount, created_at, note; a tenth of the notes
# quoted with commas in them, a tenth with doubled quotes too; no empty
# field, which migrun loads as NULL and sqlite3 as '') is loaded into a
# table `items` created by the bundle's one migration, on a fresh database
# each run (a copy of a migrated one; untimed):
#   sqlite: migrun seed  vs  sqlite3 DB 'BEGIN; .import --csv --skip 1 FILE items; COMMIT;'
#   postgres: migrun seed  vs  psql -c "\copy items (...) FROM 'FILE' WITH (FORMAT csv, HEADER)"
# migrun also reads the CSV out of the gzipped bundle (the limits read the
# plain file), checks its checksum and records it in the seeds table.  Both
# loads are checked to give the same 1,000,000 rows (count, and a hash of
# the table on the first run).  Peak memory is measured at ROWS rows and,
# unless --quick, at four times as many: the CSV is streamed, so it must not
# grow.  PostgreSQL runs a private server on a unix socket with fsync and
# synchronous_commit on, as in production.  RUNS=N in the environment sets
# the default of --runs.
# shellcheck disable=SC2016 # the tables' `code spans` are single-quoted
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "seed.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-3} rows=1000000 engines=sqlite,postgres quick=0
while (($#)); do
    case $1 in
    --rows) rows=${2:?--rows needs a number}; shift 2 ;;
    --quick) quick=1; shift ;;
    *) shared_opt migrun,migpack,runs,engines "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $rows =~ ^[1-9][0-9]{3,7}$ ]] || usage_error "--rows must be 1000..99999999"
check_engines
find_tools
SDB=$tmp/bench.db
COLS='id, name, email, amount, created_at, note'

# gen_csv FILE FIRST N: N rows of items from id FIRST, with a header row.
gen_csv() {
    awk -v start="$2" -v n="$3" 'BEGIN {
        srand(start)
        nf = split("Ada Alan Barbara Claude Donald Edsger Frances Grace Ivan John Ken Leslie Margaret Niklaus Radia " \
                   "Robin Shafi Tony Whitfield Yukihiro", F, " ")
        nl = split("Lovelace Turing Liskov Shannon Knuth Dijkstra Allen Hopper Sutherland Backus Thompson Lamport " \
                   "Hamilton Wirth Perlman Milner Goldwasser Hoare Diffie Matsumoto", L, " ")
        nw = split("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar " \
                   "papa quebec romeo sierra tango", W, " ")
        print "id,name,email,amount,created_at,note"
        for (i = start; i < start + n; i++) {
            f = F[int(rand() * nf) + 1]; l = L[int(rand() * nl) + 1]
            w1 = W[int(rand() * nw) + 1]; w2 = W[int(rand() * nw) + 1]; w3 = W[int(rand() * nw) + 1]
            k = i % 10
            if (k == 3) note = "\"" w1 ", " w2 " and " w3 "\""
            else if (k == 7) note = "\"said \"\"" w1 "\"\", then " w2 ", " w3 "\""
            else note = w1 " " w2 " " w3
            printf "%d,%s %s,%s.%s%d@example.com,%d.%02d,2024-%02d-%02dT%02d:%02d:%02dZ,%s\n", i, f, l, tolower(f),
                tolower(l), i, int(rand() * 100000), int(rand() * 100), int(rand() * 12) + 1, int(rand() * 28) + 1,
                int(rand() * 24), int(rand() * 60), int(rand() * 60), note
        }
    }' >"$1"
}

# mkbundle DIR ROWS OUT: the migration and a CSV of ROWS rows in DIR,
# bundled into OUT.
mkbundle() {
    mkdir -p "$1/seeds/default"
    cat >"$1/0001_items.up.sql" <<'EOF'
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    amount NUMERIC(12,2) NOT NULL,
    created_at TEXT NOT NULL,
    note TEXT
);
EOF
    echo 'DROP TABLE items;' >"$1/0001_items.down.sql"
    gen_csv "$1/seeds/default/items.csv" 1 "$2"
    "$MIGPACK" build -o "$3" --name bench "$1" >/dev/null
}

log "generating a CSV of $rows rows and bundling it"
BUNDLE=$tmp/bench.tar.gz CSV=$tmp/m/seeds/default/items.csv
mkbundle "$tmp/m" "$rows" "$BUNDLE"
csv_size=$(stat -c %s "$CSV") bundle_size=$(stat -c %s "$BUNDLE")
rows4=$((rows * 4)) BUNDLE4=$tmp/bench4.tar.gz

# Results by ENGINE_{mr,lim,rss,rss4,t4}.
declare -A R
EXPECT=$rows

# The commands measured, as functions: each starts one program.
sqlite_fresh() { rm -f -- "$SDB" "$SDB-journal" && cp -- "$tmp/template.db" "$SDB"; }
sqlite_seed_mr() { timed "$MIGRUN" seed --quiet --db "sqlite:$SDB" "$BUNDLE"; }
sqlite_seed_lim() { timed sqlite3 "$SDB" <"$tmp/import.sql"; }
sqlite_count() { sqlite3 "$SDB" 'SELECT count(*) FROM items'; }
sqlite_hash() { sqlite3 -csv "$SDB" 'SELECT * FROM items ORDER BY id' | md5sum | cut -d' ' -f1; }

# check ENGINE F [--first]: the table holds EXPECT rows after F; on the
# first run of each, the same as the other's, by a hash of all of it.
check() {
    local n h
    n=$("$1_count") || die "$1: cannot count the rows after $2"
    [[ $n == "$EXPECT" ]] || die "$1: $2 loaded $n rows, not $EXPECT"
    if [[ ${3-} == --first ]]; then
        h=$("$1_hash") || die "$1: cannot hash the table after $2"
        if [[ -z ${HASH-} ]]; then HASH=$h; elif [[ $h != "$HASH" ]]; then
            die "$1: $2 loaded different rows than the other (table hash $h, not $HASH)"
        fi
    fi
}
sqlite_check() { check sqlite "$@"; }
postgres_check() { check postgres "$@"; }

# The same rows in a fresh database cloned from the migrated template.
postgres_fresh() { pg_fresh template_bench; }
postgres_seed_mr() { timed "$MIGRUN" seed --quiet --db "$PGURL" "$BUNDLE"; }
postgres_seed_lim() { pg_psql -c "\\copy items ($COLS) FROM '$CSV' WITH (FORMAT csv, HEADER)"; }
postgres_count() { "$PSQL" -X -At -d bench -c 'SELECT count(*) FROM items'; }
postgres_hash() {
    "$PSQL" -X -At -d bench -c "SELECT md5(string_agg(i::text, E'\\n' ORDER BY id)) FROM items i"
}

# measure ENGINE FRESH: time seed on a fresh database against the limit,
# and the peak RSS of migrun seed, at ROWS and (unless --quick) 4 × ROWS.
measure() {
    local e=$1 fresh=$2 rss t
    log "$e: timing migrun seed and its limit ($runs runs each, interleaved, and one untimed run each first)"
    HASH=
    medians "$runs" "$fresh" "${e}_seed_mr" "${e}_seed_lim" "${e}_check"
    R[${e}_mr]=$MA R[${e}_lim]=$MB
    log "$e: measuring peak memory"
    read -r rss t < <(peak_mib "$fresh" "${e}_seed_mr" --time)
    R[${e}_rss]=$rss
    if ((!quick)); then
        local save=$BUNDLE
        BUNDLE=$BUNDLE4 EXPECT=$rows4
        read -r rss t < <(peak_mib "$fresh" "${e}_seed_mr" --time)
        [[ $rss == n/a ]] || "${e}_check" "${e}_seed_mr (4×)"
        R[${e}_rss4]=$rss R[${e}_t4]=$t
        BUNDLE=$save EXPECT=$rows
    fi
}

bench_sqlite() {
    have_sqlite3 || return 0
    log "sqlite: a migrated template database"
    "$MIGRUN" apply --quiet --no-backup --db "sqlite:$tmp/template.db" "$BUNDLE"
    printf 'BEGIN;\n.import --csv --skip 1 %s items\nCOMMIT;\n' "$CSV" >"$tmp/import.sql"
    measure sqlite sqlite_fresh
    rm -f -- "$SDB"
}

bench_postgres() {
    pg_start || return 0
    log "postgres: a migrated template database"
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE template_bench'
    "$MIGRUN" apply --quiet --no-backup --db "postgresql:///template_bench?host=$PGHOST&port=$PGPORT&user=postgres" "$BUNDLE"
    measure postgres postgres_fresh
    "$PSQL" -X -q -c 'DROP DATABASE IF EXISTS bench'
}

if ((!quick)); then
    log "generating a CSV of $rows4 rows (4×) and bundling it, for the memory measurement"
    mkbundle "$tmp/m4" "$rows4" "$BUNDLE4"
    csv4_size=$(stat -c %s "$tmp/m4/seeds/default/items.csv")
    rm -rf -- "$tmp/m4"
fi

for e in sqlite postgres; do
    for k in mr lim rss rss4 t4; do R[${e}_$k]=n/a; done
    ((!quick)) || R[${e}_rss4]=skipped R[${e}_t4]=skipped
    if in_engines "$e"; then "bench_$e"; else for k in mr lim rss rss4 t4; do R[${e}_$k]="not run"; done; fi
done

# For scale: what migrun must do besides the load, and the limits do not:
# inflate the bundle (the CSV with it) and hash the CSV.
log "timing zcat of the bundle and sha256sum of the CSV (for scale)"
t_zcat=$(time_of zcat -- "$BUNDLE")
t_sha=$(time_of sha256sum -- "$CSV")

row() { # ENGINE LIMIT-LABEL
    echo "| $1 | $(sec "${R[$1_mr]}") | $(sec "${R[$1_lim]}") ($2) | $(ratio "${R[$1_mr]}" "${R[$1_lim]}" 1.25) | ≤ 1.25× |"
}
# flat ENGINE: the 4× file's peak RSS within 10% + 1 MiB of the 1× file's.
flat() {
    local a=${R[$1_rss]} b=${R[$1_rss4]}
    [[ $a =~ ^[0-9.]+$ && $b =~ ^[0-9.]+$ ]] || { echo "- $1: memory flat with the file's size: n/a ($b)"; return; }
    awk -v e="$1" -v a="$a" -v b="$b" 'BEGIN {
        printf "- %s: memory flat with the file'\''s size: %s (%s MiB at 1×, %s MiB at 4×, %+.1f MiB)\n", e,
            (b <= a * 1.1 + 1 ? "met" : "**missed**"), a, b, b - a
    }'
}

cat <<EOF
## migrun seed benchmark ($rows rows; medians of $runs runs, interleaved; fresh database each run)

CSV: $(mib "$csv_size") (6 columns, a fifth of the rows with quoted fields); bundle: $(mib "$bundle_size")

| engine | migrun seed median (s) | limit median (s) | ratio | target |
|---|---|---|---|---|
$(row sqlite '`sqlite3`: BEGIN; `.import --csv --skip 1`; COMMIT')
$(row postgres '`psql \copy ... (FORMAT csv, HEADER)`')

limits: the engine's own client loading the plain CSV file in one transaction.  migrun reads it out of the gzipped
bundle, hashes it and records it in the seeds table besides: for scale, \`zcat\` of the bundle takes $(sec "$t_zcat") s
and \`sha256sum\` of the CSV $(sec "$t_sha") s.  SQLite in its default rollback journal; PostgreSQL with fsync and
synchronous_commit on.

| peak RSS (MiB, target < 32) | sqlite | postgres |
|---|---|---|
| migrun seed, $rows rows ($(mib "$csv_size")) | $(under "${R[sqlite_rss]}" 32) | $(under "${R[postgres_rss]}" 32) |
| migrun seed, $rows4 rows ($(if ((quick)); then echo "--quick: not generated"; else mib "$csv4_size"; fi)) | $(under "${R[sqlite_rss4]}" 32) | $(under "${R[postgres_rss4]}" 32) |
| (one run of the $rows4 rows, s) | $(sec "${R[sqlite_t4]}") | $(sec "${R[postgres_t4]}") |

targets:
$(verdict 'sqlite: migrun seed ≤ 1.25× the limit' "$(r_of sqlite)" '<=' 1.25 ×)
$(verdict 'postgres: migrun seed ≤ 1.25× the limit' "$(r_of postgres)" '<=' 1.25 ×)
$(verdict "sqlite: peak RSS < 32 MiB ($rows rows)" "${R[sqlite_rss]}" '<' 32 ' MiB')
$(verdict "postgres: peak RSS < 32 MiB ($rows rows)" "${R[postgres_rss]}" '<' 32 ' MiB')
$(if ((quick)); then echo "- memory flat with the file's size: not measured (--quick)"; else flat sqlite; flat postgres; fi)
EOF
