# Resuming a no-transaction migration: migrun apply killed between every
# pair of its statements, then apply --resume, on each engine.  Sourced
# after lib.sh and an engine file.

# What a run leaves: the log, the history without its times.
final_state() {
	q "SELECT n FROM log ORDER BY n"
	q "SELECT version, name, state, checksum, coalesce(statements_done, -1),
	    coalesce(statements, -1), coalesce(resume_note, '-')
	    FROM migpack_history ORDER BY version"
	has_table after && echo "after"
}

# The statement at index i (from 0) of 0002: a slow one between each of
# three inserts, which do nothing twice (as README asks of such scripts).
scen_resume_killed() {
	local slow k pid done_now logged want state
	if [ "$ENGINE" = postgres ]; then
		slow='select pg_sleep(0.4);'
	else
		slow='with recursive c(x) as (select 1 union all select x + 1 from c where x < 2000000) select count(*) from c;'
	fi
	put res/0001_log.up.sql 'create table log (n int);\n'
	{
		printf -- '-- migpack:no-transaction\n%s\n' "$slow"
		for k in 1 2 3; do
			printf 'insert into log select %d where not exists (select 1 from log where n = %d);\n%s\n' "$k" "$k" "$slow"
		done
	} >res/0002_steps.up.sql
	put res/0003_after.up.sql 'create table after (a int);\n'
	expect_exit 0 "$MIGPACK" build -o res.tgz res

	# An uninterrupted run.
	newdb whole
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup res.tgz
	final_state >whole.state

	# Killed once 0002's row records k statements done (k = 0..6): the
	# kill lands in statement k+1 or just after it.  (After the seventh,
	# only the row's last writes are left: the case is made by hand
	# below.)
	for k in 0 1 2 3 4 5 6; do
		newdb "cut$k"
		expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 res.tgz
		"$MIGRUN" apply --db "$DB" --no-backup res.tgz >/dev/null 2>&1 &
		pid=$!
		for _ in $(seq 1000); do
			done_now=$(q "SELECT statements_done FROM migpack_history
			    WHERE version = '0002' AND state = 'dirty'" 2>/dev/null || true)
			[ -n "$done_now" ] && [ "$done_now" -ge "$k" ] && break
			sleep 0.005
		done
		kill -s KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		sessions_gone
		state=$(q "SELECT state || ' ' || statements_done || ' ' || statements
		    FROM migpack_history WHERE version = '0002'")
		case $state in
		"dirty "*" 7") ;;
		*) fail "killed at $k: 0002's row is '$state'" ;;
		esac
		done_now=${state#dirty }
		done_now=${done_now% 7}
		# Statements 2, 4 and 6 (from 1) insert 1, 2 and 3: each
		# counted as done has its effect; the one in flight may.
		logged=$(q "SELECT group_concat(n, ',') FROM (SELECT n FROM log ORDER BY n)" 2>/dev/null ||
		    q "SELECT string_agg(n::text, ',' ORDER BY n) FROM log")
		want=$(seq -s, 1 $((done_now / 2)))
		[ "$logged" = "$want" ] ||
		    [ "$logged" = "$(seq -s, 1 $(((done_now + 1) / 2)))" ] ||
		    fail "killed at $k with $done_now done: log is '$logged'"
		has_table after && fail "killed at $k: 0003 ran"

		expect_exit 3 "$MIGRUN" apply --db "$DB" --no-backup res.tgz
		expect_err "stopped part way, with $done_now of 7 statements done; 'migrun apply --resume' goes on from there"
		expect_exit 0 "$MIGRUN" status --db "$DB" res.tgz
		expect_out "dirty (${done_now} of 7 statements done)"
		expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --resume res.tgz
		expect_err "migrun: resuming 0002 steps at statement $((done_now + 1)) of 7 (migrations/0002_steps/up.sql:$((done_now + 2))): "

		final_state >now.state
		cmp -s whole.state now.state ||
		    fail "killed at $k, resumed: $(diff whole.state now.state)"
	done

	# Stopped after its last statement, before its row said applied.
	newdb last
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0002 res.tgz
	q "UPDATE migpack_history SET state = 'dirty', statements_done = 7,
	    statements = 7 WHERE version = '0002'"
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --resume res.tgz
	expect_err "migrun: resuming 0002 steps: all 7 statements are done; recording it as applied"
	final_state >now.state
	cmp -s whole.state now.state ||
	    fail "resumed after the last: $(diff whole.state now.state)"

	# Nothing dirty: --resume is exit 2 and does nothing.
	expect_exit 2 "$MIGRUN" apply --db "$DB" --no-backup --resume res.tgz
	expect_err "--resume: no migration is dirty; nothing to resume, nothing done"
}

# A history table an older migrun made, without the progress columns:
# read as it is; the first command under the run lock adds them, and a
# stopped no-transaction migration then records its progress.
scen_old_table() {
	local sum
	newdb old
	if [ "$ENGINE" = postgres ]; then
		q "CREATE TABLE migpack_history (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		    version text UNIQUE, name text NOT NULL, kind text NOT NULL, checksum text NOT NULL,
		    down_script text, down_tx text, bundle_name text NOT NULL,
		    bundle_release text NOT NULL, bundle_sha256 text NOT NULL,
		    applied_at timestamptz NOT NULL DEFAULT now(), execution_ms bigint NOT NULL,
		    state text NOT NULL)"
	else
		q "CREATE TABLE migpack_history (id INTEGER PRIMARY KEY, version TEXT UNIQUE,
		    name TEXT NOT NULL, kind TEXT NOT NULL, checksum TEXT NOT NULL, down_script TEXT,
		    down_tx TEXT, bundle_name TEXT NOT NULL, bundle_release TEXT NOT NULL,
		    bundle_sha256 TEXT NOT NULL, applied_at TEXT NOT NULL, execution_ms INTEGER NOT NULL,
		    state TEXT NOT NULL)"
	fi
	put old/0001_log.up.sql 'create table log (n int);\n'
	put old/0002_two.up.sql '-- migpack:no-transaction\ninsert into log values (1);\ninsert into nope values (2);\n'
	expect_exit 0 "$MIGPACK" build -o old.tgz old
	sum=$("$MIGPACK" list --json old.tgz | python3 -c 'import json, sys
m = json.load(sys.stdin)["migrations"]
print([x for x in m if x["version"] == "0001"][0]["scripts"][0]["sha256"])')
	q "INSERT INTO migpack_history (version, name, kind, checksum, bundle_name,
	    bundle_release, bundle_sha256, applied_at, execution_ms, state)
	    VALUES ('0001', 'log', 'versioned', 'sha256:$sum', 'old', '0001',
	    'sha256:y', '2026-01-01T00:00:00Z', 1, 'applied')"
	q "CREATE TABLE log (n int)"
	# Read as it is, changed in nothing.
	expect_exit 0 "$MIGRUN" status --db "$DB" old.tgz
	expect_out "0001     applied"
	has_column migpack_history statements_done &&
	    fail "a read altered the table"
	# The first command under the run lock adds the columns.
	expect_exit 1 "$MIGRUN" apply --db "$DB" --no-backup old.tgz
	has_column migpack_history statements_done ||
	    fail "apply did not add the columns"
	expect_err "with 1 of 2 statements done"
	expect_exit 0 "$MIGRUN" status --db "$DB" old.tgz
	expect_out "dirty (1 of 2 statements done)"
}

# PostgreSQL: an older table another role owns is not migrun's to alter:
# everything works, without progress.
scen_old_table_not_owner() {
	local pw=s3cret-bob url
	q "DELETE FROM migpack_history WHERE version = '0002'; DELETE FROM log;
	   ALTER TABLE migpack_history DROP COLUMN statements_done,
	   DROP COLUMN statements, DROP COLUMN resume_note"
	pg_password_role bob "$pw"
	q "GRANT SELECT, INSERT, UPDATE, DELETE ON migpack_history, log TO bob"
	url="postgresql://bob:$pw@/$DBNAME?host=$PGHOST&port=$PGPORT"
	expect_exit 1 "$MIGRUN" apply --db "$url" --no-backup old.tgz
	has_column migpack_history statements_done &&
	    fail "altered a table it does not own"
	expect_err "failed outside a transaction: it is marked dirty until fixed by hand and 'migrun repair'"
	expect_exit 0 "$MIGRUN" status --db "$url" old.tgz
	expect_out "0002     dirty     two"
}
