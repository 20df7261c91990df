/* The history table's SQL, shared by every driver (see histsql.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "histsql.h"

#define SQLITE_NOW "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"

/* Parameters ?1..?11 of insert and update, in histsql_params's order, and
 * ?12 (signed_by) where the table has it; the deletes take one, the
 * version or the name. */
#define SET_COLUMNS \
	"version = ?1, name = ?2, kind = ?3, checksum = ?4, " \
	"down_script = ?5, down_tx = ?6, bundle_name = ?7, " \
	"bundle_release = ?8, bundle_sha256 = ?9, execution_ms = ?10, " \
	"state = ?11, "
#define INSERT_COLUMNS \
	" (version, name, kind, checksum, down_script, down_tx, " \
	"bundle_name, bundle_release, bundle_sha256, execution_ms, state, "
#define INSERT_VALUES \
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "

/* Each statement is HEAD table MID (MID_SIGNED for a table with
 * signed_by, when the statement writes it), then NOW TAIL when there is a
 * tail; '?' becomes '$' on PostgreSQL. */
static const struct {
	const char *head, *mid, *mid_signed, *tail;
} stmt[HS_NR] = {
	[HS_INSERT] = { "INSERT INTO ", INSERT_COLUMNS "applied_at) "
	    INSERT_VALUES, INSERT_COLUMNS "signed_by, applied_at) "
	    INSERT_VALUES "?12, ", ")" },
	[HS_UPDATE_VERSIONED] = { "UPDATE ", " SET " SET_COLUMNS "applied_at = ",
	    " SET " SET_COLUMNS "signed_by = ?12, applied_at = ",
	    " WHERE version = ?1" },
	[HS_UPDATE_REPEATABLE] = { "UPDATE ", " SET " SET_COLUMNS
	    "applied_at = ", " SET " SET_COLUMNS "signed_by = ?12, applied_at = ",
	    " WHERE kind = 'repeatable' AND name = ?2" },
	[HS_DELETE_VERSIONED] = { "DELETE FROM ", " WHERE version = ?1",
	    NULL, NULL },
	[HS_DELETE_REPEATABLE] = { "DELETE FROM ", " WHERE kind = "
	    "'repeatable' AND name = ?1", NULL, NULL },
	[HS_PROGRESS_VERSIONED] = { "UPDATE ", " SET statements_done = ?2, "
	    "statements = ?3, resume_note = ?4 WHERE version = ?1", NULL,
	    NULL },
	[HS_PROGRESS_REPEATABLE] = { "UPDATE ", " SET statements_done = ?2, "
	    "statements = ?3, resume_note = ?4 WHERE kind = 'repeatable' AND "
	    "name = ?1", NULL, NULL },
};

char *histsql_table(enum dialect d, const char *table)
{
	struct buf b = BUF_INIT;
	const char *p;

	buf_addch(&b, '"');
	for (p = table; *p; p++) {
		if (*p == '.')
			buf_addstr(&b, "\".\"");
		else if (d == DIALECT_POSTGRES && *p >= 'A' && *p <= 'Z')
			buf_addch(&b, *p - 'A' + 'a');
		else
			buf_addch(&b, *p);
	}
	buf_addch(&b, '"');
	return buf_detach(&b, NULL);
}

void histsql_create(struct buf *b, enum dialect d, const char *table)
{
	if (d == DIALECT_POSTGRES) {
		buf_addf(b, "CREATE TABLE IF NOT EXISTS %s (\n"
		    "    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
		    "    version        text UNIQUE,\n"
		    "    name           text NOT NULL,\n"
		    "    kind           text NOT NULL CHECK (kind IN ('versioned', 'repeatable')),\n"
		    "    checksum       text NOT NULL,\n"
		    "    down_script    text,\n"
		    "    down_tx        text CHECK (down_tx IN ('transaction', 'no-transaction')),\n"
		    "    bundle_name    text NOT NULL,\n"
		    "    bundle_release text NOT NULL,\n"
		    "    bundle_sha256  text NOT NULL,\n"
		    "    applied_at     timestamptz NOT NULL DEFAULT now(),\n"
		    "    execution_ms   bigint NOT NULL,\n"
		    "    state          text NOT NULL CHECK (state IN ('applied', 'dirty')),\n"
		    "    statements_done integer,\n"
		    "    statements     integer,\n"
		    "    resume_note    text,\n"
		    "    signed_by      text\n"
		    ")", table);
		return;
	}
	/* The column comments stay in sqlite_master for whoever reads it. */
	buf_addf(b, "CREATE TABLE IF NOT EXISTS %s (\n"
	    "    id             INTEGER PRIMARY KEY,\n"
	    "    version        TEXT UNIQUE,"
	    "          -- NULL for repeatable migrations\n"
	    "    name           TEXT NOT NULL,\n"
	    "    kind           TEXT NOT NULL"
	    " CHECK (kind IN ('versioned', 'repeatable')),\n"
	    "    checksum       TEXT NOT NULL,"
	    "        -- sha256:HEX of the up script\n"
	    "    down_script    TEXT,"
	    "                 -- NULL when there is none\n"
	    "    down_tx        TEXT"
	    " CHECK (down_tx IN ('transaction', 'no-transaction')),\n"
	    "    bundle_name    TEXT NOT NULL,\n"
	    "    bundle_release TEXT NOT NULL,\n"
	    "    bundle_sha256  TEXT NOT NULL,\n"
	    "    applied_at     TEXT NOT NULL,"
	    "        -- UTC, 2024-01-01T00:00:00Z\n"
	    "    execution_ms   INTEGER NOT NULL,\n"
	    "    state          TEXT NOT NULL"
	    " CHECK (state IN ('applied', 'dirty')),\n"
	    "    statements_done INTEGER,"
	    "       -- dirty: the statements done\n"
	    "    statements     INTEGER,"
	    "        -- of a no-transaction script's\n"
	    "    resume_note    TEXT,\n"
	    "    signed_by      TEXT"
	    "            -- the verified signature's key id\n"
	    ")", table);
}

