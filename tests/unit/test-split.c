#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "split.h"

struct want {
	const char *text;
	unsigned line;
};

/* Split sql and compare every statement's text and line with w[0..n). */
static void check_as(int sqlite, const char *sql, const struct want *w,
    size_t n)
{
	struct splitter sp;
	struct stmt st;
	size_t i;
	char *got;

	if (sqlite)
		split_init_sqlite(&sp, sql, strlen(sql));
	else
		split_init(&sp, sql, strlen(sql));
	for (i = 0; split_next(&sp, &st); i++) {
		assert_true(st.off + st.len <= strlen(sql));
		got = strndup(sql + st.off, st.len);
		if (i >= n)
			fail_msg("extra statement %zu: \"%s\"", i + 1, got);
		assert_string_equal(got, w[i].text);
		assert_int_equal(st.line, w[i].line);
		free(got);
	}
	assert_int_equal(i, n);
	/* and it stays at the end */
	assert_int_equal(split_next(&sp, &st), 0);
}

#define check(sql, w, n) check_as(0, sql, w, n)

#define EXPECT(sql, ...) do { \
	const struct want w_[] = { __VA_ARGS__ }; \
	check(sql, w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)

#define EXPECT_SQLITE(sql, ...) do { \
	const struct want w_[] = { __VA_ARGS__ }; \
	check_as(1, sql, w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)

#define EXPECT_NONE(sql) check(sql, NULL, 0)

static void test_basic(void **state)
{
	(void)state;
	EXPECT("CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n",
	    { "CREATE TABLE a (id int);", 1 },
	    { "INSERT INTO a VALUES (1);", 2 });
	EXPECT("SELECT 1;SELECT 2;  SELECT 3 ;",
	    { "SELECT 1;", 1 }, { "SELECT 2;", 1 }, { "SELECT 3 ;", 1 });
}

static void test_lines_and_leading_comments(void **state)
{
	(void)state;
	EXPECT("\n\n-- header; not a statement\n/* block;\n comment */\n"
	    "  SELECT 1;  SELECT\n2; -- trailing\n\n\tSELECT 3",
	    { "SELECT 1;", 6 },
	    { "SELECT\n2;", 6 },
	    { "SELECT 3", 9 });
	/* comments after the first token belong to the statement */
	EXPECT("SELECT /* x */ 1 -- y\n;\nSELECT 2;",
	    { "SELECT /* x */ 1 -- y\n;", 1 }, { "SELECT 2;", 3 });
}

static void test_single_quotes(void **state)
{
	(void)state;
	EXPECT("SELECT 'a;b', 'it''s;';\nSELECT '';SELECT ''''; SELECT 2;",
	    { "SELECT 'a;b', 'it''s;';", 1 },
	    { "SELECT '';", 2 },
	    { "SELECT '''';", 2 },
	    { "SELECT 2;", 2 });
	/* a quote in a comment opens nothing, a comment in a quote neither */
	EXPECT("-- it's\nSELECT 1; /* it's */ SELECT '--;', '/*';SELECT 3;",
	    { "SELECT 1;", 2 },
	    { "SELECT '--;', '/*';", 2 },
	    { "SELECT 3;", 2 });
	/* a string over lines */
	EXPECT("INSERT INTO t VALUES ('a;\nb;\n');\nSELECT 1;",
	    { "INSERT INTO t VALUES ('a;\nb;\n');", 1 }, { "SELECT 1;", 4 });
}

