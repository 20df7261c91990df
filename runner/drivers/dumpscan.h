#ifndef MIGRUN_DUMPSCAN_H
#define MIGRUN_DUMPSCAN_H

#include <stddef.h>

#include "err.h"

/*
 * A pg_dump plain-format script on its way into psql, read as psql's lexer
 * reads it, a byte at a time in constant memory, so that the restore's one
 * transaction stays whole (pgclient.c wraps the script in it):
 *
 *  - Large objects: pg_dump writes their data between a "BEGIN;" and a
 *    "COMMIT;" of its own (made for a restore without one transaction).
 *    Inside the restore's transaction that COMMIT would commit everything
 *    before it.  So a "BEGIN;" statement is dropped (inside a transaction
 *    it does nothing), and so is a "COMMIT;" that follows one with nothing
 *    but SELECT pg_catalog.lo_* statements between.  Any other COMMIT is
 *    passed on, for the restore's guard to fail.
 *  - A schema's "DROP SCHEMA IF EXISTS name;" is dropped and its
 *    "CREATE SCHEMA name;" becomes "CREATE SCHEMA IF NOT EXISTS name;":
 *    the DROP would fail for any object made in the schema since the
 *    backup, which a restore leaves as it is (the dump drops and
 *    makes again what it holds).
 *  - A statement that would end the transaction otherwise (ROLLBACK,
 *    ABORT), and a psql command other than \restrict and \unrestrict
 *    (\connect would leave it), are refused.
 *  - A script that ends inside a statement, a quote, a comment or COPY
 *    data, or without pg_dump's last line "-- PostgreSQL database dump
 *    complete" after its last statement, is refused at its end: what psql
 *    was given is not all of it (a gzip file can be whole around a dump
 *    that is not: pg_dump | gzip when pg_dump fails).
 *
 * The lexer follows psql's for what pg_dump writes: '...' and E'...'
 * strings, "..." names, $tag$...$tag$ bodies, -- and nested slash-star
 * comments, parentheses, and the data after COPY ... FROM stdin up to its
 * "\." line.  It does not follow psql where pg_dump never goes (a dollar
 * quote right after a number, psql's BEGIN ... END heuristic for
 * SQL-standard bodies, which hold no transaction statements); there a
 * misreading can only fail the restore, never commit part of it.
 */
typedef int (*dumpscan_fn)(void *arg, const void *data, size_t len,
    struct err *err);

enum dumpscan_state {
	DS_TOP, DS_DASH, DS_SLASH, DS_LINE_COMMENT, DS_BLOCK_COMMENT,
	DS_QUOTE, DS_QUOTE_END, DS_ESCAPE, DS_NAME, DS_NAME_END,
	DS_DOLLAR_TAG, DS_DOLLAR, DS_META, DS_META_ARGS,
	DS_COPY_START, DS_COPY_BOL, DS_COPY_LINE, DS_COPY_BS, DS_COPY_DOT,
	DS_COPY_DOT_CR,
};

struct dumpscan {
	const char *path;		/* for messages */
	dumpscan_fn out;		/* where the script goes on */
	void *arg;
	enum dumpscan_state state;
	unsigned long line;		/* 1-based, of the byte being read */

	/* The statement being read. */
	int in_stmt;			/* it has a token */
	unsigned long stmt_line;
	unsigned long open_line;	/* where a quote or comment began */
	unsigned parens;
	char prefix[24];		/* its first bytes */
	size_t prefix_len;
	char held[160];			/* a statement's first bytes, kept
					 * back while they may be one of
					 * those changed on the way */
	size_t held_len;
	int holding;
	int copy, stdin_seen;		/* COPY ... FROM stdin */
	unsigned words;

	/* The word being read (upper case), and what came before a quote. */
	char word[16];
	size_t word_len;
	int in_word;
	int estring;			/* the quote is an E'...' string */
	unsigned depth;			/* of nested comments */
	unsigned char prev;		/* a comment's last byte */
	char tag[64];			/* $tag$ */
	size_t tag_len, match;
	char meta[16];			/* a psql command's name */
	size_t meta_len;

	int lo;				/* after a dropped BEGIN: only large
					 * objects' statements so far */
	int bol, dash_bol;		/* at a line's start; the '-' was */
	int marker;			/* bytes of pg_dump's last line so
					 * far in this comment; -1: not it */
	int complete;			/* that line came last */
};

void dumpscan_init(struct dumpscan *s, const char *path, dumpscan_fn out,
    void *arg);
/* Read len more bytes of the script, passing them on to out. */
int dumpscan_feed(struct dumpscan *s, const void *data, size_t len,
    struct err *err);
/* The script's end: refused when it ends inside anything. */
int dumpscan_end(struct dumpscan *s, struct err *err);

#endif
