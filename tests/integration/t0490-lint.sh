#!/usr/bin/env bash
# migpack lint, and lint at build: every script PostgreSQL runs parsed by
# its own parser (errors at file:line:column), each rule firing on a
# minimal script and silent on its safe variant, the exemption for a table
# created in the same script, -- migpack:allow on a statement and on a
# script, bodies (dollar quotes, DO, BEGIN ATOMIC) without false findings,
# findings stored in the bundle, the splitter checked against the parser.
. "$(dirname "$0")/lib.sh"

# fires RULE SQL [TX]: a migration 0002 holding SQL (after a table t made in
# 0001) gets one finding, RULE, at line 1; TX "no" runs it outside a
# transaction.
fires() {
	local rule=$1 sql=$2 sev=${4:-warning}
	rm -rf f
	put f/0001_t.up.sql 'create table t (a int, b int);\ncreate table u (a int primary key);\n'
	put f/0001_t.down.sql 'drop table u;\ndrop table t;\n'
	if [ "${3:-}" = no ]; then
		put f/0002_x.up.sql "-- migpack:no-transaction\n$sql\n"
	else
		put f/0002_x.up.sql "$sql\n"
	fi
	put f/0002_x.down.sql 'select 1;\n'
	"$MIGPACK" lint f >"$T/out" 2>"$T/err" || true
	grep -qF "f/0002_x.up.sql:$([ "${3:-}" = no ] && echo 2 || echo 1): $sev $rule: " "$T/out" ||
		fail "'$sql': no $rule: $(cat "$T/out" "$T/err")"
	[ "$(grep -c ': \(error\|warning\|info\) ' "$T/out")" -eq 1 ] ||
		fail "'$sql': more than $rule: $(cat "$T/out")"
}
# silent SQL [TX]: no finding at all.
silent() {
	rm -rf f
	put f/0001_t.up.sql 'create table t (a int, b int);\ncreate table u (a int primary key);\n'
	put f/0001_t.down.sql 'drop table u;\ndrop table t;\n'
	if [ "${2:-}" = no ]; then
		put f/0002_x.up.sql "-- migpack:no-transaction\n$1\n"
	else
		put f/0002_x.up.sql "$1\n"
	fi
	put f/0002_x.down.sql 'select 1;\n'
	expect_exit 0 "$MIGPACK" lint f
	grep -q ': \(error\|warning\|info\) ' "$T/out" &&
		fail "'$1': $(cat "$T/out")"
	expect_out "lint: 0 errors, 0 warnings, 0 info, 0 silenced; 4 PostgreSQL scripts parsed"
}

fires index-not-concurrent 'create index i on t (a);'
silent 'create index concurrently i on t (a);' no
fires index-not-concurrent 'drop index i;'
silent 'drop index concurrently i;' no
fires constraint-not-valid-missing 'alter table t add constraint f foreign key (a) references u (a);'
fires constraint-not-valid-missing 'alter table t add constraint c check (a > 0);'
silent 'alter table t add constraint f foreign key (a) references u (a) not valid;\nalter table t validate constraint f;'
silent 'alter table t add constraint c check (a > 0) not valid;'
fires set-not-null 'alter table t alter column a set not null;'
silent 'alter table t alter column a drop not null;'
fires column-type-change 'alter table t alter column a type bigint;'
fires add-column-volatile-default 'alter table t add column c float default random();'
fires add-column-volatile-default 'alter table t add column c bigserial;'
fires add-column-volatile-default 'alter table t add column c int generated always as identity;'
silent 'alter table t add column c int default 0;\nalter table t add column d timestamptz default now();'
fires unique-constraint-blocking 'alter table t add constraint k unique (a);'
fires unique-constraint-blocking 'alter table t add primary key (a);'
silent 'alter table t add constraint k unique using index t_a;'
fires drop-table 'drop table t;'
fires drop-column 'alter table t drop column b;'
fires truncate 'truncate t;'
fires rename-table 'alter table t rename to t2;'
fires rename-column 'alter table t rename column a to a2;'
silent 'alter index i rename to i2;'
fires vacuum-full-or-cluster 'vacuum full t;' no
fires vacuum-full-or-cluster 'cluster t using t_a;'
silent 'vacuum t;' no
silent 'analyze t;'

# Bodies: statements inside a dollar quote, a DO block or a BEGIN ATOMIC
# body are no statements of the script.
silent 'create function f() returns void language plpgsql as $fn$
begin
  drop table t; truncate u; create index i on t (a);
end $fn$;
do $$ begin execute '"'"'drop table t'"'"'; alter table t drop column b; end $$;
create function g() returns int language sql
begin atomic
  select 1; select 2;
end;'

# A table created earlier in the script is exempt from the lock and
# rewrite rules, not from the data-loss ones.
rm -rf f
put f/0001_t.up.sql 'create table n (a int);
create index n_a on n (a);
alter table n add constraint c check (a > 0), alter column a set not null;
alter table n alter column a type bigint, add column r float default random();
alter table n add unique (a);
drop index n_a;
alter table n drop column r;
create index later on t (a);
'
expect_exit 0 "$MIGPACK" lint f
expect_out "f/0001_t.up.sql:7: warning drop-column:"
expect_out "f/0001_t.up.sql:8: warning index-not-concurrent: CREATE INDEX on t"
expect_out "f/0001_t.up.sql:1: info no-down:"
expect_out "lint: 0 errors, 2 warnings, 1 info"