static void test_backslash(void **state)
{
	(void)state;
	/* standard_conforming_strings: '\' is a string holding a backslash */
	EXPECT("SELECT 'a\\';SELECT 2;",
	    { "SELECT 'a\\';", 1 }, { "SELECT 2;", 1 });
	/* in E'' it escapes the quote: the string goes on */
	EXPECT("SELECT E'it\\'s;';SELECT 2;",
	    { "SELECT E'it\\'s;';", 1 }, { "SELECT 2;", 1 });
	EXPECT("SELECT e'a\\';SELECT 2;';SELECT 3;",
	    { "SELECT e'a\\';SELECT 2;';", 1 }, { "SELECT 3;", 1 });
	EXPECT("SELECT E'\\\\';SELECT E'a''b;\\n';SELECT 2;",
	    { "SELECT E'\\\\';", 1 },
	    { "SELECT E'a''b;\\n';", 1 },
	    { "SELECT 2;", 1 });
	/* only a lone e before the quote makes an E string */
	EXPECT("SELECT ae'\\';SELECT 2;",
	    { "SELECT ae'\\';", 1 }, { "SELECT 2;", 1 });
	/* B, X, N and U& strings take no backslash escapes */
	EXPECT("SELECT B'01', X'1F', N'a;\\', U&'d\\0061t;\\';SELECT 2;",
	    { "SELECT B'01', X'1F', N'a;\\', U&'d\\0061t;\\';", 1 },
	    { "SELECT 2;", 1 });
	/* psql lexes a line at a time, so two strings on two lines are not
	 * one E string for it: the second ends at its second quote */
	EXPECT("SELECT E'a'\n'b\\';SELECT 2;",
	    { "SELECT E'a'\n'b\\';", 1 }, { "SELECT 2;", 2 });
}

static void test_double_quotes(void **state)
{
	(void)state;
	EXPECT("SELECT \"a;b\", \"x\"\"y;\" FROM \"t'\";SELECT U&\"c;\";\n"
	    "SELECT 2;",
	    { "SELECT \"a;b\", \"x\"\"y;\" FROM \"t'\";", 1 },
	    { "SELECT U&\"c;\";", 1 },
	    { "SELECT 2;", 2 });
	/* no backslash escape in identifiers */
	EXPECT("SELECT \"a\\\";SELECT 2;",
	    { "SELECT \"a\\\";", 1 }, { "SELECT 2;", 1 });
}

static void test_dollar_quotes(void **state)
{
	(void)state;
	EXPECT("SELECT $$a;'b$$;SELECT $$$$;SELECT 2;",
	    { "SELECT $$a;'b$$;", 1 },
	    { "SELECT $$$$;", 1 },
	    { "SELECT 2;", 1 });
	/* only the same tag closes; tags are case-sensitive */
	EXPECT("SELECT $fn$ x; $f$ ; $fn_$ ; $$ ; $FN$ ; $fn$;\nSELECT 2;",
	    { "SELECT $fn$ x; $f$ ; $fn_$ ; $$ ; $FN$ ; $fn$;", 1 },
	    { "SELECT 2;", 2 });
	/* "$fn$$fn$": the first closes right away; "$a$...$junk$a$" */
	EXPECT("SELECT $fn$$fn$;SELECT $a$;$junk$a$;SELECT 2;",
	    { "SELECT $fn$$fn$;", 1 },
	    { "SELECT $a$;$junk$a$;", 1 },
	    { "SELECT 2;", 1 });
	/* "$tag" without a closing '$', and a '$' alone, open nothing */
	EXPECT("SELECT $x ;SELECT $ ;SELECT 2;",
	    { "SELECT $x ;", 1 }, { "SELECT $ ;", 1 }, { "SELECT 2;", 1 });
}

