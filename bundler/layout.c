#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "layout.h"
#include "placeholder.h"
#include "text.h"
#include "txscan.h"
#include "version.h"
#include "xalloc.h"

#define NO_TX_DIRECTIVE "-- migpack:no-transaction"
#define SQLX_NO_TX "-- no-transaction"
#define CHUNK 65536

/* One file of the bundle-to-be, as found in the input. */
struct cand {
	struct source src;
	int is_seed;
	enum mig_kind kind;
	char *version;		/* NULL when repeatable */
	char *name;		/* migration name, or seed table */
	char *profile;		/* seeds */
	char *seed_path;	/* seeds: path inside the bundle */
	enum script_role role;
	enum dialect dialect;
	enum seed_format format;
	enum tx_mode tx;	/* as declared */
	enum tx_mode tx_on[DIALECT_NR];	/* as run on each engine */
	int from_markers;	/* tx set by markers */
	int no_section;		/* goose's missing Down: an empty one */
	int tx_set;		/* tx given by Flyway's settings: no guessing */
	int by_version;		/* a native file: paired by version alone */
	char sha[CHECKSUM_HEX_LEN + 1];
};

struct scan {
	struct cand *c;
	size_t nr, alloc;
	struct err *err;
	struct buf *notices;
	struct manifest *m;
	size_t dir_len;		/* the input folder's, in every path */
	char *const *excludes;
	size_t nr_excludes;
	unsigned char *used;	/* an exclude matched something */
	const struct placeholders *ph;
	unsigned engines;	/* what the bundle is for: ENGINE_BITs */
};

static struct cand *add_cand(struct scan *s, const char *path)
{
	struct cand *c;

	ALLOC_GROW(s->c, s->nr + 1, s->alloc);
	c = &s->c[s->nr++];
	memset(c, 0, sizeof(*c));
	c->src.path = xstrdup(path);
	c->src.length = -1;
	c->src.first_line = 1;
	return c;
}

static void cand_release(struct cand *c)
{
	free(c->src.path);
	free(c->version);
	free(c->name);
	free(c->profile);
	free(c->seed_path);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Hidden files and notes never belong to a layout. */
static int ignored(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || (n >= 3 && (!strcasecmp(name + n - 3, ".md")
	    || (n >= 4 && !strcasecmp(name + n - 4, ".txt"))));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder, sorted, ignored ones left out. */
static int list_dir(const char *path, char ***out, size_t *nr,
    struct err *err)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0;

	if (!d)
		return err_errno(err, ERR_INPUT, "'%s'", path);
	errno = 0;
	while ((de = readdir(d))) {
		if (ignored(de->d_name))
			continue;
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	if (errno) {
		int ret = err_errno(err, ERR_RUNTIME, "'%s'", path);

		closedir(d);
		while (n)
			free(names[--n]);
		free(names);
		return ret;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	*nr = n;
	return 0;
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

static int no_layout(struct scan *s, const char *path)
{
	return err_set(s->err, ERR_INPUT, "'%s': matches no migration layout "
	    "(a file that does not belong is left out knowingly with "
	    "--exclude '%s')", path, path + s->dir_len + 1);
}

/* "<version>_<name>": split into version and name, or return 0. */
static int split_version(const char *s, size_t len, char **version,
    char **name)
{
	size_t v = version_span(s, 0);

	if (v == 0 || v >= len || s[v] != '_' || v + 1 == len ||
	    !version_valid(s, v, 0))
		return 0;
	*version = xstrndup(s, v);
	*name = xstrndup(s + v + 1, len - v - 1);
	if (!manifest_name_valid(*name)) {
		free(*version);
		free(*name);
		return 0;
	}
	return 1;
}

/* The file names of native scripts and of the folder layout's files. */
static const struct {
	const char *suffix;
	enum script_role role;
	enum dialect dialect;
} roles[] = {
	{ "up.sql", ROLE_UP, DIALECT_ANY },
	{ "down.sql", ROLE_DOWN, DIALECT_ANY },
	{ "up.postgres.sql", ROLE_UP, DIALECT_POSTGRES },
	{ "up.sqlite.sql", ROLE_UP, DIALECT_SQLITE },
	{ "down.postgres.sql", ROLE_DOWN, DIALECT_POSTGRES },
	{ "down.sqlite.sql", ROLE_DOWN, DIALECT_SQLITE },
};
#define NR_ROLES (sizeof(roles) / sizeof(roles[0]))

static struct cand *add_script(struct scan *s, const char *path,
    enum mig_kind kind, const char *version, const char *name,
    enum script_role role, enum dialect dialect)
{
	struct cand *c = add_cand(s, path);

	c->kind = kind;
	c->version = version ? xstrdup(version) : NULL;
	c->name = xstrdup(name);
	c->role = role;
	c->dialect = dialect;
	return c;
}

/* Call fn for each entry of a folder but the ignored ones, in name order,
 * until one fails. */
typedef int (*entry_fn)(struct scan *s, const char *path, const char *name,
    const struct stat *st, const void *arg);

/* Whether --exclude leaves the entry at path out: recorded, said. */
static int excluded(struct scan *s, const char *path, int is_dir)
{
	const char *rel = path + s->dir_len + 1;
	char *as_dir = is_dir ? xasprintf("%s/", rel) : NULL;
	size_t i;
	int hit = 0;

	for (i = 0; i < s->nr_excludes && !hit; i++) {
		if (fnmatch(s->excludes[i], rel, FNM_PATHNAME) &&
		    (!as_dir || fnmatch(s->excludes[i], as_dir, FNM_PATHNAME)))
			continue;
		hit = s->used[i] = 1;
		manifest_add_excluded(s->m, as_dir ? as_dir : rel);
		buf_addf(s->notices, "'%s%s': left out by --exclude '%s'\n",
		    path, is_dir ? "/" : "", s->excludes[i]);
	}
	free(as_dir);
	return hit;
}

static int walk(struct scan *s, const char *dir, entry_fn fn, const void *arg)
{
	char **names = NULL, *path;
	size_t n = 0, i;
	struct stat st;
	int ret;

	if ((ret = list_dir(dir, &names, &n, s->err)))
		return ret;
	for (i = 0; i < n && !ret; i++) {
		path = xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &st) < 0)
			ret = err_errno(s->err, ERR_INPUT, "'%s'", path);
		else if (!excluded(s, path, S_ISDIR(st.st_mode)))
			ret = fn(s, path, names[i], &st, arg);
		free(path);
	}
	free_names(names, n);
	return ret;
}

/*
 * diesel's metadata.toml (diesel_migrations' TomlMetadata): once the file
 * is there, the migration runs in a transaction only if it says
 * run_in_transaction = true (a missing key is serde's false); other keys
 * are diesel's to ignore.  0 with *tx set, or an error.
 */
static int diesel_metadata(struct scan *s, const char *path,
    enum tx_mode *tx)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *p, *e;
	size_t cap = 0;
	uint64_t lineno = 0;
	int ret = 0;

	if (!f)
		return err_errno(s->err, ERR_INPUT, "'%s'", path);
	*tx = TX_NONE;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		p = line + strspn(line, " \t");
		if (strncmp(p, "run_in_transaction", 18))
			continue;
		p += 18;
		p += strspn(p, " \t");
		if (*p++ != '=')
			continue;
		p += strspn(p, " \t");
		e = p + strcspn(p, " \t\r\n#");
		if (e - p == 4 && !strncmp(p, "true", 4)) {
			*tx = TX_TRANSACTION;
		} else if (e - p == 5 && !strncmp(p, "false", 5)) {
			*tx = TX_NONE;
		} else {
			ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: "
			    "run_in_transaction is true or false", path,
			    (unsigned long long)lineno);
			break;
		}
	}
	if (!ret && ferror(f))
		ret = err_errno(s->err, ERR_RUNTIME, "'%s': read", path);
	free(line);
	fclose(f);
	return ret;
}

