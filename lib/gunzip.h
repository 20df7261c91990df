#ifndef MIGPACK_GUNZIP_H
#define MIGPACK_GUNZIP_H

#include <stddef.h>

#include "err.h"

/*
 * A gzip file read back in constant memory, chunk by chunk: each
 * decompressed chunk goes to fn, which returns 0 to go on or an error
 * code.  A file that is not gzip, is damaged (CRC, length) or is cut
 * short is an error naming it, found at the latest when the end is
 * reached: a caller that must not act on a partial file checks it whole
 * first (fn NULL) or can undo what fn did.
 */
typedef int (*gunzip_fn)(void *arg, const void *data, size_t len,
    struct err *err);

int gunzip_file(const char *path, gunzip_fn fn, void *arg, struct err *err);

#endif
