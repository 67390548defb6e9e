#!/usr/bin/env bash
# Benchmark (not a test): restoring one module of DIFF_RECORDS records (default 1,000,000; the
# newer backup of the pair bench/diff.sh makes) as CSV (`--module Contacts`, Zoho's files
# joined), into SQLite (`--format sqlite`: a table, every value bound, the id the primary key)
# and into XLSX (`--format xlsx`: a sheet, constant_memory). Wall time (median of RUNS,
# min–max) and peak RSS, each the whole command (every part's SHA-256 checked first).
# Targets: SQLite ≤ 3× the CSV restore's time; XLSX peak RSS ≤ 64 MiB.
#
# DIFF_RECORDS, RUNS (default 3), BENCH_DIR (default .build/bench). Run with: make bench (or bash bench/restore-formats.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${BENCH_DIR:-$PWD/.build/bench}
RUNS=${RUNS:-3}
N=${DIFF_RECORDS:-1000000}
PAIR=$DIR/diff-$N
[ -f "$PAIR/done" ] || bash bench/diff.sh >/dev/null
mkdir -p "$DIR"
. bench/nginx.sh
bench_setup zoho-crm-backup
NEW=$(ls "$PAIR/archive" | grep -v '^\.' | sort | tail -1)
OUT=$DIR/restore-formats-out
median() { sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'; }
range() { sort -n | awk '{a[NR]=$1} END {printf "%.2f–%.2f", a[1], a[NR]}'; }
restore() { rm -rf "$OUT"; "$BIN/zoho-crm-backup" restore --policy "$PAIR/policy.yaml" "$NEW" --module Contacts --to "$OUT" "$@" >/dev/null; }
# /usr/bin/time -v: wall seconds and peak RSS (MiB) of one run.
measure() { { /usr/bin/time -v bash -c "$(declare -f restore); BIN=$BIN PAIR=$PAIR NEW=$NEW OUT=$OUT restore $*" >/dev/null; } 2>&1 |
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=(n==3)?t[1]*3600+t[2]*60+t[3]:t[1]*60+t[2]} /Maximum resident/ {r=int($2/1024)} END {print s, r}'; }

declare -A wall rss size
for format in csv sqlite xlsx; do
  args=""; [ "$format" = csv ] || args="--format $format"
  times=(); peaks=()
  for _ in $(seq "$RUNS"); do read -r s r < <(measure $args); times+=("$s"); peaks+=("$r"); done
  wall[$format]="$(printf '%s\n' "${times[@]}" | median) s ($(printf '%s\n' "${times[@]}" | range))"

  rss[$format]=$(printf '%s\n' "${peaks[@]}" | sort -n | tail -1)
  size[$format]=$(du -sh --exclude=restore.json --exclude=RESTORE.md "$OUT" | cut -f1)
  eval "median_$format=$(printf '%s\n' "${times[@]}" | median)"
done
rows=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('records', {}).get('Contacts', ''))" "$OUT/restore.json")
# The reference: SQLite's own importer (the sqlite3 shell's .import, in C) on the CSV restore's
# Contacts.csv, into the same schema (no types, the id the primary key, no journal, no syncs).
command -v sqlite3 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null; }
REF=$DIR/restore-formats-ref
rm -rf "$REF"; mkdir -p "$REF"
restore; cp "$OUT/Contacts.csv" "$REF/Contacts.csv"
python3 - "$REF/Contacts.csv" >"$REF/schema.sql" <<'PYEOF2'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    header = next(csv.reader(f))
cols = ", ".join('"%s"%s' % (c.replace('"', '""'), " PRIMARY KEY" if i == 0 else "") for i, c in enumerate(header))
print("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;\nCREATE TABLE c (%s);" % cols)
PYEOF2
reference() { rm -f "$REF/c.db"; sqlite3 "$REF/c.db" ".read $REF/schema.sql" ".import --csv --skip 1 $REF/Contacts.csv c" >/dev/null; }
ref_times=()
for _ in $(seq "$RUNS"); do s=$(date +%s.%N); reference; e=$(date +%s.%N); ref_times+=("$(echo "$e - $s" | bc)"); done
median_ref=$(printf '%s\n' "${ref_times[@]}" | median)

printf '\n| %s Contacts records | wall time | × CSV | peak RSS | output |\n|---|---|---|---|---|\n' "$N"
for format in csv sqlite xlsx; do
  label="\`restore NEW --module Contacts\`"; [ "$format" = csv ] || label="\`restore NEW --module Contacts --format $format\`"
  ratio=$(echo "scale=2; $(eval echo \$median_$format) / $median_csv" | bc)
  printf '| %s | %s | %s× | %s MiB | %s |\n' "$label" "${wall[$format]}" "$ratio" "${rss[$format]}" "${size[$format]}"
done
printf '| `sqlite3 c.db ".import --csv --skip 1 Contacts.csv c"` (SQLite'"'"'s own importer, on the CSV restore'"'"'s file; reference) | %s s (%s) | %s× | — | — |\n' \
  "$median_ref" "$(printf '%s\n' "${ref_times[@]}" | range)" "$(echo "scale=2; $median_ref / $median_csv" | bc)"
echo
echo "(median of $RUNS runs, min–max; peak RSS the highest of the runs; $rows rows in the workbook's sheets)"
rm -rf "$OUT" "$REF"
