#!/usr/bin/env bash
# migpack build --previous OLD: what the last release released stays as
# released (up and down scripts on each engine, none missing, nothing new
# at or below its newest unless --allow-out-of-order); each violation is
# named, exit 3, nothing written.  Repeatables and seeds may change; CRLF
# is no edit; OLD is verified before it is trusted.
. "$(dirname "$0")/lib.sh"

put app/0001_a.up.sql 'create table a (x int);\n'
put app/0001_a.down.sql 'drop table a;\n'
put app/0002_b.up.sql 'create table b (x int);\n'
put app/0002_b.down.sql 'drop table b;\n'
put app/0003_c.up.sql 'create table c (x int);\n'
put app/R__v.sql 'create view v as select 1;\n'
put app/seeds/dev/a.csv 'x\n1\n'
expect_exit 0 "$MIGPACK" build -o r1.tgz app

# refused DIR TEXT... with --previous: exit 3, each TEXT said, no file
refused_prev() {
	local dir=$1
	shift
	rm -rf dest
	mkdir dest
	expect_exit 3 "$MIGPACK" build -o dest/b.tgz --previous r1.tgz "$dir"
	for t in "$@"; do expect_err "$t"; done
	[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
}

# Unchanged but for what may change, and CRLF: built.
cp -r app ok
printf 'create table a (x int);\r\n' >ok/0001_a.up.sql
put ok/R__v.sql 'create view v as select 2;\n'
put ok/seeds/dev/a.csv 'x\n2\n'
put ok/0004_d.up.sql 'create table d (x int);\n'
# a script for every engine now one per engine, the same text: the same
rm ok/0003_c.up.sql
put ok/0003_c.up.postgres.sql 'create table c (x int);\n'
put ok/0003_c.up.sqlite.sql 'create table c (x int);\n'
expect_exit 0 "$MIGPACK" build -o ok.tgz --previous r1.tgz ok

# Edited up and down, a removed migration, a new one below the newest.
cp -r app bad
put bad/0001_a.up.sql 'create table a (x int, y int);\n'
put bad/0002_b.down.sql 'drop table b cascade;\n'
rm bad/0003_c.up.sql
put bad/0002.5_e.up.sql 'select 1;\n'
refused_prev bad "4 changes to what release 0003 released; nothing written" \
    "0001 a: up script changed since release 0003 (sha256:" \
    "0002 b: down script changed since release 0003" \
    "0003 c: released in 0003, missing from this bundle" \
    "0002.5 e: new, but not after release 0003's newest migration 0003"
rm bad/0002.5_e.up.sql
put bad/0003_c.up.sql 'create table c (x int);\n'
put bad/0003.1_e.up.sql 'select 1;\n'
refused_prev bad "2 changes" "0001 a: up script changed" "0002 b: down script changed"
grep -q "0003.1" "$T/err" && fail "0003.1 is after 0003: $(cat "$T/err")"

# A down added to a released migration, an engine's script changed.
cp -r app eng
put eng/0002_b.up.sqlite.sql 'create table b (x integer);\n'
put eng/0003_c.down.sql 'drop table c;\n'
refused_prev eng "0002 b: up script on sqlite changed since release 0003" \
    "0003 c: down script added since release 0003 (none -> sha256:"
grep -q "on postgres" "$T/err" && fail "postgres's script did not change: $(cat "$T/err")"

# --allow-out-of-order lets new migrations in below the newest, no edit.
cp -r app ooo
put ooo/0002.5_e.up.sql 'select 1;\n'
expect_exit 3 "$MIGPACK" build -o ooo.tgz --previous r1.tgz ooo
expect_exit 0 "$MIGPACK" build -o ooo.tgz --previous r1.tgz --allow-out-of-order ooo

# OLD is verified first: a changed byte refuses the build.
mkdir x
tar xzf r1.tgz -C x
paths=$(tar tzf r1.tgz)
tar czf same.tgz -C x $paths
expect_exit 0 "$MIGPACK" build -o dest.tgz --previous same.tgz app
printf 'C' | dd of=x/migrations/0001_a/up.sql bs=1 seek=0 conv=notrunc 2>/dev/null
tar czf r1.tgz -C x $paths
refused_prev app "--previous: " "migrations/0001_a/up.sql"
