DROP INDEX faq_entries_search_idx;
