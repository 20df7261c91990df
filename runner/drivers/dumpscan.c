/* pg_dump's plain output read as psql reads it (see dumpscan.h). */
#include <string.h>

#include "dumpscan.h"

static const char lo_prefix[] = "SELECT pg_catalog.lo";
/* What pg_dump writes last, a line of its own after its last statement. */
static const char complete[] = " PostgreSQL database dump complete";
#define COMPLETE_LEN ((int)sizeof(complete) - 1)

void dumpscan_init(struct dumpscan *s, const char *path, dumpscan_fn out,
    void *arg)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	s->out = out;
	s->arg = arg;
	s->state = DS_TOP;
	s->line = 1;
	s->bol = 1;
	s->marker = -1;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

/* What an identifier (or a number) is made of after its first byte. */
static int is_ident(unsigned char c)
{
	return is_letter(c) || (c >= '0' && c <= '9') || c == '$';
}

static int word_is(const struct dumpscan *s, const char *w)
{
	size_t n = strlen(w);

	return s->word_len == n && !memcmp(s->word, w, n);
}

/* The word ends: the statement's first says what it is. */
static int end_word(struct dumpscan *s, struct err *err)
{
	s->in_word = 0;
	if (!s->words++) {
		if (word_is(s, "ROLLBACK") || word_is(s, "ABORT"))
			return err_set(err, ERR_INPUT, "'%s' line %lu: %.*s "
			    "would end the transaction the restore runs in: "
			    "not a backup migrun can restore whole", s->path,
			    s->stmt_line, (int)s->word_len, s->word);
		s->copy = word_is(s, "COPY");
	}
	if (word_is(s, "STDIN"))
		s->stdin_seen = 1;
	return 0;
}

static void add_word(struct dumpscan *s, unsigned char c)
{
	if (!s->in_word) {
		s->in_word = 1;
		s->word_len = 0;
	}
	if (s->word_len < sizeof(s->word))
		s->word[s->word_len] = (char)(c >= 'a' && c <= 'z' ?
		    c - 'a' + 'A' : c);
	/* A longer word matches none: its length says so. */
	s->word_len++;
}

static void start_stmt(struct dumpscan *s)
{
	s->in_stmt = 1;
	s->complete = 0;
	s->stmt_line = s->line;
	s->prefix_len = 0;
	s->parens = 0;
	s->words = 0;
	s->copy = s->stdin_seen = 0;
}

static int out(struct dumpscan *s, const void *data, size_t len,
    struct err *err)
{
	return len ? s->out(s->arg, data, len, err) : 0;
}

/* The statements held back until they are whole (dumpscan.h). */
static const char begin[] = "BEGIN;", commit[] = "COMMIT;",
    drop_schema[] = "DROP SCHEMA IF EXISTS ", create_schema[] =
    "CREATE SCHEMA ", create_if[] = "CREATE SCHEMA IF NOT EXISTS ";

