/* The PostgreSQL driver, over libpq: a session advisory lock as the run
 * lock, scripts sent a statement at a time, and the history table. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pq.h"

#include "buf.h"
#include "checksum.h"
#include "db.h"
#include "driver.h"
#include "histsql.h"
#include "pgclient.h"
#include "split.h"
#include "xalloc.h"

#define DEFAULT_TABLE "migpack_history"
#define POLL_MIN_MS 50
#define POLL_JITTER_MS 50
#define SQLSTATE_LOCK_NOT_AVAILABLE "55P03"
#define SQLSTATE_NO_SUCH_STATEMENT "26000"

/* History statements (histsql.h), prepared on first use and kept for the
 * connection: a run of 1000 migrations parses the insert once (a fifth of
 * its cost on a local socket).  They outlive a rollback; after a
 * migration's DEALLOCATE ALL the next history write fails, naming the
 * statement, and the one after prepares again. */
static const char *const stmt_name[HS_NR] = {
	"migpack_insert", "migpack_update_versioned",
	"migpack_update_repeatable", "migpack_delete_versioned",
	"migpack_delete_repeatable",
};

struct pg_db {
	struct db base;		/* first: the runner sees a struct db */
	PGconn *conn;
	char *table;		/* as given, for messages until resolved */
	char *schema;		/* folded as SQL folds; NULL: current_schema() */
	char *name;		/* the table part, folded */
	char *shown;		/* schema.name once resolved, for messages */
	char *qschema;		/* "schema" once resolved, for SQL */
	char *quoted;		/* "schema"."name" once resolved, for SQL */
	char lock_key[24];	/* decimal bigint, once resolved */
	unsigned timeout_ms;
	int locked;
	struct buf stmt;	/* the statement being sent, NUL-terminated */
	int prepared[HS_NR];
};

static struct pg_db *to_pg(struct db *db)
{
	return (struct pg_db *)db;
}

static void ignore_notice(void *arg, const char *message)
{
	/* "relation already exists, skipping" and the like are noise. */
	(void)arg;
	(void)message;
}

