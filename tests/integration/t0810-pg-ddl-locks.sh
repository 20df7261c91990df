#!/usr/bin/env bash
# Lock-safe DDL on a busy PostgreSQL: a migration's statements run under
# lock_timeout (--ddl-lock-timeout, SET LOCAL in its transaction); one that
# waits too long rolls its migration back, says who blocked it, waits and
# tries again (--ddl-retries), and at the end exits 4 with the database at
# the migration before and the blocker named.  The run lock keeps its own
# --lock-timeout.  --statement-timeout cancels a statement.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"

put app/0001_t.up.sql 'create table t (a int);\ninsert into t values (1);\n'
put app/0001_t.down.sql 'drop table t;\n'
put app/0002_col.up.sql 'alter table t add column b int;\n'
put app/0002_col.down.sql 'alter table t drop column b;\n'
put app/0003_u.up.sql 'create table u (a int);\n'
put app/0003_u.down.sql 'drop table u;\n'
put app/0004_seen.up.sql "create table seen as select current_setting('lock_timeout') lt, current_setting('statement_timeout') st;\n"
put app/0005_seen_notx.up.sql "-- migpack:no-transaction\ninsert into seen select current_setting('lock_timeout'), current_setting('statement_timeout');\n"
expect_exit 0 "$MIGPACK" build -o b.tgz app
newdb busy
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 b.tgz

# block SECONDS: a transaction that holds t's ACCESS SHARE lock, idle, for
# SECONDS, as a long report would; its pid in $T/blocker.pid.
block() {
	PGAPPNAME=blocker pg_psql -d "$DBNAME" -c "BEGIN" \
	    -c "SELECT count(*) FROM t" -c "\\! sleep $1" -c "COMMIT" \
	    >/dev/null 2>&1 &
	BLOCKER=$!
	for _ in $(seq 100); do
		[ "$(q "SELECT count(*) FROM pg_locks l JOIN pg_class c ON
		    c.oid = l.relation WHERE c.relname = 't' AND
		    l.pid <> pg_backend_pid()")" != 0 ] && break
		sleep 0.1
	done
	q "SELECT pid FROM pg_stat_activity WHERE application_name = 'blocker'" \
	    >"$T/blocker.pid"
}

# Retries run out: exit 4, 0002 rolled back, the database at 0001, the
# blocker named with its pid, state and query; one line per wait.
block 30
t0=$(date +%s%N)
expect_exit 4 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    --ddl-retries 2 b.tgz
t1=$(date +%s%N)
pid=$(cat "$T/blocker.pid")
expect_err "migrations/0002_col/up.sql:1: ERROR: canceling statement due to lock timeout; blocked by pid $pid (idle in transaction for "
expect_err "): SELECT count(*) FROM t"
expect_err "no lock in 3 attempts (--ddl-lock-timeout, --ddl-retries)"
expect_err "migration 0002 col failed and was rolled back; the database is at 0001"
[ "$(grep -c "^migrun: 0002 col: attempt [12] of 3: migrations/0002_col/up.sql:1: ERROR: canceling statement due to lock timeout; blocked by pid $pid" "$T/err")" = 2 ] ||
	fail "a line per wait: $(cat "$T/err")"
[ "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = 't' AND column_name = 'b'")" = 0 ] ||
	fail "0002 left its column"
[ "$(q "SELECT string_agg(version, ',' ORDER BY version) FROM migpack_history")" = 0001 ] ||
	fail "history: $(q "SELECT * FROM migpack_history")"
# Three waits of 0.3 s and two naps of 0.25-0.5 and 0.5-1 s.
ms=$(((t1 - t0) / 1000000))
[ "$ms" -ge 1650 ] && [ "$ms" -lt 10000 ] || fail "took $ms ms"
kill "$BLOCKER" 2>/dev/null || true
q "SELECT pg_terminate_backend($pid)" >/dev/null
wait "$BLOCKER" 2>/dev/null || true

# The blocker ends while migrun waits: a retry succeeds.
block 1
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    --ddl-retries 10 --to 0003 b.tgz
expect_err "0002 col: attempt 1 of 11"
expect_out "applied 2 migrations: database at 0003"
wait "$BLOCKER" 2>/dev/null || true

