/* The SQLite driver: a database file, its history table, and a run lock. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "driver.h"
#include "gunzip.h"
#include "histsql.h"
#include "schema.h"
#include "split.h"
#include "ofile.h"
#include "xalloc.h"

#define DEFAULT_TABLE "migpack_history"
#define POLL_MIN_MS 10
#define POLL_JITTER_MS 40

/* History statements (histsql.h), prepared on first use and kept for the
 * connection: a run of 1000 migrations prepares each once. */
struct sqlite_db {
	struct db base;		/* first: the runner sees a struct db */
	sqlite3 *conn;
	char *table;		/* as given, for messages */
	char *quoted;		/* "table", for SQL */
	unsigned timeout_ms;
	int lock_fd;		/* open until after sqlite3_close; -1 */
	int locked;
	unsigned have;		/* the table's later columns: HIST_HAS_* */
	sqlite3_stmt *stmt[HS_NR];
	sqlite3_stmt *insert;	/* a CSV seed's rows */
	struct buf msg;		/* conn_msg's */
};

static struct sqlite_db *to_sqlite(struct db *db)
{
	return (struct sqlite_db *)db;
}

/* The database file's directory ("." for a bare name) and, when name is
 * not NULL, its name. */
static void file_place(struct sqlite_db *d, char **dir, char **name)
{
	const char *file = sqlite3_db_filename(d->conn, "main");
	const char *slash;

	if (!file || !*file)
		file = "memory";
	slash = strrchr(file, '/');
	*dir = slash ? xstrndup(file, slash == file ? 1 :
	    (size_t)(slash - file)) : xstrdup(".");
	if (name)
		*name = xstrdup(slash ? slash + 1 : file);
}

/* SQLite's words for the connection's last error.  "Attempt to write a
 * readonly database" says which when the file can be written but its
 * directory cannot: SQLite writes the database's journal there. */
static const char *conn_msg(struct sqlite_db *d)
{
	const char *msg = sqlite3_errmsg(d->conn);
	const char *file = sqlite3_db_filename(d->conn, "main");
	char *dir;

	if ((sqlite3_extended_errcode(d->conn) & 0xff) != SQLITE_READONLY ||
	    !file || !*file)
		return msg;
	file_place(d, &dir, NULL);
	buf_reset(&d->msg);
	if (access(file, W_OK) < 0)
		buf_addf(&d->msg, "the database file is not writable: %s", msg);
	else if (sqlite3_extended_errcode(d->conn) ==
	    SQLITE_READONLY_DIRECTORY || access(dir, W_OK) < 0)
		buf_addf(&d->msg, "the directory '%s' is not writable, and "
		    "SQLite writes the database's journal there: %s", dir, msg);
	else
		buf_addstr(&d->msg, msg);
	free(dir);
	return d->msg.data;
}

/* SQLite's own error for a failed call on the connection. */
static int db_fail(struct sqlite_db *d, struct err *err, const char *what)
{
	/* SQLITE_BUSY comes after the busy timeout: another writer. */
	enum err_code code = sqlite3_errcode(d->conn) == SQLITE_BUSY ?
	    ERR_LOCK : ERR_RUNTIME;

	return err_set(err, code, "%s: %s: %s", d->base.display, what,
	    conn_msg(d));
}

static void sqlite_close(struct db *db)
{
	struct sqlite_db *d = to_sqlite(db);
	size_t i;

	if (!d)
		return;
	for (i = 0; i < HS_NR; i++)
		sqlite3_finalize(d->stmt[i]);
	sqlite3_finalize(d->insert);
	sqlite3_close_v2(d->conn);
	/* Only now: closing any fd of the file drops SQLite's fcntl locks. */
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	free(d->table);
	free(d->quoted);
	free(d->base.display);
	buf_release(&d->msg);
	free(d);
}

