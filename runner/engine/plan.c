/* Pending, changed, missing: a bundle beside a database's history. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "plan.h"
#include "version.h"
#include "xalloc.h"

static const char *const state_names[] = {
	"applied", "pending", "changed", "missing", "dirty",
};

const char *mig_state_name(enum mig_state s)
{
	return state_names[s];
}

const char *plan_item_name(const struct plan_item *it)
{
	return it->mig ? it->mig->name : it->row->name;
}

const char *plan_item_version(const struct plan_item *it)
{
	return it->mig ? it->mig->version : it->row->version;
}

enum mig_kind plan_item_kind(const struct plan_item *it)
{
	return it->mig ? it->mig->kind : it->row->kind;
}

const char *plan_item_sum(const struct plan_item *it)
{
	return it->up ? it->up->file.sha256 : CHECKSUM_EMPTY;
}

int plan_item_notx(const struct plan_item *it)
{
	return it->up && it->up->tx == TX_NONE;
}

const char *plan_item_label(const struct plan_item *it)
{
	const char *v = plan_item_version(it);

	return v ? v : plan_item_name(it);
}

static int item_cmp(const void *a, const void *b)
{
	const struct plan_item *x = a, *y = b;
	enum mig_kind kx = plan_item_kind(x), ky = plan_item_kind(y);

	if (kx != ky)
		return kx == KIND_VERSIONED ? -1 : 1;
	if (kx == KIND_VERSIONED)
		return version_cmp(plan_item_version(x), plan_item_version(y));
	return strcmp(plan_item_name(x), plan_item_name(y));
}

/* History rows in migration order: versioned by version, then repeatable
 * by name; equal rows are one migration. */
static int row_cmp(const struct hist_row *a, const struct hist_row *b)
{
	if (a->kind != b->kind)
		return a->kind == KIND_VERSIONED ? -1 : 1;
	if (a->kind == KIND_VERSIONED)
		return version_cmp(a->version, b->version);
	return strcmp(a->name, b->name);
}

static int row_ptr_cmp(const void *a, const void *b)
{
	return row_cmp(*(const struct hist_row *const *)a,
	    *(const struct hist_row *const *)b);
}

static struct plan_item *add_item(struct plan *p, enum dialect d)
{
	struct plan_item *it;

	ALLOC_GROW(p->items, p->nr + 1, p->alloc);
	it = &p->items[p->nr++];
	memset(it, 0, sizeof(*it));
	it->dialect = d;
	return it;
}

