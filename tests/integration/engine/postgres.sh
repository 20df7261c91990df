# The runner's scenarios on a PostgreSQL server the test starts itself:
# newdb creates a database; q runs SQL with psql.
. "$TOP/tests/pg.sh"
ENGINE=postgres
ENGINE_NAME=PostgreSQL
pg_start
newdb() {
	pg_createdb "$1"
	DBNAME=$1
	DB="postgresql:///$1?host=$PGHOST&port=$PGPORT&user=postgres"
}
q() {
	pg_psql -At -F '|' -d "$DBNAME" -c "$1"
}
NO_TABLE_MSG='ERROR: relation "nope" does not exist'
has_table() {
	[ "$(q "SELECT to_regclass('$1') IS NOT NULL")" = t ]
}
has_column() {
	[ "$(q "SELECT count(*) FROM information_schema.columns WHERE table_name = '$1' AND column_name = '$2'")" = 1 ]
}
# Wait until no session but the caller's is left on the database (a
# killed client's backend finishes its statement first): what a stopped
# run left is then final.
sessions_gone() {
	local i
	for i in $(seq 600); do
		[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE
		    datname = current_database() AND pid <> pg_backend_pid()")" = 0 ] &&
		    return 0
		sleep 0.05
	done
	fail "sessions still open on the database after migrun stopped"
}
# Hold the run lock for SECONDS in the background, as another runner would:
# the driver's advisory lock key is the first 8 bytes of
# SHA-256("migpack:SCHEMA.TABLE").
hold_lock() {
	pg_psql -d "$DBNAME" -c "SELECT pg_advisory_lock(('x' || left(encode(
	    sha256(convert_to('migpack:public.migpack_history', 'UTF8')),
	    'hex'), 16))::bit(64)::bigint), pg_sleep($1)" >/dev/null &
	sleep 0.5
}
# For offline SQL: the dialect, the engine's client running a script as a
# DBA would, and the schema dump compared between runs.
DIALECT=postgres
client() {
	"$(_pg_psql_bin)" -X -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" \
	    -U postgres -d "$DBNAME" -f "$1"
}
client_plain() {
	"$(_pg_psql_bin)" -X -h "$PGHOST" -p "$PGPORT" -U postgres \
	    -d "$DBNAME" -f "$1"
}
dump() {
	"$PG_BIN/pg_dump" --schema-only -h "$PGHOST" -p "$PGPORT" -U postgres \
	    "$DBNAME" | grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict'
}
# Schema and data, for backups: what a restore must bring back.
dump_all() {
	"$PG_BIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres "$DBNAME" |
	    grep -v -e '^-- Dumped' -e '^\\restrict' -e '^\\unrestrict'
}
# The server's own pg_dump and psql, whatever PATH finds first.
BACKUP_TOOL=(--pg-dump "$PG_BIN/pg_dump")
RESTORE_TOOL=(--psql "$PG_BIN/psql")
BACKUP_EXT=sql
