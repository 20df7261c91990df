/* minisign's public key and signature formats (see minisign.h), over
 * libsodium's Ed25519, BLAKE2b and base64. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "minisign.h"
#include "xalloc.h"

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

/* Whether the line (n bytes) starts with prefix. */
static int starts(const char *line, size_t n, const char *prefix)
{
	return n >= strlen(prefix) && !memcmp(line, prefix, strlen(prefix));
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
	if (starts(line, n, UNTRUSTED) && next_line(&p, end, &line, &n))
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

	if (next_line(&p, end, &line, &n) || !starts(line, n, UNTRUSTED))
		return err_set(err, ERR_INPUT, "%s: not a minisign signature "
		    "(no 'untrusted comment:' line first)", what);
	if (next_line(&p, end, &line, &n) || b64(raw, sizeof(raw), line, n))
		return err_set(err, ERR_INPUT, "%s: a garbled or cut minisign "
		    "signature (its second line is not the base64 of one)",
		    what);
	if (memcmp(raw, "ED", 2) && memcmp(raw, "Ed", 2))
		return err_set(err, ERR_INPUT, "%s: a signature by the unknown "
		    "algorithm '%c%c' (minisign's is ED: Ed25519 over "
		    "BLAKE2b-512, or Ed: Ed25519)", what, raw[0], raw[1]);
	sig->prehashed = raw[1] == 'D';
	memcpy(sig->keyid, raw + 2, MINISIGN_KEYID_BYTES);
	memcpy(sig->sig, raw + 2 + MINISIGN_KEYID_BYTES, 64);
	if (next_line(&p, end, &line, &n) || !starts(line, n, TRUSTED))
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

int minisign_hash_file(const char *path, uint8_t hash[MINISIGN_HASH_BYTES],
    struct err *err)
{
	crypto_generichash_state h;
	unsigned char chunk[65536];
	FILE *f = fopen(path, "rb");
	size_t n;
	int failed;

	if (!f)
		return err_errno(err, ERR_RUNTIME, "'%s'", path);
	crypto_generichash_init(&h, NULL, 0, MINISIGN_HASH_BYTES);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		crypto_generichash_update(&h, chunk, n);
	failed = ferror(f);
	fclose(f);
	if (failed)
		return err_set(err, ERR_RUNTIME, "'%s': read error", path);
	crypto_generichash_final(&h, hash, MINISIGN_HASH_BYTES);
	return 0;
}

int minisign_verify(const struct minisign_pubkey *pk,
    const struct minisign_sig *sig, const void *data, size_t len,
    const char *what, struct err *err)
{
	uint8_t global[64 + MINISIGN_TRUSTED_MAX], hash[MINISIGN_HASH_BYTES];
	size_t n = strlen(sig->trusted);
	char want[17], got[17];

	if (memcmp(pk->keyid, sig->keyid, MINISIGN_KEYID_BYTES)) {
		minisign_keyid_hex(sig->keyid, got);
		minisign_keyid_hex(pk->keyid, want);
		return err_set(err, ERR_INTEGRITY, "%s: signed with key %s, "
		    "not with key %s", what, got, want);
	}
	if (sig->prehashed) {
		minisign_hash(data, len, hash);
		data = hash;
		len = sizeof(hash);
	}
	if (crypto_sign_verify_detached(sig->sig, data, len, pk->pk))
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

/* The secret key file's binary form. */
#define SK_SALT 32
#define SK_HEAD (2 + 2 + 2 + SK_SALT + 8 + 8)
#define SK_BODY (MINISIGN_KEYID_BYTES + 64 + 32)
#define SK_BYTES (SK_HEAD + SK_BODY)

static void le64_store(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le64_load(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* BLAKE2b-256 of "Ed" | key id | secret key: the body's last part. */
static void sk_chk(const uint8_t *body, uint8_t chk[32])
{
	crypto_generichash_state h;

	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *)"Ed", 2);
	crypto_generichash_update(&h, body, MINISIGN_KEYID_BYTES + 64);
	crypto_generichash_final(&h, chk, 32);
}

/* body ^= scrypt(password, salt, ops, mem): 0, or -1 when scrypt cannot
 * run with those limits. */
static int sk_xor(uint8_t *body, const char *password, const uint8_t *salt,
    uint64_t ops, uint64_t mem)
{
	uint8_t stream[SK_BODY];
	size_t i;

	if (crypto_pwhash_scryptsalsa208sha256(stream, sizeof(stream),
	    password, strlen(password), salt, (unsigned long long)ops,
	    (size_t)mem))
		return -1;
	for (i = 0; i < SK_BODY; i++)
		body[i] ^= stream[i];
	sodium_memzero(stream, sizeof(stream));
	return 0;
}

/* libsodium set up before its random numbers are drawn (once; safe to
 * repeat). */
static void sodium_ready(void)
{
	if (sodium_init() < 0)
		BUG("libsodium cannot be initialised");
}

void minisign_keygen(struct minisign_seckey *sk)
{
	uint8_t pk[32];

	sodium_ready();
	randombytes_buf(sk->keyid, sizeof(sk->keyid));
	crypto_sign_keypair(pk, sk->sk);
}

void minisign_pubkey_of(const struct minisign_seckey *sk,
    struct minisign_pubkey *pk)
{
	memcpy(pk->keyid, sk->keyid, sizeof(pk->keyid));
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

static void add_b64(struct buf *out, const uint8_t *bin, size_t n)
{
	char text[sodium_base64_ENCODED_LEN(SK_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];

	sodium_bin2base64(text, sizeof(text), bin, n,
	    sodium_base64_VARIANT_ORIGINAL);
	buf_addstr(out, text);
	buf_addch(out, '\n');
}

void minisign_pubkey_write(const struct minisign_pubkey *pk, struct buf *out)
{
	uint8_t raw[2 + MINISIGN_KEYID_BYTES + 32];
	char hex[17];

	minisign_keyid_hex(pk->keyid, hex);
	buf_addf(out, UNTRUSTED "minisign public key %s\n", hex);
	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, pk->keyid, MINISIGN_KEYID_BYTES);
	memcpy(raw + 2 + MINISIGN_KEYID_BYTES, pk->pk, 32);
	add_b64(out, raw, sizeof(raw));
}

int minisign_seckey_write(const struct minisign_seckey *sk,
    const char *password, struct buf *out, struct err *err)
{
	uint8_t raw[SK_BYTES], *body = raw + SK_HEAD;
	uint64_t ops = crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE;
	uint64_t mem = crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE;
	int ret = 0;

	memset(raw, 0, sizeof(raw));
	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, password ? "Sc" : "\0\0", 2);
	memcpy(raw + 4, "B2", 2);
	memcpy(body, sk->keyid, MINISIGN_KEYID_BYTES);
	memcpy(body + MINISIGN_KEYID_BYTES, sk->sk, 64);
	sk_chk(body, body + MINISIGN_KEYID_BYTES + 64);
	if (password) {
		sodium_ready();
		randombytes_buf(raw + 6, SK_SALT);
		/* As minisign: halve the limits until scrypt can run. */
		while (sk_xor(body, password, raw + 6, ops, mem)) {
			ops /= 2;
			mem /= 2;
			if (ops < crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN ||
			    mem < crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN) {
				ret = err_set(err, ERR_RUNTIME, "not enough "
				    "memory to encrypt the secret key (scrypt)");
				goto out;
			}
		}
		le64_store(raw + 6 + SK_SALT, ops);
		le64_store(raw + 6 + SK_SALT + 8, mem);
	}
	buf_addf(out, UNTRUSTED "minisign %s secret key\n", password ?
	    "encrypted" : "unencrypted");
	add_b64(out, raw, sizeof(raw));
out:
	sodium_memzero(raw, sizeof(raw));
	return ret;
}

/* The binary form of a secret key file's text: 0, or -1. */
static int sk_raw(const char *text, size_t len, uint8_t raw[SK_BYTES])
{
	const char *p = text, *end = text + len, *line;
	size_t n;

	if (next_line(&p, end, &line, &n) || !starts(line, n, UNTRUSTED) ||
	    next_line(&p, end, &line, &n))
		return -1;
	return b64(raw, SK_BYTES, line, n);
}

int minisign_seckey_encrypted(const char *text, size_t len)
{
	uint8_t raw[SK_BYTES];
	int enc = !sk_raw(text, len, raw) && !memcmp(raw + 2, "Sc", 2);

	sodium_memzero(raw, sizeof(raw));
	return enc;
}

int minisign_seckey_parse(struct minisign_seckey *sk, const char *text,
    size_t len, const char *password, const char *what, struct err *err)
{
	uint8_t raw[SK_BYTES], *body = raw + SK_HEAD, chk[32];
	int ret = 0;

	if (sk_raw(text, len, raw)) {
		ret = err_set(err, ERR_INPUT, "%s: not a minisign secret key "
		    "(a comment line, then the base64 of %d bytes)", what,
		    SK_BYTES);
		goto out;
	}
	if (memcmp(raw, "Ed", 2) || memcmp(raw + 4, "B2", 2)) {
		ret = err_set(err, ERR_INPUT, "%s: a secret key for the "
		    "algorithms '%c%c' and '%c%c', where minisign's are Ed and "
		    "B2", what, raw[0], raw[1], raw[4], raw[5]);
		goto out;
	}
	if (!memcmp(raw + 2, "Sc", 2)) {
		if (!password) {
			ret = err_set(err, ERR_INPUT, "%s: encrypted: a "
			    "password is needed", what);
			goto out;
		}
		if (sk_xor(body, password, raw + 6, le64_load(raw + 6 + SK_SALT),
		    le64_load(raw + 6 + SK_SALT + 8))) {
			ret = err_set(err, ERR_RUNTIME, "%s: not enough memory "
			    "to decrypt the secret key (scrypt)", what);
			goto out;
		}
		sk_chk(body, chk);
		if (sodium_memcmp(chk, body + MINISIGN_KEYID_BYTES + 64, 32)) {
			ret = err_set(err, ERR_INPUT, "%s: wrong password (or "
			    "a damaged key)", what);
			goto out;
		}
	} else if (memcmp(raw + 2, "\0\0", 2)) {
		ret = err_set(err, ERR_INPUT, "%s: encrypted with the unknown "
		    "key derivation '%c%c' (minisign's is Sc: scrypt)", what,
		    raw[2], raw[3]);
		goto out;
	}
	memcpy(sk->keyid, body, MINISIGN_KEYID_BYTES);
	memcpy(sk->sk, body + MINISIGN_KEYID_BYTES, 64);
out:
	sodium_memzero(raw, sizeof(raw));
	return ret;
}

void minisign_sign(const struct minisign_seckey *sk,
    const uint8_t hash[MINISIGN_HASH_BYTES], const char *trusted,
    struct buf *out)
{
	uint8_t raw[2 + MINISIGN_KEYID_BYTES + 64], global[64];
	size_t n = strlen(trusted);
	uint8_t *both = xmalloc(64 + n);

	memcpy(raw, "ED", 2);
	memcpy(raw + 2, sk->keyid, MINISIGN_KEYID_BYTES);
	crypto_sign_detached(raw + 2 + MINISIGN_KEYID_BYTES, NULL, hash,
	    MINISIGN_HASH_BYTES, sk->sk);
	memcpy(both, raw + 2 + MINISIGN_KEYID_BYTES, 64);
	memcpy(both + 64, trusted, n);
	crypto_sign_detached(global, NULL, both, 64 + n, sk->sk);
	free(both);
	buf_addstr(out, UNTRUSTED "signature from minisign secret key\n");
	add_b64(out, raw, sizeof(raw));
	buf_addf(out, TRUSTED "%s\n", trusted);
	add_b64(out, global, sizeof(global));
}
