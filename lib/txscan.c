/* Which scripts must run outside a transaction, and why: the rules are in
 * txscan.h. */
#include <string.h>

#include "split.h"
#include "txscan.h"

#define PG (1u << DIALECT_POSTGRES)
#define LITE (1u << DIALECT_SQLITE)
#define HEAD_WORDS 8

static const struct rule {
	unsigned dialects;
	enum txneed_kind kind;
	const char *head;	/* the statement's first words */
	const char *what;
} rules[] = {
	{ PG | LITE, TXN_OWN, "begin", "BEGIN" },
	{ PG, TXN_OWN, "start transaction", "START TRANSACTION" },
	{ PG, TXN_REFUSED, "commit prepared", "COMMIT PREPARED" },
	{ PG | LITE, TXN_OWN, "commit", "COMMIT" },
	{ PG | LITE, TXN_OWN, "end", "END" },
	{ PG, TXN_OWN, "abort", "ABORT" },
	{ PG, TXN_OWN, "prepare transaction", "PREPARE TRANSACTION" },
	{ PG, TXN_REFUSED, "rollback prepared", "ROLLBACK PREPARED" },
	{ PG | LITE, TXN_OWN, "rollback", "ROLLBACK" },	/* not ROLLBACK TO */
	{ PG, TXN_REFUSED, "create database", "CREATE DATABASE" },
	{ PG, TXN_REFUSED, "drop database", "DROP DATABASE" },
	{ PG, TXN_REFUSED, "create tablespace", "CREATE TABLESPACE" },
	{ PG, TXN_REFUSED, "drop tablespace", "DROP TABLESPACE" },
	{ PG, TXN_REFUSED, "create subscription", "CREATE SUBSCRIPTION" },
	{ PG, TXN_REFUSED, "drop subscription", "DROP SUBSCRIPTION" },
	{ PG, TXN_REFUSED, "alter system", "ALTER SYSTEM" },
	{ PG, TXN_REFUSED, "create index concurrently",
	    "CREATE INDEX CONCURRENTLY" },
	{ PG, TXN_REFUSED, "create unique index concurrently",
	    "CREATE UNIQUE INDEX CONCURRENTLY" },
	{ PG, TXN_REFUSED, "drop index concurrently",
	    "DROP INDEX CONCURRENTLY" },
	{ PG, TXN_REFUSED, "discard all", "DISCARD ALL" },
	{ PG | LITE, TXN_REFUSED, "vacuum", "VACUUM" },
	{ LITE, TXN_REFUSED, "attach", "ATTACH" },
	{ LITE, TXN_REFUSED, "detach", "DETACH" },
};

/* The head's words, split in place at its spaces. */
static size_t words_of(char *head, const char **w, size_t max)
{
	size_t n = 0;
	char *p = head;

	while (*p && n < max) {
		w[n++] = p;
		if (!(p = strchr(p, ' ')))
			break;
		*p++ = '\0';
	}
	return n;
}

static int is(const char *w, const char *word)
{
	return w && !strcmp(w, word);
}

/* Whether head starts with the words of prefix. */
static int starts(const char *head, const char *prefix)
{
	size_t n = strlen(prefix);

	return !strncmp(head, prefix, n) && (head[n] == ' ' || !head[n]);
}

/* The rules the table cannot say: REINDEX and CLUSTER on PostgreSQL, the
 * pragmas on SQLite.  w holds n words, then NULLs. */
static const char *special(const char **w, size_t n, enum dialect d,
    enum txneed_kind *kind)
{
	static const char *const reindex[][2] = {
		{ "schema", "REINDEX SCHEMA" },
		{ "database", "REINDEX DATABASE" },
		{ "system", "REINDEX SYSTEM" },
	};
	size_t i = 1, k;

	*kind = TXN_REFUSED;
	if (d == DIALECT_POSTGRES && is(w[0], "reindex")) {
		if (is(w[i], "()"))
			i++;
		if (is(w[i], "verbose"))
			i++;
		for (k = 0; k < sizeof(reindex) / sizeof(reindex[0]); k++)
			if (is(w[i], reindex[k][0]))
				return reindex[k][1];
		return i < n && is(w[i + 1], "concurrently") ?
		    "REINDEX CONCURRENTLY" : NULL;
	}
	if (d == DIALECT_POSTGRES && is(w[0], "cluster")) {
		if (is(w[i], "()") || is(w[i], "verbose"))
			i++;
		return i == n || (i + 1 == n && is(w[i], ";")) ?
		    "CLUSTER of every table" : NULL;
	}
	if (d == DIALECT_SQLITE && is(w[0], "pragma")) {
		if (is(w[2], "."))
			i = 3;
		if (!(is(w[i + 1], "=") || is(w[i + 1], "()")))
			return NULL;
		if (is(w[i], "foreign_keys")) {
			*kind = TXN_NOOP;
			return "PRAGMA foreign_keys";
		}
		if (is(w[i], "journal_mode"))
			return "PRAGMA journal_mode";
		if (is(w[i], "synchronous"))
			return "PRAGMA synchronous";
	}
	return NULL;
}

/* Why the statement keeps the script out of a transaction, or NULL. */
static const char *classify(char *head, enum dialect d,
    enum txneed_kind *kind)
{
	const char *w[HEAD_WORDS + 2] = { NULL };
	size_t i, n;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (!(rules[i].dialects & (1u << d)) ||
		    !starts(head, rules[i].head))
			continue;
		/* ROLLBACK [TRANSACTION|WORK] TO: to a savepoint */
		if (!strcmp(rules[i].head, "rollback") && strstr(head, " to "))
			return NULL;
		*kind = rules[i].kind;
		return rules[i].what;
	}
	n = words_of(head, w, HEAD_WORDS);
	return special(w, n, d, kind);
}

/* The other engine's reading of the same text. */
static void init_other(struct splitter *sp, const char *text, size_t len,
    enum dialect d)
{
	if (d == DIALECT_SQLITE)
		split_init(sp, text, len);
	else
		split_init_sqlite(sp, text, len);
}

int txscan(const char *text, size_t len, enum dialect d, int both,
    struct txneed *need)
{
	struct splitter sp, other;
	struct stmt st, ost = { 0, 0, 0, 0 };
	char head[96];
	const char *what;
	enum txneed_kind kind;
	int found = 0, more = both;

	memset(need, 0, sizeof(*need));
	if (d == DIALECT_SQLITE)
		split_init_sqlite(&sp, text, len);
	else
		split_init(&sp, text, len);
	if (both && (init_other(&other, text, len, d), 1))
		more = split_next(&other, &ost);
	while (split_next(&sp, &st)) {
		/* For both engines, a statement only where both see one:
		 * not in the other's quotes, bodies or triggers. */
		while (more && ost.off < st.off)
			more = split_next(&other, &ost);
		split_head(&sp, &st, head, sizeof(head));
		if ((both && (!more || ost.off != st.off)) ||
		    !(what = classify(head, d, &kind))) {
			need->others++;
			continue;
		}
		/* Transaction control says the most: it is named first. */
		if (!found || (kind == TXN_OWN && need->kind != TXN_OWN)) {
			need->kind = kind;
			need->what = what;
			need->line = st.line;
		}
		found = 1;
	}
	return found;
}
