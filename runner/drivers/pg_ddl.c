/*
 * A migration's statements on a busy PostgreSQL: the run's limits on how
 * long one waits for a lock or runs; while one waits, who blocks it (seen
 * from a second connection, since the first is busy waiting); and the
 * INVALID indexes a failed statement outside a transaction leaves behind
 * (CREATE INDEX CONCURRENTLY, REINDEX CONCURRENTLY), found by comparing
 * the catalog before and after it, never by reading the SQL.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "xalloc.h"

/* When to look who blocks a statement still running: first after
 * WATCH_FIRST_MS (sooner under a shorter lock timeout), then every
 * WATCH_EVERY_MS.  A statement that ends sooner costs nothing. */
#define WATCH_FIRST_MS 100
#define WATCH_EVERY_MS 500

int pg_ddl_limits(struct pg_db *d, int local, struct err *err)
{
	struct buf b = BUF_INIT;
	int ret;

	histsql_limits(&b, &d->ddl, local);
	ret = pg_command(d, b.data, "setting the migration's limits", err);
	buf_release(&b);
	return ret;
}

void pg_ddl_unlimit(struct pg_db *d)
{
	pq.PQclear(pq.PQexec(d->conn, d->ddl.statement_timeout_ms >= 0 ?
	    "RESET lock_timeout; RESET statement_timeout" :
	    "RESET lock_timeout"));
}

/* A second session on the same server as the same user, to look from:
 * every setting of the first (PQconninfo), none on a command line. */
static PGconn *watcher(struct pg_db *d)
{
	PQconninfoOption *opts, *o;
	const char **keys, **vals;
	size_t n = 0;

	if (d->watch || d->watch_failed)
		return d->watch;
	if (!(opts = pq.PQconninfo(d->conn))) {
		d->watch_failed = 1;
		return NULL;
	}
	for (o = opts; o->keyword; o++)
		n++;
	keys = xcalloc(n + 2, sizeof(*keys));
	vals = xcalloc(n + 2, sizeof(*vals));
	for (n = 0, o = opts; o->keyword; o++)
		if (o->val && *o->val) {
			keys[n] = o->keyword;
			vals[n++] = o->val;
		}
	keys[n] = "application_name";
	vals[n] = "migrun (watching a migration)";
	d->watch = pq.PQconnectdbParams(keys, vals, 0);
	if (pq.PQstatus(d->watch) != CONNECTION_OK) {
		pq.PQfinish(d->watch);
		d->watch = NULL;
		d->watch_failed = 1;
	}
	free(keys);
	free(vals);
	pq.PQconninfoFree(opts);
	return d->watch;
}

/* Who blocks the statement now, if anyone: the longest-open blocker. */
static void look(struct pg_db *d)
{
	static const char sql[] =
	    "SELECT a.pid, coalesce(a.state, 'unknown'), "
	    "round(extract(epoch FROM clock_timestamp() - "
	    "coalesce(a.xact_start, a.query_start, a.backend_start))::numeric, "
	    "1), left(split_part(coalesce(a.query, ''), E'\\n', 1), 120), "
	    "count(*) OVER () "
	    "FROM pg_stat_activity a "
	    "WHERE a.pid = ANY (pg_blocking_pids($1::int)) "
	    "ORDER BY a.xact_start NULLS LAST, a.pid LIMIT 1";
	PGconn *w = watcher(d);
	char pid[16];
	const char *params[1] = { pid };
	PGresult *res;
	long more;

	if (!w)
		return;
	snprintf(pid, sizeof(pid), "%d", pq.PQbackendPID(d->conn));
	res = pq.PQexecParams(w, sql, 1, NULL, params, NULL, NULL, 0);
	if (pq.PQresultStatus(res) == PGRES_TUPLES_OK &&
	    pq.PQntuples(res) == 1) {
		more = strtol(pq.PQgetvalue(res, 0, 4), NULL, 10) - 1;
		snprintf(d->base.blocker, sizeof(d->base.blocker),
		    "pid %s (%s for %s s): %s%s", pq.PQgetvalue(res, 0, 0),
		    pq.PQgetvalue(res, 0, 1), pq.PQgetvalue(res, 0, 2),
		    pq.PQgetvalue(res, 0, 3), more > 0 ? ", and others" : "");
	}
	pq.PQclear(res);
}

PGresult *pg_ddl_exec(struct pg_db *d, const char *sql)
{
	struct pollfd p = { .events = POLLIN };
	PGresult *res, *last = NULL;
	int wait = WATCH_FIRST_MS, n;

	if (d->ddl.lock_timeout_ms && d->ddl.lock_timeout_ms / 2 < WATCH_FIRST_MS)
		wait = (int)d->ddl.lock_timeout_ms / 2;
	if (!pq.PQsendQuery(d->conn, sql))
		return NULL;	/* pg_result_message says libpq's words */
	p.fd = pq.PQsocket(d->conn);
	while (pq.PQisBusy(d->conn)) {
		n = poll(&p, 1, wait);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && !pq.PQconsumeInput(d->conn))
			break;
		if (n == 0) {
			look(d);
			wait = WATCH_EVERY_MS;
		}
	}
	/* The results as PQexec gives them: the last, or a COPY's start. */
	while ((res = pq.PQgetResult(d->conn))) {
		pq.PQclear(last);
		last = res;
		if (pq.PQresultStatus(res) == PGRES_COPY_IN ||
		    pq.PQresultStatus(res) == PGRES_COPY_OUT ||
		    pq.PQresultStatus(res) == PGRES_COPY_BOTH)
			break;
	}
	return last;
}

