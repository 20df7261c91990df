-- Support tickets opened with /ticket. closed_at is set exactly when the
-- ticket is closed.
CREATE TABLE support_tickets (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id      BIGINT      NOT NULL
                              REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    channel_id    BIGINT,
    opened_by     BIGINT      NOT NULL,
    assigned_to   BIGINT,
    subject       TEXT        NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    status        TEXT        NOT NULL DEFAULT 'open'
                              CHECK (status IN ('open', 'pending', 'closed')),
    priority      INTEGER     NOT NULL DEFAULT 2 CHECK (priority BETWEEN 1 AND 4),
    close_reason  TEXT,
    created_at    TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at    TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    closed_at     TIMESTAMP,
    CHECK ((status = 'closed' AND closed_at IS NOT NULL)
           OR (status <> 'closed' AND closed_at IS NULL))
);

CREATE INDEX support_tickets_guild_status_idx ON support_tickets (guild_id, status);
CREATE INDEX support_tickets_opened_by_idx ON support_tickets (opened_by);
