#ifndef MIGPACK_JSON_H
#define MIGPACK_JSON_H

#include "buf.h"

/* Append s as a JSON string (quoted, escaped per RFC 8259); NULL is null. */
void json_str(struct buf *out, const char *s);

#endif
