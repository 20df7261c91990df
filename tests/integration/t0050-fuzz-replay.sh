#!/usr/bin/env bash
# Every fuzz target (tests/fuzz/) replays its seed corpus and every crash
# fuzzing found (tests/fuzz/regress/), without libFuzzer: a fixed crash
# must stay fixed.
. "$(dirname "$0")/lib.sh"

n=0
for src in "$TOP"/tests/fuzz/fuzz-*.c; do
	name=${src##*/fuzz-}
	name=${name%.c}
	replay=$TOOLS/fuzz-replay-$name
	[ -x "$replay" ] || fail "no replay program for fuzz-$name: $replay"
	expect_exit 0 "$replay" "$TOP/tests/fuzz/corpus/$name" \
	    "$TOP/tests/fuzz/regress/$name"
	grep -Eq '^[1-9][0-9]* inputs replayed$' "$T/out" ||
	    fail "fuzz-$name replayed nothing: $(cat "$T/out")"
	n=$((n + 1))
done
[ "$n" = 7 ] || fail "$n fuzz targets, expected 7"
