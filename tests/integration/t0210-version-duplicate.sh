#!/usr/bin/env bash
# 0002_a.up.sql and 2_b.up.sql are the same version: exit 2, the message
# names a file, and no bundle (nor a temporary file) is left behind.  The
# same when the clash is across layouts (a file and a folder).
. "$(dirname "$0")/lib.sh"

refused_naming() {	# refused_naming DIR REGEX-OF-FILES
	rm -rf dest
	mkdir dest
	expect_exit 2 "$MIGPACK" build -o dest/b.tar.gz "$1"
	head -n1 "$T/err" | grep -q '^migpack: ' ||
		fail "stderr does not begin with 'migpack: ': $(cat "$T/err")"
	grep -qE "$2" "$T/err" ||
		fail "the message names neither file: $(cat "$T/err")"
	[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
}

put app/0001_init.up.sql 'select 1;\n'
put app/0002_a.up.sql 'select 2;\n'
put app/2_b.up.sql 'select 3;\n'
refused_naming app '0002_a\.up\.sql|2_b\.up\.sql'

# Across layouts: a folder 2_c/ against the file 0002_a.up.sql.
rm app/2_b.up.sql
put app/2_c/up.sql 'select 4;\n'
refused_naming app '0002_a\.up\.sql|2_c/up\.sql'

# Flyway's V2__d.sql against 0002_a.up.sql.
rm -r app/2_c
put app/V2__d.sql 'select 5;\n'
refused_naming app '0002_a\.up\.sql|V2__d\.sql'
