#!/usr/bin/env bash
# Benchmark what proves a release: lint's cost inside `migpack build`, and
# `migrun check` against `migrun apply`, on the 1,000-migration corpus of
# bench/apply.sh (five kinds of migration, each with its down script).
# usage: bench/check.sh [--migrun PATH] [--migpack PATH] [--runs N] [--count N]
# A table goes to stdout, progress to stderr.  Exit 0 even if targets are
# missed.
#
# Lint: `migpack build` as it is (every script parsed by PostgreSQL's
# parser, linted, the splitter cross-checked) against `migpack build
# --engines sqlite`, which parses nothing and does all the rest; target:
# lint adds at most 50%.  Check: `migrun check` on its in-memory SQLite
# database (each migration up, down, up again, three schema snapshots,
# down to base, all again) against `migrun apply --no-backup` of the same
# bundle to a new SQLite file; target: at most 3x.  Its physical limit is
# the engine's own client running the statements check runs, in memory,
# each migration in a transaction: every up, down and up again, every down
# to base, every up again (sqlite3 :memory: < check.sql).
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "check.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

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

log "generating $count migrations"
M=$tmp/migrations
gen_migrations "$M" "$count"
B=$tmp/bench.tar.gz

none() { :; }
build_lint() { "$MIGPACK" build -o "$tmp/lint.tar.gz" "$M" 2>/dev/null; }
build_bare() { "$MIGPACK" build --engines sqlite -o "$tmp/bare.tar.gz" "$M"; }
log "timing migpack build, with and without lint ($runs runs each)"
medians "$runs" none build_lint build_bare
lint_s=$MA bare_s=$MB

"$MIGPACK" build -o "$B" "$M" 2>/dev/null >/dev/null
fresh() { rm -f "$tmp/apply.db"*; }
apply_file() { "$MIGRUN" apply --no-backup --quiet --db "sqlite:$tmp/apply.db" "$B"; }
check_memory() { "$MIGRUN" check --quiet "$B"; }
log "timing migrun check (memory) and migrun apply (file) ($runs runs each)"
medians "$runs" fresh check_memory apply_file
check_s=$MA apply_s=$MB

# The statements check runs, in its order, for the engine's client.
ups=("$M"/*.up.sql)
{
    tx() { echo 'BEGIN;'; cat "$1"; echo 'COMMIT;'; }
    for u in "${ups[@]}"; do tx "$u"; tx "${u%.up.sql}.down.sql"; tx "$u"; done
    for ((i = ${#ups[@]} - 1; i >= 0; i--)); do tx "${ups[i]%.up.sql}.down.sql"; done
    for u in "${ups[@]}"; do tx "$u"; done
} >"$tmp/check.sql"
limit_memory() { sqlite3 :memory: <"$tmp/check.sql"; }
log "timing sqlite3 :memory: on check's statements ($runs runs)"
medians "$runs" none limit_memory none
limit_s=$MA

cat <<EOF
## Proving a release ($count migrations, median of $runs runs)

| operation | seconds | against | seconds | ratio | target |
|---|---|---|---|---|---|
| \`migpack build\` (lint) | $(sec "$lint_s") | \`build --engines sqlite\` (no parse) | $(sec "$bare_s") | $(ratio "$lint_s" "$bare_s" 1.5) | ≤ 1.50× |
| \`migrun check\` (in memory) | $(sec "$check_s") | \`migrun apply\` (SQLite file) | $(sec "$apply_s") | $(ratio "$check_s" "$apply_s" 3) | ≤ 3× |
| \`migrun check\` (in memory) | $(sec "$check_s") | its limit: \`sqlite3 :memory:\` on check's statements | $(sec "$limit_s") | $(ratio "$check_s" "$limit_s") | |
| the limit itself | $(sec "$limit_s") | \`migrun apply\` (SQLite file) | $(sec "$apply_s") | $(ratio "$limit_s" "$apply_s") | |
EOF
