#ifndef MIGRUN_RUNNER_H
#define MIGRUN_RUNNER_H

#include <stdint.h>

#include "backup.h"
#include "buf.h"
#include "bundle.h"
#include "cmd.h"
#include "driver.h"
#include "fleet.h"
#include "plan.h"
#include "signature.h"

/*
 * What migrun's commands share: their common options, and a session that
 * holds a verified bundle, an open database, its history and the plan.
 */
extern const struct cmd_entry cmd_apply_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_down_entry;
extern const struct cmd_entry cmd_stamp_entry;
extern const struct cmd_entry cmd_verify_entry;
extern const struct cmd_entry cmd_repair_entry;
extern const struct cmd_entry cmd_sql_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_seed_entry;
extern const struct cmd_entry cmd_check_entry;
extern const struct cmd_entry cmd_review_entry;

#define ROPT_TRUST_MAX 64

struct ropts {
	const char *db;			/* --db; NULL: environment, default */
	const char *table;
	unsigned lock_timeout_ms;
	int json, quiet;
	struct bundle_limits limits;
	struct backup_opts backup;
	struct ddl_limits ddl;
	const char *trust[ROPT_TRUST_MAX];	/* --trust PUBFILE */
	size_t nr_trust;
	int allow_unsigned;
	const char *targets;		/* --targets FILE */
	struct fleet_opts fleet;
	const char *search_path;	/* a fleet target's schema= */
};

#define ROPTS_INIT { .table = "migpack_history", .lock_timeout_ms = 60000, \
	.limits = BUNDLE_LIMITS_INIT, .backup = BACKUP_OPTS_INIT, \
	.ddl = DDL_LIMITS_INIT, .fleet = FLEET_OPTS_INIT }

/* getopt_long values of the common options, above any short option. */
enum {
	OPT_DB = 256, OPT_TABLE, OPT_LOCK_TIMEOUT, OPT_JSON, OPT_QUIET,
	OPT_MAX_SCRIPT, OPT_MAX_TOTAL, OPT_MAX_RATIO,
	OPT_NO_BACKUP, OPT_BACKUP_DIR, OPT_KEEP, OPT_PG_DUMP,
	OPT_DDL_LOCK_TIMEOUT, OPT_DDL_RETRIES, OPT_STATEMENT_TIMEOUT,
	OPT_TRUST, OPT_ALLOW_UNSIGNED,
	OPT_TARGETS, OPT_PARALLEL, OPT_CANARY, OPT_KEEP_GOING,
};

#define DB_OPTIONS \
	{ "db", required_argument, NULL, OPT_DB }, \
	{ "table", required_argument, NULL, OPT_TABLE }
#define LOCK_OPTIONS \
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT }
#define OUTPUT_OPTIONS \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "quiet", no_argument, NULL, OPT_QUIET }
#define BUNDLE_OPTIONS \
	{ "max-script-size", required_argument, NULL, OPT_MAX_SCRIPT }, \
	{ "max-total-size", required_argument, NULL, OPT_MAX_TOTAL }, \
	{ "max-ratio", required_argument, NULL, OPT_MAX_RATIO }, \
	{ "trust", required_argument, NULL, OPT_TRUST }, \
	{ "allow-unsigned", no_argument, NULL, OPT_ALLOW_UNSIGNED }

/* Many databases at once (fleet.h); a command that only reads reads
 * every target. */
#define FLEET_READ_OPTIONS \
	{ "targets", required_argument, NULL, OPT_TARGETS }, \
	{ "parallel", required_argument, NULL, OPT_PARALLEL }
#define FLEET_OPTIONS FLEET_READ_OPTIONS, \
	{ "canary", required_argument, NULL, OPT_CANARY }, \
	{ "keep-going", no_argument, NULL, OPT_KEEP_GOING }
