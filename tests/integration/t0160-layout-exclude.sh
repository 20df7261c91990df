#!/usr/bin/env bash
# goose's Go migrations are refused, naming each and how to leave it out;
# --exclude GLOB (repeatable, a path relative to DIR, '*' not crossing '/',
# a folder left out whole) leaves files out knowingly: each is named on
# stderr, and the manifest records the patterns and what they left out.
. "$(dirname "$0")/lib.sh"

TAB=$'\t'
put app/00001_users.sql '-- +goose Up\ncreate table users (id int);\n-- +goose Down\ndrop table users;\n'
put app/00002_backfill.go 'package migrations\n'
put app/00003_more.sql '-- +goose Up\ncreate table more (id int);\n'
put app/seeds/dev/users.csv 'id\n1\n'
put app/seeds/test/users.csv 'id\n2\n'

refused app "'app/00002_backfill.go': a goose Go migration: migpack bundles SQL and runs no Go; write it in SQL, or leave it out knowingly with --exclude '00002_backfill.go'"

expect_exit 0 "$MIGPACK" build -o b.tgz --exclude '*.go' --exclude 'seeds/test' --exclude '*.csv' app
expect_err "migpack: 'app/00002_backfill.go': left out by --exclude '*.go'"
expect_err "migpack: 'app/seeds/test/': left out by --exclude 'seeds/test'"
expect_err "migpack: --exclude '*.csv' left nothing out"
[ "$(wc -l <"$T/out")" = 1 ] || fail "stdout: $(cat "$T/out")"
tar xzOf b.tgz MANIFEST >m
sed -n 5,9p m >got
printf 'exclude\t*.go\nexclude\tseeds/test\nexclude\t*.csv\nexcluded\t00002_backfill.go\nexcluded\tseeds/test/\n' >want
diff -u want got || fail "the manifest's exclusions (- expected, + got)"
grep -q "^seed${TAB}dev${TAB}" m || fail "seeds/dev left out: $(cat m)"
grep -q "^seed${TAB}test${TAB}" m && fail "seeds/test kept: $(cat m)"
grep -q "backfill" <(tar tzf b.tgz) && fail "the Go file is in the bundle"
expect_exit 0 "$MIGPACK" verify b.tgz
expect_exit 0 "$MIGRUN" verify b.tgz
expect_exit 0 "$MIGRUN" apply --no-backup --db sqlite:x.db b.tgz

# The same input, the same bundle.
expect_exit 0 "$MIGPACK" build -o b2.tgz --exclude '*.go' --exclude 'seeds/test' --exclude '*.csv' app
cmp b.tgz b2.tgz || fail "the same build made another bundle"

# A folder pattern with its slash; a pattern must be storable.
expect_exit 0 "$MIGPACK" build -o b3.tgz --exclude '*.go' --exclude 'seeds/' app
tar xzOf b3.tgz MANIFEST | grep -q "^excluded${TAB}seeds/\$" ||
    fail "seeds/ not left out: $(tar xzOf b3.tgz MANIFEST)"
rm -rf dest; mkdir dest
expect_exit 2 "$MIGPACK" build -o dest/b.tgz --exclude 'a\b' app
expect_err "--exclude 'a\\b': empty, or holds a control character or a backslash"
[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
