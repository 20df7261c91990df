# The runner's scenarios, written once and run on each engine: a t06*
# (SQLite) or t07* (PostgreSQL) script sources lib.sh, then its engine
# (engine/*.sh: ENGINE, newdb NAME, q SQL, has_table NAME, hold_lock SECS),
# then this file, and calls one scenario.

# The test application: four versioned migrations with downs, a string
# holding a semicolon, and a repeatable view.
app() {
	local d=$1
	put "$d/0001_create_items.up.sql" \
	    'CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);\n'
	put "$d/0001_create_items.down.sql" 'DROP TABLE items;\n'
	put "$d/0001_create_items.down.postgres.sql" \
	    'DROP TABLE items CASCADE;\n'
	put "$d/0002_add_price.up.sql" \
	    '-- prices in cents\nALTER TABLE items ADD COLUMN price integer;\n'
	put "$d/0002_add_price.down.sql" 'ALTER TABLE items DROP COLUMN price;\n'
	put "$d/0003_first_item.up.sql" \
	    "INSERT INTO items (id, name, price)\n    VALUES (1, 'semi;colon', 2);\n"
	put "$d/0003_first_item.down.sql" 'DELETE FROM items WHERE id = 1;\n'
	put "$d/0004_create_log.up.sql" 'CREATE TABLE log (msg text);\n'
	put "$d/0004_create_log.down.sql" 'DROP TABLE log;\n'
	put "$d/R__item_names.sql" \
	    'DROP VIEW IF EXISTS item_names;\nCREATE VIEW item_names AS SELECT name FROM items;\n'
}

# loud_sql: a statement that fails on the scenario's engine with a message
# of over 3,000 bytes (as PostgreSQL's listing every dependent object).
loud_sql() {
	if [ "$ENGINE" = postgres ]; then
		echo "DO \$\$ BEGIN RAISE EXCEPTION '%', repeat('x', 3000); END \$\$;"
	else
		echo "INSERT INTO nope$(printf 'x%.0s' $(seq 3000)) VALUES (1);"
	fi
}

# bundle DIR OUT [ENGINES]: build DIR (for ENGINES, default the
# scenario's engine) into OUT; SHA is its checksum.
bundle() {
	local line
	line=$("$MIGPACK" build --engines "${3:-$ENGINE}" -o "$2" \
	    --name app "$1") ||
	    fail "building $1 failed"
	SHA=${line##* }
}

# mr CODE ARGS...: migrun ARGS on the scenario's database, exiting CODE.
mr() {
	local code=$1
	shift
	expect_exit "$code" "$MIGRUN" "$@" --db "$DB"
}

# js EXPR: EXPR evaluated in Python over the last command's JSON output (d).
js() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$T/out" "$1" || fail "not JSON: $(cat "$T/out")"
}