#define FLEET_HELP \
	"  --targets FILE       every database in FILE ('-': standard input),\n" \
	"                       a line each: CONNECTION [-- schema=NAME\n" \
	"                       name=LABEL]; a report per target\n" \
	"  --parallel N         N targets at once (default 4)\n" \
	"  --canary K           the first K targets first, the rest only if\n" \
	"                       all of them succeed\n" \
	"  --keep-going         start new targets after one failed\n"

/* What a migration's statements may wait for (apply, down, sql). */
#define DDL_OPTIONS \
	{ "ddl-lock-timeout", required_argument, NULL, OPT_DDL_LOCK_TIMEOUT }, \
	{ "ddl-retries", required_argument, NULL, OPT_DDL_RETRIES }, \
	{ "statement-timeout", required_argument, NULL, OPT_STATEMENT_TIMEOUT }

/* Taking a backup first (apply, down, restore). */
#define BACKUP_OPTIONS \
	{ "no-backup", no_argument, NULL, OPT_NO_BACKUP }, \
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR }, \
	{ "keep", required_argument, NULL, OPT_KEEP }, \
	{ "pg-dump", required_argument, NULL, OPT_PG_DUMP }

#define DB_HELP \
	"  --db URL             the database: sqlite:PATH, PATH.db, \n" \
	"                       postgresql://... or libpq key=value\n" \
	"                       (default $DATABASE_URL, else " \
	"sqlite:migpack.db)\n" \
	"  --table NAME         the history table (default migpack_history;\n" \
	"                       schema.name on PostgreSQL)\n"
#define LOCK_HELP \
	"  --lock-timeout SECS  wait at most SECS for another runner's lock\n" \
	"                       (default 60), then exit 4\n"
#define DDL_HELP \
	"  --ddl-lock-timeout SECS\n" \
	"                       PostgreSQL: a migration's statement waits at\n" \
	"                       most SECS for a lock (default 5; 0: no limit),\n" \
	"                       then the migration is rolled back and tried\n" \
	"                       again later\n" \
	"  --ddl-retries N      tries again at most N times (default 10), then\n" \
	"                       exit 4\n" \
	"  --statement-timeout SECS\n" \
	"                       PostgreSQL: cancel a migration's statement\n" \
	"                       after SECS (default: the server's; 0: none)\n"
#define BACKUP_HELP \
	"  --no-backup          take no backup first\n" \
	"  --backup-dir DIR     where the backup goes (default ./backups)\n" \
	"  --keep N             keep the newest N backups of the database\n" \
	"                       (default 10; 0 keeps all)\n" \
	"  --pg-dump PATH       the pg_dump to run (default: from PATH)\n"
#define BUNDLE_HELP \
	"  --trust PUBFILE      trust bundles signed by this minisign public\n" \
	"                       key (repeatable; also $MIGRUN_TRUST, files\n" \
	"                       separated by ':', and the *.pub files in\n" \
	"                       $MIGRUN_TRUST_DIR, default " TRUST_DIR_DEFAULT ");\n" \
	"                       with any key trusted, a bundle not signed by\n" \
	"                       one is refused (exit 3) before any database\n" \
	"  --allow-unsigned     take such a bundle all the same, saying so\n" \
	"  --max-script-size N, --max-total-size N, --max-ratio N\n" \
	"                       the bundle reader's caps (see migpack verify)\n"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#define TRUST_DIR_DEFAULT SYSCONFDIR "/migpack/trusted-keys"

/* Take a common option: 1 when c was one and is well-formed, 0 when c is
 * not a common option, -1 when its value is bad. */
int ropt_parse(int c, const char *arg, struct ropts *o);
/* Refuse, as cmd_bad_option does, the option c (getopt_long's answer)
 * that ropt_parse did not take, naming what a common option's value must
 * be. */
int ropt_bad(const struct cmd_entry *e, int c, int argc, char **argv,
    struct err *err);
/* The whole command line of e, whose options (opts) are common ones and
 * --help, and whose operand is one BUNDLE into *bundle, or none when
 * bundle is NULL.  0 with *go set when the command goes on (not after
 * --help), or the error class with err filled. */
