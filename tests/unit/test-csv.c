#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "csv.h"
#include "err.h"

/*
 * Records are collected as text, one line each:
 *	START-AFTER [N] FIELD|FIELD...
 * START is the line the record starts on, AFTER the parser's line counter
 * during the call, N the number of fields.  A quoted field is shown in
 * quotes, an unquoted one bare; '\n', '\r', NUL, '|' and '\\' are escaped.
 * An error ends the text as "error: MESSAGE".
 */
struct collect {
	struct buf out;
	struct csv *p;
	uint64_t fail_at;	/* the record whose callback fails, from 1 */
};

static void show_field(struct buf *b, const struct csv_field *f)
{
	size_t i;

	if (f->quoted)
		buf_addch(b, '"');
	for (i = 0; i < f->len; i++) {
		switch (f->data[i]) {
		case '\n':
			buf_addstr(b, "\\n");
			break;
		case '\r':
			buf_addstr(b, "\\r");
			break;
		case '\0':
			buf_addstr(b, "\\0");
			break;
		case '|':
		case '\\':
			buf_addch(b, '\\');
			buf_addch(b, f->data[i]);
			break;
		default:
			buf_addch(b, f->data[i]);
		}
	}
	if (f->quoted)
		buf_addch(b, '"');
}

static int collect_record(void *arg, const struct csv_field *fields,
    size_t n, unsigned long line, struct err *err)
{
	struct collect *c = arg;
	size_t i;

	assert_true(n >= 1);
	buf_addf(&c->out, "%lu-%lu [%zu] ", line, c->p->line, n);
	for (i = 0; i < n; i++) {
		/* each field is a C string as well */
		assert_int_equal(fields[i].data[fields[i].len], '\0');
		if (i)
			buf_addch(&c->out, '|');
		show_field(&c->out, &fields[i]);
	}
	buf_addch(&c->out, '\n');
	if (c->fail_at && c->p->records + 1 == c->fail_at)
		return err_set(err, ERR_RUNTIME, "callback stops at line %lu",
		    line);
	return 0;
}

/*
 * Parse in[0..len), fed in chunks cut at the ascending offsets in cuts,
 * into c->out; return what csv_feed or csv_finish returned.
 */
static int parse_cuts(struct csv *p, struct collect *c, const char *in,
    size_t len, const size_t *cuts, size_t ncuts, size_t max)
{
	struct err err = ERR_INIT;
	size_t i, from = 0;
	int ret = 0;

	csv_init(p, "x.csv", max);
	buf_init(&c->out);
	c->p = p;
	for (i = 0; i <= ncuts && !ret; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		ret = csv_feed(p, in + from, to - from, collect_record, c,
		    &err);
		from = to;
	}
	if (!ret)
		ret = csv_finish(p, collect_record, c, &err);
	if (ret) {
		assert_int_equal(err.code, ret);
		buf_addf(&c->out, "error: %s", err.msg);
	}
	return ret;
}

static int parse_steps(struct csv *p, struct collect *c, const char *in,
    size_t len, size_t step, size_t max)
{
	size_t cuts[4096], n = 0, at;

	for (at = step; at < len; at += step) {
		assert_true(n < sizeof(cuts) / sizeof(*cuts));
		cuts[n++] = at;
	}
	return parse_cuts(p, c, in, len, cuts, n, max);
}

static void check(struct collect *c, int ret, int want_ret, const char *want,
    const char *how, size_t a, size_t b)
{
	if (strcmp(c->out.data, want) || ret != want_ret)
		fail_msg("%s (%zu, %zu): got\n%s\nwant\n%s", how, a, b,
		    c->out.data, want);
	buf_release(&c->out);
}

/*
 * Every way of feeding in must give want: whole, in chunks of every size,
 * cut at every offset (empty chunks included) and, for short inputs, at
 * every pair of offsets.  Return the whole parse's records.
 */
