#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "afile.h"
#include "buf.h"
#include "bundle.h"
#include "cmd.h"
#include "commands.h"
#include "layout.h"
#include "linter.h"
#include "release.h"
#include "text.h"
#include "xalloc.h"

static int exec_build(int argc, char **argv, struct err *err);

static const struct option build_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "name", required_argument, NULL, 'n' },
	{ "version", required_argument, NULL, 'v' },
	{ "engines", required_argument, NULL, 'e' },
	SCAN_OPTIONS,
	{ "previous", required_argument, NULL, 'P' },
	{ "allow-out-of-order", no_argument, NULL, 'O' },
	LINT_OPTIONS,
	SIGN_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_build_entry = {
	.name = "build",
	.opts = build_opts,
	.shortopts = "o:",
	.usage = "[-o OUT] [--name NAME] [--version VERSION] "
	    "[--engines postgres|sqlite|postgres,sqlite] "
	    "[--exclude GLOB]... [--placeholder NAME=VALUE]... "
	    "[--previous OLD [--allow-out-of-order]] [--strict] "
	    "[--unparsed warn] [--sign SECFILE [--detached]] DIR",
	.help =
	    "Bundle the migrations and seeds in DIR into one reproducible\n"
	    "tar.gz, and print its path and SHA-256.\n\n"
	    "  -o, --output OUT     the bundle (default NAME-VERSION.tar.gz)\n"
	    "  --name NAME          bundle name (default: DIR's name)\n"
	    "  --version VERSION    release version (default: the newest\n"
	    "                       migration's version)\n"
	    "  --engines E          the engines the bundle is for: postgres,\n"
	    "                       sqlite or both (default postgres,sqlite);\n"
	    "                       migrun refuses it on another\n"
	    SCAN_HELP
	    "  --previous OLD       the last release's bundle: its versioned\n"
	    "                       migrations must be here unchanged, and no\n"
	    "                       new one at or below its newest (exit 3)\n"
	    "  --allow-out-of-order allow new migrations below OLD's newest\n"
	    LINT_HELP
	    SIGN_HELP "\n"
	    "The PostgreSQL scripts are parsed and linted as 'migpack lint'\n"
	    "does: errors refuse the build (exit 5), warnings are said on\n"
	    "stderr, and the findings are stored in the bundle.\n\n"
	    "SOURCE_DATE_EPOCH, when set, is recorded as the build time;\n"
	    "without it the bundle holds no time at all.\n",
	.exec = exec_build,
};

/* SOURCE_DATE_EPOCH as the archive's mtime and an ISO 8601 string. */
static int build_time(int64_t *mtime, char **created, struct err *err)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char iso[32], *end;
	long long v;
	time_t t;
	struct tm tm;

	*mtime = 0;
	*created = NULL;
	if (!s)
		return 0;
	v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0 || v > 253402300799LL)
		return err_set(err, ERR_INPUT, "SOURCE_DATE_EPOCH: '%s' is not "
		    "a time in seconds", s);
	t = (time_t)v;
	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	*mtime = v;
	*created = xstrdup(iso);
	return 0;
}

static int sink_writer(void *ctx, const void *data, size_t len,
    struct err *err)
{
	return bundle_writer_data(ctx, data, len, err);
}

static int add_text(struct bundle_writer *w, const char *name,
    const struct buf *b, struct err *err)
{
	return bundle_writer_add(w, name, b->data, b->len, err);
}

/* Stream every file into the archive, normalized as the scan saw it;
 * signed by sk unless it is NULL. */
static int write_bundle(struct layout *l, const char *out,
    const struct minisign_seckey *sk, char sha[CHECKSUM_HEX_LEN + 1],
    int64_t mtime, struct err *err)
{
	struct bundle_writer *w = NULL;
	struct buf manifest = BUF_INIT, sums = BUF_INIT, sig = BUF_INIT;
	struct manifest_file **files = NULL;
	char hex[CHECKSUM_HEX_LEN + 1];
	struct text t;
	size_t i, n;
	int ret;

	manifest_write(&l->m, &manifest);
	checksum_buf(manifest.data, manifest.len, hex);
	manifest_write_sums(&l->m, hex, &sums);
	n = manifest_files(&l->m, &files);
	if (n != l->nr_sources)
		BUG("%zu files, %zu sources", n, l->nr_sources);
	if ((ret = bundle_writer_open(&w, out, mtime, err)) ||
	    (ret = add_text(w, MANIFEST_NAME, &manifest, err)) ||
	    (ret = add_text(w, SUMS_NAME, &sums, err)))
		goto out;
	if (sk) {
		sign_sums(sk, &l->m, &sums, &sig);
		if ((ret = add_text(w, SIG_NAME, &sig, err)))
			goto out;
	}
	for (i = 0; i < n; i++) {
		if ((ret = bundle_writer_entry(w, files[i]->path,
		    l->sources[i].size, err)) ||
		    (ret = layout_read(&l->sources[i], &t, hex, sink_writer, w,
		    err)))
			goto out;
		if (strcmp(hex, files[i]->sha256)) {
			ret = err_set(err, ERR_RUNTIME, "'%s' changed while "
			    "being bundled", l->sources[i].path);
			goto out;
		}
	}
	ret = bundle_writer_commit(w, sha, err);
	w = NULL;
out:
	bundle_writer_abort(w);
	free(files);
	buf_release(&manifest);
	buf_release(&sums);
	buf_release(&sig);
	return ret;
}

