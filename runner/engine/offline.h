#ifndef MIGRUN_OFFLINE_H
#define MIGRUN_OFFLINE_H

#include "emit.h"
#include "err.h"
#include "manifest.h"
#include "ofile.h"

struct session;
struct plan_item;
struct hist_row;

/* What migrun sql writes: from where, to where, which way. */
struct offline_opts {
	enum dialect dialect;	/* DIALECT_ANY: the --db database's */
	const char *from;	/* the version the database is at, or NULL */
	const char *to;		/* NULL: the newest; with down, or "base" */
	const char *path;	/* NULL or "-": standard output */
	int down, single, allow_ooo;
	int tolerate;		/* review: keep a refused plan (offline_plan) */
};

/* Refuse, as e's usage error, options that do not make a plan: --from
 * with --db, no dialect without --db, a --from or --to that is not a
 * version, --down without --to. */
struct cmd_entry;
struct ropts;
int offline_opts_check(const struct cmd_entry *e,
    const struct offline_opts *oo, const struct ropts *o, struct err *err);

/* What the script runs, as migrun apply (or down) would. */
struct offline_plan {
	enum dialect d;
	const struct plan_item **todo;	/* up: in run order */
	struct hist_row **rows;		/* down: newest first */
	size_t nr;
	const char *reached;		/* the version after it; NULL: none */
	struct emit_guard guard;
	/* With oo->tolerate, drift or a dirty migration (ERR_INTEGRITY):
	 * todo then lists what is pending, and no script is written. */
	struct err problem;
};

/* The session's bundle and history (read from its database, s->o->db,
 * changing nothing, or assumed from oo->from) and what a script runs. */
int offline_plan(struct session *s, const char *bundle,
    const struct offline_opts *oo, struct offline_plan *p, struct err *err);
/* The script of p, whole, into out. */
int offline_emit(struct session *s, const struct offline_opts *oo,
    struct offline_plan *p, struct ofile *out, struct err *err);
void offline_plan_release(struct offline_plan *p);

/* Write the offline script for the bundle: the session's history is read
 * from its database (s->o->db, changing nothing) or assumed from `from`;
 * the file is written atomically, or not at all. */
int offline_write(struct session *s, const char *bundle,
    const struct offline_opts *oo, struct err *err);

#endif
