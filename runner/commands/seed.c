/* migrun seed: a bundle's seed profile loaded in one transaction. */
#include <getopt.h>
#include <string.h>

#include "runner.h"
#include "seeds.h"

static int exec_seed(int argc, char **argv, struct err *err);

enum { OPT_PROFILE = 'p', OPT_CLEAR = 'c', OPT_YES = 'y',
	OPT_PROGRESS = 'P', OPT_SEEDS_TABLE = 'S' };

static const struct option seed_opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "clear", no_argument, NULL, OPT_CLEAR },
	{ "yes", no_argument, NULL, OPT_YES },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "seeds-table", required_argument, NULL, OPT_SEEDS_TABLE },
	DB_OPTIONS, LOCK_OPTIONS, BUNDLE_OPTIONS,
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_seed_entry = {
	.name = "seed",
	.opts = seed_opts,
	.usage = "[--db URL] [--profile NAME] [--clear --yes] [--progress] "
	    "[--quiet] BUNDLE",
	.help =
	    "Load one seed profile of BUNDLE (seeds/<profile>/: .sql scripts,\n"
	    "and .csv files named after their table, with a header row naming\n"
	    "the columns), its files in name order, in one transaction: all or\n"
	    "nothing.  An unquoted empty CSV field is NULL, \"\" an empty\n"
	    "string.  Each file loaded is recorded with its checksum in the\n"
	    "seeds table; loading the profile again skips the files that did\n"
	    "not change, and refuses one that did (exit 3) unless --clear.\n"
	    "The database must have the bundle's migrations applied (exit 3).\n"
	    "The bundle is read once, each file checked as it streams in: a\n"
	    "damaged bundle rolls everything back (exit 3).\n\n"
	    "  --profile NAME       the profile (default 'default', else the\n"
	    "                       bundle's only one)\n"
	    "  --clear --yes        delete the rows of the profile's CSV tables\n"
	    "                       (last file first), then load every file\n"
	    "                       again, .sql scripts included\n"
	    "  --progress           report progress on stderr even when it is\n"
	    "                       not a terminal (on one: after a second)\n"
	    "  --seeds-table NAME   the seeds table (default migpack_seeds, in\n"
	    "                       the history table's schema)\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP BUNDLE_HELP,
	.exec = exec_seed,
};

static int exec_seed(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct seed_opts so = { 0 };
	struct session s;
	struct buf out = BUF_INIT;
	int yes = 0, c, ret;

	while ((c = getopt_long(argc, argv, "", seed_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_seed_entry);
		case OPT_PROFILE: so.profile = optarg; continue;
		case OPT_CLEAR: so.clear = 1; continue;
		case OPT_YES: yes = 1; continue;
		case OPT_PROGRESS: so.progress = 2; continue;
		case OPT_SEEDS_TABLE: so.table = optarg; continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_seed_entry, c, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_seed_entry, err, "expected one BUNDLE");
	if (so.clear && !yes)
		return cmd_usage(&cmd_seed_entry, err, "--clear deletes every "
		    "row of the profile's CSV tables: confirm with --yes");
	session_init(&s, &o);
	s.must_exist = 1;
	ret = seeds_load(&s, argv[optind], &so, &out, err);
	if (!ret && !o.quiet)
		ret = emit(&out, err);
	buf_release(&out);
	session_end(&s, err);
	return ret;
}
