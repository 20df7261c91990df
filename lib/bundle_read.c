#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "buf.h"
#include "bundle.h"
#include "xalloc.h"

/*
 * zlib inflates the gzip layer here and feeds libarchive a plain tar stream
 * (tar format only, no filters), so this code knows exactly how many
 * compressed bytes were read for how many uncompressed ones (the gzip-bomb
 * check), where the gzip stream ends (anything after it is rejected), and
 * whether it was cut short.
 */

#define IN_CHUNK 65536
#define OUT_CHUNK 65536
#define RATIO_FLOOR (16ULL << 20)

struct bundle_reader {
	char *path;
	int fd;
	struct bundle_limits limits;
	struct archive *a;
	struct archive_entry *entry;
	z_stream z;
	int z_ready, z_end, raw_eof;
	int gzip_magic;			/* the file starts as gzip does */
	struct checksum bundle_sum;
	uint64_t raw_in;
	struct err io_err;		/* failure inside the read callback */

	/* Decompressed bytes handed to libarchive, and the position just past
	 * the last non-zero one: past the end of the tar stream only zero
	 * padding may follow, wherever libarchive stopped consuming. */
	unsigned char out[OUT_CHUNK];
	uint64_t delivered, nonzero_end;

	/* The leading entries as they are, the signature's empty when there
	 * is none; the header read past them when it is not the signature. */
	struct buf head[3];
	int64_t mtime;
	int peeked, peek_ret;

	struct manifest m;
	struct manifest_file **files;
	size_t nr_files, next;
	const struct manifest_file *file;	/* entry being read */
	int file_done;
	struct checksum file_sum;
	uint64_t total;
	char sha[CHECKSUM_HEX_LEN + 1];
	unsigned char in[IN_CHUNK];
};

static int fail(struct bundle_reader *r, struct err *err, enum err_code code,
    const char *what)
{
	return err_set(err, code, "'%s': %s", r->path, what);
}

/* Read more compressed input; 0 at end of file. */
static ssize_t read_raw(struct bundle_reader *r)
{
	ssize_t n;

	do
		n = read(r->fd, r->in, sizeof(r->in));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_errno(&r->io_err, ERR_RUNTIME, "'%s': read", r->path);
		return -1;
	}
	checksum_update(&r->bundle_sum, r->in, (size_t)n);
	if (r->raw_in == 0)
		r->gzip_magic = n >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b;
	r->raw_in += (uint64_t)n;
	r->z.next_in = r->in;
	r->z.avail_in = (uInt)n;
	if (n == 0)
		r->raw_eof = 1;
	return n;
}

/* After the gzip stream: anything more is trailing garbage. */
static int check_after_gzip(struct bundle_reader *r)
{
	ssize_t n;

	if (r->z.avail_in)
		goto garbage;
	if ((n = read_raw(r)) < 0)
		return -1;
	if (n == 0)
		return 0;
garbage:
	err_set(&r->io_err, ERR_INTEGRITY, "'%s': trailing data after the "
	    "gzip stream", r->path);
	return -1;
}

/* Inflate into buf; return the bytes produced, 0 at the end of the stream,
 * -1 with io_err set. */
