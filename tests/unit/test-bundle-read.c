/*
 * The hostile bundle reader (lib/bundle_read.c), fed bundles built here, in
 * each of which exactly one thing is wrong: everything else (MANIFEST,
 * SHA256SUMS, checksums, gzip framing) is computed for real, so a rejection
 * can only come from the defect under test.  Every rejection is checked for
 * its class and a distinctive part of its message, through bundle_verify and
 * through the streaming API (reading the data, and skipping it).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>
#include <zlib.h>

#include "buf.h"
#include "bundle.h"

#define NR(a) (sizeof(a) / sizeof((a)[0]))
#define MIB (1ULL << 20)
#define MTIME 1700000000
#define CHUNK (1U << 20)

/* ------------------------------------------------------------------ */
/* Checksums                                                           */

static void sha_mem(const void *p, size_t len, char hex[CHECKSUM_HEX_LEN + 1])
{
	unsigned char bin[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(bin, p, len);
	sodium_bin2hex(hex, CHECKSUM_HEX_LEN + 1, bin, sizeof(bin));
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *p;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return p;
}

static void spew(const char *path, const void *p, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	if (len)
		assert_int_equal(fwrite(p, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void sha_file(const char *path, char hex[CHECKSUM_HEX_LEN + 1])
{
	size_t len;
	unsigned char *p = slurp(path, &len);

	sha_mem(p, len, hex);
	free(p);
}

/* ------------------------------------------------------------------ */
/* The bundle builder                                                  */

enum ent_type { T_FILE, T_SYMLINK, T_HARDLINK, T_CHR, T_DIR, T_FIFO };
enum ent_gen { G_DATA, G_FILL, G_NOISE, G_MANIFEST, G_SUMS };

struct ent {
	const char *path;
	const char *data;	/* G_DATA: the bytes archived */
	const char *declared;	/* G_DATA: what the checksums describe */
	enum ent_gen gen;
	uint64_t len;		/* G_FILL, G_NOISE: how many bytes */
	unsigned char fill;	/* G_FILL: the byte repeated */
	enum ent_type type;
	const char *link;	/* T_SYMLINK, T_HARDLINK: the target */
	int omit;		/* in the manifest, not in the archive */
};

enum sums_edit { SUMS_AS_IS, SUMS_DROP_LAST, SUMS_EXTRA, SUMS_SWAP,
	SUMS_MALFORMED };

struct spec {
	const char *manifest;	/* '@' becomes sha256:HEX of its line's path */
	const struct ent *ents;
	size_t nr_ents;
	int no_head;		/* MANIFEST, SHA256SUMS not put first */
	const char *sums_bad;	/* flip this path's SHA256SUMS checksum */
	enum sums_edit sums_edit;
	int plain;		/* an uncompressed tar */
	int unblocked;		/* no padding of the tar to 10240 bytes */
	int level;		/* deflate level, 0 for the default */
	const void *tar_tail;	/* appended to the tar, inside the gzip */
	size_t tar_tail_len;
	const char *gz_tail;	/* appended after the gzip stream */
	struct buf *tar_out;	/* write the plain tar here, no file */
};

#define SPEC(man, e) .manifest = (man), .ents = (e), .nr_ents = NR(e)

/* Generated contents, the same bytes on every pass. */
struct gen {
	const struct ent *e;
	uint64_t pos, s;
};

static void gen_init(struct gen *g, const struct ent *e)
{
	g->e = e;
	g->pos = 0;
	g->s = 0x9e3779b97f4a7c15ULL;
}

static size_t gen_next(struct gen *g, unsigned char *buf, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t left = g->e->len - g->pos;
	size_t n = left < cap ? (size_t)left : cap, i;

	if (g->e->gen == G_FILL) {
		memset(buf, g->e->fill, n);
	} else {
		for (i = 0; i < n; i++) {
			g->s ^= g->s << 13;
			g->s ^= g->s >> 7;
			g->s ^= g->s << 17;
			buf[i] = (g->pos + i) % 80 == 79 ? '\n' :
			    (unsigned char)hex[(g->s >> 11) & 15];
		}
	}
	g->pos += n;
	return n;
}

static void ent_sha(const struct ent *e, char hex[CHECKSUM_HEX_LEN + 1])
{
	crypto_hash_sha256_state st;
	unsigned char bin[crypto_hash_sha256_BYTES], *chunk;
	struct gen g;
	size_t n;

	if (e->gen == G_DATA) {
		const char *d = e->declared ? e->declared : e->data;

		sha_mem(d, strlen(d), hex);
		return;
	}
	assert_true(e->gen == G_FILL || e->gen == G_NOISE);
	chunk = malloc(CHUNK);
	assert_non_null(chunk);
	crypto_hash_sha256_init(&st);
	gen_init(&g, e);
	while ((n = gen_next(&g, chunk, CHUNK)))
		crypto_hash_sha256_update(&st, chunk, n);
	crypto_hash_sha256_final(&st, bin);
	sodium_bin2hex(hex, CHECKSUM_HEX_LEN + 1, bin, sizeof(bin));
	free(chunk);
}

static const struct ent *find_ent(const struct spec *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->nr_ents; i++)
		if (s->ents[i].gen != G_MANIFEST && s->ents[i].gen != G_SUMS &&
		    !strcmp(s->ents[i].path, path))
			return &s->ents[i];
	return NULL;
}

#define MAX_LINES 64
#define LINE_MAX_LEN 512

/* The MANIFEST text with its checksums filled in, and SHA256SUMS. */
static void render(const struct spec *s, struct buf *man, struct buf *sums)
{
	char lines[MAX_LINES][LINE_MAX_LEN], hex[CHECKSUM_HEX_LEN + 1];
	const char *line, *end, *at, *tab;
	size_t nr = 0, i;

	for (line = s->manifest; *line; line = end + (*end == '\n')) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		at = memchr(line, '@', (size_t)(end - line));
		if (at) {
			char path[LINE_MAX_LEN - CHECKSUM_HEX_LEN - 8];
			const struct ent *e;

			for (tab = end; tab > line && tab[-1] != '\t'; tab--)
				;
			assert_true((size_t)(end - tab) < sizeof(path));
			memcpy(path, tab, (size_t)(end - tab));
			path[end - tab] = '\0';
			e = find_ent(s, path);
			if (!e)
				fail_msg("builder: no entry for '%s'", path);
			ent_sha(e, hex);
			buf_add(man, line, (size_t)(at - line));
			buf_addf(man, "%s%s", CHECKSUM_PREFIX, hex);
			buf_add(man, at + 1, (size_t)(end - at - 1));
			assert_true(nr + 1 < MAX_LINES);
			nr++;
			snprintf(lines[nr], LINE_MAX_LEN, "%s  %s\n", hex,
			    path);
		} else {
			buf_add(man, line, (size_t)(end - line));
		}
		if (*end == '\n')
			buf_addch(man, '\n');
	}
	sha_mem(man->data, man->len, hex);
	snprintf(lines[0], LINE_MAX_LEN, "%s  %s\n", hex, MANIFEST_NAME);
	nr++;
	if (s->sums_bad) {
		size_t blen = strlen(s->sums_bad);

		for (i = 0; i < nr; i++) {
			const char *name = lines[i] + CHECKSUM_HEX_LEN + 2;

			if (!strncmp(name, s->sums_bad, blen) &&
			    name[blen] == '\n')
				break;
		}
		assert_true(i < nr);
		lines[i][0] = lines[i][0] == '0' ? '1' : '0';
	}
	switch (s->sums_edit) {
	case SUMS_AS_IS:
		break;
	case SUMS_DROP_LAST:
		nr--;
		break;
	case SUMS_EXTRA:
		sha_mem("x", 1, hex);
		snprintf(lines[nr++], LINE_MAX_LEN, "%s  %s\n", hex,
		    "migrations/9_extra/up.sql");
		break;
	case SUMS_SWAP:
		assert_true(nr >= 3);
		memcpy(lines[nr], lines[1], LINE_MAX_LEN);
		memcpy(lines[1], lines[2], LINE_MAX_LEN);
		memcpy(lines[2], lines[nr], LINE_MAX_LEN);
		break;
	case SUMS_MALFORMED:
		assert_true(nr >= 2);
		snprintf(lines[1], LINE_MAX_LEN, "not a checksum line\n");
		break;
	}
	for (i = 0; i < nr; i++)
		buf_addstr(sums, lines[i]);
}

/* Where libarchive's tar bytes go: through zlib into a file, straight
 * into a file, or into memory. */
struct sink {
	FILE *fp;
	z_stream z;
	int gz;
	struct buf *mem;
	unsigned char out[65536];
};

static void sink_put(struct sink *k, const void *p, size_t n, int flush)
{
	int zr;

	if (k->mem) {
		buf_add(k->mem, p, n);
		return;
	}
	if (!k->gz) {
		if (n)
			assert_int_equal(fwrite(p, 1, n, k->fp), n);
		return;
	}
	k->z.next_in = (Bytef *)(uintptr_t)p;
	k->z.avail_in = (uInt)n;
	do {
		size_t have;

		k->z.next_out = k->out;
		k->z.avail_out = sizeof(k->out);
		zr = deflate(&k->z, flush);
		assert_true(zr == Z_OK || zr == Z_STREAM_END ||
		    zr == Z_BUF_ERROR);
		have = sizeof(k->out) - k->z.avail_out;
		if (have)
			assert_int_equal(fwrite(k->out, 1, have, k->fp), have);
	} while (k->z.avail_out == 0 ||
	    (flush == Z_FINISH && zr != Z_STREAM_END));
}

static la_ssize_t sink_cb(struct archive *a, void *ctx, const void *p,
    size_t n)
{
	(void)a;
	sink_put(ctx, p, n, Z_NO_FLUSH);
	return (la_ssize_t)n;
}

static void sink_open(struct sink *k, const char *path, int gz, int level)
{
	k->fp = fopen(path, "wb");
	assert_non_null(k->fp);
	k->gz = gz;
	if (gz)
		assert_int_equal(deflateInit2(&k->z, level ? level :
		    Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY), Z_OK);
}

static void sink_close(struct sink *k)
{
	if (k->gz) {
		sink_put(k, NULL, 0, Z_FINISH);
		deflateEnd(&k->z);
	}
	assert_int_equal(fclose(k->fp), 0);
}

static void put_entry(struct archive *a, const char *path,
    const struct ent *e, const char *text, size_t text_len)
{
	struct archive_entry *ae = archive_entry_new();
	enum ent_type type = e ? e->type : T_FILE;
	uint64_t size = 0;

	if (type == T_FILE)
		size = text ? text_len : e->gen == G_DATA ?
		    strlen(e->data) : e->len;
	archive_entry_set_pathname(ae, path);
	archive_entry_set_mtime(ae, MTIME, 0);
	archive_entry_set_uid(ae, 0);
	archive_entry_set_gid(ae, 0);
	archive_entry_set_perm(ae, 0644);
	switch (type) {
	case T_FILE:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_size(ae, (la_int64_t)size);
		break;
	case T_SYMLINK:
		archive_entry_set_filetype(ae, AE_IFLNK);
		archive_entry_set_perm(ae, 0777);
		archive_entry_set_symlink(ae, e->link);
		break;
	case T_HARDLINK:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_hardlink(ae, e->link);
		archive_entry_set_size(ae, 0);
		break;
	case T_CHR:
		archive_entry_set_filetype(ae, AE_IFCHR);
		archive_entry_set_rdevmajor(ae, 1);
		archive_entry_set_rdevminor(ae, 3);
		break;
	case T_DIR:
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, 0755);
		break;
	case T_FIFO:
		archive_entry_set_filetype(ae, AE_IFIFO);
		break;
	}
	if (archive_write_header(a, ae) != ARCHIVE_OK)
		fail_msg("archive_write_header '%s': %s", path,
		    archive_error_string(a));
	archive_entry_free(ae);
	if (type != T_FILE || !size)
		return;
	if (text || e->gen == G_DATA) {
		const char *d = text ? text : e->data;

		assert_int_equal(archive_write_data(a, d, size), size);
	} else {
		unsigned char *chunk = malloc(CHUNK);
		struct gen g;
		size_t n;

		assert_non_null(chunk);
		gen_init(&g, e);
		while ((n = gen_next(&g, chunk, CHUNK)))
			assert_int_equal(archive_write_data(a, chunk, n), n);
		free(chunk);
	}
}

static void build(const char *path, const struct spec *s)
{
	struct buf man = BUF_INIT, sums = BUF_INIT;
	struct sink *k = calloc(1, sizeof(*k));
	struct archive *a;
	size_t i;

	assert_non_null(k);
	render(s, &man, &sums);
	if (s->tar_out)
		k->mem = s->tar_out;
	else
		sink_open(k, path, !s->plain, s->level);
	a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax_restricted(a),
	    ARCHIVE_OK);
	if (s->unblocked)
		assert_int_equal(archive_write_set_bytes_per_block(a, 0),
		    ARCHIVE_OK);
	assert_int_equal(archive_write_open(a, k, NULL, sink_cb, NULL),
	    ARCHIVE_OK);
	if (!s->no_head) {
		put_entry(a, MANIFEST_NAME, NULL, man.data, man.len);
		put_entry(a, SUMS_NAME, NULL, sums.data, sums.len);
	}
	for (i = 0; i < s->nr_ents; i++) {
		const struct ent *e = &s->ents[i];

		if (e->omit)
			continue;
		if (e->gen == G_MANIFEST)
			put_entry(a, e->path, NULL, man.data, man.len);
		else if (e->gen == G_SUMS)
			put_entry(a, e->path, NULL, sums.data, sums.len);
		else
			put_entry(a, e->path, e, NULL, 0);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	if (s->tar_tail_len)
		sink_put(k, s->tar_tail, s->tar_tail_len, Z_NO_FLUSH);
	if (!s->tar_out) {
		sink_close(k);
		if (s->gz_tail) {
			FILE *fp = fopen(path, "ab");

			assert_non_null(fp);
			fputs(s->gz_tail, fp);
			assert_int_equal(fclose(fp), 0);
		}
	}
	free(k);
	buf_release(&man);
	buf_release(&sums);
}

/* gzip a memory block into a file with zlib. */
static void gzip_to(const char *path, const void *p, size_t len)
{
	struct sink *k = calloc(1, sizeof(*k));

	assert_non_null(k);
	sink_open(k, path, 1, 0);
	sink_put(k, p, len, Z_NO_FLUSH);
	sink_close(k);
	free(k);
}

/*
 * A gzip file made of stored deflate blocks only, laid out so that piece i
 * of data is the only output of the i-th 64 KiB of the file: the reader
 * reads its input 64 KiB at a time and returns what one read inflates to,
 * so each piece reaches libarchive as one separate buffer.
 */
#define IN_CHUNK 65536

static void put_stored(struct buf *b, int final, const void *p, size_t n)
{
	unsigned char h[5];

	assert_true(n <= 65535);
	h[0] = final ? 1 : 0;
	h[1] = (unsigned char)(n & 0xff);
	h[2] = (unsigned char)(n >> 8);
	h[3] = (unsigned char)(~n & 0xff);
	h[4] = (unsigned char)((~n >> 8) & 0xff);
	buf_add(b, h, sizeof(h));
	if (n)
		buf_add(b, p, n);
}

static void stored_gzip_to(const char *path, const unsigned char *data,
    size_t len, const size_t *cuts, size_t nr_cuts)
{
	static const unsigned char head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
	    0, 3 };
	struct buf b = BUF_INIT;
	unsigned char tail[8];
	uLong crc = crc32(0, data, (uInt)len);
	size_t i, from = 0;

	buf_add(&b, head, sizeof(head));
	for (i = 0; i <= nr_cuts; i++) {
		size_t to = i < nr_cuts ? cuts[i] : len;

		/* Empty blocks up to this piece's 64 KiB of the file. */
		while (b.len < i * IN_CHUNK)
			put_stored(&b, 0, NULL, 0);
		put_stored(&b, i == nr_cuts, data + from, to - from);
		assert_true(b.len < (i + 1) * IN_CHUNK);
		from = to;
	}
	for (i = 0; i < 4; i++) {
		tail[i] = (unsigned char)(crc >> (8 * i));
		tail[4 + i] = (unsigned char)((uint64_t)len >> (8 * i));
	}
	buf_add(&b, tail, sizeof(tail));
	spew(path, b.data, b.len);
	buf_release(&b);
}

