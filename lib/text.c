#include <string.h>

#include "text.h"

void text_init(struct text *t, int at_file_start, uint64_t first_lineno)
{
	memset(t, 0, sizeof(*t));
	t->bom_pending = at_file_start;
	t->line = first_lineno;
	checksum_init(&t->sum);
}

static void problem(struct text *t, const char *what)
{
	if (!t->problem) {
		t->problem = what;
		t->problem_line = t->line;
	}
}

/* RFC 3629: the range of the first continuation byte after lead byte c, and
 * how many continuation bytes follow; 0 if c cannot start a sequence. */
static unsigned utf8_lead(unsigned char c, unsigned char *lo,
    unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c == 0xe0)
		*lo = 0xa0;
	else if (c == 0xed)
		*hi = 0x9f;
	if (c >= 0xe0 && c <= 0xef)
		return 2;
	if (c == 0xf0)
		*lo = 0x90;
	else if (c == 0xf4)
		*hi = 0x8f;
	if (c >= 0xf0 && c <= 0xf4)
		return 3;
	return 0;
}

static void check_utf8(struct text *t, unsigned char c)
{
	if (t->utf8_need) {
		if (c < t->utf8_lo || c > t->utf8_hi) {
			problem(t, "invalid UTF-8");
			t->utf8_need = 0;
			return;
		}
		t->utf8_need--;
		t->utf8_lo = 0x80;
		t->utf8_hi = 0xbf;
		return;
	}
	if (c == 0)
		problem(t, "NUL byte");
	else if (c >= 0x80 && !(t->utf8_need = utf8_lead(c, &t->utf8_lo,
	    &t->utf8_hi)))
		problem(t, "invalid UTF-8");
}

/* Track whether anything but whitespace and "--" comments appears. */
static void track_content(struct text *t, unsigned char c)
{
	if (t->in_comment) {
		if (c == '\n')
			t->in_comment = 0;
	} else if (c == '-') {
		if (t->dash)
			t->in_comment = 1;
		t->dash = !t->dash;
	} else if (t->dash || !(c == ' ' || c == '\t' || c == '\n' ||
	    c == '\r' || c == '\f' || c == '\v')) {
		t->has_content = 1;
	}
}

static void emit(struct text *t, unsigned char c, unsigned char *out,
    size_t *n)
{
	out[(*n)++] = c;
	if (!t->first_done) {
		if (c == '\n' || t->first_len == TEXT_FIRST_LINE_MAX)
			t->first_done = 1;
		else
			t->first_line[t->first_len++] = (char)c;
	}
	if (!t->has_content)
		track_content(t, c);
	if (c == '\n')
		t->line++;
}

size_t text_feed(struct text *t, const unsigned char *in, size_t len,
    unsigned char *out)
{
	size_t i = 0, n = 0;

	if (t->bom_pending && len) {
		/* The first chunk of a file holds at least 3 bytes unless the
		 * file is shorter, so a BOM is never split. */
		if (len >= 3 && in[0] == 0xef && in[1] == 0xbb && in[2] == 0xbf)
			i = 3;
		t->bom_pending = 0;
	}
	for (; i < len; i++) {
		unsigned char c = in[i];

		check_utf8(t, c);
		if (t->cr_pending) {
			t->cr_pending = 0;
			if (c != '\n')
				emit(t, '\r', out, &n);
		}
		if (c == '\r')
			t->cr_pending = 1;
		else
			emit(t, c, out, &n);
	}
	checksum_update(&t->sum, out, n);
	t->size += n;
	return n;
}

size_t text_finish(struct text *t, unsigned char *out,
    char hex[CHECKSUM_HEX_LEN + 1])
{
	size_t n = 0;

	if (t->cr_pending) {
		t->cr_pending = 0;
		emit(t, '\r', out, &n);
		checksum_update(&t->sum, out, n);
		t->size += n;
	}
	if (t->utf8_need)
		problem(t, "invalid UTF-8 (truncated sequence)");
	if (t->dash)
		t->has_content = 1;
	t->first_line[t->first_len] = '\0';
	checksum_final(&t->sum, hex);
	return n;
}

int text_first_line_is(const struct text *t, const char *directive)
{
	size_t n = strlen(directive), len = t->first_len;

	while (len > n && (t->first_line[len - 1] == ' ' ||
	    t->first_line[len - 1] == '\t'))
		len--;
	return len == n && memcmp(t->first_line, directive, n) == 0;
}