static void test_parameters_and_identifiers(void **state)
{
	(void)state;
	/* $1 is a parameter; "$$" after it still opens a dollar quote */
	EXPECT("PREPARE p AS SELECT $1;SELECT $2$$;$$;SELECT 3;",
	    { "PREPARE p AS SELECT $1;", 1 },
	    { "SELECT $2$$;$$;", 1 },
	    { "SELECT 3;", 1 });
	/* a '$' inside an identifier, or glued to a number or a parameter,
	 * starts nothing */
	EXPECT("SELECT a$b$ ;SELECT x$$;SELECT café$$;SELECT 1a$$;"
	    "SELECT $1a$$;SELECT 2;",
	    { "SELECT a$b$ ;", 1 },
	    { "SELECT x$$;", 1 },
	    { "SELECT café$$;", 1 },
	    { "SELECT 1a$$;", 1 },
	    { "SELECT $1a$$;", 1 },
	    { "SELECT 2;", 1 });
	/* "$1e" is a parameter with junk, "1e-" a bad number: a comment
	 * follows the first only */
	EXPECT("SELECT $1e--x;\n;SELECT 1e--x;\n;",
	    { "SELECT $1e--x;\n;", 1 }, { "SELECT 1e--x;", 2 });
	/* but after a bare number it does */
	EXPECT("SELECT 1$$;$$;SELECT 2;",
	    { "SELECT 1$$;$$;", 1 }, { "SELECT 2;", 1 });
	/* flex's longest match: "1" and the identifier "e5$$" is longer than
	 * the number 1e5; not so with a sign, which no identifier holds */
	EXPECT("SELECT 1e5$$;SELECT 1.5e5$$;SELECT 1_000$$;SELECT .5e5$$;"
	    "SELECT 1e+5$$;$$;SELECT 2;",
	    { "SELECT 1e5$$;", 1 },
	    { "SELECT 1.5e5$$;", 1 },
	    { "SELECT 1_000$$;", 1 },
	    { "SELECT .5e5$$;", 1 },
	    { "SELECT 1e+5$$;$$;", 1 },
	    { "SELECT 2;", 1 });
}

static void test_comments(void **state)
{
	(void)state;
	/* slash-star comments nest */
	EXPECT("SELECT 1; /* ; */ SELECT /* a /* b; */ c; */ 2;\nSELECT 3;",
	    { "SELECT 1;", 1 },
	    { "SELECT /* a /* b; */ c; */ 2;", 1 },
	    { "SELECT 3;", 2 });
	/* slash-star and "--" start comments even glued to an operator */
	EXPECT("SELECT 1+--x;\n2;SELECT 2*/*;*/3;SELECT 4;",
	    { "SELECT 1+--x;\n2;", 1 },
	    { "SELECT 2*/*;*/3;", 2 },
	    { "SELECT 4;", 2 });
	/* slash-star-slash opens without closing; star-star-slash closes */
	EXPECT("SELECT /*/ ; **/ 1;SELECT 2;",
	    { "SELECT /*/ ; **/ 1;", 1 }, { "SELECT 2;", 1 });
	/* psql 16+ takes "1e-" as one (bad) number, so no comment follows */
	EXPECT("SELECT 1e--x;\nSELECT 1e-1--x;\n;",
	    { "SELECT 1e--x;", 1 }, { "SELECT 1e-1--x;\n;", 2 });
}

static void test_parentheses(void **state)
{
	(void)state;
	/* psql does not end a statement inside parentheses */
	EXPECT("SELECT (1;2);SELECT ((3);4);\nSELECT 5;",
	    { "SELECT (1;2);", 1 },
	    { "SELECT ((3);4);", 1 },
	    { "SELECT 5;", 2 });
	/* an extra ')' does not go below zero */
	EXPECT("SELECT 1);SELECT 2;",
	    { "SELECT 1);", 1 }, { "SELECT 2;", 1 });
	/* an unclosed one runs to the end */
	EXPECT("SELECT (1;\nSELECT 2;\n",
	    { "SELECT (1;\nSELECT 2;", 1 });
}

static void test_plpgsql(void **state)
{
	(void)state;
	EXPECT("CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	    "BEGIN\n"
	    "  NEW.x := 1;\n"
	    "  RETURN NEW;\n"
	    "END;\n"
	    "$$;\n"
	    "CREATE OR REPLACE FUNCTION g() RETURNS int AS $body$\n"
	    "DECLARE s text := 'a;$$';\n"
	    "BEGIN RETURN 1; END\n"
	    "$body$ LANGUAGE plpgsql;\n"
	    "DO $$ BEGIN PERFORM 1; END $$;\n",
	    { "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	      "BEGIN\n"
	      "  NEW.x := 1;\n"
	      "  RETURN NEW;\n"
	      "END;\n"
	      "$$;", 1 },
	    { "CREATE OR REPLACE FUNCTION g() RETURNS int AS $body$\n"
	      "DECLARE s text := 'a;$$';\n"
	      "BEGIN RETURN 1; END\n"
	      "$body$ LANGUAGE plpgsql;", 7 },
	    { "DO $$ BEGIN PERFORM 1; END $$;", 11 });
}

