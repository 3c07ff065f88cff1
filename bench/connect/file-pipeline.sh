#!/usr/bin/env bash
# End-to-end Kafka Connect benchmark: N lines of 100 bytes through FileStreamSource -> embedded broker ->
# FileStreamSink with JsonConverter (schemas enabled), one `kconnect standalone` process (Release build).
#
#   bench/connect/file-pipeline.sh                 # 1,000,000 lines, offset.flush.interval.ms=10000
#   LINES=200000 FLUSH_MS=1000 bench/connect/file-pipeline.sh
#   SKIP_BUILD=1 bench/connect/file-pipeline.sh    # reuse the last build
#   R2R=0 bench/connect/file-pipeline.sh           # plain `dotnet build -c Release` output instead of ReadyToRun
#   KEEP=1 PERF=1 bench/connect/file-pipeline.sh     # perf record during the load (perf report -i \$WORK/perf.data)
#   KEEP=1 PROFILE=~/.dotnet/tools/dotnet-trace [TRACE_PROFILE=gc-verbose] bench/connect/file-pipeline.sh   # nettrace during the load
#   EXTRA_WORKER='producer.linger.ms=5' EXTRA_SOURCE='batch.size=10000' bench/connect/file-pipeline.sh
#
# Prints a table: lines/s end to end (load start -> sink file has every line), the steady rate between 10%
# and 90% of the lines (excludes start-up and the flush tail), process start -> REST GET / 200, idle RSS
# before loading, peak RSS (VmHWM), CPU time of the worker during the load.
set -euo pipefail

LINES=${LINES:-1000000}
FLUSH_MS=${FLUSH_MS:-10000}
EXTRA_WORKER=${EXTRA_WORKER:-}
EXTRA_SOURCE=${EXTRA_SOURCE:-}
TIMEOUT_S=${TIMEOUT_S:-600}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
R2R=${R2R:-1}
# ReadyToRun is what scripts/run.sh ships (precompiled: less JIT at start-up). Its own intermediate tree
# (--artifacts-path) keeps it from fighting over obj/ with the plain Debug/Release builds.
if [[ "$R2R" == 1 ]]; then
  DLL=${KCONNECT_DLL:-$ROOT/artifacts/kconnect/kconnect.dll}
else
  DLL=${KCONNECT_DLL:-$ROOT/src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll}
fi

# KCONNECT_EXE=path runs a native build (scripts/build-native.sh) instead of `dotnet kconnect.dll`.
EXE=${KCONNECT_EXE:-}
if [[ -n "$EXE" ]]; then
  [[ -x "$EXE" ]] || { echo "KCONNECT_EXE=$EXE is not an executable" >&2; exit 1; }
elif [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ "$R2R" == 1 ]]; then
    dotnet publish "$ROOT/src/KafkaConnect.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      --artifacts-path "$ROOT/artifacts/r2r-build" -o "$ROOT/artifacts/kconnect" -v q -nologo >/dev/null
  else
    dotnet build "$ROOT/src/KafkaConnect.Cli" -c Release -v q -nologo >/dev/null
  fi
