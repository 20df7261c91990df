CREATE TABLE t (a int, b text DEFAULT $$x;y$$);
-- c;
/* a /* nested; */ ; */ INSERT INTO t VALUES (1, E'a\';b');
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;
SELECT $tag$ ; $tag$, "x;y" FROM t
