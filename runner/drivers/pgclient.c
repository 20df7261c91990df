/* pg_dump and psql run as children, connected as the driver is: the
 * PostgreSQL driver's backups and restores. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dumpscan.h"
#include "gunzip.h"
#include "ofile.h"
#include "pgclient.h"
#include "pq.h"
#include "spawn.h"
#include "xalloc.h"

/*
 * A client program (pg_dump, psql) connects as this connection did: each
 * option libpq reports goes into the environment variable libpq reads it
 * from (the password with them: never on a command line, where any user
 * sees it), the few without one into a conninfo string for -d.
 */
struct client {
	struct buf conninfo;
	char **env;
	size_t nr;
};

static void client_release(struct client *c)
{
	size_t i;

	buf_release(&c->conninfo);
	for (i = 0; i < c->nr; i++)
		free(c->env[i]);
	free(c->env);
	memset(c, 0, sizeof(*c));
}

static void add_env(struct client *c, char *entry)
{
	c->env = xreallocarray(c->env, c->nr + 2, sizeof(*c->env));
	c->env[c->nr++] = entry;
	c->env[c->nr] = NULL;
}

/* Whether environ's entry e sets a variable among opts'. */
static int overridden(const char *e, const PQconninfoOption *opts)
{
	size_t n = strcspn(e, "=");

	for (; opts->keyword; opts++)
		if (opts->envvar && opts->val && *opts->val &&
		    strlen(opts->envvar) == n && !strncmp(e, opts->envvar, n))
			return 1;
	return 0;
}

static int client_setup(PGconn *conn, const char *display, struct client *c,
    struct err *err)
{
	extern char **environ;
	PQconninfoOption *opts = pq.PQconninfo(conn), *o;
	const char *v;
	char **e;
	int ret = 0;

	memset(c, 0, sizeof(*c));
	buf_init(&c->conninfo);
	if (!opts)
		return err_set(err, ERR_RUNTIME, "%s: out of memory",
		    display);
	for (e = environ; *e; e++)
		if (!overridden(*e, opts))
			add_env(c, xstrdup(*e));
	for (o = opts; o->keyword; o++) {
		if (!o->val || !*o->val || !strcmp(o->keyword, "service") ||
		    !strcmp(o->keyword, "client_encoding") ||
		    !strcmp(o->keyword, "fallback_application_name"))
			continue;
		if (o->envvar) {
			add_env(c, xasprintf("%s=%s", o->envvar, o->val));
			continue;
		}
		if (!strcmp(o->keyword, "sslpassword")) {
			ret = err_set(err, ERR_INPUT, "%s: sslpassword cannot "
			    "be passed on to a client program without showing "
			    "it on its command line; put the key in a file it "
			    "can read without one", display);
			break;
		}
		buf_addf(&c->conninfo, "%s%s='", c->conninfo.len ? " " : "",
		    o->keyword);
		for (v = o->val; *v; v++) {
			if (*v == '\\' || *v == '\'')
				buf_addch(&c->conninfo, '\\');
			buf_addch(&c->conninfo, *v);
		}
		buf_addch(&c->conninfo, '\'');
	}
	pq.PQconninfoFree(opts);
	if (ret)
		client_release(c);
	return ret;
}

/* argv = fixed..., then "-d CONNINFO" when there is one. */
static void client_argv(const struct client *c, const char **argv,
    size_t n)
{
	if (c->conninfo.len) {
		argv[n++] = "-d";
		argv[n++] = c->conninfo.data;
	}
	argv[n] = NULL;
}

static int to_child(void *arg, const void *data, size_t len,
    struct err *err)
{
	return spawn_write(arg, data, len, err);
}

/* What a child is given to read: 0 once it has all of it. */
typedef int (*feed_fn)(struct child *ch, const void *arg, struct err *err);

/* Run argv[0..n) connected as conn is, its output into out (when not
 * NULL) or its input from feed.  A failure part way kills it before its
 * input is closed: it never sees an end that is not the end. */
static int run_client(PGconn *conn, const char *display, const char *what,
    const char **argv, size_t n, struct ofile *out, feed_fn feed,
    const void *arg, struct err *err)
{
	struct client c;
	struct child ch;
	char *buf = NULL;
	size_t got;
	int ret, started = 0;

	if ((ret = client_setup(conn, display, &c, err)))
		return ret;
	client_argv(&c, argv, n);
	if ((ret = spawn_start(&ch, what, (char *const *)argv, c.env,
	    out ? SPAWN_STDOUT : SPAWN_STDIN, err)))
		goto out;
	started = 1;
	if (feed && (ret = feed(&ch, arg, err))) {
		/* It stopped at an error: its words, not a broken pipe. */
		if (ch.gone) {
			started = 0;
			if (!(ret = spawn_finish(&ch, err)))
				ret = err_set(err, ERR_RUNTIME, "%s stopped "
				    "reading its input", what);
		}
		goto out;
	}
	if (out)
		buf = xmalloc(1 << 17);
	while (out) {
		if ((ret = spawn_read(&ch, buf, 1 << 17, &got, err)))
			goto out;
		if (!got)
			break;
		if ((ret = ofile_write(out, buf, got, err)))
			goto out;
	}
	started = 0;
	ret = spawn_finish(&ch, err);
out:
	if (started)
		spawn_kill(&ch);
	client_release(&c);
	free(buf);
	return ret;
}

