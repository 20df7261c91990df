/*
 * The SQLite driver (runner/drivers/sqlite.c) on real database files in a fresh
 * folder per test.  What the driver wrote is checked through SQLite's own
 * API where the driver's reading could hide a mistake (NULLs, the run lock
 * against another process).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "driver.h"

#define DISPLAY "sqlite:test.db"
#define SHA_A "sha256:" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "sha256:" \
	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "sha256:" \
	"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

struct fx {
	char dir[256];
	char path[512];
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/test-sqlite.XXXXXX",
	    tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/test.db", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	struct dirent *d;
	DIR *dir = opendir(fx->dir);
	char p[1024];

	if (dir) {
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
				snprintf(p, sizeof(p), "%s/%s", fx->dir,
				    d->d_name);
				unlink(p);
			}
		closedir(dir);
	}
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static struct db *open_db_t(const char *path, const char *table,
    unsigned timeout_ms)
{
	struct db_opts opts = { .table = table,
	    .lock_timeout_ms = timeout_ms };
	struct err err = ERR_INIT;
	struct db *db = NULL;

	if (sqlite_driver.open(&db, path, DISPLAY, &opts, &err))
		fail_msg("open: %s", err.msg);
	assert_non_null(db);
	assert_ptr_equal(db->drv, &sqlite_driver);
	assert_string_equal(db->display, DISPLAY);
	return db;
}

static struct db *open_db(const char *path)
{
	return open_db_t(path, "migpack_history", 5000);
}

#define OK(call) do { \
	struct err err_ = ERR_INIT; \
	if ((call)) \
		fail_msg("%s: %s", #call, err_.msg); \
} while (0)
/* For OK's calls: the err they fill. */
#define E (&err_)

/* One value of a query on a separate connection, as text ("NULL" for a
 * NULL, "" when there is no row); the caller frees. */
