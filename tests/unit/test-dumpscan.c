#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "dumpscan.h"
#include "err.h"

/*
 * Each script is scanned whole, then split in two at every byte, then a
 * byte at a time: every way must pass on the same bytes and end the same.
 */
static int collect(void *arg, const void *data, size_t len, struct err *err)
{
	(void)err;
	buf_add(arg, data, len);
	return 0;
}

/* Scan in, pieces of at most step bytes, the first cut at cut: 0 and the
 * bytes passed on in out, or the error's code with its message in out. */
static int scan_cut(const char *in, size_t cut, size_t step, struct buf *out)
{
	struct dumpscan s;
	struct err err = ERR_INIT;
	size_t len = strlen(in), at = 0, n;
	int ret = 0;

	buf_reset(out);
	dumpscan_init(&s, "b.sql.gz", collect, out);
	while (at < len && !ret) {
		n = at < cut ? cut - at : step;
		if (n > len - at)
			n = len - at;
		ret = dumpscan_feed(&s, in + at, n, &err);
		at += n;
	}
	if (!ret)
		ret = dumpscan_end(&s, &err);
	if (ret) {
		buf_reset(out);
		buf_addstr(out, err.msg);
	}
	return ret;
}

/* The one result of every way of cutting in. */
static int scan(const char *in, struct buf *out)
{
	struct buf other = BUF_INIT;
	size_t len = strlen(in), cut;
	int ret = scan_cut(in, len, len, out), r;

	for (cut = 0; cut <= len; cut++) {
		r = scan_cut(in, cut, len, &other);
		assert_int_equal(r, ret);
		assert_string_equal(other.data ? other.data : "",
		    out->data ? out->data : "");
	}
	r = scan_cut(in, 1, 1, &other);
	assert_int_equal(r, ret);
	assert_string_equal(other.data ? other.data : "",
	    out->data ? out->data : "");
	buf_release(&other);
	if (!out->data)
		buf_addstr(out, "");
	return ret;
}

/* How pg_dump ends a script; the helpers below add it to theirs. */
#define END "\n--\n-- PostgreSQL database dump complete\n--\n\n"

/* in, then END, passes on as it is. */
static void same(const char *in)
{
	struct buf in_end = BUF_INIT, out = BUF_INIT;

	buf_addf(&in_end, "%s" END, in);
	assert_int_equal(scan(in_end.data, &out), 0);
	assert_string_equal(out.data, in_end.data);
	buf_release(&in_end);
	buf_release(&out);
}

static void becomes(const char *in, const char *want)
{
	struct buf in_end = BUF_INIT, want_end = BUF_INIT, out = BUF_INIT;

	buf_addf(&in_end, "%s" END, in);
	buf_addf(&want_end, "%s" END, want);
	assert_int_equal(scan(in_end.data, &out), 0);
	assert_string_equal(out.data, want_end.data);
	buf_release(&in_end);
	buf_release(&want_end);
	buf_release(&out);
}

/* in is refused as it is (end 0) or with END after it (end 1). */
static void refused_end(const char *in, int end, const char *msg)
{
	struct buf in_end = BUF_INIT, out = BUF_INIT;

	buf_addf(&in_end, "%s%s", in, end ? END : "");
	if (scan(in_end.data, &out) != ERR_INPUT)
		fail_msg("'%s' was not refused", in);
	if (!strstr(out.data, msg))
		fail_msg("'%s' lacks '%s'", out.data, msg);
	buf_release(&in_end);
	buf_release(&out);
}

static void refused(const char *in, const char *msg)
{
	refused_end(in, 1, msg);
}

/* What pg_dump writes for large objects, in its own transaction. */
#define LO_SECTION \
	"--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -\n" \
	"--\n\nBEGIN;\n\n" \
	"SELECT pg_catalog.lo_open('16392', 131072);\n" \
	"SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');\n" \
	"SELECT pg_catalog.lo_close(0);\n\nCOMMIT;\n\n"
