DROP INDEX bot_settings_locale_idx;
DROP TABLE bot_settings;
