#ifndef MIGPACK_COMMANDS_H
#define MIGPACK_COMMANDS_H

#include "cmd.h"

extern const struct cmd_entry cmd_build_entry;
extern const struct cmd_entry cmd_diff_entry;
extern const struct cmd_entry cmd_keygen_entry;
extern const struct cmd_entry cmd_lint_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_new_entry;
extern const struct cmd_entry cmd_sign_entry;
extern const struct cmd_entry cmd_verify_entry;

/* Options shared by the commands that read a bundle: the reader's caps. */
#define LIMIT_OPTIONS \
	{ "max-script-size", required_argument, NULL, 'S' }, \
	{ "max-total-size", required_argument, NULL, 'T' }, \
	{ "max-ratio", required_argument, NULL, 'R' }
#define LIMIT_HELP \
	"  --max-script-size N  refuse a script over N bytes (default 64M)\n" \
	"  --max-total-size N   refuse more than N bytes uncompressed\n" \
	"                       (default 16G)\n" \
	"  --max-ratio N        refuse a compression ratio over N:1 past\n" \
	"                       16 MiB (default 200)\n"

struct bundle_limits;
/* Take one of LIMIT_OPTIONS into limits; 0, or -1 if the value is bad. */
int limit_option(int c, const char *arg, struct bundle_limits *limits);

/* Options shared by the commands that scan a folder: how to read it. */
#define SCAN_OPTIONS \
	{ "exclude", required_argument, NULL, 'x' }, \
	{ "placeholder", required_argument, NULL, 'p' }
#define SCAN_HELP \
	"  --exclude GLOB       leave out what matches GLOB, a path in\n" \
	"                       DIR ('*' stops at '/'; a folder goes\n" \
	"                       whole); repeatable; the manifest lists\n" \
	"                       the patterns and what they left out\n" \
	"  --placeholder NAME=VALUE\n" \
	"                       Flyway scripts' ${NAME} becomes VALUE;\n" \
	"                       repeatable\n"

#include "layout.h"
#include "placeholder.h"
#include "signing.h"

struct scan_args {
	char **excludes;
	size_t nr_excludes, alloc_excludes;
	struct placeholders ph;
	unsigned engines;		/* build --engines */
	struct layout_opts opts;
};

/* Take one of SCAN_OPTIONS into a: 0, or ERR_INPUT naming the bad value.
 * The option arguments are kept, not copied. */
int scan_option(int c, char *arg, struct scan_args *a, struct err *err);
/* --engines E: 0, or ERR_INPUT naming the bad value. */
int engines_option(const char *arg, unsigned *engines, struct err *err);

/* The lint options of build and lint. */
#define LINT_OPTIONS \
	{ "strict", no_argument, NULL, 's' }, \
	{ "unparsed", required_argument, NULL, 'u' }
#define LINT_HELP \
	"  --strict             a warning fails too (exit 5)\n" \
	"  --unparsed warn      an up script PostgreSQL's parser refuses is\n" \
	"                       a warning, not an error (a history written\n" \
	"                       for a newer PostgreSQL); it is not linted\n"
/* build's signing options (sign has --key for --sign). */
#define SIGN_OPTIONS \
	{ "sign", required_argument, NULL, 'k' }, \
	{ "detached", no_argument, NULL, 'd' }
#define SIGN_HELP \
	"  --sign SECFILE       sign the bundle with this minisign secret\n" \
	"                       key (password: $MIGPACK_PASSWORD, else asked\n" \
	"                       on the terminal); see 'migpack sign'\n" \
	"  --detached           also write OUT.minisig, a signature of the\n" \
	"                       whole file\n"

/* --unparsed error|warn: 0, or ERR_INPUT. */
int unparsed_option(const char *arg, int *warn, struct err *err);

/* A release to compare: a migrations folder (scanned with o, which may be
 * NULL; named after the folder, its release its newest version) or a
 * bundle (verified like any bundle before it is trusted). */
int release_load(const char *path, const struct layout_opts *o,
    struct manifest *m, struct err *err);

/* How to scan, over what the options gave. */
const struct layout_opts *scan_args_opts(struct scan_args *a);
void scan_args_release(struct scan_args *a);

#endif
