/* Loading a bundle's seed profile in one transaction (migrun seed): the
 * files streamed from the bundle into their tables, each recorded with its
 * checksum in the seeds table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "histsql.h"
#include "runner.h"
#include "seeds.h"
#include "xalloc.h"

#define SEEDS_TABLE "migpack_seeds"

/* The seeds table: one row per file loaded.  The same text serves both
 * engines; only the table's quoting differs. */
static const char create_sql[] =
	"CREATE TABLE IF NOT EXISTS %s (\n"
	"    profile        TEXT NOT NULL,\n"
	"    path           TEXT NOT NULL,\n"
	"    checksum       TEXT NOT NULL,\n"
	"    row_count      BIGINT,\n"
	"    bundle_name    TEXT NOT NULL,\n"
	"    bundle_release TEXT NOT NULL,\n"
	"    loaded_at      TEXT NOT NULL,\n"
	"    PRIMARY KEY (profile, path)\n"
	")";

struct seeder {
	struct session *s;
	const struct driver *drv;
	const char *profile;
	char *table;			/* the seeds table, as SQL */
	const struct manifest_seed **files;
	size_t nr;
	/* per file, from the seeds table: its checksum, when recorded */
	char **loaded;
	int clear, progress, tty;
	/* the CSV file being loaded */
	struct csv_load l;
	struct buf cols;		/* the quoted column names */
	struct buf list;		/* the same, joined */
	struct buf held;		/* bytes read before the header ended */
	const char **colv;
	int header;
	struct bundle_reader *r;	/* the one pass over the bundle */
	/* progress */
	const char *path;
	uint64_t size, bytes;
	int64_t start, shown;
	int drawn;
};

static int by_path(const void *a, const void *b)
{
	const struct manifest_seed *const *x = a, *const *y = b;

	return strcmp((*x)->file.path, (*y)->file.path);
}

/* The profile's files, in name order.  The manifest lists seeds by
 * profile, so each profile's files are together. */
static int pick_profile(struct seeder *sd, const char *want,
    struct err *err)
{
	const struct manifest *m = &sd->s->m;
	struct buf names = BUF_INIT;
	size_t i, profiles = 0;
	int ret = 0;

	for (i = 0; i < m->nr_seeds; i++)
		if (!i || strcmp(m->seeds[i].profile, m->seeds[i - 1].profile)) {
			buf_addf(&names, "%s%s", i ? ", " : "",
			    m->seeds[i].profile);
			profiles++;
		}
	if (!profiles) {
		ret = err_set(err, ERR_INPUT, "'%s': the bundle has no seeds",
		    sd->s->bundle);
		goto out;
	}
	if (!want)
		want = profiles > 1 ? "default" : m->seeds[0].profile;
	sd->files = xreallocarray(NULL, m->nr_seeds, sizeof(*sd->files));
	for (i = 0; i < m->nr_seeds; i++)
		if (!strcmp(m->seeds[i].profile, want))
			sd->files[sd->nr++] = &m->seeds[i];
	if (!sd->nr) {
		ret = err_set(err, ERR_INPUT, "'%s': no seed profile %s (it "
		    "has %s)%s", sd->s->bundle, want, names.data,
		    profiles > 1 ? ": choose one with --profile" : "");
		goto out;
	}
	sd->profile = want;
	qsort(sd->files, sd->nr, sizeof(*sd->files), by_path);
out:
	buf_release(&names);
	return ret;
}

/* A header's column name as SQL: quoted; on PostgreSQL a plain name is
 * folded to lower case first, as it would be written unquoted. */
static void add_ident(struct buf *b, enum dialect d, const char *s,
    size_t n)
{
	size_t i;
	int plain = n > 0;

	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			plain = 0;
	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, plain && d == DIALECT_POSTGRES && s[i] >= 'A' &&
		    s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	}
	buf_addch(b, '"');
}

