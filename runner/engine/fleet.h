#ifndef MIGRUN_FLEET_H
#define MIGRUN_FLEET_H

#include <stdint.h>

#include "err.h"

/*
 * Fleets: one command over many databases (--targets FILE).  A targets
 * file holds one target per line, '#' lines and blank ones ignored:
 *
 *   CONNECTION [-- schema=NAME name=LABEL]
 *
 * CONNECTION as --db takes it; schema= (PostgreSQL) runs the migrations
 * with search_path set to NAME, the history table in it; name= is what
 * the report calls the target (default: the redacted connection, and the
 * schema).  Each target runs in a process of its own, exactly as a single
 * --db run would, after the bundle was verified once by the parent.
 */
struct target {
	char *url;
	char *schema;		/* NULL: none */
	char *label;
	char *dir;		/* the label made a file name: its backups' */
	unsigned line;
};

struct targets {
	struct target *t;
	size_t nr, alloc;
};

/* Read path ("-": standard input): ERR_INPUT naming the file and line of
 * the first bad one, before any target is touched; two targets of one
 * label, or one backup folder, are a bad line. */
int targets_read(struct targets *ts, const char *path, struct err *err);
void targets_release(struct targets *ts);

/* What a target's process reports: fixed size, through a pipe. */
struct fleet_report {
	int code;		/* the command's exit class; 0: ok */
	int ran;		/* it started (not skipped) */
	int lost;		/* its process ended without a report: where
				 * it is, unknown */
	char from[128], to[128];	/* versions; "" for none */
	unsigned long applied;
	int64_t ms;
	char msg[512];		/* the first line of its error */
	char note[256];		/* what an ok says: a backup's path */
	/* status */
	unsigned long pending, changed, missing, dirty;
};

struct fleet_opts {
	unsigned parallel;	/* at once (default 4) */
	unsigned canary;	/* the first K first, the rest if all are ok */
	int keep_going;		/* start new targets after a failure */
};

#define FLEET_OPTS_INIT { 4, 0, 0 }
#define FLEET_MAX 256	/* targets at once, at most (--parallel) */

/* What a fleet run says on stderr as it goes: nothing; a line per
 * finished target; or, on a terminal, a live view (a line per running
 * target: its migration, i of n; the counts of done, failed, waiting),
 * with a line for each target that did not succeed above it. */
enum { FLEET_QUIET, FLEET_LINES, FLEET_VIEW };

/* Run fn for every target, fo->parallel at once, each in a child process
 * of its own whose report lands in reports[i] (nr of them).  Targets not
 * started (after a failure without keep_going, after a failed canary)
 * have ran = 0. */
typedef void (*fleet_fn)(void *arg, const struct target *t,
    struct fleet_report *r);
int fleet_run(const struct targets *ts, const struct fleet_opts *fo,
    fleet_fn fn, void *arg, struct fleet_report *reports, int show,
    struct err *err);

/* The result of a report in a word: ok, failed, refused or skipped. */
const char *fleet_result(const struct fleet_report *r);
/* The fleet's exit class: 0 when every target is ok, 1 when any failed,
 * else 3 when any was refused (drift, dirty, a bad signature). */
int fleet_exit(const struct fleet_report *reports, size_t nr);

/* --- what the commands share */
struct ropts;
struct buf;

/* A target's options: its connection, schema (table and search_path),
 * backups in BACKUP_DIR/LABEL/, nothing printed. */
void fleet_target_opts(struct ropts *o, const struct target *t);
/* A target's session in its process: bundle's (the parent's verified
 * bundle, and its options), for t's database; o holds its options. */
struct session;
void fleet_session(struct session *s, struct ropts *o,
    const struct session *bundle, const struct target *t);
void fleet_report_versions(struct fleet_report *r, const char *from,
    const char *to);
/* In a target's process, the session's doing: what it is doing goes to
 * the parent, for the live view. */
void fleet_doing(const char *what, size_t i, size_t nr);
/* The first line of err's message, when the target failed. */
void fleet_report_error(struct fleet_report *r, const struct err *err);
/* End a target's change: its versions (to, or when it failed where the
 * database is now), its session closed, its error's first line. */
void fleet_report_end(struct fleet_report *r, struct session *s,
    const char *from, const char *to, struct err *err);

/* The report of a fleet run: a table, or JSON. */
typedef void (*fleet_summary)(const struct targets *ts,
    const struct fleet_report *reports, int json, struct buf *out);
void fleet_summary_apply(const struct targets *ts,
    const struct fleet_report *reports, int json, struct buf *out);
/* status: each target's version and state (current, behind, drifted,
 * dirty, unreachable), then how many at each version. */
void fleet_summary_status(const struct targets *ts,
    const struct fleet_report *reports, int json, struct buf *out);

/* Read o->targets, run fn over them as o->fleet says, print the
 * summary; the fleet's exit class, err saying how many did not succeed. */
int fleet_command(const struct ropts *o, fleet_summary summary, fleet_fn fn,
    void *arg, struct err *err);

#endif
