#!/usr/bin/env bash
# Every integration test has a number of its own: two of one number run
# in no defined order, and a failure's name is ambiguous.
. "$(dirname "$0")/lib.sh"

dups=$(ls "$TOP/tests/integration" | sed -n 's/^t\([0-9][0-9]*\)-.*\.sh$/\1/p' | sort | uniq -d)
[ -z "$dups" ] || fail "test numbers given twice: $(for n in $dups; do ls "$TOP/tests/integration" | grep "^t$n-"; done | tr '\n' ' ')"
[ "$(ls "$TOP/tests/integration" | grep -c '^t[0-9]*-.*\.sh$')" -gt 100 ] || fail "the tests were not found"
