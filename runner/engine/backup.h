#ifndef MIGRUN_BACKUP_H
#define MIGRUN_BACKUP_H

#include "driver.h"

/*
 * Backups: one gzip file per backup in a directory,
 *
 *   DIR/<database>-<UTC yyyymmddTHHMMSSZ>-<version>.<db|sql>.gz
 *
 * ("-2", "-3", ... after the version when that name is taken), written to
 * a temporary file, fsynced and renamed, and the newest `keep` of that
 * database kept.  What a backup holds is the driver's (backup_ext): a
 * SQLite database file, or pg_dump's SQL script.
 */
struct backup_opts {
	const char *dir;	/* default "backups" */
	unsigned keep;		/* how many to keep; 0: all */
	const char *tool;	/* pg_dump; NULL: from PATH */
	int skip;		/* --no-backup */
};

#define BACKUP_DIR "backups"
#define BACKUP_KEEP 10
#define BACKUP_OPTS_INIT { BACKUP_DIR, BACKUP_KEEP, NULL, 0 }

/* Back db up, at version (NULL: "base"); *path gets the file's name
 * (caller frees).  Then remove that database's backups beyond keep.
 * First, the temporary files of this database's backups that a stopped
 * run left in the directory are removed: *swept says how many. */
int backup_take(struct db *db, const char *version,
    const struct backup_opts *o, char **path, unsigned *swept,
    struct err *err);

/* name as a file name's part (caller frees): bytes a shell or another
 * system would trip on become '_', and a first '-' or '.' (an option, a
 * hidden file, "..").  A database's backups begin so, and a fleet
 * target's folder of them is its label so. */
char *backup_file_part(const char *name);

/* Whether path is named as a backup of db's engine: "...<ext>.gz". */
int backup_ext_ok(const struct db *db, const char *path);

#endif