static char *query1(const char *path, const char *sql)
{
	sqlite3 *conn;
	sqlite3_stmt *st;
	char *out = NULL;
	int rc;

	assert_int_equal(sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	sqlite3_busy_timeout(conn, 2000);
	if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(conn));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		out = strdup(sqlite3_column_type(st, 0) == SQLITE_NULL ?
		    "NULL" : (const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		out = strdup("");
	else
		fail_msg("%s: %s", sql, sqlite3_errmsg(conn));
	sqlite3_finalize(st);
	sqlite3_close(conn);
	assert_non_null(out);
	return out;
}

static void assert_query(const char *path, const char *sql, const char *want)
{
	char *got = query1(path, sql);

	assert_string_equal(got, want);
	free(got);
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *conn;
	char *msg = NULL;

	assert_int_equal(sqlite3_open_v2(path, &conn, SQLITE_OPEN_READWRITE,
	    NULL), SQLITE_OK);
	if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(conn);
}

static struct hist_row versioned_row(void)
{
	struct hist_row r;

	memset(&r, 0, sizeof(r));
	r.version = (char *)"0001";
	r.name = (char *)"create_users";
	r.kind = KIND_VERSIONED;
	r.checksum = (char *)SHA_A;
	r.down = (char *)"DROP TABLE users;\n";
	r.down_tx = TX_NONE;
	r.bundle_name = (char *)"app";
	r.bundle_release = (char *)"0010";
	r.bundle_sha256 = (char *)SHA_B;
	r.execution_ms = 1234567890123LL;
	r.state = HIST_APPLIED;
	return r;
}

static struct hist_row repeatable_row(void)
{
	struct hist_row r;

	memset(&r, 0, sizeof(r));
	r.name = (char *)"all_views";
	r.kind = KIND_REPEATABLE;
	r.checksum = (char *)SHA_C;
	r.down_tx = TX_TRANSACTION;
	r.bundle_name = (char *)"app";
	r.bundle_release = (char *)"0010";
	r.bundle_sha256 = (char *)SHA_B;
	r.execution_ms = 7;
	r.state = HIST_DIRTY;
	return r;
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
}

static void assert_timestamp(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	assert_non_null(s);
	assert_int_equal(strlen(s), strlen(shape));
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd')
			assert_true(s[i] >= '0' && s[i] <= '9');
		else
			assert_int_equal(s[i], shape[i]);
	/* this year or so: the database's clock, in UTC */
	assert_true(strncmp(s, "2020", 4) >= 0);
}

static void assert_row(const struct hist_row *got, const struct hist_row *want)
{
	assert_str_or_null(got->version, want->version);
	assert_string_equal(got->name, want->name);
	assert_int_equal(got->kind, want->kind);
	assert_string_equal(got->checksum, want->checksum);
	assert_str_or_null(got->down, want->down);
	assert_int_equal(got->down_tx, want->down_tx);
	assert_string_equal(got->bundle_name, want->bundle_name);
	assert_string_equal(got->bundle_release, want->bundle_release);
	assert_string_equal(got->bundle_sha256, want->bundle_sha256);
	assert_timestamp(got->applied_at);
	assert_true(got->execution_ms == want->execution_ms);
	assert_int_equal(got->state, want->state);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */

static void test_open_creates(void **state)
{
	struct fx *fx = *state;
	struct stat st;
	struct db *db;

	assert_int_not_equal(stat(fx->path, &st), 0);
	db = open_db(fx->path);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	sqlite_driver.close(db);
	sqlite_driver.close(NULL);
}

static void test_open_errors(void **state)
{
	struct fx *fx = *state;
	struct db_opts opts = { .table = "migpack_history",
	    .lock_timeout_ms = 100 };
	struct err err = ERR_INIT;
	struct db *db = (struct db *)&opts;	/* must be reset to NULL */
	char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/no/such/dir.db", fx->dir);
	assert_int_equal(sqlite_driver.open(&db, path, DISPLAY, &opts, &err),
	    ERR_RUNTIME);
	assert_null(db);
	assert_string_equal(err.msg, DISPLAY ": unable to open database file");

	/* Not a database: said at open, not at the first statement. */
	assert_non_null(f = fopen(fx->path, "w"));
	for (int i = 0; i < 100; i++)
		fputs("this is not an SQLite database at all\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(sqlite_driver.open(&db, fx->path, DISPLAY, &opts,
	    &err), ERR_RUNTIME);
	assert_null(db);
	assert_string_equal(err.msg, DISPLAY ": file is not a database");
}

static void test_bad_table(void **state)
{
	static const char *const bad[] = { "public.migpack_history", "1abc",
	    "", "a-b", "a\"b" };
	struct fx *fx = *state;
	struct err err = ERR_INIT;
	struct db_opts opts = { .lock_timeout_ms = 100 };
	struct db *db = NULL;
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		opts.table = bad[i];
		assert_int_equal(sqlite_driver.open(&db, fx->path, DISPLAY,
		    &opts, &err), ERR_INPUT);
		assert_null(db);
		assert_true(strncmp(err.msg, "history table ", 14) == 0);
		assert_non_null(strstr(err.msg, bad[i]));
	}
	/* refused before anything was created */
	assert_int_not_equal(stat(fx->path, &st), 0);
}

static void test_history_fresh(void **state)
{
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct db *db = open_db(fx->path);

	h.exists = 1;
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 0);
	assert_int_equal(h.nr, 0);
	/* reading created nothing */
	assert_query(fx->path, "SELECT count(*) FROM sqlite_master", "0");
	OK(sqlite_driver.history_create(db, E));
	OK(sqlite_driver.history_create(db, E));	/* if missing */
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 1);
	assert_int_equal(h.nr, 0);
	assert_query(fx->path, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'table' AND name = 'migpack_history'", "1");
	history_release(&h);
	sqlite_driver.close(db);
}

