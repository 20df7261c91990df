/* What a release changes of the release before it, and what it may not:
 * the rules are in release.h. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "release.h"
#include "version.h"
#include "xalloc.h"

const char *release_change_name(enum release_change c)
{
	static const char *const names[] = { "added", "changed", "removed" };

	return names[c];
}

const char *release_kind_name(enum release_kind k)
{
	static const char *const names[] = { "versioned", "repeatable", "seed" };

	return names[k];
}

static const struct manifest_migration *find(const struct manifest *m,
    const struct manifest_migration *like)
{
	size_t i;

	for (i = 0; i < m->nr_migrations; i++) {
		const struct manifest_migration *mig = &m->migrations[i];

		if (mig->kind != like->kind)
			continue;
		if (mig->kind == KIND_VERSIONED ?
		    !version_cmp(mig->version, like->version) :
		    !strcmp(mig->name, like->name))
			return mig;
	}
	return NULL;
}

static const struct manifest_seed *find_seed(const struct manifest *m,
    const char *path)
{
	size_t i;

	for (i = 0; i < m->nr_seeds; i++)
		if (!strcmp(m->seeds[i].file.path, path))
			return &m->seeds[i];
	return NULL;
}

static struct release_item *add(struct release_diff *d,
    enum release_change change, const struct manifest_migration *mig)
{
	struct release_item *it;

	ALLOC_GROW(d->items, d->nr + 1, d->alloc);
	it = &d->items[d->nr++];
	memset(it, 0, sizeof(*it));
	it->change = change;
	if (mig) {
		it->kind = mig->kind == KIND_VERSIONED ? REL_VERSIONED :
		    REL_REPEATABLE;
		it->version = mig->version;
		it->name = mig->name;
	}
	return it;
}

/* The checksum of mig's script of role on engine d, or NULL. */
static const char *sum_on(const struct manifest_migration *mig,
    enum script_role role, enum dialect d)
{
	const struct manifest_script *s = manifest_script_for(mig, role, d);

