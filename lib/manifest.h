#ifndef MIGPACK_MANIFEST_H
#define MIGPACK_MANIFEST_H

#include <stddef.h>

#include "buf.h"
#include "checksum.h"
#include "err.h"

/*
 * The manifest: what a bundle holds.  Its text form is the MANIFEST file at
 * the head of every bundle, one record per line, fields separated by tabs:
 *
 *   migpack-manifest	1
 *   name	NAME
 *   release	RELEASE
 *   created	2024-01-01T00:00:00Z			(only with SOURCE_DATE_EPOCH)
 *   engines	postgres,sqlite|postgres|sqlite		(absent: both)
 *   exclude	GLOB					(migpack build --exclude)
 *   excluded	PATH					(what they left out)
 *   migration	versioned	VERSION	NAME
 *   script	up|down	any|postgres|sqlite	transaction|no-transaction	sha256:HEX	PATH
 *   migration	repeatable	-	NAME
 *   script	up	...
 *   finding	up|down	any|postgres	LINE	RULE	error|warning|info	-|silenced	MESSAGE
 *   seed	PROFILE	TABLE|-	csv|sql	sha256:HEX	PATH
 *
 * finding lines are what migpack's lint found in a script of the migration
 * above them (LINE in the script, 1-based), after its script lines.
 * engines says which engines the bundle is for (migpack build --engines):
 * migrun refuses it on another.  It and the exclude lines come before the
 * first migration; exclude lines come in the order given, excluded lines in path order (a
 * folder's ends in '/'), both before the first migration.  Script lines
 * belong to the migration line above them.  Versioned
 * migrations come first in version order, then repeatable ones in name
 * order, then seeds by profile and file name: the order of the files in the
 * archive.
 */

#define MANIFEST_FORMAT 1
#define MANIFEST_NAME "MANIFEST"
#define SUMS_NAME "SHA256SUMS"
#define SIG_NAME "SHA256SUMS.minisig"

enum mig_kind { KIND_VERSIONED, KIND_REPEATABLE };
enum script_role { ROLE_UP, ROLE_DOWN };
enum dialect { DIALECT_ANY, DIALECT_POSTGRES, DIALECT_SQLITE, DIALECT_NR };
enum tx_mode { TX_TRANSACTION, TX_NONE };
enum seed_format { SEED_CSV, SEED_SQL };
enum severity { SEV_ERROR, SEV_WARNING, SEV_INFO, SEV_NR };

struct manifest_file {
	char *path;			/* inside the bundle */
	char sha256[CHECKSUM_HEX_LEN + 1];
	enum seed_format format;	/* scripts are SQL */
	int is_seed;
};

struct manifest_script {
	enum script_role role;
	enum dialect dialect;
	enum tx_mode tx;
	struct manifest_file file;
};

/* What lint found in one of a migration's scripts. */
struct manifest_finding {
	enum script_role role;
	enum dialect dialect;		/* the script's */
	unsigned line;			/* in the script, 1-based */
	char *rule;			/* a stable id: "drop-table" */
	enum severity severity;
	int silenced;			/* by -- migpack:allow */
	char *message;
};

struct manifest_migration {
	enum mig_kind kind;
	char *version;			/* NULL when repeatable */
	char *name;
	struct manifest_script *scripts;
	size_t nr_scripts, alloc_scripts;
	struct manifest_finding *findings;
	size_t nr_findings, alloc_findings;
};

struct manifest_seed {
	char *profile;
	char *table;			/* NULL for SQL seeds */
	struct manifest_file file;
};

/* A set of engines: a bit per dialect. */
#define ENGINE_BIT(d) (1u << (d))
#define ENGINES_ALL (ENGINE_BIT(DIALECT_POSTGRES) | ENGINE_BIT(DIALECT_SQLITE))

struct manifest {
	char *name;
	char *release;
	char *created;			/* NULL when not set */
	unsigned engines;		/* ENGINE_BITs; 0 reads as ENGINES_ALL */
	struct manifest_migration *migrations;
	size_t nr_migrations, alloc_migrations;
	struct manifest_seed *seeds;
	size_t nr_seeds, alloc_seeds;
	char **excludes;		/* the patterns */
	size_t nr_excludes, alloc_excludes;
	char **excluded;		/* the paths they left out */
	size_t nr_excluded, alloc_excluded;
};

#define MANIFEST_INIT { 0 }

void manifest_release(struct manifest *m);

/* Builders: the returned pointers stay valid until the next add. */
struct manifest_migration *manifest_add_migration(struct manifest *m,
    enum mig_kind kind, const char *version, const char *name);
struct manifest_script *manifest_add_script(struct manifest_migration *mig,
    enum script_role role, enum dialect dialect);
struct manifest_finding *manifest_add_finding(struct manifest_migration *mig,
    enum script_role role, enum dialect dialect, unsigned line,
    const char *rule, enum severity sev, const char *message);
struct manifest_seed *manifest_add_seed(struct manifest *m,
    const char *profile, const char *table, enum seed_format format,
    const char *path);
void manifest_add_exclude(struct manifest *m, const char *glob);
void manifest_add_excluded(struct manifest *m, const char *path);

/* The canonical path of a script inside the bundle (caller frees). */
char *manifest_script_path(const struct manifest_migration *mig,
    const struct manifest_script *s);

/* Every file in archive order (scripts, then seeds); caller frees the array
 * only. */
size_t manifest_files(const struct manifest *m, struct manifest_file ***out);

/* Whether the bundle is for engine d. */
int manifest_for_engine(const struct manifest *m, enum dialect d);
/* An engine set as written: "postgres,sqlite", "postgres" or "sqlite"; the
 * reverse (either order), 0 or -1 for anything else. */
void engines_write(unsigned engines, struct buf *out);
int engines_parse(const char *s, unsigned *out);

/* The newest versioned migration's version, "0" when there is none. */
const char *manifest_newest(const struct manifest *m);

/* The script of a migration for an engine: the engine's own variant, else
 * the one for any engine; NULL when there is none. */
const struct manifest_script *manifest_script_for(
    const struct manifest_migration *mig, enum script_role role,
    enum dialect d);

/* Check the rules of one migration: at least one up script, no two scripts
 * for the same role and dialect, no down where that dialect has no up, no
 * down in a repeatable migration.  On failure return the offending script's
 * index in *bad and a reason. */
int manifest_migration_check(const struct manifest_migration *mig,
    size_t *bad, const char **why);

/* Whether a value may be stored in a manifest field: non-empty, no control
 * characters, no backslash; path components additionally not "/". */
int manifest_name_valid(const char *s);
/* The same, '/' allowed: a pattern or a path left out. */
int manifest_text_valid(const char *s);
/* A relative path inside the bundle: no leading '/', no empty, "." or ".."
 * components, every component a valid name. */
int manifest_path_safe(const char *p);

/* The text forms. */
void manifest_write(const struct manifest *m, struct buf *out);
void manifest_write_sums(const struct manifest *m, const char *manifest_sha,
    struct buf *out);
int manifest_parse(struct manifest *m, const char *text, size_t len,
    struct err *err);

const char *dialect_name(enum dialect d);
const char *role_name(enum script_role r);
const char *tx_name(enum tx_mode t);
const char *kind_name(enum mig_kind k);
const char *seed_format_name(enum seed_format f);
const char *severity_name(enum severity s);
/* The reverse of kind_name and tx_name: 0, or -1 for an unknown name. */
int kind_parse(const char *s, enum mig_kind *out);
int tx_parse(const char *s, enum tx_mode *out);

#endif
