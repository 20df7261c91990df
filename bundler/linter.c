/* PostgreSQL scripts parsed by PostgreSQL's parser and linted: linter.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "json.h"
#include "linter.h"
#include "split.h"
#include "xalloc.h"

#define RULE_CONCURRENTLY "concurrently-in-transaction"
#define RULE_NOT_CONCURRENT "index-not-concurrent"
#define RULE_NOT_VALID "constraint-not-valid-missing"
#define RULE_NOT_NULL "set-not-null"
#define RULE_TYPE "column-type-change"
#define RULE_DEFAULT "add-column-volatile-default"
#define RULE_UNIQUE "unique-constraint-blocking"
#define RULE_DROP_TABLE "drop-table"
#define RULE_DROP_COLUMN "drop-column"
#define RULE_TRUNCATE "truncate"
#define RULE_RENAME_TABLE "rename-table"
#define RULE_RENAME_COLUMN "rename-column"
#define RULE_REWRITE "vacuum-full-or-cluster"
#define RULE_NO_DOWN "no-down"
#define RULE_DOWN_UNPARSABLE "down-unparsable"
#define RULE_UNPARSED "unparsed"

const struct lint_rule lint_rules[] = {
	{ RULE_CONCURRENTLY, SEV_ERROR, "a statement PostgreSQL refuses "
	    "inside a transaction block, in a script that runs in one" },
	{ RULE_NOT_CONCURRENT, SEV_WARNING, "CREATE INDEX or DROP INDEX "
	    "without CONCURRENTLY" },
	{ RULE_NOT_VALID, SEV_WARNING, "a FOREIGN KEY or CHECK constraint "
	    "added without NOT VALID" },
	{ RULE_NOT_NULL, SEV_WARNING, "SET NOT NULL: a full scan under ACCESS "
	    "EXCLUSIVE" },
	{ RULE_TYPE, SEV_WARNING, "ALTER COLUMN ... TYPE: a table rewrite" },
	{ RULE_DEFAULT, SEV_WARNING, "ADD COLUMN with a volatile default, "
	    "serial, identity or stored generated column: a table rewrite" },
	{ RULE_UNIQUE, SEV_WARNING, "UNIQUE or PRIMARY KEY added without "
	    "USING INDEX" },
	{ RULE_DROP_TABLE, SEV_WARNING, "DROP TABLE: data loss" },
	{ RULE_DROP_COLUMN, SEV_WARNING, "DROP COLUMN: data loss" },
	{ RULE_TRUNCATE, SEV_WARNING, "TRUNCATE: data loss" },
	{ RULE_RENAME_TABLE, SEV_WARNING, "a table renamed under the "
	    "running application" },
	{ RULE_RENAME_COLUMN, SEV_WARNING, "a column renamed under the "
	    "running application" },
	{ RULE_REWRITE, SEV_WARNING, "VACUUM FULL or CLUSTER: a rewrite "
	    "blocking reads and writes" },
	{ RULE_DOWN_UNPARSABLE, SEV_WARNING, "a down script PostgreSQL's "
	    "parser refuses" },
	{ RULE_UNPARSED, SEV_WARNING, "an up script PostgreSQL's parser "
	    "refuses, kept under --unparsed warn" },
	{ RULE_NO_DOWN, SEV_INFO, "a versioned migration without a down "
	    "script" },
	{ NULL, SEV_INFO, NULL },
};

static const struct lint_rule *rule_find(const char *id, size_t len)
{
	const struct lint_rule *r;

	for (r = lint_rules; r->id; r++)
		if (strlen(r->id) == len && !strncmp(r->id, id, len))
			return r;
	return NULL;
}

/*
 * The parse tree's memory: unpacking a script's tree allocates thousands
 * of small nodes, all freed together when the script is done; an arena of
 * blocks, emptied after each script, saves malloc its bookkeeping.
 */
struct arena {
	char **blocks;
	size_t nr, alloc;
	size_t used, cap;	/* in the last block */
};

#define ARENA_BLOCK (64 * 1024)

static void *arena_alloc(void *data, size_t size)
{
	struct arena *a = data;

	size = (size + 15) & ~(size_t)15;
	if (!a->nr || a->used + size > a->cap) {
		a->cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		ALLOC_GROW(a->blocks, a->nr + 1, a->alloc);
		a->blocks[a->nr++] = xmalloc(a->cap);
		a->used = 0;
	}
	a->used += size;
	return a->blocks[a->nr - 1] + a->used - size;
}

static void arena_free(void *data, void *p)
{
	(void)data;
	(void)p;
}

/* Empty, keeping one block (of the usual size) for the next script. */
static void arena_reset(struct arena *a, int all)
{
	size_t keep = !all && a->nr && a->cap == ARENA_BLOCK;

	while (a->nr > keep)
		free(a->blocks[--a->nr]);
	if (!keep)
		a->cap = 0;
	a->used = 0;
	if (all) {
		free(a->blocks);
		memset(a, 0, sizeof(*a));
	}
}

