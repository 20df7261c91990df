#!/usr/bin/env bash
# migpack new: the next migration in the folder's own layout and version
# style, a header comment, a comment-only down that builds; bad names
# refused; never a file replaced.
. "$(dirname "$0")/lib.sh"

# An empty (or new) folder: native, 0001.
expect_exit 0 "$MIGPACK" new create_users --dir m
[ "$(cat "$T/out")" = "m/0001_create_users.up.sql
m/0001_create_users.down.sql" ] || fail "paths: $(cat "$T/out")"
head -n1 m/0001_create_users.up.sql | grep -q '^-- 0001 create_users (migpack new, ' ||
	fail "no header: $(cat m/0001_create_users.up.sql)"
grep -qv '^--' m/0001_create_users.down.sql && fail "the down script is not comment-only"
expect_exit 0 "$MIGPACK" new add_email --dir m --no-down
expect_out "m/0002_add_email.up.sql"
[ ! -e m/0002_add_email.down.sql ] || fail "--no-down wrote a down script"
expect_exit 0 "$MIGPACK" new pg_only --dir m --dialect postgres
expect_out "m/0003_pg_only.up.postgres.sql"
expect_out "m/0003_pg_only.down.postgres.sql"
# What it writes builds: the comment-only scripts are no-ops.
expect_exit 0 "$MIGPACK" build -o m.tgz m
expect_err "down script with no statement"

# A sequence keeps its padding, and grows past it.
mkdir seq
put seq/000099_a.up.sql 'select 1;\n'
expect_exit 0 "$MIGPACK" new b --dir seq
expect_out "seq/000100_b.up.sql"
mkdir short
put short/9_a.up.sql 'select 1;\n'
expect_exit 0 "$MIGPACK" new b --dir short
expect_out "short/10_b.up.sql"

# Folder per migration.
put fo/0004_x/up.sql 'select 1;\n'
expect_exit 0 "$MIGPACK" new y --dir fo
[ "$(cat "$T/out")" = "fo/0005_y/up.sql
fo/0005_y/down.sql" ] || fail "folder: $(cat "$T/out")"

# dbmate, timestamps: now, or a second after the newest; two in one
# second take the next.
put dbm/20991231235958_a.sql '-- migrate:up\ncreate table a (n int);\n-- migrate:down\ndrop table a;\n'
expect_exit 0 "$MIGPACK" new b --dir dbm
expect_out "dbm/20991231235959_b.sql"
expect_exit 0 "$MIGPACK" new c --dir dbm
expect_out "dbm/21000101000000_c.sql"
grep -q '^-- migrate:down$' dbm/21000101000000_c.sql || fail "no down section: $(cat dbm/21000101000000_c.sql)"
rm dbm/2099* dbm/2100*
put dbm/20240101120000_a.sql '-- migrate:up\ncreate table a (n int);\n-- migrate:down\ndrop table a;\n'
before=$(date -u +%Y%m%d%H%M%S)
expect_exit 0 "$MIGPACK" new now --dir dbm
v=$(sed -n 's|^dbm/\([0-9]*\)_now.sql$|\1|p' "$T/out")
after=$(date -u +%Y%m%d%H%M%S)
[ "$v" -ge "$before" ] && [ "$v" -le "$after" ] || fail "not now: $v ($before..$after)"
expect_exit 0 "$MIGPACK" new then --dir dbm
v2=$(sed -n 's|^dbm/\([0-9]*\)_then.sql$|\1|p' "$T/out")
[ "$v2" -gt "$v" ] || fail "the second in one second: $v2 after $v"
expect_exit 0 "$MIGPACK" new nodown --dir dbm --no-down
grep -q 'migrate:down' dbm/*_nodown.sql && fail "--no-down wrote a down section"
expect_exit 0 "$MIGPACK" build -o dbm.tgz dbm

# goose.
put g/00007_a.sql '-- +goose Up\nselect 1;\n'
expect_exit 0 "$MIGPACK" new b --dir g
expect_out "g/00008_b.sql"
grep -q '^-- +goose Down$' g/00008_b.sql || fail "goose: $(cat g/00008_b.sql)"
expect_exit 0 "$MIGPACK" build -o g.tgz g

# sqlx's simple migrations: up only, as sqlx has them.
put sx/20240101000000_a.sql 'create table a (n int);\n'
expect_exit 0 "$MIGPACK" new b --dir sx
[ "$(wc -l <"$T/out")" = 1 ] || fail "sqlx: $(cat "$T/out")"

# Flyway: the next version, its undo script.
put fl/V1_1__a.sql 'select 1;\n'
put fl/V1_2__b.sql 'select 1;\n'
expect_exit 0 "$MIGPACK" new c --dir fl
[ "$(cat "$T/out")" = "fl/V1_3__c.sql
fl/U1_3__c.sql" ] || fail "Flyway: $(cat "$T/out")"
expect_exit 0 "$MIGPACK" build -o fl.tgz fl

# Refused: a bad name, --dialect where the layout has one script, a bad
# dialect; nothing written.
for bad in "two words" "../up" "x.y" "_under" "" "a/b"; do
	expect_exit 2 "$MIGPACK" new "$bad" --dir m
	expect_err "not a migration name"
done
expect_exit 2 "$MIGPACK" new x --dir g --dialect sqlite
expect_err "--dialect: the goose layout of 'g' has one script for every engine"
expect_exit 2 "$MIGPACK" new x --dir m --dialect mysql
[ "$(ls m | wc -l)" = 5 ] || fail "m/ changed: $(ls m)"
ls g | grep -q x && fail "g/ changed"

# Never a file replaced: a name already taken (a dangling link) is exit 2,
# and nothing of the pair is left.
mkdir taken
ln -s nowhere taken/0001_x.down.sql
expect_exit 2 "$MIGPACK" new x --dir taken
[ "$(ls taken)" = 0001_x.down.sql ] || fail "left in taken/: $(ls taken)"
[ -L taken/0001_x.down.sql ] || fail "the link was replaced"