/* What the scan noticed, a line each on stderr: stdout keeps its one. */
static void print_notices(const struct buf *b)
{
	const char *p = b->data, *nl;

	for (; (nl = memchr(p, '\n', b->len - (size_t)(p - b->data))); p = nl + 1)
		fprintf(stderr, "%s: %.*s\n", cmd_progname, (int)(nl - p), p);
}

/* The last release, verified like any bundle before it is trusted, then
 * what it released kept as released. */
static int check_previous(const char *path, const struct manifest *m,
    int allow_ooo, struct err *err)
{
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	struct manifest old = MANIFEST_INIT;
	char sha[CHECKSUM_HEX_LEN + 1];
	int ret;

	if ((ret = bundle_verify(path, &limits, &old, sha, err)))
		return err_prefix(err, "--previous: ");
	ret = release_check(&old, m, allow_ooo, err);
	manifest_release(&old);
	return ret;
}

/* Lint what the bundle will hold, its findings into the manifest: errors
 * and warnings said on stderr, then a summary (nothing when there are
 * none); errors (with strict, warnings too) refuse the build. */
static int lint(struct layout *l, int strict, int unparsed_warn,
    struct err *err)
{
	struct linter L;
	struct buf out = BUF_INIT;
	size_t n;
	int ret;

	linter_init(&L, &l->m, unparsed_warn);
	if (!(ret = lint_layout(&L, l, err))) {
		lint_print(&L, &out, SEV_WARNING, 0);
		if (out.len)
			lint_summary(&L, &out);
		fputs(out.data ? out.data : "", stderr);
		n = L.count[SEV_ERROR] + (strict ? L.count[SEV_WARNING] : 0);
		if (n)
			ret = err_set(err, ERR_LINT, "%zu lint finding%s %s the "
			    "build%s; nothing written", n, n == 1 ? "" : "s",
			    n == 1 ? "refuses" : "refuse", strict ?
			    " (--strict)" : "");
	}
	buf_release(&out);
	linter_release(&L);
	return ret;
}

static int exec_build(int argc, char **argv, struct err *err)
{
	struct layout l = { 0 };
	struct sign_args sg = { 0 };
	char *out = NULL, *name = NULL, *release = NULL, *created = NULL;
	char *where = NULL, sha[CHECKSUM_HEX_LEN + 1];
	const char *dir;
	struct scan_args sa = { 0 };
	const char *previous = NULL;
	int allow_ooo = 0, strict = 0, unparsed_warn = 0;
	int64_t mtime;
	int c, ret;

	while ((c = getopt_long(argc, argv, cmd_build_entry.shortopts,
	    build_opts, NULL)) != -1) {
		switch (c) {
		case 'o': free(out); out = xstrdup(optarg); break;
		case 'n': free(name); name = xstrdup(optarg); break;
		case 'v': free(release); release = xstrdup(optarg); break;
		case 'x': case 'p':
			if ((ret = scan_option(c, optarg, &sa, err)))
				goto out;
			break;
		case 'e':
			if ((ret = engines_option(optarg, &sa.engines, err)))
				goto out;
			break;
		case 's': strict = 1; break;
		case 'u':
			if ((ret = unparsed_option(optarg, &unparsed_warn, err)))
				goto out;
			break;
		case 'P': previous = optarg; break;
		case 'k': sg.key = optarg; break;
		case 'd': sg.detached = 1; break;
		case 'O': allow_ooo = 1; break;
		case 'h': ret = cmd_help(&cmd_build_entry); goto out;
		default: ret = cmd_bad_option(&cmd_build_entry, argc, argv, err);
			goto out;
		}
	}
	if (optind != argc - 1) {
		ret = cmd_usage(&cmd_build_entry, err, "expected one DIR");
		goto out;
	}
	dir = argv[optind];
	if (sg.detached && !sg.key) {
		ret = cmd_usage(&cmd_build_entry, err, "--detached goes with "
		    "--sign");
		goto out;
	}
	/* The password first: nothing built in vain. */
	if ((sg.key && (ret = sign_args_load(&sg, err))) ||
	    (ret = build_time(&mtime, &created, err)) ||
	    (ret = layout_scan(&l, dir, scan_args_opts(&sa), err)))
		goto out;
	print_notices(&l.notices);
	if ((previous && (ret = check_previous(previous, &l.m, allow_ooo,
	    err))) || (ret = lint(&l, strict, unparsed_warn, err)))
		goto out;
	if (!name)
		name = layout_dir_name(dir);
	if (!release)
		release = xstrdup(manifest_newest(&l.m));
	if (!manifest_name_valid(name) || !manifest_name_valid(release)) {
		ret = err_set(err, ERR_INPUT, "invalid bundle name or version "
		    "'%s'", manifest_name_valid(name) ? release : name);
		goto out;
	}
	if (!out)
		out = xasprintf("%s-%s.tar.gz", name, release);
	l.m.name = name;
	l.m.release = release;
	l.m.created = created;
	name = release = created = NULL;	/* the manifest owns them */
	where = xstrdup(out);
	cmd_swept(afile_sweep_for(out), dirname(where));
	if ((ret = write_bundle(&l, out, sg.key ? &sg.sk : NULL, sha, mtime,
	    err)) || (ret = sign_args_detached(&sg, &l.m, out, err)))
		goto out;
	printf("%s sha256:%s\n", out, sha);
	sign_args_print(&sg, out);
out:
	layout_release(&l);
	scan_args_release(&sa);
	sign_args_release(&sg);
	free(where);
	free(out);
	free(name);
	free(release);
	free(created);
	return ret;
}
