#!/usr/bin/env bash
# make install puts both programs under DESTDIR/PREFIX/bin, runnable.
. "$(dirname "$0")/lib.sh"

make -C "$TOP" -s install -o all BIN="$BIN" PREFIX=/opt/mp DESTDIR="$T/root" \
	>"$T/out" 2>&1 || fail "make install failed: $(cat "$T/out")"
for p in migpack migrun; do
	[ -x "$T/root/opt/mp/bin/$p" ] || fail "$p not installed"
	"$T/root/opt/mp/bin/$p" --version | grep -q "^$p " ||
		fail "installed $p does not run"
done
make -C "$TOP" -s uninstall PREFIX=/opt/mp DESTDIR="$T/root" >/dev/null
[ ! -e "$T/root/opt/mp/bin/migpack" ] || fail "uninstall left migpack"