static void test_history_roundtrip(void **state)
{
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row(), r = repeatable_row();
	struct db *db = open_db(fx->path);

	OK(sqlite_driver.history_create(db, E));
	OK(sqlite_driver.history_insert(db, &v, E));
	OK(sqlite_driver.history_insert(db, &r, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 1);
	assert_int_equal(h.nr, 2);
	assert_row(&h.rows[0], &v);
	assert_row(&h.rows[1], &r);

	/* The table as the contract says: text values, NULLs where none. */
	assert_query(fx->path, "SELECT down_tx FROM migpack_history "
	    "WHERE version = '0001'", "no-transaction");
	assert_query(fx->path, "SELECT kind || '/' || state FROM "
	    "migpack_history WHERE version = '0001'", "versioned/applied");
	assert_query(fx->path, "SELECT typeof(execution_ms) FROM "
	    "migpack_history WHERE version = '0001'", "integer");
	assert_query(fx->path, "SELECT version FROM migpack_history "
	    "WHERE name = 'all_views'", "NULL");
	assert_query(fx->path, "SELECT down_script FROM migpack_history "
	    "WHERE name = 'all_views'", "NULL");
	assert_query(fx->path, "SELECT down_tx FROM migpack_history "
	    "WHERE name = 'all_views'", "NULL");
	assert_query(fx->path, "SELECT kind || '/' || state FROM "
	    "migpack_history WHERE name = 'all_views'", "repeatable/dirty");

	/* A second insert of the same version breaks UNIQUE. */
	{
		struct err err = ERR_INIT;

		assert_int_equal(sqlite_driver.history_insert(db, &v, &err),
		    ERR_RUNTIME);
		assert_true(strncmp(err.msg, DISPLAY ": ",
		    strlen(DISPLAY ": ")) == 0);
		assert_non_null(strstr(err.msg, "UNIQUE constraint failed"));
	}

	/* Reading replaces what h held. */
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 2);
	history_release(&h);
	sqlite_driver.close(db);
}

static void test_history_update(void **state)
{
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row(), r = repeatable_row(), other;
	struct err err = ERR_INIT;
	struct db *db = open_db(fx->path);

	OK(sqlite_driver.history_create(db, E));
	OK(sqlite_driver.history_insert(db, &v, E));
	OK(sqlite_driver.history_insert(db, &r, E));
	raw_exec(fx->path, "UPDATE migpack_history SET applied_at = "
	    "'2021-01-01T00:00:00Z'");

	/* The repeatable one, found by name. */
	r.checksum = (char *)SHA_A;
	r.state = HIST_APPLIED;
	r.execution_ms = 99;
	r.down = (char *)"SELECT 1;";
	r.down_tx = TX_NONE;
	r.bundle_release = (char *)"0011";
	OK(sqlite_driver.history_update(db, &r, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 2);
	assert_row(&h.rows[0], &v);
	assert_row(&h.rows[1], &r);
	assert_string_equal(h.rows[0].applied_at, "2021-01-01T00:00:00Z");
	assert_string_not_equal(h.rows[1].applied_at, "2021-01-01T00:00:00Z");

	/* The versioned one, found by version; down goes back to NULL. */
	v.name = (char *)"create_users_renamed";
	v.down = NULL;
	v.down_tx = TX_TRANSACTION;
	v.state = HIST_DIRTY;
	OK(sqlite_driver.history_update(db, &v, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 2);
	assert_row(&h.rows[0], &v);
	assert_row(&h.rows[1], &r);
	assert_string_not_equal(h.rows[0].applied_at, "2021-01-01T00:00:00Z");
	assert_query(fx->path, "SELECT down_tx FROM migpack_history "
	    "WHERE version = '0001'", "NULL");

	/* No such row: a bug in the caller, not silence. */
	other = repeatable_row();
	other.name = (char *)"nosuch";
	assert_int_equal(sqlite_driver.history_update(db, &other, &err),
	    ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "BUG"));
	other = versioned_row();
	other.version = (char *)"0002";
	assert_int_equal(sqlite_driver.history_update(db, &other, &err),
	    ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "BUG"));
	history_release(&h);
	sqlite_driver.close(db);
}

