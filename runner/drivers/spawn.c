/* Client programs as children, fed and drained through pipes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "afile.h"
#include "spawn.h"

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Keep the end of its standard error; -1 when it is closed. */
static int drain_err(struct child *c)
{
	char buf[4096];
	ssize_t n = read(c->errfd, buf, sizeof(buf));
	size_t keep;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0) {
		close_fd(&c->errfd);
		return -1;
	}
	if ((size_t)n >= sizeof(c->tail)) {
		memcpy(c->tail, buf + n - sizeof(c->tail), sizeof(c->tail));
		c->tail_len = sizeof(c->tail);
		return 0;
	}
	keep = sizeof(c->tail) - (size_t)n;
	if (c->tail_len > keep) {
		memmove(c->tail, c->tail + c->tail_len - keep, keep);
		c->tail_len = keep;
	}
	memcpy(c->tail + c->tail_len, buf, (size_t)n);
	c->tail_len += (size_t)n;
	return 0;
}

/* Wait until fd is ready for events, keeping its standard error read. */
static int wait_for(struct child *c, int fd, short events)
{
	struct pollfd p[2] = { { fd, events, 0 }, { c->errfd, POLLIN, 0 } };

	for (;;) {
		if (poll(p, c->errfd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (c->errfd >= 0 && p[1].revents)
			drain_err(c);
		if (p[0].revents)
			return 0;
		p[1].fd = c->errfd;
	}
}

int spawn_start(struct child *c, const char *what, char *const argv[],
    char *const env[], unsigned flags, struct err *err)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dflt;
	int rc, ret = 0;

	memset(c, 0, sizeof(*c));
	c->what = what;
	c->pid = -1;
	c->in = c->out = c->errfd = -1;
	/* A child that exits early fails our write with EPIPE, not us. */
	signal(SIGPIPE, SIG_IGN);
	if (((flags & SPAWN_STDIN) && pipe2(in, O_CLOEXEC) < 0) ||
	    ((flags & SPAWN_STDOUT) && pipe2(out, O_CLOEXEC) < 0) ||
	    pipe2(errp, O_CLOEXEC) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "%s: pipe", what);
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	if (flags & SPAWN_STDIN)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
		    O_RDONLY, 0);
	if (flags & SPAWN_STDOUT)
		posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	else
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		    O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	/* What we ignore (SIGPIPE, SIGXFSZ) the child must not. */
	posix_spawnattr_init(&attr);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGXFSZ);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&c->pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc) {
		c->pid = -1;
		errno = rc;
		ret = err_errno(err, ERR_RUNTIME, "%s: cannot run '%s'%s", what,
		    argv[0], rc == ENOENT && !strchr(argv[0], '/') ?
		    " (not found on PATH)" : "");
		goto out;
	}
	/* A fatal signal stops it too, before our end of its pipes closes. */
	afile_child(c->pid);
	c->in = in[1];
	c->out = out[0];
	c->errfd = errp[0];
	in[1] = out[0] = errp[0] = -1;
out:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	return ret;
}

int spawn_write(struct child *c, const void *data, size_t len,
    struct err *err)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		if (wait_for(c, c->in, POLLOUT) < 0)
			return err_errno(err, ERR_RUNTIME, "%s: poll", c->what);
		n = write(c->in, p, len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			c->gone = errno == EPIPE;
			return err_errno(err, ERR_RUNTIME, "%s: writing to it",
			    c->what);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int spawn_read(struct child *c, void *buf, size_t len, size_t *n,
    struct err *err)
{
	ssize_t got;

	for (;;) {
		if (wait_for(c, c->out, POLLIN) < 0)
			return err_errno(err, ERR_RUNTIME, "%s: poll", c->what);
		got = read(c->out, buf, len);
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (got < 0)
			return err_errno(err, ERR_RUNTIME, "%s: reading its "
			    "output", c->what);
		*n = (size_t)got;
		return 0;
	}
}

/* Its standard error as one line: trimmed, newlines as "; ". */
static void tail_text(const struct child *c, char *out, size_t size)
{
	const char *p = c->tail, *end = c->tail + c->tail_len;
	size_t o = 0;

	while (p < end && (*p == '\n' || *p == ' '))
		p++;
	while (end > p && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	for (; p < end && o + 3 < size; p++) {
		if (*p == '\n') {
			out[o++] = ';';
			out[o++] = ' ';
		} else
			out[o++] = *p;
	}
	out[o] = '\0';
}

int spawn_finish(struct child *c, struct err *err)
{
	char text[sizeof(c->tail) * 2 + 1];
	int status;

	close_fd(&c->in);
	close_fd(&c->out);
	while (c->errfd >= 0)
		if (wait_for(c, c->errfd, POLLIN) < 0 || drain_err(c) < 0)
			break;
	close_fd(&c->errfd);
	while (waitpid(c->pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_errno(err, ERR_RUNTIME, "%s: wait", c->what);
	afile_child(0);
	c->pid = -1;
	tail_text(c, text, sizeof(text));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return err_set(err, ERR_RUNTIME, "%s failed (exit %d)%s%s",
		    c->what, WEXITSTATUS(status), *text ? ": " : "", text);
	return err_set(err, ERR_RUNTIME, "%s was killed by signal %d%s%s",
	    c->what, WTERMSIG(status), *text ? ": " : "", text);
}

/* Killed before its input is closed: a child that read the end of its
 * input could take it for the end of its work (psql commits then). */
void spawn_kill(struct child *c)
{
	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		afile_child(0);
	}
	c->pid = -1;
	close_fd(&c->in);
	close_fd(&c->out);
	close_fd(&c->errfd);
}
