/* Fleets: a targets file, and one command over it in parallel processes
 * (fleet.h). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "fleet.h"
#include "json.h"
#include "runner.h"
#include "version.h"
#include "xalloc.h"

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\n", end[-1]))
		*--end = '\0';
	return s;
}

/* "schema=NAME name=LABEL" after " -- ". */
static int settings(struct target *t, char *s, const char *path,
    struct err *err)
{
	char *word, *save = NULL, *eq;

	for (word = strtok_r(s, " \t", &save); word;
	    word = strtok_r(NULL, " \t", &save)) {
		if (!(eq = strchr(word, '=')) || eq == word || !eq[1])
			return err_set(err, ERR_INPUT, "%s:%u: '%s': not a "
			    "setting (schema=NAME or name=LABEL)", path,
			    t->line, word);
		*eq = '\0';
		if (!strcmp(word, "schema") && !t->schema) {
			if (!table_name_valid(eq + 1, 0))
				return err_set(err, ERR_INPUT, "%s:%u: schema "
				    "'%s': not a valid name (letters, digits "
				    "and '_')", path, t->line, eq + 1);
			/* Folded as SQL folds a name unquoted, as the
			 * history table's schema is. */
			t->schema = xstrdup(eq + 1);
			for (eq = t->schema; *eq; eq++)
				if (*eq >= 'A' && *eq <= 'Z')
					*eq = (char)(*eq - 'A' + 'a');
		} else if (!strcmp(word, "name") && !t->label)
			t->label = xstrdup(eq + 1);
		else
			return err_set(err, ERR_INPUT, "%s:%u: '%s': %s", path,
			    t->line, word, !strcmp(word, "schema") ||
			    !strcmp(word, "name") ? "given twice" :
			    "unknown setting (schema=NAME or name=LABEL)");
	}
	return 0;
}

static int one_target(struct targets *ts, char *line, unsigned lineno,
    const char *path, struct err *err)
{
	struct target *t;
	char *sep = strstr(line, " -- "), *redacted;
	enum dialect d;
	struct err why = ERR_INIT;
	int ret;

	ALLOC_GROW(ts->t, ts->nr + 1, ts->alloc);
	t = &ts->t[ts->nr++];
	memset(t, 0, sizeof(*t));
	t->line = lineno;
	if (sep)
		*sep = '\0';
	t->url = xstrdup(trim(line));
	if (sep && (ret = settings(t, sep + 4, path, err)))
		return ret;
	if (db_dialect(t->url, &d, &why))
		return err_set(err, ERR_INPUT, "%s:%u: %s", path, lineno,
		    why.msg);
	if (t->schema && d != DIALECT_POSTGRES)
		return err_set(err, ERR_INPUT, "%s:%u: schema= is for "
		    "PostgreSQL targets", path, lineno);
	if (!t->label) {
		redacted = db_redact(t->url);
		t->label = t->schema ? xasprintf("%s %s", redacted, t->schema) :
		    xstrdup(redacted);
		free(redacted);
	}
	return 0;
}

int targets_read(struct targets *ts, const char *path, struct err *err)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL, *s;
	size_t cap = 0;
	unsigned lineno = 0;
	int ret = 0;

	memset(ts, 0, sizeof(*ts));
	if (!f)
		return err_errno(err, ERR_INPUT, "--targets '%s'", path);
	while (!ret && getline(&line, &cap, f) >= 0) {
		lineno++;
		s = trim(line);
		if (*s && *s != '#')
			ret = one_target(ts, s, lineno, path, err);
	}
	if (!ret && ferror(f))
		ret = err_errno(err, ERR_INPUT, "--targets '%s'", path);
	if (!ret && !ts->nr)
		ret = err_set(err, ERR_INPUT, "--targets '%s': no target in it",
		    path);
	free(line);
	if (f != stdin)
		fclose(f);
	if (ret)
		targets_release(ts);
	return ret;
}

