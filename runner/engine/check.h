#ifndef MIGRUN_CHECK_H
#define MIGRUN_CHECK_H

#include <stdint.h>

#include "runner.h"
#include "schema.h"

/*
 * migrun check: every versioned migration of the session's bundle run up,
 * down and up again on an empty scratch database, its schema compared each
 * time (schema.h): down(k) must give back exactly what k-1 left, up(k)
 * again exactly what up(k) made.  Then down to base, as far as down
 * scripts go, must give back the empty schema; then everything is applied
 * once more and the repeatable migrations run as apply runs them.
 */
struct check_step {
	const char *version, *name;
	int64_t up_ms, down_ms, reup_ms;	/* -1: not run */
	const char *up, *down, *reup;	/* "ok", "failed", "mismatch",
					 * "none" (no down script), NULL:
					 * not reached */
};

struct check_report {
	struct check_step *steps;
	size_t nr;
	const char *base;	/* "ok", "mismatch", "failed", NULL: not
				 * reached; or stopped at a migration
				 * without a down script: */
	char *stopped_at;	/* its version */
	const char *reapply;	/* "ok", "failed", NULL */
	size_t repeatables;	/* run at the end */
	const char *reached;	/* the scratch database's version at the end */
	struct schema_cache cache;	/* the snapshots' (schema.h) */
};

/* Refuse (exit 2) a database that is not empty: user objects or a history
 * table.  The session is open, under the lock. */
int check_empty(struct session *s, struct err *err);
/* Run the check; r says how far it went even when it fails: a failing
 * statement as apply reports it (exit 1), a schema that differs named
 * with the migration and the direction (exit 3). */
int check_run(struct session *s, struct check_report *r, struct err *err);
void check_report_release(struct check_report *r);

#endif
