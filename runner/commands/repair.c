#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "runner.h"

static int exec_repair(int argc, char **argv, struct err *err);

enum { OPT_APPLIED = 'a', OPT_REMOVE = 'r' };

static const struct option repair_opts[] = {
	{ "applied", no_argument, NULL, OPT_APPLIED },
	{ "remove", no_argument, NULL, OPT_REMOVE },
	DB_OPTIONS, LOCK_OPTIONS, OUTPUT_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_repair_entry = {
	.name = "repair",
	.opts = repair_opts,
	.usage = "[--db URL] (--applied | --remove)",
	.help =
	    "Clear the dirty state a failed no-transaction migration left,\n"
	    "once an operator has finished or undone its work by hand:\n\n"
	    "  --applied            the migration's work is complete: mark it\n"
	    "                       applied\n"
	    "  --remove             its work is undone: remove its row, so it\n"
	    "                       is pending again\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP,
	.exec = exec_repair,
};

static int exec_repair(int argc, char **argv, struct err *err)
{
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct buf b = BUF_INIT, names = BUF_INIT;
	int c, ret = 0, action = 0, in_tx = 0;
	size_t i, n = 0;

	while ((c = getopt_long(argc, argv, "", repair_opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(&cmd_repair_entry);
		if (c == OPT_APPLIED || c == OPT_REMOVE) {
			if (action && action != c)
				return cmd_usage(&cmd_repair_entry, err,
				    "--applied and --remove exclude each "
				    "other");
			action = c;
			continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return ropt_bad(&cmd_repair_entry, c, argc, argv,
			    err);
	}
	if (optind != argc)
		return cmd_usage(&cmd_repair_entry, err, "takes no arguments");

	session_init(&s, &o);
	if ((ret = session_open(&s, 1, err)))
		goto out;
	for (i = 0; i < s.h.nr; i++)
		if (s.h.rows[i].state == HIST_DIRTY)
			buf_addf(&names, "%s%s %s", n++ ? ", " : "",
			    s.h.rows[i].version ? s.h.rows[i].version : "-",
			    s.h.rows[i].name);
	if (!n) {
		if (!o.quiet)
			buf_addstr(&b, "nothing to repair: no dirty "
			    "migration\n");
		goto print;
	}
	if (!action) {
		ret = err_set(err, ERR_INPUT, "dirty: %s; once its work is "
		    "finished by hand, run 'migrun repair --applied'; once it "
		    "is undone, 'migrun repair --remove'", names.data);
		goto out;
	}
	if ((ret = s.db->drv->begin(s.db, err)))
		goto out;
	in_tx = 1;
	for (i = 0; i < s.h.nr; i++) {
		struct hist_row *r = &s.h.rows[i];

		if (r->state != HIST_DIRTY)
			continue;
		r->state = HIST_APPLIED;
		r->statements = r->statements_done = 0;	/* done with */
		ret = action == OPT_APPLIED ?
		    s.db->drv->history_update(s.db, r, err) :
		    s.db->drv->history_delete(s.db, r, err);
		if (!ret && action == OPT_APPLIED)
			ret = s.db->drv->history_progress(s.db, r, err);
		if (ret)
			goto out;
	}
	in_tx = 0;
	if ((ret = s.db->drv->commit(s.db, err)))
		goto out;
	if (!o.quiet)
		buf_addf(&b, "%s: %s\n", action == OPT_APPLIED ?
		    "marked applied" : "removed", names.data);
print:
	ret = emit(&b, err);
out:
	if (in_tx)
		s.db->drv->rollback(s.db);
	buf_release(&b);
	buf_release(&names);
	session_end(&s, err);
	return ret;
}
