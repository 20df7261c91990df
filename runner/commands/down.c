#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "version.h"
#include "xalloc.h"

static int exec_down(int argc, char **argv, struct err *err);

enum { OPT_TO = 'T', OPT_STEPS = 'S', OPT_YES = 'y', OPT_DRY = 'n' };

static const struct option down_opts[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ "steps", required_argument, NULL, OPT_STEPS },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	DB_OPTIONS, LOCK_OPTIONS, DDL_OPTIONS, OUTPUT_OPTIONS,
	BUNDLE_OPTIONS,
	BACKUP_OPTIONS, FLEET_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_down_entry = {
	.name = "down",
	.opts = down_opts,
	.usage = "[--db URL] (--to VERSION | --to base --yes | --steps N) "
	    "[--dry-run] [--ddl-lock-timeout SECS] [--ddl-retries N] "
	    "[--statement-timeout SECS] [--no-backup | --backup-dir DIR] "
	    "[--keep N] [--json | --quiet] "
	    "[--targets FILE [--parallel N] [--canary K] [--keep-going]] "
	    "[BUNDLE]",
	.help =
	    "Roll back the newest applied migrations, newest first, with the\n"
	    "down scripts the history table stored when they were applied; a\n"
	    "failing statement stops the rollback (exit 1).  If any migration\n"
	    "in the range has no down script, nothing is rolled back (exit 2).\n"
	    "With BUNDLE, the bundle's down scripts must be the stored ones\n"
	    "(exit 3 otherwise).  Repeatable migrations are not rolled back.\n"
	    "The database is backed up first, as by apply.\n\n"
	    "  --to VERSION         roll back everything above VERSION, which\n"
	    "                       must be applied\n"
	    "  --to base --yes      roll back every versioned migration\n"
	    "  --steps N            roll back the N newest migrations\n"
	    "  --dry-run            print what would be rolled back\n"
	    "  --json               print the result as JSON, as apply does\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP DDL_HELP BACKUP_HELP BUNDLE_HELP FLEET_HELP,
	.exec = exec_down,
};

static void print_result(const struct session *s,
    const struct run_step *steps, size_t nr, const char *from,
    const char *to, int dry_run)
{
	struct buf b = BUF_INIT;
	struct err ignored;
	size_t i;

	if (s->o->json) {
		run_json(&b, dry_run, from, to, steps, nr, NULL);
	} else if (!s->o->quiet) {
		for (i = 0; i < nr; i++) {
			buf_addf(&b, "%s %s %s", dry_run ? "would roll back" :
			    "rolled back", steps[i].version, steps[i].name);
			if (!dry_run)
				buf_addf(&b, " (%lld ms)",
				    (long long)steps[i].ms);
			buf_addch(&b, '\n');
		}
		buf_addf(&b, "%s: database at %s\n", dry_run ? "dry run" :
		    nr ? "done" : "nothing to roll back", to ? to : "base");
	}
	emit(&b, &ignored);
	buf_release(&b);
}

/* What a rollback is asked for, and what it did. */
struct down_args {
	const char *to;
	long steps;
	int dry_run;
};

struct down_done {
	struct hist_row **rows;
	struct run_step *done;
	size_t pick, nr_done;
	const char *newest, *target;
};

/* Roll the session's database back (or with dry_run, say what would
 * be); a bundle, when loaded, must agree with the stored scripts. */
static int down_one(struct session *s, const struct down_args *a,
    struct down_done *r, struct err *err)
{
	size_t i;
	int ret, progress;

