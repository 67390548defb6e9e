#!/usr/bin/env bash
# Measurement (not a test): the off-site copies of a quarter of weekly backups, as the daemon
# makes them (archive-bench offsite-copy runs the daemon's own copy: repository id, snapshots
# by tag, restic backup with host, tags and time).
#
# 1. WEEKS (default 12) weekly simulator backups of about WEEK_MIB MiB (default 256) with the
#    simulator's default evolution (attachments ~90 % of the bytes; each week 2 % of records
#    edited, 0.5 % added, 0.2 % deleted, 2 % more attachments; an unchanged attachment is
#    byte-identical), copied one by one into a fresh local repository: each copy's time and
#    what the repository grew by; the repository against the backups' total (target <= 1/4).
# 2. The same with every attachment zip rewritten each week (the worst case).
# 3. One backup of about BIG_MIB MiB (default 1024): the daemon's copy against `restic backup`
#    of the same folder by hand, each into a fresh repository (target <= 1.2x).
#
# ONLY=big: part 3 alone; ONLY=worst: part 2 alone. BENCH_DIR (default .build/bench), BIN (a folder with archive-bench; default: built in
# release). Run with: make bench-offsite (or bash bench/offsite.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
WEEKS=${WEEKS:-12}
WEEK_MIB=${WEEK_MIB:-256}
BIG_MIB=${BIG_MIB:-1024}
ROUNDS=${ROUNDS:-5}
mkdir -p "$DIR"
command -v restic >/dev/null || { echo "restic is not installed: make deps"; exit 1; }
if [ -z "${BIN:-}" ]; then . bench/nginx.sh; bench_setup archive-bench; fi
export TZ=UTC
size() { du -sb "$1" | cut -f1; }
mib() { echo "scale=1; $1 / 1048576" | bc; }
seconds() { local t0=$EPOCHREALTIME; "$@" >/dev/null; echo "$EPOCHREALTIME - $t0" | bc; }

# series NAME COUNT MIB [rewrite]: the backups, made once.
series() {
  local at="$DIR/offsite-$1"
  if [ ! -f "$at/done" ]; then
    echo "making $2 weekly backups of about $3 MiB in $at (once)…" >&2
    rm -rf "$at"; mkdir -p "$at"
    "$BIN/archive-bench" offsite-series "$at" "$2" "$3" ${4:-} >/dev/null
    touch "$at/done"
  fi
  printf 'bench password\n' >"$at/password"; chmod 600 "$at/password"
  rm -rf "$at/repo" "$at/state"
  restic --repo "$at/repo" --password-file "$at/password" --no-cache init >/dev/null
}

# copies NAME TITLE: every backup of the series copied by the daemon's code, one by one (the
# newest not yet copied first, as the daemon does); a row each and the totals.
copies() {
  local at="$DIR/offsite-$1" total=0 n before after t0 t out
  n=$(ls -1 "$at/archive" | grep -vc '^\.')
  printf '\n%s\n\n| copy | backup | size | seconds | repository grew | grew / size |\n|---:|---|---:|---:|---:|---:|\n' "$2"
  for i in $(seq 1 "$n"); do
    before=$(size "$at/repo")
    t0=$EPOCHREALTIME
    out=$("$BIN/archive-bench" offsite-copy "$at" "$at/repo" "$at/password" 2>/dev/null | head -1)
    t=$(echo "$EPOCHREALTIME - $t0" | bc)
    after=$(size "$at/repo")
    local name=${out%% *} bytes
    bytes=$(size "$at/archive/$name")
    total=$((total + bytes))
    printf '| %d | %s | %s MiB | %.1f | %s MiB | %.1f %% |\n' "$i" "${name%%_*}" "$(mib "$bytes")" "$t" "$(mib $((after - before)))" \
      "$(echo "100 * ($after - $before) / $bytes" | bc -l)"
  done
  after=$(size "$at/repo")
  printf '| all | %d backups | %s MiB | | %s MiB | **%.1f %%** |\n' "$n" "$(mib "$total")" "$(mib "$after")" "$(echo "100 * $after / $total" | bc -l)"
}

if [ -z "${ONLY:-}" ]; then
  series weekly "$WEEKS" "$WEEK_MIB"
  copies weekly "Weekly backups, the simulator's evolution (unchanged attachments byte-identical):"
fi
if [ -z "${ONLY:-}" ] || [ "${ONLY:-}" = worst ]; then
  series rewritten "$WEEKS" "$WEEK_MIB" rewrite
  copies rewritten "The worst case: every attachment zip rewritten every week:"
fi
[ "${ONLY:-}" = worst ] && exit 0

# The 1 GiB copy: ROUNDS rounds (default 5), the order alternating, each into fresh repositories; the medians.
series big 1 "$BIG_MIB"
at="$DIR/offsite-big"
name=$(ls -1 "$at/archive" | grep -v '^\.' | head -1)
daemon_runs=(); hand_runs=()
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$at/repo" "$at/state" "$at/by-hand" "$at/hand-cache"
  restic --repo "$at/repo" --password-file "$at/password" --no-cache init >/dev/null
  restic --repo "$at/by-hand" --password-file "$at/password" --no-cache init >/dev/null
  sync
  if [ $((round % 2)) = 1 ]; then
    daemon_runs+=("$(seconds "$BIN/archive-bench" offsite-copy "$at" "$at/repo" "$at/password")"); sync
    hand_runs+=("$(cd "$at/archive" && seconds restic --repo "$at/by-hand" --password-file "$at/password" --cache-dir "$at/hand-cache" backup --host bench "$name")")
  else
    hand_runs+=("$(cd "$at/archive" && seconds restic --repo "$at/by-hand" --password-file "$at/password" --cache-dir "$at/hand-cache" backup --host bench "$name")"); sync
    daemon_runs+=("$(seconds "$BIN/archive-bench" offsite-copy "$at" "$at/repo" "$at/password")")
  fi
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
daemon=$(median "${daemon_runs[@]}"); hand=$(median "${hand_runs[@]}")
printf '\nOne backup of %s MiB (%s), each into a fresh repository, %s rounds (order alternating), medians:\n\n| copy | seconds (median) | rounds |\n|---|---:|---|\n' "$(mib "$(size "$at/archive/$name")")" "${name%%_*}" "$ROUNDS"
printf '| the daemon (archive-bench offsite-copy) | %.1f | %s |\n| restic backup by hand | %.1f | %s |\n| ratio | **%.2f×** | |\n' \
  "$daemon" "$(printf '%.1f ' "${daemon_runs[@]}")" "$hand" "$(printf '%.1f ' "${hand_runs[@]}")" "$(echo "$daemon / $hand" | bc -l)"
