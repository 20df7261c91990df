#!/usr/bin/env bash
# Benchmark `migrun apply` / `migrun status` against the engines' own clients
# running the same SQL (sqlite3, psql) on generated small migrations.
# usage: bench/apply.sh [--migrun PATH] [--migpack PATH] [--runs N] [--count N] [--engines sqlite,postgres]
# Tables go to stdout, progress to stderr. Exit 0 even if targets are missed.
#
# The limit for `apply` is the client fed all.sql: the same scripts and the
# same history rows (the table created with the DDL migrun itself used, read
# back from a migrated database), once with BEGIN/COMMIT around each
# migration (what the default mode does: one commit, one sync, each) and
# once as one transaction (--single-transaction).  No journal or server
# setting is changed: PostgreSQL runs a private server on a unix socket with
# fsync and synchronous_commit on, as in production.  RUNS=N in the
# environment sets the default of --runs.
# shellcheck disable=SC2016 # the tables' `code spans` are single-quoted
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "apply.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-5} count=1000 engines=sqlite,postgres
while (($#)); do
    case $1 in
    --migrun) migrun=${2:?--migrun needs a path}; shift 2 ;;
    --migpack) migpack=${2:?--migpack needs a path}; shift 2 ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --count) count=${2:?--count needs a number}; shift 2 ;;
    --engines) engines=${2:?--engines needs sqlite, postgres or both}; shift 2 ;;
    -h | --help) sed -n '4p' "$0"; exit 0 ;;
    *) echo "apply.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "apply.sh: --runs must be a positive integer" >&2; exit 2; }
[[ $count =~ ^[1-9][0-9]{0,3}$ ]] || { echo "apply.sh: --count must be 1..9999" >&2; exit 2; }
[[ $engines =~ ^(sqlite|postgres)(,(sqlite|postgres))?$ ]] || { echo "apply.sh: --engines must be sqlite, postgres or sqlite,postgres" >&2; exit 2; }

log() { echo "bench: $*" >&2; }
die() { log "$*"; exit 1; }

find_bin() { local p; p=$(command -v -- "$1") && realpath -- "$p"; }
MIGRUN=$(find_bin "$migrun") || die "migrun binary not found at '$migrun' (build it first or pass --migrun PATH)"
MIGPACK=$(find_bin "$migpack") || die "migpack binary not found at '$migpack' (build it first or pass --migpack PATH)"

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
BUNDLE=$tmp/bench.tar.gz SDB=$tmp/bench.db SQL1='' SQL2='' PGURL='' PSQL='' PG_BIN='' MA='' MB=''

median() { sort -g | awk '{ v[NR] = $1 } END { printf "%.6f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# medians N PREPARE A B: the median wall-clock seconds of the functions A and
# B, in MA and MB, over N runs each, interleaved (A B, then B A, ...) so that
# a drift in the machine's load or the disk's speed falls on both; each run
# after PREPARE (untimed).  One untimed run of each first.
medians() {
    local n=$1 prep=$2 a=$3 b=$4 i f t0 t1 order
    : >"$tmp/t.$a" && : >"$tmp/t.$b"
    for f in "$a" "$b"; do
        "$prep" || die "failed: $prep"
        "$f" >/dev/null || die "failed: $f"
    done
    for ((i = 0; i < n; i++)); do
        if ((i % 2)); then order=("$b" "$a"); else order=("$a" "$b"); fi
        for f in "${order[@]}"; do
            "$prep" || die "failed: $prep"
            t0=$EPOCHREALTIME
            "$f" >/dev/null || die "failed: $f"
            t1=$EPOCHREALTIME
            awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }' >>"$tmp/t.$f"
        done
    done
    MA=$(median <"$tmp/t.$a") MB=$(median <"$tmp/t.$b")
}

# peak_mib PREPARE F: peak RSS in MiB of one run of the function F, which
# runs one program, after PREPARE (untimed); n/a without /usr/bin/time.
peak_mib() {
    local kb
    [[ -x /usr/bin/time ]] || { echo n/a; return; }
    "$1" || die "failed: $1"
    TIME=/usr/bin/time "$2" >/dev/null || die "failed: $2"
    kb=$(tail -n1 "$tmp/rss")
    awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'
}
# Where the functions below start their program: under /usr/bin/time when
# peak_mib asks.
TIME=
timed() { if [[ -n $TIME ]]; then "$TIME" -f %M -o "$tmp/rss" "$@"; else "$@"; fi; }