#define LO_PASSED \
	"--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -\n" \
	"--\n\n\n\n" \
	"SELECT pg_catalog.lo_open('16392', 131072);\n" \
	"SELECT pg_catalog.lowrite(0, '\\x68656c6c6f');\n" \
	"SELECT pg_catalog.lo_close(0);\n\n\n\n"

static void test_dump_passes(void **state)
{
	(void)state;
	/* A dump's usual statements, and COPY rows that read like SQL. */
	same("--\n-- PostgreSQL database dump\n--\n\n"
	    "\\restrict 3MmpbZIICrRLgqT7\n\n"
	    "SET statement_timeout = 0;\n"
	    "SELECT pg_catalog.set_config('search_path', '', false);\n"
	    "CREATE TABLE public.t (id integer, note text);\n"
	    "COPY public.t (id, note) FROM stdin;\n"
	    "1\tBEGIN;\n"
	    "COMMIT;\n"
	    "ROLLBACK;\n"
	    "\\\\connect\n"
	    "\\.x\n"
	    "\\.\n"
	    "ALTER TABLE ONLY public.t ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
	    "\n--\n-- PostgreSQL database dump complete\n--\n\n"
	    "\\unrestrict 3MmpbZIICrRLgqT7\n\n");
	/* COPY data ending "\.\r\n"; the statement after it is read. */
	same("COPY t FROM STDIN;\r\nCOMMIT;\r\n\\.\r\nSELECT 1;\n");
	refused("COPY t FROM stdin;\nx\n\\.\nROLLBACK;\n", "line 4: ROLLBACK");
	/* "stdin" read as a word, not inside one. */
	refused("COPY t FROM xstdin;\nABORT;\n", "line 2: ABORT");
}

static void test_large_objects(void **state)
{
	(void)state;
	becomes("SELECT 1;\n" LO_SECTION "CREATE INDEX i ON t (a);\n",
	    "SELECT 1;\n" LO_PASSED "CREATE INDEX i ON t (a);\n");
	/* Two sections, and the old style's statements. */
	becomes("BEGIN;\nSELECT pg_catalog.lo_unlink(oid) FROM x;\n"
	    "SELECT pg_catalog.lo_open(pg_catalog.lo_create('1'), 131072);\n"
	    "COMMIT;\n" LO_SECTION,
	    "\nSELECT pg_catalog.lo_unlink(oid) FROM x;\n"
	    "SELECT pg_catalog.lo_open(pg_catalog.lo_create('1'), 131072);\n"
	    "\n" LO_PASSED);
	/* An empty section. */
	becomes("BEGIN;\nCOMMIT;\n", "\n\n");
}

/* A COMMIT anywhere else is passed on: the restore's guard fails it. */
static void test_other_commits(void **state)
{
	(void)state;
	same("CREATE TABLE a (x int);\nCOMMIT;\n");
	becomes("BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;\n",
	    "\nCREATE TABLE a (x int);\nCOMMIT;\n");
	becomes("BEGIN;\nSELECT pg_catalog.lo_open('1', 1);\n"
	    "INSERT INTO a VALUES (1);\nCOMMIT;\n",
	    "\nSELECT pg_catalog.lo_open('1', 1);\n"
	    "INSERT INTO a VALUES (1);\nCOMMIT;\n");
	/* Not BEGIN; or COMMIT; as pg_dump writes them: passed on. */
	same("BEGINS;\nCOMMITTED;\nCOMMIT ;\nBEGIN WORK;\nCOMMIT\n;\n");
	same("B;\nC;\nBE(1);\nCOMMI;\n");
}

