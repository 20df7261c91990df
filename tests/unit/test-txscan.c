#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "txscan.h"

/* What txscan finds in sql on d: what (NULL for nothing), its kind, line
 * and the count of other statements. */
static void scan_as(enum dialect d, int both, const char *sql,
    const char *what, enum txneed_kind kind, unsigned line, size_t others)
{
	struct txneed n;
	int found = txscan(sql, strlen(sql), d, both, &n);

	if (!what) {
		if (found)
			fail_msg("\"%s\": found %s", sql, n.what);
		assert_int_equal(n.others, others);
		return;
	}
	if (!found)
		fail_msg("\"%s\": %s not found", sql, what);
	assert_string_equal(n.what, what);
	assert_int_equal(n.kind, kind);
	assert_int_equal(n.line, line);
	assert_int_equal(n.others, others);
}

#define scan_is(d, ...) scan_as(d, 0, __VA_ARGS__)
#define PG DIALECT_POSTGRES
#define LITE DIALECT_SQLITE

static void test_own_transactions(void **state)
{
	(void)state;
	scan_is(PG, "BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;", "BEGIN",
	    TXN_OWN, 1, 1);
	scan_is(LITE, "-- x\n\nbegin transaction;\nselect 1;\nend;", "BEGIN",
	    TXN_OWN, 3, 1);
	scan_is(PG, "SELECT 1;\n  Start Transaction isolation level "
	    "serializable;", "START TRANSACTION", TXN_OWN, 2, 1);
	scan_is(PG, "SELECT 1; COMMIT", "COMMIT", TXN_OWN, 1, 1);
	scan_is(PG, "SELECT 1; ABORT;", "ABORT", TXN_OWN, 1, 1);
	scan_is(PG, "SELECT 1;\nROLLBACK;", "ROLLBACK", TXN_OWN, 2, 1);
	scan_is(LITE, "ROLLBACK TRANSACTION;", "ROLLBACK", TXN_OWN, 1, 0);
	/* savepoints live inside a transaction */
	scan_is(PG, "SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE s;", NULL,
	    0, 0, 3);
	scan_is(LITE, "SAVEPOINT s; ROLLBACK TRANSACTION TO s;", NULL, 0, 0, 2);
	/* named first, even after another reason */
	scan_is(LITE, "PRAGMA foreign_keys=OFF;\nBEGIN;\nCREATE TABLE b (x);\n"
	    "COMMIT;\nPRAGMA foreign_keys=ON;", "BEGIN", TXN_OWN, 2, 1);
}

