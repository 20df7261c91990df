#!/usr/bin/env bash
# build's defaults and options: OUT is NAME-VERSION.tar.gz, NAME the
# folder's name, VERSION the newest migration's; --name and --version
# override them; bad values are usage errors that write nothing.
. "$(dirname "$0")/lib.sh"

put shop/0002_b.up.sql 'select 2;\n'
put shop/10_c.up.sql 'select 10;\n'
put shop/R__views.sql 'select 0;\n'

expect_exit 0 "$MIGPACK" build shop
expect_out "shop-10.tar.gz sha256:"
tar xzOf shop-10.tar.gz MANIFEST | grep -qP '^name\tshop$' || fail "name"
tar xzOf shop-10.tar.gz MANIFEST | grep -qP '^release\t10$' || fail "release"

expect_exit 0 "$MIGPACK" build --name web --version 2.4.1 shop
expect_out "web-2.4.1.tar.gz sha256:"
tar xzOf web-2.4.1.tar.gz MANIFEST | grep -qP '^release\t2.4.1$' ||
	fail "--version not recorded"

rm -f ./*.tar.gz
expect_exit 2 "$MIGPACK" build --name 'a/b' shop
expect_err "invalid bundle name or version 'a/b'"
SOURCE_DATE_EPOCH=yesterday expect_exit 2 "$MIGPACK" build shop
expect_err "SOURCE_DATE_EPOCH: 'yesterday'"
expect_exit 2 "$MIGPACK" build shop extra
expect_err "expected one DIR"
[ -z "$(ls ./*.tar.gz 2>/dev/null)" ] || fail "a failed build wrote a bundle"
