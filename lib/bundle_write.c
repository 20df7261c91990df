#include <pthread.h>
#include <stdint.h>
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
 *
 * Compression runs in a thread of its own, fed through a small ring of
 * blocks, so reading and checking the next files overlaps deflate, as
 * `tar czf` overlaps tar and gzip.  Memory stays at NR_BLOCKS blocks.
 */

#define BLOCK_SIZE (1 << 20)
#define NR_BLOCKS 4
#define OUT_CHUNK 65536

struct block {
	unsigned char *data;
	size_t len;
};

struct bundle_writer {
	struct afile file;
	struct archive *a;
	struct archive_entry *entry;
	int64_t mtime;
	uint64_t remaining;	/* bytes the current entry still expects */
	char *entry_name;

	/* The ring: blocks[tail .. tail+queued) wait for the compressor, the
	 * producer fills blocks[(tail+queued) % NR_BLOCKS]. */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct block blocks[NR_BLOCKS];
	size_t tail, queued;
	int finish;		/* no more blocks will come */
	struct err io_err;	/* the compressor's failure, under lock */

	/* The compressor's own.  zlib reads the header through a pointer when
	 * it first writes, so it lives as long as the stream. */
	z_stream z;
	gz_header gz;
	int z_ready;
	struct checksum sum;
	unsigned char out[OUT_CHUNK];
};

static int deflate_out(struct bundle_writer *w, const void *data, size_t len,
    int flush, struct err *err)
{
	int zr;

	w->z.next_in = (unsigned char *)(uintptr_t)data;
	w->z.avail_in = (uInt)len;
	do {
		w->z.next_out = w->out;
		w->z.avail_out = sizeof(w->out);
		zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			return err_set(err, ERR_RUNTIME, "'%s': deflate failed",
			    w->file.path);
		len = sizeof(w->out) - w->z.avail_out;
		checksum_update(&w->sum, w->out, len);
		if (afile_write(&w->file, w->out, len, err))
			return ERR_RUNTIME;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static void *compressor(void *arg)
{
	struct bundle_writer *w = arg;
	struct err err = ERR_INIT;
	struct block *b;
	int ret = 0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->queued && !w->finish)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->queued)
			break;
		b = &w->blocks[w->tail];
		pthread_mutex_unlock(&w->lock);
		ret = deflate_out(w, b->data, b->len, Z_NO_FLUSH, &err);
		pthread_mutex_lock(&w->lock);
		b->len = 0;
		w->tail = (w->tail + 1) % NR_BLOCKS;
		w->queued--;
		pthread_cond_broadcast(&w->cond);
		if (ret)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	if (!ret)
		ret = deflate_out(w, NULL, 0, Z_FINISH, &err);
	pthread_mutex_lock(&w->lock);
	if (ret)
		w->io_err = err;
	w->finish = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Queue the block being filled; wait until there is a free one.  Under
 * lock.  Returns non-zero once the compressor has failed. */
static int queue_block(struct bundle_writer *w)
{
	if (w->blocks[(w->tail + w->queued) % NR_BLOCKS].len) {
		w->queued++;
		pthread_cond_broadcast(&w->cond);
	}
	while (w->queued == NR_BLOCKS && !w->io_err.code)
		pthread_cond_wait(&w->cond, &w->lock);
	return w->io_err.code;
}

static la_ssize_t write_cb(struct archive *a, void *ctx, const void *buf,
    size_t len)
{
	struct bundle_writer *w = ctx;
	const unsigned char *p = buf;
	size_t left = len, n;
	struct block *b;

	(void)a;
	pthread_mutex_lock(&w->lock);
	while (left) {
		b = &w->blocks[(w->tail + w->queued) % NR_BLOCKS];
		n = BLOCK_SIZE - b->len < left ? BLOCK_SIZE - b->len : left;
		memcpy(b->data + b->len, p, n);
		b->len += n;
		p += n;
		left -= n;
		if (b->len == BLOCK_SIZE && queue_block(w))
			break;
	}
	pthread_mutex_unlock(&w->lock);
	return left ? -1 : (la_ssize_t)len;
}

static int la_err(struct bundle_writer *w, struct err *err)
{
	if (w->io_err.code)
		return err_set(err, w->io_err.code, "%s", w->io_err.msg);
	return err_set(err, ERR_RUNTIME, "'%s': %s", w->file.path,
	    archive_error_string(w->a));
}

/* Hand over the last block and wait for the compressor to finish the gzip
 * stream; its failure, if any, is in io_err. */
static int stop_compressor(struct bundle_writer *w)
{
	int ret;

	if (!w->thread_started)
		return 0;
	pthread_mutex_lock(&w->lock);
	queue_block(w);
	w->finish = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->thread_started = 0;
	pthread_mutex_lock(&w->lock);
	ret = w->io_err.code;
	pthread_mutex_unlock(&w->lock);
	return ret;
}

int bundle_writer_open(struct bundle_writer **out, const char *path,
    int64_t mtime, struct err *err)
{
	struct bundle_writer *w = xcalloc(1, sizeof(*w));
	size_t i;
	int ret;

	w->file.fd = -1;
	w->mtime = mtime;
	checksum_init(&w->sum);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	for (i = 0; i < NR_BLOCKS; i++)
		w->blocks[i].data = xmalloc(BLOCK_SIZE);
	if ((ret = afile_open(&w->file, path, err)))
		goto fail;
	/* Level 6, as gzip and tar czf; no name, no time, OS Unix. */
	if (deflateInit2(&w->z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		ret = err_set(err, ERR_RUNTIME, "deflateInit2 failed");
		goto fail;
	}
	w->z_ready = 1;
	w->gz.os = 3;		/* the rest stays zero: no name, no time */
	deflateSetHeader(&w->z, &w->gz);
	if (pthread_create(&w->thread, NULL, compressor, w)) {
		ret = err_set(err, ERR_RUNTIME, "cannot start a thread");
		goto fail;
	}
	w->thread_started = 1;
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

int bundle_writer_add(struct bundle_writer *w, const char *name,
    const void *data, size_t len, struct err *err)
{
	int ret;

	if ((ret = bundle_writer_entry(w, name, len, err)))
		return ret;
	return bundle_writer_data(w, data, len, err);
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
	if ((ret = stop_compressor(w))) {
		ret = la_err(w, err);
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
	size_t i;

	if (!w)
		return;
	if (w->a)
		archive_write_free(w->a);
	stop_compressor(w);
	if (w->entry)
		archive_entry_free(w->entry);
	if (w->z_ready)
		deflateEnd(&w->z);
	afile_abort(&w->file);
	for (i = 0; i < NR_BLOCKS; i++)
		free(w->blocks[i].data);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->entry_name);
	free(w);
}
