-- Audit trail of settings changes.
CREATE TABLE settings_history (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id     BIGINT      NOT NULL
                             REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    setting_key  TEXT        NOT NULL CHECK (length(setting_key) > 0),
    old_value    TEXT,
    new_value    TEXT,
    changed_by   BIGINT      NOT NULL,
    changed_at   TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX settings_history_guild_changed_idx ON settings_history (guild_id, changed_at);
