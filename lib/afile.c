#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int afile_open(struct afile *f, const char *path, struct err *err)
{
	mode_t mask;

	f->path = xstrdup(path);
	f->tmp = xasprintf("%s.tmp.XXXXXX", path);
	if ((f->fd = mkstemp(f->tmp)) < 0) {
		int ret = err_errno(err, ERR_RUNTIME, "'%s'", path);

		afile_free(f);
		return ret;
	}
	guard(f->tmp);
	/* mkstemp makes 0600; give the file the mode open(2) would. */
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

int afile_commit(struct afile *f, struct err *err)
{
	int ret = 0;

	if (fsync(f->fd) < 0)
		ret = err_errno(err, ERR_RUNTIME, "'%s': fsync", f->path);
	else if (close(f->fd) < 0) {
		f->fd = -1;
		ret = err_errno(err, ERR_RUNTIME, "'%s': close", f->path);
	} else {
		f->fd = -1;
		if (rename(f->tmp, f->path) < 0)
			ret = err_errno(err, ERR_RUNTIME, "'%s'", f->path);
		else if (fsync_dir(f->path) < 0)
			ret = err_errno(err, ERR_RUNTIME, "'%s': fsync directory",
			    f->path);
		else
			afile_free(f);
	}
	if (ret)
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
	if (close(f->fd) < 0) {
		f->fd = -1;
		ret = err_errno(err, ERR_RUNTIME, "'%s': close", f->path);
		goto out;
	}
	f->fd = -1;
	while (place_new(f->tmp, path) < 0) {
		if (errno != EEXIST || ++n > 1000) {
			ret = err_errno(err, ERR_RUNTIME, "'%s'", path);
			goto out;
		}
		free(path);
		path = next(arg, n);
	}
	if (fsync_dir(path) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "'%s': fsync directory", path);
		goto out;
	}
	*final = path;
	path = NULL;
	afile_free(f);
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