/*
 * diesel's version of a folder: the name's part before '_' without its
 * '-'s (what it records, and orders as strings), so that its old
 * 20140924113530 and its 2017-08-31-230457 sort by time.  Its newer
 * 2026-05-27-120000-0000, 18 digits, is written 20260527120000.0000: in
 * numeric order too it follows 20260527120000 and comes before
 * 20260528000000, as in diesel's string order.  In place.
 */
static void diesel_version(char *v)
{
	char *w = v, *r;
	size_t n;

	if (!strchr(v, '-'))
		return;
	for (r = v; *r; r++)
		if (*r != '-')
			*w++ = *r;
	*w = '\0';
	n = strlen(v);
	if (n > 14) {
		memmove(v + 15, v + 14, n - 14 + 1);
		v[14] = '.';
	}
}

/* Layout 2: "<version>_<name>/" holding up.sql, down.sql and variants,
 * and diesel's metadata.toml. */
struct folder {
	char *version, *name;
	int has_metadata;
	enum tx_mode tx;
};

static int folder_entry(struct scan *s, const char *path, const char *name,
    const struct stat *st, const void *arg)
{
	struct folder *mig = (struct folder *)arg;
	size_t k;

	if (!strcmp(name, "metadata.toml") && S_ISREG(st->st_mode)) {
		mig->has_metadata = 1;
		return diesel_metadata(s, path, &mig->tx);
	}
	for (k = 0; k < NR_ROLES; k++)
		if (!strcmp(name, roles[k].suffix))
			break;
	if (k == NR_ROLES || !S_ISREG(st->st_mode))
		return no_layout(s, path);
	add_script(s, path, KIND_VERSIONED, mig->version, mig->name,
	    roles[k].role, roles[k].dialect);
	return 0;
}

/* Layout 3: one file with dbmate or goose markers. */

enum marker { M_NONE, M_UP, M_DOWN, M_NO_TX, M_ENVSUB, M_BAD, M_BLOCK };

/* dbmate's markers (pkg/dbmate/migration.go): a line "--", blanks,
 * "migrate:up" or "migrate:down", then nothing or blanks and options;
 * *no_tx set by the option transaction:false. */
static enum marker dbmate_marker(const char *line, int *no_tx)
{
	const char *p = line + 2;
	enum marker m;

	if (strncmp(line, "--", 2))
		return M_NONE;
	p += strspn(p, " \t");
	if (!strncmp(p, "migrate:up", 10))
		m = M_UP, p += 10;
	else if (!strncmp(p, "migrate:down", 12))
		m = M_DOWN, p += 12;
	else
		return M_NONE;
	if (*p && *p != ' ' && *p != '\t')
		return M_NONE;
	*no_tx = strstr(p, "transaction:false") != NULL;
	return m;
}

/* goose v3's annotations (internal/sqlparser): a comment line holding
 * "+goose" is one, with no blank before its "--"; with every "--" and the
 * first "+goose" taken out and blanks trimmed, it reads one of these, in
 * any case.  StatementBegin and StatementEnd are the splitter's, and make
 * the file goose's. */
static enum marker goose_marker(const char *line)
{
	static const struct { const char *word; enum marker m; } words[] = {
		{ "up", M_UP }, { "down", M_DOWN },
		{ "statementbegin", M_BLOCK }, { "statementend", M_BLOCK },
		{ "no transaction", M_NO_TX },
		{ "envsub on", M_ENVSUB }, { "envsub off", M_ENVSUB },
	};
	const char *p = line + strspn(line, " \t");
	char *cmd, *q, *g;
	size_t i, n;
	enum marker m = M_BAD;