static char *fold(const char *s, size_t n)
{
	char *p = xstrndup(s, n), *q;

	for (q = p; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	return p;
}

static void add_trimmed(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	buf_add(b, s, n);
}

/* A failed connection: libpq's reason, which never names a password once
 * the target parses, but a URI that does not parse can be echoed whole or
 * in pieces.  So the target is replaced by its redacted display and every
 * form its password takes, as written and as decoded, is masked. */
static int connect_fail(PGconn *conn, const char *target,
    const char *display, struct err *err)
{
	PQconninfoOption *opts;
	struct buf msg = BUF_INIT;
	int ret;

	add_trimmed(&msg, conn ? pq.PQerrorMessage(conn) : "out of memory");
	buf_replace(&msg, target, strlen(target), display);
	db_mask(&msg, target);
	opts = pq.PQconninfoParse(target, NULL);
	ret = err_set(err, ERR_RUNTIME, "%s: %s%s", display,
	    opts ? "" : "invalid connection string: ", msg.data);
	pq.PQconninfoFree(opts);
	buf_release(&msg);
	return ret;
}

/* The server's words: "SEVERITY: PRIMARY (DETAIL)"; libpq's own when the
 * failure is on this side (a lost connection, say). */
static void result_message(PGconn *conn, const PGresult *res,
    struct buf *out)
{
	const char *sev = pq.PQresultErrorField(res, PG_DIAG_SEVERITY);
	const char *msg = pq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = pq.PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *text;

	if (msg) {
		buf_addf(out, "%s%s%s", sev ? sev : "", sev ? ": " : "", msg);
		if (detail)
			buf_addf(out, " (%s)", detail);
		return;
	}
	text = res ? pq.PQresultErrorMessage(res) : "";
	add_trimmed(out, *text ? text : pq.PQerrorMessage(conn));
	if (!out->len)
		buf_addf(out, "unexpected result %s",
		    pq.PQresStatus(pq.PQresultStatus(res)));
}

/* A statement that waited too long for a lock (lock_timeout) is a lock not
 * obtained, as the run lock is. */
static enum err_code result_code(const PGresult *res)
{
	const char *state = pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && !strcmp(state, SQLSTATE_LOCK_NOT_AVAILABLE) ?
	    ERR_LOCK : ERR_RUNTIME;
}

static int sql_fail(struct pg_db *d, const PGresult *res, const char *what,
    struct err *err)
{
	struct buf m = BUF_INIT;
	int ret;

	result_message(d->conn, res, &m);
	ret = err_set(err, result_code(res), "%s: %s: %s", d->base.display,
	    what, m.data);
	buf_release(&m);
	return ret;
}

static int result_ok(const PGresult *res)
{
	ExecStatusType st = pq.PQresultStatus(res);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One statement without rows to read. */
static int command(struct pg_db *d, const char *sql, const char *what,
    struct err *err)
{
	PGresult *res = pq.PQexec(d->conn, sql);
	int ret = result_ok(res) ? 0 : sql_fail(d, res, what, err);

	pq.PQclear(res);
	return ret;
}

/* A query that answers one row, with text parameters; the caller clears
 * *out. */
static int query_row(struct pg_db *d, const char *sql, int n,
    const char *const *params, const char *what, PGresult **out,
    struct err *err)
{
	PGresult *res = pq.PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL,
	    0);
	int ret = 0;

	if (pq.PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = sql_fail(d, res, what, err);
	else if (pq.PQntuples(res) != 1)
		ret = err_set(err, ERR_RUNTIME, "%s: %s: %d rows, not 1",
		    d->base.display, what, pq.PQntuples(res));
	if (ret) {
		pq.PQclear(res);
		res = NULL;
	}
	*out = res;
	return ret;
}

/* The lock key: the first 8 bytes of SHA-256("migpack:SCHEMA.TABLE"), big
 * endian and signed, the same on every platform, and in SQL
 * ('x' || left(encode(sha256(convert_to(S, 'UTF8')), 'hex'), 16))
 * ::bit(64)::bigint, so a DBA can take it by hand. */
static void make_lock_key(struct pg_db *d)
{
	char hex[CHECKSUM_HEX_LEN + 1];
	char *s = xasprintf("migpack:%s", d->shown);
	uint64_t u;
	int64_t v;

	checksum_buf(s, strlen(s), hex);
	hex[16] = '\0';
	u = (uint64_t)strtoull(hex, NULL, 16);
	v = u > (uint64_t)INT64_MAX ? -(int64_t)(UINT64_MAX - u) - 1 :
	    (int64_t)u;
	snprintf(d->lock_key, sizeof(d->lock_key), "%" PRId64, v);
	free(s);
}

/* The table's schema, once: an unqualified name lives in the connection's
 * current_schema(), and is used qualified from then on, so the lock key
 * and the table stay the same whatever a migration does to search_path. */
static int resolve(struct pg_db *d, struct err *err)
{
	PGresult *res = NULL;
	char *qs = NULL, *qn = NULL;
	int ret = 0;

	if (d->quoted)
		return 0;
	if (!d->schema) {
		if ((ret = query_row(d, "SELECT current_schema()", 0, NULL,
		    "current_schema()", &res, err)))
			goto out;
		if (pq.PQgetisnull(res, 0, 0)) {
			ret = err_set(err, ERR_RUNTIME, "%s: history table %s: "
			    "no schema to put it in (search_path names none "
			    "that exists); name it as SCHEMA.%s",
			    d->base.display, d->table, d->name);
			goto out;
		}
		d->schema = xstrdup(pq.PQgetvalue(res, 0, 0));
	}
	qs = pq.PQescapeIdentifier(d->conn, d->schema, strlen(d->schema));
	qn = pq.PQescapeIdentifier(d->conn, d->name, strlen(d->name));
	if (!qs || !qn) {
		ret = err_set(err, ERR_RUNTIME, "%s: history table %s: cannot "
		    "quote its name (out of memory?)", d->base.display,
		    d->table);
		goto out;
	}
	d->shown = xasprintf("%s.%s", d->schema, d->name);
	d->qschema = xstrdup(qs);
	d->quoted = xasprintf("%s.%s", qs, qn);
	make_lock_key(d);
out:
	pq.PQfreemem(qs);
	pq.PQfreemem(qn);
	pq.PQclear(res);
	return ret;
}

static void pg_close(struct db *db)
{
	struct pg_db *d = to_pg(db);

	if (!d)
		return;
	pq.PQfinish(d->conn);	/* ends the session: its lock goes with it */
	buf_release(&d->stmt);
	free(d->table);
	free(d->schema);
	free(d->name);
	free(d->shown);
	free(d->qschema);
	free(d->quoted);
	free(d->base.display);
	free(d);
}

static int pg_open(struct db **out, const char *target, const char *display,
    const struct db_opts *opts, struct err *err)
{
	/* Later keywords win: the scripts are UTF-8 whatever the URL says. */
	static const char *const keys[] = { "dbname",
	    "fallback_application_name", "client_encoding", NULL };
	const char *vals[] = { target, "migrun", "UTF8", NULL };
	const char *table = opts->table ? opts->table : DEFAULT_TABLE;
	const char *dot = strchr(table, '.');
	struct pg_db *d = NULL;
	int ret = 0, version;

	*out = NULL;
	if ((ret = pq_load(display, err)))
		goto out;
	if (!table_name_valid(table, 1)) {
		ret = err_set(err, ERR_INPUT, "history table %s: not a valid "
		    "PostgreSQL table name (letters, digits and '_', not "
		    "starting with a digit, at most 63 bytes; SCHEMA.TABLE to "
		    "name its schema)", table);
		goto out;
	}
	d = xcalloc(1, sizeof(*d));
	d->base.drv = &postgres_driver;
	d->base.display = xstrdup(display);
	d->table = xstrdup(table);
	/* Unquoted names fold to lower case in SQL; the table is created and
	 * found as the same name would be without quotes. */
	if (dot) {
		d->schema = fold(table, (size_t)(dot - table));
		d->name = fold(dot + 1, strlen(dot + 1));
	} else
		d->name = fold(table, strlen(table));
	d->timeout_ms = opts->lock_timeout_ms;
	buf_init(&d->stmt);

	d->conn = pq.PQconnectdbParams(keys, vals, 1);
	if (pq.PQstatus(d->conn) != CONNECTION_OK) {
		ret = connect_fail(d->conn, target, display, err);
		goto out;
	}
	pq.PQsetNoticeProcessor(d->conn, ignore_notice, NULL);
	/* Identity columns arrived in 10. */
	if ((version = pq.PQserverVersion(d->conn)) < 100000) {
		ret = err_set(err, ERR_RUNTIME, "%s: PostgreSQL %d.%d is too "
		    "old: migrun needs 10 or newer", display, version / 10000,
		    version / 100 % 100);
		goto out;
	}
	/* A reading command cannot write, whatever goes wrong above it. */
	if (opts->readonly && (ret = command(d, "SET "
	    "default_transaction_read_only = on", "read-only session", err)))
		goto out;
out:
	if (ret)
		pg_close(d ? &d->base : NULL);
	else
		*out = &d->base;
	return ret;
}

/*
 * pg_try_advisory_lock, polled, each try a statement of its own: a session
 * blocked in pg_advisory_lock holds a snapshot for as long as it waits, and
 * a CREATE INDEX CONCURRENTLY run by the holder waits for every older
 * snapshot to go.  That deadlock the server ends by failing one side,
 * perhaps the migration.
 */
static int pg_lock(struct db *db, struct err *err)
{
	struct pg_db *d = to_pg(db);
	const char *params[1];
	struct lockwait w;
	PGresult *res;
	char limit[32];
	int ret, got;

	if (d->locked)
		return 0;
	if ((ret = resolve(d, err)))
		return ret;
	params[0] = d->lock_key;
	lockwait_start(&w, d->timeout_ms, POLL_MIN_MS, POLL_JITTER_MS);
	for (;;) {
		if ((ret = query_row(d, "SELECT pg_try_advisory_lock($1::bigint)",
		    1, params, "run lock", &res, err)))
			return ret;
		got = pq.PQgetvalue(res, 0, 0)[0] == 't';
		pq.PQclear(res);
		if (got)
			break;
		if (lockwait_nap(&w) < 0) {
			lockwait_limit(d->timeout_ms, limit, sizeof(limit));
			return err_set(err, ERR_LOCK, "%s: another migrun holds "
			    "the lock on %s; gave up after %s", db->display,
			    d->shown, limit);
		}
	}
	d->locked = 1;
	return 0;
}

static int pg_unlock(struct db *db, struct err *err)
{
	struct pg_db *d = to_pg(db);
	const char *params[1] = { d->lock_key };
	PGresult *res;
	int ret, held;

	if (!d->locked)
		return 0;
	d->locked = 0;
	if ((ret = query_row(d, "SELECT pg_advisory_unlock($1::bigint)", 1,
	    params, "run lock", &res, err)))
		return ret;
	held = pq.PQgetvalue(res, 0, 0)[0] == 't';
	pq.PQclear(res);
	if (!held)
		return err_set(err, ERR_RUNTIME, "%s: the lock on %s was no "
		    "longer held: did a migration release it "
		    "(pg_advisory_unlock_all, DISCARD ALL)?", db->display,
		    d->shown);
	return 0;
}

static int pg_begin(struct db *db, struct err *err)
{
	return command(to_pg(db), "BEGIN", "begin", err);
}

static void pg_rollback(struct db *db)
{
	struct pg_db *d = to_pg(db);
	PGTransactionStatusType ts = pq.PQtransactionStatus(d->conn);

	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		pq.PQclear(pq.PQexec(d->conn, "ROLLBACK"));
}

static int pg_commit(struct db *db, struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGTransactionStatusType ts = pq.PQtransactionStatus(d->conn);
	PGresult *res;
	int ret = 0;

	if (ts == PQTRANS_IDLE)
		return err_set(err, ERR_RUNTIME, "%s: commit: no transaction "
		    "is open", db->display);
	/* COMMIT of a failed transaction answers "ROLLBACK", no error. */
	if (ts == PQTRANS_INERROR) {
		pg_rollback(db);
		return err_set(err, ERR_RUNTIME, "%s: commit: the transaction "
		    "had failed and was rolled back", db->display);
	}
	res = pq.PQexec(d->conn, "COMMIT");
	if (!result_ok(res))
		ret = sql_fail(d, res, "commit", err);
	else if (strcmp(pq.PQcmdStatus(res), "COMMIT"))
		ret = err_set(err, ERR_RUNTIME, "%s: commit: the transaction "
		    "was rolled back (%s)", db->display, pq.PQcmdStatus(res));
	pq.PQclear(res);
	return ret;
}

/* "PATH:LINE: MESSAGE" for a failed statement, LINE where the server
 * points inside it, else where it starts. */
static int stmt_fail(struct pg_db *d, const struct script *s,
    const struct stmt *st, const PGresult *res, struct err *err)
{
	const char *pos = pq.PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	struct buf m = BUF_INIT;
	unsigned line;
	int ret;

	line = split_position_line(s->text, st, pos ? strtol(pos, NULL, 10) :
	    0);
	result_message(d->conn, res, &m);
	ret = err_set(err, result_code(res), "%s:%u: %s", s->path, line,
	    m.data);
	buf_release(&m);
	return ret;
}

/* Consume what is left of a statement's results; the first that failed,
 * if any, is returned. */
static PGresult *drain(PGconn *conn)
{
	PGresult *res, *bad = NULL;

	while ((res = pq.PQgetResult(conn))) {
		if (!bad && !result_ok(res))
			bad = res;
		else
			pq.PQclear(res);
	}
	return bad;
}

static int pg_exec(struct db *db, const struct script *s, struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGTransactionStatusType before = pq.PQtransactionStatus(d->conn);
	struct splitter sp;
	struct stmt st;
	PGresult *res = NULL, *bad;
	char *row;
	int ret = 0;

	split_init(&sp, s->text, s->len);
	while (split_next(&sp, &st)) {
		buf_reset(&d->stmt);
		buf_add(&d->stmt, s->text + st.off, st.len);
		res = pq.PQexec(d->conn, d->stmt.data);
		switch (pq.PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_EMPTY_QUERY:
			break;
		case PGRES_COPY_IN:
			/* The server ends the COPY with an error. */
			pq.PQputCopyEnd(d->conn, "COPY FROM STDIN is not "
			    "supported by migrun");
			pq.PQclear(drain(d->conn));
			ret = err_set(err, ERR_RUNTIME, "%s:%u: COPY FROM STDIN "
			    "is not supported in a migration: use INSERT, or "
			    "a CSV seed", s->path, st.line);
			goto out;
		case PGRES_COPY_OUT:
			/* Rows to nowhere, as a SELECT's. */
			while (pq.PQgetCopyData(d->conn, &row, 0) > 0)
				pq.PQfreemem(row);
			if ((bad = drain(d->conn))) {
				pq.PQclear(res);
				res = bad;
				ret = stmt_fail(d, s, &st, res, err);
				goto out;
			}
			break;
		default:
			ret = stmt_fail(d, s, &st, res, err);
			goto out;
		}
		pq.PQclear(res);
		res = NULL;
		/* The runner's transaction ends with the runner, or the
		 * history row would not commit with the work it records. */
		if (before == PQTRANS_INTRANS &&
		    pq.PQtransactionStatus(d->conn) != PQTRANS_INTRANS) {
			ret = err_set(err, ERR_RUNTIME, "%s:%u: the statement "
			    "ended the transaction the migration runs in; a "
			    "script that commits or rolls back must be marked "
			    "no-transaction", s->path, st.line);
			goto out;
		}
	}
	if (before == PQTRANS_IDLE &&
	    pq.PQtransactionStatus(d->conn) != PQTRANS_IDLE)
		ret = err_set(err, ERR_RUNTIME, "%s: the script leaves a "
		    "transaction open (BEGIN without COMMIT); it was rolled "
		    "back", s->path);
out:
	pq.PQclear(res);
	/* A transaction the script opened itself is no one else's to end. */
	if (ret && before == PQTRANS_IDLE)
		pg_rollback(db);
	return ret;
}

static int pg_history_create(struct db *db, struct err *err)
{
	struct pg_db *d = to_pg(db);
	const char *params[2];
	struct buf sql = BUF_INIT;
	PGresult *res = NULL;
	char what[160];
	int ret, table_exists, schema_exists;

	if ((ret = resolve(d, err)))
		return ret;
	snprintf(what, sizeof(what), "create history table %s", d->shown);
	/* IF NOT EXISTS still needs the CREATE privilege: a table or schema
	 * a DBA made for a less privileged user is looked for first. */
	params[0] = d->quoted;
	params[1] = d->schema;
	if ((ret = query_row(d, "SELECT to_regclass($1) IS NOT NULL, "
	    "EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $2)", 2,
	    params, what, &res, err)))
		goto out;
	table_exists = pq.PQgetvalue(res, 0, 0)[0] == 't';
	schema_exists = pq.PQgetvalue(res, 0, 1)[0] == 't';
	if (table_exists)
		goto out;
	if (!schema_exists)
		buf_addf(&sql, "CREATE SCHEMA IF NOT EXISTS %s;\n", d->qschema);
	histsql_create(&sql, DIALECT_POSTGRES, d->quoted);
	ret = command(d, sql.data, what, err);
out:
	pq.PQclear(res);
	buf_release(&sql);
	return ret;
}

/* A text column, copied; NULL when SQL NULL. */
static char *column_dup(const PGresult *res, int row, int col)
{
	return pq.PQgetisnull(res, row, col) ? NULL :
	    xstrdup(pq.PQgetvalue(res, row, col));
}

static int bad_row(struct pg_db *d, const struct hist_row *r,
    const char *id, struct err *err, const char *why)
{
	return err_set(err, ERR_INTEGRITY, "%s: history table %s: row %s (id "
	    "%s): %s", d->base.display, d->shown,
	    r->version ? r->version : r->name ? r->name : "?", id, why);
}

enum {
	COL_ID, COL_VERSION, COL_NAME, COL_KIND, COL_CHECKSUM, COL_DOWN,
	COL_DOWN_TX, COL_BUNDLE_NAME, COL_BUNDLE_RELEASE, COL_BUNDLE_SHA256,
	COL_APPLIED_AT, COL_EXECUTION_MS, COL_STATE
};

/* Fill r from row i of the history query. */
static int read_row(struct pg_db *d, const PGresult *res, int i,
    struct hist_row *r, struct err *err)
{
	static const char *const required[] = { "name", "kind", "checksum",
	    "bundle_name", "bundle_release", "bundle_sha256", "applied_at",
	    "execution_ms", "state" };
	static const int required_col[] = { COL_NAME, COL_KIND, COL_CHECKSUM,
	    COL_BUNDLE_NAME, COL_BUNDLE_RELEASE, COL_BUNDLE_SHA256,
	    COL_APPLIED_AT, COL_EXECUTION_MS, COL_STATE };
	const char *id = pq.PQgetvalue(res, i, COL_ID);
	const char *kind = pq.PQgetvalue(res, i, COL_KIND);
	const char *state = pq.PQgetvalue(res, i, COL_STATE);
	const char *down_tx = pq.PQgetisnull(res, i, COL_DOWN_TX) ? NULL :
	    pq.PQgetvalue(res, i, COL_DOWN_TX);
	char why[160];
	size_t k;

	r->version = column_dup(res, i, COL_VERSION);
	r->name = column_dup(res, i, COL_NAME);
	r->checksum = column_dup(res, i, COL_CHECKSUM);
	r->down = column_dup(res, i, COL_DOWN);
	r->bundle_name = column_dup(res, i, COL_BUNDLE_NAME);
	r->bundle_release = column_dup(res, i, COL_BUNDLE_RELEASE);
	r->bundle_sha256 = column_dup(res, i, COL_BUNDLE_SHA256);
	r->applied_at = column_dup(res, i, COL_APPLIED_AT);
	r->execution_ms = strtoll(pq.PQgetvalue(res, i, COL_EXECUTION_MS), NULL,
	    10);

	/* The table's constraints say so, unless someone changed it. */
	for (k = 0; k < sizeof(required) / sizeof(required[0]); k++)
		if (pq.PQgetisnull(res, i, required_col[k])) {
			snprintf(why, sizeof(why), "%s is NULL", required[k]);
			return bad_row(d, r, id, err, why);
		}
	if (hist_row_parse(r, kind, state, down_tx, why, sizeof(why)))
		return bad_row(d, r, id, err, why);
	return 0;
}

/* Replaces h's contents on success; leaves h untouched on failure. */
static int pg_history_read(struct db *db, struct history *h,
    struct err *err)
{
	struct pg_db *d = to_pg(db);
	struct history tmp = HISTORY_INIT;
	const char *params[1];
	PGresult *res = NULL;
	char *sql = NULL, what[160];
	int ret, i;

	if ((ret = resolve(d, err)))
		return ret;
	snprintf(what, sizeof(what), "read history table %s", d->shown);
	params[0] = d->quoted;
	if ((ret = query_row(d, "SELECT to_regclass($1) IS NOT NULL", 1,
	    params, what, &res, err)))
		goto out;
	if (pq.PQgetvalue(res, 0, 0)[0] != 't')
		goto out;	/* no table: no rows */
	pq.PQclear(res);
	tmp.exists = 1;

	sql = xasprintf("SELECT id, version, name, kind, checksum, "
	    "down_script, down_tx, bundle_name, bundle_release, bundle_sha256, "
	    "to_char(applied_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), execution_ms, state "
	    "FROM %s ORDER BY id", d->quoted);
	res = pq.PQexec(d->conn, sql);
	if (pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
		ret = sql_fail(d, res, what, err);
		goto out;
	}
	for (i = 0; i < pq.PQntuples(res); i++)
		if ((ret = read_row(d, res, i, history_add(&tmp), err)))
			goto out;
out:
	pq.PQclear(res);
	free(sql);
	if (ret)
		history_release(&tmp);
	else {
		history_release(h);
		*h = tmp;
	}
	return ret;
}

static int prepare(struct pg_db *d, enum hist_stmt id, const char *what,
    struct err *err)
{
	struct buf sql = BUF_INIT;
	PGresult *res;
	int ret;

	if (d->prepared[id])
		return 0;
	histsql_stmt(&sql, DIALECT_POSTGRES, id, d->quoted);
	res = pq.PQprepare(d->conn, stmt_name[id], sql.data, 0, NULL);
	ret = result_ok(res) ? 0 : sql_fail(d, res, what, err);
	d->prepared[id] = !ret;
	pq.PQclear(res);
	buf_release(&sql);
	return ret;
}

/* Run one history statement for r, which must change exactly one row. */
static int history_write(struct pg_db *d, enum hist_stmt id,
    const struct hist_row *r, const char *verb, struct err *err)
{
	char ms[24], what[160];
	const char *params[HIST_PARAMS], *state;
	PGresult *res = NULL;
	int ret, n;

	if ((ret = resolve(d, err)))
		return ret;
	snprintf(what, sizeof(what), "%s %s%s%s in history table %s", verb,
	    r->version ? r->version : "", r->version ? " " : "",
	    r->name ? r->name : "", d->shown);
	if (!histsql_row_ok(r))
		return err_set(err, ERR_RUNTIME, "%s: BUG: %s: malformed row",
		    d->base.display, what);
	if ((ret = prepare(d, id, what, err)))
		return ret;
	n = histsql_params(id, r, params, ms);
	res = pq.PQexecPrepared(d->conn, stmt_name[id], n, params, NULL, NULL, 0);
	if (pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
		state = pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && !strcmp(state, SQLSTATE_NO_SUCH_STATEMENT))
			memset(d->prepared, 0, sizeof(d->prepared));
		ret = sql_fail(d, res, what, err);
	} else if (strcmp(pq.PQcmdTuples(res), "1"))
		ret = err_set(err, ERR_RUNTIME, "%s: BUG: %s: %s rows changed, "
		    "not 1", d->base.display, what, pq.PQcmdTuples(res));
	pq.PQclear(res);
	return ret;
}

static int pg_history_insert(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_pg(db), HS_INSERT, r, "insert", err);
}

