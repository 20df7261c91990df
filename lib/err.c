#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

int err_set(struct err *err, enum err_code code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int err_errno(struct err *err, enum err_code code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t len;

	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
		    strerror(saved));
	}
	return code;
}

void err_append(struct err *err, const char *fmt, ...)
{
	char tail[sizeof(err->msg) / 2];
	size_t len = strlen(err->msg), n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tail, sizeof(tail), fmt, ap);
	va_end(ap);
	n = strlen(tail);
	if (len + n >= sizeof(err->msg)) {
		len = sizeof(err->msg) - n - 4;
		/* Not inside a UTF-8 character. */
		while (len && ((unsigned char)err->msg[len] & 0xc0) == 0x80)
			len--;
		memcpy(err->msg + len, "...", 3);
		len += 3;
	}
	memcpy(err->msg + len, tail, n + 1);
}

int err_prefix(struct err *err, const char *prefix)
{
	char msg[sizeof(err->msg)];

	memcpy(msg, err->msg, sizeof(msg));
	snprintf(err->msg, sizeof(err->msg), "%s%.*s", prefix,
	    (int)(sizeof(msg) - 1), msg);
	return err->code;
}

void err_print(const char *program, const struct err *err)
{
	fprintf(stderr, "%s: %s\n", program,
	    err->msg[0] ? err->msg : "unknown error");
}

void bug_fl(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
