#ifndef MIGPACK_TXSCAN_H
#define MIGPACK_TXSCAN_H

#include <stddef.h>

#include "manifest.h"

/*
 * What keeps a script out of a transaction on one engine, found at build
 * from its top-level statements (split as the engine's client splits them,
 * told apart by their first words: no parser):
 *
 *  - transaction control: the script runs its own transactions (BEGIN,
 *    START TRANSACTION, COMMIT, END, ROLLBACK but not ROLLBACK TO, and on
 *    PostgreSQL ABORT and PREPARE TRANSACTION);
 *  - what the engine refuses inside a transaction: on PostgreSQL the
 *    statements Flyway also runs outside one (CREATE/DROP DATABASE,
 *    TABLESPACE and SUBSCRIPTION, ALTER SYSTEM, CREATE/DROP INDEX
 *    CONCURRENTLY, REINDEX of a schema, database or system or
 *    CONCURRENTLY, VACUUM, DISCARD ALL) and CLUSTER of every table,
 *    COMMIT/ROLLBACK PREPARED; on SQLite VACUUM, ATTACH and DETACH, and
 *    setting the synchronous or journal_mode pragmas;
 *  - what does nothing inside a transaction: SQLite's foreign_keys pragma
 *    set.
 *
 * ALTER TYPE ... ADD VALUE runs in a transaction since PostgreSQL 12, and
 * stays in one, as in Flyway on those versions.
 */

enum txneed_kind { TXN_OWN, TXN_REFUSED, TXN_NOOP };

struct txneed {
	enum txneed_kind kind;
	const char *what;	/* the statement, for messages: "BEGIN" */
	unsigned line;		/* its line, 1-based */
	size_t others;		/* statements that do run in a transaction */
};

/* Whether text must run outside a transaction on d (DIALECT_POSTGRES or
 * DIALECT_SQLITE): 1 with *need filled (the first statement of transaction
 * control, else the first other reason), or 0.  both: the script is for
 * both engines, and a statement counts only where both engines' readings
 * see one start (a SQLite trigger's END, or one in a PostgreSQL dollar
 * quote read by SQLite's rules, is the other engine's syntax, not a
 * COMMIT). */
int txscan(const char *text, size_t len, enum dialect d, int both,
    struct txneed *need);

#endif
