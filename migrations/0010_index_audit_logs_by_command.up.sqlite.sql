CREATE INDEX IF NOT EXISTS audit_logs_guild_command_idx ON audit_logs (guild_id, command_name, created_at);
CREATE INDEX IF NOT EXISTS audit_logs_user_idx ON audit_logs (user_id, created_at);