	return s ? s->file.sha256 : NULL;
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Migration o against its new self n, role by role, engine by engine: an
 * item per changed script, one for every engine when they agree. */
static void compare(struct release_diff *d, const struct manifest_migration *o,
    const struct manifest_migration *n, int refused)
{
	const char *was[DIALECT_NR], *is[DIALECT_NR];
	enum script_role role;
	enum dialect e;

	for (role = ROLE_UP; role <= ROLE_DOWN; role++) {
		int both;

		for (e = DIALECT_POSTGRES; e < DIALECT_NR; e++) {
			was[e] = sum_on(o, role, e);
			is[e] = sum_on(n, role, e);
		}
		both = same(was[DIALECT_POSTGRES], was[DIALECT_SQLITE]) &&
		    same(is[DIALECT_POSTGRES], is[DIALECT_SQLITE]);
		for (e = DIALECT_POSTGRES; e < DIALECT_NR; e++) {
			struct release_item *it;

			if (same(was[e], is[e]) || (both && e != DIALECT_POSTGRES))
				continue;
			it = add(d, REL_CHANGED, n);
			it->role = role;
			it->dialect = both ? DIALECT_ANY : e;
			it->old_sha = was[e];
			it->new_sha = is[e];
			it->refused = refused;
			d->nr_refused += refused;
		}
	}
}

void release_diff(const struct manifest *old, const struct manifest *new,
    int allow_ooo, struct release_diff *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	d->old_release = old->release;
	for (i = 0; i < old->nr_migrations; i++)
		if (old->migrations[i].kind == KIND_VERSIONED)
			d->old_newest = version_max(d->old_newest,
			    old->migrations[i].version);
	for (i = 0; i < old->nr_migrations; i++) {
		const struct manifest_migration *o = &old->migrations[i];
		const struct manifest_migration *n = find(new, o);
		int released = o->kind == KIND_VERSIONED;

		if (n) {
			compare(d, o, n, released);
		} else {
			add(d, REL_REMOVED, o)->refused = released;
			d->nr_refused += released;
		}
	}
	for (i = 0; i < new->nr_migrations; i++) {
		const struct manifest_migration *n = &new->migrations[i];
		int ooo;

		if (find(old, n))
			continue;
		ooo = n->kind == KIND_VERSIONED && d->old_newest &&
		    !allow_ooo && version_cmp(n->version, d->old_newest) <= 0;
		add(d, REL_ADDED, n)->refused = ooo;
		d->nr_refused += ooo;
	}
	for (i = 0; i < old->nr_seeds; i++) {
		const struct manifest_file *f = &old->seeds[i].file;
		const struct manifest_seed *s = find_seed(new, f->path);
		struct release_item *it;

		if (s && !strcmp(s->file.sha256, f->sha256))
			continue;
		it = add(d, s ? REL_CHANGED : REL_REMOVED, NULL);
		it->kind = REL_SEED;
		it->name = f->path;
		it->old_sha = f->sha256;
		it->new_sha = s ? s->file.sha256 : NULL;
	}
	for (i = 0; i < new->nr_seeds; i++) {
		const struct manifest_file *f = &new->seeds[i].file;
		struct release_item *it;

		if (find_seed(old, f->path))
			continue;
		it = add(d, REL_ADDED, NULL);
		it->kind = REL_SEED;
		it->name = f->path;
		it->new_sha = f->sha256;
	}
}

void release_diff_release(struct release_diff *d)
{
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static void add_sum(struct buf *b, const char *sum)
{
	if (sum)
		buf_addf(b, "%s%.12s…", CHECKSUM_PREFIX, sum);
	else
		buf_addstr(b, "none");
}

void release_item_describe(const struct release_diff *d,
    const struct release_item *it, struct buf *b)
{
	if (it->version)
		buf_addf(b, "%s ", it->version);
	buf_addstr(b, it->name);
	if (it->change != REL_CHANGED && !it->refused)
		return;
	buf_addstr(b, ": ");
	if (it->change == REL_REMOVED && it->kind == REL_VERSIONED) {
		buf_addf(b, "released in %s, missing from this bundle",
		    d->old_release);
		return;
	}
	if (it->change == REL_ADDED && it->refused) {
		buf_addf(b, "new, but not after release %s's newest migration "
		    "%s: a database at that release would apply it out of "
		    "order (--allow-out-of-order allows it)", d->old_release,
		    d->old_newest);
		return;
	}
	if (it->kind != REL_SEED)
		buf_addf(b, "%s script%s%s %s ", role_name(it->role),
		    it->dialect == DIALECT_ANY ? "" : " on ",
		    it->dialect == DIALECT_ANY ? "" : dialect_name(it->dialect),
		    !it->old_sha ? "added" : !it->new_sha ? "removed" :
		    "changed");
	else
		buf_addstr(b, "changed ");
	buf_addf(b, "since release %s (", d->old_release);
	add_sum(b, it->old_sha);
	buf_addstr(b, " -> ");
	add_sum(b, it->new_sha);
	buf_addch(b, ')');
}

int release_check(const struct manifest *old, const struct manifest *new,
    int allow_ooo, struct err *err)
{
	struct release_diff d;
	struct buf b = BUF_INIT;
	size_t i, n;
	int ret = 0;

	release_diff(old, new, allow_ooo, &d);
	for (i = 0; i < d.nr; i++) {
		if (!d.items[i].refused)
			continue;
		buf_addch(&b, '\n');
		release_item_describe(&d, &d.items[i], &b);
	}
	if ((n = d.nr_refused))
		ret = err_set(err, ERR_INTEGRITY, "%zu change%s to what release "
		    "%s released; nothing written%s", n, n == 1 ? "" : "s",
		    old->release, b.data);
	release_diff_release(&d);
	buf_release(&b);
	return ret;
}
