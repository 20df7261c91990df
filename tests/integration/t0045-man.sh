#!/usr/bin/env bash
# The man pages: mandoc -Tlint clean, and each program's page names every
# command and every option of its command table, and nothing else (the
# table is read from the program's own completion script, which is written
# from it).
. "$(dirname "$0")/lib.sh"
command -v mandoc >/dev/null || fail "no mandoc (scripts/deps.sh test installs it)"

for page in "$TOP"/man/*.[15]; do
	mandoc -Tlint -W warning "$page" >lint.txt 2>&1 || fail "mandoc -Tlint $page: $(cat lint.txt)"
	mandoc -Tascii "$page" >/dev/null || fail "mandoc cannot render $page"
done

# table PROGRAM: "COMMAND OPTION" lines from the program's table.
table() {
	"$BIN/$1" completion bash |
	    sed -n "s/^	\([a-z]*\)) opts='\(.*\)'$/\1 \2/p" |
	    while read -r cmd opts; do
		for o in $opts; do
			[ "$o" = --help ] || echo "$cmd $o"
		done
	done | sort -u
}

# page FILE: "COMMAND OPTION" lines from each ".Ss COMMAND" section's Fl
# macros.
page() {
	awk '
	/^\.Sh / { cmd = "" }
	/^\.Ss / { cmd = $2; print cmd " -"; next }
	cmd != "" && cmd != "completion" {
		for (i = 1; i <= NF; i++)
			if (($i == "Fl" || $i == ".Fl") && i < NF) {
				# "Fl -db" is --db, "Fl o" is -o.
				print cmd " -" $(i + 1)
			}
	}' "$1" | grep -v ' -$' | sort -u
}

for prog in migpack migrun; do
	table "$prog" >table.txt
	page "$TOP/man/$prog.1" >page.txt
	[ -s table.txt ] && [ -s page.txt ] || fail "$prog: nothing read"
	if ! diff table.txt page.txt >diff.txt; then
		fail "$prog.1 and $prog's command table differ (< table only, > page only):
$(cat diff.txt)"
	fi
	# Every command has its section.
	for cmd in $("$BIN/$prog" --help | sed -n 's/^  \([a-z-]*\) .*/\1/p'); do
		grep -q "^\.Ss $cmd$" "$TOP/man/$prog.1" || fail "$prog.1 has no section for $cmd"
	done
done

# The test sees a difference: an option the page lacks.
sed '/^\.It Fl -detached$/d; s/^\.Fl -detached .*//' "$TOP/man/migpack.1" >short.1
page short.1 >page.txt
table migpack >table.txt
diff table.txt page.txt >/dev/null && fail "a missing option went unseen"
exit 0