void targets_release(struct targets *ts)
{
	size_t i;

	for (i = 0; i < ts->nr; i++) {
		free(ts->t[i].url);
		free(ts->t[i].schema);
		free(ts->t[i].label);
	}
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

const char *fleet_result(const struct fleet_report *r)
{
	if (!r->ran)
		return "skipped";
	if (!r->code)
		return "ok";
	return r->code == ERR_INTEGRITY ? "refused" : "failed";
}

int fleet_exit(const struct fleet_report *reports, size_t nr)
{
	size_t i;
	int refused = 0;

	for (i = 0; i < nr; i++) {
		if (!reports[i].ran || (reports[i].code &&
		    reports[i].code != ERR_INTEGRITY))
			return ERR_RUNTIME;
		refused |= reports[i].code == ERR_INTEGRITY;
	}
	return refused ? ERR_INTEGRITY : 0;
}

/* A running target: its process and the pipe its report comes through. */
struct child {
	pid_t pid;
	int fd;
	size_t i;
	size_t got;
	int64_t t0;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int start(struct child *c, size_t i, const struct target *t,
    fleet_fn fn, void *arg, struct err *err)
{
	struct fleet_report r;
	int fds[2];

	if (pipe(fds) < 0)
		return err_errno(err, ERR_RUNTIME, "pipe");
	fflush(NULL);
	if ((c->pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_errno(err, ERR_RUNTIME, "fork");
	}
	if (!c->pid) {
		close(fds[0]);
		memset(&r, 0, sizeof(r));
		r.ran = 1;
		fn(arg, t, &r);
		_exit(write(fds[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 :
		    1);
	}
	close(fds[1]);
	c->fd = fds[0];
	c->i = i;
	c->got = 0;
	c->t0 = now_ms();
	return 0;
}

/* Collect a finished child's report (a crash is a failure). */
static void finish(struct child *c, const struct target *t,
    struct fleet_report *r, int quiet)
{
	int status = 0;

	close(c->fd);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (c->got != sizeof(*r)) {
		memset(r, 0, sizeof(*r));
		r->ran = 1;
		r->code = ERR_RUNTIME;
		snprintf(r->msg, sizeof(r->msg), "its process ended without a "
		    "report (%s %d)", WIFSIGNALED(status) ? "signal" : "status",
		    WIFSIGNALED(status) ? WTERMSIG(status) :
		    WEXITSTATUS(status));
	}
	r->ms = now_ms() - c->t0;
	if (!quiet)
		fprintf(stderr, "%s: %s: %s%s%s\n", cmd_progname, t->label,
		    fleet_result(r), r->code ? ": " : "", r->code ? r->msg :
		    "");
}

/* Wait for one of the n running children to finish; it leaves kids. */
static size_t reap_one(struct child *kids, size_t n,
    const struct targets *ts, struct fleet_report *reports, int quiet)
{
	struct pollfd pfd[256];
	ssize_t got;
	size_t k;

	for (;;) {
		for (k = 0; k < n; k++) {
			pfd[k].fd = kids[k].fd;
			pfd[k].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;	/* a signal: nothing to read yet */
		for (k = 0; k < n; k++) {
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(kids[k].fd, (char *)&reports[kids[k].i] +
			    kids[k].got, sizeof(reports[0]) - kids[k].got);
			if (got > 0) {
				kids[k].got += (size_t)got;
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			finish(&kids[k], &ts->t[kids[k].i],
			    &reports[kids[k].i], quiet);
			return k;
		}
	}
}

int fleet_run(const struct targets *ts, const struct fleet_opts *fo,
    fleet_fn fn, void *arg, struct fleet_report *reports, int quiet,
    struct err *err)
{
	struct child kids[256];
	size_t next = 0, n = 0, k, stop_at = ts->nr;
	unsigned par = fo->parallel ? fo->parallel : 1;
	int failed = 0, canary_bad = 0, ret = 0, code;

	if (par > sizeof(kids) / sizeof(kids[0]))
		par = sizeof(kids) / sizeof(kids[0]);
	memset(reports, 0, ts->nr * sizeof(*reports));
	if (fo->canary && fo->canary < ts->nr)
		stop_at = fo->canary;
	for (;;) {
		while (!ret && n < par && next < stop_at &&
		    (!failed || fo->keep_going))
			if (!(ret = start(&kids[n], next, &ts->t[next], fn, arg,
			    err))) {
				n++;
				next++;
			}
		if (!n) {
			/* The canaries are done: the rest, if all are ok
			 * (keep_going or not). */
			if (!ret && stop_at < ts->nr && !canary_bad &&
			    next == stop_at) {
				stop_at = ts->nr;
				continue;
			}
			break;
		}
		k = reap_one(kids, n, ts, reports, quiet);
		code = reports[kids[k].i].code;
		/* A refusal (drift, dirty) is that target's: the others go
		 * on.  A canary must succeed. */
		failed |= code && code != ERR_INTEGRITY;
		canary_bad |= code && kids[k].i < fo->canary;
		kids[k] = kids[--n];
	}
	return ret;
}

/* A label as a file name: what is not a letter, digit, '.', '-' or '_'
 * becomes '_', as backup names are made. */
static char *safe_name(const char *label)
{
	char *s = xstrdup(label), *p;

	for (p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-_", *p))
			*p = '_';
	if (s[0] == '.')
		s[0] = '_';
	return s;
}

void fleet_target_opts(struct ropts *o, const struct target *t)
{
	const char *base = strrchr(o->table, '.');
	char *safe = safe_name(t->label);

	o->db = t->url;
	o->targets = NULL;
	o->quiet = 1;
	o->json = 0;
	if (t->schema) {
		o->table = xasprintf("%s.%s", t->schema, base ? base + 1 :
		    o->table);
		o->search_path = t->schema;
	}
	o->backup.dir = xasprintf("%s/%s", o->backup.dir, safe);
	free(safe);
}

void fleet_session(struct session *s, struct ropts *o,
    const struct session *bundle, const struct target *t)
{
	*o = *bundle->o;
	fleet_target_opts(o, t);
	*s = *bundle;
	s->o = o;
	s->url = o->db;
}

void fleet_report_versions(struct fleet_report *r, const char *from,
    const char *to)
{
	snprintf(r->from, sizeof(r->from), "%s", from ? from : "");
	snprintf(r->to, sizeof(r->to), "%s", to ? to : "");
}

void fleet_report_error(struct fleet_report *r, const struct err *err)
{
	size_t n;

	if (!r->code)
		return;
	n = strcspn(err->msg, "\n");
	if (n >= sizeof(r->msg))
		n = sizeof(r->msg) - 1;
	memcpy(r->msg, err->msg, n);
	r->msg[n] = '\0';
}

void fleet_report_end(struct fleet_report *r, struct session *s,
    const char *from, const char *to, struct err *err)
{
	struct history now = HISTORY_INIT;

	fleet_report_versions(r, from, r->code ? session_now(s, &now, from) :
	    to);
	history_release(&now);
	session_end(s, err);
	fleet_report_error(r, err);
}

static void seconds(char *out, size_t size, int64_t ms)
{
	snprintf(out, size, "%lld.%01lld s", (long long)(ms / 1000),
	    (long long)(ms % 1000 / 100));
}

void fleet_summary_apply(const struct targets *ts,
    const struct fleet_report *reports, int json, struct buf *out)
{
	size_t i, w = 6;
	char t[32];

	if (json) {
		buf_addstr(out, "{\"targets\": [");
		for (i = 0; i < ts->nr; i++) {
			const struct fleet_report *r = &reports[i];

			buf_addstr(out, i ? ", {\"target\": " : "{\"target\": ");
			json_str(out, ts->t[i].label);
			buf_addstr(out, ", \"from\": ");
			json_str(out, r->ran && r->from[0] ? r->from : NULL);
			buf_addstr(out, ", \"to\": ");
			json_str(out, r->ran && r->to[0] ? r->to : NULL);
			buf_addf(out, ", \"applied\": %lu, \"ms\": %lld, "
			    "\"result\": \"%s\", \"message\": ", r->applied,
			    (long long)r->ms, fleet_result(r));
			json_str(out, r->code ? r->msg : r->note[0] ? r->note :
			    NULL);
			buf_addch(out, '}');
		}
		buf_addstr(out, "]}\n");
		return;
	}
	for (i = 0; i < ts->nr; i++)
		if (strlen(ts->t[i].label) > w)
			w = strlen(ts->t[i].label);
	buf_addf(out, "%-*s  %-14s  %-14s  %7s  %8s  %s\n", (int)w, "TARGET",
	    "FROM", "TO", "APPLIED", "TIME", "RESULT");
	for (i = 0; i < ts->nr; i++) {
		const struct fleet_report *r = &reports[i];

		seconds(t, sizeof(t), r->ms);
		buf_addf(out, "%-*s  %-14s  %-14s  %7lu  %8s  %s%s%s\n", (int)w,
		    ts->t[i].label, r->ran ? (r->from[0] ? r->from : "none") :
		    "-", r->ran ? (r->to[0] ? r->to : "none") : "-", r->applied,
		    r->ran ? t : "-", fleet_result(r), r->code || r->note[0] ?
		    ": " : "", r->code ? r->msg : r->note);
	}
}

static const char *status_state(const struct fleet_report *r)
{
	if (!r->ran || (r->code && r->code != ERR_INTEGRITY))
		return "unreachable";
	if (r->dirty)
		return "dirty";
	if (r->changed || r->missing)
		return "drifted";
	return r->pending ? "behind" : "current";
}

static int by_version(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	if (!*x || !*y)
		return !*x - !*y;
	return -version_cmp(x, y);
}

void fleet_summary_status(const struct targets *ts,
    const struct fleet_report *reports, int json, struct buf *out)
{
	const char **v = xcalloc(ts->nr + 1, sizeof(*v));
	size_t i, j, n = 0, w = 6, count[5] = { 0 };
	static const char *const states[] = { "current", "behind", "drifted",
	    "dirty", "unreachable" };

	for (i = 0; i < ts->nr; i++) {
		const char *st = status_state(&reports[i]);

		for (j = 0; j < 5; j++)
			count[j] += !strcmp(st, states[j]);
		if (strcmp(st, "unreachable"))
			v[n++] = reports[i].from;
		if (strlen(ts->t[i].label) > w)
			w = strlen(ts->t[i].label);
	}
	qsort(v, n, sizeof(*v), by_version);
	if (json) {
		buf_addstr(out, "{\"versions\": {");
		for (i = 0; i < n; i = j) {
			for (j = i; j < n && !strcmp(v[j], v[i]); j++)
				;
			buf_addstr(out, i ? ", " : "");
			json_str(out, *v[i] ? v[i] : "none");
			buf_addf(out, ": %zu", j - i);
		}
		buf_addstr(out, "}");
		for (j = 0; j < 5; j++)
			buf_addf(out, ", \"%s\": %zu", states[j], count[j]);
		buf_addstr(out, ", \"targets\": [");
		for (i = 0; i < ts->nr; i++) {
			const struct fleet_report *r = &reports[i];
			const char *st = status_state(r);

			buf_addstr(out, i ? ", {\"target\": " : "{\"target\": ");
			json_str(out, ts->t[i].label);
			buf_addstr(out, ", \"version\": ");
			json_str(out, !strcmp(st, "unreachable") || !r->from[0] ?
			    NULL : r->from);
			buf_addf(out, ", \"state\": \"%s\", \"pending\": %lu, "
			    "\"changed\": %lu, \"missing\": %lu, \"dirty\": %lu, "
			    "\"message\": ", st, r->pending, r->changed, r->missing,
			    r->dirty);
			json_str(out, strcmp(st, "unreachable") ? NULL : r->msg);
			buf_addch(out, '}');
		}
		buf_addstr(out, "]}\n");
		free(v);
		return;
	}
	buf_addf(out, "%-*s  %-14s  %s\n", (int)w, "TARGET", "VERSION",
	    "STATE");
	for (i = 0; i < ts->nr; i++) {
		const struct fleet_report *r = &reports[i];
		const char *st = status_state(r);

		buf_addf(out, "%-*s  %-14s  %s", (int)w, ts->t[i].label,
		    !strcmp(st, "unreachable") ? "-" : r->from[0] ? r->from :
		    "none", st);
		if (!strcmp(st, "behind"))
			buf_addf(out, " (%lu pending)", r->pending);
		else if (!strcmp(st, "drifted"))
			buf_addf(out, " (%lu changed, %lu missing)", r->changed,
			    r->missing);
		else if (!strcmp(st, "unreachable"))
			buf_addf(out, ": %s", r->msg);
		buf_addch(out, '\n');
	}
	buf_addf(out, "\n%zu target%s:", ts->nr, ts->nr == 1 ? "" : "s");
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && !strcmp(v[j], v[i]); j++)
			;
		buf_addf(out, "%s %zu at %s", i ? "," : "", j - i, *v[i] ?
		    v[i] : "no version");
	}
	buf_addstr(out, n ? ";" : "");
	for (j = 0; j < 5; j++)
		buf_addf(out, "%s %zu %s", j ? "," : "", count[j], states[j]);
	buf_addch(out, '\n');
	free(v);
}

int fleet_command(const struct ropts *o, fleet_summary summary, fleet_fn fn,
    void *arg, struct err *err)
{
	struct targets ts;
	struct fleet_report *reports;
	struct buf out = BUF_INIT;
	size_t i, bad = 0;
	int ret;

	if ((ret = targets_read(&ts, o->targets, err)))
		return ret;
	reports = xcalloc(ts.nr, sizeof(*reports));
	if (!(ret = fleet_run(&ts, &o->fleet, fn, arg, reports, o->quiet ||
	    o->json, err))) {
		summary(&ts, reports, o->json, &out);
		ret = emit(&out, err);
	}
	if (!ret && (ret = fleet_exit(reports, ts.nr))) {
		for (i = 0; i < ts.nr; i++)
			bad += !reports[i].ran || reports[i].code;
		err_set(err, ret, "%zu of %zu targets did not succeed (the "
		    "table says which and why)", bad, ts.nr);
	}
	buf_release(&out);
	free(reports);
	targets_release(&ts);
	return ret;
}
