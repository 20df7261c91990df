/* migpack sign: sign a bundle that exists, its content entries unchanged. */
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "bundle.h"
#include "cmd.h"
#include "commands.h"
#include "xalloc.h"

static int exec_sign(int argc, char **argv, struct err *err);

static const struct option sign_opts[] = {
	{ "key", required_argument, NULL, 'k' },
	{ "detached", no_argument, NULL, 'd' },
	LIMIT_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_sign_entry = {
	.name = "sign",
	.opts = sign_opts,
	.usage = "--key SECFILE [--detached] BUNDLE",
	.help =
	    "Sign BUNDLE with a minisign secret key: rewrite it, atomically,\n"
	    "with SHA256SUMS.minisig (the signature of SHA256SUMS, which\n"
	    "covers every file) after SHA256SUMS; every other entry stays as\n"
	    "it is, and a signature it had is replaced.  The bundle is checked\n"
	    "whole as it is copied: a damaged one is left as it was (exit 3).\n"
	    "Prints the bundle's path and its new SHA-256, as build does.\n\n"
	    "  --key SECFILE        the secret key (migpack keygen's or\n"
	    "                       minisign -G's); its password from\n"
	    "                       $MIGPACK_PASSWORD, else asked on the\n"
	    "                       terminal\n"
	    "  --detached           also write BUNDLE.minisig, a signature of\n"
	    "                       the whole file, for 'minisign -Vm BUNDLE'\n"
	    LIMIT_HELP "\n"
	    "The trusted comment names the bundle and release, and the time\n"
	    "only when SOURCE_DATE_EPOCH is set: the same bundle and key give\n"
	    "the same bytes.\n",
	.exec = exec_sign,
};

static int copy_text(struct bundle_writer *w, const char *name,
    const struct buf *b, struct err *err)
{
	return bundle_writer_add(w, name, b->data, b->len, err);
}

/* Rewrite path with the signature of its SHA256SUMS by sk; on failure
 * the bundle is as it was. */
static int resign(const char *path, const struct bundle_limits *limits,
    const struct minisign_seckey *sk, struct manifest *m,
    char sha[CHECKSUM_HEX_LEN + 1], char *had, struct err *err)
{
	struct bundle_reader *r = NULL;
	struct bundle_writer *w = NULL;
	const struct manifest_file *f;
	const struct buf *old;
	struct buf sig = BUF_INIT;
	struct minisign_sig s;
	char block[65536];
	size_t n;
	int ret;

	if ((ret = bundle_reader_open(&r, path, limits, err)))
		return ret;
	old = bundle_reader_head(r, BUNDLE_SIG);
	had[0] = '\0';
	if (old->len && !minisign_sig_parse(&s, old->data, old->len, path,
	    NULL))
		minisign_keyid_hex(s.keyid, had);
	sign_sums(sk, bundle_reader_manifest(r), bundle_reader_head(r,
	    BUNDLE_SUMS), &sig);
	if ((ret = bundle_writer_open(&w, path, bundle_reader_mtime(r), err)) ||
	    (ret = copy_text(w, MANIFEST_NAME, bundle_reader_head(r,
	    BUNDLE_MANIFEST), err)) ||
	    (ret = copy_text(w, SUMS_NAME, bundle_reader_head(r, BUNDLE_SUMS),
	    err)) || (ret = copy_text(w, SIG_NAME, &sig, err)))
		goto out;
	while (!(ret = bundle_reader_next(r, &f, err)) && f) {
		if ((ret = bundle_writer_entry(w, f->path,
		    bundle_reader_size(r), err)))
			goto out;
		while (!(ret = bundle_reader_read(r, block, sizeof(block), &n,
		    err)) && n)
			if ((ret = bundle_writer_data(w, block, n, err)))
				goto out;
		if (ret)
			goto out;
	}
	if (ret)
		goto out;
	bundle_reader_take_manifest(r, m);
	ret = bundle_writer_commit(w, sha, err);
	w = NULL;
out:
	bundle_writer_abort(w);
	bundle_reader_close(r);
	buf_release(&sig);
	return ret;
}

static int exec_sign(int argc, char **argv, struct err *err)
{
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	struct manifest m = MANIFEST_INIT;
	struct sign_args sg = { 0 };
	char sha[CHECKSUM_HEX_LEN + 1], had[17], *where;
	const char *path;
	int c, ret;

	while ((c = getopt_long(argc, argv, "", sign_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_sign_entry);
		if (c == 'k')
			sg.key = optarg;
		else if (c == 'd')
			sg.detached = 1;
		else if (c == '?' || c == ':' ||
		    limit_option(c, optarg, &limits))
			return cmd_bad_option(&cmd_sign_entry, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_sign_entry, err, "expected one BUNDLE");
	if (!sg.key)
		return cmd_usage(&cmd_sign_entry, err, "--key SECFILE is "
		    "needed");
	path = argv[optind];
	if ((ret = sign_args_load(&sg, err)))
		goto out;
	where = xstrdup(path);
	cmd_swept(afile_sweep_for(path), dirname(where));
	free(where);
	if ((ret = resign(path, &limits, &sg.sk, &m, sha, had, err)) ||
	    (ret = sign_args_detached(&sg, &m, path, err)))
		goto out;
	printf("%s sha256:%s\n", path, sha);
	if (had[0])
		fprintf(stderr, "%s: %s: its signature by key %s replaced\n",
		    cmd_progname, path, had);
	sign_args_print(&sg, path);
out:
	manifest_release(&m);
	sign_args_release(&sg);
	return ret;
}