static int is_lower(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

/* How s (n bytes) stands against a name as pg_dump writes one, then ';':
 * 0 it is not one, 1 it may begin one, 2 it is one.  pg_dump quotes
 * a name unless it is lower-case letters, digits and '_', not starting
 * with a digit. */
static int name_then_end(const char *s, size_t n)
{
	size_t i = 1;

	if (s[0] == '"') {
		/* Inside the quotes, "" is one '"'. */
		for (; i < n; i++) {
			if (s[i] != '"')
				continue;
			if (i + 1 == n)
				return 1;	/* the end, or a "" begun */
			if (s[i + 1] != '"')
				break;
			i++;
		}
		if (i >= n)
			return 1;
		if (i == 1)
			return 0;	/* "" names nothing */
		i++;
	} else if (!is_lower((unsigned char)s[0]))
		return 0;
	else
		while (i < n && (is_lower((unsigned char)s[i]) ||
		    (s[i] >= '0' && s[i] <= '9')))
			i++;
	if (i == n)
		return 1;
	return s[i] == ';' && i + 1 == n ? 2 : 0;
}

/* How the held bytes stand against the statements held back: 0 none
 * begins so, 1 one may, 2 one is whole. */
static int held_form(const char *h, size_t n)
{
	static const char *const whole[] = { begin, commit };
	static const char *const lead[] = { drop_schema, create_schema };
	size_t i, k;

	for (i = 0; i < 2; i++) {
		k = strlen(whole[i]);
		if (n <= k && !memcmp(h, whole[i], n))
			return n == k ? 2 : 1;
	}
	for (i = 0; i < 2; i++) {
		k = strlen(lead[i]);
		if (!memcmp(h, lead[i], n < k ? n : k))
			return n <= k ? 1 : name_then_end(h + k, n - k);
	}
	return 0;
}

/* Hold c back with the statement's first bytes: held_form's answer, or
 * -1 when no more fit (a name longer than PostgreSQL keeps one). */
static int hold(struct dumpscan *s, unsigned char c)
{
	int form;

	if (s->held_len == sizeof(s->held))
		return -1;
	s->held[s->held_len] = (char)c;
	if ((form = held_form(s->held, s->held_len + 1)))
		s->held_len++;
	return form;
}

static int held_is(const struct dumpscan *s, const char *what)
{
	size_t n = strlen(what);

	return s->held_len >= n && !memcmp(s->held, what, n);
}

/* A statement held whole: BEGIN dropped; COMMIT dropped after one with
 * only large objects' statements between, else passed on; a schema's
 * DROP dropped, its CREATE made IF NOT EXISTS. */
static int end_held(struct dumpscan *s, struct err *err)
{
	int lo = s->lo, ret;

	s->lo = held_is(s, begin);
	if (s->lo || held_is(s, drop_schema) || (held_is(s, commit) && lo))
		return 0;
	if (!held_is(s, create_schema))
		return out(s, s->held, s->held_len, err);
	if ((ret = out(s, create_if, sizeof(create_if) - 1, err)))
		return ret;
	return out(s, s->held + sizeof(create_schema) - 1, s->held_len -
	    (sizeof(create_schema) - 1), err);
}

/* The statement ends at its ';'. */
static int end_stmt(struct dumpscan *s, struct err *err)
{
	int ret = 0;

	if (s->holding) {
		s->holding = 0;
		ret = end_held(s, err);
		s->held_len = 0;
	} else if (s->lo && (s->prefix_len < sizeof(lo_prefix) - 1 ||
	    memcmp(s->prefix, lo_prefix, sizeof(lo_prefix) - 1)))
		s->lo = 0;
	if (s->copy && s->stdin_seen) {
		s->state = DS_COPY_START;
		s->open_line = s->line;
	}
	s->in_stmt = 0;
	return ret;
}

/* What the script ends inside, if anything, and where that began. */
static const char *inside(const struct dumpscan *s, unsigned long *line)
{
	*line = s->open_line;
	switch (s->state) {
	case DS_QUOTE: case DS_ESCAPE:
		return "a quoted string";
	case DS_NAME:
		return "a quoted name";
	case DS_DOLLAR_TAG: case DS_DOLLAR:
		return "a dollar-quoted body";
	case DS_BLOCK_COMMENT:
		return "a comment";
	case DS_COPY_START: case DS_COPY_BOL: case DS_COPY_LINE:
	case DS_COPY_BS: case DS_COPY_DOT: case DS_COPY_DOT_CR:
		return "COPY data";
	default:
		*line = s->stmt_line;
		return s->in_stmt ? "a statement" : NULL;
	}
}

/* A psql command, its name read: pg_dump's own, or refused. */
static int meta_check(const struct dumpscan *s, struct err *err)
{
	size_t n = s->meta_len < sizeof(s->meta) ? s->meta_len :
	    sizeof(s->meta);

	if (!s->in_stmt && ((s->meta_len == 8 &&
	    !memcmp(s->meta, "restrict", 8)) || (s->meta_len == 10 &&
	    !memcmp(s->meta, "unrestrict", 10))))
		return 0;
	return err_set(err, ERR_INPUT, "'%s' line %lu: psql command \\%.*s: "
	    "pg_dump writes none but \\restrict and \\unrestrict, and it "
	    "could end the transaction the restore runs in", s->path,
	    s->line, (int)n, s->meta);
}

int dumpscan_feed(struct dumpscan *s, const void *data, size_t len,
    struct err *err)
{
	const unsigned char *p = data;
	const unsigned char *nl;
	size_t i, from = 0;
	unsigned char c;
	int ret, ended, form;

	for (i = 0; i < len; i++) {
		c = p[i];
again:
		switch (s->state) {
		case DS_TOP:
			ended = s->in_word && !is_ident(c);
			if (ended && (ret = end_word(s, err)))
				return ret;
			if (s->holding) {
				if ((form = hold(s, c)) < 0)
					return err_set(err, ERR_INPUT, "'%s' "
					    "line %lu: a schema's name of over "
					    "%zu bytes: not a name pg_dump "
					    "writes", s->path, s->stmt_line,
					    sizeof(s->held) - sizeof(
					    drop_schema));
				if (form) {
					from = i + 1;
					if (is_letter(c))
						add_word(s, c);
					if (form == 2 &&
					    (ret = end_stmt(s, err)))
						return ret;
					break;
				}
				s->holding = 0;
				if ((ret = out(s, s->held, s->held_len, err)))
					return ret;
				s->held_len = 0;
			}
			if (is_ident(c) && (s->in_word || c != '$')) {
				if (!s->in_stmt) {
					start_stmt(s);
					if (c == 'B' || c == 'C' ||
					    c == 'D') {
						if ((ret = out(s, p + from,
						    i - from, err)))
							return ret;
						s->holding = 1;
						s->held[0] = (char)c;
						s->held_len = 1;
						from = i + 1;
					}
				}
				add_word(s, c);
				break;
			}
			if (is_space(c))
				break;
			if (c == '-' || c == '/') {
				s->state = c == '-' ? DS_DASH : DS_SLASH;
				s->dash_bol = s->bol;
				break;
			}
			if (c == '\\') {
				s->state = DS_META;
				s->meta_len = 0;
				break;
			}
			if (c == ';' && s->in_stmt && !s->parens) {
				if ((ret = end_stmt(s, err)))
					return ret;
				break;
			}
			if (!s->in_stmt)
				start_stmt(s);
			if (c == '(')
				s->parens++;
			else if (c == ')' && s->parens)
				s->parens--;
			else if (c == '\'') {
				/* A word "E" right before it: E'...' */
				s->estring = ended && word_is(s, "E");
				s->state = DS_QUOTE;
			} else if (c == '"')
				s->state = DS_NAME;
			else if (c == '$') {
				s->tag_len = 0;
				s->state = DS_DOLLAR_TAG;
			}
			s->open_line = s->line;
			break;
		case DS_DASH:
		case DS_SLASH:
			if (c == (s->state == DS_DASH ? '-' : '*')) {
				s->state = c == '-' ? DS_LINE_COMMENT :
				    DS_BLOCK_COMMENT;
				s->depth = 1;
				s->prev = 0;
				s->open_line = s->line;
				s->marker = s->dash_bol && !s->in_stmt ? 0 : -1;
				break;
			}
			/* An operator, not a comment. */
			if (!s->in_stmt)
				start_stmt(s);
			s->state = DS_TOP;
			goto again;
		case DS_LINE_COMMENT:
			if (c == '\n') {
				if (s->marker == COMPLETE_LEN)
					s->complete = 1;
				s->state = DS_TOP;
			} else if (s->marker >= 0)
				s->marker = s->marker < COMPLETE_LEN &&
				    c == (unsigned char)complete[s->marker] ?
				    s->marker + 1 : -1;
			break;
		case DS_BLOCK_COMMENT:
			if (s->prev == '/' && c == '*') {
				s->depth++;
				s->prev = 0;
			} else if (s->prev == '*' && c == '/') {
				s->prev = 0;
				if (!--s->depth)
					s->state = DS_TOP;
			} else
				s->prev = c;
			break;
		case DS_QUOTE:
			if (c == '\'')
				s->state = DS_QUOTE_END;
			else if (c == '\\' && s->estring)
				s->state = DS_ESCAPE;
			break;
		case DS_ESCAPE:
			s->state = DS_QUOTE;
			break;
		case DS_QUOTE_END:
		case DS_NAME_END:
			if (c == (s->state == DS_QUOTE_END ? '\'' : '"')) {
				s->state = s->state == DS_QUOTE_END ?
				    DS_QUOTE : DS_NAME;
				break;
			}
			s->state = DS_TOP;
			goto again;
		case DS_NAME:
			if (c == '"')
				s->state = DS_NAME_END;
			break;
		case DS_DOLLAR_TAG:
			if (c == '$') {
				s->match = 0;
				s->state = DS_DOLLAR;
			} else if (s->tag_len ? is_ident(c) : is_letter(c)) {
				if (s->tag_len == sizeof(s->tag))
					return err_set(err, ERR_INPUT, "'%s' "
					    "line %lu: a dollar-quote tag of "
					    "over %zu bytes", s->path, s->line,
					    sizeof(s->tag));
				s->tag[s->tag_len++] = (char)c;
			} else {
				/* $1, or $ inside a word: no quote. */
				s->state = DS_TOP;
				goto again;
			}
			break;
		case DS_DOLLAR:
			/* The closing $tag$; its only '$'s are its ends. */
			if (c == (s->match == 0 || s->match == s->tag_len + 1 ?
			    '$' : (unsigned char)s->tag[s->match - 1])) {
				if (++s->match == s->tag_len + 2)
					s->state = DS_TOP;
			} else
				s->match = c == '$';
			break;
		case DS_META:
			if (is_letter(c) && c != '_' && c < 0x80) {
				if (s->meta_len < sizeof(s->meta))
					s->meta[s->meta_len] = (char)c;
				s->meta_len++;
				break;
			}
			if ((ret = meta_check(s, err)))
				return ret;
			s->state = DS_META_ARGS;
			goto again;
		case DS_META_ARGS:
			if (c == '\n')
				s->state = DS_TOP;
			break;
		case DS_COPY_START:
			if (c == '\n')
				s->state = DS_COPY_BOL;
			break;
		case DS_COPY_BOL:
			if (c == '\\') {
				s->state = DS_COPY_BS;
				break;
			}
			s->state = DS_COPY_LINE;
			/* fall through */
		case DS_COPY_LINE:
			/* Rows are most of a dump: skip to the line's end. */
			nl = memchr(p + i, '\n', len - i);
			if (!nl) {
				i = len - 1;
				break;
			}
			i = (size_t)(nl - p);
			c = '\n';
			s->state = DS_COPY_BOL;
			break;
		case DS_COPY_BS:
			s->state = c == '.' ? DS_COPY_DOT : DS_COPY_LINE;
			if (c == '\n')
				s->state = DS_COPY_BOL;
			break;
		case DS_COPY_DOT:
		case DS_COPY_DOT_CR:
			if (c == '\n')
				s->state = DS_TOP;
			else if (c == '\r' && s->state == DS_COPY_DOT)
				s->state = DS_COPY_DOT_CR;
			else
				s->state = DS_COPY_LINE;
			break;
		}
		if (s->in_stmt && s->prefix_len < sizeof(s->prefix))
			s->prefix[s->prefix_len++] = (char)c;
		if (c == '\n')
			s->line++;
		s->bol = c == '\n';
	}
	return out(s, p + from, len - from, err);
}

int dumpscan_end(struct dumpscan *s, struct err *err)
{
	const char *what;
	unsigned long line;
	int ret;

	/* A last '-' or '/' is no comment: a statement, if none was open. */
	if ((s->state == DS_DASH || s->state == DS_SLASH) && !s->in_stmt)
		start_stmt(s);
	if (s->state == DS_TOP && s->in_word && (ret = end_word(s, err)))
		return ret;
	if (s->state == DS_META) {
		if ((ret = meta_check(s, err)))
			return ret;
		s->state = DS_META_ARGS;
	}
	if ((what = inside(s, &line)))
		return err_set(err, ERR_INPUT, "'%s' ends inside %s begun at "
		    "line %lu: not a whole pg_dump script", s->path, what,
		    line);
	if (s->state == DS_LINE_COMMENT && s->marker == COMPLETE_LEN)
		s->complete = 1;
	if (!s->complete)
		return err_set(err, ERR_INPUT, "'%s' does not end with "
		    "pg_dump's line \"--%s\": not a whole pg_dump script (a "
		    "dump cut short, then compressed?)", s->path, complete);
	return 0;
}