static ssize_t inflate_some(struct bundle_reader *r, unsigned char *buf,
    size_t len)
{
	int zr;

	if (r->z_end)
		return 0;
	r->z.next_out = buf;
	r->z.avail_out = (uInt)len;
	while (r->z.avail_out == len) {
		if (r->z.avail_in == 0 && read_raw(r) < 0)
			return -1;
		if (r->z.avail_in == 0 && r->raw_eof) {
			err_set(&r->io_err, r->z.total_in ? ERR_INTEGRITY :
			    ERR_INPUT, "'%s': %s", r->path, r->z.total_in ?
			    "truncated gzip stream" : "empty file");
			return -1;
		}
		zr = inflate(&r->z, Z_NO_FLUSH);
		if (zr == Z_STREAM_END) {
			r->z_end = 1;
			if (check_after_gzip(r))
				return -1;
			break;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			err_set(&r->io_err, r->gzip_magic ? ERR_INTEGRITY :
			    ERR_INPUT, "'%s': %s", r->path, r->gzip_magic ?
			    "corrupt gzip data" : "not a gzip file");
			return -1;
		}
	}
	if (r->z.total_out > r->limits.max_total) {
		err_set(&r->io_err, ERR_INPUT, "'%s': uncompressed size over "
		    "the limit of %llu bytes", r->path,
		    (unsigned long long)r->limits.max_total);
		return -1;
	}
	if (r->z.total_out > RATIO_FLOOR &&
	    r->z.total_out / r->limits.max_ratio > r->raw_in) {
		err_set(&r->io_err, ERR_INPUT, "'%s': compression ratio over "
		    "%llu:1, refusing a likely gzip bomb", r->path,
		    (unsigned long long)r->limits.max_ratio);
		return -1;
	}
	return (ssize_t)(len - r->z.avail_out);
}

static la_ssize_t read_cb(struct archive *a, void *ctx, const void **buf)
{
	struct bundle_reader *r = ctx;
	ssize_t n, i;

	(void)a;
	if ((n = inflate_some(r, r->out, OUT_CHUNK)) < 0)
		return ARCHIVE_FATAL;
	for (i = n; i > 0; i--)
		if (r->out[i - 1]) {
			r->nonzero_end = r->delivered + (uint64_t)i;
			break;
		}
	r->delivered += (uint64_t)n;
	*buf = r->out;
	return n;
}

/* A libarchive failure: our own message if the callback set one. */
static int la_fail(struct bundle_reader *r, struct err *err)
{
	if (r->io_err.code)
		return err_set(err, r->io_err.code, "%s", r->io_err.msg);
	return err_set(err, ERR_INTEGRITY, "'%s': damaged archive: %s",
	    r->path, archive_error_string(r->a));
}

