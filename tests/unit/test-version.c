#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "version.h"

static int valid(const char *s, unsigned flags)
{
	return version_valid(s, strlen(s), flags);
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(valid("1", 0));
	assert_true(valid("0002", 0));
	assert_true(valid("1.2.3", 0));
	assert_true(valid("2019-02-26-002946", 0));
	assert_true(valid("20240101120000", 0));
	assert_false(valid("", 0));
	assert_false(valid("1.", 0));
	assert_false(valid(".1", 0));
	assert_false(valid("1..2", 0));
	assert_false(valid("1a", 0));
	assert_false(valid("1_2", 0));
	assert_true(valid("1_2", VERSION_ALLOW_UNDERSCORE));
	assert_false(valid("1__2", VERSION_ALLOW_UNDERSCORE));
}

static void test_order(void **state)
{
	(void)state;
	assert_true(version_cmp("2", "10") < 0);
	assert_true(version_cmp("10", "2") > 0);
	assert_true(version_cmp("1.2", "1.10") < 0);
	assert_true(version_cmp("1.9.9", "1.10") < 0);
	assert_true(version_cmp("20240101120000", "20240101120001") < 0);
	assert_true(version_cmp("2019-02-26-002946", "2019-03-01-000000") < 0);
	assert_true(version_cmp("2019-02-26-002946", "2019-02-26-002947") < 0);
	/* longer than any integer type: still numeric */
	assert_true(version_cmp("99999999999999999999999",
	    "100000000000000000000000") < 0);
	assert_true(version_cmp("1.2", "1.2.1") < 0);
}

static void test_equal_spellings(void **state)
{
	(void)state;
	assert_int_equal(version_cmp("0002", "2"), 0);
	assert_int_equal(version_cmp("1.2", "1-2"), 0);
	assert_int_equal(version_cmp("1_2", "1.2"), 0);
	assert_int_equal(version_cmp("0", "000"), 0);
	assert_int_equal(version_cmp("1.02", "1.2"), 0);
	assert_true(version_cmp("1.0.1", "1") > 0);
	/* trailing zero components count: diesel's -0000 suffix */
	assert_true(version_cmp("1.0", "1") > 0);
	assert_true(version_cmp("1", "1.0") < 0);
	assert_true(version_cmp("2026-05-27-120000",
	    "2026-05-27-120000-0000") < 0);
	assert_true(version_cmp("2026-05-27-120000-0000",
	    "2026-05-28-000000") < 0);
}

static void test_max(void **state)
{
	(void)state;
	assert_null(version_max(NULL, NULL));
	assert_string_equal(version_max(NULL, "0002"), "0002");
	assert_string_equal(version_max("0002", NULL), "0002");
	assert_string_equal(version_max("1.9", "1.10"), "1.10");
	assert_string_equal(version_max("10", "9"), "10");
	/* Equal versions: the first stands. */
	assert_string_equal(version_max("0002", "2"), "0002");
}

static void test_span(void **state)
{
	(void)state;
	assert_int_equal(version_span("0003_x.up.sql", 0), 4);
	assert_int_equal(version_span("2019-02-26-002946_x", 0), 17);
	assert_int_equal(version_span("1_2__desc", VERSION_ALLOW_UNDERSCORE), 3);
	assert_int_equal(version_span("1.2.x", 0), 3);
	assert_int_equal(version_span("x1", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_equal_spellings),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
