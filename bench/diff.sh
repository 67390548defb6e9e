#!/usr/bin/env bash
# Benchmark (not a test): `zoho-crm-backup diff` of two backups of one module of
# DIFF_RECORDS records (default 1,000,000) — the second a week of edits, adds and deletes
# later, both archived and indexed as `run` does it — beside the reference on the same two id
# lists: `sort` each, then `comm -3` (ids only: it cannot see a changed record). Wall time
# (median of RUNS, min–max) and peak RSS.
#
# DIFF_RECORDS, RUNS (default 5), BENCH_DIR (default .build/bench). Run with: make bench (or bash bench/diff.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
RUNS=${RUNS:-5}
N=${DIFF_RECORDS:-1000000}
mkdir -p "$DIR"
. bench/nginx.sh
bench_setup archive-bench zoho-crm-backup
PAIR=$DIR/diff-$N
if [ ! -f "$PAIR/done" ]; then
  echo "making two backups of $N Contacts records (once)…"
  rm -rf "$PAIR"; mkdir -p "$PAIR"
  "$BIN/archive-bench" diff-pair "$PAIR" "$N" >/dev/null
  for v in old new; do
    unzip -p "$PAIR/$v.zip" Data/Contacts_001.csv | tail -n +2 | grep -E '^[0-9]+,' | cut -d, -f1 >"$PAIR/$v.ids" || true
  done
  touch "$PAIR/done"
fi
bench_policy "$PAIR/policy.yaml" "$PAIR/state" "$PAIR/archive"

median_range() { sort -n | awk '{a[NR]=$1} END {printf "%.0f ms (%.0f–%.0f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
ms() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "($e - $s) * 1000" | bc; }
rss() { { /usr/bin/time -v "$@" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {print int($2 / 1024)}'; }
reference() { LC_ALL=C sort "$PAIR/old.ids" >"$PAIR/old.sorted" && LC_ALL=C sort "$PAIR/new.ids" >"$PAIR/new.sorted" && LC_ALL=C comm -3 "$PAIR/old.sorted" "$PAIR/new.sorted"; }
export -f reference; export PAIR

"$BIN/zoho-crm-backup" diff --policy "$PAIR/policy.yaml"
ours=(); theirs=()
for _ in $(seq "$RUNS"); do
  ours+=("$(ms "$BIN/zoho-crm-backup" diff --policy "$PAIR/policy.yaml" --json)")
  theirs+=("$(ms bash -c reference)")
done
lists=$(ms "$BIN/zoho-crm-backup" diff --policy "$PAIR/policy.yaml" --list added --list deleted --list changed)
changes=$("$BIN/zoho-crm-backup" diff --policy "$PAIR/policy.yaml" --list added --list deleted --list changed | wc -l)
comm_lines=$(bash -c reference | wc -l)
printf '\n| records | what | wall time | peak RSS |\n|---|---|---|---|\n'
printf '| %s | `zoho-crm-backup diff --json` (both indexes checked by SHA-256, then compared) | %s | %s MiB |\n' "$N" "$(printf '%s\n' "${ours[@]}" | median_range)" "$(rss "$BIN/zoho-crm-backup" diff --policy "$PAIR/policy.yaml" --json)"
printf '| %s | `diff --list added --list deleted --list changed` (%s ids printed) | %.0f ms | %s MiB |\n' "$N" "$changes" "$lists" "$(rss "$BIN/zoho-crm-backup" diff --policy "$PAIR/policy.yaml" --list added --list deleted --list changed)"
printf '| %s | `sort` both id lists, `comm -3` (%s ids: added and deleted only) | %s | %s MiB |\n' "$N" "$comm_lines" "$(printf '%s\n' "${theirs[@]}" | median_range)" "$(rss bash -c reference)"
echo
echo "(median of $RUNS runs, min–max; the id lists are the CSVs' first column, in file order)"
