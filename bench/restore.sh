#!/usr/bin/env bash
# Benchmark (not a test): `zoho-crm-backup restore NEW --deleted-since OLD` — the ~3,000
# Contacts deleted between two backups whose module holds DIFF_RECORDS records (default
# 1,000,000; the pair bench/diff.sh makes) — every part's SHA-256 checked and the module's
# entries inflated and read, beside what an admin would run by hand on the same part:
# `sha256sum PART && unzip -p PART 'Data/Contacts_*' > /dev/null`. Median of RUNS (min–max), peak RSS.
#
# DIFF_RECORDS, RUNS (default 5), BENCH_DIR (default .build/bench). Run with: make bench (or bash bench/restore.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
RUNS=${RUNS:-5}
N=${DIFF_RECORDS:-1000000}
PAIR=$DIR/diff-$N
[ -f "$PAIR/done" ] || bash bench/diff.sh >/dev/null
mkdir -p "$DIR"
. bench/nginx.sh
bench_setup zoho-crm-backup
OLD=$(ls "$PAIR/archive" | grep -v '^\.' | sort | head -1)
NEW=$(ls "$PAIR/archive" | grep -v '^\.' | sort | tail -1)
PART=$PAIR/archive/$OLD/Data_001.zip
OUT=$DIR/restore-out
median_range() { sort -n | awk '{a[NR]=$1} END {printf "%.2f s (%.2f–%.2f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
rss() { { /usr/bin/time -v "$@" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {print int($2 / 1024)}'; }
ours() { rm -rf "$OUT"; "$BIN/zoho-crm-backup" restore --policy "$PAIR/policy.yaml" "$NEW" --deleted-since "$OLD" --to "$OUT"; }
byhand() { sha256sum "$PART" && unzip -p "$PART" 'Data/Contacts_*' >/dev/null; }
export -f ours byhand; export BIN PAIR NEW OLD OUT PART

ours
a=(); b=()
for _ in $(seq "$RUNS"); do a+=("$(secs bash -c ours)"); b+=("$(secs bash -c byhand)"); done
rows=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records']['Contacts'])" "$OUT/restore.json")
printf '\n| records in the module | what | wall time | peak RSS |\n|---|---|---|---|\n'
printf '| %s | `restore NEW --deleted-since OLD` (%s rows written; SHA-256 of the part, Contacts inflated and read) | %s | %s MiB |\n' "$N" "$rows" "$(printf '%s\n' "${a[@]}" | median_range)" "$(rss bash -c ours)"
printf '| %s | `sha256sum PART && unzip -p PART '"'"'Data/Contacts_*'"'"' > /dev/null` (by hand, nothing written) | %s | %s MiB |\n' "$N" "$(printf '%s\n' "${b[@]}" | median_range)" "$(rss bash -c byhand)"
echo
echo "(median of $RUNS runs, min–max; the part: $(du -h "$PART" | cut -f1))"
rm -rf "$OUT"
