#ifndef MIGPACK_LAYOUT_H
#define MIGPACK_LAYOUT_H

#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"
#include "manifest.h"

/*
 * The input folder, whatever its layout (native, one folder per migration,
 * dbmate or goose markers, Flyway names), read into one manifest plus, for
 * every file of the bundle, where its content comes from.  Scanning reads
 * every script once, normalized, to check it and take its checksum.
 */

struct placeholders;

struct source {
	char *path;		/* input file, as named in messages */
	const struct placeholders *ph;	/* Flyway's, replaced as read */
	int subst;		/* a Flyway script: placeholders replaced */
	off_t offset;		/* the script is bytes [offset, offset+length) */
	off_t length;		/* -1: to the end of the file */
	uint64_t first_line;	/* line number at offset */
	uint64_t size;		/* normalized size, from the scan */
};

struct layout {
	struct manifest m;
	struct source *sources;	/* one per file, in manifest_files order */
	size_t nr_sources;
	struct buf notices;	/* what the build says of the input, a line
				 * each naming its file (no-op scripts) */
};

struct layout_opts {
	/* What matches one of these glob patterns (fnmatch, '*' not crossing
	 * '/'), by its path relative to dir, is left out, a folder whole;
	 * the manifest records patterns and paths. */
	char *const *excludes;
	size_t nr_excludes;
	/* Values for Flyway's placeholders (placeholder.h). */
	const struct placeholders *placeholders;
	/* The engines the bundle is for (ENGINE_BITs; 0: both): a script
	 * is read for what it needs on those only. */
	unsigned engines;
};

/* Scan dir; o may be NULL. */
int layout_scan(struct layout *l, const char *dir,
    const struct layout_opts *o, struct err *err);
void layout_release(struct layout *l);

/* A bundle's default name: dir's own name, "bundle" when it has none
 * (caller frees). */
char *layout_dir_name(const char *dir);

/* Stream one source, normalized, through a struct text; each normalized
 * chunk goes to sink when it is not NULL. */
struct text;
typedef int (*layout_sink)(void *ctx, const void *data, size_t len,
    struct err *err);
int layout_read(const struct source *src, struct text *t,
    char hex[CHECKSUM_HEX_LEN + 1], layout_sink sink, void *ctx,
    struct err *err);

#endif
