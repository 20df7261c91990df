#ifndef MIGPACK_XALLOC_H
#define MIGPACK_XALLOC_H

#include <stddef.h>

#include "err.h"

/* Allocation that cannot fail: out of memory ends the program (as tmux). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) ATTR_PRINTF(1, 2);

/* Grow *array (of *alloc elements) so it can hold at least nr elements. */
#define ALLOC_GROW(array, nr, alloc) do { \
	if ((nr) > (alloc)) { \
		(alloc) = (alloc) < 8 ? 8 : (alloc) * 2; \
		if ((alloc) < (nr)) \
			(alloc) = (nr); \
		(array) = xreallocarray((array), (alloc), sizeof(*(array))); \
	} \
} while (0)

#endif
