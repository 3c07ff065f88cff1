#!/usr/bin/env bash
# Distributed-mode benchmark: one `kconnect broker` and three `kconnect distributed` workers on loopback (Release
# build), measured from the outside with curl polling every ~20 ms.
#
#   bench/connect/distributed.sh                     # everything, LINES=200000 for the pipeline
#   LINES=1000000 bench/connect/distributed.sh
#   SKIP_BUILD=1 bench/connect/distributed.sh        # reuse the last build
#   R2R=0 bench/connect/distributed.sh               # plain `dotnet build -c Release` output instead of ReadyToRun
#   NATIVE=1 bench/connect/distributed.sh            # the native executable (scripts/build-native.sh: Native AOT)
#   SC=1 bench/connect/distributed.sh                # self-contained composite ReadyToRun (runtime precompiled too);
#                                                    # implies SKIP_STANDALONE=1
#   SKIP_STANDALONE=1 bench/connect/distributed.sh   # no standalone comparison (bench/connect/file-pipeline.sh)
#   KEEP=1 bench/connect/distributed.sh              # keep the work directory (worker logs) afterwards
#
# Prints:
#   1. per worker: process start -> REST GET / 200, -> GET /health 200 (internal topics read) and -> first assignment
#      applied (measured; and the worker's log line)
#   2. POST of a FileStreamSink with tasks.max=6 -> all 6 tasks RUNNING (and how they spread), right after start-up
#      and again for a second connector
#   3. kill -9 of a worker -> its tasks RUNNING on the others, with session.timeout.ms=10000 and
#      scheduled.rebalance.max.delay.ms=3000, then the same with delay 0
#   4. SIGTERM of a worker -> its tasks RUNNING on the others (a graceful leave does not wait for the delay)
#   5. FileStreamSource -> topic -> FileStreamSink throughput (LINES x 100 B, JsonConverter with schemas) over the
#      three workers, and the same through one standalone worker (bench/connect/file-pipeline.sh)
# The broker runs with group.initial.rebalance.delay.ms=0 (as Apache's sample server.properties) and
# group.min.session.timeout.ms=1000.
set -euo pipefail

LINES=${LINES:-200000}
FLUSH_MS=${FLUSH_MS:-10000}
SESSION_MS=${SESSION_MS:-10000}
TIMEOUT_S=${TIMEOUT_S:-300}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
R2R=${R2R:-1}
SC=${SC:-0}
NATIVE=${NATIVE:-0}
if [[ "$NATIVE" == 1 ]]; then
  EXE=$ROOT/artifacts/native/kconnect
elif [[ "$SC" == 1 ]]; then
  DLL=$ROOT/artifacts/kconnect-sc/kconnect.dll
  SKIP_STANDALONE=1
elif [[ "$R2R" == 1 ]]; then
  DLL=${KCONNECT_DLL:-$ROOT/artifacts/kconnect/kconnect.dll}
else
  DLL=${KCONNECT_DLL:-$ROOT/src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll}
fi
for tool in curl jq kcat python3; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  if [[ "$NATIVE" == 1 ]]; then
    "$ROOT/scripts/build-native.sh" >/dev/null
  elif [[ "$SC" == 1 ]]; then
    # Self-contained, the runtime and the app compiled ahead of time into one composite image: far less JIT at start.
    dotnet publish "$ROOT/src/KafkaConnect.Cli" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
      -p:PublishReadyToRunComposite=true --artifacts-path "$ROOT/artifacts/sc-build" -o "$ROOT/artifacts/kconnect-sc" -v q -nologo >/dev/null
  elif [[ "$R2R" == 1 ]]; then
    dotnet publish "$ROOT/src/KafkaConnect.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      --artifacts-path "$ROOT/artifacts/r2r-build" -o "$ROOT/artifacts/kconnect" -v q -nologo >/dev/null
  else
    dotnet build "$ROOT/src/KafkaConnect.Cli" -c Release -v q -nologo >/dev/null
  fi
fi
if [[ "$NATIVE" == 1 ]]; then
  [[ -x "$EXE" ]] || { echo "missing $EXE (scripts/build-native.sh)" >&2; exit 1; }
  KC=("$EXE")
