#!/usr/bin/env bash
# Benchmark fleets: 100 PostgreSQL databases on one local server (and 20
# schemas of one database), 20 migrations each, brought to the bundle's
# version by `migrun apply --targets --parallel 8`, against a shell loop
# of single `migrun apply --db` runs over the same targets; the limit is
# psql running the same SQL (`migrun sql`) over them, 8 at once.
# usage: bench/fleet.sh [--migrun PATH] [--migpack PATH] [--runs N]
# A table goes to stdout, progress to stderr.  Exit 0 even if the goal is
# missed.  Goal: at least 3x faster than the loop on this machine's
# server; the figure per target too.  The loop's share of the machine's
# CPU (all of it: migrun and the server) says the most any
# parallel run can gain: a loop already busy on 60% of two cores can
# be at most 1 / 0.6 = 1.7x faster.  Each run starts from emptied
# databases (untimed).
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "fleet.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-3} dbs=100 schemas=20
while (($#)); do shared_opt migrun,migpack,runs "$@"; shift "$SHIFT"; done
check_runs
MIGRUN=$(find_bin "$migrun") || die "no migrun at '$migrun'"
MIGPACK=$(find_bin "$migpack") || die "no migpack at '$migpack'"
export MIGRUN_TRUST_DIR=$tmp/no-keys
pg_start || { echo "## Fleets: no PostgreSQL server to run here"; exit 0; }

gen_migrations "$tmp/m" 20
"$MIGPACK" build --engines postgres -o "$tmp/b.tar.gz" "$tmp/m" >/dev/null 2>&1
base="postgresql:///%s?host=$PGHOST&port=$PGPORT&user=postgres"
: >"$tmp/dbs"
for i in $(seq -w 1 $dbs); do printf "$base -- name=db$i\n" "fleet$i" >>"$tmp/dbs"; done
: >"$tmp/schemas"
for i in $(seq -w 1 $schemas); do printf "$base -- schema=t$i\n" tenants >>"$tmp/schemas"; done

none() { :; }
# Emptied, not made again: dropping a database is slow, dropping its
# schema quick.
fresh_dbs() {
    local i
    for i in $(seq -w 1 $dbs); do
        "$PSQL" -X -q -d "fleet$i" -c 'DROP SCHEMA public CASCADE' \
            -c 'CREATE SCHEMA public' >/dev/null 2>&1
    done
    "$PSQL" -X -q -c CHECKPOINT -d postgres
}
fresh_schemas() {
    local i
    "$PSQL" -X -q -d postgres -c 'CREATE DATABASE tenants' >/dev/null 2>&1 || true
    for i in $(seq -w 1 $schemas); do echo "DROP SCHEMA IF EXISTS t$i CASCADE; CREATE SCHEMA t$i;"; done |
        PGOPTIONS="-c client_min_messages=warning" "$PSQL" -X -q -v ON_ERROR_STOP=1 -d tenants >/dev/null
    "$PSQL" -X -q -c CHECKPOINT -d postgres
}
fleet_dbs() { "$MIGRUN" apply --targets "$tmp/dbs" --parallel 8 --no-backup --quiet "$tmp/b.tar.gz" >/dev/null; }
# The engine's own client on the same SQL, 8 databases at once.
psql_dbs() {
    seq -w 1 $dbs | xargs -P 8 -I{} "$PSQL" -X -q -v ON_ERROR_STOP=1 -d fleet{} -f "$tmp/all.sql" >/dev/null
}
loop_dbs() {
    local i
    for i in $(seq -w 1 $dbs); do
        "$MIGRUN" apply --db "$(printf "$base" "fleet$i")" --no-backup --quiet "$tmp/b.tar.gz"
    done
}
fleet_schemas() { "$MIGRUN" apply --targets "$tmp/schemas" --parallel 8 --no-backup --quiet "$tmp/b.tar.gz" >/dev/null; }
loop_schemas() {
    local i
    for i in $(seq -w 1 $schemas); do
        "$MIGRUN" apply --db "$(printf "$base" tenants)" --table "t$i.migpack_history" \
            --no-backup --quiet "$tmp/b.tar.gz" ||
            return 1
    done
}
# busy CMD...: the seconds of CPU (all cores, every process) over one run
# of CMD, in BUSY, and its wall-clock seconds in WALL.
busy() {
    local a b c d e f g h t0 t1 b0 b1
    read -r _ a b c d e f g h _ </proc/stat
    b0=$((a + b + c + f + g + h)) t0=$EPOCHREALTIME
    "$@" >/dev/null || die "failed: $*"
    t1=$EPOCHREALTIME
    read -r _ a b c d e f g h _ </proc/stat
    b1=$((a + b + c + f + g + h))
    BUSY=$(awk -v t="$(( b1 - b0 ))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz }')
    WALL=$(elapsed "$t0" "$t1" 3)
}
"$MIGRUN" sql --dialect postgres -o "$tmp/all.sql" "$tmp/b.tar.gz"
log "making $dbs databases"
for i in $(seq -w 1 $dbs); do echo "CREATE DATABASE fleet$i;"; done |
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null
log "timing $dbs databases, --parallel 8 and a loop ($runs runs each)"
medians "$runs" fresh_dbs fleet_dbs loop_dbs
fd=$MA ld=$MB
log "timing $dbs databases, psql 8 at once ($runs runs)"
medians "$runs" fresh_dbs psql_dbs none
pd=$MA
log "the loop's share of the CPU (one run)"
fresh_dbs
busy loop_dbs
cores=$(nproc)
share=$(awk -v b="$BUSY" -v w="$WALL" -v n="$cores" 'BEGIN { printf "%.0f", 100 * b / (w * n) }')
ceiling=$(awk -v b="$BUSY" -v w="$WALL" -v n="$cores" 'BEGIN { printf "%.2f", w * n / b }')
log "timing $schemas schemas of one database, --parallel 8 ($runs runs)"
medians "$runs" fresh_schemas fleet_schemas none
fs=$MA
log "peak RSS: the fleet's parent over $dbs and 10 targets, one target alone"
head -n 10 "$tmp/dbs" >"$tmp/dbs10"
rss_fleet() { timed "$MIGRUN" apply --targets "$1" --parallel 8 --no-backup --quiet "$tmp/b.tar.gz"; }
rss_all() { rss_fleet "$tmp/dbs"; }
rss_ten() { rss_fleet "$tmp/dbs10"; }
rss_one() { timed "$MIGRUN" apply --db "$(printf "$base" fleet001)" --no-backup --quiet "$tmp/b.tar.gz"; }
m_all=$(peak_mib none rss_all) m_ten=$(peak_mib none rss_ten) m_one=$(peak_mib none rss_one)
per() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.1f", a * 1000 / n }'; }

cat <<EOF2
## Fleets (20 migrations per target, median of $runs runs)

| targets | \`apply --targets --parallel 8\` (s) | a loop of \`apply --db\` (s) | ratio | per target, fleet (ms) | limit: psql, 8 at once (s) | goal |
|---|---|---|---|---|---|---|
| $dbs databases | $(sec "$fd") | $(sec "$ld") | $(ratio "$ld" "$fd") faster | $(per "$fd" $dbs) | $(sec "$pd") | ≥ 3× |
| $schemas schemas of one database | $(sec "$fs") | | | $(per "$fs" $schemas) | | |

The loop keeps $share% of the machine's $cores cores busy (migrun and the
server's backends together: $BUSY s of CPU in $WALL s), so no parallel run
of the same work can be more than ${ceiling}× faster than it here.

Peak RSS of the fleet's own process: $m_all MiB over $dbs targets, $m_ten MiB
over 10; a single target's run, as each target's process is: $m_one MiB.
EOF2
