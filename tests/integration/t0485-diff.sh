#!/usr/bin/env bash
# migpack diff OLD NEW: what a release adds, changes and removes
# (migrations, repeatables, seeds), the changes --previous refuses marked
# '!', exit 3 when there is one; OLD and NEW each a bundle or a folder; a
# bundle verified before it is trusted.
. "$(dirname "$0")/lib.sh"

put app/0001_a.up.sql 'create table a (x int);\n'
put app/0001_a.down.sql 'drop table a;\n'
put app/0002_b.up.sql 'create table b (x int);\n'
put app/R__v.sql 'create view v as select 1;\n'
put app/R__w.sql 'create view w as select 1;\n'
put app/seeds/dev/a.csv 'x\n1\n'
put app/seeds/dev/b.csv 'x\n1\n'
expect_exit 0 "$MIGPACK" build -o r1.tgz app

# Against itself, either way round: nothing.
for old in app r1.tgz; do
	for new in app r1.tgz; do
		expect_exit 0 "$MIGPACK" diff "$old" "$new"
		expect_out "no changes"
		[ "$(wc -l <"$T/out")" -eq 2 ] || fail "$(cat "$T/out")"
	done
done

# What may change: repeatables, seeds, new migrations after the newest,
# CRLF in a released script.
cp -r app ok
printf 'create table a (x int);\r\n' >ok/0001_a.up.sql
put ok/R__v.sql 'create view v as select 2;\n'
rm ok/R__w.sql ok/seeds/dev/b.csv
put ok/R__z.sql 'create view z as select 1;\n'
put ok/seeds/dev/a.csv 'x\n2\n'
put ok/seeds/dev/c.csv 'x\n1\n'
put ok/0003_c.up.sql 'create table c (x int);\n'
expect_exit 0 "$MIGPACK" build -o ok.tgz ok
for new in ok ok.tgz; do
	expect_exit 0 "$MIGPACK" diff r1.tgz "$new"
	expect_out "app 0002 -> ok 0003"
	expect_out "  changed  repeatable  v: up script changed since release 0002 (sha256:"
	expect_out "  removed  repeatable  w"
	expect_out "  added    repeatable  z"
	expect_out "  changed  seed        seeds/dev/a.csv: changed since release 0002"
	expect_out "  removed  seed        seeds/dev/b.csv"
	expect_out "  added    seed        seeds/dev/c.csv"
	expect_out "  added    versioned   0003 c"
	expect_out "3 added, 2 changed, 2 removed; 0 not allowed"
	grep -q "0001" "$T/out" && fail "CRLF counted as an edit: $(cat "$T/out")"
done

# What may not: each marked, exit 3, said on stderr.
cp -r app bad
put bad/0001_a.up.sql 'create table a (x int, y int);\n'
rm bad/0001_a.down.sql bad/0002_b.up.sql
put bad/0001.5_e.up.sql 'select 1;\n'
put bad/0001_a.up.sqlite.sql 'create table a (x integer);\n'
expect_exit 3 "$MIGPACK" diff r1.tgz bad
expect_out "! changed  versioned   0001 a: up script on postgres changed since release 0002 (sha256:"
expect_out "! changed  versioned   0001 a: up script on sqlite changed since release 0002"
expect_out "! changed  versioned   0001 a: down script removed since release 0002 (sha256:"
expect_out "! removed  versioned   0002 b: released in 0002, missing from this bundle"
expect_out "! added    versioned   0001.5 e: new, but not after release 0002's newest migration 0002"
expect_err "migpack: 5 changes to what app 0002 released are not allowed"
[ "$(grep -c '^!' "$T/out")" -eq 5 ] || fail "$(cat "$T/out")"
expect_exit 3 "$MIGPACK" diff --allow-out-of-order app bad
grep -q "0001.5" "$T/out" && grep "0001.5" "$T/out" | grep -q '^!' &&
	fail "out of order still refused: $(cat "$T/out")"
expect_err "4 changes"

# JSON: the same, one object.
expect_exit 3 "$MIGPACK" diff --json r1.tgz bad
python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["old"] == {"name": "app", "release": "0002"}, d["old"]
assert d["new"]["name"] == "bad" and d["allowed"] is False
ch = d["changes"]
refused = [c for c in ch if not c["allowed"]]
assert len(refused) == 5, refused
up = [c for c in ch if c["script"] == "up" and c["version"] == "0001"]
assert sorted(c["dialect"] for c in up) == ["postgres", "sqlite"], up
down = [c for c in ch if c["script"] == "down"][0]
assert down["new_sha256"] is None and len(down["old_sha256"]) == 64, down
rem = [c for c in ch if c["change"] == "removed"][0]
assert rem == {"change": "removed", "kind": "versioned", "version": "0002",
    "name": "b", "script": None, "dialect": None,
    "old_sha256": None, "new_sha256": None, "allowed": False,
    "message": "0002 b: released in 0002, missing from this bundle"}, rem
PY
expect_exit 0 "$MIGPACK" diff --json r1.tgz ok
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["allowed"] and len(d["changes"]) == 7, d' "$T/out" ||
	fail "json: $(cat "$T/out")"

# A bundle is verified before it is trusted; bad arguments are usage errors.
cp r1.tgz tampered.tgz
printf 'x' | dd of=tampered.tgz bs=1 seek=200 conv=notrunc 2>/dev/null
expect_exit 3 "$MIGPACK" diff tampered.tgz app
[ -s "$T/out" ] && fail "printed a diff of a damaged bundle: $(cat "$T/out")"
expect_exit 2 "$MIGPACK" diff app
expect_err "expected OLD and NEW"
expect_exit 1 "$MIGPACK" diff r1.tgz missing
expect_err "missing"
expect_exit 2 "$MIGPACK" diff --exclude '' app app
expect_err "--exclude ''"
# --exclude reads a folder as build does
expect_exit 0 "$MIGPACK" diff --exclude 'R__w.sql' r1.tgz app
expect_out "  removed  repeatable  w"
