-- Built-in FAQ entries (guild_id NULL: shown in every guild).
-- migrun seed --clear runs this file again: it replaces the built-in
-- entries rather than adding a second copy.
DELETE FROM faq_entries WHERE guild_id IS NULL;

INSERT INTO faq_entries (guild_id, question, answer, category) VALUES
    (NULL, 'How do I set a reminder?', 'Use /remind in:10m text:stretch your legs; that''s all.', 'reminders'),
    (NULL, 'How do I open a support ticket?', 'Run /ticket open <subject>.', 'tickets');
