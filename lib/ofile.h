#ifndef MIGPACK_OFILE_H
#define MIGPACK_OFILE_H

#include <stddef.h>

#include <zlib.h>

#include "afile.h"
#include "checksum.h"
#include "err.h"

/*
 * Streamed output of any size in constant memory: to standard output, or
 * atomically to a file (afile.h), gzip-compressed through zlib when asked.
 * The gzip stream is deterministic: no name and no time in its header, so
 * the same bytes in give the same file out.
 */
struct ofile {
	struct afile af;
	int fd;			/* STDOUT_FILENO or af.fd; -1: nowhere */
	struct checksum *sum;	/* what is written is summed here too */
	int gz;
	int zinit;
	z_stream z;
	size_t len;		/* bytes waiting in buf */
	unsigned char buf[1 << 16];
	unsigned char zbuf[1 << 16];
};

/* Output to path (NULL or "-": standard output); gz compresses. */
int ofile_open(struct ofile *o, const char *path, int gz, struct err *err);
/* Output nowhere, only its SHA-256 (sum, initialised by the caller) kept:
 * what a file would hold, without writing it. */
void ofile_open_sum(struct ofile *o, struct checksum *sum);
int ofile_write(struct ofile *o, const void *data, size_t len,
    struct err *err);
int ofile_puts(struct ofile *o, const char *s, struct err *err);
/* Flush, finish the gzip stream, and put a file in place. */
int ofile_commit(struct ofile *o, struct err *err);
/* The same, never replacing a file (afile_commit_new). */
int ofile_commit_new(struct ofile *o, char *(*next)(void *arg, unsigned n),
    void *arg, char **final, struct err *err);
/* Drop everything: a file's temporary is removed.  Safe after commit. */
void ofile_abort(struct ofile *o);

/* Whether path names gzip output (ends in ".gz"). */
int ofile_is_gz(const char *path);

#endif
