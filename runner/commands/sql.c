/* migrun sql: a bundle as one SQL script for a DBA to review and run. */
#include <getopt.h>
#include <string.h>

#include "offline.h"
#include "runner.h"

static int exec_sql(int argc, char **argv, struct err *err);

enum { OPT_DIALECT = 'D', OPT_FROM = 'F', OPT_TO = 'T', OPT_DOWN = 'd',
	OPT_SINGLE = 's', OPT_OOO = 'O', OPT_OUTPUT = 'o' };

static const struct option sql_opts[] = {
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "down", no_argument, NULL, OPT_DOWN },
	{ "single-transaction", no_argument, NULL, OPT_SINGLE },
	{ "allow-out-of-order", no_argument, NULL, OPT_OOO },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	DB_OPTIONS, DDL_OPTIONS, BUNDLE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_sql_entry = {
	.name = "sql",
	.opts = sql_opts,
	.shortopts = "o:",
	.usage = "--dialect postgres|sqlite [--from VERSION | --db URL] "
	    "[--to VERSION] [--down] [--single-transaction] "
	    "[--ddl-lock-timeout SECS] [--statement-timeout SECS] [-o FILE] "
	    "BUNDLE",
	.help =
	    "Write the SQL that migrun apply (or down) would run as one script\n"
	    "for psql or sqlite3: each migration in its own transaction with\n"
	    "its history row, after a guard that stops the script unless the\n"
	    "database is at the version it starts from.  The same bundle and\n"
	    "arguments give the same bytes.\n\n"
	    "  --dialect D          postgres or sqlite (default: --db's engine)\n"
	    "  --from VERSION       the database is at VERSION, as migrun apply\n"
	    "                       --to VERSION leaves it (default: empty)\n"
	    "  --db URL             read the current version and history from\n"
	    "                       this database, changing nothing\n"
	    "  --to VERSION         stop after VERSION (default: the newest);\n"
	    "                       with --down, roll back to VERSION or 'base'\n"
	    "  --down               roll back with the bundle's down scripts\n"
	    "  --single-transaction one transaction for the whole script\n"
	    "  --allow-out-of-order apply pending migrations below the newest\n"
	    "                       applied one (with --db)\n"
	    "  -o, --output FILE    write FILE atomically (FILE.gz: gzip)\n"
	    "  --table NAME         the history table (default migpack_history)\n"
	    "  --ddl-lock-timeout SECS, --statement-timeout SECS\n"
	    "                       PostgreSQL: the limits the script sets on\n"
	    "                       each migration's statements, as migrun apply\n"
	    "                       does (default 5, and the server's); it\n"
	    "                       stops at a statement that waits longer\n"
	    BUNDLE_HELP,
	.exec = exec_sql,
};

static int exec_sql(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct offline_opts oo = { .dialect = DIALECT_ANY };
	struct session s;
	int c, ret;

	while ((c = getopt_long(argc, argv, cmd_sql_entry.shortopts,
	    sql_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_sql_entry);
		case OPT_DIALECT:
			if (!strcmp(optarg, "postgres"))
				oo.dialect = DIALECT_POSTGRES;
			else if (!strcmp(optarg, "sqlite"))
				oo.dialect = DIALECT_SQLITE;
			else
				return cmd_usage(&cmd_sql_entry, err,
				    "--dialect: postgres or sqlite");
			continue;
		case OPT_FROM: oo.from = optarg; continue;
		case OPT_TO: oo.to = optarg; continue;
		case OPT_DOWN: oo.down = 1; continue;
		case OPT_SINGLE: oo.single = 1; continue;
		case OPT_OOO: oo.allow_ooo = 1; continue;
		case OPT_OUTPUT: oo.path = optarg; continue;
		}
		if (c == OPT_LOCK_TIMEOUT || c == OPT_JSON || c == OPT_QUIET ||
		    ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_sql_entry, c, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_sql_entry, err, "expected one BUNDLE");
	if ((ret = offline_opts_check(&cmd_sql_entry, &oo, &o, err)))
		return ret;
	if (oo.down && oo.single)
		return cmd_usage(&cmd_sql_entry, err, "--single-transaction "
		    "is for upgrades: each rollback commits on its own");
	session_init(&s, &o);
	ret = offline_write(&s, argv[optind], &oo, err);
	session_end(&s, err);
	return ret;
}
