-- migpack:no-transaction
-- PostgreSQL only: full-text index behind /faq search. Uses the built-in
-- english text search configuration, no extension needed. The two-argument
-- to_tsvector is immutable, so it can be indexed; queries must use the same
-- expression, e.g.
--   WHERE to_tsvector('english', question || ' ' || answer)
--         @@ plainto_tsquery('english', 'reset password')
-- Built CONCURRENTLY, so /faq keeps answering while it builds.
CREATE INDEX CONCURRENTLY IF NOT EXISTS faq_entries_search_idx ON faq_entries
    USING gin (to_tsvector('english', question || ' ' || answer))
    WHERE is_published;