/* ------------------------------------------------------------------ */
/* Fixtures                                                            */

struct fx {
	char dir[256];
	char path[512];
	struct buf tmp[2];	/* released by teardown, failed or not */
};

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	const char *tmp = getenv("TMPDIR");

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "%s/test-bundle-read.XXXXXX",
	    tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
	if (!mkdtemp(fx->dir)) {
		free(fx);
		return -1;
	}
	snprintf(fx->path, sizeof(fx->path), "%s/bundle.tar.gz", fx->dir);
	buf_init(&fx->tmp[0]);
	buf_init(&fx->tmp[1]);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;
	struct dirent *d;
	DIR *dir = opendir(fx->dir);
	char p[1024];

	if (dir) {
		while ((d = readdir(dir)))
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
				snprintf(p, sizeof(p), "%s/%s", fx->dir,
				    d->d_name);
				unlink(p);
			}
		closedir(dir);
	}
	rmdir(fx->dir);
	buf_release(&fx->tmp[0]);
	buf_release(&fx->tmp[1]);
	free(fx);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static const struct bundle_limits default_limits = BUNDLE_LIMITS_INIT;

#define UP_PATH "migrations/1_init/up.sql"
#define UP_SQL "CREATE TABLE t (id integer PRIMARY KEY);\n"
#define HEADER "migpack-manifest\t1\nname\tapp\nrelease\t1\n"
#define SHA_A "sha256:" \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* The brief's minimal bundle: one migration, one script. */
static const char min_manifest[] = HEADER
    "migration\tversioned\t1\tinit\n"
    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n";

