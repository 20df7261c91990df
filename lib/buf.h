#ifndef MIGPACK_BUF_H
#define MIGPACK_BUF_H

#include <stddef.h>

#include "err.h"

/*
 * A growable byte buffer (git's strbuf).  data is never NULL and always
 * NUL-terminated, so a fresh buffer is a valid empty string.  The buffer owns
 * data; buf_detach hands it over to the caller.
 */
struct buf {
	char *data;
	size_t len;
	size_t alloc;
};

extern char buf_empty[];
#define BUF_INIT { buf_empty, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b, size_t *len);
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, int c);
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Append a whole file of at most cap bytes: 0, or ERR_INPUT naming it
 * when it cannot be read or is bigger. */
int buf_read_file(struct buf *b, const char *path, size_t cap,
    struct err *err);
/* Replace every occurrence of the n bytes at from with the string to. */
void buf_replace(struct buf *b, const char *from, size_t n, const char *to);

#endif
