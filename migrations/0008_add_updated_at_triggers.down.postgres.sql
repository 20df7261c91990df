DROP TRIGGER faq_entries_set_updated_at ON faq_entries;
DROP TRIGGER support_tickets_set_updated_at ON support_tickets;
DROP TRIGGER guild_rules_set_updated_at ON guild_rules;
DROP TRIGGER bot_settings_set_updated_at ON bot_settings;
DROP FUNCTION set_updated_at();