void linter_init(struct linter *L, struct manifest *m, int unparsed_warn)
{
	memset(L, 0, sizeof(*L));
	L->m = m;
	L->unparsed_warn = unparsed_warn;
	L->arena = xcalloc(1, sizeof(struct arena));
}

void linter_release(struct linter *L)
{
	size_t i;

	for (i = 0; i < L->nr; i++)
		free(L->hits[i].file);
	free(L->hits);
	if (L->arena)
		arena_reset(L->arena, 1);
	free(L->arena);
	memset(L, 0, sizeof(*L));
}

int lint_wants(const struct manifest *m, const struct manifest_migration *mig,
    const struct manifest_script *s)
{
	return manifest_for_engine(m, DIALECT_POSTGRES) &&
	    manifest_script_for(mig, s->role, DIALECT_POSTGRES) == s;
}

/* One script being linted. */
struct lint_ctx {
	struct linter *L;
	size_t mig;
	const struct manifest_script *s;
	const char *file;
	uint64_t first_line;
	const char *text;
	size_t len;
	struct err *err;

	/* "-- migpack:allow" comments: their lines and rule lists */
	struct allow { unsigned line; const char *rules; size_t len; } *allow;
	size_t nr_allow, alloc_allow;
	unsigned first_stmt_line;	/* the script's first statement */

	/* what the script created so far: "schema.name" or "name" */
	char **created;
	size_t nr_created, alloc_created;

	size_t line_off;		/* lines counted up to here */
	unsigned line;

	unsigned stmt_line;		/* the statement being linted */
};

/* The 1-based line of byte offset off, counting on from the last call
 * (offsets only grow). */
static unsigned line_at(struct lint_ctx *c, size_t off)
{
	if (off < c->line_off) {
		c->line_off = 0;
		c->line = 1;
	}
	for (; c->line_off < off && c->line_off < c->len; c->line_off++)
		if (c->text[c->line_off] == '\n')
			c->line++;
	return c->line;
}

/* The offset of the first token at or after off: blanks and comments
 * ("--" to the end of the line, slash-star ones nested) skipped. */
static size_t first_token(const char *t, size_t len, size_t off)
{
	while (off < len) {
		if (strchr(" \t\r\n\f\v", t[off])) {
			off++;
		} else if (t[off] == '-' && off + 1 < len && t[off + 1] == '-') {
			while (off < len && t[off] != '\n')
				off++;
		} else if (t[off] == '/' && off + 1 < len && t[off + 1] == '*') {
			size_t depth = 1;

			for (off += 2; off < len && depth; off++) {
				if (t[off] == '/' && off + 1 < len &&
				    t[off + 1] == '*') {
					depth++;
					off++;
				} else if (t[off] == '*' && off + 1 < len &&
				    t[off + 1] == '/') {
					depth--;
					off++;
				}
			}
		} else {
			break;
		}
	}
	return off;
}

/* The next rule id of an allow comment's list, up to end: *r moved to it,
 * its length returned; 0 when there is none. */
static size_t next_rule(const char **r, const char *end)
{
	size_t n;

	*r += strspn(*r, " \t,\r");
	if (*r >= end)
		return 0;
	n = strcspn(*r, " \t,\r\n");
	return *r + n > end ? (size_t)(end - *r) : n;
}

/* Find the "-- migpack:allow RULE[,RULE]" lines; an unknown rule is an
 * error of the input. */
static int find_allows(struct lint_ctx *c)
{
	static const char mark[] = "migpack:allow";
	const char *p = c->text, *end = c->text + c->len;
	unsigned line = 1;

	for (; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p, *r;

		if (!eol)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (eol - q > 2 && q[0] == '-' && q[1] == '-') {
			q += 2;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if ((size_t)(eol - q) >= sizeof(mark) - 1 &&
			    !memcmp(q, mark, sizeof(mark) - 1)) {
				struct allow *a;
				size_t n;

				q += sizeof(mark) - 1;
				for (r = q; (n = next_rule(&r, eol)); r += n)
					if (!rule_find(r, n))
						return err_set(c->err, ERR_INPUT,
						    "%s:%llu: -- migpack:allow: "
						    "unknown rule '%.*s' (migpack "
						    "lint --rules lists them)",
						    c->file, (unsigned long long)
						    (c->first_line + line - 1),
						    (int)n, r);
				ALLOC_GROW(c->allow, c->nr_allow + 1,
				    c->alloc_allow);
				a = &c->allow[c->nr_allow++];
				a->line = line;
				a->rules = q;
				a->len = (size_t)(eol - q);
			}
		}
		p = eol + 1;
	}
	return 0;
}

