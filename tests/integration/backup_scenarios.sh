# Backups and restore, written once for both engines (see scenarios.sh).
. "$TOP/tests/integration/scenarios.sh"

# A database at 0004 with data in it, and its full dump in before.sql.
filled() {
	newdb "$1"
	app app
	bundle app b.tgz
	mr 0 apply --no-backup b.tgz
	q "INSERT INTO items (id, name, price) VALUES (2, 'two', 20), (3, 'it''s', 30)"
	q "INSERT INTO log (msg) VALUES ('hello')"
	dump_all >before.sql
}

# The backups of database $1 in directory $2, one per line.
backups_of() {
	(cd "$2" && ls -1 | grep -E "^$1-[0-9]{8}T[0-9]{6}Z-.*\.$BACKUP_EXT\.gz\$" || true)
}

# Named as the issue says, gzip, owner-only, printed; a taken name gets a
# counter; --keep removes only this database's oldest backups.
scen_backup_files() {
	local f stamp name now
	filled shop
	mr 2 backup "${BACKUP_TOOL[@]}" b.tgz
	mr 0 backup "${BACKUP_TOOL[@]}"
	f=$(cat "$T/out")
	[[ $f =~ ^backups/shop-[0-9]{8}T[0-9]{6}Z-0004\.$BACKUP_EXT\.gz$ ]] ||
	    fail "backup name: '$f'"
	[ -f "$f" ] || fail "no file '$f'"
	gzip -t "$f" || fail "not gzip: $f"
	same "mode" "$(stat -c %a "$f")" 600
	if [ "$ENGINE" = sqlite ]; then
		zcat "$f" >copy.db
		same "restored rows" "$(sqlite3 copy.db 'SELECT count(*) FROM items')" 3
	else
		zcat "$f" | grep -q 'DROP TABLE IF EXISTS public.items' ||
		    fail "the dump does not drop what it recreates (--clean --if-exists)"
	fi

	# The names of the next minute are taken (a slow, loaded machine may
	# take seconds to start migrun): a counter, and the files there keep
	# their content.
	mkdir -p taken
	now=$(date +%s)
	for s in $(seq 0 59); do
		stamp=$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)
		echo keep >"taken/shop-$stamp-0004.$BACKUP_EXT.gz"
	done
	mr 0 backup "${BACKUP_TOOL[@]}" --dir taken --keep 0
	name=$(basename "$(cat "$T/out")")
	[[ $name =~ ^shop-[0-9]{8}T[0-9]{6}Z-0004-2\.$BACKUP_EXT\.gz$ ]] ||
	    fail "no counter: '$name'"
	for f in taken/*-0004."$BACKUP_EXT".gz; do
		same "$f" "$(cat "$f")" keep
	done

	# Retention: old backups of shop go, newest first kept; another
	# database's, a near-miss name and other files stay.
	mkdir -p keep
	for d in 20200101T000000Z 20210101T000000Z 20220101T000000Z; do
		echo old >"keep/shop-$d-0001.$BACKUP_EXT.gz"
		echo other >"keep/shopping-$d-0001.$BACKUP_EXT.gz"
	done
	echo x >"keep/shop-notes.txt"
	echo x >"keep/shop-20200101T000000Z-0001.$BACKUP_EXT"
	echo x >"keep/shop-2020-0001.$BACKUP_EXT.gz"
	mr 0 backup "${BACKUP_TOOL[@]}" --dir keep --keep 2
	[ "$(backups_of shop keep | wc -l)" = 2 ] || fail "kept: $(ls keep)"
	[ -f "keep/shop-20220101T000000Z-0001.$BACKUP_EXT.gz" ] ||
	    fail "the second newest was removed: $(ls keep)"
	[ ! -e "keep/shop-20210101T000000Z-0001.$BACKUP_EXT.gz" ] ||
	    fail "an old backup was kept: $(ls keep)"
	same "others" "$(ls keep | grep -c '^shopping-')" 3
	for f in shop-notes.txt "shop-20200101T000000Z-0001.$BACKUP_EXT" \
	    "shop-2020-0001.$BACKUP_EXT.gz"; do
		[ -f "keep/$f" ] || fail "removed an unrelated file: $f"
	done
	# Missing parents are made; a trailing slash adds none to the name.
	mr 0 backup "${BACKUP_TOOL[@]}" --dir deep/er/
	[[ $(cat "$T/out") =~ ^deep/er/shop-[0-9]{8}T[0-9]{6}Z-0004\.$BACKUP_EXT\.gz$ ]] ||
	    fail "backup in deep/er/: '$(cat "$T/out")'"
	same "mode of a made directory" "$(stat -c %a deep/er)" 700
	mr 2 backup --keep -1
	mr 2 backup --keep lots
	# A SQLite file that is not there is not made to back it up.
	if [ "$ENGINE" = sqlite ]; then
		expect_exit 2 "$MIGRUN" backup --db "sqlite:$T/none.db"
		expect_err "no such database file"
		[ ! -e "$T/none.db" ] || fail "backup created the database"
		expect_exit 2 "$MIGRUN" seed --db "sqlite:$T/none.db" b.tgz
		[ ! -e "$T/none.db" ] || fail "seed created the database"
	fi
}

# apply and down back up first when they change something, honour
# --no-backup, --backup-dir and --keep, and a database with nothing to do
# gets no backup.
scen_backup_apply() {
	local f
	newdb app
	app app
	bundle app b.tgz
	mr 0 apply --to 0002 "${BACKUP_TOOL[@]}" b.tgz
	expect_err "backup: backups/app-"
	f=$(backups_of app backups)
	[[ $f =~ -base\.$BACKUP_EXT\.gz$ ]] || fail "first backup: '$f'"
	mr 0 apply "${BACKUP_TOOL[@]}" b.tgz
	[ "$(backups_of app backups | grep -c -- '-0002\.')" = 1 ] ||
	    fail "no backup at 0002: $(ls backups)"
	# nothing to do: no backup
	mr 0 apply "${BACKUP_TOOL[@]}" b.tgz
	same "backups" "$(backups_of app backups | wc -l)" 2
	mr 0 apply --dry-run b.tgz
	same "backups after a dry run" "$(backups_of app backups | wc -l)" 2
	mr 0 down --steps 1 --backup-dir elsewhere --keep 1 "${BACKUP_TOOL[@]}"
	[ "$(backups_of app elsewhere)" != "" ] || fail "down took no backup"
	[[ $(backups_of app elsewhere) =~ -0004\. ]] || fail "down's backup: $(ls elsewhere)"
	mr 0 apply --no-backup b.tgz
	same "backups with --no-backup" "$(ls elsewhere backups | grep -c "\.$BACKUP_EXT\.gz")" 3
	mr 0 apply --quiet b.tgz
	[ ! -s "$T/err" ] || fail "--quiet printed: $(cat "$T/err")"
}

# A backup that cannot be written stops apply before any change, and
# leaves nothing that looks like a backup: a full disk (a file-size
# limit), a directory that is a file, a missing or failing pg_dump.
scen_backup_fail() {
	filled full
	# Data larger than the limit, even compressed: 600 KB of hex digits.
	if [ "$ENGINE" = sqlite ]; then
		q "INSERT INTO log (msg) VALUES (hex(randomblob(300000)))"
	else
		q "INSERT INTO log (msg) SELECT string_agg(md5(g::text), '')
		    FROM generate_series(1, 20000) g"
	fi
	dump_all >before.sql
	put app/0005_more.up.sql 'CREATE TABLE more (id integer);\n'
	bundle app b2.tgz
	mkdir -p backups
	(ulimit -f 64; expect_exit 1 "$MIGRUN" apply "${BACKUP_TOOL[@]}" --db "$DB" b2.tgz)
	expect_err "backup failed, so nothing was changed"
	[ -z "$(ls -A backups)" ] || fail "left in backups/: $(ls -A backups)"
	(ulimit -f 64; expect_exit 1 "$MIGRUN" backup "${BACKUP_TOOL[@]}" --db "$DB")
	[ -z "$(ls -A backups)" ] || fail "left in backups/: $(ls -A backups)"
	has_table more && fail "the migration ran after a failed backup"
	echo file >notadir
	mr 1 apply --backup-dir notadir "${BACKUP_TOOL[@]}" b2.tgz
	expect_err "backup directory 'notadir': not a directory"
	has_table more && fail "the migration ran after a failed backup"
	dump_all >after.sql
	cmp -s before.sql after.sql || fail "the database changed"
	if [ "$ENGINE" = postgres ]; then
		mr 1 apply --pg-dump "$T/no-such-pg_dump" b2.tgz
		expect_err "no-such-pg_dump"
		mr 1 apply --pg-dump /bin/false b2.tgz
		expect_err "pg_dump failed (exit 1)"
		# pg_dump's own complaint reaches the message
		cat >fake_dump <<'EOS'
#!/bin/sh
echo "pg_dump: error: server version mismatch" >&2
exit 1
EOS
		chmod +x fake_dump
		mr 1 backup --pg-dump ./fake_dump
		expect_err "server version mismatch"
		[ -z "$(ls -A backups)" ] || fail "left in backups/: $(ls -A backups)"
		has_table more && fail "the migration ran after a failed backup"
	fi
	mr 0 apply "${BACKUP_TOOL[@]}" b2.tgz
	has_table more || fail "apply with a working backup did not run"
}

# Data and schema, backup, a destructive migration, restore: the dump is
# the one from before, history included.
scen_restore_roundtrip() {
	local f
	filled round
	mr 0 backup "${BACKUP_TOOL[@]}"
	f=$(cat "$T/out")
	put app/0005_destroy.up.sql \
	    "DELETE FROM items WHERE id = 2;\nDROP TABLE log;\nUPDATE items SET name = 'gone';\n"
	bundle app b2.tgz
	mr 0 apply "${BACKUP_TOOL[@]}" b2.tgz
	has_table log && fail "the destructive migration did not run"

	# Without --yes: refused, saying what would be overwritten.
	mr 2 restore "${RESTORE_TOOL[@]}" "$f"
	expect_err "confirm with --yes"
	expect_err "0005"
	has_table log && fail "restored without --yes"

	mr 0 restore --yes "${BACKUP_TOOL[@]}" "${RESTORE_TOOL[@]}" "$f"
	expect_out "database at 0004"
	dump_all >after.sql
	diff before.sql after.sql >&2 || fail "the restored dump differs"
	same "states after restore" "$(states b2.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied 0005=pending item_names=applied"
	# The restore backed up what it replaced.
	[ "$(backups_of round backups | grep -c -- '-0005\.')" = 1 ] ||
	    fail "no backup of the database before the restore: $(ls backups)"
}

# A damaged or wrong backup changes nothing.
scen_restore_bad() {
	local f
	filled bad
	mr 0 backup "${BACKUP_TOOL[@]}"
	f=$(cat "$T/out")
	q "INSERT INTO items (id, name) VALUES (9, 'after')"
	dump_all >before.sql
	# cut short
	head -c $(($(stat -c %s "$f") / 2)) "$f" >"cut.$BACKUP_EXT.gz"
	mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" "cut.$BACKUP_EXT.gz"
	expect_err "cut.$BACKUP_EXT.gz"
	# not gzip
	echo "not a backup" >"plain.$BACKUP_EXT.gz"
	mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" "plain.$BACKUP_EXT.gz"
	expect_err "not a gzip file"
	# the other engine's kind of backup
	local other=sql
	[ "$BACKUP_EXT" = sql ] && other=db
	cp "$f" "x.$other.gz"
	mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" "x.$other.gz"
	expect_err "not a $ENGINE backup"
	mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" missing.gz
	# gzip of something the engine rejects
	if [ "$ENGINE" = sqlite ]; then
		head -c 8192 /dev/urandom | gzip >"junk.db.gz"
		mr 3 restore --yes --no-backup junk.db.gz
		expect_err "not a SQLite database"
	else
		local end='-- PostgreSQL database dump complete'
		printf 'CREATE TABLE half (id int);\nSELECT * FROM nope;\n%s\n' "$end" |
		    gzip >"junk.sql.gz"
		mr 1 restore --yes --no-backup "${RESTORE_TOOL[@]}" junk.sql.gz
		expect_err 'relation "nope" does not exist'
		has_table half && fail "a failed restore kept part of its work"
		# psql stops at the error long before the end of its input:
		# its message, not a broken pipe.
		{ printf 'CREATE TABLE half (id int);\nSELECT * FROM nope;\n'
		  yes 'SELECT 1;' | head -n 2000000; echo "$end"; } |
		    gzip >"long.sql.gz"
		mr 1 restore --yes --no-backup "${RESTORE_TOOL[@]}" long.sql.gz
		expect_err 'relation "nope" does not exist'
		expect_err "the restore stopped, so nothing of it was kept: the database is as it was"
		has_table half && fail "a failed restore kept part of its work"
		# psql's words, however long, never push that out.
		{ loud_sql; echo "$end"; } | gzip >"loud.sql.gz"
		mr 1 restore --yes --no-backup "${RESTORE_TOOL[@]}" loud.sql.gz
		expect_err "xxx...
the restore stopped, so nothing of it was kept: the database is as it was"

		# A whole gzip file around a dump cut short (pg_dump | gzip,
		# pg_dump failing part way): it drops tables first, so
		# committing what it has would lose them.
		zcat "$f" | head -n 60 | gzip >"cut-dump.sql.gz"
		mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" cut-dump.sql.gz
		expect_err "'cut-dump.sql.gz'"
		expect_err "not a whole pg_dump script"
		zcat "$f" | grep -v 'PostgreSQL database dump complete' |
		    gzip >"no-end.sql.gz"
		mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" no-end.sql.gz
		expect_err "does not end with pg_dump's line \"-- PostgreSQL database dump complete\""
		# A COMMIT of its own part way, after the DROPs: the guard
		# fails it, and the whole restore with it.
		zcat "$f" | sed '/^CREATE TABLE public.log /i COMMIT;' |
		    gzip >"commits.sql.gz"
		local at
		at=$(zcat commits.sql.gz | grep -nx 'COMMIT;' | cut -d: -f1)
		mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" commits.sql.gz
		expect_err "'commits.sql.gz' line $at: a COMMIT before the end of the backup"
		# Other ways out of the transaction are refused as they come.
		zcat "$f" | sed '/^CREATE TABLE public.log /i ROLLBACK;' |
		    gzip >"rollback.sql.gz"
		at=$(zcat rollback.sql.gz | grep -nx 'ROLLBACK;' | cut -d: -f1)
		mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" rollback.sql.gz
		expect_err "'rollback.sql.gz' line $at: ROLLBACK would end the transaction"
		zcat "$f" | awk '/^CREATE TABLE public.log /{print "\\connect postgres"}1' |
		    gzip >"connect.sql.gz"
		mr 2 restore --yes --no-backup "${RESTORE_TOOL[@]}" connect.sql.gz
		expect_err "psql command \\connect"
	fi
	dump_all >after.sql
	diff before.sql after.sql >&2 || fail "a failed restore changed the database"
}

# PostgreSQL: pg_dump and psql get the password in their environment, never
# on their command line, and it shows in no output, on success or failure.
scen_backup_password() {
	local url f
	PW='Pw-s3cr3t-9f2x'
	pg_password_role alice "$PW"
	pg_createdb shop alice
	url="postgresql://alice:$PW@/shop?host=$PGHOST&port=$PGPORT"
	# Wrappers that record what they were given, then run the real tool.
	for tool in pg_dump psql; do
		cat >"fake_$tool" <<EOS
#!/bin/sh
printf '%s\n' "\$@" >>"$T/$tool.argv"
echo "PGPASSWORD=\$PGPASSWORD PGUSER=\$PGUSER PGDATABASE=\$PGDATABASE" >>"$T/$tool.env"
exec "$PG_BIN/$tool" "\$@"
EOS
		chmod +x "fake_$tool"
	done
	app app
	bundle app b.tgz
	expect_exit 0 "$MIGRUN" apply --pg-dump ./fake_pg_dump --db "$url" b.tgz
	no_password
	expect_exit 0 "$MIGRUN" backup --pg-dump ./fake_pg_dump --db "$url"
	no_password
	f=$(cat "$T/out")
	expect_exit 0 "$MIGRUN" restore --yes --pg-dump ./fake_pg_dump \
	    --psql ./fake_psql --db "$url" "$f"
	no_password
	for tool in pg_dump psql; do
		[ -s "$tool.argv" ] || fail "$tool did not run"
		! grep -qF -- "$PW" "$tool.argv" ||
		    fail "the password is on $tool's command line: $(cat "$tool.argv")"
		grep -qx "PGPASSWORD=$PW PGUSER=alice PGDATABASE=shop" "$tool.env" ||
		    fail "$tool's environment: $(cat "$tool.env")"
	done
	# A password libpq read from the URL's query string, and a wrong one.
	expect_exit 0 "$MIGRUN" backup --pg-dump ./fake_pg_dump \
	    --db "postgresql:///shop?host=$PGHOST&port=$PGPORT&user=alice&password=$PW"
	no_password
	expect_exit 1 "$MIGRUN" backup --pg-dump ./fake_pg_dump \
	    --db "postgresql://alice:wrong-$PW@/shop?host=$PGHOST&port=$PGPORT"
	no_password
	# A key's sslpassword has no environment variable to go in: refused,
	# not put on pg_dump's command line.
	: >pg_dump.argv
	expect_exit 2 "$MIGRUN" backup --pg-dump ./fake_pg_dump \
	    --db "host=$PGHOST port=$PGPORT dbname=shop user=alice password=$PW sslpassword=ssl-$PW"
	expect_err "sslpassword cannot be passed"
	no_password
	[ ! -s pg_dump.argv ] || fail "pg_dump ran with an sslpassword"
}

# The state a restore must leave: the schema, every table's rows, the
# history table with its constraints, and large objects.  PostgreSQL:
# pg_dump itself.  SQLite: its schema and a summary of each table, since
# its dump of a database this size would be large.
state() {
	if [ "$ENGINE" = postgres ]; then
		dump_all
		return
	fi
	local t
	sqlite3 "$DBFILE" .schema
	for t in $(q "SELECT name FROM sqlite_master WHERE type = 'table'
	    ORDER BY name"); do
		q "SELECT '$t', count(*), total(length(quote(t.rowid))) FROM \"$t\" t"
	done
	q "SELECT * FROM migpack_history ORDER BY version"
	q "PRAGMA integrity_check"
}

# Kill every child of process $1, then wait until they and, on PostgreSQL,
# their server sessions are gone: what a stopped run left is then final.
settle() {
	local kids p i
	kids=$(pgrep -P "$1" || true)
	for p in $kids; do
		for i in $(seq 600); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
	done
	sessions_gone
}

# A restore stopped at many points, by SIGKILL and by SIGTERM, spread over
# its run, leaves the database exactly as it was before or exactly as in
# the backup: never a part (a killed psql must not commit what it had).
# Ten tables of 20,000 rows (40,000 on PostgreSQL: a restore of about a
# second) with their keys and indexes, the history and, on PostgreSQL, a
# large object, whose dump holds a BEGIN and a COMMIT.
scen_restore_killed() {
	local points=${KILL_POINTS:+$((KILL_POINTS / 2))} i k t0 t1 ms at sig pid
	points=${points:-24}
	local b a parts=0 whole=0
	filled shop
	for k in 1 2 3 4 5 6 7 8 9 10; do
		if [ "$ENGINE" = postgres ]; then
			q "CREATE TABLE t$k (id integer PRIMARY KEY, v text NOT NULL);
			   INSERT INTO t$k SELECT g, md5(g::text)
			       FROM generate_series(1, 40000) g;
			   CREATE INDEX t${k}_v ON t$k (v)"
		else
			q "CREATE TABLE t$k (id integer PRIMARY KEY, v text NOT NULL);
			   WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL
			       SELECT g + 1 FROM n WHERE g < 20000)
			   INSERT INTO t$k SELECT g, hex(randomblob(16)) FROM n;
			   CREATE INDEX t${k}_v ON t$k (v)"
		fi
	done
	if [ "$ENGINE" = postgres ]; then
		q "SELECT lo_from_bytea(4242, 'in the backup')" >/dev/null
	else
		# SQLite restores fast: 40 MB more make it last long enough
		# to be stopped part way.
		q "CREATE TABLE pad (x blob);
		   WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL
		       SELECT g + 1 FROM n WHERE g < 10000)
		   INSERT INTO pad SELECT randomblob(4096) FROM n"
	fi
	mr 0 backup --dir bk "${BACKUP_TOOL[@]}"
	b=$(cat "$T/out")
	state >backup.state

	# Before: the same tables emptied, an index and a history row gone,
	# the large object rewritten.
	for k in 1 2 3 4 5 6 7 8 9 10; do
		q "DELETE FROM t$k"
	done
	q "DROP INDEX t1_v"
	q "DELETE FROM migpack_history WHERE version = '0004'"
	[ "$ENGINE" = postgres ] &&
	    q "SELECT lo_put(4242, 0, 'BEFORE')" >/dev/null
	mr 0 backup --dir bk-before "${BACKUP_TOOL[@]}"
	a=$(cat "$T/out")
	state >before.state
	cmp -s before.state backup.state && fail "test setup: states are equal"

	# A whole restore gives the backup, and back; the second one's time
	# (caches warm) is the run the points are spread over.
	for i in 1 2; do
		t0=$(date +%s%N)
		mr 0 restore --yes --no-backup "${RESTORE_TOOL[@]}" "$b"
		t1=$(date +%s%N)
		ms=$(((t1 - t0) / 1000000))
		state >now.state
		cmp -s now.state backup.state ||
		    fail "a whole restore: $(diff backup.state now.state | head)"
		mr 0 restore --yes --no-backup "${RESTORE_TOOL[@]}" "$a"
		state >now.state
		cmp -s now.state before.state ||
		    fail "restoring before: $(diff before.state now.state | head)"
	done

	for i in $(seq 0 $((points - 1))); do
		# Points spread over the run, the first ones early.
		at=$((ms * (i + 1) / (points + 1)))
		sig=KILL
		[ $((i % 2)) = 1 ] && sig=TERM
		"$MIGRUN" restore --yes --no-backup "${RESTORE_TOOL[@]}" \
		    --db "$DB" "$b" >/dev/null 2>&1 &
		pid=$!
		sleep "$((at / 1000)).$(printf %03d $((at % 1000)))"
		kill -s "$sig" "$pid" 2>/dev/null || true
		settle "$pid"
		wait "$pid" || true
		state >now.state
		if cmp -s now.state before.state; then
			parts=$((parts + 1))
			continue
		fi
		cmp -s now.state backup.state ||
		    fail "restore stopped by SIG$sig after $at of $ms ms left a mix: $(diff before.state now.state | head -n 20)"
		whole=$((whole + 1))
		mr 0 restore --yes --no-backup "${RESTORE_TOOL[@]}" "$a"
	done
	# The copies killed restores left beside the database, the next
	# command under the run lock removed: none is left.
	mr 0 restore --yes --no-backup "${RESTORE_TOOL[@]}" "$a"
	! compgen -G "$T/.migrun-*" >/dev/null ||
	    fail "left behind: $(ls -A "$T")"
	echo "restore $ENGINE: $points points over $ms ms: $parts stopped part way, $whole had finished; 0 mixed" |
	    tee -a "${KILL_LOG:-/dev/null}" >&2
	# The points must have stopped restores part way to prove anything.
	[ "$parts" -ge $((points / 3)) ] ||
	    fail "only $parts of $points points stopped a restore part way"
}

# killed PATTERN ARGS...: migrun ARGS on the scenario's database, killed
# with SIGKILL (which nothing can catch) once a file matching PATTERN (a
# glob) exists; fails unless one is left behind.  On a loaded machine the
# file may come and go between a look and the kill: up to five tries.
killed() {
	local pattern=$1 pid i try
	shift
	for try in 1 2 3 4 5; do
		"$MIGRUN" "$@" --db "$DB" >/dev/null 2>&1 &
		pid=$!
		for i in $(seq 500); do
			compgen -G "$pattern" >/dev/null && break
			sleep 0.01
		done
		kill -s KILL "$pid" 2>/dev/null || true
		settle "$pid"
		! wait "$pid" 2>/dev/null || continue
		! compgen -G "$pattern" >/dev/null || return 0
	done
	fail "test setup: migrun $* killed five times left no $pattern"
}

# A backup and a restore killed with SIGKILL leave their temporary files;
# the next command that writes in the same place, under the run lock,
# removes them and says so in one line.  It never touches a file it did
# not name: another database's, a near-miss name, a live writer's.
scen_leftovers() {
	local f left keep
	filled shop
	if [ "$ENGINE" = postgres ]; then
		q "CREATE TABLE pad AS SELECT g, md5(g::text) AS v
		    FROM generate_series(1, 300000) g"
	else
		q "CREATE TABLE pad (x blob);
		   WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL
		       SELECT g + 1 FROM n WHERE g < 10000)
		   INSERT INTO pad SELECT randomblob(4096) FROM n"
	fi
	mkdir bk
	# Files the sweeps must leave: another database's, near misses, a
	# writer that is alive (it holds the lock).
	keep="shopping-20200101T000000Z-0004.$BACKUP_EXT.gz.tmp.ABCDEF
.migrun-shopping-ABCDEF
shop-20200101T000000Z-0004.$BACKUP_EXT.gz.tmp.ABC
shop-2020-0004.$BACKUP_EXT.gz.tmp.ABCDEF
.migrun-shop-ABCDE!
shop-20200101T000000Z-0004.$BACKUP_EXT.gz.tmp.LIVE01"
	for f in $keep; do echo keep >"bk/$f"; done
	flock "bk/shop-20200101T000000Z-0004.$BACKUP_EXT.gz.tmp.LIVE01" sleep 120 &
	local holder=$!
	# What a killed run leaves: six of mkstemp's characters, and a
	# backup's name of this year.
	local x='[[:alnum:]]' tmp scratch
	tmp="bk/shop-$(date -u +%Y)*.tmp.$x$x$x$x$x$x"
	scratch="bk/.migrun-shop-$x$x$x$x$x$x"
	# A killed backup, then the next.
	killed "$tmp" backup --dir bk "${BACKUP_TOOL[@]}"
	if [ "$ENGINE" = sqlite ]; then
		killed "$scratch" backup --dir bk
	fi
	left=$(cd bk && ls -A | grep -vxF "$keep")
	mr 0 backup --dir bk "${BACKUP_TOOL[@]}"
	f=$(cat "$T/out")
	expect_err "migrun: removed $(echo "$left" | wc -l) temporary file"
	expect_err " that a stopped run left in 'bk'"
	[ "$(grep -c removed "$T/err")" = 1 ] || fail "not one line: $(cat "$T/err")"
	same "bk/ after the sweep" "$(cd bk && ls -A | sort)" \
	    "$( (echo "$keep"; basename "$f") | sort)"
	# The same through restore's backup, quietly with --quiet.
	killed "$tmp" backup --dir bk "${BACKUP_TOOL[@]}"
	mr 0 restore --yes --backup-dir bk --quiet "${BACKUP_TOOL[@]}" \
	    "${RESTORE_TOOL[@]}" "$f"
	[ ! -s "$T/err" ] || fail "--quiet printed: $(cat "$T/err")"
	[ -z "$(cd bk && ls -A | grep -vxF "$keep" | grep tmp)" ] ||
	    fail "left in bk/: $(ls -A bk)"
	kill "$holder"

	[ "$ENGINE" = sqlite ] || return 0
	# A killed restore leaves its copy beside the database: any command
	# that takes the run lock there removes it, and not another
	# database's.
	echo keep >"$T/.migrun-other.db-ABCDEF"
	scratch="$T/.migrun-shop.db-$x$x$x$x$x$x"
	killed "$scratch" restore --yes --no-backup "$f"
	app app
	bundle app b.tgz
	mr 0 apply --no-backup b.tgz
	expect_err "migrun: removed 1 temporary file that a stopped run left in '$T'"
	compgen -G "$scratch" >/dev/null && fail "a copy is left: $(ls -A "$T")"
	[ -f "$T/.migrun-other.db-ABCDEF" ] || fail "removed another database's file"
	# A command that takes no lock removes nothing.
	killed "$scratch" restore --yes --no-backup "$f"
	mr 0 status b.tgz
	compgen -G "$scratch" >/dev/null ||
	    fail "status, which takes no lock, removed a file"
	return 0
}
