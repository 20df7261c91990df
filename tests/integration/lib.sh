# Sourced by every integration test: a private temp folder removed on exit,
# the programs under test, and small assertions that stop the test with a
# message on the first failure.
set -eu
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${BIN:-$TOP/bin}
TOOLS=${TOOLS:-$TOP/build/tools}
MIGPACK="$BIN/migpack"
MIGRUN="$BIN/migrun"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }

# No key this host trusts is any test's but its own.
unset MIGRUN_TRUST
export MIGRUN_TRUST_DIR="$T/no-trusted-keys"

# expect_exit CODE CMD...: run CMD, keep stdout in $T/out and stderr in
# $T/err, and fail unless it exits with CODE.
expect_exit() {
	local want=$1 rc=0
	shift
	"$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want;
stdout: $(cat "$T/out")
stderr: $(cat "$T/err")"
}

# expect_err TEXT: the last command's stderr contains TEXT.
expect_err() {
	grep -qF -- "$1" "$T/err" || fail "stderr lacks '$1': $(cat "$T/err")"
}
expect_out() {
	grep -qF -- "$1" "$T/out" || fail "stdout lacks '$1': $(cat "$T/out")"
}

# no_down DIALECT: the manifest's line for lint's no-down finding, in a
# migration whose up script for DIALECT has no down.
no_down() {
	printf 'finding\tup\t%s\t1\tno-down\tinfo\t-\tno down script: migrun down cannot roll this migration back\n' "$1"
}

# A file with the given content (printf format, so \r\n can be written).
put() {
	mkdir -p "$(dirname "$1")"
	printf -- "$2" >"$1"
}

# refused DIR TEXT: the build exits 2 with one "migpack: " message holding
# TEXT, and leaves neither a bundle nor a temporary file in dest/.
refused() {
	rm -rf dest
	mkdir dest
	expect_exit 2 "$MIGPACK" build -o dest/b.tar.gz "$1"
	head -n1 "$T/err" | grep -q "^migpack: " ||
		fail "stderr does not begin with 'migpack: ': $(cat "$T/err")"
	expect_err "$2"
	[ ! -e dest/b.tar.gz ] || fail "a bundle was written despite the error"
	[ -z "$(ls -A dest)" ] || fail "left in dest/: $(ls -A dest)"
}

# retar BUNDLE NAME FILE: rewrite BUNDLE with entry NAME's content taken
# from FILE (put after SHA256SUMS when the bundle has none; FILE "-"
# removes it): a bundle changed by hand, as an attacker would.
retar() {
	python3 - "$@" <<'PY'
import gzip, io, sys, tarfile
path, name, src = sys.argv[1:4]
data = None if src == "-" else open(src, "rb").read()
members = []
with tarfile.open(path, "r:gz") as t:
    for m in t.getmembers():
        members.append((m, t.extractfile(m).read()))
out = []
done = False
for m, body in members:
    if m.name == name:
        done = True
        if data is None:
            continue
        body = data
    out.append((m, body))
    if m.name == "SHA256SUMS" and name not in [x.name for x, _ in members] \
            and data is not None:
        n = tarfile.TarInfo(name)
        n.mode, n.mtime = m.mode, m.mtime
        out.append((n, data))
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    for m, body in out:
        m.size = len(body)
        t.addfile(m, io.BytesIO(body))
with open(path, "wb") as f:
    f.write(gzip.compress(buf.getvalue(), mtime=0))
PY
}