fi
[[ -n "$EXE" || -f "$DLL" ]] || { echo "missing $DLL (build src/KafkaConnect.Cli -c Release)" >&2; exit 1; }
if [[ -n "$EXE" ]]; then KC=("$EXE"); else KC=(dotnet "$DLL"); fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
WORK=$(mktemp -d /tmp/kconnect-bench.XXXXXX)
REST_PORT=$(free_port); BROKER_PORT=$(free_port)
PID=
cleanup() { [[ -n "$PID" ]] && kill -9 "$PID" 2>/dev/null || true; [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT

# 100-byte lines: a 10-digit number and 90 filler characters (plus the newline).
python3 - "$WORK/input.gen" "$LINES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
fill = "x" * 90
with open(path, "w") as f:
    for start in range(0, n, 10000):
        f.write("".join(f"{i:010d}{fill}\n" for i in range(start, min(n, start + 10000))))
PY
: > "$WORK/input.txt"

cat > "$WORK/worker.properties" <<EOF2
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.file.filename=$WORK/connect.offsets
offset.flush.interval.ms=$FLUSH_MS
listeners=http://127.0.0.1:$REST_PORT
embedded.broker.listeners=127.0.0.1:$BROKER_PORT
embedded.broker.data.dir=$WORK/broker
$EXTRA_WORKER
EOF2
cat > "$WORK/source.properties" <<EOF2
name=bench-source
connector.class=FileStreamSource
tasks.max=1
file=$WORK/input.txt
topic=bench
$EXTRA_SOURCE
EOF2
cat > "$WORK/sink.properties" <<EOF2
name=bench-sink
connector.class=FileStreamSink
tasks.max=1
file=$WORK/sink.txt
topics=bench
EOF2

start=$(now_ms)
if [[ "${PERF:-0}" == 1 ]]; then export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0; fi
"${KC[@]}" standalone "$WORK/worker.properties" "$WORK/source.properties" "$WORK/sink.properties" >"$WORK/worker.log" 2>&1 &
PID=$!
until curl -sf -o /dev/null "http://127.0.0.1:$REST_PORT/"; do
  kill -0 "$PID" 2>/dev/null || { echo "worker died:" >&2; cat "$WORK/worker.log" >&2; exit 1; }
  sleep 0.01
done
ready_ms=$(( $(now_ms) - start ))
logged_ms=$(grep -o 'ready [0-9]* ms after start' "$WORK/worker.log" | grep -o '[0-9]*' || echo '?')

# Let both tasks start and the process settle before the idle sample.
for _ in $(seq 1 100); do
  [[ $(curl -s "http://127.0.0.1:$REST_PORT/connectors?expand=status" | grep -o '"state":"RUNNING"' | wc -l) -ge 4 ]] && break
  sleep 0.1
done
sleep 2
main_ms=$(grep -o 'runtime start to Main [0-9]* ms' "$WORK/worker.log" | grep -o '[0-9]*' || echo '?')
grep -o 'start-up steps: .*' "$WORK/worker.log" >&2 || true
idle_rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/$PID/status)
tck=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
cpu0=$(cpu_ticks)

# PROFILE=<dotnet-trace binary>: sample the worker's CPU during the load into $WORK/trace.nettrace (use KEEP=1).
TRACE_PID=
if [[ -n "${PROFILE:-}" ]]; then
  "$PROFILE" collect -p "$PID" --profile "${TRACE_PROFILE:-dotnet-sampled-thread-time}" --duration 00:00:00:30 -o "$WORK/trace.nettrace" >"$WORK/trace.log" 2>&1 &
  TRACE_PID=$!
  sleep 1
fi
# PERF=1: perf record of the worker during the load into $WORK/perf.data (JIT symbols via perf map; use KEEP=1).
if [[ "${PERF:-0}" == 1 ]]; then
  perf record -F 999 -g -p "$PID" -o "$WORK/perf.data" >"$WORK/perf.log" 2>&1 &
  TRACE_PID=$!
  sleep 0.5
fi
load=$(now_ms)
cat "$WORK/input.gen" >> "$WORK/input.txt"
appended_ms=$(( $(now_ms) - load ))
t1=; t10=; t90=; done_ms=; topic_ms=
while :; do
  if [[ -z "$topic_ms" ]]; then
    hw=$(kcat -b "127.0.0.1:$BROKER_PORT" -Q -t bench:0:-1 2>/dev/null | grep -o 'offset [0-9]*' | grep -o '[0-9]*' || echo 0)
    [[ ${hw:-0} -ge $LINES ]] && topic_ms=$(( $(now_ms) - load ))
  fi
  n=$( [[ -f "$WORK/sink.txt" ]] && wc -l < "$WORK/sink.txt" || echo 0)
  t=$(( $(now_ms) - load ))
  [[ -z "$t1" && $n -ge 1 ]] && t1=$t
  [[ -z "$t10" && $n -ge $(( LINES / 10 )) ]] && t10=$t && n10=$n
  [[ -z "$t90" && $n -ge $(( LINES * 9 / 10 )) ]] && t90=$t && n90=$n
  if [[ $n -ge $LINES ]]; then done_ms=$t; break; fi
  kill -0 "$PID" 2>/dev/null || { echo "worker died:" >&2; tail -50 "$WORK/worker.log" >&2; exit 1; }
  (( t > TIMEOUT_S * 1000 )) && { echo "timeout: sink has $n of $LINES lines after ${TIMEOUT_S}s" >&2; tail -30 "$WORK/worker.log" >&2; exit 1; }
  sleep 0.05
done
cpu1=$(cpu_ticks)
if [[ -n "$TRACE_PID" ]]; then kill -TERM "$TRACE_PID" 2>/dev/null || true; wait "$TRACE_PID" 2>/dev/null || true; echo "trace/perf data in $WORK" >&2; fi
peak_kb=$(awk '/^VmHWM/ {print $2}' /proc/$PID/status)
now_rss_kb=$(awk '/^VmRSS/ {print $2}' /proc/$PID/status)

# Correctness: the sink file is the input, in order.
if cmp -s "$WORK/input.gen" "$WORK/sink.txt"; then same=yes; else same="NO ($(wc -l < "$WORK/sink.txt") lines)"; fi

kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=
gcline=$(grep -o 'runtime: .*' "$WORK/worker.log" || true)

rate=$(( LINES * 1000 / done_ms ))
steady=$(( (n90 - n10) * 1000 / (t90 > t10 ? t90 - t10 : 1) ))
cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$tck" 'BEGIN{printf "%.2f", (b-a)/t}')
printf '\nkconnect file pipeline: %d lines x 100 B, JsonConverter schemas.enable=true, offset.flush.interval.ms=%s R2R=%s %s %s\n' \
  "$LINES" "$FLUSH_MS" "$R2R" "$EXTRA_WORKER" "$EXTRA_SOURCE"
printf '| %-44s | %16s |\n' "Metric" "Value" "--------------------------------------------" "----------------"
printf '| %-44s | %16s |\n' \
  "end to end (append -> sink has all lines)" "$(awk -v l="$LINES" -v m="$done_ms" 'BEGIN{printf "%.2f s", m/1000}')" \
  "end-to-end lines/s" "$rate" \
  "source side: append -> topic has all records" "${topic_ms:-?} ms" \
  "steady lines/s (10% -> 90% of lines)" "$steady" \
  "  time to first line / 10% / 90% / 100%" "$t1/$t10/$t90/$done_ms ms" \
  "append of the input file (cat >>)" "$appended_ms ms" \
  "process start -> REST GET / 200" "$ready_ms ms" \
  "  (worker's own 'ready N ms after start')" "$logged_ms ms" \
  "  (runtime start -> Main)" "$main_ms ms" \
  "idle RSS before load" "$(( idle_rss_kb / 1024 )) MB" \
  "peak RSS (VmHWM)" "$(( peak_kb / 1024 )) MB" \
  "RSS after load" "$(( now_rss_kb / 1024 )) MB" \
  "worker CPU time during load (user+sys)" "$cpu_s s" \
  "sink file identical to input" "$same"
[[ -n "$gcline" ]] && echo "worker $gcline"
