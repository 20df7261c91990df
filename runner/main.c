/* migrun: applies migration bundles to SQLite and PostgreSQL databases. */
#include <stddef.h>

#include "cmd.h"
#include "runner.h"

static const struct cmd_entry *const commands[] = {
	&cmd_apply_entry,
	&cmd_status_entry,
	&cmd_history_entry,
	&cmd_down_entry,
	&cmd_stamp_entry,
	&cmd_verify_entry,
	&cmd_repair_entry,
	&cmd_sql_entry,
	&cmd_backup_entry,
	&cmd_restore_entry,
	&cmd_seed_entry,
	&cmd_check_entry,
	&cmd_review_entry,
	NULL,
};

int main(int argc, char **argv)
{
	return cmd_main("migrun", commands, argc, argv);
}
