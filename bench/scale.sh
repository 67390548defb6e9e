#!/usr/bin/env bash
# Scale benchmark (not a test): the daemon with 1, 50 and 200 orgs against the built-in
# simulator, jitter off. For each count: wall time and requests of one full poll cycle, peak
# RSS, then CPU and RSS over IDLE_SECONDS with nothing to do; SIGTERM must end it with exit 0.
# Prints a markdown table and the provisional targets of issue 8. bench/scale.py does the
# measuring (standard library Python only).
#
#   make bench-scale                      # release build in .build-bench; 1, 50, 200 orgs; 60 s idle
#   BIN=path/to/zoho-crm-backup ORGS="1 50" METRICS_ORGS= IDLE_SECONDS=5 bash bench/scale.sh
#
# What a cycle here is: every org's GET /backup and GET /backup/urls (schedule: unmanaged,
# so nothing is POSTed), the decision and the atomic save of its state.json. Every org's
# token cache is seeded with one access token first (the simulator allows 10 per 10 minutes
# in all), so no token refresh is in the cycle. METRICS_ORGS repeats counts with
# metrics.textfile set (rewritten at most once a second). See README, "How it scales".
set -euo pipefail
cd "$(dirname "$0")/.."
ORGS=${ORGS:-"1 50 200"}
METRICS_ORGS=${METRICS_ORGS-"200"}   # counts run again with metrics.textfile set ("" for none)
IDLE_SECONDS=${IDLE_SECONDS:-60}
SCRATCH=${SCRATCH:-.build-bench}

if [ -z "${BIN:-}" ]; then
  # Its own scratch path, so the debug build in .build is left alone. Incremental: seconds
  # when up to date, about 10 minutes on 2 cores the first time.
  echo "release build in $SCRATCH…"
  mkdir -p "$SCRATCH"
  swift build -c release --scratch-path "$SCRATCH" --product zoho-crm-backup >"$SCRATCH/scale-build.log" 2>&1 \
    || { tail -20 "$SCRATCH/scale-build.log"; exit 1; }
  BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/zoho-crm-backup
fi
[ -x "$BIN" ] || { echo "bench: no executable at BIN=$BIN"; exit 1; }

DIR=$(mktemp -d "${TMPDIR:-/tmp}/zcb-scale.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
tree=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git --no-optional-locks status --porcelain -- Sources Package.swift 2>/dev/null)" ] || tree="$tree + uncommitted changes"
echo "binary: $BIN ($("$BIN" --version), $tree); $(nproc) cores; idle window ${IDLE_SECONDS} s"
results=()
measure() {  # ORGS METRICS(0|1) NAME
  printf '%s orgs%s… ' "$1" "$([ "$2" = 1 ] && echo ' with metrics.textfile')"
  local start; start=$(date +%s)
  METRICS=$2 python3 bench/scale.py run "$BIN" "$1" "$DIR/$3" "$IDLE_SECONDS" >"$DIR/$3.json" \
    || { echo "failed; logs:"; tail -5 "$DIR/$3"/*.log; exit 1; }
  echo "done in $(( $(date +%s) - start )) s"
  results+=("$DIR/$3.json")
}
for n in $ORGS; do measure "$n" 0 "$n"; done
for n in $METRICS_ORGS; do measure "$n" 1 "$n-metrics"; done
echo
python3 bench/scale.py table "${results[@]}"
