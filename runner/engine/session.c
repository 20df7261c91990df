/* What every migrun command does first: options, the bundle, the database,
 * the history and the plan; and the bundle read a second time to run it. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "json.h"
#include "runner.h"
#include "version.h"
#include "xalloc.h"

/* Seconds as DIGITS[.DIGITS] (no sign, exponent or blank), at most
 * max_ms once in milliseconds, rounded: 0, or -1 when arg is not that. */
static int parse_seconds(const char *arg, unsigned long max_ms,
    unsigned long *ms)
{
	unsigned long long whole = 0, frac = 0, scale = 1;
	const char *p = arg;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((whole = whole * 10 + (unsigned)(*p - '0')) > max_ms)
			return -1;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return -1;
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale < 1000000000ULL) {
				frac = frac * 10 + (unsigned)(*p - '0');
				scale *= 10;
			}
	}
	if (*p)
		return -1;
	whole = whole * 1000 + (frac * 1000 + scale / 2) / scale;
	if (whole > max_ms)
		return -1;
	*ms = (unsigned long)whole;
	return 0;
}

int ropt_parse(int c, const char *arg, struct ropts *o)
{
	char *end;
	unsigned long n, ms;
	uint64_t *field;

	switch (c) {
	case OPT_DB:
		o->db = arg;
		return 1;
	case OPT_TABLE:
		o->table = arg;
		return 1;
	case OPT_LOCK_TIMEOUT:
		if (parse_seconds(arg, 86400UL * 7 * 1000, &ms))
			return -1;
		o->lock_timeout_ms = (unsigned)ms;
		return 1;
	/* PostgreSQL's timeouts are milliseconds in an int. */
	case OPT_DDL_LOCK_TIMEOUT:
		if (parse_seconds(arg, INT_MAX, &ms))
			return -1;
		o->ddl.lock_timeout_ms = (unsigned)ms;
		return 1;
	case OPT_STATEMENT_TIMEOUT:
		if (parse_seconds(arg, INT_MAX, &ms))
			return -1;
		o->ddl.statement_timeout_ms = (long)ms;
		return 1;
	case OPT_DDL_RETRIES:
		n = strtoul(arg, &end, 10);
		if (end == arg || *end || *arg < '0' || *arg > '9' ||
		    n > 1000)
			return -1;
		o->ddl.retries = (unsigned)n;
		return 1;
	case OPT_JSON:
		o->json = 1;
		return 1;
	case OPT_QUIET:
		o->quiet = 1;
		return 1;
	case OPT_NO_BACKUP:
		o->backup.skip = 1;
		return 1;
	case OPT_BACKUP_DIR:
		o->backup.dir = arg;
		return *arg ? 1 : -1;
	case OPT_KEEP:
		n = strtoul(arg, &end, 10);
		if (end == arg || *end || *arg == '-' || n > 1000000)
			return -1;
		o->backup.keep = (unsigned)n;
		return 1;
	case OPT_PG_DUMP:
		o->backup.tool = arg;
		return 1;
	case OPT_TRUST:
		if (o->nr_trust == ROPT_TRUST_MAX)
			return -1;
		o->trust[o->nr_trust++] = arg;
		return 1;
	case OPT_ALLOW_UNSIGNED:
		o->allow_unsigned = 1;
		return 1;
	case OPT_TARGETS:
		o->targets = arg;
		return 1;
	case OPT_PARALLEL:
	case OPT_CANARY:
		n = strtoul(arg, &end, 10);
		if (end == arg || *end || *arg < '0' || *arg > '9' ||
		    n > FLEET_MAX || (c == OPT_PARALLEL && !n))
			return -1;
		*(c == OPT_PARALLEL ? &o->fleet.parallel : &o->fleet.canary) =
		    (unsigned)n;
		return 1;
	case OPT_KEEP_GOING:
		o->fleet.keep_going = 1;
		return 1;
	case OPT_MAX_SCRIPT:
	case OPT_MAX_TOTAL:
	case OPT_MAX_RATIO:
		field = c == OPT_MAX_SCRIPT ? &o->limits.max_script :
		    c == OPT_MAX_TOTAL ? &o->limits.max_total :
		    &o->limits.max_ratio;
		return cmd_parse_size(arg, field) || *field == 0 ? -1 : 1;
	}
	return 0;
}

