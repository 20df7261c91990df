#!/usr/bin/env bash
# A CREATE INDEX CONCURRENTLY that fails leaves an INVALID index, and a
# retry with IF NOT EXISTS would then "succeed" without one.  migrun drops
# the indexes that became invalid during the failed statement (catalog
# before and after) with DROP INDEX CONCURRENTLY, then retries or reports;
# an invalid index that was there before is never touched.  The same when
# the client died in the statement: apply --resume drops what it left
# (the row recorded the invalid indexes before it) before going on.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"

put app/0001_t.up.sql 'create table t (a int, b int);\ninsert into t values (1, 1), (2, 1);\n'
put app/0002_ia.up.sql '-- migpack:no-transaction\ncreate index concurrently if not exists t_a on t (a);\n'
put app/0003_ib.up.sql '-- migpack:no-transaction\ncreate index concurrently if not exists t_a2 on t (a);\ncreate unique index concurrently if not exists t_b on t (b);\n'
expect_exit 0 "$MIGPACK" build -o b.tgz app
newdb idx
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 b.tgz

# An invalid index of someone else's, there before: never touched.
q "CREATE TABLE other (x int); INSERT INTO other VALUES (1), (1)"
q "CREATE UNIQUE INDEX CONCURRENTLY other_x ON other (x)" 2>/dev/null &&
	fail "test setup: the unique index was built"
invalid() {
	q "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_index i
	   JOIN pg_class c ON c.oid = i.indexrelid WHERE NOT i.indisvalid"
}
[ "$(invalid)" = other_x ] || fail "test setup: invalid: $(invalid)"

# writer SQL SECS: SQL in a transaction left open SECS seconds, in the
# background (its pid in $writer), once it is open.
writer() {
	PGAPPNAME=writer pg_psql -d "$DBNAME" -c "BEGIN" -c "$1" \
	    -c "\\! sleep $2" -c "COMMIT" >/dev/null 2>&1 &
	writer=$!
	for _ in $(seq 100); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'writer' AND state = 'idle in transaction'")" = 1 ] &&
		    return 0
		sleep 0.1
	done
	fail "test setup: the writer's transaction did not open"
}

# A writer's open transaction: CREATE INDEX CONCURRENTLY waits for it
# after it made its (invalid) index, and the wait times out.
writer "INSERT INTO t VALUES (3, 3)" 1.5
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    --to 0002 b.tgz
wait "$writer"
expect_err "0002 ia: attempt 1 of 11: migrations/0002_ia/up.sql:2: ERROR: canceling statement due to lock timeout; blocked by pid "
expect_err "(idle in transaction for "
expect_err "): INSERT INTO t VALUES (3, 3); the failed statement left the invalid index public.t_a, not dropped yet: ERROR: canceling statement due to lock timeout; blocked by pid "
[ "$(invalid)" = other_x ] || fail "invalid now: $(invalid)"
[ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a'::regclass")" = t ] ||
	fail "t_a is not valid"

# A failure that is not a lock's: the invalid index goes, the report says
# so, the statement before it stays done and the row dirty.
expect_exit 1 "$MIGRUN" apply --db "$DB" --no-backup b.tgz
expect_err "migrations/0003_ib/up.sql:3: ERROR: could not create unique index \"t_b\" (Key (b)=(1) is duplicated.)"
expect_err "dropped the invalid index public.t_b that the failed statement left"
[ "$(invalid)" = other_x ] || fail "invalid now: $(invalid)"
[ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 't_a2'::regclass")" = t ] ||
	fail "t_a2 is not there"
[ "$(q "SELECT state FROM migpack_history WHERE version = '0003'")" = dirty ] ||
	fail "0003 is not dirty"

# The client and its session die while CREATE INDEX CONCURRENTLY waits for
# a writer: its invalid index stays.  apply --resume drops it first (the
# row recorded which were invalid before), then goes on from there.
put two/0001_w.up.sql 'create table w (a int);\n'
put two/0002_wa.up.sql '-- migpack:no-transaction\ninsert into w select 1 where not exists (select 1 from w where a = 1);\ncreate index concurrently if not exists w_a on w (a);\ninsert into w select 2 where not exists (select 1 from w where a = 2);\n'
expect_exit 0 "$MIGPACK" build -o two.tgz two
newdb idx2
q "CREATE TABLE other (x int); INSERT INTO other VALUES (1), (1)"
q "CREATE UNIQUE INDEX CONCURRENTLY other_x ON other (x)" 2>/dev/null &&
	fail "test setup: the unique index was built"
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 two.tgz
writer "INSERT INTO w VALUES (9)" 30
"$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0 two.tgz \
    >/dev/null 2>&1 &
pid=$!
backend=
for _ in $(seq 200); do
	backend=$(q "SELECT pid FROM pg_stat_activity WHERE application_name = 'migrun' AND wait_event_type = 'Lock'")
	[ -n "$backend" ] && break
	sleep 0.05
done
[ -n "$backend" ] || fail "test setup: CREATE INDEX CONCURRENTLY never waited"
kill -s KILL "$pid"
wait "$pid" 2>/dev/null || true
q "SELECT pg_terminate_backend($backend)" >/dev/null
for _ in $(seq 100); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE pid = $backend")" = 0 ] && break
	sleep 0.05
done
[ "$(invalid)" = other_x,w_a ] || fail "test setup: invalid: $(invalid)"
[ "$(q "SELECT statements_done FROM migpack_history WHERE version = '0002' AND state = 'dirty'")" = 1 ] ||
	fail "0002's row: $(q "SELECT * FROM migpack_history WHERE version = '0002'")"
q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'writer'" >/dev/null
wait "$writer" 2>/dev/null || true
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --resume two.tgz
expect_err "migrun: resuming 0002 wa at statement 2 of 3 (migrations/0002_wa/up.sql:3): create index concurrently if not exists w_a on w (a);"
expect_err "migrun: 0002 wa: dropped the invalid index public.w_a that the stopped statement left"
[ "$(invalid)" = other_x ] || fail "invalid after resuming: $(invalid)"
[ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'w_a'::regclass")" = t ] ||
	fail "w_a is not valid"
[ "$(q "SELECT string_agg(a::text, ',' ORDER BY a) FROM w")" = 1,2 ] ||
	fail "w: $(q "SELECT * FROM w")"
# REINDEX CONCURRENTLY that times out leaves its new copy invalid
# (w_a_ccnew): dropped the same way before the retry.
put three/0001_w.up.sql 'create table w (a int);\ncreate index w_a on w (a);\n'
put three/0002_re.up.sql '-- migpack:no-transaction\nreindex index concurrently w_a;\n'
expect_exit 0 "$MIGPACK" build -o three.tgz three
newdb idx3
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 three.tgz
writer "INSERT INTO w VALUES (1)" 1.5
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --ddl-lock-timeout 0.3 \
    three.tgz
wait "$writer"
expect_err "0002 re: attempt 1 of 11: migrations/0002_re/up.sql:2: ERROR: canceling statement due to lock timeout"
expect_err "the failed statement left the invalid index public.w_a_ccnew"
[ -z "$(invalid)" ] || fail "invalid after the reindex: $(invalid)"
[ "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'w_a'::regclass")" = t ] ||
	fail "w_a is not valid"
true
