#!/usr/bin/env bash
# An up script with nothing but whitespace and "--" comments is refused.
. "$(dirname "$0")/lib.sh"

putf() { mkdir -p "$(dirname "$1")"; printf -- "$2" >"$1"; }

# refused DIR TEXT: the build exits 2 with one "migpack: " message holding
# TEXT, and leaves neither a bundle nor a temporary file in dest/.
refused() {
	rm -rf dest
	mkdir dest
	expect_exit 2 "$MIGPACK" build -o dest/b.tar.gz "$1"
	head -n1 "$T/err" | grep -q "^migpack: " ||
		fail "stderr does not begin with 'migpack: ': $(cat "$T/err")"
	expect_err "$2"
	[ ! -e dest/b.tar.gz ] || fail "a bundle was written despite the error"
	[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
}

putf app/0001_init.up.sql 'select 1;\n'
putf app/0002_empty.up.sql '\n  \t\n-- nothing here\n   -- nor here\n\n'
refused app "0002_empty.up.sql"
: >app/0002_empty.up.sql
refused app "0002_empty.up.sql"
rm app/0002_empty.up.sql
putf app/0003_f/up.sql '-- only a comment'
refused app "0003_f/up.sql"
rm -r app/0003_f
putf app/0004_m.sql '-- migrate:up\n-- todo\n\n-- migrate:down\nselect 1;\n'
refused app "0004_m.sql"
