/* A bundle's signature held up to the keys a host trusts (signature.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "signature.h"
#include "xalloc.h"

#define PUBKEY_MAX 4096		/* a public key file is ~100 bytes */

int trust_add_file(struct trust *t, const char *path, struct err *err)
{
	struct buf text = BUF_INIT;
	struct minisign_pubkey pk;
	size_t i;
	int ret;

	if ((ret = buf_read_file(&text, path, PUBKEY_MAX, err)) ||
	    (ret = minisign_pubkey_parse(&pk, text.data, text.len, path, err)))
		goto out;
	for (i = 0; i < t->nr; i++)
		if (!memcmp(&t->keys[i].pk, &pk, sizeof(pk)))
			goto out;
	if (t->nr == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 4;
		t->keys = xreallocarray(t->keys, t->alloc, sizeof(*t->keys));
	}
	t->keys[t->nr].pk = pk;
	t->keys[t->nr++].from = xstrdup(path);
out:
	buf_release(&text);
	return ret;
}

static int is_pub(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 4 && !strcmp(e->d_name + n - 4,
	    ".pub");
}

int trust_add_dir(struct trust *t, const char *dir, struct err *err)
{
	struct dirent **names;
	char *path;
	int i, n, ret = 0;

	if ((n = scandir(dir, &names, is_pub, alphasort)) < 0)
		return errno == ENOENT ? 0 : err_errno(err, ERR_INPUT,
		    "trusted keys: '%s'", dir);
	for (i = 0; i < n; i++) {
		path = xasprintf("%s/%s", dir, names[i]->d_name);
		if (!ret)
			ret = trust_add_file(t, path, err);
		free(path);
		free(names[i]);
	}
	free(names);
	return ret;
}

void trust_ids(const struct trust *t, struct buf *out)
{
	char hex[17];
	size_t i;

	for (i = 0; i < t->nr; i++) {
		minisign_keyid_hex(t->keys[i].pk.keyid, hex);
		buf_addf(out, "%s%s", i ? ", " : "", hex);
	}
}

void trust_release(struct trust *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free(t->keys[i].from);
	free(t->keys);
	memset(t, 0, sizeof(*t));
}

void sig_comment(const struct manifest *m, const char *epoch,
    struct buf *out)
{
	if (epoch)
		buf_addf(out, "timestamp:%s\t", epoch);
	buf_addf(out, "bundle:%s\trelease:%s", m->name, m->release);
}

/* The value of the field key in a trusted comment, into out; NULL when
 * there is none. */
static const char *comment_field(const char *comment, const char *key,
    char *out, size_t size)
{
	size_t klen = strlen(key), n;
	const char *p = comment, *tab;

	for (; *p; p = *tab ? tab + 1 : tab) {
		tab = p + strcspn(p, "\t");
		if ((size_t)(tab - p) <= klen || strncmp(p, key, klen) ||
		    p[klen] != ':')
			continue;
		n = (size_t)(tab - p) - klen - 1;
		if (n >= size)
			n = size - 1;
		memcpy(out, p + klen + 1, n);
		out[n] = '\0';
		return out;
	}
	return NULL;
}

/* A verified signature's comment must name this bundle and release. */
static int check_comment(const struct manifest *m, const char *comment,
    const char *path, struct err *err)
{
	char name[512], release[512];
	const char *n = comment_field(comment, "bundle", name, sizeof(name));
	const char *r = comment_field(comment, "release", release,
	    sizeof(release));

	if (n && r && !strcmp(n, m->name) && !strcmp(r, m->release))
		return 0;
	if (!n || !r)
		return err_set(err, ERR_INTEGRITY, "'%s': %s: its trusted "
		    "comment '%s' does not name the bundle and release "
		    "(bundle:%s<TAB>release:%s, as migpack sign writes it)",
		    path, SIG_NAME, comment, m->name, m->release);
	return err_set(err, ERR_INTEGRITY, "'%s': %s: signed for bundle %s "
	    "release %s, not for this one, %s %s", path, SIG_NAME, n, r,
	    m->name, m->release);
}

