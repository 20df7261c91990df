#!/usr/bin/env bash
# Benchmark `migrun backup` against the engines' own tools piped through
# gzip -6, and `migrun restore` of that backup against the same tools
# restoring it, on a generated database of SIZE MiB (default 1024) per
# engine.
# usage: bench/backup.sh [--migrun PATH] [--migpack PATH] [--runs N] [--size-mb N] [--engines sqlite,postgres]
# Tables go to stdout, progress to stderr. Exit 0 even if targets are missed.
#
# The database holds the bundle's one migration and a table `events` of
# rows about 230 bytes each: random hex keys and ids amid repeated text
# (JSON keys, a user agent), so it compresses about as a real one does,
# neither all zeros nor pure noise.  Each run writes a new file (the
# previous ones removed, untimed):
#   sqlite: migrun backup  vs  sqlite3 DB ".backup TMP" && gzip -6 <TMP >OUT
#   postgres: migrun backup --pg-dump PG_BIN/pg_dump
#             vs  PG_BIN/pg_dump --clean --if-exists DB | gzip -6 >OUT
# Both outputs are checked with gzip -t and their sizes compared.  migrun
# also fsyncs its file and renames it into place (the limits do neither).
# Then migrun's backup is restored into a new database, each run:
#   sqlite: migrun restore  vs  gzip -dc FILE >TMP && sqlite3 NEW ".restore TMP"
#   postgres: migrun restore --psql PG_BIN/psql
#             vs  gzip -dc FILE | psql --single-transaction -d NEW
# and the restored rows counted.
# PostgreSQL runs a private server on a unix socket with fsync and
# synchronous_commit on, as in production.  RUNS=N in the environment sets
# the default of --runs.
# shellcheck disable=SC2016 # the tables' `code spans` are single-quoted
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "backup.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-3} size_mb=1024 engines=sqlite,postgres
while (($#)); do
    case $1 in
    --size-mb) size_mb=${2:?--size-mb needs a number}; shift 2 ;;
    *) shared_opt migrun,migpack,runs,engines "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $size_mb =~ ^[1-9][0-9]{1,5}$ ]] || usage_error "--size-mb must be 10..999999"
check_engines
find_tools
BUNDLE=$tmp/bench.tar.gz SDB=$tmp/bench.db RDB=$tmp/restored.db KEEP=$tmp/keep
OUT_MR=$tmp/out-migrun OUT_LIM=$tmp/out-limit
TARGET=$((size_mb * 1048576))
CAL=$((TARGET / 1024 < 100000 ? TARGET / 1024 : 100000))    # rows to measure a row's size by

log "building the bundle (one migration: table events)"
mkdir -p "$tmp/m"
cat >"$tmp/m/0001_events.up.sql" <<'EOF'
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL
);
EOF
echo 'DROP TABLE events;' >"$tmp/m/0001_events.down.sql"
"$MIGPACK" build -o "$BUNDLE" --name bench "$tmp/m" >/dev/null

# Results by ENGINE_{mr,lim,rss,size_mr,size_lim,db,rows,...}.
declare -A R

# fill_rows ENGINE TOTAL CALIBRATE SIZE-OF: insert CALIBRATE rows, then as
# many more as bring SIZE-OF (a function printing the database's bytes) to
# TARGET; the row count in R[ENGINE_rows].
fill_rows() {
    local e=$1 ins=$2 cal=$3 sizeof=$4 s0 s1 n
    s0=$("$sizeof")
    "$ins" 1 "$cal"
    s1=$("$sizeof")
    n=$(awk -v t="$TARGET" -v a="$s0" -v b="$s1" -v c="$cal" 'BEGIN { n = int((t - a) / ((b - a) / c)); print (n > c ? n : c) }')
    log "$e: $cal rows take $(mib $((s1 - s0))): inserting up to $n rows in all"
    ((n <= cal)) || "$ins" $((cal + 1)) "$n"
    R[${e}_rows]=$n
}