/* Inside quotes, names, bodies and comments, nothing is a statement. */
static void test_quoted(void **state)
{
	(void)state;
	same("COMMENT ON TABLE t IS 'a\nBEGIN;\nCOMMIT;\nROLLBACK;\n';\n");
	same("COMMENT ON TABLE t IS 'it''s\nBEGIN;\n''';\n");
	same("SELECT E'it\\'s\nBEGIN;\n';\n");
	same("SELECT e'\\\\';\nCOMMIT;\n");
	/* A plain string ends at its quote, backslash or not. */
	becomes("SELECT 'a\\';\nBEGIN;\n", "SELECT 'a\\';\n\n");
	/* A word ending in E is no E'...' string. */
	becomes("SELECT xE'a\\';\nBEGIN;\n", "SELECT xE'a\\';\n\n");
	same("CREATE TABLE \"x\n\"\"BEGIN;\n\" (a int);\n");
	same("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $_$\n"
	    "BEGIN;\nCOMMIT;\n$__$ $_ _$ $$\nROLLBACK;\n$_$;\n");
	same("SELECT $$\nBEGIN;\n$$, $tag_1$ $tag_ $ta$\nABORT;\n$tag_1$;\n");
	same("-- BEGIN;\n/* a\nBEGIN;\n/* nested */\nCOMMIT;\n*/\n"
	    "SELECT 1 -- ;\n/* ; */;\n");
	/* $1 is a parameter and a$b one name: neither opens a quote. */
	becomes("PREPARE p AS SELECT $1;\nBEGIN;\n",
	    "PREPARE p AS SELECT $1;\n\n");
	becomes("SELECT a$b$ FROM t;\nBEGIN;\n", "SELECT a$b$ FROM t;\n\n");
	/* Inside parentheses ';' ends nothing. */
	same("CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u "
	    "VALUES (1);\nCOMMIT;\nROLLBACK;\n);\n");
	/* Operators are no comments. */
	becomes("SELECT 1 - 2 / 3;\nBEGIN;\n", "SELECT 1 - 2 / 3;\n\n");
}

/*
 * A schema's DROP SCHEMA IF EXISTS is dropped and its CREATE SCHEMA made
 * IF NOT EXISTS: objects made in it since the backup are left as they
 * are, as elsewhere, where the DROP would fail for them.
 */
static void test_schemas(void **state)
{
	struct buf in = BUF_INIT;
	int i;

	(void)state;
	becomes("DROP TABLE IF EXISTS t01.a;\nDROP SCHEMA IF EXISTS t01;\n"
	    "CREATE SCHEMA t01;\nALTER SCHEMA t01 OWNER TO postgres;\n",
	    "DROP TABLE IF EXISTS t01.a;\n\nCREATE SCHEMA IF NOT EXISTS t01;\n"
	    "ALTER SCHEMA t01 OWNER TO postgres;\n");
	/* Quoted names, a ';', a newline and "" inside. */
	becomes("DROP SCHEMA IF EXISTS \"Order\";\nCREATE SCHEMA \"Order\";\n",
	    "\nCREATE SCHEMA IF NOT EXISTS \"Order\";\n");
	becomes("CREATE SCHEMA \"a\"\"b;\nc\";\nBEGIN;\n",
	    "CREATE SCHEMA IF NOT EXISTS \"a\"\"b;\nc\";\n\n");
	/* Not as pg_dump writes them: passed on, and read on rightly. */
	same("DROP SCHEMA IF EXISTS t01 CASCADE;\nDROP SCHEMA t01;\n"
	    "CREATE SCHEMA t01 AUTHORIZATION x;\nCREATE SCHEMA IF NOT EXISTS "
	    "t01;\nCREATE SCHEMAS x;\nDROP SCHEMA IF EXISTS Tenant;\n"
	    "CREATE SCHEMA \"\";\nCREATE SCHEMA 1a;\nDELETE FROM d;\n");
	same("CREATE SCHEMA \"a;\nBEGIN;\n\" ;\nCREATE SCHEMA \"b\"\"\nBEGIN;\n\" "
	    "AUTHORIZATION x;\nCREATE SCHEMA x\"y;\nBEGIN;\n\";\n");
	/* A name longer than any PostgreSQL keeps: not pg_dump's. */
	buf_addstr(&in, "CREATE SCHEMA \"");
	for (i = 0; i < 200; i++)
		buf_addch(&in, 'x');
	buf_addstr(&in, "\";\n");
	refused(in.data, "line 1: a schema's name of over");
	buf_release(&in);
}