static int pg_history_update(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_pg(db), histsql_update_of(r), r,
	    "update", err);
}

static int pg_history_delete(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_pg(db), histsql_delete_of(r), r,
	    "delete", err);
}

/* sql with its ?N placeholders as $N. */
static char *dollars(const char *sql)
{
	char *s = xstrdup(sql), *p;

	for (p = s; *p; p++)
		if (*p == '?')
			*p = '$';
	return s;
}

static int pg_query(struct db *db, const char *sql,
    const char *const *params, int n, db_row_fn row, void *arg,
    struct err *err)
{
	struct pg_db *d = to_pg(db);
	const char *cols[16];
	char *text = dollars(sql);
	PGresult *res;
	int ret = 0, i, j, nc;

	res = pq.PQexecParams(d->conn, text, n, NULL, params, NULL, NULL, 0);
	if (!result_ok(res)) {
		ret = sql_fail(d, res, "query", err);
		goto out;
	}
	if ((nc = pq.PQnfields(res)) > 16)
		BUG("query with %d columns", nc);
	for (i = 0; row && i < pq.PQntuples(res); i++) {
		for (j = 0; j < nc; j++)
			cols[j] = pq.PQgetisnull(res, i, j) ? NULL :
			    pq.PQgetvalue(res, i, j);
		if ((ret = row(arg, cols, nc, err)))
			goto out;
	}
out:
	pq.PQclear(res);
	free(text);
	return ret;
}

