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

# stopped SIG: a build stopped by SIG while its temporary file is written.
stopped() {
	local pid
	"$MIGPACK" build -o dest/b.tar.gz app 2>/dev/null &
	pid=$!
	for _ in $(seq 200); do
		ls dest | grep -q tmp && break
		sleep 0.01
	done
	ls dest | grep -q tmp || fail "no temporary file appeared"
	kill -s "$1" "$pid"
	wait "$pid" 2>/dev/null && fail "build survived SIG$1"
	return 0
}

# SIGINT and SIGTERM while the temporary file is being written.
for sig in INT TERM; do
	stopped "$sig"
	[ "$(cat dest/b.tar.gz)" = old ] || fail "SIG$sig changed the old bundle"
	[ "$(ls dest)" = b.tar.gz ] || fail "SIG$sig left in dest/: $(ls dest)"
done

# SIGKILL cannot be caught: the temporary file stays, and the next build of
# the same bundle removes it, saying so in one line.  It touches nothing
# else: names that are not its pattern, another bundle's, a live writer's
# (it holds the file's lock), a symlink, another user's file.
stopped KILL
left=$(ls dest | grep '^b\.tar\.gz\.tmp\.......$') ||
    fail "test setup: SIGKILL left no temporary file: $(ls dest)"
keep="b.tar.gz.tmp.short b.tar.gz.tmp.ABCDEFG b.tar.gz.tmp.AB-DEF
c.tar.gz.tmp.ABCDEF b.tar.gz.tmp.LIVE01 b.tar.gz.tmp.LINK01"
for f in $keep; do echo "keep" >"dest/$f"; done
rm dest/b.tar.gz.tmp.LINK01
ln -s ../dest/c.tar.gz.tmp.ABCDEF dest/b.tar.gz.tmp.LINK01
mkdir dest/b.tar.gz.tmp.DIR001
keep="$keep b.tar.gz.tmp.DIR001"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	echo keep >dest/b.tar.gz.tmp.NOBODY
	chown nobody dest/b.tar.gz.tmp.NOBODY
	keep="$keep b.tar.gz.tmp.NOBODY"
fi
flock dest/b.tar.gz.tmp.LIVE01 sleep 60 &
holder=$!
for _ in $(seq 100); do
	flock -n dest/b.tar.gz.tmp.LIVE01 true || break
	sleep 0.02
done
expect_exit 0 "$MIGPACK" build -o dest/b.tar.gz app
kill "$holder"
[ "$(grep -c 'removed' "$T/err")" = 1 ] || fail "not one line: $(cat "$T/err")"
expect_err "migpack: removed 1 temporary file that a stopped run left in 'dest'"
[ ! -e "dest/$left" ] || fail "the killed build's $left is still there"
for f in $keep; do
	[ -e "dest/$f" ] || [ -L "dest/$f" ] || fail "removed dest/$f"
done
same_list=$(cd dest && ls -A | sort | tr '\n' ' ')
want=$(printf '%s\n' b.tar.gz $keep | sort | tr '\n' ' ')
[ "$same_list" = "$want" ] || fail "dest/ holds: $same_list; expected $want"
# Nothing to remove: nothing said.
expect_exit 0 "$MIGPACK" build -o dest/b.tar.gz app
! grep -q removed "$T/err" || fail "said something: $(cat "$T/err")"
