#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"
#include "version.h"
#include "xalloc.h"

static int exec_apply(int argc, char **argv, struct err *err);

const struct cmd_entry cmd_apply_entry = {
	.name = "apply",
	.usage = "[--db URL] [--to VERSION] [--dry-run] [--single-transaction] "
	    "[--allow-out-of-order] [--json | --quiet] BUNDLE",
	.help =
	    "Verify BUNDLE, then apply its pending migrations in version order,\n"
	    "then re-apply the repeatable migrations whose script changed.\n"
	    "Each migration commits with its history row; a failing statement\n"
	    "rolls its migration back and stops the run (exit 1).  A changed\n"
	    "applied migration (drift), a pending migration below the newest\n"
	    "applied one, or a dirty database is refused before anything is\n"
	    "done (exit 3).\n\n"
	    "  --to VERSION         stop after VERSION (repeatable migrations\n"
	    "                       run only when the run reaches the newest)\n"
	    "  --dry-run            print the plan, change nothing\n"
	    "  --single-transaction one transaction for the whole run: all or\n"
	    "                       nothing\n"
	    "  --allow-out-of-order apply pending migrations below the newest\n"
	    "                       applied one\n"
	    "  --json               print the result as JSON\n"
	    "  --quiet              print nothing on success\n"
	    DB_HELP LOCK_HELP BUNDLE_HELP,
	.exec = exec_apply,
};

enum { OPT_TO = 'T', OPT_DRY = 'n', OPT_SINGLE = 's', OPT_OOO = 'o' };

/* Refuse drift and out-of-order migrations, listing each one. */
static int check_plan(const struct plan *p, const struct plan_item **todo,
    size_t nr, int allow_ooo, struct err *err)
{
	struct buf b = BUF_INIT;
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < p->nr; i++) {
		const struct plan_item *it = &p->items[i];

		if (it->state != ST_CHANGED)
			continue;
		buf_addf(&b, "%s%s %s: applied as %s, the bundle has "
		    "sha256:%s", n++ ? "\n" : "", it->mig->version,
		    it->mig->name, it->row->checksum, plan_item_sum(it));
	}
	if (n) {
		ret = err_set(err, ERR_INTEGRITY, "drift: %zu applied "
		    "migration%s changed since %s applied; nothing done\n%s",
		    n, n == 1 ? "" : "s", n == 1 ? "it was" : "they were",
		    b.data);
		goto out;
	}
	for (i = 0; i < nr && !allow_ooo; i++)
		if (todo[i]->out_of_order)
			buf_addf(&b, "%s%s %s", n++ ? ", " : "",
			    todo[i]->mig->version, todo[i]->mig->name);
	if (n)
		ret = err_set(err, ERR_INTEGRITY, "out of order: pending "
		    "below the newest applied migration: %s; nothing done "
		    "(--allow-out-of-order applies them)", b.data);
out:
	buf_release(&b);
	return ret;
}

static void print_result(const struct session *s,
    const struct run_step *done, size_t nr, const char *from,
    const char *to, int dry_run)
{
	struct buf b = BUF_INIT;
	struct err ignored;
	size_t i;
	int w = 7;

	if (s->o->json) {
		run_json(&b, dry_run, from, to, done, nr);
		emit(&b, &ignored);
		goto out;
	}
	if (s->o->quiet)
		goto out;
	for (i = 0; i < nr; i++)
		if (done[i].version && (int)strlen(done[i].version) > w)
			w = (int)strlen(done[i].version);
	if (nr) {
		buf_addf(&b, "%-*s  %-10s  %8s  %s\n", w, "VERSION", "KIND",
		    dry_run ? "" : "MS", "NAME");
		for (i = 0; i < nr; i++) {
			char ms[24] = "";

			if (!dry_run)
				snprintf(ms, sizeof(ms), "%lld",
				    (long long)done[i].ms);
			buf_addf(&b, "%-*s  %-10s  %8s  %s\n", w,
			    done[i].version ? done[i].version : "-",
			    kind_name(done[i].kind), ms, done[i].name);
		}
	}
	if (dry_run)
		buf_addf(&b, "dry run: %zu to apply, from %s to %s; nothing "
		    "changed\n", nr, from ? from : "an empty history",
		    to ? to : "-");
	else if (nr)
		buf_addf(&b, "applied %zu migration%s: database at %s\n", nr,
		    nr == 1 ? "" : "s", to ? to : "no version");
	else
		buf_addf(&b, "nothing to apply: database at %s\n",
		    to ? to : "no version");
	emit(&b, &ignored);
out:
	buf_release(&b);
}

