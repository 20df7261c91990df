#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "runner.h"
#include "version.h"

static int exec_history(int argc, char **argv, struct err *err);

static const struct option history_opts[] = {
	DB_OPTIONS, OUTPUT_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.opts = history_opts,
	.usage = "[--db URL] [--json]",
	.help =
	    "Show what the database's history table says was applied, oldest\n"
	    "first, without a bundle.  Changes nothing.\n\n"
	    "  --json               {\"current\": VERSION or null, \"migrations\":\n"
	    "                       [{\"version\" (null when repeatable),\n"
	    "                       \"name\", \"kind\", \"state\", \"checksum\",\n"
	    "                       \"applied_at\", \"execution_ms\", \"has_down\",\n"
	    "                       \"bundle\": {\"name\", \"release\",\n"
	    "                       \"sha256\"}, \"signed_by\": the key id of\n"
	    "                       the bundle's verified signature, or null},\n"
	    "                       ...]}\n"
	    DB_HELP,
	.exec = exec_history,
};

static void history_json(const struct history *h, struct buf *b)
{
	size_t i;

	buf_addstr(b, "{\"current\": ");
	json_str(b, history_current(h));
	buf_addstr(b, ", \"migrations\": [");
	for (i = 0; i < h->nr; i++) {
		const struct hist_row *r = &h->rows[i];

		buf_addstr(b, i ? ", {\"version\": " : "{\"version\": ");
		json_str(b, r->version);
		buf_addstr(b, ", \"name\": ");
		json_str(b, r->name);
		buf_addf(b, ", \"kind\": \"%s\", \"state\": \"%s\", "
		    "\"checksum\": ", kind_name(r->kind),
		    hist_state_name(r->state));
		json_str(b, r->checksum);
		buf_addstr(b, ", \"applied_at\": ");
		json_str(b, r->applied_at);
		buf_addf(b, ", \"execution_ms\": %lld, \"has_down\": %s, "
		    "\"bundle\": {\"name\": ", (long long)r->execution_ms,
		    r->down ? "true" : "false");
		json_str(b, r->bundle_name);
		buf_addstr(b, ", \"release\": ");
		json_str(b, r->bundle_release);
		buf_addstr(b, ", \"sha256\": ");
		json_str(b, r->bundle_sha256);
		buf_addstr(b, "}, \"signed_by\": ");
		json_str(b, r->signed_by);
		buf_addstr(b, "}");
	}
	buf_addstr(b, "]}\n");
}

static void history_text(const struct session *s, struct buf *b)
{
	const struct history *h = &s->h;
	size_t i;
	int w = 7;

	buf_addf(b, "database  %s (%s)\n", s->db->display, s->o->table);
	if (!h->exists) {
		buf_addstr(b, "no history table: nothing applied\n");
		return;
	}
	buf_addf(b, "current   %s\n\n", history_current(h) ? history_current(h) : "none");
	for (i = 0; i < h->nr; i++)
		if (h->rows[i].version && (int)strlen(h->rows[i].version) > w)
			w = (int)strlen(h->rows[i].version);
	buf_addf(b, "%-*s  %-8s  %-20s  %8s  %-4s  %-20s  %-16s  %s\n", w,
	    "VERSION", "STATE", "APPLIED AT (UTC)", "MS", "DOWN", "BUNDLE",
	    "SIGNED BY", "NAME");
	for (i = 0; i < h->nr; i++) {
		const struct hist_row *r = &h->rows[i];
		char bundle[256];

		snprintf(bundle, sizeof(bundle), "%s %s", r->bundle_name,
		    r->bundle_release);
		buf_addf(b, "%-*s  %-8s  %-20s  %8lld  %-4s  %-20s  %-16s  %s\n",
		    w, r->version ? r->version : "-", hist_state_name(r->state),
		    r->applied_at ? r->applied_at : "-",
		    (long long)r->execution_ms, r->down ? "yes" : "no",
		    bundle, r->signed_by ? r->signed_by : "-", r->name);
	}
}

static int exec_history(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct buf b = BUF_INIT;
	int go, ret;

	if ((ret = ropt_getopt(&cmd_history_entry, history_opts, argc, argv, &o,
	    NULL, &go, err)) || !go)
		return ret;
	session_init(&s, &o);
	if ((ret = session_open(&s, 0, err)))
		goto out;
	if (o.json)
		history_json(&s.h, &b);
	else
		history_text(&s, &b);
	ret = emit(&b, err);
out:
	buf_release(&b);
	session_end(&s, err);
	return ret;
}
