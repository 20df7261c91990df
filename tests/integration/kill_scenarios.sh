# migrun killed with SIGKILL at many points of a run (before, inside and
# between migrations, during history writes, inside a no-transaction
# migration), on each engine.  After each kill the database must be
# consistent (each history row's migration has its effect, no effect is
# without its row, a dirty no-transaction migration's done statements
# have theirs), and the run, finished (with --resume where a row is
# dirty), must leave what an uninterrupted run leaves.  Sourced after
# lib.sh and an engine file.
#
# KILL_POINTS (default 30) points for apply, half as many for the other
# commands; `KILL_POINTS=500 make test-kill` runs many more.

KILL_POINTS=${KILL_POINTS:-30}
# Where each scenario's line of figures goes too (make test-kill's).
KILL_LOG=${KILL_LOG:-/dev/null}

# 45 versioned migrations: every ninth runs outside a transaction (three
# statements, each harmless twice), the others in one (two tables and a
# row); the first three have no down script; three repeatable views; a
# seed profile of two CSV files (20,000 rows each) and a script.  Every
# statement's effect is a table or view named after it: s_VERSION_K for
# statement K, r_NAME for a repeatable.
kill_bundle() {
	local d=$1 i v k
	mkdir -p "$d/seeds/default"
	for i in $(seq 1 45); do
		v=$(printf %04d "$i")
		if [ $((i % 9)) = 0 ]; then
			{
				echo '-- migpack:no-transaction'
				for k in 1 2 3; do
					echo "create table if not exists s_${v}_$k (a int);"
				done
			} >"$d/${v}_notx.up.sql"
			{
				echo '-- migpack:no-transaction'
				for k in 3 2 1; do
					echo "drop table if exists s_${v}_$k;"
				done
			} >"$d/${v}_notx.down.sql"
			continue
		fi
		printf 'create table s_%s_1 (a int);\ninsert into s_%s_1 values (%d);\ncreate table s_%s_2 (a int);\n' \
		    "$v" "$v" "$i" "$v" >"$d/${v}_tx.up.sql"
		[ "$i" -le 3 ] ||
		    printf 'drop table s_%s_2;\ndrop table s_%s_1;\n' "$v" "$v" \
		    >"$d/${v}_tx.down.sql"
	done
	for k in a b c; do
		printf 'drop view if exists r_%s;\ncreate view r_%s as select count(*) as n from s_0001_1;\n' \
		    "$k" "$k" >"$d/R__view_$k.sql"
	done
	for k in 0004 0005; do
		{ echo a; seq 1 20000; } >"$d/seeds/default/s_${k}_1.csv"
	done
	echo 'insert into s_0006_1 values (-1);' >"$d/seeds/default/90_last.sql"
}

# The objects (tables, views) and history rows (KEY STATE DONE), for
# the checker; and the state an uninterrupted run is compared on.
kill_objects() {
	if [ "$ENGINE" = postgres ]; then
		q "SELECT table_name FROM information_schema.tables WHERE
		    table_schema = 'public' AND table_name NOT LIKE 'migpack%'
		    ORDER BY 1"
	else
		q "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')
		    AND name NOT LIKE 'migpack%' ORDER BY 1"
	fi
}
kill_rows() {
	has_table migpack_history || return 0
	q "SELECT coalesce(version, name), state, coalesce(statements_done, -1)
	    FROM migpack_history ORDER BY 1" | tr '|' ' '
}
kill_state() {
	kill_objects
	has_table migpack_history &&
	    q "SELECT coalesce(version, name), kind, checksum, state,
	    coalesce(statements_done, -1), coalesce(statements, -1),
	    coalesce(resume_note, '-'), bundle_sha256 FROM migpack_history
	    ORDER BY 1"
	has_table migpack_seeds &&
	    q "SELECT path, checksum, row_count FROM migpack_seeds ORDER BY 1"
	q "SELECT count(*) FROM s_0004_1" 2>/dev/null || true
}

# Consistency of the database now (see the top), for a run of direction
# up or down: a rollback that stops inside a no-transaction down script
# may leave any part of it.
kill_check() {
	kill_objects >objects.txt
	kill_rows >rows.txt
	python3 - "$1" objects.txt rows.txt <<'PY'
import re, sys
direction, objects, rows = sys.argv[1], set(open(sys.argv[2]).read().split()), {}
for line in open(sys.argv[3]):
    key, state, done = line.split()
    rows[key] = (state, int(done))
bad = []
for i in range(1, 46):
    v = "%04d" % i
    notx = i % 9 == 0
    n = 3 if notx else 2
    have = [k for k in range(1, n + 1) if "s_%s_%d" % (v, k) in objects]
    row = rows.get(v)
    if row is None:
        if have:
            bad.append("%s has no row, and tables %s" % (v, have))
    elif row[0] == "applied":
        if len(have) != n:
            bad.append("%s applied, with only tables %s" % (v, have))
    elif notx and row[1] >= 0:
        done = row[1]
        if [k for k in range(1, done + 1) if k not in have] or [k for k in have if k > done + 1]:
            bad.append("%s dirty, %d done, with tables %s" % (v, done, have))
    elif not (notx and direction == "down"):
        bad.append("%s is %s" % (v, row))
for k in "abc":
    if ("view_" + k in rows) != ("r_" + k in objects):
        bad.append("view %s: row %s, view %s" % (k, "view_" + k in rows, "r_" + k in objects))
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
}

