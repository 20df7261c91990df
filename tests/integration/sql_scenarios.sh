# migrun sql's scenarios, written once for both engines: a test sources
# lib.sh, an engine (engine/*.sh, which also gives DIALECT, client FILE and
# dump), scenarios.sh, then this file, and calls one scenario.  "Same"
# always means the same bytes: the engine's schema dump and the history
# rows but for applied_at and execution_ms (a no-transaction migration's
# progress included: a script's final row is an online run's).

hist() {
	q "SELECT version, name, kind, checksum, down_script, down_tx,
	    bundle_name, bundle_release, bundle_sha256, state,
	    coalesce(statements_done, -1), coalesce(statements, -1),
	    coalesce(resume_note, '-')
	    FROM migpack_history ORDER BY id"
}

# snap NAME: the current database's dump and history in NAME.dump, .hist
snap() {
	dump >"$1.dump" || fail "dump of $1 failed"
	if has_table migpack_history; then hist; fi >"$1.hist"
}

# alike A B: snapshots A and B are the same
alike() {
	cmp -s "$1.dump" "$2.dump" ||
	    fail "schema $1 differs from $2: $(diff "$1.dump" "$2.dump" | head -20)"
	cmp -s "$1.hist" "$2.hist" ||
	    fail "history $1 differs from $2: $(diff "$1.hist" "$2.hist" | head -20)"
}

# sql CODE ARGS...: migrun sql ARGS for the engine's dialect
sql() {
	local code=$1
	shift
	expect_exit "$code" "$MIGRUN" sql --dialect "$DIALECT" "$@"
}

# run_client CODE FILE [plain]: the DBA's run of FILE, exiting CODE (0 or
# not); plain: without the client's stop-on-error flag.
run_client() {
	local rc=0
	client${3:+_$3} "$2" >"$T/out" 2>"$T/err" || rc=$?
	if [ "$1" = 0 ]; then
		[ "$rc" = 0 ] || fail "$2 failed: $(cat "$T/err")"
	else
		[ "$rc" != 0 ] || fail "$2 ran, it should have stopped"
	fi
}

up_to_date() {
	mr 0 status --json "$1"
	same "status after the script" \
	    "$(js 'sorted(set(m["state"] for m in d["migrations"]))')" "['applied']"
}

# The script for an empty database does what migrun apply does: the
# example application, and 200 migrations of every kind of statement.
scen_sql_equivalence() {
	local b
	"$MIGPACK" build -o ex.tgz "$TOP/migrations" >/dev/null ||
	    fail "building the example failed"
	python3 "$TOP/tests/gen-mixed.py" mixed 200
	bundle mixed mx.tgz
	for b in ex mx; do
		newdb "${b}_online"
		mr 0 apply "$b.tgz"
		snap "${b}_online"
		newdb "${b}_offline"
		sql 0 -o "$b.sql" "$b.tgz"
		run_client 0 "$b.sql"
		snap "${b}_offline"
		alike "${b}_online" "${b}_offline"
		# A script runs nothing to time: every row records 0 ms.
		same "timed rows" "$(q 'SELECT count(*) FROM migpack_history
		    WHERE execution_ms <> 0')" 0
		up_to_date "$b.tgz"
	done
	# The generated bundle has what it promises.
	grep -q 'CREATE TRIGGER' mx.sql && grep -q "'semi;colon'" mx.sql ||
	    fail "the generated bundle lacks its statements"
	if [ "$ENGINE" = postgres ]; then
		grep -q 'AS \$body\$' mx.sql || fail "no dollar-quoted bodies"
		grep -q 'CREATE INDEX CONCURRENTLY' ex.sql ||
		    fail "the example's concurrent index is missing"
		grep -q 'WARNING: runs outside a transaction' ex.sql ||
		    fail "the no-transaction migration has no warning"
	fi
}

# --from A --to B on a database at A does what apply --to B does there;
# the rollback script brings it back to A's exact schema and history; and
# --db reads A from the database itself.
scen_sql_partial() {
	python3 "$TOP/tests/gen-mixed.py" mixed 200
	bundle mixed mx.tgz
	newdb online
	mr 0 apply --to 0057 mx.tgz
	snap at_a
	mr 0 apply --to 0130 mx.tgz
	snap online

	newdb offline
	mr 0 apply --to 0057 mx.tgz
	sql 0 --from 0057 --to 0130 -o up.sql mx.tgz
	run_client 0 up.sql
	snap offline
	alike online offline
	grep -q '^-- from     0057$' up.sql && grep -q '^-- to       0130$' up.sql ||
	    fail "the header does not name the range: $(head -8 up.sql)"

	sql 0 --from 0130 --to 0057 --down -o down.sql mx.tgz
	run_client 0 down.sql
	snap back
	alike at_a back

	# From the database: it is at 0057 again.
	expect_exit 0 "$MIGRUN" sql --db "$DB" --to 0130 -o db.sql mx.tgz
	cmp -s up.sql db.sql || fail "--db at 0057 and --from 0057 differ:
$(diff up.sql db.sql | head)"
	expect_exit 2 "$MIGRUN" sql --dialect "$([ "$DIALECT" = sqlite ] &&
	    echo postgres || echo sqlite)" --db "$DB" mx.tgz
	expect_err "database"
	# Rolled back to base with the rows' stored down scripts.
	expect_exit 0 "$MIGRUN" sql --db "$DB" --down --to base -o base.sql mx.tgz
	run_client 0 base.sql
	[ "$(q 'SELECT count(*) FROM migpack_history')" = 0 ] ||
	    fail "rows left after the rollback to base"
}

