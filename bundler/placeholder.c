/* Flyway's placeholders, replaced at build: the rules are in
 * placeholder.h. */
#include <stdlib.h>
#include <string.h>

#include "placeholder.h"
#include "xalloc.h"

void placeholders_release(struct placeholders *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++) {
		free(p->names[i]);
		free(p->values[i]);
	}
	free(p->names);
	free(p->values);
	memset(p, 0, sizeof(*p));
}

int placeholders_add(struct placeholders *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t i, alloc = p->alloc;

	if (!eq || eq == arg || (size_t)(eq - arg) > PLACEHOLDER_NAME_MAX ||
	    memchr(arg, '}', (size_t)(eq - arg)) ||
	    memchr(arg, '\n', (size_t)(eq - arg)))
		return -1;
	for (i = 0; i < p->nr; i++)
		if (strlen(p->names[i]) == (size_t)(eq - arg) &&
		    !memcmp(p->names[i], arg, (size_t)(eq - arg))) {
			free(p->values[i]);
			p->values[i] = xstrdup(eq + 1);
			return 0;
		}
	ALLOC_GROW(p->names, p->nr + 1, p->alloc);
	ALLOC_GROW(p->values, p->nr + 1, alloc);
	p->names[p->nr] = xstrndup(arg, (size_t)(eq - arg));
	p->values[p->nr++] = xstrdup(eq + 1);
	return 0;
}

void subst_init(struct subst *s, const struct placeholders *ph,
    const char *file, uint64_t first_line)
{
	memset(s, 0, sizeof(*s));
	s->ph = ph;
	s->file = file;
	s->line = first_line;
}

void subst_release(struct subst *s)
{
	free(s->missing);
	s->missing = NULL;
}

/* The value of the name held, or NULL. */
static const char *value_of(const struct subst *s, const char *name,
    size_t n)
{
	size_t i;

	for (i = 0; s->ph && i < s->ph->nr; i++)
		if (strlen(s->ph->names[i]) == n &&
		    !memcmp(s->ph->names[i], name, n))
			return s->ph->values[i];
	if (n == 15 && !memcmp(name, "flyway:filename", n))
		return s->file;
	return NULL;
}

/* A '}' closes the name held: its value, or the text as it was. */
static void close_name(struct subst *s, struct buf *out)
{
	const char *name = s->held + 2, *v;
	size_t n = s->nheld - 2;

	if (n && (v = value_of(s, name, n))) {
		buf_addstr(out, v);
	} else {
		if (n && !s->missing) {
			s->missing = xstrndup(name, n);
			s->missing_line = s->line;
		}
		buf_add(out, s->held, s->nheld);
		buf_addch(out, '}');
	}
	s->nheld = 0;
}

void subst_feed(struct subst *s, const char *in, size_t len, struct buf *out)
{
	size_t i;
	char c;

	for (i = 0; i < len; i++) {
		c = in[i];
		if (s->nheld == 1 && c != '{') {
			buf_add(out, s->held, s->nheld);
			s->nheld = 0;
		} else if (s->nheld >= 2 && c == '}') {
			close_name(s, out);
			continue;
		} else if (s->nheld >= 2 && (c == '\n' ||
		    s->nheld == sizeof(s->held))) {
			buf_add(out, s->held, s->nheld);	/* no name */
			s->nheld = 0;
		}
		if (c == '\n')
			s->line++;
		if (c == '$' && !s->nheld) {
			s->held[s->nheld++] = c;
		} else if (s->nheld) {
			s->held[s->nheld++] = c;
		} else {
			buf_addch(out, c);
		}
	}
}

void subst_finish(struct subst *s, struct buf *out)
{
	buf_add(out, s->held, s->nheld);
	s->nheld = 0;
}