static char *pg_name(struct db *db)
{
	return xstrdup(pq.PQdb(to_pg(db)->conn));
}

static int pg_backup(struct db *db, const struct backup_io *io,
    struct err *err)
{
	return pgclient_backup(to_pg(db)->conn, db->display, io, err);
}

static int pg_restore(struct db *db, const char *path,
    const struct backup_io *io, struct err *err)
{
	return pgclient_restore(to_pg(db)->conn, db->display, path, io, err);
}

static int pg_csv_begin(struct db *db, struct csv_load *l,
    struct err *err)
{
	struct pg_db *d = to_pg(db);
	struct buf sql = BUF_INIT;
	PGresult *res;
	int ret = 0;

	buf_addf(&sql, "COPY %s (%s) FROM STDIN (FORMAT csv, HEADER)",
	    l->table, l->column_list);
	l->rows = 0;
	res = pq.PQexec(d->conn, sql.data);
	if (pq.PQresultStatus(res) != PGRES_COPY_IN) {
		l->fail_within = 1;
		result_message(d->conn, res, &d->stmt);
		ret = err_set(err, result_code(res), "%s", d->stmt.data);
		buf_reset(&d->stmt);
	}
	pq.PQclear(res);
	buf_release(&sql);
	return ret;
}

/* A failed COPY: the server's words and, from its context ("COPY t, line
 * 3, column c: ..."), the record and column it names.  Clears bad. */
