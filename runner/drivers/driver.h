#ifndef MIGRUN_DRIVER_H
#define MIGRUN_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "err.h"
#include "manifest.h"

struct ofile;

/*
 * The one interface between the runner and a database engine.  Everything
 * above it (planning, history, output) is engine-neutral: a command opens a
 * database through db_open (db.c), which picks the driver from the URL, and
 * from then on only calls these operations.
 *
 * Every operation returns 0 or an error class with err filled.  A database's
 * own error message is passed on as the engine words it; a driver never puts
 * a password into err (db->display is the redacted target).
 */

/* One row of the history table.  Strings are owned by the row. */
enum hist_state { HIST_APPLIED, HIST_DIRTY };

struct hist_row {
	char *version;		/* NULL for a repeatable migration */
	char *name;
	enum mig_kind kind;
	char *checksum;		/* "sha256:HEX" of the up script that ran */
	char *down;		/* the down script's text; NULL when none */
	enum tx_mode down_tx;	/* how the down script runs */
	char *bundle_name;
	char *bundle_release;
	char *bundle_sha256;	/* "sha256:HEX" of the bundle file */
	char *signed_by;	/* the key id that signed it, when verified */
	char *applied_at;	/* UTC, "YYYY-MM-DDTHH:MM:SSZ"; read only */
	int64_t execution_ms;
	enum hist_state state;
	/* While a no-transaction up script runs (dirty): how many of its
	 * statements are done, of how many, and the driver's note for
	 * resuming after the one in flight (PostgreSQL: the INVALID
	 * indexes there before it).  statements is 0 (SQL NULL) when none
	 * is recorded: not such a script, or a table without room for it
	 * (made by an older migrun, and not ours to alter). */
	long statements_done, statements;
	char *resume_note;
};

/* The whole table, in the order rows were first inserted. */
struct history {
	struct hist_row *rows;
	size_t nr, alloc;
	int exists;		/* whether the table exists at all */
};

#define HISTORY_INIT { NULL, 0, 0, 0 }

void hist_row_release(struct hist_row *r);
void history_release(struct history *h);
/* Append a zeroed row owned by h. */
struct hist_row *history_add(struct history *h);
/* The database's current version: the newest versioned migration applied
 * (a dirty one is not); NULL when none.  status, history, backup names and
 * every message say this one. */
const char *history_current(const struct history *h);
/* qsort's order of struct hist_row pointers: the newest version first. */
int hist_row_newest_first(const void *a, const void *b);

/* A script to run: normalized SQL text from a bundle or from the history
 * table, and where it came from, for messages ("PATH:LINE: message"). */
struct script {
	const char *path;
	const char *text;	/* NUL-terminated */
	size_t len;
	enum tx_mode tx;
	/* A migration's script runs under the run's DDL limits (db_opts).
	 * Outside a transaction its first `skip` statements are not run
	 * (an earlier attempt, or a run that stopped, ran them); with
	 * resume_note (a step's note from that run) the driver first undoes
	 * what the statement in flight may have left.  step, when given, is
	 * told before each statement runs how many are done (skipped ones
	 * counted) with the driver's note for resuming from there, and once
	 * more after the last; a step that fails stops the script. */
	int migration;
	unsigned skip;
	const char *resume_note;
	int (*step)(void *arg, unsigned done, const char *note,
	    struct err *err);
	void *arg;
};

/* What a migration's statements may wait for on a busy database (on
 * PostgreSQL; SQLite's wait is its busy timeout, the run lock's). */
struct ddl_limits {
	unsigned lock_timeout_ms;	/* lock_timeout; 0: no limit */
	long statement_timeout_ms;	/* -1: the server's own; 0: none */
	unsigned retries;		/* of a migration that timed out */
};

#define DDL_LIMITS_INIT { 5000, -1, 10 }

/* What db_open passes on to a driver. */
struct db_opts {
	const char *table;	/* history table; schema-qualified on postgres */
	unsigned lock_timeout_ms;
	/* Only reads: open nothing for writing and create nothing (a SQLite
	 * file that does not exist reads as an empty database). */
	int readonly;
	/* Create nothing: a SQLite file that does not exist is an error. */
	int must_exist;
	struct ddl_limits ddl;
	/* PostgreSQL: the session's search_path, a schema that must exist
	 * (a fleet target's schema=); NULL: the server's. */
	const char *search_path;
};