static int exec_apply(int argc, char **argv, struct err *err)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "single-transaction", no_argument, NULL, OPT_SINGLE },
		{ "allow-out-of-order", no_argument, NULL, OPT_OOO },
		DB_OPTIONS, LOCK_OPTIONS, OUTPUT_OPTIONS, BUNDLE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ropts o = ROPTS_INIT;
	struct session s;
	struct cursor cur = { NULL, NULL };
	struct buf up = BUF_INIT, down = BUF_INIT;
	const struct plan_item **todo = NULL;
	struct run_step *done = NULL;
	const char *to = NULL, *latest, *from, *reached;
	int dry_run = 0, single = 0, allow_ooo = 0, in_tx = 0, progress;
	size_t i, nr_todo = 0, nr_done = 0;
	int c, ret = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return cmd_help(&cmd_apply_entry);
		case OPT_TO: to = optarg; continue;
		case OPT_DRY: dry_run = 1; continue;
		case OPT_SINGLE: single = 1; continue;
		case OPT_OOO: allow_ooo = 1; continue;
		}
		if (ropt_parse(c, optarg, &o) <= 0)
			return cmd_bad_option(&cmd_apply_entry, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_apply_entry, err, "expected one BUNDLE");
	if (to && !version_valid(to, strlen(to), VERSION_ALLOW_UNDERSCORE))
		return cmd_usage(&cmd_apply_entry, err, "--to: not a version");
	session_init(&s, &o);

	if ((ret = session_bundle(&s, argv[optind], err)))
		goto out;
	/* A bad --to is refused before the database is touched. */
	for (i = 0; to && i < s.m.nr_migrations; i++)
		if (s.m.migrations[i].version &&
		    !version_cmp(s.m.migrations[i].version, to))
			break;
	if (to && i == s.m.nr_migrations) {
		ret = err_set(err, ERR_INPUT, "--to %s: the bundle has no such "
		    "migration", to);
		goto out;
	}
	if ((ret = session_open(&s, !dry_run, err)) ||
	    (ret = session_refuse_dirty(&s, "apply", err)))
		goto out;
	latest = plan_latest(&s.plan);

	todo = xreallocarray(NULL, s.plan.nr + 1, sizeof(*todo));
	for (i = 0; i < s.plan.nr; i++) {
		const struct plan_item *it = &s.plan.items[i];

		if (it->state != ST_PENDING)
			continue;
		if (it->mig->kind == KIND_VERSIONED && to &&
		    version_cmp(it->mig->version, to) > 0)
			continue;
		if (it->mig->kind == KIND_REPEATABLE && to &&
		    version_cmp(to, latest) < 0)
			continue;
		todo[nr_todo++] = it;
	}
	if ((ret = check_plan(&s.plan, todo, nr_todo, allow_ooo, err)))
		goto out;
	for (i = 0; single && i < nr_todo; i++)
		if (plan_item_notx(todo[i])) {
			ret = err_set(err, ERR_INPUT, "--single-transaction: "
			    "migration %s %s runs outside a transaction (%s); "
			    "nothing done", plan_item_label(todo[i]),
			    todo[i]->mig->name, todo[i]->up->file.path);
			goto out;
		}

	from = s.plan.current;
	reached = from;
	for (i = 0; i < nr_todo; i++)
		if (todo[i]->mig->version && (!reached ||
		    version_cmp(todo[i]->mig->version, reached) > 0))
			reached = todo[i]->mig->version;
	done = xreallocarray(NULL, nr_todo + 1, sizeof(*done));
	if (dry_run) {
		for (i = 0; i < nr_todo; i++)
			done[nr_done++] = (struct run_step){
			    todo[i]->mig->version, todo[i]->mig->name,
			    todo[i]->mig->kind, 0 };
		print_result(&s, done, nr_done, from, reached, 1);
		goto out;
	}

	if (nr_todo && (ret = cursor_open(&cur, &s, err)))
		goto out;
	if (nr_todo && single) {
		if ((ret = s.db->drv->begin(s.db, err)))
			goto out;
		in_tx = 1;
	}
	progress = !o.quiet && nr_todo > 1 && isatty(STDERR_FILENO);
	reached = from;
	for (i = 0; i < nr_todo; i++) {
		const struct plan_item *it = todo[i];
		const struct manifest_script *want[2] = { it->up, it->down };
		struct buf *into[2] = { &up, &down };
		int64_t ms;

		if ((ret = cursor_fetch(&cur, want, into, 2, err)))
			goto out;
		if (progress)
			fprintf(stderr, "[%zu/%zu] %s %s\n", i + 1, nr_todo,
			    it->mig->version ? it->mig->version : "repeatable",
			    it->mig->name);
		if ((ret = run_up(&s, it, &up, it->down ? &down : NULL, single,
		    &ms, err))) {
			size_t len = strlen(err->msg);

			snprintf(err->msg + len, sizeof(err->msg) - len,
			    "\nmigration %s %s failed%s; %s",
			    plan_item_label(it), it->mig->name,
			    plan_item_notx(it) ? " outside a transaction: "
			    "it is marked dirty until fixed by hand and "
			    "'migrun repair'" : " and was rolled back",
			    single ? "nothing was applied "
			    "(--single-transaction)" : "");
			if (!single) {
				len = strlen(err->msg);
				snprintf(err->msg + len, sizeof(err->msg) - len,
				    "the database is at %s (%zu applied by "
				    "this run)", reached ? reached :
				    "no version", nr_done);
			}
			goto out;
		}
		done[nr_done++] = (struct run_step){ it->mig->version,
		    it->mig->name, it->mig->kind, ms };
		if (it->mig->version && (!reached ||
		    version_cmp(it->mig->version, reached) > 0))
			reached = it->mig->version;
	}
	if (in_tx) {
		in_tx = 0;
		if ((ret = s.db->drv->commit(s.db, err)))
			goto out;
	}
	print_result(&s, done, nr_done, from, reached, 0);
out:
	if (in_tx)
		s.db->drv->rollback(s.db);
	if (cur.r)
		cursor_close(&cur);
	buf_release(&up);
	buf_release(&down);
	free(todo);
	free(done);
	session_end(&s, err);
	return ret;
}
