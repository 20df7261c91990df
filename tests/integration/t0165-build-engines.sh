#!/usr/bin/env bash
# migpack build --engines: the manifest says which engines a bundle is
# for, list shows it, a script is read for what it needs on those engines
# only; migrun refuses the bundle on another engine (exit 2) before it
# opens the database.
. "$(dirname "$0")/lib.sh"

put app/0001_a.up.sql 'create table a (x int);\n'
put app/0002_v.up.sql 'vacuum;\n'
put app/0003_i.up.sql 'create index concurrently ai on a (x);\n'

# Default: both.
expect_exit 0 "$MIGPACK" build -o both.tgz app
tar -xzOf both.tgz MANIFEST | sed -n 4p | grep -qx $'engines\tpostgres,sqlite' ||
	fail "$(tar -xzOf both.tgz MANIFEST)"
expect_exit 0 "$MIGPACK" build --engines sqlite,postgres -o both2.tgz app
cmp both.tgz both2.tgz || fail "either order is the same set"
expect_exit 0 "$MIGPACK" list both.tgz
expect_out "bundle app, release 0003, for postgres,sqlite"

# SQLite only: VACUUM runs outside a transaction there; CONCURRENTLY is
# nothing to SQLite's reading, so no per-engine split.
expect_exit 0 "$MIGPACK" build --engines sqlite -o lite.tgz app
expect_err "0002_v.up.sql', line 1: VACUUM cannot run inside a transaction: on SQLite the script runs outside"
grep -q "PostgreSQL" "$T/err" && fail "read for PostgreSQL too: $(cat "$T/err")"
tar -xzOf lite.tgz MANIFEST >m
grep -qx $'engines\tsqlite' m || fail "$(cat m)"
grep -q $'script\tup\tany\tno-transaction\t.*0002_v' m || fail "$(cat m)"
grep -q $'script\tup\tany\ttransaction\t.*0003_i' m || fail "$(cat m)"
expect_exit 0 "$MIGPACK" list --json lite.tgz
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["engines"] == ["sqlite"]' "$T/out" ||
	fail "$(cat "$T/out")"

# PostgreSQL only: the other way round.
expect_exit 0 "$MIGPACK" build --engines postgres -o pg.tgz app
tar -xzOf pg.tgz MANIFEST >m
grep -q $'script\tup\tany\tno-transaction\t.*0002_v' m || fail "$(cat m)"
grep -q $'script\tup\tany\tno-transaction\t.*0003_i' m || fail "$(cat m)"

# A variant for an engine the bundle is not for: bundled, said.
put app/0001_a.up.postgres.sql 'create table a (x bigint);\n'
expect_exit 0 "$MIGPACK" build --engines sqlite -o lite2.tgz app
expect_err "0001_a.up.postgres.sql': a script for PostgreSQL, which this bundle is not for"
rm app/0001_a.up.postgres.sql

for bad in oracle '' postgres,postgres 'postgres;sqlite'; do
	expect_exit 2 "$MIGPACK" build --engines "$bad" -o x.tgz app
	expect_err "--engines '$bad': expected postgres, sqlite or postgres,sqlite"
	[ ! -e x.tgz ] || fail "written"
done

# migrun: refused on the other engine before the database is opened, even
# one that is not there; an existing database is left as it was.
put run/0001_a.up.sql 'create table a (x int);\n'
expect_exit 0 "$MIGPACK" build --engines sqlite -o lite.tgz run
expect_exit 0 "$MIGPACK" build --engines postgres -o pg.tgz run
expect_exit 0 "$MIGPACK" build -o both.tgz run
expect_exit 2 "$MIGRUN" apply --db postgresql://nobody@127.0.0.1:1/x lite.tgz
expect_err "migrun: bundle run 0001 is for sqlite only, not postgres (migpack build --engines); nothing done"
expect_exit 2 "$MIGRUN" status --db 'host=127.0.0.1 port=1 password=s3cret' lite.tgz
expect_err "is for sqlite only"
grep -q s3cret "$T/err" && fail "password shown"
expect_exit 2 "$MIGRUN" apply --db sqlite:new.db pg.tgz
expect_err "bundle run 0001 is for postgres only, not sqlite"
[ ! -e new.db ] || fail "the database was created"
expect_exit 0 "$MIGRUN" apply --no-backup --db sqlite:old.db lite.tgz
before=$(sha256sum old.db)
for cmd in apply status 'down --steps 1' verify; do
	expect_exit 2 "$MIGRUN" $cmd --db sqlite:old.db pg.tgz
	expect_err "is for postgres only, not sqlite"
done
[ "$(sha256sum old.db)" = "$before" ] || fail "old.db changed"
expect_exit 2 "$MIGRUN" sql --dialect postgres lite.tgz
expect_err "is for sqlite only, not postgres"
[ -s "$T/out" ] && fail "wrote SQL: $(cat "$T/out")"
expect_exit 2 "$MIGRUN" sql --db sqlite:old.db pg.tgz
expect_exit 0 "$MIGRUN" sql --dialect sqlite lite.tgz
expect_exit 0 "$MIGRUN" apply --no-backup --db sqlite:both.db both.tgz
