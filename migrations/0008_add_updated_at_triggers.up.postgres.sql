-- Keep updated_at current on every UPDATE. A statement that sets updated_at
-- itself keeps its value; otherwise the trigger stamps the current time.
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := CURRENT_TIMESTAMP;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER bot_settings_set_updated_at
    BEFORE UPDATE ON bot_settings
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER guild_rules_set_updated_at
    BEFORE UPDATE ON guild_rules
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER support_tickets_set_updated_at
    BEFORE UPDATE ON support_tickets
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TRIGGER faq_entries_set_updated_at
    BEFORE UPDATE ON faq_entries
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
