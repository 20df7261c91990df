/* Picking the engine from a URL, and keeping passwords out of sight. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

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
	if (has_suffix(url, ".db") || has_suffix(url, ".sqlite") ||
	    has_suffix(url, ".sqlite3")) {
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

/* In a postgres URL, the span of the password in the userinfo. */
static int url_userinfo_password(const char *url, size_t *off, size_t *len)
{
	const char *auth = strstr(url, "://"), *end, *at, *colon;

	if (!auth)
		return 0;
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	at = NULL;
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at)
		return 0;
	colon = memchr(auth, ':', (size_t)(at - auth));
	if (!colon)
		return 0;
	*off = (size_t)(colon + 1 - url);
	*len = (size_t)(at - colon - 1);
	return 1;
}

/* url with the userinfo password and any password=... query parameter
 * masked, in the percent-encoded form they take in a URL. */
static char *redact_url(const char *url)
{
	struct buf b = BUF_INIT;
	const char *p = url, *q;
	size_t off, len;

	if (url_userinfo_password(url, &off, &len)) {
		buf_add(&b, url, off);
		buf_addstr(&b, "***");
		p = url + off + len;
	}
	if (!(q = strchr(p, '?'))) {
		buf_addstr(&b, p);
		return buf_detach(&b, NULL);
	}
	buf_add(&b, p, (size_t)(q + 1 - p));
	for (p = q + 1; *p;) {
		size_t n = strcspn(p, "&");

		if (!strncmp(p, "password=", 9))
			buf_addstr(&b, "password=***");
		else
			buf_add(&b, p, n);
		p += n;
		if (*p)
			buf_addch(&b, *p++);
	}
	return buf_detach(&b, NULL);
}

/* A key=value string rebuilt from libpq's own parse, password masked. */
static char *redact_conninfo(const char *url)
{
	PQconninfoOption *opts, *o;
	struct buf b = BUF_INIT;

	opts = PQconninfoParse(url, NULL);
	if (!opts)
		return xstrdup("(unparsable connection string)");
	for (o = opts; o->keyword; o++) {
		const char *v;

		if (!o->val)
			continue;
		if (b.len)
			buf_addch(&b, ' ');
		buf_addf(&b, "%s=", o->keyword);
		if (!strcmp(o->keyword, "password")) {
			buf_addstr(&b, "***");
			continue;
		}
		if (*o->val && !strpbrk(o->val, " '\\")) {
			buf_addstr(&b, o->val);
			continue;
		}
		buf_addch(&b, '\'');
		for (v = o->val; *v; v++) {
			if (*v == '\'' || *v == '\\')
				buf_addch(&b, '\\');
			buf_addch(&b, *v);
		}
		buf_addch(&b, '\'');
	}
	PQconninfoFree(opts);
	return buf_detach(&b, NULL);
}

char *db_redact(const char *url)
{
	const struct driver *drv;
	const char *target;

	if (classify(url, &drv, &target, NULL))
		return is_postgres_url(url) ? redact_url(url) :
		    strchr(url, '=') ? redact_conninfo(url) : xstrdup(url);
	if (drv == &sqlite_driver)
		return xstrdup(url);
	return is_postgres_url(url) ? redact_url(url) : redact_conninfo(url);
}

static void mask(char *msg, size_t size, const char *secret, size_t n)
{
	struct buf b = BUF_INIT;
	const char *p = msg, *hit;

	if (n == 0 || !memmem(msg, strlen(msg), secret, n))
		return;
	while ((hit = memmem(p, strlen(p), secret, n))) {
		buf_add(&b, p, (size_t)(hit - p));
		buf_addstr(&b, "***");
		p = hit + n;
	}
	buf_addstr(&b, p);
	snprintf(msg, size, "%s", b.data);
	buf_release(&b);
}

void db_scrub(struct err *err, const char *url)
{
	PQconninfoOption *opts, *o;
	size_t off, len;

	if (!url || !err)
		return;
	if (is_postgres_url(url) && url_userinfo_password(url, &off, &len)) {
		char *raw = xstrndup(url + off, len);

		mask(err->msg, sizeof(err->msg), raw, len);
		free(raw);
	}
	opts = PQconninfoParse(url, NULL);
	if (!opts)
		return;
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val)
			mask(err->msg, sizeof(err->msg), o->val,
			    strlen(o->val));
	PQconninfoFree(opts);
}

int db_open(struct db **out, const char *url, const struct db_opts *opts,
    struct err *err)
{
	const struct driver *drv;
	const char *target;
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
