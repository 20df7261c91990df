#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "version.h"
#include "xalloc.h"

static const char *const dialect_names[] = { "any", "postgres", "sqlite" };
static const char *const role_names[] = { "up", "down" };
static const char *const tx_names[] = { "transaction", "no-transaction" };
static const char *const kind_names[] = { "versioned", "repeatable" };
static const char *const format_names[] = { "csv", "sql" };
static const char *const severity_names[] = { "error", "warning", "info" };

const char *dialect_name(enum dialect d) { return dialect_names[d]; }
const char *role_name(enum script_role r) { return role_names[r]; }
const char *tx_name(enum tx_mode t) { return tx_names[t]; }
const char *kind_name(enum mig_kind k) { return kind_names[k]; }
const char *seed_format_name(enum seed_format f) { return format_names[f]; }
const char *severity_name(enum severity s) { return severity_names[s]; }

static int lookup(const char *s, const char *const *names, int nr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

#define LOOKUP(s, names) lookup((s), (names), \
	(int)(sizeof(names) / sizeof((names)[0])))

int kind_parse(const char *s, enum mig_kind *out)
{
	int i = LOOKUP(s, kind_names);

	if (i < 0)
		return -1;
	*out = (enum mig_kind)i;
	return 0;
}

int tx_parse(const char *s, enum tx_mode *out)
{
	int i = LOOKUP(s, tx_names);

	if (i < 0)
		return -1;
	*out = (enum tx_mode)i;
	return 0;
}

void manifest_release(struct manifest *m)
{
	size_t i, j;

	for (i = 0; i < m->nr_migrations; i++) {
		struct manifest_migration *mig = &m->migrations[i];

		for (j = 0; j < mig->nr_scripts; j++)
			free(mig->scripts[j].file.path);
		free(mig->scripts);
		for (j = 0; j < mig->nr_findings; j++) {
			free(mig->findings[j].rule);
			free(mig->findings[j].message);
		}
		free(mig->findings);
		free(mig->version);
		free(mig->name);
	}
	for (i = 0; i < m->nr_seeds; i++) {
		free(m->seeds[i].profile);
		free(m->seeds[i].table);
		free(m->seeds[i].file.path);
	}
	for (i = 0; i < m->nr_excludes; i++)
		free(m->excludes[i]);
	for (i = 0; i < m->nr_excluded; i++)
		free(m->excluded[i]);
	free(m->excludes);
	free(m->excluded);
	free(m->migrations);
	free(m->seeds);
	free(m->name);
	free(m->release);
	free(m->created);
	memset(m, 0, sizeof(*m));
}

struct manifest_migration *manifest_add_migration(struct manifest *m,
    enum mig_kind kind, const char *version, const char *name)
{
	struct manifest_migration *mig;

	ALLOC_GROW(m->migrations, m->nr_migrations + 1, m->alloc_migrations);
	mig = &m->migrations[m->nr_migrations++];
	memset(mig, 0, sizeof(*mig));
	mig->kind = kind;
	mig->version = version ? xstrdup(version) : NULL;
	mig->name = xstrdup(name);
	return mig;
}

struct manifest_script *manifest_add_script(struct manifest_migration *mig,
    enum script_role role, enum dialect dialect)
{
	struct manifest_script *s;

	/* Most migrations hold one or two scripts, at most six: grow by two,
	 * not by ALLOC_GROW's eight, for manifests of many thousands. */
	if (mig->nr_scripts == mig->alloc_scripts) {
		mig->alloc_scripts += 2;
		mig->scripts = xreallocarray(mig->scripts, mig->alloc_scripts,
		    sizeof(*mig->scripts));
	}
	s = &mig->scripts[mig->nr_scripts++];
	memset(s, 0, sizeof(*s));
	s->role = role;
	s->dialect = dialect;
	return s;
}