	if (strncmp(p, "--", 2) || !strstr(line, "+goose"))
		return M_NONE;
	if (p != line)
		return M_BAD;	/* goose refuses it */
	cmd = q = xmalloc(strlen(line) + 1);
	for (p = line; *p; )
		if (p[0] == '-' && p[1] == '-')
			p += 2;
		else
			*q++ = *p++;
	*q = '\0';
	if ((g = strstr(cmd, "+goose")))
		memmove(g, g + 6, strlen(g + 6) + 1);
	for (p = cmd; *p == ' ' || *p == '\t'; p++)
		;
	for (n = strlen(p); n && (p[n - 1] == ' ' || p[n - 1] == '\t'); n--)
		;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n &&
		    !strncasecmp(p, words[i].word, n))
			m = words[i].m;
	free(cmd);
	return m;
}

/* What a line says; *flavor is 'd' (dbmate) or 'g' (goose), *no_tx set by
 * dbmate's transaction:false. */
static enum marker marker_of(char *line, int *flavor, int *no_tx)
{
	size_t n = strlen(line);
	enum marker m;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	*no_tx = 0;
	if ((m = dbmate_marker(line, no_tx)) != M_NONE) {
		*flavor = 'd';
		return m;
	}
	if ((m = goose_marker(line)) != M_NONE)
		*flavor = 'g';
	return m;
}

static int blank_or_comment(const char *line)
{
	line += strspn(line, " \t\r\n");
	return !*line || !strncmp(line, "--", 2);
}

/* goose rolls back a migration without a Down section running nothing:
 * so does its empty down script, at the end of the file. */
static void goose_no_down(struct scan *s, const char *path,
    const char *version, const char *name, off_t end, uint64_t lines)
{
	struct cand *c = add_script(s, path, KIND_VERSIONED, version, name,
	    ROLE_DOWN, DIALECT_ANY);

	c->src.offset = end;
	c->src.length = 0;
	c->src.first_line = lines + 1;
	c->from_markers = 1;
	c->no_section = 1;
}

static int scan_markers(struct scan *s, const char *path, const char *version,
    const char *name)
{
	FILE *f = fopen(path, "rb");
	/* the sections' candidates, by index: adding one may move them */
	size_t sec[2] = { 0, 0 }, open_sec = 0, i;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	off_t pos = 0;
	uint64_t lineno = 0, stray = 0;	/* a statement before any marker */
	uint64_t bad = 0, envsub = 0;	/* goose's */
	int flavor = 0, fl, no_tx, goose_no_tx = 0, ret = 0;
	enum marker m;
	struct cand *c;

	if (!f)
		return err_errno(s->err, ERR_INPUT, "'%s'", path);
	while ((len = getline(&line, &cap, f)) > 0) {
		/* A byte order mark does not hide a marker on line 1. */
		char *text = lineno++ == 0 && !strncmp(line, "\xef\xbb\xbf", 3) ?
		    line + 3 : line;

		pos += len;
		fl = 0;
		m = marker_of(text, &fl, &no_tx);
		if (m == M_BLOCK && !flavor)
			flavor = 'g';	/* the splitter's, but goose's */
		if (m == M_NONE || m == M_BAD || m == M_ENVSUB ||
		    m == M_BLOCK) {
			if (m == M_BAD && !bad)
				bad = lineno;
			if (m == M_ENVSUB && !envsub)
				envsub = lineno;
			if (!open_sec && !stray && !blank_or_comment(text))
				stray = lineno;
			continue;
		}
		if (flavor && fl != flavor) {
			ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: dbmate "
			    "and goose markers mixed", path,
			    (unsigned long long)lineno);
			goto out;
		}
		flavor = fl;
		if (m == M_NO_TX) {	/* anywhere, as goose reads it */
			goose_no_tx = 1;
			continue;
		}
		if (m == M_UP && sec[1]) {
			ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: the up "
			    "marker comes after the down marker", path,
			    (unsigned long long)lineno);
			goto out;
		}
		if (open_sec)
			s->c[open_sec - 1].src.length = pos - len -
			    s->c[open_sec - 1].src.offset;
		if (sec[m == M_DOWN]) {
			ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: second "
			    "%s marker", path, (unsigned long long)lineno,
			    m == M_UP ? "up" : "down");
			goto out;
		}
		c = add_script(s, path, KIND_VERSIONED, version, name,
		    m == M_UP ? ROLE_UP : ROLE_DOWN, DIALECT_ANY);
		c->src.offset = pos;
		c->src.first_line = lineno + 1;
		c->from_markers = 1;
		c->tx = no_tx ? TX_NONE : TX_TRANSACTION;
		open_sec = sec[m == M_DOWN] = s->nr;	/* index + 1 */
	}
	if (ferror(f)) {
		ret = err_errno(s->err, ERR_RUNTIME, "'%s': read", path);
		goto out;
	}
	if (!flavor && !bad && !envsub) {
		/* No marker at all: sqlx's simple migration, an up script. */
		add_script(s, path, KIND_VERSIONED, version, name, ROLE_UP,
		    DIALECT_ANY);
		goto out;
	}
	if (flavor != 'd' && envsub) {
		ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: goose's "
		    "ENVSUB puts the environment of the machine that runs the "
		    "migration into its SQL; a bundle holds the SQL fixed at "
		    "build, the same on every host: write the values into the "
		    "script", path, (unsigned long long)envsub);
		goto out;
	}
	if (flavor != 'd' && bad) {
		ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: not a goose "
		    "annotation, which goose refuses: a line starting '--' (no "
		    "blank before) with '+goose' then Up, Down, StatementBegin, "
		    "StatementEnd or NO TRANSACTION", path,
		    (unsigned long long)bad);
		goto out;
	}
	if (!sec[0]) {
		ret = err_set(s->err, ERR_INPUT, "'%s': no '-- migrate:up' or "
		    "'-- +goose Up' marker", path);
		goto out;
	}
	if (stray) {
		ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: statement "
		    "before the first migration marker", path,
		    (unsigned long long)stray);
		goto out;
	}
	if (flavor == 'g' && !sec[1]) {
		goose_no_down(s, path, version, name, pos, lineno);
		sec[1] = s->nr;
	}
	if (goose_no_tx)
		for (i = 0; i < 2; i++)
			if (sec[i])
				s->c[sec[i] - 1].tx = TX_NONE;
