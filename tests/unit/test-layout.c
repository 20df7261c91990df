#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "layout.h"
#include "text.h"

/* Each test gets a fresh folder. */
static int setup(void **state)
{
	char *dir = strdup("/tmp/migpack-layout-XXXXXX");

	if (!mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	free(*state);
	return system(cmd);
}

static void put(const char *dir, const char *name, const char *content)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(content, 1, strlen(content), f),
	    strlen(content));
	assert_int_equal(fclose(f), 0);
}

static int sink_buf(void *ctx, const void *data, size_t len, struct err *err)
{
	(void)err;
	buf_add(ctx, data, len);
	return 0;
}

/* The normalized content of source i. */
static char *content(const struct layout *l, size_t i)
{
	struct buf b = BUF_INIT;
	struct err err = ERR_INIT;
	char hex[CHECKSUM_HEX_LEN + 1];
	struct text t;

	assert_int_equal(layout_read(&l->sources[i], &t, hex, sink_buf, &b,
	    &err), 0);
	return buf_detach(&b, NULL);
}

static void expect_content(const struct layout *l, size_t i, const char *want)
{
	char *got = content(l, i);

	assert_string_equal(got, want);
	free(got);
}

static void scan_ok(const char *dir, struct layout *l)
{
	struct err err = ERR_INIT;

	if (layout_scan(l, dir, NULL, &err))
		fail_msg("layout_scan: %s", err.msg);
}

static void scan_fails(const char *dir, const char *msg)
{
	struct layout l;
	struct err err = ERR_INIT;

	assert_int_equal(layout_scan(&l, dir, NULL, &err), ERR_INPUT);
	if (!strstr(err.msg, msg))
		fail_msg("message '%s' lacks '%s'", err.msg, msg);
}

static void test_native(void **state)
{
	const char *d = *state;
	struct layout l;
	struct manifest_migration *m;

	put(d, "10_later.up.sql", "select 10;\n");
	put(d, "2_users.up.sql", "create table u(x);\n");
	put(d, "2_users.down.sql", "drop table u;\n");
	put(d, "2_users.up.postgres.sql", "-- migpack:no-transaction\n"
	    "create index concurrently i on u(x);\n");
	put(d, "3_ext.up.postgres.sql", "create extension x;\n");
	put(d, "3_ext.down.postgres.sql", "drop extension x;\n");
	put(d, "README.md", "notes");
	put(d, "notes.TXT", "notes");
	put(d, ".hidden", "x");
	scan_ok(d, &l);
	assert_int_equal(l.m.nr_migrations, 3);
	m = &l.m.migrations[0];
	assert_string_equal(m->version, "2");
	assert_int_equal(m->nr_scripts, 3);
	assert_int_equal(m->scripts[0].dialect, DIALECT_ANY);
	assert_int_equal(m->scripts[0].tx, TX_TRANSACTION);
	assert_int_equal(m->scripts[1].dialect, DIALECT_POSTGRES);
	assert_int_equal(m->scripts[1].tx, TX_NONE);
	assert_string_equal(m->scripts[1].file.path,
	    "migrations/2_users/up.postgres.sql");
	assert_int_equal(m->scripts[2].role, ROLE_DOWN);
	assert_string_equal(l.m.migrations[1].version, "3");
	assert_string_equal(l.m.migrations[2].version, "10");
	assert_int_equal(l.nr_sources, 6);
	expect_content(&l, 2, "drop table u;\n");
	layout_release(&l);
}

static void test_folder(void **state)
{
	const char *d = *state;
	struct layout l;

	put(d, "2019-02-26-002946_create_users/up.sql", "create table u(x);\n");
	put(d, "2019-02-26-002946_create_users/down.sql", "drop table u;\n");
	put(d, "2019-02-26-002946_create_users/README.md", "x");
	put(d, "2018-12-01-000000_first/up.sqlite.sql", "select 1;\n");
	scan_ok(d, &l);
	assert_int_equal(l.m.nr_migrations, 2);
	/* diesel's versions: without '-' */
	assert_string_equal(l.m.migrations[0].version, "20181201000000");
	assert_string_equal(l.m.migrations[1].name, "create_users");
	assert_string_equal(l.m.migrations[1].scripts[1].file.path,
	    "migrations/20190226002946_create_users/down.sql");
	layout_release(&l);
}