/* What a backup or a restore works with. */
struct backup_io {
	struct ofile *out;	/* backup: where the gzip stream goes */
	const char *dir;	/* a directory for temporary files */
	const char *owner;	/* backup: the database's name as its
				 * backups' names begin */
	const char *tool;	/* pg_dump or psql; NULL: found on PATH */
};

/* A driver's scratch files (a database copy) are afile_temp_new's, named
 * SCRATCH_PREFIX, the database's name as the directory knows it, '-', and
 * six characters: in a backup directory io->owner, beside a database its
 * file's name.  A stopped run's are removed by the next writer there. */
#define SCRATCH_PREFIX ".migrun-"

/* A CSV seed file on its way into a table.  The loader (commands/seed.c) parses
 * the file, header first, and hands the driver whichever it takes: the
 * parsed rows, or the bytes as they are. */
struct csv_load {
	const char *path;		/* in the bundle, for messages */
	const char *table;		/* SQL: quoted */
	const char *const *columns;	/* SQL: quoted, from the header */
	size_t nr_columns;
	const char *column_list;	/* the same, joined: "a", "b" */
	uint64_t rows;			/* rows loaded, once ended */
	/* Where a failed row is, when the engine says: the line it starts
	 * on, or one within it (the loader finds its start), and the
	 * column's name. */
	unsigned long fail_line, fail_within;
	char fail_column[128];
};

/* A result row of a query: n columns as text, NULL for SQL NULL. */
typedef int (*db_row_fn)(void *arg, const char *const *cols, int n,
    struct err *err);

/* Every driver's connection begins with this. */
struct db {
	const struct driver *drv;
	char *display;		/* the target, password redacted */
	/* Set by exec when a migration's statement failed because it
	 * waited longer than the DDL lock timeout (ERR_LOCK), and blocker
	 * then says who held the lock, as far as seen ("" when unknown):
	 * the run may try the migration again. */
	int lock_timed_out;
	char blocker[320];
	/* What exec did of its own accord that the user should hear of,
	 * lines of text ("" none): a resume's clean-up. */
	char said[512];
};

struct driver {
	const char *name;		/* "sqlite", "postgres" */
	enum dialect dialect;		/* which bundle scripts it runs */

	/* Connect to target (a path for sqlite, a conninfo or URL for
	 * postgres).  display is the redacted target, for messages; the
	 * driver copies it.  Nothing is created yet. */
	int (*open)(struct db **out, const char *target, const char *display,
	    const struct db_opts *opts, struct err *err);
	void (*close)(struct db *db);

	/* The run lock, held from before the history is read until the run
	 * ends, so concurrent runners serialize.  Waits at most
	 * opts->lock_timeout_ms, polling; ERR_LOCK when it is not obtained. */
	int (*lock)(struct db *db, struct err *err);
	int (*unlock)(struct db *db, struct err *err);

	/* A write transaction (sqlite: BEGIN IMMEDIATE). */
	int (*begin)(struct db *db, struct err *err);
	int (*commit)(struct db *db, struct err *err);
	/* Roll back the open transaction, if any; never fails loudly. */
	void (*rollback)(struct db *db);

	/* Run a script statement by statement.  On failure err reads
	 * "PATH:LINE: MESSAGE", LINE being the script line where the failing
	 * statement starts (or where the engine points inside it). */
	int (*exec)(struct db *db, const struct script *s, struct err *err);

	/* The history table.  read fills h (h->exists = 0 and no rows when
	 * the table does not exist; it is never created by reading).  create
	 * makes it if missing.  insert writes a new row, with applied_at set
	 * to the database's current UTC time; update rewrites the row of the
	 * same migration (matched by version, or by name for a repeatable)
	 * and refreshes applied_at; delete removes it. */
	int (*history_read)(struct db *db, struct history *h,
	    struct err *err);
	int (*history_create)(struct db *db, struct err *err);
	int (*history_insert)(struct db *db, const struct hist_row *r,
	    struct err *err);
	int (*history_update)(struct db *db, const struct hist_row *r,
	    struct err *err);
	int (*history_delete)(struct db *db, const struct hist_row *r,
	    struct err *err);
	/* Write r's statements_done, statements and resume_note into its
	 * row, in the open transaction or in one of its own.  NULL in a
	 * driver that records no progress (the emitter); a no-op where the
	 * table has no room for it. */
	int (*history_progress)(struct db *db, const struct hist_row *r,
	    struct err *err);

	/* A remark on what comes next, lines of text, for a driver that
	 * writes a script for a person to read; NULL in an engine's. */
	int (*note)(struct db *db, const char *text, struct err *err);

