#!/usr/bin/env bash
# Measurement (not a test): how well restic deduplicates the off-site copies. Two backups of
# one module of OFFSITE_RECORDS records (default 200,000), the second a week of edits, adds and
# deletes later (the diff benchmark's pair), copied one after the other into a fresh local
# restic repository as the daemon copies them (the folder as it is: zips, manifest, SHA256SUMS,
# index); then the same two backups unpacked (their CSVs) into a second repository — what
# copying unzipped CSVs would store instead. Prints per copy the bytes read, the bytes restic
# found new (before its compression) and what the repository grew by on disk.
#
# OFFSITE_RECORDS, BENCH_DIR (default .build/bench), BIN (a folder with archive-bench; default:
# built in release). Run with: bash bench/offsite-csv.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
N=${OFFSITE_RECORDS:-200000}
mkdir -p "$DIR"
command -v restic >/dev/null || { echo "restic is not installed: make deps"; exit 1; }
if [ -z "${BIN:-}" ]; then . bench/nginx.sh; bench_setup archive-bench; fi
PAIR=$DIR/offsite-$N
if [ ! -f "$PAIR/done" ]; then
  echo "making two backups of $N Contacts records (once)…"
  rm -rf "$PAIR"; mkdir -p "$PAIR"
  "$BIN/archive-bench" diff-pair "$PAIR" "$N" >/dev/null
  touch "$PAIR/done"
fi
export TZ=UTC
printf 'bench password\n' >"$PAIR/password"; chmod 600 "$PAIR/password"
restic_in() { restic --repo "$1" --password-file "$PAIR/password" --no-cache "${@:2}"; }
added() { jq -r 'select(.message_type == "summary") | "\(.total_bytes_processed) \(.data_added)"'; }
command -v jq >/dev/null || { apt-get install -y -qq jq >/dev/null 2>&1 || true; }

rm -rf "$PAIR/repo-zips" "$PAIR/repo-csv" "$PAIR/unpacked"
restic_in "$PAIR/repo-zips" init >/dev/null
restic_in "$PAIR/repo-csv" init >/dev/null
mapfile -t backups < <(ls -1 "$PAIR/archive" | grep -v '^\.' | sort)
size() { du -sb "$1" | cut -f1; }
# copy KIND REPO PARENT NAME: one backup; bytes read, bytes restic calls new (before its
# compression), and what the repository grew by on disk (after deduplication and compression).
copy() {
  local before after read add
  before=$(size "$2")
  read -r read add < <(cd "$3" && restic_in "$2" backup --json --host bench -- "$4" | added)
  after=$(size "$2")
  printf '| %s | %s | %s | %s | %s | %.1f %% |\n' "$1" "$4" "$read" "$add" "$((after - before))" "$(echo "100 * ($after - $before) / $read" | bc -l)"
}
printf '| copy | backup | bytes read | bytes new (restic) | repository grew | grew / read |\n|---|---|---:|---:|---:|---:|\n'
for name in "${backups[@]}"; do copy "folder as archived (zips)" "$PAIR/repo-zips" "$PAIR/archive" "$name"; done
for name in "${backups[@]}"; do
  mkdir -p "$PAIR/unpacked/$name"
  for zip in "$PAIR/archive/$name"/*.zip; do unzip -qo "$zip" -d "$PAIR/unpacked/$name"; done
  copy "unpacked CSVs" "$PAIR/repo-csv" "$PAIR/unpacked" "$name"
done