struct manifest_finding *manifest_add_finding(struct manifest_migration *mig,
    enum script_role role, enum dialect dialect, unsigned line,
    const char *rule, enum severity sev, const char *message)
{
	struct manifest_finding *f;

	ALLOC_GROW(mig->findings, mig->nr_findings + 1, mig->alloc_findings);
	f = &mig->findings[mig->nr_findings++];
	memset(f, 0, sizeof(*f));
	f->role = role;
	f->dialect = dialect;
	f->line = line;
	f->rule = xstrdup(rule);
	f->severity = sev;
	f->message = xstrdup(message);
	return f;
}

struct manifest_seed *manifest_add_seed(struct manifest *m,
    const char *profile, const char *table, enum seed_format format,
    const char *path)
{
	struct manifest_seed *seed;

	ALLOC_GROW(m->seeds, m->nr_seeds + 1, m->alloc_seeds);
	seed = &m->seeds[m->nr_seeds++];
	memset(seed, 0, sizeof(*seed));
	seed->profile = xstrdup(profile);
	seed->table = table ? xstrdup(table) : NULL;
	seed->file.format = format;
	seed->file.is_seed = 1;
	seed->file.path = xstrdup(path);
	return seed;
}

char *manifest_script_path(const struct manifest_migration *mig,
    const struct manifest_script *s)
{
	const char *dot = s->dialect == DIALECT_ANY ? "" : ".";
	const char *d = s->dialect == DIALECT_ANY ? "" : dialect_name(s->dialect);

	if (mig->kind == KIND_REPEATABLE)
		return xasprintf("repeatable/%s/%s%s%s.sql", mig->name,
		    role_name(s->role), dot, d);
	return xasprintf("migrations/%s_%s/%s%s%s.sql", mig->version, mig->name,
	    role_name(s->role), dot, d);
}

int manifest_for_engine(const struct manifest *m, enum dialect d)
{
	return ((m->engines ? m->engines : ENGINES_ALL) & ENGINE_BIT(d)) != 0;
}

void engines_write(unsigned engines, struct buf *out)
{
	enum dialect d;
	size_t start = out->len;

	for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++)
		if (!engines || (engines & ENGINE_BIT(d)))
			buf_addf(out, "%s%s", out->len > start ? "," : "",
			    dialect_names[d]);
}

int engines_parse(const char *s, unsigned *out)
{
	*out = 0;
	for (;;) {
		size_t n = strcspn(s, ",");
		enum dialect d;

		for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++)
			if (strlen(dialect_names[d]) == n &&
			    !strncmp(s, dialect_names[d], n))
				break;
		if (d == DIALECT_NR || (*out & ENGINE_BIT(d)))
			return -1;
		*out |= ENGINE_BIT(d);
		if (!s[n])
			return 0;
		s += n + 1;
	}
}

const char *manifest_newest(const struct manifest *m)
{
	size_t i = m->nr_migrations;

	while (i--)
		if (m->migrations[i].kind == KIND_VERSIONED)
			return m->migrations[i].version;
	return "0";
}

size_t manifest_files(const struct manifest *m, struct manifest_file ***out)
{
	size_t i, j, n = m->nr_seeds;
	struct manifest_file **files;

	for (i = 0; i < m->nr_migrations; i++)
		n += m->migrations[i].nr_scripts;
	files = xreallocarray(NULL, n, sizeof(*files));
	n = 0;
	for (i = 0; i < m->nr_migrations; i++)
		for (j = 0; j < m->migrations[i].nr_scripts; j++)
			files[n++] = &m->migrations[i].scripts[j].file;
	for (i = 0; i < m->nr_seeds; i++)
		files[n++] = &m->seeds[i].file;
	*out = files;
	return n;
}

const struct manifest_script *manifest_script_for(
    const struct manifest_migration *mig, enum script_role role,
    enum dialect d)
{
	const struct manifest_script *any = NULL;
	size_t i;

