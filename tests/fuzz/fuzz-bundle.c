/* The bundle reader, on whole tar.gz bytes: verified or refused, never a
 * crash; hostile bundles are what it is for.  Its signature is checked
 * against the key that signed corpus/bundle/signed.tgz.  The bytes go to
 * a memfd, read through its /proc path as a bundle file is. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "fuzz.h"
#include "manifest.h"
#include "signature.h"

static const char key[] = "RWRmxf4c8WnUgHSln7gAJ76zDk2+jaZSSaRr4wvuNWZLjJz2VZBcASIO";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small caps: a fuzzer's inputs are small, and a bomb must stop
	 * soon. */
	struct bundle_limits limits = { 1 << 20, 4 << 20, 200 };
	struct manifest m = MANIFEST_INIT;
	char sha[CHECKSUM_HEX_LEN + 1], path[64];
	struct err err = ERR_INIT;
	struct trust t = TRUST_INIT;
	struct bundle_sig sig;
	int fd = memfd_create("bundle", MFD_CLOEXEC);

	FUZZ_ASSERT(fd >= 0);
	t.keys = calloc(1, sizeof(*t.keys));
	t.nr = t.alloc = 1;
	FUZZ_ASSERT(!minisign_pubkey_parse(&t.keys[0].pk, key, strlen(key),
	    "key", &err));
	t.keys[0].from = strdup("key");
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!bundle_verify_signed(path, &limits, &t, &sig, &m, sha, &err)) {
		FUZZ_ASSERT(strlen(sha) == CHECKSUM_HEX_LEN);
		FUZZ_ASSERT(sig.state == SIG_VERIFIED);
	}
	manifest_release(&m);
	trust_release(&t);
	close(fd);
	return 0;
}