out:
	free(line);
	fclose(f);
	return ret;
}

/* Layout 4: V<version>__<desc>.sql, U<version>__<desc>.sql, R__<desc>.sql. */
static int scan_flyway(struct scan *s, const char *path, const char *base)
{
	size_t len = strlen(base) - 4, v = 0;	/* without ".sql" */
	char *version = NULL, *desc;
	int ok;

	if (base[0] != 'R') {
		v = version_span(base + 1, VERSION_ALLOW_UNDERSCORE);
		if (!v || !version_valid(base + 1, v, VERSION_ALLOW_UNDERSCORE))
			return no_layout(s, path);
		version = xstrndup(base + 1, v);
	}
	if (v + 3 > len || strncmp(base + 1 + v, "__", 2)) {
		free(version);
		return no_layout(s, path);
	}
	desc = xstrndup(base + 3 + v, len - 3 - v);
	ok = manifest_name_valid(desc);
	if (ok) {
		struct cand *c = add_script(s, path, version ? KIND_VERSIONED :
		    KIND_REPEATABLE, version, desc, base[0] == 'U' ?
		    ROLE_DOWN : ROLE_UP, DIALECT_ANY);

		c->src.subst = 1;
		c->src.ph = s->ph;
	}
	free(version);
	free(desc);
	return ok ? 0 : no_layout(s, path);
}

/*
 * A native script's name, golang-migrate's rule: <version>_<name>.<up|down>.
 * <ext>, the name as long as it can be (it may hold dots), so the last
 * ".up." or ".down." counts.  ext is "sql" (or ours, "postgres.sql" and
 * "sqlite.sql"), after any extra dots ("x.up..sql" is in real histories).
 * The role's index in roles and where the name ends; 0 when not such a
 * name.
 */
static int native_name(const char *base, size_t *k, size_t *name_end)
{
	const char *p, *at = NULL, *ext;
	size_t i;

	for (p = base; (p = strchr(p, '.')); p++)
		if (!strncmp(p, ".up.", 4) || !strncmp(p, ".down.", 6))
			at = p;
	if (!at)
		return 0;
	ext = at + (at[1] == 'u' ? 4 : 6);
	ext += strspn(ext, ".");
	for (i = 0; i < NR_ROLES; i++)
		if (!strncmp(roles[i].suffix, at + 1, at[1] == 'u' ? 3 : 5) &&
		    !strcmp(roles[i].suffix + (at[1] == 'u' ? 3 : 5), ext))
			break;
	if (i == NR_ROLES)
		return 0;
	*k = i;
	*name_end = (size_t)(at - base);
	return 1;
}

/* Flyway's SQL callbacks (its Callback events): <event>[__<desc>].sql. */
static const char *flyway_callback(const char *base)
{
	static const char *const events[] = {
		"beforeMigrate", "beforeRepeatables", "beforeEachMigrate",
		"beforeEachMigrateStatement", "afterEachMigrateStatement",
		"afterEachMigrateStatementError", "afterEachMigrate",
		"afterEachMigrateError", "afterMigrate", "afterMigrateApplied",
		"afterVersioned", "afterMigrateError", "beforeUndo",
		"beforeEachUndo", "beforeEachUndoStatement",
		"afterEachUndoStatement", "afterEachUndoStatementError",
		"afterEachUndo", "afterEachUndoError", "afterUndo",
		"afterUndoError", "beforeClean", "afterClean", "afterCleanError",
		"beforeInfo", "afterInfo", "afterInfoError", "beforeValidate",
		"afterValidate", "afterValidateError", "beforeBaseline",
		"afterBaseline", "afterBaselineError", "beforeRepair",
		"afterRepair", "afterRepairError", "createSchema",
		"beforeConnect", "afterConnect",
	};
	size_t i, n;

	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		n = strlen(events[i]);
		if (!strncmp(base, events[i], n) && (!strcmp(base + n, ".sql") ||
		    !strncmp(base + n, "__", 2)))
			return events[i];
	}
	return NULL;
}

/* A Flyway script's settings, <script>.sql.conf beside it (Java
 * properties): executeInTransaction, and encoding as long as it is UTF-8;
 * no other can be carried over. */
static int flyway_conf(struct scan *s, const char *path)
{
	char *script = xstrndup(path, strlen(path) - 5), *line = NULL;
	char *key, *val, *e;
	struct cand *c = NULL;
	size_t cap = 0, i;
	uint64_t lineno = 0;
	FILE *f = NULL;
	int ret = 0;

	for (i = s->nr; i-- > 0 && !c; )
		if (!strcmp(s->c[i].src.path, script) && s->c[i].src.subst)
			c = &s->c[i];
	if (!c) {
		ret = err_set(s->err, ERR_INPUT, "'%s': Flyway settings for a "
		    "script that is not there, or no Flyway script: '%s'", path,
		    script);
		goto out;
	}
	if (!(f = fopen(path, "r"))) {
		ret = err_errno(s->err, ERR_INPUT, "'%s'", path);
		goto out;
	}
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		key = line + strspn(line, " \t\r\n");
		if (!*key || *key == '#' || *key == '!')
			continue;
		val = key + strcspn(key, "=: \t\r\n");
		e = val + strspn(val, " \t");
		if (*e == '=' || *e == ':')
			e++;
		*val = '\0';
		val = e + strspn(e, " \t");
		for (e = val + strlen(val); e > val && strchr(" \t\r\n", e[-1]);
		    e--)
			;
		*e = '\0';
		if (!strcmp(key, "executeInTransaction") &&
		    (!strcasecmp(val, "true") || !strcasecmp(val, "false"))) {
			c->tx = strcasecmp(val, "true") ? TX_NONE :
			    TX_TRANSACTION;
			c->tx_set = 1;
		} else if (!strcmp(key, "encoding") &&
		    (!strcasecmp(val, "UTF-8") || !strcasecmp(val, "UTF8"))) {
			continue;
		} else {
			ret = err_set(s->err, ERR_INPUT, "'%s': line %llu: "
			    "%s=%s: migpack reads executeInTransaction=true|"
			    "false, and encoding=UTF-8, and cannot carry this "
			    "setting over", path, (unsigned long long)lineno,
			    key, val);
			goto out;
		}
	}
	if (ferror(f))
		ret = err_errno(s->err, ERR_RUNTIME, "'%s': read", path);
