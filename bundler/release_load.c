/* A release to compare, from a folder or a bundle (commands.h). */
#include <string.h>
#include <sys/stat.h>

#include "bundle.h"
#include "commands.h"
#include "layout.h"
#include "release.h"
#include "xalloc.h"

int release_load(const char *path, const struct layout_opts *o,
    struct manifest *m, struct err *err)
{
	struct bundle_limits limits = BUNDLE_LIMITS_INIT;
	char sha[CHECKSUM_HEX_LEN + 1];
	struct layout l = { 0 };
	struct stat st;
	int ret;

	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return bundle_verify(path, &limits, m, sha, err);
	if ((ret = layout_scan(&l, path, o, err)))
		goto out;
	*m = l.m;
	memset(&l.m, 0, sizeof(l.m));
	m->name = layout_dir_name(path);
	m->release = xstrdup(manifest_newest(m));
out:
	layout_release(&l);
	return ret;
}
