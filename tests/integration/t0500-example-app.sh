#!/usr/bin/env bash
# The example application in migrations/ bundles, verifies and lists as
# `make run` shows it: ten migrations, a PostgreSQL-only one, a
# no-transaction PostgreSQL variant, two seed profiles.
. "$(dirname "$0")/lib.sh"

expect_exit 0 "$MIGPACK" build -o app.tar.gz --name example-app "$TOP/migrations"
sha=$(sha256sum app.tar.gz | cut -d' ' -f1)
expect_out "app.tar.gz sha256:$sha"

expect_exit 0 "$MIGPACK" verify app.tar.gz
expect_out "example-app 0010, 10 migrations, 8 seeds"

tar xzf app.tar.gz MANIFEST
grep -qP '^migration\tversioned\t0009\tadd_faq_search_index$' MANIFEST ||
	fail "0009 missing"
[ "$(grep -cP '^script\tup\t[a-z]+\t[a-z-]+\t\S+\tmigrations/0009_' MANIFEST)" = 1 ] ||
	fail "0009 should have exactly one up script (postgres)"
grep -qP '^script\tup\tpostgres\tno-transaction\t\S+\tmigrations/0010_index_audit_logs_by_command/up.postgres.sql$' MANIFEST ||
	fail "0010's postgres up should be no-transaction"
grep -qP '^script\tup\tsqlite\ttransaction\t\S+\tmigrations/0010_index_audit_logs_by_command/up.sqlite.sql$' MANIFEST ||
	fail "0010's sqlite up should run in a transaction"
[ "$(grep -c '^seed' MANIFEST)" = 8 ] || fail "expected 8 seed files"

# Bundling twice gives the same bytes.
expect_exit 0 "$MIGPACK" build -o again.tar.gz --name example-app "$TOP/migrations"
cmp app.tar.gz again.tar.gz || fail "two builds of migrations/ differ"