# --- SQLite
sqlite_ins() { # FIRST LAST
    sqlite3 "$SDB" >/dev/null <<EOF
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
WITH RECURSIVE c(i) AS (SELECT $1 UNION ALL SELECT i + 1 FROM c WHERE i < $2)
INSERT INTO events (id, key, kind, payload)
SELECT i, lower(hex(randomblob(16))),
    CASE i % 5 WHEN 0 THEN 'order.created' WHEN 1 THEN 'order.paid' WHEN 2 THEN 'user.login'
        WHEN 3 THEN 'cart.updated' ELSE 'shipment.sent' END,
    printf('{"user": %d, "session": "%s", "ip": "10.%d.%d.%d", "agent": "Mozilla/5.0 (X11; Linux x86_64) '
        || 'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "amount": %d.%02d}',
        abs(random()) % 100000, lower(hex(randomblob(8))), i % 256, (i / 256) % 256, abs(random()) % 256,
        abs(random()) % 10000, abs(random()) % 100)
FROM c;
EOF
}
sqlite_size() { stat -c %s "$SDB"; }
sqlite_prep() { rm -rf -- "$OUT_MR" "$OUT_LIM" && mkdir "$OUT_MR" "$OUT_LIM"; }
sqlite_backup_mr() { timed "$MIGRUN" backup --quiet --keep 0 --db "sqlite:$SDB" --dir "$OUT_MR"; }
sqlite_backup_lim() { sqlite3 "$SDB" ".backup $OUT_LIM/copy.db" && gzip -6 <"$OUT_LIM/copy.db" >"$OUT_LIM/bench.db.gz"; }
sqlite_rprep() { rm -f -- "$RDB" "$tmp/copy.db"; }
sqlite_restore_mr() { timed "$MIGRUN" restore --yes --no-backup --quiet --db "sqlite:$RDB" "$RFILE"; }
sqlite_restore_lim() { gzip -dc -- "$RFILE" >"$tmp/copy.db" && sqlite3 "$RDB" ".restore $tmp/copy.db"; }
sqlite_count() { sqlite3 "$RDB" 'SELECT count(*) FROM events'; }
sqlite_rcheck() { rcheck sqlite sqlite_count "$@"; }

# out_file ENGINE F: the backup F wrote (the only file of its folder ending
# in .gz).
out_file() {
    local f
    if [[ $2 == *_mr ]]; then f=("$OUT_MR"/*.gz); else f=("$OUT_LIM"/*.gz); fi
    if ((${#f[@]} != 1)) || [[ ! -f ${f[0]} ]]; then die "$1: $2 did not leave one .gz file: ${f[*]}"; fi
    echo "${f[0]}"
}
# check ENGINE F [--first]: F wrote one file; on the first run, it
# decompresses (gzip -t) and starts as it must; its size in R[ENGINE_size_*].
check() {
    local e=$1 f head k=mr
    f=$(out_file "$1" "$2")
    [[ $2 == *_mr ]] || k=lim
    [[ ${3-} == --first ]] || return 0
    if [[ $k == lim ]]; then # what writing it to disk for good would have cost
        R[${e}_sync]=$(time_of sync -- "$f")
    fi
    gzip -t -- "$f" || die "$e: $2 wrote a corrupt file: $f"
    head=$( (gzip -dc -- "$f" 2>/dev/null || true) | head -c 512 | tr -d '\0')
    if [[ $e == sqlite ]]; then
        [[ $head == "SQLite format 3"* ]] || die "$e: $2 wrote no SQLite database: $f"
    else
        [[ $head == *"PostgreSQL database dump"* ]] || die "$e: $2 wrote no pg_dump script: $f"
    fi
    R[${e}_size_$k]=$(stat -c %s -- "$f")
    R[${e}_name_$k]=${f##*/}
}
sqlite_check() { check sqlite "$@"; }
postgres_check() { check postgres "$@"; }

