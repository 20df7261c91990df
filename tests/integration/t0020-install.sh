#!/usr/bin/env bash
# make install puts both programs under DESTDIR/PREFIX/bin, runnable, and
# their completion scripts where bash-completion and zsh look, and the man
# pages under share/man; uninstall
# takes all of it away.
. "$(dirname "$0")/lib.sh"

make -C "$TOP" -s install -o all BIN="$BIN" PREFIX=/opt/mp DESTDIR="$T/root" \
	>"$T/out" 2>&1 || fail "make install failed: $(cat "$T/out")"
for p in migpack migrun; do
	[ -x "$T/root/opt/mp/bin/$p" ] || fail "$p not installed"
	"$T/root/opt/mp/bin/$p" --version | grep -q "^$p " ||
		fail "installed $p does not run"
done
for p in migpack migrun; do
	grep -q "^complete -F _$p $p$" "$T/root/opt/mp/share/bash-completion/completions/$p" ||
		fail "no bash completion for $p"
	head -n1 "$T/root/opt/mp/share/zsh/vendor-completions/_$p" | grep -qx "#compdef $p" ||
		fail "no zsh completion for $p"
done
for m in man1/migpack.1 man1/migrun.1 man5/migpack-bundle.5; do
	[ -f "$T/root/opt/mp/share/man/$m" ] || fail "$m not installed"
done
make -C "$TOP" -s uninstall PREFIX=/opt/mp DESTDIR="$T/root" >/dev/null
[ -z "$(find "$T/root" -type f)" ] || fail "uninstall left: $(find "$T/root" -type f)"
