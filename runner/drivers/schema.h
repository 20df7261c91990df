#ifndef MIGRUN_SCHEMA_H
#define MIGRUN_SCHEMA_H

#include "buf.h"
#include "driver.h"

/*
 * A schema snapshot: what a database's schema holds, one line per object,
 * "KIND NAME" or "KIND NAME: DETAIL", sorted; the same shape on every
 * engine.  Tables, columns (type, not null, default), constraints, indexes,
 * views, sequences, functions, triggers, types, extensions and schemas, as
 * far as the engine has them; the history table and what belongs to it
 * left out.  The driver gives the catalog queries (drv->schema_sql): each
 * returns rows of (key, detail), detail NULL when there is none.  A
 * detail's runs of blanks are one space.
 */
struct schema {
	char **lines;
	size_t nr, alloc;
};

#define SCHEMA_INIT { NULL, 0, 0 }

/* Each driver's catalog queries (driver.h). */
extern const char *const sqlite_schema_sql[];
extern const char sqlite_schema_tables_sql[];
extern const char *const sqlite_schema_table_sql[];
extern const char *const pg_schema_sql[];

/* The parts of the tables a snapshot read, by what they follow from, for
 * the next snapshot of the same database to reuse. */
struct schema_cache {
	struct cached_table {
		char *table, *key;
		char **lines;
		size_t nr;
	} *t;
	size_t nr, alloc;
};

#define SCHEMA_CACHE_INIT { NULL, 0, 0 }

/* Read db's schema; history is the history table's name as the keys name
 * it ("migpack_history", or "app.migpack_history" outside public); cache
 * may be NULL. */
int schema_read(struct db *db, const char *history,
    struct schema_cache *cache, struct schema *out, struct err *err);
void schema_release(struct schema *s);
void schema_cache_release(struct schema_cache *c);

/* How is differs from want, first difference first (in key order). */
enum schema_diff { SCHEMA_SAME, SCHEMA_EXTRA, SCHEMA_MISSING,
    SCHEMA_CHANGED };
struct schema_delta {
	enum schema_diff diff;
	char *object;		/* "column users.email" */
	char *is, *want;	/* the details, when CHANGED */
	size_t count;		/* differences in all */
};

void schema_compare(const struct schema *is, const struct schema *want,
    struct schema_delta *d);
void schema_delta_release(struct schema_delta *d);

#endif