out:
	if (f)
		fclose(f);
	free(line);
	free(script);
	return ret;
}

/* One file at the top of the input folder: layouts 1, 3 and 4. */
static int scan_file(struct scan *s, const char *path, const char *base)
{
	size_t len = strlen(base), k, end;
	const char *event;
	char *version, *name;
	int native, ret = 0;

	if (ends_with(base, ".sql.conf") && (base[0] == 'V' ||
	    base[0] == 'U' || base[0] == 'R'))
		return flyway_conf(s, path);
	if ((event = flyway_callback(base)))
		return err_set(s->err, ERR_INPUT, "'%s': a Flyway callback "
		    "(%s): migpack runs migrations, not Flyway's callbacks; run "
		    "it yourself where it is needed, or leave it out knowingly "
		    "with --exclude '%s'", path, event, path + s->dir_len + 1);

	if (ends_with(base, ".go"))
		return err_set(s->err, ERR_INPUT, "'%s': a goose Go migration: "
		    "migpack bundles SQL and runs no Go; write it in SQL, or "
		    "leave it out knowingly with --exclude '%s'", path,
		    path + s->dir_len + 1);
	if (!ends_with(base, ".sql"))
		return no_layout(s, path);
	if ((base[0] == 'V' || base[0] == 'U' || base[0] == 'R') &&
	    strstr(base, "__"))
		return scan_flyway(s, path, base);
	native = native_name(base, &k, &end);
	if (!split_version(base, native ? end : len - 4, &version, &name))
		return no_layout(s, path);
	if (native)
		add_script(s, path, KIND_VERSIONED, version, name,
		    roles[k].role, roles[k].dialect)->by_version = 1;
	else
		ret = scan_markers(s, path, version, name);
	free(version);
	free(name);
	return ret;
}

/* seeds/<profile>/<table>.csv and seeds/<profile>/<name>.sql */
static int seed_entry(struct scan *s, const char *path, const char *name,
    const struct stat *st, const void *arg)
{
	const char *profile = arg;
	size_t len = strlen(name);
	int csv = ends_with(name, ".csv");
	struct cand *c;

	if (!S_ISREG(st->st_mode) || len <= 4 ||
	    !(csv || ends_with(name, ".sql")))
		return err_set(s->err, ERR_INPUT, "'%s': not a seed file (.csv "
		    "or .sql)", path);
	c = add_cand(s, path);
	c->is_seed = 1;
	c->profile = xstrdup(profile);
	c->format = csv ? SEED_CSV : SEED_SQL;
	c->name = csv ? xstrndup(name, len - 4) : NULL;
	c->seed_path = xasprintf("seeds/%s/%s", profile, name);
	return 0;
}

static int profile_entry(struct scan *s, const char *path, const char *name,
    const struct stat *st, const void *arg)
{
	(void)arg;
	if (!S_ISDIR(st->st_mode))
		return err_set(s->err, ERR_INPUT, "'%s': seed files belong in "
		    "seeds/<profile>/", path);
	if (!manifest_name_valid(name))
		return err_set(s->err, ERR_INPUT, "'%s': invalid profile name",
		    path);
	return walk(s, path, seed_entry, name);
}

/* One entry at the top of the input folder. */
static int top_entry(struct scan *s, const char *path, const char *name,
    const struct stat *st, const void *arg)
{
	struct folder mig = { 0 };
	size_t first = s->nr, i;
	int ret;

	(void)arg;
	if (S_ISREG(st->st_mode))
		return scan_file(s, path, name);
	if (S_ISDIR(st->st_mode) && !strcmp(name, "seeds"))
		return walk(s, path, profile_entry, NULL);
	if (!S_ISDIR(st->st_mode) ||
	    !split_version(name, strlen(name), &mig.version, &mig.name))
		return no_layout(s, path);
	diesel_version(mig.version);
	ret = walk(s, path, folder_entry, &mig);
	/* diesel's setting is the migration's: up and down */
	for (i = first; !ret && mig.has_metadata && i < s->nr; i++) {
		s->c[i].tx = mig.tx;
		s->c[i].tx_set = 1;
	}
	free(mig.version);
	free(mig.name);
	return ret;
}

/* A Flyway script's text, placeholders replaced: what the bundle holds,
 * summed and counted. */
struct replaced {
	struct subst sub;
	struct buf b;
	struct checksum sum;
	uint64_t size;
};

/* n normalized bytes at out, on their way to sink: replaced first when
 * r is not NULL. */
static int pass_on(struct replaced *r, const unsigned char *out, size_t n,
    int last, layout_sink sink, void *ctx, struct err *err)
{
	const void *data = out;

	if (r) {
		buf_reset(&r->b);
		subst_feed(&r->sub, (const char *)out, n, &r->b);
		if (last)
			subst_finish(&r->sub, &r->b);
		checksum_update(&r->sum, r->b.data, r->b.len);
		r->size += r->b.len;
		data = r->b.data;
		n = r->b.len;
	}
	return sink ? sink(ctx, data, n, err) : 0;
}

