# Progress lines go to stderr when it is a terminal and more than one
# migration runs; never into a pipe, never with --quiet.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/sqlite.sh"
. "$TOP/tests/integration/scenarios.sh"

command -v script >/dev/null || fail "script (util-linux) is missing"
app app
bundle app b.tgz
newdb piped
mr 0 apply b.tgz
grep -q '^\[' "$T/err" && fail "progress in a pipe: $(cat "$T/err")"
newdb tty
script -qec "'$MIGRUN' apply --db '$DB' b.tgz 2>&1 >/dev/null" /dev/null >tty.out ||
    fail "apply on a terminal failed: $(cat tty.out)"
grep -q '\[1/5\] 0001 create_items' tty.out || fail "no progress: $(cat tty.out)"
grep -q '\[5/5\] repeatable item_names' tty.out || fail "no last step: $(cat tty.out)"
newdb quiet
script -qec "'$MIGRUN' apply --quiet --db '$DB' b.tgz" /dev/null >tty.out ||
    fail "apply --quiet failed: $(cat tty.out)"
[ ! -s tty.out ] || fail "--quiet printed: $(cat tty.out)"