	for (i = 0; i < mig->nr_scripts; i++) {
		const struct manifest_script *s = &mig->scripts[i];

		if (s->role != role)
			continue;
		if (s->dialect == d)
			return s;
		if (s->dialect == DIALECT_ANY)
			any = s;
	}
	return any;
}

int manifest_migration_check(const struct manifest_migration *mig,
    size_t *bad, const char **why)
{
	int seen[2][DIALECT_NR] = { { 0 } };
	size_t i;
	int d;

	for (i = 0; i < mig->nr_scripts; i++) {
		const struct manifest_script *s = &mig->scripts[i];

		*bad = i;
		if (seen[s->role][s->dialect]) {
			*why = "more than one script for the same role and dialect";
			return -1;
		}
		if (s->role == ROLE_DOWN && mig->kind == KIND_REPEATABLE) {
			*why = "repeatable migrations have no down script";
			return -1;
		}
		seen[s->role][s->dialect] = 1;
	}
	if (!seen[ROLE_UP][DIALECT_ANY] && !seen[ROLE_UP][DIALECT_POSTGRES] &&
	    !seen[ROLE_UP][DIALECT_SQLITE]) {
		*bad = 0;
		*why = mig->nr_scripts ? "down script without an up script" :
		    "migration without scripts";
		return -1;
	}
	/* On each engine, a down needs an up that it undoes. */
	for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++) {
		int up = seen[ROLE_UP][d] || seen[ROLE_UP][DIALECT_ANY];
		int down_d = seen[ROLE_DOWN][d];

		if (up || !(down_d || seen[ROLE_DOWN][DIALECT_ANY]))
			continue;
		for (i = 0; i < mig->nr_scripts; i++)
			if (mig->scripts[i].role == ROLE_DOWN &&
			    mig->scripts[i].dialect ==
			    (down_d ? (enum dialect)d : DIALECT_ANY))
				*bad = i;
		*why = "down script without an up script";
		return -1;
	}
	return 0;
}

/* Non-empty, no control character, no backslash, no '/' unless slash. */
static int storable(const char *s, int slash)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!*p)
		return 0;
	for (; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\' ||
		    (*p == '/' && !slash))
			return 0;
	return 1;
}

int manifest_name_valid(const char *s)
{
	return storable(s, 0);
}

int manifest_text_valid(const char *s)
{
	return storable(s, 1);
}

int manifest_path_safe(const char *p)
{
	const unsigned char *c = (const unsigned char *)p;
	const unsigned char *comp = c;

	if (*c == '/')
		return 0;
	for (;; c++) {
		if (*c == '/' || !*c) {
			size_t len = (size_t)(c - comp);

			if (!len || (len <= 2 && !strncmp((const char *)comp,
			    "..", len)))
				return 0;	/* empty, "." or ".." */
			if (!*c)
				return 1;
			comp = c + 1;
		} else if (*c < 0x20 || *c == 0x7f || *c == '\\') {
			return 0;
		}
	}
}

void manifest_add_exclude(struct manifest *m, const char *glob)
{
	ALLOC_GROW(m->excludes, m->nr_excludes + 1, m->alloc_excludes);
	m->excludes[m->nr_excludes++] = xstrdup(glob);
}

void manifest_add_excluded(struct manifest *m, const char *path)
{
	ALLOC_GROW(m->excluded, m->nr_excluded + 1, m->alloc_excluded);
	m->excluded[m->nr_excluded++] = xstrdup(path);
}

