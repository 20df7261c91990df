#ifndef MIGRUN_HISTSQL_H
#define MIGRUN_HISTSQL_H

#include "buf.h"
#include "driver.h"

/*
 * The SQL of migrun's own, written once for every driver: the history
 * table's statements, which the online drivers prepare and bind a row's
 * values to and the offline emitter writes with the values as literals,
 * and the limits a migration runs under.  So the table a DBA's script
 * creates, the rows it writes and the limits it sets are migrun's.
 */
enum hist_stmt {
	HS_INSERT,
	HS_UPDATE_VERSIONED,
	HS_UPDATE_REPEATABLE,
	HS_DELETE_VERSIONED,
	HS_DELETE_REPEATABLE,
	HS_PROGRESS_VERSIONED,
	HS_PROGRESS_REPEATABLE,
	HS_NR
};

#define HIST_PARAMS 12		/* at most, in insert and update */
#define HIST_PARAM_MS 9		/* the one integer: execution_ms */

/* table (a valid name: table_name_valid) as SQL: quoted, and on
 * PostgreSQL each part folded to lower case as SQL folds it unquoted
 * (caller frees). */
char *histsql_table(enum dialect d, const char *table);

/* CREATE TABLE IF NOT EXISTS table (...), table being quoted already. */
void histsql_create(struct buf *b, enum dialect d, const char *table);

/* The columns later releases added to the table, as bits of what a table
 * has: a no-transaction migration's progress (statements_done,
 * statements, resume_note; the first is the probe a reader checks for),
 * and the key id of a verified signature (signed_by).  A table made by an
 * older migrun lacks some; one this migrun cannot alter (not its owner)
 * is written without them. */
#define HIST_HAS_PROGRESS 1u
#define HIST_HAS_SIGNED 2u
#define HIST_HAS_ALL (HIST_HAS_PROGRESS | HIST_HAS_SIGNED)
#define HIST_PROBE_PROGRESS "statements_done"
#define HIST_PROBE_SIGNED "signed_by"
/* The statement(s) that add the columns a table lacks (have: what it has,
 * not HIST_HAS_ALL), "; "-separated on SQLite. */
void histsql_upgrade(struct buf *b, enum dialect d, const char *table,
    unsigned have);

/* The statement id on table with parameters $1... (postgres) or ?1...
 * (sqlite), filled by histsql_params; writing signed_by where the table
 * has it (have). */
void histsql_stmt(struct buf *b, enum dialect d, enum hist_stmt id,
    const char *table, unsigned have);

/* Which update, delete or progress statement finds r's row. */
enum hist_stmt histsql_update_of(const struct hist_row *r);
enum hist_stmt histsql_delete_of(const struct hist_row *r);
enum hist_stmt histsql_progress_of(const struct hist_row *r);

/* r's values for statement id (as histsql_stmt made it for have) as
 * text, NULL for SQL NULL, in parameter order (ms holds execution_ms's
 * digits, or a progress statement's two numbers, NUL-separated): how many
 * there are. */
int histsql_params(enum hist_stmt id, const struct hist_row *r,
    unsigned have, const char *vals[HIST_PARAMS], char ms[48]);

/* Whether r can be written: a name, and a version exactly when it is a
 * versioned migration. */
int histsql_row_ok(const struct hist_row *r);

/* PostgreSQL: the limits a migration's statements run under, as SET
 * statements separated by "; " (no final one): SET LOCAL for a
 * transaction, SET for the session. */
void histsql_limits(struct buf *b, const struct ddl_limits *l, int local);

#endif
