#ifndef MIGPACK_RELEASE_H
#define MIGPACK_RELEASE_H

#include "err.h"
#include "manifest.h"

/*
 * Released migrations stay as released (migpack build --previous OLD):
 * every versioned migration of old is in new, with the same up and down
 * scripts on each engine (the same checksums of their normalized text; a
 * script for every engine and one per engine with the same text are the
 * same); no new versioned migration sorts at or below old's newest
 * version unless allow_ooo.  Repeatable migrations and seeds may change.
 * 0, or ERR_INTEGRITY naming every violation, a line each.
 */
int release_check(const struct manifest *old, const struct manifest *new,
    int allow_ooo, struct err *err);

#endif
