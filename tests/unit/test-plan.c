/* The planning logic: a bundle beside a history gives pending, applied,
 * changed, missing, dirty and out-of-order migrations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "xalloc.h"

static const char *const SUM_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char *const SUM_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/* A migration with an up script for dialect d, checksum sum. */
static void mig(struct manifest *m, enum mig_kind kind, const char *version,
    const char *name, enum dialect d, const char *sum)
{
	struct manifest_migration *mg = manifest_add_migration(m, kind,
	    version, name);
	struct manifest_script *s = manifest_add_script(mg, ROLE_UP, d);

	memcpy(s->file.sha256, sum, CHECKSUM_HEX_LEN + 1);
	s->file.path = manifest_script_path(mg, s);
}

static void row(struct history *h, enum mig_kind kind, const char *version,
    const char *name, const char *sum, enum hist_state state)
{
	struct hist_row *r = history_add(h);

	h->exists = 1;
	r->kind = kind;
	r->version = version ? xstrdup(version) : NULL;
	r->name = xstrdup(name);
	r->checksum = xasprintf("sha256:%s", sum);
	r->state = state;
}

static const struct plan_item *find(const struct plan *p, const char *label)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		if (!strcmp(plan_item_label(&p->items[i]), label))
			return &p->items[i];
	fail_msg("no plan item %s", label);
	return NULL;
}

static void test_empty_history_all_pending(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct history h = HISTORY_INIT;
	struct plan p;

	(void)state;
	mig(&m, KIND_VERSIONED, "1", "one", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "2", "two", DIALECT_ANY, SUM_A);
	mig(&m, KIND_REPEATABLE, NULL, "views", DIALECT_ANY, SUM_A);
	assert_int_equal(plan_build(&p, &m, DIALECT_SQLITE, &h, NULL), 0);
	assert_int_equal(p.nr, 3);
	assert_null(p.current);
	assert_int_equal(p.count[ST_PENDING], 3);
	assert_int_equal(p.nr_out_of_order, 0);
	assert_string_equal(plan_item_label(&p.items[0]), "1");
	assert_string_equal(plan_item_label(&p.items[2]), "views");
	assert_string_equal(plan_latest(&p), "2");
	plan_release(&p);
	manifest_release(&m);
}

static void test_states(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct history h = HISTORY_INIT;
	struct plan p;

	(void)state;
	mig(&m, KIND_VERSIONED, "0001", "one", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "0002", "two", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "0003", "three", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "0005", "five", DIALECT_ANY, SUM_A);
	mig(&m, KIND_REPEATABLE, NULL, "same", DIALECT_ANY, SUM_A);
	mig(&m, KIND_REPEATABLE, NULL, "edited", DIALECT_ANY, SUM_B);
	/* Versions match numerically: "1" is "0001". */
	row(&h, KIND_VERSIONED, "1", "one", SUM_A, HIST_APPLIED);
	row(&h, KIND_VERSIONED, "0002", "two", SUM_B, HIST_APPLIED);
	row(&h, KIND_VERSIONED, "0003", "three", SUM_A, HIST_DIRTY);
	row(&h, KIND_VERSIONED, "0004", "four", SUM_A, HIST_APPLIED);
	row(&h, KIND_REPEATABLE, NULL, "same", SUM_A, HIST_APPLIED);
	row(&h, KIND_REPEATABLE, NULL, "edited", SUM_A, HIST_APPLIED);
	row(&h, KIND_REPEATABLE, NULL, "gone", SUM_A, HIST_APPLIED);
	assert_int_equal(plan_build(&p, &m, DIALECT_POSTGRES, &h, NULL), 0);
	assert_int_equal(p.nr, 8);
	assert_int_equal(find(&p, "0001")->state, ST_APPLIED);
	assert_int_equal(find(&p, "0002")->state, ST_CHANGED);
	assert_int_equal(find(&p, "0003")->state, ST_DIRTY);
	assert_int_equal(find(&p, "0004")->state, ST_MISSING);
	assert_null(find(&p, "0004")->mig);
	assert_int_equal(find(&p, "0005")->state, ST_PENDING);
	assert_false(find(&p, "0005")->out_of_order);
	assert_int_equal(find(&p, "same")->state, ST_APPLIED);
	/* A repeatable migration whose script changed is due, not drift. */
	assert_int_equal(find(&p, "edited")->state, ST_PENDING);
	assert_int_equal(find(&p, "gone")->state, ST_MISSING);
	/* The newest applied version, missing from the bundle or not; the
	 * dirty one does not count. */
	assert_string_equal(p.current, "0004");
	/* Order: versioned by version (the missing one in its place), then
	 * repeatable by name. */
	assert_string_equal(plan_item_label(&p.items[3]), "0004");
	assert_string_equal(plan_item_label(&p.items[4]), "0005");
	assert_string_equal(plan_item_label(&p.items[5]), "edited");
	assert_string_equal(plan_item_label(&p.items[7]), "same");
	assert_int_equal(p.count[ST_MISSING], 2);
	plan_release(&p);
	history_release(&h);
	manifest_release(&m);
}