# concurrently-in-transaction: a script that runs in a transaction by
# its own settings (Flyway's executeInTransaction=true) and cannot.
rm -rf fw
put fw/V1__idx.sql 'create table t (a int);\ncreate index concurrently i on t (a);\n'
put fw/V1__idx.sql.conf 'executeInTransaction=true\n'
expect_exit 5 "$MIGPACK" lint fw
expect_out "fw/V1__idx.sql:2: error concurrently-in-transaction: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
expect_err "migpack: 1 finding is an error"
mkdir -p dest
expect_exit 5 "$MIGPACK" build -o dest/fw.tgz fw
expect_err "fw/V1__idx.sql:2: error concurrently-in-transaction"
expect_err "migpack: 1 lint finding refuses the build; nothing written"
[ -z "$(ls -A dest)" ] || fail "written: $(ls dest)"
put fw/V1__idx.sql.conf 'executeInTransaction=false\n'
expect_exit 0 "$MIGPACK" lint fw

# Silencing: on the line above a statement, for it alone; before the first
# statement, for the script; listed as silenced, counted apart.
rm -rf s
put s/0001_a.up.sql '-- migpack:allow no-down, truncate
-- (the table is a cache)

create table t (a int);
truncate t;
-- migpack:allow drop-table ,index-not-concurrent
drop table t;
drop table u;
create index i on v (a);
'
expect_exit 0 "$MIGPACK" lint s
expect_out "s/0001_a.up.sql:5: warning truncate: TRUNCATE deletes every row of t, for good; delete what must go in batches, or make sure nothing in it is needed (silenced)"
expect_out "s/0001_a.up.sql:7: warning drop-table: DROP TABLE t deletes the table and its data for good"
grep -q "s/0001_a.up.sql:7: .*(silenced)" "$T/out" || fail "$(cat "$T/out")"
grep -q "s/0001_a.up.sql:8: .*(silenced)" "$T/out" && fail "line 8 silenced: $(cat "$T/out")"
expect_out "s/0001_a.up.sql:9: warning index-not-concurrent"
expect_out "s/0001_a.up.sql:1: info no-down: no down script: migrun down cannot roll this migration back (silenced)"
expect_out "lint: 0 errors, 2 warnings, 0 info, 3 silenced"
expect_exit 5 "$MIGPACK" lint --strict s
expect_err "2 findings are an error (--strict)"
expect_exit 0 "$MIGPACK" lint --json s
python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert (d["errors"], d["warnings"], d["info"], d["silenced"]) == (0, 2, 0, 3), d
f = {(x["line"], x["rule"]): x for x in d["findings"]}
assert f[(5, "truncate")]["silenced"] is True
assert f[(8, "drop-table")]["silenced"] is False
x = f[(9, "index-not-concurrent")]
assert (x["file"], x["version"], x["name"], x["script"], x["dialect"],
    x["script_line"], x["severity"]) == ("s/0001_a.up.sql", "0001", "a",
    "up", "any", 9, "warning"), x
PY
put s/0001_a.up.sql '-- migpack:allow drop-tables\nselect 1;\n'
expect_exit 2 "$MIGPACK" lint s
expect_err "migpack: s/0001_a.up.sql:1: -- migpack:allow: unknown rule 'drop-tables' (migpack lint --rules lists them)"
expect_exit 0 "$MIGPACK" lint --rules
expect_out "concurrently-in-transaction    error"
[ "$(wc -l <"$T/out")" -eq 16 ] || fail "$(cat "$T/out")"

# Syntax errors: file, line and column in characters, the parser's words;
# a goose section's lines are the file's.
rm -rf p
put p/0001_a.up.sql 'create table a (x int);\n\nselect '"'"'é'"'"', 1 from a wher x;\n'
expect_exit 2 "$MIGPACK" lint p
expect_err "migpack: p/0001_a.up.sql:3:27: syntax error at or near \"x\" (a script for every engine is parsed as PostgreSQL: build a folder of SQLite-only SQL with --engines sqlite"
expect_exit 2 "$MIGPACK" build -o dest/p.tgz p
expect_err "p/0001_a.up.sql:3:27: syntax error"
[ -z "$(ls -A dest)" ] || fail "written"
expect_exit 0 "$MIGPACK" build --engines sqlite -o dest/p.tgz p
rm -f dest/p.tgz
put p/0001_a.up.postgres.sql 'creat table a (x int);\n'
expect_exit 2 "$MIGPACK" lint p
expect_err "p/0001_a.up.postgres.sql:1:1: syntax error at or near \"creat\" (--unparsed warn keeps"
rm p/0001_a.up.postgres.sql
put p/0001_a.up.sql 'select 1;\n\\connect other\nselect 2;\n'
expect_exit 2 "$MIGPACK" lint p
expect_err 'p/0001_a.up.sql:2:1: syntax error at or near "\"'
rm -rf g
put g/00001_a.sql '-- +goose Up
-- +goose StatementBegin
create table a (x int);
create table b (x int));
-- +goose StatementEnd

