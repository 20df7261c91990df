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
	BACKUP_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_down_entry = {
	.name = "down",
	.opts = down_opts,
	.usage = "[--db URL] (--to VERSION | --to base --yes | --steps N) "
	    "[--dry-run] [--ddl-lock-timeout SECS] [--ddl-retries N] "
	    "[--statement-timeout SECS] [--no-backup | --backup-dir DIR] "
	    "[--keep N] [--json | --quiet] [BUNDLE]",
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
	    DB_HELP LOCK_HELP DDL_HELP BACKUP_HELP BUNDLE_HELP,
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

static int exec_down(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct hist_row **rows = NULL;
	struct run_step *done = NULL;
	const char *to = NULL, *target, *newest;
	char *end;
	long steps = 0;
	int yes = 0, dry_run = 0, c, ret = 0, progress;
	size_t i, pick = 0, nr_done = 0;

	while ((c = getopt_long(argc, argv, "", down_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_down_entry);
		case OPT_TO: to = optarg; continue;
		case OPT_YES: yes = 1; continue;
		case OPT_DRY: dry_run = 1; continue;
		case OPT_STEPS:
			steps = strtol(optarg, &end, 10);
			if (end == optarg || *end || steps < 1)
				return cmd_usage(&cmd_down_entry, err,
				    "--steps: not a positive number");
			continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_down_entry, c, argc, argv, err);
	}
	if (optind < argc - 1)
		return cmd_usage(&cmd_down_entry, err, "at most one BUNDLE");
	if (!to == !steps)
		return cmd_usage(&cmd_down_entry, err,
		    "give one of --to VERSION and --steps N");
	if (to && strcmp(to, "base") &&
	    !version_valid(to, strlen(to), VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(&cmd_down_entry, err,
		    "--to: not a version or 'base'");
	if (to && !strcmp(to, "base") && !yes && !dry_run)
		return cmd_usage(&cmd_down_entry, err, "--to base rolls back "
		    "every migration: confirm with --yes");

	session_init(&s, &o);
	if ((optind < argc && (ret = session_bundle(&s, argv[optind], err))) ||
	    (ret = session_open(&s, !dry_run, err)) ||
	    (ret = session_refuse_dirty(&s, "down", err)) ||
	    (ret = run_select_down(&s, to, steps, &rows, &pick, err)))
		goto out;
	target = rows[pick] ? rows[pick]->version : NULL;
	newest = rows[0] ? rows[0]->version : NULL;
	done = xcalloc(pick + 1, sizeof(*done));
	if (dry_run) {
		for (i = 0; i < pick; i++)
			done[i] = (struct run_step){ rows[i]->version,
			    rows[i]->name, KIND_VERSIONED, 0 };
		print_result(&s, done, pick, newest, target, 1);
		goto out;
	}
	/* Only now, under the lock: the backup is of what is changed. */
	if (pick && (ret = session_backup(&s, err)))
		goto out;
	progress = !o.quiet && pick > 1 && isatty(STDERR_FILENO);
	if ((ret = run_downs(&s, rows, pick, progress, done, &nr_done,
	    err))) {
		const struct hist_row *r = rows[nr_done];
		struct history now = HISTORY_INIT;
		int dirty = r->down_tx == TX_NONE;
		/* Marked dirty, it is no longer applied: the one below is. */
		const char *at = session_now(&s, &now, !dirty ? r->version :
		    rows[nr_done + 1] ? rows[nr_done + 1]->version : NULL);

		err_append(err, "\nrolling back %s %s failed%s; the database "
		    "is at %s (%zu rolled back by this run)", r->version,
		    r->name, dirty ? " outside a transaction: it is marked "
		    "dirty until fixed by hand and 'migrun repair'" :
		    " and was undone", at ? at : "no version", nr_done);
		history_release(&now);
		goto out;
	}
	print_result(&s, done, pick, newest, target, 0);
out:
	free(rows);
	free(done);
	session_end(&s, err);
	return ret;
}
