#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "xalloc.h"

enum {
	ST_FIELD,	/* before the first byte of a field */
	ST_UNQUOTED,	/* in an unquoted field */
	ST_QUOTED,	/* in a quoted field */
	ST_QUOTE,	/* a quote in a quoted field: its end, or one of two */
	ST_CR,		/* a CR outside quotes: a CRLF, or data */
	ST_CLOSED_CR,	/* a CR after the closing quote: a CRLF, or an error */
};

/* The bytes that end a run of ordinary bytes in an unquoted field. */
static const unsigned char unquoted_stop[256] = {
	['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};

static void set_limit(struct csv *p)
{
	if (p->max_record > UINT64_MAX - p->rec_start)
		p->rec_lim = UINT64_MAX;
	else
		p->rec_lim = p->rec_start + p->max_record;
}

void csv_init(struct csv *p, const char *path, size_t max_record)
{
	memset(p, 0, sizeof(*p));
	p->path = path ? path : "(csv)";
	p->max_record = max_record ? max_record : CSV_MAX_RECORD_DEFAULT;
	p->line = 1;
	p->rec_line = 1;
	p->state = ST_FIELD;
	set_limit(p);
}

void csv_release(struct csv *p)
{
	free(p->text);
	p->text = NULL;
	p->text_len = p->text_alloc = 0;
	free(p->fields);
	p->fields = NULL;
	p->nr = p->alloc = 0;
}

static int bad(struct csv *p, struct err *err, unsigned long line,
    const char *fmt, ...) ATTR_PRINTF(4, 5);

static int bad(struct csv *p, struct err *err, unsigned long line,
    const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->failed = ERR_INPUT;
	return err_set(err, ERR_INPUT, "%s:%lu: column %zu: %s", p->path,
	    line, p->nr + 1, what);
}

static int too_big(struct csv *p, struct err *err)
{
	return bad(p, err, p->line, "record larger than %zu bytes",
	    p->max_record);
}

static int stopped(struct csv *p, struct err *err)
{
	return err_set(err, (enum err_code)p->failed,
	    "%s: CSV parsing stopped at an earlier error", p->path);
}

static void text_grow(struct csv *p, size_t extra)
{
	ALLOC_GROW(p->text, p->text_len + extra, p->text_alloc);
}

/* Append n > 0 bytes to the current field, keeping room for its NUL. */
static inline void put(struct csv *p, const char *from, size_t n)
{
	if (p->text_alloc - p->text_len <= n)
		text_grow(p, n + 1);
	memcpy(p->text + p->text_len, from, n);
	p->text_len += n;
}

static inline void close_field(struct csv *p)
{
	struct csv_field *f;

	if (p->nr == p->alloc)
		ALLOC_GROW(p->fields, p->nr + 1, p->alloc);
	f = &p->fields[p->nr++];
	f->data = NULL;
	f->len = p->text_len - p->field_off;
	f->quoted = p->quoted;
	if (p->text_len == p->text_alloc)
		text_grow(p, 1);
	p->text[p->text_len++] = '\0';
	p->field_off = p->text_len;
	p->quoted = 0;
}

/* Close the record, whose line ending (if any) ends before offset next, and
 * hand it to fn. */
static int end_record(struct csv *p, uint64_t next, int newline,
    csv_record_fn fn, void *arg, struct err *err)
{
	unsigned long line = p->rec_line;
	size_t i, off = 0;
	int ret = 0;

	close_field(p);
	for (i = 0; i < p->nr; i++) {
		p->fields[i].data = p->text + off;
		off += p->fields[i].len + 1;
	}
	if (newline)
		p->line++;
	p->bytes = next;
	p->rec_line = p->line;
	p->rec_start = next;
	set_limit(p);
	p->state = ST_FIELD;
	if (fn)
		ret = fn(arg, p->fields, p->nr, line, err);
	p->nr = 0;
	p->text_len = 0;
	p->field_off = 0;
	if (ret)
		p->failed = ret;
	else
		p->records++;
	return ret;
}

static inline void count_lines(struct csv *p, const char *s,
    const char *end)
{
	while ((s = memchr(s, '\n', (size_t)(end - s)))) {
		p->line++;
		s++;
	}
}

/* The offset in the input of the byte at s. */
#define OFF(s) (base + (uint64_t)((s) - data))

int csv_feed(struct csv *p, const char *data, size_t len, csv_record_fn fn,
    void *arg, struct err *err)
{
	const char *s = data, *end = data + len, *run, *q;
	uint64_t base = p->bytes;
	int ret = 0;

	if (p->failed)
		return stopped(p, err);
	if (!len)
		return 0;
	p->last_nl = end[-1] == '\n';
	while (s < end) {
		switch (p->state) {
		case ST_FIELD:
		case ST_UNQUOTED:
			if (p->state == ST_FIELD) {
				if (*s == '"') {
					if (OFF(s) >= p->rec_lim) {
						ret = too_big(p, err);
						goto out;
					}
					p->quoted = 1;
					p->quote_line = p->line;
					p->state = ST_QUOTED;
					s++;
					break;
				}
				p->state = ST_UNQUOTED;
			}
			run = s;
			while (s < end && !unquoted_stop[(unsigned char)*s])
				s++;
			if (s > run) {
				if (OFF(s) > p->rec_lim) {
					s = run + (p->rec_lim - OFF(run));
					ret = too_big(p, err);
					goto out;
				}
				put(p, run, (size_t)(s - run));
			}
			if (s == end)
				break;
			if (*s == ',') {
				if (OFF(s) >= p->rec_lim) {
					ret = too_big(p, err);
					goto out;
				}
				close_field(p);
				p->state = ST_FIELD;
				s++;
			} else if (*s == '\n') {
				s++;
				if ((ret = end_record(p, OFF(s), 1, fn, arg,
				    err)))
					goto out;
			} else if (*s == '\r') {
				p->state = ST_CR;
				s++;
			} else {
				ret = bad(p, err, p->line,
				    "a quote inside an unquoted field");
				goto out;
			}
			break;
		case ST_QUOTED:
			q = memchr(s, '"', (size_t)(end - s));
			if (!q)
				q = end;
			if (OFF(q) > p->rec_lim) {
				/* count lines up to the byte too many */
				q = s + (p->rec_lim - OFF(s));
				count_lines(p, s, q);
				s = q;
				ret = too_big(p, err);
				goto out;
			}
			if (q > s) {
				put(p, s, (size_t)(q - s));
				count_lines(p, s, q);
				s = q;
			}
			if (s == end)
				break;
			if (OFF(s) >= p->rec_lim) {
				ret = too_big(p, err);
				goto out;
			}
			p->state = ST_QUOTE;
			s++;
			break;
		case ST_QUOTE:
			if (*s == '"' || *s == ',') {
				if (OFF(s) >= p->rec_lim) {
					ret = too_big(p, err);
					goto out;
				}
				if (*s == '"') {
					put(p, s, 1);
					p->state = ST_QUOTED;
				} else {
					close_field(p);
					p->state = ST_FIELD;
				}
				s++;
			} else if (*s == '\n') {
				s++;
				if ((ret = end_record(p, OFF(s), 1, fn, arg,
				    err)))
					goto out;
			} else if (*s == '\r') {
				p->state = ST_CLOSED_CR;
				s++;
			} else {
				ret = bad(p, err, p->line,
				    "text after the closing quote");
				goto out;
			}
			break;
		case ST_CR:
			if (*s == '\n') {
				s++;
				if ((ret = end_record(p, OFF(s), 1, fn, arg,
				    err)))
					goto out;
				break;
			}
			/* the CR, at OFF(s) - 1, is data */
			if (OFF(s) > p->rec_lim) {
				ret = too_big(p, err);
				goto out;
			}
			put(p, "\r", 1);
			p->state = ST_UNQUOTED;
			break;
		case ST_CLOSED_CR:
			if (*s == '\n') {
				s++;
				if ((ret = end_record(p, OFF(s), 1, fn, arg,
				    err)))
					goto out;
				break;
			}
			ret = bad(p, err, p->line,
			    "text after the closing quote");
			goto out;
		default:
			BUG("csv state %d", p->state);
		}
	}
out:
	p->bytes = OFF(s);
	return ret;
}

#undef OFF

int csv_finish(struct csv *p, csv_record_fn fn, void *arg, struct err *err)
{
	if (p->failed)
		return stopped(p, err);
	switch (p->state) {
	case ST_FIELD:
		if (p->bytes == p->rec_start)
			return 0;	/* no record open */
		break;
	case ST_QUOTED:
		/* the problem is seen on the last line, the one with the last
		 * byte */
		return bad(p, err, p->line - (p->last_nl ? 1 : 0),
		    "unterminated quoted field (it opens on line %lu)",
		    p->quote_line);
	case ST_CLOSED_CR:
		return bad(p, err, p->line, "text after the closing quote");
	case ST_CR:
		/* a CR at the very end is data */
		if (p->bytes > p->rec_lim)
			return too_big(p, err);
		put(p, "\r", 1);
		break;
	}
	return end_record(p, p->bytes, 0, fn, arg, err);
}
