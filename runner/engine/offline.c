/* migrun sql: the SQL that migrun apply (or down) would run, as one script
 * for psql or sqlite3, through the same run loop with the emitter as the
 * database. */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "emit.h"
#include "offline.h"
#include "ofile.h"
#include "runner.h"
#include "version.h"
#include "xalloc.h"

/* The history a database at `from` has, as migrun apply --to FROM leaves
 * it: the versioned migrations up to it and, when it is the newest, the
 * repeatable ones.  Rolled back, a row's down script is the bundle's. */
static int assume_history(struct session *s, enum dialect d,
    const char *from, int down, struct err *err)
{
	struct plan p = PLAN_INIT;
	struct history none = HISTORY_INIT;
	const struct plan_item **its = NULL;
	const struct manifest_script **want = NULL;
	struct buf *texts = NULL, **into = NULL;
	struct cursor cur = { NULL, NULL };
	const char *latest;
	size_t i, n = 0;
	int ret;

	if ((ret = plan_build(&p, &s->m, d, &none, err)))
		goto out;
	latest = plan_latest(&p);
	its = xreallocarray(NULL, p.nr + 1, sizeof(*its));
	for (i = 0; from && i < p.nr; i++) {
		const struct plan_item *it = &p.items[i];

		if (it->mig->version ? version_cmp(it->mig->version, from) <= 0 :
		    version_cmp(from, latest) >= 0)
			its[n++] = it;
	}
	want = xcalloc(n + 1, sizeof(*want));
	texts = xcalloc(n + 1, sizeof(*texts));
	into = xcalloc(n + 1, sizeof(*into));
	for (i = 0; i < n; i++) {
		want[i] = down && its[i]->mig->version ? its[i]->down : NULL;
		buf_init(&texts[i]);
		into[i] = &texts[i];
	}
	if (down && n && ((ret = cursor_open(&cur, s, err)) ||
	    (ret = cursor_fetch(&cur, want, into, n, err))))
		goto out;
	for (i = 0; i < n; i++)
		session_row(s, its[i], want[i] ? texts[i].data : NULL,
		    history_add(&s->h));
	s->h.exists = 1;
	s->dialect = d;
	if ((ret = plan_build(&s->plan, &s->m, d, &s->h, err)))
		goto out;
	s->planned = 1;
out:
	if (cur.r)
		cursor_close(&cur);
	for (i = 0; texts && i < n; i++)
		buf_release(&texts[i]);
	free(texts);
	free(into);
	free(want);
	free(its);
	plan_release(&p);
	return ret;
}

/* The history and plan from the database at url, read only. */
static int read_history(struct session *s, enum dialect *d, int given,
    const char *what, struct err *err)
{
	int ret;

	if ((ret = session_open(s, 0, err)))
		return ret;
	if (given && s->db->drv->dialect != *d)
		return err_set(err, ERR_INPUT, "--dialect %s, but --db is a "
		    "%s database", dialect_name(*d),
		    dialect_name(s->db->drv->dialect));
	*d = s->db->drv->dialect;
	db_close(s->db);
	s->db = NULL;
	s->h.exists = 1;	/* the script creates it if missing */
	return session_refuse_dirty(s, what, err);
}

/* review: a plan refused for drift or a dirty migration keeps its page,
 * the refusal at its top: what is pending (up to --to) is listed, and no
 * script is written for it. */
static int tolerate(struct session *s, const struct offline_opts *oo,
    struct offline_plan *p, struct err *err)
{
	size_t i;

	p->problem = *err;
	*err = (struct err)ERR_INIT;
	free(p->todo);
	free(p->rows);
	p->rows = NULL;
	p->todo = xcalloc(s->plan.nr + 1, sizeof(*p->todo));
	p->nr = 0;
	for (i = 0; !oo->down && i < s->plan.nr; i++) {
		const struct plan_item *it = &s->plan.items[i];

		if (it->state == ST_PENDING && (!oo->to || !it->mig->version ||
		    version_cmp(it->mig->version, oo->to) <= 0))
			p->todo[p->nr++] = it;
	}
	p->reached = NULL;
	return 0;
}

/* What a migration's statements may wait for, and that the script does
 * not try again as migrun apply does. */
