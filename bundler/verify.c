#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"
#include "cmd.h"
#include "commands.h"

static int exec_verify(int argc, char **argv, struct err *err);

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.usage = "[--max-script-size N] [--max-total-size N] [--max-ratio N] "
	    "BUNDLE",
	.help =
	    "Recompute every checksum in BUNDLE and check that MANIFEST,\n"
	    "SHA256SUMS and the archive's entries agree.  Exit 0, or 3 naming\n"
	    "the first bad file (2 for a file that is not a well-formed\n"
	    "bundle).  Nothing is extracted to disk.\n\n" LIMIT_HELP,
	.exec = exec_verify,
};

static int exec_verify(int argc, char **argv, struct err *err)
{
	static const struct option opts[] = {
		LIMIT_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	struct manifest m = MANIFEST_INIT;
	struct manifest_file **files = NULL;
	char sha[CHECKSUM_HEX_LEN + 1];
	size_t n;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_verify_entry);
		if (c == '?' || c == ':' || limit_option(c, optarg, &limits))
			return cmd_bad_option(&cmd_verify_entry, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_verify_entry, err, "expected one BUNDLE");
	if ((ret = bundle_verify(argv[optind], &limits, &m, sha, err)))
		return ret;
	n = manifest_files(&m, &files);
	printf("%s: OK: %s %s, %zu migrations, %zu seeds, %zu files, "
	    "sha256:%s\n", argv[optind], m.name, m.release, m.nr_migrations,
	    m.nr_seeds, n + 2, sha);
	free(files);
	manifest_release(&m);
	return 0;
}
