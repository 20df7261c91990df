/* migrun check: each migration up, down and up again (check.h). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "schema.h"
#include "version.h"
#include "xalloc.h"

/* The history table as a snapshot's keys name it. */
static const char *history_key(const struct session *s)
{
	const char *t = s->o->table;

	return !strncmp(t, "public.", 7) ? t + 7 : t;
}

/* The schema now; cache (when not NULL) holds the parts of the tables of
 * the snapshots before it (schema.h). */
static int snapshot(struct session *s, struct schema_cache *cache,
    struct schema *out, struct err *err)
{
	return schema_read(s->db, history_key(s), cache, out, err);
}

int check_empty(struct session *s, struct err *err)
{
	struct schema now = SCHEMA_INIT;
	int ret;

	if ((ret = snapshot(s, NULL, &now, err)))
		return ret;
	if (now.nr || s->h.exists)
		ret = err_set(err, ERR_INPUT, "%s is not empty: it holds %s%s; "
		    "check runs only on an empty scratch database, and did "
		    "nothing", s->db->display, now.nr ? now.lines[0] :
		    s->o->table, now.nr > 1 ? " and more" : "");
	schema_release(&now);
	return ret;
}

/* What "PREV" is in messages: the migration before, or the empty schema. */
static void prev_name(const struct check_step *prev, char *out, size_t cap)
{
	if (prev)
		snprintf(out, cap, "%s %s", prev->version, prev->name);
	else
		snprintf(out, cap, "the empty database");
}

/* Compare is with want; on a difference, ERR_INTEGRITY in the words of
 * what happened: "LABEL: down leaves column users.email that 0006 did not
 * have". */
static int same(const struct schema *is, const struct schema *want,
    const char *label, const char *did, const char *whose, struct err *err)
{
	struct schema_delta d;
	char more[64] = "";
	int ret = 0;

	schema_compare(is, want, &d);
	if (d.count > 1)
		snprintf(more, sizeof(more), " (and %zu more difference%s)",
		    d.count - 1, d.count == 2 ? "" : "s");
	switch (d.diff) {
	case SCHEMA_SAME:
		break;
	case SCHEMA_EXTRA:
		ret = err_set(err, ERR_INTEGRITY, "%s: %s leaves %s that %s did "
		    "not have%s", label, did, d.object, whose, more);
		break;
	case SCHEMA_MISSING:
		ret = err_set(err, ERR_INTEGRITY, "%s: %s does not give back %s "
		    "that %s had%s", label, did, d.object, whose, more);
		break;
	case SCHEMA_CHANGED:
		ret = err_set(err, ERR_INTEGRITY, "%s: %s leaves %s as \"%s\", "
		    "where %s had \"%s\"%s", label, did, d.object, d.is, whose,
		    d.want, more);
		break;
	}
	schema_delta_release(&d);
	return ret;
}

/* The outcome, after a failure: where the scratch database is. */
static int failed(struct session *s, int ret, const char *what,
    struct err *err)
{
	struct history now = HISTORY_INIT;
	const char *at = session_now(s, &now, NULL);

	err_append(err, "\ncheck failed %s; the scratch database is at %s",
	    what, at ? at : "no version");
	history_release(&now);
	return ret;
}

/* Up, down, up again, for every versioned migration in order. */
static int each_way(struct session *s, struct check_report *r,
    struct err *err)
{
	struct schema before = SCHEMA_INIT, after = SCHEMA_INIT,
	    back = SCHEMA_INIT;
	struct buf up = BUF_INIT, down = BUF_INIT;
	struct cursor cur = { NULL, NULL };
	struct check_step *prev = NULL;
	char label[256], whose[256], what[300];
	size_t i;
	int ret;