# Point i of n over a run of ms milliseconds: the first ones early.
kill_at() {
	local at=$(($3 * ($1 + 1) / ($2 + 1)))
	printf '%d.%03d' $((at / 1000)) $((at % 1000))
}

# run_killed SECONDS ARGS...: migrun ARGS on the database, killed with
# SIGKILL after SECONDS; whether it had finished is in $FINISHED.
run_killed() {
	local secs=$1 pid
	shift
	"$MIGRUN" "$@" --db "$DB" >/dev/null 2>&1 &
	pid=$!
	sleep "$secs"
	FINISHED=0
	kill -s KILL "$pid" 2>/dev/null || FINISHED=1
	wait "$pid" 2>/dev/null || true
	sessions_gone
}

# A copy of the database base as the scenario's database, named NAME.
kill_copy() {
	if [ "$ENGINE" = postgres ]; then
		pg_psql -d postgres -c "SET client_min_messages = warning" \
		    -c "DROP DATABASE IF EXISTS $2" \
		    -c "CREATE DATABASE $2 TEMPLATE $1" >/dev/null
		DBNAME=$2
		DB="postgresql:///$2?host=$PGHOST&port=$PGPORT&user=postgres"
	else
		rm -f "$T/$2.db"
		[ ! -e "$T/$1.db" ] || cp "$T/$1.db" "$T/$2.db"
		DBFILE="$T/$2.db"
		DB="sqlite:$DBFILE"
	fi
}

# A run's time in ms, the shortest of three (caches warm).
kill_time() {
	local t0 t1 i times=()
	for i in 1 2 3; do
		"$1"
		t0=$(date +%s%N)
		"$2" >/dev/null 2>&1 || fail "test setup: the uninterrupted run failed"
		t1=$(date +%s%N)
		times+=($(((t1 - t0) / 1000000)))
	done
	printf "%s\n" "${times[@]}" | sort -n | sed -n 1p
}

scen_kill_apply() {
	local points=$KILL_POINTS ms i at parts=0 dirty=0 finished=0
	kill_bundle kb
	expect_exit 0 "$MIGPACK" build -o kb.tgz kb
	newdb kbase
	newdb kwhole
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup kb.tgz
	kill_state >whole.state
	reset() { kill_copy kbase krun; }
	go() { "$MIGRUN" apply --no-backup --db "$DB" kb.tgz; }
	ms=$(kill_time reset go)
	for i in $(seq 0 $((points - 1))); do
		at=$(kill_at "$i" "$points" "$ms")
		kill_copy kbase "kcut"
		run_killed "$at" apply --no-backup kb.tgz
		kill_check up >check.txt ||
		    fail "apply killed after $at s: $(cat check.txt)"
		if [ "$FINISHED" = 1 ]; then
			finished=$((finished + 1))
		elif grep -q ' dirty ' rows.txt; then
			dirty=$((dirty + 1))
		else
			parts=$((parts + 1))
		fi
		if grep -q ' dirty ' rows.txt; then
			expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --resume kb.tgz
		else
			expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup kb.tgz
		fi
		kill_state >now.state
		cmp -s whole.state now.state ||
		    fail "apply killed after $at s, finished: $(diff whole.state now.state | head)"
	done
	echo "apply $ENGINE: $points points over $ms ms: $parts stopped between or in migrations, $dirty in a no-transaction one, $finished had finished; 0 inconsistent" |
	    tee -a "$KILL_LOG" >&2
	[ "$parts" -ge $((points / 3)) ] ||
	    fail "only $parts of $points points stopped the run part way"
}

scen_kill_down() {
	local points=$((KILL_POINTS / 2)) ms i at parts=0 dirty=0 finished=0 v
	local quiet=
	[ "$ENGINE" = postgres ] && quiet='SET client_min_messages = warning; '

	kill_bundle kb
	expect_exit 0 "$MIGPACK" build -o kb.tgz kb
	newdb kdown
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup kb.tgz
	kill_copy kdown kwhole
	expect_exit 0 "$MIGRUN" down --db "$DB" --no-backup --to 0003 kb.tgz
	kill_state >whole.state
	reset() { kill_copy kdown krun; }
	go() { "$MIGRUN" down --no-backup --to 0003 --db "$DB" kb.tgz; }
	ms=$(kill_time reset go)
	for i in $(seq 0 $((points - 1))); do
		at=$(kill_at "$i" "$points" "$ms")
		kill_copy kdown "kcut"
		run_killed "$at" down --no-backup --to 0003 kb.tgz
		kill_check down >check.txt ||
		    fail "down killed after $at s: $(cat check.txt)"
		if [ "$FINISHED" = 1 ]; then
			finished=$((finished + 1))
		elif grep -q ' dirty ' rows.txt; then
			# A rollback outside a transaction records no
			# progress: its down script is finished by hand (each
			# statement harmless twice), then the row removed.
			dirty=$((dirty + 1))
			v=$(awk '$2 == "dirty" {print $1}' rows.txt)
			q "$quiet$(sed 1d "kb/${v}_notx.down.sql")"
			expect_exit 0 "$MIGRUN" repair --db "$DB" --remove
		else
			parts=$((parts + 1))
		fi
		expect_exit 0 "$MIGRUN" down --db "$DB" --no-backup --to 0003 kb.tgz
		kill_state >now.state
		cmp -s whole.state now.state ||
		    fail "down killed after $at s, finished: $(diff whole.state now.state | head)"
	done
	echo "down $ENGINE: $points points over $ms ms: $parts stopped part way, $dirty in a no-transaction one, $finished had finished; 0 inconsistent" |
	    tee -a "$KILL_LOG" >&2
	[ "$parts" -ge $((points / 3)) ] ||
	    fail "only $parts of $points points stopped the rollback part way"
}

