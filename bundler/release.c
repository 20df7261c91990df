/* What a release may not change of the release before it: the rules are
 * in release.h. */
#include <string.h>

#include "buf.h"
#include "release.h"
#include "version.h"

static const struct manifest_migration *find(const struct manifest *m,
    const char *version)
{
	size_t i;

	for (i = 0; i < m->nr_migrations; i++)
		if (m->migrations[i].kind == KIND_VERSIONED &&
		    !version_cmp(m->migrations[i].version, version))
			return &m->migrations[i];
	return NULL;
}

/* The checksum of mig's script of role on engine d, or NULL. */
static const char *sum_on(const struct manifest_migration *mig,
    enum script_role role, enum dialect d)
{
	const struct manifest_script *s = manifest_script_for(mig, role, d);

	return s ? s->file.sha256 : NULL;
}

static void add_sum(struct buf *b, const char *sum)
{
	if (sum)
		buf_addf(b, "%s%.12s…", CHECKSUM_PREFIX, sum);
	else
		buf_addstr(b, "none");
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The released migration o against its new self n, role by role, engine
 * by engine: one line per change (per engine when they differ). */
static size_t compare(const struct manifest *old, const struct
    manifest_migration *o, const struct manifest_migration *n,
    struct buf *b)
{
	enum script_role role;
	const char *was[DIALECT_NR], *is[DIALECT_NR];
	enum dialect d;
	size_t count = 0;

	for (role = ROLE_UP; role <= ROLE_DOWN; role++) {
		for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++) {
			was[d] = sum_on(o, role, d);
			is[d] = sum_on(n, role, d);
		}
		for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++) {
			int both = same(was[DIALECT_POSTGRES],
			    was[DIALECT_SQLITE]) && same(is[DIALECT_POSTGRES],
			    is[DIALECT_SQLITE]);

			if (same(was[d], is[d]) || (both && d != DIALECT_POSTGRES))
				continue;
			buf_addf(b, "\n%s %s: %s script%s%s %s since release %s (",
			    o->version, o->name, role_name(role), both ? "" :
			    " on ", both ? "" : dialect_name(d), !was[d] ?
			    "added" : !is[d] ? "removed" : "changed",
			    old->release);
			add_sum(b, was[d]);
			buf_addstr(b, " -> ");
			add_sum(b, is[d]);
			buf_addch(b, ')');
			count++;
		}
	}
	return count;
}

int release_check(const struct manifest *old, const struct manifest *new,
    int allow_ooo, struct err *err)
{
	const char *newest = NULL;
	struct buf b = BUF_INIT;
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < old->nr_migrations; i++) {
		const struct manifest_migration *o = &old->migrations[i];
		const struct manifest_migration *m;

		if (o->kind != KIND_VERSIONED)
			continue;
		newest = version_max(newest, o->version);
		if ((m = find(new, o->version))) {
			n += compare(old, o, m, &b);
			continue;
		}
		buf_addf(&b, "\n%s %s: released in %s, missing from this "
		    "bundle", o->version, o->name, old->release);
		n++;
	}
	for (i = 0; newest && !allow_ooo && i < new->nr_migrations; i++) {
		const struct manifest_migration *m = &new->migrations[i];

		if (m->kind != KIND_VERSIONED || find(old, m->version) ||
		    version_cmp(m->version, newest) > 0)
			continue;
		buf_addf(&b, "\n%s %s: new, but not after release %s's newest "
		    "migration %s: a database at that release would apply it "
		    "out of order (--allow-out-of-order allows it)", m->version,
		    m->name, old->release, newest);
		n++;
	}
	if (n)
		ret = err_set(err, ERR_INTEGRITY, "%zu change%s to what release "
		    "%s released; nothing written%s", n, n == 1 ? "" : "s",
		    old->release, b.data);
	buf_release(&b);
	return ret;
}
