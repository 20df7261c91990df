#!/usr/bin/env bash
# An unreadable script is refused, naming it, with no bundle left behind.
# Root reads anything, so root runs this test as nobody.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	cd / && rm -rf "$T"
	exec setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
		-- env BIN="$BIN" bash "$TOP/tests/integration/${0##*/}"
fi

# Modes are restored before the temp folder is removed, even on failure.
trap 'chmod -R u+rwX "$T" 2>/dev/null; rm -rf "$T"' EXIT

put app/0001_init.up.sql 'select 1;\n'
put app/0002_secret.up.sql 'select 2;\n'
chmod 000 app/0002_secret.up.sql
if cat app/0002_secret.up.sql >/dev/null 2>&1; then
	echo "SKIP: running as uid $(id -u), who can read a mode 000 file:" \
	    "the unreadable-script check did not run"
	exit 0
fi
mkdir dest
expect_exit 2 "$MIGPACK" build -o dest/b.tar.gz app
head -n1 "$T/err" | grep -q "^migpack: " ||
	fail "stderr does not begin with 'migpack: ': $(cat "$T/err")"
expect_err "0002_secret.up.sql"
[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"

# An unreadable seed, and an unreadable migration folder.
chmod 644 app/0002_secret.up.sql
put app/seeds/dev/t.csv 'id\n1\n'
chmod 000 app/seeds/dev/t.csv
expect_exit 2 "$MIGPACK" build -o dest/b.tar.gz app
expect_err "seeds/dev/t.csv"
[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
rm -rf app/seeds
put app/0003_f/up.sql 'select 3;\n'
chmod 000 app/0003_f
expect_exit 2 "$MIGPACK" build -o dest/b.tar.gz app
expect_err "0003_f"
chmod 755 app/0003_f
[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
