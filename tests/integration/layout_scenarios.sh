# Layouts as their own tools run them, written once for both engines: a
# test sources lib.sh, an engine (engine/*.sh: client FILE, dump), then
# scenarios.sh and this file, and calls one scenario.  migrun's schema is
# compared with the one the engine's own client leaves running the same
# scripts as the source tool runs them.

# as_tool NAME [tx|raw] FILE...: a fresh database NAME with FILEs run by the
# engine's client, each in a transaction of its own (tx) or as written.
as_tool() {
	local name=$1 how=$2 f
	shift 2
	newdb "$name"
	for f in "$@"; do
		if [ "$how" = tx ]; then
			{ echo 'BEGIN;'; cat "$f"; printf '\nCOMMIT;\n'; } >"$T/one.sql"
		else
			cp "$f" "$T/one.sql"
		fi
		client "$T/one.sql" >/dev/null 2>"$T/client.err" ||
		    fail "the client failed on $f: $(cat "$T/client.err")"
	done
}

# schema: the database's schema without migrun's history table.
schema() {
	q 'DROP TABLE IF EXISTS migpack_history' >/dev/null 2>&1
	dump
}

# same_schema A B: the schemas A and B (files) are the same.
same_schema() {
	cmp -s "$1" "$2" ||
	    fail "schema $1 differs from $2: $(diff "$1" "$2" | head -20)"
}

# old_bundle IN OUT: IN as a migpack that did not find what runs outside a
# transaction built it: every script in a transaction.
old_bundle() {
	local d=$T/old
	rm -rf "$d"
	mkdir "$d"
	tar xzf "$1" -C "$d"
	sed -i 's/\tno-transaction\t/\ttransaction\t/' "$d/MANIFEST"
	(cd "$d" && { sha256sum MANIFEST; grep -v '  MANIFEST$' SHA256SUMS; } \
	    >sums && mv sums SHA256SUMS)
	tar czf "$2" -C "$d" $(tar tzf "$1")
}

# The table-rebuild recipe (SQLite) and a script with its own BEGIN ...
# COMMIT (PostgreSQL), as golang-migrate runs them: as written.  Found at
# build, run outside migrun's transaction; an older bundle that runs them in
# one says why they fail.
own_tx_app() {
	put own/1_items.up.sql 'CREATE TABLE items (id integer PRIMARY KEY, name text, price integer);\nINSERT INTO items VALUES (1, '\''a'\'', 2);\n'
	put own/1_items.down.sql 'DROP TABLE items;\n'
	if [ "$ENGINE" = sqlite ]; then
		put own/2_rebuild.up.sql '-- drop price: SQLite rebuilds the table
PRAGMA foreign_keys=OFF;
BEGIN;
CREATE TABLE items_new (id integer PRIMARY KEY, name text NOT NULL);
INSERT INTO items_new (id, name) SELECT id, name FROM items;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
COMMIT;
PRAGMA foreign_keys=ON;
'
		OWN_LINE=3
		put own/3_log.up.sql 'CREATE TABLE log (msg text);
CREATE TRIGGER items_log AFTER INSERT ON items BEGIN
    INSERT INTO log VALUES (new.name);
    SELECT CASE WHEN new.id < 0 THEN RAISE(ABORT, '\''negative'\'') END;
END;
'
	else
		put own/2_rebuild.up.sql '-- drop price
BEGIN;
ALTER TABLE items DROP COLUMN IF EXISTS price;
ALTER TABLE items ALTER COLUMN name SET NOT NULL;
COMMIT;
'
		OWN_LINE=2
		put own/3_log.up.sql 'CREATE TABLE log (msg text);
CREATE FUNCTION items_log() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO log VALUES (new.name);
    RETURN new;
END;
$$;
CREATE TRIGGER items_log AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION items_log();
'
	fi
	put own/2_rebuild.down.sql '-- nothing to undo\n'
	if [ "$ENGINE" = sqlite ]; then
		put own/3_log.down.sql 'DROP TRIGGER items_log;\nDROP TABLE log;\n'
	else
		put own/3_log.down.sql 'DROP TRIGGER items_log ON items;\nDROP FUNCTION items_log();\nDROP TABLE log;\n'
	fi
}

