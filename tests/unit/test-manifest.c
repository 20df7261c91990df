#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "manifest.h"

#define SHA_A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char good[] =
    "migpack-manifest\t1\n"
    "name\tapp\n"
    "release\t2.0\n"
    "created\t2024-01-01T00:00:00Z\n"
    "engines\tpostgres,sqlite\n"
    "migration\tversioned\t0001\tinit\n"
    "script\tup\tany\ttransaction\t" SHA_A "\tmigrations/0001_init/up.sql\n"
    "script\tdown\tany\ttransaction\t" SHA_B "\tmigrations/0001_init/down.sql\n"
    "finding\tup\tany\t3\tdrop-table\twarning\tsilenced\tDROP TABLE x; it goes\n"
    "finding\tdown\tany\t1\tdown-unparsable\twarning\t-\t1:6: syntax error\n"
    "migration\tversioned\t0002\tpg only\n"
    "script\tup\tpostgres\tno-transaction\t" SHA_A
    "\tmigrations/0002_pg only/up.postgres.sql\n"
    "migration\tversioned\t10\tlater\n"
    "script\tup\tany\ttransaction\t" SHA_B "\tmigrations/10_later/up.sql\n"
    "migration\trepeatable\t-\tviews\n"
    "script\tup\tany\ttransaction\t" SHA_A "\trepeatable/views/up.sql\n"
    "seed\tdefault\tusers\tcsv\t" SHA_B "\tseeds/default/users.csv\n"
    "seed\tdefault\t-\tsql\t" SHA_A "\tseeds/default/z.sql\n";

static void test_round_trip(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct buf out = BUF_INIT;
	struct err err = ERR_INIT;

	(void)state;
	assert_int_equal(manifest_parse(&m, good, strlen(good), &err), 0);
	assert_string_equal(m.name, "app");
	assert_string_equal(m.release, "2.0");
	assert_string_equal(m.created, "2024-01-01T00:00:00Z");
	assert_int_equal(m.nr_migrations, 4);
	assert_int_equal(m.migrations[0].nr_scripts, 2);
	assert_int_equal(m.migrations[0].nr_findings, 2);
	assert_int_equal(m.migrations[0].findings[0].line, 3);
	assert_string_equal(m.migrations[0].findings[0].rule, "drop-table");
	assert_int_equal(m.migrations[0].findings[0].severity, SEV_WARNING);
	assert_true(m.migrations[0].findings[0].silenced);
	assert_false(m.migrations[0].findings[1].silenced);
	assert_int_equal(m.migrations[0].findings[1].role, ROLE_DOWN);
	assert_int_equal(m.migrations[1].scripts[0].dialect, DIALECT_POSTGRES);
	assert_int_equal(m.migrations[1].scripts[0].tx, TX_NONE);
	assert_string_equal(m.migrations[1].name, "pg only");
	assert_int_equal(m.migrations[3].kind, KIND_REPEATABLE);
	assert_null(m.migrations[3].version);
	assert_int_equal(m.nr_seeds, 2);
	assert_string_equal(m.seeds[0].table, "users");
	assert_null(m.seeds[1].table);
	assert_int_equal(m.seeds[1].file.format, SEED_SQL);
	manifest_write(&m, &out);
	assert_string_equal(out.data, good);
	buf_release(&out);
	manifest_release(&m);
}

static void test_build_and_write(void **state)
{
	struct manifest m = MANIFEST_INIT, back = MANIFEST_INIT;
	struct manifest_migration *mig;
	struct manifest_script *s;
	struct buf out = BUF_INIT, sums = BUF_INIT;
	struct err err = ERR_INIT;

	(void)state;
	m.name = strdup("x");
	m.release = strdup("1");
	mig = manifest_add_migration(&m, KIND_VERSIONED, "1", "a");
	s = manifest_add_script(mig, ROLE_UP, DIALECT_SQLITE);
	s->file.path = manifest_script_path(mig, s);
	memset(s->file.sha256, 'c', CHECKSUM_HEX_LEN);
	assert_string_equal(s->file.path, "migrations/1_a/up.sqlite.sql");
	manifest_write(&m, &out);
	assert_int_equal(manifest_parse(&back, out.data, out.len, &err), 0);
	assert_string_equal(back.migrations[0].scripts[0].file.path,
	    "migrations/1_a/up.sqlite.sql");
	manifest_write_sums(&m, "dd", &sums);
	assert_string_equal(sums.data, "dd  MANIFEST\n"
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	    "  migrations/1_a/up.sqlite.sql\n");
	buf_release(&out);
	buf_release(&sums);
	manifest_release(&m);
	manifest_release(&back);
}

