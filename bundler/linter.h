#ifndef MIGPACK_LINTER_H
#define MIGPACK_LINTER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "manifest.h"

/*
 * The PostgreSQL scripts of a bundle, parsed with PostgreSQL's own parser
 * (libpg_query) and checked against rules that say what a statement does
 * to a live database.  Every script PostgreSQL runs is parsed (its own
 * variant, else the one for every engine, when the bundle is for
 * PostgreSQL): a syntax error in an up script or a repeatable is an error
 * of the input (ERR_INPUT, file:line:column), in a down script a finding
 * (down-unparsable).  Up scripts and repeatables are then linted; the
 * runner's statement splitter is checked against the parser's on each.
 *
 * Findings go into the manifest (the migration's findings), so a bundle
 * carries them, and into the linter's list of hits, which says where each
 * is in the files the user has (the input folder, or the bundle).
 *
 * A statement is exempt from the lock and rewrite rules when it concerns a
 * table (or index) created earlier in the same script: it is new, empty and
 * seen by no one yet.  "-- migpack:allow RULE[,RULE]" on the line just
 * above a statement silences those rules for it; in the comments before a
 * script's first statement (not the line just above it), for the whole
 * script.  A silenced finding is kept, marked silenced.
 */

struct lint_rule {
	const char *id;
	enum severity severity;
	const char *what;	/* one line, for `migpack lint --rules` */
};

/* Every rule, ending with a NULL id. */
extern const struct lint_rule lint_rules[];

/* A finding, and where the user sees it. */
struct lint_hit {
	char *file;
	uint64_t line;
	size_t mig;		/* index in the manifest's migrations */
	size_t finding;		/* index in that migration's findings */
};

struct linter {
	struct manifest *m;
	int unparsed_warn;	/* --unparsed warn: an up script's syntax
				 * error is a warning, the script unlinted */
	struct lint_hit *hits;
	size_t nr, alloc;
	size_t count[SEV_NR];	/* not silenced */
	size_t silenced;
	size_t parsed;		/* scripts parsed */
	int no_down_allowed;	/* by the up script of allow_mig */
	size_t allow_mig;
	struct arena *arena;	/* the parse trees' memory */
};

void linter_init(struct linter *L, struct manifest *m, int unparsed_warn);
void linter_release(struct linter *L);

/* Whether script s of migration mig is PostgreSQL's to run, so linted. */
int lint_wants(const struct manifest *m, const struct manifest_migration *mig,
    const struct manifest_script *s);

/* Whether lint needs script s's text: PostgreSQL's, or an up script
 * whose comments may silence no-down. */
int lint_reads(const struct manifest *m, const struct manifest_migration *mig,
    const struct manifest_script *s);

/* Lint script s of the mig-th migration: text, len bytes with a NUL after
 * them, is the script as it will run; it is named file in messages, its
 * first line being line first_line there. */
int lint_script(struct linter *L, size_t mig, const struct manifest_script *s,
    const char *file, uint64_t first_line, const char *text, size_t len,
    struct err *err);

/* The findings of a migration as a whole (no-down), its up script named
 * file; after its scripts. */
void lint_migration(struct linter *L, size_t mig, const char *file);

/* Lint every script of the scanned folder l (L over l's manifest), or of
 * the bundle at path, whose manifest, its stored findings replaced by the
 * linter's, goes to *m (L over it). */
struct layout;
struct bundle_limits;
int lint_layout(struct linter *L, const struct layout *l, struct err *err);
int lint_bundle(struct linter *L, const char *path,
    const struct bundle_limits *limits, struct manifest *m, struct err *err);

/* The runner's splitter (split.h) against the parser's statements, ends[i]
 * being the offset of the i-th one's ';' ((size_t)-1 for a last one
 * without): each ';' ours ends a statement at is the parser's, a goose
 * block of ours may hold several of the parser's, and ours and the
 * parser's last statements without a ';' go together.  The offset of the
 * first disagreement, or (size_t)-1. */
size_t lint_split_check(const char *text, size_t len, const size_t *ends,
    size_t n);

/* One line per hit, "FILE:LINE: severity RULE: message", those of at least
 * severity min (and silenced ones only when silenced); then a summary. */
void lint_print(const struct linter *L, struct buf *out, enum severity min,
    int silenced);
void lint_summary(const struct linter *L, struct buf *out);
/* The hits as a JSON array. */
void lint_json(const struct linter *L, struct buf *out);

#endif
