#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

#ifndef MIGPACK_VERSION
#define MIGPACK_VERSION "unknown"
#endif

const char *cmd_progname = "migpack";

int cmd_help(const struct cmd_entry *e)
{
	printf("usage: %s %s %s\n\n%s", cmd_progname, e->name, e->usage,
	    e->help);
	return 0;
}

int cmd_usage(const struct cmd_entry *e, struct err *err, const char *what)
{
	return err_set(err, ERR_INPUT, "%s: %s\nusage: %s %s %s", e->name, what,
	    cmd_progname, e->name, e->usage);
}

int cmd_bad_option(const struct cmd_entry *e, int argc, char **argv,
    struct err *err)
{
	char what[256];

	/* getopt_long has stepped past the option as the user typed it. */
	snprintf(what, sizeof(what), "'%s': unknown option or missing argument",
	    optind > 0 && optind <= argc ? argv[optind - 1] : "?");
	return cmd_usage(e, err, what);
}

void cmd_swept(unsigned n, const char *where)
{
	if (n)
		fprintf(stderr, "%s: removed %u temporary file%s that a "
		    "stopped run left in '%s'\n", cmd_progname, n,
		    n == 1 ? "" : "s", where);
}

int cmd_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	}
	if (*end || v > (~0ULL >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static void list_commands(FILE *f, const struct cmd_entry *const *table)
{
	fprintf(f, "usage: %s COMMAND [ARGS]\n\ncommands:\n", cmd_progname);
	for (; *table; table++)
		fprintf(f, "  %s %s\n", (*table)->name, (*table)->usage);
	fprintf(f, "  completion bash|zsh\n");
	fprintf(f, "\n'%s COMMAND --help' describes a command; '%s --version' "
	    "prints the version.\n", cmd_progname, cmd_progname);
}

int cmd_main(const char *progname, const struct cmd_entry *const *table,
    int argc, char **argv)
{
	const struct cmd_entry *const *e;
	struct err err = ERR_INIT;
	const char *name = argc > 1 ? argv[1] : NULL;
	int ret;

	cmd_progname = progname;
	if (!name) {
		list_commands(stderr, table);
		return ERR_INPUT;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("%s %s\n", progname, MIGPACK_VERSION);
		return fflush(stdout) ? ERR_RUNTIME : 0;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		for (e = table; argc > 2 && *e; e++)
			if (!strcmp((*e)->name, argv[2]))
				return cmd_help(*e);
		if (argc > 2 && !strcmp(argv[2], "completion"))
			return cmd_completion(table, "--help", &err);
		list_commands(stdout, table);
		return 0;
	}
	if (!strcmp(name, "completion")) {
		if (!(ret = cmd_completion(table, argc == 3 ? argv[2] : NULL,
		    &err)) && (fflush(stdout) || ferror(stdout)))
			ret = err_errno(&err, ERR_RUNTIME, "write error on "
			    "stdout");
		if (ret)
			err_print(progname, &err);
		return ret;
	}
	for (e = table; *e; e++)
		if (!strcmp((*e)->name, name))
			break;
	if (!*e) {
		fprintf(stderr, "%s: '%s' is not a command; see '%s --help'\n",
		    progname, name, progname);
		return ERR_INPUT;
	}
	opterr = 0;
	optind = 1;
	ret = (*e)->exec(argc - 1, argv + 1, &err);
	/* A failed write to stdout is an error too (as git checks). */
	if (!ret && (fflush(stdout) || ferror(stdout)))
		ret = err_errno(&err, ERR_RUNTIME, "write error on stdout");
	if (ret)
		err_print(progname, &err);
	return ret;
}