# ratio A B LIMIT: "A/B×", marked **missed** when it is over LIMIT.
ratio() {
    [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] || { echo n/a; return; }
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { r = a / b; printf "%.2f×%s", r, (r > t ? " **missed**" : "") }'
}
# under A LIMIT: A, marked **missed** when it is not under LIMIT.
under() { if ! [[ $1 =~ ^[0-9.]+$ ]]; then echo "$1"; else awk -v a="$1" -v t="$2" 'BEGIN { printf "%s%s", a, (a < t ? "" : " **missed**") }'; fi; }

# --- the migrations: a repeating group of five per table, valid on both
# engines: CREATE TABLE, ALTER TABLE ADD COLUMN, CREATE INDEX, INSERT of a
# few rows, CREATE VIEW; each with its down script.
log "generating $count migrations"
M=$tmp/migrations
mkdir "$M"
awk -v n="$count" -v dir="$M" 'BEGIN {
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
read -r nfiles insize < <(find "$M" -type f -printf '%s\n' | awk '{ s += $1 } END { print NR, s }')

log "building the bundle"
bundle_sha=$("$MIGPACK" build -o "$BUNDLE" --name bench "$M" | awk '{ print $2 }')
release=$(printf %04d "$count")

# all_sql ENGINE DDL OUT1 OUT2: the client's input, per migration (OUT1) and
# as one transaction (OUT2): the scripts in order, each with the history row
# migrun writes for it.
all_sql() {
    (cd "$M" && sha256sum -- *.up.sql) |
        awk -v engine="$1" -v ddl="$2" -v out1="$3" -v out2="$4" -v dir="$M" -v bname=bench \
            -v brel="$release" -v bsha="$bundle_sha" '
        function slurp(path,   s, line) {
            s = ""
            while ((getline line < path) > 0) s = s line "\n"
            close(path)
            return s
        }
        function q(s) { gsub(/'\''/, "'\'''\''", s); return "'\''" s "'\''" }
        BEGIN {
            d = slurp(ddl)
            printf "%s", d > out1
            printf "BEGIN;\n%s", d > out2
        }
        {
            file = $2; sub(/^\*/, "", file)
            base = file; sub(/\.up\.sql$/, "", base)
            version = substr(base, 1, index(base, "_") - 1); name = substr(base, index(base, "_") + 1)
            row = sprintf("INSERT INTO migpack_history (version, name, kind, checksum, down_script, down_tx, " \
                "bundle_name, bundle_release, bundle_sha256, execution_ms, state%s) VALUES (%s, %s, '\''versioned'\'', " \
                "'\''sha256:%s'\'', %s, '\''transaction'\'', %s, %s, %s, 0, '\''applied'\''%s);\n",
                engine == "sqlite" ? ", applied_at" : "", q(version), q(name), $1, q(slurp(dir "/" base ".down.sql")),
                q(bname), q(brel), q(bsha), engine == "sqlite" ? ", strftime('\''%Y-%m-%dT%H:%M:%SZ'\'', '\''now'\'')" : "")
            up = slurp(dir "/" file)
            printf "BEGIN;\n%s%sCOMMIT;\n", up, row > out1
            printf "%s%s", up, row > out2
        }
        END { printf "COMMIT;\n" > out2 }'
}

# Results by ENGINE_OPERATION_{mr,lim,rss}.
declare -A R

# The commands measured, as functions: each starts one program.
sqlite_fresh() { rm -f -- "$SDB" "$SDB-journal"; }
sqlite_apply_mr() { timed "$MIGRUN" apply --quiet --db "sqlite:$SDB" "$BUNDLE"; }
sqlite_apply_lim() { timed sqlite3 "$SDB" <"$SQL1"; }
sqlite_single_mr() { timed "$MIGRUN" apply --quiet --single-transaction --db "sqlite:$SDB" "$BUNDLE"; }
sqlite_single_lim() { timed sqlite3 "$SDB" <"$SQL2"; }
sqlite_status_mr() { timed "$MIGRUN" status --db "sqlite:$SDB" "$BUNDLE"; }
sqlite_status_lim() { timed sqlite3 "$SDB" 'SELECT * FROM migpack_history'; }

