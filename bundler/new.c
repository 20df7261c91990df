/* migpack new: the next migration, in the folder's own layout. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "buf.h"
#include "cmd.h"
#include "commands.h"
#include "version.h"
#include "xalloc.h"

static int exec_new(int argc, char **argv, struct err *err);

static const struct option new_opts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "no-down", no_argument, NULL, 'n' },
	{ "dialect", required_argument, NULL, 'D' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_new_entry = {
	.name = "new",
	.opts = new_opts,
	.usage = "NAME [--dir DIR] [--no-down] [--dialect postgres|sqlite]",
	.help =
	    "Create the next migration in DIR (default migrations), in the\n"
	    "layout its newest migration has: native (VERSION_NAME.up.sql and\n"
	    ".down.sql), a folder per migration (VERSION_NAME/up.sql),\n"
	    "dbmate's or goose's one file with markers, sqlx's simple\n"
	    "VERSION_NAME.sql, or Flyway's VVERSION__NAME.sql (with its\n"
	    "undo UVERSION__NAME.sql); and in its version style: the next of\n"
	    "the sequence, padded as it is, or the current UTC time for 14-digit\n"
	    "timestamps (a second after the newest, when that is later).  An\n"
	    "empty folder gets native 0001.  The down script is a comment, a\n"
	    "no-op that builds, until it is written.  Prints the new files'\n"
	    "paths.  Never replaces a file (exit 2).\n\n"
	    "  --dir DIR            the migrations folder (created when missing)\n"
	    "  --no-down            no down script\n"
	    "  --dialect D          the script for one engine only, postgres or\n"
	    "                       sqlite (native and folder layouts)\n",
	.exec = exec_new,
};

enum style { ST_NATIVE, ST_FOLDER, ST_DBMATE, ST_GOOSE, ST_SQLX, ST_FLYWAY };

static const char *const style_name[] = { "native", "folder per migration",
    "dbmate", "goose", "sqlx simple", "Flyway" };

/* The newest migration found, and its layout. */
struct newest {
	char *version;
	enum style style;
};

/* Whether the file's first 4 KiB hold s. */
static int holds(const char *path, const char *s)
{
	char head[4097];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	return strstr(head, s) != NULL;
}

/* What the entry name in dir says: its version and layout, or 0. */
static int classify(const char *dir, const char *name, char **version,
    enum style *style)
{
	size_t v, n = strlen(name);
	char *path;
	struct stat st;
	int ok = 0;

	if (name[0] == 'V' && (v = version_span(name + 1,
	    VERSION_ALLOW_UNDERSCORE)) && !strncmp(name + 1 + v, "__", 2) &&
	    n > 4 && !strcmp(name + n - 4, ".sql")) {
		*version = xstrndup(name + 1, v);
		*style = ST_FLYWAY;
		return 1;
	}
	if (!(v = version_span(name, 0)) || name[v] != '_')
		return 0;
	path = xasprintf("%s/%s", dir, name);
	if (stat(path, &st))
		goto out;
	if (S_ISDIR(st.st_mode)) {
		char *up = xasprintf("%s/up.sql", path);

		ok = !access(up, F_OK);
		free(up);
		if (!ok) {
			up = xasprintf("%s/up.postgres.sql", path);
			ok = !access(up, F_OK);
			free(up);
		}
		if (!ok) {
			up = xasprintf("%s/up.sqlite.sql", path);
			ok = !access(up, F_OK);
			free(up);
		}
		*style = ST_FOLDER;
	} else if (S_ISREG(st.st_mode) && n > 4 &&
	    !strcmp(name + n - 4, ".sql")) {
		ok = 1;
		if (strstr(name, ".up.") || strstr(name, ".down."))
			*style = ST_NATIVE;
		else if (holds(path, "migrate:up"))
			*style = ST_DBMATE;
		else if (holds(path, "+goose"))
			*style = ST_GOOSE;
		else
			*style = ST_SQLX;
	}
	if (ok)
		*version = xstrndup(name, v);
out:
	free(path);
	return ok;
}

