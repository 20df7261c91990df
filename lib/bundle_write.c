#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "afile.h"
#include "bundle.h"
#include "xalloc.h"

/*
 * libarchive writes the tar stream; zlib compresses it here rather than in
 * libarchive's gzip filter, so the gzip header is fixed by us (no time, OS
 * byte Unix) and the compressed bytes can be summed as they are written.
 */

#define OUT_CHUNK 65536

struct bundle_writer {
	struct afile file;
	struct archive *a;
	struct archive_entry *entry;
	z_stream z;
	int z_ready;
	struct checksum sum;
	int64_t mtime;
	uint64_t remaining;	/* bytes the current entry still expects */
	char *entry_name;
	struct err io_err;	/* failure inside a libarchive callback */
	unsigned char out[OUT_CHUNK];
};

static int deflate_out(struct bundle_writer *w, const void *data, size_t len,
    int flush)
{
	int zr;

	w->z.next_in = (unsigned char *)(uintptr_t)data;
	w->z.avail_in = (uInt)len;
	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_set(&w->io_err, ERR_RUNTIME, "'%s': deflate "
			    "failed", w->file.path);
		len = sizeof(w->out) - w->z.avail_out;
		checksum_update(&w->sum, w->out, len);
		if (afile_write(&w->file, w->out, len, &w->io_err))
			return ERR_RUNTIME;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf,
    size_t len)
{
	struct bundle_writer *w = ctx;

	(void)a;
	if (deflate_out(w, buf, len, Z_NO_FLUSH))
		return -1;
	return (la_ssize_t)len;
}

static int la_err(struct bundle_writer *w, struct err *err)
{
	if (w->io_err.code)
		return err_set(err, w->io_err.code, "%s", w->io_err.msg);
	return err_set(err, ERR_RUNTIME, "'%s': %s", w->file.path,
	    archive_error_string(w->a));
}

int bundle_writer_open(struct bundle_writer **out, const char *path,
    int64_t mtime, struct err *err)
{
	struct bundle_writer *w = xcalloc(1, sizeof(*w));
	gz_header gz;
	int ret;

	w->file.fd = -1;
	w->mtime = mtime;
	checksum_init(&w->sum);
	if ((ret = afile_open(&w->file, path, err)))
		goto fail;
	/* Level 6, as gzip and tar czf; no name, no time, OS Unix. */
	if (deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		ret = err_set(err, ERR_RUNTIME, "deflateInit2 failed");
		goto fail;
	}
	w->z_ready = 1;
	memset(&gz, 0, sizeof(gz));
	gz.os = 3;
	deflateSetHeader(&w->z, &gz);
	w->a = archive_write_new();
	w->entry = archive_entry_new();
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, write_cb, NULL) != ARCHIVE_OK) {
		ret = la_err(w, err);
		goto fail;
	}
	*out = w;
	return 0;
fail:
	bundle_writer_abort(w);
	return ret;
}

static int entry_done(struct bundle_writer *w, struct err *err)
{
	if (w->remaining)
		return err_set(err, ERR_RUNTIME, "'%s': %llu bytes short",
		    w->entry_name, (unsigned long long)w->remaining);
	return 0;
}

int bundle_writer_entry(struct bundle_writer *w, const char *name,
    uint64_t size, struct err *err)
{
	int ret;

	if ((ret = entry_done(w, err)))
		return ret;
	archive_entry_clear(w->entry);
	archive_entry_set_pathname(w->entry, name);
	archive_entry_set_filetype(w->entry, AE_IFREG);
	archive_entry_set_perm(w->entry, 0644);
	archive_entry_set_uid(w->entry, 0);
	archive_entry_set_gid(w->entry, 0);
	archive_entry_set_mtime(w->entry, (time_t)w->mtime, 0);
	archive_entry_set_size(w->entry, (la_int64_t)size);
	if (archive_write_header(w->a, w->entry) != ARCHIVE_OK)
		return la_err(w, err);
	free(w->entry_name);
	w->entry_name = xstrdup(name);
	w->remaining = size;
	return 0;
}

int bundle_writer_data(struct bundle_writer *w, const void *data, size_t len,
    struct err *err)
{
	if (len > w->remaining)
		return err_set(err, ERR_RUNTIME, "'%s': more data than its size",
		    w->entry_name);
	if (archive_write_data(w->a, data, len) != (la_ssize_t)len)
		return la_err(w, err);
	w->remaining -= len;
	return 0;
}

int bundle_writer_commit(struct bundle_writer *w,
    char sha[CHECKSUM_HEX_LEN + 1], struct err *err)
{
	int ret;

	if ((ret = entry_done(w, err)))
		goto out;
	if (archive_write_close(w->a) != ARCHIVE_OK) {
		ret = la_err(w, err);
		goto out;
	}
	if (deflate_out(w, NULL, 0, Z_FINISH)) {
		ret = err_set(err, w->io_err.code, "%s", w->io_err.msg);
		goto out;
	}
	if ((ret = afile_commit(&w->file, err)))
		goto out;
	checksum_final(&w->sum, sha);
out:
	bundle_writer_abort(w);
	return ret;
}

void bundle_writer_abort(struct bundle_writer *w)
{
	if (!w)
		return;
	if (w->a)
		archive_write_free(w->a);
	if (w->entry)
		archive_entry_free(w->entry);
	if (w->z_ready)
		deflateEnd(&w->z);
	afile_abort(&w->file);
	free(w->entry_name);
	free(w);
}
