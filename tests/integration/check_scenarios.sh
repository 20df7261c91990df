# migrun check: each migration up, down and up again on a scratch database,
# schemas compared (sourced after an engine file: newdb, q, ENGINE).

# app DIR: a small correct history: a table, a column, an index, a trigger,
# a default, a view, a repeatable.
check_app() {
	local d=$1
	put $d/0001_users.up.sql 'CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);\n'
	put $d/0001_users.down.sql 'DROP TABLE users;\n'
	put $d/0002_add_email.up.sql 'ALTER TABLE users ADD COLUMN email text;\n'
	put $d/0002_add_email.down.sql 'ALTER TABLE users DROP COLUMN email;\n'
	put $d/0003_email_index.up.sql 'CREATE INDEX users_email ON users (email);\n'
	put $d/0003_email_index.down.sql 'DROP INDEX users_email;\n'
	put $d/0004_log.up.sql 'CREATE TABLE log (msg text);\n'
	put $d/0004_log.down.sql 'DROP TABLE log;\n'
	if [ "$ENGINE" = postgres ]; then
		put $d/0004_log.up.sql 'CREATE TABLE log (msg text);
CREATE FUNCTION log_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO log VALUES (new.name); RETURN new; END $$;
'
		put $d/0004_log.down.sql 'DROP FUNCTION log_user();\nDROP TABLE log;\n'
		put $d/0005_trigger.up.sql 'CREATE TRIGGER users_log AFTER INSERT ON users FOR EACH ROW EXECUTE FUNCTION log_user();\n'
		put $d/0005_trigger.down.sql 'DROP TRIGGER users_log ON users;\n'
		put $d/0006_default.up.sql 'ALTER TABLE users ALTER COLUMN name SET DEFAULT '"'"'anon'"'"';\n'
		put $d/0006_default.down.sql 'ALTER TABLE users ALTER COLUMN name DROP DEFAULT;\n'
	else
		put $d/0005_trigger.up.sql 'CREATE TRIGGER users_log AFTER INSERT ON users BEGIN INSERT INTO log VALUES (new.name); END;\n'
		put $d/0005_trigger.down.sql 'DROP TRIGGER users_log;\n'
		put $d/0006_default.up.sql 'ALTER TABLE log ADD COLUMN at text DEFAULT '"'"'now'"'"';\n'
		put $d/0006_default.down.sql 'ALTER TABLE log DROP COLUMN at;\n'
	fi
	put $d/R__names.sql 'DROP VIEW IF EXISTS names;\nCREATE VIEW names AS SELECT name FROM users;\n'
}

