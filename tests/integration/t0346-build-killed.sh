#!/usr/bin/env bash
# migpack build -o OUT killed with SIGKILL at many points: OUT is the
# bundle that was there before or the whole new one (byte for byte what
# an uninterrupted build writes), never a part; and the next build removes
# the temporary file a killed one left.
. "$(dirname "$0")/lib.sh"
. "$TOP/bench/lib.sh"

points=$((${KILL_POINTS:-30} / 2))
gen_migrations app 3000
mkdir old
cp app/0001_* old/
expect_exit 0 "$MIGPACK" build --engines sqlite -o old.tgz old
expect_exit 0 "$MIGPACK" build --engines sqlite -o whole.tgz app
ms=99999
for _ in 1 2 3; do
	t0=$(date +%s%N)
	"$MIGPACK" build --engines sqlite -o timed.tgz app >/dev/null 2>&1
	t1=$(date +%s%N)
	[ $(((t1 - t0) / 1000000)) -lt "$ms" ] && ms=$(((t1 - t0) / 1000000))
done
olds=0 news=0
for i in $(seq 0 $((points - 1))); do
	at=$((ms * (i + 1) / (points + 1)))
	mkdir -p dest
	cp old.tgz dest/b.tgz
	"$MIGPACK" build --engines sqlite -o dest/b.tgz app >/dev/null 2>&1 &
	pid=$!
	sleep "$((at / 1000)).$(printf %03d $((at % 1000)))"
	kill -s KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if cmp -s dest/b.tgz old.tgz; then
		olds=$((olds + 1))
	else
		cmp -s dest/b.tgz whole.tgz ||
		    fail "build killed after $at ms left a bundle that is neither"
		news=$((news + 1))
	fi
	expect_exit 0 "$MIGPACK" build --engines sqlite -o dest/b.tgz app
	cmp -s dest/b.tgz whole.tgz || fail "the build after a killed one differs"
	[ "$(ls -A dest)" = b.tgz ] || fail "left behind: $(ls -A dest)"
	rm -rf dest
done
echo "build: $points points over $ms ms: $olds left the old bundle, $news the new one; 0 cut" |
	tee -a "${KILL_LOG:-/dev/null}" >&2
[ "$olds" -ge $((points / 3)) ] ||
	fail "only $olds of $points points stopped the build part way"
