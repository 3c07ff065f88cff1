#!/usr/bin/env bash
# The FileStream pipeline (bench/connect/file-pipeline.sh) with Connect metrics off and on, alternating in one run, so
# both see the same machine state. "on" is the default worker (kconnect.metrics.enable=true); "off" sets it false.
# With SCRAPE_MS set, the "on" runs are also scraped (GET /metrics) that often during the load, as Prometheus would.
#
#   bench/connect/metrics-onoff.sh                      # ROUNDS=3 pairs of 500,000 lines
#   ROUNDS=5 LINES=1000000 SCRAPE_MS=1000 bench/connect/metrics-onoff.sh
#   SKIP_BUILD=1 bench/connect/metrics-onoff.sh         # reuse the last build
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3}
export LINES=${LINES:-500000}
SCRAPE_MS=${SCRAPE_MS:-0}
OUT=$(mktemp -d /tmp/kconnect-metrics-bench.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

# Scrapes every worker REST port the pipeline script opens (found from its worker.properties) until told to stop.
scrape() {
  local stop=$1
  while [[ ! -e "$stop" ]]; do
    for f in /tmp/kconnect-bench.*/worker.properties; do
      [[ -f "$f" ]] || continue
      port=$(grep -o 'listeners=http://127.0.0.1:[0-9]*' "$f" | grep -o '[0-9]*$' || true)
      [[ -n "$port" ]] && curl -s -o /dev/null "http://127.0.0.1:$port/metrics" || true
    done
    sleep "$(awk -v ms="$SCRAPE_MS" 'BEGIN{printf "%.3f", ms/1000}')"
  done
}

run() {
  local mode=$1 round=$2 extra=""
  [[ "$mode" == off ]] && extra="kconnect.metrics.enable=false"
  local stop="$OUT/stop-$mode-$round" scraper=
  if [[ "$mode" == on && "$SCRAPE_MS" != 0 ]]; then scrape "$stop" & scraper=$!; fi
  EXTRA_WORKER="$extra" "$HERE/file-pipeline.sh" > "$OUT/$mode-$round.txt" 2>/dev/null
  touch "$stop"; [[ -n "$scraper" ]] && wait "$scraper" || true
  local e2e steady
  e2e=$(grep '^| end-to-end lines/s' "$OUT/$mode-$round.txt" | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  steady=$(grep '^| steady lines/s' "$OUT/$mode-$round.txt" | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  same=$(grep '^| sink file identical' "$OUT/$mode-$round.txt" | awk -F'|' '{gsub(/^ +| +$/,"",$3); print $3}')
  printf '| %-5s | %5s | %18s | %18s | %-9s |\n' "$round" "$mode" "$e2e" "$steady" "$same"
  echo "$mode $e2e $steady" >> "$OUT/all"
}

# The first run builds (unless SKIP_BUILD=1); the rest reuse that build.
printf '\nkconnect file pipeline, Connect metrics off vs on: %d lines x 100 B per run, %d rounds, scrape every %s ms (0 = none)\n' \
  "$LINES" "$ROUNDS" "$SCRAPE_MS"
printf '| %-5s | %5s | %18s | %18s | %-9s |\n' round mode "end-to-end lines/s" "steady lines/s" "sink ok" \
  ----- ----- ------------------ ------------------ ---------
for r in $(seq 1 "$ROUNDS"); do
  run off "$r"
  export SKIP_BUILD=1
  run on "$r"
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
for mode in off on; do
  printf '| %-5s | %5s | %18s | %18s | %-9s |\n' median "$mode" \
    "$(awk -v m="$mode" '$1==m {print $2}' "$OUT/all" | median)" "$(awk -v m="$mode" '$1==m {print $3}' "$OUT/all" | median)" ""
done
