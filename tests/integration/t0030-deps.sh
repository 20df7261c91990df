#!/usr/bin/env bash
# scripts/deps.sh: silent when every package is there; as root, installs
# what is missing with apt-get; as anyone else, stops with the exact
# `sudo apt-get install` line; not Debian, says what to install.
# dpkg-query, id and apt-get are stand-ins on PATH (CI's clean machine
# runs the real ones).
. "$(dirname "$0")/lib.sh"

mkdir fake
cat >fake/dpkg-query <<'SH'
#!/bin/sh
# The last argument is the package; those in $MISSING are not installed.
for p; do :; done
case " $MISSING " in *" $p "*) exit 1 ;; esac
printf 'install ok installed'
SH
cat >fake/id <<'SH'
#!/bin/sh
echo "$FAKE_UID"
SH
cat >fake/apt-get <<'SH'
#!/bin/sh
echo "apt-get $*" >>"$APT_LOG"
SH
chmod +x fake/*
deps() { env PATH="$T/fake:$PATH" APT_LOG="$T/apt.log" "$TOP/scripts/deps.sh" "$@"; }

# Everything there: nothing said, nothing installed.
MISSING= FAKE_UID=0 expect_exit 0 deps test
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || fail "said something: $(cat "$T/out" "$T/err")"
[ ! -e apt.log ] || fail "apt-get ran: $(cat apt.log)"

# Not root: the exact line, nothing installed, exit 1.
MISSING="libsodium-dev minisign" FAKE_UID=1000 expect_exit 1 deps test
expect_err "    sudo apt-get install libsodium-dev minisign"
[ ! -e apt.log ] || fail "apt-get ran for a user: $(cat apt.log)"
# build needs no test tool.
MISSING="minisign" FAKE_UID=1000 expect_exit 0 deps build
MISSING="libsodium-dev" FAKE_UID=1000 expect_exit 1 deps build
expect_err "    sudo apt-get install libsodium-dev"

# Root: apt-get installs exactly what is missing.
MISSING="libsodium-dev tidy" FAKE_UID=0 expect_exit 0 deps test
expect_out "deps.sh: installing: libsodium-dev tidy"
grep -q "^apt-get update -qq$" apt.log || fail "no apt-get update: $(cat apt.log)"
grep -q "^apt-get install -y -qq --no-install-recommends libsodium-dev tidy$" apt.log ||
	fail "apt-get: $(cat apt.log)"

# Not Debian: what to install, and on.
mkdir bare
ln -s "$(command -v sh)" bare/sh
for t in sed grep head; do ln -s "$(command -v $t)" bare/$t; done
expect_exit 0 env PATH="$T/bare" "$TOP/scripts/deps.sh" build
expect_err "not a Debian system (no dpkg-query); migpack needs the equivalents of:"
expect_err "libsodium-dev"
expect_exit 2 "$TOP/scripts/deps.sh" nonsense
expect_err "usage: scripts/deps.sh build|test|ci"
