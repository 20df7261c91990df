#ifndef MIGPACK_MINISIGN_H
#define MIGPACK_MINISIGN_H

/*
 * minisign's formats (https://jedisct1.github.io/minisign/), so that the
 * stock minisign tool and migpack verify each other's signatures:
 *
 *   public key   "untrusted comment: ..." line, then base64 of
 *                "Ed" | key id (8) | Ed25519 public key (32)
 *   signature    "untrusted comment: ..." line, base64 of
 *                "ED" | key id (8) | Ed25519 signature (64) of the
 *                BLAKE2b-512 of the file (prehashed; or "Ed", the
 *                legacy signature of the file itself), then
 *                "trusted comment: TEXT", then base64 of the global
 *                signature of signature (64) | TEXT
 *
 * A key id is shown as minisign shows it: 16 upper-case hex digits of its
 * 8 bytes read as a little-endian number.
 */
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MINISIGN_KEYID_BYTES 8
#define MINISIGN_TRUSTED_MAX 8192

struct minisign_pubkey {
	uint8_t keyid[MINISIGN_KEYID_BYTES];
	uint8_t pk[32];
};

struct minisign_sig {
	uint8_t keyid[MINISIGN_KEYID_BYTES];
	uint8_t sig[64];
	int prehashed;				/* ED, not legacy Ed */
	char trusted[MINISIGN_TRUSTED_MAX];	/* the trusted comment */
	uint8_t global[64];
};

/* A key id as 16 hex digits, NUL-terminated. */
void minisign_keyid_hex(const uint8_t keyid[MINISIGN_KEYID_BYTES],
    char out[17]);

/* A public key file's text (its comment line, then the key), or the key's
 * base64 alone, as minisign -P takes it; what names it in messages.
 * ERR_INPUT when it is not one. */
int minisign_pubkey_parse(struct minisign_pubkey *pk, const char *text,
    size_t len, const char *what, struct err *err);

/* A .minisig file's text, a legacy one too.  ERR_INPUT when it is not
 * one. */
int minisign_sig_parse(struct minisign_sig *sig, const char *text,
    size_t len, const char *what, struct err *err);

/* Whether sig, by the key pk, signs data (len bytes), trusted comment
 * included: 0, or ERR_INTEGRITY saying what does not hold (another key, a
 * changed file, a changed comment). */
int minisign_verify(const struct minisign_pubkey *pk,
    const struct minisign_sig *sig, const void *data, size_t len,
    const char *what, struct err *err);

/* The BLAKE2b-512 of data, as the prehashed signatures sign it; of a
 * whole file, read in chunks (ERR_RUNTIME when it cannot be read). */
#define MINISIGN_HASH_BYTES 64
void minisign_hash(const void *data, size_t len,
    uint8_t hash[MINISIGN_HASH_BYTES]);
int minisign_hash_file(const char *path, uint8_t hash[MINISIGN_HASH_BYTES],
    struct err *err);

/*
 * Secret keys: "untrusted comment: ..." line, then base64 of
 * "Ed" | KDF ("Sc": scrypt, or two NUL bytes: none) | "B2" | salt (32) |
 * opslimit (8, LE) | memlimit (8, LE) | key id (8) | Ed25519 secret key
 * (64) | BLAKE2b-256 of "Ed" | key id | secret key (32), the last three
 * XORed with scrypt's stream of the password when encrypted.
 */
struct minisign_seckey {
	uint8_t keyid[MINISIGN_KEYID_BYTES];
	uint8_t sk[64];			/* the public key is its last 32 */
};

/* A new key pair, with a random key id. */
void minisign_keygen(struct minisign_seckey *sk);
void minisign_pubkey_of(const struct minisign_seckey *sk,
    struct minisign_pubkey *pk);
/* A public key file's text. */
struct buf;
void minisign_pubkey_write(const struct minisign_pubkey *pk, struct buf *out);
/* A secret key file's text, encrypted with password as minisign does
 * (scrypt, its "sensitive" limits), or not when password is NULL. */
int minisign_seckey_write(const struct minisign_seckey *sk,
    const char *password, struct buf *out, struct err *err);
/* Whether a secret key file's text is encrypted (needs a password). */
int minisign_seckey_encrypted(const char *text, size_t len);
/* A secret key file's text, decrypted with password when it is
 * encrypted: ERR_INPUT when it is not a minisign secret key or the
 * password is wrong. */
int minisign_seckey_parse(struct minisign_seckey *sk, const char *text,
    size_t len, const char *password, const char *what, struct err *err);
/* A .minisig file's text: the signature of the data whose BLAKE2b-512 is
 * hash, with the trusted comment (one line). */
void minisign_sign(const struct minisign_seckey *sk,
    const uint8_t hash[MINISIGN_HASH_BYTES], const char *trusted,
    struct buf *out);

#endif
