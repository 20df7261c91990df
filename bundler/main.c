/* migpack: builds, lists and verifies migration bundles. */
#include <stddef.h>

#include "cmd.h"
#include "commands.h"

static const struct cmd_entry *const commands[] = {
	&cmd_build_entry,
	&cmd_diff_entry,
	&cmd_keygen_entry,
	&cmd_lint_entry,
	&cmd_list_entry,
	&cmd_new_entry,
	&cmd_sign_entry,
	&cmd_verify_entry,
	NULL,
};

int main(int argc, char **argv)
{
	return cmd_main("migpack", commands, argc, argv);
}
