#!/usr/bin/env bash
# What lint found at build, stored in the bundle, shown by migrun on
# PostgreSQL without a parser: apply --dry-run and status name the pending
# migrations with warnings (text and JSON); silenced findings and infos are
# not shown; on SQLite, where lint's PostgreSQL rules say nothing, neither.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"

put app/0001_t.up.sql 'create table t (a int, b int);\n'
put app/0001_t.down.sql 'drop table t;\n'
put app/0002_i.up.sql '-- migpack:no-transaction\ncreate index i on t (a);\n-- migpack:allow drop-column\nalter table t drop column b;\n'
put app/0003_ok.up.sql 'create table u (a int);\n'
expect_exit 0 "$MIGPACK" build -o b.tgz app
newdb shown
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0001 b.tgz

expect_exit 0 "$MIGRUN" apply --db "$DB" --dry-run b.tgz
expect_out "0002     versioned             i  lint: index-not-concurrent (line 2)"
grep "0003" "$T/out" | grep -q lint && fail "0003 has no warnings: $(cat "$T/out")"
grep -q drop-column "$T/out" && fail "a silenced finding shown: $(cat "$T/out")"
expect_out "1 with lint warnings: 'migpack lint BUNDLE' says what they do and the safe way"
expect_exit 0 "$MIGRUN" apply --db "$DB" --dry-run --json b.tgz
python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
m = {x["version"]: x for x in d["migrations"]}
assert m["0002"]["lint"] == [{"rule": "index-not-concurrent", "severity": "warning", "line": 2,
    "message": "CREATE INDEX on t blocks writes to it until the index is built; CREATE INDEX CONCURRENTLY, in a script that runs outside a transaction"}], m["0002"]
assert m["0003"]["lint"] == [], m["0003"]
PY

expect_exit 0 "$MIGRUN" status --db "$DB" b.tgz
expect_out "0002     pending   i  lint: index-not-concurrent (line 2)"
expect_out "1 pending migration with lint warnings"
expect_exit 0 "$MIGRUN" status --db "$DB" --json b.tgz
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); m={x["version"]: x for x in d["migrations"]}; assert [f["rule"] for f in m["0002"]["lint"]] == ["index-not-concurrent"] and m["0001"]["lint"] == [], m' "$T/out" ||
	fail "json: $(cat "$T/out")"

# Once applied, status no longer calls it out.
expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup b.tgz
expect_exit 0 "$MIGRUN" status --db "$DB" b.tgz
grep -q "lint:" "$T/out" && fail "applied, still said: $(cat "$T/out")"

# SQLite: the same bundle, nothing said.
expect_exit 0 "$MIGRUN" apply --db sqlite:x.db --dry-run b.tgz
grep -q "lint:" "$T/out" && fail "shown on SQLite: $(cat "$T/out")"
expect_exit 0 "$MIGRUN" status --db sqlite:x.db b.tgz
grep -q "lint:" "$T/out" && fail "shown on SQLite: $(cat "$T/out")"
true