static void test_dbmate(void **state)
{
	const char *d = *state;
	struct layout l;

	put(d, "20240101120000_users.sql",
	    "-- a comment before the markers\n"
	    "\n"
	    "-- migrate:up transaction:false\r\n"
	    "create table u(x);\r\n"
	    "create index concurrently i on u(x);\r\n"
	    "\r\n"
	    "-- migrate:down\r\n"
	    "drop table u;\r\n");
	put(d, "20240101130000_empty_down.sql",
	    "-- migrate:up\nselect 1;\n-- migrate:down\n\n-- nothing\n");
	scan_ok(d, &l);
	assert_int_equal(l.m.nr_migrations, 2);
	assert_int_equal(l.m.migrations[0].nr_scripts, 2);
	assert_int_equal(l.m.migrations[0].scripts[0].tx, TX_NONE);
	assert_int_equal(l.m.migrations[0].scripts[1].tx, TX_TRANSACTION);
	expect_content(&l, 0, "create table u(x);\n"
	    "create index concurrently i on u(x);\n\n");
	expect_content(&l, 1, "drop table u;\n");
	/* an empty down section is a down that does nothing */
	assert_int_equal(l.m.migrations[1].nr_scripts, 2);
	expect_content(&l, 2, "select 1;\n");
	expect_content(&l, 3, "\n-- nothing\n");
	assert_non_null(strstr(l.notices.data, "_empty_down.sql', line 3: "
	    "down script with no statement"));
	layout_release(&l);
}

static void test_goose(void **state)
{
	const char *d = *state;
	struct layout l;

	put(d, "00001_fn.sql",
	    "-- +goose NO TRANSACTION\n"
	    "-- +goose Up\n"
	    "-- +goose StatementBegin\n"
	    "create function f() returns int as $$ select 1; $$ language sql;\n"
	    "-- +goose StatementEnd\n"
	    "-- +goose Down\n"
	    "drop function f();\n");
	scan_ok(d, &l);
	assert_int_equal(l.m.migrations[0].scripts[0].tx, TX_NONE);
	assert_int_equal(l.m.migrations[0].scripts[1].tx, TX_NONE);
	expect_content(&l, 0, "-- +goose StatementBegin\n"
	    "create function f() returns int as $$ select 1; $$ language sql;\n"
	    "-- +goose StatementEnd\n");
	expect_content(&l, 1, "drop function f();\n");
	layout_release(&l);
}

static void test_flyway(void **state)
{
	const char *d = *state;
	struct layout l;

	put(d, "V1_1__add_users.sql", "create table u(x);\n");
	put(d, "U1_1__add_users.sql", "drop table u;\n");
	put(d, "V1_10__later.sql", "select 110;\n");
	put(d, "V1_2__next.sql", "select 12;\n");
	put(d, "R__views.sql", "create view v as select 1;\n");
	put(d, "R__a_first.sql", "select 'r';\n");
	scan_ok(d, &l);
	assert_int_equal(l.m.nr_migrations, 5);
	assert_string_equal(l.m.migrations[0].version, "1_1");
	assert_int_equal(l.m.migrations[0].nr_scripts, 2);
	assert_string_equal(l.m.migrations[1].version, "1_2");
	assert_string_equal(l.m.migrations[2].version, "1_10");
	assert_int_equal(l.m.migrations[3].kind, KIND_REPEATABLE);
	assert_string_equal(l.m.migrations[3].name, "a_first");
	assert_string_equal(l.m.migrations[4].scripts[0].file.path,
	    "repeatable/views/up.sql");
	layout_release(&l);
}

