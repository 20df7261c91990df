/* migrun review: the page (review.h), in text, Markdown or HTML. */
#include <ctype.h>
#include <stdarg.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "db.h"
#include "release.h"
#include "review.h"
#include "runner.h"
#include "version.h"
#include "xalloc.h"

#define FOLD_LINES 100		/* a longer script folds (HTML) */
#define TEXT_WIDTH 80

enum review_format review_format_of(const char *path)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
		return REVIEW_HTML;
	if (dot && !strcmp(dot, ".md"))
		return REVIEW_MD;
	return REVIEW_TEXT;
}

/* The page being written: b is flushed to out as it fills. */
struct page {
	enum review_format fmt;
	struct ofile *out;
	struct buf b;
	struct err *err;
	int failed;
};

static void flush(struct page *pg)
{
	if (!pg->failed && ofile_write(pg->out, pg->b.data, pg->b.len,
	    pg->err))
		pg->failed = 1;
	buf_reset(&pg->b);
}

static void maybe_flush(struct page *pg)
{
	if (pg->b.len >= 1 << 16)
		flush(pg);
}

/* n bytes of s, escaped for the format: HTML's five, Markdown's inline
 * marks (and HTML's < and &, which viewers render); text as it is. */
static void esc(struct page *pg, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (pg->fmt == REVIEW_HTML) {
			switch (c) {
			case '&': buf_addstr(&pg->b, "&amp;"); continue;
			case '<': buf_addstr(&pg->b, "&lt;"); continue;
			case '>': buf_addstr(&pg->b, "&gt;"); continue;
			case '"': buf_addstr(&pg->b, "&quot;"); continue;
			case '\'': buf_addstr(&pg->b, "&#39;"); continue;
			}
		} else if (pg->fmt == REVIEW_MD) {
			if (c == '&') {
				buf_addstr(&pg->b, "&amp;");
				continue;
			}
			if (c == '<') {
				buf_addstr(&pg->b, "&lt;");
				continue;
			}
			if (strchr("\\`*_[]|#>!{}~", c))
				buf_addch(&pg->b, '\\');
		}
		buf_addch(&pg->b, c);
	}
}

static void escs(struct page *pg, const char *s)
{
	esc(pg, s, strlen(s));
}

/* Prose: text wraps at 80 columns, its lines after the first indented by
 * indent; the first starts at column col (0: indented too). */
static void prose(struct page *pg, const char *s, int indent, size_t col)
{
	size_t n;
	int fresh = 1;		/* no word on this line yet */

	if (pg->fmt != REVIEW_TEXT) {
		escs(pg, s);
		return;
	}
	if (!col) {
		buf_addf(&pg->b, "%*s", indent, "");
		col = (size_t)indent;
	}
	for (s += strspn(s, " "); *s; s += strspn(s, " ")) {
		n = strcspn(s, " \n");
		if (!fresh && col + 1 + n > TEXT_WIDTH) {
			buf_addf(&pg->b, "\n%*s", indent, "");
			col = (size_t)indent;
			fresh = 1;
		}
		if (!fresh) {
			buf_addch(&pg->b, ' ');
			col++;
		}
		buf_add(&pg->b, s, n);
		col += n;
		fresh = 0;
		s += n;
		if (*s == '\n') {
			buf_addf(&pg->b, "\n%*s", indent, "");
			col = (size_t)indent;
			fresh = 1;
			s++;
		}
	}
}

static void heading(struct page *pg, int level, const char *id,
    const char *text)
{
	size_t i, n = strlen(text);

	switch (pg->fmt) {
	case REVIEW_HTML:
		buf_addf(&pg->b, "<h%d%s%s%s>", level, id ? " id=\"" : "",
		    id ? id : "", id ? "\"" : "");
		escs(pg, text);
		buf_addf(&pg->b, "</h%d>\n", level);
		break;
	case REVIEW_MD:
		for (i = 0; i < (size_t)level; i++)
			buf_addch(&pg->b, '#');
		buf_addch(&pg->b, ' ');
		escs(pg, text);
		buf_addstr(&pg->b, "\n\n");
		break;
	case REVIEW_TEXT:
		buf_addf(&pg->b, "%s\n", text);
		for (i = 0; i < n && level < 4; i++)
			buf_addch(&pg->b, level == 1 ? '=' : '-');
		buf_addstr(&pg->b, level < 4 ? "\n\n" : "\n");
		break;
	}
}