# The guard: a second run, or a run on a database at another version,
# stops before any change, naming both versions.
scen_sql_guard() {
	app app
	bundle app b.tgz
	newdb guard
	sql 0 -o all.sql b.tgz
	run_client 0 all.sql
	snap before
	run_client 1 all.sql
	grep -q 'no version (no migration applied)' "$T/out" "$T/err" ||
	    fail "the guard does not name the expected version: $(cat "$T/out" "$T/err")"
	grep -q 'it is at 0004 with 4 applied' "$T/out" "$T/err" ||
	    fail "the guard does not name the found version: $(cat "$T/out" "$T/err")"
	snap after
	alike before after
	# The script stops itself when the reviewer forgets the flag.
	run_client 1 all.sql plain
	snap after_plain
	alike before after_plain

	newdb other
	mr 0 apply --to 0002 b.tgz
	snap other_before
	sql 0 --from 0003 -o from3.sql b.tgz
	run_client 1 from3.sql
	grep -q 'version 0003 (3 versioned migrations applied)' "$T/out" "$T/err" &&
	    grep -q 'it is at 0002 with 2 applied' "$T/out" "$T/err" ||
	    fail "the guard's message: $(cat "$T/out" "$T/err")"
	snap other_after
	alike other_before other_after
	run_client 1 from3.sql plain
	snap other_after_plain
	alike other_before other_after_plain

	# No history table at all, and a script that expects one.
	newdb bare
	snap bare_before
	run_client 1 from3.sql
	snap bare_after
	alike bare_before bare_after
}

# The script's form: its header, the stop-on-error line first, one
# transaction per migration or one in all, gzip output, the same bytes
# every time, and refusals that write nothing.
scen_sql_output() {
	local first
	app app
	notx app ""
	bundle app b.tgz
	sql 0 b.tgz
	cp "$T/out" stdout.sql
	sql 0 b.tgz
	cmp -s "$T/out" stdout.sql || fail "two runs gave different bytes"
	sql 0 -o out.sql.gz b.tgz
	gzip -dc out.sql.gz | cmp -s - stdout.sql ||
	    fail "the .gz output is not the stdout bytes compressed"
	# What a killed run left beside OUT (no writer holds its lock) is
	# removed, and said in one line; another file's is not.
	echo left >out.sql.tmp.Ab12Cd
	echo other >other.sql.tmp.Ab12Cd
	sql 0 --output out.sql b.tgz
	cmp -s out.sql stdout.sql || fail "-o FILE differs from stdout"
	expect_err "migrun: removed 1 temporary file that a stopped run left in '.'"
	[ ! -e out.sql.tmp.Ab12Cd ] || fail "the leftover is still there"
	[ -e other.sql.tmp.Ab12Cd ] || fail "another file's was removed"
	grep -q "^-- bundle   app 0005 $SHA\$" out.sql ||
	    fail "the header lacks the bundle: $(head -5 out.sql)"
	first=$(grep -v '^--' out.sql | grep -v '^$' | head -n1)
	if [ "$ENGINE" = postgres ]; then
		same "first line" "$first" '\set ON_ERROR_STOP on'
		grep -q -- '-- *psql -X -v ON_ERROR_STOP=1 -f FILE' out.sql ||
		    fail "no psql command in the header"
	else
		same "first line" "$first" '.bail on'
		grep -q -- '-- *sqlite3 -bail DB < FILE' out.sql ||
		    fail "no sqlite3 command in the header"
	fi
	# One per migration; the no-transaction one writes its row dirty in
	# one and clean in another.
	same "transactions" "$(grep -cE '^BEGIN( IMMEDIATE)?;$' out.sql)" 7
	grep -A3 '^-- Migration 0005' out.sql | grep -q 'WARNING: runs outside a transaction' ||
	    fail "the no-transaction migration has no warning"
	newdb out
	run_client 0 out.sql
	up_to_date b.tgz

	# --single-transaction: refused with a no-transaction migration,
	# one transaction without it.
	rm -f refused.sql
	sql 2 --single-transaction -o refused.sql b.tgz
	expect_err "runs outside a transaction"
	[ ! -e refused.sql ] || fail "a refused script was written"
	rm app/0005_*
	bundle app b4.tgz
	sql 0 --single-transaction -o single.sql b4.tgz
	same "transactions" "$(grep -cE '^BEGIN( IMMEDIATE)?;$' single.sql)" 1
	newdb single
	run_client 0 single.sql
	up_to_date b4.tgz

	# A rollback through a migration without a down script.
	rm app/0004_create_log.down.sql
	bundle app nodown.tgz
	sql 2 --down --from 0004 --to 0002 -o down.sql nodown.tgz
	expect_err "no down script in the bundle for 0004 create_log"
	[ ! -e down.sql ] || fail "a refused rollback was written"

	# Usage.
	expect_exit 2 "$MIGRUN" sql b4.tgz
	expect_err "--dialect"
	sql 2 --from 0002 --db "$DB" b4.tgz
	sql 2 --from 0009 b4.tgz
	expect_err "--from 0009: the bundle has no such migration"
	sql 2 --down b4.tgz
	# A write that fails part way (a file-size limit) leaves nothing.
	python3 "$TOP/tests/gen-mixed.py" mixed 200
	bundle mixed mx.tgz
	expect_exit 1 sh -c 'ulimit -f 16; exec "$0" "$@"' "$MIGRUN" sql \
	    --dialect "$DIALECT" -o big.sql mx.tgz
	expect_err "big.sql"
	[ -z "$(ls | grep big.sql)" ] || fail "a failed write left $(ls | grep big.sql)"

	# A damaged bundle: nothing written.
	cp b4.tgz bad.tgz
	printf 'junk' >>bad.tgz
	sql 3 -o bad.sql bad.tgz
	[ ! -e bad.sql ] || fail "a damaged bundle gave a script"
}
