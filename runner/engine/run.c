/* Running one migration, up or down, and keeping its history row true to
 * what the database holds. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "runner.h"
#include "split.h"
#include "txscan.h"
#include "version.h"
#include "xalloc.h"

/* Create the history table within the open transaction if there is none;
 * the caller marks it existing once that transaction commits. */
static int ensure_table(struct session *s, struct err *err)
{
	return s->h.exists ? 0 : s->db->drv->history_create(s->db, err);
}

/* Write row in a transaction of its own (for the dirty flag, which must be
 * visible whatever happens next), with its progress. */
static int write_row(struct session *s, int exists,
    const struct hist_row *row, struct err *err)
{
	struct db *db = s->db;
	const struct driver *d = db->drv;
	int ret;

	if ((ret = d->begin(db, err)) || (ret = ensure_table(s, err)))
		goto out;
	ret = exists ? d->history_update(db, row, err) :
	    d->history_insert(db, row, err);
	if (!ret && d->history_progress)
		ret = d->history_progress(db, row, err);
	if (!ret)
		ret = d->commit(db, err);
out:
	if (ret)
		d->rollback(db);
	else
		s->h.exists = 1;
	return ret;
}

#define NOTX_WARNING "WARNING: runs outside a transaction, each statement " \
	"on its own.  Its history\nrow is 'dirty' until it has finished: if " \
	"it stops part way, finish or undo\nit by hand, then run 'migrun " \
	"repair'.\n"

/* Tell a script-writing driver what comes next (driver.h: note). */
static int note(struct session *s, struct buf *b, struct err *err)
{
	int ret = s->db->drv->note(s->db, b->data, err);

	buf_release(b);
	return ret;
}

static int note_up(struct session *s, const struct plan_item *it,
    struct err *err)
{
	struct buf b = BUF_INIT;

	if (!s->db->drv->note)
		return 0;
	if (it->mig->version)
		buf_addf(&b, "Migration %s %s\n", it->mig->version,
		    it->mig->name);
	else
		buf_addf(&b, "Repeatable migration %s\n", it->mig->name);
	if (it->up)
		buf_addf(&b, "up script %s (%s%s)\n", it->up->file.path,
		    CHECKSUM_PREFIX, it->up->file.sha256);
	else
		buf_addf(&b, "no script for %s: recorded as applied, runs "
		    "nothing\n", dialect_name(s->db->drv->dialect));
	if (plan_item_notx(it))
		buf_addstr(&b, NOTX_WARNING);
	return note(s, &b, err);
}

/*
 * A script run in the migration's transaction that runs its own (a bundle
 * from a migpack that did not look): its COMMIT would commit part of the
 * migration without its row.  Refused before it runs.
 */
static int own_tx(struct session *s, const struct script *sc,
    const char *fix, struct err *err)
{
	struct txneed n;

	if (sc->tx == TX_NONE || !txscan(sc->text, sc->len,
	    s->db->drv->dialect, 0, &n) || n.kind != TXN_OWN)
		return 0;
	return err_set(err, ERR_INPUT, "%s:%u: %s: the script runs its own "
	    "transactions, and it was bundled to run inside migrun's, where "
	    "it would commit part of the migration without its history row; "
	    "nothing of it was run: %s", sc->path, n.line, n.what, fix);
}

/* A migration whose statement waited too long for a lock is tried again,
 * after a wait from BACKOFF_MIN_MS doubling up to BACKOFF_MAX_MS. */
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000

/* The attempts at one migration. */
struct attempts {
	struct session *s;
	char what[160];		/* "0005 add_fk", for the lines it prints */
	unsigned nr;		/* this attempt's number, from 1 */
	unsigned done;		/* statements of a no-transaction script done */
	int dirty;		/* its dirty row is written */
	struct hist_row *row;	/* an up script's: its progress recorded */
	struct lockwait w;
};

/* The attempts at a migration, the format saying which for the lines they
 * print. */
