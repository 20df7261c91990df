#!/usr/bin/env bash
# The message for a duplicate version names both files: the one refused and
# the one that already has the version.
. "$(dirname "$0")/lib.sh"

put app/0002_a.up.sql 'select 2;\n'
put app/2_b.up.sql 'select 3;\n'
expect_exit 2 "$MIGPACK" build -o b.tar.gz app
expect_err "0002_a.up.sql"
expect_err "2_b.up.sql"
if grep -q '(null)' "$T/err"; then
	fail "the message has '(null)' for a file name: $(cat "$T/err")"
fi
[ ! -e b.tar.gz ] || fail "a bundle was written"
