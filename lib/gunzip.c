/* Reading gzip files through zlib's gzread (see gunzip.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <zlib.h>

#include "gunzip.h"
#include "xalloc.h"

#define CHUNK (1 << 17)

static int gz_fail(gzFile gz, const char *path, struct err *err)
{
	int code;
	const char *msg = gzerror(gz, &code);

	if (code == Z_ERRNO)
		return err_errno(err, ERR_RUNTIME, "'%s'", path);
	return err_set(err, ERR_INPUT, "'%s': not a complete gzip file: %s",
	    path, msg && *msg ? msg : "damaged");
}

int gunzip_file(const char *path, gunzip_fn fn, void *arg, struct err *err)
{
	char *buf = NULL;
	gzFile gz = NULL;
	int fd, n, rc, ret = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno(err, ERR_INPUT, "'%s'", path);
	if (!(gz = gzdopen(fd, "rb"))) {
		close(fd);
		return err_set(err, ERR_RUNTIME, "'%s': out of memory", path);
	}
	gzbuffer(gz, CHUNK);
	buf = xmalloc(CHUNK);
	for (;;) {
		n = gzread(gz, buf, CHUNK);
		if (n < 0) {
			ret = gz_fail(gz, path, err);
			break;
		}
		/* gzread passes a file that is not gzip through as it is. */
		if (gzdirect(gz)) {
			ret = err_set(err, ERR_INPUT, "'%s': not a gzip file",
			    path);
			break;
		}
		if (n == 0)
			break;
		if (fn && (ret = fn(arg, buf, (size_t)n, err)))
			break;
	}
	free(buf);
	/* Only closing tells a stream cut short from one that ended. */
	rc = gzclose_r(gz);
	if (!ret && rc == Z_BUF_ERROR)
		ret = err_set(err, ERR_INPUT, "'%s': not a complete gzip file: "
		    "cut short", path);
	else if (!ret && rc != Z_OK)
		ret = err_set(err, ERR_RUNTIME, "'%s': close", path);
	return ret;
}
