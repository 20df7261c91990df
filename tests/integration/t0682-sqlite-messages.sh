# Messages that name the place at fault, not only the engine's words: a
# backup directory that is a file, a full disk under a backup or under a
# restore, a database whose directory SQLite cannot write its journal in.
# Each failure changes nothing and leaves nothing behind.
. "$(dirname "$0")/lib.sh"

db=$T/shop.db
sqlite3 "$db" "CREATE TABLE pad (x blob);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
INSERT INTO pad SELECT randomblob(4096) FROM n;"

echo file >afile
expect_exit 1 "$MIGRUN" backup --db "sqlite:$db" --dir afile
expect_err "migrun: backup directory 'afile': not a directory"
expect_exit 1 "$MIGRUN" backup --db "sqlite:$db" --dir afile/sub
expect_err "migrun: backup directory 'afile/sub': 'afile' is not a directory"
[ "$(cat afile)" = file ] || fail "the file was changed"

# A database in a directory SQLite cannot write its journal in, the file
# itself writable; then the file read-only too.  Root writes anywhere: the
# database is another user's, and that user runs migrun.
put app/0001_create.up.sql 'CREATE TABLE t (a integer);\n'
chmod 711 "$T"
mkdir pub
"$MIGPACK" build -o pub/b.tgz app >/dev/null
chmod -R a+rX pub
mkdir ro
sqlite3 ro/app.db "CREATE TABLE mine (x)"
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	chown -R nobody ro
	as_user() { runuser -u nobody -- "$@"; }
fi
chmod 555 ro
expect_exit 1 as_user "$MIGRUN" apply --no-backup --db sqlite:ro/app.db pub/b.tgz
expect_err "sqlite:ro/app.db: create history table migpack_history: the directory '$T/ro' is not writable, and SQLite writes the database's journal there: attempt to write a readonly database"
expect_err "the database is at no version"
chmod 755 ro
chmod 444 ro/app.db
expect_exit 1 as_user "$MIGRUN" apply --no-backup --db sqlite:ro/app.db pub/b.tgz
expect_err "the database file is not writable: attempt to write a readonly database"
[ "$(sqlite3 ro/app.db .tables)" = mine ] || fail "the database changed"

# Full disks: a private tmpfs of 1 MiB, in a mount namespace of migrun's
# own, so nothing is left mounted whatever happens.
full() {
	local dir=$1
	shift
	unshare -m sh -c 'mount -t tmpfs -o size=1M tmpfs "$1" && shift &&
	    "$@"; rc=$?; ls -A "$0" >"$0.left"; exit $rc' "$dir" "$dir" "$@"
}
mkdir probe
unshare -m sh -c 'mount -t tmpfs -o size=1M tmpfs "$1"' sh probe 2>/dev/null ||
    { echo "SKIPPED: no private tmpfs here (needs root and mount namespaces)" >&2
      exit 77; }
# A backup: the copy of 4 MB does not fit.
mkdir bk
expect_exit 1 full bk "$MIGRUN" backup --db "sqlite:$db" --dir bk
expect_err "migrun: sqlite:$db: backup: no room in backup directory 'bk' for the database's copy (4."
expect_err "MB, before compression): database or disk is full"
[ ! -s bk.left ] || fail "left in the full bk/: $(cat bk.left)"
# A restore: the backup's copy does not fit beside the database.
expect_exit 0 "$MIGRUN" backup --db "sqlite:$db" --dir big
f=$(cat "$T/out")
mkdir small
expect_exit 1 full small sh -c 'sqlite3 "$1/t.db" "CREATE TABLE mine (x)" &&
    "$2" restore --yes --no-backup --db "sqlite:$1/t.db" "$3"' sh small \
    "$MIGRUN" "$f"
expect_err "migrun: sqlite:small/t.db: restore: no room in '$T/small', beside the database, for the backup's copy (before compression): No space left on device"
[ "$(cat small.left)" = t.db ] || fail "left in the full small/: $(cat small.left)"