void manifest_write(const struct manifest *m, struct buf *out)
{
	size_t i, j;

	buf_addf(out, "migpack-manifest\t%d\n", MANIFEST_FORMAT);
	buf_addf(out, "name\t%s\nrelease\t%s\n", m->name, m->release);
	if (m->created)
		buf_addf(out, "created\t%s\n", m->created);
	buf_addstr(out, "engines\t");
	engines_write(m->engines, out);
	buf_addch(out, '\n');
	for (i = 0; i < m->nr_excludes; i++)
		buf_addf(out, "exclude\t%s\n", m->excludes[i]);
	for (i = 0; i < m->nr_excluded; i++)
		buf_addf(out, "excluded\t%s\n", m->excluded[i]);
	for (i = 0; i < m->nr_migrations; i++) {
		const struct manifest_migration *mig = &m->migrations[i];

		buf_addf(out, "migration\t%s\t%s\t%s\n", kind_name(mig->kind),
		    mig->version ? mig->version : "-", mig->name);
		for (j = 0; j < mig->nr_scripts; j++) {
			const struct manifest_script *s = &mig->scripts[j];

			buf_addf(out, "script\t%s\t%s\t%s\t%s%s\t%s\n",
			    role_name(s->role), dialect_name(s->dialect),
			    tx_name(s->tx), CHECKSUM_PREFIX, s->file.sha256,
			    s->file.path);
		}
		for (j = 0; j < mig->nr_findings; j++) {
			const struct manifest_finding *f = &mig->findings[j];

			buf_addf(out, "finding\t%s\t%s\t%u\t%s\t%s\t%s\t%s\n",
			    role_name(f->role), dialect_name(f->dialect),
			    f->line, f->rule, severity_names[f->severity],
			    f->silenced ? "silenced" : "-", f->message);
		}
	}
	for (i = 0; i < m->nr_seeds; i++) {
		const struct manifest_seed *seed = &m->seeds[i];

		buf_addf(out, "seed\t%s\t%s\t%s\t%s%s\t%s\n", seed->profile,
		    seed->table ? seed->table : "-",
		    seed_format_name(seed->file.format), CHECKSUM_PREFIX,
		    seed->file.sha256, seed->file.path);
	}
}

void manifest_write_sums(const struct manifest *m, const char *manifest_sha,
    struct buf *out)
{
	struct manifest_file **files;
	size_t i, n = manifest_files(m, &files);

	buf_addf(out, "%s  %s\n", manifest_sha, MANIFEST_NAME);
	for (i = 0; i < n; i++)
		buf_addf(out, "%s  %s\n", files[i]->sha256, files[i]->path);
	free(files);
}

/* Parsing.  One struct carries the position so messages can name it. */

#define MAX_FIELDS 8

struct parser {
	struct manifest *m;
	struct err *err;
	size_t lineno;
	char *field[MAX_FIELDS];
	size_t nr_fields;
	size_t mig_line;	/* where the current migration began */
	int seen_seed;
};

ATTR_PRINTF(3, 4) static int perr_at(struct parser *p, size_t line,
    const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return err_set(p->err, ERR_INPUT, "%s: line %zu: %s", MANIFEST_NAME,
	    line, what);
}

#define perr(p, ...) perr_at((p), (p)->lineno, __VA_ARGS__)

static int parse_sha(struct parser *p, const char *field, char *out)
{
	if (strncmp(field, CHECKSUM_PREFIX, CHECKSUM_PREFIX_LEN) ||
	    !checksum_hex_valid(field + CHECKSUM_PREFIX_LEN))
		return perr(p, "malformed checksum '%s'", field);
	memcpy(out, field + CHECKSUM_PREFIX_LEN, CHECKSUM_HEX_LEN + 1);
	return 0;
}

static int end_migration(struct parser *p)
{
	struct manifest_migration *mig;
	const char *why;
	size_t bad;

	if (!p->m->nr_migrations)
		return 0;
	mig = &p->m->migrations[p->m->nr_migrations - 1];
	if (manifest_migration_check(mig, &bad, &why))
		return perr_at(p, p->mig_line, "migration '%s': %s", mig->name,
		    why);
	return 0;
}

