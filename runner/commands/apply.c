#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "version.h"
#include "xalloc.h"

static int exec_apply(int argc, char **argv, struct err *err);

enum { OPT_TO = 'T', OPT_DRY = 'n', OPT_SINGLE = 's', OPT_OOO = 'o',
	OPT_RESUME = 'r' };

static const struct option apply_opts[] = {
	{ "to", required_argument, NULL, OPT_TO },
	{ "dry-run", no_argument, NULL, OPT_DRY },
	{ "single-transaction", no_argument, NULL, OPT_SINGLE },
	{ "allow-out-of-order", no_argument, NULL, OPT_OOO },
	{ "resume", no_argument, NULL, OPT_RESUME },
	DB_OPTIONS, LOCK_OPTIONS, DDL_OPTIONS, OUTPUT_OPTIONS,
	BUNDLE_OPTIONS,
	BACKUP_OPTIONS, FLEET_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_apply_entry = {
	.name = "apply",
	.opts = apply_opts,
	.usage = "[--db URL] [--to VERSION] [--dry-run] [--single-transaction] "
	    "[--allow-out-of-order] [--resume] [--ddl-lock-timeout SECS] "
	    "[--ddl-retries N] "
	    "[--statement-timeout SECS] [--no-backup | --backup-dir DIR] "
	    "[--keep N] [--json | --quiet] "
	    "[--targets FILE [--parallel N] [--canary K] [--keep-going]] "
	    "BUNDLE",
	.help =
	    "Verify BUNDLE, then apply its pending migrations in version order,\n"
	    "then re-apply the repeatable migrations whose script changed.\n"
	    "Each migration commits with its history row; a failing statement\n"
	    "rolls its migration back and stops the run (exit 1).  A changed\n"
	    "applied migration (drift), a pending migration below the newest\n"
	    "applied one, or a dirty database is refused before anything is\n"
	    "done (exit 3).  Before the first change, under the run lock, the\n"
	    "database is backed up (see migrun backup); a failed backup stops\n"
	    "the run (exit 1).\n\n"
	    "  --to VERSION         stop after VERSION (repeatable migrations\n"
	    "                       run only when the run reaches the newest)\n"
	    "  --dry-run            print the plan, change nothing\n"
	    "  --single-transaction one transaction for the whole run: all or\n"
	    "                       nothing\n"
	    "  --allow-out-of-order apply pending migrations below the newest\n"
	    "                       applied one\n"
	    "  --resume             go on with the dirty no-transaction migration\n"
	    "                       a stopped run left, from the first statement\n"
	    "                       its row does not record as done\n"
	    "  --json               print the result as JSON\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP DDL_HELP BACKUP_HELP BUNDLE_HELP FLEET_HELP,
	.exec = exec_apply,
};

/* What apply did, or with todo (a dry run) would do, lint's warnings on
 * each migration with them. */
static void print_result(const struct session *s,
    const struct run_step *done, size_t nr, const char *from,
    const char *to, const struct plan_item *const *todo)
{
	int dry_run = todo != NULL;
	size_t linted = 0;
	struct buf b = BUF_INIT;
	struct err ignored;
	size_t i;
	int w = 7;

	if (s->o->json) {
		run_json(&b, dry_run, from, to, done, nr, todo);
		emit(&b, &ignored);
		goto out;
	}
	if (s->o->quiet)
		goto out;
	for (i = 0; i < nr; i++)
		if (done[i].version && (int)strlen(done[i].version) > w)
			w = (int)strlen(done[i].version);
	if (nr) {
		buf_addf(&b, "%-*s  %-10s  %8s  %s\n", w, "VERSION", "KIND",
		    dry_run ? "" : "MS", "NAME");
		for (i = 0; i < nr; i++) {
			char ms[24] = "";

			if (!dry_run)
				snprintf(ms, sizeof(ms), "%lld",
				    (long long)done[i].ms);
			buf_addf(&b, "%-*s  %-10s  %8s  %s", w,
			    done[i].version ? done[i].version : "-",
			    kind_name(done[i].kind), ms, done[i].name);
			if (todo && plan_item_lint(todo[i], NULL)) {
				buf_addstr(&b, "  lint: ");
				plan_item_lint(todo[i], &b);
				linted++;
			}
			buf_addch(&b, '\n');
		}
	}
	if (linted)
		buf_addf(&b, "%zu with lint warnings: 'migpack lint BUNDLE' says "
		    "what they do and the safe way\n", linted);
	if (dry_run)
		buf_addf(&b, "dry run: %zu to apply, from %s to %s; nothing "
		    "changed\n", nr, from ? from : "an empty history",
		    to ? to : "-");
	else if (nr)
		buf_addf(&b, "applied %zu migration%s: database at %s\n", nr,
		    nr == 1 ? "" : "s", to ? to : "no version");
	else
		buf_addf(&b, "nothing to apply: database at %s\n",
		    to ? to : "no version");
	emit(&b, &ignored);
out:
	buf_release(&b);
}

/* What an apply is asked for, and what it did. */
struct apply_args {
	const char *to;
	int dry_run, single, allow_ooo, resume;
};

struct apply_done {
	const struct plan_item **todo;
	struct run_step *done;
	size_t nr_todo, nr_done;
	const char *from, *reached;
};

/* Apply (or with dry_run plan) the session's verified bundle to its
 * database. */
static int apply_one(struct session *s, const struct apply_args *a,
    struct apply_done *r, struct err *err)
{
	size_t i;
	int ret, progress;

	memset(r, 0, sizeof(*r));
	/* A bad --to is refused before the database is touched. */
	if ((ret = session_check_version(s, "--to", a->to, err)) ||
	    (ret = session_open(s, !a->dry_run, err)))
		return ret;
	r->from = s->plan.current;
	if ((!a->resume && (ret = session_refuse_dirty(s, "apply", err))) ||
	    (ret = run_select_up(s, a->to, a->allow_ooo, a->single, &r->todo,
	    &r->nr_todo, err)) ||
	    (a->resume && (ret = run_select_resume(s, a->to, r->todo,
	    &r->nr_todo, err))))
		return ret;
	r->reached = run_reached(r->from, r->todo, r->nr_todo);
	r->done = xreallocarray(NULL, r->nr_todo + 1, sizeof(*r->done));
	if (a->dry_run) {
		for (i = 0; i < r->nr_todo; i++)
			r->done[i] = (struct run_step){ r->todo[i]->mig->version,
			    r->todo[i]->mig->name, r->todo[i]->mig->kind, 0 };
		r->nr_done = r->nr_todo;
		return 0;
	}
	/* Only now, under the lock: the backup is of what is changed. */
	if (r->nr_todo && (ret = session_backup(s, err)))
		return ret;
	progress = !s->o->quiet && r->nr_todo > 1 && isatty(STDERR_FILENO);
	if ((ret = run_ups(s, r->todo, r->nr_todo, a->single, progress,
	    r->done, &r->nr_done, err)))
		run_ups_failed(s, r->from, r->todo, r->nr_todo, r->nr_done,
		    a->single, err);
	return ret;
}

/* A fleet's target, in its own process: the parent's verified bundle,
 * this target's database. */
struct apply_fleet {
	const struct session *bundle;
	const struct apply_args *a;
};

static void apply_target(void *arg, const struct target *t,
    struct fleet_report *rep)
{
	const struct apply_fleet *af = arg;
	struct ropts o;
	struct session s;
	struct apply_done r;
	struct err err = ERR_INIT;

	fleet_session(&s, &o, af->bundle, t);
	rep->code = apply_one(&s, af->a, &r, &err);
	rep->applied = r.nr_done;
	free(r.todo);
	free(r.done);
	fleet_report_end(rep, &s, r.from, r.reached, &err);
}

static int apply_fleet(struct session *s, const struct apply_args *a,
    struct err *err)
{
	struct apply_fleet af = { s, a };

	return fleet_command(s->o, fleet_summary_apply, apply_target, &af,
	    err);
}

static int exec_apply(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct apply_args a = { 0 };
	struct apply_done r = { 0 };
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", apply_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_apply_entry);
		case OPT_TO: a.to = optarg; continue;
		case OPT_DRY: a.dry_run = 1; continue;
		case OPT_SINGLE: a.single = 1; continue;
		case OPT_OOO: a.allow_ooo = 1; continue;
		case OPT_RESUME: a.resume = 1; continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_apply_entry, c, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_apply_entry, err, "expected one BUNDLE");
	if (a.to && !version_valid(a.to, strlen(a.to),
	    VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(&cmd_apply_entry, err, "--to: not a version");
	if (a.resume && a.single)
		return cmd_usage(&cmd_apply_entry, err, "--resume goes on with "
		    "a migration that runs outside a transaction: not with "
		    "--single-transaction");
	if (o.targets && o.db)
		return cmd_usage(&cmd_apply_entry, err, "give --db or "
		    "--targets, not both");
	session_init(&s, &o);
	if ((ret = session_bundle(&s, argv[optind], err)))
		goto out;
	if (o.targets) {
		ret = apply_fleet(&s, &a, err);
		goto out;
	}
	if (!(ret = apply_one(&s, &a, &r, err)))
		print_result(&s, r.done, r.nr_done, r.from, r.reached,
		    a.dry_run ? r.todo : NULL);
out:
	free(r.todo);
	free(r.done);
	session_end(&s, err);
	return ret;
}