static void test_refused(void **state)
{
	(void)state;
	refused("SET x = 1;\n\nROLLBACK;\n", "'b.sql.gz' line 3: ROLLBACK "
	    "would end the transaction the restore runs in");
	refused("abort;\n", "line 1: ABORT");
	refused("SELECT 1;\n  rollback  to savepoint s;\n", "line 2: ROLLBACK");
	refused("\\connect other\n", "line 1: psql command \\connect");
	refused("SELECT 1 \\gset\n", "psql command \\gset");
	refused("\\restrictive\n", "psql command \\restrictive");
	refused("SELECT 1;\n\\", "psql command \\:");
	same("\\unrestrict abc");
	/* Cut short. */
	refused("SELECT 'a;\n", "ends inside a quoted string begun at line 1");
	refused("SELECT 1;\n\nCREATE TABLE x (\n",
	    "ends inside a statement begun at line 3");
	refused("SELECT 1", "ends inside a statement");
	refused("SELECT 1 -", "ends inside a statement");
	refused_end("SELECT 1;\n-", 0, "ends inside a statement begun at line 2");
	refused("SELECT $$ x", "ends inside a dollar-quoted body");
	refused("/* x", "ends inside a comment");
	refused("SELECT \"a", "ends inside a quoted name");
	refused("SELECT 1;\nCOPY t FROM stdin;\n1\n",
	    "ends inside COPY data begun at line 2");
	refused_end("COPY t FROM stdin;\n1\n\\.", 0, "ends inside COPY data");
	same("SELECT 1;\n-- the end");
	same("");
}

/* pg_dump's last line must come after the last statement: a gzip file can
 * be whole around a dump cut short (pg_dump | gzip, pg_dump failing). */
static void test_end_line(void **state)
{
	static const char *const ends[] = {
		"-- PostgreSQL database dump complete\n",
		"-- PostgreSQL database dump complete",
		"--\n-- PostgreSQL database dump complete\n--\n\n"
		    "\\unrestrict abc\n\n",
	};
	struct buf out = BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		buf_reset(&out);
		assert_int_equal(scan(ends[i], &out), 0);
		assert_string_equal(out.data, ends[i]);
	}
	refused_end("CREATE TABLE t (a int);\n", 0, "'b.sql.gz' does not end "
	    "with pg_dump's line \"-- PostgreSQL database dump complete\"");
	refused_end("", 0, "does not end with");
	refused_end("-- PostgreSQL database dump complete\nSELECT 1;\n", 0,
	    "does not end with");
	refused_end("SELECT 1; -- PostgreSQL database dump complete\n", 0,
	    "does not end with");
	refused_end("-- PostgreSQL database dump completed\n", 0,
	    "does not end with");
	refused_end(" -- PostgreSQL database dump complete\n", 0,
	    "does not end with");
	refused_end("SELECT '\n-- PostgreSQL database dump complete\n';\n", 0,
	    "does not end with");
	refused_end("COPY t FROM stdin;\n-- PostgreSQL database dump complete\n"
	    "\\.\n", 0, "does not end with");
	buf_release(&out);
}

static void test_long_tag(void **state)
{
	char in[200];

	(void)state;
	snprintf(in, sizeof(in), "SELECT $%0100d$;\n", 0);
	in[8] = 'a';
	refused(in, "a dollar-quote tag of over 64 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_passes),
		cmocka_unit_test(test_large_objects),
		cmocka_unit_test(test_other_commits),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_schemas),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_long_tag),
		cmocka_unit_test(test_end_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
