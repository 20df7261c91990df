#ifndef MIGPACK_CSV_H
#define MIGPACK_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/*
 * A streaming RFC 4180 CSV parser: ',' separates fields, '"' quotes them, a
 * doubled quote inside quotes is one quote.  A record ends at '\n'; a '\r'
 * right before it (outside quotes) is dropped, any other '\r' is data.
 * Quoting is strict: a quote opens a field only as its first byte, and only
 * ',' or the end of the record may follow the closing quote.  An empty line
 * is a record of one unquoted empty field; input with or without a final
 * newline gives the same records, and empty input none.  No byte order
 * mark is removed and no encoding is checked (the bundle's text scanner does
 * that).
 *
 * Feed the input in chunks of any size; each record is handed to a callback
 * as soon as it is complete.  Memory grows with the largest record, never
 * with the input.
 */

#define CSV_MAX_RECORD_DEFAULT ((size_t)16 << 20)

struct csv_field {
	const char *data;	/* NUL-terminated (data[len] == '\0'); the
				 * text itself may hold NUL bytes */
	size_t len;
	int quoted;		/* written in quotes: "" is an empty string,
				 * an unquoted empty field is SQL NULL */
};

/*
 * Called once per record, with its n >= 1 fields and the physical line
 * (1-based) it starts on.  fields and their text are valid only during the
 * call.  Return 0 to go on, or an err code with err filled to stop:
 * csv_feed and csv_finish return it unchanged.
 */
typedef int (*csv_record_fn)(void *arg, const struct csv_field *fields,
    size_t n, unsigned long line, struct err *err);

struct csv {
	/* counters the caller may read */
	unsigned long line;	/* current physical line, from 1 */
	uint64_t records;	/* records the callback accepted */
	uint64_t bytes;		/* input bytes consumed */

	/* private */
	const char *path;	/* for messages; not copied */
	size_t max_record;
	int state;
	int failed;		/* the code that stopped the parser */
	int last_nl;		/* the last byte fed was '\n' */
	unsigned long rec_line;	/* where the current record starts */
	unsigned long quote_line; /* where the open quoted field starts */
	uint64_t rec_start;	/* offset of the current record */
	uint64_t rec_lim;	/* offset of the first byte too many */

	char *text;		/* the record's fields, each NUL-terminated */
	size_t text_len, text_alloc;
	size_t field_off;	/* where the current field's text starts */
	int quoted;		/* the current field is quoted */
	struct csv_field *fields; /* len and quoted; data set on emitting */
	size_t nr, alloc;
};

/*
 * Start parsing one input.  path names it in messages and must outlive the
 * parser.  A record whose text (without its line ending) is longer than
 * max_record bytes is an error; 0 means CSV_MAX_RECORD_DEFAULT.
 */
void csv_init(struct csv *p, const char *path, size_t max_record);

/*
 * Parse the next len bytes, calling fn (if not NULL) for each record they
 * complete.  Errors are ERR_INPUT, with "PATH:LINE: column N: " before the
 * problem, or whatever fn returned.  After an error the parser is stopped:
 * csv_feed and csv_finish return the same code again, and csv_release is
 * still due.
 */
int csv_feed(struct csv *p, const char *data, size_t len, csv_record_fn fn,
    void *arg, struct err *err);

/*
 * End of input: emit a last record that has no final newline; an unclosed
 * quoted field is an error.
 */
int csv_finish(struct csv *p, csv_record_fn fn, void *arg, struct err *err);

/* Free the buffers; csv_init may start again. */
void csv_release(struct csv *p);

#endif
