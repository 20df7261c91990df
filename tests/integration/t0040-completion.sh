#!/usr/bin/env bash
# PROGRAM completion bash|zsh: written from the command table, so every
# command and every option its usage line names completes; values of
# --dialect and the like; bundles, folders and files for operands.  The
# bash script is driven here as bash drives it.
. "$(dirname "$0")/lib.sh"

mkdir -p work/sub
: >work/a.tar.gz
: >work/b.tgz
: >work/notes.txt

# complete PROGRAM WORDS...: COMPREPLY, one per line, sorted, for the
# command line PROGRAM WORDS (the last word the one being completed).
complete_line() {
	local prog=$1
	shift
	(
		cd work
		# shellcheck disable=SC1090
		. "$T/$prog.bash"
		COMP_WORDS=("$prog" "$@")
		COMP_CWORD=$#
		"_$prog"
		printf '%s\n' "${COMPREPLY[@]}" | sort
	)
}

for prog in migpack migrun; do
	expect_exit 0 "$BIN/$prog" completion bash
	cp "$T/out" "$prog.bash"
	bash -n "$prog.bash" || fail "$prog.bash: not bash"
	grep -q "^complete -F _$prog $prog$" "$prog.bash" || fail "$prog.bash: no complete"
	# Every command the program lists.
	"$BIN/$prog" --help >help.txt
	cmds=$(sed -n 's/^  \([a-z-]*\) .*/\1/p' help.txt)
	got=$(complete_line "$prog" "")
	for c in $cmds; do
		grep -qx "$c" <<<"$got" || fail "$prog: command $c does not complete: $got"
	done
	# Every option a command's usage line names completes after "--".
	for c in $cmds; do
		[ "$c" = completion ] && continue
		"$BIN/$prog" "$c" --help | head -n1 >usage.txt
		got=$(complete_line "$prog" "$c" "--")
		for o in $(grep -o -- '--[a-z][a-z-]*' usage.txt | sort -u); do
			grep -qx -- "$o" <<<"$got" || fail "$prog $c: $o does not complete: $got"
		done
	done
	if command -v zsh >/dev/null; then
		expect_exit 0 "$BIN/$prog" completion zsh
		head -n1 "$T/out" | grep -qx "#compdef $prog" || fail "$prog zsh: no #compdef"
		zsh -n "$T/out" || fail "$prog zsh: not zsh"
	fi
done

# Values.
[ "$(complete_line migpack build --engines "")" = "postgres
postgres,sqlite
sqlite" ] || fail "--engines: $(complete_line migpack build --engines "")"
[ "$(complete_line migrun review --format "")" = "html
md
text" ] || fail "--format"
[ "$(complete_line migrun sql --dialect p)" = postgres ] || fail "--dialect p"
[ -z "$(complete_line migrun apply --db "")" ] || fail "--db offers something"
[ "$(complete_line migpack completion "")" = "bash
zsh" ] || fail "completion's shells"
# Options by prefix.
[ "$(complete_line migpack build --si)" = "--sign" ] || fail "--si: $(complete_line migpack build --si)"
# Operands: bundles (and folders to reach them), folders, files.
[ "$(complete_line migrun apply "")" = "a.tar.gz
b.tgz
sub" ] || fail "apply's BUNDLE: $(complete_line migrun apply "")"
[ "$(complete_line migpack build "")" = "sub" ] || fail "build's DIR: $(complete_line migpack build "")"
[ "$(complete_line migpack new x --dir "")" = "sub" ] || fail "--dir"
[ "$(complete_line migrun restore --yes "")" = "a.tar.gz
b.tgz
notes.txt
sub" ] || fail "restore's FILE: $(complete_line migrun restore --yes "")"
[ -z "$(complete_line migpack keygen "")" ] || fail "keygen takes no operand"
[ "$(complete_line migrun review --previous "")" = "a.tar.gz
b.tgz
sub" ] || fail "--previous"

# A shell it cannot write for.
expect_exit 2 "$MIGPACK" completion fish
expect_err "completion: bash or zsh"
expect_exit 2 "$MIGRUN" completion
