#!/usr/bin/env bash
# make deb: a package lintian finds no error in, that dpkg installs (both
# programs run, their man pages and completion in place) and removes
# leaving nothing.  Root only: it installs into the system.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIPPED: installing a package needs root" >&2; exit 77; }
if dpkg-query -W -f='${Status}' migpack 2>/dev/null | grep -q 'ok installed'; then
	echo "SKIPPED: a migpack package is installed here already" >&2
	exit 77
fi

version=$("$MIGPACK" --version | cut -d' ' -f2)
expect_exit 0 "$TOP/scripts/deb.sh" "$BIN" "$version" "$T"
deb=$T/migpack_${version}_$(dpkg --print-architecture).deb
[ "$(cat "$T/out")" = "$deb" ] && [ -f "$deb" ] || fail "no package: $(cat "$T/out")"
dpkg-deb -f "$deb" Depends | grep -q 'libsodium' || fail "Depends: $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q 'libpq' && fail "libpq is a Depends, not a Recommends"
[ "$(dpkg-deb -f "$deb" Recommends)" = libpq5 ] || fail "Recommends: $(dpkg-deb -f "$deb" Recommends)"
for p in migpack migrun; do
	dpkg-deb -x "$deb" x
	readelf -S "x/usr/bin/$p" | grep -q '\.debug_info' && fail "$p is not stripped"
done
lintian --tag-display-limit 0 "$deb" >lintian.txt 2>&1 || true
grep -q '^E:' lintian.txt && fail "lintian: $(grep '^E:' lintian.txt)"

# Installed, it works; removed, nothing is left.
trap 'dpkg -r migpack >/dev/null 2>&1; rm -rf "$T"' EXIT
dpkg -i "$deb" >dpkg.txt 2>&1 || fail "dpkg -i: $(cat dpkg.txt)"
files=$(dpkg -L migpack | while read -r f; do [ -f "$f" ] && echo "$f"; done)
for p in migpack migrun; do
	"/usr/bin/$p" --version | grep -q "^$p $version$" || fail "/usr/bin/$p does not run"
	[ -f "/usr/share/man/man1/$p.1.gz" ] || fail "no man page for $p"
	[ -f "/usr/share/bash-completion/completions/$p" ] || fail "no completion for $p"
done
[ -f /usr/share/man/man5/migpack-bundle.5.gz ] || fail "no migpack-bundle(5)"
/usr/bin/migpack new first --dir m >/dev/null && /usr/bin/migpack build -o b.tgz m >/dev/null 2>&1 &&
	/usr/bin/migrun apply --db t.db --no-backup --quiet b.tgz || fail "the installed programs do not work"
dpkg -r migpack >dpkg.txt 2>&1 || fail "dpkg -r: $(cat dpkg.txt)"
for f in $files; do
	[ ! -e "$f" ] || fail "left after dpkg -r: $f"
done
dpkg-query -W -f='${Status}' migpack 2>/dev/null | grep -q 'ok installed' && fail "still installed"
exit 0
