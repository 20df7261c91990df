#!/usr/bin/env bash
# A failed build leaves a bundle already at OUT exactly as it was, and no
# temporary file next to it.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'select 1;\n'
mkdir dest
expect_exit 0 "$MIGPACK" build -o dest/app.tar.gz app
cp dest/app.tar.gz saved.tar.gz

check_kept() {
	cmp saved.tar.gz dest/app.tar.gz || fail "$1: the old bundle changed"
	[ "$(ls -A dest | grep -v '^folder.tar.gz$')" = app.tar.gz ] ||
		fail "$1: left in dest/: $(ls -A dest)"
}

# Input errors of several kinds.
put app/0002_x.down.sql 'select 2;\n'
expect_exit 2 "$MIGPACK" build -o dest/app.tar.gz app
check_kept "down without up"
rm app/0002_x.down.sql

put app/0002_x.up.sql 'select \xff;\n'
expect_exit 2 "$MIGPACK" build -o dest/app.tar.gz app
check_kept "invalid UTF-8"
rm app/0002_x.up.sql

SOURCE_DATE_EPOCH=yesterday expect_exit 2 "$MIGPACK" build -o dest/app.tar.gz app
check_kept "bad SOURCE_DATE_EPOCH"

# Not a bundle at all: a file the user has there is not clobbered either.
printf 'precious\n' >dest/notes.tar.gz
cp dest/notes.tar.gz saved-notes
put app/0002_y.up.sq 'select 2;\n'
expect_exit 2 "$MIGPACK" build -o dest/notes.tar.gz app
cmp saved-notes dest/notes.tar.gz || fail "a failed build changed an existing file"
rm dest/notes.tar.gz app/0002_y.up.sq

# A failure at the very end (OUT is a folder, so the rename fails): no
# temporary file is left behind.
mkdir dest/folder.tar.gz
rc=0
"$MIGPACK" build -o dest/folder.tar.gz app >/dev/null 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "build into a folder succeeded"
expect_err "migpack: "
[ -d dest/folder.tar.gz ] && [ -z "$(ls -A dest/folder.tar.gz)" ] ||
	fail "the folder at OUT changed"
[ "$(ls -A dest | tr '\n' ' ')" = "app.tar.gz folder.tar.gz " ] ||
	fail "left in dest/: $(ls -A dest)"
check_kept "unrelated failure"

# And a good build replaces the bundle.
put app/0002_z.up.sql 'select 2;\n'
expect_exit 0 "$MIGPACK" build -o dest/app.tar.gz app
cmp -s saved.tar.gz dest/app.tar.gz && fail "a successful build did not replace OUT"
[ "$(ls -A dest | tr '\n' ' ')" = "app.tar.gz folder.tar.gz " ] ||
	fail "left in dest/: $(ls -A dest)"
