# Signed bundles on a host, for an engine: with a key trusted, every
# command that reads a bundle refuses an unsigned one or one signed by
# another key (exit 3) before it touches the database, --allow-unsigned
# says so and goes on; the keys come from --trust, $MIGRUN_TRUST and the
# trusted keys' folder; the history records the key id of a verified
# signature, and a table today's migrun wrote gains that column on the
# first write under the run lock, never on a read.

# The app, signed by k (trusted), by e (not), and not at all.
sign_setup() {
	put app/0001_one.up.sql 'create table one (n int);\n'
	put app/0001_one.down.sql 'drop table one;\n'
	put app/0002_two.up.sql 'create table two (n int);\n'
	put app/0002_two.down.sql 'drop table two;\n'
	put app/seeds/default/one.csv 'n\n1\n2\n'
	expect_exit 0 "$MIGPACK" keygen -W -p k.pub -s k.key
	KID=$(sed -n 's/.* id \([0-9A-F]\{16\}\)$/\1/p' "$T/out")
	expect_exit 0 "$MIGPACK" keygen -W -p e.pub -s e.key
	EID=$(sed -n 's/.* id \([0-9A-F]\{16\}\)$/\1/p' "$T/out")
	expect_exit 0 "$MIGPACK" build -o u.tgz app
	expect_exit 0 "$MIGPACK" build --sign k.key -o s.tgz app
	expect_exit 0 "$MIGPACK" build --sign e.key -o o.tgz app
}

# Every command that reads a bundle, on bundle $1, with options after.
each_reader() {
	local b=$1
	shift
	echo "apply --db $DB --no-backup $* $b"
	echo "status --db $DB $* $b"
	echo "sql --db $DB --dialect $DIALECT $* $b"
	echo "stamp --db $DB --to 0001 $* $b"
	echo "verify --db $DB $* $b"
	echo "seed --db $DB $* $b"
	echo "down --db $DB --steps 1 --no-backup $* $b"
	echo "check $* $b"
	echo "review --db $DB $* $b"
}

scen_trust_refuses() {
	local cmd
	sign_setup
	newdb trust
	# Refused before any database: no history table made or read.
	while read -r cmd; do
		# shellcheck disable=SC2086
		expect_exit 3 "$MIGRUN" $cmd
		expect_err "'u.tgz': not signed, and only bundles signed by a trusted key are taken (trusted: $KID); --allow-unsigned takes it all the same"
		has_table migpack_history && fail "$cmd: touched the database"
	done < <(each_reader u.tgz --trust k.pub)
	while read -r cmd; do
		# shellcheck disable=SC2086
		expect_exit 3 "$MIGRUN" $cmd
		expect_err "'o.tgz': signed by key $EID, which is not trusted (trusted: $KID)"
		has_table migpack_history && fail "$cmd: touched the database"
	done < <(each_reader o.tgz --trust k.pub)
	# Two keys trusted: both named.
	expect_exit 3 "$MIGRUN" status --db "$DB" --trust k.pub --trust e.pub u.tgz
	expect_err "(trusted: $KID, $EID)"

	# A signature by the trusted key: applied, its key id in the history.
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --trust k.pub --to 0001 s.tgz
	expect_exit 0 "$MIGRUN" verify --db "$DB" --trust k.pub s.tgz
	expect_out "s.tgz: signed by $KID, verified"
	expect_exit 0 "$MIGRUN" sql --db "$DB" --dialect "$DIALECT" --trust k.pub s.tgz
	expect_out "-- signed   signed by $KID, verified"
	# $MIGRUN_TRUST, ':'-separated, empty parts skipped.
	MIGRUN_TRUST="e.pub::k.pub" expect_exit 0 "$MIGRUN" status --db "$DB" s.tgz
	MIGRUN_TRUST="e.pub" expect_exit 3 "$MIGRUN" status --db "$DB" s.tgz
	expect_err "which is not trusted (trusted: $EID)"
	MIGRUN_TRUST="nope.pub" expect_exit 2 "$MIGRUN" status --db "$DB" s.tgz
	expect_err "MIGRUN_TRUST: 'nope.pub': No such file or directory"
	expect_exit 2 "$MIGRUN" status --db "$DB" --trust k.key s.tgz
	expect_err "--trust: k.key: not a minisign public key"
	# The folder of trusted keys: *.pub only.
	mkdir -p keys
	cp k.pub keys/release.pub
	cp e.key keys/not-a-key.key
	MIGRUN_TRUST_DIR=keys expect_exit 3 "$MIGRUN" status --db "$DB" u.tgz
	expect_err "(trusted: $KID)"
	MIGRUN_TRUST_DIR=keys expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --to 0002 s.tgz
	expect_exit 0 "$MIGRUN" history --db "$DB" --json
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))["migrations"]
assert [x["signed_by"] for x in m] == [sys.argv[2]] * 2, m' "$T/out" "$KID" ||
		fail "history --json: $(cat "$T/out")"
	expect_exit 0 "$MIGRUN" history --db "$DB"
	expect_out "SIGNED BY"
	expect_out "$KID  one"
	expect_out "$KID  two"

	# --allow-unsigned: said, and the history records no key.
	expect_exit 0 "$MIGRUN" down --db "$DB" --steps 1 --no-backup s.tgz
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --trust k.pub --allow-unsigned u.tgz
	expect_err "migrun: --allow-unsigned: going on all the same: 'u.tgz': not signed"
	expect_exit 0 "$MIGRUN" history --db "$DB" --json
	python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))["migrations"]
