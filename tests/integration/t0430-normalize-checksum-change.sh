#!/usr/bin/env bash
# Normalization touches nothing but CRLF and a leading BOM: one more space
# inside a string literal changes that script's checksum in MANIFEST (and
# nothing else but the lines that depend on it).
. "$(dirname "$0")/lib.sh"

for d in a b; do
	put $d/app/0001_init.up.sql 'create table t (s text);\n'
	put $d/app/0002_data.down.sql "delete from t;\n"
	put $d/app/seeds/dev/t.csv 's\nx\n'
done
put a/app/0002_data.up.sql "insert into t values ('a b');\n"
put b/app/0002_data.up.sql "insert into t values ('a  b');\n"

expect_exit 0 "$MIGPACK" build -o a.tar.gz a/app
expect_exit 0 "$MIGPACK" build -o b.tar.gz b/app
tar xzOf a.tar.gz MANIFEST >a.manifest
tar xzOf b.tar.gz MANIFEST >b.manifest
diff a.manifest b.manifest >d || true
# Exactly the changed script's line differs.
[ "$(grep -c '^<' d)" -eq 1 ] && [ "$(grep -c '^>' d)" -eq 1 ] ||
	fail "expected one changed MANIFEST line: $(cat d)"
grep -q '^<.*migrations/0002_data/up.sql$' d ||
	fail "the changed line is not 0002_data/up.sql's: $(cat d)"
want=$(printf "insert into t values ('a  b');\n" | sha256sum | cut -d' ' -f1)
grep -q "^>.*sha256:$want	migrations/0002_data/up.sql$" d ||
	fail "the new checksum is not the script's SHA-256 ($want): $(cat d)"

# Whitespace at a line's end is content too, as is a missing last newline.
put b/app/0002_data.up.sql "insert into t values ('a b'); \n"
expect_exit 0 "$MIGPACK" build -o c.tar.gz b/app
tar xzOf c.tar.gz MANIFEST | cmp -s - a.manifest && fail "a trailing space was dropped"
put b/app/0002_data.up.sql "insert into t values ('a b');"
expect_exit 0 "$MIGPACK" build -o c.tar.gz b/app
tar xzOf c.tar.gz MANIFEST | cmp -s - a.manifest && fail "a last newline was added"
true