static int allows(const struct allow *a, const char *id)
{
	const char *r = a->rules, *end = a->rules + a->len;
	size_t n, want = strlen(id);

	for (; (n = next_rule(&r, end)); r += n)
		if (n == want && !strncmp(r, id, n))
			return 1;
	return 0;
}

/* Whether rule id is silenced for a statement at line: by an allow just
 * above it, or one before the first statement that is not just above it. */
static int silenced(const struct lint_ctx *c, unsigned line, const char *id)
{
	size_t i;

	for (i = 0; i < c->nr_allow; i++) {
		const struct allow *a = &c->allow[i];
		int file_wide = a->line < c->first_stmt_line &&
		    a->line + 1 != c->first_stmt_line;

		if ((file_wide || a->line + 1 == line) && allows(a, id))
			return 1;
	}
	return 0;
}

/* Record a finding of rule id at the script's line. */
static void add_finding(struct linter *L, size_t mig,
    const struct manifest_script *s, const char *file, uint64_t first_line,
    unsigned line, const char *id, int quiet, const char *msg)
{
	struct manifest_migration *m = &L->m->migrations[mig];
	const struct lint_rule *r = rule_find(id, strlen(id));
	struct manifest_finding *f;
	struct lint_hit *h;
	char *clean = xstrdup(msg), *p;

	for (p = clean; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			*p = ' ';
	f = manifest_add_finding(m, s->role, s->dialect, line, id,
	    r->severity, clean);
	f->silenced = quiet;
	free(clean);
	if (quiet)
		L->silenced++;
	else
		L->count[r->severity]++;
	ALLOC_GROW(L->hits, L->nr + 1, L->alloc);
	h = &L->hits[L->nr++];
	h->file = xstrdup(file);
	h->line = first_line + line - 1;
	h->mig = mig;
	h->finding = m->nr_findings - 1;
}

ATTR_PRINTF(3, 4) static void find(struct lint_ctx *c, const char *id,
    const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_finding(c->L, c->mig, c->s, c->file, c->first_line, c->stmt_line,
	    id, silenced(c, c->stmt_line, id), msg);
}

/* A relation's name as the user wrote it, schema-qualified when it was. */
static void rel_name(const PgQuery__RangeVar *rv, char *out, size_t cap)
{
	if (!rv)
		snprintf(out, cap, "?");
	else if (rv->schemaname && *rv->schemaname)
		snprintf(out, cap, "%s.%s", rv->schemaname, rv->relname);
	else
		snprintf(out, cap, "%s", rv->relname);
}

static void created_add(struct lint_ctx *c, const char *name)
{
	ALLOC_GROW(c->created, c->nr_created + 1, c->alloc_created);
	c->created[c->nr_created++] = xstrdup(name);
}

static int created(const struct lint_ctx *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nr_created; i++)
		if (!strcmp(c->created[i], name))
			return 1;
	return 0;
}

/* The last name of a dotted list of String nodes ("public.users"). */
static const char *last_name(PgQuery__Node **names, size_t n)
{
	if (!n || names[n - 1]->node_case != PG_QUERY__NODE__NODE_STRING)
		return "";
	return names[n - 1]->string->sval;
}

static void dotted(PgQuery__Node **names, size_t n, char *out, size_t cap)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < n && len < cap; i++)
		if (names[i]->node_case == PG_QUERY__NODE__NODE_STRING)
			len += (size_t)snprintf(out + len, cap - len, "%s%s",
			    i ? "." : "", names[i]->string->sval);
}

/* Whether any function call under msg is to a volatile function, one of
 * those a default is commonly given; its name in *fn. */
static int calls_volatile(const ProtobufCMessage *msg, const char **fn)
{
	static const char *const volatile_fns[] = { "random",
	    "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc",
	    "uuid_generate_v4", "clock_timestamp", "timeofday", "nextval",
	    "random_normal", "setseed", NULL };
	const ProtobufCMessageDescriptor *d;
	unsigned i;

	if (!msg)
		return 0;
	d = msg->descriptor;
	if (d == &pg_query__func_call__descriptor) {
		const PgQuery__FuncCall *f = (const PgQuery__FuncCall *)msg;
		const char *name = last_name(f->funcname, f->n_funcname);
		const char *const *v;

		for (v = volatile_fns; *v; v++)
			if (!strcmp(name, *v)) {
				*fn = *v;
				return 1;
			}
	}
	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const char *base = (const char *)msg;

		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			ProtobufCMessage *const *a =
			    *(ProtobufCMessage *const *const *)(base + fd->offset);
			size_t k;

			for (k = 0; k < n; k++)
				if (calls_volatile(a[k], fn))
					return 1;
		} else if (calls_volatile(*(ProtobufCMessage *const *)
		    (base + fd->offset), fn)) {
			return 1;
		}
	}
	return 0;
}

