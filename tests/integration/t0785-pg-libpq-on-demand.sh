# libpq is loaded only for a PostgreSQL URL: a SQLite run never maps it, so
# it runs on a host without libpq, and a PostgreSQL URL on such a host is a
# clear error (exit 1) that still shows no password.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"

app app
bundle app b.tgz postgres,sqlite	# applied to both engines below
newdb ondemand

# loaded CMD...: the shared objects CMD's dynamic linker opened, by name.
loaded() {
	LD_DEBUG=files "$@" 2>&1 >/dev/null | sed -n 's/.*file=\([^ ]*\).*/\1/p' |
	    sort -u
}
loaded "$MIGRUN" apply --db sqlite:a.db b.tgz >libs
[ "$(sqlite3 a.db 'SELECT count(*) FROM migpack_history')" = 5 ] ||
	fail "the SQLite apply did not run"
! grep -q libpq libs || fail "a SQLite run loaded libpq: $(cat libs)"
loaded "$MIGRUN" status --db "$DB" b.tgz >libs
grep -q '^libpq\.so' libs || fail "a PostgreSQL run did not load libpq: $(cat libs)"

# Without libpq: hide it behind /dev/null in a private mount namespace.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "SKIP: hiding libpq needs root and unshare" >&2
	exit 77
fi
lib=$(LD_DEBUG=libs "$MIGRUN" status --db "$DB" b.tgz 2>&1 >/dev/null |
    sed -n 's/.*calling init: \(.*libpq\.so[^ ]*\).*/\1/p' | head -n1)
[ -f "$lib" ] || fail "cannot find the libpq migrun loads"
nolibpq() {
	unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$lib" "$@"
}
expect_exit 0 nolibpq "$MIGRUN" apply --db sqlite:b.db b.tgz
expect_exit 0 nolibpq "$MIGRUN" status --db sqlite:b.db b.tgz
expect_out "current   0004"
url="postgresql://migrun:s3cret-pw@/ondemand?host=$PGHOST&port=$PGPORT"
expect_exit 1 nolibpq "$MIGRUN" status --db "$url" b.tgz
expect_err "PostgreSQL needs libpq, which could not be loaded"
expect_err "install the libpq5 package"
! grep -q s3cret "$T/out" "$T/err" || fail "the password was shown: $(cat "$T/err")"