/* A two-column table of fields: kv_begin, kv rows, kv_end. */
static void kv_begin(struct page *pg)
{
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "<table class=\"kv\">\n<tbody>\n");
	else if (pg->fmt == REVIEW_MD)
		buf_addstr(&pg->b, "| | |\n|---|---|\n");
}

static void kv(struct page *pg, const char *key, const char *fmt, ...)
	ATTR_PRINTF(3, 4);
static void kv(struct page *pg, const char *key, const char *fmt, ...)
{
	char value[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	switch (pg->fmt) {
	case REVIEW_HTML:
		buf_addstr(&pg->b, "<tr><th scope=\"row\">");
		escs(pg, key);
		buf_addstr(&pg->b, "</th><td>");
		escs(pg, value);
		buf_addstr(&pg->b, "</td></tr>\n");
		break;
	case REVIEW_MD:
		buf_addstr(&pg->b, "| ");
		escs(pg, key);
		buf_addstr(&pg->b, " | ");
		escs(pg, value);
		buf_addstr(&pg->b, " |\n");
		break;
	case REVIEW_TEXT:
		buf_addf(&pg->b, "  %-24s ", key);
		prose(pg, value, 27, 27);
		buf_addch(&pg->b, '\n');
		break;
	}
}

static void kv_end(struct page *pg)
{
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "</tbody>\n</table>\n");
	else
		buf_addch(&pg->b, '\n');
}

static void para(struct page *pg, const char *cls, const char *text)
{
	if (pg->fmt == REVIEW_HTML) {
		buf_addf(&pg->b, "<p%s%s%s>", cls ? " class=\"" : "",
		    cls ? cls : "", cls ? "\"" : "");
		escs(pg, text);
		buf_addstr(&pg->b, "</p>\n");
		return;
	}
	prose(pg, text, 2, 0);
	buf_addstr(&pg->b, "\n\n");
}

/* Preformatted lines (commands, a refusal's text): nothing highlighted. */
static void pre(struct page *pg, const char *text)
{
	const char *p = text, *nl;

	if (pg->fmt == REVIEW_HTML) {
		buf_addstr(&pg->b, "<pre>");
		escs(pg, text);
		buf_addstr(&pg->b, "</pre>\n");
		return;
	}
	if (pg->fmt == REVIEW_MD)
		buf_addstr(&pg->b, "```sh\n");
	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		buf_addf(&pg->b, "%s%.*s\n", pg->fmt == REVIEW_TEXT ? "    " :
		    "", (int)(nl - p), p);
	}
	buf_addstr(&pg->b, pg->fmt == REVIEW_MD ? "```\n\n" : "\n");
}

/* --- SQL, highlighted (HTML) and with line numbers */

static const char *const keywords[] = {
	"add", "alter", "and", "as", "begin", "by", "cascade", "check",
	"column", "commit", "concurrently", "constraint", "create", "default",
	"delete", "distinct", "drop", "else", "end", "exists", "foreign",
	"from", "function", "grant", "group", "if", "in", "index", "insert",
	"into", "is", "join", "key", "left", "not", "null", "on", "or",
	"order", "primary", "references", "rename", "replace", "returns",
	"revoke", "rollback", "schema", "select", "sequence", "set", "table",
	"then", "to", "transaction", "trigger", "truncate", "type", "union",
	"unique", "update", "using", "values", "view", "when", "where",
	"with",
};

