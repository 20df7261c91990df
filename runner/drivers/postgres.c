/* The PostgreSQL driver, over libpq: a session advisory lock as the run
 * lock, scripts sent a statement at a time; its history table is in
 * pg_history.c, its CSV seeds in pg_copy.c (pg.h). */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checksum.h"
#include "db.h"
#include "pg.h"
#include "pgclient.h"
#include "schema.h"
#include "split.h"
#include "xalloc.h"

#define DEFAULT_TABLE "migpack_history"
#define POLL_MIN_MS 50
#define POLL_JITTER_MS 50
#define SQLSTATE_LOCK_NOT_AVAILABLE "55P03"

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
void pg_result_message(PGconn *conn, const PGresult *res,
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
enum err_code pg_result_code(const PGresult *res)
{
	const char *state = pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && !strcmp(state, SQLSTATE_LOCK_NOT_AVAILABLE) ?
	    ERR_LOCK : ERR_RUNTIME;
}

int pg_sql_fail(struct pg_db *d, const PGresult *res, const char *what,
    struct err *err)
{
	struct buf m = BUF_INIT;
	int ret;

	pg_result_message(d->conn, res, &m);
	ret = err_set(err, pg_result_code(res), "%s: %s: %s", d->base.display,
	    what, m.data);
	buf_release(&m);
	return ret;
}

int pg_result_ok(const PGresult *res)
{
	ExecStatusType st = pq.PQresultStatus(res);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* One statement without rows to read. */
int pg_command(struct pg_db *d, const char *sql, const char *what,
    struct err *err)
{
	PGresult *res = pq.PQexec(d->conn, sql);
	int ret = pg_result_ok(res) ? 0 : pg_sql_fail(d, res, what, err);

	pq.PQclear(res);
	return ret;
}

/* A query that answers one row, with text parameters; the caller clears
 * *out. */
int pg_query_row(struct pg_db *d, const char *sql, int n,
    const char *const *params, const char *what, PGresult **out,
    struct err *err)
{
	PGresult *res = pq.PQexecParams(d->conn, sql, n, NULL, params, NULL, NULL,
	    0);
	int ret = 0;

	if (pq.PQresultStatus(res) != PGRES_TUPLES_OK)
		ret = pg_sql_fail(d, res, what, err);
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
int pg_resolve(struct pg_db *d, struct err *err)
{
	PGresult *res = NULL;
	char *qs = NULL, *qn = NULL;
	int ret = 0;

	if (d->quoted)
		return 0;
	if (!d->schema) {
		if ((ret = pg_query_row(d, "SELECT current_schema()", 0, NULL,
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
	pg_ddl_close(d);
	pq.PQfinish(d->conn);	/* ends the session: its lock goes with it */
	buf_release(&d->stmt);
	buf_release(&d->leftover);
	free(d->table);
	free(d->schema);
	free(d->only);
	free(d->name);
	free(d->shown);
	free(d->qschema);
	free(d->quoted);
	free(d->base.display);
	free(d);
}

/* The session's search_path: schema alone, which must exist. */
static int search_path(struct pg_db *d, const char *schema, struct err *err)
{
	const char *params[1] = { schema };
	PGresult *res;
	int ret, exists;

	if ((ret = pg_query_row(d, "SELECT EXISTS (SELECT 1 FROM "
	    "pg_catalog.pg_namespace WHERE nspname = $1), set_config("
	    "'search_path', quote_ident($1), false)", 1, params,
	    "search_path", &res, err)))
		return ret;
	exists = pq.PQgetvalue(res, 0, 0)[0] == 't';
	pq.PQclear(res);
	if (!exists)
		return err_set(err, ERR_INPUT, "%s: schema %s does not exist: "
		    "a target's schema= must be made first", d->base.display,
		    schema);
	return 0;
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
	d->ddl = opts->ddl;
	buf_init(&d->leftover);
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
	if (opts->readonly && (ret = pg_command(d, "SET "
	    "default_transaction_read_only = on", "read-only session", err)))
		goto out;
	if (opts->search_path) {
		if ((ret = search_path(d, opts->search_path, err)))
			goto out;
		d->only = xstrdup(opts->search_path);
	}
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
	if ((ret = pg_resolve(d, err)))
		return ret;
	params[0] = d->lock_key;
	lockwait_start(&w, d->timeout_ms, POLL_MIN_MS, POLL_JITTER_MS);
	for (;;) {
		if ((ret = pg_query_row(d, "SELECT pg_try_advisory_lock($1::bigint)",
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
	pg_history_upgrade(d);
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
	if ((ret = pg_query_row(d, "SELECT pg_advisory_unlock($1::bigint)", 1,
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
	return pg_command(to_pg(db), "BEGIN", "begin", err);
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
	if (!pg_result_ok(res))
		ret = pg_sql_fail(d, res, "commit", err);
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
	pg_result_message(d->conn, res, &m);
	ret = err_set(err, pg_result_code(res), "%s:%u: %s", s->path, line,
	    m.data);
	buf_release(&m);
	return ret;
}

/* Consume what is left of a statement's results; the first that failed,
 * if any, is returned. */
PGresult *pg_drain(PGconn *conn)
{
	PGresult *res, *bad = NULL;

	while ((res = pq.PQgetResult(conn))) {
		if (!bad && !pg_result_ok(res))
			bad = res;
		else
			pq.PQclear(res);
	}
	return bad;
}

/* A migration's statement failed: whether for a lock it waited too long
 * for, and who held it; outside a transaction, the invalid indexes it left
 * are dropped first (a retry would find one there and skip its work). */
static void ddl_failed(struct pg_db *d, const PGresult *res,
    const char *invalid, struct err *err)
{
	struct buf said = BUF_INIT;

	d->base.lock_timed_out = pg_result_code(res) == ERR_LOCK;
	if (d->base.lock_timed_out)
		err_append(err, "; %s %s", d->base.blocker[0] ? "blocked by" :
		    "no blocker seen", d->base.blocker);
	if (invalid && pg_ddl_cleanup(d, invalid, "failed", &said))
		d->base.lock_timed_out = 0;
	if (said.len)
		err_append(err, "%s", said.data);
	buf_release(&said);
}

/* Resuming a script that stopped with its run: what its statement in
 * flight left is dropped first (note: the invalid indexes before it). */
static int resume_cleanup(struct pg_db *d, const struct script *s,
    struct err *err)
{
	struct buf said = BUF_INIT;
	int ret = 0;

	if (pg_ddl_cleanup(d, s->resume_note, "stopped", &said))
		ret = err_set(err, ERR_RUNTIME, "%s: resuming: %s", s->path,
		    said.data + 1);
	else if (said.len)
		snprintf(d->base.said, sizeof(d->base.said), "%s",
		    said.data + 1);
	buf_release(&said);
	return ret;
}

static int pg_exec(struct db *db, const struct script *s, struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGTransactionStatusType before = pq.PQtransactionStatus(d->conn);
	int notx = before == PQTRANS_IDLE;
	struct splitter sp;
	struct stmt st;
	PGresult *res = NULL, *bad;
	char *row, *invalid = NULL;
	unsigned done = 0;
	int ret = 0;

	db->lock_timed_out = 0;
	db->said[0] = '\0';
	if (s->migration && ((ret = pg_ddl_limits(d, !notx, err)) ||
	    (notx && (ret = pg_ddl_leftover(d, s->path, err)))))
		goto out;
	split_init(&sp, s->text, s->len);
	while (split_next(&sp, &st)) {
		if (notx && done < s->skip) {
			done++;
			continue;
		}
		buf_reset(&d->stmt);
		buf_add(&d->stmt, s->text + st.off, st.len);
		db->blocker[0] = '\0';
		if (s->migration && notx && ((s->resume_note &&
		    done == s->skip && (ret = resume_cleanup(d, s, err))) ||
		    (ret = pg_ddl_invalid(d, &invalid, err))))
			goto out;
		if (notx && s->step && (ret = s->step(s->arg, done, invalid,
		    err)))
			goto out;
		res = s->migration ? pg_ddl_exec(d, d->stmt.data) :
		    pq.PQexec(d->conn, d->stmt.data);
		switch (pq.PQresultStatus(res)) {
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
		case PGRES_EMPTY_QUERY:
			break;
		case PGRES_COPY_IN:
			/* The server ends the COPY with an error. */
			pq.PQputCopyEnd(d->conn, "COPY FROM STDIN is not "
			    "supported by migrun");
			pq.PQclear(pg_drain(d->conn));
			ret = err_set(err, ERR_RUNTIME, "%s:%u: COPY FROM STDIN "
			    "is not supported in a migration: use INSERT, or "
			    "a CSV seed", s->path, st.line);
			goto out;
		case PGRES_COPY_OUT:
			/* Rows to nowhere, as a SELECT's. */
			while (pq.PQgetCopyData(d->conn, &row, 0) > 0)
				pq.PQfreemem(row);
			if ((bad = pg_drain(d->conn))) {
				pq.PQclear(res);
				res = bad;
				goto failed;
			}
			break;
		default:
			goto failed;
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
		done++;
	}
	if (notx && s->step && (ret = s->step(s->arg, done, NULL, err)))
		goto out;
	if (notx && pq.PQtransactionStatus(d->conn) != PQTRANS_IDLE)
		ret = err_set(err, ERR_RUNTIME, "%s: the script leaves a "
		    "transaction open (BEGIN without COMMIT); it was rolled "
		    "back", s->path);
	goto out;
failed:
	ret = stmt_fail(d, s, &st, res, err);
	if (s->migration)
		ddl_failed(d, res, notx &&
		    pq.PQtransactionStatus(d->conn) == PQTRANS_IDLE ? invalid :
		    NULL, err);
out:
	pq.PQclear(res);
	free(invalid);
	/* A transaction the script opened itself is no one else's to end. */
	if (ret && notx)
		pg_rollback(db);
	if (s->migration && notx)
		pg_ddl_unlimit(d);
	return ret;
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
	if (!pg_result_ok(res)) {
		ret = pg_sql_fail(d, res, "query", err);
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
	return pgclient_backup(to_pg(db)->conn, db->display, to_pg(db)->only, io,
	    err);
}

static int pg_restore(struct db *db, const char *path,
    const struct backup_io *io, struct err *err)
{
	return pgclient_restore(to_pg(db)->conn, db->display, path, io, err);
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
	.history_progress = pg_history_progress,
	.query = pg_query,
	.backup_ext = "sql",
	.dbname = pg_name,
	.backup = pg_backup,
	.restore = pg_restore,
	.schema_sql = pg_schema_sql,
	.csv_begin = pg_csv_begin,
	.csv_data = pg_csv_data,
	.csv_end = pg_csv_end,
};
