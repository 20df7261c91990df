#!/usr/bin/env bash
# Without SOURCE_DATE_EPOCH the bundle holds no time: every entry at
# 1970-01-01, no "created" line, gzip MTIME zero.  With it, "created" is
# recorded and two builds still match.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'create table a (x int);\n'
put app/0001_init.down.sql 'drop table a;\n'
put app/seeds/dev/t.csv 'id\n1\n'

unset SOURCE_DATE_EPOCH
expect_exit 0 "$MIGPACK" build -o plain.tar.gz app
TZ=UTC tar tvzf plain.tar.gz >listing || fail "tar cannot list the bundle"
[ "$(wc -l <listing)" -eq 5 ] || fail "expected 5 entries: $(cat listing)"
if grep -v ' 1970-01-01 00:00 ' listing; then
	fail "entries not dated 1970-01-01 00:00 UTC"
fi
tar xzOf plain.tar.gz MANIFEST >manifest
if grep '^created' manifest; then
	fail "MANIFEST has a created line without SOURCE_DATE_EPOCH"
fi
# gzip header: ID1 ID2 CM FLG MTIME(4) ...; FLG 0 (no name, no comment,
# no extra field) and MTIME 0.
hdr=$(od -A n -t x1 -N 10 plain.tar.gz | tr -d ' \n')
[ "${hdr:0:6}" = 1f8b08 ] || fail "not a gzip file: $hdr"
[ "${hdr:6:2}" = 00 ] || fail "gzip FLG is ${hdr:6:2}, expected 00: $hdr"
[ "${hdr:8:8}" = 00000000 ] || fail "gzip MTIME is ${hdr:8:8}, expected 0: $hdr"
# Every entry is root-owned and mode 0644.
if grep -v '^-rw-r--r-- 0/0 ' listing; then
	fail "entries with another mode or owner"
fi

touch -d '2030-06-01 12:00:00' app/0001_init.up.sql app/seeds/dev/t.csv
expect_exit 0 "$MIGPACK" build -o plain2.tar.gz app
cmp plain.tar.gz plain2.tar.gz || fail "the inputs' mtimes changed the bundle"

export SOURCE_DATE_EPOCH=1700000000
expect_exit 0 "$MIGPACK" build -o dated.tar.gz app
tar xzOf dated.tar.gz MANIFEST >manifest
grep -qx 'created	2023-11-14T22:13:20Z' manifest ||
	fail "no created line for SOURCE_DATE_EPOCH=1700000000: $(cat manifest)"
sed -n 4p manifest | grep -q '^created' ||
	fail "created is not the fourth line: $(cat manifest)"
TZ=UTC tar tvzf dated.tar.gz >listing
if grep -v ' 2023-11-14 22:13 ' listing; then
	fail "entries not dated SOURCE_DATE_EPOCH"
fi
expect_exit 0 "$MIGPACK" list --json dated.tar.gz
json=$(tr -d ' \n\t' <"$T/out")
case $json in
*'"created":"2023-11-14T22:13:20Z"'*) ;;
*) fail "list --json lacks created: $json" ;;
esac
touch -d '2001-01-01 00:00:00' app/0001_init.up.sql
expect_exit 0 "$MIGPACK" build -o dated2.tar.gz app
cmp dated.tar.gz dated2.tar.gz || fail "two builds with SOURCE_DATE_EPOCH differ"
cmp -s plain.tar.gz dated.tar.gz && fail "SOURCE_DATE_EPOCH changed nothing"
true
