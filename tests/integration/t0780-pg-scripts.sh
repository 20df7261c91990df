# PostgreSQL scripts run statement by statement as psql would split them:
# dollar-quoted function bodies, DO blocks, semicolons in strings and
# comments, goose StatementBegin/End blocks; an error names the line the
# server points at.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/integration/engine/postgres.sh"
. "$TOP/tests/integration/scenarios.sh"

newdb scripts
put app/0001_bodies.up.sql 'CREATE TABLE t (x text);
/* a comment; with /* a nested; */ semicolon */
CREATE FUNCTION add_row(v text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO t VALUES (v || $q$;$q$);
END;
$$;
DO $body$ BEGIN PERFORM add_row($s$a;b$s$); END $body$;
INSERT INTO t VALUES (E'\''it\\'\''s;'\''), ('\''semi;colon'\'');
CREATE FUNCTION two() RETURNS integer LANGUAGE sql
BEGIN ATOMIC
    SELECT 1;
    SELECT 2;
END;
'
put app/20240102000000_goose.sql '-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION three() RETURNS integer AS $$ SELECT 3; $$ LANGUAGE sql;
-- +goose StatementEnd
SELECT three();
-- +goose Down
DROP FUNCTION three();
'
bundle app b.tgz
mr 0 apply b.tgz
same rows "$(q 'SELECT x FROM t ORDER BY x')" "a;b;
it's;
semi;colon"
same functions "$(q 'SELECT two(), three()')" "2|3"

# An error inside a multi-line statement: the line the server points at.
put app/20240103000000_broken.up.sql 'SELECT 1;
SELECT x,
       no_such_column
FROM t;
'
bundle app b2.tgz
mr 1 apply b2.tgz
expect_err "20240103000000_broken"
grep -q 'up\.sql:3: ERROR: column "no_such_column" does not exist' "$T/err" ||
    fail "no line 3: $(cat "$T/err")"
