/* Waiting for a run lock, the same way on every engine: try, nap, try
 * again until a deadline. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lockwait_start(struct lockwait *w, unsigned timeout_ms, unsigned min_ms,
    unsigned jitter_ms)
{
	w->start = now_ms();
	w->timeout_ms = timeout_ms;
	w->min_ms = min_ms;
	w->jitter_ms = jitter_ms;
	w->seed = (unsigned)getpid() ^ (unsigned)w->start ^ 0x9e3779b9u;
}

/* xorshift: runners started together should not poll in step. */
static unsigned next(unsigned *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	return *seed;
}

void lockwait_sleep(unsigned ms)
{
	struct timespec nap;

	nap.tv_sec = ms / 1000;
	nap.tv_nsec = (long)(ms % 1000) * 1000000;
	nanosleep(&nap, NULL);	/* a signal only shortens the nap */
}

int lockwait_nap(struct lockwait *w)
{
	long long left = (long long)w->timeout_ms - (now_ms() - w->start);
	unsigned ms;

	if (left <= 0)
		return -1;
	ms = w->min_ms + next(&w->seed) % (w->jitter_ms + 1);
	if (ms > left)
		ms = (unsigned)left;
	lockwait_sleep(ms);
	return 0;
}

unsigned lockwait_backoff(struct lockwait *w, unsigned attempt)
{
	unsigned ms = w->min_ms;

	while (--attempt && ms < w->timeout_ms)
		ms *= 2;
	if (ms > w->timeout_ms)
		ms = w->timeout_ms;
	return ms - next(&w->seed) % (ms / 2 + 1);
}

void lockwait_limit(unsigned timeout_ms, char *out, size_t size)
{
	if (timeout_ms % 1000 == 0)
		snprintf(out, size, "%u s", timeout_ms / 1000);
	else
		snprintf(out, size, "%u ms", timeout_ms);
}
