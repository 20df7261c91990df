DROP INDEX audit_logs_created_idx;
DROP TABLE audit_logs;
DROP INDEX faq_search_logs_guild_searched_idx;
DROP TABLE faq_search_logs;
DROP INDEX faq_entries_guild_category_idx;
DROP TABLE faq_entries;
