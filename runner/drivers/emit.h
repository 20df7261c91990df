#ifndef MIGRUN_EMIT_H
#define MIGRUN_EMIT_H

#include "driver.h"
#include "ofile.h"

/*
 * The offline SQL emitter: a driver (driver.h) that runs nothing and
 * writes every statement it is asked to run into a script for psql or the
 * sqlite3 shell.  migrun sql drives it with the loop migrun apply uses, so
 * the script does what an online run would.
 *
 * Its first transaction opens with the history table's creation, when it
 * is missing, and a guard that stops the script unless the database is at
 * the version the script was made for.
 */
struct emit_guard {
	const char *version;	/* the expected current version; NULL: none */
	size_t applied;		/* versioned history rows expected */
};

/* An emitter writing to out (which stays the caller's) for dialect d, the
 * history table named table (as --table gives it), migrations under the
 * limits ddl (on PostgreSQL: lock_timeout, statement_timeout). */
int emit_open(struct db **db, enum dialect d, struct ofile *out,
    const char *table, const struct ddl_limits *ddl,
    const struct emit_guard *guard, struct err *err);

#endif