static int sqlite_open(struct db **out, const char *target,
    const char *display, const struct db_opts *opts, struct err *err)
{
	struct sqlite_db *d = NULL;
	const char *table = opts->table ? opts->table : DEFAULT_TABLE;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	struct stat st;
	int ret = 0, rc;

	*out = NULL;
	if (!table_name_valid(table, 0)) {
		ret = err_set(err, ERR_INPUT, "history table %s: not a valid "
		    "SQLite table name (letters, digits and '_', not starting "
		    "with a digit, at most 63 bytes, no schema)", table);
		goto out;
	}
	d = xcalloc(1, sizeof(*d));
	d->base.drv = &sqlite_driver;
	d->base.display = xstrdup(display);
	d->table = xstrdup(table);
	/* A valid name has nothing to escape inside the quotes. */
	d->quoted = xasprintf("\"%s\"", table);
	d->timeout_ms = opts->lock_timeout_ms;
	d->lock_fd = -1;

	if (opts->must_exist && stat(target, &st) < 0) {
		ret = errno == ENOENT ? err_set(err, ERR_INPUT, "%s: no such "
		    "database file", display) : err_errno(err, ERR_RUNTIME,
		    "%s", display);
		goto out;
	}
	if (opts->readonly) {
		/* A file that is not there reads as an empty database; an
		 * empty in-memory one is that, and creates nothing. */
		if (stat(target, &st) < 0 && errno == ENOENT)
			target = ":memory:";
		flags = SQLITE_OPEN_READONLY;
	}
	rc = sqlite3_open_v2(target, &d->conn, flags, NULL);
	if (rc != SQLITE_OK) {
		ret = err_set(err, ERR_RUNTIME, "%s: %s", display, d->conn ?
		    conn_msg(d) : sqlite3_errstr(rc));
		goto out;
	}
	/* Other writers are waited for as long as the run lock is. */
	sqlite3_busy_timeout(d->conn, d->timeout_ms > INT_MAX ? INT_MAX :
	    (int)d->timeout_ms);
	/* Reading the schema here reports "file is not a database" at open,
	 * not at the first statement of the run. */
	if (sqlite3_exec(d->conn, "SELECT count(*) FROM sqlite_master", NULL,
	    NULL, NULL) != SQLITE_OK) {
		ret = err_set(err, ERR_RUNTIME, "%s: %s", display,
		    conn_msg(d));
		goto out;
	}
out:
	if (ret)
		sqlite_close(d ? &d->base : NULL);
	else
		*out = &d->base;
	return ret;
}

/* Which of the later columns the history table has (HIST_HAS_* bits), -1
 * when there is no table (or it cannot be read). */
static int columns_now(struct sqlite_db *d)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(d->conn, "SELECT count(*), "
	    "coalesce(sum(name = '" HIST_PROBE_PROGRESS "'), 0), "
	    "coalesce(sum(name = '" HIST_PROBE_SIGNED "'), 0) FROM "
	    "pragma_table_info(?1)", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, d->table, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0))
		ret = (sqlite3_column_int(st, 1) ? (int)HIST_HAS_PROGRESS : 0) |
		    (sqlite3_column_int(st, 2) ? (int)HIST_HAS_SIGNED : 0);
	sqlite3_finalize(st);
	return ret;
}

/* Under the run lock: give a table an older migrun made the columns of
 * this one, in one transaction.  When that cannot be done, the table is
 * written as it is, without what it lacks. */
static void upgrade(struct sqlite_db *d)
{
	struct buf sql = BUF_INIT;
	int have = columns_now(d);

	if (have < 0 || (unsigned)have == HIST_HAS_ALL)
		return;
	buf_addstr(&sql, "BEGIN IMMEDIATE; ");
	histsql_upgrade(&sql, DIALECT_SQLITE, d->quoted, (unsigned)have);
	buf_addstr(&sql, "; COMMIT");
	if (sqlite3_exec(d->conn, sql.data, NULL, NULL, NULL) != SQLITE_OK &&
	    !sqlite3_get_autocommit(d->conn))
		sqlite3_exec(d->conn, "ROLLBACK", NULL, NULL, NULL);
	buf_release(&sql);
}