static const struct trusted_key *find_key(const struct trust *t,
    const uint8_t keyid[MINISIGN_KEYID_BYTES])
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!memcmp(t->keys[i].pk.keyid, keyid, MINISIGN_KEYID_BYTES))
			return &t->keys[i];
	return NULL;
}

int bundle_sig_check(const struct bundle_reader *r, const char *path,
    const struct trust *t, struct bundle_sig *sig, struct err *err)
{
	const struct buf *text = bundle_reader_head(r, BUNDLE_SIG);
	const struct buf *sums = bundle_reader_head(r, BUNDLE_SUMS);
	const struct trusted_key *key;
	struct minisign_sig *s = xmalloc(sizeof(*s));
	struct buf ids = BUF_INIT;
	char what[4096];
	int ret = 0;

	memset(sig, 0, sizeof(*sig));
	trust_ids(t, &ids);
	snprintf(what, sizeof(what), "'%s': %s", path, SIG_NAME);
	if (!text->len) {
		if (t->nr)
			ret = err_set(err, ERR_INTEGRITY, "'%s': not signed, "
			    "and only bundles signed by a trusted key are "
			    "taken (trusted: %s)", path, ids.data);
		goto out;
	}
	if (minisign_sig_parse(s, text->data, text->len, what, err)) {
		ret = err->code = ERR_INTEGRITY;
		goto out;
	}
	minisign_keyid_hex(s->keyid, sig->keyid);
	sig->state = SIG_UNVERIFIED;
	if (!t->nr)
		goto out;
	if (!(key = find_key(t, s->keyid))) {
		ret = err_set(err, ERR_INTEGRITY, "'%s': signed by key %s, "
		    "which is not trusted (trusted: %s)", path, sig->keyid,
		    ids.data);
		goto out;
	}
	snprintf(what, sizeof(what), "'%s': %s (key %s, %s)", path,
	    SUMS_NAME, sig->keyid, key->from);
	if ((ret = minisign_verify(&key->pk, s, sums->data, sums->len, what,
	    err)) || (ret = check_comment(bundle_reader_manifest(r),
	    s->trusted, path, err)))
		goto out;
	sig->state = SIG_VERIFIED;
out:
	buf_release(&ids);
	free(s);
	return ret;
}

int bundle_verify_signed(const char *path, const struct bundle_limits *limits,
    const struct trust *t, struct bundle_sig *sig, struct manifest *m,
    char sha[CHECKSUM_HEX_LEN + 1], struct err *err)
{
	struct bundle_reader *r = NULL;
	const struct manifest_file *f;
	int ret;

	memset(sig, 0, sizeof(*sig));
	if ((ret = bundle_reader_open(&r, path, limits, err)))
		return ret;
	ret = bundle_sig_check(r, path, t, sig, err);
	while (!ret && !(ret = bundle_reader_next(r, &f, err)) && f)
		;
	if (!ret) {
		memcpy(sha, bundle_reader_sha256(r), CHECKSUM_HEX_LEN + 1);
		if (m)
			bundle_reader_take_manifest(r, m);
	}
	bundle_reader_close(r);
	return ret;
}

void bundle_sig_describe(const struct bundle_sig *sig, struct buf *out)
{
	switch (sig->state) {
	case SIG_UNSIGNED:
		buf_addstr(out, "not signed");
		break;
	case SIG_UNVERIFIED:
		buf_addf(out, "signed by %s, not verified: no trusted key",
		    sig->keyid);
		break;
	case SIG_VERIFIED:
		buf_addf(out, "signed by %s, verified", sig->keyid);
		break;
	}
}

void bundle_sig_json(const struct bundle_sig *sig, struct buf *out)
{
	static const char *const state[] = { "unsigned", "unverified",
	    "verified" };

	buf_addf(out, "\"signature\": \"%s\", \"key_id\": ", state[sig->state]);
	json_str(out, sig->state == SIG_UNSIGNED ? NULL : sig->keyid);
}
