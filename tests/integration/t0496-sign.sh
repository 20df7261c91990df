#!/usr/bin/env bash
# Signed bundles, the bundler's side: build --sign and sign put
# SHA256SUMS.minisig in the bundle (the same bytes either way, every other
# entry unchanged), which the stock minisign and sha256sum check with
# nothing of ours; --detached signs the whole file; a key made by
# minisign -G signs too; migpack verify --trust and list say who signed;
# each bad input has its own message and exit code and changes nothing.
. "$(dirname "$0")/lib.sh"
command -v minisign >/dev/null || { echo "SKIPPED: no minisign" >&2; exit 77; }

put app/0001_one.up.sql 'create table one (n int);\n'
put app/0001_one.down.sql 'drop table one;\n'
put app/0002_two.up.sql 'create table two (n int);\n'
expect_exit 0 "$MIGPACK" keygen -W -p k.pub -s k.key
kid=$(sed -n 's/.* id \([0-9A-F]\{16\}\)$/\1/p' "$T/out")
MIGPACK_PASSWORD=pw-123 expect_exit 0 "$MIGPACK" keygen -p e.pub -s e.key
eid=$(sed -n 's/.* id \([0-9A-F]\{16\}\)$/\1/p' "$T/out")

# build --sign, with a key with a password and one without.
expect_exit 0 "$MIGPACK" build -o plain.tgz app
MIGPACK_PASSWORD=pw-123 expect_exit 0 "$MIGPACK" build --sign e.key -o e.tgz app
expect_err "migpack: e.tgz: signed by key $eid"
[ "$(wc -l <"$T/out")" = 1 ] || fail "build's stdout is not one line: $(cat "$T/out")"
expect_exit 0 "$MIGPACK" build --sign k.key --detached -o s.tgz app
expect_err "migpack: s.tgz.minisig: its detached signature"
[ "$(tar -tzf s.tgz | head -n3 | tr '\n' ' ')" = "MANIFEST SHA256SUMS SHA256SUMS.minisig " ] ||
	fail "entry order: $(tar -tzf s.tgz)"
grep -q "^trusted comment: bundle:app	release:0002$" <(tar -xzOf s.tgz SHA256SUMS.minisig) ||
	fail "trusted comment: $(tar -xzOf s.tgz SHA256SUMS.minisig)"

# README's recipe, with stock tools only.
mkdir x
tar -xzf s.tgz -C x
(cd x && minisign -Vm SHA256SUMS -p ../k.pub >../v.txt 2>&1 && sha256sum -c SHA256SUMS >>../v.txt) ||
	fail "minisign or sha256sum refused: $(cat v.txt)"
grep -q "Trusted comment: bundle:app	release:0002" v.txt || fail "minisign: $(cat v.txt)"
minisign -Vm s.tgz -p k.pub >v.txt 2>&1 || fail "detached: $(cat v.txt)"
(cd x && minisign -Vm SHA256SUMS -p ../e.pub >/dev/null 2>&1) && fail "another key verified it"

# sign: the same bytes as build --sign, every other entry as it was.
cp plain.tgz p2.tgz
expect_exit 0 "$MIGPACK" sign --key k.key --detached p2.tgz
expect_out "p2.tgz sha256:$(sha256sum s.tgz | cut -d' ' -f1)"
cmp -s p2.tgz s.tgz || fail "sign and build --sign differ"
minisign -Vm p2.tgz -p k.pub >/dev/null 2>&1 || fail "sign --detached"
mkdir before after
tar -xzf plain.tgz -C before
tar -xzf p2.tgz -C after
rm after/SHA256SUMS.minisig
diff -r before after >/dev/null || fail "sign changed the content: $(diff -r before after)"
[ "$(tar -tvzf plain.tgz)" = "$(tar -tvzf p2.tgz | grep -v SHA256SUMS.minisig)" ] ||
	fail "entries' metadata changed"
# Signing again with another key replaces the signature.
MIGPACK_PASSWORD=pw-123 expect_exit 0 "$MIGPACK" sign --key e.key p2.tgz
expect_err "p2.tgz: its signature by key $kid replaced"
cmp -s p2.tgz e.tgz || fail "re-signed bundle differs from build --sign with e.key"

# Reproducible: the same inputs and key, the same bytes; a time only from
# SOURCE_DATE_EPOCH.
expect_exit 0 "$MIGPACK" build --sign k.key -o again.tgz app
cmp -s again.tgz s.tgz || fail "two signed builds differ"
SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$MIGPACK" build --sign k.key -o t1.tgz app
SOURCE_DATE_EPOCH=1700000000 expect_exit 0 "$MIGPACK" build --sign k.key -o t2.tgz app
cmp -s t1.tgz t2.tgz || fail "two signed builds with SOURCE_DATE_EPOCH differ"
tar -xzOf t1.tgz SHA256SUMS.minisig | grep -q "^trusted comment: timestamp:1700000000	bundle:app	release:0002$" ||
	fail "no timestamp: $(tar -xzOf t1.tgz SHA256SUMS.minisig)"