static const struct ent min_ents[] = {
	{ .path = UP_PATH, .data = UP_SQL },
};

/* A fuller one: versioned, per-dialect, repeatable, an empty script, a
 * seed. */
static const char std_manifest[] = HEADER
    "migration\tversioned\t1\tinit\n"
    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n"
    "script\tdown\tany\ttransaction\t@\tmigrations/1_init/down.sql\n"
    "migration\tversioned\t2\tusers\n"
    "script\tup\tpostgres\tno-transaction\t@\t"
    "migrations/2_users/up.postgres.sql\n"
    "script\tup\tsqlite\ttransaction\t@\tmigrations/2_users/up.sqlite.sql\n"
    "migration\trepeatable\t-\tviews\n"
    "script\tup\tany\ttransaction\t@\trepeatable/views/up.sql\n"
    "seed\tdev\tusers\tcsv\t@\tseeds/dev/users.csv\n";

static const struct ent std_ents[] = {
	{ .path = UP_PATH, .data = UP_SQL },
	{ .path = "migrations/1_init/down.sql", .data = "" },
	{ .path = "migrations/2_users/up.postgres.sql",
	    .data = "CREATE INDEX CONCURRENTLY i ON t (id);\n" },
	{ .path = "migrations/2_users/up.sqlite.sql",
	    .data = "CREATE INDEX i ON t (id);\n" },
	{ .path = "repeatable/views/up.sql",
	    .data = "CREATE VIEW v AS SELECT id FROM t;\n" },
	{ .path = "seeds/dev/users.csv", .data = "id,name\n1,alice\n2,bob\n" },
};

/* Read a whole bundle through the streaming API, reading each file's data
 * in chunks of `chunk` bytes, or not at all when chunk is 0. */
static int stream_all(const char *path, const struct bundle_limits *lim,
    size_t chunk, struct err *err)
{
	struct bundle_reader *r;
	const struct manifest_file *f;
	unsigned char *buf = malloc(chunk ? chunk : 1);
	size_t n;
	int ret;

	assert_non_null(buf);
	if ((ret = bundle_reader_open(&r, path, lim, err)))
		goto out;
	while (!(ret = bundle_reader_next(r, &f, err)) && f) {
		if (!chunk)
			continue;
		do
			ret = bundle_reader_read(r, buf, chunk, &n, err);
		while (!ret && n);
		if (ret)
			break;
	}
	bundle_reader_close(r);
out:
	free(buf);
	return ret;
}

/* The bundle at path must be refused with this class and a message that
 * names the bundle and holds every needle; the same through streaming. */
