#ifndef MIGPACK_ERR_H
#define MIGPACK_ERR_H

/*
 * Errors are returned, never printed, inside the library.  A function that
 * can fail takes a `struct err *`, fills it with one complete message and the
 * class of the failure, and returns that class (non-zero).  Only a program's
 * main prints the message and turns the class into its exit status.
 */

enum err_code {
	ERR_OK = 0,
	ERR_RUNTIME = 1,	/* I/O, out of resources, database failure */
	ERR_INPUT = 2,		/* usage or malformed input */
	ERR_INTEGRITY = 3,	/* checksum, signature or drift */
	ERR_LOCK = 4,		/* lock not obtained */
	ERR_LINT = 5,		/* lint found an error (or, strict, a warning) */
};

struct err {
	enum err_code code;
	char msg[1024];
};

#define ERR_INIT { ERR_OK, "" }

#if defined(__GNUC__)
#define ATTR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define ATTR_NORETURN __attribute__((noreturn))
#else
#define ATTR_PRINTF(f, a)
#define ATTR_NORETURN
#endif

/* Fill err (if not NULL) and return code. */
int err_set(struct err *err, enum err_code code, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

/* As err_set, with ": strerror(errno)" appended; errno is read on entry. */
int err_errno(struct err *err, enum err_code code, const char *fmt, ...)
	ATTR_PRINTF(3, 4);

/* Append to err's message what it means for the user (the outcome: "the
 * database is at ..."), formatted.  The outcome is never cut: when both do
 * not fit, the message before it is, with "...". */
void err_append(struct err *err, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* err's message with prefix before it (the message's end is what gives
 * way); returns err's code. */
int err_prefix(struct err *err, const char *prefix);

/* Print "PROGRAM: MESSAGE" on stderr, as every command's caller does. */
void err_print(const char *program, const struct err *err);

/* An impossible state: report where and abort. */
#define BUG(...) bug_fl(__FILE__, __LINE__, __VA_ARGS__)
void bug_fl(const char *file, int line, const char *fmt, ...)
	ATTR_PRINTF(3, 4) ATTR_NORETURN;

#endif
