DROP INDEX settings_history_guild_changed_idx;
DROP TABLE settings_history;
