/* Where the linter's scripts come from: a scanned folder or a bundle. */
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "layout.h"
#include "linter.h"
#include "text.h"

static int keep(void *ctx, const void *data, size_t len, struct err *err)
{
	(void)err;
	buf_add(ctx, data, len);
	return 0;
}

int lint_layout(struct linter *L, const struct layout *l, struct err *err)
{
	char hex[CHECKSUM_HEX_LEN + 1];
	struct buf b = BUF_INIT;
	struct text t;
	size_t i, j, k = 0;
	int ret = 0;

	for (i = 0; !ret && i < L->m->nr_migrations; i++) {
		const struct manifest_migration *mig = &L->m->migrations[i];
		const char *up = NULL;

		for (j = 0; !ret && j < mig->nr_scripts; j++) {
			const struct manifest_script *s = &mig->scripts[j];
			const struct source *src = &l->sources[k++];

			if (s->role == ROLE_UP && !up)
				up = src->path;
			if (!lint_reads(L->m, mig, s))
				continue;
			buf_reset(&b);
			if (!(ret = layout_read(src, &t, hex, keep, &b, err)))
				ret = lint_script(L, i, s, src->path,
				    src->first_line, b.data ? b.data : "",
				    b.len, err);
		}
		if (!ret)
			lint_migration(L, i, up);
	}
	buf_release(&b);
	return ret;
}

/* A copy of a manifest without its findings. */
static int copy_bare(const struct manifest *from, struct manifest *to,
    struct err *err)
{
	struct buf text = BUF_INIT;
	size_t i, j;
	int ret;

	manifest_write(from, &text);
	ret = manifest_parse(to, text.data, text.len, err);
	buf_release(&text);
	for (i = 0; !ret && i < to->nr_migrations; i++) {
		struct manifest_migration *mig = &to->migrations[i];

		for (j = 0; j < mig->nr_findings; j++) {
			free(mig->findings[j].rule);
			free(mig->findings[j].message);
		}
		mig->nr_findings = 0;
	}
	return ret;
}

int lint_bundle(struct linter *L, const char *path,
    const struct bundle_limits *limits, struct manifest *m, struct err *err)
{
	struct bundle_reader *r = NULL;
	const struct manifest *bm;
	const struct manifest_file *f;
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t i = 0, j = 0, n;
	int ret;

	if ((ret = bundle_reader_open(&r, path, limits, err)))
		return ret;
	bm = bundle_reader_manifest(r);
	if ((ret = copy_bare(bm, m, err)))
		goto out;
	L->m = m;
	while (!(ret = bundle_reader_next(r, &f, err)) && f) {
		const struct manifest_migration *mig;
		const struct manifest_script *s;

		if (i == bm->nr_migrations)
			continue;	/* seeds: read and checked, not linted */
		mig = &m->migrations[i];
		s = &mig->scripts[j];
		if (lint_reads(m, mig, s)) {
			buf_reset(&b);
			while (!(ret = bundle_reader_read(r, chunk,
			    sizeof(chunk), &n, err)) && n)
				buf_add(&b, chunk, n);
			if (ret || (ret = lint_script(L, i, s, f->path, 1,
			    b.data ? b.data : "", b.len, err)))
				break;
		}
		if (++j == mig->nr_scripts) {
			const struct manifest_script *up =
			    manifest_script_for(mig, ROLE_UP, DIALECT_ANY);

			lint_migration(L, i, (up ? up : &mig->scripts[0])->file.path);
			i++;
			j = 0;
		}
	}
out:
	buf_release(&b);
	bundle_reader_close(r);
	return ret;
}
