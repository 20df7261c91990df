#ifndef MIGRUN_OFFLINE_H
#define MIGRUN_OFFLINE_H

#include "err.h"
#include "manifest.h"

struct session;

/* What migrun sql writes: from where, to where, which way. */
struct offline_opts {
	enum dialect dialect;	/* DIALECT_ANY: the --db database's */
	const char *from;	/* the version the database is at, or NULL */
	const char *to;		/* NULL: the newest; with down, or "base" */
	const char *path;	/* NULL or "-": standard output */
	int down, single, allow_ooo;
};

/* Write the offline script for the bundle: the session's history is read
 * from its database (s->o->db, changing nothing) or assumed from `from`;
 * the file is written atomically, or not at all. */
int offline_write(struct session *s, const char *bundle,
    const struct offline_opts *oo, struct err *err);

#endif
