#!/usr/bin/env bash
# A down script without an up script is refused, naming it.
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
putf app/0003_x.down.sql 'select 3;\n'
refused app "0003_x.down.sql': down script without an up script"

# A dialect down without an up for that engine (nor a generic one).
rm app/0003_x.down.sql
putf app/0004_y.up.sqlite.sql 'select 4;\n'
putf app/0004_y.down.postgres.sql 'select 4;\n'
refused app "0004_y.down.postgres.sql': down script without an up script"

# In the folder layout too.
rm app/0004_y.*
putf app/0005_z/down.sql 'select 5;\n'
refused app "0005_z/down.sql': down script without an up script"