static void progress_show(struct seeder *sd, int last)
{
	int64_t now = clock_ms();
	char line[160];
	int n;

	if (!sd->progress || (!last && now - sd->shown < (sd->tty ? 100 :
	    1000)) || (sd->progress < 2 && now - sd->start < 1000))
		return;
	sd->shown = now;
	if (sd->size && sd->tty) {
		int pct = (int)(sd->bytes * 100 / sd->size), i;
		char bar[21];

		for (i = 0; i < 20; i++)
			bar[i] = i < pct / 5 ? '#' : '.';
		bar[20] = '\0';
		n = snprintf(line, sizeof(line), "%s [%s] %3d%%  %llu rows  "
		    "%.1f/%.1f MB", sd->path, bar, pct,
		    (unsigned long long)sd->l.rows, sd->bytes / 1e6,
		    sd->size / 1e6);
	} else
		n = snprintf(line, sizeof(line), "%s: %llu rows, %.1f of "
		    "%.1f MB", sd->path, (unsigned long long)sd->l.rows,
		    sd->bytes / 1e6, sd->size / 1e6);
	if (n < 0)
		return;
	if (sd->tty)
		fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
	else
		fprintf(stderr, "%s\n", line);
	sd->drawn = !last && sd->tty;
}

/* The header names the columns; every other record is a row. */
static int on_record(void *arg, const struct csv_field *f, size_t n,
    unsigned long line, struct err *err)
{
	struct seeder *sd = arg;
	struct csv_load *l = &sd->l;
	enum dialect d = sd->drv->dialect;
	size_t i, *off;
	int ret;

	if (!sd->header) {
		for (i = 0; i < n; i++)
			if (!f[i].len)
				return err_set(err, ERR_INPUT, "%s:%lu: column "
				    "%zu: the header names no column", l->path,
				    line, i + 1);
		off = xreallocarray(NULL, n, sizeof(*off));
		for (i = 0; i < n; i++) {
			off[i] = sd->cols.len;
			add_ident(&sd->cols, d, f[i].data, f[i].len);
			buf_addch(&sd->cols, '\0');
		}
		sd->colv = xreallocarray(NULL, n, sizeof(*sd->colv));
		for (i = 0; i < n; i++)
			sd->colv[i] = sd->cols.data + off[i];
		free(off);
		buf_reset(&sd->list);
		for (i = 0; i < n; i++)
			buf_addf(&sd->list, "%s%s", i ? ", " : "", sd->colv[i]);
		l->columns = sd->colv;
		l->nr_columns = n;
		l->column_list = sd->list.data;
		sd->header = 1;
		return sd->drv->csv_begin(sd->s->db, l, err);
	}
	if (n != l->nr_columns)
		return err_set(err, ERR_INPUT, "%s:%lu: column %zu: %zu values, "
		    "but the header names %zu columns", l->path, line,
		    (n < l->nr_columns ? n : l->nr_columns) + 1, n,
		    l->nr_columns);
	/* COPY would take this line for the end of its data. */
	if (n == 1 && !f[0].quoted && f[0].len == 2 && !memcmp(f[0].data,
	    "\\.", 2))
		return err_set(err, ERR_INPUT, "%s:%lu: column 1: \\. alone "
		    "on a line ends PostgreSQL's COPY data: quote it", l->path,
		    line);
	if (sd->drv->csv_row && (ret = sd->drv->csv_row(sd->s->db, l, f, n,
	    line, err)))
		return ret;
	if (!sd->drv->csv_row)
		l->rows++;
	return 0;
}

/* Where the record holding line `want` starts: PostgreSQL's COPY names
 * the last line of the record it rejects (it counts the line breaks inside
 * quotes), so the file is read again from the bundle to find its first. */
struct finder {
	unsigned long want, line;
};

static int find_record(void *arg, const struct csv_field *f, size_t n,
    unsigned long line, struct err *err)
{
	struct finder *fd = arg;

	(void)f;
	(void)n;
	if (line > fd->want)
		return err_set(err, ERR_INPUT, "found");
	fd->line = line;
	return 0;
}

/* Advance r to the file at path; *f is NULL if the bundle ends first. */
static int seek_file(struct bundle_reader *r, const char *path,
    const struct manifest_file **f, struct err *err)
{
	int ret;

	do
		if ((ret = bundle_reader_next(r, f, err)))
			return ret;
	while (*f && strcmp((*f)->path, path));
	return 0;
}