/* What a common option's value must be, for the message. */
static const struct {
	int c;
	const char *name, *want;
} values[] = {
	{ OPT_LOCK_TIMEOUT, "--lock-timeout", "seconds, such as 60 or 0.5, "
	    "at most a week" },
	{ OPT_DDL_LOCK_TIMEOUT, "--ddl-lock-timeout", "seconds, such as 5 or "
	    "0.5 (0: no limit), at most 2147483" },
	{ OPT_STATEMENT_TIMEOUT, "--statement-timeout", "seconds, such as 60 "
	    "or 0.5 (0: no limit), at most 2147483" },
	{ OPT_DDL_RETRIES, "--ddl-retries", "a whole number from 0 to 1000" },
	{ OPT_KEEP, "--keep", "a whole number from 0 to 1000000" },
	{ OPT_BACKUP_DIR, "--backup-dir", "a directory" },
	{ OPT_MAX_SCRIPT, "--max-script-size", "a size above 0, such as 64M" },
	{ OPT_MAX_TOTAL, "--max-total-size", "a size above 0, such as 1G" },
	{ OPT_MAX_RATIO, "--max-ratio", "a whole number above 0" },
	{ OPT_TRUST, "--trust", "taken: at most 64 are (a folder of them: "
	    "$MIGRUN_TRUST_DIR)" },
	/* 256: FLEET_MAX */
	{ OPT_PARALLEL, "--parallel", "a whole number from 1 to 256" },
	{ OPT_CANARY, "--canary", "a whole number from 0 to 256" },
};

int ropt_bad(const struct cmd_entry *e, int c, int argc, char **argv,
    struct err *err)
{
	char what[512];
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		if (values[i].c == c && optarg) {
			snprintf(what, sizeof(what), "%s '%s': not %s",
			    values[i].name, optarg, values[i].want);
			return cmd_usage(e, err, what);
		}
	return cmd_bad_option(e, argc, argv, err);
}

int ropt_getopt(const struct cmd_entry *e, const struct option *opts,
    int argc, char **argv, struct ropts *o, const char **bundle, int *go,
    struct err *err)
{
	int c;

	*go = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(e);
		if (ropt_parse(c, optarg, o) <= 0)
			return ropt_bad(e, c, argc, argv, err);
	}
	if (optind != argc - (bundle != NULL))
		return cmd_usage(e, err, bundle ? "expected one BUNDLE" :
		    "takes no arguments");
	if (bundle)
		*bundle = argv[optind];
	*go = 1;
	return 0;
}

void session_init(struct session *s, const struct ropts *o)
{
	memset(s, 0, sizeof(*s));
	s->o = o;
	s->url = db_url(o->db);
}

/* The keys this host trusts: --trust, then $MIGRUN_TRUST, then the
 * folder. */
static int trust_load(const struct ropts *o, struct trust *t,
    struct err *err)
{
	const char *env = getenv("MIGRUN_TRUST");
	const char *dir = getenv("MIGRUN_TRUST_DIR");
	char *list, *p, *next;
	size_t i;
	int ret = 0;

	for (i = 0; i < o->nr_trust; i++)
		if ((ret = trust_add_file(t, o->trust[i], err)))
			return err_prefix(err, "--trust: ");
	if (env && *env) {
		list = xstrdup(env);
		for (p = list; !ret && p; p = next) {
			if ((next = strchr(p, ':')))
				*next++ = '\0';
			if (*p && (ret = trust_add_file(t, p, err)))
				err_prefix(err, "MIGRUN_TRUST: ");
		}
		free(list);
		if (ret)
			return ret;
	}
	return trust_add_dir(t, dir && *dir ? dir : TRUST_DIR_DEFAULT, err);
}