static int is_keyword(const char *w, size_t n)
{
	size_t lo = 0, hi = sizeof(keywords) / sizeof(keywords[0]), mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		c = strncasecmp(w, keywords[mid], n);
		if (!c)
			c = keywords[mid][n] ? -1 : 0;
		if (!c)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

/* Where a script's lexer is at a line's end: inside a comment, a string,
 * a quoted name or a dollar-quoted body (its tag), or nowhere. */
struct lex {
	char in;		/* 0, '*' comment, '\'', '"', '$' */
	char tag[64];		/* the dollar quote's "$tag$" */
};

static void span(struct page *pg, const char *cls, const char *s, size_t n)
{
	if (!n)
		return;
	buf_addf(&pg->b, "<span class=\"%s\">", cls);
	esc(pg, s, n);
	buf_addstr(&pg->b, "</span>");
}

/* One line of SQL (n bytes), highlighted; spans never cross lines. */
static void sql_line(struct page *pg, struct lex *lx, const char *s,
    size_t n)
{
	size_t i = 0, j;
	const char *end;

	while (i < n) {
		if (lx->in == '*') {
			end = memmem(s + i, n - i, "*/", 2);
			j = end ? (size_t)(end - s) + 2 : n;
			span(pg, "c", s + i, j - i);
			if (end)
				lx->in = 0;
			i = j;
		} else if (lx->in == '\'' || lx->in == '"') {
			for (j = i; j < n; j++)
				if (s[j] == lx->in) {
					if (j + 1 < n && s[j + 1] == lx->in)
						j++;
					else
						break;
				}
			span(pg, "s", s + i, j < n ? j + 1 - i : n - i);
			if (j < n)
				lx->in = 0;
			i = j < n ? j + 1 : n;
		} else if (lx->in == '$') {
			end = memmem(s + i, n - i, lx->tag, strlen(lx->tag));
			j = end ? (size_t)(end - s) + strlen(lx->tag) : n;
			span(pg, "s", s + i, j - i);
			if (end)
				lx->in = 0;
			i = j;
		} else if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
			span(pg, "c", s + i, n - i);
			i = n;
		} else if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
			lx->in = '*';
			span(pg, "c", s + i, 2);
			i += 2;
		} else if (s[i] == '\'' || s[i] == '"') {
			lx->in = s[i];
			span(pg, "s", s + i, 1);
			i++;
		} else if (s[i] == '$' && (j = strspn(s + i + 1,
		    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
		    "0123456789")) + 1 < n - i && s[i + 1 + j] == '$' &&
		    j + 3 < sizeof(lx->tag) && !(j && isdigit((unsigned char)
		    s[i + 1]))) {
			memcpy(lx->tag, s + i, j + 2);
			lx->tag[j + 2] = '\0';
			lx->in = '$';
			span(pg, "s", s + i, j + 2);
			i += j + 2;
		} else if (isalpha((unsigned char)s[i]) || s[i] == '_') {
			for (j = i; j < n && (isalnum((unsigned char)s[j]) ||
			    s[j] == '_'); j++)
				;
			if (is_keyword(s + i, j - i))
				span(pg, "k", s + i, j - i);
			else
				esc(pg, s + i, j - i);
			i = j;
		} else {
			for (j = i + 1; j < n && !strchr("-/'\"$_", s[j]) &&
			    !isalpha((unsigned char)s[j]); j++)
				;
			esc(pg, s + i, j - i);
			i = j;
		}
	}
}

/* The findings that concern a script: its role, its dialect. */
struct findings {
	const struct manifest_finding **f;
	size_t nr;
};

static void findings_of(const struct manifest_migration *mig,
    enum script_role role, const struct manifest_script *sc,
    struct findings *out)
{
	size_t i;

	out->f = xcalloc(mig ? mig->nr_findings + 1 : 1, sizeof(*out->f));
	out->nr = 0;
	for (i = 0; mig && sc && i < mig->nr_findings; i++)
		if (mig->findings[i].role == role &&
		    mig->findings[i].dialect == sc->dialect)
			out->f[out->nr++] = &mig->findings[i];
}

static void finding_line(struct page *pg, const struct manifest_finding *f)
{
	char text[2048];

	snprintf(text, sizeof(text), "%s %s%s: %s",
	    severity_name(f->severity), f->rule, f->silenced ?
	    " (silenced)" : "", f->message);
	switch (pg->fmt) {
	case REVIEW_HTML:
		buf_addf(&pg->b, "<span class=\"f %s\">      ^ ",
		    severity_name(f->severity));
		escs(pg, text);
		buf_addstr(&pg->b, "</span>\n");
		break;
	case REVIEW_MD:
		buf_addf(&pg->b, "- line %u: ", f->line);
		escs(pg, text);
		buf_addch(&pg->b, '\n');
		break;
	case REVIEW_TEXT:
		buf_addstr(&pg->b, "       ^ ");
		prose(pg, text, 9, 9);
		buf_addch(&pg->b, '\n');
		break;
	}
}

static size_t count_lines(const char *s, size_t n)
{
	size_t lines = 0, i;

	for (i = 0; i < n; i++)
		lines += s[i] == '\n';
	return lines + (n && s[n - 1] != '\n');
}

/* The longest run of backticks in s: a Markdown fence must be longer. */
static size_t backticks(const char *s, size_t n)
{
	size_t i, run = 0, most = 0;

	for (i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > most)
			most = run;
	}
	return most;
}

/* A script with its line numbers and, under each line, the findings at
 * it (the others after the script). */
