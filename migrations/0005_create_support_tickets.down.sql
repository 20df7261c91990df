DROP INDEX support_tickets_opened_by_idx;
DROP INDEX support_tickets_guild_status_idx;
DROP TABLE support_tickets;
