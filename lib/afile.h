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
 * 3), ... (each freshly allocated), or with next NULL nothing is written
 * (ERR_INPUT); *final gets the name it got. */
int afile_commit_new(struct afile *f, char *(*next)(void *arg, unsigned n),
    void *arg, char **final, struct err *err);
/* Remove the temporary file; safe on a closed or never opened afile. */
void afile_abort(struct afile *f);

/*
 * Temporary files left by a writer that died.  SIGKILL cannot be caught,
 * so a killed writer leaves its temporary file behind: afile's "PATH.tmp.
 * XXXXXX", or a scratch file.  Each is locked (flock) by its writer from
 * its creation until it is gone, and the kernel drops the lock when the
 * writer dies: a file whose lock can be taken is a dead writer's.
 *
 * afile_sweep removes, in dir, such files among those match() names: our
 * own regular files, not a symlink, not another user's, not one whose
 * writer lives.  It says how many it removed; a file it cannot remove it
 * leaves.  afile_sweep_for does it for afile's temporary files of path.
 * Call it where no other writer of the same files can start meanwhile
 * (under a run lock) or accept that one may lose its new file to it: it
 * then takes another name, never writes into a removed one.
 */
unsigned afile_sweep(const char *dir, int (*match)(void *arg,
    const char *name), void *arg);
/* The same for the files named prefix and six characters of mkstemp's. */
unsigned afile_sweep_prefix(const char *dir, const char *prefix);
unsigned afile_sweep_for(const char *path);
/* Whether name is prefix and six characters of mkstemp's. */
int afile_temp_name(const char *name, const char *prefix);
/* A new temporary file "dir/prefixXXXXXX" of the caller's own (a database
 * copy), locked as afile's are, open on *fd; the caller removes it before
 * closing *fd.  Its name (caller frees), or NULL with err filled. */
char *afile_temp_new(const char *dir, const char *prefix, int *fd,
    struct err *err);

/* A temporary file of the caller's own (a database copy, say) that a fatal
 * signal must remove too; NULL once it is gone.  One at a time. */
void afile_scratch(const char *path);
/* A child whose work must not outlive us: a fatal signal kills it (and
 * waits for it) before anything else; 0 once it is gone.  One at a time. */
void afile_child(pid_t pid);

#endif
