# Sourced by integration tests that need PostgreSQL, after lib.sh:
#
#   pg_start                     a private server, stopped and removed on exit
#   pg_stop                      stop and remove it now (safe to repeat)
#   pg_psql ARGS...              psql as the superuser, stopping on errors
#   pg_createdb NAME [OWNER]     a database
#   pg_password_role NAME PW     a LOGIN role that must give its password
#
# pg_start exports PGHOST (the socket folder), PGPORT, PGUSER=postgres,
# PGDATABASE=postgres and PGURL (a postgresql:// URL for the same server),
# and PG_BIN (the server's bin folder).  The server listens on a unix socket
# in a private folder only, so tests can run side by side.  The superuser
# connects without a password; every other role through the socket must
# give its password (scram-sha-256).
#
# pg_start adds pg_stop to the EXIT trap already set (lib.sh's cleanup); a
# test that sets its own EXIT trap after pg_start must call pg_stop in it.
#
# Without a PostgreSQL server installed, pg_start says so on stderr and the
# test exits 77, which tests/run.sh reports as SKIP.

PG_ROOT=
PG_BIN=

# Run a server program as the user who owns the cluster: initdb refuses
# root, so root hands the work to the postgres user, from a folder that user
# may enter.
_pg_as_owner() {
	if [ "$(id -u)" = 0 ]; then
		(cd "$PG_ROOT" && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# The newest server's bin folder: initdb and pg_ctl on PATH, else Debian's
# /usr/lib/postgresql/VERSION/bin.
_pg_find_bin() {
	local d
	if command -v initdb >/dev/null 2>&1 &&
	    command -v pg_ctl >/dev/null 2>&1; then
		d=$(dirname "$(readlink -f "$(command -v initdb)")")
		[ -x "$d/pg_ctl" ] || d=$(dirname "$(command -v initdb)")
		echo "$d"
		return 0
	fi
	d=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
	[ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || return 1
	echo "$d"
}

_pg_skip() {
	echo "SKIPPED: $*" >&2
	exit 77
}

# Stop the server and remove its folder; safe to call twice.
pg_stop() {
	[ -n "$PG_ROOT" ] || return 0
	if [ -f "$PG_ROOT/data/postmaster.pid" ]; then
		_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m immediate \
		    -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$PG_ROOT"
	PG_ROOT=
}

pg_start() {
	local prev port=5432 cmd

	[ -z "$PG_ROOT" ] || fail "pg_start: a server is running already"
	PG_BIN=$(_pg_find_bin) ||
	    _pg_skip "no PostgreSQL server installed (apt-get install postgresql)"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 ||
		    _pg_skip "running as root, and there is no 'postgres' user to run the server"
		command -v runuser >/dev/null 2>&1 ||
		    _pg_skip "running as root, and runuser (util-linux) is missing"
	fi

	# The EXIT trap stops the server before lib.sh's cleanup runs; a
	# signal exits through it too.
	prev=$(trap -p EXIT)
	cmd=
	if [ -n "$prev" ]; then
		eval "set -- $prev"
		cmd=$3
	fi
	# shellcheck disable=SC2064 # the old trap's text, kept as it was
	trap "pg_stop; $cmd" EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# $T is root's and closed to others, and a socket path must stay under
	# ~100 bytes: otherwise the server gets a folder of its own in /tmp.
	if [ "$(id -u)" != 0 ] && [ ${#T} -lt 60 ] && mkdir "$T/pg" 2>/dev/null
	then
		PG_ROOT=$T/pg
	else
		PG_ROOT=$(mktemp -d /tmp/migpack-pg.XXXXXX)
		[ "$(id -u)" != 0 ] || chown postgres: "$PG_ROOT"
	fi
	case $PG_ROOT in
	*"'"* | *' '*) fail "pg_start: unusable folder name '$PG_ROOT'" ;;
	esac

	_pg_as_owner "$PG_BIN/initdb" -D "$PG_ROOT/data" -A trust -U postgres \
	    --no-sync -E UTF8 --locale=C >"$PG_ROOT/initdb.log" 2>&1 ||
	    fail "pg_start: initdb failed: $(cat "$PG_ROOT/initdb.log")"

	# The superuser needs no password; everyone else gives theirs.  No
	# TCP at all.  (sh expands $1, not this shell.)
	# shellcheck disable=SC2016
	_pg_as_owner sh -c 'cat >"$1/data/pg_hba.conf"' sh "$PG_ROOT" <<-EOF
	local all postgres trust
	local all all scram-sha-256
	EOF
	# shellcheck disable=SC2016
	_pg_as_owner sh -c 'cat >>"$1/data/postgresql.conf"' sh "$PG_ROOT" <<-EOF
	listen_addresses = ''
	unix_socket_directories = '$PG_ROOT'
	port = $port
	max_connections = 50
	password_encryption = 'scram-sha-256'
	fsync = off
	synchronous_commit = off
	full_page_writes = off
	EOF

	_pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" \
	    -w -t 60 start >/dev/null 2>&1 ||
	    fail "pg_start: the server did not start: $(cat "$PG_ROOT/server.log")"

	# Nothing from the caller's environment may point elsewhere.
	unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGOPTIONS \
	    PGSSLMODE PGREQUIRESSL PGCONNECT_TIMEOUT PGTARGETSESSIONATTRS \
	    PGCLIENTENCODING PGAPPNAME DATABASE_URL
	export PGPASSFILE="$PG_ROOT/no-pgpass"
	export PGHOST="$PG_ROOT" PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	export PGURL="postgresql:///postgres?host=$PGHOST&port=$PGPORT&user=postgres"
	export PG_BIN
}

_pg_psql_bin() {
	if [ -x "$PG_BIN/psql" ]; then
		echo "$PG_BIN/psql"
	else
		echo psql
	fi
}

# psql against the test server as the superuser: quiet, no ~/.psqlrc, and
# the first error ends it with status 3.
pg_psql() {
	"$(_pg_psql_bin)" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" \
	    -U postgres "$@"
}

# pg_createdb NAME [OWNER]
pg_createdb() {
	local owner=${2:-postgres}
	pg_psql -d postgres -v db="$1" -v owner="$owner" <<-'EOF'
	CREATE DATABASE :"db" OWNER :"owner";
	EOF
}

# pg_password_role NAME PASSWORD: a role that logs in with PASSWORD, and
# may create tables in the postgres database's public schema.
pg_password_role() {
	pg_psql -d postgres -v name="$1" -v pw="$2" <<-'EOF'
	CREATE ROLE :"name" LOGIN PASSWORD :'pw';
	GRANT CREATE ON SCHEMA public TO :"name";
	EOF
}
