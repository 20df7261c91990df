#include <string.h>

#include "version.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_sep(char c, unsigned flags)
{
	return c == '.' || c == '-' ||
	    (c == '_' && (flags & VERSION_ALLOW_UNDERSCORE));
}

int version_valid(const char *s, size_t len, unsigned flags)
{
	size_t i;

	if (len == 0 || !is_digit(s[0]) || !is_digit(s[len - 1]))
		return 0;
	for (i = 1; i < len; i++) {
		if (is_digit(s[i]))
			continue;
		if (!is_sep(s[i], flags) || !is_digit(s[i - 1]))
			return 0;
	}
	return 1;
}

size_t version_span(const char *s, unsigned flags)
{
	size_t n = 0;

	while (is_digit(s[n]) || (is_sep(s[n], flags) && is_digit(s[n + 1])
	    && n > 0))
		n++;
	return n;
}

/* Point start and len at the next component's significant digits (leading
 * zeros dropped) and return the position after it; "" reads as 0. */
static const char *next_component(const char *p, const char **start,
    size_t *len)
{
	while (*p && !is_digit(*p))
		p++;
	while (*p == '0' && is_digit(p[1]))
		p++;
	if (*p == '0')
		p++;
	*start = p;
	while (is_digit(*p))
		p++;
	*len = (size_t)(p - *start);
	return p;
}

const char *version_max(const char *a, const char *b)
{
	return !a || (b && version_cmp(b, a) > 0) ? b : a;
}

int version_cmp(const char *a, const char *b)
{
	const char *sa, *sb;
	size_t la, lb;
	int c;

	while (*a && *b) {
		a = next_component(a, &sa, &la);
		b = next_component(b, &sb, &lb);
		if (la != lb)
			return la < lb ? -1 : 1;
		c = memcmp(sa, sb, la);
		if (c)
			return c < 0 ? -1 : 1;
	}
	/* One is the other's first components: it comes first. */
	return *a ? 1 : *b ? -1 : 0;
}
