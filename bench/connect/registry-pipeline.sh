#!/usr/bin/env bash
# FileStream -> JDBC with Avro (through the Schema Registry) vs JsonConverter with schemas, side by side in one run.
# N lines of 100 bytes go FileStreamSource -> HoistField$Value (a struct with one string field, "line") -> value
# converter -> embedded broker -> JDBC sink (SQLite file, insert mode). One `kconnect standalone` process per
# converter, and one `kconnect schema-registry` for the Avro run (Release build).
#
#   bench/connect/registry-pipeline.sh               # 200,000 lines, each converter once
#   LINES=500000 REPEAT=3 bench/connect/registry-pipeline.sh
#   SKIP_BUILD=1 bench/connect/registry-pipeline.sh  # reuse the last build
#   CONVERTERS=json bench/connect/registry-pipeline.sh  # one of them only
#
# Prints, per converter: seconds from the append to the table having every row, rows/s, worker CPU seconds, bytes
# in the topic, then the Avro/JSON ratios.
set -euo pipefail

LINES=${LINES:-200000}
REPEAT=${REPEAT:-1}
TIMEOUT_S=${TIMEOUT_S:-600}
BENCH_NAME=registry . "$(dirname "$0")/common.sh"
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 1; }

python3 - "$WORK/input.gen" "$LINES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
fill = "x" * 90
with open(path, "w") as f:
    for start in range(0, n, 10000):
        f.write("".join(f"{i:010d}{fill}\n" for i in range(start, min(n, start + 10000))))
PY

wait_http() { # url pid log
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "process died:" >&2; tail -40 "$3" >&2; exit 1; }
    sleep 0.05
  done
  echo "no answer from $1" >&2; tail -40 "$3" >&2; exit 1
}

# run <label> <converter lines...>: prints "label seconds rows/s cpu_s topic_bytes"
run() {
  local label=$1 converter=$2 dir="$WORK/$1-$3"
  mkdir -p "$dir"; : > "$dir/input.txt"
  local rest broker registry_port reg_pid=""
  rest=$(free_port); broker=$(free_port); registry_port=$(free_port)
  cat > "$dir/worker.properties" <<EOF2
key.converter=org.apache.kafka.connect.storage.StringConverter
$converter
offset.storage.file.filename=$dir/connect.offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:$rest
embedded.broker.listeners=127.0.0.1:$broker
embedded.broker.data.dir=$dir/broker
EOF2
  sed -i "s#@REGISTRY@#http://127.0.0.1:$registry_port#" "$dir/worker.properties"
  cat > "$dir/source.properties" <<EOF2
name=bench-source
connector.class=FileStreamSource
file=$dir/input.txt
topic=lines
transforms=hoist
transforms.hoist.type=org.apache.kafka.connect.transforms.HoistField\$Value
transforms.hoist.field=line
EOF2
  cat > "$dir/sink.properties" <<EOF2
name=bench-sink
connector.class=io.confluent.connect.jdbc.JdbcSinkConnector
topics=lines
connection.url=jdbc:sqlite:$dir/bench.db
auto.create=true
insert.mode=insert
batch.size=3000
EOF2
  dotnet "$DLL" standalone "$dir/worker.properties" >"$dir/worker.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  wait_http "http://127.0.0.1:$rest/" "$pid" "$dir/worker.log"
  if grep -q '@REGISTRY@\|schema.registry.url' "$dir/worker.properties"; then
    printf 'listeners=http://127.0.0.1:%s\nkafkastore.bootstrap.servers=127.0.0.1:%s\n' "$registry_port" "$broker" > "$dir/registry.properties"
    dotnet "$DLL" schema-registry "$dir/registry.properties" >"$dir/registry.log" 2>&1 &
    reg_pid=$!; PIDS+=("$reg_pid")
    wait_http "http://127.0.0.1:$registry_port/subjects" "$reg_pid" "$dir/registry.log"
  fi
  for f in source sink; do
    python3 - "$dir/$f.properties" "http://127.0.0.1:$rest/connectors" <<'PY'
import json, sys, urllib.request
props = dict(l.split("=", 1) for l in open(sys.argv[1]).read().splitlines() if "=" in l)
req = urllib.request.Request(sys.argv[2], json.dumps({"name": props.pop("name"), "config": props}).encode(), {"Content-Type": "application/json"})
urllib.request.urlopen(req).read()
PY
  done
  for _ in $(seq 1 200); do
    [[ $(curl -s "http://127.0.0.1:$rest/connectors?expand=status" | grep -o '"state":"RUNNING"' | wc -l) -ge 4 ]] && break
    sleep 0.1
  done
  local tck cpu0 cpu1 load n t
  tck=$(getconf CLK_TCK)
  cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  load=$(now_ms)
  cat "$WORK/input.gen" >> "$dir/input.txt"
  while :; do
    n=$(sqlite3 "$dir/bench.db" 'select count(*) from lines' 2>/dev/null || echo 0)
    t=$(( $(now_ms) - load ))
    [[ ${n:-0} -ge $LINES ]] && break
    kill -0 "$pid" 2>/dev/null || { echo "worker died:" >&2; tail -40 "$dir/worker.log" >&2; exit 1; }
    (( t > TIMEOUT_S * 1000 )) && { echo "timeout: $n of $LINES rows" >&2; tail -30 "$dir/worker.log" >&2; exit 1; }
    sleep 0.1
  done
  cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  local bytes
  bytes=$(du -sb "$dir/broker"/lines-* 2>/dev/null | awk '{s+=$1} END {print s+0}')
  [[ -n "$reg_pid" ]] && kill -TERM "$reg_pid" 2>/dev/null || true
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v l="$label" -v t="$t" -v n="$LINES" -v c0="$cpu0" -v c1="$cpu1" -v k="$tck" -v b="$bytes" \
    'BEGIN{printf "%s %.2f %d %.2f %d\n", l, t/1000, n*1000/t, (c1-c0)/k, b}'
}

JSON='value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=true'
AVRO='value.converter=io.confluent.connect.avro.AvroConverter
value.converter.schema.registry.url=@REGISTRY@'

printf '%s lines x 100 B, FileStreamSource -> HoistField -> converter -> JDBC sink (SQLite), %s run(s)\n' "$LINES" "$REPEAT"
results="$WORK/results.txt"; : > "$results"
for r in $(seq 1 "$REPEAT"); do
  for c in ${CONVERTERS:-json avro}; do
    if [[ "$c" == json ]]; then run json "$JSON" "$r"; else run avro "$AVRO" "$r"; fi | tee -a "$results"
  done
done
echo
awk '{ s[$1]=s[$1]" "$2; r[$1]=r[$1]" "$3; c[$1]=c[$1]" "$4; b[$1]=$5 }
  function med(list,  a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
  END {
    printf "| converter | seconds | rows/s | worker cpu s | topic bytes |\n|---|---:|---:|---:|---:|\n"
    for (k in s) printf "| %s | %s | %s | %s | %s |\n", k, med(s[k]), med(r[k]), med(c[k]), b[k]
    if (("avro" in r) && ("json" in r)) printf "\navro/json: rows/s %.2f, cpu %.2f, topic bytes %.2f (medians)\n", med(r["avro"]) / med(r["json"]), med(c["avro"]) / med(c["json"]), b["avro"] / b["json"]
  }' "$results"