static void expect_reject(const char *path, const struct bundle_limits *lim,
    int code, ...)
{
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT, err2;
	char sha[CHECKSUM_HEX_LEN + 1] = "";
	const char *needles[8];
	size_t nr = 0, i;
	static const size_t chunks[] = { 4093, 0 };
	va_list ap;
	int ret;

	va_start(ap, code);
	while (nr < NR(needles) && (needles[nr] = va_arg(ap, const char *)))
		nr++;
	va_end(ap);

	ret = bundle_verify(path, lim, &m, sha, &err);
	if (ret != code)
		print_error("bundle_verify returned %d: %s\n", ret, err.msg);
	if (!ret)
		manifest_release(&m);
	assert_int_equal(ret, code);
	assert_int_equal(err.code, code);
	assert_null(m.name);
	assert_int_equal(m.nr_migrations, 0);
	assert_int_equal(m.nr_seeds, 0);
	if (!strstr(err.msg, path))
		fail_msg("message does not name the bundle: %s", err.msg);
	for (i = 0; i < nr; i++)
		if (!strstr(err.msg, needles[i]))
			fail_msg("message lacks \"%s\": %s", needles[i],
			    err.msg);

	for (i = 0; i < NR(chunks); i++) {
		err2 = (struct err)ERR_INIT;
		ret = stream_all(path, lim, chunks[i], &err2);
		if (ret != code || strcmp(err2.msg, err.msg))
			fail_msg("streaming (chunk %zu) gave %d \"%s\", verify "
			    "%d \"%s\"", chunks[i], ret, err2.msg, code,
			    err.msg);
	}
}

#define REJECT(path, lim, code, ...) \
	expect_reject((path), (lim), (code), __VA_ARGS__, (const char *)NULL)

/* The bundle at path must verify, with the file's own SHA-256. */
static void expect_ok(const char *path, const struct bundle_limits *lim)
{
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT;
	char sha[CHECKSUM_HEX_LEN + 1] = "", want[CHECKSUM_HEX_LEN + 1];
	int ret;

	ret = bundle_verify(path, lim, &m, sha, &err);
	if (ret)
		fail_msg("bundle_verify returned %d: %s", ret, err.msg);
	sha_file(path, want);
	assert_string_equal(sha, want);
	assert_string_equal(m.name, "app");
	manifest_release(&m);
	assert_int_equal(stream_all(path, lim, 4093, &err), 0);
	assert_int_equal(stream_all(path, lim, 0, &err), 0);
}

/* ------------------------------------------------------------------ */
/* 1. Well-formed bundles                                              */

static void test_valid_verify(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(std_manifest, std_ents) };
	struct manifest m = MANIFEST_INIT;
	struct err err = ERR_INIT;
	char sha[CHECKSUM_HEX_LEN + 1] = "", want[CHECKSUM_HEX_LEN + 1];
	char hex[CHECKSUM_HEX_LEN + 1];

	build(fx->path, &s);
	assert_int_equal(bundle_verify(fx->path, &default_limits, &m, sha,
	    &err), 0);
	assert_int_equal(err.code, ERR_OK);
	sha_file(fx->path, want);
	assert_string_equal(sha, want);

	assert_string_equal(m.name, "app");
	assert_string_equal(m.release, "1");
	assert_null(m.created);
	assert_int_equal(m.nr_migrations, 3);
	assert_string_equal(m.migrations[0].version, "1");
	assert_string_equal(m.migrations[0].name, "init");
	assert_int_equal(m.migrations[0].nr_scripts, 2);
	assert_string_equal(m.migrations[0].scripts[0].file.path, UP_PATH);
	sha_mem(UP_SQL, strlen(UP_SQL), hex);
	assert_string_equal(m.migrations[0].scripts[0].file.sha256, hex);
	assert_int_equal(m.migrations[0].scripts[1].role, ROLE_DOWN);
	assert_int_equal(m.migrations[1].scripts[0].dialect, DIALECT_POSTGRES);
	assert_int_equal(m.migrations[1].scripts[0].tx, TX_NONE);
	assert_int_equal(m.migrations[2].kind, KIND_REPEATABLE);
	assert_null(m.migrations[2].version);
	assert_int_equal(m.nr_seeds, 1);
	assert_string_equal(m.seeds[0].table, "users");
	assert_string_equal(m.seeds[0].file.path, "seeds/dev/users.csv");
	manifest_release(&m);

	/* The manifest is optional. */
	memset(sha, 0, sizeof(sha));
	assert_int_equal(bundle_verify(fx->path, &default_limits, NULL, sha,
	    &err), 0);
	assert_string_equal(sha, want);
}

static void test_valid_minimal(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(min_manifest, min_ents) };
	struct bundle_limits tight = default_limits;
	struct ent exact[] = {
		{ .path = UP_PATH, .gen = G_FILL, .len = 1024, .fill = '-' },
	};
	struct spec s2 = { SPEC(min_manifest, exact) };

	build(fx->path, &s);
	expect_ok(fx->path, &default_limits);
	/* Unpadded tar, plain libarchive output otherwise. */
	s.unblocked = 1;
	build(fx->path, &s);
	expect_ok(fx->path, &default_limits);
	/* A script of exactly max_script bytes is allowed. */
	tight.max_script = 1024;
	build(fx->path, &s2);
	expect_ok(fx->path, &tight);
}

