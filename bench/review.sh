#!/usr/bin/env bash
# Benchmark migrun review: the HTML page of the 1,000-migration corpus of
# bench/apply.sh against migrun sql of the same plan, and its peak memory
# when every script is ten times larger.
# usage: bench/review.sh [--migrun PATH] [--migpack PATH] [--runs N] [--count N]
# A table goes to stdout, progress to stderr.  Exit 0 even if targets are
# missed.
#
# Targets: review at most 3x migrun sql (both read the bundle and write
# the plan's SQL; review also sums the script, highlights and escapes);
# peak memory flat when the scripts grow tenfold (scripts are read one
# migration at a time).
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "review.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-5} count=1000
while (($#)); do
    case $1 in
    --count) count=${2:?--count needs a number}; shift 2 ;;
    *) shared_opt migrun,migpack,runs "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $count =~ ^[1-9][0-9]{0,3}$ ]] || usage_error "--count must be 1..9999"
MIGRUN=$(find_bin "$migrun") || die "no migrun at '$migrun'"
MIGPACK=$(find_bin "$migpack") || die "no migpack at '$migpack'"
export MIGRUN_TRUST_DIR=$tmp/no-keys

log "generating $count migrations, and the same ten times larger"
M=$tmp/migrations
gen_migrations "$M" "$count"
cp -r "$M" "$tmp/big"
for f in "$tmp/big"/*.sql; do
    body=$(cat "$f")
    { for _ in 1 2 3 4 5 6 7 8 9; do printf -- '-- %s\n' "${body//$'\n'/ }"; done; cat "$f"; } >"$f.new"
    mv "$f.new" "$f"
done
"$MIGPACK" build --engines sqlite -o "$tmp/b.tar.gz" "$M" >/dev/null
"$MIGPACK" build --engines sqlite -o "$tmp/big.tar.gz" "$tmp/big" >/dev/null
size() { du -k "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }

none() { :; }
review_html() { timed "$MIGRUN" review --dialect sqlite -o "$tmp/r.html" "$tmp/b.tar.gz"; }
sql_file() { timed "$MIGRUN" sql --dialect sqlite -o "$tmp/s.sql" "$tmp/b.tar.gz"; }
log "timing migrun review (HTML) and migrun sql ($runs runs each)"
medians "$runs" none review_html sql_file
review_s=$MA sql_s=$MB

review_big() { timed "$MIGRUN" review --dialect sqlite -o "$tmp/big.html" "$tmp/big.tar.gz"; }
log "peak memory of migrun review, scripts as they are and ten times larger"
mem=$(peak_mib none review_html)
mem_big=$(peak_mib none review_big)

# A 10,000-migration page in a browser: headless Chromium's DOM of it.
browser=n/a page10k=n/a
if command -v chromium >/dev/null; then
    log "10,000 migrations: review, then headless Chromium opens the page"
    gen_migrations "$tmp/m10k" 10000
    "$MIGPACK" build --engines sqlite -o "$tmp/10k.tar.gz" "$tmp/m10k" >/dev/null
    "$MIGRUN" review --dialect sqlite -o "$tmp/10k.html" "$tmp/10k.tar.gz"
    page10k=$(size "$tmp/10k.html")
    t0=$EPOCHREALTIME
    timeout 600 chromium --headless --no-sandbox --disable-gpu --dump-dom \
        "file://$tmp/10k.html" 2>/dev/null | grep -q 'id="m-10000"' ||
        die "chromium did not show the 10,000th migration"
    browser=$(elapsed "$t0" "$EPOCHREALTIME" 1)
fi

cat <<EOF2
## migrun review ($count migrations, median of $runs runs, interleaved)

| operation | seconds | against | seconds | ratio | target |
|---|---|---|---|---|---|
| \`migrun review -o page.html\` | $(sec "$review_s") | \`migrun sql -o plan.sql\` | $(sec "$sql_s") | $(ratio "$review_s" "$sql_s" 3) | ≤ 3× |

| peak RSS (MiB) | scripts as generated (page $(size "$tmp/r.html") MiB) | ten times larger (page $(size "$tmp/big.html") MiB) |
|---|---|---|
| migrun review | $mem | $mem_big |

A 10,000-migration page ($page10k MiB): headless Chromium builds its whole DOM in $browser s.
EOF2