static int sqlite_lock(struct db *db, struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	const char *path = sqlite3_db_filename(d->conn, "main");
	struct lockwait w;
	char limit[32];

	if (d->locked || !path || !*path)
		return 0;	/* held already, or an in-memory database */
	/* flock, not fcntl: independent of SQLite's own locks on the file. */
	if (d->lock_fd < 0 &&
	    (d->lock_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(err, ERR_RUNTIME, "%s: open for the run lock",
		    db->display);
	lockwait_start(&w, d->timeout_ms, POLL_MIN_MS, POLL_JITTER_MS);
	while (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return err_errno(err, ERR_RUNTIME, "%s: run lock",
			    db->display);
		if (lockwait_nap(&w) < 0) {
			lockwait_limit(d->timeout_ms, limit, sizeof(limit));
			return err_set(err, ERR_LOCK, "%s: another migrun "
			    "holds the lock; gave up after %s", db->display,
			    limit);
		}
	}
	d->locked = 1;
	upgrade(d);
	return 0;
}

static int sqlite_unlock(struct db *db, struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);

	if (!d->locked)
		return 0;
	/* Not close(): that would drop SQLite's fcntl locks too. */
	if (flock(d->lock_fd, LOCK_UN) < 0)
		return err_errno(err, ERR_RUNTIME, "%s: run lock", db->display);
	d->locked = 0;
	return 0;
}

static int sqlite_begin(struct db *db, struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	char limit[32];

	if (sqlite3_exec(d->conn, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK)
		return 0;
	if (sqlite3_errcode(d->conn) != SQLITE_BUSY)
		return db_fail(d, err, "begin");
	lockwait_limit(d->timeout_ms, limit, sizeof(limit));
	return err_set(err, ERR_LOCK, "%s: begin: %s: another connection "
	    "is writing; gave up after %s", db->display,
	    conn_msg(d), limit);
}

static int sqlite_commit(struct db *db, struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);

	if (sqlite3_exec(d->conn, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(d, err, "commit");
	return 0;
}

static void sqlite_rollback(struct db *db)
{
	struct sqlite_db *d = to_sqlite(db);

	if (!sqlite3_get_autocommit(d->conn))
		sqlite3_exec(d->conn, "ROLLBACK", NULL, NULL, NULL);
}

/* Past blanks and comments: where the next statement really starts. */
static const char *skip_blank(const char *p, const char *end)
{
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
		    *p == '\f' || *p == '\v')
			p++;
		else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			const char *close = NULL;

			for (p += 2; p + 1 < end; p++)
				if (p[0] == '*' && p[1] == '/') {
					close = p + 2;
					break;
				}
			p = close ? close : end;
		} else
			break;
	}
	return p;
}

static unsigned long line_at(const char *text, const char *p)
{
	unsigned long line = 1;

	for (; text < p; text++)
		if (*text == '\n')
			line++;
	return line;
}

/* "PATH:LINE: MESSAGE" for the statement that starts at sql. */
static int exec_fail(struct sqlite_db *d, const struct script *s,
    const char *sql, const char *end, const char *msg, struct err *err)
{
	const char *at = skip_blank(sql, end);

#if SQLITE_VERSION_NUMBER >= 3038000
	int off = sqlite3_error_offset(d->conn);

	if (off >= 0 && off <= end - sql)
		at = sql + off;
#else
	(void)d;
#endif
	return err_set(err, ERR_RUNTIME, "%s:%lu: %s", s->path,
	    line_at(s->text, at), msg);
}

/*
 * What SQLite refuses inside a transaction ("cannot start a transaction
 * within a transaction", "cannot VACUUM from within a transaction", ...)
 * explained: the script needs to run outside the migration's.  migpack
 * finds such scripts at build; an older bundle may still hold one.
 */
static const char *in_tx_msg(struct sqlite_db *d, int in_tx)
{
	const char *msg = conn_msg(d);

	if (!in_tx || (!strstr(msg, "within a transaction") &&
	    !strstr(msg, "within transaction") &&
	    !strstr(msg, "inside a transaction")))
		return msg;
	if (msg != d->msg.data) {
		buf_reset(&d->msg);
		buf_addstr(&d->msg, msg);
	}
	buf_addstr(&d->msg, ": the script runs in the transaction the "
	    "migration runs in, and this statement cannot; a script that "
	    "runs its own transactions (BEGIN ... COMMIT) or needs none must "
	    "be marked no-transaction (migpack build finds them)");
	return d->msg.data;
}

/* Run the statements of s between sql and end. */
static int run_span(struct sqlite_db *d, const struct script *s,
    const char *sql, const char *end, int in_tx, struct err *err)
{
	sqlite3_stmt *stmt = NULL;
	const char *tail;
	int ret = 0, rc;

	while (sql < end) {
		/* SQLite would stop there and take the rest for the end. */
		if (!*sql) {
			ret = err_set(err, ERR_RUNTIME, "%s:%lu: NUL byte in "
			    "the script", s->path, line_at(s->text, sql));
			goto out;
		}
		/* -1 to the script's end, not a length: with a length that
		 * does not cover the NUL, SQLite copies the rest every
		 * time. */
		rc = sqlite3_prepare_v2(d->conn, sql, end == s->text + s->len ?
		    -1 : (int)(end - sql), &stmt, &tail);
		if (rc != SQLITE_OK) {
			ret = exec_fail(d, s, sql, end, in_tx_msg(d, in_tx),
			    err);
			goto out;
		}
		if (!stmt) {
			sql = tail;	/* only blanks or comments */
			continue;
		}
		while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
			;
		if (rc != SQLITE_DONE) {
			ret = exec_fail(d, s, sql, end, in_tx_msg(d, in_tx),
			    err);
			goto out;
		}
		/* The runner's transaction ends with the runner, or the
		 * history row would not commit with the work it records. */
		if (in_tx && sqlite3_get_autocommit(d->conn)) {
			ret = exec_fail(d, s, sql, end, "the statement ended "
			    "the transaction the migration runs in; a script "
			    "that commits or rolls back must be marked "
			    "no-transaction", err);
			goto out;
		}
		sqlite3_finalize(stmt);
		stmt = NULL;
		sql = tail;
	}
out:
	sqlite3_finalize(stmt);
	return ret;
}

