/* migrun backup: one gzip backup of the database, and retention. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "runner.h"

static int exec_backup(int argc, char **argv, struct err *err);

static const struct option backup_opts[] = {
	{ "dir", required_argument, NULL, OPT_BACKUP_DIR },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "pg-dump", required_argument, NULL, OPT_PG_DUMP },
	DB_OPTIONS, LOCK_OPTIONS,
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "json", no_argument, NULL, OPT_JSON },
	FLEET_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.opts = backup_opts,
	.usage = "[--db URL | --targets FILE [--parallel N] [--canary K] "
	    "[--keep-going] [--json]] [--dir DIR] [--keep N] [--pg-dump PATH] "
	    "[--quiet]",
	.help =
	    "Write one gzip-compressed backup of the database to\n"
	    "DIR/<database>-<UTC yyyymmddTHHMMSSZ>-<version>.<db|sql>.gz\n"
	    "(a counter after the version when the name is taken), then remove\n"
	    "that database's backups beyond the newest N; no other file is\n"
	    "touched.  SQLite: a consistent copy through the online backup\n"
	    "API.  PostgreSQL: pg_dump --clean --if-exists, connected as\n"
	    "migrun is, the password passed in its environment.  The file is\n"
	    "written under a temporary name and renamed once complete.\n"
	    "Prints the backup's path.\n\n"
	    "  --dir DIR            where backups go (default ./backups)\n"
	    "  --keep N             keep the newest N (default 10; 0 keeps all)\n"
	    "  --pg-dump PATH       the pg_dump to run (default: from PATH)\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP FLEET_HELP
	    "                       (each target's backups in DIR/LABEL/)\n"
	    "  --json               with --targets, the report as JSON\n",
	.exec = exec_backup,
};

/* Back the session's database up: its path in *path. */
static int backup_one(struct session *s, char **path, struct err *err)
{
	int ret;

	s->must_exist = 1;
	/* The run lock: no migrun changes the database meanwhile. */
	if ((ret = session_open(s, 1, err)))
		return ret;
	return session_take_backup(s, path, err);
}

static void backup_target(void *arg, const struct target *t,
    struct fleet_report *r)
{
	struct ropts o = *(const struct ropts *)arg;
	struct session s;
	struct err err = ERR_INIT;
	char *path = NULL;

	fleet_target_opts(&o, t);
	session_init(&s, &o);
	s.doing = fleet_doing;
	if (!(r->code = backup_one(&s, &path, &err))) {
		fleet_report_versions(r, history_current(&s.h),
		    history_current(&s.h));
		snprintf(r->note, sizeof(r->note), "%s", path);
	}
	free(path);
	session_end(&s, &err);
	fleet_report_error(r, &err);
}

static int exec_backup(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	char *path = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", backup_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_backup_entry);
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_backup_entry, c, argc, argv,
			    err);
	}
	if (optind != argc)
		return cmd_usage(&cmd_backup_entry, err, "no operands expected");
	if (o.targets && o.db)
		return cmd_usage(&cmd_backup_entry, err, "give --db or "
		    "--targets, not both");
	if (o.targets)
		return fleet_command(&o, fleet_summary_apply, backup_target,
		    &o, err);
	session_init(&s, &o);
	if ((ret = backup_one(&s, &path, err)))
		goto out;
	if (!o.quiet)
		printf("%s\n", path);
out:
	free(path);
	session_end(&s, err);
	return ret;
}
