/* Picking the engine from a URL, and keeping passwords out of sight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pq.h"

#include "buf.h"
#include "db.h"
#include "xalloc.h"

const char *db_url(const char *url)
{
	const char *env;

	if (url)
		return url;
	env = getenv("DATABASE_URL");
	return env && *env ? env : DB_DEFAULT;
}

static int has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n > k && strcmp(s + n - k, suffix) == 0;
}

static int is_postgres_url(const char *url)
{
	return has_prefix(url, "postgres://") ||
	    has_prefix(url, "postgresql://");
}

static int is_conninfo(const char *s);

/* Which driver url names, and the target that driver opens. */
static int classify(const char *url, const struct driver **drv,
    const char **target, struct err *err)
{
	if (has_prefix(url, "sqlite:")) {
		*drv = &sqlite_driver;
		*target = url + strlen("sqlite:");
		if (has_prefix(*target, "//")) {
			/* sqlite:///abs/path: an empty host, then the path. */
			if ((*target)[2] != '/')
				return err_set(err, ERR_INPUT, "%s: a sqlite URL "
				    "names a file: sqlite:PATH or "
				    "sqlite:///ABSOLUTE/PATH", url);
			*target += 2;
		}
		if (!**target)
			return err_set(err, ERR_INPUT, "%s: no file named", url);
		return 0;
	}
	if (is_postgres_url(url)) {
		*drv = &postgres_driver;
		*target = url;
		return 0;
	}
	if (!is_conninfo(url) && (has_suffix(url, ".db") ||
	    has_suffix(url, ".sqlite") || has_suffix(url, ".sqlite3"))) {
		*drv = &sqlite_driver;
		*target = url;
		return 0;
	}
	if (strchr(url, '=')) {
		*drv = &postgres_driver;
		*target = url;
		return 0;
	}
	return err_set(err, ERR_INPUT, "%s: not a database URL: use "
	    "sqlite:PATH, a file ending in .db, .sqlite or .sqlite3, "
	    "postgresql://... or a libpq \"key=value\" string", url);
}

static void mask(struct buf *b, const char *secret, size_t n)
{
	buf_replace(b, secret, n, "***");
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/* The password of a URI as written (percent-encoded): in the userinfo,
 * both as a person means it (up to the authority's last '@') and as libpq
 * reads it (up to the first '@' before any '/'), and in the query. */
static void mask_uri_passwords(struct buf *b, const char *uri)
{
	const char *auth = strstr(uri, "://") + 3, *p, *at = NULL, *colon;
	size_t end = strcspn(auth, "/?#");

	for (p = auth; p < auth + end; p++)
		if (*p == '@')
			at = p;
	if (at && (colon = memchr(auth, ':', (size_t)(at - auth))))
		mask(b, colon + 1, (size_t)(at - colon - 1));
	p = auth + strcspn(auth, "@/");
	if (*p == '@' && (colon = memchr(auth, ':', (size_t)(p - auth))))
		mask(b, colon + 1, (size_t)(p - colon - 1));
	/* p at the '?' or '&' before each parameter */
	for (p = strchr(auth, '?'); p; p = strchr(p + 1, '&'))
		if (!strncmp(p + 1, "password=", 9))
			mask(b, p + 10, strcspn(p + 10, "&"));
}

/* The next "key = value" of a key=value string as libpq's parser walks
 * it, the value as written (quotes and backslashes left in): the end of
 * the pair, or NULL at the end of s or where s is no such string. */
static const char *conninfo_pair(const char *s, const char **key,
    size_t *keylen, const char **val, size_t *vallen)
{
	while (is_space(*s))
		s++;
	if (!*s)
		return NULL;
	*key = s;
	while (*s && *s != '=' && !is_space(*s))
		s++;
	*keylen = (size_t)(s - *key);
	while (is_space(*s))
		s++;
	if (*s++ != '=')
		return NULL;
	while (is_space(*s))
		s++;
	if (*s == '\'') {
		for (*val = ++s; *s && *s != '\''; s++)
			if (s[0] == '\\' && s[1])
				s++;
		*vallen = (size_t)(s - *val);
		return *s ? s + 1 : s;
	}
	for (*val = s; *s && !is_space(*s); s++)
		if (s[0] == '\\' && s[1])
			s++;
	*vallen = (size_t)(s - *val);
	return s;
}

/* The values of "password = ..." in a key=value string as written. */
static void mask_conninfo_passwords(struct buf *b, const char *s)
{
	const char *key, *val;
	size_t keylen, vallen;

	while ((s = conninfo_pair(s, &key, &keylen, &val, &vallen)))
		if (keylen == 8 && !strncmp(key, "password", 8))
			mask(b, val, vallen);
}

/* Whether s is a libpq key=value string throughout: pairs whose keys are
 * words of lower-case letters and '_', as libpq's keywords are.  Such a
 * string is PostgreSQL's even when it ends in ".db", and its password is
 * masked: a file named like that needs "sqlite:". */
static int is_conninfo(const char *s)
{
	const char *key, *val, *p;
	size_t keylen, vallen, i;
	int pairs = 0;

	while ((p = conninfo_pair(s, &key, &keylen, &val, &vallen))) {
		for (i = 0; i < keylen; i++)
			if (!(key[i] >= 'a' && key[i] <= 'z') && key[i] != '_')
				return 0;
		if (!keylen)
			return 0;
		pairs++;
		s = p;
	}
	while (is_space(*s))
		s++;
	return pairs && !*s;
}

void db_mask(struct buf *b, const char *url)
{
	PQconninfoOption *opts, *o;

	if (is_postgres_url(url))
		mask_uri_passwords(b, url);
	else
		mask_conninfo_passwords(b, url);
	/* And as libpq decodes it, when it can. */
	if (pq_load(NULL, NULL))
		return;
	opts = pq.PQconninfoParse(url, NULL);
	for (o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val)
			mask(b, o->val, strlen(o->val));
	pq.PQconninfoFree(opts);
}

/* SQLite URLs name a file and hold no password: leave them be (and libpq
 * unloaded). */
static int is_sqlite(const char *url)
{
	const struct driver *drv = NULL;
	const char *target;

	return !classify(url, &drv, &target, NULL) && drv == &sqlite_driver;
}

char *db_redact(const char *url)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, url);
	if (!is_sqlite(url))
		db_mask(&b, url);
	return buf_detach(&b, NULL);
}

void db_scrub(struct err *err, const char *url)
{
	struct buf b = BUF_INIT;

	if (!url || !err || is_sqlite(url))
		return;
	buf_addstr(&b, err->msg);
	db_mask(&b, url);
	snprintf(err->msg, sizeof(err->msg), "%s", b.data);
	buf_release(&b);
}

int db_dialect(const char *url, enum dialect *d, struct err *err)
{
	const struct driver *drv = NULL;
	const char *target;
	int ret;

	if (!(ret = classify(url, &drv, &target, err)))
		*d = drv->dialect;
	db_scrub(err, url);
	return ret;
}

int db_open(struct db **out, const char *url, const struct db_opts *opts,
    struct err *err)
{
	const struct driver *drv = NULL;
	const char *target = NULL;
	char *display = NULL;
	int ret;

	*out = NULL;
	if ((ret = classify(url, &drv, &target, err)))
		goto out;
	display = db_redact(url);
	ret = drv->open(out, target, display, opts, err);
out:
	db_scrub(err, url);
	free(display);
	return ret;
}

void db_close(struct db *db)
{
	if (db)
		db->drv->close(db);
}
