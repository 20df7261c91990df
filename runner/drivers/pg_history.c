/* The PostgreSQL driver's history table: made when missing, read whole,
 * written a row at a time through statements prepared once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "xalloc.h"

#define SQLSTATE_NO_SUCH_STATEMENT "26000"

/* History statements (histsql.h), prepared on first use and kept for the
 * connection: a run of 1000 migrations parses the insert once (a fifth of
 * its cost on a local socket).  They outlive a rollback; after a
 * migration's DEALLOCATE ALL the next history write fails, naming the
 * statement, and the one after prepares again. */
static const char *const stmt_name[HS_NR] = {
	"migpack_insert", "migpack_update_versioned",
	"migpack_update_repeatable", "migpack_delete_versioned",
	"migpack_delete_repeatable", "migpack_progress_versioned",
	"migpack_progress_repeatable",
};

#define HAS_COLUMN(name) "EXISTS (SELECT 1 FROM pg_catalog.pg_attribute " \
	"WHERE attrelid = to_regclass($1) AND attname = '" name "' AND NOT " \
	"attisdropped)"

/* Whether the table exists, and which of the later columns it has: -1
 * when it does not exist, else HIST_HAS_* bits; -2 when that cannot be
 * read. */
static int columns_now(struct pg_db *d, struct err *err)
{
	const char *params[1] = { d->quoted };
	PGresult *res;
	int ret;

	if ((ret = pg_query_row(d, "SELECT to_regclass($1) IS NOT NULL, "
	    HAS_COLUMN(HIST_PROBE_PROGRESS) ", " HAS_COLUMN(HIST_PROBE_SIGNED),
	    1, params, "history table", &res, err)))
		return -2;
	ret = pq.PQgetvalue(res, 0, 0)[0] != 't' ? -1 :
	    (pq.PQgetvalue(res, 0, 1)[0] == 't' ? (int)HIST_HAS_PROGRESS : 0) |
	    (pq.PQgetvalue(res, 0, 2)[0] == 't' ? (int)HIST_HAS_SIGNED : 0);
	pq.PQclear(res);
	return ret;
}

void pg_history_upgrade(struct pg_db *d)
{
	struct err ignored = ERR_INIT;
	struct buf sql = BUF_INIT;
	int have;

	if (pg_resolve(d, &ignored) || (have = columns_now(d, &ignored)) < 0 ||
	    (unsigned)have == HIST_HAS_ALL)
		return;
	histsql_upgrade(&sql, DIALECT_POSTGRES, d->quoted, (unsigned)have);
	/* One statement, so all or nothing.  Not the owner: then the table
	 * is written as it is, without what it lacks. */
	pq.PQclear(pq.PQexec(d->conn, sql.data));
	buf_release(&sql);
}

