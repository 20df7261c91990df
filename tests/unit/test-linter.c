#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "linter.h"

#define NO ((size_t)-1)

/* The offset where the splitter and the parser's statement ends (the
 * ';' offsets, NO for a last statement without one) first disagree. */
static size_t check(const char *sql, const size_t *ends, size_t n)
{
	return lint_split_check(sql, strlen(sql), ends, n);
}

static void test_split_check(void **state)
{
	static const char two[] = "select 1; select 2;";
	static const char block[] = "-- +goose StatementBegin\n"
	    "select 1; select 2;\n-- +goose StatementEnd\nselect 3;\n";
	static const char tail[] = "select 1;\nselect 2 -- no end\n";
	const size_t agree[] = { 8, 18 };
	const size_t fewer[] = { 8 };
	const size_t sooner[] = { 4, 8, 18 };
	const size_t later[] = { 18 };
	const size_t in_block[] = { 33, 43, 76 };
	const size_t tail_ok[] = { 8, NO };

	(void)state;
	assert_true(check(two, agree, 2) == NO);
	/* the parser reads one statement less, more, or ends one later */
	assert_true(check(two, fewer, 1) == 18);
	assert_true(check(two, sooner, 3) == 4);
	assert_true(check(two, later, 1) == 8);
	assert_true(check(two, agree, 0) == 8);
	/* a goose block holds as many of the parser's as it likes */
	assert_true(check(block, in_block, 3) == NO);
	/* ...after ours before it */
	assert_true(check("select 0;\n-- +goose StatementBegin\nselect 1;\n"
	    "-- +goose StatementEnd\n", (const size_t[]){ 8, 43 }, 2) == NO);
	assert_true(check("select 0;\n-- +goose StatementBegin\nselect 1;\n"
	    "-- +goose StatementEnd\n", (const size_t[]){ 43 }, 1) == 8);
	/* the last statement without a ';' */
	assert_true(check(tail, tail_ok, 2) == NO);
	assert_true(check(tail, tail_ok, 1) == 10);
	assert_true(check("select 1", tail_ok + 1, 1) == NO);
	/* the parser sees a statement after all of ours */
	assert_true(check("select 1;", agree, 2) == 18);
	assert_true(check("", NULL, 0) == NO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