else
  [[ -f "$DLL" ]] || { echo "missing $DLL (build src/KafkaConnect.Cli -c Release)" >&2; exit 1; }
  if [[ "$SC" == 1 ]]; then KC=("$ROOT/artifacts/kconnect-sc/kconnect"); else KC=(dotnet "$DLL"); fi
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
WORK=$(mktemp -d /tmp/kconnect-dist-bench.XXXXXX)
BROKER_PORT=$(free_port)
BROKER=127.0.0.1:$BROKER_PORT
BROKER_PID=
declare -A PID PORT START
cleanup() {
  for p in "${PID[@]}" $BROKER_PID; do kill -9 "$p" 2>/dev/null || true; done
  [[ "${KEEP:-0}" == 1 ]] && echo "work directory: $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT

RESULTS=()
result() { RESULTS+=("$(printf '| %-72s | %14s |' "$1" "$2")"); printf '  %s: %s\n' "$1" "$2" >&2; }

"${KC[@]}" broker --listen "$BROKER" --data-dir "$WORK/broker" \
  --config group.initial.rebalance.delay.ms=0 --config group.min.session.timeout.ms=1000 >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
disown "$BROKER_PID"
until grep -q "listening on $BROKER" "$WORK/broker.log"; do
  kill -0 "$BROKER_PID" 2>/dev/null || { echo "broker died:" >&2; cat "$WORK/broker.log" >&2; exit 1; }
  sleep 0.02
done

# write_worker ROUND N DELAY: the worker file of worker N in cluster ROUND (own group and internal topics per round).
write_worker() {
  local round=$1 n=$2 delay=$3
  PORT[$round.$n]=${PORT[$round.$n]:-$(free_port)}
  cat > "$WORK/$round-worker$n.properties" <<EOF2
bootstrap.servers=$BROKER
group.id=bench-$round
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=true
value.converter.schemas.enable=true
config.storage.topic=$round-configs
offset.storage.topic=$round-offsets
status.storage.topic=$round-status
config.storage.replication.factor=1
offset.storage.replication.factor=1
status.storage.replication.factor=1
offset.flush.interval.ms=$FLUSH_MS
session.timeout.ms=$SESSION_MS
heartbeat.interval.ms=$(( SESSION_MS / 3 ))
scheduled.rebalance.max.delay.ms=$delay
listeners=http://127.0.0.1:${PORT[$round.$n]}
EOF2
}

start_worker() {
  local round=$1 n=$2
  START[$round.$n]=$(now_ms)
  "${KC[@]}" distributed "$WORK/$round-worker$n.properties" >"$WORK/$round-worker$n.log" 2>&1 &
  PID[$round.$n]=$!
  disown "${PID[$round.$n]}"  # no "Killed" job notices from bash
}

# wait_ready ROUND N...: one poller per worker in the background (a GET / that waits for its worker must not hold up
# the probes of the others), each setting READY[n] (start -> GET / 200), HEALTHY[n] (start -> GET /health 200: internal
# topics read), ASSIGNED[n] (start -> "first assignment applied" in its log) and LOGGED[n] (the worker's own "first
# assignment applied N ms after start"), in ms.
declare -A READY HEALTHY ASSIGNED LOGGED
# Polling without forking (bash's /dev/tcp, $EPOCHREALTIME, a read timeout as the sleep): on 2 cores, a curl per probe
# per worker every few ms takes enough CPU from the starting workers to move their figures by hundreds of ms.
since() { SINCE=$(( ${EPOCHREALTIME/./} / 1000 - $1 )); }  # sets SINCE: ms from $1 (epoch ms) to now
http_ok() {  # http_ok PORT PATH: the answer's status line is 200
  local fd line
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
  read -t 5 -r -u "$fd" line || line=
  exec {fd}>&-
  [[ "$line" == *" 200 "* ]]
}
poll_worker() {
  local round=$1 n=$2 out=$3 t ready= healthy= assigned= nap
  rm -f "$out.nap"; mkfifo "$out.nap"
  exec {nap}<>"$out.nap"
  while :; do
    kill -0 "${PID[$round.$n]}" 2>/dev/null || { echo "worker $n died:" >&2; tail -40 "$WORK/$round-worker$n.log" >&2; echo dead > "$out"; return; }
    since "${START[$round.$n]}"; t=$SINCE
    if [[ -z "$ready" ]] && http_ok "${PORT[$round.$n]}" /; then since "${START[$round.$n]}"; ready=$SINCE; fi
    if [[ -n "$ready" && -z "$healthy" ]] && http_ok "${PORT[$round.$n]}" /health; then since "${START[$round.$n]}"; healthy=$SINCE; fi
    if [[ -z "$assigned" && "$(<"$WORK/$round-worker$n.log")" == *"first assignment applied"* ]]; then assigned=$t; fi
    [[ -n "$ready" && -n "$healthy" && -n "$assigned" ]] && break
    (( t > 60000 )) && { echo "worker $n not ready in 60 s" >&2; tail -40 "$WORK/$round-worker$n.log" >&2; echo dead > "$out"; return; }
    read -t 0.01 -u "$nap" _ || true
  done
  echo "$ready $healthy $assigned" > "$out"
}
wait_ready() {
  local round=$1 n pollers=()
  shift
  for n in "$@"; do
    rm -f "$WORK/poll.$n"
    poll_worker "$round" "$n" "$WORK/poll.$n" &
    pollers+=($!)
  done
  wait "${pollers[@]}"
  for n in "$@"; do
    [[ "$(cat "$WORK/poll.$n")" != dead ]] || exit 1
    read -r READY[$n] HEALTHY[$n] ASSIGNED[$n] < "$WORK/poll.$n"
    LOGGED[$n]=$(grep -o 'first assignment applied [0-9]* ms' "$WORK/$round-worker$n.log" | grep -o '[0-9]*' | head -1 || true)
  done
}

# wait_gone PID: until the process has exited (workers are disowned, so `wait` does not apply).
wait_gone() { while kill -0 "$1" 2>/dev/null; do sleep 0.02; done; }

cluster_up() {
  local round=$1 delay=$2
  for n in 1 2 3; do write_worker "$round" "$n" "$delay"; done
  for n in 1 2 3; do start_worker "$round" "$n"; done
  wait_ready "$round" 1 2 3
  if [[ "$round" == a ]]; then
    for n in 1 2 3; do
      result "worker $n: start -> GET / 200" "${READY[$n]} ms"
      result "worker $n: start -> GET /health 200 (internal topics read)" "${HEALTHY[$n]} ms"
      result "worker $n: start -> first assignment (measured / logged)" "${ASSIGNED[$n]} / ${LOGGED[$n]:-?} ms"
    done
  fi
}

status() { curl -s "http://127.0.0.1:$1/connectors/$2/status"; }

# http_get PORT PATH: sets BODY to the response body (no fork; HTTP/1.0, so the server closes the connection).
http_get() {
  local fd resp=
  BODY=
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&"$fd"
  IFS= read -r -d '' -t 10 -u "$fd" resp || true
  exec {fd}>&-
  BODY=${resp#*$'\r\n\r\n'}
}

# wait_tasks PORT CONNECTOR N [NOT_WORKER_ID]: until N tasks RUNNING (none on NOT_WORKER_ID); writes the epoch ms at
# which it saw that to $WORK/seen_ms and prints the spread. Polls every ~5 ms without forking (a curl and a jq per
# poll cost the workers CPU on 2 cores and add their own latency); jq runs once, after the moment is taken.
wait_tasks() {
  local port=$1 c=$2 want=$3 not=${4:-} t0 tasks marks nap
  t0=${EPOCHREALTIME/./}
  rm -f "$WORK/nap.fifo"; mkfifo "$WORK/nap.fifo"; exec {nap}<>"$WORK/nap.fifo"
  while :; do
    http_get "$port" "/connectors/$c/status" || BODY=
    tasks=${BODY#*\"tasks\":}
    marks=${tasks//\"state\":\"RUNNING\"/$'\x01'}
    marks=${marks//[!$'\x01']/}
    if [[ "$BODY" == *'"tasks":'* && ${#marks} -eq $want && "$tasks" != *'"state":"'[!R]* && ( -z "$not" || "$tasks" != *"\"$not\""* ) ]]; then
      echo $(( ${EPOCHREALTIME/./} / 1000 )) > "$WORK/seen_ms"
      exec {nap}>&-
      jq -r '[.tasks[].worker_id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' <<<"$BODY"
      return 0
    fi
    (( ${EPOCHREALTIME/./} - t0 > TIMEOUT_S * 1000000 )) && { echo "timeout waiting for $c: $BODY" >&2; return 1; }
    read -t 0.005 -u "$nap" _ || true
  done
}
seen_since() { echo $(( $(<"$WORK/seen_ms") - $1 )); }

post_connector() {
  local port=$1 name=$2 config=$3
  curl -sf -o /dev/null -X POST -H 'Content-Type: application/json' \
    --data "{\"name\":\"$name\",\"config\":$config}" "http://127.0.0.1:$port/connectors"
}

# worker_of ROUND CONNECTOR PORT: the worker number running task 0.
worker_of() {
  local round=$1 c=$2 port=$3 id
  id=$(status "$port" "$c" | jq -r '.tasks[0].worker_id')
  for n in 1 2 3; do [[ "$id" == "127.0.0.1:${PORT[$round.$n]}" ]] && { echo "$n"; return; }; done
  echo "no worker runs $c task 0 ($id)" >&2; exit 1
}

six_tasks() { echo "{\"connector.class\":\"FileStreamSink\",\"tasks.max\":\"6\",\"topics\":\"$1\",\"file\":\"$WORK/$1.sink.txt\"}"; }

# kill_round ROUND DELAY: kill -9 of the worker running task 0 -> its tasks RUNNING elsewhere; sets KILLED.
kill_round() {
  local round=$1 delay=$2 victim other t0 spread
  victim=$(worker_of "$round" spread "${PORT[$round.1]}")
  other=$(( victim % 3 + 1 ))
  t0=$(now_ms)
  kill -9 "${PID[$round.$victim]}"
  spread=$(wait_tasks "${PORT[$round.$other]}" spread 6 "127.0.0.1:${PORT[$round.$victim]}")
  result "kill -9 -> its tasks RUNNING elsewhere (session ${SESSION_MS} ms, delay $delay ms)" "$(seen_since "$t0") ms"
  echo "    after: $spread" >&2
  wait_gone "${PID[$round.$victim]}"
  KILLED=$victim
}

echo "== cluster a: 3 workers, scheduled.rebalance.max.delay.ms=3000" >&2
cluster_up a 3000
t0=$(now_ms)
post_connector "${PORT[a.2]}" spread "$(six_tasks spread)"
spread=$(wait_tasks "${PORT[a.1]}" spread 6)
result "POST tasks.max=6 connector -> all 6 tasks RUNNING" "$(seen_since "$t0") ms"
echo "    spread: $spread" >&2
# The same once the code paths are warm (the first POST above comes right after start-up).
t0=$(now_ms)
post_connector "${PORT[a.2]}" warm "$(six_tasks warm)"
spread=$(wait_tasks "${PORT[a.1]}" warm 6)
result "POST tasks.max=6 connector -> all 6 tasks RUNNING (a second connector)" "$(seen_since "$t0") ms"
curl -sf -o /dev/null -X DELETE "http://127.0.0.1:${PORT[a.2]}/connectors/warm"
kill_round a 3000
killed=$KILLED

# Back to three workers, then a graceful leave.
start_worker a "$killed"
wait_ready a "$killed"
leaver=$(( killed % 3 + 1 ))
survivor=$(( leaver % 3 + 1 ))
# Let the rejoined worker get its share before the leave.
for _ in $(seq 1 500); do
  [[ $(status "${PORT[a.$survivor]}" spread | jq --arg id "127.0.0.1:${PORT[a.$leaver]}" '[.tasks[] | select(.worker_id == $id and .state == "RUNNING")] | length') -ge 1 ]] && break
  sleep 0.02
done
t0=$(now_ms)
kill -TERM "${PID[a.$leaver]}"
spread=$(wait_tasks "${PORT[a.$survivor]}" spread 6 "127.0.0.1:${PORT[a.$leaver]}")
result "SIGTERM -> its tasks RUNNING elsewhere (delay 3000 ms)" "$(seen_since "$t0") ms"
echo "    after: $spread" >&2
wait_gone "${PID[a.$leaver]}"
for n in 1 2 3; do kill -TERM "${PID[a.$n]}" 2>/dev/null || true; done
for n in 1 2 3; do wait_gone "${PID[a.$n]}"; done

echo "== cluster b: 3 workers, scheduled.rebalance.max.delay.ms=0" >&2
cluster_up b 0
post_connector "${PORT[b.1]}" spread "$(six_tasks spreadb)"
wait_tasks "${PORT[b.1]}" spread 6 >/dev/null
kill_round b 0
for n in 1 2 3; do kill -TERM "${PID[b.$n]}" 2>/dev/null || true; done
for n in 1 2 3; do wait_gone "${PID[b.$n]}"; done

echo "== cluster c: FileStream pipeline, $LINES lines x 100 B over 3 workers" >&2
python3 - "$WORK/input.gen" "$LINES" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
fill = "x" * 90
with open(path, "w") as f:
    for start in range(0, n, 10000):
        f.write("".join(f"{i:010d}{fill}\n" for i in range(start, min(n, start + 10000))))
PY
: > "$WORK/input.txt"
cluster_up c 3000
post_connector "${PORT[c.1]}" bench-source "{\"connector.class\":\"FileStreamSource\",\"tasks.max\":\"1\",\"file\":\"$WORK/input.txt\",\"topic\":\"bench\"}"
post_connector "${PORT[c.2]}" bench-sink "{\"connector.class\":\"FileStreamSink\",\"tasks.max\":\"1\",\"file\":\"$WORK/sink.txt\",\"topics\":\"bench\"}"
wait_tasks "${PORT[c.1]}" bench-source 1 >/dev/null
wait_tasks "${PORT[c.1]}" bench-sink 1 >/dev/null
echo "    source on $(status "${PORT[c.1]}" bench-source | jq -r '.tasks[0].worker_id'), sink on $(status "${PORT[c.1]}" bench-sink | jq -r '.tasks[0].worker_id')" >&2
load=$(now_ms)
cat "$WORK/input.gen" >> "$WORK/input.txt"
while :; do
  n=$( [[ -f "$WORK/sink.txt" ]] && wc -l < "$WORK/sink.txt" || echo 0)
  [[ $n -ge $LINES ]] && break
  (( $(now_ms) - load > TIMEOUT_S * 1000 )) && { echo "timeout: sink has $n of $LINES lines" >&2; exit 1; }
  sleep 0.05
done
done_ms=$(( $(now_ms) - load ))
if cmp -s "$WORK/input.gen" "$WORK/sink.txt"; then same=yes; else same="NO"; fi
result "pipeline over 3 workers: append -> sink has all $LINES lines" "$done_ms ms"
result "pipeline over 3 workers: lines/s" "$(( LINES * 1000 / done_ms ))"
result "pipeline over 3 workers: sink file identical to input" "$same"
for n in 1 2 3; do kill -TERM "${PID[c.$n]}" 2>/dev/null || true; done
for n in 1 2 3; do wait_gone "${PID[c.$n]}"; done

if [[ "${SKIP_STANDALONE:-0}" != 1 ]]; then
  echo "== one standalone worker (bench/connect/file-pipeline.sh)" >&2
  standalone=$(SKIP_BUILD=1 R2R="$R2R" KCONNECT_DLL="${DLL:-}" KCONNECT_EXE="${EXE:-}" LINES="$LINES" FLUSH_MS="$FLUSH_MS" "$ROOT/bench/connect/file-pipeline.sh" 2>/dev/null \
    | grep 'end-to-end lines/s' | grep -o '[0-9]\+ *|$' | grep -o '[0-9]\+' || echo '?')
  result "pipeline through one standalone worker (embedded broker): lines/s" "$standalone"
fi

printf '\nkconnect distributed: broker + 3 workers on loopback, R2R=%s SC=%s NATIVE=%s, session.timeout.ms=%s, offset.flush.interval.ms=%s, %s cores\n' \
  "$R2R" "$SC" "$NATIVE" "$SESSION_MS" "$FLUSH_MS" "$(nproc)"
printf '| %-72s | %14s |\n' "Metric" "Value" "------------------------------------------------------------------------" "--------------"
printf '%s\n' "${RESULTS[@]}"