static void script(struct page *pg, const char *title, const char *text,
    size_t len, const struct findings *fs)
{
	size_t lines = count_lines(text, len), line = 0, i, fence;
	const char *p = text, *end = text + len, *nl;
	struct lex lx = { 0, "" };
	int fold = pg->fmt == REVIEW_HTML && lines > FOLD_LINES;
	char summary[256];

	snprintf(summary, sizeof(summary), "%s, %zu line%s", title, lines,
	    lines == 1 ? "" : "s");
	if (fold) {
		buf_addstr(&pg->b, "<details>\n<summary>");
		escs(pg, summary);
		buf_addstr(&pg->b, "</summary>\n");
	} else
		heading(pg, 4, NULL, summary);
	if (pg->fmt == REVIEW_MD) {
		fence = backticks(text, len) + 1;
		if (fence < 3)
			fence = 3;
		for (i = 0; i < fence; i++)
			buf_addch(&pg->b, '`');
		buf_addstr(&pg->b, "sql\n");
		buf_add(&pg->b, text, len);
		if (len && text[len - 1] != '\n')
			buf_addch(&pg->b, '\n');
		for (i = 0; i < fence; i++)
			buf_addch(&pg->b, '`');
		buf_addstr(&pg->b, "\n\n");
		for (i = 0; i < fs->nr; i++)
			finding_line(pg, fs->f[i]);
		if (fs->nr)
			buf_addch(&pg->b, '\n');
		return;
	}
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "<pre class=\"sql\"><code>");
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line++;
		if (pg->fmt == REVIEW_HTML) {
			buf_addf(&pg->b, "<span class=\"ln\">%5zu</span> ", line);
			sql_line(pg, &lx, p, (size_t)(nl - p));
			buf_addch(&pg->b, '\n');
		} else
			buf_addf(&pg->b, "%6zu | %.*s\n", line, (int)(nl - p), p);
		for (i = 0; i < fs->nr; i++)
			if (fs->f[i]->line == line)
				finding_line(pg, fs->f[i]);
		maybe_flush(pg);
	}
	for (i = 0; i < fs->nr; i++)
		if (fs->f[i]->line == 0 || fs->f[i]->line > line)
			finding_line(pg, fs->f[i]);
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "</code></pre>\n");
	else
		buf_addch(&pg->b, '\n');
	if (fold)
		buf_addstr(&pg->b, "</details>\n");
}

/* --- the page */

static const char style[] =
	"body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;"
	"background:#fff;max-width:72rem;margin:0 auto;padding:1rem 1.5rem}"
	"h1{font-size:1.6rem;margin:.5rem 0}h2{border-bottom:2px solid #ccc;"
	"margin-top:2rem}h3{margin-top:1.8rem;border-top:1px solid #ddd;"
	"padding-top:1rem}h4{margin:.8rem 0 .3rem}"
	"table.kv{border-collapse:collapse}table.kv th{text-align:left;"
	"padding:.15rem 1.2rem .15rem 0;font-weight:600;vertical-align:top}"
	"table.kv td{padding:.15rem 0;font-family:ui-monospace,monospace;"
	"overflow-wrap:anywhere}"
	"pre{background:#f6f6f4;border:1px solid #ddd;padding:.6rem;"
	"overflow-x:auto;font:13px/1.4 ui-monospace,monospace}"
	".ln{color:#5f5f5f;user-select:none}.k{color:#00309c;font-weight:600}"
	".s{color:#7a3e00}.c{color:#3d6b35;font-style:italic}"
	".f{display:block;font-weight:600}.f.error{color:#a00000}"
	".f.warning{color:#7a4a00}.f.info{color:#2b4f80}"
	".problem{border:3px solid #a00000;background:#fff1f1;"
	"padding:.2rem 1rem;margin:1rem 0}.problem h2{border:0;color:#a00000}"
	".nodown{color:#a00000;font-weight:600}"
	"summary{cursor:pointer;font-weight:600;margin:.8rem 0 .3rem}"
	"@media print{body{max-width:none;font-size:11pt}pre{white-space:"
	"pre-wrap;overflow-wrap:anywhere;border:0;background:none}"
	"details>*{display:block}h3{break-before:auto}"
	"pre,table{break-inside:auto}}";

static void page_begin(struct page *pg, const char *title)
{
	if (pg->fmt == REVIEW_HTML) {
		buf_addstr(&pg->b, "<!DOCTYPE html>\n<html lang=\"en\">\n"
		    "<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		    "content=\"width=device-width, initial-scale=1\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\""
		    "default-src 'none'; style-src 'unsafe-inline'\">\n"
		    "<title>");
		escs(pg, title);
		buf_addf(&pg->b, "</title>\n<style>%s</style>\n</head>\n"
		    "<body>\n<main>\n", style);
	}
	heading(pg, 1, NULL, title);
}