static int find_newest(const char *dir, struct newest *nw, struct err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	enum style style;
	char *version;

	nw->version = NULL;
	nw->style = ST_NATIVE;
	if (!d)
		return err_errno(err, ERR_INPUT, "'%s'", dir);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    !classify(dir, de->d_name, &version, &style))
			continue;
		if (!nw->version || version_cmp(version, nw->version) > 0) {
			free(nw->version);
			nw->version = version;
			nw->style = style;
		} else
			free(version);
	}
	closedir(d);
	return 0;
}

/* A 14-digit UTC timestamp, as dbmate, goose and sqlx write them. */
static int is_timestamp(const char *v)
{
	size_t i;

	for (i = 0; v[i]; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return i == 14 && (!strncmp(v, "19", 2) || !strncmp(v, "20", 2));
}

static time_t timestamp_time(const char *v)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	sscanf(v, "%4d%2d%2d%2d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The version after newest: now for timestamps (a second after newest
 * when that is later), else its last run of digits plus one, padded as
 * it was. */
static char *next_version(const char *newest)
{
	char stamp[32];
	time_t now = time(NULL), after;
	size_t end, start, width;
	struct buf b = BUF_INIT;
	unsigned long long n;
	struct tm tm;

	if (!newest)
		return xstrdup("0001");
	if (is_timestamp(newest)) {
		after = timestamp_time(newest) + 1;
		if (now < after)
			now = after;
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
		return xstrdup(stamp);
	}
	end = strlen(newest);
	while (end && !isdigit((unsigned char)newest[end - 1]))
		end--;
	for (start = end; start && isdigit((unsigned char)newest[start - 1]);
	    start--)
		;
	width = end - start;
	n = strtoull(newest + start, NULL, 10) + 1;
	buf_add(&b, newest, start);
	buf_addf(&b, "%0*llu", (int)width, n);
	buf_addstr(&b, newest + end);
	return buf_detach(&b, NULL);
}

static int name_ok(const char *s)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]) || strlen(s) > 100)
		return 0;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* The files to write: their paths and texts. */
struct plan {
	char *path[2];
	struct buf text[2];
	size_t nr;
	char *folder;		/* the folder layout's, made first */
};

static void add(struct plan *p, char *path, const char *text)
{
	p->path[p->nr] = path;
	buf_init(&p->text[p->nr]);
	buf_addstr(&p->text[p->nr++], text);
}

static int plan_files(struct plan *p, const char *dir, enum style st,
    const char *v, const char *name, const char *dialect, int down,
    struct err *err)
{
	char when[32], up_c[512], down_c[512];
	const char *dot = dialect ? "." : "", *d = dialect ? dialect : "";
	time_t now = time(NULL);
	struct tm tm;

	if (dialect && st != ST_NATIVE && st != ST_FOLDER)
		return err_set(err, ERR_INPUT, "--dialect: the %s layout of "
		    "'%s' has one script for every engine", style_name[st],
		    dir);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	snprintf(up_c, sizeof(up_c), "-- %s %s (migpack new, %s)\n"
	    "-- The change: write its SQL below.\n", v, name, when);
	snprintf(down_c, sizeof(down_c), "-- Undo %s %s here.  Until then "
	    "this script does nothing:\n-- rolling the migration back only "
	    "removes its history row.\n", v, name);
	switch (st) {
	case ST_NATIVE:
		add(p, xasprintf("%s/%s_%s.up%s%s.sql", dir, v, name, dot, d),
		    up_c);
		if (down)
			add(p, xasprintf("%s/%s_%s.down%s%s.sql", dir, v, name,
			    dot, d), down_c);
		break;
	case ST_FOLDER:
		p->folder = xasprintf("%s/%s_%s", dir, v, name);
		add(p, xasprintf("%s/up%s%s.sql", p->folder, dot, d), up_c);
		if (down)
			add(p, xasprintf("%s/down%s%s.sql", p->folder, dot, d),
			    down_c);
		break;
	case ST_DBMATE:
	case ST_GOOSE:
		add(p, xasprintf("%s/%s_%s.sql", dir, v, name), st == ST_DBMATE ?
		    "-- migrate:up\n" : "-- +goose Up\n");
		buf_addstr(&p->text[0], up_c);
		if (down) {
			buf_addstr(&p->text[0], st == ST_DBMATE ?
			    "\n-- migrate:down\n" : "\n-- +goose Down\n");
			buf_addstr(&p->text[0], down_c);
		}
		break;
	case ST_SQLX:
		/* sqlx's simple migrations have no down: irreversible. */
		add(p, xasprintf("%s/%s_%s.sql", dir, v, name), up_c);
		break;
	case ST_FLYWAY:
		add(p, xasprintf("%s/V%s__%s.sql", dir, v, name), up_c);
		if (down)
			add(p, xasprintf("%s/U%s__%s.sql", dir, v, name),
			    down_c);
		break;
	}
	return 0;
}

