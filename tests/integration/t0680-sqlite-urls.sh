# Which database a URL names: sqlite:PATH, sqlite:///abs, a plain .db /
# .sqlite / .sqlite3 path, $DATABASE_URL, the default migpack.db; anything
# else is refused (exit 2) before a file is created.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"

app app
bundle app b.tgz
at() {	# at FILE: FILE holds the applied history
	[ "$(sqlite3 "$1" 'SELECT count(*) FROM migpack_history')" = 5 ] ||
	    fail "$1 was not migrated"
}
expect_exit 0 "$MIGRUN" apply --db sqlite:rel.db b.tgz
at rel.db
expect_exit 0 "$MIGRUN" apply --db "sqlite://$T/abs.db" b.tgz
at "$T/abs.db"
for f in plain.db plain.sqlite plain.sqlite3; do
	expect_exit 0 "$MIGRUN" apply --db "$f" b.tgz
	at "$f"
done
expect_exit 0 env DATABASE_URL=sqlite:env.db "$MIGRUN" apply b.tgz
at env.db
# --db wins over the environment.
expect_exit 0 env DATABASE_URL=sqlite:no.db "$MIGRUN" apply --db sqlite:yes.db b.tgz
at yes.db
[ ! -e no.db ] || fail "DATABASE_URL was used despite --db"
expect_exit 0 env -u DATABASE_URL "$MIGRUN" apply b.tgz
at migpack.db
expect_exit 0 env -u DATABASE_URL "$MIGRUN" status b.tgz
expect_out "database  sqlite:migpack.db (migpack_history)"

mkdir refused && cd refused
expect_exit 2 "$MIGRUN" status --db mysql://x/y ../b.tgz
expect_err "mysql://x/y: not a database URL"
expect_exit 2 "$MIGRUN" status --db file.txt ../b.tgz
expect_exit 2 "$MIGRUN" status --db sqlite: ../b.tgz
expect_exit 2 "$MIGRUN" status --db sqlite://host/x.db ../b.tgz
expect_err "sqlite:PATH or sqlite:///ABSOLUTE/PATH"
expect_exit 2 "$MIGRUN" apply --db x.db --table a.b ../b.tgz
expect_err "history table a.b"
expect_exit 2 "$MIGRUN" apply --db x.db --lock-timeout soon ../b.tgz
expect_exit 2 "$MIGRUN" apply --db x.db --to 42 ../b.tgz
expect_exit 2 "$MIGRUN" stamp --db x.db --to 42 ../b.tgz
[ -z "$(ls -A)" ] || fail "a refused command left files: $(ls -A)"

# A read-only command creates nothing.
expect_exit 0 "$MIGRUN" status --db sqlite:new.db ../b.tgz
expect_out "current   none"
[ ! -e new.db ] || fail "status created its database"