static const char *const serials[] = { "serial", "bigserial", "smallserial",
    "serial2", "serial4", "serial8", NULL };

/* ADD COLUMN: what rewrites the table or builds an index under lock. */
static void add_column(struct lint_ctx *c, const char *table,
    const PgQuery__ColumnDef *col)
{
	const char *type = col->type_name ? last_name(col->type_name->names,
	    col->type_name->n_names) : "";
	const char *const *sp;
	const char *fn = NULL, *why = NULL;
	size_t i;

	for (sp = serials; *sp; sp++)
		if (!strcmp(type, *sp))
			why = type;
	for (i = 0; i < col->n_constraints; i++) {
		const PgQuery__Node *n = col->constraints[i];
		const PgQuery__Constraint *k;

		if (n->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
			continue;
		k = n->constraint;
		if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT &&
		    calls_volatile((const ProtobufCMessage *)k->raw_expr, &fn))
			why = fn;
		else if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY)
			why = "an identity column";
		else if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED)
			why = "a stored generated column";
		else if (k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
		    k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE)
			find(c, RULE_UNIQUE, "ADD COLUMN %s ... %s on %s builds its "
			    "index under an ACCESS EXCLUSIVE lock, blocking "
			    "reads and writes; add the column, CREATE UNIQUE "
			    "INDEX CONCURRENTLY, then ADD CONSTRAINT ... USING "
			    "INDEX", col->colname, k->contype ==
			    PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ?
			    "PRIMARY KEY" : "UNIQUE", table);
	}
	if (why)
		find(c, RULE_DEFAULT, "ADD COLUMN %s (%s%s) rewrites all of %s "
		    "under an ACCESS EXCLUSIVE lock, blocking reads and writes; "
		    "add the column without a default, then set the default "
		    "and backfill in batches", col->colname, why,
		    why == fn ? "()" : "", table);
}

static void add_constraint(struct lint_ctx *c, const char *table,
    const PgQuery__Constraint *k)
{
	const char *kind;

	switch (k->contype) {
	case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
	case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
		if (k->skip_validation)
			return;
		kind = k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN ?
		    "FOREIGN KEY" : "CHECK";
		find(c, RULE_NOT_VALID, "ADD CONSTRAINT %s%s%s checks every row "
		    "of %s while holding a lock that blocks writes; add it NOT "
		    "VALID, then VALIDATE CONSTRAINT in a later migration, "
		    "which lets writes go on", *k->conname ? k->conname : "",
		    *k->conname ? " " : "", kind, table);
		return;
	case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
	case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
		if (*k->indexname)
			return;
		kind = k->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ?
		    "PRIMARY KEY" : "UNIQUE";
		find(c, RULE_UNIQUE, "ADD %s on %s builds its index under an "
		    "ACCESS EXCLUSIVE lock, blocking reads and writes; CREATE "
		    "UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... "
		    "%s USING INDEX", kind, table, kind);
		return;
	default:
		return;
	}
}