static void attempts_init(struct attempts *a, struct session *s,
    const char *fmt, ...) ATTR_PRINTF(3, 4);
static void attempts_init(struct attempts *a, struct session *s,
    const char *fmt, ...)
{
	va_list ap;

	memset(a, 0, sizeof(*a));
	a->s = s;
	va_start(ap, fmt);
	vsnprintf(a->what, sizeof(a->what), fmt, ap);
	va_end(ap);
	a->nr = 1;
	lockwait_start(&a->w, BACKOFF_MAX_MS, BACKOFF_MIN_MS, 0);
}

/* Before each statement of a no-transaction script, and after the last:
 * an up script's row records how far it got. */
static int step_done(void *arg, unsigned done, const char *note,
    struct err *err)
{
	struct attempts *a = arg;
	struct db *db = a->s->db;

	a->done = done;
	if (!a->row || !db->drv->history_progress)
		return 0;
	a->row->statements_done = done;
	free(a->row->resume_note);
	a->row->resume_note = note ? xstrdup(note) : NULL;
	return db->drv->history_progress(db, a->row, err);
}

/* The statements of a script, as the engine's client splits them. */
static unsigned count_statements(enum dialect d, const struct script *sc,
    unsigned nth, struct stmt *at)
{
	struct splitter sp;
	struct stmt st;
	unsigned n = 0;

	if (d == DIALECT_SQLITE)
		split_init_sqlite(&sp, sc->text, sc->len);
	else
		split_init(&sp, sc->text, sc->len);
	while (split_next(&sp, &st))
		if (n++ == nth && at)
			*at = st;
	return n;
}

/* After a failed attempt, with nothing left open: whether to try again,
 * which is when its statement waited too long for a lock and --ddl-retries
 * allow another.  Says so in one line, then waits. */
static int try_again(struct attempts *a, const struct err *err)
{
	unsigned retries = a->s->o->ddl.retries, ms;
	struct buf line = BUF_INIT;
	const char *p;

	if (!a->s->db->lock_timed_out || a->nr > retries)
		return 0;
	ms = lockwait_backoff(&a->w, a->nr);
	if (!a->s->o->quiet) {
		for (p = err->msg; *p; p++)
			if (*p == '\n')
				buf_addstr(&line, "; ");
			else
				buf_addch(&line, *p);
		fprintf(stderr, "migrun: %s: attempt %u of %u: %s; trying "
		    "again in %.1f s\n", a->what, a->nr, retries + 1,
		    line.data, ms / 1000.0);
		buf_release(&line);
	}
	lockwait_sleep(ms);
	a->nr++;
	return 1;
}

/* The end of a migration's last attempt. */
static int attempts_end(const struct attempts *a, int ret, struct err *err)
{
	if (ret && a->s->db->lock_timed_out)
		err_append(err, "\nno lock in %u attempt%s (--ddl-lock-timeout, "
		    "--ddl-retries)", a->nr, a->nr == 1 ? "" : "s");
	return ret;
}

/* One attempt at a migration up, sc its script. */
static int up_once(struct session *s, const struct plan_item *it,
    struct script *sc, struct hist_row *row, int outer, struct attempts *a,
    struct err *err)
{
	const struct driver *d = s->db->drv;
	int64_t t0;
	int ret;

