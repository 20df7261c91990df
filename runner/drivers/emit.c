/* The offline SQL emitter (see emit.h). */
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "emit.h"
#include "histsql.h"
#include "split.h"
#include "xalloc.h"

#define DEFAULT_TABLE "migpack_history"

struct emit_db {
	struct db base;		/* first: the runner sees a struct db */
	struct ofile *out;
	char *table;		/* quoted, for SQL */
	char *expect;		/* the guard's version; NULL: none */
	size_t applied;
	struct ddl_limits ddl;	/* what a migration's statements run under */
	int guarded;		/* the guard is written */
	int in_tx;		/* a transaction is open */
	struct buf b;		/* the statement being written */
};

static struct emit_db *to_emit(struct db *db)
{
	return (struct emit_db *)db;
}

static enum dialect dialect_of(const struct emit_db *e)
{
	return e->base.drv->dialect;
}

static int put(struct emit_db *e, struct err *err)
{
	int ret = ofile_write(e->out, e->b.data, e->b.len, err);

	buf_reset(&e->b);
	return ret;
}

/* s as an SQL string literal.  PostgreSQL takes backslashes literally in
 * '...' only when standard_conforming_strings is on: a value holding one
 * is written E'...', which reads the same under either setting. */
static void literal(struct buf *b, enum dialect d, const char *s)
{
	int e = d == DIALECT_POSTGRES && strchr(s, '\\');

	buf_addstr(b, e ? "E'" : "'");
	for (; *s; s++) {
		if (*s == '\'' || (e && *s == '\\'))
			buf_addch(b, *s);
		buf_addch(b, *s);
	}
	buf_addch(b, '\'');
}

/* The history's versioned rows and the one that came last, as SQL. */
#define COUNT_SQL(t) "(SELECT count(*) FROM " t " WHERE version IS NOT NULL)"
#define LAST_SQL(t) "(SELECT version FROM " t " WHERE version IS NOT NULL " \
	"ORDER BY id DESC LIMIT 1)"

/* The condition the guard checks: the expected number of versioned rows,
 * the expected version among them, none dirty. */
static void guard_cond(struct emit_db *e)
{
	const char *t = e->table;

	buf_addf(&e->b, "(SELECT count(*) FROM %s WHERE version IS NOT "
	    "NULL) = %zu", t, e->applied);
	if (e->expect) {
		buf_addf(&e->b, "\n    AND EXISTS (SELECT 1 FROM %s WHERE "
		    "version = ", t);
		literal(&e->b, dialect_of(e), e->expect);
		buf_addch(&e->b, ')');
	}
	buf_addf(&e->b, "\n    AND NOT EXISTS (SELECT 1 FROM %s WHERE state "
	    "<> 'applied')", t);
}

static void expected(struct emit_db *e, struct buf *b)
{
	if (e->expect)
		buf_addf(b, "version %s (%zu versioned migration%s applied)",
		    e->expect, e->applied, e->applied == 1 ? "" : "s");
	else
		buf_addstr(b, "no version (no migration applied)");
}

/* Fails, naming the expected and the found version, unless the database
 * is where the script starts from.  On PostgreSQL a DO block raises; the
 * sqlite3 shell has no conditionals, so the found version is printed and
 * a CHECK constraint (named with the expected version) fails, which
 * stops sqlite3 under .bail. */
static int write_guard(struct emit_db *e, struct err *err)
{
	struct buf want = BUF_INIT;
	const char *t = e->table;

	expected(e, &want);
	buf_addf(&e->b, "-- Guard: stop here unless the database is at %s.\n",
	    want.data);
	if (dialect_of(e) == DIALECT_POSTGRES) {
		buf_addstr(&e->b, "DO $migpack_guard$\nBEGIN\n    IF NOT (");
		guard_cond(e);
		buf_addf(&e->b, ") THEN\n        RAISE EXCEPTION 'migpack: "
		    "this script needs the database at %s; it is at %% with %% "
		    "applied%%',\n            coalesce(" LAST_SQL("%s")
		    ", 'no version'),\n            "
		    COUNT_SQL("%s") ",\n            CASE WHEN EXISTS (SELECT 1 "
		    "FROM %s WHERE state <> 'applied') THEN ' and a dirty "
		    "migration' ELSE '' END;\n    END IF;\nEND\n"
		    "$migpack_guard$;\n", want.data, t, t, t);
	} else {
		buf_addf(&e->b, "CREATE TEMP TABLE migpack_guard (ok INTEGER "
		    "NOT NULL CONSTRAINT \"migpack: expected the database at "
		    "%s\" CHECK (ok));\n", want.data);
		buf_addf(&e->b, "SELECT 'migpack: this script needs the "
		    "database at %s; it is at ' || coalesce(" LAST_SQL("%s")
		    ", 'no version') || ' with ' || " COUNT_SQL("%s") " || ' "
		    "applied' || CASE WHEN EXISTS (SELECT 1 FROM %s WHERE state "
		    "<> 'applied') THEN ' and a dirty migration' ELSE '' END\n"
		    "WHERE NOT (", want.data, t, t, t);
		guard_cond(e);
		buf_addstr(&e->b, ");\nINSERT INTO migpack_guard (ok) SELECT ");
		guard_cond(e);
		buf_addstr(&e->b, ";\n");
	}
	buf_release(&want);
	return put(e, err);
}