static void test_valid_long_path(void **state)
{
	struct fx *fx = *state;
	/* Over the 100 bytes of a ustar name: a pax header carries it. */
	char name[160], path[200], man[600];
	struct ent ents[] = { { .path = path, .data = UP_SQL } };
	struct spec s = { SPEC(man, ents) };

	memset(name, 'v', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(path, sizeof(path), "repeatable/%s/up.sql", name);
	snprintf(man, sizeof(man), HEADER "migration\trepeatable\t-\t%s\n"
	    "script\tup\tany\ttransaction\t@\t%s\n", name, path);
	build(fx->path, &s);
	expect_ok(fx->path, &default_limits);
}

static void read_file_data(struct bundle_reader *r, const char *want,
    size_t chunk)
{
	struct err err = ERR_INIT;
	struct buf got = BUF_INIT;
	char buf[64];
	size_t n;

	assert_true(chunk <= sizeof(buf));
	do {
		assert_int_equal(bundle_reader_read(r, buf, chunk, &n, &err),
		    0);
		buf_add(&got, buf, n);
	} while (n);
	assert_int_equal(got.len, strlen(want));
	assert_memory_equal(got.data, want, got.len);
	/* Past the end: nothing more, no error. */
	assert_int_equal(bundle_reader_read(r, buf, chunk, &n, &err), 0);
	assert_int_equal(n, 0);
	buf_release(&got);
}

static void test_valid_stream(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(std_manifest, std_ents) };
	struct bundle_reader *r;
	const struct manifest_file *f;
	const struct manifest *m;
	struct err err = ERR_INIT;
	char want[CHECKSUM_HEX_LEN + 1];
	size_t i, n;
	char c;

	build(fx->path, &s);
	sha_file(fx->path, want);

	/* Every file, in order, with its exact bytes (3 at a time). */
	assert_int_equal(bundle_reader_open(&r, fx->path, &default_limits,
	    &err), 0);
	m = bundle_reader_manifest(r);
	assert_string_equal(m->name, "app");
	assert_int_equal(m->nr_migrations, 3);
	for (i = 0; i < NR(std_ents); i++) {
		assert_int_equal(bundle_reader_next(r, &f, &err), 0);
		assert_non_null(f);
		assert_string_equal(f->path, std_ents[i].path);
		assert_int_equal(f->is_seed, i == NR(std_ents) - 1);
		read_file_data(r, std_ents[i].data, 3);
	}
	assert_int_equal(bundle_reader_next(r, &f, &err), 0);
	assert_null(f);
	assert_string_equal(bundle_reader_sha256(r), want);
	bundle_reader_close(r);

	/* Reading part of a file, or none of it: next finishes and checks
	 * the rest. */
	assert_int_equal(bundle_reader_open(&r, fx->path, &default_limits,
	    &err), 0);
	for (i = 0; i < NR(std_ents); i++) {
		assert_int_equal(bundle_reader_next(r, &f, &err), 0);
		assert_non_null(f);
		assert_string_equal(f->path, std_ents[i].path);
		if (i % 2 && *std_ents[i].data) {
			assert_int_equal(bundle_reader_read(r, &c, 1, &n, &err),
			    0);
			assert_int_equal(n, 1);
			assert_int_equal(c, std_ents[i].data[0]);
		}
	}
	assert_int_equal(bundle_reader_next(r, &f, &err), 0);
	assert_null(f);
	assert_string_equal(bundle_reader_sha256(r), want);
	bundle_reader_close(r);

	/* Open and close without reading anything. */
	assert_int_equal(bundle_reader_open(&r, fx->path, &default_limits,
	    &err), 0);
	bundle_reader_close(r);
}

/* ------------------------------------------------------------------ */
/* 2-6. Entries that are not plain relative files                      */

#define PASSWD "root:x:0:0::/root:/bin/sh\n"

static void test_absolute_path(void **state)
{
	struct fx *fx = *state;
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL },
		{ .path = "/etc/passwd", .data = PASSWD },
	};
	struct spec s = { SPEC(min_manifest, ents) };
	struct ent first[] = {
		{ .path = "/etc/passwd", .data = PASSWD },
		{ .path = MANIFEST_NAME, .gen = G_MANIFEST },
		{ .path = SUMS_NAME, .gen = G_SUMS },
		{ .path = UP_PATH, .data = UP_SQL },
	};
	struct spec s2 = { SPEC(min_manifest, first), .no_head = 1 };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'/etc/passwd'",
	    "absolute path");
	/* Where MANIFEST should be, too. */
	build(fx->path, &s2);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'/etc/passwd'",
	    "absolute path");
}

static void test_dotdot(void **state)
{
	struct fx *fx = *state;
	static const char *const bad[] = { "migrations/../../x", "../x", "..",
	    "migrations/1_init/..", "migrations/1_init/../../../etc/cron.d/x" };
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL },
		{ .path = NULL, .data = "x\n" },
	};
	struct spec s = { SPEC(min_manifest, ents) };
	size_t i;

	for (i = 0; i < NR(bad); i++) {
		char quoted[128];

		ents[1].path = bad[i];
		build(fx->path, &s);
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		REJECT(fx->path, &default_limits, ERR_INPUT, quoted,
		    "'..' component");
	}
	/* Dots inside a name are no '..' component: just not listed. */
	ents[1].path = "migrations/1_init/..up.sql";
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/1_init/..up.sql'", "not in the manifest");
}

static void test_symlink(void **state)
{
	struct fx *fx = *state;
	/* The listed script itself is a link to somewhere else. */
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL, .type = T_SYMLINK,
		    .link = "/etc/passwd" },
	};
	struct spec s = { SPEC(min_manifest, ents) };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'" UP_PATH "'",
	    "symbolic link");
}

static void test_hardlink(void **state)
{
	struct fx *fx = *state;
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL, .type = T_HARDLINK,
		    .link = MANIFEST_NAME },
	};
	struct spec s = { SPEC(min_manifest, ents) };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'" UP_PATH "'",
	    "hard link");
}

static void test_special_files(void **state)
{
	struct fx *fx = *state;
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL },
		{ .path = "dev/null", .data = "x\n", .type = T_CHR },
	};
	struct spec s = { SPEC(min_manifest, ents) };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'dev/null'", "device");
	/* The listed script as a device. */
	ents[0].type = T_CHR;
	ents[1].type = T_FILE;
	ents[1].path = "x";
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'" UP_PATH "'",
	    "device");
	/* A FIFO and a directory. */
	ents[0].type = T_FILE;
	ents[1].path = "fifo";
	ents[1].type = T_FIFO;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'fifo'", "special file");
	ents[1].path = "migrations";
	ents[1].type = T_DIR;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'migrations/'",
	    "directory");
}

/* ------------------------------------------------------------------ */
/* 7-9. Entries against the manifest                                   */

static void test_duplicate(void **state)
{
	struct fx *fx = *state;
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL },
		{ .path = UP_PATH, .data = UP_SQL },
	};
	struct spec s = { SPEC(min_manifest, ents) };
	/* Not the last file: the first one again before the second. */
	struct ent std2[NR(std_ents) + 1];
	struct spec s2 = { SPEC(std_manifest, std2) };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "'" UP_PATH "'",
	    "duplicate");
	memcpy(std2, std_ents, sizeof(std_ents));
	memmove(&std2[2], &std2[1], (NR(std_ents) - 1) * sizeof(*std2));
	std2[1] = std_ents[0];
	build(fx->path, &s2);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "'" UP_PATH "'",
	    "duplicate");
	/* A second MANIFEST later on is no file of the manifest either. */
	memcpy(std2, std_ents, sizeof(std_ents));
	std2[NR(std_ents)] = (struct ent){ .path = MANIFEST_NAME,
	    .gen = G_MANIFEST };
	build(fx->path, &s2);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "'MANIFEST'",
	    "not in the manifest");
}

static void test_extra_file(void **state)
{
	struct fx *fx = *state;
	struct ent ents[] = {
		{ .path = UP_PATH, .data = UP_SQL },
		{ .path = "migrations/1_init/extra.sql",
		    .data = "DROP TABLE t;\n" },
	};
	struct spec s = { SPEC(min_manifest, ents) };
	/* Before the listed file, too. */
	struct ent ents2[] = { ents[1], ents[0] };
	struct spec s2 = { SPEC(min_manifest, ents2) };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/1_init/extra.sql'", "not in the manifest");
	build(fx->path, &s2);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/1_init/extra.sql'", "not in the manifest");
}