int layout_read(const struct source *src, struct text *t,
    char hex[CHECKSUM_HEX_LEN + 1], layout_sink sink, void *ctx,
    struct err *err)
{
	static unsigned char in[CHUNK], out[CHUNK + 1];
	struct replaced rep, *r = NULL;
	const char *base = strrchr(src->path, '/');
	off_t left = src->length;
	size_t want, n;
	ssize_t got;
	int fd, ret = 0;

	if ((fd = open(src->path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(err, ERR_INPUT, "'%s'", src->path);
	if (src->subst) {
		r = &rep;
		subst_init(&r->sub, src->ph, base ? base + 1 : src->path,
		    src->first_line);
		buf_init(&r->b);
		checksum_init(&r->sum);
		r->size = 0;
	}
	if (src->offset && lseek(fd, src->offset, SEEK_SET) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "'%s'", src->path);
		goto out;
	}
	text_init(t, src->offset == 0, src->first_line);
	for (;;) {
		want = left >= 0 && left < CHUNK ? (size_t)left : CHUNK;
		if (!want)
			break;
		got = read(fd, in, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = err_errno(err, ERR_INPUT, "'%s'", src->path);
			goto out;
		}
		if (got == 0)
			break;
		if (left > 0)
			left -= got;
		n = text_feed(t, in, (size_t)got, out);
		if ((ret = pass_on(r, out, n, 0, sink, ctx, err)))
			goto out;
	}
	n = text_finish(t, out, hex);
	if ((ret = pass_on(r, out, n, 1, sink, ctx, err)))
		goto out;
	if (t->problem) {
		ret = err_set(err, ERR_INPUT, "'%s': line %llu: %s", src->path,
		    (unsigned long long)t->problem_line, t->problem);
		goto out;
	}
	if (r && r->sub.missing) {
		ret = err_set(err, ERR_INPUT, "'%s': line %llu: Flyway "
		    "placeholder ${%s} has no value, and Flyway refuses to run "
		    "the script without one: give it with --placeholder "
		    "'%s=VALUE'%s", src->path,
		    (unsigned long long)r->sub.missing_line, r->sub.missing,
		    r->sub.missing, strncmp(r->sub.missing, "flyway:", 7) ? "" :
		    " (Flyway's own are the database's, known only where the "
		    "script runs: the value is fixed in the bundle)");
		goto out;
	}
	if (r) {
		checksum_final(&r->sum, hex);
		t->size = r->size;
	}
out:
	if (r) {
		subst_release(&r->sub);
		buf_release(&r->b);
	}
	close(fd);
	return ret;
}

/* A script's text, kept to find what it does; no more than a script may
 * hold (a longer one is refused once read). */
static int keep_text(void *ctx, const void *data, size_t len,
    struct err *err)
{
	struct buf *b = ctx;

	(void)err;
	if (b->len + len <= BUNDLE_MAX_SCRIPT)
		buf_add(b, data, len);
	return 0;
}

static const char *engine_name(enum dialect d)
{
	return d == DIALECT_POSTGRES ? "PostgreSQL" : "SQLite";
}

/* Say why c runs outside a transaction on engines. */
static void tx_notice(struct scan *s, const struct cand *c,
    const struct txneed *n, const char *engines)
{
	static const char *const why[] = {
		[TXN_OWN] = "the script runs its own transactions",
		[TXN_REFUSED] = "cannot run inside a transaction",
		[TXN_NOOP] = "does nothing inside a transaction",
	};

	buf_addf(s->notices, "'%s', line %llu: %s%s %s: on %s the script runs "
	    "outside migpack's transaction, as with '%s'\n", c->src.path,
	    (unsigned long long)(c->src.first_line + n->line - 1), n->what,
	    n->kind == TXN_OWN ? ":" : "", why[n->kind], engines,
	    NO_TX_DIRECTIVE);
}

/* A script that does not run its own transactions, run outside one: its
 * other statements commit each on its own. */
static void tx_warning(struct scan *s, const struct cand *c,
    const struct txneed *n, const char *engines)
{
	if (n->kind == TXN_OWN || !n->others)
		return;
	buf_addf(s->notices, "'%s': warning: on %s its %zu other statement%s "
	    "then commit%s one by one: if one fails, those before it stay "
	    "applied and the migration is left dirty\n", c->src.path, engines,
	    n->others, n->others == 1 ? "" : "s", n->others == 1 ? "s" : "");
}

/* A script not declared no-transaction still needs to run outside one on
 * an engine when its statements say so (txscan.h); one notice for both
 * engines when they agree. */
static void detect_tx(struct scan *s, struct cand *c, const struct buf *text)
{
	static const char *const both = "PostgreSQL and SQLite";
	struct txneed need[DIALECT_NR];
	const struct txneed *pg = &need[DIALECT_POSTGRES],
	    *lite = &need[DIALECT_SQLITE];
	int found[DIALECT_NR] = { 0 };
	enum dialect d;

	for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++) {
		c->tx_on[d] = c->tx;
		if ((s->engines & ENGINE_BIT(d)) &&
		    c->tx == TX_TRANSACTION && !c->tx_set &&
		    (c->dialect == DIALECT_ANY || c->dialect == d) &&
		    (found[d] = txscan(text->data, text->len, d,
		    c->dialect == DIALECT_ANY, &need[d])))
			c->tx_on[d] = TX_NONE;
	}
	if (!found[DIALECT_POSTGRES] || !found[DIALECT_SQLITE]) {
		for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++)
			if (found[d]) {
				tx_notice(s, c, &need[d], engine_name(d));
				tx_warning(s, c, &need[d], engine_name(d));
			}
		return;
	}
	if (pg->kind == lite->kind && pg->line == lite->line &&
	    !strcmp(pg->what, lite->what)) {
		tx_notice(s, c, pg, both);
	} else {
		tx_notice(s, c, pg, engine_name(DIALECT_POSTGRES));
		tx_notice(s, c, lite, engine_name(DIALECT_SQLITE));
	}
	if (pg->kind == lite->kind && pg->others == lite->others) {
		tx_warning(s, c, pg, both);
	} else {
		tx_warning(s, c, pg, engine_name(DIALECT_POSTGRES));
		tx_warning(s, c, lite, engine_name(DIALECT_SQLITE));
	}
}