static void emit_close(struct db *db)
{
	struct emit_db *e = to_emit(db);

	if (!e)
		return;
	free(e->table);
	free(e->expect);
	free(e->base.display);
	buf_release(&e->b);
	free(e);
}

int emit_open(struct db **db, enum dialect d, struct ofile *out,
    const char *table, const struct ddl_limits *ddl,
    const struct emit_guard *guard, struct err *err)
{
	struct emit_db *e;

	*db = NULL;
	table = table ? table : DEFAULT_TABLE;
	if (!table_name_valid(table, d == DIALECT_POSTGRES))
		return err_set(err, ERR_INPUT, "history table %s: not a valid "
		    "%s table name", table, dialect_name(d));
	e = xcalloc(1, sizeof(*e));
	e->base.drv = d == DIALECT_POSTGRES ? &emit_postgres_driver :
	    &emit_sqlite_driver;
	e->base.display = xasprintf("offline SQL (%s)", dialect_name(d));
	e->out = out;
	e->table = histsql_table(d, table);
	e->expect = guard->version ? xstrdup(guard->version) : NULL;
	e->applied = guard->applied;
	e->ddl = *ddl;
	buf_init(&e->b);
	*db = &e->base;
	return 0;
}

/* Runners of a script take no lock: the guard stands in for it. */
static int emit_nolock(struct db *db, struct err *err)
{
	(void)db;
	(void)err;
	return 0;
}

static int emit_history_create(struct db *db, struct err *err)
{
	struct emit_db *e = to_emit(db);

	histsql_create(&e->b, dialect_of(e), e->table);
	buf_addstr(&e->b, ";\n");
	return put(e, err);
}

/* The first transaction makes sure the history table exists, then checks
 * the database is at the expected version: a guard that fails rolls both
 * back. */
static int emit_begin(struct db *db, struct err *err)
{
	struct emit_db *e = to_emit(db);
	int ret;

	buf_addstr(&e->b, dialect_of(e) == DIALECT_SQLITE ?
	    "BEGIN IMMEDIATE;\n" : "BEGIN;\n");
	e->in_tx = 1;
	if ((ret = put(e, err)) || e->guarded)
		return ret;
	e->guarded = 1;
	if ((ret = emit_history_create(db, err)))
		return ret;
	return write_guard(e, err);
}

static int emit_commit(struct db *db, struct err *err)
{
	struct emit_db *e = to_emit(db);

	e->in_tx = 0;
	buf_addstr(&e->b, "COMMIT;\n\n");
	return put(e, err);
}

static void emit_rollback(struct db *db)
{
	(void)db;	/* the script stops at an error: its client rolls back */
}

/* Whether text ends with a complete statement (or holds none): a statement
 * after it must not be glued to an unterminated last one. */
static int terminated(enum dialect d, const char *text, size_t len)
{
	struct splitter sp;
	struct stmt st, last = { 0, 0, 0, 0 };
	int any = 0;

	if (d == DIALECT_SQLITE)
		return len == strspn(text, " \t\r\n") || sqlite3_complete(text);
	split_init(&sp, text, len);
	while (split_next(&sp, &st)) {
		last = st;
		any = 1;
	}
	return !any || text[last.off + last.len - 1] == ';';
}

/* A script as it is, the bundle's text: ended with a newline, and with a
 * ';' when its last statement has none.  On PostgreSQL a migration's runs
 * under the run's limits: its transaction's, or outside one the session's
 * until it ends. */