static void test_seeds(void **state)
{
	const char *d = *state;
	struct layout l;

	put(d, "1_a.up.sql", "select 1;\n");
	put(d, "seeds/default/users.csv", "\xef\xbb\xbfid,name\r\n1,x\r\n");
	put(d, "seeds/default/10_more.sql", "insert into users values (2);\n");
	put(d, "seeds/minimal/users.csv", "id,name\n");
	scan_ok(d, &l);
	assert_int_equal(l.m.nr_seeds, 3);
	assert_string_equal(l.m.seeds[0].file.path, "seeds/default/10_more.sql");
	assert_null(l.m.seeds[0].table);
	assert_string_equal(l.m.seeds[1].table, "users");
	assert_int_equal(l.m.seeds[1].file.format, SEED_CSV);
	assert_string_equal(l.m.seeds[2].profile, "minimal");
	expect_content(&l, 2, "id,name\n1,x\n");
	layout_release(&l);
}

static void test_errors(void **state)
{
	const char *d = *state;
	char sub[512];

	scan_fails(d, "no migrations found");
	put(d, "seeds/default/users.csv", "id\n");
	scan_fails(d, "no migrations found");
	unlink(strcat(strcpy(sub, d), "/seeds/default/users.csv"));
	rmdir(strcat(strcpy(sub, d), "/seeds/default"));
	rmdir(strcat(strcpy(sub, d), "/seeds"));

	put(d, "0003_x.down.sql", "drop table x;\n");
	scan_fails(d, "0003_x.down.sql': down script without an up script");
	put(d, "0003_x.up.sq", "x");
	unlink(strcat(strcpy(sub, d), "/0003_x.down.sql"));
	scan_fails(d, "0003_x.up.sq': matches no migration layout");
	unlink(strcat(strcpy(sub, d), "/0003_x.up.sq"));

	put(d, "0002_a.up.sql", "select 1;\n");
	put(d, "2_b.up.sql", "select 2;\n");
	scan_fails(d, "2_b.up.sql': version '2' is already migration 'a' (");
	unlink(strcat(strcpy(sub, d), "/2_b.up.sql"));

	put(d, "0004_e.up.sql", "select '\xff';\n");
	scan_fails(d, "0004_e.up.sql': line 1: invalid UTF-8");
	put(d, "0004_e.up.sql", "select 1;\n");

	put(d, "0005_m.sql", "select 1;\n-- migrate:up\nselect 2;\n");
	scan_fails(d, "0005_m.sql': line 1: statement before the first");
	put(d, "0005_m.sql", "-- migrate:up\nx;\n-- +goose Down\ny;\n");
	scan_fails(d, "markers mixed");
	put(d, "0005_m.sql", "-- +goose Up\nx;\n-- +goose NO TRANSACTON\n");
	scan_fails(d, "line 3: not a goose annotation");
	put(d, "0005_m.sql", "-- migrate:up\nx;\n-- migrate:up\ny;\n");
	scan_fails(d, "line 3: second up marker");
	put(d, "0005_m.sql", "-- +goose Down\nselect 1;\n");
	scan_fails(d, "0005_m.sql': no '-- migrate:up' or '-- +goose Up'");
	put(d, "0005_m.sql", "-- migrate:down\nx;\n");
	scan_fails(d, "no '-- migrate:up'");
	unlink(strcat(strcpy(sub, d), "/0005_m.sql"));

	put(d, "junk/file", "x");
	scan_fails(d, "junk': matches no migration layout");
	unlink(strcat(strcpy(sub, d), "/junk/file"));
	rmdir(strcat(strcpy(sub, d), "/junk"));

	put(d, "seeds/default/users.csv", "");
	scan_fails(d, "users.csv': empty seed file");
	put(d, "seeds/default/users.csv", "\r\n1,x\n");
	scan_fails(d, "users.csv': line 1: no header row");
	unlink(strcat(strcpy(sub, d), "/seeds/default/users.csv"));
	put(d, "seeds/default/x.json", "{}");
	scan_fails(d, "x.json': not a seed file");
	unlink(strcat(strcpy(sub, d), "/seeds/default/x.json"));
	put(d, "seeds/loose.csv", "a\n");
	scan_fails(d, "loose.csv': seed files belong in seeds/<profile>/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_native, setup, teardown),
		cmocka_unit_test_setup_teardown(test_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dbmate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_goose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flyway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seeds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
