/* The manifest parser: any text is parsed or refused; what parses writes
 * back to a text that parses to the same (the writer and the parser agree). */
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct manifest m = MANIFEST_INIT, again = MANIFEST_INIT;
	struct buf one = BUF_INIT, two = BUF_INIT;
	struct err err = ERR_INIT;

	if (!manifest_parse(&m, (const char *)data, size, &err)) {
		manifest_write(&m, &one);
		FUZZ_ASSERT(!manifest_parse(&again, one.data, one.len, &err));
		manifest_write(&again, &two);
		FUZZ_ASSERT(one.len == two.len &&
		    !memcmp(one.data, two.data, one.len));
	}
	manifest_release(&m);
	manifest_release(&again);
	buf_release(&one);
	buf_release(&two);
	return 0;
}
