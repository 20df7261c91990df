#!/usr/bin/env bash
# A build cut short, by a full disk (here a file-size limit) or by a signal,
# leaves nothing at OUT and no temporary file: the old bundle stays as it was.
. "$(dirname "$0")/lib.sh"

# Enough incompressible data that writing takes a while and passes 64 KiB.
mkdir -p app/seeds/big
put app/0001_init.up.sql 'select 1;\n'
head -c 30000000 /dev/urandom | base64 -w 100 >app/seeds/big/blob.sql
mkdir dest
echo old >dest/b.tar.gz

# ulimit -f counts 1 KiB blocks: the write fails with EFBIG, not a kill.
rc=0
(ulimit -f 64; exec "$MIGPACK" build -o dest/b.tar.gz app) 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "build over the size limit exited $rc, expected 1: $(cat "$T/err")"
expect_err "migpack: "
expect_err "dest/b.tar.gz"
[ "$(cat dest/b.tar.gz)" = old ] || fail "the old bundle was changed"
[ "$(ls dest)" = b.tar.gz ] || fail "left in dest/: $(ls dest)"

# SIGINT and SIGTERM while the temporary file is being written.
for sig in INT TERM; do
	"$MIGPACK" build -o dest/b.tar.gz app 2>/dev/null &
	pid=$!
	for _ in $(seq 200); do
		ls dest | grep -q tmp && break
		sleep 0.01
	done
	ls dest | grep -q tmp || fail "no temporary file appeared"
	kill -s "$sig" "$pid"
	wait "$pid" && fail "build survived SIG$sig"
	[ "$(cat dest/b.tar.gz)" = old ] || fail "SIG$sig changed the old bundle"
	[ "$(ls dest)" = b.tar.gz ] || fail "SIG$sig left in dest/: $(ls dest)"
done