static unsigned long record_start(struct seeder *sd,
    const struct manifest_seed *seed, unsigned long want)
{
	struct finder fd = { want, 0 };
	struct bundle_reader *r = NULL;
	const struct manifest_file *f = NULL;
	struct err ignored = ERR_INIT;
	struct csv p;
	char buf[65536];
	size_t n;
	int stop = 0;

	csv_init(&p, seed->file.path, 0);
	if (bundle_reader_open(&r, sd->s->bundle, &sd->s->o->limits,
	    &ignored) || seek_file(r, seed->file.path, &f, &ignored))
		goto out;
	while (f && !stop && !bundle_reader_read(r, buf, sizeof(buf), &n,
	    &ignored) && n)
		stop = csv_feed(&p, buf, n, find_record, &fd, &ignored);
	if (!stop)
		csv_finish(&p, find_record, &fd, &ignored);
out:
	bundle_reader_close(r);
	csv_release(&p);
	return fd.line;
}

/* err holds the engine's words: put the file, line and column first. */
static int locate(struct seeder *sd, const struct manifest_seed *seed,
    int ret, struct err *err)
{
	struct csv_load *l = &sd->l;
	unsigned long line = l->fail_line;
	char at[512], col[192] = "";
	size_t i;

	if (!line && l->fail_within)
		line = record_start(sd, seed, l->fail_within);
	if (!line)
		return ret;
	for (i = 0; *l->fail_column && i < l->nr_columns; i++) {
		const char *c = l->columns[i] + 1;
		size_t n = strlen(c) - 1;

		if (strlen(l->fail_column) == n &&
		    !strncasecmp(c, l->fail_column, n)) {
			snprintf(col, sizeof(col), " column %zu (%s):", i + 1,
			    l->fail_column);
			break;
		}
	}
	snprintf(at, sizeof(at), "%s:%lu:%s ", seed->file.path, line, col);
	err_prefix(err, at);
	return ret;
}

/* The file's bytes to a driver that takes them as they are, once the
 * header has begun its load: until then (a header longer than a read)
 * they wait in sd->held. */
static int pass_on(struct seeder *sd, const char *data, size_t len,
    struct err *err)
{
	int ret = 0;

	if (!sd->drv->csv_data)
		return 0;
	if (!sd->header) {
		buf_add(&sd->held, data, len);
		return 0;
	}
	if (sd->held.len) {
		ret = sd->drv->csv_data(sd->s->db, &sd->l, sd->held.data,
		    sd->held.len, err);
		buf_release(&sd->held);
	}
	if (!ret && len)
		ret = sd->drv->csv_data(sd->s->db, &sd->l, data, len, err);
	return ret;
}

/* Stream one CSV file from the bundle into its table. */
static int load_csv(struct seeder *sd, struct bundle_reader *r,
    const struct manifest_seed *seed, struct err *err)
{
	const struct driver *drv = sd->drv;
	struct csv_load *l = &sd->l;
	char *table = NULL, buf[65536];
	struct err ignored = ERR_INIT;
	struct csv p;
	size_t n;
	int ret = 0, ended = 0;

	memset(l, 0, sizeof(*l));
	buf_release(&sd->held);
	buf_reset(&sd->cols);
	free(sd->colv);
	sd->colv = NULL;
	sd->header = 0;
	csv_init(&p, seed->file.path, 0);
	if (!table_name_valid(seed->table, drv->dialect == DIALECT_POSTGRES)) {
		ret = err_set(err, ERR_INPUT, "%s: '%s' is not a table name "
		    "(letters, digits and '_', not starting with a digit%s)",
		    seed->file.path, seed->table, drv->dialect ==
		    DIALECT_POSTGRES ? "; SCHEMA.TABLE" : "");
		goto out;
	}
	l->path = seed->file.path;
	l->table = table = histsql_table(drv->dialect, seed->table);
	sd->path = seed->file.path;
	sd->size = bundle_reader_size(r);
	sd->bytes = 0;
	for (;;) {
		if ((ret = bundle_reader_read(r, buf, sizeof(buf), &n, err)))
			goto out;
		if (!n)
			break;
		if ((ret = csv_feed(&p, buf, n, on_record, sd, err)) ||
		    (ret = pass_on(sd, buf, n, err)))
			goto out;
		sd->bytes += n;
		progress_show(sd, 0);
	}
	if ((ret = csv_finish(&p, on_record, sd, err)))
		goto out;
	if (!sd->header) {
		ret = err_set(err, ERR_INPUT, "%s: no header row",
		    seed->file.path);
		goto out;
	}
	if ((ret = pass_on(sd, NULL, 0, err)))
		goto out;
	ended = 1;
	if ((ret = drv->csv_end(sd->s->db, l, 0, err)))
		goto out;
	if (sd->drawn || sd->progress > 1)
		progress_show(sd, 1);
out:
	if (sd->header && !ended)
		drv->csv_end(sd->s->db, l, 1, &ignored);
	if (ret && ret != ERR_INPUT)
		ret = locate(sd, seed, ret, err);
	if (sd->drawn)
		fputc('\n', stderr);
	sd->drawn = 0;
	csv_release(&p);
	free(table);
	return ret;
}