static uint64_t expect_max(const char *in, size_t len, size_t max,
    const char *want)
{
	struct collect c = { 0 };
	struct csv p;
	size_t i, j, cuts[2];
	int want_ret = strstr(want, "error: ") ? ERR_INPUT : 0;
	int ret;
	uint64_t records;

	ret = parse_cuts(&p, &c, in, len, NULL, 0, max);
	if (!ret)
		assert_int_equal(p.bytes, len);
	records = p.records;
	csv_release(&p);
	check(&c, ret, want_ret, want, "whole", 0, 0);
	for (i = 1; i <= len; i++) {
		ret = parse_steps(&p, &c, in, len, i, max);
		assert_int_equal(p.records, records);
		csv_release(&p);
		check(&c, ret, want_ret, want, "step", i, 0);
	}
	for (i = 0; i <= len; i++) {
		cuts[0] = i;
		ret = parse_cuts(&p, &c, in, len, cuts, 1, max);
		csv_release(&p);
		check(&c, ret, want_ret, want, "cut", i, 0);
	}
	for (i = 0; len <= 80 && i <= len; i++) {
		for (j = i; j <= len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			ret = parse_cuts(&p, &c, in, len, cuts, 2, max);
			csv_release(&p);
			check(&c, ret, want_ret, want, "cuts", i, j);
		}
	}
	return records;
}

#define EXPECT(in, want) expect_max(in, sizeof(in) - 1, 0, want)
#define EXPECT_MAX(in, max, want) expect_max(in, sizeof(in) - 1, max, want)

static void test_simple(void **state)
{
	struct collect c = { 0 };
	struct csv p;

	(void)state;
	assert_int_equal(EXPECT("id,name\n1,alice\n2,bob\n",
	    "1-2 [2] id|name\n"
	    "2-3 [2] 1|alice\n"
	    "3-4 [2] 2|bob\n"), 3);
	EXPECT("a\n", "1-2 [1] a\n");
	EXPECT("a,b,c,,e\n", "1-2 [5] a|b|c||e\n");
	/* spaces are data */
	EXPECT(" a , b \n", "1-2 [2]  a | b \n");

	assert_int_equal(parse_cuts(&p, &c, "id,name\n1,alice\n", 16, NULL,
	    0, 0), 0);
	assert_int_equal(p.line, 3);
	assert_int_equal(p.records, 2);
	assert_int_equal(p.bytes, 16);
	assert_int_equal(p.max_record, CSV_MAX_RECORD_DEFAULT);
	assert_int_equal(CSV_MAX_RECORD_DEFAULT, 16 * 1024 * 1024);
	csv_release(&p);
	buf_release(&c.out);
}

static void test_quoted(void **state)
{
	(void)state;
	EXPECT("\"a,b\",\"say \"\"hi\"\"\",c\n",
	    "1-2 [3] \"a,b\"|\"say \"hi\"\"|c\n");
	EXPECT("\"\"\"\"\n", "1-2 [1] \"\"\"\n");
	EXPECT("\"\"\"\",\"\"\"\"\"\"\n", "1-2 [2] \"\"\"|\"\"\"\"\n");
	/* newlines inside quotes belong to the field and count as lines */
	EXPECT("1,\"two\nlines\",x\n2,\"three\n\nlines\"\n3,z\n",
	    "1-3 [3] 1|\"two\\nlines\"|x\n"
	    "3-6 [2] 2|\"three\\n\\nlines\"\n"
	    "6-7 [2] 3|z\n");
	EXPECT("\"\n\"\n", "1-3 [1] \"\\n\"\n");
	/* a CRLF inside quotes is kept whole */
	EXPECT("\"a\r\nb\"\r\nc\r\n", "1-3 [1] \"a\\r\\nb\"\n3-4 [1] c\n");
}

static void test_crlf(void **state)
{
	(void)state;
	EXPECT("a,b\r\n1,2\r\n", "1-2 [2] a|b\n2-3 [2] 1|2\n");
	EXPECT("\"a\",\"b\"\r\n", "1-2 [2] \"a\"|\"b\"\n");
	EXPECT("a,\r\n", "1-2 [2] a|\n");
	EXPECT("\r\n", "1-2 [1] \n");
	/* any other CR is data */
	EXPECT("a\rb,c\r\r\n", "1-2 [2] a\\rb|c\\r\n");
	EXPECT("\r,\r\r\n", "1-2 [2] \\r|\\r\n");
	EXPECT("a\r", "1-1 [1] a\\r\n");
	EXPECT("a,\r", "1-1 [2] a|\\r\n");
}