assert [x["signed_by"] for x in m] == [sys.argv[2], None], m' "$T/out" "$KID" ||
		fail "history --json after --allow-unsigned: $(cat "$T/out")"
	# With no key trusted: a signed bundle works as ever, unverified, and
	# no key id is recorded.
	expect_exit 0 "$MIGRUN" down --db "$DB" --steps 1 --no-backup s.tgz
	expect_exit 0 "$MIGRUN" verify s.tgz
	expect_out "s.tgz: signed by $KID, not verified: no trusted key"
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup s.tgz
	[ "$(q "SELECT coalesce(signed_by, '-') FROM migpack_history ORDER BY id")" = "$KID
-" ] || fail "signed_by: $(q "SELECT * FROM migpack_history")"
	# A seed goes through the same check.
	expect_exit 0 "$MIGRUN" seed --db "$DB" --trust k.pub s.tgz
	expect_exit 3 "$MIGRUN" seed --db "$DB" --trust e.pub s.tgz
	# A malformed signature is refused with no key trusted too.
	tar -xzOf s.tgz SHA256SUMS.minisig | head -n2 >cut.sig
	cp s.tgz cut.tgz
	retar cut.tgz SHA256SUMS.minisig cut.sig
	expect_exit 3 "$MIGRUN" apply --db "$DB" --no-backup cut.tgz
	expect_err "'cut.tgz': SHA256SUMS.minisig: a cut minisign signature"
}

# The history table as today's release (before signed_by) made it, with
# a row it wrote.
today_table() {
	if [ "$ENGINE" = postgres ]; then
		q "CREATE TABLE migpack_history (
		    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		    version text UNIQUE, name text NOT NULL,
		    kind text NOT NULL CHECK (kind IN ('versioned', 'repeatable')),
		    checksum text NOT NULL, down_script text,
		    down_tx text CHECK (down_tx IN ('transaction', 'no-transaction')),
		    bundle_name text NOT NULL, bundle_release text NOT NULL,
		    bundle_sha256 text NOT NULL,
		    applied_at timestamptz NOT NULL DEFAULT now(),
		    execution_ms bigint NOT NULL,
		    state text NOT NULL CHECK (state IN ('applied', 'dirty')),
		    statements_done integer, statements integer, resume_note text)"
	else
		q "CREATE TABLE migpack_history (id INTEGER PRIMARY KEY,
		    version TEXT UNIQUE, name TEXT NOT NULL,
		    kind TEXT NOT NULL CHECK (kind IN ('versioned', 'repeatable')),
		    checksum TEXT NOT NULL, down_script TEXT,
		    down_tx TEXT CHECK (down_tx IN ('transaction', 'no-transaction')),
		    bundle_name TEXT NOT NULL, bundle_release TEXT NOT NULL,
		    bundle_sha256 TEXT NOT NULL, applied_at TEXT NOT NULL,
		    execution_ms INTEGER NOT NULL,
		    state TEXT NOT NULL CHECK (state IN ('applied', 'dirty')),
		    statements_done INTEGER, statements INTEGER, resume_note TEXT)"
	fi
	sum=$(tar -xzOf s.tgz SHA256SUMS | sed -n 's|^\([0-9a-f]*\)  migrations/0001_one/up.sql$|\1|p')
	q "INSERT INTO migpack_history (version, name, kind, checksum, down_script,
	    down_tx, bundle_name, bundle_release, bundle_sha256, applied_at,
	    execution_ms, state) VALUES ('0001', 'one', 'versioned',
	    'sha256:$sum', 'drop table one;', 'transaction', 'app', '0002',
	    'sha256:x', '2026-01-01T00:00:00Z', 1, 'applied')"
	q "CREATE TABLE one (n int)"
}