/* Read every candidate once: validate, checksum, transaction directive. */
static int check_cand(struct scan *s, struct cand *c)
{
	struct buf text = BUF_INIT;
	struct text t;
	int ret;

	if ((ret = layout_read(&c->src, &t, c->sha, c->is_seed ? NULL :
	    keep_text, &text, s->err)))
		goto out;
	c->src.size = t.size;
	if (c->is_seed) {
		if (!t.size)
			ret = err_set(s->err, ERR_INPUT, "'%s': empty seed file",
			    c->src.path);
		else if (c->format == SEED_CSV && !t.first_len)
			ret = err_set(s->err, ERR_INPUT, "'%s': line 1: no "
			    "header row naming the columns", c->src.path);
		goto out;
	}
	if (t.size > BUNDLE_MAX_SCRIPT) {
		ret = err_set(s->err, ERR_INPUT, "'%s': script over %llu bytes",
		    c->src.path, (unsigned long long)BUNDLE_MAX_SCRIPT);
		goto out;
	}
	/* Nothing but blanks and comments: a no-op, as every layout's own
	 * tool runs it (golang-migrate, goose, dbmate, Flyway). */
	if (c->no_section) {
		buf_addf(s->notices, "'%s': no '-- +goose Down' section: rolling "
		    "back does nothing but remove the migration's row, as in "
		    "goose\n", c->src.path);
	} else if (!t.has_content) {
		/* A marker file's section is named by its marker's line. */
		buf_addf(s->notices, "'%s'", c->src.path);
		if (c->from_markers)
			buf_addf(s->notices, ", line %llu",
			    (unsigned long long)c->src.first_line - 1);
		buf_addf(s->notices, ": %s script with no statement: %s\n",
		    role_name(c->role), c->role == ROLE_DOWN ? "rolling back "
		    "does nothing but remove the migration's row" : "applying "
		    "it does nothing but record the migration");
	}
	/* Ours, and sqlx's: the file's first bytes. */
	if (!c->from_markers && (text_first_line_is(&t, NO_TX_DIRECTIVE) ||
	    (t.first_len >= strlen(SQLX_NO_TX) &&
	    !memcmp(t.first_line, SQLX_NO_TX, strlen(SQLX_NO_TX)))))
		c->tx = TX_NONE;
	detect_tx(s, c, &text);
out:
	buf_release(&text);
	return ret;
}

/* Migrations in version order, then repeatables by name, then seeds. */
static int cmp_cand(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	int c;

	if (a->is_seed != b->is_seed)
		return a->is_seed - b->is_seed;
	if (a->is_seed)
		return (c = strcmp(a->profile, b->profile)) ? c :
		    strcmp(a->seed_path, b->seed_path);
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->kind == KIND_VERSIONED &&
	    ((c = version_cmp(a->version, b->version)) ||
	    (c = strcmp(a->version, b->version)) ||
	    (c = a->by_version - b->by_version)))
		return c;
	/* Native files pair by version: the up first, it names them. */
	if (!a->by_version && (c = strcmp(a->name, b->name)))
		return c;
	if (a->role != b->role)
		return (int)a->role - (int)b->role;
	if (a->dialect != b->dialect)
		return (int)a->dialect - (int)b->dialect;
	return strcmp(a->src.path, b->src.path);
}

static int same_migration(const struct cand *a, const struct cand *b)
{
	if (a->kind != b->kind)
		return 0;
	if (a->kind == KIND_REPEATABLE)
		return !strcmp(a->name, b->name);
	return !version_cmp(a->version, b->version);
}

static void take_source(struct layout *l, const struct cand *c)
{
	struct source *src = &l->sources[l->nr_sources++];

	*src = c->src;
	src->path = xstrdup(c->src.path);
}

/* A script of c's role and dialect in mig already: both named. */
static int second_script(const struct layout *l,
    const struct manifest_migration *mig, const struct cand *c,
    struct err *err)
{
	size_t j;

	for (j = 0; j < mig->nr_scripts; j++)
		if (mig->scripts[j].role == c->role &&
		    mig->scripts[j].dialect == c->dialect)
			return err_set(err, ERR_INPUT, "'%s': a second %s%s%s "
			    "script for version %s (the first is '%s')",
			    c->src.path, role_name(c->role),
			    c->dialect == DIALECT_ANY ? "" : " ",
			    c->dialect == DIALECT_ANY ? "" :
			    dialect_name(c->dialect), c->version ? c->version :
			    c->name, l->sources[l->nr_sources - mig->nr_scripts
			    + j].path);
	return 0;
}

/* Whether a candidate after i, in the same migration, has c's role on
 * dialect d. */
static int has_variant(const struct scan *s, size_t i, enum dialect d)
{
	const struct cand *c = &s->c[i];
	size_t j;

	for (j = i + 1; j < s->nr && !s->c[j].is_seed &&
	    same_migration(c, &s->c[j]); j++)
		if (s->c[j].role == c->role && s->c[j].dialect == d)
			return 1;
	return 0;
}

/* Add c's script to mig, for dialect d, run as tx. */
static int add_one(struct layout *l, struct scan *s,
    struct manifest_migration *mig, const struct cand *c, enum dialect d,
    enum tx_mode tx)
{
	struct manifest_script *sc;
	size_t bad;
	const char *why;

	sc = manifest_add_script(mig, c->role, d);
	sc->tx = tx;
	sc->file.path = manifest_script_path(mig, sc);
	memcpy(sc->file.sha256, c->sha, sizeof(c->sha));
	if (manifest_migration_check(mig, &bad, &why) &&
	    bad == mig->nr_scripts - 1)
		return err_set(s->err, ERR_INPUT, "'%s': %s", c->src.path, why);
	take_source(l, c);
	return 0;
}

