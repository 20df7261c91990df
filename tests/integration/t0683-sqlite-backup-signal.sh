# A backup or restore of SQLite stopped by a signal leaves nothing behind:
# neither the gzip file being written nor the uncompressed database copy
# beside it, and the database restored into is as it was.
. "$(dirname "$0")/lib.sh"

db=$T/big.db
sqlite3 "$db" "CREATE TABLE pad (x blob);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 25000)
INSERT INTO pad SELECT randomblob(4096) FROM n;"

# stopped DIR ARGS...: run migrun ARGS in the background, wait for its
# scratch copy to appear in DIR, then stop it with SIGTERM.
stopped() {
	local dir=$1 pid i
	shift
	"$MIGRUN" "$@" >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 200); do
		compgen -G "$dir/.migrun-*" >/dev/null && break
		sleep 0.05
	done
	compgen -G "$dir/.migrun-*" >/dev/null ||
	    fail "test setup: no scratch copy in $dir: $(ls -A "$dir")"
	kill -TERM "$pid"
	wait "$pid" && fail "migrun $* finished despite the signal"
	return 0
}

mkdir bk
stopped bk backup --db "sqlite:$db" --dir bk
[ -z "$(ls -A bk)" ] || fail "a stopped backup left: $(ls -A bk)"

expect_exit 0 "$MIGRUN" backup --db "sqlite:$db" --dir bk
f=$(cat "$T/out")
mkdir target
sqlite3 target/t.db "CREATE TABLE mine (x); INSERT INTO mine VALUES ('kept')"
stopped target restore --yes --no-backup --db sqlite:target/t.db "$f"
[ "$(ls -A target)" = t.db ] || fail "a stopped restore left: $(ls -A target)"
[ "$(sqlite3 target/t.db 'SELECT x FROM mine')" = kept ] ||
    fail "a stopped restore changed the database"
