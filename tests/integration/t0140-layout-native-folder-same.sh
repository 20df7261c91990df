#!/usr/bin/env bash
# The same migrations through layout 1 (native files) and layout 2 (one
# folder per migration) give byte-identical bundles.
. "$(dirname "$0")/lib.sh"

one() {	# one VERSION_NAME ROLE CONTENT
	put "a/app/$1.$2" "$3"
	put "b/app/$1/$2" "$3"
}
one 0001_init up.sql 'create table a (x int);\n'
one 0001_init down.sql 'drop table a;\n'
one 0002_idx up.postgres.sql '-- migpack:no-transaction\ncreate index concurrently i on a (x);\n'
one 0002_idx up.sqlite.sql 'create index i on a (x);\n'
one 0002_idx down.postgres.sql 'drop index concurrently i;\n'
one 0002_idx down.sqlite.sql 'drop index i;\n'
one 0010_pg up.postgres.sql 'create extension pgcrypto;\n'
put a/app/seeds/default/t.csv 'id\n1\n'
put b/app/seeds/default/t.csv 'id\n1\n'

expect_exit 0 "$MIGPACK" build -o native.tar.gz a/app
sha_a=$(cat "$T/out")
expect_exit 0 "$MIGPACK" build -o folder.tar.gz b/app
sha_b=$(cat "$T/out")
cmp native.tar.gz folder.tar.gz ||
	fail "native and folder layouts gave different bundles"
[ "${sha_a#* }" = "${sha_b#* }" ] ||
	fail "printed checksums differ: '$sha_a' vs '$sha_b'"
[ "$(tar tzf native.tar.gz | wc -l)" -eq 10 ] ||
	fail "expected 10 entries: $(tar tzf native.tar.gz)"