# The limits are the migration's (SET LOCAL) and, outside a transaction,
# the session's for its statements; the session's own come back after.
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.25 \
    --statement-timeout 7 b.tgz
[ "$(q "SELECT string_agg(lt || ' ' || st, ',') FROM seen")" = "250ms 7s,250ms 7s" ] ||
	fail "settings seen: $(q "SELECT * FROM seen")"
q "DROP TABLE seen; DELETE FROM migpack_history WHERE version IN ('0004', '0005')"
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0 b.tgz
[ "$(q "SELECT string_agg(lt, ',') FROM seen")" = "0,0" ] ||
	fail "--ddl-lock-timeout 0: $(q "SELECT * FROM seen")"
# The server's statement_timeout stays unless asked.
q "DROP TABLE seen; DELETE FROM migpack_history WHERE version IN ('0004', '0005')"
q "ALTER DATABASE busy SET statement_timeout = '42s'"
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup b.tgz
[ "$(q "SELECT string_agg(lt || ' ' || st, ',') FROM seen")" = "5s 42s,5s 42s" ] ||
	fail "defaults: $(q "SELECT * FROM seen")"
q "ALTER DATABASE busy RESET statement_timeout"

# Without a limit, a migration waits as long as the blocker holds on.
q "DROP TABLE seen; DELETE FROM migpack_history WHERE version IN ('0004', '0005')"
expect_exit 0 "$MIGRUN" down --db "$DB" --no-backup --to 0001 b.tgz
block 1.5
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0 \
    --to 0002 b.tgz
grep -q attempt "$T/err" && fail "waited, then tried again: $(cat "$T/err")"
wait "$BLOCKER" 2>/dev/null || true

# A down waits and tries again the same way.
block 1
expect_exit 0 "$MIGRUN" down --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    --to 0001 b.tgz
expect_err "rolling back 0002 col: attempt 1 of 11"
wait "$BLOCKER" 2>/dev/null || true

# In one transaction for the run, the whole run is tried again.
block 1
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    --single-transaction --to 0003 b.tgz
expect_err "the run (--single-transaction): attempt 1 of 11"
expect_out "applied 2 migrations: database at 0003"
wait "$BLOCKER" 2>/dev/null || true

# The run lock is not lock_timeout's: it is polled for --lock-timeout.
expect_exit 0 "$MIGRUN" down --db "$DB" --no-backup --to 0001 b.tgz
hold_lock 3
expect_exit 4 "$MIGRUN" apply --db "$DB" --no-backup --lock-timeout 1 \
    --ddl-lock-timeout 0.1 b.tgz
expect_err "another migrun holds the lock on public.migpack_history; gave up after 1 s"
grep -q attempt "$T/err" && fail "the run lock retried: $(cat "$T/err")"
wait

# --statement-timeout cancels a long statement: exit 1, rolled back.
put slow/0001_t.up.sql 'create table t (a int);\n'
put slow/0002_slow.up.sql 'create table v (a int);\nselect pg_sleep(3);\n'
expect_exit 0 "$MIGPACK" build -o slow.tgz slow
newdb slow
expect_exit 1 "$MIGRUN" apply --db "$DB" --no-backup --statement-timeout 0.5 \
    slow.tgz
expect_err "migrations/0002_slow/up.sql:2: ERROR: canceling statement due to statement timeout"
expect_err "migration 0002 slow failed and was rolled back; the database is at 0001"
has_table v && fail "0002 was not rolled back"
grep -q attempt "$T/err" && fail "a statement timeout retried: $(cat "$T/err")"