/* Bodies and quotes hide what looks like transaction control. */
static void test_not_top_level(void **state)
{
	(void)state;
	scan_is(PG, "DO $$ BEGIN PERFORM 1; COMMIT; END $$;\n"
	    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
	    "SELECT 1; END;\nSELECT 'BEGIN; COMMIT;';\n-- COMMIT;\n"
	    "/* END; */", NULL, 0, 0, 3);
	scan_is(LITE, "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	    "  UPDATE b SET n = n + 1;\nEND;\nCREATE TEMP TRIGGER u "
	    "DELETE ON a BEGIN SELECT CASE WHEN 1 THEN 0 END; END;",
	    NULL, 0, 0, 2);
	/* psql's rules end a SQLite trigger at its first ';' and take its
	 * END for a COMMIT, SQLite's find an END in a dollar quote: in a
	 * script for both engines, neither counts */
	scan_is(PG, "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	    "  UPDATE b SET n = n + 1;\nEND;", "END", TXN_OWN, 3, 1);
	scan_as(PG, 1, "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	    "  UPDATE b SET n = n + 1; DELETE FROM c;\nEND;\n"
	    "CREATE TEMP TRIGGER u DELETE ON a BEGIN SELECT 1; END;\n"
	    "SELECT 1;\nEND;", "END", TXN_OWN, 6, 6);
	scan_is(LITE, "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n"
	    "  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;", "END", TXN_OWN, 4, 2);
	scan_as(LITE, 1, "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n"
	    "  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nCOMMIT;", "COMMIT",
	    TXN_OWN, 6, 3);
	/* PostgreSQL's own triggers are statements like others */
	scan_as(PG, 1, "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW "
	    "EXECUTE FUNCTION f();\nEND;", "END", TXN_OWN, 2, 1);
	/* goose's blocks are one statement */
	scan_is(PG, "-- +goose StatementBegin\nSELECT 1;\nCOMMIT;\n"
	    "-- +goose StatementEnd\n", NULL, 0, 0, 1);
	scan_is(PG, "", NULL, 0, 0, 0);
	scan_is(PG, "-- only a comment\n", NULL, 0, 0, 0);
}

static void test_refused_postgres(void **state)
{
	(void)state;
	scan_is(PG, "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a);",
	    "CREATE INDEX CONCURRENTLY", TXN_REFUSED, 1, 0);
	scan_is(PG, "create unique index concurrently i on t (a);\n"
	    "SELECT 1;", "CREATE UNIQUE INDEX CONCURRENTLY", TXN_REFUSED, 1,
	    1);
	scan_is(PG, "\n\nDROP INDEX CONCURRENTLY IF EXISTS i;",
	    "DROP INDEX CONCURRENTLY", TXN_REFUSED, 3, 0);
	scan_is(PG, "REINDEX INDEX CONCURRENTLY i;", "REINDEX CONCURRENTLY",
	    TXN_REFUSED, 1, 0);
	scan_is(PG, "REINDEX (VERBOSE) TABLE CONCURRENTLY t;",
	    "REINDEX CONCURRENTLY", TXN_REFUSED, 1, 0);
	scan_is(PG, "REINDEX VERBOSE DATABASE d;", "REINDEX DATABASE",
	    TXN_REFUSED, 1, 0);
	scan_is(PG, "REINDEX SCHEMA s;", "REINDEX SCHEMA", TXN_REFUSED, 1, 0);
	scan_is(PG, "VACUUM (ANALYZE) t;", "VACUUM", TXN_REFUSED, 1, 0);
	scan_is(PG, "CREATE DATABASE d;", "CREATE DATABASE", TXN_REFUSED, 1, 0);
	scan_is(PG, "ALTER SYSTEM SET work_mem = '8MB';", "ALTER SYSTEM",
	    TXN_REFUSED, 1, 0);
	scan_is(PG, "DISCARD ALL;", "DISCARD ALL", TXN_REFUSED, 1, 0);
	scan_is(PG, "CLUSTER;", "CLUSTER of every table", TXN_REFUSED, 1, 0);
	scan_is(PG, "CLUSTER VERBOSE", "CLUSTER of every table", TXN_REFUSED, 1,
	    0);
	/* what runs in a transaction */
	scan_is(PG, "CREATE INDEX i ON t (a);\nREINDEX TABLE t;\n"
	    "CLUSTER t USING i;\nANALYZE t;\nALTER TYPE e ADD VALUE 'x';\n"
	    "DISCARD TEMP;\nCREATE TABLE concurrently (x int);", NULL, 0, 0,
	    7);
	/* SQLite's own are PostgreSQL's no matter */
	scan_is(PG, "PRAGMA foreign_keys=OFF; ATTACH 'x' AS y;", NULL, 0, 0, 2);
}

static void test_refused_sqlite(void **state)
{
	(void)state;
	scan_is(LITE, "VACUUM;", "VACUUM", TXN_REFUSED, 1, 0);
	scan_is(LITE, "SELECT 1;\nATTACH DATABASE 'x.db' AS x;", "ATTACH",
	    TXN_REFUSED, 2, 1);
	scan_is(LITE, "DETACH x;", "DETACH", TXN_REFUSED, 1, 0);
	scan_is(LITE, "PRAGMA main.journal_mode = WAL;", "PRAGMA journal_mode",
	    TXN_REFUSED, 1, 0);
	scan_is(LITE, "PRAGMA synchronous(1);", "PRAGMA synchronous",
	    TXN_REFUSED, 1, 0);
	scan_is(LITE, "CREATE TABLE t (x);\nPRAGMA Foreign_Keys = off;",
	    "PRAGMA foreign_keys", TXN_NOOP, 2, 1);
	/* reading a pragma, or another one, is fine */
	scan_is(LITE, "PRAGMA foreign_keys; PRAGMA foreign_key_check; "
	    "PRAGMA defer_foreign_keys = ON; PRAGMA user_version = 3;",
	    NULL, 0, 0, 4);
	/* PostgreSQL's own are SQLite's no matter */
	scan_is(LITE, "CREATE INDEX CONCURRENTLY i ON t (a); DISCARD ALL;",
	    NULL, 0, 0, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_transactions),
		cmocka_unit_test(test_not_top_level),
		cmocka_unit_test(test_refused_postgres),
		cmocka_unit_test(test_refused_sqlite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