static int emit_exec(struct db *db, const struct script *s, struct err *err)
{
	struct emit_db *e = to_emit(db);
	int limit = s->migration && dialect_of(e) == DIALECT_POSTGRES;
	int ret;

	if (!e->guarded)
		BUG("a script emitted before the guard");
	if (!s->len)
		return 0;
	if (limit) {
		histsql_limits(&e->b, &e->ddl, e->in_tx);
		buf_addstr(&e->b, ";\n");
		if ((ret = put(e, err)))
			return ret;
	}
	if ((ret = ofile_write(e->out, s->text, s->len, err)))
		return ret;
	if (s->text[s->len - 1] != '\n')
		buf_addch(&e->b, '\n');
	if (!terminated(dialect_of(e), s->text, s->len))
		buf_addstr(&e->b, ";\n");
	if (limit && !e->in_tx)
		buf_addstr(&e->b, e->ddl.statement_timeout_ms >= 0 ?
		    "RESET lock_timeout;\nRESET statement_timeout;\n" :
		    "RESET lock_timeout;\n");
	return put(e, err);
}

/* A history statement with r's values written in as literals. */
static int write_row(struct emit_db *e, enum hist_stmt id,
    const struct hist_row *r, struct err *err)
{
	const char *vals[HIST_PARAMS];
	struct buf sql = BUF_INIT;
	char ms[48], mark = dialect_of(e) == DIALECT_POSTGRES ? '$' : '?';
	const char *p;
	long n;

	if (!histsql_row_ok(r))
		BUG("malformed history row");
	/* What the loop timed was the writing: the script records 0, and
	 * stays the same bytes run after run. */
	/* The columns of the first release, which every table has: the
	 * script may meet an older one, and cannot alter it on SQLite.  So
	 * signed_by stays NULL: what migrun verified is what it wrote, not
	 * what a DBA ran (the script's header says who signed the bundle). */
	if (histsql_params(id, r, 0, vals, ms) > HIST_PARAM_MS)
		vals[HIST_PARAM_MS] = "0";
	histsql_stmt(&sql, dialect_of(e), id, e->table, 0);
	for (p = sql.data; *p; p++) {
		if (*p != mark) {
			buf_addch(&e->b, *p);
			continue;
		}
		n = strtol(p + 1, (char **)&p, 10) - 1;
		p--;
		if (!vals[n])
			buf_addstr(&e->b, "NULL");
		else if (n == HIST_PARAM_MS)
			buf_addstr(&e->b, vals[n]);
		else
			literal(&e->b, dialect_of(e), vals[n]);
	}
	buf_addstr(&e->b, ";\n");
	buf_release(&sql);
	return put(e, err);
}

static int emit_history_insert(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return write_row(to_emit(db), HS_INSERT, r, err);
}

static int emit_history_update(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return write_row(to_emit(db), histsql_update_of(r), r, err);
}

static int emit_history_delete(struct db *db, const struct hist_row *r,
    struct err *err)
{
	return write_row(to_emit(db), histsql_delete_of(r), r, err);
}

/* A script has no history to read: its caller plans from --from or from
 * a database read online. */
static int emit_history_read(struct db *db, struct history *h,
    struct err *err)
{
	(void)db;
	(void)err;
	history_release(h);
	return 0;
}

/* Each line of text as a comment. */
static int emit_note(struct db *db, const char *text, struct err *err)
{
	struct emit_db *e = to_emit(db);
	size_t n;

	while (*text) {
		n = strcspn(text, "\n");
		buf_addstr(&e->b, n ? "-- " : "--");
		buf_add(&e->b, text, n);
		buf_addch(&e->b, '\n');
		text += n + (text[n] == '\n');
	}
	return put(e, err);
}

#define EMIT_OPS \
	.close = emit_close, \
	.lock = emit_nolock, \
	.unlock = emit_nolock, \
	.begin = emit_begin, \
	.commit = emit_commit, \
	.rollback = emit_rollback, \
	.exec = emit_exec, \
	.history_read = emit_history_read, \
	.history_create = emit_history_create, \
	.history_insert = emit_history_insert, \
	.history_update = emit_history_update, \
	.history_delete = emit_history_delete, \
	.note = emit_note

const struct driver emit_postgres_driver = {
	.name = "postgres (offline SQL)",
	.dialect = DIALECT_POSTGRES,
	EMIT_OPS,
};

const struct driver emit_sqlite_driver = {
	.name = "sqlite (offline SQL)",
	.dialect = DIALECT_SQLITE,
	EMIT_OPS,
};