int pg_history_create(struct db *db, struct err *err)
{
	struct pg_db *d = to_pg(db);
	const char *params[2];
	struct buf sql = BUF_INIT;
	PGresult *res = NULL;
	char what[160];
	int ret, table_exists, schema_exists;

	if ((ret = pg_resolve(d, err)))
		return ret;
	snprintf(what, sizeof(what), "create history table %s", d->shown);
	/* IF NOT EXISTS still needs the CREATE privilege: a table or schema
	 * a DBA made for a less privileged user is looked for first. */
	params[0] = d->quoted;
	params[1] = d->schema;
	if ((ret = pg_query_row(d, "SELECT to_regclass($1) IS NOT NULL, "
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
	ret = pg_command(d, sql.data, what, err);
	d->have = ret ? 0 : HIST_HAS_ALL;
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
	COL_APPLIED_AT, COL_EXECUTION_MS, COL_STATE, COL_DONE, COL_STATEMENTS,
	COL_NOTE, COL_SIGNED_BY
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
	r->signed_by = column_dup(res, i, COL_SIGNED_BY);
	r->execution_ms = strtoll(pq.PQgetvalue(res, i, COL_EXECUTION_MS), NULL,
	    10);
	if (!pq.PQgetisnull(res, i, COL_STATEMENTS)) {
		r->statements_done = strtol(pq.PQgetvalue(res, i, COL_DONE),
		    NULL, 10);
		r->statements = strtol(pq.PQgetvalue(res, i, COL_STATEMENTS),
		    NULL, 10);
		r->resume_note = column_dup(res, i, COL_NOTE);
	}

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
int pg_history_read(struct db *db, struct history *h,
    struct err *err)
{
	struct pg_db *d = to_pg(db);
	struct history tmp = HISTORY_INIT;
	PGresult *res = NULL;
	char *sql = NULL, what[160];
	int ret, i, cols;

	if ((ret = pg_resolve(d, err)))
		return ret;
	snprintf(what, sizeof(what), "read history table %s", d->shown);
	if ((cols = columns_now(d, err)) == -2) {
		ret = ERR_RUNTIME;
		goto out;
	}
	if (cols < 0)
		goto out;	/* no table: no rows */
	d->have = (unsigned)cols;
	tmp.exists = 1;

	sql = xasprintf("SELECT id, version, name, kind, checksum, "
	    "down_script, down_tx, bundle_name, bundle_release, bundle_sha256, "
	    "to_char(applied_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), execution_ms, state, %s, %s "
	    "FROM %s ORDER BY id", d->have & HIST_HAS_PROGRESS ?
	    "statements_done, statements, resume_note" : "NULL, NULL, NULL",
	    d->have & HIST_HAS_SIGNED ? "signed_by" : "NULL", d->quoted);
	res = pq.PQexec(d->conn, sql);
	if (pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
		ret = pg_sql_fail(d, res, what, err);
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
	histsql_stmt(&sql, DIALECT_POSTGRES, id, d->quoted, d->have);
	res = pq.PQprepare(d->conn, stmt_name[id], sql.data, 0, NULL);
	ret = pg_result_ok(res) ? 0 : pg_sql_fail(d, res, what, err);
	d->prepared[id] = !ret;
	pq.PQclear(res);
	buf_release(&sql);
	return ret;
}

/* Run one history statement for r, which must change exactly one row. */
static int history_write(struct pg_db *d, enum hist_stmt id,
    const struct hist_row *r, const char *verb, struct err *err)
{
	char ms[48], what[160];
	const char *params[HIST_PARAMS], *state;
	PGresult *res = NULL;
	int ret, n;

	if ((ret = pg_resolve(d, err)))
		return ret;
	snprintf(what, sizeof(what), "%s %s%s%s in history table %s", verb,
	    r->version ? r->version : "", r->version ? " " : "",
	    r->name ? r->name : "", d->shown);
	if (!histsql_row_ok(r))
		return err_set(err, ERR_RUNTIME, "%s: BUG: %s: malformed row",
		    d->base.display, what);
	if ((ret = prepare(d, id, what, err)))
		return ret;
	n = histsql_params(id, r, d->have, params, ms);
	res = pq.PQexecPrepared(d->conn, stmt_name[id], n, params, NULL, NULL, 0);
	if (pq.PQresultStatus(res) != PGRES_COMMAND_OK) {
		state = pq.PQresultErrorField(res, PG_DIAG_SQLSTATE);
		if (state && !strcmp(state, SQLSTATE_NO_SUCH_STATEMENT))
			memset(d->prepared, 0, sizeof(d->prepared));
		ret = pg_sql_fail(d, res, what, err);
	} else if (strcmp(pq.PQcmdTuples(res), "1"))
		ret = err_set(err, ERR_RUNTIME, "%s: BUG: %s: %s rows changed, "
		    "not 1", d->base.display, what, pq.PQcmdTuples(res));
	pq.PQclear(res);
	return ret;
}

int pg_history_insert(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_pg(db), HS_INSERT, r, "insert", err);
}

int pg_history_update(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_pg(db), histsql_update_of(r), r,
	    "update", err);
}

int pg_history_delete(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return history_write(to_pg(db), histsql_delete_of(r), r,
	    "delete", err);
}

int pg_history_progress(struct db *db, const struct hist_row *r,
    struct err *err)
{
	struct pg_db *d = to_pg(db);

	return d->have & HIST_HAS_PROGRESS ? history_write(d,
	    histsql_progress_of(r), r,
	    "record the progress of", err) : 0;
}
