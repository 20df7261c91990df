#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "version.h"
#include "xalloc.h"

static int exec_stamp(int argc, char **argv, struct err *err);

static const struct option stamp_opts[] = {
	{ "to", required_argument, NULL, 'T' },
	DB_OPTIONS, LOCK_OPTIONS, OUTPUT_OPTIONS, BUNDLE_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_stamp_entry = {
	.name = "stamp",
	.opts = stamp_opts,
	.usage = "[--db URL] --to VERSION [--quiet] BUNDLE",
	.help =
	    "Record the bundle's migrations up to VERSION as applied without\n"
	    "running them, with their checksums and down scripts: for a\n"
	    "database whose schema is already there (baselining).  Migrations\n"
	    "already recorded are kept; a changed one is refused (exit 3).\n\n"
	    "  --to VERSION         the newest migration to record\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP BUNDLE_HELP,
	.exec = exec_stamp,
};

static int exec_stamp(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct cursor cur = { NULL, NULL };
	struct buf down = BUF_INIT, out = BUF_INIT;
	const char *to = NULL;
	int c, ret = 0, in_tx = 0, found = 0;
	size_t i, n = 0;

	while ((c = getopt_long(argc, argv, "", stamp_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_stamp_entry);
		if (c == 'T') {
			to = optarg;
			continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_stamp_entry, c, argc, argv,
			    err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_stamp_entry, err, "expected one BUNDLE");
	if (!to || !version_valid(to, strlen(to), VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(&cmd_stamp_entry, err,
		    "--to VERSION is required");

	session_init(&s, &o);
	if ((ret = session_bundle(&s, argv[optind], err)))
		goto out;
	for (i = 0; i < s.m.nr_migrations && !found; i++)
		found = s.m.migrations[i].version &&
		    !version_cmp(s.m.migrations[i].version, to);
	if (!found) {
		ret = err_set(err, ERR_INPUT, "--to %s: the bundle has no such "
		    "migration", to);
		goto out;
	}
	if ((ret = session_open(&s, 1, err)) ||
	    (ret = session_refuse_dirty(&s, "stamp", err)))
		goto out;
	for (i = 0; i < s.plan.nr; i++) {
		const struct plan_item *it = &s.plan.items[i];

		if (it->state == ST_CHANGED && version_cmp(it->mig->version,
		    to) <= 0) {
			ret = err_set(err, ERR_INTEGRITY, "drift: %s %s was "
			    "applied as %s, the bundle has sha256:%s; nothing "
			    "stamped", it->mig->version, it->mig->name,
			    it->row->checksum, plan_item_sum(it));
			goto out;
		}
	}
	if ((ret = cursor_open(&cur, &s, err)) ||
	    (ret = s.db->drv->begin(s.db, err)))
		goto out;
	in_tx = 1;
	if (!s.h.exists && (ret = s.db->drv->history_create(s.db, err)))
		goto out;
	for (i = 0; i < s.plan.nr; i++) {
		const struct plan_item *it = &s.plan.items[i];
		const struct manifest_script *want[1] = { it->down };
		struct buf *into[1] = { &down };
		struct hist_row row;

		if (it->state != ST_PENDING || !it->mig->version ||
		    version_cmp(it->mig->version, to) > 0)
			continue;
		if ((ret = cursor_fetch(&cur, want, into, 1, err)))
			goto out;
		session_row(&s, it, it->down ? down.data : NULL, &row);
		ret = s.db->drv->history_insert(s.db, &row, err);
		hist_row_release(&row);
		if (ret)
			goto out;
		if (!o.quiet)
			buf_addf(&out, "stamped %s %s\n", it->mig->version,
			    it->mig->name);
		n++;
	}
	in_tx = 0;
	if ((ret = s.db->drv->commit(s.db, err)))
		goto out;
	if (!o.quiet)
		buf_addf(&out, "stamped %zu migration%s as applied up to %s\n",
		    n, n == 1 ? "" : "s", to);
	ret = emit(&out, err);
out:
	if (in_tx)
		s.db->drv->rollback(s.db);
	if (cur.r)
		cursor_close(&cur);
	buf_release(&down);
	buf_release(&out);
	session_end(&s, err);
	return ret;
}
