#ifndef MIGPACK_VERSION_H
#define MIGPACK_VERSION_H

#include <stddef.h>

/*
 * Migration versions: digits in components separated by '.' or '-' (and '_'
 * where the layout allows it, as Flyway does).  They order numerically,
 * component by component, whatever their length: 2 < 10, 1.2 < 1.10,
 * 2019-02-26-002946 < 2019-03-01-000000.  Leading zeros and the separator
 * used do not count: 0002 == 2, 1.2 == 1-2.  A version that is another's
 * first components comes before it, zeros or not: 1 < 1.0 < 1.0.1, and
 * diesel's 2026-05-27-120000 < 2026-05-27-120000-0000, two migrations as
 * diesel (which compares them as strings without '-') has them.
 */

enum version_flags {
	VERSION_ALLOW_UNDERSCORE = 1 << 0,
};

/* Whether s[0..len) is a well-formed version. */
int version_valid(const char *s, size_t len, unsigned flags);

/* strcmp-like numeric comparison of two well-formed versions. */
int version_cmp(const char *a, const char *b);

/* The newer of two well-formed versions; NULL is older than any. */
const char *version_max(const char *a, const char *b);

/* The length of the version that starts s, stopping at the first character
 * that cannot continue it; 0 when s does not start with a digit. */
size_t version_span(const char *s, unsigned flags);

#endif
