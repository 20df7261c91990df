/* The statement splitter, PostgreSQL's and SQLite's rules: statements in
 * order, inside the text, apart, starting at a token, on the line they
 * are counted on; and the heads of statements. */
#include <string.h>

#include "fuzz.h"
#include "split.h"

static void check(const char *text, size_t len, int sqlite)
{
	struct splitter sp;
	struct stmt st;
	size_t end = 0, i;
	unsigned line;
	char head[64];

	if (sqlite)
		split_init_sqlite(&sp, text, len);
	else
		split_init(&sp, text, len);
	while (split_next(&sp, &st)) {
		FUZZ_ASSERT(st.off >= end);
		FUZZ_ASSERT(st.len > 0 && st.off + st.len <= len);
		FUZZ_ASSERT(!strchr(" \t\r\n", text[st.off]) ||
		    text[st.off] == '\0');
		for (line = 1, i = 0; i < st.off; i++)
			line += text[i] == '\n';
		FUZZ_ASSERT(st.line == line);
		split_head(&sp, &st, head, sizeof(head));
		FUZZ_ASSERT(strlen(head) < sizeof(head));
		end = st.off + st.len;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	check(text, size, 0);
	check(text, size, 1);
	free(text);
	return 0;
}
