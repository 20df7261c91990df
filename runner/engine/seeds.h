#ifndef MIGRUN_SEEDS_H
#define MIGRUN_SEEDS_H

#include "buf.h"
#include "err.h"

struct session;

struct seed_opts {
	const char *profile;	/* NULL: "default", else the only one */
	const char *table;	/* the seeds table; NULL: beside the history */
	int clear;		/* empty the profile's CSV tables first */
	int progress;		/* 2: always; 0: on a terminal after a second */
};

/* Load bundle's seed profile into s's database, which must be at the
 * bundle's schema, in one transaction; what was loaded, a line per file
 * and a summary, goes to out. */
int seeds_load(struct session *s, const char *bundle,
    const struct seed_opts *so, struct buf *out, struct err *err);

#endif
