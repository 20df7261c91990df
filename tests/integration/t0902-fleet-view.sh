#!/usr/bin/env bash
# A fleet's live view on a terminal: a line per running target (its label,
# the migration it is at, i/n), the counts of done, failed and waiting,
# lines that fit the terminal, a failure's line kept above the view, and
# nothing of the view left once the table is printed.  Off a terminal, or
# on a dumb one, a line per finished target; --quiet, nothing on success.
. "$(dirname "$0")/lib.sh"
TERMINAL="python3 $TOP/tests/terminal.py"

# Three migrations slow enough (a recursive count) to be seen running.
for i in 1 2 3; do
	put app/000${i}_slow_$i.up.sql "create table t$i (n int);\nwith recursive c(x) as (select 1 union all select x + 1 from c where x < 1500000) insert into t$i select count(*) from c;\n"
done
expect_exit 0 "$MIGPACK" build -o app.tgz app
for i in 1 2 3 4 5; do echo "sqlite:t$i.db -- name=tenant-with-a-long-name-$i"; done >fleet

# view RAW COLUMNS: check the view's frames in RAW, drawn COLUMNS wide.
view() {
	python3 - "$1" "$2" <<'PY'
import json, re, sys
raw = open(sys.argv[1], encoding="utf-8", errors="replace", newline="").read()
cols = int(sys.argv[2])
frames = [f.split("\r\n") for f in re.split(r"\r\x1b\[\d+A\x1b\[J", raw)]
count = re.compile(r"^(\d+) done, (\d+) failed, (\d+) running, (\d+) waiting$")
line = re.compile(r"^  (\S+) +(\d+\.\d)s  (\[(\d)/3\] 000\d slow_\d|starting)$")
seen_steps, two, views = set(), False, 0
for f in frames:
    counts = [l for l in f if count.match(l)]
    if not counts:
        continue
    views += 1
    block = [l for l in f[:f.index(counts[0])] if l.startswith("  ")]
    done, failed, running, waiting = map(int, count.match(counts[0]).groups())
    assert failed == 0 and done + running + waiting == 5, f
    assert len(block) == running, f
    # A line of the view never reaches the last column.
    assert all(len(l) < cols for l in block + counts), f
    for l in block if cols >= 60 else []:
        # A long label keeps its two ends; each migration is seen, i of 3.
        m = line.match(l)
        assert m and re.match(r"^tenant-wi\.\.ng-name-\d$", m.group(1)), l
        if m.group(4):
            seen_steps.add(m.group(3))
    two |= running == 2 and len(set(block)) == 2
assert views >= 5, views
if cols >= 60:
    assert seen_steps == {"[1/3] 0001 slow_1", "[2/3] 0002 slow_2",
                          "[3/3] 0003 slow_3"}, seen_steps
    assert two
PY
}

for cols in 60 40; do
	rm -f t*.db
	expect_exit 0 $TERMINAL $cols "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
	cp "$T/out" raw
	view raw $cols || fail "the view, $cols columns: $(cat -v raw | head -40)"
done
# What stays on the terminal: the table, none of the view.
rm -f t*.db
expect_exit 0 $TERMINAL --screen 200 "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
[ "$(grep -c ' ok$' "$T/out")" = 5 ] || fail "the table: $(cat "$T/out")"
! grep -E "running|waiting|  tenant-\.\." "$T/out" || fail "the view left on the screen: $(cat "$T/out")"
[ "$(head -n1 "$T/out" | cut -c1-6)" = TARGET ] || fail "before the table: $(cat "$T/out")"

# A target failing mid-way: its line stays above the view, the counts say
# it, and no new target starts (the others are not to start).
rm -f t*.db
sqlite3 t2.db "CREATE TABLE t2 (n int)"
expect_exit 1 $TERMINAL 100 "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
cp "$T/out" raw
grep -qa "0 done, 1 failed, 1 running, 3 not to start" raw ||
	fail "the counts after a failure: $(cat -v raw | tail -20)"
expect_exit 1 $TERMINAL --screen 200 "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
head -n1 "$T/out" | grep -q "^migrun: tenant-with-a-long-name-2: failed: migrations/0002_slow_2/up.sql:1: table t2 already exists$" ||
	fail "the failure's line: $(cat "$T/out")"
! grep -E "running|not to start" "$T/out" || fail "the view left on the screen: $(cat "$T/out")"

# A dumb terminal, and none: a line per finished target, no escapes.
rm -f t*.db
expect_exit 0 $TERMINAL 80 env TERM=dumb "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
! grep -q $'\033' "$T/out" || fail "escapes on a dumb terminal: $(cat -v "$T/out")"
[ "$(grep -c ': ok' "$T/out")" = 5 ] || fail "lines on a dumb terminal: $(cat "$T/out")"
rm -f t*.db
expect_exit 0 "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
! grep -q $'\033' "$T/err" || fail "escapes off a terminal: $(cat -v "$T/err")"
[ "$(grep -c '^migrun: tenant-with-a-long-name-.: ok$' "$T/err")" = 5 ] || fail "lines: $(cat "$T/err")"

# --quiet on a terminal: nothing at all when every target is ok; the table
# when one is not.
rm -f t*.db
expect_exit 0 $TERMINAL 80 "$MIGRUN" apply --targets fleet --quiet --no-backup app.tgz
[ ! -s "$T/out" ] || fail "--quiet said: $(cat -v "$T/out")"
[ "$(sqlite3 t5.db "SELECT count(*) FROM migpack_history")" = 3 ] || fail "--quiet applied nothing"
sqlite3 t4.db "UPDATE migpack_history SET checksum = 'sha256:00' WHERE version = '0001'"
expect_exit 3 $TERMINAL 200 "$MIGRUN" apply --targets fleet --quiet --no-backup app.tgz
grep -q "^tenant-with-a-long-name-4 .* refused: drift" "$T/out" || fail "--quiet's table: $(cat -v "$T/out")"
! grep -q $'\033' "$T/out" || fail "--quiet drew: $(cat -v "$T/out")"

# A target's process killed: that target failed, saying how its process
# ended; the others go on (--keep-going) and finish.
rm -f t*.db
"$MIGRUN" apply --targets fleet --parallel 1 --keep-going --no-backup app.tgz >out 2>err &
pid=$!
for _ in $(seq 100); do
	kid=$(pgrep -P $pid || true)
	[ -n "$kid" ] && break
	sleep 0.05
done
[ -n "$kid" ] || fail "no target's process under migrun"
kill -9 "$kid"
rc=0
wait $pid || rc=$?
[ $rc = 1 ] || fail "exit $rc after a target's process was killed: $(cat out err)"
grep -q "^tenant-with-a-long-name-1 .* failed: its process ended without a report (signal 9)$" out ||
	fail "the killed target's row: $(cat out)"
[ "$(grep -c ' ok$' out)" = 4 ] || fail "the others: $(cat out)"