/* A migration's script outside a transaction goes statement by statement
 * as the sqlite3 shell splits it, counted (driver.h: skip, step). */
static int sqlite_exec(struct db *db, const struct script *s,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	int in_tx = !sqlite3_get_autocommit(d->conn), ret = 0;
	struct splitter sp;
	struct stmt st;
	unsigned done = 0;

	if (in_tx || !s->migration) {
		ret = run_span(d, s, s->text, s->text + s->len, in_tx, err);
	} else {
		split_init_sqlite(&sp, s->text, s->len);
		while (!ret && split_next(&sp, &st)) {
			if (done < s->skip) {
				done++;	/* an earlier attempt ran it */
				continue;
			}
			if (s->step && (ret = s->step(s->arg, done, NULL,
			    err)))
				break;
			ret = run_span(d, s, s->text + st.off, s->text +
			    st.off + st.len, 0, err);
			done++;
		}
		if (!ret && s->step)
			ret = s->step(s->arg, done, NULL, err);
	}
	if (!ret && !in_tx && !sqlite3_get_autocommit(d->conn))
		ret = err_set(err, ERR_RUNTIME, "%s: the script leaves a "
		    "transaction open (BEGIN without COMMIT); it was rolled "
		    "back", s->path);
	/* A transaction the script opened itself is no one else's to end. */
	if (ret && !in_tx)
		sqlite_rollback(db);
	return ret;
}

