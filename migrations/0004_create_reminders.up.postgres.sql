-- Reminders set with the /remind command. A repeating reminder is rescheduled
-- by the bot after it fires; a one-shot reminder is only marked as sent.
CREATE TABLE reminders (
    id                       BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id                 BIGINT      NOT NULL
                                         REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    channel_id               BIGINT      NOT NULL,
    user_id                  BIGINT      NOT NULL,
    message                  TEXT        NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
    remind_at                TIMESTAMP   NOT NULL,
    repeat_interval_minutes  INTEGER     CHECK (repeat_interval_minutes IS NULL
                                                OR repeat_interval_minutes >= 5),
    is_sent                  BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at               TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- The scheduler only ever looks for pending reminders.
CREATE INDEX reminders_due_idx ON reminders (remind_at) WHERE is_sent = FALSE;
CREATE INDEX reminders_user_idx ON reminders (guild_id, user_id);
