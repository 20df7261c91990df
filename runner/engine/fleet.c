/* Fleets: a targets file, and one command over it in parallel processes
 * (fleet.h). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
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
	t->dir = backup_file_part(t->label);
	return 0;
}

static int by_dir(const void *a, const void *b)
{
	const struct target *x = *(const struct target *const *)a;
	const struct target *y = *(const struct target *const *)b;
	int c = strcmp(x->dir, y->dir);

	return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Two targets with one backup folder (one label, or two alike but for
 * what a file name cannot hold) would mix their backups, and --keep
 * remove each other's; the report could not tell them apart either. */
static int distinct(const struct targets *ts, const char *path,
    struct err *err)
{
	const struct target **v = xcalloc(ts->nr, sizeof(*v));
	const struct target *x, *y;
	size_t i;
	int ret = 0;

	for (i = 0; i < ts->nr; i++)
		v[i] = &ts->t[i];
	qsort(v, ts->nr, sizeof(*v), by_dir);
	for (i = 1; i < ts->nr && !ret; i++) {
		x = v[i - 1];
		y = v[i];
		if (strcmp(x->dir, y->dir))
			continue;
		ret = !strcmp(x->label, y->label) ?
		    err_set(err, ERR_INPUT, "%s:%u: '%s': line %u's target "
		    "is called so too; name=LABEL gives one another name",
		    path, y->line, y->label, x->line) :
		    err_set(err, ERR_INPUT, "%s:%u: '%s' would share line "
		    "%u's backup folder '%s' ('%s'); name=LABEL gives one "
		    "another name", path, y->line, y->label, x->line, x->dir,
		    x->label);
	}
	free(v);
	return ret;
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
	if (!ret)
		ret = distinct(ts, path, err);
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
		free(ts->t[i].dir);
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

/*
 * What a target's process says through its pipe: what it is doing (each
 * migration it starts), then its report.  A record is smaller than
 * PIPE_BUF, so one write puts all of it in the pipe or none.
 */
enum { MSG_STEP = 1, MSG_END };

struct fleet_msg {
	int kind;
	size_t i, nr;			/* MSG_STEP: session.doing's */
	char what[128];
	struct fleet_report r;		/* MSG_END */
};

_Static_assert(sizeof(struct fleet_msg) <= PIPE_BUF, "a record in one "
    "write");

static int report_fd = -1;	/* in a target's process: its pipe */

static void say(const struct fleet_msg *m)
{
	/* The parent gone: no one to say it to. */
	while (write(report_fd, m, sizeof(*m)) < 0 && errno == EINTR)
		;
}

void fleet_doing(const char *what, size_t i, size_t nr)
{
	struct fleet_msg m;

	memset(&m, 0, sizeof(m));
	m.kind = MSG_STEP;
	m.i = i;
	m.nr = nr;
	snprintf(m.what, sizeof(m.what), "%s", what);
	say(&m);
}

/*
 * A safe stop.  SIGINT, SIGTERM or SIGHUP: no new target starts, those
 * running finish.  A second: they are stopped now (SIGTERM to each
 * target's process group: the target's transaction is rolled back, its
 * temporary files removed, as a single run stopped so).  The targets run
 * in process groups of their own, so that a terminal's Ctrl-C reaches
 * the fleet alone, which decides.  The signals are blocked but in ppoll:
 * none is missed between a look at stops and the wait.
 */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NR_STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))
static volatile sig_atomic_t stops;	/* how many came */

static void on_stop(int sig)
{
	(void)sig;
	stops++;
}

/* A running target: its process, and what it said last. */
struct child {
	pid_t pid;
	int fd;
	size_t i;		/* its target */
	int64_t t0;
	struct fleet_msg in;	/* the record being read */
	size_t got;
	int ended;		/* its report came */
	int doing;		/* it said what it is doing: */
	size_t step, nr;	/* the migration, of nr; 0: before one */
	char what[128];
};