struct option;
int ropt_getopt(const struct cmd_entry *e, const struct option *opts,
    int argc, char **argv, struct ropts *o, const char **bundle, int *go,
    struct err *err);

struct session {
	const struct ropts *o;
	const char *url;
	struct db *db;
	int locked;
	int must_exist;			/* the database is not created */
	const char *bundle;		/* path; NULL without one */
	struct manifest m;
	char sha[CHECKSUM_PREFIX_LEN + CHECKSUM_HEX_LEN + 1];
	struct bundle_sig sig;		/* the bundle's signature */
	struct history h;
	struct plan plan;
	int planned;
	enum dialect dialect;		/* what the plan is for */
	/* What it is doing, for a fleet target's progress (NULL: no one
	 * asks): the i-th migration (from 1) of nr, what "VERSION NAME";
	 * with i = 0, a step before any ("backing up"). */
	void (*doing)(const char *what, size_t i, size_t nr);
};

void session_init(struct session *s, const struct ropts *o);
/* Verify the whole bundle at path and keep its manifest: its signature
 * first, held up to the keys trusted (--trust, $MIGRUN_TRUST, the trusted
 * keys' folder), then every checksum. */
int session_bundle(struct session *s, const char *path, struct err *err);
/* Open the bundle at path for one pass instead: its manifest, checked
 * against SHA256SUMS, now; each file checked as it is read through *r.
 * The caller reads to the end (bundle_reader_next until no file) before
 * it relies on the whole, and closes *r. */
int session_bundle_stream(struct session *s, const char *path,
    struct bundle_reader **r, struct err *err);
/* Refuse (exit 2) a version the bundle has no migration for; NULL is
 * fine.  what names the option in the message. */
int session_check_version(const struct session *s, const char *what,
    const char *version, struct err *err);
/* Refuse (exit 2) a bundle that is not for engine d. */
int session_for_engine(const struct session *s, enum dialect d,
    struct err *err);
/* Connect, when the bundle (if any) is for the database's engine; with lock, take the run lock and remove what a stopped run
 * left beside the database (drv->sweep); then read the history and, when
 * a bundle is loaded, plan. */
int session_open(struct session *s, int lock, struct err *err);
/* Read the history again and plan anew, after the session changed it. */
int session_replan(struct session *s, struct err *err);
/* Unlock, disconnect, free; scrub err of any password. */
void session_end(struct session *s, struct err *err);

/* Take a backup of the open database now, whatever --no-backup says:
 * its path in *path (caller frees); what a stopped run left swept. */
int session_take_backup(struct session *s, char **path, struct err *err);
/* Back the database up (unless --no-backup) before a change, under the
 * run lock; says where on stderr unless --quiet. */
int session_backup(struct session *s, struct err *err);
/* The current version (history_current) as the database has it now, read
 * again after a failed run into now (the caller releases it); guess when
 * it cannot be read.  What a failure's message says the database is at. */
const char *session_now(struct session *s, struct history *now,
    const char *guess);
/* Say, in one line on stderr unless --quiet, that n temporary files a
 * stopped run left in where were removed; nothing when n is 0. */
void session_swept(const struct session *s, unsigned n, const char *where);

/* Refuse to go on when a migration is dirty (exit 3). */
int session_refuse_dirty(struct session *s, const char *what,
    struct err *err);

/* The bundle's files read a second time, after verification, in archive
 * order: each file fetched must match the verified manifest's checksum. */
struct cursor {
	struct bundle_reader *r;
	const struct manifest *m;
};

int cursor_open(struct cursor *c, struct session *s, struct err *err);
/* Read the n scripts of want[] (NULL entries skipped) into out[], in
 * whatever order the archive holds them. */
int cursor_fetch(struct cursor *c, const struct manifest_script *const *want,
    struct buf *const *out, size_t n, struct err *err);
void cursor_close(struct cursor *c);

/* A history row for a migration of the session's bundle; the row owns
 * copies of everything.  down is the down script's text, or NULL. */
