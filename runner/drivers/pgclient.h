#ifndef MIGRUN_PGCLIENT_H
#define MIGRUN_PGCLIENT_H

#include <libpq-fe.h>

#include "driver.h"

/*
 * The PostgreSQL driver's backup and restore (driver.h), through the
 * server's own client programs run as children, connected as conn is
 * (display: the target as shown, password redacted).  A backup is of the
 * whole database, or with schema of that schema alone.
 */
int pgclient_backup(PGconn *conn, const char *display, const char *schema,
    const struct backup_io *io, struct err *err);
int pgclient_restore(PGconn *conn, const char *display, const char *path,
    const struct backup_io *io, struct err *err);

#endif
