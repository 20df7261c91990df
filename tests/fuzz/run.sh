#!/usr/bin/env bash
# tests/fuzz/run.sh DIR SECONDS NAME...: run each libFuzzer target
# DIR/fuzz-NAME for SECONDS on a scratch copy of its corpus
# (tests/fuzz/corpus/NAME, and tests/fuzz/regress/NAME: the crashes found
# before), printing libFuzzer's own lines, then one line per target.  A
# crash is kept in build-fuzz/crashes/; copy it into tests/fuzz/regress/NAME/
# so that make test replays it.  Exit 1 when any target crashed.
set -u
dir=$1 secs=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
crashes=$(dirname "$dir")/crashes
mkdir -p "$crashes"
summary=() failed=0
for name in "$@"; do
	scratch=$(mktemp -d)
	log=$(mktemp)
	echo "== fuzz-$name, $secs s"
	"$dir/fuzz-$name" "$scratch" "$here/corpus/$name" \
	    $( [ -d "$here/regress/$name" ] && echo "$here/regress/$name") \
	    -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix="$crashes/$name-" 2>&1 |
	    tee "$log"
	rc=${PIPESTATUS[0]}
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	if [ "$rc" -ne 0 ]; then
		failed=1
		summary+=("$name: ${runs:-?} executions, crashed (see $crashes)")
	else
		summary+=("$name: ${runs:-?} executions, 0 crashes")
	fi
	rm -rf "$scratch" "$log"
done
echo "== fuzzing, $secs s per target"
printf '%s\n' "${summary[@]}"
exit "$failed"
