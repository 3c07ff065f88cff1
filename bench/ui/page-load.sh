#!/usr/bin/env bash
# UI page load against a worker with many connectors: time until the overview has rendered every row, and the bytes
# the browser fetched, cold (first visit) and warm (reload: the page's files are revalidated with their ETags).
#   bench/ui/page-load.sh [connectors=500] [runs=5]
# Needs chromium, chromium-driver and python3-selenium (installed when missing). The connectors are FileStreamSource
# connectors created PAUSED (each has a task, so the overview shows tasks too, without 500 tasks polling files).
set -euo pipefail
COUNT=${1:-500}
RUNS=${2:-5}
BENCH_NAME=ui . "$(dirname "$0")/../connect/common.sh"

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
/usr/bin/python3 -c 'import selenium' 2>/dev/null || missing+=(python3-selenium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

REST=$(free_port); BROKER=$(free_port)
cat > "$WORK/worker.properties" <<PROPS
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
offset.storage.file.filename=$WORK/offsets
listeners=http://127.0.0.1:$REST
embedded.broker.listeners=127.0.0.1:$BROKER
embedded.broker.data.dir=$WORK/broker
PROPS
dotnet "$DLL" standalone "$WORK/worker.properties" > "$WORK/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$REST/health" >/dev/null && break; sleep 0.5; done
touch "$WORK/in.txt"
for i in $(seq 1 "$COUNT"); do
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:$REST/connectors" \
    --data "{\"name\":\"bench-$i\",\"initial_state\":\"PAUSED\",\"config\":{\"connector.class\":\"FileStreamSource\",\"file\":\"$WORK/in.txt\",\"topic\":\"bench-$i\"}}"
done
echo "worker with $COUNT connectors on :$REST"
/usr/bin/python3 "$(dirname "$0")/page-load.py" "http://127.0.0.1:$REST/ui/" "$COUNT" "$RUNS"