/* Write the files, none replacing another; on failure, none is left. */
static int write_files(struct plan *p, struct err *err)
{
	struct afile f = AFILE_INIT;
	char *final;
	size_t i, done;
	int ret = 0;

	if (p->folder && mkdir(p->folder, 0777) < 0)
		return errno == EEXIST ? err_set(err, ERR_INPUT, "'%s': already "
		    "exists; nothing written", p->folder) :
		    err_errno(err, ERR_RUNTIME, "'%s'", p->folder);
	for (done = 0; done < p->nr && !ret; done++) {
		if (!(ret = afile_open(&f, p->path[done], err)) &&
		    !(ret = afile_write(&f, p->text[done].data,
		    p->text[done].len, err)) &&
		    !(ret = afile_commit_new(&f, NULL, NULL, &final, err)))
			free(final);
		afile_abort(&f);
	}
	if (!ret)
		return 0;
	for (i = 0; i + 1 < done; i++)
		unlink(p->path[i]);
	if (p->folder)
		rmdir(p->folder);
	return ret;
}

static int exec_new(int argc, char **argv, struct err *err)
{
	const char *dir = "migrations", *dialect = NULL, *name;
	struct newest nw = { NULL, ST_NATIVE };
	struct plan p;
	char *v = NULL;
	size_t i;
	int c, down = 1, ret;

	while ((c = getopt_long(argc, argv, "", new_opts, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_help(&cmd_new_entry);
		case 'd': dir = optarg; continue;
		case 'n': down = 0; continue;
		case 'D':
			if (strcmp(optarg, "postgres") && strcmp(optarg,
			    "sqlite"))
				return cmd_usage(&cmd_new_entry, err,
				    "--dialect: postgres or sqlite");
			dialect = optarg;
			continue;
		}
		return cmd_bad_option(&cmd_new_entry, argc, argv, err);
	}
	if (optind != argc - 1)
		return cmd_usage(&cmd_new_entry, err, "expected one NAME");
	name = argv[optind];
	if (!name_ok(name))
		return err_set(err, ERR_INPUT, "'%s': not a migration name: "
		    "letters, digits, '_' and '-', starting with a letter or "
		    "digit, at most 100", name);
	if (mkdir(dir, 0777) < 0 && errno != EEXIST)
		return err_errno(err, ERR_RUNTIME, "'%s'", dir);
	memset(&p, 0, sizeof(p));
	if ((ret = find_newest(dir, &nw, err)))
		goto out;
	v = next_version(nw.version);
	if ((ret = plan_files(&p, dir, nw.style, v, name, dialect, down,
	    err)) || (ret = write_files(&p, err)))
		goto out;
	for (i = 0; i < p.nr; i++)
		printf("%s\n", p.path[i]);
out:
	for (i = 0; i < p.nr; i++) {
		free(p.path[i]);
		buf_release(&p.text[i]);
	}
	free(p.folder);
	free(nw.version);
	free(v);
	return ret;
}