/*
 * Add the i-th candidate's script to mig.  A script for every engine that
 * runs in a transaction on one and not on the other becomes a script for
 * each (the same text), unless the migration has its own for that engine.
 */
static int add_scripts(struct layout *l, struct scan *s,
    struct manifest_migration *mig, size_t i)
{
	const struct cand *c = &s->c[i];
	enum dialect d;
	int ret;

	if ((ret = second_script(l, mig, c, s->err)))
		return ret;
	if (c->dialect != DIALECT_ANY) {
		if (!(s->engines & ENGINE_BIT(c->dialect)))
			buf_addf(s->notices, "'%s': a script for %s, which this "
			    "bundle is not for (--engines): bundled, never run\n",
			    c->src.path, engine_name(c->dialect));
		return add_one(l, s, mig, c, c->dialect, c->tx_on[c->dialect]);
	}
	if (s->engines != ENGINES_ALL ||
	    c->tx_on[DIALECT_POSTGRES] == c->tx_on[DIALECT_SQLITE])
		return add_one(l, s, mig, c, DIALECT_ANY,
		    c->tx_on[s->engines & ENGINE_BIT(DIALECT_POSTGRES) ?
		    DIALECT_POSTGRES : DIALECT_SQLITE]);
	for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++)
		if (!has_variant(s, i, d) &&
		    (ret = add_one(l, s, mig, c, d, c->tx_on[d])))
			return ret;
	return 0;
}

/* Group the sorted candidates into the manifest. */
static int build_manifest(struct layout *l, struct scan *s)
{
	struct manifest_migration *mig = NULL;
	struct cand *first = NULL;
	size_t i, bad;
	const char *why;
	int ret;

	/* a script may be one for each engine */
	l->sources = xreallocarray(NULL, s->nr, 2 * sizeof(*l->sources));
	for (i = 0; i < s->nr; i++) {
		struct cand *c = &s->c[i];

		if (c->is_seed) {
			struct manifest_seed *seed = manifest_add_seed(&l->m,
			    c->profile, c->name, c->format, c->seed_path);

			memcpy(seed->file.sha256, c->sha, sizeof(c->sha));
			take_source(l, c);
			continue;
		}
		if (!first || !same_migration(first, c)) {
			first = c;
			mig = manifest_add_migration(&l->m, c->kind, c->version,
			    c->name);
		} else if ((c->version && strcmp(first->version, c->version)) ||
		    (strcmp(first->name, c->name) &&
		    !(first->by_version && c->by_version))) {
			return err_set(s->err, ERR_INPUT, "'%s': %s '%s' is "
			    "already migration '%s' ('%s')", c->src.path,
			    c->version ? "version" : "name", c->version ?
			    c->version : c->name, first->name, first->src.path);
		}
		if ((ret = add_scripts(l, s, mig, i)))
			return ret;
		/* A migration ends when the next candidate starts another. */
		if ((i + 1 == s->nr || s->c[i + 1].is_seed ||
		    !same_migration(first, &s->c[i + 1])) &&
		    manifest_migration_check(mig, &bad, &why))
			return err_set(s->err, ERR_INPUT, "'%s': %s",
			    l->sources[l->nr_sources - mig->nr_scripts + bad].path, why);
	}
	return 0;
}

int layout_scan(struct layout *l, const char *dir,
    const struct layout_opts *o, struct err *err)
{
	static const struct layout_opts none = { 0 };
	struct scan s = { .err = err };
	char *const *excludes;
	size_t i, nr_excludes;
	int ret;

	o = o ? o : &none;
	excludes = s.excludes = o->excludes;
	nr_excludes = s.nr_excludes = o->nr_excludes;
	s.ph = o->placeholders;
	s.engines = o->engines ? o->engines : ENGINES_ALL;
	memset(l, 0, sizeof(*l));
	l->m.engines = s.engines;
	buf_init(&l->notices);
	s.notices = &l->notices;
	s.m = &l->m;
	s.dir_len = strlen(dir);
	s.used = xcalloc(nr_excludes ? nr_excludes : 1, 1);
	for (i = 0; i < nr_excludes; i++)
		manifest_add_exclude(&l->m, excludes[i]);
	if ((ret = walk(&s, dir, top_entry, NULL)))
		goto out;
	for (i = 0; i < nr_excludes; i++)
		if (!s.used[i])
			buf_addf(s.notices, "--exclude '%s' left nothing out\n",
			    excludes[i]);
	if (l->m.nr_excluded > 1)
		qsort(l->m.excluded, l->m.nr_excluded, sizeof(char *),
		    cmp_str);
	for (i = 0; i < s.nr; i++)
		if ((ret = check_cand(&s, &s.c[i])))
			goto out;
	if (s.nr > 1)
		qsort(s.c, s.nr, sizeof(*s.c), cmp_cand);
	if ((ret = build_manifest(l, &s)))
		goto out;
	if (!l->m.nr_migrations)
		ret = err_set(err, ERR_INPUT, "'%s': no migrations found", dir);
out:
	for (i = 0; i < s.nr; i++)
		cand_release(&s.c[i]);
	free(s.c);
	free(s.used);
	if (ret)
		layout_release(l);
	return ret;
}

void layout_release(struct layout *l)
{
	size_t i;

	for (i = 0; i < l->nr_sources; i++)
		free(l->sources[i].path);
	free(l->sources);
	manifest_release(&l->m);
	buf_release(&l->notices);
	memset(l, 0, sizeof(*l));
}

char *layout_dir_name(const char *dir)
{
	char real[PATH_MAX];

	if (!realpath(dir, real))
		return xstrdup("bundle");
	return xstrdup(basename(real));
}
