#ifndef MIGRUN_PLAN_H
#define MIGRUN_PLAN_H

#include <stddef.h>

#include "driver.h"
#include "manifest.h"

/*
 * A plan sets a bundle beside a database's history and gives every
 * migration its state.  It reads both and changes neither: the commands
 * decide what to do with it.
 *
 * A migration without an up script for the database's engine (a
 * postgres-only one on SQLite) is a no-op there: its script is empty, so is
 * its down script, and it is still recorded, so both engines share one
 * version sequence.  Versioned rows are matched by version (0002 == 2),
 * repeatable ones by name.
 */

/* The SHA-256 of nothing: the script a no-op migration runs. */
#define CHECKSUM_EMPTY \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
enum mig_state {
	ST_APPLIED,	/* in the history with the bundle's checksum */
	ST_PENDING,	/* not applied yet; a repeatable whose checksum changed */
	ST_CHANGED,	/* applied, but the bundle's script differs: drift */
	ST_MISSING,	/* applied, but not in the bundle */
	ST_DIRTY,	/* a no-transaction migration that did not finish */
};

struct plan_item {
	const struct manifest_migration *mig;	/* NULL when missing */
	const struct manifest_script *up;	/* NULL: a no-op here */
	const struct manifest_script *down;	/* NULL: no down script */
	const struct hist_row *row;		/* NULL: never applied */
	enum mig_state state;
	int out_of_order;	/* pending, below the newest applied version */
	enum dialect dialect;	/* the engine it is planned for */
};

struct plan {
	/* Versioned migrations by version, then repeatable ones by name. */
	struct plan_item *items;
	size_t nr, alloc;
	const char *current;	/* history_current; NULL: none */
	size_t count[ST_DIRTY + 1];
	size_t nr_out_of_order;
};

#define PLAN_INIT { NULL, 0, 0, NULL, { 0 }, 0 }

/* Build the plan of m against h for dialect d.  Fails (ERR_INTEGRITY) only
 * when the history is inconsistent in itself: two rows for one version. */
int plan_build(struct plan *p, const struct manifest *m, enum dialect d,
    const struct history *h, struct err *err);
void plan_release(struct plan *p);

/* What migpack's lint found at build in the up script it runs here, on
 * PostgreSQL (lint's rules are PostgreSQL's), not silenced, errors and
 * warnings: their number, and in b (when not NULL)
 * "RULE (line N), ..."; as a JSON array of {"rule", "severity", "line",
 * "message"}. */
struct buf;
size_t plan_item_lint(const struct plan_item *it, struct buf *b);
void plan_item_lint_json(const struct plan_item *it, struct buf *b);

/* The bundle's newest versioned migration for d, or NULL. */
const char *plan_latest(const struct plan *p);

/* The name or version a migration is known by in messages. */
const char *plan_item_label(const struct plan_item *it);
const char *plan_item_name(const struct plan_item *it);
const char *plan_item_version(const struct plan_item *it);
enum mig_kind plan_item_kind(const struct plan_item *it);

/* The checksum (hex) of the up script the item runs on this engine. */
const char *plan_item_sum(const struct plan_item *it);
/* Whether the item runs outside a transaction. */
int plan_item_notx(const struct plan_item *it);

const char *mig_state_name(enum mig_state s);

#endif
