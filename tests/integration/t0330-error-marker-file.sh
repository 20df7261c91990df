#!/usr/bin/env bash
# A <version>_<name>.sql file is a dbmate or goose file: without markers, it
# is refused, naming it.
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
putf app/0002_plain.sql 'create table t (x int);\n'
refused app "0002_plain.sql"
putf app/0002_plain.sql '-- just a comment\n\n'
refused app "0002_plain.sql"
putf app/0002_plain.sql '-- migrate:down\ndrop table t;\n'
refused app "0002_plain.sql"