# same WHAT GOT WANT
same() {
	[ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
}

states() {
	mr 0 status --json "$1"
	js '" ".join((m["version"] or m["name"]) + "=" + m["state"] for m in d["migrations"])'
}

scen_apply() {
	newdb apply
	app app
	bundle app b.tgz
	# A damaged bundle is refused whole, before anything is applied.
	cp b.tgz bad.tgz
	printf 'junk' >>bad.tgz
	mr 3 apply bad.tgz
	has_table items && fail "apply ran a damaged bundle"
	has_table migpack_history && fail "apply of a damaged bundle created the history"
	mr 0 apply b.tgz
	expect_out "applied 5 migrations: database at 0004"
	same items "$(q 'SELECT name, price FROM items')" "semi;colon|2"
	same view "$(q 'SELECT count(*) FROM item_names')" 1

	mr 0 history --json
	same current "$(js 'd["current"]')" 0004
	same versions "$(js '[m["version"] for m in d["migrations"]]')" \
	    "['0001', '0002', '0003', '0004', None]"
	same kinds "$(js '[m["kind"] for m in d["migrations"]][3:]')" \
	    "['versioned', 'repeatable']"
	same has_down "$(js '[m["has_down"] for m in d["migrations"]]')" \
	    "[True, True, True, True, False]"
	same bundle "$(js 'd["migrations"][0]["bundle"]["sha256"]')" "$SHA"
	same state "$(js 'set(m["state"] for m in d["migrations"])')" \
	    "{'applied'}"
	js 'd["migrations"][0]["applied_at"]' | grep -Eq \
	    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' ||
	    fail "applied_at: $(js 'd["migrations"][0]["applied_at"]')"
	# The history table itself, as a DBA would read it.
	same row "$(q "SELECT version, name, kind, state, bundle_name,
	    bundle_sha256, down_tx, substr(checksum, 1, 7)
	    FROM migpack_history WHERE version = '0002'")" \
	    "0002|add_price|versioned|applied|app|$SHA|transaction|sha256:"
	same down "$(q "SELECT down_script FROM migpack_history
	    WHERE version = '0004'")" "DROP TABLE log;"

	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied item_names=applied"
	mr 0 status b.tgz
	expect_out "current   0004"
	expect_out "5 applied"

	mr 0 apply b.tgz
	expect_out "nothing to apply: database at 0004"
	mr 0 apply --json b.tgz
	same json "$(js 'd["migrations"], d["from"], d["to"], d["dry_run"]')" \
	    "([], '0004', '0004', False)"
	mr 0 apply --quiet b.tgz
	[ ! -s "$T/out" ] || fail "--quiet printed: $(cat "$T/out")"
}

scen_apply_to() {
	newdb to
	app app
	bundle app b.tgz
	mr 0 apply --to 0002 --json b.tgz
	same json "$(js 'd["from"], d["to"], [m["version"] for m in d["migrations"]]')" \
	    "(None, '0002', ['0001', '0002'])"
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=pending 0004=pending item_names=pending"
	same items "$(q 'SELECT count(*) FROM items')" 0

	mr 0 apply --dry-run --json b.tgz
	same plan "$(js 'd["dry_run"], [m["version"] or m["name"] for m in d["migrations"]]')" \
	    "(True, ['0003', '0004', 'item_names'])"
	same unchanged "$(q 'SELECT count(*) FROM migpack_history')" 2
	mr 0 apply --dry-run b.tgz
	expect_out "nothing changed"
	has_table log && fail "--dry-run created a table"

	mr 2 apply --to 0009 b.tgz
	expect_err "--to 0009: the bundle has no such migration"
	# The repeatable view waits until the run reaches the newest version.
	mr 0 apply --to 3 b.tgz
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=pending item_names=pending"
	mr 0 apply b.tgz
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied item_names=applied"
}

scen_status() {
	newdb status
	app app
	bundle app b.tgz
	mr 0 status --json b.tgz
	same current "$(js 'd["current"]')" None
	mr 0 apply --to 0003 b.tgz
	# 0001 edited after it was applied, 0003 gone from the bundle.
	app app2
	put app2/0001_create_items.up.sql \
	    'CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL);\n'
	rm app2/0003_first_item.*
	bundle app2 b2.tgz
	same status "$(states b2.tgz)" \
	    "0001=changed 0002=applied 0003=missing 0004=pending item_names=pending"
	mr 0 status --json b2.tgz
	same current "$(js 'd["current"]')" 0003
	mr 0 status b2.tgz
	expect_out "1 applied, 2 pending, 1 changed, 1 missing"
	# A damaged bundle is refused before the database is read.
	printf 'junk' >>b2.tgz
	mr 3 status b2.tgz
}

scen_history() {
	newdb history
	mr 0 history --json
	same empty "$(js 'd')" "{'current': None, 'migrations': []}"
	mr 0 history
	expect_out "no history table"
	# Reading creates nothing.
	if [ "$ENGINE" = sqlite ]; then
		[ ! -e "$DBFILE" ] || fail "history created $DBFILE"
	else
		has_table migpack_history && fail "history created its table"
	fi
	app app
	bundle app b.tgz
	mr 0 apply b.tgz
	mr 0 history
	expect_out "current   0004"
	expect_out "add_price"
}

scen_down() {
	newdb down
	app app
	bundle app b.tgz
	mr 0 apply b.tgz
	mr 0 down --steps 1
	expect_out "rolled back 0004 create_log"
	has_table log && fail "0004's down did not run"
	mr 0 history --json
	same current "$(js 'd["current"]')" 0003
	mr 2 down --to base
	expect_err "--yes"
	mr 2 down --to 0004
	expect_err "not an applied migration"
	mr 2 down --steps 9
	expect_err "only 3 migrations are applied"
	mr 0 down --to 0001 --json b.tgz
	same json "$(js 'd["from"], d["to"], [m["version"] for m in d["migrations"]]')" \
	    "('0003', '0001', ['0003', '0002'])"
	same status "$(states b.tgz)" \
	    "0001=applied 0002=pending 0003=pending 0004=pending item_names=applied"
	mr 0 down --to base --yes
	has_table items && fail "--to base left items"
	same left "$(q "SELECT count(*) FROM migpack_history WHERE kind = 'versioned'")" 0

	# One migration without a down script: the whole range is refused.
	mr 0 apply b.tgz
	put app/0005_no_way_back.up.sql 'CREATE TABLE kept (x integer);\n'
	bundle app b2.tgz
	mr 0 apply b2.tgz
	mr 2 down --steps 2
	expect_err "no down script stored for 0005 no_way_back; nothing rolled back"
	has_table log || fail "a refused rollback dropped log"
	same current "$(q "SELECT max(version) FROM migpack_history")" 0005

	# A bundle given to down must agree with the stored scripts.
	newdb down2
	app app3
	bundle app3 b.tgz
	mr 0 apply b.tgz
	put app3/0004_create_log.down.sql 'DROP TABLE log; -- edited\n'
	bundle app3 b3.tgz
	mr 3 down --steps 1 b3.tgz
	expect_err "0004 create_log: the bundle's down script differs"
	has_table log || fail "a refused rollback dropped log"
	mr 0 down --steps 1 b.tgz
	has_table log && fail "0004's down did not run"

	# A down failing with a long message (PostgreSQL lists every
	# dependent object) still says where the database stands.
	newdb down_loud
	mkdir -p loud
	loud_sql >loud/0001_loud.down.sql
	put loud/0001_loud.up.sql 'CREATE TABLE t (x integer);\n'
	put loud/0002_more.up.sql 'CREATE TABLE u (x integer);\n'
	put loud/0002_more.down.sql 'DROP TABLE u;\n'
	bundle loud b4.tgz
	mr 0 apply b4.tgz
	mr 1 down --to base --yes
	expect_err "xxx...
rolling back 0001 loud failed and was undone; the database is at 0001 (1 rolled back by this run)"
	true
}

scen_stamp() {
	newdb stamp
	app app
	bundle app b.tgz
	# A database whose schema predates migpack.
	q 'CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL)'
	q 'ALTER TABLE items ADD COLUMN price integer'
	mr 2 stamp b.tgz
	expect_err "--to VERSION is required"
	mr 2 stamp --to 0042 b.tgz
	expect_err "no such migration"
	mr 0 stamp --to 0002 b.tgz
	expect_out "stamped 2 migrations as applied up to 0002"
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=pending 0004=pending item_names=pending"
	same ms "$(q "SELECT execution_ms FROM migpack_history WHERE version = '0001'")" 0
	mr 0 apply b.tgz
	same items "$(q 'SELECT count(*) FROM items')" 1
	# The stamped rows hold their down scripts: a rollback works.
	mr 0 down --to base --yes
	has_table items && fail "down past stamped migrations left items"
	true
}

scen_fail() {
	newdb fail
	app app
	put app/0005_break.up.sql \
	    'CREATE TABLE half (x integer);\n-- the next statement fails\nINSERT INTO nope\n    VALUES (1);\nCREATE TABLE never (x integer);\n'
	bundle app b.tgz
	mr 1 apply b.tgz
	expect_err "0005_break"
	grep -Eq 'up\.sql:3: ' "$T/err" || fail "no script line 3: $(cat "$T/err")"
	expect_err "$NO_TABLE_MSG"
	expect_err "migration 0005 break failed and was rolled back"
	expect_err "the database is at 0004 (4 applied by this run)"
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied 0005=pending item_names=pending"
	has_table half && fail "the failed migration's first statement stayed"
	# Nothing after the failure ran.
	has_table never && fail "the run went on after the failure"
	# The history table is created with the first migration's row: when
	# that one fails, the database is left exactly as it was.
	newdb fail_first
	put first/0001_break.up.sql 'INSERT INTO nope VALUES (1);\n'
	bundle first b2.tgz
	mr 1 apply b2.tgz
	has_table migpack_history && fail "a failed first migration left the history table"
	# The engine's words, however long, never push the outcome out: they
	# are cut instead.
	newdb fail_loud
	mkdir -p loud
	loud_sql >loud/0001_loud.up.sql
	bundle loud b3.tgz
	mr 1 apply b3.tgz
	expect_err "xxx...
migration 0001 loud failed and was rolled back; the database is at no version (0 applied by this run)"
}

scen_drift() {
	newdb drift
	app app
	bundle app b.tgz
	mr 0 apply b.tgz
	mr 0 verify b.tgz
	expect_out "no drift, at 0004"
	put app/0002_add_price.up.sql 'ALTER TABLE items ADD COLUMN price bigint;\n'
	put app/0005_more.up.sql 'CREATE TABLE more (x integer);\n'
	bundle app b2.tgz
	mr 3 apply b2.tgz
	expect_err "drift: 1 applied migration changed since it was applied; nothing done"
	expect_err "0002 add_price"
	has_table more && fail "apply went on despite drift"
	mr 3 apply --dry-run b2.tgz
	mr 3 verify b2.tgz
	expect_err "0002 add_price: changed"
	rm app/0004_create_log.*
	bundle app b3.tgz
	mr 3 verify b3.tgz
	expect_err "0004 create_log: missing"
	# Without a database, verify checks the bundle alone.
	expect_exit 0 "$MIGRUN" verify b3.tgz
}

scen_out_of_order() {
	newdb ooo
	app app
	mv app/0003_first_item.up.sql app/0003_first_item.down.sql .
	bundle app b.tgz
	mr 0 apply b.tgz
	mv 0003_first_item.up.sql 0003_first_item.down.sql app/
	bundle app b2.tgz
	mr 0 status --json b2.tgz
	mr 3 apply b2.tgz
	expect_err "out of order: pending below the newest applied migration: 0003 first_item; nothing done"
	same items "$(q 'SELECT count(*) FROM items')" 0
	mr 0 apply --allow-out-of-order b2.tgz
	same items "$(q 'SELECT count(*) FROM items')" 1
}

# A no-transaction migration; its second statement fails when $2 says so.
notx() {
	local d=$1 fails=$2 idx=
	[ "$ENGINE" = postgres ] && idx=CONCURRENTLY
	put "$d/0005_index_names.up.sql" \
	    "-- migpack:no-transaction\nCREATE INDEX $idx items_name ON items (name);\n"
	[ "$fails" = fails ] &&
	    printf 'INSERT INTO nope VALUES (1);\n' >>"$d/0005_index_names.up.sql"
	put "$d/0005_index_names.down.sql" \
	    "-- migpack:no-transaction\nDROP INDEX $idx items_name;\n"
}

has_index() {
	if [ "$ENGINE" = sqlite ]; then
		[ "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'items_name'")" = 1 ]
	else
		[ "$(q "SELECT count(*) FROM pg_indexes WHERE indexname = 'items_name'")" = 1 ]
	fi
}

scen_notx() {
	newdb notx
	app app
	notx app fails
	bundle app b.tgz
	mr 1 apply b.tgz
	expect_err "$NO_TABLE_MSG"
	expect_err "marked dirty"
	expect_err "the database is at 0004 (4 applied by this run)"
	has_index || fail "the statement before the failure was undone"
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied 0005=dirty item_names=pending"
	mr 0 history --json
	same state "$(js 'd["migrations"][4]["state"]')" dirty
	same "history's current" "$(js 'd["current"]')" 0004
	mr 0 status --json b.tgz
	same "status's current" "$(js 'd["current"]')" 0004
	mr 3 apply b.tgz
	expect_err "apply refused: migration 0005 (index_names) is dirty"
	mr 3 down --steps 1
	expect_err "down refused"
	mr 2 repair
	expect_err "dirty: 0005 index_names"
	# The operator undid the work by hand, then says so.
	q "DROP INDEX items_name"
	mr 0 repair --remove
	expect_out "removed: 0005 index_names"
	same status "$(states b.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied 0005=pending item_names=pending"
	mr 0 repair
	expect_out "nothing to repair"

	notx app ok
	bundle app b2.tgz
	mr 0 apply b2.tgz
	has_index || fail "0005 did not build its index"
	same row "$(q "SELECT state, down_tx FROM migpack_history WHERE version = '0005'")" \
	    "applied|no-transaction"
	mr 0 down --steps 1
	has_index && fail "0005's down did not drop the index"

	# A no-transaction down that fails: its row is dirty, so the
	# database is at the one below, as status and history say too.
	printf 'INSERT INTO nope VALUES (1);\n' >>app/0005_index_names.down.sql
	bundle app b4.tgz
	mr 0 apply b4.tgz
	mr 1 down --steps 2
	expect_err "rolling back 0005 index_names failed outside a transaction"
	expect_err "the database is at 0004 (0 rolled back by this run)"
	mr 0 history --json
	same "history's current" "$(js 'd["current"]')" 0004
	mr 0 status --json b4.tgz
	same "status's current" "$(js 'd["current"]')" 0004
	q "DROP INDEX IF EXISTS items_name"
	mr 0 repair --remove
	notx app ok

	# Finished by hand: marked applied.
	notx app fails
	bundle app b3.tgz
	mr 1 apply b3.tgz
	mr 0 repair --applied
	expect_out "marked applied: 0005 index_names"
	same status "$(states b3.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied 0005=applied item_names=applied"
}

scen_single() {
	newdb single
	app app
	put app/0005_break.up.sql 'INSERT INTO nope VALUES (1);\n'
	bundle app b.tgz
	mr 1 apply --single-transaction b.tgz
	expect_err "nothing was applied (--single-transaction)"
	has_table items && fail "--single-transaction kept part of the run"
	mr 0 history --json
	same history "$(js 'd["migrations"]')" "[]"
	rm app/0005_break.up.sql
	notx app ok
	bundle app b2.tgz
	mr 2 apply --single-transaction b2.tgz
	expect_err "0005 index_names runs outside a transaction"
	has_table items && fail "a refused run changed the database"
	rm app/0005_index_names.*
	bundle app b3.tgz
	mr 0 apply --single-transaction b3.tgz
	same status "$(states b3.tgz)" \
	    "0001=applied 0002=applied 0003=applied 0004=applied item_names=applied"
}

scen_concurrent() {
	local i pids=() rc idx=
	[ "$ENGINE" = postgres ] && idx=CONCURRENTLY
	newdb concurrent
	put many/0001_log.up.sql 'CREATE TABLE log (n integer);\n'
	for i in $(seq 2 30); do
		put "many/$(printf '%04d' "$i")_insert.up.sql" \
		    "INSERT INTO log VALUES ($i);\n"
	done
	put many/0015_insert.up.sql \
	    "-- migpack:no-transaction\nCREATE INDEX $idx log_n ON log (n);\nINSERT INTO log VALUES (15);\n"
	bundle many b.tgz
	for i in 1 2 3 4 5 6 7 8; do
		"$MIGRUN" apply --quiet --db "$DB" b.tgz >"out.$i" 2>"err.$i" &
		pids+=($!)
	done
	for i in 1 2 3 4 5 6 7 8; do
		rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		[ "$rc" -eq 0 ] || fail "runner $i exited $rc: $(cat "err.$i")"
	done
	same rows "$(q 'SELECT count(*), count(DISTINCT n) FROM log')" "29|29"
	same history "$(q 'SELECT count(*) FROM migpack_history')" 30
	same status "$(states b.tgz | tr ' ' '\n' | grep -vc '=applied$' || true)" 0
}

scen_lock_timeout() {
	newdb locked
	app app
	bundle app b.tgz
	mr 0 apply --to 0001 b.tgz
	hold_lock 3
	mr 4 apply --lock-timeout 0.5 b.tgz
	expect_err "lock"
	same status "$(states b.tgz | cut -d' ' -f2)" "0002=pending"
	wait
	mr 0 apply --lock-timeout 0.5 b.tgz
}

# No password in any output: from a URL, a key=value string or
# $DATABASE_URL, on success and on failure.
PW='Pw-s3cr3t-9f2x'
no_password() {
	! grep -qF -- "$PW" "$T/out" "$T/err" ||
	    fail "the password leaked: $(cat "$T/out" "$T/err")"
}

scen_passwords() {
	app app
	bundle app b.tgz postgres,sqlite	# a URL of the other engine too
	# Nothing listens on these: the connection fails.
	for url in "postgresql://alice:$PW@127.0.0.1:1/app" \
	    "postgres://alice:$PW@[::1/app" \
	    "postgresql:///app?host=/nonexistent&password=$PW" \
	    "host=/nonexistent dbname=app password=$PW" \
	    "host=/nonexistent dbname=app password='$PW x'" \
	    "host=/nonexistent password=$PW dbname=app.db"; do
		expect_exit 1 "$MIGRUN" status --db "$url" b.tgz
		no_password
		expect_exit 1 env DATABASE_URL="$url" "$MIGRUN" history
		no_password
	done
	expect_err "***"
	if [ "$ENGINE" != postgres ]; then
		return 0
	fi
	pg_password_role alice "$PW"
	local url="postgresql://alice:$PW@/postgres?host=$PGHOST&port=$PGPORT"
	for args in "apply b.tgz" "status b.tgz" "history" "verify b.tgz" \
	    "apply --to 0042 b.tgz" "down --steps 1" "status --table bad-name b.tgz"; do
		# shellcheck disable=SC2086
		expect_exit "$(case $args in *0042* | *bad-name*) echo 2 ;; *) echo 0 ;; esac)" \
		    "$MIGRUN" $args --db "$url"
		no_password
	done
	expect_exit 0 "$MIGRUN" status b.tgz --db "$url"
	expect_out "postgresql://alice:***@/postgres"
	expect_exit 1 "$MIGRUN" status b.tgz \
	    --db "postgresql://alice:wrong-$PW@/postgres?host=$PGHOST&port=$PGPORT"
	no_password
	expect_err "password authentication failed"
}

# The example application in migrations/: up, every down, up again.
scen_example() {
	newdb example
	expect_exit 0 "$MIGPACK" build -o app.tar.gz --name example-app \
	    "$TOP/migrations"
	mr 0 apply app.tar.gz
	expect_out "applied 10 migrations: database at 0010"
	same status "$(states app.tar.gz | tr ' ' '\n' | grep -vc '=applied$' || true)" 0
	has_table guild_rules || fail "0003 did not create guild_rules"
	mr 0 down --to base --yes
	has_table guild_rules && fail "down --to base left guild_rules"
	same left "$(q 'SELECT count(*) FROM migpack_history')" 0
	if [ "$ENGINE" = postgres ]; then
		# 0010 builds its index concurrently, outside any transaction.
		mr 2 apply --single-transaction app.tar.gz
		expect_err "0009 add_faq_search_index runs outside a transaction"
		mr 0 apply app.tar.gz
	else
		mr 0 apply --single-transaction app.tar.gz
	fi
	expect_out "database at 0010"
}

# A history table of another name (schema-qualified on PostgreSQL).
scen_table() {
	local table=runs
	[ "$ENGINE" = postgres ] && table=deploy.runs
	newdb table
	app app
	bundle app b.tgz
	mr 0 apply --table "$table" b.tgz
	has_table migpack_history && fail "--table $table still wrote migpack_history"
	same rows "$(q "SELECT count(*) FROM $table")" 5
	mr 0 status --table "$table" --json b.tgz
	same current "$(js 'd["current"]')" 0004
	# The default table knows nothing of it.
	mr 0 status --json b.tgz
	same current "$(js 'd["current"]')" None
	mr 0 down --table "$table" --steps 1
	same rows "$(q "SELECT count(*) FROM $table")" 4
}
