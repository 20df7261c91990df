DROP INDEX reminders_user_idx;
DROP INDEX reminders_due_idx;
DROP TABLE reminders;