static int sqlite_history_create(struct db *db, struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	struct buf sql = BUF_INIT;
	char what[128];
	int ret = 0;

	histsql_create(&sql, DIALECT_SQLITE, d->quoted);
	if (sqlite3_exec(d->conn, sql.data, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(what, sizeof(what), "create history table %s",
		    d->table);
		ret = db_fail(d, err, what);
	} else
		d->have = HIST_HAS_ALL;
	buf_release(&sql);
	return ret;
}

/* A row's text column, copied; NULL when SQL NULL. */
static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static int bad_row(struct sqlite_db *d, const struct hist_row *r,
    struct err *err, const char *why)
{
	return err_set(err, ERR_INTEGRITY, "%s: history table %s: row %s%s%s: "
	    "%s", d->base.display, d->table, r->version ? r->version : "",
	    r->version ? " " : "", r->name ? r->name : "(no name)", why);
}

/* Fill r from the current row of the history query. */
static int read_row(struct sqlite_db *d, sqlite3_stmt *st,
    struct hist_row *r, struct err *err)
{
	static const char *const required[] = { "name", "kind", "checksum",
	    "bundle_name", "bundle_release", "bundle_sha256", "applied_at",
	    "execution_ms", "state" };
	static const int required_col[] = { 1, 2, 3, 6, 7, 8, 9, 10, 11 };
	const char *kind = (const char *)sqlite3_column_text(st, 2);
	const char *down_tx = (const char *)sqlite3_column_text(st, 5);
	const char *state = (const char *)sqlite3_column_text(st, 11);
	char why[160];
	size_t i;

	r->version = column_dup(st, 0);
	r->name = column_dup(st, 1);
	r->checksum = column_dup(st, 3);
	r->down = column_dup(st, 4);
	r->bundle_name = column_dup(st, 6);
	r->bundle_release = column_dup(st, 7);
	r->bundle_sha256 = column_dup(st, 8);
	r->applied_at = column_dup(st, 9);
	r->signed_by = column_dup(st, 15);
	r->execution_ms = sqlite3_column_int64(st, 10);
	if (sqlite3_column_type(st, 13) != SQLITE_NULL) {
		r->statements_done = (long)sqlite3_column_int64(st, 12);
		r->statements = (long)sqlite3_column_int64(st, 13);
		r->resume_note = column_dup(st, 14);
	}

	/* The table's constraints rule these out, unless it was edited. */
	why[0] = '\0';
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (sqlite3_column_type(st, required_col[i]) == SQLITE_NULL) {
			snprintf(why, sizeof(why), "%s is NULL", required[i]);
			return bad_row(d, r, err, why);
		}
	if (hist_row_parse(r, kind, state, down_tx, why, sizeof(why)))
		return bad_row(d, r, err, why);
	return 0;
}

/* Replaces h's contents on success; leaves h untouched on failure. */
static int sqlite_history_read(struct db *db, struct history *h,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	struct history tmp = HISTORY_INIT;
	sqlite3_stmt *st = NULL;
	char *sql = NULL, what[128];
	int ret = 0, rc;

	snprintf(what, sizeof(what), "read history table %s", d->table);
	/* Identifiers are case-insensitive in SQLite, quoted or not. */
	if (sqlite3_prepare_v2(d->conn, "SELECT 1 FROM main.sqlite_master "
	    "WHERE type = 'table' AND name = ?1 COLLATE NOCASE", -1, &st,
	    NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, d->table, -1, SQLITE_STATIC) !=
	    SQLITE_OK) {
		ret = db_fail(d, err, what);
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ret = db_fail(d, err, what);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc == SQLITE_DONE)
		goto out;	/* no table: no rows */
	tmp.exists = 1;

	d->have = (unsigned)columns_now(d);
	sql = xasprintf("SELECT version, name, kind, checksum, down_script, "
	    "down_tx, bundle_name, bundle_release, bundle_sha256, applied_at, "
	    "execution_ms, state, %s, %s FROM %s ORDER BY id",
	    d->have & HIST_HAS_PROGRESS ? "statements_done, statements, "
	    "resume_note" : "NULL, NULL, NULL", d->have & HIST_HAS_SIGNED ?
	    "signed_by" : "NULL", d->quoted);
	if (sqlite3_prepare_v2(d->conn, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(d, err, what);
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = read_row(d, st, history_add(&tmp), err)))
			goto out;
	if (rc != SQLITE_DONE)
		ret = db_fail(d, err, what);
out:
	sqlite3_finalize(st);
	free(sql);
	if (ret)
		history_release(&tmp);
	else {
		history_release(h);
		*h = tmp;
	}
	return ret;
}

static sqlite3_stmt *get_stmt(struct sqlite_db *d, enum hist_stmt id)
{
	struct buf sql = BUF_INIT;

	if (!d->stmt[id]) {
		histsql_stmt(&sql, DIALECT_SQLITE, id, d->quoted, d->have);
		if (sqlite3_prepare_v3(d->conn, sql.data, -1,
		    SQLITE_PREPARE_PERSISTENT, &d->stmt[id], NULL) != SQLITE_OK)
			d->stmt[id] = NULL;
		buf_release(&sql);
	}
	return d->stmt[id];
}

/* Run one history statement for r: bind, step, and say how many rows it
 * changed. */
static int history_write(struct sqlite_db *d, enum hist_stmt id,
    const struct hist_row *r, const char *verb, struct err *err)
{
	const char *vals[HIST_PARAMS];
	sqlite3_stmt *st = NULL;
	char what[160], ms[48];
	int ret = 0, rc = SQLITE_OK, i, n;

	snprintf(what, sizeof(what), "%s %s%s%s in history table %s", verb,
	    r->version ? r->version : "", r->version ? " " : "",
	    r->name ? r->name : "", d->table);
	if (!histsql_row_ok(r)) {
		ret = err_set(err, ERR_RUNTIME, "%s: BUG: %s: malformed row",
		    d->base.display, what);
		goto out;
	}
	if (!(st = get_stmt(d, id))) {
		ret = db_fail(d, err, what);
		goto out;
	}
	n = histsql_params(id, r, d->have, vals, ms);
	/* Static: the statement is reset and cleared before vals can go. */
	for (i = 0; i < n && rc == SQLITE_OK; i++)
		rc = i == HIST_PARAM_MS ?
		    sqlite3_bind_int64(st, i + 1, r->execution_ms) :
		    vals[i] ? sqlite3_bind_text(st, i + 1, vals[i], -1,
		    SQLITE_STATIC) : sqlite3_bind_null(st, i + 1);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_DONE)
		rc = SQLITE_OK;
	if (rc != SQLITE_OK)
		ret = db_fail(d, err, what);
	else if (sqlite3_changes(d->conn) != 1)
		ret = err_set(err, ERR_RUNTIME, "%s: BUG: %s: %d rows changed, "
		    "not 1", d->base.display, what, sqlite3_changes(d->conn));
out:
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return ret;
}

static int sqlite_history_insert(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_sqlite(db), HS_INSERT, r, "insert", err);
}

static int sqlite_history_update(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_sqlite(db), histsql_update_of(r), r,
	    "update", err);
}

static int sqlite_history_delete(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_sqlite(db), histsql_delete_of(r), r,
	    "delete", err);
}

