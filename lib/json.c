#include "json.h"

void json_str(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		buf_addstr(out, "null");
		return;
	}
	buf_addch(out, '"');
	for (; *p; p++) {
		switch (*p) {
		case '"': buf_addstr(out, "\\\""); break;
		case '\\': buf_addstr(out, "\\\\"); break;
		case '\n': buf_addstr(out, "\\n"); break;
		case '\r': buf_addstr(out, "\\r"); break;
		case '\t': buf_addstr(out, "\\t"); break;
		default:
			if (*p < 0x20)
				buf_addf(out, "\\u%04x", *p);
			else
				buf_addch(out, *p);
		}
	}
	buf_addch(out, '"');
}
