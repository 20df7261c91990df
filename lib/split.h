#ifndef MIGPACK_SPLIT_H
#define MIGPACK_SPLIT_H

#include <stddef.h>

/*
 * Splitting a PostgreSQL script into statements where `psql -f` would, so
 * the runner can send them one at a time (CREATE INDEX CONCURRENTLY cannot
 * run in a multi-statement string) and name the line of a failing one.
 *
 * A statement ends at a ';' outside quotes, comments and parentheses, the
 * rules of psql's lexer (src/fe_utils/psqlscan.l, as of PostgreSQL 16+):
 *
 *  - '...' with '' inside; backslash is no escape there
 *    (standard_conforming_strings).  E'...' also takes \' and \\.  B'...',
 *    X'...', N'...' and U&'...' are as '...'.  Strings separated by a
 *    newline are not joined: psql feeds its lexer a line at a time, so
 *    E'a'<newline>'b\'' ends at the second quote after b, as in psql.
 *  - "..." and U&"..." with "" inside.
 *  - $$...$$ and $tag$...$tag$, the tag an identifier without '$'.  $1 is
 *    a parameter.  A '$' inside an identifier (a$b), even one glued to a
 *    number (1a$$, 1e5$$: flex's longest match), starts nothing; after a
 *    bare number (1$$) it does.
 *  - "--" comments to the end of the line; slash-star comments, which
 *    nest.
 *  - Parentheses: a ';' inside them does not end a statement.
 *  - SQL-standard bodies: once the statement starts CREATE [OR REPLACE]
 *    FUNCTION or PROCEDURE, BEGIN (and CASE inside one) opens and END
 *    closes a block outside parentheses, and a ';' inside a block does not
 *    end the statement.  psql's own heuristic, quirks included.
 *
 * psql's backslash commands and variable substitution are not done.
 *
 * goose's blocks: a line "-- +goose StatementBegin" (any case, blanks
 * around the words) outside quotes and comments starts a block that runs to
 * the next line "-- +goose StatementEnd", found line by line as goose
 * does; all of it is one statement, whatever semicolons it holds, and it
 * ends there even without a ';'.  A statement not ended before the block
 * runs on into it, as in goose.
 *
 * A statement starts at its first token: leading whitespace and comments
 * are not part of it, and one that holds nothing else is skipped.  It ends
 * with its ';'; the last one, or a goose block, may have none and ends with
 * its last token.  Something left open (a quote, a comment, a dollar quote,
 * a goose block) runs to the end of the text, or of the block, so that the
 * server reports it.
 *
 * The text is not copied or changed; splitting is one pass.
 *
 * split_init_sqlite splits as the sqlite3 shell does (sqlite3_complete):
 * '...', "...", `...` and [...] quote, with no escapes but doubling; "--"
 * and slash-star comments, which do not nest; no dollar quotes and no
 * parentheses rule.  Once a statement starts [EXPLAIN] CREATE [TEMP|
 * TEMPORARY] TRIGGER and reaches its BEGIN, a ';' ends it only after
 * "; END", so the trigger's body is part of it (and a CASE's END is not
 * its end).  (sqlite3_complete does not wait for the BEGIN; a trigger
 * without one, PostgreSQL's, is no SQLite and ends at its ';'.)  goose's
 * blocks are as above.
 */

struct stmt {
	size_t off;	/* offset of the statement's first token in the text */
	size_t len;	/* up to and including its ';', or its last token */
	unsigned line;	/* 1-based line of the first token */
	int block;	/* a goose StatementBegin/End block */
};

/* Private: the splitter's state. */
struct splitter {
	const char *text;
	size_t len;
	size_t pos;		/* where the next token starts */
	size_t limit;		/* len, or where the goose block ends */
	size_t resume;		/* where to go on after the goose block */
	int in_block;

	int started;		/* the statement has a token */
	size_t start, end;	/* its first token, the end of its last */

	/* psql's state (psqlscan_int.h) */
	size_t paren_depth;
	size_t begin_depth;
	unsigned ident_count;	/* identifiers so far, up to 4 */
	char idents[4];		/* initials of CREATE OR REPLACE FUNCTION ... */

	int sqlite;		/* SQLite's rules */
	int trigger;		/* sqlite3_complete's state */

	size_t line_off;	/* lines counted up to here */
	unsigned line;
};

void split_init(struct splitter *sp, const char *text, size_t len);
void split_init_sqlite(struct splitter *sp, const char *text, size_t len);

/* The next statement: 1 and *st filled, or 0 at the end. */
int split_next(struct splitter *sp, struct stmt *st);

/* The head of a statement as one lower-case string, for telling what
 * kind of statement it is: its words (identifiers and keywords) separated
 * by one space, a parenthesized group as "()", any other token as its
 * first character ('' for a string).  At most cap - 1 bytes are written;
 * a word cut short is left out.  out is returned. */
char *split_head(const struct splitter *sp, const struct stmt *st, char *out,
    size_t cap);

/* The script line of the 1-based character (not byte: UTF-8) position in
 * the statement that PostgreSQL reports (PG_DIAG_STATEMENT_POSITION), the
 * statement having been sent as the text[st->off, st->off + st->len).  One
 * past the last character (the end of input) is the line where the
 * statement ends; a position <= 0 or further out gives st->line. */
unsigned split_position_line(const char *text, const struct stmt *st,
    long position);

#endif