static int load_sql(struct seeder *sd, struct bundle_reader *r,
    const struct manifest_seed *seed, struct err *err)
{
	struct buf text = BUF_INIT;
	struct script sc;
	char buf[65536];
	size_t n;
	int ret;

	for (;;) {
		if ((ret = bundle_reader_read(r, buf, sizeof(buf), &n, err)))
			goto out;
		if (!n)
			break;
		buf_add(&text, buf, n);
	}
	if (memchr(text.data, '\0', text.len)) {
		ret = err_set(err, ERR_INPUT, "%s: holds a NUL byte",
		    seed->file.path);
		goto out;
	}
	sc = (struct script){ .path = seed->file.path, .text = text.data,
	    .len = text.len, .tx = TX_TRANSACTION };
	ret = sd->drv->exec(sd->s->db, &sc, err);
out:
	buf_release(&text);
	return ret;
}

/* The rest of the bundle, read and checked. */
static int finish_bundle(struct seeder *sd, struct err *err)
{
	const struct manifest_file *f;
	int ret;

	do
		ret = bundle_reader_next(sd->r, &f, err);
	while (!ret && f);
	return ret;
}

static int loaded_row(void *arg, const char *const *cols, int n,
    struct err *err)
{
	struct seeder *sd = arg;
	size_t i;

	(void)err;
	for (i = 0; n == 2 && cols[0] && cols[1] && i < sd->nr; i++)
		if (!strcmp(sd->files[i]->file.path, cols[0])) {
			free(sd->loaded[i]);
			sd->loaded[i] = xstrdup(cols[1]);
		}
	return 0;
}

/* What is recorded of the profile; which files to load.  Refuses a file
 * changed since it was loaded, unless clearing. */
static int decide(struct seeder *sd, int *todo, size_t *nr_todo,
    struct err *err)
{
	const char *params[1] = { sd->profile };
	struct buf sql = BUF_INIT;
	char *sum;
	size_t i;
	int ret;

	buf_addf(&sql, "SELECT path, checksum FROM %s WHERE profile = ?1",
	    sd->table);
	if ((ret = sd->drv->query(sd->s->db, sql.data, params, 1, loaded_row,
	    sd, err)))
		goto out;
	*nr_todo = 0;
	for (i = 0; i < sd->nr; i++) {
		const struct manifest_file *f = &sd->files[i]->file;

		sum = xasprintf("%s%s", CHECKSUM_PREFIX, f->sha256);
		todo[i] = sd->clear || !sd->loaded[i];
		if (!todo[i] && strcmp(sd->loaded[i], sum)) {
			ret = err_set(err, ERR_INTEGRITY, "%s: changed since "
			    "it was loaded (%s, now %s): seed --clear --yes "
			    "reloads the profile", f->path, sd->loaded[i], sum);
			free(sum);
			goto out;
		}
		*nr_todo += todo[i];
		free(sum);
	}
out:
	buf_release(&sql);
	return ret;
}