scen_own_tx() {
	own_tx_app
	expect_exit 0 "$MIGPACK" build --engines "$ENGINE" -o b.tgz --name own own
	expect_err "migpack: 'own/2_rebuild.up.sql', line $OWN_LINE: BEGIN: the script runs its own transactions: on $ENGINE_NAME the script runs outside migpack's transaction"
	grep -q 3_log "$T/err" && fail "a trigger or function body taken for transaction control: $(cat "$T/err")"
	# two notices (and, on PostgreSQL, lint's warnings on what 2 does)
	[ "$(grep -c "^migpack: '" "$T/err")" = 2 ] || fail "notices: $(cat "$T/err")"
	expect_err "'own/2_rebuild.down.sql': down script with no statement"
	[ "$(wc -l <"$T/out")" = 1 ] || fail "stdout: $(cat "$T/out")"
	expect_exit 0 "$MIGPACK" list b.tgz
	grep -Eq '^2 +rebuild +versioned +no-transaction' "$T/out" ||
	    fail "2 not no-transaction: $(cat "$T/out")"
	grep -Eq '^3 +log +versioned +transaction' "$T/out" ||
	    fail "3 not in a transaction: $(cat "$T/out")"

	# migrun leaves the schema golang-migrate (the client, as written) does
	as_tool ref raw own/1_items.up.sql own/2_rebuild.up.sql own/3_log.up.sql
	schema >ref.schema
	newdb mine
	mr 0 apply --no-backup b.tgz
	same rows "$(q 'SELECT id, name FROM items')" "1|a"
	same history "$(q "SELECT version, state FROM migpack_history ORDER BY id")" \
	    "1|applied
2|applied
3|applied"
	q "INSERT INTO items VALUES (2, 'b')"
	same "trigger" "$(q 'SELECT msg FROM log')" b
	# the comment-only down is a no-op that takes 2 off
	mr 0 down --steps 2 --no-backup
	same history "$(q "SELECT version FROM migpack_history")" 1
	mr 0 apply --no-backup b.tgz
	q 'DELETE FROM log' >/dev/null
	q "DELETE FROM items WHERE id = 2" >/dev/null
	schema >mine.schema
	same_schema ref.schema mine.schema

	# offline SQL, run by the client, the same
	newdb offline
	expect_exit 0 "$MIGRUN" sql --dialect "$DIALECT" -o off.sql b.tgz
	client off.sql >/dev/null 2>"$T/client.err" ||
	    fail "the offline script failed: $(cat "$T/client.err")"
	schema >off.schema
	same_schema ref.schema off.schema

	# A bundle that runs the script in migrun's transaction (from an
	# older migpack) is refused before the script runs, saying why and
	# where the database is.
	old_bundle b.tgz old.tgz
	newdb old
	mr 2 apply --no-backup old.tgz
	expect_err "2_rebuild/up.sql:$OWN_LINE: BEGIN: the script runs its own transactions, and it was bundled to run inside migrun's"
	expect_err "nothing of it was run: rebuild the bundle"
	expect_err "the database is at 1 (1 applied by this run)"
	if [ "$ENGINE" = sqlite ]; then
		same columns "$(q "SELECT group_concat(name) FROM pragma_table_info('items')")" \
		    "id,name,price"
	else
		same columns "$(q "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'items'::regclass AND attnum > 0 AND NOT attisdropped")" \
		    "id,name,price"
	fi
	# so is its offline SQL
	expect_exit 2 "$MIGRUN" sql --dialect "$DIALECT" -o old.sql old.tgz
	expect_err "2_rebuild/up.sql:$OWN_LINE: BEGIN: the script runs its own transactions"
}

# What the engine refuses inside a transaction: found at build (a notice
# naming it, a warning for the statements that then commit one by one),
# run outside one; an older bundle's failure is explained.
scen_refused_in_tx() {
	local what
	put ref/1_big.up.sql 'CREATE TABLE big (a integer);\nINSERT INTO big VALUES (1), (2);\n'
	if [ "$ENGINE" = sqlite ]; then
		put ref/2_tidy.up.sql 'DELETE FROM big WHERE a = 2;\nVACUUM;\n'
		what="VACUUM cannot run inside a transaction: on PostgreSQL and SQLite"
	else
		put ref/2_tidy.up.sql 'DELETE FROM big WHERE a = 2;\n\nCREATE INDEX CONCURRENTLY big_a ON big (a);\n'
		what="CREATE INDEX CONCURRENTLY cannot run inside a transaction: on PostgreSQL"
	fi
	expect_exit 0 "$MIGPACK" build -o b.tgz --name ref ref
	expect_err "'ref/2_tidy.up.sql', line $([ "$ENGINE" = sqlite ] && echo 2 || echo 3): $what the script runs outside migpack's transaction"
	expect_err "'ref/2_tidy.up.sql': warning: on"
	expect_err "its 1 other statement then commits one by one"
	grep -q 1_big "$T/err" && fail "1 noticed: $(cat "$T/err")"

	as_tool ref raw ref/1_big.up.sql ref/2_tidy.up.sql
	schema >ref.schema
	newdb mine
	mr 0 apply --no-backup b.tgz
	same rows "$(q 'SELECT a FROM big')" 1
	if [ "$ENGINE" = postgres ]; then
		same "valid index" "$(q "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_a'::regclass")" t
	fi
	schema >mine.schema
	same_schema ref.schema mine.schema

	# An older bundle runs it in a transaction: the engine refuses, the
	# message says why, nothing of 2 is kept.
	old_bundle b.tgz old.tgz
	newdb old
	mr 1 apply --no-backup old.tgz
	if [ "$ENGINE" = sqlite ]; then
		expect_err "2_tidy/up.sql:2: cannot VACUUM from within a transaction: the script runs in the transaction the migration runs in, and this statement cannot"
		expect_err "must be marked no-transaction"
	else
		expect_err "2_tidy/up.postgres.sql:3: ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block"
	fi
	expect_err "migration 2 tidy failed and was rolled back; the database is at 1"
	same rows "$(q 'SELECT a FROM big ORDER BY a')" "1
2"

	# A script outside a transaction that opens one and leaves it open:
	# rolled back, said, the row dirty.
	put open/1_open.up.sql '-- migpack:no-transaction\nCREATE TABLE kept (a integer);\nBEGIN;\nCREATE TABLE lost (a integer);\n'
	expect_exit 0 "$MIGPACK" build -o open.tgz --name open open
	newdb open
	mr 1 apply --no-backup open.tgz
	expect_err "1_open/up.sql: the script leaves a transaction open (BEGIN without COMMIT); it was rolled back"
	has_table kept || fail "the statement before BEGIN was undone"
	has_table lost && fail "the open transaction was kept"
	same state "$(q "SELECT state FROM migpack_history")" dirty
}

# section FILE UP|DOWN: the part of a marker file after its up or down
# marker, up to the other one, as its tool cuts it.
section() {
	awk -v want="$2" '
		/^-- \+goose [Uu][Pp]$|^--[ \t]*migrate:up/ { at = "UP"; next }
		/^-- \+goose [Dd][Oo][Ww][Nn]$|^--[ \t]*migrate:down/ { at = "DOWN"; next }
		at == want { print }' "$1"
}

# Each layout's own folder, bundled as it is: migrun leaves the schema the
# engine's client leaves running the scripts as the layout's tool does
# (each in a transaction of its own but where the tool runs it without),
# its offline SQL the same, and its downs take the database back to empty.
scen_layouts() {
	local l b f
	# golang-migrate: as written, up and down paired by version
	put gm/1_users.up.sql 'CREATE TABLE users (id integer PRIMARY KEY, name text);\n'
	put gm/1_users.down.sql 'DROP TABLE users;\n'
	put gm/2_add_index.up.sql 'CREATE INDEX users_name ON users (name);\n'
	put gm/2_drop_index_again.down.sql 'DROP INDEX users_name;\n'
	put gm/3_placeholder.up.sql '-- kept for numbering\n'
	put gm/3_placeholder.down.sql ''
	# goose: a transaction per file but NO TRANSACTION, StatementBegin
	# blocks, a file without a Down section
	put goose/00001_a.sql '-- +goose Up\nCREATE TABLE a (x integer);\n-- +goose StatementBegin\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE a;\n'
	put goose/00002_b.sql '-- +goose up\nCREATE TABLE b (x integer);\n-- +goose down\n-- +goose no transaction\nDROP TABLE b;\n'
	put goose/00003_c.sql '-- +goose Up\nINSERT INTO a VALUES (3);\n'
	# dbmate: a transaction per section but transaction:false
	put dbmate/20240101000000_a.sql '-- migrate:up\nCREATE TABLE a (x integer);\n\n-- migrate:down\nDROP TABLE a;\n'
	put dbmate/20240102000000_b.sql '--migrate:up transaction:false\nCREATE TABLE b (x integer);\n--migrate:down\nDROP TABLE b;\n'
	# Flyway: placeholders, settings, a repeatable; undo scripts
	put flyway/V1__a.sql 'CREATE TABLE ${t} (x integer);\n'
	put flyway/U1__a.sql 'DROP TABLE ${t};\n'
	put flyway/V2__b.sql 'CREATE TABLE b (x integer);\n'
	put flyway/U2__b.sql 'DROP TABLE b;\n'
	put flyway/V2__b.sql.conf 'executeInTransaction=false\n'
	# sqlx: simple and reversible, -- no-transaction
	put sqlx/1_a.sql 'CREATE TABLE a (x integer);\n'
	put sqlx/2_b.up.sql '-- no-transaction\nCREATE TABLE b (x integer);\n'
	put sqlx/2_b.down.sql 'DROP TABLE b;\n'

	newdb empty
	schema >empty.schema
	for l in gm goose dbmate flyway sqlx; do
		expect_exit 0 "$MIGPACK" build -o "$l.tgz" --name "$l" \
		    --placeholder t=items "$l"
		case $l in
		gm) as_tool "$l-ref" raw gm/*.up.sql ;;
		goose)
			section goose/00001_a.sql UP >g1.sql
			section goose/00002_b.sql UP >g2.sql
			section goose/00003_c.sql UP >g3.sql
			as_tool "$l-ref" tx g1.sql g3.sql
			client g2.sql >/dev/null ;;
		dbmate)
			section dbmate/20240101000000_a.sql UP >d1.sql
			section dbmate/20240102000000_b.sql UP >d2.sql
			as_tool "$l-ref" tx d1.sql
			client d2.sql >/dev/null ;;
		flyway)
			sed 's/${t}/items/' flyway/V1__a.sql >f1.sql
			as_tool "$l-ref" tx f1.sql
			client flyway/V2__b.sql >/dev/null ;;
		sqlx)
			as_tool "$l-ref" tx sqlx/1_a.sql
			client sqlx/2_b.up.sql >/dev/null ;;
		esac
		schema >"$l-ref.schema"
		newdb "$l-down"
		mr 0 apply --no-backup "$l.tgz"
		if [ "$l" = goose ]; then
			same "goose rows" "$(q 'SELECT x FROM a ORDER BY x' | tr '\n' ' ')" "1 2 3 "
		fi
		if [ "$l" = sqlx ]; then
			# a simple migration cannot be reverted, as in sqlx
			mr 2 down --to base --yes --no-backup
			expect_err "no down script stored for 1 a; nothing rolled back"
			mr 0 down --steps 1 --no-backup
			has_table b && fail "sqlx's 2_b not reverted"
		else
			mr 0 down --to base --yes --no-backup
		fi
		schema >"$l-down.schema"
		newdb "$l-mine"
		mr 0 apply --no-backup "$l.tgz"
		schema >"$l-mine.schema"
		same_schema "$l-ref.schema" "$l-mine.schema"
		newdb "$l-off"
		expect_exit 0 "$MIGRUN" sql --dialect "$DIALECT" -o "$l.sql" "$l.tgz"
		client "$l.sql" >/dev/null 2>"$T/client.err" ||
		    fail "$l's offline SQL failed: $(cat "$T/client.err")"
		schema >"$l-off.schema"
		same_schema "$l-ref.schema" "$l-off.schema"
		# goose's 00003 has no Down, its rollback does nothing; the
		# others take it all back
		if [ "$l" != goose ] && [ "$l" != sqlx ]; then
			same_schema empty.schema "$l-down.schema"
		fi
	done
}
