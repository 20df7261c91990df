#ifndef MIGPACK_TEXT_H
#define MIGPACK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "checksum.h"

/*
 * Streaming normalization and validation of the text files a bundle stores
 * (scripts and seeds).  Normalization removes a UTF-8 byte order mark at the
 * start of a file and turns CRLF into LF; nothing else is touched.  The text
 * must be UTF-8 without NUL bytes.  As it goes the scanner sums the
 * normalized bytes, counts them, notes whether there is anything but
 * whitespace and "--" comments, and keeps the start of the first line.
 *
 * Memory is constant: feed any number of chunks of any size.
 */

#define TEXT_FIRST_LINE_MAX 64

struct text {
	/* normalizer state */
	int bom_pending;	/* still at the start of a file */
	int cr_pending;		/* a CR that may turn out to end a CRLF */
	unsigned utf8_need;	/* continuation bytes still expected */
	unsigned char utf8_lo, utf8_hi; /* range of the next continuation */
	int dash;		/* saw one '-' outside a comment */
	int in_comment;

	/* results */
	uint64_t size;		/* normalized bytes */
	uint64_t line;		/* current line, from first_lineno */
	struct checksum sum;
	int has_content;
	char first_line[TEXT_FIRST_LINE_MAX + 1];
	size_t first_len;
	int first_done;
	const char *problem;	/* first validation problem, static text */
	uint64_t problem_line;
};

/* Start scanning; at_file_start says whether a BOM may be stripped here,
 * first_lineno is the line number of the first byte. */
void text_init(struct text *t, int at_file_start, uint64_t first_lineno);

/* Normalize len bytes of in into out, which must have room for len + 1
 * bytes; return how many bytes were written. */
size_t text_feed(struct text *t, const unsigned char *in, size_t len,
    unsigned char *out);

/* End of input: flush into out (room for 1 byte), return bytes written, and
 * finish the checksum into hex. */
size_t text_finish(struct text *t, unsigned char *out,
    char hex[CHECKSUM_HEX_LEN + 1]);

/* Whether the first line is the directive `directive` (trailing blanks
 * allowed). */
int text_first_line_is(const struct text *t, const char *directive);

#endif
