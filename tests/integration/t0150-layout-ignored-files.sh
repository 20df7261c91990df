#!/usr/bin/env bash
# Hidden files and folders, *.md and *.txt are ignored wherever they are:
# the build succeeds and the bundle is the one without them.
. "$(dirname "$0")/lib.sh"

putf() { mkdir -p "$(dirname "$1")"; printf -- "$2" >"$1"; }

for d in plain/app noisy/app; do
	putf $d/0001_a.up.sql 'select 1;\n'
	putf $d/0002_b/up.sql 'select 2;\n'
	putf $d/seeds/dev/t.csv 'id\n1\n'
done
putf noisy/app/.hidden 'junk\xff\n'
putf noisy/app/.0003_c.up.sql 'select 3;\n'
putf noisy/app/.git/HEAD 'ref: refs/heads/main\n'
putf noisy/app/README.md '# notes\n'
putf noisy/app/CHANGES.MD '# notes\n'
putf noisy/app/notes.txt 'notes\n'
putf noisy/app/0002_b/README.md 'about b\n'
putf noisy/app/0002_b/.up.sql.swp 'x\0y'
putf noisy/app/seeds/dev/notes.txt 'about seeds\n'
putf noisy/app/seeds/.cache 'x'

expect_exit 0 "$MIGPACK" build -o plain.tar.gz plain/app
expect_exit 0 "$MIGPACK" build -o noisy.tar.gz noisy/app
if tar tzf noisy.tar.gz | grep -E '(^|/)\.|\.md$|\.MD$|\.txt$'; then
	fail "ignored files ended up in the bundle"
fi
cmp plain.tar.gz noisy.tar.gz ||
	fail "ignored files changed the bundle: $(tar tzf noisy.tar.gz)"
