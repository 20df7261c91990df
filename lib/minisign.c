/* minisign's public key and signature formats (see minisign.h), over
 * libsodium's Ed25519, BLAKE2b and base64. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "minisign.h"

#define UNTRUSTED "untrusted comment: "
#define TRUSTED "trusted comment: "

void minisign_keyid_hex(const uint8_t keyid[MINISIGN_KEYID_BYTES],
    char out[17])
{
	int i;

	for (i = 0; i < MINISIGN_KEYID_BYTES; i++)
		snprintf(out + 2 * i, 3, "%02X",
		    keyid[MINISIGN_KEYID_BYTES - 1 - i]);
}

/* The next line of text (without its '\n' or "\r\n"): its start and
 * length, or -1 at the end. */
static int next_line(const char **p, const char *end, const char **line,
    size_t *n)
{
	const char *nl;

	if (*p >= end)
		return -1;
	*line = *p;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*n = (size_t)((nl ? nl : end) - *p);
	*p = nl ? nl + 1 : end;
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	return 0;
}

/* base64 of exactly n bytes into out. */
static int b64(uint8_t *out, size_t n, const char *s, size_t len)
{
	size_t got;

	return sodium_base642bin(out, n, s, len, NULL, &got, NULL,
	    sodium_base64_VARIANT_ORIGINAL) || got != n ? -1 : 0;
}

int minisign_pubkey_parse(struct minisign_pubkey *pk, const char *text,
    size_t len, const char *what, struct err *err)
{
	const char *p = text, *end = text + len, *line;
	uint8_t raw[2 + MINISIGN_KEYID_BYTES + 32];
	size_t n;

	if (next_line(&p, end, &line, &n))
		return err_set(err, ERR_INPUT, "%s: empty, not a minisign "
		    "public key", what);
	if (n >= strlen(UNTRUSTED) && !memcmp(line, UNTRUSTED,
	    strlen(UNTRUSTED)) && next_line(&p, end, &line, &n))
		return err_set(err, ERR_INPUT, "%s: a comment line and no key "
		    "after it", what);
	if (b64(raw, sizeof(raw), line, n))
		return err_set(err, ERR_INPUT, "%s: not a minisign public key "
		    "(its key line is not the base64 of one)", what);
	if (memcmp(raw, "Ed", 2))
		return err_set(err, ERR_INPUT, "%s: a public key for the "
		    "signature algorithm '%c%c', where minisign keys are Ed "
		    "(Ed25519)", what, raw[0], raw[1]);
	memcpy(pk->keyid, raw + 2, MINISIGN_KEYID_BYTES);
	memcpy(pk->pk, raw + 2 + MINISIGN_KEYID_BYTES, 32);
	return 0;
}

int minisign_sig_parse(struct minisign_sig *sig, const char *text,
    size_t len, const char *what, struct err *err)
{
	const char *p = text, *end = text + len, *line;
	uint8_t raw[2 + MINISIGN_KEYID_BYTES + 64];
	size_t n;

	if (next_line(&p, end, &line, &n) || n < strlen(UNTRUSTED) ||
	    memcmp(line, UNTRUSTED, strlen(UNTRUSTED)))
		return err_set(err, ERR_INPUT, "%s: not a minisign signature "
		    "(no 'untrusted comment:' line first)", what);
	if (next_line(&p, end, &line, &n) || b64(raw, sizeof(raw), line, n))
		return err_set(err, ERR_INPUT, "%s: a garbled or cut minisign "
		    "signature (its second line is not the base64 of one)",
		    what);
	if (!memcmp(raw, "Ed", 2))
		return err_set(err, ERR_INPUT, "%s: a legacy minisign "
		    "signature (of the file itself, not of its hash): sign "
		    "again with minisign 0.10 or later", what);
	if (memcmp(raw, "ED", 2))
		return err_set(err, ERR_INPUT, "%s: a signature by the unknown "
		    "algorithm '%c%c' (minisign's is ED: Ed25519 over "
		    "BLAKE2b-512)", what, raw[0], raw[1]);
	memcpy(sig->keyid, raw + 2, MINISIGN_KEYID_BYTES);
	memcpy(sig->sig, raw + 2 + MINISIGN_KEYID_BYTES, 64);
	if (next_line(&p, end, &line, &n) || n < strlen(TRUSTED) ||
	    memcmp(line, TRUSTED, strlen(TRUSTED)))
		return err_set(err, ERR_INPUT, "%s: a cut minisign signature "
		    "(no 'trusted comment:' line)", what);
	n -= strlen(TRUSTED);
	if (n >= sizeof(sig->trusted) || memchr(line + strlen(TRUSTED), '\0',
	    n))
		return err_set(err, ERR_INPUT, "%s: a trusted comment of %zu "
		    "bytes, or with a NUL byte: not minisign's", what, n);
	memcpy(sig->trusted, line + strlen(TRUSTED), n);
	sig->trusted[n] = '\0';
	if (next_line(&p, end, &line, &n) || b64(sig->global,
	    sizeof(sig->global), line, n))
		return err_set(err, ERR_INPUT, "%s: a garbled or cut minisign "
		    "signature (its last line is not the base64 of the "
		    "trusted comment's signature)", what);
	return 0;
}

void minisign_hash(const void *data, size_t len,
    uint8_t hash[MINISIGN_HASH_BYTES])
{
	crypto_generichash(hash, MINISIGN_HASH_BYTES, data, len, NULL, 0);
}

int minisign_verify(const struct minisign_pubkey *pk,
    const struct minisign_sig *sig, const uint8_t hash[MINISIGN_HASH_BYTES],
    const char *what, struct err *err)
{
	uint8_t global[64 + MINISIGN_TRUSTED_MAX];
	size_t n = strlen(sig->trusted);
	char want[17], got[17];

	if (memcmp(pk->keyid, sig->keyid, MINISIGN_KEYID_BYTES)) {
		minisign_keyid_hex(sig->keyid, got);
		minisign_keyid_hex(pk->keyid, want);
		return err_set(err, ERR_INTEGRITY, "%s: signed with key %s, "
		    "not with key %s", what, got, want);
	}
	if (crypto_sign_verify_detached(sig->sig, hash, MINISIGN_HASH_BYTES,
	    pk->pk))
		return err_set(err, ERR_INTEGRITY, "%s: the signature does not "
		    "match: the file was changed after it was signed, or the "
		    "signature belongs to another file", what);
	memcpy(global, sig->sig, 64);
	memcpy(global + 64, sig->trusted, n);
	if (crypto_sign_verify_detached(sig->global, global, 64 + n, pk->pk))
		return err_set(err, ERR_INTEGRITY, "%s: the trusted comment was "
		    "changed after it was signed", what);
	return 0;
}
