/* migpack keygen: a minisign key pair for signing bundles. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "afile.h"
#include "buf.h"
#include "cmd.h"
#include "commands.h"
#include "minisign.h"
#include "signing.h"

static int exec_keygen(int argc, char **argv, struct err *err);

static const struct option keygen_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.opts = keygen_opts,
	.shortopts = "p:s:W",
	.usage = "[-p PUBFILE] [-s SECFILE] [-W]",
	.help =
	    "Make a minisign key pair for signing bundles: the public key in\n"
	    "PUBFILE (default migpack.pub), for the hosts that trust it, and\n"
	    "the secret key in SECFILE (default migpack.key, mode 0600),\n"
	    "encrypted with a password as minisign does (scrypt).  The\n"
	    "password is asked twice on the terminal, or read from\n"
	    "$MIGPACK_PASSWORD.  Neither file is ever replaced: an existing one\n"
	    "is exit 2, nothing written.  Prints the public key's file and id.\n"
	    "The stock minisign tool takes both files.\n\n"
	    "  -p PUBFILE           where the public key goes\n"
	    "  -s SECFILE           where the secret key goes\n"
	    "  -W                   write the secret key unencrypted\n",
	.exec = exec_keygen,
};

/* The new key's password: $MIGPACK_PASSWORD, else asked twice. */
static int new_password(char *pw, size_t size, struct err *err)
{
	const char *env = getenv("MIGPACK_PASSWORD");
	char again[1024];
	int ret;

	if (env) {
		if (strlen(env) >= size)
			return err_set(err, ERR_INPUT, "MIGPACK_PASSWORD: "
			    "longer than %zu bytes", size - 1);
		strcpy(pw, env);
	} else if ((ret = password_ask("Password for the new secret key: ",
	    pw, size, err)) || (ret = password_ask("The same again: ", again,
	    sizeof(again), err))) {
		err_append(err, ", or -W for a key without one");
		return ret;
	}
	else if (strcmp(pw, again)) {
		sodium_memzero(again, sizeof(again));
		return err_set(err, ERR_INPUT, "the two passwords differ; "
		    "nothing written");
	}
	sodium_memzero(again, sizeof(again));
	if (!*pw)
		return err_set(err, ERR_INPUT, "an empty password: -W writes a "
		    "key without one, when that is what you want");
	return 0;
}

/* text into path, never replacing a file; secret: mode 0600. */
static int write_new(const char *path, const struct buf *text, int secret,
    struct err *err)
{
	struct afile f = AFILE_INIT;
	char *final = NULL;
	int ret;

	if ((ret = afile_open(&f, path, err)))
		return ret;
	if (secret && fchmod(f.fd, 0600) < 0) {
		ret = err_errno(err, ERR_RUNTIME, "'%s'", path);
		afile_abort(&f);
		return ret;
	}
	if (!(ret = afile_write(&f, text->data, text->len, err)))
		ret = afile_commit_new(&f, NULL, NULL, &final, err);
	else
		afile_abort(&f);
	free(final);
	return ret;
}

static int exec_keygen(int argc, char **argv, struct err *err)
{
	const char *pub = "migpack.pub", *sec = "migpack.key";
	struct minisign_seckey sk;
	struct minisign_pubkey pk;
	struct buf st = BUF_INIT, pt = BUF_INIT;
	char pw[1024], hex[17];
	int c, plain = 0, ret;
	struct stat s;

	while ((c = getopt_long(argc, argv, cmd_keygen_entry.shortopts,
	    keygen_opts, NULL)) != -1) {
		switch (c) {
		case 'h': return cmd_help(&cmd_keygen_entry);
		case 'p': pub = optarg; continue;
		case 's': sec = optarg; continue;
		case 'W': plain = 1; continue;
		}
		return cmd_bad_option(&cmd_keygen_entry, argc, argv, err);
	}
	if (optind != argc)
		return cmd_usage(&cmd_keygen_entry, err, "takes no arguments");
	if (!strcmp(pub, sec))
		return cmd_usage(&cmd_keygen_entry, err, "-p and -s name the "
		    "same file");
	/* Before the password is asked: nothing to ask for in vain. */
	if (!lstat(pub, &s) || !lstat(sec, &s))
		return err_set(err, ERR_INPUT, "'%s': already exists; a key "
		    "file is never replaced (nothing written)",
		    !lstat(pub, &s) ? pub : sec);
	if (!plain && (ret = new_password(pw, sizeof(pw), err)))
		goto out;
	minisign_keygen(&sk);
	minisign_pubkey_of(&sk, &pk);
	minisign_pubkey_write(&pk, &pt);
	if ((ret = minisign_seckey_write(&sk, plain ? NULL : pw, &st, err)) ||
	    (ret = write_new(sec, &st, 1, err)))
		goto out;
	if ((ret = write_new(pub, &pt, 0, err))) {
		unlink(sec);	/* made now: half a pair is no use */
		goto out;
	}
	minisign_keyid_hex(pk.keyid, hex);
	printf("public key %s, id %s\nsecret key %s%s\n", pub, hex, sec,
	    plain ? " (unencrypted: keep it where only you can read it)" :
	    "");
out:
	sodium_memzero(&sk, sizeof(sk));
	sodium_memzero(pw, sizeof(pw));
	if (st.data)
		sodium_memzero(st.data, st.len);
	buf_release(&st);
	buf_release(&pt);
	return ret;
}
