#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "runner.h"

static int exec_status(int argc, char **argv, struct err *err);

static const struct option status_opts[] = {
	DB_OPTIONS, OUTPUT_OPTIONS, BUNDLE_OPTIONS, FLEET_READ_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.opts = status_opts,
	.usage = "[--db URL | --targets FILE [--parallel N]] [--json] BUNDLE",
	.help =
	    "Verify BUNDLE and show the database's current version and the\n"
	    "state of every migration: applied, pending, changed (applied with\n"
	    "another script than the bundle's), missing (applied, not in the\n"
	    "bundle) or dirty (a no-transaction migration that did not finish).\n"
	    "Changes nothing.\n\n"
	    "A pending migration that lint warned of at build says so.\n\n"
	    "  --json               {\"current\": VERSION or null, \"migrations\":\n"
	    "                       [{\"version\", \"name\", \"state\",\n"
	    "                       \"lint\": [...]}, ...]}; a dirty one that\n"
	    "                       records its progress also has\n"
	    "                       \"statements_done\" and \"statements\"\n"
	    DB_HELP BUNDLE_HELP
	    "  --targets FILE       the fleet's shape instead: how many targets\n"
	    "                       at each version, which are behind, drifted,\n"
	    "                       dirty or unreachable (exit 0 when all are\n"
	    "                       reachable and clean, 3 when any drifted or\n"
	    "                       is dirty, 1 when any is unreachable)\n"
	    "  --parallel N         N targets at once (default 4)\n",
	.exec = exec_status,
};

static void status_json(const struct session *s, struct buf *b)
{
	size_t i;

	buf_addstr(b, "{\"current\": ");
	json_str(b, s->plan.current);
	buf_addstr(b, ", \"migrations\": [");
	for (i = 0; i < s->plan.nr; i++) {
		const struct plan_item *it = &s->plan.items[i];

		buf_addstr(b, i ? ", {\"version\": " : "{\"version\": ");
		json_str(b, plan_item_version(it));
		buf_addstr(b, ", \"name\": ");
		json_str(b, plan_item_name(it));
		buf_addf(b, ", \"state\": \"%s\"", mig_state_name(it->state));
		if (it->state == ST_DIRTY && it->row->statements)
			buf_addf(b, ", \"statements_done\": %ld, "
			    "\"statements\": %ld", it->row->statements_done,
			    it->row->statements);
		buf_addstr(b, ", \"lint\": ");
		plan_item_lint_json(it, b);
		buf_addch(b, '}');
	}
	buf_addstr(b, "]}\n");
}

static void status_text(const struct session *s, struct buf *b)
{
	static const char *const what[] = {
		"applied", "pending", "changed", "missing", "dirty",
	};
	size_t i, linted = 0;
	int w = 7, sep = 0;

	buf_addf(b, "database  %s (%s)\n", s->db->display, s->o->table);
	buf_addf(b, "bundle    %s %s (%s)\n", s->m.name, s->m.release, s->sha);
	buf_addf(b, "current   %s\n\n", s->plan.current ? s->plan.current :
	    "none");
	for (i = 0; i < s->plan.nr; i++) {
		const char *v = plan_item_version(&s->plan.items[i]);
		int len = v ? (int)strlen(v) : 1;

		if (len > w)
			w = len;
	}
	buf_addf(b, "%-*s  %-8s  %s\n", w, "VERSION", "STATE", "NAME");
	for (i = 0; i < s->plan.nr; i++) {
		const struct plan_item *it = &s->plan.items[i];
		const char *v = plan_item_version(it);
		char state[96];

		snprintf(state, sizeof(state), "%s", mig_state_name(it->state));
		if (it->state == ST_DIRTY && it->row->statements)
			snprintf(state, sizeof(state), "dirty (%ld of %ld "
			    "statements done)", it->row->statements_done,
			    it->row->statements);
		buf_addf(b, "%-*s  %-8s  %s%s", w, v ? v : "-", state,
		    plan_item_name(it),
		    it->out_of_order ? "  (out of order)" : "");
		if (it->state == ST_PENDING && plan_item_lint(it, NULL)) {
			buf_addstr(b, "  lint: ");
			plan_item_lint(it, b);
			linted++;
		}
		buf_addch(b, '\n');
	}
	buf_addch(b, '\n');
	for (i = 0; i <= ST_DIRTY; i++) {
		if (!s->plan.count[i])
			continue;
		buf_addf(b, "%s%zu %s", sep++ ? ", " : "", s->plan.count[i],
		    what[i]);
	}
	buf_addstr(b, sep ? "\n" : "no migrations for this engine\n");
	if (linted)
		buf_addf(b, "%zu pending migration%s with lint warnings: "
		    "'migpack lint BUNDLE' says what they do and the safe way\n",
		    linted, linted == 1 ? "" : "s");
}

/* A fleet's target, in its own process: its version and drift. */
static void status_target(void *arg, const struct target *t,
    struct fleet_report *r)
{
	struct ropts o;
	struct session s;
	struct err err = ERR_INIT;

	fleet_session(&s, &o, arg, t);
	if (!(r->code = session_open(&s, 0, &err))) {
		fleet_report_versions(r, s.plan.current, NULL);
		r->pending = s.plan.count[ST_PENDING];
		r->changed = s.plan.count[ST_CHANGED];
		r->missing = s.plan.count[ST_MISSING];
		r->dirty = s.plan.count[ST_DIRTY];
		if (r->changed || r->missing || r->dirty)
			r->code = err_set(&err, ERR_INTEGRITY, "%s", r->dirty ?
			    "dirty" : "drifted");
	}
	session_end(&s, &err);
	fleet_report_error(r, &err);
}

static int exec_status(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct buf b = BUF_INIT;
	const char *bundle = NULL;
	int go, ret;

	if ((ret = ropt_getopt(&cmd_status_entry, status_opts, argc, argv, &o,
	    &bundle, &go, err)) || !go)
		return ret;
	if (o.targets && o.db)
		return cmd_usage(&cmd_status_entry, err, "give --db or "
		    "--targets, not both");
	session_init(&s, &o);
	if ((ret = session_bundle(&s, bundle, err)))
		goto out;
	if (o.targets) {
		o.fleet.keep_going = 1;	/* every target read, whatever */
		ret = fleet_command(&o, fleet_summary_status, status_target,
		    &s, err);
		goto out;
	}
	if ((ret = session_open(&s, 0, err)))
		goto out;
	if (o.json)
		status_json(&s, &b);
	else
		status_text(&s, &b);
	ret = emit(&b, err);
out:
	buf_release(&b);
	session_end(&s, err);
	return ret;
}
