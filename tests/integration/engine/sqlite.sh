# The runner's scenarios on SQLite files: newdb gives each one a file of
# its own; q runs SQL with the sqlite3 shell.
ENGINE=sqlite
ENGINE_NAME=SQLite
newdb() {
	DBFILE="$T/$1.db"
	DB="sqlite:$DBFILE"
}
q() {
	sqlite3 -batch -noheader -separator '|' "$DBFILE" "$1"
}
# The error a missing table gives.
NO_TABLE_MSG='no such table: nope'
has_table() {
	[ "$(q "SELECT count(*) FROM sqlite_master WHERE name = '$1'")" = 1 ]
}
has_column() {
	[ "$(q "SELECT count(*) FROM pragma_table_info('$1') WHERE name = '$2'")" = 1 ]
}
# A stopped run's work is final once its process is gone.
sessions_gone() { :; }
# Hold the run lock for SECONDS in the background, as another runner would.
hold_lock() {
	flock "$DBFILE" sleep "$1" &
	sleep 0.3
}
# For offline SQL: the dialect, the engine's client running a script as a
# DBA would, and the schema dump compared between runs.
DIALECT=sqlite
client() {
	sqlite3 -bail "$DBFILE" <"$1"
}
# The same, by a reviewer who forgot the flag.
client_plain() {
	sqlite3 "$DBFILE" <"$1"
}
dump() {
	sqlite3 "$DBFILE" .schema
}
# Schema and data, for backups: what a restore must bring back.
dump_all() {
	sqlite3 "$DBFILE" .dump
}
# The backup tools migrun runs: none for SQLite.
BACKUP_TOOL=() RESTORE_TOOL=()
BACKUP_EXT=db