	if (sc->tx == TX_NONE) {
		row->state = HIST_DIRTY;
		row->statements = (long)count_statements(d->dialect, sc, 0,
		    NULL);
		if (!a->dirty && (ret = write_row(s, it->row != NULL, row,
		    err)))
			return ret;
		a->dirty = 1;
		a->row = row;
		sc->skip = a->done;
		t0 = clock_ms();
		ret = d->exec(s->db, sc, err);
		row->execution_ms += clock_ms() - t0;
		a->row = NULL;
		if (ret)
			return ret;	/* the row stays dirty */
		row->state = HIST_APPLIED;
		row->statements = row->statements_done = 0;
		return write_row(s, 1, row, err);
	}
	if (!outer && (ret = d->begin(s->db, err)))
		return ret;
	if ((ret = ensure_table(s, err))) {
		if (!outer)
			d->rollback(s->db);
		return ret;
	}
	t0 = clock_ms();
	ret = d->exec(s->db, sc, err);
	row->execution_ms = clock_ms() - t0;
	if (!ret)
		ret = it->row ? d->history_update(s->db, row, err) :
		    d->history_insert(s->db, row, err);
	if (!ret && !outer)
		ret = d->commit(s->db, err);
	if (ret && !outer)
		d->rollback(s->db);
	if (!ret)
		s->h.exists = 1;
	return ret;
}

/* A dirty migration that apply --resume goes on with (run_select_up
 * checked it can): from the first statement its row does not record as
 * done, after what the one in flight left is cleaned up. */
static int resume(struct session *s, const struct plan_item *it,
    struct script *sc, struct attempts *a, struct err *err)
{
	struct stmt at = { 0, 0, 0, 0 };
	unsigned n, from = (unsigned)it->row->statements_done;
	size_t len;

	a->dirty = 1;
	a->done = from;
	sc->resume_note = it->row->resume_note;
	n = count_statements(s->db->drv->dialect, sc, from, &at);
	if (n != (unsigned long)it->row->statements || from > n)
		return err_set(err, ERR_INTEGRITY, "--resume: %s: the stopped "
		    "run recorded %ld of %ld statements done, and the script "
		    "has %u; nothing done", a->what, it->row->statements_done,
		    it->row->statements, n);
	if (s->o->quiet)
		return 0;
	if (from == n) {
		fprintf(stderr, "migrun: resuming %s: all %u statements are "
		    "done; recording it as applied\n", a->what, n);
		return 0;
	}
	len = strcspn(sc->text + at.off, "\n");
	fprintf(stderr, "migrun: resuming %s at statement %u of %u (%s:%u): "
	    "%.*s%s\n", a->what, from + 1, n, sc->path, at.line,
	    (int)(len > 72 ? 72 : len), sc->text + at.off,
	    len > 72 || len < at.len ? " ..." : "");
	return 0;
}

int run_up(struct session *s, const struct plan_item *it,
    const struct buf *up, const struct buf *down, int outer, int64_t *ms,
    struct err *err)
{
	struct script sc = { .path = it->up ? it->up->file.path :
	    "(no script)", .text = up->data, .len = up->len,
	    .tx = it->up ? it->up->tx : TX_TRANSACTION, .migration = 1,
	    .step = step_done };
	struct attempts a;
	struct hist_row row;
	int ret;

	attempts_init(&a, s, "%s %s", plan_item_label(it), it->mig->name);
	sc.arg = &a;
	session_row(s, it, down ? down->data : NULL, &row);
	if ((ret = own_tx(s, &sc, "rebuild the bundle with this version of "
	    "migpack, which runs such scripts outside a transaction, or mark "
	    "the script '-- migpack:no-transaction'", err)) ||
	    (ret = note_up(s, it, err)))
		goto out;
	if (it->state == ST_DIRTY && (ret = resume(s, it, &sc, &a, err)))
		goto out;
	do {
		ret = up_once(s, it, &sc, &row, outer, &a, err);
		sc.resume_note = NULL;	/* cleaned up, or said why not */
		if (s->db->said[0] && !s->o->quiet)
			fprintf(stderr, "migrun: %s: %s\n", a.what,
			    s->db->said);
	} while (ret && !outer && try_again(&a, err));
	if (!outer)	/* else the run is tried again: run_ups */
		ret = attempts_end(&a, ret, err);
out:
	*ms = row.execution_ms;
	hist_row_release(&row);
	return ret;
}