static void alter_table(struct lint_ctx *c, const PgQuery__AlterTableStmt *a)
{
	char table[256];
	int fresh;
	size_t i;

	if (a->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
		return;
	rel_name(a->relation, table, sizeof(table));
	fresh = created(c, table);
	for (i = 0; i < a->n_cmds; i++) {
		const PgQuery__AlterTableCmd *cmd;

		if (a->cmds[i]->node_case !=
		    PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		cmd = a->cmds[i]->alter_table_cmd;
		switch (cmd->subtype) {
		case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
			find(c, RULE_DROP_COLUMN, "DROP COLUMN %s deletes the "
			    "column's data in %s for good, while the "
			    "application version still running may use it; "
			    "drop it in a release after the code stops using "
			    "it", cmd->name, table);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
			if (!fresh)
				find(c, RULE_NOT_NULL, "ALTER COLUMN %s SET NOT "
				    "NULL scans all of %s under an ACCESS "
				    "EXCLUSIVE lock; add CHECK (%s IS NOT NULL) "
				    "NOT VALID, VALIDATE it, then SET NOT NULL, "
				    "which then skips the scan (PostgreSQL 12+)",
				    cmd->name, table, cmd->name);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
			if (!fresh)
				find(c, RULE_TYPE, "ALTER COLUMN %s TYPE rewrites "
				    "%s and its indexes under an ACCESS EXCLUSIVE "
				    "lock (unless the types are binary-"
				    "compatible); add a new column, backfill it "
				    "in batches and switch over", cmd->name,
				    table);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn:
			if (!fresh && cmd->def && cmd->def->node_case ==
			    PG_QUERY__NODE__NODE_COLUMN_DEF)
				add_column(c, table, cmd->def->column_def);
			break;
		case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
			if (!fresh && cmd->def && cmd->def->node_case ==
			    PG_QUERY__NODE__NODE_CONSTRAINT)
				add_constraint(c, table, cmd->def->constraint);
			break;
		default:
			break;
		}
	}
}

/* The statements PostgreSQL refuses inside a transaction block, by their
 * parse tree; NULL for any other. */
static const char *refused_in_tx(const PgQuery__Node *n)
{
	size_t i;

	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return n->index_stmt->concurrent ? "CREATE INDEX CONCURRENTLY" :
		    NULL;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->concurrent ? "DROP INDEX CONCURRENTLY" :
		    NULL;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		for (i = 0; i < n->reindex_stmt->n_params; i++)
			if (n->reindex_stmt->params[i]->node_case ==
			    PG_QUERY__NODE__NODE_DEF_ELEM &&
			    !strcmp(n->reindex_stmt->params[i]->def_elem->defname,
			    "concurrently"))
				return "REINDEX CONCURRENTLY";
		switch (n->reindex_stmt->kind) {
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA:
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM:
		case PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE:
			return "REINDEX of a schema, the system or a database";
		default:
			return NULL;
		}
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		return n->vacuum_stmt->is_vacuumcmd ? "VACUUM" : NULL;
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		return n->cluster_stmt->relation ? NULL :
		    "CLUSTER of every table";
	case PG_QUERY__NODE__NODE_CREATEDB_STMT:
		return "CREATE DATABASE";
	case PG_QUERY__NODE__NODE_DROPDB_STMT:
		return "DROP DATABASE";
	case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
		return "CREATE TABLESPACE";
	case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
		return "DROP TABLESPACE";
	case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
		return "ALTER SYSTEM";
	case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
		return "CREATE SUBSCRIPTION";
	case PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT:
		return "DROP SUBSCRIPTION";
	case PG_QUERY__NODE__NODE_DISCARD_STMT:
		return n->discard_stmt->target ==
		    PG_QUERY__DISCARD_MODE__DISCARD_ALL ? "DISCARD ALL" : NULL;
	default:
		return NULL;
	}
}

static int vacuum_full(const PgQuery__VacuumStmt *v)
{
	size_t i;

	for (i = 0; i < v->n_options; i++)
		if (v->options[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(v->options[i]->def_elem->defname, "full"))
			return 1;
	return 0;
}

static void drop(struct lint_ctx *c, const PgQuery__DropStmt *d)
{
	char name[256];
	size_t i;

	for (i = 0; i < d->n_objects; i++) {
		const PgQuery__Node *o = d->objects[i];

		if (o->node_case != PG_QUERY__NODE__NODE_LIST)
			continue;
		dotted(o->list->items, o->list->n_items, name, sizeof(name));
		if (d->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			find(c, RULE_DROP_TABLE, "DROP TABLE %s deletes the "
			    "table and its data for good, while the "
			    "application version still running may use it; "
			    "drop it in a release after the code stops using "
			    "it, with a backup", name);
		else if (d->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_INDEX &&
		    !d->concurrent && !created(c, name))
			find(c, RULE_NOT_CONCURRENT, "DROP INDEX %s takes an "
			    "ACCESS EXCLUSIVE lock on its table, blocking "
			    "reads and writes while it waits and runs; DROP "
			    "INDEX CONCURRENTLY, in a script that runs "
			    "outside a transaction", name);
	}
}

/* The rules, on one statement. */
static void lint_stmt(struct lint_ctx *c, const PgQuery__Node *n)
{
	char name[256], other[256];
	const char *what;
	size_t i;

	if (c->s->tx == TX_TRANSACTION && (what = refused_in_tx(n)))
		find(c, RULE_CONCURRENTLY, "%s cannot run inside a transaction "
		    "block, and this script runs in one: it would fail when "
		    "applied; run the script outside a transaction "
		    "(-- migpack:no-transaction)", what);
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_CREATE_STMT:
		rel_name(n->create_stmt->relation, name, sizeof(name));
		created_add(c, name);
		break;
	case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
		if (n->create_table_as_stmt->into) {
			rel_name(n->create_table_as_stmt->into->rel, name,
			    sizeof(name));
			created_add(c, name);
		}
		break;
	case PG_QUERY__NODE__NODE_INDEX_STMT: {
		const PgQuery__IndexStmt *ix = n->index_stmt;

		rel_name(ix->relation, name, sizeof(name));
		if (*ix->idxname) {
			if (ix->relation && *ix->relation->schemaname)
				snprintf(other, sizeof(other), "%s.%s",
				    ix->relation->schemaname, ix->idxname);
			else
				snprintf(other, sizeof(other), "%s",
				    ix->idxname);
			created_add(c, other);
		}
		if (!ix->concurrent && !created(c, name))
			find(c, RULE_NOT_CONCURRENT, "CREATE %sINDEX on %s "
			    "blocks writes to it until the index is built; "
			    "CREATE INDEX CONCURRENTLY, in a script that runs "
			    "outside a transaction", ix->unique ? "UNIQUE " :
			    "", name);
		break;
	}
	case PG_QUERY__NODE__NODE_DROP_STMT:
		drop(c, n->drop_stmt);
		break;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		alter_table(c, n->alter_table_stmt);
		break;
	case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
		for (i = 0; i < n->truncate_stmt->n_relations; i++) {
			const PgQuery__Node *r = n->truncate_stmt->relations[i];

			if (r->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
				continue;
			rel_name(r->range_var, name, sizeof(name));
			find(c, RULE_TRUNCATE, "TRUNCATE deletes every row of "
			    "%s, for good; delete what must go in batches, or "
			    "make sure nothing in it is needed", name);
		}
		break;
	case PG_QUERY__NODE__NODE_RENAME_STMT: {
		const PgQuery__RenameStmt *r = n->rename_stmt;

		rel_name(r->relation, name, sizeof(name));
		if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
			find(c, RULE_RENAME_TABLE, "renaming %s to %s breaks "
			    "the application version still running during "
			    "the deploy, which uses the old name; add the new "
			    "name beside the old (a view), move the code "
			    "over, and drop the old name later", name,
			    r->newname);
		else if (r->rename_type == PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN)
			find(c, RULE_RENAME_COLUMN, "renaming %s.%s to %s "
			    "breaks the application version still running "
			    "during the deploy, which uses the old name; add "
			    "a new column kept in sync, move the code over, "
			    "and drop the old one later", name, r->subname,
			    r->newname);
		break;
	}
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		if (n->vacuum_stmt->is_vacuumcmd && vacuum_full(n->vacuum_stmt))
			find(c, RULE_REWRITE, "VACUUM FULL rewrites each table "
			    "it names under an ACCESS EXCLUSIVE lock, blocking "
			    "reads and writes throughout; use plain VACUUM, or "
			    "pg_repack");
		break;
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		find(c, RULE_REWRITE, "CLUSTER rewrites the table under an "
		    "ACCESS EXCLUSIVE lock, blocking reads and writes "
		    "throughout; use pg_repack, or leave the order to later "
		    "writes");
		break;
	default:
		break;
	}
}

/* Line and column (in characters) of PostgreSQL's 1-based character
 * position in the text. */
static void position(const char *t, size_t len, int pos, unsigned *line,
    unsigned *col)
{
	size_t i;
	int chars = 0;

	*line = 1;
	*col = 1;
	for (i = 0; i < len && pos > 0; i++) {
		if (((unsigned char)t[i] & 0xc0) == 0x80)
			continue;
		if (++chars == pos)
			return;
		if (t[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

size_t lint_split_check(const char *text, size_t len, const size_t *ends,
    size_t n)
{
	struct splitter sp;
	struct stmt st;
	size_t i = 0;

#define NO_SEMI ((size_t)-1)
	split_init(&sp, text, len);
	while (split_next(&sp, &st)) {
		size_t end = st.off + st.len;
		int semi = text[end - 1] == ';';

		if (st.block) {
			for (; i < n && ends[i] != NO_SEMI && ends[i] < end; i++)
				if (ends[i] < st.off)
					return ends[i];
			if (!semi && i < n && ends[i] == NO_SEMI)
				i++;
			continue;
		}
		if (i == n)
			return semi ? end - 1 : st.off;
		if (ends[i] != NO_SEMI && ends[i] < (semi ? end - 1 : end))
			return ends[i];
		if (semi ? ends[i] != end - 1 : ends[i] != NO_SEMI)
			return semi ? end - 1 : st.off;
		i++;
	}
	return i < n ? (ends[i] == NO_SEMI ? len : ends[i]) : NO_SEMI;
#undef NO_SEMI
}

/* Where the parser ends a statement at loc of length n in text: at its
 * ';', or (size_t)-1 for a last one without (its length 0, or all the
 * rest, as the parser's splitter gives it). */
static size_t end_of(const char *text, size_t len, int loc, int n)
{
	size_t end = (size_t)loc + (size_t)n;

	return n && end < len && text[end] == ';' ? end : (size_t)-1;
}

/* Check the parser's statement ends (freed) against the splitter. */
static int cross_check(struct lint_ctx *c, size_t *ends, size_t n)
{
	size_t at = lint_split_check(c->text, c->len, ends, n);

	free(ends);
	if (at == (size_t)-1)
		return 0;
	return err_set(c->err, ERR_INPUT, "%s:%llu: migrun's statement "
	    "splitter and PostgreSQL's parser end a statement in different "
	    "places here: the runner would not send what the parser reads; "
	    "nothing written (please report it)", c->file,
	    (unsigned long long)(c->first_line + line_at(c, at) - 1));
}

/* A script the parser refuses: an error, or a warning where allowed. */
static int unparsable(struct lint_ctx *c, const PgQueryError *e)
{
	unsigned line, col;
	int down = c->s->role == ROLE_DOWN;

	position(c->text, c->len, e->cursorpos, &line, &col);
	if (down || c->L->unparsed_warn) {
		c->stmt_line = line;
		find(c, down ? RULE_DOWN_UNPARSABLE : RULE_UNPARSED, "%u:%u: %s: "
		    "PostgreSQL %s's parser cannot read this script, so it was "
		    "neither linted nor checked%s", line, col, e->message,
		    PG_MAJORVERSION, down ? "" : " (--unparsed warn)");
		return 0;
	}
	return err_set(c->err, ERR_INPUT, "%s:%llu:%u: %s%s", c->file,
	    (unsigned long long)(c->first_line + line - 1), col, e->message,
	    c->s->dialect == DIALECT_ANY ? " (a script for every engine is "
	    "parsed as PostgreSQL: build a folder of SQLite-only SQL with "
	    "--engines sqlite; --unparsed warn keeps a script written for "
	    "a newer PostgreSQL)" : " (--unparsed warn keeps a script "
	    "written for a newer PostgreSQL)");
}

/*
 * Whether a statement may concern a rule, by its first word: only the
 * statements that change a schema (or empty tables) do.  The others (DML,
 * however large its data, GRANT, SET, DO, ...) need no tree: the parser
 * has read them already.
 */
static int ruled(const char *stmt, size_t len)
{
	static const char *const heads[] = { "alter", "cluster", "create",
	    "discard", "drop", "reindex", "truncate", "vacuum", NULL };
	const char *const *h;
	char word[16];
	size_t n = 0;

	while (n < len && n < sizeof(word) - 1 &&
	    ((stmt[n] | 0x20) >= 'a' && (stmt[n] | 0x20) <= 'z'))
		word[n] = (char)(stmt[n] | 0x20), n++;
	word[n] = '\0';
	for (h = heads; *h; h++)
		if (!strcmp(word, *h))
			return 1;
	return 0;
}

/* The tree of one statement, text[0, len), and the rules on it. */
static int lint_tree(struct lint_ctx *c, const char *text, size_t len)
{
	ProtobufCAllocator mem = { arena_alloc, arena_free, c->L->arena };
	char *one = xstrndup(text, len);
	PgQueryProtobufParseResult r = pg_query_parse_protobuf(one);
	PgQuery__ParseResult *pr = NULL;
	size_t i;
	int ret = 0;

	if (r.error)
		ret = err_set(c->err, ERR_RUNTIME, "%s:%llu: the parser read "
		    "this statement in its script, not alone: %s", c->file,
		    (unsigned long long)(c->first_line + c->stmt_line - 1),
		    r.error->message);
	else if (!(pr = pg_query__parse_result__unpack(&mem,
	    r.parse_tree.len, (const uint8_t *)r.parse_tree.data)))
		ret = err_set(c->err, ERR_RUNTIME, "%s: cannot read the "
		    "parser's result", c->file);
	for (i = 0; pr && i < pr->n_stmts; i++)
		if (pr->stmts[i]->stmt)
			lint_stmt(c, pr->stmts[i]->stmt);
	arena_reset(c->L->arena, 0);	/* the tree, all at once */
	pg_query_free_protobuf_parse_result(r);
	free(one);
	return ret;
}

int lint_script(struct linter *L, size_t mig, const struct manifest_script *s,
    const char *file, uint64_t first_line, const char *text, size_t len,
    struct err *err)
{
	struct manifest_migration *m = &L->m->migrations[mig];
	struct lint_ctx c = { .L = L, .mig = mig, .s = s, .file = file,
	    .first_line = first_line, .text = text, .len = len, .err = err,
	    .line = 1 };
	PgQuerySplitResult sr = { NULL, 0, NULL, NULL };
	size_t i, *ends;
	int ret;

	if ((ret = find_allows(&c)))
		goto out;
	c.first_stmt_line = line_at(&c, first_token(text, len, 0));
	if (s->role == ROLE_UP && silenced(&c, 0, RULE_NO_DOWN)) {
		/* what the migration as a whole may silence */
		L->no_down_allowed = 1;
		L->allow_mig = mig;
	}
	if (!lint_wants(L->m, m, s))
		goto out;
	L->parsed++;
	/* The parser's statements, no tree yet: syntax and boundaries. */
	sr = pg_query_split_with_parser(text);
	if (sr.error) {
		ret = unparsable(&c, sr.error);
		goto out;
	}
	ends = xreallocarray(NULL, (size_t)sr.n_stmts + 1, sizeof(*ends));
	for (i = 0; i < (size_t)sr.n_stmts; i++)
		ends[i] = end_of(text, len, sr.stmts[i]->stmt_location,
		    sr.stmts[i]->stmt_len);
	if ((ret = cross_check(&c, ends, (size_t)sr.n_stmts)) ||
	    s->role == ROLE_DOWN)
		goto out;	/* a down script is parsed, not linted */
	c.line_off = 0;
	c.line = 1;
	for (i = 0; !ret && i < (size_t)sr.n_stmts; i++) {
		size_t off = (size_t)sr.stmts[i]->stmt_location;
		size_t n = sr.stmts[i]->stmt_len ?
		    (size_t)sr.stmts[i]->stmt_len : len - off;
		size_t start = first_token(text, off + n, off);

		c.stmt_line = line_at(&c, start);
		if (ruled(text + start, off + n - start))
			ret = lint_tree(&c, text + off, n);
	}
out:
	pg_query_free_split_result(sr);
	for (i = 0; i < c.nr_created; i++)
		free(c.created[i]);
	free(c.created);
	free(c.allow);
	return ret;
}

/* The up script of mig on an engine of the bundle that has no down script
 * there, or NULL. */
static const struct manifest_script *without_down(const struct manifest *m,
    const struct manifest_migration *mig)
{
	const struct manifest_script *up;
	enum dialect d;

	if (mig->kind != KIND_VERSIONED)
		return NULL;
	for (d = DIALECT_POSTGRES; d < DIALECT_NR; d++)
		if (manifest_for_engine(m, d) &&
		    (up = manifest_script_for(mig, ROLE_UP, d)) &&
		    !manifest_script_for(mig, ROLE_DOWN, d))
			return up;
	return NULL;
}

int lint_reads(const struct manifest *m, const struct manifest_migration *mig,
    const struct manifest_script *s)
{
	return lint_wants(m, mig, s) ||
	    (s->role == ROLE_UP && without_down(m, mig));
}

void lint_migration(struct linter *L, size_t mig, const char *file)
{
	struct manifest_migration *m = &L->m->migrations[mig];
	const struct manifest_script *up = without_down(L->m, m);

	if (up)
		add_finding(L, mig, up, file, 1, 1, RULE_NO_DOWN,
		    L->no_down_allowed && L->allow_mig == mig,
		    "no down script: migrun down cannot roll this migration "
		    "back");
}

void lint_print(const struct linter *L, struct buf *out, enum severity min,
    int quiet)
{
	size_t i;

	for (i = 0; i < L->nr; i++) {
		const struct lint_hit *h = &L->hits[i];
		const struct manifest_finding *f =
		    &L->m->migrations[h->mig].findings[h->finding];

		if (f->severity > min || (f->silenced && !quiet))
			continue;
		buf_addf(out, "%s:%llu: %s %s: %s%s\n", h->file,
		    (unsigned long long)h->line, severity_name(f->severity),
		    f->rule, f->message, f->silenced ? " (silenced)" : "");
	}
}

void lint_summary(const struct linter *L, struct buf *out)
{
	buf_addf(out, "lint: %zu error%s, %zu warning%s, %zu info, %zu "
	    "silenced; %zu PostgreSQL script%s parsed\n", L->count[SEV_ERROR],
	    L->count[SEV_ERROR] == 1 ? "" : "s", L->count[SEV_WARNING],
	    L->count[SEV_WARNING] == 1 ? "" : "s", L->count[SEV_INFO],
	    L->silenced, L->parsed, L->parsed == 1 ? "" : "s");
}

void lint_json(const struct linter *L, struct buf *out)
{
	size_t i;

	buf_addch(out, '[');
	for (i = 0; i < L->nr; i++) {
		const struct lint_hit *h = &L->hits[i];
		const struct manifest_migration *m = &L->m->migrations[h->mig];
		const struct manifest_finding *f = &m->findings[h->finding];

		buf_addstr(out, i ? ", {\"file\": " : "{\"file\": ");
		json_str(out, h->file);
		buf_addf(out, ", \"line\": %llu, \"version\": ",
		    (unsigned long long)h->line);
		json_str(out, m->version);
		buf_addstr(out, ", \"name\": ");
		json_str(out, m->name);
		buf_addf(out, ", \"script\": \"%s\", \"dialect\": \"%s\", "
		    "\"script_line\": %u, \"rule\": \"%s\", \"severity\": "
		    "\"%s\", \"silenced\": %s, \"message\": ",
		    role_name(f->role), dialect_name(f->dialect), f->line,
		    f->rule, severity_name(f->severity),
		    f->silenced ? "true" : "false");
		json_str(out, f->message);
		buf_addch(out, '}');
	}
	buf_addch(out, ']');
}