/* Open the bundle at path, its signature held up to the keys trusted:
 * a refusal fails, or with --allow-unsigned is said (whatever --quiet
 * says) and overridden. */
static int open_checked(struct session *s, const char *path,
    struct bundle_reader **r, struct err *err)
{
	struct trust t = TRUST_INIT;
	int ret;

	*r = NULL;
	if ((ret = trust_load(s->o, &t, err)) ||
	    (ret = bundle_reader_open(r, path, &s->o->limits, err)))
		goto out;
	if (!(ret = bundle_sig_check(*r, path, &t, &s->sig, err)))
		goto out;
	if (s->o->allow_unsigned) {
		fprintf(stderr, "%s: --allow-unsigned: going on all the same: "
		    "%s\n", cmd_progname, err->msg);
		*err = (struct err)ERR_INIT;
		ret = 0;
		goto out;
	}
	if (t.nr)
		err_append(err, "; --allow-unsigned takes it all the same");
	bundle_reader_close(*r);
	*r = NULL;
out:
	trust_release(&t);
	return ret;
}

int session_bundle(struct session *s, const char *path, struct err *err)
{
	struct bundle_reader *r;
	const struct manifest_file *f;
	int ret;

	if ((ret = open_checked(s, path, &r, err)))
		return ret;
	while (!(ret = bundle_reader_next(r, &f, err)) && f)
		;
	if (!ret) {
		s->bundle = path;
		memcpy(s->sha, CHECKSUM_PREFIX, CHECKSUM_PREFIX_LEN);
		memcpy(s->sha + CHECKSUM_PREFIX_LEN, bundle_reader_sha256(r),
		    CHECKSUM_HEX_LEN + 1);
		bundle_reader_take_manifest(r, &s->m);
	}
	bundle_reader_close(r);
	return ret;
}

int session_bundle_stream(struct session *s, const char *path,
    struct bundle_reader **r, struct err *err)
{
	struct buf text = BUF_INIT;
	int ret;

	if ((ret = open_checked(s, path, r, err)))
		return ret;
	/* The session keeps a manifest of its own: the reader's, through
	 * its text form. */
	manifest_write(bundle_reader_manifest(*r), &text);
	if ((ret = manifest_parse(&s->m, text.data, text.len, err))) {
		bundle_reader_close(*r);
		*r = NULL;
	} else
		s->bundle = path;
	buf_release(&text);
	return ret;
}

int session_check_version(const struct session *s, const char *what,
    const char *version, struct err *err)
{
	size_t i;

	for (i = 0; version && i < s->m.nr_migrations; i++)
		if (s->m.migrations[i].version &&
		    !version_cmp(s->m.migrations[i].version, version))
			return 0;
	return version ? err_set(err, ERR_INPUT, "%s %s: the bundle has no "
	    "such migration", what, version) : 0;
}

int session_for_engine(const struct session *s, enum dialect d,
    struct err *err)
{
	struct buf for_ = BUF_INIT;
	int ret = 0;

	if (manifest_for_engine(&s->m, d))
		return 0;
	engines_write(s->m.engines, &for_);
	ret = err_set(err, ERR_INPUT, "bundle %s %s is for %s only, not %s "
	    "(migpack build --engines); nothing done", s->m.name,
	    s->m.release, for_.data, dialect_name(d));
	buf_release(&for_);
	return ret;
}

int session_open(struct session *s, int lock, struct err *err)
{
	struct db_opts opts = { .table = s->o->table,
	    .lock_timeout_ms = s->o->lock_timeout_ms, .readonly = !lock,
	    .must_exist = s->must_exist, .ddl = s->o->ddl,
	    .search_path = s->o->search_path };
	enum dialect d;
	int ret;

	if (s->bundle && ((ret = db_dialect(s->url, &d, err)) ||
	    (ret = session_for_engine(s, d, err))))
		return ret;
	if ((ret = db_open(&s->db, s->url, &opts, err)))
		return ret;
	if (lock) {
		char *where = NULL;
		unsigned n;

		if ((ret = s->db->drv->lock(s->db, err)))
			return ret;
		s->locked = 1;
		if (s->db->drv->sweep) {
			n = s->db->drv->sweep(s->db, &where);
			session_swept(s, n, where);
			free(where);
		}
	}
	if ((ret = s->db->drv->history_read(s->db, &s->h, err)))
		return ret;
	if (s->bundle) {
		s->dialect = s->db->drv->dialect;
		if ((ret = plan_build(&s->plan, &s->m, s->db->drv->dialect,
		    &s->h, err)))
			return ret;
		s->planned = 1;
	}
	return 0;
}

