-- Keep updated_at current on every UPDATE. A statement that sets updated_at
-- itself keeps its value; the WHEN clause also keeps the trigger's own UPDATE
-- from firing it again when recursive_triggers is on.

CREATE TRIGGER bot_settings_set_updated_at
    AFTER UPDATE ON bot_settings
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE bot_settings SET updated_at = CURRENT_TIMESTAMP WHERE guild_id = NEW.guild_id;
END;

CREATE TRIGGER guild_rules_set_updated_at
    AFTER UPDATE ON guild_rules
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE guild_rules SET updated_at = CURRENT_TIMESTAMP WHERE guild_id = NEW.guild_id AND rule_number = NEW.rule_number;
END;

CREATE TRIGGER support_tickets_set_updated_at
    AFTER UPDATE ON support_tickets
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE support_tickets SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;

CREATE TRIGGER faq_entries_set_updated_at
    AFTER UPDATE ON faq_entries
    FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at
BEGIN
    UPDATE faq_entries SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