static void test_begin_atomic(void **state)
{
	(void)state;
	EXPECT("CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
	    "BEGIN ATOMIC\n"
	    "  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;\n"
	    "  SELECT (CASE WHEN true THEN 1 END);\n"
	    "END;\n"
	    "create or replace procedure p() language sql begin atomic "
	    "insert into t values (1); end;\n"
	    "BEGIN;\n"
	    "SELECT 1;\n"
	    "END;\n",
	    { "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql\n"
	      "BEGIN ATOMIC\n"
	      "  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;\n"
	      "  SELECT (CASE WHEN true THEN 1 END);\n"
	      "END;", 1 },
	    { "create or replace procedure p() language sql begin atomic "
	      "insert into t values (1); end;", 6 },
	    { "BEGIN;", 7 }, { "SELECT 1;", 8 }, { "END;", 9 });
	/* a body without BEGIN: CASE ... END counts for nothing */
	EXPECT("CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
	    "RETURN CASE WHEN x > 0 THEN 1 END;\nSELECT 2;",
	    { "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql\n"
	      "RETURN CASE WHEN x > 0 THEN 1 END;", 1 },
	    { "SELECT 2;", 3 });
	/* only CREATE [OR REPLACE] FUNCTION|PROCEDURE counts BEGIN */
	EXPECT("CREATE TABLE x AS SELECT 1 AS begin;\nSELECT 2;\n"
	    "CREATE OR REPLACE VIEW v AS SELECT 1 AS begin;\nSELECT 3;",
	    { "CREATE TABLE x AS SELECT 1 AS begin;", 1 },
	    { "SELECT 2;", 2 },
	    { "CREATE OR REPLACE VIEW v AS SELECT 1 AS begin;", 3 },
	    { "SELECT 3;", 4 });
	/* BEGIN inside parentheses, or quoted, is no block */
	EXPECT("CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql "
	    "AS 'begin';\nSELECT \"begin\";",
	    { "CREATE FUNCTION f(begin int) RETURNS int LANGUAGE sql "
	      "AS 'begin';", 1 },
	    { "SELECT \"begin\";", 2 });
	/* CASE counts only inside a block (psql's rule, even for bad SQL);
	 * OR must come with REPLACE; END glued to a number is no END */
	EXPECT("CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN CASE;\n"
	    "SELECT 2;\nCREATE OR ALTER PROCEDURE p() BEGIN ATOMIC SELECT 1; "
	    "END;\nCREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC "
	    "SELECT 1end; SELECT 2; END;",
	    { "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN CASE;", 1 },
	    { "SELECT 2;", 2 },
	    { "CREATE OR ALTER PROCEDURE p() BEGIN ATOMIC SELECT 1;", 3 },
	    { "END;", 3 },
	    { "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC "
	      "SELECT 1end; SELECT 2; END;", 4 });
	/* an unclosed body runs to the end */
	EXPECT("CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1;\nSELECT 2;\n",
	    { "CREATE PROCEDURE p() BEGIN ATOMIC SELECT 1;\nSELECT 2;", 1 });
}

