#!/usr/bin/env bash
# The command line: --version, --help on the program and on every command,
# and exit 2 for an unknown command or option.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$MIGPACK" --version
grep -qE '^migpack [0-9]+\.[0-9]+' "$T/out" ||
	fail "migpack --version printed no version: $(cat "$T/out")"

expect_exit 0 "$MIGPACK" --help
expect_out "usage:"
for cmd in build list verify; do
	expect_out "$cmd"
done

# Every command the program lists has its own --help (git's t0012).
commands=$(sed -n 's/^  \([a-z-]*\) .*/\1/p' "$T/out")
[ -n "$commands" ] || fail "--help lists no commands"
for cmd in $commands; do
	expect_exit 0 "$MIGPACK" "$cmd" --help
	expect_out "usage:"
	expect_out "$cmd"
	expect_exit 0 "$MIGPACK" help "$cmd"
	expect_out "usage:"
	expect_out "$cmd"
done

expect_exit 2 "$MIGPACK" no-such-command
expect_err "migpack: "
expect_err "no-such-command"

mkdir d
printf 'select 1;\n' >d/0001_a.up.sql
for cmd in build list verify; do
	expect_exit 2 "$MIGPACK" "$cmd" --no-such-option d
	expect_err "migpack: "
	expect_err "--no-such-option"
done
expect_exit 2 "$MIGPACK" build -Z d
expect_err "migpack: "
[ ! -e d-0001.tar.gz ] || fail "build with an unknown option wrote a bundle"

# No command at all is a usage error too.
expect_exit 2 "$MIGPACK"
expect_err "usage:"

expect_exit 0 "$MIGRUN" --version
grep -qE '^migrun [0-9]+\.[0-9]+' "$T/out" ||
	fail "migrun --version printed no version: $(cat "$T/out")"
