#!/usr/bin/env bash
# Layout 2: one folder per migration, <version>_<name>/up.sql and down.sql
# (and dialect variants), with diesel's timestamp versions.
. "$(dirname "$0")/lib.sh"

sha() { printf -- "$1" | sha256sum | cut -d' ' -f1; }
TAB=$'\t'

put db/2019-02-26-002946_create_users/up.sql 'CREATE TABLE users (id SERIAL PRIMARY KEY);\n'
put db/2019-02-26-002946_create_users/down.sql 'DROP TABLE users;\n'
put db/2019-03-01-101500_add_email/up.postgres.sql '-- migpack:no-transaction\nALTER TABLE users ADD email TEXT;\n'
put db/2019-03-01-101500_add_email/up.sqlite.sql 'ALTER TABLE users ADD email TEXT;\n'
put db/2019-03-01-101500_add_email/down.sql 'ALTER TABLE users DROP email;\n'
put db/2019-02-26-003000_posts/up.sql 'CREATE TABLE posts (id INT);\n'
put db/seeds/dev/users.csv 'id\n1\n'

expect_exit 0 "$MIGPACK" build -o db.tar.gz db

s() { echo "script$TAB$1$TAB$2$TAB$3${TAB}sha256:$(sha "$4")$TAB$5"; }
# diesel's versions: the folder names' without '-'
u=20190226002946_create_users p=20190226003000_posts e=20190301101500_add_email
{
	echo "migpack-manifest${TAB}1"
	echo "name${TAB}db"
	echo "release${TAB}20190301101500"
	echo "engines${TAB}postgres,sqlite"
	echo "migration${TAB}versioned${TAB}20190226002946${TAB}create_users"
	s up any transaction 'CREATE TABLE users (id SERIAL PRIMARY KEY);\n' migrations/$u/up.sql
	s down any transaction 'DROP TABLE users;\n' migrations/$u/down.sql
	echo "migration${TAB}versioned${TAB}20190226003000${TAB}posts"
	s up any transaction 'CREATE TABLE posts (id INT);\n' migrations/$p/up.sql
	no_down any
	echo "migration${TAB}versioned${TAB}20190301101500${TAB}add_email"
	s up postgres no-transaction '-- migpack:no-transaction\nALTER TABLE users ADD email TEXT;\n' migrations/$e/up.postgres.sql
	s up sqlite transaction 'ALTER TABLE users ADD email TEXT;\n' migrations/$e/up.sqlite.sql
	s down any transaction 'ALTER TABLE users DROP email;\n' migrations/$e/down.sql
	echo "seed${TAB}dev${TAB}users${TAB}csv${TAB}sha256:$(sha 'id\n1\n')${TAB}seeds/dev/users.csv"
} >want.manifest
tar xzOf db.tar.gz MANIFEST >got.manifest || fail "cannot read MANIFEST"
diff -u want.manifest got.manifest || fail "MANIFEST differs (- expected, + got)"

mkdir x
tar xzf db.tar.gz -C x
src() { echo "$1" | sed -E 's/^(....)(..)(..)(......)_/\1-\2-\3-\4_/'; }
for f in $u/up.sql $u/down.sql $p/up.sql $e/up.postgres.sql $e/up.sqlite.sql $e/down.sql; do
	cmp "db/$(src "$f")" "x/migrations/$f" || fail "migrations/$f differs from its source"
done
cmp db/seeds/dev/users.csv x/seeds/dev/users.csv || fail "seed differs"
[ "$(tar tzf db.tar.gz | wc -l)" -eq 9 ] ||
	fail "expected 9 entries: $(tar tzf db.tar.gz)"

expect_exit 0 "$MIGPACK" list --json db.tar.gz
json=$(tr -d ' \n\t' <"$T/out")
case $json in
*'"version":"20190226002946","name":"create_users","kind":"versioned"'*) ;;
*) fail "list --json lacks the diesel migration: $json" ;;
esac

# diesel's metadata.toml: run_in_transaction for up and down; the file
# without the key is false (serde's default), true is kept even where the
# build would have found otherwise; another value is refused.
put d2/2024-01-01-000000_a/up.sql 'CREATE INDEX CONCURRENTLY i ON t (x);\n'
put d2/2024-01-01-000000_a/down.sql 'DROP INDEX i;\n'
put d2/2024-01-01-000000_a/metadata.toml '# diesel\nrun_in_transaction = false\n'
put d2/2024-01-02-000000_b/up.sql 'CREATE TABLE b (x int);\n'
put d2/2024-01-02-000000_b/metadata.toml '# nothing said\n'
put d2/2024-01-03-000000_c/up.sql 'VACUUM;\n'
put d2/2024-01-03-000000_c/metadata.toml 'run_in_transaction=true # kept\n'
# kept: PostgreSQL would refuse it there, and lint says so
expect_exit 5 "$MIGPACK" build -o d2.tgz d2
expect_err "d2/2024-01-03-000000_c/up.sql:1: error concurrently-in-transaction: VACUUM cannot run inside a transaction block"
expect_exit 0 "$MIGPACK" build --engines sqlite -o d2.tgz d2
[ ! -s "$T/err" ] || fail "notices: $(cat "$T/err")"
tar xzOf d2.tgz MANIFEST | awk -F'\t' '$1 == "script" { print $2, $4, $6 }' >modes
printf '%s\n' "up no-transaction migrations/20240101000000_a/up.sql" \
    "down no-transaction migrations/20240101000000_a/down.sql" \
    "up no-transaction migrations/20240102000000_b/up.sql" \
    "up transaction migrations/20240103000000_c/up.sql" | diff -u - modes ||
    fail "metadata.toml not read as diesel reads it"
tar tzf d2.tgz | grep -q metadata && fail "metadata.toml is in the bundle"
put d2/2024-01-03-000000_c/metadata.toml 'run_in_transaction = "no"\n'
refused d2 "'d2/2024-01-03-000000_c/metadata.toml': line 1: run_in_transaction is true or false"