# Untimed: a fresh database, and a checkpoint so that none falls due in the
# middle of a run.
pg_fresh() {
    PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c 'DROP DATABASE IF EXISTS bench' -c 'CREATE DATABASE bench' -c CHECKPOINT
}
pg_psql() { timed "$PSQL" -X -q -v ON_ERROR_STOP=1 -d bench "$@"; }
postgres_apply_mr() { timed "$MIGRUN" apply --quiet --db "$PGURL" "$BUNDLE"; }
postgres_apply_lim() { pg_psql -f "$SQL1"; }
postgres_single_mr() { timed "$MIGRUN" apply --quiet --single-transaction --db "$PGURL" "$BUNDLE"; }
postgres_single_lim() { pg_psql -f "$SQL2"; }
postgres_status_mr() { timed "$MIGRUN" status --db "$PGURL" "$BUNDLE"; }
postgres_status_lim() { pg_psql -At -c 'SELECT * FROM migpack_history'; }

# measure ENGINE FRESH: time apply, apply --single-transaction (each on a
# fresh database) and status (on the migrated one), and their peak RSS.
measure() {
    local e=$1 fresh=$2 op label
    for op in apply single; do
        if [[ $op == apply ]]; then label=apply; else label='apply --single-transaction'; fi
        log "$e: timing $label ($runs runs each, interleaved)"
        medians "$runs" "$fresh" "${e}_${op}_mr" "${e}_${op}_lim"
        R[${e}_${op}_mr]=$MA R[${e}_${op}_lim]=$MB
    done
    # Milliseconds each: ten times the runs.
    log "$e: timing status ($((runs * 10)) runs each, interleaved)"
    "$fresh" && "${e}_apply_mr" >/dev/null
    medians $((runs * 10)) true "${e}_status_mr" "${e}_status_lim"
    R[${e}_status_mr]=$MA R[${e}_status_lim]=$MB
    log "$e: measuring peak memory"
    R[${e}_status_rss]=$(peak_mib true "${e}_status_mr")
    R[${e}_apply_rss]=$(peak_mib "$fresh" "${e}_apply_mr")
    R[${e}_single_rss]=$(peak_mib "$fresh" "${e}_single_mr")
}

bench_sqlite() {
    command -v sqlite3 >/dev/null || { log "sqlite: no sqlite3 client: rows read n/a"; return 0; }
    log "sqlite: reading the history table's DDL back from a migrated database"
    sqlite_fresh && sqlite_apply_mr
    sqlite3 "$SDB" '.schema migpack_history' >"$tmp/sqlite-ddl.sql"
    SQL1=$tmp/sqlite-all1.sql SQL2=$tmp/sqlite-all2.sql
    all_sql sqlite "$tmp/sqlite-ddl.sql" "$SQL1" "$SQL2"
    # The client must do the same work: the same rows, which migrun reads
    # as its own.
    sqlite_fresh && sqlite_apply_lim
    [[ $(sqlite3 "$SDB" 'SELECT count(*) FROM migpack_history') == "$count" ]] || die "sqlite: all1.sql did not record $count rows"
    sqlite_status_mr | grep -q "^$count applied$" || die "sqlite: migrun status does not take all1.sql's rows for its own"
    measure sqlite sqlite_fresh
}

# Run a server program as the user who owns the cluster (initdb refuses root).
as_pg() {
    if ((EUID == 0)); then (cd "$pg_root" && runuser -u postgres -- "$@"); else "$@"; fi
}

