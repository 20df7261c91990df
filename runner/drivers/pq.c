/* Loading libpq on first use (see pq.h). */
#include <dlfcn.h>
#include <stdio.h>

#include "pq.h"

struct pq pq;

int pq_load(const char *who, struct err *err)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	static char why[512];
	void *lib, *sym;

	if (state == 0) {
		state = -1;
		if (!(lib = dlopen(LIBPQ_SONAME, RTLD_NOW | RTLD_LOCAL))) {
			snprintf(why, sizeof(why), "%s", dlerror());
			goto out;
		}
#define PQ_LOOKUP(f) \
		if (!(sym = dlsym(lib, #f))) { \
			snprintf(why, sizeof(why), "%s: no %s", \
			    LIBPQ_SONAME, #f); \
			dlclose(lib); \
			goto out; \
		} \
		pq.f = (__typeof__(pq.f))sym;
		PQ_FUNCTIONS(PQ_LOOKUP)
#undef PQ_LOOKUP
		state = 1;	/* never closed: libpq lives as long as we do */
	}
out:
	if (state < 0)
		return err_set(err, ERR_RUNTIME, "%s: PostgreSQL needs "
		    "libpq, which could not be loaded (%s): install the "
		    "libpq5 package", who, why);
	return 0;
}
