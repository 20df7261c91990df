/* pg_dump and psql run as children, connected as the driver is: the
 * PostgreSQL driver's backups and restores. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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
			ret = err_set(err, ERR_INPUT, "%s: sslpassword cannot be "
			    "passed on to a client program without showing it "
			    "on its command line; put the key in a file it "
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

/* Run argv[0..n) connected as d is, its output into out (when not NULL)
 * or its input from gzip file in.  A failure part way kills it. */
static int run_client(PGconn *conn, const char *display, const char *what,
    const char **argv, size_t n, struct ofile *out, const char *in,
    struct err *err)
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
	if (in && (ret = gunzip_file(in, to_child, &ch, err))) {
		/* psql stopped at an error: its words, not a broken pipe. */
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
int pgclient_backup(PGconn *conn, const char *display,
    const struct backup_io *io, struct err *err)
{
	const char *argv[8] = { io->tool ? io->tool : "pg_dump", "--clean",
	    "--if-exists", "--no-password" };

	return run_client(conn, display, "pg_dump", argv, 4, io->out, NULL, err);
}

/* The dump streamed into psql, in one transaction that commits only once
 * psql has read all of it: the file is checked whole first, and a failure
 * part way kills psql before it sees an end, so nothing is kept. */
int pgclient_restore(PGconn *conn, const char *display, const char *path,
    const struct backup_io *io, struct err *err)
{
	const char *argv[16] = { io->tool ? io->tool : "psql", "-X", "-q",
	    "-v", "ON_ERROR_STOP=1", "--single-transaction",
	    "--no-password", "-f", "-" };
	int ret;

	if ((ret = gunzip_file(path, NULL, NULL, err)))
		return ret;
	return run_client(conn, display, "psql", argv, 9, NULL, path, err);
}
