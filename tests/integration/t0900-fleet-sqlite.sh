#!/usr/bin/env bash
# Fleets of SQLite files (--targets): 50 brought to the bundle's version,
# each migration once per target; a failing, an unreachable and a drifted
# target, with and without --keep-going; a failing canary; the summary,
# the JSON, the exit codes, backups per target.
. "$(dirname "$0")/lib.sh"

put app/0001_a.up.sql 'create table a (n int);\n'
put app/0002_b.up.sql 'create table b (n int);\ninsert into b values (1);\n'
put app/0003_c.up.sql 'create table c (n int);\n'
put app/0003_c.down.sql 'drop table c;\n'
expect_exit 0 "$MIGPACK" build -o app.tgz app
mkdir dbs
for i in $(seq -w 1 50); do echo "sqlite:dbs/t$i.db -- name=tenant-$i"; done >fleet

# Bad lines: exit 2 naming file and line, nothing touched.
printf '# comment\n\nsqlite:dbs/x.db -- colour=red\n' >bad
expect_exit 2 "$MIGRUN" apply --targets bad app.tgz
expect_err "bad:3: 'colour': unknown setting (schema=NAME or name=LABEL)"
printf 'sqlite:dbs/x.db -- schema=tenant\n' >bad
expect_exit 2 "$MIGRUN" apply --targets bad app.tgz
expect_err "bad:1: schema= is for PostgreSQL targets"
printf 'sqlite:dbs/x.db -- name=a name=b\n' >bad
expect_exit 2 "$MIGRUN" apply --targets bad app.tgz
expect_err "bad:1: 'name': given twice"
# Two targets of one label, or of one backup folder: their backups would
# mix, the report could not tell them apart.
printf 'sqlite:dbs/x.db -- name=a\nsqlite:dbs/y.db -- name=b\nsqlite:dbs/z.db -- name=a\n' >bad
expect_exit 2 "$MIGRUN" apply --targets bad app.tgz
expect_err "bad:3: 'a': line 1's target is called so too; name=LABEL gives one another name"
printf 'sqlite:dbs/x.db -- name=a/b\nsqlite:dbs/y.db -- name=a_b\n' >bad
expect_exit 2 "$MIGRUN" status --targets bad app.tgz
expect_err "bad:2: 'a_b' would share line 1's backup folder 'a_b' ('a/b')"
printf 'sqlite:dbs/x.db\n# again\nsqlite:dbs/x.db\n' >bad
expect_exit 2 "$MIGRUN" backup --targets bad
expect_err "bad:3: 'sqlite:dbs/x.db': line 1's target is called so too"
[ ! -e dbs/x.db ] || fail "a bad targets file touched a database"
expect_exit 2 "$MIGRUN" apply --targets fleet --parallel 0 app.tgz
expect_err "--parallel '0': not a whole number from 1 to 256"
expect_exit 2 "$MIGRUN" apply --targets fleet --db sqlite:x.db app.tgz
expect_err "give --db or --targets, not both"

# All 50, 8 at once: each at 0003, each migration once.
expect_exit 0 "$MIGRUN" apply --targets fleet --parallel 8 --backup-dir bk app.tgz
for i in $(seq -w 1 50); do
	[ "$(sqlite3 dbs/t$i.db "SELECT group_concat(version) FROM migpack_history")" = 0001,0002,0003 ] ||
		fail "t$i: $(sqlite3 dbs/t$i.db 'SELECT * FROM migpack_history')"
	[ "$(sqlite3 dbs/t$i.db "SELECT count(*) FROM b")" = 1 ] || fail "t$i: b applied twice"
done
[ "$(grep -c ' ok$' "$T/out")" = 50 ] || fail "summary: $(cat "$T/out")"
grep -q "^tenant-07  *none  *0003  *3 " "$T/out" || fail "summary row: $(grep tenant-07 "$T/out")"
[ "$(grep -c ': ok$' "$T/err")" = 50 ] || fail "a line per target: $(cat "$T/err")"
[ -n "$(ls bk/tenant-01/)" ] || fail "no backup in bk/tenant-01/: $(ls -R bk | head)"
# Again: nothing to do, all ok.
expect_exit 0 "$MIGRUN" apply --targets fleet --json app.tgz
# Off a terminal, a line per finished target with --json too (on stderr).
[ "$(grep -c '^migrun: tenant-..: ok$' "$T/err")" = 50 ] || fail "lines with --json: $(cat "$T/err")"
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))["targets"]
assert len(d) == 50 and all(t["result"] == "ok" and t["applied"] == 0 and
    t["from"] == "0003" and t["to"] == "0003" for t in d), d[:2]' "$T/out" ||
	fail "json: $(head -c 400 "$T/out")"

