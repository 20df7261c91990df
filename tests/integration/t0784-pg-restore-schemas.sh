#!/usr/bin/env bash
# A restore of a database with schemas of its own, after a migration made
# a table in one: the dump's DROP SCHEMA would fail for that table, so the
# restore keeps the schemas (CREATE SCHEMA IF NOT EXISTS), puts back what
# the backup holds, and leaves what was made since as it is.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"

newdb schemas
put app/0001_app.up.sql 'CREATE SCHEMA app;\nCREATE SCHEMA "Odd ""one""";\nCREATE TABLE app.items (id int PRIMARY KEY, name text);\nINSERT INTO app.items VALUES (1, '"'one'"');\nCREATE TABLE "Odd ""one""".t (n int);\n'
bundle app b.tgz
mr 0 apply --no-backup b.tgz
mr 0 backup --dir bk "${BACKUP_TOOL[@]}"
f=$(cat "$T/out")
dump_all >before.sql
put app/0002_more.up.sql 'CREATE TABLE app.extra (n int);\nCREATE TABLE "Odd ""one""".u (n int);\nUPDATE app.items SET name = '"'changed'"';\n'
bundle app b2.tgz
mr 0 apply --no-backup b2.tgz

mr 0 restore --yes --no-backup "${RESTORE_TOOL[@]}" "$f"
expect_out "database at 0001"
[ "$(q "SELECT name FROM app.items")" = one ] || fail "app.items not restored: $(q "SELECT * FROM app.items")"
# Made since the backup: left as it is, in the schemas kept.
has_table app.extra || fail "app.extra, made since the backup, was dropped"
has_table '"Odd ""one""".u' || fail '"Odd ""one""".u, made since the backup, was dropped'
q 'DROP TABLE app.extra; DROP TABLE "Odd ""one""".u' >/dev/null
dump_all >after.sql
diff before.sql after.sql >&2 || fail "the restored dump differs"
