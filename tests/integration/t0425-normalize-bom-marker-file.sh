#!/usr/bin/env bash
# A dbmate or goose file saved with a UTF-8 byte order mark (as some Windows
# editors do) is read as the same file without it: the marker on its first
# line is still a marker, and the bundle is byte-identical.
. "$(dirname "$0")/lib.sh"

put plain/app/0001_m.sql '-- migrate:up\ncreate table m (x int);\n-- migrate:down\ndrop table m;\n'
put plain/app/0002_g.sql '-- +goose Up\ncreate table g (x int);\n-- +goose Down\ndrop table g;\n'
mkdir -p bom/app
for f in 0001_m.sql 0002_g.sql; do
	{ printf '\357\273\277'; cat "plain/app/$f"; } >"bom/app/$f"
done

expect_exit 0 "$MIGPACK" build -o plain.tar.gz plain/app
expect_exit 0 "$MIGPACK" build -o bom.tar.gz bom/app
cmp plain.tar.gz bom.tar.gz || fail "a BOM in a marker file changed the bundle"

# With CRLF as well.
mkdir -p both/app
for f in 0001_m.sql 0002_g.sql; do
	{ printf '\357\273\277'; sed -z 's/\n/\r\n/g' "plain/app/$f"; } >"both/app/$f"
done
expect_exit 0 "$MIGPACK" build -o both.tar.gz both/app
cmp plain.tar.gz both.tar.gz || fail "BOM and CRLF in a marker file changed the bundle"
