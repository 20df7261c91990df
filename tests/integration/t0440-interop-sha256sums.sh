#!/usr/bin/env bash
# Standard tools read a bundle: tar extracts it, sha256sum -c checks it, and
# SHA256SUMS covers every file but itself.  The SHA-256 printed by build is
# sha256sum's, and verify prints the same.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'create table a (x int);\n'
put app/0001_init.down.sql 'drop table a;\n'
put app/0002_idx.up.postgres.sql 'create index concurrently i on a (x);\n'
put app/0002_idx.up.sqlite.sql 'create index i on a (x);\n'
put app/0003_m.sql '-- migrate:up\nselect 3;\n-- migrate:down\nselect -3;\n'
put app/R__view.sql 'create or replace view v as select 1;\n'
put app/seeds/default/users.csv 'id\n1\n'
put app/seeds/demo/more.sql 'insert into a values (2);\n'

mkdir dest
expect_exit 0 "$MIGPACK" build -o dest/app.tar.gz app
line=$(cat "$T/out")
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "build printed more than one line: $line"
hex=${line#dest/app.tar.gz sha256:}
[ "$line" = "dest/app.tar.gz sha256:$hex" ] || fail "build printed '$line'"
printf '%s\n' "$hex" | grep -qxE '[0-9a-f]{64}' || fail "not a SHA-256: '$hex'"
[ "$(sha256sum dest/app.tar.gz | cut -d' ' -f1)" = "$hex" ] ||
	fail "build printed $hex, sha256sum says $(sha256sum dest/app.tar.gz)"

mkdir x
(cd x && tar xzf ../dest/app.tar.gz) || fail "tar cannot extract the bundle"
(cd x && sha256sum --strict -c SHA256SUMS) >check.out 2>&1 ||
	fail "sha256sum -c failed: $(cat check.out)"

# SHA256SUMS lists every entry but itself, in archive order.
tar tzf dest/app.tar.gz | grep -vx SHA256SUMS >entries
sed 's/^[0-9a-f]\{64\}  //' x/SHA256SUMS >summed
diff -u entries summed || fail "SHA256SUMS does not cover exactly the other entries"
tar tzf dest/app.tar.gz | grep -qx SHA256SUMS || fail "no SHA256SUMS entry"
[ "$(tar tzf dest/app.tar.gz | sed -n 1p)" = MANIFEST ] || fail "MANIFEST is not first"
[ "$(tar tzf dest/app.tar.gz | sed -n 2p)" = SHA256SUMS ] || fail "SHA256SUMS is not second"
[ "$(wc -l <entries)" -eq 10 ] || fail "expected 10 summed files: $(cat entries)"
# Nothing but regular files.
if tar tvzf dest/app.tar.gz | grep -v '^-'; then fail "non-regular entries"; fi

expect_exit 0 "$MIGPACK" verify dest/app.tar.gz
expect_out "$hex"
expect_out "OK"

# The default output name is NAME-VERSION.tar.gz, in the working folder.
expect_exit 0 "$MIGPACK" build app
expect_out "app-0003.tar.gz sha256:$hex"
cmp app-0003.tar.gz dest/app.tar.gz || fail "the default-named bundle differs"