# measure ENGINE: time backup against the limit, and migrun's peak RSS;
# then restore of migrun's backup (kept in KEEP) the same way.
measure() {
    local e=$1
    log "$e: timing migrun backup and its limit ($runs runs each, interleaved, and one untimed run each first)"
    medians "$runs" "${e}_prep" "${e}_backup_mr" "${e}_backup_lim" "${e}_check"
    R[${e}_mr]=$MA R[${e}_lim]=$MB
    log "$e: measuring peak memory"
    R[${e}_rss]=$(peak_mib "${e}_prep" "${e}_backup_mr")
    { "${e}_prep" && "${e}_backup_mr" >/dev/null && rm -rf -- "$KEEP" && mv -- "$OUT_MR" "$KEEP"; } ||
        die "$e: the backup to restore failed"
    RFILE=$(echo "$KEEP"/*.gz)
    log "$e: timing migrun restore and its limit ($runs runs each, interleaved, and one untimed run each first)"
    medians "$runs" "${e}_rprep" "${e}_restore_mr" "${e}_restore_lim" "${e}_rcheck"
    R[${e}_rmr]=$MA R[${e}_rlim]=$MB
    R[${e}_rrss]=$(peak_mib "${e}_rprep" "${e}_restore_mr")
}
# rcheck ENGINE COUNT-OF F [--first]: F restored all the rows.
rcheck() {
    local n
    n=$("$2")
    [[ $n == "${R[$1_rows]}" ]] || die "$1: $3 restored $n rows of ${R[$1_rows]}"
}

bench_sqlite() {
    have_sqlite3 || return 0
    log "sqlite: generating a database of $size_mb MiB"
    "$MIGRUN" apply --quiet --no-backup --db "sqlite:$SDB" "$BUNDLE"
    fill_rows sqlite sqlite_ins "$CAL" sqlite_size
    R[sqlite_db]=$(sqlite_size)
    measure sqlite
    log "sqlite: timing each step of the limit alone (for scale)"
    sqlite_prep
    R[sqlite_step1]=$(time_of sqlite3 "$SDB" ".backup $OUT_LIM/copy.db")
    R[sqlite_step2]=$(time_of sh -c 'gzip -6 <"$1" >"$2"' sh "$OUT_LIM/copy.db" "$OUT_LIM/bench.db.gz")
    R[sqlite_zcat]=$(time_of gzip -dc -- "$OUT_LIM/bench.db.gz")
    sqlite_prep
    sqlite_rprep
    rm -f -- "$SDB"
}

# --- PostgreSQL

postgres_ins() { # FIRST LAST
    pg_psql <<EOF
INSERT INTO events (id, key, kind, payload)
SELECT i, md5(random()::text),
    CASE i % 5 WHEN 0 THEN 'order.created' WHEN 1 THEN 'order.paid' WHEN 2 THEN 'user.login'
        WHEN 3 THEN 'cart.updated' ELSE 'shipment.sent' END,
    format('{"user": %s, "session": "%s", "ip": "10.%s.%s.%s", "agent": "Mozilla/5.0 (X11; Linux x86_64) '
        || 'AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36", "amount": %s.%s}',
        (random() * 100000)::int, left(md5(random()::text), 16), i % 256, (i / 256) % 256, (random() * 255)::int,
        (random() * 10000)::int, lpad((random() * 99)::int::text, 2, '0'))
FROM generate_series($1, $2) i;
EOF
}
postgres_size() { pg_psql -At -c "SELECT pg_database_size('bench')"; }
postgres_prep() { rm -rf -- "$OUT_MR" "$OUT_LIM" && mkdir "$OUT_MR" "$OUT_LIM"; }
postgres_backup_mr() { timed "$MIGRUN" backup --quiet --keep 0 --db "$PGURL" --dir "$OUT_MR" --pg-dump "$PG_BIN/pg_dump"; }
postgres_backup_lim() { "$PG_BIN/pg_dump" --clean --if-exists -d bench | gzip -6 >"$OUT_LIM/bench.sql.gz"; }
postgres_rprep() {
    PGOPTIONS='-c client_min_messages=warning' "$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres \
        -c 'DROP DATABASE IF EXISTS restored' -c 'CREATE DATABASE restored' -c CHECKPOINT
}
postgres_restore_mr() { timed "$MIGRUN" restore --yes --no-backup --quiet --db "$RURL" --psql "$PSQL" "$RFILE"; }
postgres_restore_lim() { gzip -dc -- "$RFILE" | "$PSQL" -X -q -v ON_ERROR_STOP=1 --single-transaction -d restored >/dev/null; }
postgres_count() { "$PSQL" -X -At -d restored -c 'SELECT count(*) FROM events'; }
postgres_rcheck() { rcheck postgres postgres_count "$@"; }

bench_postgres() {
    pg_start pg_dump || return 0
    RURL="postgresql:///restored?host=$pg_root&port=5432&user=postgres"
    log "postgres: generating a database of $size_mb MiB"
    "$PSQL" -X -q -v ON_ERROR_STOP=1 -c 'CREATE DATABASE bench'
    "$MIGRUN" apply --quiet --no-backup --db "$PGURL" "$BUNDLE"
    fill_rows postgres postgres_ins "$CAL" postgres_size
    # Hint bits set and the pages written now, not by the first dump.
    pg_psql -c 'VACUUM (FREEZE, ANALYZE) events' -c CHECKPOINT
    R[postgres_db]=$(postgres_size)
    measure postgres
    log "postgres: timing each part of the limit alone (for scale)"
    postgres_prep
    R[postgres_step1]=$(time_of sh -c '"$1" --clean --if-exists -d bench >"$2"' sh "$PG_BIN/pg_dump" "$OUT_LIM/dump.sql")
    R[postgres_dump]=$(stat -c %s "$OUT_LIM/dump.sql")
    R[postgres_step2]=$(time_of sh -c 'gzip -6 <"$1" >"$2"' sh "$OUT_LIM/dump.sql" "$OUT_LIM/bench.sql.gz")
    R[postgres_zcat]=$(time_of gzip -dc -- "$OUT_LIM/bench.sql.gz")
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f %M -o "$tmp/rss" "$PG_BIN/pg_dump" --clean --if-exists -d bench >/dev/null
        R[postgres_rss_dump]=$(awk '{ k = $1 } END { printf "%.1f", k / 1024 }' "$tmp/rss")
    fi
    postgres_prep
    pg_psql -c 'DROP TABLE events'
}

for e in sqlite postgres; do
    for k in mr lim rss size_mr size_lim db rows step1 step2 zcat sync dump rss_dump name_mr rmr rlim rrss; do R[${e}_$k]=n/a; done
    if in_engines "$e"; then "bench_$e"; else for k in mr lim rss size_mr size_lim db rows rmr rlim rrss; do R[${e}_$k]="not run"; done; fi
done

row() { # ENGINE LIMIT-LABEL
    echo "| $1 | $(mib "${R[$1_db]}") | $(sec "${R[$1_mr]}") | $(sec "${R[$1_lim]}") ($2) | $(ratio "${R[$1_mr]}" "${R[$1_lim]}" 1.2) | ≤ 1.2× | $(mib "${R[$1_size_mr]}") | $(mib "${R[$1_size_lim]}") |"
}
rrow() { # ENGINE LIMIT-LABEL
    echo "| $1 | $(mib "${R[$1_size_mr]}") | $(sec "${R[$1_rmr]}") | $(sec "${R[$1_rlim]}") ($2) | $(ratio "${R[$1_rmr]}" "${R[$1_rlim]}" 1.2) | ≤ 1.2× | $(under "${R[$1_rrss]}" 32) |"
}
# rr_of ENGINE: the restore's ratio, as r_of.
rr_of() { [[ ${R[$1_rmr]} =~ ^[0-9.]+$ && ${R[$1_rlim]} =~ ^[0-9.]+$ ]] && awk -v a="${R[$1_rmr]}" -v b="${R[$1_rlim]}" 'BEGIN { printf "%.2f", a / b }' || echo "${R[$1_rmr]}"; }
# similar ENGINE: the two outputs' sizes within 5% of each other.
similar() {
    local a=${R[$1_size_mr]} b=${R[$1_size_lim]}
    [[ $a =~ ^[0-9]+$ && $b =~ ^[0-9]+$ ]] || { echo "- $1: outputs decompress and are of similar size: n/a ($a)"; return; }
    awk -v e="$1" -v a="$a" -v b="$b" 'BEGIN {
        r = a / b
        printf "- %s: outputs decompress (gzip -t) and are of similar size (±5%%): %s (migrun/limit %.3f)\n", e,
            (r >= 0.95 && r <= 1.05 ? "met" : "**missed**"), r
    }'
}

cat <<EOF
## migrun backup benchmark ($size_mb MiB databases; medians of $runs runs, interleaved)

rows: sqlite ${R[sqlite_rows]}, postgres ${R[postgres_rows]} (about 230 bytes each: hex keys amid repeated JSON text);
migrun's files: ${R[sqlite_name_mr]}, ${R[postgres_name_mr]}

| engine | database | migrun backup median (s) | limit median (s) | ratio | target | migrun's file | limit's file |
|---|---|---|---|---|---|---|---|
$(row sqlite '`sqlite3 .backup` then `gzip -6`')
$(row postgres '`pg_dump --clean --if-exists \| gzip -6`')

for scale, one run of each part alone: sqlite3 .backup $(sec "${R[sqlite_step1]}") s, gzip -6 of the copy $(sec "${R[sqlite_step2]}") s
(gzip -dc of the result $(sec "${R[sqlite_zcat]}") s); pg_dump to a file $(sec "${R[postgres_step1]}") s ($(mib "${R[postgres_dump]}")),
gzip -6 of the dump $(sec "${R[postgres_step2]}") s (gzip -dc $(sec "${R[postgres_zcat]}") s).  migrun fsyncs its file, the limits
do not: \`sync\` of the limit's file right after it was written took sqlite $(sec "${R[sqlite_sync]}") s, postgres $(sec "${R[postgres_sync]}") s.
PostgreSQL with fsync and synchronous_commit on; the same pg_dump (${PG_BIN:-n/a}/pg_dump) for both.

| peak RSS (MiB, target < 32) | sqlite | postgres |
|---|---|---|
| migrun backup | $(under "${R[sqlite_rss]}" 32) | $(under "${R[postgres_rss]}" 32) (the larger of migrun and its pg_dump) |
| pg_dump alone (for scale) | | ${R[postgres_rss_dump]} |

targets:
$(verdict 'sqlite: migrun backup ≤ 1.2× the limit' "$(r_of sqlite)" '<=' 1.2 ×)
$(verdict 'postgres: migrun backup ≤ 1.2× the limit' "$(r_of postgres)" '<=' 1.2 ×)
$(verdict 'sqlite: peak RSS < 32 MiB' "${R[sqlite_rss]}" '<' 32 ' MiB')
$(verdict 'postgres: peak RSS < 32 MiB' "${R[postgres_rss]}" '<' 32 ' MiB')
$(similar sqlite)
$(similar postgres)

## migrun restore benchmark (migrun's backups above, each run into a new database)

| engine | backup | migrun restore median (s) | limit median (s) | ratio | target | peak RSS (MiB, < 32) |
|---|---|---|---|---|---|---|
$(rrow sqlite '`gzip -dc`, then `sqlite3 .restore`')
$(rrow postgres '`gzip -dc \| psql --single-transaction`')

migrun restore reads the backup once: SQLite decompresses it beside the database and checks it (\`PRAGMA
integrity_check\`, which the limit does not) before the copy; PostgreSQL streams it through its reader of
pg_dump's script into psql, in the transaction it commits itself.

targets:
$(verdict 'sqlite: migrun restore ≤ 1.2× the limit' "$(rr_of sqlite)" '<=' 1.2 ×)
$(verdict 'postgres: migrun restore ≤ 1.2× the limit' "$(rr_of postgres)" '<=' 1.2 ×)
EOF