static void test_goose(void **state)
{
	(void)state;
	EXPECT("-- +goose Up\n"
	    "CREATE TABLE a (id int);\n"
	    "-- +goose StatementBegin\n"
	    "CREATE FUNCTION f() RETURNS int AS '\n"
	    "  select 1; select 2;\n"
	    "' LANGUAGE sql;\n"
	    "SELECT 1;\n"
	    "-- trailing comment\n"
	    "-- +goose StatementEnd\n"
	    "SELECT 3;\n"
	    "  --   +GOOSE\tstatementbegin  \n"
	    "DO $$ BEGIN END $$;\n"
	    "SELECT 4\n"
	    "-- +goose statementend\n"
	    "SELECT 5;\n",
	    { "CREATE TABLE a (id int);", 2 },
	    { "CREATE FUNCTION f() RETURNS int AS '\n"
	      "  select 1; select 2;\n"
	      "' LANGUAGE sql;\n"
	      "SELECT 1;", 4 },
	    { "SELECT 3;", 10 },
	    { "DO $$ BEGIN END $$;\nSELECT 4", 12 },
	    { "SELECT 5;", 15 });
	/* an empty block sends nothing; StatementEnd alone is a comment */
	EXPECT("-- +goose StatementBegin\n-- c\n\n-- +goose StatementEnd\n"
	    "-- +goose StatementEnd\nSELECT 1;",
	    { "SELECT 1;", 6 });
	/* not a whole line, or inside a quote: no block */
	EXPECT("SELECT 1; -- +goose StatementBegin\nSELECT 2;\n"
	    "SELECT $$\n-- +goose StatementBegin\n$$;\nSELECT 3;\n"
	    "-- +goose StatementBeginning\nSELECT 4;",
	    { "SELECT 1;", 1 },
	    { "SELECT 2;", 2 },
	    { "SELECT $$\n-- +goose StatementBegin\n$$;", 3 },
	    { "SELECT 3;", 6 },
	    { "SELECT 4;", 8 });
	/* an unclosed block runs to the end */
	EXPECT("-- +goose StatementBegin\nSELECT 1;\nSELECT 2;\n",
	    { "SELECT 1;\nSELECT 2;", 2 });
	/* the block ends at its line, even in an open quote */
	EXPECT("-- +goose StatementBegin\nSELECT 'a;\n"
	    "-- +goose StatementEnd\nSELECT 2;",
	    { "SELECT 'a;\n", 2 }, { "SELECT 2;", 4 });
	/* a statement not ended runs on into the block, as in goose */
	EXPECT("SELECT 1\n-- +goose StatementBegin\nSELECT 2;\n"
	    "-- +goose StatementEnd\nSELECT 3;",
	    { "SELECT 1\n-- +goose StatementBegin\nSELECT 2;", 1 },
	    { "SELECT 3;", 5 });
	/* a marker on the last line, without a newline */
	EXPECT("SELECT 1;\n-- +goose StatementBegin",
	    { "SELECT 1;", 1 });
}

static void test_trailing_and_empty(void **state)
{
	(void)state;
	/* the last statement needs no ';' and ends with its last token */
	EXPECT("SELECT 1;\nSELECT 2 -- done\n\n",
	    { "SELECT 1;", 1 }, { "SELECT 2", 2 });
	EXPECT("SELECT 1", { "SELECT 1", 1 });
	/* nothing but whitespace and comments: nothing */
	EXPECT_NONE("");
	EXPECT_NONE(" \n\t\n");
	EXPECT_NONE("-- a;\n/* b; /* c */ */\n\n-- d");
	EXPECT_NONE(";;\n ; /* c */ ;");
	/* empty statements are skipped */
	EXPECT(";;SELECT 1;;\n;SELECT 2;\n;",
	    { "SELECT 1;", 1 }, { "SELECT 2;", 2 });
	EXPECT("SELECT 1;\n-- the end", { "SELECT 1;", 1 });
}

static void test_unterminated(void **state)
{
	(void)state;
	EXPECT("SELECT 1;\nSELECT 'abc;\nSELECT 2;\n",
	    { "SELECT 1;", 1 }, { "SELECT 'abc;\nSELECT 2;\n", 2 });
	EXPECT("SELECT \"abc;\nSELECT 2;",
	    { "SELECT \"abc;\nSELECT 2;", 1 });
	EXPECT("SELECT $x$ a;\n", { "SELECT $x$ a;\n", 1 });
	EXPECT("SELECT E'\\", { "SELECT E'\\", 1 });
	/* an open comment is sent, so the server reports it */
	EXPECT("SELECT 1;\n/* open\nSELECT 2;",
	    { "SELECT 1;", 1 }, { "/* open\nSELECT 2;", 2 });
	EXPECT("SELECT 1 /* a /* b */ c;\n",
	    { "SELECT 1 /* a /* b */ c;\n", 1 });
	EXPECT("/*", { "/*", 1 });
}