static int flags_record(void *arg, const struct csv_field *f, size_t n,
    unsigned long line, struct err *err)
{
	int *calls = arg;

	(void)err;
	assert_int_equal(line, 1);
	assert_int_equal(n, 4);
	assert_int_equal(f[0].len, 0);
	assert_int_equal(f[0].quoted, 0);
	assert_string_equal(f[0].data, "");
	assert_int_equal(f[1].len, 0);
	assert_int_equal(f[1].quoted, 1);
	assert_string_equal(f[1].data, "");
	assert_int_equal(f[2].len, 1);
	assert_int_equal(f[2].quoted, 1);
	assert_string_equal(f[2].data, "x");
	assert_int_equal(f[3].len, 0);
	assert_int_equal(f[3].quoted, 0);
	(*calls)++;
	return 0;
}

static void test_empty_fields(void **state)
{
	struct err err = ERR_INIT;
	struct csv p;
	int calls = 0;

	(void)state;
	/* unquoted empty (NULL), quoted empty (''), quoted, unquoted empty */
	csv_init(&p, "x.csv", 0);
	assert_int_equal(csv_feed(&p, ",\"\",\"x\",\n", 9, flags_record,
	    &calls, &err), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(csv_finish(&p, flags_record, &calls, &err), 0);
	assert_int_equal(calls, 1);
	csv_release(&p);

	EXPECT(",\"\",\"x\",\n", "1-2 [4] |\"\"|\"x\"|\n");
	EXPECT("\"\"", "1-1 [1] \"\"\n");
	EXPECT(",", "1-1 [2] |\n");
	EXPECT(",,\n", "1-2 [3] ||\n");
}

static void test_last_record(void **state)
{
	(void)state;
	/* the same records with or without the final newline */
	EXPECT("a,b\n1,2", "1-2 [2] a|b\n2-2 [2] 1|2\n");
	EXPECT("a,b\n1,2\n", "1-2 [2] a|b\n2-3 [2] 1|2\n");
	EXPECT("a,\"b\"", "1-1 [2] a|\"b\"\n");
	EXPECT("a,\"b\"\n", "1-2 [2] a|\"b\"\n");
	EXPECT("a,\"b\"\r\n", "1-2 [2] a|\"b\"\n");
	EXPECT("a,\"b\n\"", "1-2 [2] a|\"b\\n\"\n");
}

static void test_empty_input(void **state)
{
	struct collect c = { 0 };
	struct err err = ERR_INIT;
	struct csv p;
	size_t cuts[] = { 0, 0, 0 };

	(void)state;
	EXPECT("", "");
	assert_int_equal(parse_cuts(&p, &c, "", 0, cuts, 3, 0), 0);
	assert_string_equal(c.out.data, "");
	assert_int_equal(p.records, 0);
	assert_int_equal(p.line, 1);
	assert_int_equal(p.bytes, 0);
	/* finishing twice gives nothing more */
	assert_int_equal(csv_finish(&p, collect_record, &c, &err), 0);
	assert_string_equal(c.out.data, "");
	csv_release(&p);
	buf_release(&c.out);
}

static void test_empty_line(void **state)
{
	(void)state;
	EXPECT("\n", "1-2 [1] \n");
	EXPECT("a\n\nb\n", "1-2 [1] a\n2-3 [1] \n3-4 [1] b\n");
	EXPECT("a\n\n", "1-2 [1] a\n2-3 [1] \n");
	EXPECT("a\r\n\r\n\r\n", "1-2 [1] a\n2-3 [1] \n3-4 [1] \n");
}

static void test_errors(void **state)
{
	(void)state;
	EXPECT("a,b,c\nd,e\"f\n",
	    "1-2 [3] a|b|c\n"
	    "error: x.csv:2: column 2: a quote inside an unquoted field");
	EXPECT(" \"a\"\n",
	    "error: x.csv:1: column 1: a quote inside an unquoted field");
	EXPECT("a\r\"\n",
	    "error: x.csv:1: column 1: a quote inside an unquoted field");
	EXPECT("\"a\"b\n",
	    "error: x.csv:1: column 1: text after the closing quote");
	EXPECT("x\n\"\ny\",\"a\" ,y\n",
	    "1-2 [1] x\n"
	    "error: x.csv:3: column 2: text after the closing quote");
	EXPECT("\"a\"\rb\n",
	    "error: x.csv:1: column 1: text after the closing quote");
	EXPECT("\"a\"\r\r\n",
	    "error: x.csv:1: column 1: text after the closing quote");
	EXPECT("\"a\"\r",
	    "error: x.csv:1: column 1: text after the closing quote");
	EXPECT("id,name\n1,\"abc\n\n\ndef\n",
	    "1-2 [2] id|name\n"
	    "error: x.csv:5: column 2: unterminated quoted field "
	    "(it opens on line 2)");
	EXPECT("1,\"abc",
	    "error: x.csv:1: column 2: unterminated quoted field "
	    "(it opens on line 1)");
	EXPECT("\"",
	    "error: x.csv:1: column 1: unterminated quoted field "
	    "(it opens on line 1)");
	EXPECT("a,\"\n",
	    "error: x.csv:1: column 2: unterminated quoted field "
	    "(it opens on line 1)");
	EXPECT("\"x\"\"",
	    "error: x.csv:1: column 1: unterminated quoted field "
	    "(it opens on line 1)");
}

static void expect_error(const char *path, const char *in, const char *msg)
{
	struct err err = ERR_INIT;
	struct csv p;
	int ret;

	csv_init(&p, path, 0);
	ret = csv_feed(&p, in, strlen(in), NULL, NULL, &err);
	if (!ret)
		ret = csv_finish(&p, NULL, NULL, &err);
	assert_int_equal(ret, ERR_INPUT);
	assert_int_equal(err.code, ERR_INPUT);
	assert_string_equal(err.msg, msg);
	csv_release(&p);
}

static void test_error_examples(void **state)
{
	(void)state;
	expect_error("seeds/default/users.csv",
	    "id,name,note\n1,a,b\n2,a,b\n3,a,b\n4,a,b\n5,a,b\n"
	    "6,a,b\"c\n",
	    "seeds/default/users.csv:7: column 3: "
	    "a quote inside an unquoted field");
	expect_error("seeds/default/users.csv",
	    "id,name\n1,a\n2,a\n3,a\n4,a\n5,a\n6,a\n7,a\n"
	    "8,\"open\n10\n11\n12\n",
	    "seeds/default/users.csv:12: column 2: "
	    "unterminated quoted field (it opens on line 9)");
	expect_error("users.csv", "\"ok\",\"no\"x\n",
	    "users.csv:1: column 2: text after the closing quote");
}

static void test_max_record(void **state)
{
	(void)state;
	/* 10 bytes, without the line ending, fit */
	EXPECT_MAX("0123456789\n0123456789\r\n\"01234567\"\n012,456,89",
	    10,
	    "1-2 [1] 0123456789\n"
	    "2-3 [1] 0123456789\n"
	    "3-4 [1] \"01234567\"\n"
	    "4-4 [3] 012|456|89\n");
	EXPECT_MAX("\"0\n2\n4\n6\n\"\n", 10, "1-6 [1] \"0\\n2\\n4\\n6\\n\"\n");
	/* the 11th byte is the error, wherever it falls */
	EXPECT_MAX("a\n012,456,89X\n", 10,
	    "1-2 [1] a\n"
	    "error: x.csv:2: column 3: record larger than 10 bytes");
	EXPECT_MAX("a\n\"0\n2\n4\n6\n8\n\"\n", 10,
	    "1-2 [1] a\n"
	    "error: x.csv:6: column 1: record larger than 10 bytes");
	EXPECT_MAX("0123456789,\n", 10,
	    "error: x.csv:1: column 1: record larger than 10 bytes");
	EXPECT_MAX("012345678,\"\"\n", 10,
	    "error: x.csv:1: column 2: record larger than 10 bytes");
	EXPECT_MAX("\"01234567\"\"\"\n", 10,
	    "error: x.csv:1: column 1: record larger than 10 bytes");
	EXPECT_MAX("\"012345678\"\n", 10,
	    "error: x.csv:1: column 1: record larger than 10 bytes");
	EXPECT_MAX("0123456789\rX\n", 10,
	    "error: x.csv:1: column 1: record larger than 10 bytes");
	EXPECT_MAX("0123456789\r", 10,
	    "error: x.csv:1: column 1: record larger than 10 bytes");
	EXPECT_MAX("012345678\r", 10, "1-1 [1] 012345678\\r\n");
}

/* Every feature at once, cut everywhere. */
static void test_splits(void **state)
{
	static const char in[] =
	    "id,\"na,me\",x\r\n"
	    "\"multi\nline \"\"q\"\"\",,\"\"\n"
	    "\r\n"
	    "\"\",pl\rain,\"a\"\r\n"
	    "\n"
	    "\"\"\"\",last,\"end\r\n\"";

	(void)state;
	assert_int_equal(EXPECT(in,
	    "1-2 [3] id|\"na,me\"|x\n"
	    "2-4 [3] \"multi\\nline \"q\"\"||\"\"\n"
	    "4-5 [1] \n"
	    "5-6 [3] \"\"|pl\\rain|\"a\"\n"
	    "6-7 [1] \n"
	    "7-8 [3] \"\"\"|last|\"end\\r\\n\"\n"), 6);
	EXPECT("a,\"b\"\"\nc\"\r\nd,\"e\"x",
	    "1-3 [2] a|\"b\"\\nc\"\n"
	    "error: x.csv:3: column 2: text after the closing quote");
}

static void test_nul_bytes(void **state)
{
	(void)state;
	EXPECT("a\0b,\"\0\"\n", "1-2 [2] a\\0b|\"\\0\"\n");
}

static void test_callback_error(void **state)
{
	struct collect c = { 0 };
	struct err err = ERR_INIT;
	struct csv p;
	static const char in[] = "a\nb\nc\n";

	(void)state;
	csv_init(&p, "x.csv", 0);
	buf_init(&c.out);
	c.p = &p;
	c.fail_at = 2;
	assert_int_equal(csv_feed(&p, in, 6, collect_record, &c, &err),
	    ERR_RUNTIME);
	assert_string_equal(err.msg, "callback stops at line 2");
	assert_string_equal(c.out.data, "1-2 [1] a\n2-3 [1] b\n");
	assert_int_equal(p.records, 1);
	assert_int_equal(p.bytes, 4);
	/* the parser stays stopped */
	assert_int_equal(csv_feed(&p, "d\n", 2, collect_record, &c, &err),
	    ERR_RUNTIME);
	assert_string_equal(err.msg,
	    "x.csv: CSV parsing stopped at an earlier error");
	assert_int_equal(csv_finish(&p, collect_record, &c, &err),
	    ERR_RUNTIME);
	assert_string_equal(c.out.data, "1-2 [1] a\n2-3 [1] b\n");
	csv_release(&p);
	buf_release(&c.out);

	/* from csv_finish too */
	csv_init(&p, "x.csv", 0);
	buf_init(&c.out);
	c.fail_at = 1;
	assert_int_equal(csv_feed(&p, "a", 1, collect_record, &c, &err), 0);
	assert_int_equal(csv_finish(&p, collect_record, &c, &err),
	    ERR_RUNTIME);
	assert_string_equal(err.msg, "callback stops at line 1");
	assert_int_equal(p.records, 0);
	csv_release(&p);
	buf_release(&c.out);
}

struct count {
	uint64_t n;
};

static int count_record(void *arg, const struct csv_field *f, size_t n,
    unsigned long line, struct err *err)
{
	struct count *c = arg;
	char want[64];

	(void)err;
	c->n++;
	assert_int_equal(line, c->n);
	assert_int_equal(n, 3);
	snprintf(want, sizeof(want), "%llu", (unsigned long long)c->n);
	assert_string_equal(f[0].data, want);
	assert_false(f[0].quoted);
	assert_true(f[2].quoted);
	assert_int_equal(f[2].len, 8);
	assert_string_equal(f[2].data, "a, \"b\" c");
	return 0;
}

static void test_memory_bounded(void **state)
{
	struct buf in = BUF_INIT;
	struct err err = ERR_INIT;
	struct count c = { 0 };
	struct csv p;
	size_t i, n;

	(void)state;
	for (i = 1; i <= 200000; i++)
		buf_addf(&in, "%zu,name %zu,\"a, \"\"b\"\" c\"\n", i, i % 97);
	csv_init(&p, "big.csv", 0);
	for (i = 0; i < in.len; i += n) {
		n = in.len - i < 65536 ? in.len - i : 65536;
		assert_int_equal(csv_feed(&p, in.data + i, n, count_record,
		    &c, &err), 0);
		/* only the largest record's worth, never the input's */
		assert_true(p.text_alloc <= 64);
		assert_true(p.alloc <= 8);
	}
	assert_int_equal(csv_finish(&p, count_record, &c, &err), 0);
	assert_int_equal(c.n, 200000);
	assert_int_equal(p.records, 200000);
	assert_int_equal(p.line, 200001);
	assert_int_equal(p.bytes, in.len);
	assert_true(in.len > 5000000);
	csv_release(&p);
	buf_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_last_record),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_empty_line),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_examples),
		cmocka_unit_test(test_max_record),
		cmocka_unit_test(test_splits),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_memory_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
