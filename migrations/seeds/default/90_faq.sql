-- Built-in FAQ entries (guild_id NULL: shown in every guild). Numbered seed
-- files sort before the CSV files, so this file references no guild rows.
-- id and the timestamps come from their column defaults.
-- migrun seed --clear runs this file again: it replaces the built-in
-- entries rather than adding a second copy.
DELETE FROM faq_entries WHERE guild_id IS NULL;

INSERT INTO faq_entries (guild_id, question, answer, category, view_count, is_published) VALUES
    (NULL, 'How do I change the command prefix?', 'Run /settings prefix <new prefix>. Prefixes are 1 to 5 characters long.', 'settings', 412, TRUE),
    (NULL, 'How do I set the welcome message?', 'Run /settings welcome <text>. Use {user} for the member and {server} for the server name; everything else is sent as written.', 'settings', 389, TRUE),
    (NULL, 'Which languages does the bot speak?', 'English, German, French, Spanish, Portuguese, Polish, Norwegian and Japanese. Set one with /settings locale.', 'settings', 97, TRUE),
    (NULL, 'Where do moderation logs go?', 'To the channel set with /settings logs #channel. Without one, nothing is logged.', 'moderation', 156, TRUE),
    (NULL, 'How do I turn moderation off?', 'Run /settings moderation off. Existing rules stay; they are just not enforced.', 'moderation', 44, TRUE),
    (NULL, 'How do I add a server rule?', 'Run /rules add <title> <text>. Rules are numbered in the order you add them; reorder with /rules move.', 'rules', 231, TRUE),
    (NULL, 'Can I hide a rule without deleting it?', 'Yes: /rules disable <number> keeps the rule but hides it from /rules.', 'rules', 38, TRUE),
    (NULL, 'How do I set a reminder?', 'Use /remind in:10m text:stretch your legs -- it''s that simple.', 'reminders', 874, TRUE),
    (NULL, 'Can reminders repeat?', 'Yes. Add every:1h (minimum 5 minutes); stop it with /remind cancel <id>.', 'reminders', 301, TRUE),
    (NULL, 'Why did my reminder not fire?', 'The bot needs permission to post in that channel; check its role, then the channel overrides.', 'reminders', 122, TRUE),
    (NULL, 'How do I open a support ticket?', 'Run /ticket open <subject>. A private channel is created for you and the staff.', 'tickets', 655, TRUE),
    (NULL, 'How do I close my ticket?', 'Run /ticket close [reason] inside the ticket channel.', 'tickets', 210, TRUE),
    (NULL, 'Who can see my ticket?', 'You, the staff roles chosen with /settings tickets, and server administrators.', 'tickets', 143, TRUE),
    (NULL, 'What does "pending" mean on a ticket?', 'Staff replied and are waiting on you; it reopens when you answer.', 'tickets', 67, TRUE),
    (NULL, 'How does onboarding work?', 'New members answer the questions set with /onboarding add; answers are visible to staff only.', 'onboarding', 88, TRUE),
    (NULL, 'Can members change their onboarding answers?', 'Yes, with /onboarding redo. Only the latest answer is kept.', 'onboarding', 19, TRUE),
    (NULL, 'Does the bot store my messages?', 'No. It stores settings, reminders, tickets and which commands were used; never message content.', 'privacy', 502, TRUE),
    (NULL, 'How do I delete my data?', 'Open a ticket with the subject "delete my data"; staff will confirm within 7 days.', 'privacy', 75, TRUE),
    (NULL, 'How do I invite the bot to another server?', 'Use the Add to Server button on the bot''s profile; you need Manage Server there.', 'general', 318, TRUE),
    (NULL, 'The bot is offline; what now?', 'Check /status; if every shard is down, we already know and are on it.', 'general', 260, TRUE),
    (NULL, 'Is there a premium tier?', 'Not yet.', 'general', 0, FALSE);
