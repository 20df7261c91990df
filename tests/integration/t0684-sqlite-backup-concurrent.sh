# migrun backup of SQLite is one consistent snapshot while another
# connection writes: a writer commits pairs of rows in one transaction
# each, all through the backup; the backup holds whole pairs only, and
# passes integrity_check.
. "$(dirname "$0")/lib.sh"

db=$T/busy.db
sqlite3 "$db" "PRAGMA journal_mode = WAL;
CREATE TABLE pad (x blob);
CREATE TABLE pairs (grp integer, side integer);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)
INSERT INTO pad SELECT randomblob(4096) FROM n;" >/dev/null

# The writer: a pair per transaction, until told to stop.
python3 - "$db" "$T/stop" <<'EOS' &
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
g = 0
while not os.path.exists(sys.argv[2]):
    c.execute("BEGIN IMMEDIATE")
    c.execute("INSERT INTO pairs VALUES (?, 1)", (g,))
    c.execute("INSERT INTO pairs VALUES (?, 2)", (g,))
    c.execute("COMMIT")
    g += 1
EOS
writer=$!
sleep 0.5
for i in 1 2 3; do
	expect_exit 0 "$MIGRUN" backup --db "sqlite:$db" --dir bk --keep 0
done
touch "$T/stop"
wait "$writer"
same() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
n=0
for f in bk/*.db.gz; do
	zcat "$f" >copy.db
	same "integrity of $f" "$(sqlite3 copy.db 'PRAGMA integrity_check')" ok
	same "half pairs in $f" "$(sqlite3 copy.db \
	    'SELECT count(*) FROM (SELECT grp FROM pairs GROUP BY grp HAVING count(*) <> 2)')" 0
	same "pad rows in $f" "$(sqlite3 copy.db 'SELECT count(*) FROM pad')" 4000
	n=$((n + 1))
done
[ "$n" = 3 ] || fail "expected 3 backups, found $n"
# The writer did write while the backups ran.
[ "$(sqlite3 "$db" 'SELECT count(*) FROM pairs')" -gt 0 ] || fail "the writer wrote nothing"