scen_history_upgrade() {
	sign_setup
	newdb upgrade
	today_table
	# Read as it is, changed in nothing.
	expect_exit 0 "$MIGRUN" status --db "$DB" --trust k.pub s.tgz
	expect_out "0001     applied"
	expect_exit 0 "$MIGRUN" history --db "$DB" --json
	grep -q '"signed_by": null' "$T/out" || fail "history: $(cat "$T/out")"
	expect_exit 0 "$MIGRUN" verify --db "$DB" --trust k.pub s.tgz
	expect_exit 0 "$MIGRUN" sql --db "$DB" --dialect "$DIALECT" --trust k.pub s.tgz
	has_column migpack_history signed_by && fail "a read altered the table"
	# The first write under the run lock adds it, and records the key.
	expect_exit 0 "$MIGRUN" apply --db "$DB" --no-backup --trust k.pub s.tgz
	has_column migpack_history signed_by || fail "apply did not add signed_by"
	[ "$(q "SELECT version || ':' || coalesce(signed_by, '-') FROM migpack_history ORDER BY id")" = "0001:-
0002:$KID" ] || fail "rows: $(q "SELECT * FROM migpack_history")"
	expect_exit 0 "$MIGRUN" history --db "$DB"
	expect_out "$KID  two"
}

# PostgreSQL: today's table owned by another role is not migrun's to
# alter: applied all the same, no key recorded.
scen_history_not_owner() {
	local pw=s3cret-carol url
	sign_setup
	newdb notowner
	today_table
	pg_password_role carol "$pw"
	q "GRANT SELECT, INSERT, UPDATE, DELETE ON migpack_history TO carol;
	   GRANT CREATE ON SCHEMA public TO carol"
	url="postgresql://carol:$pw@/$DBNAME?host=$PGHOST&port=$PGPORT"
	expect_exit 0 "$MIGRUN" apply --db "$url" --no-backup --trust k.pub s.tgz
	has_column migpack_history signed_by && fail "altered a table it does not own"
	expect_exit 0 "$MIGRUN" history --db "$url"
	expect_out "0002     applied"
	grep -q "$pw" "$T/out" "$T/err" && fail "the password is shown"
	return 0
}

# The folder of trusted keys built in (make SYSCONFDIR=...), used when
# $MIGRUN_TRUST_DIR is not set.
scen_trust_dir_built_in() {
	sign_setup
	newdb builtin
	make -C "$TOP" -s BUILD="$T/b" BIN="$T/bin" SYSCONFDIR="$T/etc" \
	    CFLAGS=-O0 SANITIZE= "$T/bin/migrun" >"$T/out" 2>&1 ||
		fail "make SYSCONFDIR=: $(cat "$T/out")"
	expect_exit 0 "$T/bin/migrun" apply --help
	expect_out "default $T/etc/migpack/trusted-keys"
	expect_exit 0 env -u MIGRUN_TRUST_DIR "$T/bin/migrun" status --db "$DB" u.tgz
	mkdir -p "$T/etc/migpack/trusted-keys"
	cp k.pub "$T/etc/migpack/trusted-keys/release.pub"
	expect_exit 3 env -u MIGRUN_TRUST_DIR "$T/bin/migrun" status --db "$DB" u.tgz
	expect_err "(trusted: $KID)"
	expect_exit 0 env -u MIGRUN_TRUST_DIR "$T/bin/migrun" status --db "$DB" s.tgz
	# $MIGRUN_TRUST_DIR names another folder instead.
	expect_exit 0 "$T/bin/migrun" status --db "$DB" u.tgz
}