struct fleet {
	const struct targets *ts;
	struct fleet_report *reports;
	int show;		/* FLEET_* */
	struct child kids[FLEET_MAX];
	size_t n;		/* running */
	size_t next;		/* the next target to start */
	size_t ok, failed, refused;
	int stopping;		/* no new target will start */
	int heeded;		/* of the signals to stop, those acted on */
	/* What the signals were before: a target's process has them back. */
	struct sigaction was[NR_STOP_SIGNALS];
	sigset_t mask;
	size_t drawn;		/* the view's lines on the terminal */
	int64_t drawn_at;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the live view: a line per running target, then the counts */

/* The terminal's columns (at least 20) and lines (at least 3). */
static void term_size(unsigned *width, unsigned *height)
{
	struct winsize ws;

	*width = 80;
	*height = 24;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	if (ws.ws_col >= 20)
		*width = ws.ws_col;
	if (ws.ws_row >= 3)
		*height = ws.ws_row;
}

/* Columns s takes, a UTF-8 character counted as one. */
static size_t cols(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Where in s (len bytes) column n begins; len when it has fewer. */
static size_t at_col(const char *s, size_t len, size_t n)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && !n--)
			return i;
	return len;
}

/* Cut b after from + n columns. */
static void cut(struct buf *b, size_t from, size_t n)
{
	size_t i = from + at_col(b->data + from, b->len - from, n);

	b->len = i;
	b->data[i] = '\0';
}

/* s in w columns, padded; a longer one keeps its two ends, which tell
 * tenant-0041 from tenant-0042, around "..". */
static void add_label(struct buf *b, const char *s, size_t w)
{
	size_t len = strlen(s), n = cols(s, len), head = (w - 2) / 2;

	if (n <= w) {
		buf_addstr(b, s);
		for (; n < w; n++)
			buf_addch(b, ' ');
		return;
	}
	buf_add(b, s, at_col(s, len, head));
	buf_addstr(b, "..");
	buf_addstr(b, s + at_col(s, len, n - (w - 2 - head)));
}

/* The line begun at from made to fit in width - 1 columns (the last
 * column wraps on some terminals), and ended. */
static void fit(struct buf *b, size_t from, unsigned width)
{
	cut(b, from, width - 1);
	buf_addch(b, '\n');
}

static void view_erase(struct fleet *f, struct buf *b)
{
	if (f->drawn)
		buf_addf(b, "\r\033[%zuA\033[J", f->drawn);
	f->drawn = 0;
}

static void view_flush(struct buf *b)
{
	fwrite(b->data, 1, b->len, stderr);
	fflush(stderr);
	buf_reset(b);
}

/* Draw the view again, at most ten times a second unless forced. */
static void view_draw(struct fleet *f, int force)
{
	struct buf b = BUF_INIT;
	unsigned width, height;
	int64_t now = now_ms(), ms;
	size_t k, start, w = 0, n, shown = f->n;

	if (f->show != FLEET_VIEW || (!force && now - f->drawn_at < 100))
		return;
	/* The view fits the screen, or the cursor could not go back up to
	 * its top: one line for the counts, one for the cursor. */
	term_size(&width, &height);
	if (shown > height - 2)
		shown = height - 3;
	view_erase(f, &b);
	/* Labels in a column at most a third of the line wide; what is cut
	 * when the line is too long is the migration's name. */
	for (k = 0; k < f->n; k++) {
		const char *label = f->ts->t[f->kids[k].i].label;

		if ((n = cols(label, strlen(label))) > w)
			w = n;
	}
	if (w > width / 3)
		w = width / 3;	/* at least 6: term_size gives 20 or more */
	for (k = 0; k < shown; k++) {
		const struct child *c = &f->kids[k];

		start = b.len;
		buf_addstr(&b, "  ");
		add_label(&b, f->ts->t[c->i].label, w);
		ms = now - c->t0;
		buf_addf(&b, "  %3lld.%llds  ", (long long)ms / 1000,
		    (long long)ms % 1000 / 100);
		if (c->step)
			buf_addf(&b, "[%zu/%zu] ", c->step, c->nr);
		buf_addstr(&b, c->doing ? c->what : "starting");
		fit(&b, start, width);
		f->drawn++;
	}
	if (shown < f->n) {
		start = b.len;
		buf_addf(&b, "  and %zu more", f->n - shown);
		fit(&b, start, width);
		f->drawn++;
	}
	start = b.len;
	buf_addf(&b, "%zu done, %zu failed, ", f->ok, f->failed);
	if (f->refused)
		buf_addf(&b, "%zu refused, ", f->refused);
	buf_addf(&b, "%zu running, %zu %s", f->n, f->ts->nr - f->next,
	    f->stopping ? "not to start" : "waiting");
	fit(&b, start, width);
	f->drawn++;
	f->drawn_at = now;
	view_flush(&b);
	buf_release(&b);
}

