#ifndef MIGRUN_SPAWN_H
#define MIGRUN_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/*
 * A client program run as a child (pg_dump, psql), its standard input or
 * output on a pipe, its standard error kept (the end of it) for the
 * message when it fails.  Nothing goes through a shell.
 */
enum spawn_flags {
	SPAWN_STDIN = 1 << 0,	/* we write its standard input */
	SPAWN_STDOUT = 1 << 1,	/* we read its standard output */
};

struct child {
	const char *what;	/* its name, for messages */
	pid_t pid;
	int in, out, errfd;	/* our ends of its pipes; -1 */
	char tail[2048];	/* the last bytes of its standard error */
	size_t tail_len;
	int gone;		/* it stopped reading its input */
};

/* Start argv[0] (found on PATH unless it holds a '/') with environment
 * env; output not piped goes to /dev/null.  A program not found is a
 * clear error. */
int spawn_start(struct child *c, const char *what, char *const argv[],
    char *const env[], unsigned flags, struct err *err);

/* Pass data to its standard input; when it has stopped reading (it
 * exited), c->gone is set: spawn_finish then says why. */
int spawn_write(struct child *c, const void *data, size_t len,
    struct err *err);
/* Read its standard output: *n == 0 at the end. */
int spawn_read(struct child *c, void *buf, size_t len, size_t *n,
    struct err *err);

/* Close its input and wait for it; a failure exit or a signal is an error
 * with its own words. */
int spawn_finish(struct child *c, struct err *err);
/* Kill it and wait: what it was doing is not finished. */
void spawn_kill(struct child *c);

#endif
