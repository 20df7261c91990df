#!/usr/bin/env bash
# Benchmark migrun on a busy PostgreSQL: what a reader waits while a
# migration's ALTER TABLE waits for its lock, and 8 runners at once.
# usage: bench/locks.sh [--migrun PATH] [--migpack PATH] [--hold SECS] [--lock-timeout SECS]
# A table goes to stdout, progress to stderr.  Exit 0 even if targets are
# missed.
#
# A reader queries a table every 20 ms (one psql session, \timing) while a
# blocker holds a lock on it in an open transaction for --hold seconds
# (default 6), and migrun applies an ALTER TABLE on it.  With
# --ddl-lock-timeout (--lock-timeout, default 1) the ALTER gives up its
# place in the lock queue after that long, and tries again later, so the
# reader waits at most that long, once per try; goal: the reader's worst
# wait at most the timeout plus 0.5 s, and migrun finishing after the
# blocker ended.  Without it (--ddl-lock-timeout 0), the reader waits for
# as long as the blocker holds on.  Then 8 runners apply the same
# 200-migration bundle to one database at once: they take turns on the
# run lock, and the run takes about as long as one runner's.
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "locks.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack hold=6 timeout=1
while (($#)); do
    case $1 in
    --hold) hold=${2:?--hold needs seconds}; shift 2 ;;
    --lock-timeout) timeout=${2:?--lock-timeout needs seconds}; shift 2 ;;
    *) shared_opt migrun,migpack "$@"; shift "$SHIFT" ;;
    esac
done
[[ $hold =~ ^[1-9][0-9]*$ ]] || usage_error "--hold must be whole seconds"
[[ $timeout =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--lock-timeout must be seconds"
find_tools
pg_start || { echo "| reader's worst wait | n/a |"; exit 0; }

mkdir "$tmp/app"
printf 'create table t (a int);\ninsert into t select generate_series(1, 1000);\n' >"$tmp/app/0001_t.up.sql"
printf 'alter table t add column b int;\n' >"$tmp/app/0002_alter.up.sql"
"$MIGPACK" build -o "$tmp/b.tgz" "$tmp/app" >/dev/null 2>&1

# busy DDL_LOCK_TIMEOUT: one round: the reader's worst wait in s, when
# migrun ended and when the blocker did (s after the blocker began), into
# WORST, MIG_END and BLOCK_END.
busy() {
    local t0 reader blocker
    pg_fresh
    "$MIGRUN" apply --db "$PGURL" --no-backup --to 0001 "$tmp/b.tgz" >/dev/null
    # The reader: a query every 20 ms for hold + 4 s, each one timed.
    {
        echo '\timing on'
        for ((i = 0; i < (hold + 4) * 50; i++)); do
            echo 'SELECT count(*) FROM t;'
            echo '\! sleep 0.02'
        done
    } >"$tmp/reader.sql"
    t0=$EPOCHREALTIME
    "$PSQL" -X -q -d bench -f "$tmp/reader.sql" >"$tmp/reader.out" 2>&1 &
    reader=$!
    sleep 0.3
    # The blocker: a transaction that read t, idle for hold seconds.
    { "$PSQL" -X -q -d bench -c 'BEGIN' -c 'SELECT count(*) FROM t' \
        -c "\\! sleep $hold" -c 'COMMIT' >/dev/null; echo "$EPOCHREALTIME" >"$tmp/block.end"; } &
    blocker=$!
    sleep 0.5
    "$MIGRUN" apply --db "$PGURL" --no-backup --ddl-lock-timeout "$1" \
        --ddl-retries 1000 "$tmp/b.tgz" >/dev/null 2>"$tmp/migrun.err" ||
        die "migrun failed: $(cat "$tmp/migrun.err")"
    MIG_END=$(elapsed "$t0" "$EPOCHREALTIME" 2)
    wait "$blocker" "$reader"
    BLOCK_END=$(elapsed "$t0" "$(cat "$tmp/block.end")" 2)
    WORST=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$tmp/reader.out" |
        sort -g | tail -n1 | awk '{ printf "%.2f", $1 / 1000 }')
    TRIES=$(grep -c 'attempt' "$tmp/migrun.err" || true)
}

log "reader, blocker and migrun --ddl-lock-timeout $timeout (the blocker holds ${hold} s)"
busy "$timeout"
w_on=$WORST m_on=$MIG_END b_on=$BLOCK_END tries=$TRIES
log "the same with --ddl-lock-timeout 0"
busy 0
w_off=$WORST m_off=$MIG_END b_off=$BLOCK_END

# 8 runners on one database, against 1.
gen_migrations "$tmp/many" 200
"$MIGPACK" build -o "$tmp/many.tgz" "$tmp/many" >/dev/null 2>&1
one() { "$MIGRUN" apply --db "$PGURL" --no-backup "$tmp/many.tgz"; }
eight() {
    local p pids=()
    for p in 1 2 3 4 5 6 7 8; do
        "$MIGRUN" apply --db "$PGURL" --no-backup --lock-timeout 600 "$tmp/many.tgz" >/dev/null &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || return 1; done
}
medians 3 pg_fresh one eight
applied=$("$PSQL" -X -At -d bench -c 'SELECT count(*) FROM migpack_history')

echo
echo "| on a busy PostgreSQL | seconds | goal |"
echo "|---|---|---|"
echo "| reader's worst wait, \`--ddl-lock-timeout $timeout\` | $(under "$w_on" "$(awk -v t="$timeout" 'BEGIN { print t + 0.5 }')") | ≤ $timeout + 0.5 |"
echo "| reader's worst wait, \`--ddl-lock-timeout 0\` | $w_off | (as long as the blocker: ${hold} s) |"
echo "| blocker ended / migrun ended (\`$timeout\`, $tries waits) | $b_on / $m_on | migrun after the blocker |"
echo "| blocker ended / migrun ended (\`0\`) | $b_off / $m_off | |"
echo "| 200 migrations, 1 runner | $(sec "$MA") | |"
echo "| the same, 8 runners at once | $(sec "$MB") ($(ratio "$MB" "$MA")) | each applied once: $applied rows |"
awk -v m="$m_on" -v b="$b_on" 'BEGIN { exit !(m >= b) }' ||
    echo "- **missed**: migrun ended before the blocker did"