/* Replace the first occurrence of `from` in good by `to`, then parse. */
static void expect_bad(const char *from, const char *to, const char *msg)
{
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT;
	const char *at = strstr(good, from);
	char text[4096];
	size_t pre;

	assert_non_null(at);
	pre = (size_t)(at - good);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, good, to,
	    at + strlen(from));
	assert_int_equal(manifest_parse(&m, text, strlen(text), &err),
	    ERR_INPUT);
	if (!strstr(err.msg, msg))
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
	assert_int_equal(m.nr_migrations, 0);	/* released on failure */
}

static void test_malformed(void **state)
{
	(void)state;
	expect_bad("migpack-manifest\t1", "migpack-manifest\t2", "line 1: "
	    "unsupported format version '2'");
	expect_bad("migpack-manifest\t1\n", "", "line 1: expected "
	    "'migpack-manifest'");
	expect_bad("name\tapp\n", "", "line 2");
	expect_bad("created", "creatd", "line 4: unknown record 'creatd'");
	expect_bad("migration\tversioned\t0001\tinit\n", "migrate\tx\n",
	    "line 6: unknown record 'migrate'");
	expect_bad("\t0001\tinit", "\t0001", "line 6: migration: expected 4");
	expect_bad("\t0001\tinit", "\t1a\tinit", "line 6: invalid version '1a'");
	expect_bad("\t10\tlater", "\t2\tlater", "line 13: version '2' out of "
	    "order or duplicate");
	expect_bad("\t10\tlater", "\t1.0\tlater", "out of order or duplicate");
	expect_bad("sha256:aaaa", "sha1:aaaa", "line 7: malformed checksum");
	expect_bad("aaaa\tmigrations/0001", "aaaA\tmigrations/0001",
	    "malformed checksum");
	expect_bad("\tmigrations/0001_init/up.sql", "\t/etc/passwd",
	    "line 7: unsafe path '/etc/passwd'");
	expect_bad("\tmigrations/0001_init/up.sql", "\tmigrations/../x",
	    "unsafe path");
	expect_bad("script\tup\tany\ttransaction\t" SHA_A
	    "\tmigrations/0001_init/up.sql\n", "", "line 8: finding for a script "
	    "the migration lacks");
	expect_bad("\tup\tpostgres", "\tup\toracle", "unknown script role");
	expect_bad("\tmigrations/0001_init/down.sql",
	    "\tmigrations/0001_init/up.sql", "used twice");
	expect_bad("\tusers\tcsv", "\t-\tcsv", "invalid seed table");
	expect_bad("\t-\tsql", "\tt\tsql", "invalid seed table");
	expect_bad("migration\trepeatable\t-", "migration\trepeatable\t3",
	    "repeatable migration with a version");
	expect_bad("seeds/default/z.sql\n", "seeds/default/z.sql",
	    "ending in a newline");
	expect_bad("init\n", "in\x01it\n", "invalid migration name");
	expect_bad("\tup\tany\t3\tdrop-table", "\tup\tpostgres\t3\tdrop-table",
	    "line 9: finding for a script the migration lacks");
	expect_bad("\t3\tdrop-table", "\t0\tdrop-table", "invalid finding line");
	expect_bad("\t3\tdrop-table", "\t03\tdrop-table", "invalid finding line");
	expect_bad("\tdrop-table\twarning", "\tdrop-table\tfatal",
	    "unknown finding role, dialect or severity");
	expect_bad("\tdrop-table\twarning", "\tDrop_table\twarning",
	    "invalid rule 'Drop_table'");
	expect_bad("\tsilenced\t", "\tquiet\t", "unknown finding state 'quiet'");
	expect_bad("\twarning\t-\t1:6", "\twarning\t-", "finding: expected 8");
	expect_bad("finding\tdown\tany\t1\tdown-unparsable\twarning\t-\t1:6: "
	    "syntax error\n", "finding\tdown\tany\t1\tdown-unparsable\twarning\t-"
	    "\t1:6: syntax error\nscript\tdown\tsqlite\ttransaction\t" SHA_A
	    "\tmigrations/0001_init/down.sqlite.sql\n", "script after a finding");
}