static void page_end(struct page *pg)
{
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "</main>\n</body>\n</html>\n");
}

static void section_begin(struct page *pg, const char *cls)
{
	if (pg->fmt == REVIEW_HTML)
		buf_addf(&pg->b, "<section%s%s%s>\n", cls ? " class=\"" : "",
		    cls ? cls : "", cls ? "\"" : "");
}

static void section_end(struct page *pg)
{
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "</section>\n");
}

/* What the plan runs, counted for the summary. */
struct tally {
	size_t notx, nodown, destructive, sev[SEV_NR], silenced;
};

static int destructive(const char *rule)
{
	return !strcmp(rule, "drop-table") || !strcmp(rule, "drop-column") ||
	    !strcmp(rule, "truncate");
}

static void tally_findings(struct tally *t, const struct findings *fs)
{
	size_t i;

	for (i = 0; i < fs->nr; i++) {
		if (fs->f[i]->silenced)
			t->silenced++;
		else
			t->sev[fs->f[i]->severity]++;
		t->destructive += destructive(fs->f[i]->rule);
	}
}

/* The migration of the bundle a history row is for, or NULL. */
static const struct manifest_migration *mig_of(const struct session *s,
    const struct hist_row *r)
{
	size_t i;

	for (i = 0; i < s->m.nr_migrations; i++)
		if (s->m.migrations[i].version && r->version &&
		    !version_cmp(s->m.migrations[i].version, r->version))
			return &s->m.migrations[i];
	return NULL;
}

static void tally(const struct session *s, const struct offline_plan *p,
    int down, struct tally *t)
{
	struct findings fs;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < p->nr; i++) {
		if (down) {
			const struct manifest_migration *mig = mig_of(s,
			    p->rows[i]);

			t->notx += p->rows[i]->down_tx == TX_NONE;
			findings_of(mig, ROLE_DOWN, mig ? manifest_script_for(
			    mig, ROLE_DOWN, s->dialect) : NULL, &fs);
		} else {
			const struct plan_item *it = p->todo[i];

			t->notx += plan_item_notx(it);
			t->nodown += it->mig->version && it->up && !it->down;
			findings_of(it->mig, ROLE_UP, it->up, &fs);
		}
		tally_findings(t, &fs);
		free(fs.f);
	}
}

static void header(struct page *pg, const struct session *s,
    const struct review_opts *ro, const struct offline_plan *p)
{
	const struct offline_opts *oo = &ro->oo;
	struct buf sig = BUF_INIT;
	char *target = s->o->db ? db_redact(s->url) : NULL;
	char when[32];
	time_t now;

	bundle_sig_describe(&s->sig, &sig);
	kv_begin(pg);
	kv(pg, "Bundle", "%s", s->m.name);
	kv(pg, "Release", "%s", s->m.release);
	kv(pg, "SHA-256", "%s", s->sha);
	kv(pg, "Signature", "%s", sig.data);
	if (target)
		kv(pg, "Target", "%s (%s)", target, dialect_name(p->d));
	else
		kv(pg, "Target", "a %s database (--from)", dialect_name(p->d));
	kv(pg, "Current version", "%s", s->plan.current ? s->plan.current :
	    "no version");
	kv(pg, "Plan", "%s %zu migration%s, to %s", oo->down ? "roll back" :
	    "apply", p->nr, p->nr == 1 ? "" : "s", p->problem.code ? "-" :
	    p->reached ? p->reached : oo->down ? "base" : "no version");
	kv(pg, "Written by", "migrun %s", MIGPACK_VERSION);
	if (ro->timestamp) {
		now = time(NULL);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
		    gmtime(&now));
		kv(pg, "Written at", "%s", when);
	}
	kv_end(pg);
	buf_release(&sig);
	free(target);
}

static void problem(struct page *pg, const struct offline_plan *p)
{
	if (!p->problem.code)
		return;
	section_begin(pg, "problem");
	heading(pg, 2, "problem", "Refused: this plan cannot run as it is");
	para(pg, NULL, "migrun apply and migrun sql refuse it, and this page "
	    "has no script SHA-256 to sign off.  What they say:");
	pre(pg, p->problem.msg);
	section_end(pg);
}