static int copy_failed(struct pg_db *d, struct csv_load *l, PGresult *bad,
    struct err *err)
{
	const char *ctx = pq.PQresultErrorField(bad, PG_DIAG_CONTEXT), *p;
	int ret;

	/* COPY's line counts the line breaks inside quotes: one of the
	 * record's lines, its last. */
	if (ctx && (p = strstr(ctx, ", line ")))
		l->fail_within = strtoul(p + 7, NULL, 10);
	if (ctx && (p = strstr(ctx, ", column ")))
		snprintf(l->fail_column, sizeof(l->fail_column), "%.*s",
		    (int)strcspn(p + 9, ":\n"), p + 9);
	buf_reset(&d->stmt);
	result_message(d->conn, bad, &d->stmt);
	ret = err_set(err, result_code(bad), "%s", d->stmt.data);
	buf_reset(&d->stmt);
	pq.PQclear(bad);
	return ret;
}

/* The file's bytes as they are: the server parses them. */
static int pg_csv_data(struct db *db, struct csv_load *l, const char *data,
    size_t len, struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGresult *bad;

	if (len > INT_MAX)
		BUG("csv chunk of %zu bytes", len);
	if (pq.PQputCopyData(d->conn, data, (int)len) == 1)
		return 0;
	/* The server ended the COPY, failing: say why. */
	if ((bad = drain(d->conn)))
		return copy_failed(d, l, bad, err);
	return err_set(err, ERR_RUNTIME, "%s", pq.PQerrorMessage(d->conn));
}

