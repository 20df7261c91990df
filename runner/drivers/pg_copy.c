/* The PostgreSQL driver's CSV seeds: the file's bytes through COPY FROM
 * STDIN, the server parsing them; a failure names its record and column. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

int pg_csv_begin(struct db *db, struct csv_load *l,
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
		pg_result_message(d->conn, res, &d->stmt);
		ret = err_set(err, pg_result_code(res), "%s", d->stmt.data);
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
	pg_result_message(d->conn, bad, &d->stmt);
	ret = err_set(err, pg_result_code(bad), "%s", d->stmt.data);
	buf_reset(&d->stmt);
	pq.PQclear(bad);
	return ret;
}

/* The file's bytes as they are: the server parses them. */
int pg_csv_data(struct db *db, struct csv_load *l, const char *data,
    size_t len, struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGresult *bad;

	if (len > INT_MAX)
		BUG("csv chunk of %zu bytes", len);
	if (pq.PQputCopyData(d->conn, data, (int)len) == 1)
		return 0;
	/* The server ended the COPY, failing: say why. */
	if ((bad = pg_drain(d->conn)))
		return copy_failed(d, l, bad, err);
	return err_set(err, ERR_RUNTIME, "%s", pq.PQerrorMessage(d->conn));
}

int pg_csv_end(struct db *db, struct csv_load *l, int abort,
    struct err *err)
{
	struct pg_db *d = to_pg(db);
	PGresult *res, *bad;

	if (pq.PQputCopyEnd(d->conn, abort ? "migrun: the seed failed" :
	    NULL) != 1) {
		pq.PQclear(pg_drain(d->conn));
		return abort ? 0 : err_set(err, ERR_RUNTIME, "%s",
		    pq.PQerrorMessage(d->conn));
	}
	res = pq.PQgetResult(d->conn);
	bad = pg_drain(d->conn);
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