	memset(r, 0, sizeof(*r));
	if ((ret = session_open(s, !a->dry_run, err)))
		return ret;
	r->newest = s->plan.current ? s->plan.current :
	    history_current(&s->h);
	if ((ret = session_refuse_dirty(s, "down", err)) ||
	    (ret = run_select_down(s, a->to, a->steps, &r->rows, &r->pick,
	    err)))
		return ret;
	r->target = r->rows[r->pick] ? r->rows[r->pick]->version : NULL;
	r->newest = r->rows[0] ? r->rows[0]->version : NULL;
	r->done = xcalloc(r->pick + 1, sizeof(*r->done));
	if (a->dry_run) {
		for (i = 0; i < r->pick; i++)
			r->done[i] = (struct run_step){ r->rows[i]->version,
			    r->rows[i]->name, KIND_VERSIONED, 0 };
		r->nr_done = r->pick;
		return 0;
	}
	/* Only now, under the lock: the backup is of what is changed. */
	if (r->pick && (ret = session_backup(s, err)))
		return ret;
	progress = !s->o->quiet && r->pick > 1 && isatty(STDERR_FILENO);
	if ((ret = run_downs(s, r->rows, r->pick, progress, r->done,
	    &r->nr_done, err))) {
		const struct hist_row *row = r->rows[r->nr_done];
		struct history now = HISTORY_INIT;
		int dirty = row->down_tx == TX_NONE;
		/* Marked dirty, it is no longer applied: the one below is. */
		const char *at = session_now(s, &now, !dirty ? row->version :
		    r->rows[r->nr_done + 1] ? r->rows[r->nr_done + 1]->version :
		    NULL);

		err_append(err, "\nrolling back %s %s failed%s; the database "
		    "is at %s (%zu rolled back by this run)", row->version,
		    row->name, dirty ? " outside a transaction: it is marked "
		    "dirty until fixed by hand and 'migrun repair'" :
		    " and was undone", at ? at : "no version", r->nr_done);
		history_release(&now);
	}
	return ret;
}

struct down_fleet {
	const struct session *bundle;	/* NULL fields when none given */
	const struct down_args *a;
};

static void down_target(void *arg, const struct target *t,
    struct fleet_report *rep)
{
	const struct down_fleet *df = arg;
	struct ropts o;
	struct session s;
	struct down_done r;
	struct err err = ERR_INIT;

	fleet_session(&s, &o, df->bundle, t);
	rep->code = down_one(&s, df->a, &r, &err);
	rep->applied = r.nr_done;
	free(r.rows);
	free(r.done);
	fleet_report_end(rep, &s, r.newest, r.target ? r.target : "", &err);
}

static int exec_down(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct down_args a = { NULL, 0, 0 };
	struct down_done r = { 0 };
	struct down_fleet df = { &s, &a };
	char *end;
	int yes = 0, c, ret = 0;

	while ((c = getopt_long(argc, argv, "", down_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_down_entry);
		case OPT_TO: a.to = optarg; continue;
		case OPT_YES: yes = 1; continue;
		case OPT_DRY: a.dry_run = 1; continue;
		case OPT_STEPS:
			a.steps = strtol(optarg, &end, 10);
			if (end == optarg || *end || a.steps < 1)
				return cmd_usage(&cmd_down_entry, err,
				    "--steps: not a positive number");
			continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_down_entry, c, argc, argv, err);
	}
	if (optind < argc - 1)
		return cmd_usage(&cmd_down_entry, err, "at most one BUNDLE");
	if (!a.to == !a.steps)
		return cmd_usage(&cmd_down_entry, err,
		    "give one of --to VERSION and --steps N");
	if (a.to && strcmp(a.to, "base") &&
	    !version_valid(a.to, strlen(a.to), VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(&cmd_down_entry, err,
		    "--to: not a version or 'base'");
	if (a.to && !strcmp(a.to, "base") && !yes && !a.dry_run)
		return cmd_usage(&cmd_down_entry, err, "--to base rolls back "
		    "every migration: confirm with --yes");
	if (o.targets && o.db)
		return cmd_usage(&cmd_down_entry, err, "give --db or "
		    "--targets, not both");

	session_init(&s, &o);
	if (optind < argc && (ret = session_bundle(&s, argv[optind], err)))
		goto out;
	if (o.targets) {
		ret = fleet_command(&o, fleet_summary_apply, down_target, &df,
		    err);
		goto out;
	}
	if (!(ret = down_one(&s, &a, &r, err)))
		print_result(&s, r.done, r.nr_done, r.newest, r.target,
		    a.dry_run);
out:
	free(r.rows);
	free(r.done);
	session_end(&s, err);
	return ret;
}