static int sqlite_history_progress(struct db *db, const struct hist_row *r,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);

	return d->have & HIST_HAS_PROGRESS ? history_write(d,
	    histsql_progress_of(r), r,
	    "record the progress of", err) : 0;
}

static int sqlite_query(struct db *db, const char *sql,
    const char *const *params, int n, db_row_fn row, void *arg,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	const char *cols[16];
	sqlite3_stmt *st = NULL;
	int ret = 0, rc, i, nc;

	if (sqlite3_prepare_v2(d->conn, sql, -1, &st, NULL) != SQLITE_OK) {
		ret = db_fail(d, err, "query");
		goto out;
	}
	for (i = 0, rc = SQLITE_OK; i < n && rc == SQLITE_OK; i++)
		rc = params[i] ? sqlite3_bind_text(st, i + 1, params[i], -1,
		    SQLITE_STATIC) : sqlite3_bind_null(st, i + 1);
	if (rc != SQLITE_OK) {
		ret = db_fail(d, err, "query");
		goto out;
	}
	nc = sqlite3_column_count(st);
	if (nc > 16)
		BUG("query with %d columns", nc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < nc; i++)
			cols[i] = (const char *)sqlite3_column_text(st, i);
		if (row && (ret = row(arg, cols, nc, err)))
			goto out;
	}
	if (rc != SQLITE_DONE)
		ret = db_fail(d, err, "query");
out:
	sqlite3_finalize(st);
	return ret;
}

/* The file's name without its directory and extension. */
static char *sqlite_name(struct db *db)
{
	const char *path = sqlite3_db_filename(to_sqlite(db)->conn, "main");
	const char *base, *dot;

	if (!path || !*path)
		return xstrdup("memory");
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dot = strrchr(base, '.');
	return xstrndup(base, dot && dot > base ? (size_t)(dot - base) :
	    strlen(base));
}

/* A scratch file in dir for a copy of database owner: *fd open on it. */
static char *temp_db(const char *dir, const char *owner, int *fd,
    struct err *err)
{
	char *prefix = xasprintf(SCRATCH_PREFIX "%s-", owner);
	char *tmp = afile_temp_new(dir, prefix, fd, err);

	free(prefix);
	return tmp;
}

static unsigned sqlite_sweep(struct db *db, char **where)
{
	struct sqlite_db *d = to_sqlite(db);
	char *dir, *name, *prefix;
	unsigned n;

	file_place(d, &dir, &name);
	prefix = xasprintf(SCRATCH_PREFIX "%s-", name);
	n = afile_sweep_prefix(dir, prefix);
	free(prefix);
	free(name);
	if (n)
		*where = dir;
	else
		free(dir);
	return n;
}

static int is_full(int sys)
{
	return sys == ENOSPC || sys == EDQUOT || sys == EFBIG;
}

/* The database's size, for a message: "12.3 MB". */
static void db_size(sqlite3 *db, char *out, size_t size)
{
	sqlite3_stmt *st = NULL;
	double bytes = 0;

	if (sqlite3_prepare_v2(db, "SELECT page_count * page_size FROM "
	    "pragma_page_count(), pragma_page_size()", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		bytes = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	snprintf(out, size, "%.1f MB", bytes / 1e6);
}

/* Copy database src over dst with the online backup API: all pages in
 * one step, so one consistent snapshot of src, another connection's write
 * waited for as long as the run lock would be.  When the copy goes into
 * the backup directory dir (not NULL), a full disk names it. */
static int copy_db(struct sqlite_db *d, sqlite3 *dst, sqlite3 *src,
    const char *what, const char *dir, struct err *err)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	struct lockwait w;
	char size[32];
	int rc, sys;

	if (!b)
		return err_set(err, ERR_RUNTIME, "%s: %s: %s", d->base.display,
		    what, sqlite3_errmsg(dst));
	lockwait_start(&w, d->timeout_ms, POLL_MIN_MS, POLL_JITTER_MS);
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
	    rc == SQLITE_LOCKED)
		if (lockwait_nap(&w) < 0)
			break;
	sqlite3_backup_finish(b);
	if (rc == SQLITE_DONE)
		return 0;
	/* A full disk is an I/O error to SQLite: give the system's words. */
	sys = (rc & 0xff) == SQLITE_IOERR || rc == SQLITE_FULL ?
	    sqlite3_system_errno(dst) : 0;
	if (dir && (rc == SQLITE_FULL || is_full(sys))) {
		db_size(src, size, sizeof(size));
		return err_set(err, ERR_RUNTIME, "%s: %s: no room in backup "
		    "directory '%s' for the database's copy (%s, before "
		    "compression): %s",
		    d->base.display, what, dir, size,
		    sys ? strerror(sys) : sqlite3_errstr(rc));
	}
	return err_set(err, rc == SQLITE_BUSY || rc == SQLITE_LOCKED ?
	    ERR_LOCK : ERR_RUNTIME, "%s: %s: %s%s%s", d->base.display, what,
	    sqlite3_errstr(rc), sys ? ": " : "", sys ? strerror(sys) : "");
}