# A private server on a unix socket, stopped and removed on exit; fsync and
# synchronous_commit stay on (the defaults).
pg_start() {
    local d
    PG_BIN=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
        PG_BIN=$(dirname -- "$(readlink -f -- "$(command -v initdb)")")
    fi
    [[ -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl ]] || return 1
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

bench_postgres() {
    log "postgres: starting a private server"
    if ! pg_start; then
        log "postgres: no server to run (PostgreSQL not installed, or no postgres user for root): rows read n/a"
        return 0
    fi
    log "postgres: reading the history table's DDL back from a migrated database"
    pg_fresh && postgres_apply_mr
    # Only the DDL: pg_dump's SET lines (an empty search_path among them)
    # would change the session the scripts run in.
    "$PG_BIN/pg_dump" -s -O -x -d bench -t migpack_history |
        awk '/^(SET|SELECT pg_catalog.set_config)/ || /^--/ || /^\\/ { next } { print }' | cat -s >"$tmp/pg-ddl.sql"
    SQL1=$tmp/pg-all1.sql SQL2=$tmp/pg-all2.sql
    all_sql postgres "$tmp/pg-ddl.sql" "$SQL1" "$SQL2"
    pg_fresh && postgres_apply_lim
    [[ $(pg_psql -At -c 'SELECT count(*) FROM migpack_history') == "$count" ]] || die "postgres: all1.sql did not record $count rows"
    postgres_status_mr | grep -q "^$count applied$" || die "postgres: migrun status does not take all1.sql's rows for its own"
    measure postgres pg_fresh
}

# For scale: what checking the bundle alone costs (status does it first).
verify_mp() { "$MIGPACK" verify "$BUNDLE"; }
verify_gz() { gzip -t "$BUNDLE"; }
log "timing migpack verify and gzip -t of the bundle ($((runs * 10)) runs each, interleaved)"
medians $((runs * 10)) true verify_mp verify_gz
verify_mp=$MA verify_gz=$MB

for e in sqlite postgres; do
    for k in apply_mr apply_lim single_mr single_lim status_mr status_lim apply_rss single_rss status_rss; do R[${e}_$k]=n/a; done
    if [[ ,$engines, == *,$e,* ]]; then "bench_$e"; else for k in "${!R[@]}"; do [[ $k != "${e}"_* ]] || R[$k]="not run"; done; fi
done

# sec S DIGITS: seconds to DIGITS decimals (status takes milliseconds).
sec() { if [[ $1 =~ ^[0-9.]+$ ]]; then awk -v s="$1" -v d="$2" 'BEGIN { printf "%.*f", d, s }'; else echo "$1"; fi; }
row() { # ENGINE OPERATION KEY LIMIT-LABEL TARGET
    local d=3 mr=${R[$1_$3_mr]} lim=${R[$1_$3_lim]}
    [[ $3 != status ]] || d=4
    echo "| $1 | $2 | $(sec "$mr" $d) | $(sec "$lim" $d) ($4) | $(ratio "$mr" "$lim" "$5") | ≤ $5× |"
}

cat <<EOF
## migrun apply benchmark ($count migrations; medians of $runs runs, status $((runs * 10)); interleaved)

input: $nfiles files, $(awk -v b="$insize" 'BEGIN { printf "%.1f KiB", b / 1024 }'); bundle: $(awk -v b="$(stat -c %s "$BUNDLE")" 'BEGIN { printf "%.1f KiB", b / 1024 }')

| engine | operation | migrun median (s) | limit median (s) | ratio | target |
|---|---|---|---|---|---|
$(row sqlite apply apply '`sqlite3 < all1.sql`' 1.1)
$(row sqlite 'apply --single-transaction' single '`sqlite3 < all2.sql`' 1.2)
$(row sqlite status status '`sqlite3 SELECT * FROM migpack_history`' 3)
$(row postgres apply apply '`psql -f all1.sql`' 1.1)
$(row postgres 'apply --single-transaction' single '`psql -f all2.sql`' 1.2)
$(row postgres status status '`psql -c SELECT * FROM migpack_history`' 3)

limits: the engine's client running the same statements as migrun (every script, and the same INSERT into an identical
history table) from one file: all1.sql has BEGIN/COMMIT around each migration, all2.sql one BEGIN/COMMIT around all.
SQLite in its default rollback journal; PostgreSQL with fsync and synchronous_commit on.  status includes reading and
verifying the bundle: \`migpack verify\` of it alone takes $(sec "$verify_mp" 4) s, \`gzip -t\` $(sec "$verify_gz" 4) s.

| peak RSS (MiB, target < 16) | sqlite | postgres |
|---|---|---|
| migrun apply | $(under "${R[sqlite_apply_rss]}" 16) | $(under "${R[postgres_apply_rss]}" 16) |
| migrun apply --single-transaction | $(under "${R[sqlite_single_rss]}" 16) | $(under "${R[postgres_single_rss]}" 16) |
| migrun status | $(under "${R[sqlite_status_rss]}" 16) | $(under "${R[postgres_status_rss]}" 16) |
EOF
