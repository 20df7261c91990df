#!/usr/bin/env bash
# Layout 3, dbmate: <version>_<name>.sql with "-- migrate:up" and
# "-- migrate:down" sections; "transaction:false" makes that script
# no-transaction; an empty down section is a down that does nothing, as
# dbmate runs it (a notice says so); the marker lines are not part of the
# scripts.
. "$(dirname "$0")/lib.sh"

sha() { printf -- "$1" | sha256sum | cut -d' ' -f1; }
TAB=$'\t'

put db/20240101120000_users.sql '-- migrate:up\ncreate table users (id int);\n\n-- migrate:down\ndrop table users;\n'
put db/20240102000000_idx.sql '-- migrate:up transaction:false\ncreate index concurrently i on users (id);\n\n-- migrate:down\n\n'
put db/20240103000000_down_no_tx.sql '-- a comment before the first marker is fine\n-- migrate:up\nalter table users add x int;\n-- migrate:down transaction:false\nalter table users drop x;\n'

expect_exit 0 "$MIGPACK" build -o db.tar.gz db
expect_err "migpack: 'db/20240102000000_idx.sql', line 4: down script with no statement: rolling back does nothing but remove the migration's row"
[ "$(wc -l <"$T/err")" = 1 ] || fail "more than the one notice: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" = 1 ] || fail "stdout is not one line: $(cat "$T/out")"

s() { echo "script$TAB$1$TAB$2$TAB$3${TAB}sha256:$(sha "$4")$TAB$5"; }
up1='create table users (id int);\n\n' down1='drop table users;\n'
up2='create index concurrently i on users (id);\n\n' down2='\n'
up3='alter table users add x int;\n' down3='alter table users drop x;\n'
m=migrations
{
	echo "migpack-manifest${TAB}1"
	echo "name${TAB}db"
	echo "release${TAB}20240103000000"
	echo "engines${TAB}postgres,sqlite"
	echo "migration${TAB}versioned${TAB}20240101120000${TAB}users"
	s up any transaction "$up1" $m/20240101120000_users/up.sql
	s down any transaction "$down1" $m/20240101120000_users/down.sql
	echo "migration${TAB}versioned${TAB}20240102000000${TAB}idx"
	s up any no-transaction "$up2" $m/20240102000000_idx/up.sql
	s down any transaction "$down2" $m/20240102000000_idx/down.sql
	echo "migration${TAB}versioned${TAB}20240103000000${TAB}down_no_tx"
	s up any transaction "$up3" $m/20240103000000_down_no_tx/up.sql
	s down any no-transaction "$down3" $m/20240103000000_down_no_tx/down.sql
} >want.manifest
tar xzOf db.tar.gz MANIFEST >got.manifest || fail "cannot read MANIFEST"
diff -u want.manifest got.manifest || fail "MANIFEST differs (- expected, + got)"

mkdir x
tar xzf db.tar.gz -C x
check() {	# check PATH CONTENT
	printf -- "$2" >want.sql
	cmp want.sql "x/$m/$1" || fail "$m/$1 is not what the section holds:
$(cat -A "x/$m/$1")"
}
check 20240101120000_users/up.sql "$up1"
check 20240101120000_users/down.sql "$down1"
check 20240102000000_idx/up.sql "$up2"
check 20240103000000_down_no_tx/up.sql "$up3"
check 20240103000000_down_no_tx/down.sql "$down3"
check 20240102000000_idx/down.sql "$down2"
if grep -r 'migrate:' x/$m >/dev/null; then
	fail "marker lines ended up in scripts: $(grep -r 'migrate:' x/$m)"
fi

expect_exit 0 "$MIGPACK" list --json db.tar.gz
json=$(tr -d ' \n\t' <"$T/out")
case $json in
*'"version":"20240102000000","name":"idx","kind":"versioned","transaction":"no-transaction"'*) ;;
*) fail "list --json: idx is not no-transaction: $json" ;;
esac