# A no-transaction migration goes on from the statement that timed out:
# the one before it ran once.
put notx/0001_t.up.sql 'create table t (a int);\ncreate table log (n int);\n'
put notx/0002_two.up.sql '-- migpack:no-transaction\ninsert into log values (1);\nalter table t add column c int;\ninsert into log values (2);\n'
expect_exit 0 "$MIGPACK" build -o notx.tgz notx
newdb notx
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 notx.tgz
block 1
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    notx.tgz
wait "$BLOCKER" 2>/dev/null || true
expect_err "0002 two: attempt 1 of 11: migrations/0002_two/up.sql:3: ERROR: canceling statement due to lock timeout"
[ "$(q "SELECT string_agg(n::text, ',' ORDER BY n) FROM log")" = "1,2" ] ||
	fail "log: $(q "SELECT * FROM log")"
[ "$(q "SELECT state FROM migpack_history WHERE version = '0002'")" = applied ] ||
	fail "0002 not applied"

# Bad values: exit 2 before any connection (nothing listens there).
for bad in "--ddl-lock-timeout -1" "--ddl-lock-timeout x" "--ddl-lock-timeout 1e3" \
    "--ddl-lock-timeout 2147484" "--ddl-lock-timeout ''" "--ddl-lock-timeout .5" \
    "--ddl-retries -1" "--ddl-retries 1001" "--ddl-retries 1.5" \
    "--statement-timeout -0.5" "--statement-timeout 5s"; do
	eval "set -- $bad"
	expect_exit 2 "$MIGRUN" apply --db "postgresql://nobody@127.0.0.1:1/none" \
	    "$@" b.tgz
	expect_err "migrun: apply: $1 '$2': not "
done
expect_exit 2 "$MIGRUN" sql --dialect postgres --ddl-lock-timeout x b.tgz
expect_err "--ddl-lock-timeout 'x': not seconds"

# migrun sql sets the same limits: SET LOCAL in each migration's
# transaction, SET around a script outside one; the header says nothing
# is tried again.  Run with psql on a blocked table, it stops there.
expect_exit 0 "$MIGRUN" sql --dialect postgres --ddl-lock-timeout 0.3 \
    --statement-timeout 9 --from 0001 -o off.sql b.tgz
grep -q "^-- A migration's statement waits at most 300 ms for a lock (lock_timeout), then$" off.sql &&
    grep -q "^-- fails, and the script stops there: offline, nothing is tried again, where$" off.sql ||
	fail "header: $(head -n 20 off.sql)"
[ "$(grep -c "^SET LOCAL lock_timeout = '300ms'; SET LOCAL statement_timeout = '9000ms';$" off.sql)" = 3 ] ||
	fail "SET LOCAL: $(cat off.sql)"
grep -A1 "^BEGIN;$" off.sql | grep -q "^SET LOCAL lock_timeout" ||
	fail "not at a transaction's start: $(cat off.sql)"
grep -B2 -A2 "^insert into seen" off.sql | tr '\n' '|' | grep -qF "SET lock_timeout = '300ms'; SET statement_timeout = '9000ms';|-- migpack:no-transaction|insert into seen select current_setting('lock_timeout'), current_setting('statement_timeout');|RESET lock_timeout;|RESET statement_timeout;|" ||
	fail "outside a transaction: $(cat off.sql)"
expect_exit 0 "$MIGRUN" sql --dialect sqlite --ddl-lock-timeout 0.3 -o lite.sql b.tgz
grep -q "^SET .*lock_timeout\|^-- A migration's statement" lite.sql && fail "SQLite got PostgreSQL's limits"
newdb offline
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 b.tgz
block 30
expect_exit 3 client off.sql
grep -q "canceling statement due to lock timeout" "$T/err" ||
	fail "psql: $(cat "$T/err")"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'blocker'" >/dev/null
wait "$BLOCKER" 2>/dev/null || true
expect_exit 0 client off.sql
[ "$(q "SELECT string_agg(lt || ' ' || st, ',') FROM seen")" = "300ms 9s,300ms 9s" ] ||
	fail "offline settings: $(q "SELECT * FROM seen")"

# SQLite takes them and sets nothing: one command line for every engine.
expect_exit 0 "$MIGRUN" apply --db sqlite:lite.db --ddl-lock-timeout 0.5 \
    --ddl-retries 3 --statement-timeout 2 --no-backup --to 0003 b.tgz
expect_out "applied 3 migrations: database at 0003"
true