static const char head[] =
    "migpack-manifest\t1\nname\tapp\nrelease\t1\nengines\tsqlite\n";
static const char tail[] =
    "migration\tversioned\t0001\tinit\n"
    "script\tup\tany\ttransaction\t" SHA_A "\tmigrations/0001_init/up.sql\n";

/* What migpack build --exclude left out: patterns, then paths. */
static void excludes_are(const char *lines, const char *msg)
{
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT;
	struct buf text = BUF_INIT, out = BUF_INIT;
	int ret;

	buf_addf(&text, "%s%s%s", head, lines, tail);
	ret = manifest_parse(&m, text.data, text.len, &err);
	if (msg) {
		assert_int_equal(ret, ERR_INPUT);
		if (!strstr(err.msg, msg))
			fail_msg("message '%s' lacks '%s'", err.msg, msg);
	} else {
		if (ret)
			fail_msg("%s", err.msg);
		manifest_write(&m, &out);
		assert_string_equal(out.data, text.data);
	}
	buf_release(&text);
	buf_release(&out);
	manifest_release(&m);
}

static void test_excludes(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT;
	const char *text = "migpack-manifest\t1\nname\tapp\nrelease\t1\n"
	    "exclude\t*.go\nexclude\tseeds/x y\nexcluded\t0002_a.go\n"
	    "excluded\tseeds/x y/\n"
	    "migration\tversioned\t0001\tinit\n"
	    "script\tup\tany\ttransaction\t" SHA_A
	    "\tmigrations/0001_init/up.sql\n";

	(void)state;
	assert_int_equal(manifest_parse(&m, text, strlen(text), &err), 0);
	assert_int_equal(m.nr_excludes, 2);
	assert_string_equal(m.excludes[1], "seeds/x y");
	assert_int_equal(m.nr_excluded, 2);
	assert_string_equal(m.excluded[0], "0002_a.go");
	manifest_release(&m);
	excludes_are("exclude\t*.go\nexcluded\ta.go\nexcluded\tb/\n", NULL);
	excludes_are("exclude\tnothing\n", NULL);
	excludes_are("excluded\tb/\nexcluded\ta.go\n", "line 6: excluded "
	    "'a.go' out of order or duplicate");
	excludes_are("excluded\ta.go\nexcluded\ta.go\n", "out of order");
	excludes_are("excluded\ta.go\nexclude\t*.go\n", "line 6: exclude "
	    "out of order");
	excludes_are("exclude\ta\\b\n", "line 5: invalid value 'a\\b'");
	excludes_are("exclude\t*.go\tx\n", "exclude: expected 2 fields");
}

/* Which engines a bundle is for: once, canonical, before the rest;
 * absent in a bundle built before it, meaning both. */