scen_check() {
	# The example application passes, with nothing silenced.
	expect_exit 0 "$MIGPACK" build --strict -o ex.tgz --name example-app \
		"$TOP/migrations"
	newdb example
	expect_exit 0 "$MIGRUN" check --db "$DB" ex.tgz
	expect_out "down to base: the empty database again"

	check_app app
	expect_exit 0 "$MIGPACK" build --engines "$ENGINE" -o app.tgz app

	# A correct history passes, in memory (SQLite; nothing on disk) and
	# on a scratch database of the engine.
	if [ "$ENGINE" = sqlite ]; then
		before=$(ls)
		expect_exit 0 "$MIGRUN" check app.tgz
		expect_out "check: OK; nothing is left: the database was in memory"
		[ "$(ls)" = "$before" ] || fail "a file was made: $(ls)"
	fi
	newdb scratch
	expect_exit 0 "$MIGRUN" check --db "$DB" app.tgz
	for v in 0001 0002 0003 0004 0005 0006; do
		grep -Eq "^$v +ok [0-9]+ ms +ok [0-9]+ ms +ok [0-9]+ ms" "$T/out" ||
			fail "$v: $(cat "$T/out")"
	done
	expect_out "down to base: the empty database again"
	expect_out "applied again, with 1 repeatable migration"
	expect_out "is left at 0006: a scratch database, to throw away"
	[ "$(q "SELECT count(*) FROM names")" = 0 ] || fail "the view is not there"

	# A database that is not empty is refused and left as it was.
	expect_exit 2 "$MIGRUN" check --db "$DB" app.tgz
	expect_err "is not empty: it holds"
	expect_err "check runs only on an empty scratch database, and did nothing"
	newdb busy
	q "CREATE TABLE precious (x integer); INSERT INTO precious VALUES (42);" >/dev/null
	expect_exit 2 "$MIGRUN" check --db "$DB" app.tgz
	expect_err "it holds column precious.x"
	[ "$(q "SELECT x FROM precious")" = 42 ] || fail "precious touched"
	has_table migpack_history && fail "a history table was made"
	has_table users && fail "a migration ran"

	# JSON for CI.
	newdb json
	expect_exit 0 "$MIGRUN" check --json --db "$DB" app.tgz
	python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True and d["error"] is None, d
assert [m["version"] for m in d["migrations"]] == ["0001", "0002", "0003", "0004", "0005", "0006"]
m = d["migrations"][1]
assert (m["name"], m["up"], m["down"], m["reup"]) == ("add_email", "ok", "ok", "ok"), m
assert all(isinstance(m[k], int) for k in ("up_ms", "down_ms", "reup_ms")), m
assert (d["base"], d["stopped_at"], d["reapply"], d["repeatables"], d["reached"]) == ("ok", None, "ok", 1, "0006"), d
PY

	# Downs that forget: a column, an index, a trigger, a default.
	# caught_db FILE CONTENT MESSAGE: the app with FILE replaced by CONTENT
	# fails check, exit 3, with MESSAGE.
	CAUGHT=0
	caught_db() {
		rm -rf bad
		check_app bad
		put "bad/$1" "$2"
		"$MIGPACK" build --engines "$ENGINE" -o bad.tgz bad >/dev/null 2>&1 ||
			fail "building bad"
		newdb "caught$((++CAUGHT))"
		expect_exit 3 "$MIGRUN" check --db "$DB" bad.tgz
		expect_err "$3"
	}
	caught_db 0002_add_email.down.sql 'SELECT 1;\n' \
		"migrun: 0002 add_email: down leaves column users.email that 0001 users did not have"
	caught_db 0003_email_index.down.sql 'SELECT 1;\n' \
		"0003 email_index: down leaves index users.users_email that 0002 add_email did not have"
	if [ "$ENGINE" = postgres ]; then
		caught_db 0005_trigger.down.sql 'SELECT 1;\n' \
			"0005 trigger: down leaves trigger users.users_log that 0004 log did not have"
		caught_db 0006_default.down.sql 'SELECT 1;\n' \
			"0006 default: down leaves column users.name as \"text not null default 'anon'::text\", where 0005 trigger had \"text not null\""
		caught_db 0004_log.down.sql 'DROP TABLE log;\n' \
			"0004 log: down leaves function log_user() that 0003 email_index did not have"
	else
		caught_db 0005_trigger.down.sql 'SELECT 1;\n' \
			"0005 trigger: down leaves trigger users.users_log that 0004 log did not have"
		caught_db 0006_default.down.sql 'ALTER TABLE log DROP COLUMN at;\nALTER TABLE log ADD COLUMN at text;\n' \
			"0006 default: down leaves column log.at that 0005 trigger did not have"
	fi
	grep -q "check failed" "$T/err" && fail "a mismatch is no failure: $(cat "$T/err")"

	# A failing statement: as apply reports it, exit 1, where it stopped.
	rm -rf bad
	check_app bad
	put bad/0004_log.up.sql 'CREATE TABLE log (msg text);\nINSERT INTO nope VALUES (1);\n'
	"$MIGPACK" build --engines "$ENGINE" -o bad.tgz bad >/dev/null 2>&1 || fail "build"
	newdb failing
	expect_exit 1 "$MIGRUN" check --db "$DB" bad.tgz
	expect_err "migrun: migrations/0004_log/up.sql:2: "
	expect_err "check failed at 0004 log's up; the scratch database is at 0003"

	# Down to base stops at a migration without a down script.
	rm app/0002_add_email.down.sql
	expect_exit 0 "$MIGPACK" build --engines "$ENGINE" -o nodown.tgz app
	newdb nodown
	expect_exit 0 "$MIGRUN" check --db "$DB" nodown.tgz
	grep -Eq "^0002 +ok [0-9]+ ms +none +none +add_email" "$T/out" || fail "$(cat "$T/out")"
	expect_out "down to base: stopped at 0002, which has no down script"
	expect_out "is left at 0006"
}