static void test_position_line(void **state)
{
	const char *sql = "SELECT 1;\n-- x\n  SELECT 'é€😀',\n  x;";
	struct splitter sp;
	struct stmt st;

	(void)state;
	split_init(&sp, sql, strlen(sql));
	assert_int_equal(split_next(&sp, &st), 1);
	assert_int_equal(split_position_line(sql, &st, 8), 1);
	assert_int_equal(split_next(&sp, &st), 1);
	assert_int_equal(st.line, 3);
	/* SELECT ' is 1-8, é 9, € 10, 😀 11, ' 12, ',' 13, '\n' 14, x 17,
	 * ';' 18; by bytes x would be 23 */
	assert_int_equal(split_position_line(sql, &st, 1), 3);
	assert_int_equal(split_position_line(sql, &st, 11), 3);
	assert_int_equal(split_position_line(sql, &st, 14), 3);
	assert_int_equal(split_position_line(sql, &st, 15), 4);
	assert_int_equal(split_position_line(sql, &st, 17), 4);
	assert_int_equal(split_position_line(sql, &st, 18), 4);
	/* the end of input, then out of range */
	assert_int_equal(split_position_line(sql, &st, 19), 4);
	assert_int_equal(split_position_line(sql, &st, 20), 3);
	assert_int_equal(split_position_line(sql, &st, 23), 3);
	assert_int_equal(split_position_line(sql, &st, 0), 3);
	assert_int_equal(split_position_line(sql, &st, -5), 3);
	assert_int_equal(split_next(&sp, &st), 0);
}

/* Every prefix of a script, which leaves every construct open somewhere:
 * no statement runs past the text, and they come in order. */
static void test_prefixes(void **state)
{
	const char *sql = "SELECT E'a\\'b', $t$ x $t$, \"q\"\"\" /* c /* d */ */"
	    ";\nCREATE FUNCTION f() BEGIN ATOMIC SELECT (1); END; -- e\n"
	    "-- +goose StatementBegin\nSELECT 1e-5, $1, U&'x' ;\n"
	    "-- +goose StatementEnd\nSELECT :'v', ::int;";
	size_t n, count, prev;
	struct splitter sp;
	struct stmt st;

	(void)state;
	for (n = 0; n <= strlen(sql); n++) {
		split_init(&sp, sql, n);
		for (count = prev = 0; split_next(&sp, &st); count++) {
			assert_true(st.off >= prev);
			assert_true(st.len > 0);
			assert_true(st.off + st.len <= n);
			prev = st.off + st.len;
		}
		assert_true(count <= 4);
	}
	split_init(&sp, sql, strlen(sql));
	for (count = 0; split_next(&sp, &st); count++)
		;
	assert_int_equal(count, 4);
}

/* sqlite3_complete's rules: a trigger's body is part of it. */
static void test_sqlite_triggers(void **state)
{
	(void)state;
	EXPECT_SQLITE("CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	    "  UPDATE b SET n = n + 1;\n"
	    "  SELECT CASE WHEN 1 THEN 2 END;\n"
	    "END;\nSELECT 1;",
	    { "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	    "  UPDATE b SET n = n + 1;\n"
	    "  SELECT CASE WHEN 1 THEN 2 END;\nEND;", 1 },
	    { "SELECT 1;", 5 });
	EXPECT_SQLITE("create temporary trigger t before delete on a begin "
	    "delete from b; end /* c */ ; end;",
	    { "create temporary trigger t before delete on a begin "
	    "delete from b; end /* c */ ;", 1 }, { "end;", 1 });
	EXPECT_SQLITE("EXPLAIN CREATE TEMP TRIGGER t UPDATE ON a BEGIN "
	    "SELECT 1; END; SELECT 2;",
	    { "EXPLAIN CREATE TEMP TRIGGER t UPDATE ON a BEGIN "
	    "SELECT 1; END;", 1 }, { "SELECT 2;", 1 });
	/* PostgreSQL's trigger has no body */
	EXPECT_SQLITE("CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW "
	    "EXECUTE FUNCTION f(); SELECT 1; END;",
	    { "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW "
	    "EXECUTE FUNCTION f();", 1 }, { "SELECT 1;", 1 }, { "END;", 1 });
	/* not triggers */
	EXPECT_SQLITE("CREATE TABLE trigger_log (x); END;",
	    { "CREATE TABLE trigger_log (x);", 1 }, { "END;", 1 });
	EXPECT_SQLITE("SELECT 'trigger'; CREATE \"TRIGGER\" t; END;",
	    { "SELECT 'trigger';", 1 }, { "CREATE \"TRIGGER\" t;", 1 },
	    { "END;", 1 });
	/* psql's rules would take the BEGIN ... END of a trigger apart */
	EXPECT("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;",
	    { "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;", 1 },
	    { "END;", 1 });
}

