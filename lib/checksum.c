#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "checksum.h"

void checksum_init(struct checksum *c)
{
	crypto_hash_sha256_init(&c->state);
}

void checksum_update(struct checksum *c, const void *data, size_t len)
{
	crypto_hash_sha256_update(&c->state, data, len);
}

void checksum_final(struct checksum *c, char hex[CHECKSUM_HEX_LEN + 1])
{
	unsigned char md[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(&c->state, md);
	sodium_bin2hex(hex, CHECKSUM_HEX_LEN + 1, md, sizeof(md));
}

void checksum_buf(const void *data, size_t len,
    char hex[CHECKSUM_HEX_LEN + 1])
{
	struct checksum c;

	checksum_init(&c);
	checksum_update(&c, data, len);
	checksum_final(&c, hex);
}

int checksum_file(const char *path, char hex[CHECKSUM_HEX_LEN + 1],
    struct err *err)
{
	static unsigned char block[65536];
	struct checksum c;
	FILE *f;
	size_t n;
	int ret = 0;

	if (!(f = fopen(path, "rb")))
		return err_errno(err, ERR_RUNTIME, "'%s'", path);
	checksum_init(&c);
	while ((n = fread(block, 1, sizeof(block), f)) > 0)
		checksum_update(&c, block, n);
	if (ferror(f))
		ret = err_errno(err, ERR_RUNTIME, "'%s': read error", path);
	else
		checksum_final(&c, hex);
	fclose(f);
	return ret;
}

int checksum_hex_valid(const char *s)
{
	size_t i;

	for (i = 0; i < CHECKSUM_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[i] == '\0';
}
