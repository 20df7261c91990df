#!/usr/bin/env bash
# A script of nothing but whitespace and "--" comments, or an empty file,
# is a no-op, as every layout's own tool runs it (golang-migrate, goose,
# dbmate, Flyway): up or down, in every layout.  The build names each in a
# notice on stderr, stdout keeps its one line; applying records the
# migration, rolling back past it removes its row, on both engines.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'CREATE TABLE t (x integer);\n'
put app/0001_init.down.sql '-- nothing to undo: 0002 drops t\n'
put app/0002_empty.up.sql '\n  \t\n-- nothing here\n   -- nor here\n\n'
: >app/0002_empty.down.sql
put app/0003_f/up.sql '-- only a comment'
put app/0003_f/down.sql 'DROP TABLE t;\n'
put app/0004_m.sql '-- migrate:up\n-- todo\n\n-- migrate:down\nselect 1;\n'
put app/0005_g.sql '-- +goose Up\nCREATE TABLE g (x integer);\n-- +goose Down\n'
expect_exit 0 "$MIGPACK" build -o b.tgz app
[ "$(wc -l <"$T/out")" = 1 ] || fail "stdout is not one line: $(cat "$T/out")"
cat >want <<'W'
migpack: 'app/0001_init.down.sql': down script with no statement: rolling back does nothing but remove the migration's row
migpack: 'app/0002_empty.down.sql': down script with no statement: rolling back does nothing but remove the migration's row
migpack: 'app/0002_empty.up.sql': up script with no statement: applying it does nothing but record the migration
migpack: 'app/0003_f/up.sql': up script with no statement: applying it does nothing but record the migration
migpack: 'app/0004_m.sql', line 1: up script with no statement: applying it does nothing but record the migration
migpack: 'app/0005_g.sql', line 3: down script with no statement: rolling back does nothing but remove the migration's row
W
diff -u want "$T/err" || fail "notices differ (- expected, + got)"
# Flyway: an empty versioned and an undo script of comments.
put fly/V1__a.sql 'CREATE TABLE f (x integer);\n'
put fly/V2__b.sql ''
put fly/U2__b.sql '-- nothing\n'
expect_exit 0 "$MIGPACK" build -o f.tgz fly
expect_err "'fly/V2__b.sql': up script with no statement"
expect_err "'fly/U2__b.sql': down script with no statement"

# engine NAME DB Q...: apply, then roll back to base; what the no-ops
# leave is what the tools would.
engine() {
	local db=$1
	shift
	expect_exit 0 "$MIGRUN" apply --no-backup --db "$db" b.tgz
	expect_out "applied 5 migrations: database at 0005"
	expect_exit 0 "$MIGRUN" down --no-backup --db "$db" --to 0001
	expect_out "database at 0001"
	# Only 0001 is left; 0005's no-op down left g, 0003's dropped t.
	[ "$("$@" "SELECT count(*) FROM migpack_history")" = 1 ] ||
	    fail "$db: rows left: $("$@" "SELECT version FROM migpack_history")"
	expect_exit 0 "$MIGRUN" down --no-backup --db "$db" --to base --yes
	[ "$("$@" "SELECT count(*) FROM migpack_history")" = 0 ] ||
	    fail "$db: rolling back past a no-op down left its row"
}
engine "sqlite:$T/t.db" sqlite3 "$T/t.db"
[ "$(sqlite3 t.db "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name" | tr '\n' ' ')" = "g migpack_history " ] ||
    fail "sqlite: tables left: $(sqlite3 t.db .tables)"

. "$TOP/tests/pg.sh"
pg_start
pg_createdb noop
q() { pg_psql -At -d noop -c "$1"; }
engine "postgresql:///noop?host=$PGHOST&port=$PGPORT&user=postgres" q
[ "$(q "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")" = "g migpack_history" ] ||
    fail "postgres: tables left: $(q "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")"