static int parse_migration(struct parser *p)
{
	struct manifest *m = p->m;
	struct manifest_migration *prev = m->nr_migrations ?
	    &m->migrations[m->nr_migrations - 1] : NULL;
	const char *version, *name;
	int kind, ret;

	if (p->nr_fields != 4)
		return perr(p, "migration: expected 4 fields");
	kind = LOOKUP(p->field[1], kind_names);
	version = p->field[2];
	name = p->field[3];
	if ((ret = end_migration(p)))
		return ret;
	if (p->seen_seed)
		return perr(p, "migration after a seed");
	if (kind < 0)
		return perr(p, "unknown migration kind '%s'", p->field[1]);
	p->mig_line = p->lineno;
	if (!manifest_name_valid(name))
		return perr(p, "invalid migration name '%s'", name);
	if (kind == KIND_REPEATABLE) {
		if (strcmp(version, "-"))
			return perr(p, "repeatable migration with a version");
		if (prev && prev->kind == KIND_REPEATABLE &&
		    strcmp(prev->name, name) >= 0)
			return perr(p, "repeatable '%s' out of order or duplicate",
			    name);
		manifest_add_migration(m, KIND_REPEATABLE, NULL, name);
		return 0;
	}
	if (!version_valid(version, strlen(version), VERSION_ALLOW_UNDERSCORE))
		return perr(p, "invalid version '%s'", version);
	if (prev && prev->kind == KIND_REPEATABLE)
		return perr(p, "versioned migration after a repeatable one");
	if (prev && version_cmp(prev->version, version) >= 0)
		return perr(p, "version '%s' out of order or duplicate", version);
	manifest_add_migration(m, KIND_VERSIONED, version, name);
	return 0;
}

static int parse_script(struct parser *p)
{
	struct manifest_migration *mig;
	struct manifest_script *s;
	int role, dialect, tx;

	if (p->nr_fields != 6)
		return perr(p, "script: expected 6 fields");
	if (!p->m->nr_migrations || p->seen_seed)
		return perr(p, "script outside a migration");
	role = LOOKUP(p->field[1], role_names);
	dialect = LOOKUP(p->field[2], dialect_names);
	tx = LOOKUP(p->field[3], tx_names);
	if (role < 0 || dialect < 0 || tx < 0)
		return perr(p, "unknown script role, dialect or mode");
	if (!manifest_path_safe(p->field[5]))
		return perr(p, "unsafe path '%s'", p->field[5]);
	mig = &p->m->migrations[p->m->nr_migrations - 1];
	if (mig->nr_findings)
		return perr(p, "script after a finding");
	s = manifest_add_script(mig, role, dialect);
	s->tx = tx;
	s->file.path = xstrdup(p->field[5]);
	return parse_sha(p, p->field[4], s->file.sha256);
}

/* A rule id: lower-case words joined by '-'. */
static int rule_valid(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n && !s[n] && s[0] != '-' && s[n - 1] != '-';
}

static int parse_finding(struct parser *p)
{
	struct manifest_migration *mig;
	struct manifest_finding *f;
	int role, dialect, sev;
	unsigned long line;
	char *end;
	size_t i;

	if (p->nr_fields != 8)
		return perr(p, "finding: expected 8 fields");
	if (!p->m->nr_migrations || p->seen_seed)
		return perr(p, "finding outside a migration");
	mig = &p->m->migrations[p->m->nr_migrations - 1];
	role = LOOKUP(p->field[1], role_names);
	dialect = LOOKUP(p->field[2], dialect_names);
	sev = LOOKUP(p->field[5], severity_names);
	line = strtoul(p->field[3], &end, 10);
	if (role < 0 || dialect < 0 || sev < 0)
		return perr(p, "unknown finding role, dialect or severity");
	for (i = 0; i < mig->nr_scripts; i++)
		if ((int)mig->scripts[i].role == role &&
		    (int)mig->scripts[i].dialect == dialect)
			break;
	if (i == mig->nr_scripts)
		return perr(p, "finding for a script the migration lacks");
	if (*p->field[3] < '1' || *p->field[3] > '9' || *end || line > 1u << 30)
		return perr(p, "invalid finding line '%s'", p->field[3]);
	if (!rule_valid(p->field[4]))
		return perr(p, "invalid rule '%s'", p->field[4]);
	if (strcmp(p->field[6], "-") && strcmp(p->field[6], "silenced"))
		return perr(p, "unknown finding state '%s'", p->field[6]);
	if (!manifest_text_valid(p->field[7]))
		return perr(p, "invalid finding message");
	f = manifest_add_finding(mig, (enum script_role)role,
	    (enum dialect)dialect, (unsigned)line, p->field[4],
	    (enum severity)sev, p->field[7]);
	f->silenced = !strcmp(p->field[6], "silenced");
	return 0;
}