static void ddl_note(struct buf *b, const struct ddl_limits *l)
{
	char t[32];

	buf_addstr(b, "--\n");
	if (l->lock_timeout_ms) {
		lockwait_limit(l->lock_timeout_ms, t, sizeof(t));
		buf_addf(b, "-- A migration's statement waits at most %s for a "
		    "lock (lock_timeout), then\n-- fails, and the script "
		    "stops there: offline, nothing is tried again, where\n"
		    "-- migrun apply rolls the migration back and retries it "
		    "(--ddl-retries).\n", t);
	} else
		buf_addstr(b, "-- A migration's statement waits for a lock as "
		    "long as it takes (lock_timeout 0).\n");
	if (l->statement_timeout_ms > 0) {
		lockwait_limit((unsigned)l->statement_timeout_ms, t, sizeof(t));
		buf_addf(b, "-- A migration's statement is cancelled after %s "
		    "(statement_timeout).\n", t);
	}
	buf_addstr(b, "--\n");
}

static void header(struct buf *b, const struct session *s, enum dialect d,
    int down, const char *from, const char *to, size_t n)
{
	buf_addf(b, "-- migpack offline SQL for %s, written by migrun %s "
	    "(migrun sql)\n--\n", dialect_name(d), MIGPACK_VERSION);
	buf_addf(b, "-- bundle   %s %s %s\n-- signed   ", s->m.name, s->m.release,
	    s->sha);
	bundle_sig_describe(&s->sig, b);
	buf_addch(b, '\n');
	buf_addf(b, "-- from     %s\n", from ? from : "no version (an empty "
	    "history)");
	buf_addf(b, "-- to       %s\n", to ? to : down ? "base" :
	    "no version");
	buf_addf(b, "-- %s %zu migration%s, history table %s\n--\n",
	    down ? "rolls back" : "applies ", n, n == 1 ? "" : "s",
	    s->o->table);
	buf_addstr(b, "-- Run it with:\n");
	if (d == DIALECT_POSTGRES) {
		buf_addstr(b, "--     psql -X -v ON_ERROR_STOP=1 -f FILE\n"
		    "-- It stops at the first error (ON_ERROR_STOP is set "
		    "below too), and at once\n-- unless the database is at "
		    "the from version.\n");
		ddl_note(b, &s->o->ddl);
		buf_addstr(b, "\\set ON_ERROR_STOP on\n"
		    "SET client_encoding = 'UTF8';\n\n");
	}
	else
		buf_addstr(b, "--     sqlite3 -bail DB < FILE\n"
		    "-- It stops at the first error (.bail is set below too), "
		    "and at once\n-- unless the database is at the from "
		    "version.\n.bail on\n\n");
}

