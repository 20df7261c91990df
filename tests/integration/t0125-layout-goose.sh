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
	echo "engines${TAB}postgres,sqlite"
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

# NO TRANSACTION reaches both sections of a file whose down section is the
# candidate that makes the scan's table grow (it once wrote through a
# pointer into the table from before it moved).
mkdir many
for i in $(seq -w 1 15); do
	put "many/00${i}_t.up.sql" "create table t$i (x int);\n"
done
put many/0016_g.sql '-- +goose NO TRANSACTION\n-- +goose Up\ncreate index concurrently i on t01 (x);\n-- +goose Down\ndrop index concurrently i;\n'
expect_exit 0 "$MIGPACK" build -o many.tgz many
tar xzOf many.tgz MANIFEST | grep -c "^script${TAB}[a-z]*${TAB}any${TAB}no-transaction${TAB}.*0016_g" >n || true
same_n=$(cat n)
[ "$same_n" = 2 ] || fail "0016's scripts not both no-transaction: $(tar xzOf many.tgz MANIFEST | grep 0016)"

# goose v3 reads its annotations in any case, NO TRANSACTION anywhere in
# the file (here in the Down section, for both), "--+goose" without a
# blank; a file without a Down section rolls back doing nothing, as goose
# runs it.
put g2/00001_a.sql '--+goose up\ncreate table a (x int);\n-- +goose DOWN\n-- +goose no transaction\ndrop table a;\n'
put g2/00002_b.sql '-- +goose Up\ncreate table b (x int);\n'
expect_exit 0 "$MIGPACK" build -o g2.tgz g2
expect_err "migpack: 'g2/00002_b.sql': no '-- +goose Down' section: rolling back does nothing but remove the migration's row, as in goose"
tar xzOf g2.tgz MANIFEST >m2
for r in up down; do
	grep -q "^script${TAB}$r${TAB}any${TAB}no-transaction${TAB}.*00001_a/$r.sql\$" m2 ||
	    fail "00001's $r not no-transaction: $(cat m2)"
done
grep -q "^script${TAB}down${TAB}any${TAB}transaction${TAB}sha256:$(sha '')${TAB}migrations/00002_b/down.sql\$" m2 ||
    fail "00002 has no empty down: $(cat m2)"
tar xzOf g2.tgz migrations/00001_a/down.sql >d
printf -- '-- +goose no transaction\ndrop table a;\n' | cmp - d ||
    fail "00001's down is not its section: $(cat d)"
rm -f g2.db
expect_exit 0 "$MIGRUN" apply --no-backup --db sqlite:g2.db g2.tgz
expect_exit 0 "$MIGRUN" down --steps 2 --no-backup --db sqlite:g2.db
[ "$(sqlite3 g2.db "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')")" = 1 ] ||
    fail "down did not drop a and keep b: $(sqlite3 g2.db .schema)"
