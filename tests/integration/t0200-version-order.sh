#!/usr/bin/env bash
# Versions are ordered numerically, component by component, in every
# layout: 2 < 10, 1.2 < 1.10, 99 < 20240101120000, diesel timestamps as
# diesel has them.
. "$(dirname "$0")/lib.sh"

# order BUNDLE: the versions of the migration lines in MANIFEST, one line.
order() {
	tar xzOf "$1" MANIFEST | awk -F'\t' '$1 == "migration" { printf "%s ", $3 }'
}
check() {	# check DIR EXPECTED-ORDER
	expect_exit 0 "$MIGPACK" build -o "$1.tar.gz" "$1"
	got=$(order "$1.tar.gz")
	[ "$got" = "$2" ] || fail "$1: MANIFEST order '$got', expected '$2'"
	# The archive holds the scripts in the same order.
	got=$(tar tzf "$1.tar.gz" | sed -n 's|^migrations/\([^/]*\)_[a-z]*/up.sql$|\1|p' | tr '\n' ' ')
	[ "$got" = "$2" ] || fail "$1: archive order '$got', expected '$2'"
}

for v in 10 2 1 100 9; do put ints/${v}_m.up.sql "select $v;\n"; done
check ints "1 2 9 10 100 "

for v in 1.10 1.2 1.9 2.0 1.2.1 10.1; do put dots/${v}_m.up.sql "select 1;\n"; done
check dots "1.2 1.2.1 1.9 1.10 2.0 10.1 "

for v in 20240101120000 20231231235959 99 20240101120001; do
	put stamps/${v}_m.up.sql "select 1;\n"
done
check stamps "99 20231231235959 20240101120000 20240101120001 "

for v in 2019-02-26-002946 2019-10-01-000000 2019-02-26-010000 2018-12-31-235959; do
	put diesel/${v}_m/up.sql 'select 1;\n'
done
check diesel "20181231235959 20190226002946 20190226010000 20191001000000 "

# diesel's versions are its folder names' without '-', in its order: the
# old 14-digit stamps among the dashed ones, and the newer -0000 suffix
# (the 18 digits written with a '.' after 14, so the numeric order is
# diesel's string order).
for v in 00000000000000 20140924113530 2017-08-31-230457 \
    2026-05-27-120000-0000 2026-05-27-120000 2026-05-28-000000; do
	put diesel2/${v}_m/up.sql 'select 1;\n'
done
check diesel2 "00000000000000 20140924113530 20170831230457 20260527120000 20260527120000.0000 20260528000000 "

for v in 1_10 1_2 2 10; do put flyway/V${v}__m.sql 'select 1;\n'; done
expect_exit 0 "$MIGPACK" build -o flyway.tar.gz flyway
got=$(order flyway.tar.gz | tr . _)
[ "$got" = "1_2 1_10 2 10 " ] || fail "flyway: MANIFEST order '$got'"

# The default release is the newest version, numerically.
tar xzOf ints.tar.gz MANIFEST | grep -qx "release	100" ||
	fail "default release is not 100: $(tar xzOf ints.tar.gz MANIFEST | sed -n 3p)"