	/* One statement with text parameters ?1..?n (NULL: SQL NULL); row,
	 * when given, gets each row of its result.  For migrun's own tables
	 * (seeds): '?' appears nowhere else in sql. */
	int (*query)(struct db *db, const char *sql, const char *const *params,
	    int n, db_row_fn row, void *arg, struct err *err);

	/* Backups (engine/backups.c names them and keeps their number): what
	 * follows a backup's name, "db" or "sql"; the database's name
	 * (caller frees); a consistent copy of the whole database, gzip
	 * compressed into io->out; and putting a backup's (path) content in
	 * place of the database's, all or nothing. */
	const char *backup_ext;
	char *(*dbname)(struct db *db);
	int (*backup)(struct db *db, const struct backup_io *io,
	    struct err *err);
	int (*restore)(struct db *db, const char *path,
	    const struct backup_io *io, struct err *err);
	/* Remove the scratch files a stopped run left beside the database
	 * (afile_sweep): called under the run lock.  How many, and where
	 * (*where, caller frees, when there were any).  NULL: a driver that
	 * makes none there. */
	unsigned (*sweep)(struct db *db, char **where);

	/* The catalog queries a schema snapshot runs (schema.h), NULL
	 * terminated; NULL for a driver that has no schema.  A driver whose
	 * tables' parts follow from text it can read cheaply also gives
	 * tables_sql, rows of (table, piece) whose pieces, in order, change
	 * whenever the table's parts do, and table_sql, the queries of one
	 * table's parts, ?1 its name: a snapshot reads again only the tables
	 * that changed. */
	const char *const *schema_sql;
	const char *schema_tables_sql;
	const char *const *schema_table_sql;

	/* Loading a CSV seed, inside the caller's transaction: begin, then
	 * csv_row with each parsed row (line: where it starts) or csv_data
	 * with the file's bytes, header first (whichever is not NULL), then
	 * end; end with abort set after a failure, to close what begin
	 * opened.  On failure the engine's words are in err and where they
	 * point, when known, in l->fail_*. */
	int (*csv_begin)(struct db *db, struct csv_load *l, struct err *err);
	int (*csv_row)(struct db *db, struct csv_load *l,
	    const struct csv_field *f, size_t n, unsigned long line,
	    struct err *err);
	int (*csv_data)(struct db *db, struct csv_load *l, const char *data,
	    size_t len, struct err *err);
	int (*csv_end)(struct db *db, struct csv_load *l, int abort,
	    struct err *err);
};

extern const struct driver sqlite_driver;
extern const struct driver postgres_driver;
/* The offline SQL emitter's (emit.h): scripts for psql and sqlite3. */
extern const struct driver emit_postgres_driver;
extern const struct driver emit_sqlite_driver;

/* The history table's name rules: a lower-case-insensitive SQL identifier
 * of letters, digits and '_' (not starting with a digit), at most 63 bytes;
 * "schema.table" where the engine allows it. */
int table_name_valid(const char *name, int allow_schema);

/* Waiting for a run lock: try, lockwait_nap, try again.  Naps last
 * min_ms..min_ms + jitter_ms, so runners started together do not poll in
 * step; nap returns -1 once timeout_ms have passed since start. */
struct lockwait {
	long long start;
	unsigned timeout_ms, min_ms, jitter_ms, seed;
};

void lockwait_start(struct lockwait *w, unsigned timeout_ms, unsigned min_ms,
    unsigned jitter_ms);
int lockwait_nap(struct lockwait *w);
/* Sleep ms milliseconds (less when a signal comes). */
void lockwait_sleep(unsigned ms);
/* The wait before trying again after failed attempt number attempt (from
 * 1): min_ms doubled with each attempt up to timeout_ms, then anywhere in
 * its upper half (w as lockwait_start made it; jitter_ms unused). */
unsigned lockwait_backoff(struct lockwait *w, unsigned attempt);
/* The timeout for messages: "60 s", or "300 ms". */
void lockwait_limit(unsigned timeout_ms, char *out, size_t size);

/* Take a row's kind, state and down_tx columns (NULL where SQL NULL) into
 * r, whose other fields are read, and check what the table's constraints
 * say, in case it was edited: 0, or -1 with what is wrong in why. */
int hist_row_parse(struct hist_row *r, const char *kind, const char *state,
    const char *down_tx, char *why, size_t size);

const char *hist_state_name(enum hist_state s);
int hist_state_parse(const char *s, enum hist_state *out);

#endif