/* Empty the profile's CSV tables, last file first (a later file's rows
 * may refer to an earlier one's), and forget what was loaded. */
static int clear(struct seeder *sd, struct err *err)
{
	const char *params[1] = { sd->profile };
	struct buf sql = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = sd->nr; i-- > 0 && !ret;) {
		char *t;

		if (sd->files[i]->file.format != SEED_CSV)
			continue;
		if (!table_name_valid(sd->files[i]->table,
		    sd->drv->dialect == DIALECT_POSTGRES))
			continue;	/* load_csv says why */
		t = histsql_table(sd->drv->dialect, sd->files[i]->table);
		buf_reset(&sql);
		buf_addf(&sql, "DELETE FROM %s", t);
		free(t);
		if ((ret = sd->drv->query(sd->s->db, sql.data, NULL, 0, NULL,
		    NULL, err))) {
			buf_reset(&sql);
			buf_addf(&sql, "%s: --clear: ", sd->files[i]->file.path);
			err_prefix(err, sql.data);
		}
	}
	if (!ret) {
		buf_reset(&sql);
		buf_addf(&sql, "DELETE FROM %s WHERE profile = ?1", sd->table);
		ret = sd->drv->query(sd->s->db, sql.data, params, 1, NULL, NULL,
		    err);
	}
	buf_release(&sql);
	return ret;
}

static int record(struct seeder *sd, const struct manifest_seed *seed,
    const char *rows, struct err *err)
{
	const struct session *s = sd->s;
	char *sum = xasprintf("%s%s", CHECKSUM_PREFIX, seed->file.sha256);
	const char *params[7] = { sd->profile, seed->file.path, sum, rows,
	    s->m.name, s->m.release, NULL };
	struct buf sql = BUF_INIT;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	int ret;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	params[6] = now;
	buf_addf(&sql, "DELETE FROM %s WHERE profile = ?1 AND path = ?2",
	    sd->table);
	if (!(ret = sd->drv->query(s->db, sql.data, params, 2, NULL, NULL,
	    err))) {
		buf_reset(&sql);
		buf_addf(&sql, "INSERT INTO %s (profile, path, checksum, "
		    "row_count, bundle_name, bundle_release, loaded_at) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", sd->table);
		ret = sd->drv->query(s->db, sql.data, params, 7, NULL, NULL,
		    err);
	}
	buf_release(&sql);
	free(sum);
	return ret;
}

/* Load the chosen files, in name order, as the one pass over the bundle
 * reaches them, then read it to its end: every file's checksum and the
 * archive's shape are checked before the caller commits. */
static int load(struct seeder *sd, const int *todo, struct buf *out,
    struct err *err)
{
	const struct manifest_file *f = NULL;
	size_t i;
	char rows[24];
	int ret = 0;

	for (i = 0; i < sd->nr; i++) {
		const struct manifest_seed *seed = sd->files[i];

		if (!todo[i]) {
			buf_addf(out, "unchanged  %s\n", seed->file.path);
			continue;
		}
		if ((ret = seek_file(sd->r, seed->file.path, &f, err)))
			return ret;
		if (!f)
			BUG("%s: not met in the bundle", seed->file.path);
		if (seed->file.format == SEED_CSV) {
			if ((ret = load_csv(sd, sd->r, seed, err)))
				return ret;
			snprintf(rows, sizeof(rows), "%llu",
			    (unsigned long long)sd->l.rows);
			buf_addf(out, "loaded     %s  %s row%s\n",
			    seed->file.path, rows, sd->l.rows == 1 ? "" : "s");
		} else {
			if ((ret = load_sql(sd, sd->r, seed, err)))
				return ret;
			buf_addf(out, "loaded     %s\n", seed->file.path);
		}
		if ((ret = record(sd, seed, seed->file.format == SEED_CSV ?
		    rows : NULL, err)))
			return ret;
	}
	return finish_bundle(sd, err);
}

static char *seeds_table(const struct ropts *o, const char *given)
{
	const char *dot;

	if (given)
		return xstrdup(given);
	dot = strchr(o->table, '.');
	return dot ? xasprintf("%.*s." SEEDS_TABLE, (int)(dot - o->table),
	    o->table) : xstrdup(SEEDS_TABLE);
}

