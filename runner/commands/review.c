/* migrun review: the plan migrun sql writes, as a page for a DBA. */
#include <getopt.h>
#include <string.h>

#include "review.h"
#include "runner.h"

static int exec_review(int argc, char **argv, struct err *err);

enum { OPT_DIALECT = 'D', OPT_FROM = 'F', OPT_TO = 'T', OPT_DOWN = 'd',
	OPT_FORMAT = 'f', OPT_STAMP = 'S', OPT_OUTPUT = 'o', OPT_PREVIOUS = 'P' };

static const struct option review_opts[] = {
	{ "dialect", required_argument, NULL, OPT_DIALECT },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "down", no_argument, NULL, OPT_DOWN },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "timestamp", no_argument, NULL, OPT_STAMP },
	{ "previous", required_argument, NULL, OPT_PREVIOUS },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	DB_OPTIONS, DDL_OPTIONS, BUNDLE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_review_entry = {
	.name = "review",
	.opts = review_opts,
	.shortopts = "o:",
	.usage = "[--db URL | --from VERSION --dialect postgres|sqlite] "
	    "[--to VERSION] [--down] [--previous OLD.tar.gz] "
	    "[--format html|md|text] [--timestamp] [-o FILE] BUNDLE",
	.help =
	    "Write a page for a DBA's sign-off of exactly what migrun apply\n"
	    "(or, with --down, migrun down) would run: the bundle and its\n"
	    "signature, the target, a summary (migrations, no-transaction\n"
	    "ones, lint findings, those without a down script, destructive\n"
	    "statements, drift, the SHA-256 of the migrun sql script for the\n"
	    "same plan), each migration's scripts with line numbers and the\n"
	    "findings at their lines, and the commands that apply it.  The\n"
	    "database is only read.  A plan refused for drift or a dirty\n"
	    "migration still gets its page, the problem at its top and no\n"
	    "script SHA-256, and then exits 3.\n\n"
	    "  --db URL             read the current version and history here\n"
	    "  --from VERSION       or: the database is at VERSION (default:\n"
	    "                       empty), with --dialect\n"
	    "  --dialect D          postgres or sqlite (default: --db's engine)\n"
	    "  --to VERSION         stop after VERSION; with --down, roll back\n"
	    "                       to VERSION or 'base'\n"
	    "  --down               the rollback instead of the upgrade\n"
	    "  --previous OLD       also what this release adds, changes and\n"
	    "                       removes of the last one, as migpack diff\n"
	    "                       says it (exit 3, after the page, when a\n"
	    "                       released migration was changed)\n"
	    "  --format F           html, md or text (default: from -o FILE's\n"
	    "                       extension, .html or .md, else text)\n"
	    "  --timestamp          say when the page was written (without it\n"
	    "                       the same inputs give the same bytes)\n"
	    "  -o, --output FILE    write FILE atomically (default: standard\n"
	    "                       output)\n"
	    "  --table NAME         the history table (default migpack_history)\n"
	    "  --ddl-lock-timeout SECS, --statement-timeout SECS\n"
	    "                       as migrun sql takes them: the script's\n"
	    "                       SHA-256 is of the script they give\n"
	    BUNDLE_HELP,
	.exec = exec_review,
};

static int take(struct review_opts *ro, int c, const char *arg,
    int *format_given)
{
	switch (c) {
	case OPT_DIALECT:
		ro->oo.dialect = !strcmp(arg, "postgres") ? DIALECT_POSTGRES :
		    !strcmp(arg, "sqlite") ? DIALECT_SQLITE : DIALECT_NR;
		return ro->oo.dialect == DIALECT_NR ? -1 : 1;
	case OPT_FORMAT:
		*format_given = 1;
		ro->format = !strcmp(arg, "html") ? REVIEW_HTML :
		    !strcmp(arg, "md") ? REVIEW_MD : REVIEW_TEXT;
		return strcmp(arg, "html") && strcmp(arg, "md") &&
		    strcmp(arg, "text") ? -1 : 1;
	case OPT_FROM: ro->oo.from = arg; return 1;
	case OPT_TO: ro->oo.to = arg; return 1;
	case OPT_DOWN: ro->oo.down = 1; return 1;
	case OPT_STAMP: ro->timestamp = 1; return 1;
	case OPT_PREVIOUS: ro->previous = arg; return 1;
	case OPT_OUTPUT: ro->oo.path = arg; return 1;
	}
	return 0;
}

static int exec_review(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct review_opts ro = { .oo = { .dialect = DIALECT_ANY,
	    .tolerate = 1 } };
	struct session s;
	int c, r, ret, format_given = 0;

	while ((c = getopt_long(argc, argv, cmd_review_entry.shortopts,
	    review_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_review_entry);
		if ((r = take(&ro, c, optarg, &format_given)) < 0)
			return cmd_usage(&cmd_review_entry, err, c ==
			    OPT_DIALECT ? "--dialect: postgres or sqlite" :
			    "--format: html, md or text");
		if (r)
			continue;
		if (c == OPT_LOCK_TIMEOUT || c == OPT_JSON || c == OPT_QUIET ||
		    ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_review_entry, c, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_review_entry, err, "expected one BUNDLE");
	if (!format_given)
		ro.format = review_format_of(ro.oo.path);
	if ((ret = offline_opts_check(&cmd_review_entry, &ro.oo, &o, err)))
		return ret;
	ro.bundle = argv[optind];
	session_init(&s, &o);
	ret = review_write(&s, &ro, err);
	session_end(&s, err);
	return ret;
}