# verify and list say who signed, verified or not.
expect_exit 0 "$MIGPACK" verify s.tgz
expect_out "s.tgz: signed by $kid, not verified: no trusted key"
expect_exit 0 "$MIGPACK" verify --trust k.pub s.tgz
expect_out "s.tgz: signed by $kid, verified"
expect_exit 0 "$MIGPACK" verify plain.tgz
expect_out "plain.tgz: not signed"
expect_exit 3 "$MIGPACK" verify --trust k.pub plain.tgz
expect_err "'plain.tgz': not signed, and only bundles signed by a trusted key are taken (trusted: $kid)"
expect_exit 0 "$MIGPACK" list --json s.tgz
python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d["signature"] == "unverified" and d["key_id"] == sys.argv[2], d' "$T/out" "$kid" ||
	fail "list --json: $(head -c 300 "$T/out")"
expect_exit 0 "$MIGPACK" list --json plain.tgz
grep -q '"signature": "unsigned", "key_id": null' "$T/out" || fail "list --json: unsigned"
expect_exit 0 "$MIGPACK" list s.tgz
expect_out "bundle app, release 0002, for postgres,sqlite, signed by $kid, not verified: no trusted key"

# A key made by minisign -G signs our bundles, and we verify minisign's.
minisign -G -W -p m.pub -s m.key >/dev/null
# (Debian's minisign 0.11 writes the id without its leading zeros; 0.12
# and migpack write all 16 digits.)
mid=$(printf '%016X' "0x$(sed -n 's/^untrusted comment: minisign public key //p' m.pub)")
cp plain.tgz m.tgz
expect_exit 0 "$MIGPACK" sign --key m.key m.tgz
expect_exit 0 "$MIGPACK" verify --trust m.pub m.tgz
expect_out "signed by $mid, verified"
# A signature made by minisign itself, legacy (-l) or not, with the
# comment naming the bundle.
for flag in "" -l; do
	tar -xzf plain.tgz SHA256SUMS
	rm -f SHA256SUMS.minisig
	minisign -S $flag -s m.key -m SHA256SUMS -t "bundle:app	release:0002" >/dev/null
	cp plain.tgz ms.tgz
	retar ms.tgz SHA256SUMS.minisig SHA256SUMS.minisig
	expect_exit 0 "$MIGPACK" verify --trust m.pub ms.tgz
	expect_out "signed by $mid, verified"
done

# A signed bundle is a bundle to every command that reads one.
expect_exit 0 "$MIGPACK" build --previous s.tgz -o next.tgz app
expect_exit 0 "$MIGPACK" diff s.tgz app
expect_exit 0 "$MIGPACK" lint s.tgz

# Bad input: each its own message and exit code, nothing changed.
keep() { cp "$1" "$1.before"; }
same() { cmp -s "$1" "$1.before" || fail "$1 changed"; }
# A wrong password.
cp plain.tgz w.tgz
keep w.tgz
MIGPACK_PASSWORD=wrong expect_exit 2 "$MIGPACK" sign --key e.key w.tgz
expect_err "e.key: wrong password"
same w.tgz
MIGPACK_PASSWORD=wrong expect_exit 2 "$MIGPACK" build --sign e.key -o nb.tgz app
[ ! -e nb.tgz ] || fail "built with a wrong password"
# A secret key file of the wrong format: a public key, something else.
expect_exit 2 "$MIGPACK" sign --key k.pub w.tgz
expect_err "'k.pub': a public key, not a secret key"
printf 'untrusted comment: x\nnot base64 at all\n' >junk.key
expect_exit 2 "$MIGPACK" sign --key junk.key w.tgz
expect_err "junk.key: not a minisign secret key"
expect_exit 2 "$MIGPACK" sign --key nowhere.key w.tgz
expect_err "'nowhere.key': No such file or directory"
same w.tgz
# A damaged bundle is not signed, and left as it was.
head -c 300 plain.tgz >cut.tgz
keep cut.tgz
expect_exit 3 "$MIGPACK" sign --key k.key cut.tgz
expect_err "truncated gzip stream"
same cut.tgz
[ -z "$(ls -A | grep '\.tmp\.')" ] || fail "left behind: $(ls -A)"
expect_exit 2 "$MIGPACK" build --detached -o nb.tgz app
expect_err "--detached goes with --sign"