/* One attempt at rolling a migration back, sc its down script. */
static int down_once(struct session *s, const struct hist_row *row,
    struct script *sc, int64_t *ms, struct attempts *a, struct err *err)
{
	const struct driver *d = s->db->drv;
	struct hist_row dirty = *row;
	int64_t t0;
	int ret;

	if (sc->tx == TX_NONE) {
		dirty.state = HIST_DIRTY;
		if (!a->dirty && (ret = write_row(s, 1, &dirty, err)))
			return ret;
		a->dirty = 1;
		sc->skip = a->done;
		t0 = clock_ms();
		ret = d->exec(s->db, sc, err);
		*ms += clock_ms() - t0;
		if (ret || (ret = d->begin(s->db, err)))
			return ret;	/* the row stays dirty */
	} else {
		if ((ret = d->begin(s->db, err)))
			return ret;
		t0 = clock_ms();
		ret = d->exec(s->db, sc, err);
		*ms = clock_ms() - t0;
	}
	if (!ret)
		ret = d->history_delete(s->db, row, err);
	if (!ret)
		ret = d->commit(s->db, err);
	if (ret)
		d->rollback(s->db);
	return ret;
}

int run_down(struct session *s, const struct hist_row *row, int64_t *ms,
    struct err *err)
{
	char *path = xasprintf("%s[%s].down_script", s->o->table,
	    row->version ? row->version : row->name);
	struct script sc = { .path = path, .text = row->down,
	    .len = strlen(row->down), .tx = row->down_tx, .migration = 1,
	    .step = step_done };
	struct attempts a;
	int ret;

	*ms = 0;
	attempts_init(&a, s, "rolling back %s %s", row->version, row->name);
	sc.arg = &a;
	if ((ret = own_tx(s, &sc, "roll it back by hand, then remove its "
	    "row", err)))
		goto out;
	if (s->db->drv->note) {
		struct buf b = BUF_INIT;

		buf_addf(&b, "Roll back %s %s\n", row->version, row->name);
		if (sc.tx == TX_NONE)
			buf_addstr(&b, NOTX_WARNING);
		if ((ret = note(s, &b, err)))
			goto out;
	}
	do
		ret = down_once(s, row, &sc, ms, &a, err);
	while (ret && try_again(&a, err));
	ret = attempts_end(&a, ret, err);
out:
	free(path);
	return ret;
}

/* Refuse drift and out-of-order migrations, listing each one. */
static int check_plan(const struct plan *p, const struct plan_item **todo,
    size_t nr, int allow_ooo, struct err *err)
{
	struct buf b = BUF_INIT;
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < p->nr; i++) {
		const struct plan_item *it = &p->items[i];

		if (it->state != ST_CHANGED)
			continue;
		buf_addf(&b, "%s%s %s: applied as %s, the bundle has "
		    "sha256:%s", n++ ? "\n" : "", it->mig->version,
		    it->mig->name, it->row->checksum, plan_item_sum(it));
	}
	if (n) {
		ret = err_set(err, ERR_INTEGRITY, "drift: %zu applied "
		    "migration%s changed since %s applied; nothing done\n%s",
		    n, n == 1 ? "" : "s", n == 1 ? "it was" : "they were",
		    b.data);
		goto out;
	}
	for (i = 0; i < nr && !allow_ooo; i++)
		if (todo[i]->out_of_order)
			buf_addf(&b, "%s%s %s", n++ ? ", " : "",
			    todo[i]->mig->version, todo[i]->mig->name);
	if (n)
		ret = err_set(err, ERR_INTEGRITY, "out of order: pending "
		    "below the newest applied migration: %s; nothing done "
		    "(--allow-out-of-order applies them)", b.data);
out:
	buf_release(&b);
	return ret;
}

