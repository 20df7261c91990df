#ifndef MIGPACK_BUNDLE_H
#define MIGPACK_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "checksum.h"
#include "err.h"
#include "manifest.h"

/*
 * A bundle is a gzip-compressed tar archive holding, in this order:
 * MANIFEST, SHA256SUMS (sha256sum's format, covering every other file),
 * when signed SHA256SUMS.minisig (a minisign signature of SHA256SUMS; see
 * signature.h), and the files the manifest lists, in manifest order.  Every entry is a regular
 * file with mode 0644, owner 0:0 and one fixed mtime, so the same content
 * gives the same bytes.
 */

/* Writing.  Entries are added with a known size, then their data; commit
 * renames the finished archive into place atomically, abort removes it. */
struct bundle_writer;

int bundle_writer_open(struct bundle_writer **out, const char *path,
    int64_t mtime, struct err *err);
int bundle_writer_entry(struct bundle_writer *w, const char *name,
    uint64_t size, struct err *err);
int bundle_writer_data(struct bundle_writer *w, const void *data, size_t len,
    struct err *err);
/* An entry whose data is all at hand. */
int bundle_writer_add(struct bundle_writer *w, const char *name,
    const void *data, size_t len, struct err *err);
/* Finish, fsync, rename into place; write the bundle's SHA-256 into sha.
 * Frees w whatever happens. */
int bundle_writer_commit(struct bundle_writer *w,
    char sha[CHECKSUM_HEX_LEN + 1], struct err *err);
/* Drop a half-written bundle, leaving nothing behind; NULL is fine. */
void bundle_writer_abort(struct bundle_writer *w);

/*
 * Reading.  Bundles come from outside and are treated as hostile: nothing is
 * extracted to disk, every entry is checked against the manifest as it
 * streams past, and sizes are capped.
 */
struct bundle_limits {
	uint64_t max_script;	/* one script, also MANIFEST and SHA256SUMS */
	uint64_t max_total;	/* all uncompressed bytes */
	uint64_t max_ratio;	/* uncompressed / compressed, past 16 MiB */
};

#define BUNDLE_MAX_SCRIPT (64ULL << 20)
#define BUNDLE_MAX_TOTAL (16ULL << 30)
#define BUNDLE_MAX_RATIO 200
#define BUNDLE_MAX_SIG 16384	/* SHA256SUMS.minisig */
#define BUNDLE_LIMITS_INIT { BUNDLE_MAX_SCRIPT, BUNDLE_MAX_TOTAL, \
	BUNDLE_MAX_RATIO }

struct bundle_reader;

/* Open a bundle and read its MANIFEST and SHA256SUMS, checking that they
 * agree; the manifest is then available through bundle_reader_manifest. */
int bundle_reader_open(struct bundle_reader **out, const char *path,
    const struct bundle_limits *limits, struct err *err);
const struct manifest *bundle_reader_manifest(const struct bundle_reader *r);

/* Advance to the next file; *file is NULL at the end, once the whole
 * archive has been checked (nothing missing, nothing after it).  Data left
 * unread in the previous entry is read and verified first. */
int bundle_reader_next(struct bundle_reader *r,
    const struct manifest_file **file, struct err *err);

/* Read the current file's data; *n == 0 at its end, where its checksum has
 * been verified. */
int bundle_reader_read(struct bundle_reader *r, void *buf, size_t len,
    size_t *n, struct err *err);

/* The leading entries' text as the bundle holds them; the signature's is
 * empty (len 0) when the bundle is not signed. */
enum bundle_head { BUNDLE_MANIFEST, BUNDLE_SUMS, BUNDLE_SIG };
struct buf;
const struct buf *bundle_reader_head(const struct bundle_reader *r,
    enum bundle_head which);
/* The entries' modification time (the build's SOURCE_DATE_EPOCH, or 0). */
int64_t bundle_reader_mtime(const struct bundle_reader *r);

/* The current file's size, uncompressed. */
uint64_t bundle_reader_size(const struct bundle_reader *r);

/* Move the manifest into *m; the reader keeps an empty one. */
void bundle_reader_take_manifest(struct bundle_reader *r, struct manifest *m);

/* The SHA-256 of the bundle file; valid once next has reached the end. */
const char *bundle_reader_sha256(const struct bundle_reader *r);

void bundle_reader_close(struct bundle_reader *r);

/* Check a whole bundle: every checksum, nothing missing or extra.  On
 * success the manifest is moved into *m (when not NULL) and the bundle's
 * SHA-256 written to sha. */
int bundle_verify(const char *path, const struct bundle_limits *limits,
    struct manifest *m, char sha[CHECKSUM_HEX_LEN + 1], struct err *err);

#endif