static void test_out_of_order(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct history h = HISTORY_INIT;
	struct plan p;

	(void)state;
	mig(&m, KIND_VERSIONED, "1", "one", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "2", "two", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "3", "three", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "4", "four", DIALECT_ANY, SUM_A);
	row(&h, KIND_VERSIONED, "1", "one", SUM_A, HIST_APPLIED);
	row(&h, KIND_VERSIONED, "3", "three", SUM_A, HIST_APPLIED);
	assert_int_equal(plan_build(&p, &m, DIALECT_SQLITE, &h, NULL), 0);
	assert_true(find(&p, "2")->out_of_order);
	assert_false(find(&p, "4")->out_of_order);
	assert_int_equal(p.nr_out_of_order, 1);
	plan_release(&p);
	history_release(&h);
	manifest_release(&m);
}

static void test_dialect(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct history h = HISTORY_INIT;
	struct manifest_migration *mg;
	struct manifest_script *s;
	struct plan p;

	(void)state;
	mig(&m, KIND_VERSIONED, "1", "both", DIALECT_ANY, SUM_A);
	mig(&m, KIND_VERSIONED, "2", "pg only", DIALECT_POSTGRES, SUM_A);
	/* Engine variant beats the generic script. */
	mig(&m, KIND_VERSIONED, "3", "variants", DIALECT_ANY, SUM_A);
	mg = &m.migrations[2];
	s = manifest_add_script(mg, ROLE_UP, DIALECT_SQLITE);
	memcpy(s->file.sha256, SUM_B, CHECKSUM_HEX_LEN + 1);
	s->file.path = manifest_script_path(mg, s);
	row(&h, KIND_VERSIONED, "3", "variants", SUM_B, HIST_APPLIED);

	assert_int_equal(plan_build(&p, &m, DIALECT_SQLITE, &h, NULL), 0);
	assert_int_equal(p.nr, 3);
	/* The postgres-only one is a no-op here, recorded all the same. */
	assert_null(find(&p, "2")->up);
	assert_int_equal(find(&p, "2")->state, ST_PENDING);
	assert_string_equal(plan_item_sum(find(&p, "2")), CHECKSUM_EMPTY);
	assert_int_equal(find(&p, "3")->state, ST_APPLIED);
	assert_int_equal(find(&p, "3")->up->dialect, DIALECT_SQLITE);
	plan_release(&p);

	assert_int_equal(plan_build(&p, &m, DIALECT_POSTGRES, &h, NULL), 0);
	assert_int_equal(p.nr, 3);
	assert_int_equal(find(&p, "3")->state, ST_CHANGED);
	assert_true(find(&p, "2")->out_of_order);
	plan_release(&p);
	history_release(&h);
	manifest_release(&m);
}

static void test_history_twice(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct history h = HISTORY_INIT;
	struct err err = ERR_INIT;
	struct plan p;

	(void)state;
	mig(&m, KIND_VERSIONED, "1", "one", DIALECT_ANY, SUM_A);
	row(&h, KIND_VERSIONED, "1", "one", SUM_A, HIST_APPLIED);
	row(&h, KIND_VERSIONED, "01", "one again", SUM_A, HIST_APPLIED);
	assert_int_equal(plan_build(&p, &m, DIALECT_SQLITE, &h, &err),
	    ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "twice"));
	assert_int_equal(p.nr, 0);
	history_release(&h);
	row(&h, KIND_VERSIONED, "x", "bad", SUM_A, HIST_APPLIED);
	assert_int_equal(plan_build(&p, &m, DIALECT_SQLITE, &h, &err),
	    ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "no valid version"));
	history_release(&h);
	manifest_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_history_all_pending),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_dialect),
		cmocka_unit_test(test_history_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