int run_select_up(const struct session *s, const char *to, int allow_ooo,
    int single, const struct plan_item ***todo, size_t *nr, struct err *err)
{
	const char *latest = plan_latest(&s->plan);
	const struct plan_item **t;
	size_t i, n = 0;
	int ret;

	*todo = t = xreallocarray(NULL, s->plan.nr + 1, sizeof(*t));
	for (i = 0; i < s->plan.nr; i++) {
		const struct plan_item *it = &s->plan.items[i];

		if (it->state != ST_PENDING)
			continue;
		if (it->mig->kind == KIND_VERSIONED && to &&
		    version_cmp(it->mig->version, to) > 0)
			continue;
		if (it->mig->kind == KIND_REPEATABLE && to &&
		    version_cmp(to, latest) < 0)
			continue;
		t[n++] = it;
	}
	*nr = n;
	if ((ret = check_plan(&s->plan, t, n, allow_ooo, err)))
		return ret;
	for (i = 0; single && i < n; i++)
		if (plan_item_notx(t[i]))
			return err_set(err, ERR_INPUT, "--single-transaction: "
			    "migration %s %s runs outside a transaction (%s); "
			    "nothing done", plan_item_label(t[i]),
			    t[i]->mig->name, t[i]->up->file.path);
	return 0;
}

int run_select_resume(const struct session *s, const char *to,
    const struct plan_item **todo, size_t *nr, struct err *err)
{
	const struct plan_item *it = NULL;
	size_t i, dirty = 0;

	for (i = 0; i < s->plan.nr; i++)
		if (s->plan.items[i].state == ST_DIRTY) {
			it = &s->plan.items[i];
			dirty++;
		}
	if (!dirty)
		return err_set(err, ERR_INPUT, "--resume: no migration is "
		    "dirty; nothing to resume, nothing done");
	if (dirty > 1)
		return err_set(err, ERR_INTEGRITY, "--resume: %zu migrations "
		    "are dirty, where a run leaves one at most; finish or undo "
		    "them by hand, then run 'migrun repair'; nothing done",
		    dirty);
	if (!it->mig)
		return err_set(err, ERR_INPUT, "--resume: dirty migration %s "
		    "%s is not in the bundle; nothing done",
		    plan_item_label(it), it->row->name);
	if (strncmp(it->row->checksum, CHECKSUM_PREFIX, CHECKSUM_PREFIX_LEN) ||
	    strcmp(it->row->checksum + CHECKSUM_PREFIX_LEN, plan_item_sum(it)))
		return err_set(err, ERR_INTEGRITY, "--resume: dirty migration "
		    "%s %s ran as %s, the bundle has sha256:%s: not the script "
		    "that stopped; nothing done", plan_item_label(it),
		    it->mig->name, it->row->checksum, plan_item_sum(it));
	if (!plan_item_notx(it) || !it->row->statements)
		return err_set(err, ERR_INPUT, "--resume: dirty migration %s "
		    "%s records no progress to resume from (it stopped while "
		    "being rolled back, or an older migrun ran it): finish or "
		    "undo it by hand, then run 'migrun repair'; nothing done",
		    plan_item_label(it), it->mig->name);
	if (to && it->mig->version && version_cmp(it->mig->version, to) > 0)
		return err_set(err, ERR_INPUT, "--resume: --to %s is below the "
		    "dirty migration %s; nothing done", to, it->mig->version);
	memmove(todo + 1, todo, *nr * sizeof(*todo));
	todo[0] = it;
	(*nr)++;
	return 0;
}

const char *run_reached(const char *from, const struct plan_item **todo,
    size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		from = version_max(from, todo[i]->mig->version);
	return from;
}

/* A migration starts: the session's hook hears it, else a terminal's
 * user with progress. */
static void step(const struct session *s, int progress, size_t i, size_t nr,
    const char *version, const char *name)
{
	char what[160];

	if (s->doing) {
		snprintf(what, sizeof(what), "%s %s", version, name);
		s->doing(what, i, nr);
	} else if (progress)
		fprintf(stderr, "[%zu/%zu] %s %s\n", i, nr, version, name);
}

