#ifndef MIGPACK_FUZZ_H
#define MIGPACK_FUZZ_H

/*
 * A fuzz target: libFuzzer calls it with each input (make fuzz), and the
 * replay main (replay.c) with each file of a corpus and of the crashes
 * found so far (make test).  It must not leak or keep state between
 * inputs; it aborts (FUZZ_ASSERT) when a property of the code fails.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c) do { \
	if (!(c)) { \
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
		abort(); \
	} \
} while (0)

#endif
