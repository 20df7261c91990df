--
-- PostgreSQL database dump
--
\restrict abc
SET statement_timeout = 0;
DROP TABLE IF EXISTS app.items;
DROP SCHEMA IF EXISTS app;
DROP SCHEMA IF EXISTS "Odd ""one""";
CREATE SCHEMA app;
CREATE SCHEMA "Odd ""one""";
CREATE TABLE app.items (
    id integer,
    name text DEFAULT $$a;b$$
);
COPY app.items (id, name) FROM stdin;
1	one
2	it's
\.

BEGIN;
SELECT pg_catalog.lo_open('1', 131072);
COMMIT;
COMMENT ON TABLE app.items IS E'a\';
BEGIN;';
/* a /* nested */ comment */
\unrestrict abc

--
-- PostgreSQL database dump complete
--

