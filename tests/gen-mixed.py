#!/usr/bin/env python3
"""gen-mixed.py DIR [COUNT]: COUNT (default 200) migrations for both engines
that mix tables, columns, indexes, views, triggers, functions (PostgreSQL),
DO blocks, dollar-quoted bodies and string literals holding semicolons,
quotes and comment markers; each with a down script, plus one repeatable.
The offline SQL tests compare what they do through psql or sqlite3 with
what migrun does online."""
import os
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 200
os.makedirs(out, exist_ok=True)


def put(name, text):
    with open(os.path.join(out, name), "w") as f:
        f.write(text)


def mig(i, name, up, down, pg_up=None, pg_down=None):
    base = "%04d_%s" % (i, name)
    if pg_up is None:
        put(base + ".up.sql", up)
        put(base + ".down.sql", down)
    else:
        put(base + ".up.sqlite.sql", up)
        put(base + ".down.sqlite.sql", down)
        put(base + ".up.postgres.sql", pg_up)
        put(base + ".down.postgres.sql", pg_down)


for i in range(8, 8 + count):
    k, t = i % 8, "t%d" % (i - i % 8)
    if k == 0:
        mig(i, "create_" + t,
            "CREATE TABLE %s (\n    id integer PRIMARY KEY,\n"
            "    name text NOT NULL DEFAULT 'a;b',\n    note text\n);\n" % t,
            "DROP TABLE %s;\n" % t)
    elif k == 1:
        mig(i, "add_extra_" + t,
            "-- a column; with a comment\n"
            "ALTER TABLE %s ADD COLUMN extra integer DEFAULT 0;\n" % t,
            "ALTER TABLE %s DROP COLUMN extra;\n" % t)
    elif k == 2:
        mig(i, "index_" + t,
            "CREATE INDEX %s_name_idx ON %s (name);\n" % (t, t),
            "DROP INDEX %s_name_idx;\n" % t)
    elif k == 3:
        mig(i, "rows_" + t,
            "INSERT INTO %s (id, name, note) VALUES\n"
            "    (1, 'semi;colon', 'it''s; -- not a comment'),\n"
            "    (2, '$$dollar$$', '/* not; a comment */');\n" % t,
            "DELETE FROM %s;\n" % t)
    elif k == 4:
        mig(i, "view_" + t,
            "CREATE VIEW v%d AS\n    SELECT id, name || ';' AS label "
            "FROM %s;\n" % (i, t),
            "DROP VIEW v%d;\n" % i)
    elif k == 5:
        mig(i, "trigger_" + t,
            "CREATE TRIGGER tr%d AFTER INSERT ON %s\nBEGIN\n"
            "    UPDATE %s SET note = 'x;y' WHERE id = NEW.id AND note IS NULL;\n"
            "END;\n" % (i, t, t),
            "DROP TRIGGER tr%d;\n" % i,
            "CREATE FUNCTION f%d() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n    NEW.note := coalesce(NEW.note, 'x;y');\n"
            "    RETURN NEW;\nEND;\n$$;\n"
            "CREATE TRIGGER tr%d BEFORE INSERT ON %s\n"
            "    FOR EACH ROW EXECUTE FUNCTION f%d();\n" % (i, i, t, i),
            "DROP TRIGGER tr%d ON %s;\nDROP FUNCTION f%d();\n" % (i, t, i))
    elif k == 6:
        mig(i, "function_" + t,
            "CREATE TABLE kv%d (k text PRIMARY KEY, v text);\n"
            "INSERT INTO kv%d VALUES ('a;b', 'c''d;'), ('e', '-- f');\n"
            % (i, i),
            "DROP TABLE kv%d;\n" % i,
            "CREATE FUNCTION g%d(x integer) RETURNS text LANGUAGE sql\n"
            "    AS $body$ SELECT 'v;' || x::text $body$;\n"
            "DO $do$\nBEGIN\n    PERFORM g%d(1);\n"
            "    RAISE NOTICE 'checked; fine';\nEND\n$do$;\n"
            "COMMENT ON FUNCTION g%d(integer) IS 'semi; colon';\n"
            % (i, i, i),
            "DROP FUNCTION g%d(integer);\n" % i)
    else:
        mig(i, "update_" + t,
            "UPDATE %s SET note = 'semi; colon -- still a string'\n"
            "    WHERE id = 1;\n" % t,
            "UPDATE %s SET note = 'it''s; -- not a comment' WHERE id = 1;\n"
            % t)
put("R__summary.sql",
    "DROP VIEW IF EXISTS summary;\n"
    "CREATE VIEW summary AS SELECT count(*) AS n FROM t8;\n")
