#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "runner.h"

static int exec_check(int argc, char **argv, struct err *err);

#define CHECK_MEMORY "sqlite::memory:"

static const struct option check_opts[] = {
	DB_OPTIONS, OUTPUT_OPTIONS, BUNDLE_OPTIONS, LOCK_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_check_entry = {
	.name = "check",
	.opts = check_opts,
	.usage = "[--db SCRATCH] [--json] BUNDLE",
	.help =
	    "Run every migration of BUNDLE both ways on an empty scratch\n"
	    "database and compare schemas: up, then down must give back what\n"
	    "the migration before left, then up again what the first up made;\n"
	    "then down to base (as far as down scripts go) must leave the empty\n"
	    "database; then everything is applied again, repeatable migrations\n"
	    "too.  Exit 0; 3 naming the first difference; 1 for a failing\n"
	    "statement; 2 for a database that is not empty (nothing done).\n\n"
	    "  --db SCRATCH         an empty scratch database, PostgreSQL or\n"
	    "                       SQLite, to throw away after (default: an\n"
	    "                       in-memory SQLite database; $DATABASE_URL is\n"
	    "                       never used)\n"
	    "  --table NAME         the history table (default migpack_history)\n"
	    "  --json               one JSON object (shape in README.md)\n"
	    BUNDLE_HELP,
	.exec = exec_check,
};

static void json_ms(struct buf *b, const char *key, int64_t ms)
{
	if (ms < 0)
		buf_addf(b, ", \"%s\": null", key);
	else
		buf_addf(b, ", \"%s\": %lld", key, (long long)ms);
}

static void check_json(const struct session *s, const struct check_report *r,
    int ok, const struct err *err, struct buf *b)
{
	size_t i;

	buf_addf(b, "{\"ok\": %s, \"database\": ", ok ? "true" : "false");
	json_str(b, s->url == NULL || !s->o->db ? "memory" : s->db->display);
	buf_addstr(b, ", \"migrations\": [");
	for (i = 0; i < r->nr; i++) {
		const struct check_step *st = &r->steps[i];

		buf_addstr(b, i ? ", {\"version\": " : "{\"version\": ");
		json_str(b, st->version);
		buf_addstr(b, ", \"name\": ");
		json_str(b, st->name);
		buf_addstr(b, ", \"up\": ");
		json_str(b, st->up);
		buf_addstr(b, ", \"down\": ");
		json_str(b, st->down);
		buf_addstr(b, ", \"reup\": ");
		json_str(b, st->reup);
		json_ms(b, "up_ms", st->up_ms);
		json_ms(b, "down_ms", st->down_ms);
		json_ms(b, "reup_ms", st->reup_ms);
		buf_addch(b, '}');
	}
	buf_addstr(b, "], \"base\": ");
	json_str(b, r->base ? r->base : r->stopped_at ? "stopped" : NULL);
	buf_addstr(b, ", \"stopped_at\": ");
	json_str(b, r->stopped_at);
	buf_addstr(b, ", \"reapply\": ");
	json_str(b, r->reapply);
	buf_addf(b, ", \"repeatables\": %zu, \"reached\": ", r->repeatables);
	json_str(b, r->reached);
	buf_addstr(b, ", \"error\": ");
	json_str(b, ok ? NULL : err->msg);
	buf_addstr(b, "}\n");
}

static void cell(struct buf *b, const char *state, int64_t ms)
{
	char c[32];

	if (!state)
		snprintf(c, sizeof(c), "-");
	else if (ms >= 0 && !strcmp(state, "ok"))
		snprintf(c, sizeof(c), "ok %lld ms", (long long)ms);
	else
		snprintf(c, sizeof(c), "%s", state);
	buf_addf(b, "  %-12s", c);
}

static void check_text(const struct session *s, const struct check_report *r,
    int ok, struct buf *b)
{
	size_t i;
	int w = 7;

	for (i = 0; i < r->nr; i++)
		if ((int)strlen(r->steps[i].version) > w)
			w = (int)strlen(r->steps[i].version);
	buf_addf(b, "%-*s  %-12s  %-12s  %-12s  %s\n", w, "VERSION", "UP",
	    "DOWN", "UP AGAIN", "NAME");
	for (i = 0; i < r->nr; i++) {
		const struct check_step *st = &r->steps[i];

		buf_addf(b, "%-*s", w, st->version);
		cell(b, st->up, st->up_ms);
		cell(b, st->down, st->down_ms);
		cell(b, st->reup, st->reup_ms);
		buf_addf(b, "  %s\n", st->name);
	}
	if (r->base && !strcmp(r->base, "ok"))
		buf_addstr(b, "down to base: the empty database again\n");
	else if (r->stopped_at)
		buf_addf(b, "down to base: stopped at %s, which has no down "
		    "script\n", r->stopped_at);
	if (r->reapply && !strcmp(r->reapply, "ok"))
		buf_addf(b, "applied again, with %zu repeatable migration%s\n",
		    r->repeatables, r->repeatables == 1 ? "" : "s");
	if (!ok)
		return;
	if (!s->o->db)
		buf_addstr(b, "check: OK; nothing is left: the database was in "
		    "memory\n");
	else
		buf_addf(b, "check: OK; %s is left at %s: a scratch database, to "
		    "throw away\n", s->db->display, r->reached ? r->reached :
		    "no version");
}

static int exec_check(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct check_report r = { 0 };
	struct session s;
	struct buf b = BUF_INIT;
	const char *bundle = NULL;
	int go, ret;

	if ((ret = ropt_getopt(&cmd_check_entry, check_opts, argc, argv, &o,
	    &bundle, &go, err)) || !go)
		return ret;
	session_init(&s, &o);
	if (!o.db)
		s.url = CHECK_MEMORY;
	if ((ret = session_bundle(&s, bundle, err)) ||
	    (ret = session_open(&s, 1, err)) || (ret = check_empty(&s, err)))
		goto out;
	ret = check_run(&s, &r, err);
	if (o.json)
		check_json(&s, &r, !ret, err, &b);
	else if (!o.quiet)
		check_text(&s, &r, !ret, &b);
	fwrite(b.data, 1, b.len, stdout);
out:
	check_report_release(&r);
	buf_release(&b);
	session_end(&s, err);
	return ret;
}
