#!/usr/bin/env bash
# A fleet's live view on a terminal: a line per running target (its label,
# the migration it is at, i/n), the counts of done, failed and waiting,
# lines that fit the terminal, a failure's line kept above the view, and
# nothing of the view left once the table is printed.  Off a terminal, or
# on a dumb one, a line per finished target; --quiet, nothing on success.
# A safe stop: Ctrl-C lets the running targets finish and starts no other,
# a second interrupt stops them; a target's process killed is a failure.
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
# More running targets than the terminal's 24 lines hold: the view keeps
# to 23 (the cursor could not go back above the screen's top), the rest
# counted.
for i in $(seq -w 1 30); do echo "sqlite:many$i.db"; done >many
expect_exit 0 $TERMINAL 80 "$MIGRUN" apply --targets many --parallel 30 --no-backup --to 0001 app.tgz
cp "$T/out" raw
python3 - <<'PY' || fail "the view of 30 running: $(cat -v raw | head -60)"
import re
raw = open("raw", encoding="utf-8", errors="replace", newline="").read()
frames = [f.split("\r\n") for f in re.split(r"\r\x1b\[\d+A\x1b\[J", raw)][:-1]
assert frames and all(len(f) - 1 <= 23 for f in frames), max(map(len, frames))
assert any("  and 9 more" in f and "0 done, 0 failed, 30 running, 0 waiting" in f
           for f in frames), frames[:2]
PY

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

# Ctrl-C on the terminal: it reaches the fleet alone (each target runs in
# a process group of its own), which starts no new target and lets the
# running ones finish; the rest are skipped, exit 1.
rm -f t*.db
expect_exit 1 $TERMINAL --screen --type 0.5 '\x03' 200 "$MIGRUN" apply --targets fleet --parallel 2 --no-backup app.tgz
grep -q "^migrun: stopping: no new target starts; the 2 running finish (interrupt again to stop them now)$" "$T/out" ||
	fail "no word of the stop: $(cat "$T/out")"
[ "$(grep -c '^tenant-with-a-long-name-[12]  *none  *0003  *3 .* ok$' "$T/out")" = 2 ] ||
	fail "the running targets did not finish: $(cat "$T/out")"
[ "$(grep -c ' skipped$' "$T/out")" = 3 ] || fail "the rest: $(cat "$T/out")"
[ ! -e t3.db ] || fail "a target started after Ctrl-C"

# Twice, off a terminal (SIGINT, then SIGTERM): the running targets are
# stopped now, their open transaction rolled back, what they had applied
# before it kept, clean; where they are is unknown to the report.
rm -f t*.db
"$MIGRUN" apply --targets fleet --parallel 2 --no-backup --json app.tgz >out 2>err &
pid=$!
for _ in $(seq 100); do
	[ "$(pgrep -P $pid | wc -l)" = 2 ] && break
	sleep 0.05
done
sleep 0.3
kill -INT $pid
sleep 0.2
kill -TERM $pid
rc=0
wait $pid || rc=$?
[ $rc = 1 ] || fail "exit $rc after two interrupts: $(cat out err)"
grep -q "^migrun: stopping the 2 running targets now$" err || fail "no word of the second stop: $(cat err)"
python3 - <<'PY' || fail "the JSON after two interrupts: $(cat out)"
import json
d = json.load(open("out"))["targets"]
for t in d[:2]:
    assert t["result"] == "failed" and t["applied"] is None and t["to"] is None, t
    assert t["message"].startswith("stopped by the second interrupt during "), t
    assert t["message"].endswith(", as a single run stopped so is "
                                 "(migrun status says where it is)"), t
assert all(t["result"] == "skipped" for t in d[2:]), d
PY
for i in 1 2; do
	expect_exit 0 "$MIGRUN" status --db sqlite:t$i.db app.tgz
	grep -q "dirty" "$T/out" && fail "t$i dirty after the stop: $(cat "$T/out")"
	# A migration's table exists if and only if its row does.
	rows=$(sqlite3 t$i.db "SELECT group_concat(version) FROM migpack_history" 2>/dev/null || true)
	for k in 1 2 3; do
		table=$(sqlite3 t$i.db "SELECT count(*) FROM sqlite_master WHERE name = 't$k'")
		case ",$rows," in
		*,000$k,*) [ "$table" = 1 ] || fail "t$i: 000$k applied, no table t$k" ;;
		*) [ "$table" = 0 ] || fail "t$i: table t$k without its history row ($rows)" ;;
		esac
	done
done
[ ! -e t3.db ] || fail "a target started after the interrupts"
