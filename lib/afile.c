#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "afile.h"
#include "xalloc.h"

/*
 * A fatal signal must not leave a temporary file that looks like output:
 * the one being written is removed (unlink is async-signal-safe), with the
 * caller's scratch file if it has one, and the signal delivered again.
 * A child at work for us (psql restoring) is killed and reaped first, so
 * it never reads an end of its input that our death would give it.  A
 * file-size limit (SIGXFSZ) is ignored so the write fails with EFBIG and
 * the normal error path cleans up.
 */
static char *volatile live_tmp;
static const char *volatile live_scratch;
static volatile pid_t live_child;

static void on_signal(int sig)
{
	char *tmp = live_tmp;
	const char *scratch = live_scratch;
	pid_t child = live_child;

	if (child > 0) {
		kill(child, SIGKILL);
		while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (tmp)
		unlink(tmp);
	if (scratch)
		unlink(scratch);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	static int installed;
	struct sigaction sa;
	size_t i;

	if (!installed) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			sigaction(sigs[i], &sa, NULL);
		signal(SIGXFSZ, SIG_IGN);
		installed = 1;
	}
}

static void guard(char *tmp)
{
	install();
	live_tmp = tmp;
}

void afile_scratch(const char *path)
{
	install();
	live_scratch = path;
}

void afile_child(pid_t pid)
{
	if (pid > 0)
		install();
	live_child = pid;
}

static void afile_free(struct afile *f)
{
	if (live_tmp == f->tmp)
		live_tmp = NULL;
	free(f->path);
	free(f->tmp);
	f->path = f->tmp = NULL;
	f->fd = -1;
}

/* Whether fd is still the file named path: a sweep did not take it. */
static int still_named(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && a.st_nlink > 0 &&
	    lstat(path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
}

/* mkostemp, the file locked before it is used: its name is ours for as
 * long as we live.  A sweep that locked it first (between the two calls)
 * may remove it: then another name.  -1 with errno on failure. */
static int temp_create(char *tmpl)
{
	char *pattern = xstrdup(tmpl);
	int fd = -1, tries;

	for (tries = 0; tries < 100; tries++) {
		strcpy(tmpl, pattern);
		if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
			break;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 && still_named(fd, tmpl))
			break;
		close(fd);
		fd = -1;
		errno = EEXIST;
	}
	free(pattern);
	return fd;
}

int afile_temp_name(const char *name, const char *prefix)
{
	size_t n = strlen(prefix), i;

	if (strncmp(name, prefix, n) || strlen(name) != n + 6)
		return 0;
	for (i = n; i < n + 6; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

unsigned afile_sweep(const char *dir, int (*match)(void *arg,
    const char *name), void *arg)
{
	struct stat st, now;
	struct dirent *de;
	unsigned removed = 0;
	DIR *d = opendir(dir);
	int fd;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!match(arg, de->d_name))
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Our own regular files, whose writer holds no lock. */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid() &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstatat(dirfd(d), de->d_name, &now,
		    AT_SYMLINK_NOFOLLOW) == 0 && now.st_dev == st.st_dev &&
		    now.st_ino == st.st_ino &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
		close(fd);
	}
	closedir(d);
	return removed;
}

static int match_prefix(void *arg, const char *name)
{
	return afile_temp_name(name, arg);
}

unsigned afile_sweep_prefix(const char *dir, const char *prefix)
{
	return afile_sweep(dir, match_prefix, (void *)prefix);
}

unsigned afile_sweep_for(const char *path)
{
	char *copy = xstrdup(path), *copy2 = xstrdup(path);
	char *prefix = xasprintf("%s.tmp.", basename(copy));
	unsigned n = afile_sweep_prefix(dirname(copy2), prefix);

	free(prefix);
	free(copy);
	free(copy2);
	return n;
}

char *afile_temp_new(const char *dir, const char *prefix, int *fd,
    struct err *err)
{
	char *tmp = xasprintf("%s/%sXXXXXX", dir, prefix);

	if ((*fd = temp_create(tmp)) < 0) {
		err_errno(err, ERR_RUNTIME, "a temporary file in '%s'", dir);
		free(tmp);
		return NULL;
	}
	return tmp;
}

int afile_open(struct afile *f, const char *path, struct err *err)
{
	mode_t mask;

	f->path = xstrdup(path);
	f->tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((f->fd = temp_create(f->tmp)) < 0) {
		int ret = err_errno(err, ERR_RUNTIME, "'%s'", path);

		afile_free(f);
		return ret;
	}
	guard(f->tmp);
	/* mkostemp makes 0600; give the file the mode open(2) would. */
	mask = umask(0);
	umask(mask);
	if (fchmod(f->fd, 0666 & ~mask) < 0) {
		int ret = err_errno(err, ERR_RUNTIME, "'%s'", f->tmp);

		afile_abort(f);
		return ret;
	}
	return 0;
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int afile_write(struct afile *f, const void *data, size_t len,
    struct err *err)
{
	if (fd_write_all(f->fd, data, len) < 0)
		return err_errno(err, ERR_RUNTIME, "'%s': write", f->path);
	return 0;
}

static int fsync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd, ret;

	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -1;
	ret = fsync(fd);
	close(fd);
	return ret;
}

/* The file is renamed while still open: its lock holds until its name
 * is final, so no sweep takes it on the way.  Once fsync has succeeded,
 * close has nothing left to report. */
int afile_commit(struct afile *f, struct err *err)
{
	int ret = 0;

	if (fsync(f->fd) < 0)
		ret = err_errno(err, ERR_RUNTIME, "'%s': fsync", f->path);
	else if (rename(f->tmp, f->path) < 0)
		ret = err_errno(err, ERR_RUNTIME, "'%s'", f->path);
	else {
		close(f->fd);
		f->fd = -1;
		if (fsync_dir(f->path) < 0)
			ret = err_errno(err, ERR_RUNTIME, "'%s': fsync directory",
			    f->path);
		afile_free(f);
		return ret;
	}
	afile_abort(f);
	return ret;
}

/* Link, then unlink: fails with EEXIST rather than replace a file. */
static int place_new(const char *tmp, const char *path)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (link(tmp, path) < 0)
		return -1;
	unlink(tmp);
	return 0;
}

int afile_commit_new(struct afile *f, char *(*next)(void *arg, unsigned n),
    void *arg, char **final, struct err *err)
{
	char *path = xstrdup(f->path);
	unsigned n = 1;
	int ret = 0;

	*final = NULL;
	if (fsync(f->fd) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "'%s': fsync", f->path);
		goto out;
	}
	while (place_new(f->tmp, path) < 0) {
		if (errno == EEXIST && !next) {
			ret = err_set(err, ERR_INPUT, "'%s': already exists; "
			    "it is left as it was", path);
			goto out;
		}
		if (errno != EEXIST || ++n > 1000) {
			ret = err_errno(err, ERR_RUNTIME, "'%s'", path);
			goto out;
		}
		free(path);
		path = next(arg, n);
	}
	/* In place: from here on, nothing to remove on failure. */
	close(f->fd);
	f->fd = -1;
	*final = path;
	path = NULL;
	afile_free(f);
	if (fsync_dir(*final) < 0)
		ret = err_errno(err, ERR_RUNTIME, "'%s': fsync "
		    "directory", *final);
	return ret;
out:
	free(path);
	if (ret)
		afile_abort(f);
	return ret;
}

void afile_abort(struct afile *f)
{
	if (live_tmp == f->tmp)
		live_tmp = NULL;	/* before the path is freed */
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp)
		unlink(f->tmp);
	afile_free(f);
}
