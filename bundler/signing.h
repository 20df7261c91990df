#ifndef MIGPACK_SIGNING_H
#define MIGPACK_SIGNING_H

/*
 * What migpack keygen, build --sign and sign share: passwords, secret key
 * files, and a bundle's signatures (lib/signature.h).
 */
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "manifest.h"
#include "minisign.h"

/* One line from the terminal, not echoed. */
int password_ask(const char *prompt, char *out, size_t size,
    struct err *err);

/* A minisign secret key file, decrypted with $MIGPACK_PASSWORD or a
 * password asked on the terminal when it is encrypted: ERR_INPUT naming
 * the file when it is not a secret key or the password is wrong. */
int secret_key_load(const char *path, struct minisign_seckey *sk,
    struct err *err);

/* SHA256SUMS.minisig's text: the signature of sums, its trusted comment
 * naming m's bundle and release (and SOURCE_DATE_EPOCH, when set). */
void sign_sums(const struct minisign_seckey *sk, const struct manifest *m,
    const struct buf *sums, struct buf *out);

/* --detached: BUNDLE.minisig, the signature of the whole bundle file,
 * written atomically; its path (caller frees) into *sigpath. */
int sign_detached(const struct minisign_seckey *sk, const struct manifest *m,
    const char *bundle, char **sigpath, struct err *err);

/* build --sign and sign's options: the key, loaded once the command line
 * is read; with detached, BUNDLE.minisig too. */
struct sign_args {
	const char *key;
	int detached;
	struct minisign_seckey sk;
	char *sigpath;
};

int sign_args_load(struct sign_args *a, struct err *err);
/* Write BUNDLE.minisig when asked. */
int sign_args_detached(struct sign_args *a, const struct manifest *m,
    const char *bundle, struct err *err);
/* Say on stderr who signed bundle and where the detached signature went. */
void sign_args_print(const struct sign_args *a, const char *bundle);
void sign_args_release(struct sign_args *a);

#endif
