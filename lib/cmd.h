#ifndef MIGPACK_CMD_H
#define MIGPACK_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * The front end both programs share (as libarchive's libarchive_fe): the
 * command table, dispatch, help.  Nothing below lib/'s core modules uses it.
 * A command returns 0 or an error code with err filled; main prints.
 */

struct option;
struct cmd_entry {
	const char *name;
	const struct option *opts;	/* getopt_long's, ending in zeros */
	const char *shortopts;	/* getopt's short options ("o:"), or NULL */
	const char *usage;	/* arguments, after "PROGRAM NAME " */
	const char *help;	/* what it does and its options */
	int (*exec)(int argc, char **argv, struct err *err);
};

extern const char *cmd_progname;

/* Dispatch argv[1] to its entry; handle --help, --version, help. */
int cmd_main(const char *progname, const struct cmd_entry *const *table,
    int argc, char **argv);

/* PROGRAM completion bash|zsh: print the completion script for shell,
 * written from table. */
int cmd_completion(const struct cmd_entry *const *table, const char *shell,
    struct err *err);

/* Print e's help on stdout; return 0. */
int cmd_help(const struct cmd_entry *e);
/* A usage error for e: "PROGRAM NAME: what; usage: ..." */
int cmd_usage(const struct cmd_entry *e, struct err *err, const char *what);
/* getopt_long's result for an unknown option or a missing argument. */
int cmd_bad_option(const struct cmd_entry *e, int argc, char **argv,
    struct err *err);

/* Say on stderr, in one line, that n temporary files a stopped run left
 * in where (a directory, or beside a file) were removed (afile_sweep);
 * nothing when n is 0. */
void cmd_swept(unsigned n, const char *where);

/* Parse a byte count with an optional K, M or G suffix (powers of 1024). */
int cmd_parse_size(const char *s, uint64_t *out);

#endif
