# shellcheck shell=bash
# What the benchmarks in bench/ share, sourced by each after its own
# `set -euo pipefail` (and LC_ALL=C, and the bash 5 check where it times
# with EPOCHREALTIME): . "$(dirname "$0")/lib.sh"
#
# Sourcing it makes a temporary folder, $tmp, removed on exit with the
# private PostgreSQL server if pg_start started one.  Everything else is a
# function.  The variables it sets for the scripts (MA, MB, PGURL, PSQL,
# PG_BIN, ...) are read only by them, hence:
# shellcheck disable=SC2034

SELF=${0##*/} # the script's name, for its usage errors

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

# --- the command line

# usage_error MESSAGE: MESSAGE after the script's name, and exit 2, as for
# any command line the script does not take.
usage_error() { echo "$SELF: $*" >&2; exit 2; }

# shared_opt NAMES ARGS...: the option ARGS start with, when it is one the
# benchmarks share and this script takes (NAMES: a comma-separated subset of
# migrun,migpack,runs,engines), into the variable of its name, with the
# words it took in SHIFT; -h or --help prints the usage line (line 4 of the
# script).  Anything else is an unknown argument: the script's own options
# are matched before this is called.
shared_opt() {
    local takes=,$1,
    shift
    case $1 in
    --migrun | --migpack | --runs | --engines) [[ $takes == *,${1#--},* ]] || usage_error "unknown argument '$1'" ;;
    -h | --help) sed -n '4p' "$0"; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
    esac
    case $1 in
    --migrun) migrun=${2:?--migrun needs a path} ;;
    --migpack) migpack=${2:?--migpack needs a path} ;;
    --runs) runs=${2:?--runs needs a number} ;;
    --engines) engines=${2:?--engines needs sqlite, postgres or both} ;;
    esac
    SHIFT=2
}
check_runs() { [[ $runs =~ ^[1-9][0-9]*$ ]] || usage_error "--runs must be a positive integer"; }
check_engines() {
    [[ $engines =~ ^(sqlite|postgres)(,(sqlite|postgres))?$ ]] || usage_error "--engines must be sqlite, postgres or sqlite,postgres"
}
# in_engines ENGINE: whether --engines names ENGINE.
in_engines() { [[ ,$engines, == *,$1,* ]]; }

# find_bin PATH: the absolute path of the program PATH (looked up in $PATH
# when it has no slash).
find_bin() { local p; p=$(command -v -- "$1") && realpath -- "$p"; }
# find_tools: MIGRUN and MIGPACK from --migrun and --migpack, or die.
find_tools() {
    MIGRUN=$(find_bin "$migrun") || die "migrun binary not found at '$migrun' (build it first or pass --migrun PATH)"
    MIGPACK=$(find_bin "$migpack") || die "migpack binary not found at '$migpack' (build it first or pass --migpack PATH)"
}

# --- the temporary folder, and the server to stop on exit

