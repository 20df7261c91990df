#!/usr/bin/env bash
# Files and folders that match no layout are refused, naming them: a typo in
# a suffix, an unknown subfolder, a stray file inside a migration folder.
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
putf app/0003_x.up.sq 'select 3;\n'
refused app "0003_x.up.sq'"
rm app/0003_x.up.sq
putf app/0003_x.up.sql.bak 'select 3;\n'
refused app "0003_x.up.sql.bak"
rm app/0003_x.up.sql.bak
putf app/helpers/0003_x.up.sql 'select 3;\n'
refused app "helpers"
rm -r app/helpers
putf app/0004_f/up.sql 'select 4;\n'
putf app/0004_f/undo.sql 'select 4;\n'
refused app "0004_f/undo.sql"
rm app/0004_f/undo.sql
putf app/notes 'x\n'
refused app "notes"
