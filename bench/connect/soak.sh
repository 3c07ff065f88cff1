#!/usr/bin/env bash
# Soak benchmark (bounded): one `kconnect standalone` worker on a separate `kconnect broker` with file and JDBC
# connectors, while connectors are created, paused, resumed, restarted and deleted and the broker is restarted.
#
#   bench/connect/soak.sh                          # 5 minutes of load, broker restarted twice
#   DURATION=120 RESTARTS=1 bench/connect/soak.sh
#   SKIP_BUILD=1 KEEP=1 bench/connect/soak.sh      # reuse the last ReadyToRun build; keep the work directory
#
# Load: LINE_RATE numbered lines/s appended to a file (FileStreamSource -> topic soak-lines -> FileStreamSink) and
# ROW_RATE rows/s inserted into a SQLite table (JDBC source, incrementing -> topic soak-db-events -> JDBC sink upsert
# into another SQLite database). Churn, every CHURN_S seconds in turn: create and delete a throwaway sink, pause and
# resume the file sink, restart the JDBC sink with its tasks, restart the file source. The broker is stopped
# (SIGTERM) RESTARTS times, down for DOWN_S seconds each, spread over the run.
# Reports: lines and rows in and out, lost (must be 0), duplicates (allowed: at-least-once), peak RSS (VmHWM) of the
# broker and of the worker, open file descriptors of the worker at start and end, and of the broker before and after.
set -euo pipefail