# A new fleet: one failing mid-way (a table in the way), one unreachable
# (not a database), one drifted.
rm -rf dbs bk
mkdir dbs
for i in $(seq -w 1 12); do echo "sqlite:dbs/t$i.db -- name=tenant-$i"; done >fleet
sqlite3 dbs/t03.db "CREATE TABLE b (n int)"
printf 'not a database at all, but long enough to be read as one......\n%.0s' $(seq 20) >dbs/t05.db
expect_exit 0 "$MIGRUN" apply --db sqlite:dbs/t08.db --no-backup --to 0001 app.tgz
sqlite3 dbs/t08.db "UPDATE migpack_history SET checksum = 'sha256:00' WHERE version = '0001'"
# Without --keep-going: what had started finishes, nothing new starts.
expect_exit 1 "$MIGRUN" apply --targets fleet --parallel 1 --no-backup app.tgz
grep -q "^tenant-03 .* failed: " "$T/out" || fail "no failure: $(cat "$T/out")"
grep -q "^tenant-04 .* skipped$" "$T/out" || fail "tenant-04 not skipped: $(cat "$T/out")"
[ "$(sqlite3 dbs/t01.db "SELECT count(*) FROM migpack_history")" = 3 ] || fail "t01 not applied"
[ ! -e dbs/t04.db ] || fail "t04 was started after a failure"
[ "$(sqlite3 dbs/t03.db "SELECT group_concat(version) FROM migpack_history")" = 0001 ] ||
	fail "t03: $(sqlite3 dbs/t03.db 'SELECT version FROM migpack_history')"
expect_err "targets did not succeed"
# With --keep-going: every other target applied.
expect_exit 1 "$MIGRUN" apply --targets fleet --keep-going --no-backup --json app.tgz
python3 -c 'import json, sys
d = {t["target"]: t for t in json.load(open(sys.argv[1]))["targets"]}
assert d["tenant-03"]["result"] == "failed", d["tenant-03"]
assert d["tenant-03"]["from"] == "0001" and d["tenant-03"]["to"] == "0001", d["tenant-03"]
assert "b" in d["tenant-03"]["message"], d["tenant-03"]
assert d["tenant-05"]["result"] == "failed" and "not a database" in d["tenant-05"]["message"], d["tenant-05"]
assert d["tenant-08"]["result"] == "refused" and "drift" in d["tenant-08"]["message"], d["tenant-08"]
ok = [k for k, t in d.items() if t["result"] == "ok"]
assert len(ok) == 9, ok' "$T/out" || fail "json: $(cat "$T/out")"
# Only the drifted one left: refused, exit 3.
rm dbs/t03.db dbs/t05.db
expect_exit 3 "$MIGRUN" apply --targets fleet --no-backup app.tgz
grep -q "^tenant-08 .* refused: drift" "$T/out" || fail "$(cat "$T/out")"

# status: the fleet's shape, every target read.
rm dbs/t03.db
expect_exit 0 "$MIGRUN" apply --db sqlite:dbs/t03.db --no-backup --to 0002 app.tgz
printf 'not a database at all, but long enough to be read as one......\n%.0s' $(seq 20) >dbs/t05.db
expect_exit 1 "$MIGRUN" status --targets fleet app.tgz
grep -q "^tenant-03  *0002  *behind (1 pending)$" "$T/out" || fail "status: $(cat "$T/out")"
grep -q "^tenant-08  *0001  *drifted (1 changed, 0 missing)$" "$T/out" || fail "status: $(cat "$T/out")"
grep -q "^tenant-05  *-  *unreachable: " "$T/out" || fail "status: $(cat "$T/out")"
grep -q "^12 targets: 9 at 0003, 1 at 0002, 1 at 0001; 9 current, 1 behind, 1 drifted, 0 dirty, 1 unreachable$" "$T/out" ||
	fail "status headline: $(tail -1 "$T/out")"
