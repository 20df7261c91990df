#ifndef MIGPACK_CHECKSUM_H
#define MIGPACK_CHECKSUM_H

#include <stddef.h>
#include <stdio.h>

#include <sodium.h>

#include "err.h"

/*
 * SHA-256 through libsodium's streaming API.  Checksums are written as 64
 * lowercase hex digits; where they are stored they carry their algorithm as a
 * prefix ("sha256:<hex>") so it can change without ambiguity.
 */

#define CHECKSUM_HEX_LEN 64
#define CHECKSUM_PREFIX "sha256:"
#define CHECKSUM_PREFIX_LEN 7

struct checksum {
	crypto_hash_sha256_state state;
};

void checksum_init(struct checksum *c);
void checksum_update(struct checksum *c, const void *data, size_t len);
/* Finish and write the hex digest (NUL-terminated) into hex. */
void checksum_final(struct checksum *c, char hex[CHECKSUM_HEX_LEN + 1]);

/* One-shot digest of a memory block. */
void checksum_buf(const void *data, size_t len,
    char hex[CHECKSUM_HEX_LEN + 1]);

/* Digest of a whole file, read in 64 KiB chunks. */
int checksum_file(const char *path, char hex[CHECKSUM_HEX_LEN + 1],
    struct err *err);

/* Whether s is exactly 64 lowercase hex digits. */
int checksum_hex_valid(const char *s);

#endif