-- +goose Down
drop table a;
'
expect_exit 2 "$MIGPACK" lint g
expect_err "g/00001_a.sql:4:23: syntax error at or near \")\""

# --unparsed warn: an up script the parser refuses is a warning, unlinted;
# a down script that does not parse is always a warning.
put p/0001_a.up.sql 'create table a (x int);\nalter table a merge into x;\ndrop table a;\n'
put p/0001_a.down.sql 'drop tabel a;\n'
expect_exit 2 "$MIGPACK" lint p
expect_exit 0 "$MIGPACK" lint --unparsed warn p
expect_out "p/0001_a.up.sql:2: warning unparsed: 2:15: syntax error at or near \"merge\": PostgreSQL 15's parser cannot read this script, so it was neither linted nor checked (--unparsed warn)"
expect_out "p/0001_a.down.sql:1: warning down-unparsable: 1:6: syntax error at or near \"tabel\""
grep -q drop-table "$T/out" && fail "an unparsed script was linted: $(cat "$T/out")"
expect_exit 2 "$MIGPACK" lint --unparsed maybe p
expect_err "--unparsed 'maybe': expected warn or error"

# The splitter against the parser, on what stresses both: tagged dollar
# quotes, nested comments, E'' strings, BEGIN ATOMIC, quoted identifiers.
rm -rf x
put x/0001_a.up.sql 'create table "a;b" (x text default E'"'"'it\\'"'"'s; ok'"'"');
/* outer /* inner; */ still; */ create table c (y int);
create function f() returns text language plpgsql as $body$
begin return $$;$$ || $x$ ; $x$; end $body$;
create function g(i int) returns int language sql
begin atomic
  select i + 1;
  select case when i > 0 then 1 else 2 end;
end;
create rule r as on insert to c do also (select 1; select 2);
select '"'"'a;'"'"'
'"'"'b'"'"'; select $q$;$q$
'
expect_exit 0 "$MIGPACK" lint x
expect_out "lint: 0 errors, 0 warnings, 1 info"

# Stored in the bundle, checksummed like the rest, read back by lint.
rm -rf s
put s/0001_a.up.sql 'create table t (a int);\n'
put s/0001_a.down.sql 'drop table t;\n'
put s/0002_b.up.sql '-- migpack:no-transaction\ncreate index i on t (a);\n'
expect_exit 0 "$MIGPACK" build -o s.tgz s
expect_err "s/0002_b.up.sql:2: warning index-not-concurrent"
expect_err "lint: 0 errors, 1 warning, 1 info, 0 silenced; 3 PostgreSQL scripts parsed"
grep -q "no-down" "$T/err" && fail "build printed infos: $(cat "$T/err")"
tar -xzOf s.tgz MANIFEST | grep -qx $'finding\tup\tany\t2\tindex-not-concurrent\twarning\t-\tCREATE INDEX on t blocks writes to it until the index is built; CREATE INDEX CONCURRENTLY, in a script that runs outside a transaction' ||
	fail "$(tar -xzOf s.tgz MANIFEST)"
tar -xzOf s.tgz MANIFEST | grep -q $'finding\tup\tany\t1\tno-down\tinfo' || fail "$(tar -xzOf s.tgz MANIFEST)"
expect_exit 0 "$MIGPACK" verify s.tgz
expect_exit 0 "$MIGPACK" lint s.tgz
expect_out "migrations/0002_b/up.sql:2: warning index-not-concurrent"
expect_exit 0 "$MIGPACK" list --json s.tgz
python3 - "$T/out" <<'PY' || fail "json: $(cat "$T/out")"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["migrations"][1]["findings"]
assert f[1]["rule"] == "no-down" and f[1]["severity"] == "info", f
assert f[:1] == [{"script": "up", "dialect": "any", "line": 2,
    "rule": "index-not-concurrent", "severity": "warning", "silenced": False,
    "message": "CREATE INDEX on t blocks writes to it until the index is built; CREATE INDEX CONCURRENTLY, in a script that runs outside a transaction"}], f
assert d["migrations"][0]["findings"] == [], d["migrations"][0]
PY
expect_exit 5 "$MIGPACK" build --strict -o dest/s.tgz s
expect_err "1 lint finding refuses the build (--strict); nothing written"
[ -z "$(ls -A dest)" ] || fail "written"
# a SQLite-only bundle: nothing parsed, no-down still said
expect_exit 0 "$MIGPACK" lint --engines sqlite s
expect_out "lint: 0 errors, 0 warnings, 1 info, 0 silenced; 0 PostgreSQL scripts parsed"

# migrun carries no parser: neither linked nor loaded, nor built in.
ldd "$MIGRUN" | grep -q pg_query && fail "migrun links libpg_query: $(ldd "$MIGRUN")"
nm "$MIGRUN" 2>/dev/null | grep -q 'pg_query_parse\|pg_query__\|protobuf_c_' && fail "migrun holds the parser"
true
