#!/usr/bin/env bash
# make fuzz: builds every libFuzzer target (AddressSanitizer) and runs each for
# FUZZ_SECONDS (default 600) with its seed corpus and dictionary; new inputs go to a working
# corpus under .build-fuzz, crashes to fuzz/crashes/<target>/. Prints a table per target:
# runs, exec/s, coverage (cov, ft) and crashes. FUZZ_TARGETS="zip policy" picks some.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-zip policy rrule wire link headers csv}
swift build -c release --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address 2>&1 | grep -v "Cannot export local symbol" | tail -3
printf '%-9s %8s %12s %9s %7s %7s %8s\n' target seconds runs exec/s cov ft crashes
for t in $targets; do
  exe=".build-fuzz/release/Fuzz${t^}"
  work=".build-fuzz/corpus/$t"
  mkdir -p "$work" "crashes/$t"
  log=".build-fuzz/$t.log"
  SWIFT_BACKTRACE=enable=no "$exe" -max_total_time="$seconds" -dict="dicts/$t.dict" -artifact_prefix="crashes/$t/" \
    -print_final_stats=1 "$work" "corpus/$t" >"$log" 2>&1
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$(find "crashes/$t" -type f | wc -l)
  printf '%-9s %8s %12s %9s %7s %7s %8s\n' "$t" "$seconds" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
done