static int parse_seed(struct parser *p)
{
	struct manifest *m = p->m;
	struct manifest_seed *prev = m->nr_seeds ? &m->seeds[m->nr_seeds - 1] :
	    NULL, *seed;
	int format, ret;

	if (p->nr_fields != 6)
		return perr(p, "seed: expected 6 fields");
	if (!p->seen_seed && (ret = end_migration(p)))
		return ret;
	p->seen_seed = 1;
	format = LOOKUP(p->field[3], format_names);
	if (format < 0)
		return perr(p, "unknown seed format '%s'", p->field[3]);
	if (!manifest_name_valid(p->field[1]))
		return perr(p, "invalid seed profile '%s'", p->field[1]);
	if ((format == SEED_CSV) != (strcmp(p->field[2], "-") != 0) ||
	    !manifest_name_valid(p->field[2]))
		return perr(p, "invalid seed table '%s'", p->field[2]);
	if (!manifest_path_safe(p->field[5]))
		return perr(p, "unsafe path '%s'", p->field[5]);
	if (prev && (strcmp(prev->profile, p->field[1]) > 0 ||
	    (!strcmp(prev->profile, p->field[1]) &&
	    strcmp(prev->file.path, p->field[5]) >= 0)))
		return perr(p, "seed '%s' out of order or duplicate", p->field[5]);
	seed = manifest_add_seed(m, p->field[1],
	    format == SEED_CSV ? p->field[2] : NULL, format, p->field[5]);
	return parse_sha(p, p->field[4], seed->file.sha256);
}

/* Which engines the bundle is for: once, before everything but the
 * header. */
static int parse_engines(struct parser *p)
{
	const struct manifest *m = p->m;
	struct buf canon = BUF_INIT;
	int ret = 0;

	if (p->nr_fields != 2)
		return perr(p, "engines: expected 2 fields");
	if (m->engines || m->nr_excludes || m->nr_excluded ||
	    m->nr_migrations || m->nr_seeds)
		return perr(p, "engines out of order or given twice");
	if (engines_parse(p->field[1], &p->m->engines) ||
	    (engines_write(p->m->engines, &canon), strcmp(canon.data,
	    p->field[1])))
		ret = perr(p, "unknown engines '%s'", p->field[1]);
	buf_release(&canon);
	return ret;
}

/* What migpack build --exclude left out: before the first migration, the
 * patterns before the paths, the paths in order. */
static int parse_exclude(struct parser *p)
{
	int path = !strcmp(p->field[0], "excluded");
	const struct manifest *m = p->m;

	if (p->nr_fields != 2)
		return perr(p, "%s: expected 2 fields", p->field[0]);
	if (m->nr_migrations || m->nr_seeds || (!path && m->nr_excluded))
		return perr(p, "%s out of order", p->field[0]);
	if (!manifest_text_valid(p->field[1]))
		return perr(p, "invalid value '%s'", p->field[1]);
	if (path && m->nr_excluded &&
	    strcmp(m->excluded[m->nr_excluded - 1], p->field[1]) >= 0)
		return perr(p, "excluded '%s' out of order or duplicate",
		    p->field[1]);
	if (path)
		manifest_add_excluded(p->m, p->field[1]);
	else
		manifest_add_exclude(p->m, p->field[1]);
	return 0;
}

