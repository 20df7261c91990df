#ifndef MIGPACK_RELEASE_H
#define MIGPACK_RELEASE_H

#include "buf.h"
#include "err.h"
#include "manifest.h"

/*
 * What a release changes of the release before it, and what it may not.
 * Released migrations stay as released: every versioned migration of old
 * is in new, with the same up and down scripts on each engine (the same
 * checksums of their normalized text; a script for every engine and one
 * per engine with the same text are the same); no new versioned migration
 * sorts at or below old's newest version unless allow_ooo.  Repeatable
 * migrations and seeds may change.
 */

enum release_change { REL_ADDED, REL_CHANGED, REL_REMOVED };
enum release_kind { REL_VERSIONED, REL_REPEATABLE, REL_SEED };

/* One change; the strings point into the two manifests. */
struct release_item {
	enum release_change change;
	enum release_kind kind;
	const char *version;		/* versioned migrations only */
	const char *name;		/* migration name, or seed path */
	/* A changed script: its role, and the engine it changed on
	 * (DIALECT_ANY when on every engine); the checksums, NULL where
	 * there was, or is, no script. */
	enum script_role role;
	enum dialect dialect;
	const char *old_sha, *new_sha;
	int refused;			/* the rules above forbid it */
};

struct release_diff {
	const char *old_release;
	const char *old_newest;		/* old's newest version, or NULL */
	struct release_item *items;	/* old's order, then new's */
	size_t nr, alloc;
	size_t nr_refused;
};

void release_diff(const struct manifest *old, const struct manifest *new,
    int allow_ooo, struct release_diff *d);
void release_diff_release(struct release_diff *d);

/* An item in words: "VERSION NAME", and for a changed script or a refused
 * change ": " what the release did to it and why it may not. */
void release_item_describe(const struct release_diff *d,
    const struct release_item *it, struct buf *b);

const char *release_change_name(enum release_change c);
const char *release_kind_name(enum release_kind k);

/* 0, or ERR_INTEGRITY naming every refused change, a line each. */
int release_check(const struct manifest *old, const struct manifest *new,
    int allow_ooo, struct err *err);

#endif