/* A line on stderr, above the view when there is one. */
static void say_line(struct fleet *f, const char *fmt, ...)
    ATTR_PRINTF(2, 3);
static void say_line(struct fleet *f, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	view_erase(f, &b);
	buf_addf(&b, "%s: %s\n", cmd_progname, line);
	view_flush(&b);
	buf_release(&b);
	f->drawn_at = 0;
}

/* A finished target's line: each one's off a terminal, those that did not
 * succeed above the view on one. */
static void say_finished(struct fleet *f, const struct target *t,
    const struct fleet_report *r)
{
	if (f->show == FLEET_QUIET || (f->show == FLEET_VIEW && !r->code))
		return;
	say_line(f, "%s: %s%s%s", t->label, fleet_result(r), r->code ? ": " :
	    "", r->code ? r->msg : "");
}

/* Act on the signals to stop that came (said even with --quiet: a run
 * cut short is no success). */
static void heed(struct fleet *f)
{
	int now = stops;
	size_t k;

	if (now > 0 && f->heeded < 1) {
		f->heeded = 1;
		f->stopping = 1;
		say_line(f, "stopping: no new target starts; the %zu running "
		    "finish (interrupt again to stop them now)", f->n);
	}
	if (now > 1 && f->heeded < 2) {
		f->heeded = 2;
		say_line(f, "stopping the %zu running targets now", f->n);
		for (k = 0; k < f->n; k++)
			kill(-f->kids[k].pid, SIGTERM);
	}
}

/* --- the targets' processes */

static int start(struct fleet *f, fleet_fn fn, void *arg, struct err *err)
{
	struct child *c = &f->kids[f->n];
	struct fleet_msg m;
	size_t k;
	int fds[2];

	if (pipe(fds) < 0)
		return err_errno(err, ERR_RUNTIME, "pipe");
	fflush(NULL);
	memset(c, 0, sizeof(*c));
	if ((c->pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_errno(err, ERR_RUNTIME, "fork");
	}
	if (!c->pid) {
		/* A single run's signals, in a process group of its own. */
		setpgid(0, 0);
		for (k = 0; k < NR_STOP_SIGNALS; k++)
			sigaction(stop_signals[k], &f->was[k], NULL);
		sigprocmask(SIG_SETMASK, &f->mask, NULL);
		/* Its own pipe's writing end, not the others' ends. */
		for (k = 0; k < f->n; k++)
			close(f->kids[k].fd);
		close(fds[0]);
		report_fd = fds[1];
		memset(&m, 0, sizeof(m));
		m.kind = MSG_END;
		m.r.ran = 1;
		fn(arg, &f->ts->t[f->next], &m.r);
		say(&m);
		_exit(0);
	}
	/* Here too: a signal to its group may come before it runs. */
	setpgid(c->pid, c->pid);
	close(fds[1]);
	c->fd = fds[0];
	c->i = f->next++;
	c->t0 = now_ms();
	f->n++;
	return 0;
}

/* A whole record from c. */
static void heard(struct fleet *f, struct child *c)
{
	if (c->in.kind == MSG_STEP) {
		c->doing = 1;
		c->step = c->in.i;
		c->nr = c->in.nr;
		memcpy(c->what, c->in.what, sizeof(c->what));
		c->what[sizeof(c->what) - 1] = '\0';
	} else if (c->in.kind == MSG_END) {
		f->reports[c->i] = c->in.r;
		c->ended = 1;
	}
	c->got = 0;
}

/* Collect a finished child's report (a crash is a failure). */
static void finish(struct fleet *f, struct child *c)
{
	struct fleet_report *r = &f->reports[c->i];
	int status = 0;

	close(c->fd);
	while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!c->ended) {
		memset(r, 0, sizeof(*r));
		r->ran = 1;
		r->code = ERR_RUNTIME;
		r->lost = 1;
		if (f->heeded > 1 && WIFSIGNALED(status))
			snprintf(r->msg, sizeof(r->msg), "stopped by the "
			    "second interrupt during %s, as a single run "
			    "stopped so is (migrun status says where it is)",
			    c->doing ? c->what : "its start");
		else
			snprintf(r->msg, sizeof(r->msg), "its process ended "
			    "without a report (%s %d)", WIFSIGNALED(status) ?
			    "signal" : "status", WIFSIGNALED(status) ?
			    WTERMSIG(status) : WEXITSTATUS(status));
	}
	r->ms = now_ms() - c->t0;
	if (!r->code)
		f->ok++;
	else if (r->code == ERR_INTEGRITY)
		f->refused++;
	else
		f->failed++;
	say_finished(f, &f->ts->t[c->i], r);
}

