#ifndef MIGPACK_SIGNATURE_H
#define MIGPACK_SIGNATURE_H

/*
 * A bundle's signature: SHA256SUMS.minisig, the minisign signature of its
 * SHA256SUMS, which covers MANIFEST and every file; so a verified
 * signature vouches for every byte the reader goes on to check.  Its
 * trusted comment names the bundle and release, tab-separated as
 * minisign's own are:
 *
 *   [timestamp:SOURCE_DATE_EPOCH<TAB>]bundle:NAME<TAB>release:RELEASE
 *
 * and a signature whose comment names another bundle or release is
 * refused even when it verifies.
 */
#include <stddef.h>

#include "buf.h"
#include "bundle.h"
#include "err.h"
#include "minisign.h"

/* The public keys a host trusts, each with the file it came from. */
struct trusted_key {
	struct minisign_pubkey pk;
	char *from;
};

struct trust {
	struct trusted_key *keys;
	size_t nr, alloc;
};

#define TRUST_INIT { NULL, 0, 0 }

/* A public key file: ERR_INPUT naming it when it cannot be read or is not
 * a minisign public key.  A key given twice counts once. */
int trust_add_file(struct trust *t, const char *path, struct err *err);
/* Every *.pub file in dir, in name order; none when dir does not exist. */
int trust_add_dir(struct trust *t, const char *dir, struct err *err);
/* The trusted key ids, ", "-separated. */
void trust_ids(const struct trust *t, struct buf *out);
void trust_release(struct trust *t);

enum sig_state {
	SIG_UNSIGNED,
	SIG_UNVERIFIED,		/* signed; no key trusted to check it with */
	SIG_VERIFIED,		/* by a trusted key */
};

struct bundle_sig {
	enum sig_state state;
	char keyid[17];		/* the signer's, when signed ("" if unreadable) */
};

/* The signature of the bundle r (at path) held up to the keys t trusts.
 * With no key trusted: 0, unsigned or unverified (a malformed signature is
 * still ERR_INTEGRITY).  With keys trusted: 0 and verified, or
 * ERR_INTEGRITY saying why not (unsigned, another key, not matching, a
 * comment naming another bundle), the signer's key id in sig as far as it
 * is known. */
int bundle_sig_check(const struct bundle_reader *r, const char *path,
    const struct trust *t, struct bundle_sig *sig, struct err *err);

/* bundle_verify (bundle.h) with the signature checked first, before any
 * file is read. */
int bundle_verify_signed(const char *path, const struct bundle_limits *limits,
    const struct trust *t, struct bundle_sig *sig, struct manifest *m,
    char sha[CHECKSUM_HEX_LEN + 1], struct err *err);

/* "signed by KEYID, verified", "signed by KEYID, not verified: no trusted
 * key" or "not signed". */
void bundle_sig_describe(const struct bundle_sig *sig, struct buf *out);
/* The JSON members "signature": "verified|unverified|unsigned",
 * "key_id": KEYID or null. */
void bundle_sig_json(const struct bundle_sig *sig, struct buf *out);

/* The trusted comment for m's signature; epoch (SOURCE_DATE_EPOCH) or
 * NULL for none. */
void sig_comment(const struct manifest *m, const char *epoch,
    struct buf *out);

#endif
