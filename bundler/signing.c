/* Passwords, secret keys and bundle signatures (signing.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include <sodium.h>

#include "afile.h"
#include "cmd.h"
#include "signature.h"
#include "signing.h"
#include "xalloc.h"

#define SECKEY_MAX 4096		/* a secret key file is ~200 bytes */

int password_ask(const char *prompt, char *out, size_t size,
    struct err *err)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int ok;

	if (!tty)
		return err_set(err, ERR_INPUT, "no terminal to ask the "
		    "secret key's password on: set MIGPACK_PASSWORD");
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	ok = fgets(out, (int)size, tty) != NULL;
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fputc('\n', tty);
	fclose(tty);
	if (!ok)
		return err_set(err, ERR_INPUT, "no password given");
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int secret_key_load(const char *path, struct minisign_seckey *sk,
    struct err *err)
{
	struct buf text = BUF_INIT;
	struct minisign_pubkey pk;
	const char *env = getenv("MIGPACK_PASSWORD");
	char pw[1024], prompt[512];
	int ret;

	pw[0] = '\0';
	if ((ret = buf_read_file(&text, path, SECKEY_MAX, err)))
		goto out;
	if (!minisign_pubkey_parse(&pk, text.data, text.len, path, NULL)) {
		ret = err_set(err, ERR_INPUT, "'%s': a public key, not a "
		    "secret key: sign with the key migpack keygen wrote with "
		    "-s (migpack.key)", path);
		goto out;
	}
	if (minisign_seckey_encrypted(text.data, text.len)) {
		snprintf(prompt, sizeof(prompt), "Password for %s: ", path);
		if (env && strlen(env) < sizeof(pw))
			strcpy(pw, env);
		else if ((ret = password_ask(prompt, pw, sizeof(pw), err)))
			goto out;
	}
	ret = minisign_seckey_parse(sk, text.data, text.len, pw[0] ? pw :
	    NULL, path, err);
out:
	sodium_memzero(pw, sizeof(pw));
	if (text.data)
		sodium_memzero(text.data, text.len);
	buf_release(&text);
	return ret;
}

static void comment(const struct manifest *m, struct buf *out)
{
	const char *epoch = getenv("SOURCE_DATE_EPOCH");

	sig_comment(m, epoch && *epoch ? epoch : NULL, out);
}

void sign_sums(const struct minisign_seckey *sk, const struct manifest *m,
    const struct buf *sums, struct buf *out)
{
	uint8_t hash[MINISIGN_HASH_BYTES];
	struct buf tc = BUF_INIT;

	comment(m, &tc);
	minisign_hash(sums->data, sums->len, hash);
	minisign_sign(sk, hash, tc.data, out);
	buf_release(&tc);
}

int sign_detached(const struct minisign_seckey *sk, const struct manifest *m,
    const char *bundle, char **sigpath, struct err *err)
{
	uint8_t hash[MINISIGN_HASH_BYTES];
	struct buf tc = BUF_INIT, sig = BUF_INIT;
	struct afile f = AFILE_INIT;
	int ret;

	*sigpath = xasprintf("%s.minisig", bundle);
	if ((ret = minisign_hash_file(bundle, hash, err)))
		goto out;
	comment(m, &tc);
	minisign_sign(sk, hash, tc.data, &sig);
	if (!(ret = afile_open(&f, *sigpath, err)) &&
	    !(ret = afile_write(&f, sig.data, sig.len, err)))
		ret = afile_commit(&f, err);
	afile_abort(&f);
out:
	buf_release(&tc);
	buf_release(&sig);
	return ret;
}

int sign_args_load(struct sign_args *a, struct err *err)
{
	return secret_key_load(a->key, &a->sk, err);
}

int sign_args_detached(struct sign_args *a, const struct manifest *m,
    const char *bundle, struct err *err)
{
	if (!a->detached)
		return 0;
	return sign_detached(&a->sk, m, bundle, &a->sigpath, err);
}

void sign_args_print(const struct sign_args *a, const char *bundle)
{
	char hex[17];

	if (!a->key)
		return;
	minisign_keyid_hex(a->sk.keyid, hex);
	fprintf(stderr, "%s: %s: signed by key %s\n", cmd_progname, bundle,
	    hex);
	if (a->sigpath)
		fprintf(stderr, "%s: %s: its detached signature\n",
		    cmd_progname, a->sigpath);
}

void sign_args_release(struct sign_args *a)
{
	sodium_memzero(&a->sk, sizeof(a->sk));
	free(a->sigpath);
	a->sigpath = NULL;
}
