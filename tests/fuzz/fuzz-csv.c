/* The CSV parser: any bytes give records or one error, and the same ones
 * whether fed whole or in pieces (the first byte picks their size). */
#include <string.h>

#include "csv.h"
#include "fuzz.h"

#include <sodium.h>

/* Every record's line, fields, their quoting and bytes, hashed. */
static int record(void *arg, const struct csv_field *f, size_t n,
    unsigned long line, struct err *err)
{
	crypto_hash_sha256_state *h = arg;
	size_t i;

	(void)err;
	crypto_hash_sha256_update(h, (const uint8_t *)&line, sizeof(line));
	crypto_hash_sha256_update(h, (const uint8_t *)&n, sizeof(n));
	for (i = 0; i < n; i++) {
		FUZZ_ASSERT(f[i].data[f[i].len] == '\0');
		crypto_hash_sha256_update(h, (const uint8_t *)&f[i].quoted,
		    sizeof(f[i].quoted));
		crypto_hash_sha256_update(h, (const uint8_t *)&f[i].len,
		    sizeof(f[i].len));
		crypto_hash_sha256_update(h, (const uint8_t *)f[i].data,
		    f[i].len);
	}
	return 0;
}

static int parse(const uint8_t *data, size_t size, size_t piece,
    uint8_t out[crypto_hash_sha256_BYTES], char msg[1024])
{
	crypto_hash_sha256_state h;
	struct csv p;
	struct err err = ERR_INIT;
	size_t off, n;
	int ret = 0;

	crypto_hash_sha256_init(&h);
	csv_init(&p, "f.csv", 4096);
	for (off = 0; off < size && !ret; off += n) {
		n = size - off < piece ? size - off : piece;
		ret = csv_feed(&p, (const char *)data + off, n, record, &h,
		    &err);
	}
	if (!ret)
		ret = csv_finish(&p, record, &h, &err);
	csv_release(&p);
	crypto_hash_sha256_final(&h, out);
	strcpy(msg, err.msg);
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t whole[crypto_hash_sha256_BYTES], pieces[crypto_hash_sha256_BYTES];
	char m1[1024], m2[1024];
	int r1, r2;

	if (!size)
		return 0;
	r1 = parse(data + 1, size - 1, size, whole, m1);
	r2 = parse(data + 1, size - 1, (size_t)data[0] % 7 + 1, pieces, m2);
	FUZZ_ASSERT(r1 == r2);
	FUZZ_ASSERT(!strcmp(m1, m2));
	if (!r1)
		FUZZ_ASSERT(!memcmp(whole, pieces, sizeof(whole)));
	return 0;
}
