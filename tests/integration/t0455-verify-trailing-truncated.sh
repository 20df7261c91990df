#!/usr/bin/env bash
# verify refuses, with exit 3, a bundle with data appended and a bundle cut
# short anywhere.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'create table a (x int);\n'
put app/0001_init.down.sql 'drop table a;\n'
put app/0002_more.up.sql 'create table b (x int);\n'
expect_exit 0 "$MIGPACK" build -o b.tar.gz app
expect_exit 0 "$MIGPACK" verify b.tar.gz

printf 'junk\n' >junk
cat b.tar.gz junk >b3.tar.gz
expect_exit 3 "$MIGPACK" verify b3.tar.gz
expect_err "migpack: "
expect_err "b3.tar.gz"
# Zeros appended to the gzip stream are data too.
{ cat b.tar.gz; head -c 512 /dev/zero; } >b4.tar.gz
expect_exit 3 "$MIGPACK" verify b4.tar.gz
# A second gzip member appended.
{ cat b.tar.gz; gzip -n -c junk; } >b5.tar.gz
expect_exit 3 "$MIGPACK" verify b5.tar.gz

size=$(wc -c <b.tar.gz)
for cut in 1 4 8 9 20 $((size / 2)) $((size - 30)); do
	head -c $((size - cut)) b.tar.gz >short.tar.gz
	expect_exit 3 "$MIGPACK" verify short.tar.gz
	expect_err "short.tar.gz"
done
# list refuses a bundle cut in its head as well.
head -c 40 b.tar.gz >short.tar.gz
rc=0
"$MIGPACK" list short.tar.gz >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "list accepted a truncated bundle"
