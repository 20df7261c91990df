#!/usr/bin/env bash
# A <version>_<name>.sql file is a dbmate or goose file when it has their
# markers, and sqlx's simple migration (an up script, the whole file) when
# it has none; what its tool refuses is refused, naming file and line.
. "$(dirname "$0")/lib.sh"

TAB=$'\t'
put app/0001_init.up.sql 'select 1;\n'

# sqlx: no markers, the whole file is the up script; "-- no-transaction"
# as its first bytes runs it outside a transaction
put app/0002_plain.sql '-- no-transaction\ncreate table t (x int);\n'
expect_exit 0 "$MIGPACK" build -o b.tgz app
tar xzOf b.tgz MANIFEST >m
grep -q "^script${TAB}up${TAB}any${TAB}no-transaction${TAB}.*0002_plain/up.sql\$" m ||
    fail "0002 not an up script outside a transaction: $(cat m)"
grep -q "0002_plain/down" m && fail "0002 has a down: $(cat m)"
tar xzOf b.tgz migrations/0002_plain/up.sql >up
printf -- '-- no-transaction\ncreate table t (x int);\n' | cmp - up ||
    fail "0002's script is not the whole file: $(cat up)"
put app/0002_plain.sql '-- just a comment\n\n'
expect_exit 0 "$MIGPACK" build -o b.tgz app
expect_err "'app/0002_plain.sql': up script with no statement"

# dbmate's and goose's: markers without an up section, in the wrong
# order, goose annotations goose refuses, ENVSUB
put app/0002_plain.sql '-- migrate:down\ndrop table t;\n'
refused app "'app/0002_plain.sql': no '-- migrate:up' or '-- +goose Up' marker"
put app/0002_plain.sql '-- migrate:down\ndrop table t;\n-- migrate:up\ncreate table t (x int);\n'
refused app "'app/0002_plain.sql': line 3: the up marker comes after the down marker"
put app/0002_plain.sql '-- +goose Upp\ncreate table t (x int);\n'
refused app "'app/0002_plain.sql': line 1: not a goose annotation"
put app/0002_plain.sql '-- +goose Up\n  -- +goose StatementBegin\nselect 1;\n  -- +goose StatementEnd\n'
refused app "'app/0002_plain.sql': line 2: not a goose annotation, which goose refuses"
put app/0002_plain.sql '-- +goose Up\n-- +goose ENVSUB ON\ncreate table ${TABLE} (x int);\n-- +goose ENVSUB OFF\n'
refused app "'app/0002_plain.sql': line 2: goose's ENVSUB puts the environment of the machine that runs the migration into its SQL"
put app/0002_plain.sql '-- +goose Down\ndrop table t;\n'
refused app "'app/0002_plain.sql': no '-- migrate:up' or '-- +goose Up' marker"
# goose's block annotations make the file goose's: without an Up, refused
# as goose refuses it, not taken for sqlx's simple migration
put app/0002_plain.sql '-- +goose StatementBegin\ncreate table t (x int);\n-- +goose StatementEnd\n'
refused app "'app/0002_plain.sql': no '-- migrate:up' or '-- +goose Up' marker"
