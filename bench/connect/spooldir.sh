#!/usr/bin/env bash
# SpoolDir CSV source vs FileStreamSource on the same bytes, side by side in one run: N CSV rows (id,name,city,amount,
# about 40 bytes) into the embedded broker, value.converter JsonConverter without schemas for both. One
# `kconnect standalone` per connector (Release build); the file is dropped in once the connector is RUNNING.
#
#   bench/connect/spooldir.sh                         # 500,000 rows, each connector once
#   ROWS=1000000 REPEAT=3 bench/connect/spooldir.sh
#   SKIP_BUILD=1 bench/connect/spooldir.sh            # reuse the last build
#
# Prints per connector: seconds from the drop to the topic's end offset reaching every row, rows/s, worker CPU seconds;
# then the SpoolDir/FileStream ratios. SpoolDir parses each row into a struct of four fields; FileStream sends the line.
set -euo pipefail

ROWS=${ROWS:-500000}
REPEAT=${REPEAT:-1}
TIMEOUT_S=${TIMEOUT_S:-600}
BENCH_NAME=spooldir . "$(dirname "$0")/common.sh"
command -v kcat >/dev/null || { echo "needs kcat (apt-get install kcat)" >&2; exit 1; }

python3 - "$WORK/rows.csv" "$ROWS" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
cities = ["Seoul", "Busan", "Incheon", "Daegu", "Daejeon"]
with open(path, "w") as f:
    f.write("id,name,city,amount\n")
    for start in range(0, n, 10000):
        f.write("".join(f"{i},name-{i % 997},{cities[i % 5]},{i % 10000}.{i % 100:02d}\n" for i in range(start, min(n, start + 10000))))
PY

end_offset() { # servers topic -> end offset of partition 0 (0 while the topic does not exist)
  kcat -b "$1" -Q -t "$2:0:-1" 2>/dev/null | awk '/offset/ {for (i = 1; i <= NF; i++) if ($i == "offset") print $(i+1)}' | head -1 || true
}

# run <label> <round>: prints "label seconds rows/s cpu_s"
run() {
  local label=$1 dir="$WORK/$1-$2"
  mkdir -p "$dir/in" "$dir/finished" "$dir/error"
  local rest broker expected
  rest=$(free_port); broker=$(free_port)
  cat > "$dir/worker.properties" <<EOF2
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.storage.file.filename=$dir/connect.offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:$rest
embedded.broker.listeners=127.0.0.1:$broker
embedded.broker.data.dir=$dir/broker
EOF2
  if [[ "$label" == spooldir ]]; then
    expected=$ROWS
    cat > "$dir/connector.properties" <<EOF2
name=bench
connector.class=com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector
topic=rows
input.path=$dir/in
finished.path=$dir/finished
error.path=$dir/error
input.file.pattern=.*\\.csv
csv.first.row.as.header=true
schema.generation.enabled=true
batch.size=2000
EOF2
  else
    expected=$((ROWS + 1)) # the header line is a record too
    : > "$dir/in/rows.txt"
    cat > "$dir/connector.properties" <<EOF2
name=bench
connector.class=FileStreamSource
topic=rows
file=$dir/in/rows.txt
batch.size=2000
EOF2
  fi
  dotnet "$DLL" standalone "$dir/worker.properties" "$dir/connector.properties" >"$dir/worker.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  for _ in $(seq 1 600); do
    curl -s "http://127.0.0.1:$rest/connectors/bench/status" | grep -q '"tasks":\[{"id":0,"state":"RUNNING"' && break
    kill -0 "$pid" 2>/dev/null || { echo "worker died:" >&2; tail -40 "$dir/worker.log" >&2; exit 1; }
    sleep 0.05
  done
  local tck cpu0 cpu1 start n t
  tck=$(getconf CLK_TCK)
  cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
  start=$(now_ms)
  if [[ "$label" == spooldir ]]; then
    cp "$WORK/rows.csv" "$dir/rows.csv.staging" && mv "$dir/rows.csv.staging" "$dir/in/rows.csv"
  else
    cat "$WORK/rows.csv" >> "$dir/in/rows.txt"
  fi
  while :; do
    n=$(end_offset "127.0.0.1:$broker" rows)
    t=$(( $(now_ms) - start ))
    [[ ${n:-0} -ge $expected ]] && break
    kill -0 "$pid" 2>/dev/null || { echo "worker died:" >&2; tail -40 "$dir/worker.log" >&2; exit 1; }
    (( t > TIMEOUT_S * 1000 )) && { echo "timeout: $n of $expected records" >&2; tail -30 "$dir/worker.log" >&2; exit 1; }
    sleep 0.05
  done
  cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v l="$label" -v t="$t" -v n="$ROWS" -v c0="$cpu0" -v c1="$cpu1" -v k="$tck" \
    'BEGIN{printf "%s %.2f %d %.2f\n", l, t/1000, n*1000/t, (c1-c0)/k}'
}

printf '%s CSV rows (%s bytes) into one topic, %s run(s)\n' "$ROWS" "$(stat -c %s "$WORK/rows.csv")" "$REPEAT"
results="$WORK/results.txt"; : > "$results"
for r in $(seq 1 "$REPEAT"); do
  for c in filestream spooldir; do
    run "$c" "$r" | tee -a "$results"
  done
done
echo
awk '{ s[$1]=s[$1]" "$2; r[$1]=r[$1]" "$3; c[$1]=c[$1]" "$4 }
  function med(list,  a, n, i, j, t) { n = split(list, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }; return a[int((n + 1) / 2)] }
  END {
    printf "| connector | seconds | rows/s | worker cpu s |\n|---|---:|---:|---:|\n"
    for (k in s) printf "| %s | %s | %s | %s |\n", k, med(s[k]), med(r[k]), med(c[k])
    if (("spooldir" in r) && ("filestream" in r)) printf "\nspooldir/filestream: rows/s %.2f, cpu %.2f (medians)\n", med(r["spooldir"]) / med(r["filestream"]), med(c["spooldir"]) / med(c["filestream"])
  }' "$results"