static void test_engines(void **state)
{
	static const char *const bad[] = { "postgres,postgres", "oracle",
	    "sqlite,postgres", "", "any", "postgres,", NULL };
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT;
	const char *const *b;
	char text[1024];
	unsigned e;

	(void)state;
	excludes_are("", NULL);
	excludes_are("exclude\t*.go\n", NULL);
	snprintf(text, sizeof(text), "migpack-manifest\t1\nname\tapp\n"
	    "release\t1\n%s", tail);
	assert_int_equal(manifest_parse(&m, text, strlen(text), &err), 0);
	assert_true(manifest_for_engine(&m, DIALECT_POSTGRES));
	assert_true(manifest_for_engine(&m, DIALECT_SQLITE));
	manifest_release(&m);
	snprintf(text, sizeof(text), "%s%s", head, tail);
	assert_int_equal(manifest_parse(&m, text, strlen(text), &err), 0);
	assert_false(manifest_for_engine(&m, DIALECT_POSTGRES));
	assert_true(manifest_for_engine(&m, DIALECT_SQLITE));
	manifest_release(&m);
	for (b = bad; *b; b++) {
		snprintf(text, sizeof(text), "migpack-manifest\t1\nname\tapp\n"
		    "release\t1\nengines\t%s\n%s", *b, tail);
		assert_int_equal(manifest_parse(&m, text, strlen(text), &err),
		    ERR_INPUT);
		if (!strstr(err.msg, "line 4: unknown engines"))
			fail_msg("'%s': %s", *b, err.msg);
	}
	excludes_are("engines\tpostgres\n", "line 5: engines out of order");
	excludes_are("exclude\tx\nengines\tpostgres\n", "out of order");
	assert_int_equal(engines_parse("sqlite,postgres", &e), 0);
	assert_int_equal(e, ENGINES_ALL);
	assert_int_equal(engines_parse("postgres,sqlite,", &e), -1);
}

static void test_migration_rules(void **state)
{
	struct manifest m = MANIFEST_INIT;
	struct manifest_migration *mig;
	const char *why;
	size_t bad;

	(void)state;
	/* Only a postgres up: on SQLite a no-op, which is fine. */
	mig = manifest_add_migration(&m, KIND_VERSIONED, "1", "ext");
	manifest_add_script(mig, ROLE_UP, DIALECT_POSTGRES);
	assert_int_equal(manifest_migration_check(mig, &bad, &why), 0);
	/* ... but a plain down would run on SQLite with nothing to undo. */
	manifest_add_script(mig, ROLE_DOWN, DIALECT_ANY);
	assert_int_not_equal(manifest_migration_check(mig, &bad, &why), 0);
	assert_int_equal(bad, 1);
	assert_string_equal(why, "down script without an up script");

	mig = manifest_add_migration(&m, KIND_VERSIONED, "2", "both");
	manifest_add_script(mig, ROLE_UP, DIALECT_POSTGRES);
	manifest_add_script(mig, ROLE_UP, DIALECT_SQLITE);
	manifest_add_script(mig, ROLE_DOWN, DIALECT_ANY);
	assert_int_equal(manifest_migration_check(mig, &bad, &why), 0);
	manifest_add_script(mig, ROLE_UP, DIALECT_SQLITE);
	assert_int_not_equal(manifest_migration_check(mig, &bad, &why), 0);
	assert_int_equal(bad, 3);

	mig = manifest_add_migration(&m, KIND_REPEATABLE, NULL, "r");
	manifest_add_script(mig, ROLE_UP, DIALECT_ANY);
	manifest_add_script(mig, ROLE_DOWN, DIALECT_ANY);
	assert_int_not_equal(manifest_migration_check(mig, &bad, &why), 0);
	manifest_release(&m);
}

static void test_paths(void **state)
{
	(void)state;
	assert_true(manifest_path_safe("migrations/1_a/up.sql"));
	assert_true(manifest_path_safe("seeds/default/a b.csv"));
	assert_false(manifest_path_safe(""));
	assert_false(manifest_path_safe("/abs"));
	assert_false(manifest_path_safe("a/../b"));
	assert_false(manifest_path_safe(".."));
	assert_false(manifest_path_safe("a/./b"));
	assert_false(manifest_path_safe("a//b"));
	assert_false(manifest_path_safe("a/"));
	assert_false(manifest_path_safe("a\\b"));
	assert_false(manifest_path_safe("a\nb"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_build_and_write),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_excludes),
		cmocka_unit_test(test_engines),
		cmocka_unit_test(test_migration_rules),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