/* The database copied into a temporary file, then that file gzipped into
 * the backup: SQLite's backup API writes only to a database. */
static int sqlite_backup(struct db *db, const struct backup_io *io,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	sqlite3 *dst = NULL;
	char *tmp = NULL, *buf = NULL;
	int fd = -1, ret = 0;
	ssize_t n;

	if (!(tmp = temp_db(io->dir, io->owner, &fd, err)))
		return ERR_RUNTIME;
	afile_scratch(tmp);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK ||
	    sqlite3_exec(dst, "PRAGMA journal_mode = OFF; "
	    "PRAGMA synchronous = OFF", NULL, NULL, NULL) != SQLITE_OK) {
		ret = err_set(err, ERR_RUNTIME, "'%s': %s", tmp,
		    dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	if ((ret = copy_db(d, dst, d->conn, "backup", io->dir, err)))
		goto out;
	if (sqlite3_close(dst) != SQLITE_OK) {
		ret = err_set(err, ERR_RUNTIME, "'%s': %s", tmp,
		    sqlite3_errmsg(dst));
		goto out;
	}
	dst = NULL;
	buf = xmalloc(1 << 17);
	while ((n = read(fd, buf, 1 << 17)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = err_errno(err, ERR_RUNTIME, "'%s'", tmp);
			goto out;
		}
		if ((ret = ofile_write(io->out, buf, (size_t)n, err)))
			goto out;
	}
out:
	sqlite3_close(dst);
	/* Removed before closed: its lock keeps a sweep off till then. */
	unlink(tmp);
	if (fd >= 0)
		close(fd);
	afile_scratch(NULL);
	free(tmp);
	free(buf);
	return ret;
}

/* The backup decompressed into a scratch file beside the database. */
struct scratch {
	int fd;
	const char *path, *dir;
	struct sqlite_db *d;
};

static int write_scratch(void *arg, const void *data, size_t len,
    struct err *err)
{
	const struct scratch *sc = arg;

	if (fd_write_all(sc->fd, data, len) == 0)
		return 0;
	if (is_full(errno))
		return err_errno(err, ERR_RUNTIME, "%s: restore: no room in "
		    "'%s', beside the database, for the backup's copy "
		    "(before compression)", sc->d->base.display, sc->dir);
	return err_errno(err, ERR_RUNTIME, "%s: restore: writing the backup's "
	    "copy '%s'", sc->d->base.display, sc->path);
}

/* PRAGMA integrity_check answers one row, "ok", or what is wrong. */
static int integrity_row(void *arg, int n, char **vals, char **names)
{
	struct buf *b = arg;

	(void)names;
	if (n > 0 && vals[0] && strcmp(vals[0], "ok") && b->len < 512)
		buf_addf(b, "%s%s", b->len ? "; " : "", vals[0]);
	return 0;
}

/* Decompressed into a temporary file beside the database, checked, then
 * copied over the database with the backup API, in one transaction. */
static int sqlite_restore(struct db *db, const char *path,
    const struct backup_io *io, struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	char *dir = NULL, *name = NULL, *tmp = NULL;
	struct scratch sc;
	struct buf bad = BUF_INIT;
	sqlite3 *src = NULL;
	int fd = -1, ret = 0;

	(void)io;
	file_place(d, &dir, &name);
	if (!(tmp = temp_db(dir, name, &fd, err))) {
		ret = ERR_RUNTIME;
		goto out;
	}
	afile_scratch(tmp);
	sc.fd = fd;
	sc.path = tmp;
	sc.dir = dir;
	sc.d = d;
	if ((ret = gunzip_file(path, write_scratch, &sc, err)))
		goto out;
	if (sqlite3_open_v2(tmp, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		ret = err_set(err, ERR_RUNTIME, "'%s': %s", path,
		    src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	if (sqlite3_exec(src, "PRAGMA integrity_check", integrity_row, &bad,
	    NULL) != SQLITE_OK) {
		ret = err_set(err, ERR_INTEGRITY, "'%s': not a SQLite "
		    "database: %s", path, sqlite3_errmsg(src));
		goto out;
	}
	if (bad.len) {
		ret = err_set(err, ERR_INTEGRITY, "'%s': the database in it "
		    "fails PRAGMA integrity_check: %s", path, bad.data);
		goto out;
	}
	ret = copy_db(d, d->conn, src, "restore", NULL, err);
out:
	sqlite3_close(src);
	if (tmp)
		unlink(tmp);
	if (fd >= 0)
		close(fd);
	afile_scratch(NULL);
	free(tmp);
	free(dir);
	free(name);
	buf_release(&bad);
	return ret;
}

static int sqlite_csv_begin(struct db *db, struct csv_load *l,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	struct buf sql = BUF_INIT;
	size_t i;
	int ret = 0;

	buf_addf(&sql, "INSERT INTO %s (%s) VALUES (", l->table,
	    l->column_list);
	for (i = 0; i < l->nr_columns; i++)
		buf_addf(&sql, "%s?%zu", i ? ", " : "", i + 1);
	buf_addch(&sql, ')');
	sqlite3_finalize(d->insert);
	if (sqlite3_prepare_v3(d->conn, sql.data, -1,
	    SQLITE_PREPARE_PERSISTENT, &d->insert, NULL) != SQLITE_OK) {
		d->insert = NULL;
		l->fail_line = 1;
		ret = err_set(err, ERR_RUNTIME, "%s", conn_msg(d));
	}
	l->rows = 0;
	buf_release(&sql);
	return ret;
}

/* The column SQLite's message names ("... t.col"), if any. */
static void failed_column(const struct csv_load *l, const char *msg,
    char *out, size_t size)
{
	const char *p;
	size_t i, n;

	for (i = 0; i < l->nr_columns; i++) {
		/* columns are "quoted": compare what is inside */
		n = strlen(l->columns[i]) - 2;
		for (p = strchr(msg, '.'); p; p = strchr(p + 1, '.'))
			if (!strncasecmp(p + 1, l->columns[i] + 1, n) &&
			    !(p[1 + n] == '_' || (p[1 + n] >= 'a' &&
			    p[1 + n] <= 'z') || (p[1 + n] >= 'A' &&
			    p[1 + n] <= 'Z') || (p[1 + n] >= '0' &&
			    p[1 + n] <= '9'))) {
				snprintf(out, size, "%.*s", (int)n,
				    l->columns[i] + 1);
				return;
			}
	}
}

/* An unquoted empty field is NULL, as COPY (FORMAT csv) reads it. */
static int sqlite_csv_row(struct db *db, struct csv_load *l,
    const struct csv_field *f, size_t n, unsigned long line,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);
	sqlite3_stmt *st = d->insert;
	int rc = SQLITE_OK;
	size_t i;

	for (i = 0; i < n && rc == SQLITE_OK; i++)
		rc = !f[i].len && !f[i].quoted ?
		    sqlite3_bind_null(st, (int)i + 1) :
		    sqlite3_bind_text(st, (int)i + 1, f[i].data, (int)f[i].len,
		    SQLITE_STATIC);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE) {
		l->rows++;
		return 0;
	}
	l->fail_line = line;
	failed_column(l, conn_msg(d), l->fail_column,
	    sizeof(l->fail_column));
	return err_set(err, ERR_RUNTIME, "%s", conn_msg(d));
}

static int sqlite_csv_end(struct db *db, struct csv_load *l, int abort,
    struct err *err)
{
	struct sqlite_db *d = to_sqlite(db);

	(void)l;
	(void)abort;
	(void)err;
	sqlite3_finalize(d->insert);
	d->insert = NULL;
	return 0;
}

const struct driver sqlite_driver = {
	.name = "sqlite",
	.dialect = DIALECT_SQLITE,
	.open = sqlite_open,
	.close = sqlite_close,
	.lock = sqlite_lock,
	.unlock = sqlite_unlock,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.exec = sqlite_exec,
	.history_read = sqlite_history_read,
	.history_progress = sqlite_history_progress,
	.history_create = sqlite_history_create,
	.history_insert = sqlite_history_insert,
	.history_update = sqlite_history_update,
	.history_delete = sqlite_history_delete,
	.query = sqlite_query,
	.backup_ext = "db",
	.dbname = sqlite_name,
	.backup = sqlite_backup,
	.restore = sqlite_restore,
	.sweep = sqlite_sweep,
	.schema_sql = sqlite_schema_sql,
	.schema_tables_sql = sqlite_schema_tables_sql,
	.schema_table_sql = sqlite_schema_table_sql,
	.csv_begin = sqlite_csv_begin,
	.csv_row = sqlite_csv_row,
	.csv_end = sqlite_csv_end,
};