static int pg_csv_end(struct db *db, struct csv_load *l, int abort,
    struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGresult *res, *bad;

	if (pq.PQputCopyEnd(d->conn, abort ? "migrun: the seed failed" :
	    NULL) != 1) {
		pq.PQclear(drain(d->conn));
		return abort ? 0 : err_set(err, ERR_RUNTIME, "%s",
		    pq.PQerrorMessage(d->conn));
	}
	res = pq.PQgetResult(d->conn);
	bad = drain(d->conn);
	if (abort) {
		pq.PQclear(res);
		pq.PQclear(bad);
		return 0;
	}
	if (pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
		pq.PQclear(bad);
		return copy_failed(d, l, res, err);
	}
	l->rows = strtoull(pq.PQcmdTuples(res), NULL, 10);
	pq.PQclear(res);
	return bad ? copy_failed(d, l, bad, err) : 0;
}

const struct driver postgres_driver = {
	.name = "postgres",
	.dialect = DIALECT_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.exec = pg_exec,
	.history_read = pg_history_read,
	.history_create = pg_history_create,
	.history_insert = pg_history_insert,
	.history_update = pg_history_update,
	.history_delete = pg_history_delete,
	.query = pg_query,
	.backup_ext = "sql",
	.dbname = pg_name,
	.backup = pg_backup,
	.restore = pg_restore,
	.csv_begin = pg_csv_begin,
	.csv_data = pg_csv_data,
	.csv_end = pg_csv_end,
};
