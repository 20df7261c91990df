#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static int exec_verify(int argc, char **argv, struct err *err);

static const struct option verify_opts[] = {
	DB_OPTIONS, BUNDLE_OPTIONS, FLEET_READ_OPTIONS, OUTPUT_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.opts = verify_opts,
	.usage = "[--db URL | --targets FILE [--parallel N] [--json]] BUNDLE",
	.help =
	    "Check BUNDLE's integrity: every checksum, nothing missing or\n"
	    "extra (exit 3 when it fails, 2 for a file that is not a bundle),\n"
	    "and its signature, held up to the keys trusted.\n"
	    "With a database (--db, or $DATABASE_URL), also check for drift:\n"
	    "an applied migration whose script differs from the bundle's, or\n"
	    "one the bundle lacks (exit 3).  Changes nothing.\n\n"
	    DB_HELP BUNDLE_HELP
	    "  --targets FILE       check every database in FILE for drift (a\n"
	    "                       line each, as apply takes them): a report\n"
	    "                       per target, exit 3 when any drifted\n"
	    "  --parallel N         N targets at once (default 4)\n"
	    "  --json               with --targets, the report as JSON\n",
	.exec = exec_verify,
};

/* The drift of the session's database: a line per changed or missing
 * migration into bad; how many. */
static size_t drift(const struct session *s, struct buf *bad)
{
	size_t i, n = 0;

	for (i = 0; i < s->plan.nr; i++) {
		const struct plan_item *it = &s->plan.items[i];

		if (it->state == ST_CHANGED)
			buf_addf(bad, "\n%s %s: changed: applied as %s, the "
			    "bundle has sha256:%s", plan_item_label(it),
			    it->mig->name, it->row->checksum,
			    plan_item_sum(it));
		else if (it->state == ST_MISSING)
			buf_addf(bad, "\n%s %s: missing: applied, not in the "
			    "bundle", plan_item_label(it), plan_item_name(it));
		else
			continue;
		n++;
	}
	return n;
}

static void verify_target(void *arg, const struct target *t,
    struct fleet_report *r)
{
	struct ropts o;
	struct session s;
	struct buf bad = BUF_INIT;
	struct err err = ERR_INIT;
	size_t n;

	fleet_session(&s, &o, arg, t);
	if (!(r->code = session_open(&s, 0, &err))) {
		fleet_report_versions(r, s.plan.current, s.plan.current);
		if ((n = drift(&s, &bad)))
			r->code = err_set(&err, ERR_INTEGRITY, "drift: %zu "
			    "migration%s differ%s from the bundle", n, n == 1 ?
			    "" : "s", n == 1 ? "s" : "");
	}
	buf_release(&bad);
	session_end(&s, &err);
	fleet_report_error(r, &err);
}

static int exec_verify(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct buf b = BUF_INIT, bad = BUF_INIT;
	const char *env = getenv("DATABASE_URL");
	size_t n;
	const char *bundle = NULL;
	int go, ret;

	if ((ret = ropt_getopt(&cmd_verify_entry, verify_opts, argc, argv, &o,
	    &bundle, &go, err)) || !go)
		return ret;
	if (o.targets && o.db)
		return cmd_usage(&cmd_verify_entry, err, "give --db or "
		    "--targets, not both");
	session_init(&s, &o);
	if ((ret = session_bundle(&s, bundle, err)))
		goto out;
	if (o.targets) {
		o.fleet.keep_going = 1;	/* every target checked */
		ret = fleet_command(&o, fleet_summary_apply, verify_target, &s,
		    err);
		goto out;
	}
	buf_addf(&b, "%s: OK: %s %s, %zu migrations, %s\n%s: ", bundle,
	    s.m.name, s.m.release, s.m.nr_migrations, s.sha, bundle);
	bundle_sig_describe(&s.sig, &b);
	buf_addch(&b, '\n');
	if (!o.db && !(env && *env))
		goto print;
	if ((ret = session_open(&s, 0, err)))
		goto out;
	if ((n = drift(&s, &bad))) {
		ret = err_set(err, ERR_INTEGRITY, "%s: drift: %zu migration%s "
		    "differ%s from %s%s", s.db->display, n, n == 1 ? "" : "s",
		    n == 1 ? "s" : "", bundle, bad.data);
		goto out;
	}
	buf_addf(&b, "%s: OK: no drift, at %s\n", s.db->display,
	    s.plan.current ? s.plan.current : "no version");
print:
	ret = emit(&b, err);
out:
	buf_release(&b);
	buf_release(&bad);
	session_end(&s, err);
	return ret;
}
