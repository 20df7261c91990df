#include <getopt.h>
#include <stdio.h>

#include "buf.h"
#include "cmd.h"
#include "commands.h"
#include "json.h"
#include "release.h"

static int exec_diff(int argc, char **argv, struct err *err);

static const struct option diff_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "allow-out-of-order", no_argument, NULL, 'O' },
	SCAN_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_diff_entry = {
	.name = "diff",
	.opts = diff_opts,
	.usage = "[--json] [--allow-out-of-order] [--exclude GLOB]... "
	    "[--placeholder NAME=VALUE]... OLD NEW",
	.help =
	    "List what release NEW adds, changes and removes of release OLD:\n"
	    "migrations, repeatable migrations and seeds.  OLD and NEW are each\n"
	    "a bundle (verified first) or a migrations folder.  A line marked\n"
	    "'!' is not allowed: a released migration changed or missing, or a\n"
	    "new one at or below OLD's newest.  Exit 0 when everything is\n"
	    "allowed, 3 otherwise.\n\n"
	    "  --json               one JSON object (shape in README.md)\n"
	    "  --allow-out-of-order allow new migrations below OLD's newest\n"
	    "Reading a folder:\n" SCAN_HELP,
	.exec = exec_diff,
};

static void diff_text(const struct manifest *old, const struct manifest *new,
    const struct release_diff *d, struct buf *out)
{
	size_t i, n[3] = { 0, 0, 0 };

	buf_addf(out, "%s %s -> %s %s\n", old->name, old->release, new->name,
	    new->release);
	for (i = 0; i < d->nr; i++) {
		const struct release_item *it = &d->items[i];

		buf_addf(out, "%c %-8s %-11s ", it->refused ? '!' : ' ',
		    release_change_name(it->change),
		    release_kind_name(it->kind));
		release_item_describe(d, it, out);
		buf_addch(out, '\n');
		n[it->change]++;
	}
	if (!d->nr)
		buf_addstr(out, "no changes\n");
	else
		buf_addf(out, "%zu added, %zu changed, %zu removed; %zu not "
		    "allowed\n", n[REL_ADDED], n[REL_CHANGED], n[REL_REMOVED],
		    d->nr_refused);
}

static void json_side(struct buf *out, const char *key,
    const struct manifest *m)
{
	buf_addf(out, "\"%s\": {\"name\": ", key);
	json_str(out, m->name);
	buf_addstr(out, ", \"release\": ");
	json_str(out, m->release);
	buf_addstr(out, "}");
}

static void diff_json(const struct manifest *old, const struct manifest *new,
    const struct release_diff *d, struct buf *out)
{
	struct buf what = BUF_INIT;
	size_t i;

	buf_addch(out, '{');
	json_side(out, "old", old);
	buf_addstr(out, ", ");
	json_side(out, "new", new);
	buf_addf(out, ", \"allowed\": %s, \"changes\": [",
	    d->nr_refused ? "false" : "true");
	for (i = 0; i < d->nr; i++) {
		const struct release_item *it = &d->items[i];
		int script = it->change == REL_CHANGED && it->kind != REL_SEED;

		buf_addf(out, "%s{\"change\": \"%s\", \"kind\": \"%s\", "
		    "\"version\": ", i ? ", " : "",
		    release_change_name(it->change),
		    release_kind_name(it->kind));
		json_str(out, it->version);
		buf_addstr(out, ", \"name\": ");
		json_str(out, it->name);
		buf_addstr(out, ", \"script\": ");
		json_str(out, script ? role_name(it->role) : NULL);
		buf_addstr(out, ", \"dialect\": ");
		json_str(out, script ? dialect_name(it->dialect) : NULL);
		buf_addstr(out, ", \"old_sha256\": ");
		json_str(out, it->old_sha);
		buf_addstr(out, ", \"new_sha256\": ");
		json_str(out, it->new_sha);
		buf_reset(&what);
		release_item_describe(d, it, &what);
		buf_addf(out, ", \"allowed\": %s, \"message\": ",
		    it->refused ? "false" : "true");
		json_str(out, what.data);
		buf_addch(out, '}');
	}
	buf_addstr(out, "]}\n");
	buf_release(&what);
}

static int exec_diff(int argc, char **argv, struct err *err)
{
	struct manifest old = MANIFEST_INIT, new = MANIFEST_INIT;
	struct scan_args sa = { 0 };
	struct release_diff d = { 0 };
	struct buf out = BUF_INIT;
	int c, ret = 0, json = 0, allow_ooo = 0;

	while (!ret && (c = getopt_long(argc, argv, "", diff_opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'O': allow_ooo = 1; break;
		case 'x': case 'p': ret = scan_option(c, optarg, &sa, err); break;
		case 'h': ret = cmd_help(&cmd_diff_entry); goto out;
		default: ret = cmd_bad_option(&cmd_diff_entry, argc, argv, err);
		}
	}
	if (!ret && optind != argc - 2)
		ret = cmd_usage(&cmd_diff_entry, err, "expected OLD and NEW");
	if (ret || (ret = release_load(argv[optind], scan_args_opts(&sa), &old,
	    err)) || (ret = release_load(argv[optind + 1], scan_args_opts(&sa),
	    &new, err)))
		goto out;
	release_diff(&old, &new, allow_ooo, &d);
	(json ? diff_json : diff_text)(&old, &new, &d, &out);
	fwrite(out.data, 1, out.len, stdout);
	if (d.nr_refused)
		ret = err_set(err, ERR_INTEGRITY, "%zu change%s to what %s %s "
		    "released %s not allowed", d.nr_refused,
		    d.nr_refused == 1 ? "" : "s", old.name, old.release,
		    d.nr_refused == 1 ? "is" : "are");
out:
	release_diff_release(&d);
	manifest_release(&old);
	manifest_release(&new);
	scan_args_release(&sa);
	buf_release(&out);
	return ret;
}
