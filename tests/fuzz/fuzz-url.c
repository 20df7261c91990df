/* The database-URL classifier: any text is an engine or refused, and a
 * URL redacted for messages never shows its password as libpq reads it. */
#include <string.h>

#include "db.h"
#include "fuzz.h"
#include "pq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *url = malloc(size + 1), *shown;
	struct err err = ERR_INIT;
	PQconninfoOption *opts, *o;
	enum dialect d;

	memcpy(url, data, size);
	url[size] = '\0';
	if (strlen(url) != size) {	/* a C string: no NUL inside */
		free(url);
		return 0;
	}
	(void)db_dialect(url, &d, &err);
	shown = db_redact(url);
	if (!pq_load(NULL, NULL) && (opts = pq.PQconninfoParse(url, NULL))) {
		for (o = opts; o->keyword; o++)
			if (!strcmp(o->keyword, "password") && o->val &&
			    o->val[strspn(o->val, "*")])
				FUZZ_ASSERT(!strstr(shown, o->val));
		pq.PQconninfoFree(opts);
	}
	free(shown);
	free(url);
	return 0;
}