static int refuse_pending(const struct session *s, struct err *err)
{
	size_t pending = s->plan.count[ST_PENDING];

	if (!pending && !s->plan.count[ST_CHANGED])
		return 0;
	return err_set(err, ERR_INTEGRITY, "seed refused: the database is "
	    "not at the bundle's schema (%zu migration%s pending, %zu "
	    "changed): run migrun apply first", pending, pending == 1 ? "" :
	    "s", s->plan.count[ST_CHANGED]);
}

int seeds_load(struct session *s, const char *bundle,
    const struct seed_opts *so, struct buf *out, struct err *err)
{
	struct seeder sd;
	struct buf sql = BUF_INIT;
	char *name = NULL;
	int *todo = NULL, ret = 0, in_tx = 0;
	size_t i, nr_todo = 0;

	memset(&sd, 0, sizeof(sd));
	sd.clear = so->clear;
	sd.progress = so->progress;
	sd.tty = isatty(STDERR_FILENO);
	if (!sd.progress && sd.tty && !s->o->quiet)
		sd.progress = 1;
	sd.s = s;
	buf_init(&sd.cols);
	buf_init(&sd.list);
	buf_init(&sd.held);
	if ((ret = session_bundle_stream(s, bundle, &sd.r, err)) ||
	    (ret = pick_profile(&sd, so->profile, err)) ||
	    (ret = session_open(s, 1, err)) ||
	    (ret = session_refuse_dirty(s, "seed", err)) ||
	    (ret = refuse_pending(s, err)))
		goto out;
	sd.drv = s->db->drv;
	if (!sd.drv->csv_begin) {
		ret = err_set(err, ERR_INPUT, "%s: seeds cannot be loaded here",
		    s->db->display);
		goto out;
	}
	name = seeds_table(s->o, so->table);
	if (!table_name_valid(name, sd.drv->dialect == DIALECT_POSTGRES)) {
		ret = err_set(err, ERR_INPUT, "seeds table %s: not a valid table "
		    "name", name);
		goto out;
	}
	sd.table = histsql_table(sd.drv->dialect, name);
	sd.loaded = xcalloc(sd.nr, sizeof(*sd.loaded));
	todo = xcalloc(sd.nr, sizeof(*todo));
	sd.start = sd.shown = clock_ms();

	/* The table is created in the transaction: nothing to do leaves
	 * the database as it was. */
	if ((ret = sd.drv->begin(s->db, err)))
		goto out;
	in_tx = 1;
	buf_addf(&sql, create_sql, sd.table);
	if ((ret = sd.drv->query(s->db, sql.data, NULL, 0, NULL, NULL, err)) ||
	    (ret = decide(&sd, todo, &nr_todo, err)))
		goto out;
	if (!nr_todo) {
		if ((ret = finish_bundle(&sd, err)))
			goto out;
		buf_addf(out, "profile %s: all %zu file%s unchanged, nothing "
		    "loaded\n", sd.profile, sd.nr, sd.nr == 1 ? "" : "s");
		goto out;
	}
	if ((sd.clear && (ret = clear(&sd, err))) ||
	    (ret = load(&sd, todo, out, err)) ||
	    (ret = sd.drv->commit(s->db, err)))
		goto out;
	in_tx = 0;
	buf_addf(out, "profile %s: %zu file%s loaded, %zu unchanged\n",
	    sd.profile, nr_todo, nr_todo == 1 ? "" : "s", sd.nr - nr_todo);
out:
	if (in_tx)
		s->db->drv->rollback(s->db);
	bundle_reader_close(sd.r);
	for (i = 0; sd.loaded && i < sd.nr; i++)
		free(sd.loaded[i]);
	free(sd.loaded);
	free(sd.files);
	free(sd.table);
	free(sd.colv);
	buf_release(&sd.cols);
	buf_release(&sd.list);
	buf_release(&sd.held);
	free(todo);
	free(name);
	buf_release(&sql);
	return ret;
}
