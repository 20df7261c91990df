#!/usr/bin/env bash
# Layout 1: <version>_<name>.up.sql, .down.sql and dialect variants; a
# migration that only has .up.postgres.sql; the first-line directive
# "-- migpack:no-transaction"; seeds in seeds/<profile>/.
. "$(dirname "$0")/lib.sh"

# put FILE CONTENT: like put, also for content starting with '-'.
sha() { printf -- "$1" | sha256sum | cut -d' ' -f1; }
TAB=$'\t'

put app/0001_init.up.sql 'create table a (x int);\n'
put app/0001_init.down.sql 'drop table a;\n'
put app/0002_idx.up.postgres.sql '-- migpack:no-transaction\ncreate index concurrently i on a (x);\n'
put app/0002_idx.up.sqlite.sql 'create index i on a (x);\n'
put app/0002_idx.down.postgres.sql 'drop index concurrently i;\n'
put app/0002_idx.down.sqlite.sql 'drop index i;\n'
put app/0003_pg_only.up.postgres.sql 'create extension pgcrypto;\n'
# The directive counts on the first line only.
put app/0004_late.up.sql 'select 1;\n-- migpack:no-transaction\n'
put app/seeds/default/users.csv 'id,name\n1,ann\n'
put app/seeds/default/extra.sql 'insert into a values (1);\n'
put app/seeds/demo/users.csv 'id,name\n2,bob\n'

expect_exit 0 "$MIGPACK" build -o app.tar.gz app
expect_out "app.tar.gz sha256:"

s() {	# s ROLE DIALECT TX CONTENT PATH: the script line expected
	echo "script$TAB$1$TAB$2$TAB$3${TAB}sha256:$(sha "$4")$TAB$5"
}
m=migrations
{
	echo "migpack-manifest${TAB}1"
	echo "name${TAB}app"
	echo "release${TAB}0004"
	echo "engines${TAB}postgres,sqlite"
	echo "migration${TAB}versioned${TAB}0001${TAB}init"
	s up any transaction 'create table a (x int);\n' $m/0001_init/up.sql
	s down any transaction 'drop table a;\n' $m/0001_init/down.sql
	echo "migration${TAB}versioned${TAB}0002${TAB}idx"
	s up postgres no-transaction '-- migpack:no-transaction\ncreate index concurrently i on a (x);\n' $m/0002_idx/up.postgres.sql
	s up sqlite transaction 'create index i on a (x);\n' $m/0002_idx/up.sqlite.sql
	s down postgres no-transaction 'drop index concurrently i;\n' $m/0002_idx/down.postgres.sql
	s down sqlite transaction 'drop index i;\n' $m/0002_idx/down.sqlite.sql
	echo "migration${TAB}versioned${TAB}0003${TAB}pg_only"
	s up postgres transaction 'create extension pgcrypto;\n' $m/0003_pg_only/up.postgres.sql
	no_down postgres
	echo "migration${TAB}versioned${TAB}0004${TAB}late"
	s up any transaction 'select 1;\n-- migpack:no-transaction\n' $m/0004_late/up.sql
	no_down any
	echo "seed${TAB}default${TAB}-${TAB}sql${TAB}sha256:$(sha 'insert into a values (1);\n')${TAB}seeds/default/extra.sql"
	echo "seed${TAB}default${TAB}users${TAB}csv${TAB}sha256:$(sha 'id,name\n1,ann\n')${TAB}seeds/default/users.csv"
	echo "seed${TAB}demo${TAB}users${TAB}csv${TAB}sha256:$(sha 'id,name\n2,bob\n')${TAB}seeds/demo/users.csv"
} >want.manifest
tar xzOf app.tar.gz MANIFEST >got.manifest || fail "cannot read MANIFEST"
diff -u want.manifest got.manifest || fail "MANIFEST differs (- expected, + got)"

# The archive: MANIFEST, SHA256SUMS, then the files in manifest order.
{
	echo MANIFEST
	echo SHA256SUMS
	cut -f6 want.manifest | grep / | sed '/^seeds/d'
	grep "^seed" want.manifest | cut -f6
} >want.list
tar tzf app.tar.gz >got.list || fail "tar cannot list the bundle"
diff -u want.list got.list || fail "archive entries differ (- expected, + got)"

# Every file holds its source's bytes.
mkdir x
tar xzf app.tar.gz -C x
for pair in 0001_init.up.sql:0001_init/up.sql 0001_init.down.sql:0001_init/down.sql \
    0002_idx.up.postgres.sql:0002_idx/up.postgres.sql \
    0002_idx.up.sqlite.sql:0002_idx/up.sqlite.sql \
    0002_idx.down.postgres.sql:0002_idx/down.postgres.sql \
    0002_idx.down.sqlite.sql:0002_idx/down.sqlite.sql \
    0003_pg_only.up.postgres.sql:0003_pg_only/up.postgres.sql; do
	cmp "app/${pair%%:*}" "x/migrations/${pair#*:}" ||
		fail "migrations/${pair#*:} is not app/${pair%%:*}"
done
for f in default/users.csv default/extra.sql demo/users.csv; do
	cmp "app/seeds/$f" "x/seeds/$f" || fail "seeds/$f differs from its source"
done

# list --json agrees (whitespace dropped; the names here have none).
expect_exit 0 "$MIGPACK" list --json app.tar.gz
json=$(tr -d ' \n\t' <"$T/out")
for want in '"name":"app"' '"release":"0004"' '"created":null' \
    '"version":"0003","name":"pg_only"' \
    '"role":"up","dialect":"postgres","transaction":"no-transaction"' \
    '"path":"migrations/0002_idx/down.sqlite.sql"' \
    '"profile":"default","table":null,"format":"sql"' \
    '"profile":"demo","table":"users","format":"csv"'; do
	case $json in
	*"$want"*) ;;
	*) fail "list --json lacks $want: $json" ;;
	esac
done
