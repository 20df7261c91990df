/* migrun restore: a backup put back in place of the database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "runner.h"

static int exec_restore(int argc, char **argv, struct err *err);

enum { OPT_YES = 'y', OPT_PSQL = 'P' };

static const struct option restore_opts[] = {
	{ "yes", no_argument, NULL, OPT_YES },
	{ "psql", required_argument, NULL, OPT_PSQL },
	DB_OPTIONS, LOCK_OPTIONS, BACKUP_OPTIONS,
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_restore_entry = {
	.name = "restore",
	.opts = restore_opts,
	.usage = "[--db URL] [--no-backup | --backup-dir DIR] [--keep N] "
	    "[--psql PATH] --yes FILE",
	.help =
	    "Replace the database's contents with backup FILE (made by migrun\n"
	    "backup, apply or down), all or nothing.  SQLite: FILE is\n"
	    "decompressed to a temporary file, checked with PRAGMA\n"
	    "integrity_check, and copied over the database with the online\n"
	    "backup API.  PostgreSQL: FILE is streamed into psql -X -v\n"
	    "ON_ERROR_STOP=1 --single-transaction; it drops and recreates\n"
	    "what it holds, and leaves objects created since as they are.\n"
	    "The database as it is now is backed up first.  Without --yes\n"
	    "nothing is done (exit 2).\n\n"
	    "  --yes                confirm: the database is overwritten\n"
	    "  --psql PATH          the psql to run (default: from PATH)\n"
	    BACKUP_HELP DB_HELP LOCK_HELP,
	.exec = exec_restore,
};

static int exec_restore(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct backup_io io = { NULL, NULL, NULL, NULL };
	const char *file, *was;
	struct stat st;
	int c, ret, yes = 0;

	while ((c = getopt_long(argc, argv, "", restore_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_restore_entry);
		case OPT_YES: yes = 1; continue;
		case OPT_PSQL: io.tool = optarg; continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_restore_entry, c, argc, argv,
			    err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_restore_entry, err, "expected one FILE");
	file = argv[optind];
	if (stat(file, &st) < 0)
		return err_errno(err, ERR_INPUT, "'%s'", file);
	if (!S_ISREG(st.st_mode))
		return err_set(err, ERR_INPUT, "'%s': not a file", file);

	session_init(&s, &o);
	if ((ret = session_open(&s, 1, err)))
		goto out;
	if (!backup_ext_ok(s.db, file)) {
		ret = err_set(err, ERR_INPUT, "'%s': not a %s backup (a name "
		    "ending in .%s.gz)", file, s.db->drv->name,
		    s.db->drv->backup_ext);
		goto out;
	}
	was = history_current(&s.h);
	if (!yes) {
		ret = err_set(err, ERR_INPUT, "restore would overwrite %s "
		    "(%s, %zu history rows) with '%s': confirm with --yes",
		    s.db->display, was ? was : s.h.exists ? "no version" :
		    "no migpack history", s.h.nr, file);
		goto out;
	}
	if ((ret = session_backup(&s, err)))
		goto out;
	if ((ret = s.db->drv->restore(s.db, file, &io, err))) {
		/* All or nothing: nothing. */
		err_append(err, "\nthe restore stopped, so nothing of it was "
		    "kept: the database is as it was");
		goto out;
	}
	if ((ret = s.db->drv->history_read(s.db, &s.h, err)))
		goto out;
	if (!o.quiet) {
		was = history_current(&s.h);
		printf("restored %s from '%s': database at %s\n",
		    s.db->display, file, was ? was : "no version");
	}
out:
	session_end(&s, err);
	return ret;
}
