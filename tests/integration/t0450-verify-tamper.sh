#!/usr/bin/env bash
# verify finds a script changed by one byte in a bundle rebuilt with tar
# (same entry order), naming it, with exit 3; the untouched rebuild passes.
. "$(dirname "$0")/lib.sh"

put app/0001_init.up.sql 'create table a (x int);\n'
put app/0001_init.down.sql 'drop table a;\n'
put app/0002_idx.up.postgres.sql 'create index concurrently i on a (x);\n'
put app/0002_idx.up.sqlite.sql 'create index i on a (x);\n'
put app/seeds/dev/t.csv 'id\n1\n'
expect_exit 0 "$MIGPACK" build -o b.tar.gz app
expect_exit 0 "$MIGPACK" verify b.tar.gz

mkdir x
tar xzf b.tar.gz -C x
paths=$(tar tzf b.tar.gz)

# Rebuilt by tar untouched: fine (the bundle format is tar, not its bytes).
tar czf same.tar.gz -C x $paths
expect_exit 0 "$MIGPACK" verify same.tar.gz

# One byte of one script flipped ('i' of "index" to 'j').
victim=migrations/0002_idx/up.sqlite.sql
printf 'j' | dd of="x/$victim" bs=1 seek=7 conv=notrunc 2>/dev/null
grep -q 'create jndex' "x/$victim" || fail "test setup: byte not flipped"
tar czf b2.tar.gz -C x $paths
expect_exit 3 "$MIGPACK" verify b2.tar.gz
expect_err "migpack: "
expect_err "$victim"

# The same for a seed.
printf 'j' | dd of="x/$victim" bs=1 seek=7 conv=notrunc 2>/dev/null
printf 'i' | dd of="x/$victim" bs=1 seek=7 conv=notrunc 2>/dev/null
printf '2' | dd of=x/seeds/dev/t.csv bs=1 seek=3 conv=notrunc 2>/dev/null
tar czf b3.tar.gz -C x $paths
expect_exit 3 "$MIGPACK" verify b3.tar.gz
expect_err "seeds/dev/t.csv"