	if ((ret = snapshot(s, &r->cache, &before, err)) ||
	    (ret = cursor_open(&cur, s, err)))
		goto out;
	for (i = 0; i < s->plan.nr; i++) {
		const struct plan_item *it = &s->plan.items[i];
		const struct manifest_script *want[2] = { it->up, it->down };
		struct buf *into[2] = { &up, &down };
		struct plan_item once = *it;
		struct check_step *st;
		struct hist_row row;

		if (!it->mig || it->mig->kind != KIND_VERSIONED)
			continue;
		st = &r->steps[r->nr++];
		*st = (struct check_step){ it->mig->version, it->mig->name,
		    -1, -1, -1, NULL, NULL, NULL };
		snprintf(label, sizeof(label), "%s %s", st->version, st->name);
		prev_name(prev, whose, sizeof(whose));
		once.row = NULL;
		buf_reset(&up);
		buf_reset(&down);
		if ((ret = cursor_fetch(&cur, want, into, 2, err)))
			goto out;
		snprintf(what, sizeof(what), "at %s's up", label);
		st->up = "failed";
		if ((ret = run_up(s, &once, &up, it->down ? &down : NULL, 0,
		    &st->up_ms, err))) {
			ret = failed(s, ret, what, err);
			goto out;
		}
		st->up = "ok";
		schema_release(&after);
		if ((ret = snapshot(s, &r->cache, &after, err)))
			goto out;
		if (!it->down) {
			st->down = st->reup = "none";
		} else {
			session_row(s, &once, down.data, &row);
			st->down = "failed";
			snprintf(what, sizeof(what), "at %s's down", label);
			ret = run_down(s, &row, &st->down_ms, err);
			hist_row_release(&row);
			if (ret) {
				ret = failed(s, ret, what, err);
				goto out;
			}
			schema_release(&back);
			if ((ret = snapshot(s, &r->cache, &back, err)))
				goto out;
			if ((ret = same(&back, &before, label, "down", whose,
			    err))) {
				st->down = "mismatch";
				goto out;
			}
			st->down = "ok";
			st->reup = "failed";
			snprintf(what, sizeof(what), "at %s's second up", label);
			if ((ret = run_up(s, &once, &up, &down, 0, &st->reup_ms,
			    err))) {
				ret = failed(s, ret, what, err);
				goto out;
			}
			schema_release(&back);
			if ((ret = snapshot(s, &r->cache, &back, err)))
				goto out;
			if ((ret = same(&back, &after, label, "up after down",
			    "the first up", err))) {
				st->reup = "mismatch";
				goto out;
			}
			st->reup = "ok";
		}
		schema_release(&before);
		before = after;
		after = (struct schema)SCHEMA_INIT;
		prev = st;
	}
out:
	if (cur.r)
		cursor_close(&cur);
	schema_release(&before);
	schema_release(&after);
	schema_release(&back);
	buf_release(&up);
	buf_release(&down);
	return ret;
}

/* Down to base with the stored down scripts, newest first, as far as they
 * go; at base, the empty schema. */
static int to_base(struct session *s, struct check_report *r,
    struct err *err)
{
	struct schema now = SCHEMA_INIT, empty = SCHEMA_INIT;
	struct hist_row **rows;
	size_t i, n = 0;
	char what[300];
	int64_t ms;
	int ret = 0;

	rows = xreallocarray(NULL, s->h.nr + 1, sizeof(*rows));
	for (i = 0; i < s->h.nr; i++)
		if (s->h.rows[i].version)
			rows[n++] = &s->h.rows[i];
	qsort(rows, n, sizeof(*rows), hist_row_newest_first);
	r->base = "failed";
	for (i = 0; i < n; i++) {
		if (!rows[i]->down) {
			r->base = NULL;
			r->stopped_at = xstrdup(rows[i]->version);
			goto out;
		}
		snprintf(what, sizeof(what), "going down to base, at %s %s",
		    rows[i]->version, rows[i]->name);
		if ((ret = run_down(s, rows[i], &ms, err))) {
			ret = failed(s, ret, what, err);
			goto out;
		}
	}
	if ((ret = snapshot(s, &r->cache, &now, err)))
		goto out;
	r->base = "mismatch";
	if ((ret = same(&now, &empty, "down to base", "rolling everything "
	    "back", "the empty database", err)))
		goto out;
	r->base = "ok";
out:
	free(rows);
	schema_release(&now);
	return ret;
}

/* Everything once more, the repeatable migrations too, as apply runs it. */
static int reapply(struct session *s, struct check_report *r,
    struct err *err)
{
	const struct plan_item **todo = NULL;
	struct run_step *done = NULL;
	size_t i, nr = 0, nr_done = 0;
	int ret;

	r->reapply = "failed";
	if ((ret = session_replan(s, err)) ||
	    (ret = run_select_up(s, NULL, 0, 0, &todo, &nr, err)))
		goto out;
	done = xreallocarray(NULL, nr + 1, sizeof(*done));
	if ((ret = run_ups(s, todo, nr, 0, 0, done, &nr_done, err))) {
		ret = failed(s, ret, "applying everything again", err);
		goto out;
	}
	for (i = 0; i < nr; i++)
		r->repeatables += todo[i]->mig->kind == KIND_REPEATABLE;
	r->reapply = "ok";
out:
	free(todo);
	free(done);
	return ret;
}

int check_run(struct session *s, struct check_report *r, struct err *err)
{
	int ret;

	memset(r, 0, sizeof(*r));
	r->steps = xreallocarray(NULL, s->plan.nr + 1, sizeof(*r->steps));
	if ((ret = each_way(s, r, err)) || (ret = session_replan(s, err)) ||
	    (ret = to_base(s, r, err)) || (ret = reapply(s, r, err)) ||
	    (ret = session_replan(s, err)))
		return ret;
	r->reached = s->plan.current;
	return 0;
}

void check_report_release(struct check_report *r)
{
	free(r->steps);
	free(r->stopped_at);
	schema_cache_release(&r->cache);
	memset(r, 0, sizeof(*r));
}
