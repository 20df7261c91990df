-- FAQ entries. A NULL guild_id marks a built-in entry shown in every guild.
CREATE TABLE faq_entries (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id      BIGINT      REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    question      TEXT        NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    answer        TEXT        NOT NULL,
    category      TEXT        NOT NULL DEFAULT 'general',
    view_count    INTEGER     NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    is_published  BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX faq_entries_guild_category_idx ON faq_entries (guild_id, category);

-- What members searched for, and which entry (if any) answered them.
CREATE TABLE faq_search_logs (
    id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id        BIGINT      NOT NULL
                                REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    user_id         BIGINT      NOT NULL,
    query           TEXT        NOT NULL,
    matched_faq_id  BIGINT      REFERENCES faq_entries (id) ON DELETE SET NULL,
    searched_at     TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX faq_search_logs_guild_searched_idx ON faq_search_logs (guild_id, searched_at);

-- Command usage analytics. guild_id is NULL for commands used in DMs, and
-- the log outlives a guild that removes the bot.
CREATE TABLE audit_logs (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id      BIGINT      REFERENCES bot_settings (guild_id) ON DELETE SET NULL,
    user_id       BIGINT      NOT NULL,
    command_name  TEXT        NOT NULL,
    options       TEXT,
    success       BOOLEAN     NOT NULL DEFAULT TRUE,
    error_message TEXT,
    duration_ms   INTEGER     CHECK (duration_ms >= 0),
    created_at    TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX audit_logs_created_idx ON audit_logs (created_at);
