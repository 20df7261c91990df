#!/usr/bin/env bash
# CRLF line ends and a UTF-8 byte order mark are normalized away: a CRLF
# copy of a folder, and a copy with BOMs, give the byte-identical bundle, and
# no script in a bundle holds a CR or a BOM.
. "$(dirname "$0")/lib.sh"

put lf/app/0001_init.up.sql '-- migpack:no-transaction\ncreate table a (x int);\n\ninsert into a values (1);\n'
put lf/app/0001_init.down.sql 'drop table a;\n'
put lf/app/0002_pg.up.postgres.sql 'create table b (\n  y text\n);\n'
put lf/app/0003_f/up.sql 'create table f (x int);\n'
put lf/app/0003_f/down.sql 'drop table f;'
put lf/app/0004_m.sql '-- migrate:up transaction:false\ncreate table m (x int);\n\n-- migrate:down\ndrop table m;\n'
put lf/app/0005_g.sql '-- +goose Up\n-- +goose StatementBegin\ncreate table g (x int);\n-- +goose StatementEnd\n-- +goose Down\ndrop table g;\n'
put lf/app/V6__fly.sql 'create table fly (x int);\n'
put lf/app/R__view.sql 'create or replace view v as select 1;\n'
put lf/app/seeds/dev/t.csv 'id,name\n1,ann\n'
put lf/app/seeds/dev/more.sql 'insert into t values (2);\n'

files=$(cd lf/app && find . -type f | sort)
for f in $files; do
	mkdir -p "crlf/app/$(dirname "$f")" "bom/app/$(dirname "$f")"
	# Every LF becomes CRLF; a last line without one stays as it is.
	sed -z 's/\n/\r\n/g' "lf/app/$f" >"crlf/app/$f"
done
grep -q $'\r' crlf/app/0001_init.up.sql || fail "the CRLF copy has no CR"

# BOMs on the files that are one script each.
for f in $files; do
	case $f in
	./0004_m.sql | ./0005_g.sql) cp "lf/app/$f" "bom/app/$f" ;;
	*) { printf '\357\273\277'; cat "lf/app/$f"; } >"bom/app/$f" ;;
	esac
done

expect_exit 0 "$MIGPACK" build -o lf.tar.gz lf/app
expect_exit 0 "$MIGPACK" build -o crlf.tar.gz crlf/app
expect_exit 0 "$MIGPACK" build -o bom.tar.gz bom/app
cmp lf.tar.gz crlf.tar.gz || fail "the CRLF copy gave another bundle"
cmp lf.tar.gz bom.tar.gz || fail "the copy with BOMs gave another bundle"

# The directive is still seen behind a BOM and CRLF.
tar xzOf bom.tar.gz MANIFEST | grep -q "^script	up	any	no-transaction	.*0001_init/up.sql" ||
	fail "the no-transaction directive was lost: $(tar xzOf bom.tar.gz MANIFEST)"

# Both in one file, and a CR that does not end a line stays.
put mixed/app/0001_init.up.sql '\357\273\277-- migpack:no-transaction\r\ncreate table a (x int);\r\n\r\ninsert into a values (1);\r\n'
put mixed/app/0001_init.down.sql 'drop table a;\n'
expect_exit 0 "$MIGPACK" build -o mixed.tar.gz mixed/app
put lone/app/0001_init.up.sql 'select 1;\rselect 2;\n'
expect_exit 0 "$MIGPACK" build -o lone.tar.gz lone/app

mkdir x
tar xzf crlf.tar.gz -C x
tar xzf mixed.tar.gz -C x
if grep -rl $'\r' x; then fail "scripts in the bundle hold a CR"; fi
for f in $(cd x && find . -type f); do
	[ "$(head -c 3 "x/$f" | od -A n -t x1 | tr -d ' ')" != efbbbf ] ||
		fail "$f in the bundle starts with a BOM"
done
cmp lf/app/0001_init.up.sql x/migrations/0001_init/up.sql ||
	fail "CRLF and BOM not normalized to the LF text"
mkdir y
tar xzf lone.tar.gz -C y
printf 'select 1;\rselect 2;\n' >want
cmp want y/migrations/0001_init/up.sql || fail "a lone CR was changed"