static void summary(struct page *pg, const struct session *s,
    const struct review_opts *ro, const struct offline_plan *p,
    const char *script_sha)
{
	struct tally t;

	tally(s, p, ro->oo.down, &t);
	section_begin(pg, NULL);
	heading(pg, 2, "summary", "Summary");
	kv_begin(pg);
	kv(pg, ro->oo.down ? "Migrations to roll back" : "Migrations to run",
	    "%zu", p->nr);
	kv(pg, "Outside a transaction", "%zu", t.notx);
	kv(pg, "Lint findings", "%zu error%s, %zu warning%s, %zu info, %zu "
	    "silenced", t.sev[SEV_ERROR], t.sev[SEV_ERROR] == 1 ? "" : "s",
	    t.sev[SEV_WARNING], t.sev[SEV_WARNING] == 1 ? "" : "s",
	    t.sev[SEV_INFO], t.silenced);
	if (!ro->oo.down)
		kv(pg, "Without a down script", "%zu", t.nodown);
	kv(pg, "Destructive statements", "%zu", t.destructive);
	kv(pg, "Drift on the database", "%zu changed, %zu missing",
	    s->plan.count[ST_CHANGED], s->plan.count[ST_MISSING]);
	if (script_sha)
		kv(pg, "migrun sql script", "sha256:%s", script_sha);
	else
		kv(pg, "migrun sql script", "none: the plan is refused");
	kv_end(pg);
	section_end(pg);
}

/* What this release adds, changes and removes of the previous one, as
 * migpack diff says it. */
static void changes(struct page *pg, const struct manifest *old,
    const struct release_diff *d)
{
	struct buf what = BUF_INIT, title = BUF_INIT;
	size_t i, n[3] = { 0, 0, 0 };

	for (i = 0; i < d->nr; i++)
		n[d->items[i].change]++;
	buf_addf(&title, "Changes since %s %s", old->name, old->release);
	section_begin(pg, d->nr_refused ? "problem" : NULL);
	heading(pg, 2, "changes", title.data);
	buf_reset(&title);
	buf_addf(&title, "%zu added, %zu changed, %zu removed; %zu not "
	    "allowed (released migrations stay as released)", n[REL_ADDED],
	    n[REL_CHANGED], n[REL_REMOVED], d->nr_refused);
	para(pg, NULL, title.data);
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "<table class=\"changes\">\n<thead><tr>"
		    "<th scope=\"col\">Change</th><th scope=\"col\">Kind</th>"
		    "<th scope=\"col\">What</th><th scope=\"col\">Allowed</th>"
		    "</tr></thead>\n<tbody>\n");
	else if (pg->fmt == REVIEW_MD)
		buf_addstr(&pg->b, "| Change | Kind | What | Allowed |\n"
		    "|---|---|---|---|\n");
	for (i = 0; i < d->nr; i++) {
		const struct release_item *it = &d->items[i];
		const char *ch = release_change_name(it->change);
		const char *kind = release_kind_name(it->kind);
		const char *ok = it->refused ? "no" : "yes";

		buf_reset(&what);
		release_item_describe(d, it, &what);
		if (pg->fmt == REVIEW_HTML) {
			buf_addf(&pg->b, "<tr><td>%s</td><td>%s</td><td>", ch,
			    kind);
			escs(pg, what.data);
			buf_addf(&pg->b, "</td><td>%s</td></tr>\n", ok);
		} else if (pg->fmt == REVIEW_MD) {
			buf_addf(&pg->b, "| %s | %s | ", ch, kind);
			escs(pg, what.data);
			buf_addf(&pg->b, " | %s |\n", ok);
		} else {
			buf_addf(&pg->b, "  %c %-8s %-11s ", it->refused ? '!' :
			    ' ', ch, kind);
			prose(pg, what.data, 25, 25);
			buf_addch(&pg->b, '\n');
		}
	}
	if (pg->fmt == REVIEW_HTML)
		buf_addstr(&pg->b, "</tbody>\n</table>\n");
	else
		buf_addch(&pg->b, '\n');
	section_end(pg);
	buf_release(&what);
	buf_release(&title);
}

