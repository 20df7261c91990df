/* Running one migration, up or down, and keeping its history row true to
 * what the database holds. */
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "xalloc.h"

/* Create the history table within the open transaction if there is none;
 * the caller marks it existing once that transaction commits. */
static int ensure_table(struct session *s, struct err *err)
{
	return s->h.exists ? 0 : s->db->drv->history_create(s->db, err);
}

/* Write row in a transaction of its own (for the dirty flag, which must be
 * visible whatever happens next). */
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
	if (!ret)
		ret = d->commit(db, err);
out:
	if (ret)
		d->rollback(db);
	else
		s->h.exists = 1;
	return ret;
}

int run_up(struct session *s, const struct plan_item *it,
    const struct buf *up, const struct buf *down, int outer, int64_t *ms,
    struct err *err)
{
	const struct driver *d = s->db->drv;
	struct script sc = { it->up ? it->up->file.path : "(no script)",
	    up->data, up->len, it->up ? it->up->tx : TX_TRANSACTION };
	struct hist_row row;
	int64_t t0;
	int ret;

	session_row(s, it, down ? down->data : NULL, &row);
	if (sc.tx == TX_NONE) {
		row.state = HIST_DIRTY;
		if ((ret = write_row(s, it->row != NULL, &row, err)))
			goto out;
		t0 = clock_ms();
		if ((ret = d->exec(s->db, &sc, err)))
			goto out;	/* the row stays dirty */
		row.execution_ms = clock_ms() - t0;
		row.state = HIST_APPLIED;
		ret = write_row(s, 1, &row, err);
		goto out;
	}
	if (!outer && (ret = d->begin(s->db, err)))
		goto out;
	if ((ret = ensure_table(s, err))) {
		if (!outer)
			d->rollback(s->db);
		goto out;
	}
	t0 = clock_ms();
	ret = d->exec(s->db, &sc, err);
	row.execution_ms = clock_ms() - t0;
	if (!ret)
		ret = it->row ? d->history_update(s->db, &row, err) :
		    d->history_insert(s->db, &row, err);
	if (!ret && !outer)
		ret = d->commit(s->db, err);
	if (ret && !outer)
		d->rollback(s->db);
	if (!ret)
		s->h.exists = 1;
out:
	*ms = row.execution_ms;
	hist_row_release(&row);
	return ret;
}

int run_down(struct session *s, const struct hist_row *row, int64_t *ms,
    struct err *err)
{
	const struct driver *d = s->db->drv;
	char *path = xasprintf("%s[%s].down_script", s->o->table,
	    row->version ? row->version : row->name);
	struct script sc = { path, row->down, strlen(row->down),
	    row->down_tx };
	struct hist_row dirty = *row;
	int64_t t0;
	int ret;

	*ms = 0;
	if (sc.tx == TX_NONE) {
		dirty.state = HIST_DIRTY;
		if ((ret = write_row(s, 1, &dirty, err)))
			goto out;
		t0 = clock_ms();
		if ((ret = d->exec(s->db, &sc, err)))
			goto out;	/* the row stays dirty */
		*ms = clock_ms() - t0;
		if ((ret = d->begin(s->db, err)))
			goto out;
	} else {
		if ((ret = d->begin(s->db, err)))
			goto out;
		t0 = clock_ms();
		ret = d->exec(s->db, &sc, err);
		*ms = clock_ms() - t0;
	}
	if (!ret)
		ret = d->history_delete(s->db, row, err);
	if (!ret)
		ret = d->commit(s->db, err);
	if (ret)
		d->rollback(s->db);
out:
	free(path);
	return ret;
}
