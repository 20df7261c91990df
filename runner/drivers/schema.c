/* Schema snapshots over the driver's catalog queries: schema.h. */
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "xalloc.h"

struct collect {
	struct schema *s;
	const char *history;
	size_t hlen;
};

/* Whether key ("KIND NAME...") is the history table's or one of its
 * parts' ("column migpack_history.version"). */
static int historical(const struct collect *c, const char *key)
{
	const char *name = strchr(key, ' ');

	for (; name; name = strchr(name + 1, ' '))
		if (!strncmp(name + 1, c->history, c->hlen) &&
		    (!name[1 + c->hlen] || name[1 + c->hlen] == '.'))
			return 1;
	return 0;
}

static int add_row(void *arg, const char *const *cols, int n,
    struct err *err)
{
	struct collect *c = arg;
	struct buf b = BUF_INIT;
	const char *p;
	int blank = 0;

	(void)err;
	if (n < 1 || !cols[0] || historical(c, cols[0]))
		return 0;
	buf_addstr(&b, cols[0]);
	if (n > 1 && cols[1]) {
		buf_addstr(&b, ": ");
		for (p = cols[1]; *p; p++) {
			if (strchr(" \t\r\n", *p)) {
				blank = 1;
				continue;
			}
			if (blank && b.data[b.len - 1] != ' ')
				buf_addch(&b, ' ');
			blank = 0;
			buf_addch(&b, *p);
		}
	}
	ALLOC_GROW(c->s->lines, c->s->nr + 1, c->s->alloc);
	c->s->lines[c->s->nr++] = buf_detach(&b, NULL);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int schema_read(struct db *db, const char *history, struct schema *out,
    struct err *err)
{
	struct collect c = { out, history, strlen(history) };
	const char *const *q;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (q = db->drv->schema_sql; !ret && q && *q; q++)
		ret = db->drv->query(db, *q, NULL, 0, add_row, &c, err);
	if (ret)
		schema_release(out);
	else if (out->nr > 1)
		qsort(out->lines, out->nr, sizeof(*out->lines), cmp_line);
	return ret;
}

void schema_release(struct schema *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		free(s->lines[i]);
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

/* A line's key: up to ": ", or all of it. */
static size_t key_len(const char *line)
{
	const char *colon = strstr(line, ": ");

	return colon ? (size_t)(colon - line) : strlen(line);
}

static int cmp_key(const char *a, const char *b)
{
	size_t la = key_len(a), lb = key_len(b);
	int c = strncmp(a, b, la < lb ? la : lb);

	return c ? c : (la > lb) - (la < lb);
}

static const char *detail(const char *line)
{
	const char *colon = strstr(line, ": ");

	return colon ? colon + 2 : "";
}

static void note(struct schema_delta *d, enum schema_diff diff,
    const char *line, const char *is, const char *want)
{
	if (!d->count++) {
		d->diff = diff;
		d->object = xstrndup(line, key_len(line));
		d->is = is ? xstrdup(is) : NULL;
		d->want = want ? xstrdup(want) : NULL;
	}
}

void schema_compare(const struct schema *is, const struct schema *want,
    struct schema_delta *d)
{
	size_t i = 0, j = 0;

	memset(d, 0, sizeof(*d));
	while (i < is->nr || j < want->nr) {
		int c = i == is->nr ? 1 : j == want->nr ? -1 :
		    cmp_key(is->lines[i], want->lines[j]);

		if (c < 0) {
			note(d, SCHEMA_EXTRA, is->lines[i++], NULL, NULL);
		} else if (c > 0) {
			note(d, SCHEMA_MISSING, want->lines[j++], NULL, NULL);
		} else {
			if (strcmp(is->lines[i], want->lines[j]))
				note(d, SCHEMA_CHANGED, is->lines[i],
				    detail(is->lines[i]),
				    detail(want->lines[j]));
			i++;
			j++;
		}
	}
}

void schema_delta_release(struct schema_delta *d)
{
	free(d->object);
	free(d->is);
	free(d->want);
	memset(d, 0, sizeof(*d));
}
