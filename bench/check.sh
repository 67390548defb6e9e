#!/usr/bin/env bash
# Benchmark (not a test): `zoho-crm-backup check` on policies of 1,000 and 10,000 orgs — one
# written out per org (at most ~6,000 fit the 1 MiB file limit that way), one through
# `defaults:` — and on 2,000 orgs sharing one archive (every
# org but the first a problem: 100 shown). Prints wall time and peak RSS; target: under 2 s
# for 10,000 orgs.
set -euo pipefail
cd "$(dirname "$0")/.."
# ZCB_BIN: another build to measure (the debug one while working); the release build by default.
if [ -z "${ZCB_BIN:-}" ]; then
  swift build -c release --product zoho-crm-backup >/dev/null
  ZCB_BIN="$(swift build -c release --show-bin-path)/zoho-crm-backup"
fi
bin=$ZCB_BIN
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

write() {   # write N STYLE FILE
  local n=$1 style=$2 file=$3
  {
    echo "version: 1"
    echo "state_dir: $dir/state"
    if [ "$style" = defaults ] || [ "$style" = shared ]; then
      echo "defaults:"
      echo "  data_center: eu"
      echo "  credentials: \"{org}\""
      echo "  schedule: \"RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU\""
      if [ "$style" = shared ]; then echo "  archive: { path: \"$dir/shared\" }"; else echo "  archive: { path: \"$dir/archive/{org}\" }"; fi
    fi
    echo "orgs:"
    for ((i = 0; i < n; i++)); do
      if [ "$style" = plain ]; then
        echo "  org$i: { data_center: eu, credentials: org$i, schedule: \"RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=SU\", archive: { path: $dir/archive/org$i } }"
      else
        echo "  org$i:"
      fi
    done
  } >"$file"
}

printf '%-36s %8s %10s %12s\n' "policy" "orgs" "seconds" "peak RSS"
for spec in "1000 plain" "5000 plain" "10000 defaults" "2000 shared"; do
  set -- $spec
  file="$dir/$2-$1.yaml"
  write "$1" "$2" "$file"
  /usr/bin/time -f '%e %M' -o "$dir/time" "$bin" check --policy "$file" --no-credentials >/dev/null 2>&1 || true
  read -r seconds kib < <(tail -1 "$dir/time")
  printf '%-36s %8s %10s %9s MiB\n' "$2 ($(wc -c <"$file") bytes)" "$1" "$seconds" "$((kib / 1024))"
done