int pg_ddl_invalid(struct pg_db *d, char **oids, struct err *err)
{
	PGresult *res;
	int ret;

	free(*oids);
	*oids = NULL;
	if ((ret = pg_query_row(d, "SELECT coalesce(array_agg(indexrelid "
	    "ORDER BY indexrelid), '{}')::text FROM pg_catalog.pg_index "
	    "WHERE NOT indisvalid", 0, NULL, "invalid indexes", &res, err)))
		return ret;
	*oids = xstrdup(pq.PQgetvalue(res, 0, 0));
	pq.PQclear(res);
	return 0;
}

/* DROP INDEX CONCURRENTLY name, under the run's limits, watched: 0, or
 * the server's words in m and whether it was for a lock. */
static int drop_index(struct pg_db *d, const char *name, struct buf *m)
{
	struct buf sql = BUF_INIT;
	PGresult *res;
	int ret = 0;

	buf_addf(&sql, "DROP INDEX CONCURRENTLY IF EXISTS %s", name);
	d->base.blocker[0] = '\0';
	res = pg_ddl_exec(d, sql.data);
	if (!pg_result_ok(res)) {
		buf_reset(m);
		pg_result_message(d->conn, res, m);
		ret = pg_result_code(res);
		if (ret == ERR_LOCK)
			buf_addf(m, "; %s %s", d->base.blocker[0] ?
			    "blocked by" : "no blocker seen", d->base.blocker);
	}
	pq.PQclear(res);
	buf_release(&sql);
	return ret;
}

int pg_ddl_cleanup(struct pg_db *d, const char *before, const char *stopped,
    struct buf *said)
{
	static const char sql[] =
	    "SELECT format('%I.%I', n.nspname, c.relname) "
	    "FROM pg_catalog.pg_index i "
	    "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
	    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
	    "WHERE NOT i.indisvalid AND i.indexrelid <> ALL ($1::oid[]) "
	    "ORDER BY i.indexrelid";
	const char *params[1] = { before };
	struct buf m = BUF_INIT;
	PGresult *res;
	int i, ret = 0;

	res = pq.PQexecParams(d->conn, sql, 1, NULL, params, NULL, NULL, 0);
	if (pq.PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_result_message(d->conn, res, &m);
		buf_addf(said, "\ncould not look for invalid indexes it left: "
		    "%s", m.data);
		ret = -1;
		goto out;
	}
	for (i = 0; i < pq.PQntuples(res); i++) {
		const char *name = pq.PQgetvalue(res, i, 0);

		switch (drop_index(d, name, &m)) {
		case 0:
			buf_addf(said, "\ndropped the invalid index %s that "
			    "the %s statement left", name, stopped);
			break;
		case ERR_LOCK:
			/* Dropped before the statement runs again. */
			buf_addf(&d->leftover, "%s\n", name);
			buf_addf(said, "\nthe %s statement left the invalid "
			    "index %s, not dropped yet: %s", stopped, name,
			    m.data);
			break;
		default:
			buf_addf(said, "\nthe %s statement left the invalid "
			    "index %s, and dropping it failed: %s; drop it by "
			    "hand (DROP INDEX CONCURRENTLY %s)", stopped, name,
			    m.data, name);
			ret = -1;
		}
	}
out:
	pq.PQclear(res);
	buf_release(&m);
	return ret;
}

int pg_ddl_leftover(struct pg_db *d, const char *path, struct err *err)
{
	struct buf m = BUF_INIT;
	char *name, *nl;
	int ret = 0;

	while (!ret && d->leftover.len) {
		name = d->leftover.data;
		nl = strchr(name, '\n');
		*nl = '\0';
		if ((ret = drop_index(d, name, &m))) {
			d->base.lock_timed_out = ret == ERR_LOCK;
			ret = err_set(err, ret, "%s: the invalid index %s that "
			    "a failed statement left is not dropped yet: %s; "
			    "the statement runs again only once it is (DROP "
			    "INDEX CONCURRENTLY %s)", path, name, m.data, name);
			*nl = '\n';
			break;
		}
		memmove(d->leftover.data, nl + 1, d->leftover.len -
		    (size_t)(nl + 1 - d->leftover.data) + 1);
		d->leftover.len -= (size_t)(nl + 1 - name);
	}
	buf_release(&m);
	return ret;
}

void pg_ddl_close(struct pg_db *d)
{
	pq.PQfinish(d->watch);
	d->watch = NULL;
}
