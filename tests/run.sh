#!/usr/bin/env bash
# Run every test given: cmocka unit binaries and integration scripts.  Print
# PASS, FAIL or SKIP per test, the log of failures and skips only, and one
# closing line "N passed, N failed" (cmocka cases and integration scripts
# counted; skips are named again above it, loudly).  An integration script
# that exits 77 could not run here (a missing PostgreSQL server, say).
set -u
passed=0 failed=0 skipped=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
	name=${t##*/}
	if [ "${t%.sh}" != "$t" ]; then
		bash "$t" >"$log" 2>&1; rc=$?
		if [ "$rc" -eq 0 ]; then
			echo "PASS $name"; passed=$((passed + 1))
		elif [ "$rc" -eq 77 ]; then
			echo "SKIP $name"; sed 's/^/    /' "$log"
			skipped+=("$name")
		else
			echo "FAIL $name"; sed 's/^/    /' "$log"; failed=$((failed + 1))
		fi
		continue
	fi
	# A cmocka binary: its own summary, and its counts into ours.
	"$t" >"$log" 2>&1; rc=$?
	grep -E '^\[  (PASSED|FAILED|SKIPPED)  \]|^\[==========\]' "$log" |
		sed "s/^/$name: /"
	p=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) test.*/\1/p' "$log")
	f=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) test.*/\1/p' "$log")
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then f=1; fi	# crashed
	[ "$rc" -ne 0 ] && sed 's/^/    /' "$log"
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ ${#skipped[@]} -gt 0 ]; then
	echo "SKIPPED ${#skipped[@]} tests, not run here: ${skipped[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