int plan_build(struct plan *p, const struct manifest *m, enum dialect d,
    const struct history *h, struct err *err)
{
	const struct hist_row **sorted, *const *hit;
	struct hist_row key;
	const struct hist_row *keyp = &key;
	const char *newest = NULL;
	char *matched;
	size_t i, j;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	memset(&key, 0, sizeof(key));
	matched = xcalloc(h->nr + 1, 1);
	sorted = xreallocarray(NULL, h->nr + 1, sizeof(*sorted));

	for (i = 0; i < h->nr; i++) {
		const struct hist_row *r = &h->rows[i];

		if (r->kind == KIND_VERSIONED && (!r->version ||
		    !version_valid(r->version, strlen(r->version),
		    VERSION_ALLOW_UNDERSCORE))) {
			ret = err_set(err, ERR_INTEGRITY, "the history's row "
			    "for %s has no valid version", r->name);
			goto out;
		}
	}
	/* Sorted once, so matching is a binary search: a plan of thousands
	 * of migrations costs n log n, not n squared. */
	for (i = 0; i < h->nr; i++)
		sorted[i] = &h->rows[i];
	if (h->nr)
		qsort(sorted, h->nr, sizeof(*sorted), row_ptr_cmp);
	/* Two rows for one migration: the table was edited by hand. */
	for (i = 1; i < h->nr; i++) {
		const struct hist_row *x = sorted[i - 1], *y = sorted[i];

		if (row_cmp(x, y))
			continue;
		ret = err_set(err, ERR_INTEGRITY, "the history holds "
		    "migration %s twice (%s and %s)", x->version ?
		    x->version : x->name, x->version ? x->version : x->name,
		    y->version ? y->version : y->name);
		goto out;
	}

	p->current = history_current(h);
	for (i = 0; i < h->nr; i++)
		if (h->rows[i].kind == KIND_VERSIONED)
			newest = version_max(newest, h->rows[i].version);

	for (i = 0; i < m->nr_migrations; i++) {
		const struct manifest_migration *mig = &m->migrations[i];
		const struct manifest_script *up = manifest_script_for(mig, ROLE_UP, d);
		struct plan_item *it;

		it = add_item(p, d);
		it->mig = mig;
		it->up = up;
		it->down = up ? manifest_script_for(mig, ROLE_DOWN, d) : NULL;
		key.kind = mig->kind;
		key.version = mig->version;
		key.name = mig->name;
		hit = h->nr ? bsearch(&keyp, sorted, h->nr, sizeof(*sorted),
		    row_ptr_cmp) : NULL;
		if (hit) {
			matched[hit - sorted] = 1;
			it->row = *hit;
		}
		if (!it->row) {
			it->state = ST_PENDING;
			it->out_of_order = mig->kind == KIND_VERSIONED &&
			    newest && version_cmp(mig->version, newest) < 0;
		} else if (it->row->state == HIST_DIRTY) {
			it->state = ST_DIRTY;
		} else if (strncmp(it->row->checksum, CHECKSUM_PREFIX,
		    CHECKSUM_PREFIX_LEN) ||
		    strcmp(it->row->checksum + CHECKSUM_PREFIX_LEN,
		    plan_item_sum(it))) {
			/* A repeatable migration is meant to change. */
			it->state = mig->kind == KIND_REPEATABLE ? ST_PENDING :
			    ST_CHANGED;
		} else {
			it->state = ST_APPLIED;
		}
	}
	for (j = 0; j < h->nr; j++) {
		struct plan_item *it;

		if (matched[j])
			continue;
		it = add_item(p, d);
		it->row = sorted[j];
		it->state = sorted[j]->state == HIST_DIRTY ? ST_DIRTY :
		    ST_MISSING;
	}
	if (p->nr)
		qsort(p->items, p->nr, sizeof(*p->items), item_cmp);
	for (i = 0; i < p->nr; i++) {
		p->count[p->items[i].state]++;
		p->nr_out_of_order += p->items[i].out_of_order;
	}
out:
	free(matched);
	free(sorted);
	if (ret)
		plan_release(p);
	return ret;
}

void plan_release(struct plan *p)
{
	free(p->items);
	memset(p, 0, sizeof(*p));
}

const char *plan_latest(const struct plan *p)
{
	const char *latest = NULL;
	size_t i;

	for (i = 0; i < p->nr; i++) {
		const struct plan_item *it = &p->items[i];

		if (it->mig && it->mig->kind == KIND_VERSIONED)
			latest = it->mig->version;
	}
	return latest;
}

/* Finding f is one to show for it: its up script's, not silenced, not
 * only information; what lint says is of PostgreSQL. */
static int shown(const struct plan_item *it, const struct manifest_finding *f)
{
	return it->dialect == DIALECT_POSTGRES && f->role == ROLE_UP &&
	    f->dialect == it->up->dialect && !f->silenced &&
	    f->severity <= SEV_WARNING;
}

size_t plan_item_lint(const struct plan_item *it, struct buf *b)
{
	size_t i, n = 0;

	for (i = 0; it->mig && it->up && i < it->mig->nr_findings; i++) {
		const struct manifest_finding *f = &it->mig->findings[i];

		if (!shown(it, f))
			continue;
		if (b)
			buf_addf(b, "%s%s (line %u)", n ? ", " : "", f->rule,
			    f->line);
		n++;
	}
	return n;
}

void plan_item_lint_json(const struct plan_item *it, struct buf *b)
{
	size_t i, n = 0;

	buf_addch(b, '[');
	for (i = 0; it->mig && it->up && i < it->mig->nr_findings; i++) {
		const struct manifest_finding *f = &it->mig->findings[i];

		if (!shown(it, f))
			continue;
		buf_addf(b, "%s{\"rule\": \"%s\", \"severity\": \"%s\", "
		    "\"line\": %u, \"message\": ", n++ ? ", " : "", f->rule,
		    severity_name(f->severity), f->line);
		json_str(b, f->message);
		buf_addch(b, '}');
	}
	buf_addch(b, ']');
}
