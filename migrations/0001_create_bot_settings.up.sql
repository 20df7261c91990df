-- Per-guild bot configuration. guild_id is the Discord snowflake of the guild,
-- so it is a natural key and needs no identity column on either engine.
CREATE TABLE bot_settings (
    guild_id            BIGINT      NOT NULL PRIMARY KEY,
    guild_name          TEXT        NOT NULL,
    prefix              TEXT        NOT NULL DEFAULT '!'
                                    CHECK (length(prefix) BETWEEN 1 AND 5),
    locale              TEXT        NOT NULL DEFAULT 'en-US',
    welcome_channel_id  BIGINT,
    welcome_message     TEXT        NOT NULL
                                    DEFAULT 'Welcome to {server}, {user}; please read #rules first!',
    log_channel_id      BIGINT,
    moderation_enabled  BOOLEAN     NOT NULL DEFAULT TRUE,
    tickets_enabled     BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX bot_settings_locale_idx ON bot_settings (locale);
