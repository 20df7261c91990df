#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>

#include "driver.h"

/* The wait before each retry doubles from min up to the cap, and each is
 * anywhere in its upper half: never more, never less, and not the same
 * every time (runners started together must not retry in step). */
static void test_backoff(void **state)
{
	unsigned attempt, run, ms, want, lo, hi, differ = 0;

	(void)state;
	for (run = 0; run < 50; run++) {
		struct lockwait w;

		lockwait_start(&w, 30000, 500, 0);
		w.seed += run * 2654435761u;	/* as other processes' */
		for (attempt = 1, want = 500; attempt <= 12; attempt++) {
			ms = lockwait_backoff(&w, attempt);
			lo = want / 2, hi = want;
			if (ms < lo || ms > hi)
				fail_msg("attempt %u: %u ms, not in %u..%u",
				    attempt, ms, lo, hi);
			differ += ms != want;
			want = want * 2 > 30000 ? 30000 : want * 2;
		}
	}
	assert_true(differ > 500);
}

/* A cap below the first wait is the wait. */
static void test_backoff_small_cap(void **state)
{
	struct lockwait w;
	unsigned ms;

	(void)state;
	lockwait_start(&w, 300, 500, 0);
	ms = lockwait_backoff(&w, 1);
	assert_true(ms >= 150 && ms <= 300);
	ms = lockwait_backoff(&w, 7);
	assert_true(ms >= 150 && ms <= 300);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_backoff_small_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