int session_replan(struct session *s, struct err *err)
{
	int ret;

	history_release(&s->h);
	plan_release(&s->plan);
	s->planned = 0;
	s->dialect = s->db->drv->dialect;
	if ((ret = s->db->drv->history_read(s->db, &s->h, err)) ||
	    (ret = plan_build(&s->plan, &s->m, s->dialect, &s->h, err)))
		return ret;
	s->planned = 1;
	return 0;
}

void session_end(struct session *s, struct err *err)
{
	struct err ignored = ERR_INIT;

	if (s->locked)
		s->db->drv->unlock(s->db, &ignored);
	if (s->db)
		db_close(s->db);
	plan_release(&s->plan);
	history_release(&s->h);
	manifest_release(&s->m);
	db_scrub(err, s->url);
	memset(s, 0, sizeof(*s));
}

const char *session_now(struct session *s, struct history *now,
    const char *guess)
{
	struct err ignored = ERR_INIT;

	if (!s->db || s->db->drv->history_read(s->db, now, &ignored))
		return guess;
	return history_current(now);
}

void session_swept(const struct session *s, unsigned n, const char *where)
{
	if (!s->o->quiet)
		cmd_swept(n, where);
}

int session_take_backup(struct session *s, char **path, struct err *err)
{
	unsigned swept;
	int ret;

	if (s->doing)
		s->doing("backing up", 0, 0);
	ret = backup_take(s->db, history_current(&s->h), &s->o->backup, path,
	    &swept, err);
	session_swept(s, swept, s->o->backup.dir);
	return ret;
}

int session_backup(struct session *s, struct err *err)
{
	char *path = NULL;
	int ret;

	if (s->o->backup.skip)
		return 0;
	if ((ret = session_take_backup(s, &path, err))) {
		err_append(err, "\nthe backup failed, so nothing was changed "
		    "(--no-backup to go on without one)");
		return ret;
	}
	if (!s->o->quiet)
		fprintf(stderr, "backup: %s\n", path);
	free(path);
	return 0;
}

int session_refuse_dirty(struct session *s, const char *what,
    struct err *err)
{
	size_t i;

	for (i = 0; i < s->h.nr; i++) {
		const struct hist_row *r = &s->h.rows[i];

		if (r->state == HIST_DIRTY && r->statements)
			return err_set(err, ERR_INTEGRITY, "%s refused: "
			    "migration %s (%s) is dirty: a no-transaction "
			    "migration stopped part way, with %ld of %ld "
			    "statements done; 'migrun apply --resume' goes on "
			    "from there, or finish or undo it by hand, then run "
			    "'migrun repair'", what,
			    r->version ? r->version : r->name, r->name,
			    r->statements_done, r->statements);
		if (r->state == HIST_DIRTY)
			return err_set(err, ERR_INTEGRITY, "%s refused: "
			    "migration %s (%s) is dirty: a no-transaction "
			    "migration stopped part way; finish or undo it by "
			    "hand, then run 'migrun repair'", what,
			    r->version ? r->version : r->name, r->name);
	}
	return 0;
}

int cursor_open(struct cursor *c, struct session *s, struct err *err)
{
	c->m = &s->m;
	return bundle_reader_open(&c->r, s->bundle, &s->o->limits, err);
}

static int read_file(struct cursor *c, const struct manifest_file *f,
    struct buf *out, struct err *err)
{
	char chunk[65536];
	size_t n;
	int ret;