static void test_sqlite_quotes(void **state)
{
	(void)state;
	/* no backslash escapes, E'' is E then a string */
	EXPECT_SQLITE("SELECT E'a\\'; SELECT 2;",
	    { "SELECT E'a\\';", 1 }, { "SELECT 2;", 1 });
	EXPECT("SELECT E'a\\'; SELECT 2;", { "SELECT E'a\\'; SELECT 2;", 1 });
	EXPECT_SQLITE("SELECT [a;b], `c;d`, \"e;f\", 'g;''h' FROM t; SELECT 2;",
	    { "SELECT [a;b], `c;d`, \"e;f\", 'g;''h' FROM t;", 1 },
	    { "SELECT 2;", 1 });
	/* comments do not nest; no dollar quotes; no parentheses rule */
	EXPECT_SQLITE("/* a /* b */ SELECT 1; */",
	    { "SELECT 1;", 1 }, { "*/", 1 });
	EXPECT_SQLITE("SELECT $$;$$; SELECT (1; 2);",
	    { "SELECT $$;", 1 }, { "$$;", 1 }, { "SELECT (1;", 1 },
	    { "2);", 1 });
	EXPECT_SQLITE("SELECT 1; /* open", { "SELECT 1;", 1 },
	    { "/* open", 1 });
	EXPECT_SQLITE("-- +goose StatementBegin\nSELECT 1; SELECT 2;\n"
	    "-- +goose StatementEnd\nEND;",
	    { "SELECT 1; SELECT 2;", 2 }, { "END;", 4 });
}

static void head_is(int sqlite, const char *sql, size_t cap,
    const char *want)
{
	struct splitter sp;
	struct stmt st;
	char out[64];

	assert_true(cap <= sizeof(out));
	if (sqlite)
		split_init_sqlite(&sp, sql, strlen(sql));
	else
		split_init(&sp, sql, strlen(sql));
	assert_int_equal(split_next(&sp, &st), 1);
	assert_string_equal(split_head(&sp, &st, out, cap), want);
}

static void test_head(void **state)
{
	(void)state;
	head_is(0, "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON "
	    "t (a, (b));", 64,
	    "create unique index concurrently if not exists i on t () ;");
	head_is(0, "  /* c */ Begin -- x\n TRANSACTION;", 64,
	    "begin transaction ;");
	head_is(1, "PRAGMA main.foreign_keys = OFF;", 64,
	    "pragma main . foreign_keys = off ;");
	head_is(1, "PRAGMA foreign_keys(0)", 64, "pragma foreign_keys ()");
	head_is(0, "REINDEX (VERBOSE) TABLE CONCURRENTLY t;", 64,
	    "reindex () table concurrently t ;");
	head_is(0, "SELECT 'x;y' FROM t", 64, "select ' from t");
	/* a word that does not fit is left out, and so is all after it */
	head_is(0, "VACUUM ANALYZE big;", 12, "vacuum");
	head_is(0, "VACUUM ANALYZE big;", 15, "vacuum analyze");
	head_is(0, "VACUUM;", 1, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_triggers),
		cmocka_unit_test(test_sqlite_quotes),
		cmocka_unit_test(test_head),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_lines_and_leading_comments),
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_backslash),
		cmocka_unit_test(test_double_quotes),
		cmocka_unit_test(test_dollar_quotes),
		cmocka_unit_test(test_parameters_and_identifiers),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_parentheses),
		cmocka_unit_test(test_plpgsql),
		cmocka_unit_test(test_begin_atomic),
		cmocka_unit_test(test_goose),
		cmocka_unit_test(test_trailing_and_empty),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_position_line),
		cmocka_unit_test(test_prefixes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