int offline_opts_check(const struct cmd_entry *e,
    const struct offline_opts *oo, const struct ropts *o, struct err *err)
{
	if (oo->from && o->db)
		return cmd_usage(e, err, "give --from or --db, not both");
	if (oo->dialect == DIALECT_ANY && !o->db)
		return cmd_usage(e, err, "--dialect postgres or --dialect "
		    "sqlite is required without --db");
	if (oo->from && !version_valid(oo->from, strlen(oo->from),
	    VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(e, err, "--from: not a version");
	if (oo->to && (!oo->down || strcmp(oo->to, "base")) &&
	    !version_valid(oo->to, strlen(oo->to), VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(e, err, oo->down ? "--to: not a version or "
		    "'base'" : "--to: not a version");
	if (oo->down && !oo->to)
		return cmd_usage(e, err, "--down needs --to VERSION or --to "
		    "base");
	return 0;
}

int offline_plan(struct session *s, const char *bundle,
    const struct offline_opts *oo, struct offline_plan *p, struct err *err)
{
	struct buf b = BUF_INIT;
	const char *from = oo->from, *to = oo->to;
	size_t i;
	int ret;

	memset(p, 0, sizeof(*p));
	p->d = oo->dialect;
	if ((ret = session_bundle(s, bundle, err)) ||
	    (ret = session_check_version(s, "--from", from, err)) ||
	    (ret = session_check_version(s, "--to", to && strcmp(to, "base") ?
	    to : NULL, err)))
		goto out;
	if (s->o->db)
		ret = read_history(s, &p->d, p->d != DIALECT_ANY,
		    oo->tolerate ? "review" : "sql", err);
	else if (!(ret = session_for_engine(s, p->d, err)))
		ret = assume_history(s, p->d, from, oo->down, err);
	if (ret == ERR_INTEGRITY && oo->tolerate && s->planned)
		ret = tolerate(s, oo, p, err);
	if (ret || p->problem.code)
		goto out;
	p->guard.version = s->plan.current;
	for (i = 0; i < s->h.nr; i++)
		p->guard.applied += s->h.rows[i].version != NULL;
	if (oo->down) {
		/* Stored rows need a down script; assumed ones take the
		 * bundle's, which must have one. */
		for (i = 0; !s->o->db && i < s->plan.nr; i++) {
			const struct plan_item *it = &s->plan.items[i];

			if (it->row && it->mig && it->mig->version &&
			    it->up && !it->down && (!strcmp(to, "base") ||
			    version_cmp(it->mig->version, to) > 0))
				buf_addf(&b, "%s%s %s", b.len ? ", " : "",
				    it->mig->version, it->mig->name);
		}
		if (b.len) {
			ret = err_set(err, ERR_INPUT, "no down script in the "
			    "bundle for %s; nothing written", b.data);
			goto out;
		}
		ret = run_select_down(s, to, 0, &p->rows, &p->nr, err);
		if (!ret)
			p->reached = p->rows[p->nr] ? p->rows[p->nr]->version :
			    NULL;
	} else {
		ret = run_select_up(s, to, oo->allow_ooo, oo->single, &p->todo,
		    &p->nr, err);
		if (!ret)
			p->reached = run_reached(s->plan.current, p->todo, p->nr);
	}
	if (ret == ERR_INTEGRITY && oo->tolerate)
		ret = tolerate(s, oo, p, err);
out:
	buf_release(&b);
	return ret;
}

int offline_emit(struct session *s, const struct offline_opts *oo,
    struct offline_plan *p, struct ofile *out, struct err *err)
{
	struct run_step *done = NULL;
	struct buf b = BUF_INIT;
	size_t nr_done = 0;
	int ret;

	if (p->problem.code)
		BUG("a script for a refused plan");
	if ((ret = emit_open(&s->db, p->d, out, s->o->table, &s->o->ddl,
	    &p->guard, err)))
		goto out;
	header(&b, s, p->d, oo->down, s->plan.current, p->reached, p->nr);
	if ((ret = ofile_write(out, b.data, b.len, err)))
		goto out;
	done = xcalloc(p->nr + 1, sizeof(*done));
	ret = oo->down ? run_downs(s, p->rows, p->nr, 0, done, &nr_done, err) :
	    run_ups(s, p->todo, p->nr, oo->single, 0, done, &nr_done, err);
	if (ret)
		goto out;
	buf_reset(&b);
	buf_addf(&b, "-- End: the database is at %s.\n", p->reached ?
	    p->reached : "no version");
	ret = ofile_write(out, b.data, b.len, err);
out:
	buf_release(&b);
	free(done);
	return ret;
}

void offline_plan_release(struct offline_plan *p)
{
	free(p->todo);
	free(p->rows);
	p->todo = NULL;
	p->rows = NULL;
}

int offline_write(struct session *s, const char *bundle,
    const struct offline_opts *oo, struct err *err)
{
	struct offline_plan p;
	struct ofile *out = NULL;
	const char *path = oo->path;
	int ret;

	if ((ret = offline_plan(s, bundle, oo, &p, err)))
		goto out;
	/* Nothing is written before the header: a refusal leaves no file. */
	if (path && strcmp(path, "-")) {
		char *where = xstrdup(path);

		session_swept(s, afile_sweep_for(path), dirname(where));
		free(where);
	}
	out = xmalloc(sizeof(*out));
	if ((ret = ofile_open(out, path, ofile_is_gz(path), err))) {
		free(out);
		out = NULL;
		goto out;
	}
	if (!(ret = offline_emit(s, oo, &p, out, err)))
		ret = ofile_commit(out, err);
out:
	if (out) {
		ofile_abort(out);
		free(out);
	}
	offline_plan_release(&p);
	return ret;
}