# Seeds load all or nothing.
scen_kill_seed() {
	local points=$((KILL_POINTS / 2)) ms i at parts=0 finished=0 before
	kill_bundle kb
	expect_exit 0 "$MIGPACK" build -o kb.tgz kb
	newdb kseed
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup kb.tgz
	kill_state >before.state
	kill_copy kseed kwhole
	expect_exit 0 "$MIGRUN" seed --db "$DB" kb.tgz
	kill_state >whole.state
	cmp -s before.state whole.state && fail "test setup: seeding changed nothing"
	reset() { kill_copy kseed krun; }
	go() { "$MIGRUN" seed --db "$DB" kb.tgz; }
	ms=$(kill_time reset go)
	for i in $(seq 0 $((points - 1))); do
		at=$(kill_at "$i" "$points" "$ms")
		kill_copy kseed "kcut"
		run_killed "$at" seed kb.tgz
		kill_state >now.state
		if cmp -s now.state before.state; then
			parts=$((parts + 1))
		else
			cmp -s now.state whole.state ||
			    fail "seed killed after $at s left a part: $(diff before.state now.state | head)"
			finished=$((finished + 1))
		fi
		expect_exit 0 "$MIGRUN" seed --db "$DB" kb.tgz
		kill_state >now.state
		cmp -s whole.state now.state ||
		    fail "seed killed after $at s, seeded again: $(diff whole.state now.state | head)"
	done
	echo "seed $ENGINE: $points points over $ms ms: $parts left nothing, $finished everything; 0 partial" |
	    tee -a "$KILL_LOG" >&2
	[ "$parts" -ge $((points / 3)) ] ||
	    fail "only $parts of $points points stopped the seed part way"
}

# A backup: no file that looks complete unless it is, and the database
# as it was.
scen_kill_backup() {
	local points=$((KILL_POINTS / 2)) ms i at whole=0 none=0 f n
	kill_bundle kb
	expect_exit 0 "$MIGPACK" build -o kb.tgz kb
	newdb kbackup
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup kb.tgz
	expect_exit 0 "$MIGRUN" seed --db "$DB" kb.tgz
	kill_state >before.state
	go() { "$MIGRUN" backup --dir bk-time "${BACKUP_TOOL[@]}" --db "$DB"; }
	ms=$(kill_time true go)
	for i in $(seq 0 $((points - 1))); do
		at=$(kill_at "$i" "$points" "$ms")
		rm -rf bk
		run_killed "$at" backup --dir bk "${BACKUP_TOOL[@]}"
		kill_state >now.state
		cmp -s before.state now.state ||
		    fail "backup killed after $at s changed the database"
		n=0
		for f in bk/*."$BACKUP_EXT".gz; do
			[ -e "$f" ] || continue
			n=$((n + 1))
			gzip -t "$f" 2>/dev/null ||
			    fail "backup killed after $at s left $f, cut short"
			if [ "$ENGINE" = postgres ]; then
				zcat "$f" | grep -q '^-- PostgreSQL database dump complete' ||
				    fail "backup killed after $at s left $f, a cut dump"
			else
				zcat "$f" >copy.db
				[ "$(sqlite3 copy.db 'PRAGMA integrity_check')" = ok ] ||
				    fail "backup killed after $at s left $f, not whole"
			fi
		done
		if [ "$n" = 0 ]; then none=$((none + 1)); else whole=$((whole + 1)); fi
		# The next backup removes what the killed one left.
		expect_exit 0 "$MIGRUN" backup --db "$DB" --dir bk "${BACKUP_TOOL[@]}"
		[ -z "$(find bk -name '*.tmp.*' -o -name '.migrun-*')" ] ||
		    fail "left behind: $(ls -A bk)"
	done
	echo "backup $ENGINE: $points points over $ms ms: $none left no backup, $whole a whole one; 0 cut" |
	    tee -a "$KILL_LOG" >&2
	[ "$none" -ge $((points / 3)) ] ||
	    fail "only $none of $points points stopped the backup part way"
}
