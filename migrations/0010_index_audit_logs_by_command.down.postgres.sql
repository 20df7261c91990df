-- migpack:no-transaction
DROP INDEX CONCURRENTLY IF EXISTS audit_logs_user_idx;
DROP INDEX CONCURRENTLY IF EXISTS audit_logs_guild_command_idx;
