#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

char buf_empty[1];

void buf_init(struct buf *b)
{
	b->data = buf_empty;
	b->len = 0;
	b->alloc = 0;
}

void buf_release(struct buf *b)
{
	if (b->alloc)
		free(b->data);
	buf_init(b);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->alloc)
		b->data[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (!b->alloc)
		buf_grow(b, 0);
	p = b->data;
	if (len)
		*len = b->len;
	buf_init(b);
	return p;
}

void buf_grow(struct buf *b, size_t extra)
{
	int fresh = !b->alloc;

	if (b->len + extra + 1 <= b->alloc)
		return;
	if (fresh)
		b->data = NULL;
	ALLOC_GROW(b->data, b->len + extra + 1, b->alloc);
	if (fresh)
		b->data[0] = '\0';
}

void buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addch(struct buf *b, int c)
{
	buf_grow(b, 1);
	b->data[b->len++] = (char)c;
	b->data[b->len] = '\0';
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->alloc ? b->alloc - b->len : 0,
	    fmt, ap);
	va_end(ap);
	if (n < 0)
		BUG("vsnprintf failed");
	if ((size_t)n + 1 > (b->alloc ? b->alloc - b->len : 0)) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->alloc - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void buf_replace(struct buf *b, const char *from, size_t n, const char *to)
{
	struct buf out = BUF_INIT;
	const char *p = b->data, *end = b->data + b->len, *hit;

	if (n == 0 || !memmem(p, b->len, from, n))
		return;
	while ((hit = memmem(p, (size_t)(end - p), from, n))) {
		buf_add(&out, p, (size_t)(hit - p));
		buf_addstr(&out, to);
		p = hit + n;
	}
	buf_add(&out, p, (size_t)(end - p));
	buf_release(b);
	*b = out;
}

int buf_read_file(struct buf *b, const char *path, size_t cap,
    struct err *err)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n, got = 0;
	int failed;

	if (!f)
		return err_errno(err, ERR_INPUT, "'%s'", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && got <= cap) {
		buf_add(b, chunk, n);
		got += n;
	}
	failed = ferror(f);
	fclose(f);
	if (failed)
		return err_set(err, ERR_INPUT, "'%s': read error", path);
	if (got > cap)
		return err_set(err, ERR_INPUT, "'%s': over %zu bytes", path,
		    cap);
	return 0;
}