static void test_missing_file(void **state)
{
	struct fx *fx = *state;
	struct ent ents[NR(std_ents)];
	struct spec s = { SPEC(std_manifest, ents) };

	/* The last file. */
	memcpy(ents, std_ents, sizeof(ents));
	ents[NR(ents) - 1].omit = 1;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'seeds/dev/users.csv'", "missing");
	/* One in the middle. */
	memcpy(ents, std_ents, sizeof(ents));
	ents[2].omit = 1;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/2_users/up.postgres.sql'", "missing");
	/* Every file. */
	for (size_t i = 0; i < NR(ents); i++)
		ents[i].omit = 1;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "'" UP_PATH "'",
	    "missing");
}

/* ------------------------------------------------------------------ */
/* 10-12. Sizes                                                        */

static void test_script_over_cap(void **state)
{
	struct fx *fx = *state;
	struct bundle_limits lim = default_limits;
	struct ent ents[] = {
		{ .path = UP_PATH, .gen = G_FILL, .len = 2000, .fill = '-' },
	};
	struct spec s = { SPEC(min_manifest, ents) };

	lim.max_script = 1024;
	build(fx->path, &s);
	REJECT(fx->path, &lim, ERR_INPUT, "'" UP_PATH "'",
	    "2000 bytes, over the limit of 1024");
	/* One byte over. */
	ents[0].len = 1025;
	build(fx->path, &s);
	REJECT(fx->path, &lim, ERR_INPUT, "'" UP_PATH "'",
	    "1025 bytes, over the limit of 1024");
	/* The MANIFEST itself is capped as well. */
	lim.max_script = 64;
	ents[0].len = 10;
	build(fx->path, &s);
	REJECT(fx->path, &lim, ERR_INPUT, "'MANIFEST'", "over the limit of 64");
}

static void test_script_over_default_cap(void **state)
{
	struct fx *fx = *state;
	struct ent ents[] = {
		{ .path = UP_PATH, .gen = G_FILL, .len = BUNDLE_MAX_SCRIPT + 1,
		    .fill = '\n' },
	};
	struct spec s = { SPEC(min_manifest, ents) };

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "'" UP_PATH "'",
	    "67108865 bytes, over the limit of 67108864");
}

static void test_total_over_cap(void **state)
{
	struct fx *fx = *state;
	struct bundle_limits lim = default_limits;
	static const char man[] = HEADER
	    "migration\tversioned\t1\tinit\n"
	    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n"
	    "seed\tdev\t-\tsql\t@\tseeds/dev/data.sql\n";
	struct ent ents[] = {
		{ .path = UP_PATH, .gen = G_FILL, .len = 3000, .fill = ' ' },
		{ .path = "seeds/dev/data.sql", .gen = G_FILL, .len = 3000,
		    .fill = ' ' },
	};
	struct spec s = { SPEC(man, ents) };

	lim.max_total = 4096;
	build(fx->path, &s);
	REJECT(fx->path, &lim, ERR_INPUT,
	    "uncompressed size over the limit of 4096 bytes");
	/* Large enough for the stream read so far, not for the sizes the
	 * headers announce. */
	lim.max_total = 1 * MIB;
	ents[0].len = ents[1].len = 600 * 1024;
	build(fx->path, &s);
	REJECT(fx->path, &lim, ERR_INPUT,
	    "uncompressed size over the limit of 1048576 bytes");
}

static void test_gzip_bomb(void **state)
{
	struct fx *fx = *state;
	struct bundle_limits lim = default_limits;
	struct ent ents[] = {
		{ .path = UP_PATH, .gen = G_FILL, .len = 40 * MIB, .fill = 0 },
	};
	struct spec s = { SPEC(min_manifest, ents) };
	static const char seed_man[] = HEADER
	    "seed\tdev\tusers\tcsv\t@\tseeds/dev/users.csv\n";
	struct ent seed[] = {
		{ .path = "seeds/dev/users.csv", .gen = G_FILL, .len = 40 * MIB,
		    .fill = 0 },
	};
	struct spec s2 = { SPEC(seed_man, seed) };

	lim.max_script = 1ULL << 30;
	build(fx->path, &s);
	REJECT(fx->path, &lim, ERR_INPUT, "gzip bomb", "200:1");
	/* A seed is capped by max_total only: the ratio catches it. */
	build(fx->path, &s2);
	REJECT(fx->path, &default_limits, ERR_INPUT, "gzip bomb");
}

static void test_large_but_fair(void **state)
{
	struct fx *fx = *state;
	/* Past the 16 MiB floor of the ratio check, poorly compressible. */
	struct ent ents[] = {
		{ .path = UP_PATH, .gen = G_NOISE, .len = 20 * MIB },
	};
	struct spec s = { SPEC(min_manifest, ents), .level = 1 };

	build(fx->path, &s);
	expect_ok(fx->path, &default_limits);
}

/* ------------------------------------------------------------------ */
/* 13-15. The gzip layer and what follows the archive                  */

static void test_truncated(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(std_manifest, std_ents) };
	unsigned char *whole;
	size_t len, cut;

	build(fx->path, &s);
	whole = slurp(fx->path, &len);
	assert_true(len > 100);

	spew(fx->path, whole, len / 2);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "truncated gzip stream");
	/* Into the 8-byte trailer: all the data is there, the CRC is not. */
	spew(fx->path, whole, len - 5);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "truncated gzip stream");
	spew(fx->path, whole, len - 1);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "truncated gzip stream");
	/* Any other cut, down to one byte. */
	for (cut = 1; cut < len; cut += cut < 32 || cut > len - 32 ? 1 : 37) {
		spew(fx->path, whole, cut);
		REJECT(fx->path, &default_limits, ERR_INTEGRITY,
		    "truncated gzip stream");
	}
	free(whole);
}

static void test_trailing_after_gzip(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(min_manifest, min_ents), .gz_tail = "garbage" };
	unsigned char *whole, *two;
	size_t len;

	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the gzip stream");
	/* One zero byte. */
	s.gz_tail = NULL;
	build(fx->path, &s);
	whole = slurp(fx->path, &len);
	whole[len] = 0;
	spew(fx->path, whole, len + 1);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the gzip stream");
	/* A second gzip member (gunzip would concatenate it). */
	two = malloc(2 * len);
	assert_non_null(two);
	memcpy(two, whole, len);
	memcpy(two + len, whole, len);
	spew(fx->path, two, 2 * len);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the gzip stream");
	free(two);
	free(whole);
}