expect_exit 1 "$MIGRUN" status --targets fleet --json app.tgz
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["versions"] == {"0003": 9, "0002": 1, "0001": 1}, d["versions"]
assert (d["current"], d["behind"], d["drifted"], d["unreachable"]) == (9, 1, 1, 1), d' "$T/out" ||
	fail "status json: $(head -c 300 "$T/out")"
rm dbs/t05.db
expect_exit 3 "$MIGRUN" status --targets fleet app.tgz
sqlite3 dbs/t08.db "DELETE FROM migpack_history"
expect_exit 0 "$MIGRUN" status --targets fleet app.tgz

# A failing canary: nothing else starts, even with --keep-going.
rm -rf dbs
mkdir dbs
sqlite3 dbs/t02.db "CREATE TABLE b (n int)"
expect_exit 1 "$MIGRUN" apply --targets fleet --canary 2 --keep-going --no-backup app.tgz
[ "$(grep -c ' skipped$' "$T/out")" = 10 ] || fail "canary: $(cat "$T/out")"
for i in $(seq -w 3 12); do [ ! -e dbs/t$i.db ] || fail "t$i started after a failed canary"; done
# A good canary: the rest follow.
rm dbs/t02.db
expect_exit 0 "$MIGRUN" apply --targets fleet --canary 2 --no-backup app.tgz
[ "$(grep -c ' ok$' "$T/out")" = 12 ] || fail "after a good canary: $(cat "$T/out")"
# Targets from standard input.
expect_exit 0 "$MIGRUN" status --targets - app.tgz <fleet

# verify, backup and down over the fleet.
expect_exit 0 "$MIGRUN" verify --targets fleet app.tgz
[ "$(grep -c ' ok$' "$T/out")" = 12 ] || fail "verify: $(cat "$T/out")"
sqlite3 dbs/t06.db "UPDATE migpack_history SET checksum = 'sha256:00' WHERE version = '0002'"
expect_exit 3 "$MIGRUN" verify --targets fleet --json app.tgz
python3 -c 'import json, sys
d = {t["target"]: t for t in json.load(open(sys.argv[1]))["targets"]}
assert d["tenant-06"]["result"] == "refused" and "drift: 1 migration differs" in d["tenant-06"]["message"], d["tenant-06"]
assert sum(t["result"] == "ok" for t in d.values()) == 11' "$T/out" || fail "verify json: $(cat "$T/out")"
sqlite3 dbs/t06.db "UPDATE migpack_history SET checksum = (SELECT checksum FROM migpack_history WHERE version = '0001') WHERE version = '0002'"
expect_exit 0 "$MIGRUN" backup --targets fleet --dir bk
for i in $(seq -w 1 12); do
	ls bk/tenant-$i/*.db.gz >/dev/null 2>&1 || fail "no backup of t$i in bk/tenant-$i/"
done
grep -q "^tenant-04 .* ok: bk/tenant-04/" "$T/out" || fail "backup: $(cat "$T/out")"
# A label that is no folder's name ('..', '-x') gets one of its own: its
# backups land neither above DIR nor in a folder an option-like name.
printf 'sqlite:dbs/t01.db -- name=..\nsqlite:dbs/t02.db -- name=-x\n' >odd
expect_exit 0 "$MIGRUN" backup --targets odd --dir bk/odd
ls bk/odd/_./*.db.gz bk/odd/_x/*.db.gz >/dev/null || fail "odd labels' backups: $(ls -aR bk/odd)"
[ "$(ls -a bk/odd)" = "$(printf '.\n..\n_.\n_x')" ] || fail "odd labels' folders: $(ls -a bk/odd)"
expect_exit 0 "$MIGRUN" down --targets fleet --steps 1 --no-backup
grep -q "^tenant-04  *0003  *0002  *1 " "$T/out" || fail "down: $(grep tenant-04 "$T/out")"
for i in $(seq -w 1 12); do
	[ "$(sqlite3 dbs/t$i.db "SELECT max(version) FROM migpack_history")" = 0002 ] || fail "t$i not rolled back"
done
