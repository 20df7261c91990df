/* The options more than one command takes (commands.h). */
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "commands.h"
#include "xalloc.h"

int limit_option(int c, const char *arg, struct bundle_limits *limits)
{
	uint64_t *field = c == 'S' ? &limits->max_script :
	    c == 'T' ? &limits->max_total : &limits->max_ratio;

	return cmd_parse_size(arg, field) || *field == 0 ? -1 : 0;
}

int scan_option(int c, char *arg, struct scan_args *a, struct err *err)
{
	if (c == 'x') {
		if (!manifest_text_valid(arg))
			return err_set(err, ERR_INPUT, "--exclude '%s': empty, "
			    "or holds a control character or a backslash", arg);
		ALLOC_GROW(a->excludes, a->nr_excludes + 1, a->alloc_excludes);
		a->excludes[a->nr_excludes++] = arg;
	} else if (placeholders_add(&a->ph, arg)) {
		return err_set(err, ERR_INPUT, "--placeholder '%s': expected "
		    "NAME=VALUE", arg);
	}
	return 0;
}

int engines_option(const char *arg, unsigned *engines, struct err *err)
{
	if (engines_parse(arg, engines))
		return err_set(err, ERR_INPUT, "--engines '%s': expected "
		    "postgres, sqlite or postgres,sqlite", arg);
	return 0;
}

int unparsed_option(const char *arg, int *warn, struct err *err)
{
	if (strcmp(arg, "warn") && strcmp(arg, "error"))
		return err_set(err, ERR_INPUT, "--unparsed '%s': expected warn "
		    "or error", arg);
	*warn = !strcmp(arg, "warn");
	return 0;
}

const struct layout_opts *scan_args_opts(struct scan_args *a)
{
	a->opts.excludes = a->excludes;
	a->opts.nr_excludes = a->nr_excludes;
	a->opts.placeholders = &a->ph;
	a->opts.engines = a->engines;
	return &a->opts;
}

void scan_args_release(struct scan_args *a)
{
	free(a->excludes);
	placeholders_release(&a->ph);
}