DURATION=${DURATION:-300}
RESTARTS=${RESTARTS:-2}
DOWN_S=${DOWN_S:-10}
LINE_RATE=${LINE_RATE:-2000}
ROW_RATE=${ROW_RATE:-200}
CHURN_S=${CHURN_S:-10}
DRAIN_S=${DRAIN_S:-180}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DLL=$ROOT/artifacts/kconnect/kconnect.dll
for tool in curl python3; do command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }; done
python3 -c 'import sqlite3' || { echo "python3 with sqlite3 is required" >&2; exit 1; }
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  dotnet publish "$ROOT/src/KafkaConnect.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    --artifacts-path "$ROOT/artifacts/r2r-build" -o "$ROOT/artifacts/kconnect" -v q -nologo >/dev/null
fi
[[ -f "$DLL" ]] || { echo "missing $DLL" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
WORK=$(mktemp -d /tmp/kconnect-soak.XXXXXX)
BROKER_PORT=$(free_port); REST_PORT=$(free_port)
BROKER=127.0.0.1:$BROKER_PORT
REST=http://127.0.0.1:$REST_PORT
BROKER_PID= WORKER_PID= LINES_PID= ROWS_PID=
cleanup() {
  for p in $LINES_PID $ROWS_PID $WORKER_PID $BROKER_PID; do kill -9 "$p" 2>/dev/null || true; done
  [[ "${KEEP:-0}" == 1 ]] && echo "work directory: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
hwm_mb() { awk '/VmHWM/ {print int($2/1024)}' "/proc/$1/status" 2>/dev/null || echo "?"; }

BROKER_HWM=0
start_broker() {
  dotnet "$DLL" broker --listen "$BROKER" --data-dir "$WORK/broker" >>"$WORK/broker.log" 2>&1 &
  BROKER_PID=$!
  disown "$BROKER_PID"
  until grep -q "listening on $BROKER" "$WORK/broker.log" 2>/dev/null; do
    kill -0 "$BROKER_PID" 2>/dev/null || { echo "broker died:" >&2; tail -20 "$WORK/broker.log" >&2; exit 1; }
    sleep 0.05
  done
  : > "$WORK/broker.marker"
}
stop_broker() {
  local h
  h=$(hwm_mb "$BROKER_PID"); (( h > BROKER_HWM )) && BROKER_HWM=$h
  kill -TERM "$BROKER_PID"
  while kill -0 "$BROKER_PID" 2>/dev/null; do sleep 0.05; done
  # The next start appends to the same log; wait for its own "listening" line.
  mv "$WORK/broker.log" "$WORK/broker.$(date +%s).log"
}

start_broker
BROKER_FDS_START=$(fds "$BROKER_PID")

sqlite3_py() { python3 - "$@"; }
sqlite3_py "$WORK/src.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL, amount INTEGER NOT NULL)")
db.commit()
PY
: > "$WORK/input.txt"

cat > "$WORK/worker.properties" <<EOF
bootstrap.servers=$BROKER
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
offset.storage.file.filename=$WORK/connect.offsets
offset.flush.interval.ms=5000
listeners=$REST
EOF
dotnet "$DLL" standalone "$WORK/worker.properties" >"$WORK/worker.log" 2>&1 &
WORKER_PID=$!
disown "$WORKER_PID"
until curl -sf -o /dev/null "$REST/health"; do
  kill -0 "$WORKER_PID" 2>/dev/null || { echo "worker died:" >&2; tail -20 "$WORK/worker.log" >&2; exit 1; }
  sleep 0.05
done

put() { curl -sf -o /dev/null -X PUT -H 'Content-Type: application/json' --data "$2" "$REST/connectors/$1/config"; }
file_source() { put file-source "{\"connector.class\":\"FileStreamSource\",\"file\":\"$WORK/input.txt\",\"topic\":\"soak-lines\"}"; }
file_sink() { put file-sink "{\"connector.class\":\"FileStreamSink\",\"file\":\"$WORK/sink.txt\",\"topics\":\"soak-lines\"}"; }
file_source
file_sink
put jdbc-source "{\"connector.class\":\"io.confluent.connect.jdbc.JdbcSourceConnector\",\"connection.url\":\"jdbc:sqlite:$WORK/src.db\",\"mode\":\"incrementing\",\"incrementing.column.name\":\"id\",\"table.whitelist\":\"events\",\"topic.prefix\":\"soak-db-\",\"poll.interval.ms\":\"200\"}"
put jdbc-sink "{\"connector.class\":\"io.confluent.connect.jdbc.JdbcSinkConnector\",\"connection.url\":\"jdbc:sqlite:$WORK/dst.db\",\"topics\":\"soak-db-events\",\"insert.mode\":\"upsert\",\"pk.mode\":\"record_value\",\"pk.fields\":\"id\",\"auto.create\":\"true\"}"
sleep 3
WORKER_FDS_START=$(fds "$WORKER_PID")
log "broker pid $BROKER_PID, worker pid $WORKER_PID; fds at start: worker $WORKER_FDS_START, broker $BROKER_FDS_START"

# Writers: numbered lines to the file, rows to SQLite, each at its rate, until told to stop.
python3 - "$WORK/input.txt" "$LINE_RATE" "$WORK/stop" "$WORK/lines.count" <<'PY' &
import os, sys, time
path, rate, stop, count_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
fill = "x" * 80
n, start = 0, time.monotonic()
with open(path, "a", buffering=1 << 16) as f:
    while not os.path.exists(stop):
        due = int((time.monotonic() - start) * rate)
        if due > n:
            f.write("".join(f"{i:012d}{fill}\n" for i in range(n, due)))
            f.flush()
            n = due
        time.sleep(0.01)
open(count_path, "w").write(str(n))
PY
LINES_PID=$!
python3 - "$WORK/src.db" "$ROW_RATE" "$WORK/stop" "$WORK/rows.count" <<'PY' &
import os, sqlite3, sys, time
path, rate, stop, count_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
db = sqlite3.connect(path, timeout=30)
n, start = 0, time.monotonic()
while not os.path.exists(stop):
    due = int((time.monotonic() - start) * rate)
    if due > n:
        db.executemany("INSERT INTO events (payload, amount) VALUES (?, ?)", [(f"row-{i}", i % 1000) for i in range(n, due)])
        db.commit()
        n = due
    time.sleep(0.02)
open(count_path, "w").write(str(n))
PY
ROWS_PID=$!

# Churn and broker restarts until DURATION has passed.
started=$SECONDS
next_restart=$(( RESTARTS > 0 ? DURATION / (RESTARTS + 1) : DURATION + 1 ))
restarts_done=0
step=0
churned=0
while (( SECONDS - started < DURATION )); do
  sleep "$CHURN_S"
  kill -0 "$WORKER_PID" 2>/dev/null || { echo "worker died:" >&2; tail -40 "$WORK/worker.log" >&2; exit 1; }
  if (( restarts_done < RESTARTS && SECONDS - started >= next_restart * (restarts_done + 1) )); then
    log "broker restart $((restarts_done + 1)): down for ${DOWN_S}s"
    stop_broker
    sleep "$DOWN_S"
    start_broker
    restarts_done=$((restarts_done + 1))
    continue
  fi
  case $(( step % 4 )) in
    0) put throwaway "{\"connector.class\":\"FileStreamSink\",\"file\":\"$WORK/throwaway.txt\",\"topics\":\"soak-lines\"}" || log "create throwaway failed"
       sleep 2
       curl -sf -o /dev/null -X DELETE "$REST/connectors/throwaway" || log "delete throwaway failed" ;;
    1) curl -sf -o /dev/null -X PUT "$REST/connectors/file-sink/pause" || log "pause failed"
       sleep 2
       curl -sf -o /dev/null -X PUT "$REST/connectors/file-sink/resume" || log "resume failed" ;;
    2) curl -sf -o /dev/null -X POST "$REST/connectors/jdbc-sink/restart?includeTasks=true" || log "restart jdbc-sink failed" ;;
    3) curl -sf -o /dev/null -X POST "$REST/connectors/file-source/restart?includeTasks=true" || log "restart file-source failed" ;;
  esac
  step=$((step + 1)); churned=$((churned + 1))
