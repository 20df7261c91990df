#!/usr/bin/env bash
# Benchmark what signatures cost: `migpack build --sign` against `migpack
# build`, and `migrun apply --trust` of the signed bundle against `migrun
# apply` of the unsigned one, on the 1,000-migration corpus of bench/apply.sh.
# usage: bench/sign.sh [--migrun PATH] [--migpack PATH] [--runs N] [--count N]
# A table goes to stdout, progress to stderr.  Exit 0 even if targets are
# missed.
#
# Target: signing and verifying add at most 5% to each.  Signing is one
# BLAKE2b of SHA256SUMS and one Ed25519 signature; verifying, one Ed25519
# check.  The key here has no password: an encrypted key adds its scrypt
# (minisign's "sensitive" limits, a second or so, once per command), a cost
# of unlocking the key, not of signing, shown on its own row.
set -euo pipefail
export LC_ALL=C
((BASH_VERSINFO[0] >= 5)) || { echo "sign.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 2; }

. "$(dirname "$0")/lib.sh"

migrun=bin/migrun migpack=bin/migpack runs=${RUNS:-5} count=1000
while (($#)); do
    case $1 in
    --count) count=${2:?--count needs a number}; shift 2 ;;
    *) shared_opt migrun,migpack,runs "$@"; shift "$SHIFT" ;;
    esac
done
check_runs
[[ $count =~ ^[1-9][0-9]{0,3}$ ]] || usage_error "--count must be 1..9999"
MIGRUN=$(find_bin "$migrun") || die "no migrun at '$migrun'"
MIGPACK=$(find_bin "$migpack") || die "no migpack at '$migpack'"

log "generating $count migrations and two keys"
M=$tmp/migrations
gen_migrations "$M" "$count"
"$MIGPACK" keygen -W -p "$tmp/k.pub" -s "$tmp/k.key" >/dev/null
MIGPACK_PASSWORD=bench "$MIGPACK" keygen -p "$tmp/e.pub" -s "$tmp/e.key" >/dev/null
export MIGRUN_TRUST_DIR=$tmp/no-keys

none() { :; }
build_plain() { "$MIGPACK" build -o "$tmp/u.tar.gz" "$M" 2>/dev/null; }
build_signed() { "$MIGPACK" build --sign "$tmp/k.key" -o "$tmp/s.tar.gz" "$M" 2>/dev/null; }
build_encrypted() { MIGPACK_PASSWORD=bench "$MIGPACK" build --sign "$tmp/e.key" -o "$tmp/e.tar.gz" "$M" 2>/dev/null; }
log "timing migpack build, unsigned and signed ($runs runs each)"
medians "$runs" none build_signed build_plain
bsign_s=$MA bplain_s=$MB
log "timing migpack build --sign with an encrypted key ($runs runs)"
medians "$runs" none build_encrypted none
benc_s=$MA

fresh() { rm -f "$tmp/apply.db"*; }
apply_plain() { "$MIGRUN" apply --no-backup --quiet --db "sqlite:$tmp/apply.db" "$tmp/u.tar.gz"; }
apply_signed() { "$MIGRUN" apply --no-backup --quiet --trust "$tmp/k.pub" --db "sqlite:$tmp/apply.db" "$tmp/s.tar.gz"; }
log "timing migrun apply, unsigned and signed with its key trusted ($runs runs each)"
medians "$runs" fresh apply_signed apply_plain
asign_s=$MA aplain_s=$MB
verify_plain() { "$MIGRUN" verify "$tmp/u.tar.gz"; }
verify_signed() { "$MIGRUN" verify --trust "$tmp/k.pub" "$tmp/s.tar.gz"; }
log "timing migrun verify, unsigned and signed ($((runs * 4)) runs each)"
medians $((runs * 4)) none verify_signed verify_plain
vsign_s=$MA vplain_s=$MB

cat <<EOF2
## Signatures ($count migrations, median of $runs runs, interleaved)

| operation | signed (s) | unsigned (s) | ratio | target |
|---|---|---|---|---|
| \`migpack build --sign\` | $(sec "$bsign_s") | $(sec "$bplain_s") | $(ratio "$bsign_s" "$bplain_s" 1.05) | ≤ 1.05× |
| \`migrun apply --trust\` (SQLite file) | $(sec "$asign_s") | $(sec "$aplain_s") | $(ratio "$asign_s" "$aplain_s" 1.05) | ≤ 1.05× |
| \`migrun verify --trust\` | $(sec "$vsign_s") | $(sec "$vplain_s") | $(ratio "$vsign_s" "$vplain_s" 1.05) | ≤ 1.05× |
| \`migpack build --sign\`, encrypted key (scrypt) | $(sec "$benc_s") | $(sec "$bplain_s") | $(ratio "$benc_s" "$bplain_s") | |
EOF2
