#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "minisign.h"

/* Made by Debian's minisign 0.11: minisign -G -W -p plain.pub, then
 * minisign -S -m msg.txt -t 'bundle app 0042'; and another key, enc.pub. */
static const char pub[] =
    "untrusted comment: minisign public key 31E771E271D9F564\n"
    "RWRk9dlx4nHnMRBfYG/gSilL4s8p/ThkwRtMfHihTAvClXCn1/KPbFnD\n";
static const char other_pub[] =
    "untrusted comment: minisign public key BF8D891C2254F8B7\n"
    "RWS3+FQiHImNv5DxPCpWG2vnjoDndTNU+xS8h6MtpJOHzu5w3/Hlp6gu\n";
static const char msg[] =
    "SHA256SUMS of a bundle, as a test message\n";
static const char sig[] =
    "untrusted comment: signature from minisign secret key\n"
    "RURk9dlx4nHnMXLE4zeZ+M2TYjiDCxcKr0pQ8jjyIGXELj0Cq9Lq+meBBUNtqNJjx3hS/l7mqOGpJnz8N/JTaY2Ufh1sDq2u9Qg=\n"
    "trusted comment: bundle app 0042\n"
    "c315ObkQJq7whNWauc10uaM2Wnexqy/psQwJ15oDTXSku1QJP/qchqfjqn3EY2XPGR49l5a7lWuSpysfzdVkCA==\n";

static int verify(const char *pubtext, const char *sigtext,
    const char *data, struct err *err)
{
	struct minisign_pubkey pk;
	struct minisign_sig s;
	int ret;

	if ((ret = minisign_pubkey_parse(&pk, pubtext, strlen(pubtext),
	    "key.pub", err)) ||
	    (ret = minisign_sig_parse(&s, sigtext, strlen(sigtext),
	    "msg.txt.minisig", err)))
		return ret;
	return minisign_verify(&pk, &s, data, strlen(data), "msg.txt", err);
}

static void test_minisign_verifies(void **state)
{
	struct minisign_pubkey pk;
	struct minisign_sig s;
	struct err err = ERR_INIT;
	char hex[17];

	(void)state;
	assert_int_equal(verify(pub, sig, msg, &err), 0);
	assert_int_equal(minisign_pubkey_parse(&pk, pub, strlen(pub), "k",
	    &err), 0);
	minisign_keyid_hex(pk.keyid, hex);
	assert_non_null(strstr(pub, hex));	/* as minisign shows it */
	assert_int_equal(minisign_sig_parse(&s, sig, strlen(sig), "s", &err),
	    0);
	assert_string_equal(s.trusted, "bundle app 0042");
	/* The key alone, as minisign -P takes it. */
	assert_int_equal(verify(strchr(pub, '\n') + 1, sig, msg, &err), 0);
}

/* Made by Debian's minisign 0.11 with -l: a legacy signature, of the
 * file itself; minisign -V accepts it, and so do we. */
static const char legacy_pub[] =
    "untrusted comment: minisign public key 7352620C3175D029\n"
    "RWQp0HUxDGJSc6RV0PgTcXopcqlxU+d+Zjdm+6pfEDrNH6vTVSr8HUFl\n";
static const char legacy_sig[] =
    "untrusted comment: signature from minisign secret key\n"
    "RWQp0HUxDGJSc0bFmCacJUkgY1i8EONKbcuwhXc4cXBUaH/DwUwBi/PSVlsaOnUc/fARbI2iB6JMoi29KgevGuyJSaL28ayZjAE=\n"
    "trusted comment: bundle:app\trelease:0042\n"
    "SsbEhiNlP7Hgo9QBTwmrb8kJHQRKtr15/su7cBuZEA5dv4/vGhl4n7PoMQVWViPabSDt/dsJK3+OttB0s0e3BQ==\n";

static void test_legacy_verifies(void **state)
{
	struct minisign_sig s;
	struct err err = ERR_INIT;

	(void)state;
	assert_int_equal(minisign_sig_parse(&s, legacy_sig,
	    strlen(legacy_sig), "s", &err), 0);
	assert_false(s.prehashed);
	assert_string_equal(s.trusted, "bundle:app\trelease:0042");
	assert_int_equal(verify(legacy_pub, legacy_sig, msg, &err), 0);
	assert_int_equal(verify(legacy_pub, legacy_sig, "changed\n", &err),
	    ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "the signature does not match"));
}

static void test_refused(void **state)
{
	struct err err = ERR_INIT;
	char buf[1024];
	char *p;

	(void)state;
	/* A changed file. */
	assert_int_equal(verify(pub, sig, "SHA256SUMS changed\n", &err),
	    ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "msg.txt: the signature does not "
	    "match"));
	/* Another key. */
	assert_int_equal(verify(other_pub, sig, msg, &err), ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "msg.txt: signed with key "));
	/* A changed trusted comment. */
	strcpy(buf, sig);
	p = strstr(buf, "0042");
	p[3] = '3';
	assert_int_equal(verify(pub, buf, msg, &err), ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "trusted comment was changed"));
	/* Cut short, garbled, legacy, unknown algorithm. */
	strcpy(buf, sig);
	strstr(buf, "\ntrusted comment")[1] = '\0';
	assert_int_equal(verify(pub, buf, msg, &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "no 'trusted comment:' line"));
	strcpy(buf, sig);
	p = strchr(buf, '\n') + 5;
	*p = '#';
	assert_int_equal(verify(pub, buf, msg, &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "garbled or cut"));
	strcpy(buf, sig);
	p = strchr(buf, '\n') + 1;	/* "RUR": "ED" */
	p[1] = 'W';			/* "RWR": "Ed", legacy: another sum */
	assert_int_equal(verify(pub, buf, msg, &err), ERR_INTEGRITY);
	assert_non_null(strstr(err.msg, "the signature does not match"));
	p[1] = 'V';			/* "RVR": "ET" */
	assert_int_equal(verify(pub, buf, msg, &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "unknown algorithm"));
	assert_int_equal(verify("untrusted comment: x\n", sig, msg, &err),
	    ERR_INPUT);
	assert_non_null(strstr(err.msg, "a comment line and no key"));
	assert_int_equal(verify("RWQ=\n", sig, msg, &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "not a minisign public key"));
}

