/* pg_dump's script read on its way into psql (dumpscan.h): whatever the
 * bytes, however they are cut into pieces, the same bytes are passed on
 * and the same end is reached; what is held back never outgrows its
 * buffer. */
#include <string.h>

#include "buf.h"
#include "dumpscan.h"
#include "fuzz.h"

static int collect(void *arg, const void *data, size_t len, struct err *err)
{
	(void)err;
	buf_add(arg, data, len);
	return 0;
}

/* Scan data in pieces of at most step bytes, the first cut at cut: the
 * end's code, the bytes passed on (or the message) in out. */
static int scan(const uint8_t *data, size_t size, size_t cut, size_t step,
    struct buf *out)
{
	struct dumpscan s;
	struct err err = ERR_INIT;
	size_t at = 0, n;
	int ret = 0;

	buf_reset(out);
	dumpscan_init(&s, "fuzz.sql.gz", collect, out);
	while (at < size && !ret) {
		n = at < cut ? cut - at : step;
		if (n > size - at)
			n = size - at;
		ret = dumpscan_feed(&s, data + at, n, &err);
		FUZZ_ASSERT(s.held_len <= sizeof(s.held));
		at += n;
	}
	if (!ret)
		ret = dumpscan_end(&s, &err);
	if (ret) {
		buf_reset(out);
		buf_addstr(out, err.msg);
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf whole = BUF_INIT, cut = BUF_INIT;
	int ret = scan(data, size, size, size, &whole);

	/* Cut where the first bytes say, then a byte at a time. */
	FUZZ_ASSERT(scan(data, size, size ? data[0] % (size + 1) : 0,
	    size ? size : 1, &cut) == ret);
	FUZZ_ASSERT(cut.len == whole.len && !memcmp(cut.data, whole.data,
	    whole.len));
	FUZZ_ASSERT(scan(data, size, 1, 1, &cut) == ret);
	FUZZ_ASSERT(cut.len == whole.len && !memcmp(cut.data, whole.data,
	    whole.len));
	buf_release(&whole);
	buf_release(&cut);
	return 0;
}