static void test_trailing_in_tar(void **state)
{
	struct fx *fx = *state;
	unsigned char junk[1024];
	struct spec s = { SPEC(min_manifest, min_ents), .tar_tail = junk,
	    .tar_tail_len = sizeof(junk) };
	struct buf tar = BUF_INIT;
	size_t i;

	/* After the end blocks and libarchive's padding to 10240 bytes. */
	memset(junk, 0xa5, sizeof(junk));
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	/* Right after the two end blocks. */
	s.unblocked = 1;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	/* One non-zero byte deep into zero padding. */
	memset(junk, 0, sizeof(junk));
	junk[700] = 1;
	s.unblocked = 0;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	/* Zero padding alone is fine. */
	junk[700] = 0;
	build(fx->path, &s);
	expect_ok(fx->path, &default_limits);

	/* Built as a plain tar in memory, gzip'd here: garbage in place of
	 * the second end block. */
	s.tar_tail_len = 0;
	s.unblocked = 1;
	s.tar_out = &tar;
	build(NULL, &s);
	assert_true(tar.len >= 2048 && tar.len % 512 == 0);
	for (i = tar.len - 1024; i < tar.len; i++)
		assert_int_equal(tar.data[i], 0);
	tar.data[tar.len - 512] = 'X';
	gzip_to(fx->path, tar.data, tar.len);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	/* And 1 KiB of garbage after an intact end, gzip'd here. */
	tar.data[tar.len - 512] = 0;
	memset(junk, 'G', sizeof(junk));
	buf_add(&tar, junk, sizeof(junk));
	gzip_to(fx->path, tar.data, tar.len);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	buf_release(&tar);
}

/*
 * Garbage after the first end block that reaches libarchive spread over
 * several of the reader's buffers.  The tar reader reads the block after
 * the first end block ahead, does not consume it when it is not zero, and
 * stops; the reader then looks for non-zero bytes past what libarchive
 * consumed, but only in the last two buffers it handed over.
 */
static void test_trailing_in_tar_split(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(min_manifest, min_ents), .unblocked = 1 };
	struct buf *tar = &fx->tmp[0], *data = &fx->tmp[1];
	static unsigned char zeros[4096];
	size_t p, cuts3[3];

	s.tar_out = tar;
	build(NULL, &s);
	assert_true(tar->len >= 2048 && tar->len % 512 == 0);
	p = tar->len - 512;	/* the end of the first end block */
	buf_add(data, tar->data, p);
	buf_addch(data, 'X');		/* the second "end block" */
	buf_add(data, zeros, sizeof(zeros));

	/* Control: the layout of the last case, all zero, is a valid bundle
	 * (stored blocks, four buffers: up to the first end block, 1 byte,
	 * 1 byte, the rest). */
	cuts3[0] = p;
	cuts3[1] = p + 1;
	cuts3[2] = p + 2;
	data->data[p] = 0;
	stored_gzip_to(fx->path, (unsigned char *)data->data, data->len,
	    cuts3, 3);
	expect_ok(fx->path, &default_limits);
	data->data[p] = 'X';

	/* Garbage in the last buffer. */
	print_message("garbage in the last buffer\n");
	stored_gzip_to(fx->path, (unsigned char *)data->data, data->len,
	    cuts3, 1);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	/* In the next-to-last buffer. */
	print_message("garbage in the next-to-last buffer\n");
	stored_gzip_to(fx->path, (unsigned char *)data->data, data->len,
	    cuts3, 2);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
	/* In the one before: libarchive still holds it unconsumed. */
	print_message("garbage two buffers before the last\n");
	stored_gzip_to(fx->path, (unsigned char *)data->data, data->len,
	    cuts3, 3);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "trailing data after the archive");
}

/* ------------------------------------------------------------------ */
/* 16. Malformed MANIFEST                                              */

struct bad_manifest {
	const char *text;
	const char *needle1, *needle2;
};

static void test_malformed_manifest(void **state)
{
	struct fx *fx = *state;
	static const struct bad_manifest cases[] = {
		{ HEADER "bogus\tthing\n",
		    "MANIFEST: line 4:", "unknown record 'bogus'" },
		{ HEADER "migration\tversioned\t1\n",
		    "MANIFEST: line 4:", "migration: expected 4 fields" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\t@\t" UP_PATH "\n",
		    "MANIFEST: line 5:", "script: expected 6 fields" },
		{ HEADER "migration\tversioned\t1\tinit\ta\tb\tc\td\te\n",
		    "MANIFEST: line 4:", "too many fields" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\tsha256:xyz\t" UP_PATH "\n",
		    "MANIFEST: line 5:", "malformed checksum 'sha256:xyz'" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\tmd5:0123\t" UP_PATH "\n",
		    "MANIFEST: line 5:", "malformed checksum" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\tsha256:"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		    "\t" UP_PATH "\n",
		    "MANIFEST: line 5:", "malformed checksum" },
		{ HEADER "migration\tversioned\tv1\tinit\n"
		    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n",
		    "MANIFEST: line 4:", "invalid version 'v1'" },
		{ HEADER "migration\tversioned\t1..2\tinit\n"
		    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n",
		    "MANIFEST: line 4:", "invalid version '1..2'" },
		{ "name\tapp\nrelease\t1\n"
		    "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n",
		    "MANIFEST: line 1:", "expected 'migpack-manifest'" },
		{ "migpack-manifest\t1\nrelease\t1\n",
		    "MANIFEST: line 2:", "expected 'name'" },
		{ "migpack-manifest\t2\nname\tapp\nrelease\t1\n"
		    "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\t@\t" UP_PATH "\n",
		    "MANIFEST: line 1:", "unsupported format version '2'" },
		{ "migpack-manifest\t1\nname\tapp\n",
		    "MANIFEST: line 3:", "truncated header" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\t" SHA_A
		    "\t../../etc/passwd\n",
		    "MANIFEST: line 5:", "unsafe path '../../etc/passwd'" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tsideways\tany\ttransaction\t@\t" UP_PATH "\n",
		    "MANIFEST: line 5:", "unknown script role" },
		{ HEADER "script\tup\tany\ttransaction\t@\t" UP_PATH "\n",
		    "MANIFEST: line 4:", "script outside a migration" },
		{ HEADER "migration\tversioned\t1\tinit\n",
		    "MANIFEST: line 4:", "migration without scripts" },
		{ HEADER "migration\tversioned\t1\tinit\n"
		    "script\tup\tany\ttransaction\t@\t" UP_PATH,
		    "MANIFEST:", "not a text file ending in a newline" },
	};
	struct ent ents[] = { { .path = UP_PATH, .data = UP_SQL } };
	size_t i;

	for (i = 0; i < NR(cases); i++) {
		struct spec s = { SPEC(cases[i].text, ents) };

		print_message("manifest case %zu\n", i);
		build(fx->path, &s);
		REJECT(fx->path, &default_limits, ERR_INPUT, cases[i].needle1,
		    cases[i].needle2);
	}
}

/* ------------------------------------------------------------------ */
/* 17. Checksums                                                       */

static void test_checksum_mismatch(void **state)
{
	struct fx *fx = *state;
	struct ent ents[NR(std_ents)];
	struct spec s = { SPEC(std_manifest, ents) };

	/* A script that is not what MANIFEST and SHA256SUMS say. */
	memcpy(ents, std_ents, sizeof(ents));
	ents[0].declared = "CREATE TABLE t (id integer);\n";
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "'" UP_PATH "'",
	    "checksum mismatch");
	/* The empty script, and the seed. */
	memcpy(ents, std_ents, sizeof(ents));
	ents[1].declared = ents[1].data;
	ents[1].data = "DROP TABLE t;\n";
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/1_init/down.sql'", "checksum mismatch");
	memcpy(ents, std_ents, sizeof(ents));
	ents[5].declared = ents[5].data;
	ents[5].data = "id,name\n1,alice\n2,bob\n3,mallory\n";
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'seeds/dev/users.csv'", "checksum mismatch");
}

