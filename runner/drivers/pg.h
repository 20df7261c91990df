#ifndef MIGRUN_PG_H
#define MIGRUN_PG_H

/*
 * The PostgreSQL driver's parts share its connection and these helpers:
 * postgres.c (connection, run lock, transactions, scripts, backups and
 * the driver's table), pg_history.c (the history table), pg_copy.c (CSV
 * seeds through COPY).
 */

#include "pq.h"

#include "buf.h"
#include "driver.h"
#include "histsql.h"

struct pg_db {
	struct db base;		/* first: the runner sees a struct db */
	PGconn *conn;
	char *table;		/* as given, for messages until resolved */
	char *schema;		/* folded as SQL folds; NULL: current_schema() */
	char *only;		/* the schema search_path is set to, a fleet
				 * target's: backups hold it alone */
	char *name;		/* the table part, folded */
	char *shown;		/* schema.name once resolved, for messages */
	char *qschema;		/* "schema" once resolved, for SQL */
	char *quoted;		/* "schema"."name" once resolved, for SQL */
	char lock_key[24];	/* decimal bigint, once resolved */
	unsigned timeout_ms;
	struct ddl_limits ddl;	/* a migration's statements' */
	PGconn *watch;		/* pg_ddl.c's second session, once needed */
	int watch_failed;
	struct buf leftover;	/* invalid indexes to drop, a line each */
	int locked;
	unsigned have;		/* the table's later columns: HIST_HAS_* */
	struct buf stmt;	/* the statement being sent, NUL-terminated */
	int prepared[HS_NR];
};

static inline struct pg_db *to_pg(struct db *db)
{
	return (struct pg_db *)db;
}

/* The server's words: "SEVERITY: PRIMARY (DETAIL)"; libpq's own when the
 * failure is on this side (a lost connection, say). */
void pg_result_message(PGconn *conn, const PGresult *res, struct buf *out);
/* A statement that waited too long for a lock (lock_timeout) is a lock not
 * obtained (ERR_LOCK), as the run lock is; anything else ERR_RUNTIME. */
enum err_code pg_result_code(const PGresult *res);
/* "DISPLAY: WHAT: MESSAGE" for a failed statement. */
int pg_sql_fail(struct pg_db *d, const PGresult *res, const char *what,
    struct err *err);
int pg_result_ok(const PGresult *res);
/* One statement without rows to read. */
int pg_command(struct pg_db *d, const char *sql, const char *what,
    struct err *err);
/* A query that answers one row, with text parameters; the caller clears
 * *out. */
int pg_query_row(struct pg_db *d, const char *sql, int n,
    const char *const *params, const char *what, PGresult **out,
    struct err *err);
/* The table's schema, once: an unqualified name lives in the connection's
 * current_schema(), and is used qualified from then on. */
int pg_resolve(struct pg_db *d, struct err *err);
/* Consume what is left of a statement's results; the first that failed,
 * if any, is returned. */
PGresult *pg_drain(PGconn *conn);

/* pg_ddl.c: a migration's statements on a busy database.  The run's
 * limits on the transaction (local) or the session, and the session's own
 * again (after a script outside a transaction). */
int pg_ddl_limits(struct pg_db *d, int local, struct err *err);
void pg_ddl_unlimit(struct pg_db *d);
/* One statement, as PQexec runs it, while d->base.blocker is kept saying
 * who blocks it whenever a look finds someone. */
PGresult *pg_ddl_exec(struct pg_db *d, const char *sql);
/* The invalid indexes now, as an oid[] literal in *oids (replaced; caller
 * frees). */
int pg_ddl_invalid(struct pg_db *d, char **oids, struct err *err);
/* After a statement outside a transaction failed, or stopped with the run
 * (stopped: "failed", "stopped"): drop (CONCURRENTLY) the indexes invalid
 * now that were not in before, saying so in lines of said (each after a
 * newline); one whose drop waited too long for a lock is left for
 * pg_ddl_leftover.  -1 when one is left for good (the statement must not
 * run again). */
int pg_ddl_cleanup(struct pg_db *d, const char *before, const char *stopped,
    struct buf *said);
/* Before a migration's statements run again: drop what pg_ddl_cleanup
 * left.  0, or the error class with err saying which index (path: the
 * script's), and lock_timed_out set when it was for a lock. */
int pg_ddl_leftover(struct pg_db *d, const char *path, struct err *err);
void pg_ddl_close(struct pg_db *d);

/* pg_history.c: the driver's history operations (driver.h). */
int pg_history_create(struct db *db, struct err *err);
int pg_history_read(struct db *db, struct history *h, struct err *err);
int pg_history_insert(struct db *db, const struct hist_row *r,
    struct err *err);
int pg_history_update(struct db *db, const struct hist_row *r,
    struct err *err);
int pg_history_delete(struct db *db, const struct hist_row *r,
    struct err *err);
int pg_history_progress(struct db *db, const struct hist_row *r,
    struct err *err);
/* Under the run lock: give a table an older migrun made the columns of
 * this one.  When that cannot be done (not its owner), no progress is
 * recorded. */
void pg_history_upgrade(struct pg_db *d);

/* pg_copy.c: CSV seeds (driver.h). */
int pg_csv_begin(struct db *db, struct csv_load *l, struct err *err);
int pg_csv_data(struct db *db, struct csv_load *l, const char *data,
    size_t len, struct err *err);
int pg_csv_end(struct db *db, struct csv_load *l, int abort,
    struct err *err);

#endif
