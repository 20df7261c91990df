#ifndef MIGPACK_AFILE_H
#define MIGPACK_AFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * Atomic file output: written to a temporary file beside the target, then
 * flushed, fsynced and renamed into place, so a reader sees the old file or
 * the complete new one, never a part.  A failure or an abort leaves nothing
 * behind.
 */
struct afile {
	char *path;
	char *tmp;
	int fd;
};

#define AFILE_INIT { NULL, NULL, -1 }

int afile_open(struct afile *f, const char *path, struct err *err);
/* Write all len bytes to fd, through short writes and EINTR: 0, or -1
 * with errno set. */
int fd_write_all(int fd, const void *data, size_t len);
int afile_write(struct afile *f, const void *data, size_t len,
    struct err *err);
int afile_commit(struct afile *f, struct err *err);
/* As afile_commit, but an existing file is never replaced: when the path
 * is taken, the file gets the first free name of next(arg, 2), next(arg,
 * 3), ... (each freshly allocated); *final gets the name it got. */
int afile_commit_new(struct afile *f, char *(*next)(void *arg, unsigned n),
    void *arg, char **final, struct err *err);
/* Remove the temporary file; safe on a closed or never opened afile. */
void afile_abort(struct afile *f);

/* A temporary file of the caller's own (a database copy, say) that a fatal
 * signal must remove too; NULL once it is gone.  One at a time. */
void afile_scratch(const char *path);
/* A child whose work must not outlive us: a fatal signal kills it (and
 * waits for it) before anything else; 0 once it is gone.  One at a time. */
void afile_child(pid_t pid);

#endif
