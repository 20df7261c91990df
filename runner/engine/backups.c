/* Backup files: their names, their writing, and how many are kept. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "buf.h"
#include "ofile.h"
#include "xalloc.h"

#define STAMP_LEN 16		/* yyyymmddTHHMMSSZ */

char *backup_file_part(const char *name)
{
	char *s = xstrdup(*name ? name : "database"), *p;

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    ((*p == '-' || *p == '.') && p != s)))
			*p = '_';
	return s;
}

struct name {
	const char *dir, *db, *version, *ext;
	char stamp[STAMP_LEN + 1];
};

static char *name_for(void *arg, unsigned n)
{
	const struct name *nm = arg;
	char count[16] = "";

	if (n > 1)
		snprintf(count, sizeof(count), "-%u", n);
	return xasprintf("%s/%s-%s-%s%s.%s.gz", nm->dir, nm->db, nm->stamp,
	    nm->version, count, nm->ext);
}

/* path, a part of dir (or all of it), made unless it is a directory. */
static int make_one(const char *dir, const char *path, struct err *err)
{
	struct stat st;

	if (mkdir(path, 0700) == 0 || (errno == EEXIST &&
	    stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return 0;
	if (errno != EEXIST)
		return err_errno(err, ERR_RUNTIME, "backup directory '%s'",
		    dir);
	if (!strcmp(path, dir))
		return err_set(err, ERR_RUNTIME, "backup directory '%s': not a "
		    "directory", dir);
	return err_set(err, ERR_RUNTIME, "backup directory '%s': '%s' is not "
	    "a directory", dir, path);
}

/* dir, and its parents where missing, as mkdir -p makes them. */
static int make_dir(const char *dir, struct err *err)
{
	char *path = xstrdup(dir);
	size_t i, n = strlen(path);
	int ret = 0;

	for (i = 1; i <= n && !ret; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		ret = make_one(dir, path, err);
		if (i < n)
			path[i] = '/';
	}
	free(path);
	return ret;
}

/* A backup of db named as this one: "<db>-<stamp>-...<.ext.gz>". */
struct found {
	char *name;
	char stamp[STAMP_LEN + 1];
	struct timespec mtime;
};

static int is_stamp(const char *s)
{
	int i;

	for (i = 0; i < STAMP_LEN; i++)
		if (i == 8 ? s[i] != 'T' : i == 15 ? s[i] != 'Z' :
		    !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return 1;
}

static int ours(const struct name *nm, const char *file)
{
	size_t db = strlen(nm->db), n = strlen(file);
	char suffix[16];

	snprintf(suffix, sizeof(suffix), ".%s.gz", nm->ext);
	return !strncmp(file, nm->db, db) && file[db] == '-' &&
	    n > db + 1 + STAMP_LEN + 1 + strlen(suffix) &&
	    is_stamp(file + db + 1) && file[db + 1 + STAMP_LEN] == '-' &&
	    !strcmp(file + n - strlen(suffix), suffix);
}

/* A stopped backup's temporary file: this database's scratch copy, or a
 * backup of it being written ("<backup name>.tmp.XXXXXX"). */
static int leftover(void *arg, const char *file)
{
	const struct name *nm = arg;
	size_t n = strlen(file);
	char *base, *prefix;
	int yes;

	prefix = xasprintf(SCRATCH_PREFIX "%s-", nm->db);
	yes = afile_temp_name(file, prefix);
	free(prefix);
	if (yes || n < 12 || strncmp(file + n - 11, ".tmp.", 5))
		return yes;
	base = xstrndup(file, n - 11);
	prefix = xasprintf("%s.tmp.", base);
	yes = ours(nm, base) && afile_temp_name(file, prefix);
	free(base);
	free(prefix);
	return yes;
}

/* Newest first: by the time in the name, then by when it was written. */
static int by_age(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	int c = strcmp(y->stamp, x->stamp);

	if (c)
		return c;
	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
	return strcmp(y->name, x->name);
}

/* Remove this database's backups beyond the newest keep. */
static int prune(const struct name *nm, unsigned keep, struct err *err)
{
	struct found *f = NULL;
	size_t nr = 0, alloc = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	char *path;
	int ret = 0;

	if (!keep)
		return 0;
	if (!(d = opendir(nm->dir)))
		return err_errno(err, ERR_RUNTIME, "backup directory '%s'",
		    nm->dir);
	while ((errno = 0, de = readdir(d))) {
		if (!ours(nm, de->d_name))
			continue;
		path = xasprintf("%s/%s", nm->dir, de->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (nr == alloc)
			f = xreallocarray(f, alloc = alloc ? 2 * alloc : 16,
			    sizeof(*f));
		f[nr].name = path;
		memcpy(f[nr].stamp, de->d_name + strlen(nm->db) + 1,
		    STAMP_LEN);
		f[nr].stamp[STAMP_LEN] = '\0';
		f[nr].mtime = st.st_mtim;
		nr++;
	}
	if (errno) {
		ret = err_errno(err, ERR_RUNTIME, "backup directory '%s'",
		    nm->dir);
		goto out;
	}
	qsort(f, nr, sizeof(*f), by_age);
	for (i = keep; i < nr; i++)
		if (unlink(f[i].name) < 0 && errno != ENOENT) {
			ret = err_errno(err, ERR_RUNTIME, "removing old backup "
			    "'%s'", f[i].name);
			goto out;
		}
out:
	for (i = 0; i < nr; i++)
		free(f[i].name);
	free(f);
	closedir(d);
	return ret;
}

int backup_take(struct db *db, const char *version,
    const struct backup_opts *o, char **path, unsigned *swept,
    struct err *err)
{
	const struct driver *drv = db->drv;
	struct ofile *out = xmalloc(sizeof(*out));
	char *dir = xstrdup(o->dir), *dbname = NULL, *part = NULL;
	char *target = NULL;
	struct name nm = { dir, NULL, version ? version : "base",
	    drv->backup_ext, "" };
	struct backup_io io = { out, dir, NULL, o->tool };
	size_t n = strlen(dir);
	time_t now = time(NULL);
	struct tm tm;
	int ret, opened = 0;

	*path = NULL;
	*swept = 0;
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	if (!drv->backup) {
		ret = err_set(err, ERR_INPUT, "%s: %s databases have no backup",
		    db->display, drv->name);
		goto out;
	}
	dbname = drv->dbname(db);
	nm.db = io.owner = part = backup_file_part(dbname);
	gmtime_r(&now, &tm);
	strftime(nm.stamp, sizeof(nm.stamp), "%Y%m%dT%H%M%SZ", &tm);
	if ((ret = make_dir(dir, err)))
		goto out;
	*swept = afile_sweep(dir, leftover, &nm);
	target = name_for(&nm, 1);
	if ((ret = ofile_open(out, target, 1, err)))
		goto out;
	opened = 1;
	/* A backup holds all of the data: for its owner's eyes only. */
	if (fchmod(out->af.fd, 0600) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "'%s'", out->af.tmp);
		goto out;
	}
	if ((ret = drv->backup(db, &io, err)))
		goto out;
	opened = 0;
	if ((ret = ofile_commit_new(out, name_for, &nm, path, err)))
		goto out;
	ret = prune(&nm, o->keep, err);
out:
	if (opened)
		ofile_abort(out);
	if (ret && *path) {
		free(*path);
		*path = NULL;
	}
	free(out);
	free(part);
	free(dbname);
	free(target);
	free(dir);
	return ret;
}

int backup_ext_ok(const struct db *db, const char *path)
{
	char suffix[16];
	size_t n = strlen(path);

	snprintf(suffix, sizeof(suffix), ".%s.gz", db->drv->backup_ext ?
	    db->drv->backup_ext : "");
	return n > strlen(suffix) && !strcmp(path + n - strlen(suffix),
	    suffix);
}