# Root's mktemp folder is closed to others: PostgreSQL, run as postgres,
# gets one of its own under /tmp (a socket path must stay short anyway).
tmp=$(mktemp -d) pg_root=
cleanup() {
    if [[ -n $pg_root && -f $pg_root/data/postmaster.pid ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$pg_root/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    [[ -z $pg_root ]] || rm -rf -- "$pg_root"
    rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PGURL='' PSQL='' PG_BIN='' MA='' MB=''

# --- timing

# elapsed T0 T1 [DIGITS]: T1 - T0 (two EPOCHREALTIMEs) in seconds, to DIGITS
# decimals (6).
elapsed() { awk -v a="$1" -v b="$2" -v d="${3:-6}" 'BEGIN { printf "%.*f\n", d, b - a }'; }

# median DIGITS: the median of the numbers on stdin, to DIGITS decimals.
median() { sort -g | awk -v d="$1" '{ v[NR] = $1 } END { printf "%.*f", d, NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# medians N PREPARE A B [CHECK]: the median wall-clock seconds of the
# functions A and B, in MA and MB, over N runs each, interleaved (A B, then
# B A, ...) so that a drift in the machine's load or the disk's speed falls
# on both; each run after PREPARE and followed by CHECK F (both untimed).
# One untimed run of each first, followed by CHECK F --first.
medians() {
    local n=$1 prep=$2 a=$3 b=$4 check=${5-} i f t0 t1 order
    : >"$tmp/t.$a" && : >"$tmp/t.$b"
    for f in "$a" "$b"; do
        "$prep" || die "failed: $prep"
        "$f" >/dev/null || die "failed: $f"
        [[ -z $check ]] || "$check" "$f" --first
    done
    for ((i = 0; i < n; i++)); do
        if ((i % 2)); then order=("$b" "$a"); else order=("$a" "$b"); fi
        for f in "${order[@]}"; do
            "$prep" || die "failed: $prep"
            t0=$EPOCHREALTIME
            "$f" >/dev/null || die "failed: $f"
            t1=$EPOCHREALTIME
            elapsed "$t0" "$t1" >>"$tmp/t.$f"
            [[ -z $check ]] || "$check" "$f"
        done
    done
    MA=$(median 6 <"$tmp/t.$a") MB=$(median 6 <"$tmp/t.$b")
}

# time_of CMD...: wall-clock seconds of one run of CMD (output discarded).
time_of() {
    local t0 t1
    t0=$EPOCHREALTIME
    "$@" >/dev/null || die "failed: $*"
    t1=$EPOCHREALTIME
    elapsed "$t0" "$t1" 3
}

# peak_mib PREPARE F [--time]: peak RSS in MiB of one run of the function F,
# which runs one program, after PREPARE (untimed); with --time, "MiB
# SECONDS" with its wall-clock time too (a line, for read).  n/a without
# /usr/bin/time.
peak_mib() {
    local kb t0 t1
    [[ -x /usr/bin/time ]] || { if [[ ${3-} == --time ]]; then echo "n/a n/a"; else echo n/a; fi; return; }
    "$1" || die "failed: $1"
    t0=$EPOCHREALTIME
    TIME=/usr/bin/time "$2" >/dev/null || die "failed: $2"
    t1=$EPOCHREALTIME
    kb=$(tail -n1 "$tmp/rss")
    awk -v k="$kb" -v a="$t0" -v b="$t1" -v w="${3-}" \
        'BEGIN { if (w == "--time") printf "%.1f %.3f\n", k / 1024, b - a; else printf "%.1f", k / 1024 }'
}
# Where the measured functions start their program: under /usr/bin/time
# when peak_mib asks.
TIME=
timed() { if [[ -n $TIME ]]; then "$TIME" -f %M -o "$tmp/rss" "$@"; else "$@"; fi; }

# --- the tables

# ratio A B [LIMIT]: "A/B×", marked **missed** when it is over LIMIT.
ratio() {
    [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] || { echo n/a; return; }
    awk -v a="$1" -v b="$2" -v t="${3-}" 'BEGIN { r = a / b; printf "%.2f×%s", r, (t != "" && r > t ? " **missed**" : "") }'
}
# under A LIMIT: A, marked **missed** when it is not under LIMIT.
under() { if ! [[ $1 =~ ^[0-9.]+$ ]]; then echo "$1"; else awk -v a="$1" -v t="$2" 'BEGIN { printf "%s%s", a, (a < t ? "" : " **missed**") }'; fi; }
# sec S [DIGITS]: seconds to DIGITS decimals (3); anything else as it is.
sec() { if [[ $1 =~ ^[0-9.]+$ ]]; then awk -v s="$1" -v d="${2:-3}" 'BEGIN { printf "%.*f", d, s }'; else echo "$1"; fi; }
# mib BYTES: "N.N MiB"; anything else as it is.
mib() { if [[ $1 =~ ^[0-9]+$ ]]; then awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; else echo "$1"; fi; }
# verdict LABEL VALUE OP LIMIT UNIT: "- LABEL: met|missed (VALUE)".
verdict() {
    [[ $2 =~ ^[0-9.]+$ ]] || { echo "- $1: n/a ($2)"; return; }
    awk -v l="$1" -v v="$2" -v op="$3" -v t="$4" -v u="$5" 'BEGIN {
        ok = op == "<" ? v < t : v <= t
        printf "- %s: %s (%s%s%s)\n", l, ok ? "met" : "**missed**", v, u,
            ok ? "" : sprintf(", %.0f%% over the target", (v / t - 1) * 100)
    }'
}
# r_of ENGINE: R[ENGINE_mr] / R[ENGINE_lim] (the script's results), or
# R[ENGINE_mr] when either is no number.
r_of() { [[ ${R[$1_mr]} =~ ^[0-9.]+$ && ${R[$1_lim]} =~ ^[0-9.]+$ ]] && awk -v a="${R[$1_mr]}" -v b="${R[$1_lim]}" 'BEGIN { printf "%.2f", a / b }' || echo "${R[$1_mr]}"; }

# --- the engines

# have_sqlite3: whether the sqlite3 client is there (the rows read n/a if
# not).
have_sqlite3() { command -v sqlite3 >/dev/null || { log "sqlite: no sqlite3 client: rows read n/a"; return 1; }; }

# Run a server program as the user who owns the cluster (initdb refuses root).
as_pg() {
    if ((EUID == 0)); then (cd "$pg_root" && runuser -u postgres -- "$@"); else "$@"; fi
}

# pg_start [PROGRAM...]: a private server on a unix socket, stopped and
# removed on exit; fsync and synchronous_commit stay on (the defaults), as
# in production.  1, logged (the rows read n/a), when there is none to run:
# PostgreSQL, or one of the PROGRAMs the script needs from its bin folder,
# not installed, or no postgres user for root.
# shellcheck disable=SC2120 # most scripts need no PROGRAM
pg_start() {
    log "postgres: starting a private server"
    pg_server "$@" && return
    log "postgres: no server to run (PostgreSQL not installed, or no postgres user for root): rows read n/a"
    return 1
}
pg_server() {
    local d p
    PG_BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
        PG_BIN=$(dirname -- "$(readlink -f -- "$(command -v initdb)")")
    fi
    for p in initdb pg_ctl "$@"; do [[ -x $PG_BIN/$p ]] || return 1; done
    PSQL=$PG_BIN/psql
    [[ -x $PSQL ]] || PSQL=$(command -v psql) || return 1
    if ((EUID == 0)); then id postgres >/dev/null 2>&1 && command -v runuser >/dev/null || return 1; fi
    pg_root=$(mktemp -d /tmp/migpack-bench-pg.XXXXXX)
    ((EUID != 0)) || chown postgres: "$pg_root"
    as_pg "$PG_BIN/initdb" -D "$pg_root/data" -A trust -U postgres -E UTF8 --locale=C >"$pg_root/initdb.log" 2>&1 ||
        die "initdb failed: $(cat "$pg_root/initdb.log")"
    # shellcheck disable=SC2016 # sh expands $1, not this shell
    as_pg sh -c 'cat >>"$1/data/postgresql.conf"' sh "$pg_root" <<EOF
listen_addresses = ''
unix_socket_directories = '$pg_root'
port = 5432
EOF
    as_pg "$PG_BIN/pg_ctl" -D "$pg_root/data" -l "$pg_root/server.log" -w -t 60 start >/dev/null 2>&1 ||
        die "the server did not start: $(cat "$pg_root/server.log")"
    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGOPTIONS PGSSLMODE PGCLIENTENCODING DATABASE_URL
    export PGPASSFILE=$pg_root/no-pgpass PGHOST=$pg_root PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
    PGURL="postgresql:///bench?host=$pg_root&port=5432&user=postgres"
    d=$("$PSQL" -X -At -c 'SHOW fsync' -c 'SHOW synchronous_commit' | paste -sd/)
    log "postgres: $("$PSQL" -X -At -c 'SHOW server_version') on $pg_root, fsync/synchronous_commit = $d"
}

# pg_fresh [TEMPLATE]: the database bench dropped and created anew (from
# TEMPLATE), and a checkpoint so that none falls due in the middle of a run
# (untimed).
# shellcheck disable=SC2120 # apply.sh needs no TEMPLATE
pg_fresh() {
    PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c 'DROP DATABASE IF EXISTS bench' -c "CREATE DATABASE bench${1:+ TEMPLATE $1}" -c CHECKPOINT
}
# pg_psql ARGS...: psql on the database bench, stopping at the first error.
pg_psql() { timed "$PSQL" -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }

# gen_migrations DIR COUNT: COUNT migrations in DIR, a repeating group of
# five per table, valid on both engines: CREATE TABLE, ALTER TABLE ADD
# COLUMN, CREATE INDEX, INSERT of a few rows, CREATE VIEW; each with its
# down script.  (apply.sh, check.sh)
gen_migrations() {
    mkdir "$1"
    awk -v n="$2" -v dir="$1" 'BEGIN {
    split("user account order invoice payment item product customer session event audit tenant role " \
          "permission address shipment warehouse stock price discount coupon review rating comment tag " \
          "category vendor contract ledger entry balance currency region country city device token login " \
          "report metric job queue task schedule note file blob image profile setting", W, " ")
    split("alpha beta gamma delta epsilon zeta eta theta iota kappa", V, " ")
    split("active pending archived draft", S, " ")
    for (i = 1; i <= n; i++) {
        g = int((i - 1) / 5) + 1; k = (i - 1) % 5; t = W[(g - 1) % 50 + 1] "_" g
        name = k == 0 ? "create_" t : k == 1 ? "add_" t "_note" : k == 2 ? "index_" t : k == 3 ? "seed_" t : "view_" t "_active"
        base = sprintf("%s/%04d_%s", dir, i, name); up = base ".up.sql"; down = base ".down.sql"
        printf "-- %04d: %s\n", i, name > up
        if (k == 0) {
            printf "CREATE TABLE %s (\n    id INTEGER PRIMARY KEY,\n    name VARCHAR(64) NOT NULL,\n" \
                   "    status VARCHAR(16) NOT NULL DEFAULT '\''active'\'',\n    amount NUMERIC(12,2),\n" \
                   "    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n", t > up
            printf "DROP TABLE %s;\n", t > down
        } else if (k == 1) {
            printf "ALTER TABLE %s ADD COLUMN note TEXT;\nALTER TABLE %s ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT FALSE;\n", t, t > up
            printf "ALTER TABLE %s DROP COLUMN flagged;\nALTER TABLE %s DROP COLUMN note;\n", t, t > down
        } else if (k == 2) {
            printf "CREATE INDEX %s_name_idx ON %s (name);\nCREATE INDEX %s_status_created_idx ON %s (status, created_at);\n", t, t, t, t > up
            printf "DROP INDEX %s_status_created_idx;\nDROP INDEX %s_name_idx;\n", t, t > down
        } else if (k == 3) {
            printf "INSERT INTO %s (id, name, status, amount, note) VALUES\n", t > up
            for (r = 1; r <= 5; r++)
                printf "    (%d, '\''%s %s'\'', '\''%s'\'', %d.%02d, '\''seeded by %04d'\'')%s\n", r, V[(g + r) % 10 + 1], W[(g * r) % 50 + 1],
                       S[(g + r) % 4 + 1], (g * 37 + r * 11) % 1000, (g + r * 7) % 100, i, r < 5 ? "," : ";" > up
            printf "DELETE FROM %s WHERE id BETWEEN 1 AND 5;\n", t > down
        } else {
            printf "CREATE VIEW %s_active AS\n    SELECT id, name, amount, note FROM %s\n    WHERE status = '\''active'\'' AND NOT flagged;\n", t, t > up
            printf "DROP VIEW %s_active;\n", t > down
        }
        close(up); close(down)
    }
}'
}