/* The columns added since the first release, by the bit that says a table
 * has them. */
static const struct {
	unsigned bit;
	const char *name, *type;
} added[] = {
	{ HIST_HAS_PROGRESS, "statements_done", "integer" },
	{ HIST_HAS_PROGRESS, "statements", "integer" },
	{ HIST_HAS_PROGRESS, "resume_note", "text" },
	{ HIST_HAS_SIGNED, "signed_by", "text" },
};

void histsql_upgrade(struct buf *b, enum dialect d, const char *table,
    unsigned have)
{
	const char *sep = d == DIALECT_POSTGRES ? " " : "";
	size_t i;

	if (d == DIALECT_POSTGRES && (have & HIST_HAS_ALL) != HIST_HAS_ALL)
		buf_addf(b, "ALTER TABLE %s", table);
	for (i = 0; i < sizeof(added) / sizeof(added[0]); i++) {
		if (have & added[i].bit)
			continue;
		if (d == DIALECT_POSTGRES)
			buf_addf(b, "%sADD COLUMN IF NOT EXISTS %s %s", sep,
			    added[i].name, added[i].type);
		else
			buf_addf(b, "%sALTER TABLE %s ADD COLUMN %s %s", sep,
			    table, added[i].name, added[i].type);
		sep = d == DIALECT_POSTGRES ? ", " : "; ";
	}
}

void histsql_stmt(struct buf *b, enum dialect d, enum hist_stmt id,
    const char *table, unsigned have)
{
	size_t from = b->len, i;

	buf_addstr(b, stmt[id].head);
	buf_addstr(b, table);
	buf_addstr(b, (have & HIST_HAS_SIGNED) && stmt[id].mid_signed ?
	    stmt[id].mid_signed : stmt[id].mid);
	if (stmt[id].tail) {
		buf_addstr(b, d == DIALECT_POSTGRES ? "now()" : SQLITE_NOW);
		buf_addstr(b, stmt[id].tail);
	}
	if (d != DIALECT_POSTGRES)
		return;
	/* Only the parameters hold a '?': the table is a quoted identifier
	 * of letters, digits and '_'. */
	for (i = from; i < b->len; i++)
		if (b->data[i] == '?')
			b->data[i] = '$';
}

enum hist_stmt histsql_update_of(const struct hist_row *r)
{
	return r->kind == KIND_VERSIONED ? HS_UPDATE_VERSIONED :
	    HS_UPDATE_REPEATABLE;
}

enum hist_stmt histsql_delete_of(const struct hist_row *r)
{
	return r->kind == KIND_VERSIONED ? HS_DELETE_VERSIONED :
	    HS_DELETE_REPEATABLE;
}

enum hist_stmt histsql_progress_of(const struct hist_row *r)
{
	return r->kind == KIND_VERSIONED ? HS_PROGRESS_VERSIONED :
	    HS_PROGRESS_REPEATABLE;
}

int histsql_params(enum hist_stmt id, const struct hist_row *r,
    unsigned have, const char *vals[HIST_PARAMS], char ms[48])
{
	int n;

	switch (id) {
	case HS_DELETE_VERSIONED:
	case HS_DELETE_REPEATABLE:
		vals[0] = id == HS_DELETE_VERSIONED ? r->version : r->name;
		return 1;
	case HS_PROGRESS_VERSIONED:
	case HS_PROGRESS_REPEATABLE:
		vals[0] = id == HS_PROGRESS_VERSIONED ? r->version : r->name;
		n = snprintf(ms, 24, "%ld", r->statements_done);
		snprintf(ms + n + 1, 24, "%ld", r->statements);
		vals[1] = r->statements ? ms : NULL;
		vals[2] = r->statements ? ms + n + 1 : NULL;
		vals[3] = r->statements ? r->resume_note : NULL;
		return 4;
	default:
		break;
	}
	snprintf(ms, 24, "%" PRId64, r->execution_ms);
	vals[0] = r->version;
	vals[1] = r->name;
	vals[2] = kind_name(r->kind);
	vals[3] = r->checksum;
	vals[4] = r->down;
	vals[5] = r->down ? tx_name(r->down_tx) : NULL;
	vals[6] = r->bundle_name;
	vals[7] = r->bundle_release;
	vals[8] = r->bundle_sha256;
	vals[HIST_PARAM_MS] = ms;
	vals[10] = hist_state_name(r->state);
	if (!(have & HIST_HAS_SIGNED))
		return HIST_PARAMS - 1;
	vals[11] = r->signed_by;
	return HIST_PARAMS;
}

int histsql_row_ok(const struct hist_row *r)
{
	return r->name && (r->kind == KIND_VERSIONED) == (r->version != NULL);
}

void histsql_limits(struct buf *b, const struct ddl_limits *l, int local)
{
	const char *scope = local ? "LOCAL " : "";

	buf_addf(b, "SET %slock_timeout = '%ums'", scope, l->lock_timeout_ms);
	if (l->statement_timeout_ms >= 0)
		buf_addf(b, "; SET %sstatement_timeout = '%ldms'", scope,
		    l->statement_timeout_ms);
}
