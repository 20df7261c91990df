#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "bundle.h"
#include "cmd.h"
#include "commands.h"
#include "linter.h"

static int exec_lint(int argc, char **argv, struct err *err);

static const struct option lint_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "rules", no_argument, NULL, 'r' },
	{ "engines", required_argument, NULL, 'e' },
	LINT_OPTIONS,
	SCAN_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_lint_entry = {
	.name = "lint",
	.opts = lint_opts,
	.usage = "[--json] [--strict] [--unparsed warn] [--engines E] "
	    "[--exclude GLOB]... [--placeholder NAME=VALUE]... DIR|BUNDLE "
	    "| --rules",
	.help =
	    "Parse every script PostgreSQL runs with PostgreSQL's own parser\n"
	    "and check its statements for what hurts a live database: one line\n"
	    "per finding, FILE:LINE: severity RULE: message, then a summary.\n"
	    "Exit 0 when nothing is an error, 5 when something is (or, with\n"
	    "--strict, a warning), 2 for a script the parser refuses.\n"
	    "'-- migpack:allow RULE[,RULE]' just above a statement silences\n"
	    "those rules for it; before the first statement, for the script.\n\n"
	    "  --json               one JSON object (shape in README.md)\n"
	    LINT_HELP
	    "  --rules              list the rules: id, severity, what\n"
	    "Reading a folder:\n"
	    "  --engines E          postgres, sqlite or both (default): a\n"
	    "                       folder for sqlite only is not parsed\n"
	    SCAN_HELP,
	.exec = exec_lint,
};

static void print_rules(void)
{
	const struct lint_rule *r;

	for (r = lint_rules; r->id; r++)
		printf("%-30s %-8s %s\n", r->id, severity_name(r->severity),
		    r->what);
}

static int exec_lint(int argc, char **argv, struct err *err)
{
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	struct manifest m = MANIFEST_INIT;
	struct scan_args sa = { 0 };
	struct layout l = { 0 };
	struct linter L;
	struct buf out = BUF_INIT;
	struct stat st;
	int c, ret = 0, json = 0, strict = 0, unparsed_warn = 0;
	size_t n;

	linter_init(&L, NULL, 0);
	while (!ret && (c = getopt_long(argc, argv, "", lint_opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 's': strict = 1; break;
		case 'r': print_rules(); goto out;
		case 'u': ret = unparsed_option(optarg, &unparsed_warn, err);
			break;
		case 'e': ret = engines_option(optarg, &sa.engines, err); break;
		case 'x': case 'p': ret = scan_option(c, optarg, &sa, err); break;
		case 'h': ret = cmd_help(&cmd_lint_entry); goto out;
		default: ret = cmd_bad_option(&cmd_lint_entry, argc, argv, err);
		}
	}
	if (!ret && optind != argc - 1)
		ret = cmd_usage(&cmd_lint_entry, err, "expected one DIR or "
		    "BUNDLE");
	if (ret)
		goto out;
	L.unparsed_warn = unparsed_warn;
	if (!stat(argv[optind], &st) && S_ISDIR(st.st_mode)) {
		if (!(ret = layout_scan(&l, argv[optind], scan_args_opts(&sa),
		    err))) {
			L.m = &l.m;
			ret = lint_layout(&L, &l, err);
		}
	} else {
		ret = lint_bundle(&L, argv[optind], &limits, &m, err);
	}
	if (ret)
		goto out;
	if (json) {
		buf_addstr(&out, "{\"findings\": ");
		lint_json(&L, &out);
		buf_addf(&out, ", \"errors\": %zu, \"warnings\": %zu, "
		    "\"info\": %zu, \"silenced\": %zu, \"parsed\": %zu}\n",
		    L.count[SEV_ERROR], L.count[SEV_WARNING], L.count[SEV_INFO],
		    L.silenced, L.parsed);
	} else {
		lint_print(&L, &out, SEV_INFO, 1);
		lint_summary(&L, &out);
	}
	fwrite(out.data, 1, out.len, stdout);
	n = L.count[SEV_ERROR] + (strict ? L.count[SEV_WARNING] : 0);
	if (n)
		ret = err_set(err, ERR_LINT, "%zu finding%s %s an error%s", n,
		    n == 1 ? "" : "s", n == 1 ? "is" : "are", strict ?
		    " (--strict)" : "");
out:
	linter_release(&L);
	layout_release(&l);
	manifest_release(&m);
	scan_args_release(&sa);
	buf_release(&out);
	return ret;
}
