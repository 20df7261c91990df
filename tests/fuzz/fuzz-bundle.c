/* The bundle reader, on whole tar.gz bytes: verified or refused, never a
 * crash; hostile bundles are what it is for.  The bytes go to a memfd,
 * read through its /proc path as a bundle file is. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "fuzz.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small caps: a fuzzer's inputs are small, and a bomb must stop
	 * soon. */
	struct bundle_limits limits = { 1 << 20, 4 << 20, 200 };
	struct manifest m = MANIFEST_INIT;
	char sha[CHECKSUM_HEX_LEN + 1], path[64];
	struct err err = ERR_INIT;
	int fd = memfd_create("bundle", MFD_CLOEXEC);

	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!bundle_verify(path, &limits, &m, sha, &err))
		FUZZ_ASSERT(strlen(sha) == CHECKSUM_HEX_LEN);
	manifest_release(&m);
	close(fd);
	return 0;
}