	buf_reset(out);
	do {
		if ((ret = bundle_reader_read(c->r, chunk, sizeof(chunk), &n,
		    err)))
			return ret;
		buf_add(out, chunk, n);
	} while (n);
	if (memchr(out->data, '\0', out->len))
		return err_set(err, ERR_INPUT, "%s: holds a NUL byte",
		    f->path);
	return 0;
}

int cursor_fetch(struct cursor *c, const struct manifest_script *const *want,
    struct buf *const *out, size_t n, struct err *err)
{
	const struct manifest_file *f;
	size_t i, found = 0;
	int ret;

	for (i = 0; i < n; i++) {
		buf_reset(out[i]);
		found += want[i] == NULL;
	}
	while (found < n) {
		if ((ret = bundle_reader_next(c->r, &f, err)))
			return ret;
		for (i = 0; f && i < n; i++)
			if (want[i] && !strcmp(f->path, want[i]->file.path))
				break;
		if (!f)
			return err_set(err, ERR_INTEGRITY, "the bundle lacks "
			    "a file on the second read: was it replaced while "
			    "migrun ran?");
		if (i == n)
			continue;
		if (strcmp(f->sha256, want[i]->file.sha256))
			return err_set(err, ERR_INTEGRITY, "%s: changed since "
			    "the bundle was verified", f->path);
		if ((ret = read_file(c, f, out[i], err)))
			return ret;
		found++;
	}
	return 0;
}

void cursor_close(struct cursor *c)
{
	bundle_reader_close(c->r);
	c->r = NULL;
}

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void session_row(const struct session *s, const struct plan_item *it,
    const char *down, struct hist_row *row)
{
	memset(row, 0, sizeof(*row));
	row->version = xstrdup_or_null(it->mig->version);
	row->name = xstrdup(it->mig->name);
	row->kind = it->mig->kind;
	row->checksum = xasprintf("%s%s", CHECKSUM_PREFIX, plan_item_sum(it));
	/* Rolling a no-op back is a no-op too. */
	row->down = it->up ? xstrdup_or_null(down) : xstrdup("");
	row->down_tx = down && it->down ? it->down->tx : TX_TRANSACTION;
	row->bundle_name = xstrdup(s->m.name);
	row->bundle_release = xstrdup(s->m.release);
	row->bundle_sha256 = xstrdup(s->sha);
	row->signed_by = s->sig.state == SIG_VERIFIED ? xstrdup(s->sig.keyid) :
	    NULL;
	row->state = HIST_APPLIED;
}

void run_json(struct buf *b, int dry_run, const char *from, const char *to,
    const struct run_step *steps, size_t n,
    const struct plan_item *const *items)
{
	size_t i;

	buf_addf(b, "{\"dry_run\": %s, \"from\": ", dry_run ? "true" : "false");
	json_str(b, from);
	buf_addstr(b, ", \"to\": ");
	json_str(b, to);
	buf_addstr(b, ", \"migrations\": [");
	for (i = 0; i < n; i++) {
		buf_addstr(b, i ? ", {\"version\": " : "{\"version\": ");
		json_str(b, steps[i].version);
		buf_addstr(b, ", \"name\": ");
		json_str(b, steps[i].name);
		buf_addf(b, ", \"kind\": \"%s\", \"execution_ms\": ",
		    kind_name(steps[i].kind));
		if (dry_run)
			buf_addstr(b, "null");
		else
			buf_addf(b, "%lld", (long long)steps[i].ms);
		if (items) {
			buf_addstr(b, ", \"lint\": ");
			plan_item_lint_json(items[i], b);
		}
		buf_addch(b, '}');
	}
	buf_addstr(b, "]}\n");
}

int64_t clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void print_cell(struct buf *b, const char *s, int w, int last)
{
	if (last)
		buf_addf(b, "%s\n", s);
	else
		buf_addf(b, "%-*s  ", w, s);
}

int emit(struct buf *b, struct err *err)
{
	if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
		return err_errno(err, ERR_RUNTIME, "writing the output");
	buf_reset(b);
	return 0;
}
