/* migrun: applies migration bundles to SQLite and PostgreSQL databases.
 * The commands arrive with the runner's own issue; until then it knows its
 * version and says what it is. */
#include <stddef.h>

#include "cmd.h"

static const struct cmd_entry *const commands[] = {
	NULL,
};

int main(int argc, char **argv)
{
	return cmd_main("migrun", commands, argc, argv);
}
