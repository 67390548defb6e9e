#!/usr/bin/env bash
# Benchmark (not a test): the archive's download and verification against curl and unzip
# on the same realistic zip part, served on loopback by nginx so the server is not the
# bottleneck. Prints a table: median of RUNS runs with min and max, and peak RSS.
#
# Needs about 5 GiB of free disk under BENCH_DIR (default .build/bench); installs nginx and
# GNU time from apt if missing. Run with: make bench
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
RUNS=${RUNS:-3}
SIZES=${SIZES:-"200 1024"}   # MiB
mkdir -p "$DIR"
free_kib=$(df -Pk "$DIR" | awk 'NR==2 {print $4}')
if [ "$free_kib" -lt $((5 * 1024 * 1024)) ]; then
  echo "bench: needs 5 GiB free under $DIR, has $((free_kib / 1024)) MiB; stopping"; exit 1
fi
. bench/nginx.sh
bench_setup archive-bench zoho-crm-backup
BENCH=$BIN/archive-bench

for mib in $SIZES; do
  [ -f "$DIR/part-$mib.zip" ] || python3 bench/make_part.py "$DIR/part-$mib.zip" "$mib"
done

serve_dir
trap 'kill $NGINX 2>/dev/null; rm -rf "$DIR/out"' EXIT

# median, min, max of numbers on stdin
stats() { sort -n | awk '{a[NR]=$1} END {printf "%.2f s (%.2f–%.2f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
# run N times a command that prints its own seconds, or is timed here
timed() { local s e; s=$(date +%s.%N); bash -c "$1" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }

printf '\n| part | what | ours | reference | ours vs reference |\n|---|---|---|---|---|\n'
for mib in $SIZES; do
  url="http://127.0.0.1:$PORT/part-$mib.zip"; file="$DIR/part-$mib.zip"
  ours=(); curl_o=(); tee_sha=(); v1=(); v2=(); unz=(); job=(); pipe=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$DIR/out"; mkdir -p "$DIR/out"
    ours+=("$("$BENCH" download "$url" "$DIR/out/a")")
    curl_o+=("$(timed "curl -s -o $DIR/out/c.zip $url && sync")")
    tee_sha+=("$(timed "curl -s $url | tee $DIR/out/t.zip | sha256sum && sync")")
    v1+=("$("$BENCH" verify "$file" 1 2>/dev/null)")
    v2+=("$("$BENCH" verify "$file" 2 2>/dev/null)")
    unz+=("$(timed "unzip -tq $file")")
    rm -rf "$DIR/out"; mkdir -p "$DIR/out"
    job+=("$("$BENCH" job "$url" "$DIR/out/j")")
    pipe+=("$(timed "curl -s -o $DIR/out/p.zip $url && openssl dgst -sha256 $DIR/out/p.zip && unzip -tq $DIR/out/p.zip && sync")")
  done
  row() { local a b; a=$(printf '%s\n' "${!2}" | stats); b=$(printf '%s\n' "${!3}" | stats)
    local ma mb; ma=$(printf '%s\n' "${!2}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    mb=$(printf '%s\n' "${!3}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '| %s MiB | %s | %s | %s | %.2f× |\n' "$mib" "$1" "$a" "$b" "$(echo "$mb / $ma" | bc -l)"; }
  row "download+SHA-256+fsync+rename vs curl -o && sync" "ours[@]" "curl_o[@]"
  row "download+SHA-256+fsync+rename vs curl \| tee \| sha256sum && sync" "ours[@]" "tee_sha[@]"
  row "zip verify, 1 task vs unzip -tq" "v1[@]" "unz[@]"
  row "zip verify, 2 tasks vs unzip -tq" "v2[@]" "unz[@]"
  row "whole job vs curl && openssl dgst && unzip -tq && sync" "job[@]" "pipe[@]"
  # The same part served by the built-in simulator, through the Zoho client (OAuth, API, link checks).
  "$BIN/zoho-crm-backup" simulator --port 0 --job-duration 0s --data-parts 1 --attachment-parts 0 \
    --part "Data_001.zip=$file" >"$DIR/sim.out" 2>&1 & SIM=$!
  until grep -q refresh_token "$DIR/sim.out" 2>/dev/null; do sleep 0.1; done
  base=$(grep -o 'http://127.0.0.1:[0-9]*' "$DIR/sim.out" | head -1)
  sim=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$DIR/out"; mkdir -p "$DIR/out"
    sim+=("$("$BENCH" zoho "$base" "$DIR/out/s")")
  done
  kill $SIM; wait $SIM 2>/dev/null || true
  row "whole job from the simulator (OAuth, API, download) vs from nginx" "sim[@]" "job[@]"
  rm -rf "$DIR/out"; mkdir -p "$DIR/out"
  rss=$( { /usr/bin/time -v "$BENCH" job "$url" "$DIR/out/r" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {print $2}')
  printf '| %s MiB | peak RSS of the whole job | %s MiB | | |\n' "$mib" "$((rss / 1024))"
done