static void test_history_delete(void **state)
{
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row(), r = repeatable_row();
	struct err err = ERR_INIT;
	struct db *db = open_db(fx->path);

	OK(sqlite_driver.history_create(db, E));
	OK(sqlite_driver.history_insert(db, &v, E));
	OK(sqlite_driver.history_insert(db, &r, E));
	OK(sqlite_driver.history_delete(db, &v, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 1);
	assert_row(&h.rows[0], &r);
	OK(sqlite_driver.history_delete(db, &r, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 1);
	assert_int_equal(h.nr, 0);
	assert_int_equal(sqlite_driver.history_delete(db, &r, &err),
	    ERR_RUNTIME);
	history_release(&h);
	sqlite_driver.close(db);
}

/* A hand-made table with the same columns and none of the checks. */
static void test_history_integrity(void **state)
{
	static const struct {
		const char *values, *why;
	} cases[] = {
		{ "'0001', 'a', 'sideways', 'x', NULL, NULL, 'applied'",
		    "row 0001 a: unknown kind 'sideways'" },
		{ "'0001', 'a', 'versioned', 'x', NULL, NULL, 'done'",
		    "row 0001 a: unknown state 'done'" },
		{ "'0001', 'a', 'versioned', 'x', 'DROP', 'maybe', 'applied'",
		    "row 0001 a: unknown down_tx 'maybe'" },
		{ "NULL, 'a', 'versioned', 'x', NULL, NULL, 'applied'",
		    "row a: versioned without a version" },
		{ "'0001', 'a', 'versioned', NULL, NULL, NULL, 'applied'",
		    "row 0001 a: checksum is NULL" },
	};
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct err err = ERR_INIT;
	char sql[512], want[256];
	struct db *db;
	size_t i;

	db = open_db_t(fx->path, "hist2", 1000);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		raw_exec(fx->path, "DROP TABLE IF EXISTS hist2; CREATE TABLE "
		    "hist2 (id INTEGER PRIMARY KEY, version, name, kind, "
		    "checksum, down_script, down_tx, bundle_name, "
		    "bundle_release, bundle_sha256, applied_at, execution_ms, "
		    "state)");
		snprintf(sql, sizeof(sql), "INSERT INTO hist2 (version, name, "
		    "kind, checksum, down_script, down_tx, state, bundle_name, "
		    "bundle_release, bundle_sha256, applied_at, execution_ms) "
		    "VALUES (%s, 'b', 'r', 's', 't', 1)", cases[i].values);
		raw_exec(fx->path, sql);
		assert_int_equal(sqlite_driver.history_read(db, &h, &err),
		    ERR_INTEGRITY);
		snprintf(want, sizeof(want), DISPLAY ": history table hist2: "
		    "%s", cases[i].why);
		assert_string_equal(err.msg, want);
		assert_int_equal(h.nr, 0);
	}
	sqlite_driver.close(db);
}

static void test_exec(void **state)
{
	static const char text[] =
	    "-- migpack:no-transaction\n"
	    "CREATE TABLE t (x INTEGER UNIQUE);\n"
	    "\n"
	    "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);\n"
	    "SELECT * FROM t;   /* rows are ignored */\n"
	    "CREATE TRIGGER trg AFTER INSERT ON t BEGIN\n"
	    "    INSERT INTO t VALUES (NEW.x + 100);\n"
	    "END;\n"
	    "INSERT INTO t VALUES (3);\n"
	    ";;\n"
	    "-- a trailing comment, no statement\n";
	struct script s = { .path = "migrations/0001_t/up.sql", .text = text,
	    .len = sizeof(text) - 1, .tx = TX_NONE };
	struct fx *fx = *state;
	struct db *db = open_db(fx->path);

	OK(sqlite_driver.exec(db, &s, E));
	assert_query(fx->path, "SELECT group_concat(x, ',') FROM "
	    "(SELECT x FROM t ORDER BY x)", "1,2,3,103");
	sqlite_driver.close(db);
}

static void expect_exec_error(struct db *db, const char *text,
    const char *want)
{
	struct script s = { .path = "up.sql", .text = text,
	    .len = strlen(text), .tx = TX_TRANSACTION };
	struct err err = ERR_INIT;

	assert_int_equal(sqlite_driver.exec(db, &s, &err), ERR_RUNTIME);
	assert_string_equal(err.msg, want);
}

static void test_exec_errors(void **state)
{
	struct fx *fx = *state;
	struct db *db = open_db(fx->path);

	/* A prepare error: the statement on line 3. */
	expect_exec_error(db,
	    "CREATE TABLE a (x UNIQUE);\n"
	    "INSERT INTO a VALUES (1);\n"
	    "INSERT INTO nosuch VALUES (2);\n"
	    "INSERT INTO a VALUES (3);\n",
	    "up.sql:3: no such table: nosuch");
	/* what ran before the failure stays; what follows did not run */
	assert_query(fx->path, "SELECT group_concat(x) FROM a", "1");

	/* A step error (no offset): where the statement starts, past the
	 * blank line and the comments before it. */
	expect_exec_error(db,
	    "INSERT INTO a VALUES (2);\n"
	    "\n"
	    "-- the same again\n"
	    "/* twice */ INSERT INTO a\n"
	    "    VALUES (1);\n",
	    "up.sql:4: UNIQUE constraint failed: a.x");

	/* Where SQLite points, inside a statement spanning lines. */
	expect_exec_error(db,
	    "SELECT 1;\n"
	    "SELECT\n"
	    "    x,\n"
	    "    nosuchcol\n"
	    "FROM a;\n",
	    "up.sql:4: no such column: nosuchcol");
	expect_exec_error(db,
	    "SELECT 1;\n"
	    "CREATE TABLE b (\n"
	    "    y INTEGER,\n"
	    "    z INTEGER,,\n"
	    ");\n",
	    "up.sql:4: near \",\": syntax error");

	/* Cut short: no offset, so the line where the statement starts. */
	expect_exec_error(db,
	    "SELECT 1;\n"
	    "SELECT\n"
	    "    1 +\n",
	    "up.sql:2: incomplete input");

	/* A NUL byte inside the script ends nothing silently. */
	{
		static const char text[] = "CREATE TABLE c (x);\n"
		    "SELECT 1;\0DROP TABLE a;";
		struct script s = { .path = "up.sql", .text = text,
		    .len = sizeof(text) - 1, .tx = TX_TRANSACTION };
		struct err err = ERR_INIT;

		assert_int_equal(sqlite_driver.exec(db, &s, &err), ERR_RUNTIME);
		assert_string_equal(err.msg,
		    "up.sql:2: NUL byte in the script");
		assert_query(fx->path, "SELECT count(*) FROM sqlite_master "
		    "WHERE name IN ('a', 'c')", "2");
	}
	sqlite_driver.close(db);
}

static void test_transaction(void **state)
{
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row(), r = repeatable_row();
	struct script s = { .path = "up.sql", .text = "CREATE TABLE t (x);",
	    .len = 19, .tx = TX_TRANSACTION };
	struct db *db = open_db(fx->path);

	sqlite_driver.rollback(db);	/* none open: nothing happens */
	OK(sqlite_driver.history_create(db, E));

	OK(sqlite_driver.begin(db, E));
	OK(sqlite_driver.exec(db, &s, E));
	OK(sqlite_driver.history_insert(db, &v, E));
	sqlite_driver.rollback(db);
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 0);
	assert_query(fx->path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 't'", "0");

	OK(sqlite_driver.begin(db, E));
	OK(sqlite_driver.exec(db, &s, E));
	OK(sqlite_driver.history_insert(db, &r, E));
	OK(sqlite_driver.commit(db, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 1);
	assert_row(&h.rows[0], &r);
	assert_query(fx->path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name = 't'", "1");
	sqlite_driver.rollback(db);
	history_release(&h);
	sqlite_driver.close(db);
}

static void test_begin_busy(void **state)
{
	struct fx *fx = *state;
	struct db *a = open_db(fx->path), *b;
	struct err err = ERR_INIT;
	long long t0;

	b = open_db_t(fx->path, "migpack_history", 200);
	OK(sqlite_driver.begin(a, E));
	t0 = now_ms();
	assert_int_equal(sqlite_driver.begin(b, &err), ERR_LOCK);
	assert_true(now_ms() - t0 >= 150);	/* the busy timeout waited */
	assert_non_null(strstr(err.msg, DISPLAY ": "));
	assert_non_null(strstr(err.msg, "database is locked"));
	assert_non_null(strstr(err.msg, "200 ms"));
	OK(sqlite_driver.commit(a, E));
	OK(sqlite_driver.begin(b, E));
	OK(sqlite_driver.commit(b, E));
	sqlite_driver.close(b);
	sqlite_driver.close(a);
}

static void test_lock(void **state)
{
	struct fx *fx = *state;
	struct db *a = open_db(fx->path), *b;
	struct err err = ERR_INIT;
	long long t0;

	b = open_db_t(fx->path, "migpack_history", 200);
	OK(sqlite_driver.lock(a, E));
	OK(sqlite_driver.lock(a, E));	/* held already */
	t0 = now_ms();
	assert_int_equal(sqlite_driver.lock(b, &err), ERR_LOCK);
	assert_true(now_ms() - t0 >= 190);
	assert_string_equal(err.msg, DISPLAY ": another migrun holds the "
	    "lock; gave up after 200 ms");
	/* the lock is not a transaction: b can still write */
	OK(sqlite_driver.history_create(b, E));
	OK(sqlite_driver.unlock(a, E));
	OK(sqlite_driver.lock(b, E));
	assert_int_equal(sqlite_driver.lock(a, &err), ERR_LOCK);
	OK(sqlite_driver.unlock(b, E));
	OK(sqlite_driver.unlock(b, E));	/* not held: nothing to do */
	OK(sqlite_driver.lock(a, E));
	OK(sqlite_driver.unlock(a, E));
	sqlite_driver.close(b);
	sqlite_driver.close(a);
}

/* In another process: what lock and begin on path return, as exit status
 * (lock's code * 16 + begin's).  A new program, not just a fork: SQLite
 * keeps its view of the file's locks in the process, and a fork would
 * inherit the parent's. */
static int child_attempt(const char *path)
{
	struct db_opts opts = { .table = "migpack_history",
	    .lock_timeout_ms = 100 };
	struct err err = ERR_INIT;
	struct db *db = NULL;
	int lock_rc, begin_rc;

	if (sqlite_driver.open(&db, path, DISPLAY, &opts, &err))
		return 255;
	lock_rc = sqlite_driver.lock(db, &err);
	begin_rc = sqlite_driver.begin(db, &err);
	sqlite_driver.rollback(db);
	sqlite_driver.close(db);
	return lock_rc * 16 + begin_rc;
}

static int run_child(const char *path)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", "test-sqlite", "--child", path,
		    (char *)NULL);
		_exit(254);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Against another process; and taking and dropping the run lock must not
 * drop SQLite's own locks (closing any fd of the file would). */
static void test_lock_process(void **state)
{
	struct fx *fx = *state;
	struct db *db = open_db(fx->path);

	assert_int_equal(run_child(fx->path), 0);
	OK(sqlite_driver.lock(db, E));
	assert_int_equal(run_child(fx->path), ERR_LOCK * 16);
	OK(sqlite_driver.begin(db, E));
	OK(sqlite_driver.history_create(db, E));
	OK(sqlite_driver.unlock(db, E));
	assert_int_equal(run_child(fx->path), ERR_LOCK);
	OK(sqlite_driver.lock(db, E));
	OK(sqlite_driver.unlock(db, E));
	assert_int_equal(run_child(fx->path), ERR_LOCK);
	OK(sqlite_driver.commit(db, E));
	assert_int_equal(run_child(fx->path), 0);
	sqlite_driver.close(db);
	assert_int_equal(run_child(fx->path), 0);
}

static void test_readonly(void **state)
{
	struct fx *fx = *state;
	struct db_opts opts = { .table = "migpack_history",
	    .lock_timeout_ms = 1000, .readonly = 1 };
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row();
	struct err err = ERR_INIT;
	struct db *db = NULL, *rw;
	struct stat st;

	/* No file: an empty database, and still no file. */
	OK(sqlite_driver.open(&db, fx->path, DISPLAY, &opts, E));
	h.exists = 1;
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 0);
	assert_int_equal(h.nr, 0);
	OK(sqlite_driver.lock(db, E));
	OK(sqlite_driver.unlock(db, E));
	sqlite_driver.close(db);
	assert_int_not_equal(stat(fx->path, &st), 0);

	/* A file: its history, and no writing. */
	rw = open_db(fx->path);
	OK(sqlite_driver.history_create(rw, E));
	OK(sqlite_driver.history_insert(rw, &v, E));
	sqlite_driver.close(rw);
	OK(sqlite_driver.open(&db, fx->path, DISPLAY, &opts, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 1);
	assert_int_equal(h.nr, 1);
	assert_row(&h.rows[0], &v);
	assert_int_equal(sqlite_driver.history_delete(db, &v, &err),
	    ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "readonly database"));
	OK(sqlite_driver.lock(db, E));
	OK(sqlite_driver.unlock(db, E));
	history_release(&h);
	sqlite_driver.close(db);
	assert_query(fx->path, "SELECT count(*) FROM migpack_history", "1");
}

static void test_memory(void **state)
{
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row();
	struct db *db;

	(void)state;
	db = open_db(":memory:");
	OK(sqlite_driver.lock(db, E));
	OK(sqlite_driver.history_create(db, E));
	OK(sqlite_driver.history_insert(db, &v, E));
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.nr, 1);
	assert_row(&h.rows[0], &v);
	OK(sqlite_driver.unlock(db, E));
	history_release(&h);
	sqlite_driver.close(db);
}