/* pg_dump --clean --if-exists, its output gzipped into the backup as it
 * comes: never a whole uncompressed copy, on disk or in memory. */
int pgclient_backup(PGconn *conn, const char *display, const char *schema,
    const struct backup_io *io, struct err *err)
{
	const char *argv[10] = { io->tool ? io->tool : "pg_dump", "--clean",
	    "--if-exists", "--no-password" };
	struct buf only = BUF_INIT;
	size_t n = 4;
	int ret;

	/* A pattern in double quotes is the name as it is, "" a '"'. */
	if (schema) {
		buf_addstr(&only, "--schema=\"");
		for (; *schema; schema++) {
			if (*schema == '"')
				buf_addch(&only, '"');
			buf_addch(&only, *schema);
		}
		buf_addch(&only, '"');
		argv[n++] = only.data;
	}
	ret = run_client(conn, display, "pg_dump", argv, n, io->out, NULL,
	    NULL, err);
	buf_release(&only);
	return ret;
}

/*
 * A restore is one transaction that only a whole backup commits.  psql
 * commits nothing of its own (no --single-transaction: that COMMIT comes
 * with the end of psql's input, and a killed migrun ends it too); migrun
 * opens the transaction and writes its COMMIT once the whole file has been
 * read and its gzip checksum found right.  A psql whose input ends before
 * that exits, and the server rolls back.
 *
 * The COMMIT must also be the only one that counts: a deferred foreign
 * key from a row inserted first to one inserted only just before migrun's
 * COMMIT fails any earlier commit, and with it the whole transaction.
 * The dump's own COMMITs around large objects are dropped on the way
 * (dumpscan.h).  The first line has no line break, so psql's line numbers
 * are the backup's.
 */
#define GUARD "migrun: a COMMIT before the backup's end"

static const char restore_begin[] =
	"BEGIN; "
	"CREATE TEMPORARY TABLE migrun_restore_end (ok integer PRIMARY KEY) "
	"ON COMMIT DROP; "
	"CREATE TEMPORARY TABLE migrun_restore_begin (ok integer CONSTRAINT "
	"\"" GUARD "\" REFERENCES pg_temp.migrun_restore_end DEFERRABLE "
	"INITIALLY DEFERRED) ON COMMIT DROP; "
	"INSERT INTO pg_temp.migrun_restore_begin VALUES (1); ";
static const char restore_end[] =
	"\nINSERT INTO pg_temp.migrun_restore_end VALUES (1);\nCOMMIT;\n";

static int scan_chunk(void *arg, const void *data, size_t len,
    struct err *err)
{
	return dumpscan_feed(arg, data, len, err);
}

static int feed_backup(struct child *ch, const void *arg, struct err *err)
{
	const char *path = arg;
	struct dumpscan s;
	int ret;

	dumpscan_init(&s, path, to_child, ch);
	if ((ret = spawn_write(ch, restore_begin, sizeof(restore_begin) - 1,
	    err)) ||
	    (ret = gunzip_file(path, scan_chunk, &s, err)) ||
	    (ret = dumpscan_end(&s, err)))
		return ret;
	return spawn_write(ch, restore_end, sizeof(restore_end) - 1, err);
}

int pgclient_restore(PGconn *conn, const char *display, const char *path,
    const struct backup_io *io, struct err *err)
{
	const char *argv[16] = { io->tool ? io->tool : "psql", "-X", "-q",
	    "-v", "ON_ERROR_STOP=1", "--no-password", "-f", "-" };
	const char *at;
	int ret;

	ret = run_client(conn, display, "psql", argv, 8, NULL, feed_backup,
	    path, err);
	/* The guard's words say little: say what it found, and where. */
	if (ret && strstr(err->msg, GUARD)) {
		at = strstr(err->msg, "psql:<stdin>:");
		ret = err_set(err, ERR_INPUT, "'%s' line %ld: a COMMIT before "
		    "the end of the backup: it would keep part of it, so "
		    "nothing was restored", path,
		    at ? strtol(at + 13, NULL, 10) : 0L);
	}
	return ret;
}
