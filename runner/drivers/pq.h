#ifndef MIGRUN_PQ_H
#define MIGRUN_PQ_H

/*
 * libpq, loaded when the first PostgreSQL URL is opened rather than linked.
 * Its TLS, Kerberos and LDAP libraries then cost a SQLite run nothing (they
 * were half of migrun's start-up and a third of its memory), and migrun runs
 * on a host without libpq as long as it only touches SQLite.
 *
 * Every libpq function the runner calls is listed once here; call them
 * through the table: pq.PQexec(conn, sql).
 */
#include <libpq-fe.h>

#include "err.h"

#ifndef LIBPQ_SONAME
#define LIBPQ_SONAME "libpq.so.5"
#endif

#define PQ_FUNCTIONS(X) \
	X(PQclear) X(PQcmdStatus) X(PQcmdTuples) X(PQconnectdbParams) \
	X(PQconninfo) X(PQconninfoFree) X(PQconninfoParse) X(PQdb) \
	X(PQerrorMessage) X(PQfname) X(PQnfields) X(PQputCopyData) \
	X(PQescapeIdentifier) X(PQexec) X(PQexecParams) X(PQexecPrepared) \
	X(PQfinish) X(PQfreemem) X(PQgetCopyData) X(PQgetResult) \
	X(PQgetisnull) X(PQgetvalue) X(PQntuples) X(PQprepare) \
	X(PQputCopyEnd) X(PQresStatus) X(PQresultErrorField) \
	X(PQresultErrorMessage) X(PQresultStatus) X(PQserverVersion) \
	X(PQsetNoticeProcessor) X(PQstatus) X(PQtransactionStatus) \
	X(PQsendQuery) X(PQisBusy) X(PQconsumeInput) X(PQsocket) \
	X(PQbackendPID)

struct pq {
#define PQ_MEMBER(f) __typeof__(f) *f;
	PQ_FUNCTIONS(PQ_MEMBER)
#undef PQ_MEMBER
};

/* Filled by pq_load; unusable before it succeeds. */
extern struct pq pq;

/* Load libpq once; later calls return the first call's result.  On
 * failure the message begins with who (the database, as shown). */
int pq_load(const char *who, struct err *err);

#endif