done
: > "$WORK/stop"
wait "$LINES_PID" "$ROWS_PID" 2>/dev/null || true
LINES_PID= ROWS_PID=
LINES_IN=$(<"$WORK/lines.count"); ROWS_IN=$(<"$WORK/rows.count")
log "load stopped: $LINES_IN lines, $ROWS_IN rows written; draining (at most ${DRAIN_S}s)"

# Drain: until the sink file has every line and the target table every row, or DRAIN_S passes.
report=$(python3 - "$WORK/sink.txt" "$LINES_IN" "$WORK/dst.db" "$ROWS_IN" "$DRAIN_S" <<'PY'
import os, sqlite3, sys, time
sink, lines_in, dst, rows_in, drain = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
deadline = time.monotonic() + drain
def lines():
    seen = {}
    if os.path.exists(sink):
        with open(sink) as f:
            for line in f:
                if len(line) >= 12 and line[:12].isdigit():
                    k = int(line[:12]); seen[k] = seen.get(k, 0) + 1
    return seen
def rows():
    if not os.path.exists(dst): return set()
    try:
        db = sqlite3.connect(dst, timeout=5)
        return {r[0] for r in db.execute('SELECT id FROM "soak-db-events"')}
    except sqlite3.Error:
        return set()
while True:
    seen, got = lines(), rows()
    missing_lines = sum(1 for i in range(lines_in) if i not in seen)
    missing_rows = sum(1 for i in range(1, rows_in + 1) if i not in got)
    if (missing_lines == 0 and missing_rows == 0) or time.monotonic() > deadline: break
    time.sleep(1)
dups = sum(c - 1 for c in seen.values() if c > 1)
print(f"{sum(seen.values())} {missing_lines} {dups} {len(got)} {missing_rows}")
PY
)
read -r LINES_OUT LINES_LOST LINES_DUP ROWS_OUT ROWS_LOST <<<"$report"
WORKER_FDS_END=$(fds "$WORKER_PID")
WORKER_HWM=$(hwm_mb "$WORKER_PID")
h=$(hwm_mb "$BROKER_PID"); (( h > BROKER_HWM )) && BROKER_HWM=$h
BROKER_FDS_END=$(fds "$BROKER_PID")
STATES=$(curl -s "$REST/connectors?expand=status" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(n + "=" + v["status"]["connector"]["state"] + "/" + ",".join(t["state"] for t in v["status"]["tasks"]) for n, v in sorted(d.items())))')

printf '\nkconnect soak: %ss of load, %s broker restarts (%ss down), %s churn steps, %s lines/s + %s rows/s, %s cores\n' \
  "$DURATION" "$RESTARTS" "$DOWN_S" "$churned" "$LINE_RATE" "$ROW_RATE" "$(nproc)"
printf '| %-58s | %16s |\n' "Metric" "Value" "----------------------------------------------------------" "----------------"
row() { printf '| %-58s | %16s |\n' "$1" "$2"; }
row "file lines written / in the sink file" "$LINES_IN / $LINES_OUT"
row "file lines lost" "$LINES_LOST"
row "file lines duplicated (at-least-once)" "$LINES_DUP"
row "SQLite rows inserted / in the target table" "$ROWS_IN / $ROWS_OUT"
row "rows lost" "$ROWS_LOST"
row "peak RSS broker (VmHWM, any of its runs)" "${BROKER_HWM} MB"
row "peak RSS worker (VmHWM)" "${WORKER_HWM} MB"
row "worker open fds: start / end" "$WORKER_FDS_START / $WORKER_FDS_END"
row "broker open fds: first start / end" "$BROKER_FDS_START / $BROKER_FDS_END"
echo "connector states at the end: $STATES"
[[ "$LINES_LOST" == 0 && "$ROWS_LOST" == 0 ]] || { echo "DATA LOST" >&2; exit 1; }