static void test_sums_disagree(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(std_manifest, std_ents) };

	s.sums_bad = "migrations/2_users/up.sqlite.sql";
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/2_users/up.sqlite.sql'", "checksum mismatch");
	s.sums_bad = MANIFEST_NAME;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "'MANIFEST'",
	    "checksum mismatch");
	s.sums_bad = NULL;
	s.sums_edit = SUMS_DROP_LAST;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, SUMS_NAME,
	    "'seeds/dev/users.csv' missing");
	s.sums_edit = SUMS_EXTRA;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY,
	    "'migrations/9_extra/up.sql'", "not in the manifest");
	s.sums_edit = SUMS_SWAP;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "SHA256SUMS: line 2",
	    "where the manifest has '" UP_PATH "'");
	s.sums_edit = SUMS_MALFORMED;
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "SHA256SUMS: line 2",
	    "malformed");
}

/* ------------------------------------------------------------------ */
/* 18-19. Not a bundle                                                 */

static void test_not_gzip(void **state)
{
	struct fx *fx = *state;
	static const char text[] = "CREATE TABLE t (id integer);\n"
	    "-- this is not a bundle\n";
	struct spec s = { SPEC(min_manifest, min_ents), .plain = 1 };

	spew(fx->path, text, strlen(text));
	REJECT(fx->path, &default_limits, ERR_INPUT, "not a gzip file");
	spew(fx->path, "", 0);
	REJECT(fx->path, &default_limits, ERR_INPUT, "empty file");
	/* A good bundle, just not compressed. */
	build(fx->path, &s);
	REJECT(fx->path, &default_limits, ERR_INPUT, "not a gzip file");
	/* A gzip header, then damage in the first block: a damaged bundle,
	 * not something else. */
	spew(fx->path, "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage!",
	    18);
	REJECT(fx->path, &default_limits, ERR_INTEGRITY, "corrupt gzip data");
	/* An empty tar, gzip'd. */
	{
		static const char zeros[10240];

		gzip_to(fx->path, zeros, sizeof(zeros));
		REJECT(fx->path, &default_limits, ERR_INPUT, "no MANIFEST",
		    "not a migpack bundle");
	}
}

/* gzip'd, but no tar inside: not a bundle either (migpack verify documents
 * 2 "for a file that is not a well-formed bundle"). */
static void test_gzip_not_tar(void **state)
{
	struct fx *fx = *state;
	static const char text[] = "CREATE TABLE t (id integer);\n"
	    "-- gzip'd, but not a tar archive\n";

	gzip_to(fx->path, text, strlen(text));
	REJECT(fx->path, &default_limits, ERR_INPUT, "");
	/* A gzip stream of nothing. */
	gzip_to(fx->path, "", 0);
	REJECT(fx->path, &default_limits, ERR_INPUT, "");
}

/* Every byte past the gzip header changed in turn: always refused as
 * malformed or damaged, never accepted, never a crash or a leak. */
static void test_byte_flips(void **state)
{
	struct fx *fx = *state;
	struct spec s = { SPEC(std_manifest, std_ents) };
	struct err err;
	char sha[CHECKSUM_HEX_LEN + 1];
	unsigned char *whole;
	size_t len, i;
	int ret;

	build(fx->path, &s);
	whole = slurp(fx->path, &len);
	for (i = 10; i < len; i++) {
		whole[i] ^= 0xff;
		spew(fx->path, whole, len);
		whole[i] ^= 0xff;
		err = (struct err)ERR_INIT;
		ret = bundle_verify(fx->path, &default_limits, NULL, sha, &err);
		if (ret != ERR_INPUT && ret != ERR_INTEGRITY)
			fail_msg("byte %zu of %zu changed: %d %s", i, len, ret,
			    err.msg);
		if (!strstr(err.msg, fx->path))
			fail_msg("byte %zu: message without the bundle: %s", i,
			    err.msg);
	}
	free(whole);
}

static void test_manifest_not_first(void **state)
{
	struct fx *fx = *state;
	struct ent sums_first[] = {
		{ .path = SUMS_NAME, .gen = G_SUMS },
		{ .path = MANIFEST_NAME, .gen = G_MANIFEST },
		{ .path = UP_PATH, .data = UP_SQL },
	};
	struct ent script_first[] = {
		{ .path = UP_PATH, .data = UP_SQL },
		{ .path = MANIFEST_NAME, .gen = G_MANIFEST },
		{ .path = SUMS_NAME, .gen = G_SUMS },
	};
	struct ent no_sums[] = {
		{ .path = MANIFEST_NAME, .gen = G_MANIFEST },
		{ .path = UP_PATH, .data = UP_SQL },
	};
	struct spec s1 = { SPEC(min_manifest, sums_first), .no_head = 1 };
	struct spec s2 = { SPEC(min_manifest, script_first), .no_head = 1 };
	struct spec s3 = { SPEC(min_manifest, no_sums), .no_head = 1 };

	build(fx->path, &s1);
	REJECT(fx->path, &default_limits, ERR_INPUT,
	    "entry 'SHA256SUMS' where MANIFEST should be");
	build(fx->path, &s2);
	REJECT(fx->path, &default_limits, ERR_INPUT,
	    "entry '" UP_PATH "' where MANIFEST should be");
	build(fx->path, &s3);
	REJECT(fx->path, &default_limits, ERR_INPUT,
	    "entry '" UP_PATH "' where SHA256SUMS should be");
	/* MANIFEST and nothing else. */
	no_sums[1].omit = 1;
	build(fx->path, &s3);
	REJECT(fx->path, &default_limits, ERR_INPUT, "no SHA256SUMS");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_valid_verify),
		T(test_valid_minimal),
		T(test_valid_long_path),
		T(test_valid_stream),
		T(test_absolute_path),
		T(test_dotdot),
		T(test_symlink),
		T(test_hardlink),
		T(test_special_files),
		T(test_duplicate),
		T(test_extra_file),
		T(test_missing_file),
		T(test_script_over_cap),
		T(test_script_over_default_cap),
		T(test_total_over_cap),
		T(test_gzip_bomb),
		T(test_large_but_fair),
		T(test_truncated),
		T(test_trailing_after_gzip),
		T(test_trailing_in_tar),
		T(test_trailing_in_tar_split),
		T(test_malformed_manifest),
		T(test_checksum_mismatch),
		T(test_sums_disagree),
		T(test_not_gzip),
		T(test_gzip_not_tar),
		T(test_byte_flips),
		T(test_manifest_not_first),
	};
#undef T

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
