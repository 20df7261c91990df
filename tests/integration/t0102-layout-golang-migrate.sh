#!/usr/bin/env bash
# golang-migrate's folders, as golang-migrate reads them: its file-name
# rule ^([0-9]+)_(.*)\.(down|up)\.(.*)$ takes the longest name (so names
# may hold dots, "x..up.sql"), ups and downs pair by version alone (their
# names may differ; the up's names the migration), and the messages name
# the real problem.  A name not ending in .sql stays an error.
. "$(dirname "$0")/lib.sh"

put m/30_add_magic_metadata.up.sql 'CREATE TABLE m (x integer);\n'
put m/30_drop_magic_metadata.down.sql 'DROP TABLE m;\n'
put m/31_ignore_autotag.up..sql 'CREATE TABLE a (x integer);\n'
put m/31_ignore_autotag.down..sql 'DROP TABLE a;\n'
put m/20240813211251_passkey_backup_flags..up.sql 'CREATE TABLE p (x integer);\n'
put m/20240813211251_passkey_backup_flags..down.sql 'DROP TABLE p;\n'
put m/20240901000000_v1.2.3_rename.up.sql 'CREATE TABLE r (x integer);\n'
put m/20240901000000_v1.2.3_rename.down.sql 'DROP TABLE r;\n'
expect_exit 0 "$MIGPACK" build -o b.tgz m
expect_exit 0 "$MIGPACK" list --json b.tgz
python3 - "$T/out" <<'PY' || fail "list --json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
got = [(m["version"], m["name"], sorted(s["role"] for s in m["scripts"]))
       for m in d["migrations"]]
want = [("30", "add_magic_metadata", ["down", "up"]),
        ("31", "ignore_autotag", ["down", "up"]),
        ("20240813211251", "passkey_backup_flags.", ["down", "up"]),
        ("20240901000000", "v1.2.3_rename", ["down", "up"])]
assert got == want, got
PY

# One migration each: rolling 30 back runs the down named otherwise.
expect_exit 0 "$MIGRUN" apply --no-backup --db sqlite:t.db b.tgz
expect_exit 0 "$MIGRUN" down --no-backup --db sqlite:t.db --to 30
expect_exit 0 "$MIGRUN" down --no-backup --db sqlite:t.db --steps 1
[ "$(sqlite3 t.db "SELECT count(*) FROM sqlite_master WHERE name IN ('m', 'a', 'p')")" = 0 ] ||
    fail "the downs did not run: $(sqlite3 t.db .tables)"

# What golang-migrate refuses, or a typo: each named for what it is.
put m/0003_x.up.sq 'select 1;\n'
refused m "'m/0003_x.up.sq': matches no migration layout"
rm m/0003_x.up.sq
put m/40_x.down.sql 'select 1;\n'
refused m "'m/40_x.down.sql': down script without an up script"
rm m/40_x.down.sql
put m/50_a.up.sql 'select 1;\n'
put m/50_b.up.sql 'select 2;\n'
refused m "'m/50_b.up.sql': a second up script for version 50 (the first is 'm/50_a.up.sql')"
rm m/50_b.up.sql
put m/50_b.down.sql 'select 1;\n'
put m/50_c.down.sql 'select 2;\n'
refused m "'m/50_c.down.sql': a second down script for version 50 (the first is 'm/50_b.down.sql')"
