/* Splitting a PostgreSQL script into statements as psql does; the rules are
 * in split.h, the flex rules they come from in psqlscan.l. */
#include <string.h>
#include <strings.h>

#include "split.h"

enum tok {
	TOK_SPACE,	/* whitespace or a comment */
	TOK_GOOSE,	/* a "-- +goose StatementBegin" line */
	TOK_IDENT,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_SEMI,
	TOK_OTHER,	/* anything else, quoted text included */
};

void split_init(struct splitter *sp, const char *text, size_t len)
{
	memset(sp, 0, sizeof(*sp));
	sp->text = text;
	sp->len = sp->limit = len;
	sp->line = 1;
}

void split_init_sqlite(struct splitter *sp, const char *text, size_t len)
{
	split_init(sp, text, len);
	sp->sqlite = 1;
	sp->trigger = 1;
}

/* The byte at i, or -1 past the end of the text (or of the goose block). */
static int at(const struct splitter *sp, size_t i)
{
	return i < sp->limit ? (unsigned char)sp->text[i] : -1;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* {ident_start}: also the start of a dollar quote's tag */
static int ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

/* {dolq_cont}, and psql's {variable_char} */
static int tag_cont(int c)
{
	return ident_start(c) || is_digit(c);
}

/* {ident_cont} */
static int ident_cont(int c)
{
	return tag_cont(c) || c == '$';
}

static size_t skip_ident(const struct splitter *sp, size_t i)
{
	while (ident_cont(at(sp, i)))
		i++;
	return i;
}

/* Past a string or quoted identifier whose opening quote q is before i;
 * doubling q quotes it, and so does a backslash when backslash is set. */
static size_t skip_quoted(const struct splitter *sp, size_t i, int q,
    int backslash)
{
	int c;

	while ((c = at(sp, i)) >= 0) {
		if (c == '\\' && backslash)
			i += at(sp, i + 1) >= 0 ? 2 : 1;
		else if (c != q)
			i++;
		else if (at(sp, i + 1) == q)
			i += 2;
		else
			return i + 1;
	}
	return sp->limit;
}

/* Past the comment opening at i; they nest.  *open is set when it is not
 * closed. */
static size_t skip_comment(const struct splitter *sp, size_t i, int *open)
{
	size_t depth = 0;
	int c;

	for (i += 2; (c = at(sp, i)) >= 0; i++) {
		if (c == '/' && at(sp, i + 1) == '*') {
			depth++;
			i++;
		} else if (c == '*' && at(sp, i + 1) == '/') {
			i++;
			if (!depth)
				return i + 1;
			depth--;
		}
	}
	*open = 1;
	return sp->limit;
}

/* At a '$': $1 (with any identifier glued to it), a dollar-quoted string
 * through its closing delimiter, or the '$' alone (a "$tag" that is no
 * delimiter leaves "tag" to be read as an identifier, as psql does). */
static size_t skip_dollar(const struct splitter *sp, size_t i)
{
	size_t t = i + 1, d, k, j;

	if (is_digit(at(sp, t))) {
		while (is_digit(at(sp, t)))
			t++;
		return ident_start(at(sp, t)) ? skip_ident(sp, t) : t;
	}
	if (ident_start(at(sp, t)))
		while (tag_cont(at(sp, t)))
			t++;
	if (at(sp, t) != '$')
		return i + 1;
	d = t + 1 - i;
	/* The tag holds no '$', so a try stops by the next '$': O(n). */
	for (k = t + 1; k < sp->limit && sp->limit - k >= d; k++) {
		if (sp->text[k] != '$')
			continue;
		for (j = 1; j < d && sp->text[k + j] == sp->text[i + j]; j++)
			;
		if (j == d)
			return k + d;
	}
	return sp->limit;
}

/* {decinteger}: a digit at i, then digits, each maybe after one '_'
 * (*us set then). */
static size_t skip_decint(const struct splitter *sp, size_t i, int *us)
{
	for (i++;;) {
		if (is_digit(at(sp, i))) {
			i++;
		} else if (at(sp, i) == '_' && is_digit(at(sp, i + 1))) {
			*us = 1;
			i += 2;
		} else {
			return i;
		}
	}
}

static size_t max(size_t a, size_t b)
{
	return a > b ? a : b;
}

/*
 * A number at i (a digit, or '.' and a digit), as long as flex's longest
 * match over psql's number rules takes it: {decinteger} 1 or 1_000,
 * {numeric} 1.5 or .5, {real} 1e5 or 1.5e-3, {realfail} "1e+" (so in
 * "1e--x" no comment starts), and the "junk" rules, a number with an
 * identifier glued on: {integer_junk} is {decinteger}{identifier}, so
 * "1e5$$" is one token, longer than the {real} 1e5.  The identifier may
 * start at any '_' in the digits, or after them.  {numericfail} "1..5"
 * leaves "..".  0x1F and the like are junk-shaped, as long.
 */
static size_t skip_number(const struct splitter *sp, size_t i)
{
	size_t best, d, n, r, e;
	int us = 0, us2 = 0, us3 = 0;

	if (at(sp, i) == '.') {
		d = i;
		n = skip_decint(sp, i + 1, &us2);
	} else {
		d = n = skip_decint(sp, i, &us);
		if (at(sp, d) == '.') {
			if (at(sp, d + 1) == '.')
				return d;
			n = d + 1;
			if (is_digit(at(sp, n)))
				n = skip_decint(sp, n, &us2);
		}
	}
	best = n;
	/* {integer_junk} */
	if (d > i && (us || ident_start(at(sp, d))))
		best = max(best, skip_ident(sp, i));
	/* {numeric_junk}: the identifier right after the '.', or in or
	 * after the digits that follow it */
	if (n > d && (ident_start(at(sp, d + 1)) || (n > d + 1 &&
	    (us2 || ident_start(at(sp, n))))))
		best = max(best, skip_ident(sp, d + 1));
	if (at(sp, n) != 'e' && at(sp, n) != 'E')
		return best;
	r = n + 1;
	if (at(sp, r) == '+' || at(sp, r) == '-')
		r++;
	if (!is_digit(at(sp, r)))
		return r > n + 1 ? max(best, r) : best;	/* {realfail} */
	e = skip_decint(sp, r, &us3);
	best = max(best, e);
	/* {real_junk} */
	if (us3 || ident_start(at(sp, e)))
		best = max(best, skip_ident(sp, r));
	return best;
}

/* At a ':': "::", or psql's variable references :name, :'name', :"name"
 * and :{?name}, each one token (nothing is substituted). */
static size_t skip_colon(const struct splitter *sp, size_t i)
{
	int c = at(sp, i + 1), close = c;
	size_t j;

	if (c == ':')
		return i + 2;
	if (tag_cont(c)) {
		for (j = i + 1; tag_cont(at(sp, j)); j++)
			;
		return j;
	}
	if (c == '{') {
		if (at(sp, i + 2) != '?')
			return i + 1;
		j = i + 3;
		close = '}';
	} else if (c == '\'' || c == '"') {
		j = i + 2;
	} else {
		return i + 1;
	}
	if (!tag_cont(at(sp, j)))
		return i + 1;
	while (tag_cont(at(sp, j)))
		j++;
	return at(sp, j) == close ? j + 1 : i + 1;
}

/* Whether s[i, e) is "--" then "+goose" and word, in any case, with blanks
 * around the words and only whitespace after. */
static int goose_marker(const char *s, size_t i, size_t e, const char *word)
{
	size_t n = strlen(word);

	for (i += 2; i < e && is_blank(s[i]); i++)
		;
	if (e - i < 6 || strncasecmp(s + i, "+goose", 6))
		return 0;
	i += 6;
	if (i == e || !is_blank(s[i]))
		return 0;
	while (i < e && is_blank(s[i]))
		i++;
	if (e - i < n || strncasecmp(s + i, word, n))
		return 0;
	for (i += n; i < e && is_space((unsigned char)s[i]); i++)
		;
	return i == e;
}

/* Whether the "--" at i is a StatementBegin line; *e is its end. */
static int goose_begin(const struct splitter *sp, size_t i, size_t *e)
{
	const char *s = sp->text, *nl;
	size_t b = i;

	if (sp->in_block)
		return 0;
	while (b > 0 && is_blank(s[b - 1]))
		b--;
	if (b > 0 && s[b - 1] != '\n')
		return 0;
	nl = memchr(s + i, '\n', sp->len - i);
	*e = nl ? (size_t)(nl - s) : sp->len;
	return goose_marker(s, i, *e, "statementbegin");
}

/* Enter the goose block after the StatementBegin line ending at e: it runs
 * to the next StatementEnd line, or to the end of the text. */
static void enter_block(struct splitter *sp, size_t e)
{
	const char *s = sp->text, *nl;
	size_t l, le, j;

	sp->in_block = 1;
	sp->pos = l = e < sp->len ? e + 1 : e;
	sp->limit = sp->resume = sp->len;
	while (l < sp->len) {
		nl = memchr(s + l, '\n', sp->len - l);
		le = nl ? (size_t)(nl - s) : sp->len;
		for (j = l; j < le && is_blank(s[j]); j++)
			;
		if (le - j >= 2 && s[j] == '-' && s[j + 1] == '-' &&
		    goose_marker(s, j, le, "statementend")) {
			sp->limit = l;
			sp->resume = nl ? le + 1 : le;
			return;
		}
		l = nl ? le + 1 : le;
	}
}

/* SQLite's tokens, as sqlite3_complete tells them (src/complete.c);
 * comments, like whitespace, do not count.  It has no escapes in quotes,
 * no dollar quotes, and its comments do not nest. */
static size_t scan_sqlite(const struct splitter *sp, size_t i, enum tok *kind)
{
	int c = at(sp, i);
	const char *close;

	*kind = TOK_OTHER;
	if (c == '/' && at(sp, i + 1) == '*') {
		for (i += 2; i + 1 < sp->limit; i++)
			if (sp->text[i] == '*' && sp->text[i + 1] == '/') {
				*kind = TOK_SPACE;
				return i + 2;
			}
		return sp->limit;	/* sent, for SQLite to reject */
	}
	if (c == '\'' || c == '"' || c == '`')
		return skip_quoted(sp, i + 1, c, 0);
	if (c == '[') {
		close = memchr(sp->text + i, ']', sp->limit - i);
		return close ? (size_t)(close - sp->text) + 1 : sp->limit;
	}
	if (ident_start(c) || is_digit(c)) {
		*kind = is_digit(c) ? TOK_OTHER : TOK_IDENT;
		return skip_ident(sp, i + 1);
	}
	if (c == '(')
		*kind = TOK_LPAREN;
	else if (c == ')')
		*kind = TOK_RPAREN;
	else if (c == ';')
		*kind = TOK_SEMI;
	return i + 1;
}

/* The token at i (sp->pos < sp->limit): its kind and its end. */
static size_t scan_token(const struct splitter *sp, size_t i, enum tok *kind)
{
	int c = at(sp, i), c1 = at(sp, i + 1), c2, open = 0;
	size_t e;

	*kind = TOK_OTHER;
	if (is_space(c)) {
		while (is_space(at(sp, ++i)))
			;
		*kind = TOK_SPACE;
		return i;
	}
	if (c == '-' && c1 == '-') {
		if (goose_begin(sp, i, &e)) {
			*kind = TOK_GOOSE;
			return e;
		}
		for (i += 2; (c = at(sp, i)) >= 0 && c != '\n' && c != '\r';
		    i++)
			;
		*kind = TOK_SPACE;
		return i;
	}
	if (sp->sqlite)
		return scan_sqlite(sp, i, kind);
	if (c == '/' && c1 == '*') {
		e = skip_comment(sp, i, &open);
		/* an open comment is sent, for the server to reject */
		*kind = open ? TOK_OTHER : TOK_SPACE;
		return e;
	}
	if (c == '\'' || c == '"')
		return skip_quoted(sp, i + 1, c, 0);
	if (ident_start(c)) {
		switch (c1 == '\'' ? c : 0) {
		case 'b': case 'B': case 'x': case 'X':
			return skip_quoted(sp, i + 2, '\'', 0);
		case 'e': case 'E':
			return skip_quoted(sp, i + 2, '\'', 1);
		case 'n': case 'N':
			return i + 1;	/* the N alone, then the string */
		}
		if ((c == 'u' || c == 'U') && c1 == '&') {
			c2 = at(sp, i + 2);
			if (c2 == '\'' || c2 == '"')
				return skip_quoted(sp, i + 3, c2, 0);
			return i + 1;	/* {xufailed}: no identifier */
		}
		*kind = TOK_IDENT;
		return skip_ident(sp, i + 1);
	}
	if (is_digit(c) || (c == '.' && is_digit(c1)))
		return skip_number(sp, i);
	if (c == '.' && c1 == '.')
		return i + 2;
	if (c == '$')
		return skip_dollar(sp, i);
	if (c == ':')
		return skip_colon(sp, i);
	if (c == '(')
		*kind = TOK_LPAREN;
	else if (c == ')')
		*kind = TOK_RPAREN;
	else if (c == ';')
		*kind = TOK_SEMI;
	return i + 1;
}

static int word_is(const char *w, size_t n, const char *word)
{
	return n == strlen(word) && !strncasecmp(w, word, n);
}

/*
 * psql's {identifier} rule: note the initials of the first four
 * identifiers that are CREATE, OR, REPLACE, FUNCTION or PROCEDURE; once
 * they read CREATE [OR REPLACE] FUNCTION|PROCEDURE, count BEGIN, CASE
 * inside a BEGIN, and END, outside parentheses.
 */
static void identifier(struct splitter *sp, const char *w, size_t n)
{
	static const char *const words[] = {
		"create", "function", "procedure", "or", "replace",
	};
	const char *id = sp->idents;
	size_t k;

	if (!sp->ident_count)
		memset(sp->idents, 0, sizeof(sp->idents));
	if (sp->ident_count < sizeof(sp->idents)) {
		for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			if (word_is(w, n, words[k]))
				sp->idents[sp->ident_count] = words[k][0];
		sp->ident_count++;
	}
	if (id[0] != 'c' || sp->paren_depth || !(id[1] == 'f' ||
	    id[1] == 'p' || (id[1] == 'o' && id[2] == 'r' &&
	    (id[3] == 'f' || id[3] == 'p'))))
		return;
	if (word_is(w, n, "begin"))
		sp->begin_depth++;
	else if (word_is(w, n, "case") && sp->begin_depth)
		sp->begin_depth++;
	else if (word_is(w, n, "end") && sp->begin_depth)
		sp->begin_depth--;
}

/*
 * sqlite3_complete's state machine: a ';' ends a statement when it leads
 * back to START, which in a trigger's body takes "; END ;".  One change:
 * the body starts at the trigger's BEGIN (HEAD before it ends at a ';'),
 * so a trigger without one, PostgreSQL's, does not run on to an END.
 */
enum { SQ_SEMI, SQ_OTHER, SQ_EXPLAIN, SQ_CREATE, SQ_TEMP, SQ_TRIGGER, SQ_END,
    SQ_BEGIN };
#define SQ_START 1

static const unsigned char sq_next[9][8] = {
	/*             SEMI OTHER EXPLAIN CREATE TEMP TRIGGER END BEGIN */
	/* INVALID */ { 1,   2,    3,      4,     2,   2,      2,  2 },
	/* START   */ { 1,   2,    3,      4,     2,   2,      2,  2 },
	/* NORMAL  */ { 1,   2,    2,      2,     2,   2,      2,  2 },
	/* EXPLAIN */ { 1,   3,    2,      4,     2,   2,      2,  3 },
	/* CREATE  */ { 1,   2,    2,      2,     4,   8,      2,  2 },
	/* BODY    */ { 6,   5,    5,      5,     5,   5,      5,  5 },
	/* SEMI    */ { 6,   5,    5,      5,     5,   5,      7,  5 },
	/* END     */ { 1,   5,    5,      5,     5,   5,      5,  5 },
	/* HEAD    */ { 1,   8,    8,      8,     8,   8,      8,  5 },
};

static int sq_word(const char *w, size_t n)
{
	return word_is(w, n, "explain") ? SQ_EXPLAIN :
	    word_is(w, n, "create") ? SQ_CREATE :
	    word_is(w, n, "temp") || word_is(w, n, "temporary") ? SQ_TEMP :
	    word_is(w, n, "trigger") ? SQ_TRIGGER :
	    word_is(w, n, "end") ? SQ_END :
	    word_is(w, n, "begin") ? SQ_BEGIN : SQ_OTHER;
}

/* Whether a ';' here ends the statement. */
static int semi_ends(struct splitter *sp)
{
	if (!sp->sqlite)
		return !sp->paren_depth && !sp->begin_depth;
	sp->trigger = sq_next[sp->trigger][SQ_SEMI];
	return sp->trigger == SQ_START;
}

/* Hand out the statement collected and start afresh. */
static int emit(struct splitter *sp, struct stmt *st)
{
	for (; sp->line_off < sp->start; sp->line_off++)
		if (sp->text[sp->line_off] == '\n')
			sp->line++;
	st->off = sp->start;
	st->len = sp->end - sp->start;
	st->line = sp->line;
	st->block = sp->in_block;
	sp->started = 0;
	sp->paren_depth = sp->begin_depth = 0;
	sp->ident_count = 0;
	sp->trigger = SQ_START;
	return 1;
}

int split_next(struct splitter *sp, struct stmt *st)
{
	enum tok kind;
	size_t e;
	int in_block;

	for (;;) {
		if (sp->pos >= sp->limit) {
			in_block = sp->in_block;
			if (in_block) {
				sp->in_block = 0;
				sp->pos = sp->resume;
				sp->limit = sp->len;
			}
			if (sp->started) {
				emit(sp, st);
				st->block = in_block;
				return 1;
			}
			if (!in_block)
				return 0;
			sp->paren_depth = sp->begin_depth = 0;
			sp->ident_count = 0;
			sp->trigger = SQ_START;
			continue;
		}
		e = scan_token(sp, sp->pos, &kind);
		if (kind == TOK_GOOSE) {
			enter_block(sp, e);
			continue;
		}
		if (kind == TOK_SEMI && !sp->in_block && semi_ends(sp)) {
			sp->pos = e;
			if (!sp->started)
				continue;	/* nothing to send */
			sp->end = e;
			return emit(sp, st);
		}
		if (kind != TOK_SPACE) {
			if (!sp->started)
				sp->start = sp->pos;
			sp->started = 1;
			sp->end = e;
		}
		if (sp->sqlite && kind != TOK_SPACE && kind != TOK_SEMI)
			sp->trigger = sq_next[sp->trigger][kind == TOK_IDENT ?
			    sq_word(sp->text + sp->pos, e - sp->pos) :
			    SQ_OTHER];
		if (kind == TOK_IDENT && !sp->sqlite)
			identifier(sp, sp->text + sp->pos, e - sp->pos);
		else if (kind == TOK_LPAREN)
			sp->paren_depth++;
		else if (kind == TOK_RPAREN && sp->paren_depth)
			sp->paren_depth--;
		sp->pos = e;
	}
}

/* Add the n bytes at w to the head, after a space; 0 when full. */
static int head_add(char *out, size_t *len, size_t cap, const char *w,
    size_t n)
{
	size_t sep = *len > 0, i;

	if (*len + sep + n >= cap)
		return 0;
	if (sep)
		out[(*len)++] = ' ';
	for (i = 0; i < n; i++)
		out[(*len)++] = w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i];
	out[*len] = '\0';
	return 1;
}

char *split_head(const struct splitter *conf, const struct stmt *st, char *out,
    size_t cap)
{
	struct splitter sp = *conf;
	size_t i = st->off, e, len = 0, depth = 0;
	enum tok kind;
	int room = cap > 0;

	if (room)
		out[0] = '\0';
	sp.limit = st->off + st->len;
	sp.in_block = 1;	/* no goose markers inside a statement */
	for (; room && i < sp.limit; i = e) {
		e = scan_token(&sp, i, &kind);
		if (kind == TOK_LPAREN && !depth++)
			room = head_add(out, &len, cap, "()", 2);
		else if (kind == TOK_RPAREN && depth)
			depth--;
		else if (kind != TOK_SPACE && !depth)
			room = head_add(out, &len, cap, sp.text + i,
			    kind == TOK_IDENT ? e - i : 1);
	}
	return out;
}

unsigned split_position_line(const char *text, const struct stmt *st,
    long position)
{
	const char *s = text + st->off;
	unsigned line = st->line;
	long chars = 0;
	size_t i;

	if (position <= 0)
		return st->line;
	for (i = 0; i < st->len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars == position)
			return line;
		if (s[i] == '\n')
			line++;
	}
	return chars + 1 == position ? line : st->line;
}
