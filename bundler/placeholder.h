#ifndef MIGPACK_PLACEHOLDER_H
#define MIGPACK_PLACEHOLDER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Flyway's placeholders: "${name}" in a Flyway script, on one line, is
 * replaced at build by the value migpack build --placeholder name=value
 * gives it, as Flyway replaces it when it runs the script.  The one of
 * Flyway's own that is known at build, ${flyway:filename}, is the script's
 * file name.  A name without a value stays as it is and is reported:
 * Flyway refuses to run such a script.
 */

struct placeholders {
	char **names, **values;
	size_t nr, alloc;
};

void placeholders_release(struct placeholders *p);

/* "NAME=VALUE" (a later one for a name wins): 0, or -1 when there is no
 * '=' or no name. */
int placeholders_add(struct placeholders *p, const char *arg);

#define PLACEHOLDER_NAME_MAX 256

/* The replacer's state over one script, fed in chunks. */
struct subst {
	const struct placeholders *ph;
	const char *file;	/* ${flyway:filename} */
	char held[PLACEHOLDER_NAME_MAX + 3];	/* "${" and a name so far */
	size_t nheld;
	uint64_t line;
	char *missing;		/* the first name without a value */
	uint64_t missing_line;
};

void subst_init(struct subst *s, const struct placeholders *ph,
    const char *file, uint64_t first_line);
/* Replace what len bytes of in complete, appending the result to out. */
void subst_feed(struct subst *s, const char *in, size_t len, struct buf *out);
/* The end of the script: what is held goes out as it is. */
void subst_finish(struct subst *s, struct buf *out);
void subst_release(struct subst *s);

#endif
