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
	BACKUP_OPTIONS,
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
	    "[--keep N] [--json | --quiet] BUNDLE",
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
	    DB_HELP LOCK_HELP DDL_HELP BACKUP_HELP BUNDLE_HELP,
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

static int exec_apply(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	const struct plan_item **todo = NULL;
	struct run_step *done = NULL;
	const char *to = NULL, *from, *reached;
	int dry_run = 0, single = 0, allow_ooo = 0, resume = 0, progress;
	size_t i, nr_todo = 0, nr_done = 0;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", apply_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_apply_entry);
		case OPT_TO: to = optarg; continue;
		case OPT_DRY: dry_run = 1; continue;
		case OPT_SINGLE: single = 1; continue;
		case OPT_OOO: allow_ooo = 1; continue;
		case OPT_RESUME: resume = 1; continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_apply_entry, c, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_apply_entry, err, "expected one BUNDLE");
	if (to && !version_valid(to, strlen(to), VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(&cmd_apply_entry, err, "--to: not a version");
	if (resume && single)
		return cmd_usage(&cmd_apply_entry, err, "--resume goes on with "
		    "a migration that runs outside a transaction: not with "
		    "--single-transaction");
	session_init(&s, &o);

	/* A bad --to is refused before the database is touched. */
	if ((ret = session_bundle(&s, argv[optind], err)) ||
	    (ret = session_check_version(&s, "--to", to, err)) ||
	    (ret = session_open(&s, !dry_run, err)) ||
	    (!resume && (ret = session_refuse_dirty(&s, "apply", err))) ||
	    (ret = run_select_up(&s, to, allow_ooo, single, &todo, &nr_todo,
	    err)) ||
	    (resume && (ret = run_select_resume(&s, to, todo, &nr_todo, err))))
		goto out;

	from = s.plan.current;
	reached = run_reached(from, todo, nr_todo);
	done = xreallocarray(NULL, nr_todo + 1, sizeof(*done));
	if (dry_run) {
		for (i = 0; i < nr_todo; i++)
			done[i] = (struct run_step){ todo[i]->mig->version,
			    todo[i]->mig->name, todo[i]->mig->kind, 0 };
		print_result(&s, done, nr_todo, from, reached, todo);
		goto out;
	}
	/* Only now, under the lock: the backup is of what is changed. */
	if (nr_todo && (ret = session_backup(&s, err)))
		goto out;
	progress = !o.quiet && nr_todo > 1 && isatty(STDERR_FILENO);
	if ((ret = run_ups(&s, todo, nr_todo, single, progress, done,
	    &nr_done, err))) {
		run_ups_failed(&s, from, todo, nr_todo, nr_done, single, err);
		goto out;
	}
	print_result(&s, done, nr_done, from, reached, NULL);
out:
	free(todo);
	free(done);
	session_end(&s, err);
	return ret;
}