/* The header: format, name, release, optional created, in that order. */
static int parse_header(struct parser *p)
{
	static const char *const keys[] = { "migpack-manifest", "name",
	    "release", "created" };
	size_t k = p->lineno - 1;

	if (k > 3 || strcmp(p->field[0], keys[k]))
		return -1;
	if (p->nr_fields != 2)
		return perr(p, "%s: expected 2 fields", keys[k]);
	switch (k) {
	case 0:
		if (strcmp(p->field[1], "1"))
			return perr(p, "unsupported format version '%s' "
			    "(this program reads 1)", p->field[1]);
		return 0;
	case 1:
	case 2:
		if (!manifest_name_valid(p->field[1]))
			return perr(p, "invalid value '%s'", p->field[1]);
		*(k == 1 ? &p->m->name : &p->m->release) = xstrdup(p->field[1]);
		return 0;
	default:
		p->m->created = xstrdup(p->field[1]);
		return 0;
	}
}

static int parse_line(struct parser *p, char *line)
{
	char *s = line, *tab;
	int ret;

	p->nr_fields = 0;
	for (;;) {
		if (p->nr_fields == MAX_FIELDS)
			return perr(p, "too many fields");
		p->field[p->nr_fields++] = s;
		if (!(tab = strchr(s, '\t')))
			break;
		*tab = '\0';
		s = tab + 1;
	}
	if ((ret = parse_header(p)) >= 0)
		return ret;
	if (p->lineno <= 3 || !p->m->name || !p->m->release)
		return perr(p, "expected '%s'", p->lineno == 1 ?
		    "migpack-manifest" : p->lineno == 2 ? "name" : "release");
	if (!strcmp(p->field[0], "engines"))
		return parse_engines(p);
	if (!strcmp(p->field[0], "exclude") ||
	    !strcmp(p->field[0], "excluded"))
		return parse_exclude(p);
	if (!strcmp(p->field[0], "migration"))
		return parse_migration(p);
	if (!strcmp(p->field[0], "script"))
		return parse_script(p);
	if (!strcmp(p->field[0], "finding"))
		return parse_finding(p);
	if (!strcmp(p->field[0], "seed"))
		return parse_seed(p);
	return perr(p, "unknown record '%s'", p->field[0]);
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp((*(struct manifest_file *const *)a)->path,
	    (*(struct manifest_file *const *)b)->path);
}

static int check_unique_paths(struct parser *p)
{
	struct manifest_file **files;
	size_t i, n = manifest_files(p->m, &files);
	int ret = 0;

	qsort(files, n, sizeof(*files), cmp_path);
	for (i = 0; i < n && !ret; i++)
		if ((i && !strcmp(files[i - 1]->path, files[i]->path)) ||
		    !strcmp(files[i]->path, MANIFEST_NAME) ||
		    !strcmp(files[i]->path, SUMS_NAME))
			ret = err_set(p->err, ERR_INPUT, "%s: path '%s' used twice",
			    MANIFEST_NAME, files[i]->path);
	free(files);
	return ret;
}

int manifest_parse(struct manifest *m, const char *text, size_t len,
    struct err *err)
{
	struct parser p = { .m = m, .err = err };
	char *copy = xstrndup(text, len), *line = copy, *nl;
	int ret = 0;

	if (len == 0 || text[len - 1] != '\n' || memchr(text, '\0', len)) {
		ret = err_set(err, ERR_INPUT, "%s: not a text file ending in a "
		    "newline", MANIFEST_NAME);
		goto out;
	}
	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		*nl = '\0';
		p.lineno++;
		if ((ret = parse_line(&p, line)))
			goto out;
	}
	if (p.lineno < 3) {
		p.lineno++;
		ret = perr(&p, "truncated header");
		goto out;
	}
	if (!p.seen_seed && (ret = end_migration(&p)))
		goto out;
	ret = check_unique_paths(&p);
out:
	free(copy);
	if (ret)
		manifest_release(m);
	return ret;
}
