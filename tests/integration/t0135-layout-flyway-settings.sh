#!/usr/bin/env bash
# Flyway, as Flyway runs the folder: <script>.sql.conf settings
# (executeInTransaction), ${placeholder}s replaced at build from
# --placeholder NAME=VALUE and ${flyway:filename}, an unresolved one
# refused naming file, line and name; SQL callbacks refused unless left
# out with --exclude.
. "$(dirname "$0")/lib.sh"

TAB=$'\t'
sha() { printf -- "$1" | sha256sum | cut -d' ' -f1; }
put fw/V1__init.sql 'create table ${table} (x int);\n-- from ${flyway:filename}, cost $5, ${ broken\n'
put fw/V2__idx.sql 'create index concurrently i on things (x);\n'
put fw/V2__idx.sql.conf '# Flyway script settings\nexecuteInTransaction = false\nencoding=UTF-8\n'
put fw/V3__vacuum.sql 'vacuum;\n'
put fw/V3__vacuum.sql.conf 'executeInTransaction:true\n'

refused fw "'fw/V1__init.sql': line 1: Flyway placeholder \${table} has no value, and Flyway refuses to run the script without one: give it with --placeholder 'table=VALUE'"
# declared, kept: PostgreSQL would refuse it, so lint does (SQLite alone
# is not linted)
expect_exit 5 "$MIGPACK" build -o b.tgz --placeholder table=things fw
expect_err "fw/V3__vacuum.sql:1: error concurrently-in-transaction: VACUUM cannot run inside a transaction block, and this script runs in one"
expect_exit 0 "$MIGPACK" build --engines sqlite -o b.tgz --placeholder table=wrong --placeholder table=things fw
[ "$(wc -l <"$T/err")" = 0 ] || fail "notices: $(cat "$T/err")"
tar xzOf b.tgz MANIFEST >m
up1='create table things (x int);\n-- from V1__init.sql, cost $5, ${ broken\n'
tar xzOf b.tgz migrations/1_init/up.sql >got
printf -- "$up1" | cmp - got || fail "placeholders not replaced: $(cat got)"
grep -q "^script${TAB}up${TAB}any${TAB}transaction${TAB}sha256:$(sha "$up1")${TAB}migrations/1_init/up.sql\$" m ||
    fail "1's checksum is not its replaced text's: $(cat m)"
grep -q "^script${TAB}up${TAB}any${TAB}no-transaction${TAB}.*2_idx/up.sql\$" m ||
    fail "executeInTransaction=false not read: $(cat m)"
grep -q "^script${TAB}up${TAB}any${TAB}transaction${TAB}.*3_vacuum/up.sql\$" m ||
    fail "executeInTransaction:true not kept: $(cat m)"
tar tzf b.tgz | grep -q conf && fail "a settings file is in the bundle"
expect_exit 0 "$MIGRUN" apply --no-backup --db sqlite:x.db --to 1 b.tgz
[ "$(sqlite3 x.db "SELECT count(*) FROM sqlite_master WHERE name = 'things'")" = 1 ] ||
    fail "table things not made"

# Flyway's own placeholders that are the database's: only given.
put fw/V4__schema.sql 'create table ${flyway:defaultSchema}.t (x int);\n'
expect_exit 2 "$MIGPACK" build -o b.tgz --placeholder table=things fw
expect_err "'fw/V4__schema.sql': line 1: Flyway placeholder \${flyway:defaultSchema} has no value"
expect_err "(Flyway's own are the database's, known only where the script runs: the value is fixed in the bundle)"
expect_exit 0 "$MIGPACK" build --engines sqlite -o b.tgz --placeholder table=things --placeholder flyway:defaultSchema=main fw
rm fw/V4__schema.sql
expect_exit 2 "$MIGPACK" build --placeholder novalue fw
expect_err "--placeholder 'novalue': expected NAME=VALUE"

# Settings that cannot be carried over, or without their script.
put fw/V3__vacuum.sql.conf 'shouldExecute=false\n'
refused fw "'fw/V3__vacuum.sql.conf': line 1: shouldExecute=false: migpack reads executeInTransaction=true|false, and encoding=UTF-8"
put fw/V3__vacuum.sql.conf 'encoding=ISO-8859-1\n'
refused fw "line 1: encoding=ISO-8859-1"
rm fw/V3__vacuum.sql.conf
put fw/V9__gone.sql.conf 'executeInTransaction=false\n'
refused fw "'fw/V9__gone.sql.conf': Flyway settings for a script that is not there"
rm fw/V9__gone.sql.conf

# Callbacks: refused, or left out knowingly.
put fw/beforeMigrate.sql 'select 1;\n'
put fw/afterEachMigrate__log.sql 'select 2;\n'
refused fw "'fw/afterEachMigrate__log.sql': a Flyway callback (afterEachMigrate): migpack runs migrations, not Flyway's callbacks; run it yourself where it is needed, or leave it out knowingly with --exclude 'afterEachMigrate__log.sql'"
expect_exit 0 "$MIGPACK" build -o b.tgz --placeholder table=things --exclude 'before*.sql' --exclude 'after*.sql' fw
expect_err "'fw/beforeMigrate.sql': left out by --exclude 'before*.sql'"