# Tampered: a script and its checksums rewritten to agree, the signature
# kept.
cp s.tgz tamper.tgz
tar -xzf s.tgz -C x
printf 'create table one (n int); drop table two;\n' >x/new.sql
sum=$(sha256sum x/new.sql | cut -d' ' -f1)
old=$(sha256sum x/migrations/0001_one/up.sql | cut -d' ' -f1)
sed "s/$old/$sum/" x/MANIFEST >x/M2
sed "s/$old/$sum/; s/^[0-9a-f]*  MANIFEST$/$(sha256sum x/M2 | cut -d' ' -f1)  MANIFEST/" x/SHA256SUMS >x/S2
retar tamper.tgz migrations/0001_one/up.sql x/new.sql
retar tamper.tgz MANIFEST x/M2
retar tamper.tgz SHA256SUMS x/S2
expect_exit 0 "$MIGPACK" verify tamper.tgz	# checksums agree
expect_exit 3 "$MIGPACK" verify --trust k.pub tamper.tgz
expect_err "'tamper.tgz': SHA256SUMS (key $kid, k.pub): the signature does not match"
# A signature copied from another bundle.
put other/0001_x.up.sql 'create table x (n int);\n'
expect_exit 0 "$MIGPACK" build --sign k.key -o other.tgz other
tar -xzOf other.tgz SHA256SUMS.minisig >other.sig
cp plain.tgz copied.tgz
retar copied.tgz SHA256SUMS.minisig other.sig
expect_exit 3 "$MIGPACK" verify --trust k.pub copied.tgz
expect_err "the signature does not match: the file was changed after it was signed, or the signature belongs to another file"
# A signature that verifies, its comment naming another bundle or release,
# or neither.
for tc in "bundle:app	release:0001" "bundle:shop	release:0002" "timestamp:1	file:SHA256SUMS	hashed"; do
	tar -xzf plain.tgz SHA256SUMS
	rm -f SHA256SUMS.minisig
	minisign -S -s m.key -m SHA256SUMS -t "$tc" >/dev/null
	cp plain.tgz named.tgz
	retar named.tgz SHA256SUMS.minisig SHA256SUMS.minisig
	expect_exit 3 "$MIGPACK" verify --trust m.pub named.tgz
	case $tc in
	timestamp*) expect_err "its trusted comment 'timestamp:1	file:SHA256SUMS	hashed' does not name the bundle and release" ;;
	*app*) expect_err "signed for bundle app release 0001, not for this one, app 0002" ;;
	*) expect_err "signed for bundle shop release 0002, not for this one, app 0002" ;;
	esac
done
# A signature by a key not trusted; a public key with another id.
expect_exit 3 "$MIGPACK" verify --trust e.pub s.tgz
expect_err "'s.tgz': signed by key $kid, which is not trusted (trusted: $eid)"
python3 - k.pub other-id.pub <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().splitlines()
raw = bytearray(base64.b64decode(lines[1]))
raw[2] ^= 0xff				# the key id's first byte
open(sys.argv[2], "w").write("untrusted comment: edited\n" +
    base64.b64encode(bytes(raw)).decode() + "\n")
PY
expect_exit 3 "$MIGPACK" verify --trust other-id.pub s.tgz
expect_err "'s.tgz': signed by key $kid, which is not trusted"
# The same id on another key: it does not verify.
python3 - k.pub e.pub same-id.pub <<'PY'
import base64, sys
k = base64.b64decode(open(sys.argv[1]).read().splitlines()[1])
e = base64.b64decode(open(sys.argv[2]).read().splitlines()[1])
open(sys.argv[3], "w").write("untrusted comment: x\n" +
    base64.b64encode(k[:10] + e[10:]).decode() + "\n")
PY
expect_exit 3 "$MIGPACK" verify --trust same-id.pub s.tgz
expect_err "the signature does not match"
# A truncated, a garbled .minisig; an unknown algorithm.
tar -xzOf s.tgz SHA256SUMS.minisig >good.sig
head -n2 good.sig >cut.sig
sed '2s/^\(.\{20\}\)./\1#/' good.sig >garbled.sig
python3 - good.sig alg.sig <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().splitlines()
raw = bytearray(base64.b64decode(lines[1]))
raw[0:2] = b"EX"
lines[1] = base64.b64encode(bytes(raw)).decode()
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
for bad in cut garbled alg; do
	cp s.tgz bad.tgz
	retar bad.tgz SHA256SUMS.minisig $bad.sig
	keep bad.tgz
	expect_exit 3 "$MIGPACK" verify bad.tgz
	case $bad in
	cut) expect_err "'bad.tgz': SHA256SUMS.minisig: a cut minisign signature (no 'trusted comment:' line)" ;;
	garbled) expect_err "'bad.tgz': SHA256SUMS.minisig: a garbled or cut minisign signature" ;;
	alg) expect_err "'bad.tgz': SHA256SUMS.minisig: a signature by the unknown algorithm 'EX'" ;;
	esac
	expect_exit 3 "$MIGPACK" list bad.tgz
	same bad.tgz
done
# A bad public key to trust.
expect_exit 2 "$MIGPACK" verify --trust junk.key s.tgz
expect_err "junk.key: not a minisign public key"
exit 0
