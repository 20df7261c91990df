#!/usr/bin/env bash
# Benchmark `migpack build` / `migpack verify` against their physical limits
# (tar+gzip -6, gzip -t + sha256sum) on a generated migration folder.
# usage: bench/bundle.sh [--migpack PATH] [--runs N] [--scale small|full]
# Tables go to stdout, progress to stderr. Exit 0 even if targets are missed.
# shellcheck disable=SC2016 # timed commands are single-quoted: they expand exported vars when run
set -euo pipefail

. "$(dirname "$0")/lib.sh"

migpack=bin/migpack runs=5 scale=full
while (($#)); do
    case $1 in
    --scale) scale=${2:?--scale needs small or full}; shift 2 ;;
    *) shared_opt migpack,runs "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $scale == small || $scale == full ]] || usage_error "--scale must be small or full"

# Without migpack the limits are still measured.
if ! MIGPACK=$(find_bin "$migpack"); then
    log "migpack binary not found at '$migpack' (build it first or pass --migpack PATH);"
    log "measuring the limits only, migpack rows will read n/a and the exit status will be 1"
fi

export MIGPACK IN OUT="$tmp/migpack.tar.gz" LIM="$tmp/limit.tar.gz" BUNDLE X="$tmp/extracted"

# median_s CMD: median wall-clock seconds over $runs runs of the sh command CMD.
median_s() {
    if command -v hyperfine >/dev/null; then
        hyperfine --runs "$runs" --style none -n cmd --export-csv "$tmp/hf.csv" "$1" >/dev/null 2>"$tmp/hf.err" ||
            { cat "$tmp/hf.err" >&2; sh -c "$1" >/dev/null; die "command failed: $1"; }
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "median") c = i } NR == 2 { printf "%.3f", $c }' "$tmp/hf.csv"
        return
    fi
    local i t0 t1
    for ((i = 0; i < runs; i++)); do
        t0=$(date +%s.%N)
        sh -c "$1" >/dev/null || die "command failed: $1"
        t1=$(date +%s.%N)
        echo "$t1 - $t0" | awk '{ printf "%.6f\n", $1 - $3 }'
    done | median 3
}

# peak_run CMD ARGS...: peak RSS of one run in MiB, or n/a.  A command, not
# a function as lib.sh's peak_mib takes, and measured without /usr/bin/time
# too.
peak_run() {
    local kb=n/a h pid
    if [[ -x /usr/bin/time ]]; then
        /usr/bin/time -f %M -o "$tmp/rss" "$@" >/dev/null || die "command failed: $*"
        kb=$(tail -n1 "$tmp/rss")
    else # poll VmHWM (monotonic) until the process is gone
        "$@" >/dev/null & pid=$!
        while h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null) && [[ -n $h ]]; do kb=$h; sleep 0.01; done
        wait "$pid" || die "command failed: $*"
    fi
    if [[ $kb == n/a ]]; then echo n/a; else awk -v k="$kb" 'BEGIN { printf "%.1f", k / 1024 }'; fi
}

log "compiling generator"
"${CC:-cc}" -O2 -Wall -Wextra -o "$tmp/gen" "$(dirname -- "$0")/gen.c"
log "generating small input (500 migrations + 5 MB CSV)"
"$tmp/gen" "$tmp/small" 500 5000000
if [[ $scale == full ]]; then
    log "generating full input (10000 migrations + 100 MB CSV)"
    "$tmp/gen" "$tmp/full" 10000 100000000
fi
IN=$tmp/$scale
read -r nfiles insize < <(find "$IN" -type f -printf '%s\n' | awk '{ s += $1 } END { print NR, s }')

mp_build=n/a mp_bare=n/a mp_verify=n/a
log "timing tar czf ($runs runs)"
lim_build=$(median_s 'tar czf "$LIM" -C "$IN" .')
if [[ -n $MIGPACK ]]; then
    log "timing migpack build ($runs runs)"
    mp_build=$(median_s '"$MIGPACK" build -o "$OUT" "$IN" 2>/dev/null')
    log "timing migpack build --engines sqlite, which parses nothing ($runs runs)"
    mp_bare=$(median_s '"$MIGPACK" build --engines sqlite -o "$OUT" "$IN" 2>/dev/null')
    log "timing migpack verify ($runs runs)"
    mp_verify=$(median_s '"$MIGPACK" verify "$OUT"')
    BUNDLE=$OUT
else
    BUNDLE=$LIM
fi
mkdir "$X" && tar xzf "$BUNDLE" -C "$X"
log "timing gzip -t and sha256sum ($runs runs each)"
lim_gz=$(median_s 'gzip -t "$BUNDLE"')
lim_sha=$(median_s 'cd "$X" && find . -type f -print0 | xargs -0 sha256sum >/dev/null')
lim_verify=$(awk -v a="$lim_gz" -v b="$lim_sha" 'BEGIN { printf "%.3f", a + b }')

mem_small_build=n/a mem_small_verify=n/a mem_full_build=n/a mem_full_verify=n/a
if [[ -n $MIGPACK ]]; then
    log "measuring peak memory"
    mem_small_build=$(peak_run "$MIGPACK" build -o "$tmp/small.tar.gz" "$tmp/small")
    mem_small_verify=$(peak_run "$MIGPACK" verify "$tmp/small.tar.gz")
    if [[ $scale == full ]]; then
        mem_full_build=$(peak_run "$MIGPACK" build -o "$OUT" "$IN")
        mem_full_verify=$(peak_run "$MIGPACK" verify "$OUT")
    else
        mem_full_build="not run" mem_full_verify="not run"
    fi
fi

cat <<EOF
## migpack bundle benchmark ($scale scale, median of $runs runs, $(command -v hyperfine >/dev/null && echo hyperfine || echo 'date +%s.%N'))

input: $nfiles files, $(mib "$insize"); bundle: $([[ -n $MIGPACK ]] && mib "$(stat -c %s "$OUT")" || echo n/a) (migpack), $(mib "$(stat -c %s "$LIM")") (tar czf)

| operation | migpack median (s) | limit median (s) | ratio | target |
|---|---|---|---|---|
| build | $mp_build | $lim_build | $(ratio "$mp_build" "$lim_build") | |
| build --engines sqlite (no lint) | $mp_bare | $lim_build | $(ratio "$mp_bare" "$lim_build") | ≤ 1.10× |
| lint's share: build / build --engines sqlite | $mp_build | $mp_bare | $(ratio "$mp_build" "$mp_bare") | ≤ 1.50× |
| verify | $mp_verify | $lim_verify | $(ratio "$mp_verify" "$lim_verify") | ≤ 1.10× |

limits: build = \`tar czf OUT -C DIR .\` (gzip -6); verify = \`gzip -t\` ($lim_gz s) + \`sha256sum\` of every extracted file ($lim_sha s).

| peak RSS (MiB) | small (500 migrations + 5 MB CSV) | full (10000 migrations + 100 MB CSV) |
|---|---|---|
| migpack build | $mem_small_build | $mem_full_build |
| migpack verify | $mem_small_verify | $mem_full_verify |
EOF

[[ -n $MIGPACK ]] || die "migpack not found at '$migpack': migpack rows were not measured"
