#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checksum.h"
#include "text.h"

struct result {
	char out[256];
	size_t len;
	char hex[CHECKSUM_HEX_LEN + 1];
	struct text t;
};

/* Feed in chunks of `step` bytes, to cross every chunk boundary. */
static void run(struct result *r, const char *in, size_t len, size_t step)
{
	size_t i, n;

	text_init(&r->t, 1, 1);
	r->len = 0;
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		/* The first chunk of a file is whole (as read(2) gives). */
		if (i == 0 && len >= 3 && n < 3)
			n = 3;
		r->len += text_feed(&r->t, (const unsigned char *)in + i, n,
		    (unsigned char *)r->out + r->len);
	}
	r->len += text_finish(&r->t, (unsigned char *)r->out + r->len,
	    r->hex);
	r->out[r->len] = '\0';
}

static void expect(const char *in, size_t len, const char *want)
{
	struct result r;
	char hex[CHECKSUM_HEX_LEN + 1];
	size_t step;

	for (step = 1; step <= len + 1; step++) {
		run(&r, in, len, step);
		assert_string_equal(r.out, want);
		assert_int_equal(r.t.size, strlen(want));
		checksum_buf(want, strlen(want), hex);
		assert_string_equal(r.hex, hex);
		assert_null(r.t.problem);
	}
}

static void test_normalize(void **state)
{
	(void)state;
	expect("a\r\nb\r\n", 6, "a\nb\n");
	expect("\xef\xbb\xbf" "select 1;\r\n", 14, "select 1;\n");
	/* a lone CR, and CR at the very end, are kept */
	expect("a\rb\r", 4, "a\rb\r");
	expect("'x\r\r\ny'", 7, "'x\r\ny'");
	/* a BOM anywhere but the start is content */
	expect("a\xef\xbb\xbf", 4, "a\xef\xbb\xbf");
	expect("", 0, "");
}

static void test_checksum_known(void **state)
{
	char hex[CHECKSUM_HEX_LEN + 1];

	(void)state;
	checksum_buf("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	checksum_buf("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	assert_true(checksum_hex_valid(hex));
	hex[3] = 'G';
	assert_false(checksum_hex_valid(hex));
}

static void expect_problem(const char *in, size_t len, const char *what,
    unsigned line)
{
	struct result r;

	run(&r, in, len, 1);
	assert_non_null(r.t.problem);
	assert_non_null(strstr(r.t.problem, what));
	assert_int_equal(r.t.problem_line, line);
	run(&r, in, len, len ? len : 1);
	assert_non_null(r.t.problem);
}

static void test_utf8(void **state)
{
	struct result r;
	static const char good[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 "
	    "\xed\x9f\xbf \xf4\x8f\xbf\xbf";

	(void)state;
	run(&r, good, sizeof(good) - 1, 1);
	assert_null(r.t.problem);
	expect_problem("ok\n\xff\n", 5, "invalid UTF-8", 2);
	expect_problem("\xc3\x28", 2, "invalid UTF-8", 1);
	expect_problem("\xc0\xaf", 2, "invalid UTF-8", 1);	/* overlong */
	expect_problem("\xe0\x80\xaf", 3, "invalid UTF-8", 1);	/* overlong */
	expect_problem("\xed\xa0\x80", 3, "invalid UTF-8", 1);	/* surrogate */
	expect_problem("\xf4\x90\x80\x80", 4, "invalid UTF-8", 1); /* > U+10FFFF */
	expect_problem("a\n\nb\xe2\x82", 6, "truncated", 3);
	expect_problem("a\0b", 3, "NUL", 1);
}

static int has_content(const char *s)
{
	struct result r;

	run(&r, s, strlen(s), 1);
	return r.t.has_content;
}

static void test_content(void **state)
{
	(void)state;
	assert_false(has_content(""));
	assert_false(has_content("  \n\t\r\n"));
	assert_false(has_content("-- a comment\n  -- another; select 1\n"));
	assert_false(has_content("--"));
	assert_true(has_content("select 1;"));
	assert_true(has_content("-- c\nx"));
	assert_true(has_content("-"));
	assert_true(has_content(" -x"));
	assert_true(has_content("/* block */"));
}

static void test_first_line(void **state)
{
	struct result r;
	static const char d[] = "-- migpack:no-transaction";

	(void)state;
	run(&r, "-- migpack:no-transaction\nCREATE INDEX;", 40, 7);
	assert_true(text_first_line_is(&r.t, d));
	run(&r, "\xef\xbb\xbf-- migpack:no-transaction \t\r\nx", 33, 5);
	assert_true(text_first_line_is(&r.t, d));
	run(&r, "-- migpack:no-transactions\n", 27, 4);
	assert_false(text_first_line_is(&r.t, d));
	run(&r, "\n-- migpack:no-transaction\n", 27, 4);
	assert_false(text_first_line_is(&r.t, d));
	run(&r, "select 1; -- migpack:no-transaction\n", 36, 4);
	assert_false(text_first_line_is(&r.t, d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_checksum_known),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_first_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
