#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bundle.h"
#include "cmd.h"
#include "commands.h"
#include "signature.h"

static int exec_verify(int argc, char **argv, struct err *err);

static const struct option verify_opts[] = {
	{ "trust", required_argument, NULL, 't' },
	LIMIT_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.opts = verify_opts,
	.usage = "[--trust PUBFILE]... [--max-script-size N] "
	    "[--max-total-size N] [--max-ratio N] BUNDLE",
	.help =
	    "Recompute every checksum in BUNDLE and check that MANIFEST,\n"
	    "SHA256SUMS and the archive's entries agree, and say whether it is\n"
	    "signed and by which key.  Exit 0, or 3 naming the first bad file\n"
	    "or a bad signature (2 for a file that is not a well-formed\n"
	    "bundle).  Nothing is extracted to disk.\n\n"
	    "  --trust PUBFILE      check the signature with this minisign\n"
	    "                       public key (repeatable): exit 3 unless\n"
	    "                       one of them signed the bundle\n"
	    LIMIT_HELP,
	.exec = exec_verify,
};

static int exec_verify(int argc, char **argv, struct err *err)
{
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	struct manifest m = MANIFEST_INIT;
	struct manifest_file **files = NULL;
	struct trust t = TRUST_INIT;
	struct bundle_sig sig;
	struct buf said = BUF_INIT;
	char sha[CHECKSUM_HEX_LEN + 1];
	size_t n;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", verify_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_verify_entry);
		if (c == 't') {
			if (!ret)
				ret = trust_add_file(&t, optarg, err);
		} else if (c == '?' || c == ':' ||
		    limit_option(c, optarg, &limits)) {
			trust_release(&t);
			return cmd_bad_option(&cmd_verify_entry, argc, argv, err);
		}
	}
	if (!ret && optind != argc - 1)
		ret = cmd_usage(&cmd_verify_entry, err, "expected one BUNDLE");
	if (ret || (ret = bundle_verify_signed(argv[optind], &limits, &t, &sig,
	    &m, sha, err)))
		goto out;
	n = manifest_files(&m, &files);
	bundle_sig_describe(&sig, &said);
	printf("%s: OK: %s %s, %zu migrations, %zu seeds, %zu files, "
	    "sha256:%s\n%s: %s\n", argv[optind], m.name, m.release,
	    m.nr_migrations, m.nr_seeds, n + 2, sha, argv[optind], said.data);
	free(files);
out:
	manifest_release(&m);
	trust_release(&t);
	buf_release(&said);
	return ret;
}