/* Made by Debian's minisign 0.11 with the password "test-password":
 * minisign -G -p enc.pub -s enc.key. */
static const char enc_pub[] =
    "untrusted comment: minisign public key 168F97D763DDC55E\n"
    "RWRexd1j15ePFiOoq4qbOyN4B0QmJdOLilzQNR3prgnqYmNoAkDJkjaN\n";
static const char enc_key[] =
    "untrusted comment: minisign encrypted secret key\n"
    "RWRTY0IyHbAVLr/ZBdJPsvQCg+Avx5Y+m8JyKpDWYtm6/IIamVQAAAACAAAAAAAAAEAAAAAAU0no7tpCGwzH9UDPPtxz7vlqRGzE40ZexbXDHFG85sc8eS7kLtVqEiAdwnKoTWGYIIR4kIzmOx2JzD+VeoUrFo1tSfY7r4CctRJchluytBEM6f5XNJxsBBmFG1YbkKNwQJbfp4XekKg=\n";

/* minisign's encrypted secret key opens with its password only, and what
 * it signs verifies with its public key. */
static void test_secret_key(void **state)
{
	struct minisign_seckey sk;
	struct minisign_pubkey pk, from_sk;
	struct minisign_sig s;
	struct buf text = BUF_INIT;
	struct err err = ERR_INIT;
	uint8_t hash[MINISIGN_HASH_BYTES];

	(void)state;
	assert_true(minisign_seckey_encrypted(enc_key, strlen(enc_key)));
	assert_int_equal(minisign_seckey_parse(&sk, enc_key, strlen(enc_key),
	    NULL, "enc.key", &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "enc.key: encrypted: a password is "
	    "needed"));
	assert_int_equal(minisign_seckey_parse(&sk, enc_key, strlen(enc_key),
	    "wrong", "enc.key", &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "enc.key: wrong password"));
	assert_int_equal(minisign_seckey_parse(&sk, enc_key, strlen(enc_key),
	    "test-password", "enc.key", &err), 0);
	assert_int_equal(minisign_pubkey_parse(&pk, enc_pub, strlen(enc_pub),
	    "enc.pub", &err), 0);
	minisign_pubkey_of(&sk, &from_sk);
	assert_memory_equal(&pk, &from_sk, sizeof(pk));

	minisign_hash(msg, strlen(msg), hash);
	minisign_sign(&sk, hash, "bundle app 0043", &text);
	assert_int_equal(minisign_sig_parse(&s, text.data, text.len, "sig",
	    &err), 0);
	assert_int_equal(minisign_verify(&pk, &s, msg, strlen(msg), "msg",
	    &err), 0);
	buf_release(&text);
	assert_int_equal(minisign_seckey_parse(&sk, "untrusted comment: x\n"
	    "RWQ=\n", 22, NULL, "bad.key", &err), ERR_INPUT);
	assert_non_null(strstr(err.msg, "bad.key: not a minisign secret key"));
}

/* A key pair made here, written and read back, with and without a
 * password: the same key; its public key file names its id. */
static void test_keygen_roundtrip(void **state)
{
	struct minisign_seckey sk, back;
	struct minisign_pubkey pk, pk_back;
	struct buf text = BUF_INIT;
	struct err err = ERR_INIT;
	char hex[17];

	(void)state;
	minisign_keygen(&sk);
	assert_int_equal(minisign_seckey_write(&sk, NULL, &text, &err), 0);
	assert_false(minisign_seckey_encrypted(text.data, text.len));
	assert_int_equal(minisign_seckey_parse(&back, text.data, text.len,
	    NULL, "k", &err), 0);
	assert_memory_equal(&sk, &back, sizeof(sk));
	buf_reset(&text);
	assert_int_equal(minisign_seckey_write(&sk, "pw", &text, &err), 0);
	assert_true(minisign_seckey_encrypted(text.data, text.len));
	assert_int_equal(minisign_seckey_parse(&back, text.data, text.len,
	    "pw", "k", &err), 0);
	assert_memory_equal(&sk, &back, sizeof(sk));
	buf_reset(&text);
	minisign_pubkey_of(&sk, &pk);
	minisign_pubkey_write(&pk, &text);
	minisign_keyid_hex(pk.keyid, hex);
	assert_non_null(strstr(text.data, hex));
	assert_int_equal(minisign_pubkey_parse(&pk_back, text.data, text.len,
	    "k.pub", &err), 0);
	assert_memory_equal(&pk, &pk_back, sizeof(pk));
	buf_release(&text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minisign_verifies),
		cmocka_unit_test(test_legacy_verifies),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_secret_key),
		cmocka_unit_test(test_keygen_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
