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

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-5} count=1000 engines=sqlite,postgres
while (($#)); do
    case $1 in
    --count) count=${2:?--count needs a number}; shift 2 ;;
    *) shared_opt migrun,migpack,runs,engines "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $count =~ ^[1-9][0-9]{0,3}$ ]] || usage_error "--count must be 1..9999"
check_engines
find_tools
BUNDLE=$tmp/bench.tar.gz SDB=$tmp/bench.db SQL1='' SQL2=''

# --- the migrations (gen_migrations, lib.sh)
log "generating $count migrations"
M=$tmp/migrations
gen_migrations "$M" "$count"
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
    have_sqlite3 || return 0
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

bench_postgres() {
    pg_start || return 0
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
    if in_engines "$e"; then "bench_$e"; else for k in "${!R[@]}"; do [[ $k != "${e}"_* ]] || R[$k]="not run"; done; fi
done

row() { # ENGINE OPERATION KEY LIMIT-LABEL TARGET
    local d=3 mr=${R[$1_$3_mr]} lim=${R[$1_$3_lim]}
    [[ $3 != status ]] || d=4 # status takes milliseconds
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