/* One pass of run_ups. */
static int ups_once(struct session *s, const struct plan_item **todo,
    size_t nr, int single, int progress, struct run_step *done,
    size_t *nr_done, struct err *err)
{
	const struct driver *d = s->db->drv;
	struct cursor cur = { NULL, NULL };
	struct buf up = BUF_INIT, down = BUF_INIT;
	int in_tx = 0, ret = 0;
	size_t i;

	*nr_done = 0;
	if (!nr)
		return 0;
	if ((ret = cursor_open(&cur, s, err)))
		goto out;
	if (single) {
		if ((ret = d->begin(s->db, err)))
			goto out;
		in_tx = 1;
	}
	for (i = 0; i < nr; i++) {
		const struct plan_item *it = todo[i];
		const struct manifest_script *want[2] = { it->up, it->down };
		struct buf *into[2] = { &up, &down };
		int64_t ms;

		if ((ret = cursor_fetch(&cur, want, into, 2, err)))
			goto out;
		step(s, progress, i + 1, nr, it->mig->version ?
		    it->mig->version : "repeatable", it->mig->name);
		if ((ret = run_up(s, it, &up, it->down ? &down : NULL, single,
		    &ms, err)))
			goto out;
		done[(*nr_done)++] = (struct run_step){ it->mig->version,
		    it->mig->name, it->mig->kind, ms };
	}
	if (in_tx) {
		in_tx = 0;
		ret = d->commit(s->db, err);
	}
out:
	if (in_tx)
		d->rollback(s->db);
	if (cur.r)
		cursor_close(&cur);
	buf_release(&up);
	buf_release(&down);
	return ret;
}

int run_ups(struct session *s, const struct plan_item **todo, size_t nr,
    int single, int progress, struct run_step *done, size_t *nr_done,
    struct err *err)
{
	struct attempts a;
	int exists = s->h.exists, ret;

	/* In one transaction for the whole run, a migration that waited too
	 * long for a lock rolls the whole run back: the run is tried again,
	 * from the start, the bundle read anew. */
	attempts_init(&a, s, "the run (--single-transaction)");
	for (;;) {
		ret = ups_once(s, todo, nr, single, progress, done, nr_done,
		    err);
		if (!ret || !single || !try_again(&a, err))
			break;
		s->h.exists = exists;
	}
	return single ? attempts_end(&a, ret, err) : ret;
}

void run_ups_failed(struct session *s, const char *from,
    const struct plan_item **todo, size_t nr, size_t nr_done, int single,
    struct err *err)
{
	const struct plan_item *it = nr_done < nr ? todo[nr_done] : NULL;
	struct history now = HISTORY_INIT;
	const struct hist_row *row = NULL;
	const char *reached;
	char how[256], at[256];
	size_t i;

	if (!it)
		return;		/* the final commit: its message says it */
	reached = session_now(s, &now, run_reached(from, todo, nr_done));
	snprintf(at, sizeof(at), "the database is at %s (%zu applied by this "
	    "run)", reached ? reached : "no version", nr_done);
	for (i = 0; i < now.nr; i++)
		if (now.rows[i].state == HIST_DIRTY)
			row = &now.rows[i];
	if (!plan_item_notx(it))
		snprintf(how, sizeof(how), " and was rolled back");
	else if (row && row->statements)
		snprintf(how, sizeof(how), " outside a transaction, with %ld of "
		    "%ld statements done: it is marked dirty; once the cause "
		    "is fixed, 'migrun apply --resume' goes on from there (or "
		    "finish or undo it by hand, then 'migrun repair')",
		    row->statements_done, row->statements);
	else
		snprintf(how, sizeof(how), " outside a transaction: it is "
		    "marked dirty until fixed by hand and 'migrun repair'");
	err_append(err, "\nmigration %s %s failed%s; %s", plan_item_label(it),
	    it->mig->name, how, single ? "nothing was applied "
	    "(--single-transaction)" : at);
	history_release(&now);
}

