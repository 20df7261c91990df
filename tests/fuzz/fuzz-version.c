/* Versions: the input is two strings split at its first NUL.  A valid one
 * spans itself whole and equals itself; two valid ones compare as strcmp
 * would have them compared the other way round, and max picks the one
 * that is not older. */
#include <string.h>

#include "fuzz.h"
#include "version.h"

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = malloc(size + 2), *b;
	size_t la, lb;
	unsigned flags;
	int va, vb;

	memcpy(a, data, size);
	a[size] = a[size + 1] = '\0';
	la = strlen(a);
	b = a + la + 1;
	lb = la < size ? strlen(b) : 0;
	for (flags = 0; flags <= VERSION_ALLOW_UNDERSCORE; flags++) {
		va = version_valid(a, la, flags);
		vb = version_valid(b, lb, flags);
		if (va)
			FUZZ_ASSERT(version_span(a, flags) == la);
		if (va && !flags)
			FUZZ_ASSERT(version_valid(a, la, VERSION_ALLOW_UNDERSCORE));
		if (!va || !vb)
			continue;
		FUZZ_ASSERT(version_cmp(a, a) == 0);
		FUZZ_ASSERT(sign(version_cmp(a, b)) == -sign(version_cmp(b, a)));
		FUZZ_ASSERT(version_cmp(version_max(a, b), a) >= 0 &&
		    version_cmp(version_max(a, b), b) >= 0);
		FUZZ_ASSERT(version_max(NULL, a) == a);
	}
	free(a);
	return 0;
}
