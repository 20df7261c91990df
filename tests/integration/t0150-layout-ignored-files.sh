#!/usr/bin/env bash
# Hidden files and folders, *.md and *.txt are ignored wherever they are:
# the build succeeds and the bundle is the one without them.
. "$(dirname "$0")/lib.sh"

for d in plain/app noisy/app; do
	put $d/0001_a.up.sql 'select 1;\n'
	put $d/0002_b/up.sql 'select 2;\n'
	put $d/seeds/dev/t.csv 'id\n1\n'
done
put noisy/app/.hidden 'junk\xff\n'
put noisy/app/.0003_c.up.sql 'select 3;\n'
put noisy/app/.git/HEAD 'ref: refs/heads/main\n'
put noisy/app/README.md '# notes\n'
put noisy/app/CHANGES.MD '# notes\n'
put noisy/app/notes.txt 'notes\n'
put noisy/app/0002_b/README.md 'about b\n'
put noisy/app/0002_b/.up.sql.swp 'x\0y'
put noisy/app/seeds/dev/notes.txt 'about seeds\n'
put noisy/app/seeds/.cache 'x'

expect_exit 0 "$MIGPACK" build -o plain.tar.gz plain/app
expect_exit 0 "$MIGPACK" build -o noisy.tar.gz noisy/app
if tar tzf noisy.tar.gz | grep -E '(^|/)\.|\.md$|\.MD$|\.txt$'; then
	fail "ignored files ended up in the bundle"
fi
cmp plain.tar.gz noisy.tar.gz ||
	fail "ignored files changed the bundle: $(tar tzf noisy.tar.gz)"