/* With a bundle, its down script for each row must be the stored one. */
static int check_bundle(const struct session *s, struct hist_row **rows,
    size_t nr, struct err *err)
{
	struct buf b = BUF_INIT;
	char hex[CHECKSUM_HEX_LEN + 1];
	size_t i, j, n = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		const struct manifest_migration *mig = NULL;
		const struct manifest_script *down;

		for (j = 0; j < s->m.nr_migrations && !mig; j++)
			if (s->m.migrations[j].version &&
			    !version_cmp(s->m.migrations[j].version,
			    rows[i]->version))
				mig = &s->m.migrations[j];
		if (!mig)
			continue;	/* an older bundle: nothing to compare */
		down = manifest_script_for(mig, ROLE_DOWN, s->dialect);
		checksum_buf(rows[i]->down, strlen(rows[i]->down), hex);
		if (down && !strcmp(down->file.sha256, hex))
			continue;
		if (!manifest_script_for(mig, ROLE_UP, s->dialect) &&
		    !strcmp(hex, CHECKSUM_EMPTY))
			continue;	/* a no-op on this engine */
		buf_addf(&b, "%s%s %s: %s", n++ ? "\n" : "", rows[i]->version,
		    rows[i]->name, down ? "the bundle's down script differs "
		    "from the stored one" : "the bundle has no down script");
	}
	if (n)
		ret = err_set(err, ERR_INTEGRITY, "the bundle and the history "
		    "disagree; nothing rolled back\n%s", b.data);
	buf_release(&b);
	return ret;
}

int run_select_down(const struct session *s, const char *to, long steps,
    struct hist_row ***out, size_t *pick, struct err *err)
{
	struct hist_row **rows;
	struct buf b = BUF_INIT;
	size_t i, nr = 0, n;
	int ret = 0;

	*out = rows = xreallocarray(NULL, s->h.nr + 1, sizeof(*rows));
	for (i = 0; i < s->h.nr; i++)
		if (s->h.rows[i].kind == KIND_VERSIONED)
			rows[nr++] = &s->h.rows[i];
	if (nr)
		qsort(rows, nr, sizeof(*rows), hist_row_newest_first);
	rows[nr] = NULL;
	if (steps) {
		if ((size_t)steps > nr)
			return err_set(err, ERR_INPUT, "--steps %ld: only %zu "
			    "migration%s applied", steps, nr,
			    nr == 1 ? " is" : "s are");
		n = (size_t)steps;
	} else if (!strcmp(to, "base")) {
		n = nr;
	} else {
		for (n = 0; n < nr; n++)
			if (version_cmp(rows[n]->version, to) <= 0)
				break;
		if (n == nr || version_cmp(rows[n]->version, to))
			return err_set(err, ERR_INPUT, "--to %s: not an "
			    "applied migration (see 'migrun history')", to);
	}
	*pick = n;
	for (i = 0; i < n; i++)
		if (!rows[i]->down)
			buf_addf(&b, "%s%s %s", b.len ? ", " : "",
			    rows[i]->version, rows[i]->name);
	if (b.len)
		ret = err_set(err, ERR_INPUT, "no down script stored for %s; "
		    "nothing rolled back", b.data);
	else if (s->bundle)
		ret = check_bundle(s, rows, n, err);
	buf_release(&b);
	return ret;
}

int run_downs(struct session *s, struct hist_row **rows, size_t nr,
    int progress, struct run_step *done, size_t *nr_done, struct err *err)
{
	size_t i;
	int ret;

	*nr_done = 0;
	for (i = 0; i < nr; i++) {
		step(s, progress, i + 1, nr, rows[i]->version, rows[i]->name);
		done[i] = (struct run_step){ rows[i]->version, rows[i]->name,
		    KIND_VERSIONED, 0 };
		if ((ret = run_down(s, rows[i], &done[i].ms, err)))
			return ret;
		(*nr_done)++;
	}
	return 0;
}