static void mig_begin(struct page *pg, const char *version,
    const char *name)
{
	char title[1024], id[512];

	snprintf(title, sizeof(title), "%s %s", version ? version :
	    "(repeatable)", name);
	snprintf(id, sizeof(id), "m-%s", version ? version : name);
	for (char *c = id; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
			*c = '_';
	section_begin(pg, "mig");
	heading(pg, 3, id, title);
}

static void no_down(struct page *pg)
{
	para(pg, "nodown", "No down script: this migration cannot be rolled "
	    "back.");
}

/* One migration to apply: its fields, its up and down scripts. */
static void mig_up(struct page *pg, const struct plan_item *it,
    const struct buf *up, const struct buf *down)
{
	struct findings fs;

	mig_begin(pg, it->mig->version, it->mig->name);
	kv_begin(pg);
	kv(pg, "Kind", "%s", kind_name(it->mig->kind));
	kv(pg, "Transaction", "%s", plan_item_notx(it) ? "no-transaction: "
	    "statement by statement, each on its own" : "transaction");
	kv(pg, "Checksum", "sha256:%s", plan_item_sum(it));
	kv_end(pg);
	if (!it->up)
		para(pg, NULL, "No up script for this engine: a no-op here, "
		    "recorded as applied.");
	else {
		findings_of(it->mig, ROLE_UP, it->up, &fs);
		script(pg, "Up script", up->data, up->len, &fs);
		free(fs.f);
	}
	if (it->mig->version && it->down) {
		findings_of(it->mig, ROLE_DOWN, it->down, &fs);
		script(pg, "Down script", down->data, down->len, &fs);
		free(fs.f);
	} else if (it->mig->version && it->up)
		no_down(pg);
	section_end(pg);
}

/* One migration to roll back: the stored down script. */
static void mig_down(struct page *pg, const struct session *s,
    const struct hist_row *r)
{
	const struct manifest_migration *mig = mig_of(s, r);
	struct findings fs;
	char hex[CHECKSUM_HEX_LEN + 1];

	mig_begin(pg, r->version, r->name);
	checksum_buf(r->down ? r->down : "", r->down ? strlen(r->down) : 0,
	    hex);
	kv_begin(pg);
	kv(pg, "Transaction", "%s", r->down_tx == TX_NONE ? "no-transaction: "
	    "statement by statement, each on its own" : "transaction");
	kv(pg, "Down script checksum", "sha256:%s", hex);
	kv(pg, "Applied", "%s from %s %s", r->applied_at ? r->applied_at :
	    "(assumed)", r->bundle_name, r->bundle_release);
	kv_end(pg);
	findings_of(mig, ROLE_DOWN, mig ? manifest_script_for(mig, ROLE_DOWN,
	    s->dialect) : NULL, &fs);
	if (r->down)
		script(pg, "Down script", r->down, strlen(r->down), &fs);
	else
		no_down(pg);
	free(fs.f);
	section_end(pg);
}

static int migrations(struct page *pg, struct session *s,
    const struct review_opts *ro, const struct offline_plan *p,
    struct err *err)
{
	struct cursor cur = { NULL, NULL };
	struct buf up = BUF_INIT, down = BUF_INIT;
	struct buf *into[2] = { &up, &down };
	size_t i;
	int ret = 0;

	section_begin(pg, NULL);
	heading(pg, 2, "migrations", ro->oo.down ? "Migrations to roll back, "
	    "in order" : "Migrations to run, in order");
	if (!p->nr)
		para(pg, NULL, "None: the database is where this plan ends.");
	if (!ro->oo.down && p->nr && (ret = cursor_open(&cur, s, err)))
		goto out;
	for (i = 0; i < p->nr && !pg->failed; i++) {
		if (ro->oo.down) {
			mig_down(pg, s, p->rows[i]);
		} else {
			const struct plan_item *it = p->todo[i];
			const struct manifest_script *want[2] = { it->up,
			    it->mig->version ? it->down : NULL };

			if ((ret = cursor_fetch(&cur, want, into, 2, err)))
				goto out;
			mig_up(pg, it, &up, &down);
		}
		flush(pg);
	}
	section_end(pg);
out:
	if (cur.r)
		cursor_close(&cur);
	buf_release(&up);
	buf_release(&down);
	return ret;
}

/* How to apply this plan, online and offline. */
static void commands(struct page *pg, const struct session *s,
    const struct review_opts *ro, const struct offline_plan *p)
{
	const struct offline_opts *oo = &ro->oo;
	char *target = s->o->db ? db_redact(s->url) : xstrdup("URL");
	char *b = xstrdup(ro->bundle), *base = basename(b);
	struct buf c = BUF_INIT;
	const char *from = s->plan.current;

	section_begin(pg, NULL);
	heading(pg, 2, "commands", "Commands");
	para(pg, NULL, "Online, migrun takes the run lock, backs the database "
	    "up and applies the plan:");
	if (oo->down)
		buf_addf(&c, "migrun down --db '%s' --to %s %s\n", target,
		    oo->to, base);
	else
		buf_addf(&c, "migrun apply --db '%s'%s%s %s\n", target,
		    oo->to ? " --to " : "", oo->to ? oo->to : "", base);
	pre(pg, c.data);
	buf_reset(&c);
	para(pg, NULL, "Offline, the script whose SHA-256 the summary gives "
	    "(migrun sql with the arguments this page was written with), "
	    "then the engine's own client:");
	buf_addf(&c, "migrun sql --dialect %s %s%s%s%s%s -o plan.sql %s\n"
	    "sha256sum plan.sql\n", dialect_name(p->d), s->o->db ?
	    "--db '" : "--from ", s->o->db ? target : from ? from : "0",
	    s->o->db ? "'" : "", oo->to ? " --to " : "", oo->to ? oo->to : "",
	    base);
	if (oo->down)
		buf_replace(&c, " -o plan.sql", 11, " --down -o plan.sql");
	buf_addstr(&c, p->d == DIALECT_POSTGRES ?
	    "psql -X -v ON_ERROR_STOP=1 -f plan.sql\n" :
	    "sqlite3 -bail DATABASE < plan.sql\n");
	pre(pg, c.data);
	section_end(pg);
	buf_release(&c);
	free(target);
	free(b);
}

/* The last release's bundle, verified as any bundle is. */
static int previous(const struct session *s, const char *path,
    struct manifest *old, struct err *err)
{
	char sha[CHECKSUM_HEX_LEN + 1];

	if (bundle_verify(path, &s->o->limits, old, sha, err))
		return err_prefix(err, "--previous: ");
	return 0;
}

/* The SHA-256 of migrun sql's script for p. */
static int script_sum(struct session *s, const struct review_opts *ro,
    struct offline_plan *p, char hex[CHECKSUM_HEX_LEN + 1],
    struct err *err)
{
	struct checksum sum;
	struct ofile out;
	int ret;

	checksum_init(&sum);
	ofile_open_sum(&out, &sum);
	if (!(ret = offline_emit(s, &ro->oo, p, &out, err)) &&
	    !(ret = ofile_commit(&out, err)))
		checksum_final(&sum, hex);
	ofile_abort(&out);
	return ret;
}

int review_write(struct session *s, const struct review_opts *ro,
    struct err *err)
{
	struct manifest old = MANIFEST_INIT;
	struct release_diff d = { 0 };
	struct offline_plan p;
	struct page pg = { ro->format, NULL, BUF_INIT, err, 0 };
	char hex[CHECKSUM_HEX_LEN + 1], title[512];
	const char *path = ro->oo.path;
	int ret;

	memset(&p, 0, sizeof(p));
	if ((ro->previous && (ret = previous(s, ro->previous, &old, err))) ||
	    (ret = offline_plan(s, ro->bundle, &ro->oo, &p, err)) ||
	    (!p.problem.code && (ret = script_sum(s, ro, &p, hex, err))))
		goto out;
	if (ro->previous)
		release_diff(&old, &s->m, ro->oo.allow_ooo, &d);
	if (path && strcmp(path, "-")) {
		char *where = xstrdup(path);

		session_swept(s, afile_sweep_for(path), dirname(where));
		free(where);
	}
	pg.out = xmalloc(sizeof(*pg.out));
	if ((ret = ofile_open(pg.out, path, 0, err))) {
		free(pg.out);
		pg.out = NULL;
		goto out;
	}
	snprintf(title, sizeof(title), "Review of %s %s: %s", s->m.name,
	    s->m.release, ro->oo.down ? "rollback" : "upgrade");
	page_begin(&pg, title);
	header(&pg, s, ro, &p);
	problem(&pg, &p);
	summary(&pg, s, ro, &p, p.problem.code ? NULL : hex);
	if (ro->previous)
		changes(&pg, &old, &d);
	if ((ret = migrations(&pg, s, ro, &p, err)))
		goto out;
	commands(&pg, s, ro, &p);
	page_end(&pg);
	flush(&pg);
	if (pg.failed || (ret = ofile_commit(pg.out, err))) {
		ret = pg.failed ? (int)err->code : ret;
		goto out;
	}
	if (p.problem.code)
		ret = err_set(err, ERR_INTEGRITY, "%s (the page says so, and "
		    "has no script SHA-256)", p.problem.msg);
	else if (d.nr_refused)
		ret = err_set(err, ERR_INTEGRITY, "%zu change%s to what %s %s "
		    "released %s not allowed (the page lists them)",
		    d.nr_refused, d.nr_refused == 1 ? "" : "s", old.name,
		    old.release, d.nr_refused == 1 ? "is" : "are");
out:
	if (pg.out) {
		ofile_abort(pg.out);
		free(pg.out);
	}
	buf_release(&pg.b);
	offline_plan_release(&p);
	release_diff_release(&d);
	manifest_release(&old);
	return ret;
}
