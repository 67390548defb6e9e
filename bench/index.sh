#!/usr/bin/env bash
# Benchmark (not a test): what the record index costs. A data part in Zoho's layout
# (Data/<Module>_NNN.csv, unique ids) made by the simulator's content generator, served by
# nginx; the same whole job (download, SHA-256, verify, commit) run with and without
# indexing, alternating, RUNS times; peak RSS of the indexed job at each size (it must not
# grow with the record count); `zoho-crm-backup inspect` on the result.
#
# INDEX_SIZES (MiB, default "160 1024": about 1.1 and 7.3 million records), RUNS (default 3), BENCH_DIR (default .build/bench).
# Needs about 3 GiB free. Run with: make bench (or bash bench/index.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
RUNS=${RUNS:-3}
SIZES=${INDEX_SIZES:-"160 1024"}
mkdir -p "$DIR"
. bench/nginx.sh
bench_setup archive-bench zoho-crm-backup
BENCH=$BIN/archive-bench

for mib in $SIZES; do
  if [ ! -f "$DIR/zoho-part-$mib.zip" ]; then
    echo "making a $mib MiB part in Zoho's layout (once)…"
    "$BENCH" make-part "$DIR/zoho-part-$mib.zip" "$mib" >"$DIR/zoho-part-$mib.records"
  fi
done

serve_dir
trap 'kill $NGINX 2>/dev/null; rm -rf "$DIR/idx"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
range() { sort -n | awk '{a[NR]=$1} END {printf "%.2f s (%.2f–%.2f)", a[int((NR+1)/2)], a[1], a[NR]}'; }
rss() { { /usr/bin/time -v "$@" >/dev/null; } 2>&1 | awk -F: '/Maximum resident/ {print int($2 / 1024)}'; }

printf '\n| part | records | job without index | job with index | cost | peak RSS without | peak RSS with | index size | inspect |\n|---|---|---|---|---|---|---|---|---|\n'
for mib in $SIZES; do
  url="http://127.0.0.1:$PORT/zoho-part-$mib.zip"
  records=$(cat "$DIR/zoho-part-$mib.records")
  plain=(); indexed=()
  for _ in $(seq "$RUNS"); do
    rm -rf "$DIR/idx"; mkdir -p "$DIR/idx"
    plain+=("$("$BENCH" job-noindex "$url" "$DIR/idx/p")")
    indexed+=("$("$BENCH" job "$url" "$DIR/idx/i")")
  done
  a=$(printf '%s\n' "${plain[@]}" | median); b=$(printf '%s\n' "${indexed[@]}" | median)
  rm -rf "$DIR/idx"; mkdir -p "$DIR/idx"
  rss_plain=$(rss "$BENCH" job-noindex "$url" "$DIR/idx/p")
  rss_indexed=$(rss "$BENCH" job "$url" "$DIR/idx/i")
  backup=$(ls "$DIR/idx/i" | grep -v '^\.' | head -1)
  index_size=$(du -h "$DIR/idx/i/$backup/index" | cut -f1)
  bench_policy "$DIR/idx/policy.yaml" "$DIR/idx/state" "$DIR/idx/i"
  "$BIN/zoho-crm-backup" inspect --policy "$DIR/idx/policy.yaml" "$backup" >/dev/null
  insp=()
  for _ in $(seq 5); do
    s=$(date +%s.%N); "$BIN/zoho-crm-backup" inspect --policy "$DIR/idx/policy.yaml" "$backup" >/dev/null; e=$(date +%s.%N)
    insp+=("$(echo "($e - $s) * 1000" | bc)")
  done
  printf '| %s MiB | %s | %s | %s | %+.1f %% | %s MiB | %s MiB | %s | %.0f ms |\n' "$mib" "$records" \
    "$(printf '%s\n' "${plain[@]}" | range)" "$(printf '%s\n' "${indexed[@]}" | range)" \
    "$(echo "($b / $a - 1) * 100" | bc -l)" "$rss_plain" "$rss_indexed" "$index_size" "$(printf '%s\n' "${insp[@]}" | median)"
done
echo
echo "(median of $RUNS runs, min–max; cost = indexed / unindexed − 1; inspect = the command's wall time, median of 5, the index's checksum verified each time)"
