/* The history table's rows in memory, and the rules its name and states
 * follow; shared by every driver. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "version.h"
#include "xalloc.h"

void hist_row_release(struct hist_row *r)
{
	free(r->version);
	free(r->name);
	free(r->checksum);
	free(r->down);
	free(r->bundle_name);
	free(r->bundle_release);
	free(r->bundle_sha256);
	free(r->signed_by);
	free(r->applied_at);
	free(r->resume_note);
	memset(r, 0, sizeof(*r));
}

void history_release(struct history *h)
{
	size_t i;

	for (i = 0; i < h->nr; i++)
		hist_row_release(&h->rows[i]);
	free(h->rows);
	h->rows = NULL;
	h->nr = h->alloc = 0;
	h->exists = 0;
}

struct hist_row *history_add(struct history *h)
{
	struct hist_row *r;

	ALLOC_GROW(h->rows, h->nr + 1, h->alloc);
	r = &h->rows[h->nr++];
	memset(r, 0, sizeof(*r));
	return r;
}

const char *history_current(const struct history *h)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < h->nr; i++)
		if (h->rows[i].kind == KIND_VERSIONED &&
		    h->rows[i].state == HIST_APPLIED)
			v = version_max(v, h->rows[i].version);
	return v;
}

static int identifier_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 63 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int table_name_valid(const char *name, int allow_schema)
{
	const char *dot = strchr(name, '.');

	if (!dot)
		return identifier_valid(name, strlen(name));
	return allow_schema && identifier_valid(name, (size_t)(dot - name)) &&
	    identifier_valid(dot + 1, strlen(dot + 1));
}

int hist_row_parse(struct hist_row *r, const char *kind, const char *state,
    const char *down_tx, char *why, size_t size)
{
	why[0] = '\0';
	if (!kind || kind_parse(kind, &r->kind) < 0)
		snprintf(why, size, "unknown kind '%s'", kind ? kind : "NULL");
	else if (!state || hist_state_parse(state, &r->state) < 0)
		snprintf(why, size, "unknown state '%s'",
		    state ? state : "NULL");
	else if (r->kind == KIND_VERSIONED && !r->version)
		snprintf(why, size, "versioned without a version");
	else if (r->kind == KIND_REPEATABLE && r->version)
		snprintf(why, size, "repeatable with a version");
	else if (!r->down && down_tx)
		snprintf(why, size, "down_tx '%s' without down_script",
		    down_tx);
	else if (r->down && !down_tx)
		snprintf(why, size, "down_script without down_tx");
	else if (r->down && tx_parse(down_tx, &r->down_tx) < 0)
		snprintf(why, size, "unknown down_tx '%s'", down_tx);
	else if (!r->down)
		r->down_tx = TX_TRANSACTION;	/* what a NULL stands for */
	return why[0] ? -1 : 0;
}

static const char *const state_names[] = { "applied", "dirty" };

const char *hist_state_name(enum hist_state s)
{
	return state_names[s];
}

int hist_state_parse(const char *s, enum hist_state *out)
{
	size_t i;

	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum hist_state)i;
			return 0;
		}
	return -1;
}

int hist_row_newest_first(const void *a, const void *b)
{
	const struct hist_row *x = *(const struct hist_row *const *)a;
	const struct hist_row *y = *(const struct hist_row *const *)b;

	return version_cmp(y->version, x->version);
}
