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

/* The (table, key) rows of drv->schema_tables_sql, joined per table. */
struct keys {
	char **table, **key;
	size_t nr, alloc;
};

static int add_piece(void *arg, const char *const *cols, int n,
    struct err *err)
{
	struct keys *k = arg;

	(void)err;
	if (n < 2 || !cols[0])
		return 0;
	if (!k->nr || strcmp(k->table[k->nr - 1], cols[0])) {
		ALLOC_GROW(k->table, k->nr + 1, k->alloc);
		k->key = xreallocarray(k->key, k->alloc, sizeof(*k->key));
		k->table[k->nr] = xstrdup(cols[0]);
		k->key[k->nr++] = xstrdup("");
	}
	if (cols[1]) {
		char *joined = xasprintf("%s%s\n", k->key[k->nr - 1], cols[1]);

		free(k->key[k->nr - 1]);
		k->key[k->nr - 1] = joined;
	}
	return 0;
}

static struct cached_table *cached(struct schema_cache *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->t[i].table, table))
			return &c->t[i];
	ALLOC_GROW(c->t, c->nr + 1, c->alloc);
	memset(&c->t[c->nr], 0, sizeof(c->t[c->nr]));
	c->t[c->nr].table = xstrdup(table);
	return &c->t[c->nr++];
}

static void cached_clear(struct cached_table *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free(t->lines[i]);
	free(t->lines);
	free(t->key);
	t->lines = NULL;
	t->key = NULL;
	t->nr = 0;
}

/* Every table's parts: the cached ones where their key has not changed,
 * read again where it has. */
static int read_tables(struct db *db, struct collect *c,
    struct schema_cache *cache, struct err *err)
{
	struct keys k = { NULL, NULL, 0, 0 };
	struct schema mine = SCHEMA_INIT;
	const char *const *q;
	size_t i, j;
	int ret;

	if ((ret = db->drv->query(db, db->drv->schema_tables_sql, NULL, 0,
	    add_piece, &k, err)))
		goto out;
	for (i = 0; !ret && i < k.nr; i++) {
		struct cached_table *t = cached(cache, k.table[i]);
		const char *param = k.table[i];
		struct collect one = { &mine, c->history, c->hlen };

		if (!t->key || strcmp(t->key, k.key[i])) {
			cached_clear(t);
			memset(&mine, 0, sizeof(mine));
			for (q = db->drv->schema_table_sql; !ret && *q; q++)
				ret = db->drv->query(db, *q, &param, 1, add_row,
				    &one, err);
			t->lines = mine.lines;
			t->nr = mine.nr;
			t->key = xstrdup(k.key[i]);
			memset(&mine, 0, sizeof(mine));
		}
		for (j = 0; !ret && j < t->nr; j++) {
			ALLOC_GROW(c->s->lines, c->s->nr + 1, c->s->alloc);
			c->s->lines[c->s->nr++] = xstrdup(t->lines[j]);
		}
	}
out:
	for (i = 0; i < k.nr; i++) {
		free(k.table[i]);
		free(k.key[i]);
	}
	free(k.table);
	free(k.key);
	return ret;
}

int schema_read(struct db *db, const char *history,
    struct schema_cache *cache, struct schema *out, struct err *err)
{
	struct collect c = { out, history, strlen(history) };
	struct schema_cache none = SCHEMA_CACHE_INIT;
	const char *const *q;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (db->drv->schema_tables_sql)
		ret = read_tables(db, &c, cache ? cache : &none, err);
	for (q = db->drv->schema_sql; !ret && q && *q; q++)
		ret = db->drv->query(db, *q, NULL, 0, add_row, &c, err);
	schema_cache_release(&none);
	if (ret)
		schema_release(out);
	else if (out->nr > 1)
		qsort(out->lines, out->nr, sizeof(*out->lines), cmp_line);
	return ret;
}

void schema_cache_release(struct schema_cache *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		cached_clear(&c->t[i]);
		free(c->t[i].table);
	}
	free(c->t);
	memset(c, 0, sizeof(*c));
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
