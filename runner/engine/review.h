#ifndef MIGRUN_REVIEW_H
#define MIGRUN_REVIEW_H

#include "err.h"
#include "offline.h"

/*
 * migrun review: the plan migrun sql writes (offline_plan), as a page a DBA
 * reads before signing off: the bundle and its signature, the target, a
 * summary, each migration's scripts with lint's findings at their lines,
 * and the SHA-256 of the exact migrun sql script.  Written as it is read,
 * one migration's scripts at a time.
 */
enum review_format { REVIEW_TEXT, REVIEW_MD, REVIEW_HTML };

struct review_opts {
	struct offline_opts oo;	/* the plan, as migrun sql takes it */
	enum review_format format;
	const char *bundle;
	const char *previous;	/* the last release's bundle, or NULL */
	int timestamp;		/* say when the page was written */
};

/* The format -o FILE implies: html for .html and .htm, md for .md,
 * else text. */
enum review_format review_format_of(const char *path);

/* Write the review page, atomically, to ro->oo.path (standard output when
 * NULL).  A plan refused for drift or a dirty migration still gets its
 * page, the problem at its top, and so does a release that changes what
 * the previous one released: then ERR_INTEGRITY once it is written. */
int review_write(struct session *s, const struct review_opts *ro,
    struct err *err);

#endif
