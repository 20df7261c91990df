DROP INDEX IF EXISTS audit_logs_user_idx;
DROP INDEX IF EXISTS audit_logs_guild_command_idx;
