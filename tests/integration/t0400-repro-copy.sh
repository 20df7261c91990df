#!/usr/bin/env bash
# A copy of the input made in reverse order, with other mtimes, other
# permissions, under another umask and (as root) another owner, gives the
# byte-identical bundle and the same printed SHA-256.
. "$(dirname "$0")/lib.sh"

put a/app/0001_init.up.sql 'create table a (x int);\n'
put a/app/0001_init.down.sql 'drop table a;\n'
put a/app/0002_idx.up.postgres.sql '-- migpack:no-transaction\ncreate index concurrently i on a (x);\n'
put a/app/0002_idx.up.sqlite.sql 'create index i on a (x);\n'
put a/app/0003_f/up.sql 'create table f (x int);\n'
put a/app/0003_f/down.sql 'drop table f;\n'
put a/app/0004_m.sql '-- migrate:up\ncreate table m (x int);\n-- migrate:down\ndrop table m;\n'
put a/app/V5__fly.sql 'create table fly (x int);\n'
put a/app/R__view.sql 'create or replace view v as select 1;\n'
put a/app/seeds/default/a.csv 'id\n1\n'
put a/app/seeds/default/b.sql 'insert into a values (1);\n'
put a/app/seeds/demo/a.csv 'id\n2\n'
touch -d '2020-01-01 00:00:00' $(find a -type f)

expect_exit 0 "$MIGPACK" build -o one.tar.gz a/app
sha1=$(cat "$T/out")

# The copy: files created last to first, folders too, under umask 077,
# every file with its own odd mtime and mode.
(
	umask 077
	n=0
	for f in $(cd a && find . -type f | sort -r); do
		n=$((n + 1))
		mkdir -p "b/$(dirname "$f")"
		cat "a/$f" >"b/$f"
		touch -d "2001-02-03 04:05:$((n % 60))" "b/$f"
		case $((n % 3)) in
		0) chmod 400 "b/$f" ;;
		1) chmod 640 "b/$f" ;;
		2) chmod 755 "b/$f" ;;
		esac
	done
)
touch -d '1999-12-31 23:59:59' b/app b/app/*/
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP (part): not root, the copy keeps its owner"
elif chown -R nobody b 2>/dev/null; then
	echo "as root: the copy is owned by nobody"
else
	echo "SKIP (part): no user 'nobody', the copy keeps its owner"
fi

# Build under another umask too, from another working folder.
mkdir elsewhere
(cd elsewhere && umask 027 &&
	"$MIGPACK" build -o ../two.tar.gz ../b/app >../sha2 2>../build2.err) ||
	fail "second build failed: $(cat build2.err)"
cmp one.tar.gz two.tar.gz || fail "the copy gave a different bundle"
[ "${sha1#* }" = "$(cut -d' ' -f2 sha2)" ] ||
	fail "printed checksums differ: '$sha1' vs '$(cat sha2)'"

# And building again from the same folder changes nothing.
expect_exit 0 "$MIGPACK" build -o three.tar.gz a/app
cmp one.tar.gz three.tar.gz || fail "two builds of one folder differ"
