#!/bin/sh
# scripts/deps.sh build|test|ci: the Debian packages migpack needs to be
# built (build), tested (test: the real tools its users run, PostgreSQL's
# server too) or run through CI (ci: clang and libFuzzer's runtime as
# well).  Says nothing when all are installed.  Otherwise, as root with
# apt-get, installs what is missing; as anyone else, stops (exit 1) with
# the exact `sudo apt-get install ...` line.  Not Debian (no dpkg-query):
# says what to install and goes on, leaving pkg-config to name what the
# build lacks.  make run, make test and .ci/run call it first.
set -eu

build="make gcc pkg-config libarchive-dev zlib1g-dev libsodium-dev
	libsqlite3-dev libpq-dev libpg-query-dev libprotobuf-c-dev"
test="$build libcmocka-dev tar gzip coreutils util-linux procps python3
	postgresql sqlite3 minisign chromium tidy zsh mandoc dpkg-dev lintian"
ci="$test clang"

case ${1-} in
build) want=$build ;;
test) want=$test ;;
ci) want=$ci ;;
*) echo "usage: scripts/deps.sh build|test|ci" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system (no dpkg-query); migpack needs the" \
	    "equivalents of:" $want >&2
	exit 0
fi

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

missing() {
	for p in $want; do
		installed "$p" || printf '%s ' "$p"
	done
}

install() {
	echo "deps.sh: installing: $*"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends "$@" >/dev/null
}

need=$(missing)
if [ -n "$need" ]; then
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "deps.sh: missing packages; install them with:" >&2
		echo "    sudo apt-get install $need" | sed 's/ *$//' >&2
		exit 1
	fi
	# shellcheck disable=SC2086
	install $need
fi
# libFuzzer comes with clang's runtime, a package named for its version.
if [ "$1" = ci ]; then
	rt=libclang-rt-$(clang --version |
	    sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n1)-dev
	if ! installed "$rt"; then
		[ "$(id -u)" = 0 ] || { echo "deps.sh: missing packages;" \
		    "install them with:" >&2; echo "    sudo apt-get install $rt" >&2;
		    exit 1; }
		install "$rt"
	fi
fi
exit 0
