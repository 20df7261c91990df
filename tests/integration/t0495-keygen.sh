#!/usr/bin/env bash
# migpack keygen: a minisign key pair that the stock minisign tool signs
# and verifies with; the secret key encrypted (MIGPACK_PASSWORD, or asked
# on the terminal) or not (-W), mode 0600; no file ever replaced.
. "$(dirname "$0")/lib.sh"
command -v minisign >/dev/null || { echo "SKIPPED: no minisign" >&2; exit 77; }

printf 'a file to sign\n' >f
MIGPACK_PASSWORD=s3cret-pw expect_exit 0 "$MIGPACK" keygen -p k.pub -s k.key
id=$(sed -n 's/^public key k.pub, id \([0-9A-F]\{16\}\)$/\1/p' "$T/out")
[ -n "$id" ] || fail "no key id printed: $(cat "$T/out")"
expect_out "secret key k.key"
[ "$(head -n1 k.pub)" = "untrusted comment: minisign public key $id" ] ||
	fail "k.pub: $(cat k.pub)"
[ "$(stat -c %a k.key)" = 600 ] || fail "k.key is mode $(stat -c %a k.key)"
grep -q s3cret-pw k.key "$T/out" "$T/err" && fail "the password is written out"
# minisign signs with our secret key (its password), verifies with ours.
printf 's3cret-pw\n' | minisign -S -s k.key -m f -t 'trusted' >/dev/null 2>&1 ||
	fail "minisign could not sign with k.key"
minisign -V -p k.pub -m f >out.txt 2>&1 || fail "minisign -V: $(cat out.txt)"
grep -q "Signature and comment signature verified" out.txt ||
	fail "minisign -V: $(cat out.txt)"
# A wrong password does not open it.
rm f.minisig
printf 'wrong\n' | minisign -S -s k.key -m f >/dev/null 2>&1 &&
	fail "minisign signed with a wrong password"

# -W: no password.
expect_exit 0 "$MIGPACK" keygen -W -p w.pub -s w.key
expect_out "(unencrypted: keep it where only you can read it)"
[ "$(stat -c %a w.key)" = 600 ] || fail "w.key is mode $(stat -c %a w.key)"
minisign -S -s w.key -m f </dev/null >/dev/null 2>&1 ||
	fail "minisign could not sign with w.key"
minisign -V -p w.pub -m f >/dev/null 2>&1 || fail "minisign -V with w.pub"
# The other key does not verify it.
minisign -V -p k.pub -m f >/dev/null 2>&1 && fail "k.pub verified w.key's signature"

# Never a replaced file: an existing one, nothing written or asked.
cp k.pub k.pub.before
MIGPACK_PASSWORD=x expect_exit 2 "$MIGPACK" keygen -p k.pub -s new.key
expect_err "'k.pub': already exists; a key file is never replaced (nothing written)"
[ ! -e new.key ] || fail "new.key written"
cmp -s k.pub k.pub.before || fail "k.pub changed"
MIGPACK_PASSWORD=x expect_exit 2 "$MIGPACK" keygen -p new.pub -s k.key
[ ! -e new.pub ] || fail "new.pub written"
[ -z "$(ls -A | grep '\.tmp\.')" ] || fail "left behind: $(ls -A)"

# No password to be had: no terminal and no MIGPACK_PASSWORD; an empty one.
expect_exit 2 env -u MIGPACK_PASSWORD setsid -w "$MIGPACK" keygen -p a.pub -s a.key
expect_err "no terminal to ask the secret key's password on: set MIGPACK_PASSWORD, or -W"
MIGPACK_PASSWORD= expect_exit 2 "$MIGPACK" keygen -p a.pub -s a.key
expect_err "an empty password"
[ ! -e a.pub ] && [ ! -e a.key ] || fail "a key written"
expect_exit 2 "$MIGPACK" keygen -p same -s same
expect_exit 2 "$MIGPACK" keygen extra
