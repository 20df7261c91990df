/* Streamed output, gzip-compressed or not (see ofile.h). */
#include <string.h>
#include <unistd.h>

#include "ofile.h"

int ofile_is_gz(const char *path)
{
	size_t n = path ? strlen(path) : 0;

	return n > 3 && !strcmp(path + n - 3, ".gz");
}

static const char *name(const struct ofile *o)
{
	return o->af.path ? o->af.path : "standard output";
}

static int write_all(struct ofile *o, const unsigned char *p, size_t n,
    struct err *err)
{
	if (o->sum)
		checksum_update(o->sum, p, n);
	if (o->fd < 0)
		return 0;
	if (o->af.path)
		return afile_write(&o->af, p, n, err);
	if (fd_write_all(o->fd, p, n) < 0)
		return err_errno(err, ERR_RUNTIME, "%s: write", name(o));
	return 0;
}

/* Pass buf (all of it) on, through zlib when compressing; flush ends the
 * gzip stream. */
static int drain(struct ofile *o, int finish, struct err *err)
{
	int rc, ret;

	if (!o->gz) {
		ret = write_all(o, o->buf, o->len, err);
		o->len = 0;
		return ret;
	}
	o->z.next_in = o->buf;
	o->z.avail_in = (uInt)o->len;
	do {
		o->z.next_out = o->zbuf;
		o->z.avail_out = sizeof(o->zbuf);
		rc = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR)
			return err_set(err, ERR_RUNTIME, "%s: gzip: %s",
			    name(o), o->z.msg ? o->z.msg : "stream error");
		if ((ret = write_all(o, o->zbuf,
		    sizeof(o->zbuf) - o->z.avail_out, err)))
			return ret;
	} while (o->z.avail_out == 0 || (finish && rc != Z_STREAM_END));
	o->len = 0;
	return 0;
}

int ofile_open(struct ofile *o, const char *path, int gz, struct err *err)
{
	int ret;

	memset(o, 0, sizeof(*o));
	o->af = (struct afile)AFILE_INIT;
	o->fd = STDOUT_FILENO;
	o->gz = gz;
	if (gz) {
		/* 15 + 16: a gzip wrapper, with a header zlib leaves bare. */
		if (deflateInit2(&o->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
		    15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return err_set(err, ERR_RUNTIME, "gzip: out of memory");
		o->zinit = 1;
	}
	if (path && strcmp(path, "-")) {
		if ((ret = afile_open(&o->af, path, err))) {
			ofile_abort(o);
			return ret;
		}
		o->fd = o->af.fd;
	}
	return 0;
}

void ofile_open_sum(struct ofile *o, struct checksum *sum)
{
	memset(o, 0, sizeof(*o));
	o->af = (struct afile)AFILE_INIT;
	o->fd = -1;
	o->sum = sum;
}

int ofile_write(struct ofile *o, const void *data, size_t len,
    struct err *err)
{
	const unsigned char *p = data;
	size_t n;
	int ret;

	while (len) {
		if (o->len == sizeof(o->buf) && (ret = drain(o, 0, err)))
			return ret;
		n = sizeof(o->buf) - o->len;
		if (n > len)
			n = len;
		memcpy(o->buf + o->len, p, n);
		o->len += n;
		p += n;
		len -= n;
	}
	return 0;
}

int ofile_puts(struct ofile *o, const char *s, struct err *err)
{
	return ofile_write(o, s, strlen(s), err);
}

int ofile_commit(struct ofile *o, struct err *err)
{
	int ret;

	if ((ret = drain(o, 1, err)))
		return ret;
	if (o->af.path)
		ret = afile_commit(&o->af, err);
	ofile_abort(o);
	return ret;
}

int ofile_commit_new(struct ofile *o, char *(*next)(void *arg, unsigned n),
    void *arg, char **final, struct err *err)
{
	int ret;

	*final = NULL;
	if (!o->af.path)
		BUG("ofile_commit_new on standard output");
	if (!(ret = drain(o, 1, err)))
		ret = afile_commit_new(&o->af, next, arg, final, err);
	ofile_abort(o);
	return ret;
}

void ofile_abort(struct ofile *o)
{
	if (o->zinit)
		deflateEnd(&o->z);
	o->zinit = 0;
	afile_abort(&o->af);
}
