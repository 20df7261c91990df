#ifndef MIGPACK_COMMANDS_H
#define MIGPACK_COMMANDS_H

#include "cmd.h"

extern const struct cmd_entry cmd_build_entry;
extern const struct cmd_entry cmd_list_entry;
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

#endif