/* Prepared statements kept on the connection still work after the table is
 * dropped and made again, and a quoted keyword is a fine table name. */
static void test_cached_statements(void **state)
{
	struct fx *fx = *state;
	struct history h = HISTORY_INIT;
	struct hist_row v = versioned_row();
	struct script drop = { .path = "x.sql", .text = "DROP TABLE \"select\";",
	    .len = 20, .tx = TX_TRANSACTION };
	struct db *db = open_db_t(fx->path, "select", 1000);
	struct err err = ERR_INIT;
	int i;

	/* no table yet: the insert fails, and nothing is cached broken */
	assert_int_equal(sqlite_driver.history_insert(db, &v, &err),
	    ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "no such table"));
	for (i = 0; i < 3; i++) {
		OK(sqlite_driver.history_create(db, E));
		OK(sqlite_driver.history_insert(db, &v, E));
		OK(sqlite_driver.history_update(db, &v, E));
		OK(sqlite_driver.history_read(db, &h, E));
		assert_int_equal(h.nr, 1);
		assert_row(&h.rows[0], &v);
		OK(sqlite_driver.exec(db, &drop, E));
	}
	OK(sqlite_driver.history_read(db, &h, E));
	assert_int_equal(h.exists, 0);
	history_release(&h);
	sqlite_driver.close(db);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(test_open_creates),
		T(test_open_errors),
		T(test_bad_table),
		T(test_history_fresh),
		T(test_history_roundtrip),
		T(test_history_update),
		T(test_history_delete),
		T(test_history_integrity),
		T(test_exec),
		T(test_exec_errors),
		T(test_transaction),
		T(test_begin_busy),
		T(test_lock),
		T(test_lock_process),
		T(test_readonly),
		T(test_memory),
		T(test_cached_statements),
	};

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return child_attempt(argv[2]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
