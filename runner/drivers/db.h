#ifndef MIGRUN_DB_H
#define MIGRUN_DB_H

#include "driver.h"

/*
 * Which database a command talks to: --db URL, else $DATABASE_URL, else
 * DB_DEFAULT.  "sqlite:PATH", "sqlite:///abs/path" and a plain path ending
 * in .db, .sqlite or .sqlite3 open SQLite; postgres:// and postgresql://
 * URLs and libpq "key=value" strings open PostgreSQL through libpq.
 */
#define DB_DEFAULT "sqlite:migpack.db"

/* The URL to use: url when given, else the environment's, else default. */
const char *db_url(const char *url);

/* The engine url names, without opening it. */
int db_dialect(const char *url, enum dialect *d, struct err *err);

/* Open url with the driver it names. */
int db_open(struct db **out, const char *url, const struct db_opts *opts,
    struct err *err);
void db_close(struct db *db);

/* Mask every form url's password takes (as written, percent-encoded or
 * quoted, and as libpq decodes it) in b with "***". */
struct buf;
void db_mask(struct buf *b, const char *url);
/* url with any password replaced by "***" (caller frees). */
char *db_redact(const char *url);
/* Replace any password of url that appears in err's message by "***". */
void db_scrub(struct err *err, const char *url);

#endif
