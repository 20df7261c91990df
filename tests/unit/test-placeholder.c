#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "placeholder.h"

/* in, replaced with ph, fed in chunks of every size: want each time, and
 * missing (or NULL) the first name without a value, on line. */
static void replaced_is(const struct placeholders *ph, const char *in,
    const char *want, const char *missing, unsigned line)
{
	size_t len = strlen(in), step, i;
	struct subst s;
	struct buf out = BUF_INIT;

	for (step = 1; step <= len + 1; step++) {
		buf_reset(&out);
		subst_init(&s, ph, "V1__x.sql", 1);
		for (i = 0; i < len; i += step)
			subst_feed(&s, in + i, len - i < step ? len - i : step,
			    &out);
		subst_finish(&s, &out);
		buf_addch(&out, '\0');
		assert_string_equal(out.data, want);
		if (!missing) {
			assert_null(s.missing);
		} else {
			assert_non_null(s.missing);
			assert_string_equal(s.missing, missing);
			assert_int_equal(s.missing_line, line);
		}
		subst_release(&s);
	}
	buf_release(&out);
}

static void test_replace(void **state)
{
	struct placeholders ph = { 0 };
	char longname[PLACEHOLDER_NAME_MAX + 8], in[sizeof(longname) + 8];

	(void)state;
	assert_int_equal(placeholders_add(&ph, "t=things"), 0);
	assert_int_equal(placeholders_add(&ph, "empty="), 0);
	assert_int_equal(placeholders_add(&ph, "s=x=y"), 0);
	assert_int_equal(placeholders_add(&ph, "t=items"), 0);	/* wins */
	assert_int_equal(placeholders_add(&ph, "=v"), -1);
	assert_int_equal(placeholders_add(&ph, "novalue"), -1);
	assert_int_equal(placeholders_add(&ph, "a}b=v"), -1);

	replaced_is(&ph, "select * from ${t};", "select * from items;", NULL, 0);
	replaced_is(&ph, "${t}${empty}${s}$", "itemsx=y$", NULL, 0);
	replaced_is(&ph, "-- ${flyway:filename}\n", "-- V1__x.sql\n", NULL, 0);
	/* not placeholders: no name, no closing brace on the line */
	replaced_is(&ph, "$5 ${} ${ a\n} $$ $", "$5 ${} ${ a\n} $$ $", NULL, 0);
	/* a name without a value stays, and is reported */
	replaced_is(&ph, "a\nb\n${T} ${u} ${t}", "a\nb\n${T} ${u} items",
	    "T", 3);
	/* a name too long to be one is text */
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	snprintf(in, sizeof(in), "${%s}", longname);
	replaced_is(&ph, in, in, NULL, 0);
	placeholders_release(&ph);
	replaced_is(NULL, "${t}", "${t}", "t", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
