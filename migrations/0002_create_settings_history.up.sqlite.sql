-- Audit trail of settings changes. On SQLite an INTEGER PRIMARY KEY is the
-- rowid and is assigned automatically (no AUTOINCREMENT: it would leave a
-- sqlite_sequence table behind after the down migration).
CREATE TABLE settings_history (
    id           INTEGER     PRIMARY KEY,
    guild_id     BIGINT      NOT NULL
                             REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    setting_key  TEXT        NOT NULL CHECK (length(setting_key) > 0),
    old_value    TEXT,
    new_value    TEXT,
    changed_by   BIGINT      NOT NULL,
    changed_at   TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX settings_history_guild_changed_idx ON settings_history (guild_id, changed_at);