void session_row(const struct session *s, const struct plan_item *it,
    const char *down, struct hist_row *row);

/* One migration a run applied or rolled back (or would, in a dry run). */
struct run_step {
	const char *version;	/* NULL: repeatable */
	const char *name;
	enum mig_kind kind;
	int64_t ms;
};

/* What an apply up to `to` (NULL: the newest) runs: the pending
 * migrations in plan order, in *todo (caller frees, even on failure).
 * Refuses drift and, unless allow_ooo, out-of-order migrations (exit 3),
 * and with single, a migration that runs outside a transaction (exit 2). */
int run_select_up(const struct session *s, const char *to, int allow_ooo,
    int single, const struct plan_item ***todo, size_t *nr,
    struct err *err);
/* apply --resume: put the dirty migration first in todo[0..*nr) (which
 * has room for it), once sure it can go on from where its row says it
 * stopped: the bundle's no-transaction script that ran, progress
 * recorded, not above --to.  Exit 2 when nothing is dirty or it cannot be
 * resumed, 3 when its script changed. */
int run_select_resume(const struct session *s, const char *to,
    const struct plan_item **todo, size_t *nr, struct err *err);
/* The version a database at from reaches once todo[0..nr) are applied. */
const char *run_reached(const char *from, const struct plan_item **todo,
    size_t nr);
/* Apply todo[0..nr) in order, the bundle read a second time; with single,
 * in one transaction.  done[] gets a step per migration applied, and
 * *nr_done how many (with single, undone again on failure); progress
 * prints a line per migration on stderr. */
int run_ups(struct session *s, const struct plan_item **todo, size_t nr,
    int single, int progress, struct run_step *done, size_t *nr_done,
    struct err *err);

/* After run_ups failed at todo[nr_done] (of nr, from version from): the
 * outcome appended to err, the database read again: rolled back, or dirty
 * and how to go on, and where the database is. */
void run_ups_failed(struct session *s, const char *from,
    const struct plan_item **todo, size_t nr, size_t nr_done, int single,
    struct err *err);

/* What a rollback to `to` (a version or "base") or of `steps` migrations
 * rolls back: history rows newest first in *rows (caller frees, even on
 * failure), the first *pick of them.  Refuses a range with a migration
 * without a down script (exit 2) and, with a bundle, one whose down
 * script is not the stored one (exit 3). */
int run_select_down(const struct session *s, const char *to, long steps,
    struct hist_row ***rows, size_t *pick, struct err *err);
/* Roll rows[0..nr) back in order; done[] and *nr_done as run_ups. */
int run_downs(struct session *s, struct hist_row **rows, size_t nr,
    int progress, struct run_step *done, size_t *nr_done, struct err *err);

/* Run one migration up: in its own transaction with its history row
 * (within the caller's, when outer), or, for a no-transaction script,
 * statement by statement with its row dirty until it has finished.  The
 * history table is created, when the session has none yet, in the same
 * transaction as the row. */
int run_up(struct session *s, const struct plan_item *it,
    const struct buf *up, const struct buf *down, int outer, int64_t *ms,
    struct err *err);
/* Roll one migration back with the down script its row holds. */
int run_down(struct session *s, const struct hist_row *row, int64_t *ms,
    struct err *err);


/* The --json result apply and down share: {"dry_run", "from", "to",
 * "migrations": [{"version", "name", "kind", "execution_ms"}]}; with
 * items (apply --dry-run: the plan item of each step), each migration
 * also has "lint": lint's warnings on it (plan_item_lint_json). */
void run_json(struct buf *b, int dry_run, const char *from, const char *to,
    const struct run_step *steps, size_t n,
    const struct plan_item *const *items);

/* Milliseconds on a monotonic clock. */
int64_t clock_ms(void);

/* Text output helpers: a column of width w. */
void print_cell(struct buf *b, const char *s, int w, int last);

/* Write b to stdout, err on failure. */
int emit(struct buf *b, struct err *err);

#endif
