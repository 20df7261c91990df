#!/usr/bin/env bash
# Layout 3, goose: "-- +goose Up" / "-- +goose Down" sections, "-- +goose NO
# TRANSACTION" making both scripts no-transaction, StatementBegin and
# StatementEnd lines kept in the script, a down section of comments only a
# down that does nothing (as goose runs it; a notice says so), the
# Up/Down marker lines not part of the scripts.
. "$(dirname "$0")/lib.sh"

sha() { printf -- "$1" | sha256sum | cut -d' ' -f1; }
TAB=$'\t'

put db/00001_users.sql '-- +goose Up\ncreate table users (id int);\n\n-- +goose Down\ndrop table users;\n'
fn='-- +goose StatementBegin\ncreate function f() returns int as $$\nbegin\n  return 1;\nend;\n$$ language plpgsql;\n-- +goose StatementEnd\n\n'
put db/00002_fn.sql "-- +goose Up\n$fn-- +goose Down\ndrop function f;\n"
put db/00003_idx.sql '-- +goose NO TRANSACTION\n-- +goose Up\ncreate index concurrently i on users (id);\n-- +goose Down\ndrop index concurrently i;\n'
put db/00004_nodown.sql '-- +goose Up\ninsert into users values (1);\n-- +goose Down\n-- nothing to undo\n\n'

expect_exit 0 "$MIGPACK" build -o db.tar.gz db
expect_err "migpack: 'db/00004_nodown.sql', line 3: down script with no statement"

s() { echo "script$TAB$1$TAB$2$TAB$3${TAB}sha256:$(sha "$4")$TAB$5"; }
up1='create table users (id int);\n\n' down1='drop table users;\n'
down2='drop function f;\n'
up3='create index concurrently i on users (id);\n' down3='drop index concurrently i;\n'
up4='insert into users values (1);\n' down4='-- nothing to undo\n\n'
m=migrations
{
	echo "migpack-manifest${TAB}1"
	echo "name${TAB}db"
	echo "release${TAB}00004"
	echo "migration${TAB}versioned${TAB}00001${TAB}users"
	s up any transaction "$up1" $m/00001_users/up.sql
	s down any transaction "$down1" $m/00001_users/down.sql
	echo "migration${TAB}versioned${TAB}00002${TAB}fn"
	s up any transaction "$fn" $m/00002_fn/up.sql
	s down any transaction "$down2" $m/00002_fn/down.sql
	echo "migration${TAB}versioned${TAB}00003${TAB}idx"
	s up any no-transaction "$up3" $m/00003_idx/up.sql
	s down any no-transaction "$down3" $m/00003_idx/down.sql
	echo "migration${TAB}versioned${TAB}00004${TAB}nodown"
	s up any transaction "$up4" $m/00004_nodown/up.sql
	s down any transaction "$down4" $m/00004_nodown/down.sql
} >want.manifest
tar xzOf db.tar.gz MANIFEST >got.manifest || fail "cannot read MANIFEST"
diff -u want.manifest got.manifest || fail "MANIFEST differs (- expected, + got)"

mkdir x
tar xzf db.tar.gz -C x
check() {
	printf -- "$2" >want.sql
	cmp want.sql "x/$m/$1" || fail "$m/$1 is not what the section holds:
$(cat -A "x/$m/$1")"
}
check 00001_users/up.sql "$up1"
check 00001_users/down.sql "$down1"
check 00002_fn/up.sql "$fn"
check 00002_fn/down.sql "$down2"
check 00003_idx/up.sql "$up3"
check 00003_idx/down.sql "$down3"
check 00004_nodown/up.sql "$up4"
grep -qx -- '-- +goose StatementBegin' x/$m/00002_fn/up.sql ||
	fail "StatementBegin was dropped from the script"
check 00004_nodown/down.sql "$down4"
if grep -rE -- '-- \+goose (Up|Down)' x/$m >/dev/null; then
	fail "marker lines ended up in scripts: $(grep -rE -- '-- \+goose (Up|Down)' x/$m)"
fi