/* The end of the tar stream may be followed by zero padding only. */
static int check_tail(struct bundle_reader *r, struct err *err)
{
	uint64_t consumed = (uint64_t)archive_filter_bytes(r->a, 0);
	unsigned char buf[OUT_CHUNK];
	ssize_t n, i;

	if (r->nonzero_end > consumed)
		goto garbage;
	while ((n = inflate_some(r, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			if (buf[i])
				goto garbage;
	if (n < 0)
		return la_fail(r, err);
	return 0;
garbage:
	return fail(r, err, ERR_INTEGRITY, "trailing data after the archive");
}

/* Path and type checks every entry passes before anything else. */
static int check_entry(struct bundle_reader *r, const char **path,
    struct err *err)
{
	const char *p = archive_entry_pathname(r->entry);
	mode_t type = archive_entry_filetype(r->entry);
	const char *what = NULL;

	if (!p || !*p)
		return fail(r, err, ERR_INPUT, "entry without a name");
	*path = p;
	if (*p == '/')
		what = "absolute path";
	else if (archive_entry_hardlink(r->entry))
		what = "hard link";
	else if (type == AE_IFLNK)
		what = "symbolic link";
	else if (type == AE_IFDIR)
		what = "directory";
	else if (type != AE_IFREG)
		what = "device or special file";
	else if (!manifest_path_safe(p))
		what = "unsafe path (a '..' component, an empty or '.' one, or "
		    "a control character)";
	if (what)
		return err_set(err, ERR_INPUT, "'%s': '%s': %s in bundle",
		    r->path, p, what);
	return 0;
}

static int check_size(struct bundle_reader *r, const char *path,
    uint64_t cap, struct err *err)
{
	la_int64_t size = archive_entry_size(r->entry);

	if (size < 0 || (uint64_t)size > cap)
		return err_set(err, ERR_INPUT, "'%s': '%s': %lld bytes, over "
		    "the limit of %llu", r->path, path, (long long)size,
		    (unsigned long long)cap);
	r->total += (uint64_t)size;
	if (r->total > r->limits.max_total)
		return err_set(err, ERR_INPUT, "'%s': uncompressed size over "
		    "the limit of %llu bytes", r->path,
		    (unsigned long long)r->limits.max_total);
	return 0;
}

static int next_header(struct bundle_reader *r)
{
	if (r->peeked) {
		r->peeked = 0;
		return r->peek_ret;
	}
	return archive_read_next_header2(r->a, r->entry);
}

/* Read one of the leading entries, by name, whole (at most cap bytes). */
static int read_head(struct bundle_reader *r, const char *name,
    struct buf *out, uint64_t cap, struct err *err)
{
	const char *path;
	char block[8192];
	la_ssize_t n;
	int ret;

	ret = next_header(r);
	if (ret == ARCHIVE_EOF)
		return err_set(err, ERR_INPUT, "'%s': no %s: not a migpack "
		    "bundle", r->path, name);
	if (ret != ARCHIVE_OK)
		return la_fail(r, err);
	if ((ret = check_entry(r, &path, err)))
		return ret;
	if (strcmp(path, name))
		return err_set(err, ERR_INPUT, "'%s': entry '%s' where %s "
		    "should be: not a migpack bundle", r->path, path, name);
	if ((ret = check_size(r, path, cap, err)))
		return ret;
	r->mtime = (int64_t)archive_entry_mtime(r->entry);
	while ((n = archive_read_data(r->a, block, sizeof(block))) > 0)
		buf_add(out, block, (size_t)n);
	if (n < 0)
		return la_fail(r, err);
	return 0;
}

/* The signature, when the entry after SHA256SUMS is one; else that entry's
 * header is kept for bundle_reader_next. */
static int read_sig(struct bundle_reader *r, struct err *err)
{
	const char *path;

	r->peek_ret = archive_read_next_header2(r->a, r->entry);
	r->peeked = 1;
	path = r->peek_ret == ARCHIVE_OK ? archive_entry_pathname(r->entry) :
	    NULL;
	if (!path || strcmp(path, SIG_NAME))
		return 0;
	return read_head(r, SIG_NAME, &r->head[BUNDLE_SIG], BUNDLE_MAX_SIG,
	    err);
}

/* SHA256SUMS must list MANIFEST, then every manifest file in order, with
 * the same checksums. */
static int check_sums(struct bundle_reader *r, const struct buf *sums,
    const char *manifest_sha, struct err *err)
{
	const char *line = sums->data, *end = sums->data + sums->len, *nl;
	size_t lineno = 0;
	char path[4096];

	for (; line < end; line = nl + 1) {
		const char *want, *want_sha;
		size_t plen;

		lineno++;
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl || nl - line < CHECKSUM_HEX_LEN + 3 ||
		    line[CHECKSUM_HEX_LEN] != ' ' ||
		    line[CHECKSUM_HEX_LEN + 1] != ' ' ||
		    (plen = (size_t)(nl - line) - CHECKSUM_HEX_LEN - 2) >=
		    sizeof(path))
			goto malformed;
		memcpy(path, line + CHECKSUM_HEX_LEN + 2, plen);
		path[plen] = '\0';
		if (lineno > r->nr_files + 1)
			return err_set(err, ERR_INTEGRITY, "'%s': %s: line %zu: "
			    "'%s' is not in the manifest", r->path, SUMS_NAME,
			    lineno, path);
		want = lineno == 1 ? MANIFEST_NAME : r->files[lineno - 2]->path;
		want_sha = lineno == 1 ? manifest_sha :
		    r->files[lineno - 2]->sha256;
		if (strcmp(path, want))
			return err_set(err, ERR_INTEGRITY, "'%s': %s: line %zu: "
			    "'%s' where the manifest has '%s'", r->path,
			    SUMS_NAME, lineno, path, want);
		if (strncmp(line, want_sha, CHECKSUM_HEX_LEN))
			return err_set(err, ERR_INTEGRITY, "'%s': '%s': checksum "
			    "mismatch", r->path, want);
	}
	if (lineno < r->nr_files + 1)
		return err_set(err, ERR_INTEGRITY, "'%s': %s: '%s' missing",
		    r->path, SUMS_NAME, lineno ? r->files[lineno - 1]->path :
		    MANIFEST_NAME);
	return 0;
malformed:
	return err_set(err, ERR_INPUT, "'%s': %s: line %zu: malformed",
	    r->path, SUMS_NAME, lineno);
}

int bundle_reader_open(struct bundle_reader **out, const char *path,
    const struct bundle_limits *limits, struct err *err)
{
	struct bundle_reader *r = xcalloc(1, sizeof(*r));
	struct buf *manifest = &r->head[BUNDLE_MANIFEST];
	struct buf *sums = &r->head[BUNDLE_SUMS];
	char manifest_sha[CHECKSUM_HEX_LEN + 1];
	int ret;

	r->path = xstrdup(path);
	r->limits = *limits;
	checksum_init(&r->bundle_sum);
	if ((r->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "'%s'", path);
		goto fail;
	}
	if (inflateInit2(&r->z, 15 + 16) != Z_OK) {
		ret = err_set(err, ERR_RUNTIME, "inflateInit2 failed");
		goto fail;
	}
	r->z_ready = 1;
	r->a = archive_read_new();
	r->entry = archive_entry_new();
	if (archive_read_support_format_tar(r->a) != ARCHIVE_OK ||
	    archive_read_open(r->a, r, NULL, read_cb, NULL) != ARCHIVE_OK) {
		/* Open fails when the data is not tar at all. */
		ret = r->io_err.code ? la_fail(r, err) : fail(r, err, ERR_INPUT,
		    "not a tar archive: not a migpack bundle");
		goto fail;
	}
	if ((ret = read_head(r, MANIFEST_NAME, manifest, r->limits.max_script,
	    err)) || (ret = read_head(r, SUMS_NAME, sums, r->limits.max_script,
	    err)) || (ret = read_sig(r, err)))
		goto fail;
	if ((ret = manifest_parse(&r->m, manifest->data, manifest->len,
	    err))) {
		char msg[sizeof(err->msg)];

		memcpy(msg, err->msg, sizeof(msg));
		ret = err_set(err, ret, "'%s': %s", path, msg);
		goto fail;
	}
	r->nr_files = manifest_files(&r->m, &r->files);
	checksum_buf(manifest->data, manifest->len, manifest_sha);
	if ((ret = check_sums(r, sums, manifest_sha, err)))
		goto fail;
	r->file_done = 1;
	*out = r;
	return 0;
fail:
	bundle_reader_close(r);
	return ret;
}

const struct buf *bundle_reader_head(const struct bundle_reader *r,
    enum bundle_head which)
{
	return &r->head[which];
}

int64_t bundle_reader_mtime(const struct bundle_reader *r)
{
	return r->mtime;
}

const struct manifest *bundle_reader_manifest(const struct bundle_reader *r)
{
	return &r->m;
}

/* Where path is in archive order, or -1 if the manifest lacks it.  Only
 * the expected next file is ever right, so the scan runs on errors only. */
static long find_file(struct bundle_reader *r, const char *path)
{
	size_t i;

	if (r->next < r->nr_files && !strcmp(r->files[r->next]->path, path))
		return (long)r->next;
	for (i = 0; i < r->nr_files; i++)
		if (!strcmp(r->files[i]->path, path))
			return (long)i;
	return -1;
}

static int at_end(struct bundle_reader *r, struct err *err)
{
	int ret;

	if (r->next < r->nr_files)
		return err_set(err, ERR_INTEGRITY, "'%s': '%s' missing from "
		    "the bundle", r->path, r->files[r->next]->path);
	if ((ret = check_tail(r, err)))
		return ret;
	checksum_final(&r->bundle_sum, r->sha);
	return 0;
}

int bundle_reader_next(struct bundle_reader *r,
    const struct manifest_file **file, struct err *err)
{
	char block[65536];
	const char *path;
	size_t n;
	long i;
	int ret;

	*file = NULL;
	while (!r->file_done)
		if ((ret = bundle_reader_read(r, block, sizeof(block), &n, err)))
			return ret;
	ret = next_header(r);
	if (ret == ARCHIVE_EOF)
		return at_end(r, err);
	if (ret != ARCHIVE_OK)
		return la_fail(r, err);
	if ((ret = check_entry(r, &path, err)))
		return ret;
	if ((i = find_file(r, path)) < 0)
		return err_set(err, ERR_INTEGRITY, "'%s': '%s' is not in the "
		    "manifest", r->path, path);
	if ((size_t)i < r->next)
		return err_set(err, ERR_INTEGRITY, "'%s': '%s': duplicate "
		    "entry", r->path, path);
	if ((size_t)i > r->next)
		return err_set(err, ERR_INTEGRITY, "'%s': '%s' missing from "
		    "the bundle", r->path, r->files[r->next]->path);
	if ((ret = check_size(r, path, r->files[i]->is_seed ?
	    r->limits.max_total : r->limits.max_script, err)))
		return ret;
	r->next++;
	r->file = r->files[i];
	r->file_done = 0;
	checksum_init(&r->file_sum);
	*file = r->file;
	return 0;
}

uint64_t bundle_reader_size(const struct bundle_reader *r)
{
	la_int64_t size = archive_entry_size(r->entry);

	return size > 0 ? (uint64_t)size : 0;
}

int bundle_reader_read(struct bundle_reader *r, void *buf, size_t len,
    size_t *n, struct err *err)
{
	char hex[CHECKSUM_HEX_LEN + 1];
	la_ssize_t got;

	*n = 0;
	if (r->file_done)
		return 0;
	got = archive_read_data(r->a, buf, len);
	if (got < 0)
		return la_fail(r, err);
	if (got > 0) {
		checksum_update(&r->file_sum, buf, (size_t)got);
		*n = (size_t)got;
		return 0;
	}
	r->file_done = 1;
	checksum_final(&r->file_sum, hex);
	if (strcmp(hex, r->file->sha256))
		return err_set(err, ERR_INTEGRITY, "'%s': '%s': checksum "
		    "mismatch", r->path, r->file->path);
	return 0;
}

void bundle_reader_take_manifest(struct bundle_reader *r, struct manifest *m)
{
	*m = r->m;
	memset(&r->m, 0, sizeof(r->m));
}

const char *bundle_reader_sha256(const struct bundle_reader *r)
{
	return r->sha;
}

void bundle_reader_close(struct bundle_reader *r)
{
	if (!r)
		return;
	if (r->a)
		archive_read_free(r->a);
	if (r->entry)
		archive_entry_free(r->entry);
	if (r->z_ready)
		inflateEnd(&r->z);
	if (r->fd >= 0)
		close(r->fd);
	manifest_release(&r->m);
	buf_release(&r->head[BUNDLE_MANIFEST]);
	buf_release(&r->head[BUNDLE_SUMS]);
	buf_release(&r->head[BUNDLE_SIG]);
	free(r->files);
	free(r->path);
	free(r);
}

int bundle_verify(const char *path, const struct bundle_limits *limits,
    struct manifest *m, char sha[CHECKSUM_HEX_LEN + 1], struct err *err)
{
	struct bundle_reader *r = NULL;
	const struct manifest_file *f;
	int ret;

	if ((ret = bundle_reader_open(&r, path, limits, err)))
		return ret;
	do
		ret = bundle_reader_next(r, &f, err);
	while (!ret && f);
	if (!ret) {
		memcpy(sha, r->sha, sizeof(r->sha));
		if (m)
			bundle_reader_take_manifest(r, m);
	}
	bundle_reader_close(r);
	return ret;
}