/* Listen to the running targets until one ends (the view drawn as they
 * go); its place in kids. */
static size_t wait_one(struct fleet *f)
{
	static const struct timespec tick = { 0, 100 * 1000000 };
	struct pollfd pfd[FLEET_MAX];
	struct child *c;
	ssize_t got;
	size_t k;

	for (;;) {
		heed(f);
		view_draw(f, 0);
		for (k = 0; k < f->n; k++) {
			pfd[k].fd = f->kids[k].fd;
			pfd[k].events = POLLIN;
		}
		/* A signal, or time to draw: nothing to read yet. */
		if (ppoll(pfd, (nfds_t)f->n, f->show == FLEET_VIEW ? &tick :
		    NULL, &f->mask) <= 0)
			continue;
		for (k = 0; k < f->n; k++) {
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			c = &f->kids[k];
			got = read(c->fd, (char *)&c->in + c->got,
			    sizeof(c->in) - c->got);
			if (got > 0) {
				if ((c->got += (size_t)got) == sizeof(c->in))
					heard(f, c);
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
			finish(f, c);
			return k;
		}
	}
}

/* Catch the signals to stop: blocked, but in ppoll. */
static void catch_stops(struct fleet *f)
{
	struct sigaction sa;
	sigset_t block;
	size_t k;

	stops = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&block);
	for (k = 0; k < NR_STOP_SIGNALS; k++) {
		sigaddset(&block, stop_signals[k]);
		sigaction(stop_signals[k], &sa, &f->was[k]);
	}
	sigprocmask(SIG_BLOCK, &block, &f->mask);
}

/* Give them back as they were; one that came meanwhile is caught first,
 * so that the table is still printed. */
static void release_stops(struct fleet *f)
{
	size_t k;

	sigprocmask(SIG_SETMASK, &f->mask, NULL);
	for (k = 0; k < NR_STOP_SIGNALS; k++)
		sigaction(stop_signals[k], &f->was[k], NULL);
}

int fleet_run(const struct targets *ts, const struct fleet_opts *fo,
    fleet_fn fn, void *arg, struct fleet_report *reports, int show,
    struct err *err)
{
	struct fleet *f = xcalloc(1, sizeof(*f));
	size_t k, stop_at = ts->nr;
	unsigned par = fo->parallel ? fo->parallel : 1;
	int canary_bad = 0, ret = 0, code;

	if (par > FLEET_MAX)
		par = FLEET_MAX;
	f->ts = ts;
	f->reports = reports;
	f->show = show;
	memset(reports, 0, ts->nr * sizeof(*reports));
	if (fo->canary && fo->canary < ts->nr)
		stop_at = fo->canary;
	catch_stops(f);
	for (;;) {
		heed(f);
		f->stopping = ret || canary_bad || f->heeded || (f->failed &&
		    !fo->keep_going);
		while (!f->stopping && f->n < par && f->next < stop_at)
			if ((ret = start(f, fn, arg, err)))
				break;
		if (!f->n) {
			/* The canaries are done: the rest, if all are ok
			 * (keep_going or not). */
			if (!ret && stop_at < ts->nr && !canary_bad &&
			    f->next == stop_at) {
				stop_at = ts->nr;
				continue;
			}
			break;
		}
		view_draw(f, 1);
		k = wait_one(f);
		code = reports[f->kids[k].i].code;
		/* A refusal (drift, dirty) is that target's: the others go
		 * on.  A canary must succeed. */
		canary_bad |= code && f->kids[k].i < fo->canary;
		f->kids[k] = f->kids[--f->n];
	}
	if (f->show == FLEET_VIEW) {
		struct buf b = BUF_INIT;

		view_erase(f, &b);
		view_flush(&b);
		buf_release(&b);
	}
	release_stops(f);
	free(f);
	return ret;
}

