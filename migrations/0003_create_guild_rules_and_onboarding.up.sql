-- Rules and onboarding use natural composite keys, so one script serves both engines.
CREATE TABLE guild_rules (
    guild_id     BIGINT      NOT NULL
                             REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    rule_number  INTEGER     NOT NULL CHECK (rule_number BETWEEN 1 AND 50),
    title        TEXT        NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    description  TEXT        NOT NULL,
    is_active    BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at   TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at   TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (guild_id, rule_number)
);

CREATE TABLE guild_onboarding_questions (
    guild_id      BIGINT      NOT NULL
                              REFERENCES bot_settings (guild_id) ON DELETE CASCADE,
    question_key  TEXT        NOT NULL CHECK (length(question_key) BETWEEN 1 AND 32),
    position      INTEGER     NOT NULL CHECK (position >= 1),
    prompt        TEXT        NOT NULL,
    answer_type   TEXT        NOT NULL DEFAULT 'text'
                              CHECK (answer_type IN ('text', 'choice', 'role')),
    is_required   BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (guild_id, question_key),
    UNIQUE (guild_id, position)
);

-- One answer per member and question.
CREATE TABLE onboarding (
    guild_id      BIGINT      NOT NULL,
    user_id       BIGINT      NOT NULL,
    question_key  TEXT        NOT NULL,
    answer        TEXT        NOT NULL,
    answered_at   TIMESTAMP   NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (guild_id, user_id, question_key),
    FOREIGN KEY (guild_id, question_key)
        REFERENCES guild_onboarding_questions (guild_id, question_key) ON DELETE CASCADE
);

CREATE INDEX onboarding_question_idx ON onboarding (guild_id, question_key);