void fleet_target_opts(struct ropts *o, const struct target *t)
{
	const char *base = strrchr(o->table, '.');

	o->db = t->url;
	o->targets = NULL;
	o->quiet = 1;
	o->json = 0;
	if (t->schema) {
		o->table = xasprintf("%s.%s", t->schema, base ? base + 1 :
		    o->table);
		o->search_path = t->schema;
	}
	o->backup.dir = xasprintf("%s/%s", o->backup.dir, t->dir);
}

void fleet_session(struct session *s, struct ropts *o,
    const struct session *bundle, const struct target *t)
{
	*o = *bundle->o;
	fleet_target_opts(o, t);
	*s = *bundle;
	s->o = o;
	s->url = o->db;
	s->doing = fleet_doing;
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

/* A version in the table: "-" when the target did not run, "?" when its
 * process said nothing, "none" for an empty history. */
static const char *version_shown(const struct fleet_report *r,
    const char *v)
{
	if (!r->ran)
		return "-";
	if (r->lost)
		return "?";
	return v[0] ? v : "none";
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
			if (r->lost)
				buf_addstr(out, ", \"applied\": null");
			else
				buf_addf(out, ", \"applied\": %lu", r->applied);
			buf_addf(out, ", \"ms\": %lld, \"result\": \"%s\", "
			    "\"message\": ", (long long)r->ms, fleet_result(r));
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
		char applied[24] = "?";

		seconds(t, sizeof(t), r->ms);
		if (!r->lost)
			snprintf(applied, sizeof(applied), "%lu", r->applied);
		buf_addf(out, "%-*s  %-14s  %-14s  %7s  %8s  %s%s%s\n", (int)w,
		    ts->t[i].label, version_shown(r, r->from),
		    version_shown(r, r->to), applied, r->ran ? t : "-",
		    fleet_result(r), r->code || r->note[0] ? ": " : "",
		    r->code ? r->msg : r->note);
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

/* On a terminal (not a dumb one), the live view; off one, a line per
 * finished target (--json or not: the JSON goes to stdout); nothing with
 * --quiet. */
static int fleet_show(const struct ropts *o)
{
	const char *term = getenv("TERM");

	if (o->quiet)
		return FLEET_QUIET;
	if (isatty(STDERR_FILENO) && term && *term && strcmp(term, "dumb"))
		return FLEET_VIEW;
	return FLEET_LINES;
}

int fleet_command(const struct ropts *o, fleet_summary summary, fleet_fn fn,
    void *arg, struct err *err)
{
	struct targets ts;
	struct fleet_report *reports;
	struct buf out = BUF_INIT;
	size_t i, bad = 0;
	int ret, code;

	if ((ret = targets_read(&ts, o->targets, err)))
		return ret;
	reports = xcalloc(ts.nr, sizeof(*reports));
	if ((ret = fleet_run(&ts, &o->fleet, fn, arg, reports, fleet_show(o),
	    err)))
		goto out;
	code = fleet_exit(reports, ts.nr);
	/* --quiet: nothing on success; the table says what did not. */
	if (code || !o->quiet) {
		summary(&ts, reports, o->json, &out);
		if ((ret = emit(&out, err)))
			goto out;
	}
	if ((ret = code)) {
		for (i = 0; i < ts.nr; i++)
			bad += !reports[i].ran || reports[i].code;
		err_set(err, ret, "%zu of %zu targets did not succeed (the "
		    "table says which and why)", bad, ts.nr);
	}
out:
	buf_release(&out);
	free(reports);
	targets_release(&ts);
	return ret;
}
