#!/usr/bin/env bash
# Debezium's PostgresConnector under a pgbench-style load: short transactions that update a row of `accounts` (100,000
# rows with pgbench's 84-byte filler) and of `tellers` (100 rows) and insert into `history`, three changes per
# transaction, from pgbench itself (-n -f, CLIENTS clients). One `kconnect standalone` (Release build) streams the three
# tables into the embedded broker, JsonConverter without schemas, snapshot.mode=no_data. Needs the logical-replication
# PostgreSQL of scripts/db-up.sh (PGPORT 55433), pgbench, psql, kcat and python3.
#
#   bench/connect/cdc.sh                      # defaults below
#   RATE=1000 LIVE_S=60 BACKLOG_TX=100000 bench/connect/cdc.sh
#   SKIP_BUILD=1 bench/connect/cdc.sh         # reuse the last build
#
# Three phases on one worker, printed as one table:
#   latency  pgbench throttled to RATE transactions/s (-R) for LATENCY_S s after a warm-up; a reader (kcat per topic,
#            unbuffered, into a python timestamper) notes when each record is readable; latency = that receipt time
#            - source.ts_us (the transaction's commit timestamp that PostgreSQL sends in pgoutput's Commit message):
#            commit -> WAL decoding -> connector -> converter -> producer -> broker -> consumer fetch. Same clock.
#            Every record of the window is waited for; p50/p90/p99/max over all of them.
#   live     pgbench unthrottled for LIVE_S s: changes/s from pgbench's start until the topics hold every change it
#            committed (the connector keeps up with the database or the tail shows in the figure), and the
#            database's own rate beside it. PostgreSQL, pgbench and the worker share the machine.
#   backlog  worker stopped (SIGTERM), BACKLOG_TX transactions committed, worker started again: changes/s from the
#            first to the last backlog record reaching the topics, the connector's ceiling without a database load.
set -euo pipefail

RATE=${RATE:-500}
LATENCY_S=${LATENCY_S:-30}
LIVE_S=${LIVE_S:-30}
BACKLOG_TX=${BACKLOG_TX:-50000}
CLIENTS=${CLIENTS:-4}
TIMEOUT_S=${TIMEOUT_S:-300}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-55433}
PGUSER=${PGUSER:-postgres}
PGDATABASE=${PGDATABASE:-kctest}
export PGHOST PGPORT PGUSER PGDATABASE
BENCH_NAME=cdc . "$(dirname "$0")/common.sh"
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PATH=$PATH:$PGBIN
for tool in pgbench psql kcat python3 curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (pgbench/psql: apt-get install postgresql-15; kcat: apt-get install kcat)" >&2; exit 1; }
done
psql -qtAc 'SELECT 1' >/dev/null 2>&1 || { echo "no PostgreSQL on $PGHOST:$PGPORT: run scripts/db-up.sh" >&2; exit 1; }
[[ $(psql -qtAc 'SHOW wal_level') == logical ]] || { echo "$PGHOST:$PGPORT needs wal_level=logical (scripts/db-up.sh's CDC cluster)" >&2; exit 1; }

S=cdcbench_$$
TOPICS=(bench.$S.accounts bench.$S.tellers bench.$S.history)
drop_db() { # the slots (once their killed readers' WAL senders let go of them), the publication, the schema
  local _
  for _ in $(seq 1 100); do
    [[ $(psql -qtAc "SELECT count(*) FROM pg_replication_slots WHERE slot_name IN ('$S', '${S}_td') AND active") == 0 ]] && break
    sleep 0.1
  done
  psql -qtAc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name IN ('$S', '${S}_td')" >/dev/null \
    || echo "could not drop the replication slots $S, ${S}_td: drop them by hand" >&2
  psql -qc "DROP PUBLICATION IF EXISTS $S; DROP SCHEMA IF EXISTS $S CASCADE" >/dev/null 2>&1 || echo "could not drop schema $S" >&2
}
READER=""
trap '[[ -n "$READER" ]] && pkill -P "$READER"; cleanup; drop_db' EXIT

psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
CREATE SCHEMA $S;
CREATE TABLE $S.accounts (aid INT PRIMARY KEY, bid INT NOT NULL, abalance INT NOT NULL, filler CHAR(84));
CREATE TABLE $S.tellers (tid INT PRIMARY KEY, bid INT NOT NULL, tbalance INT NOT NULL, filler CHAR(84));
CREATE TABLE $S.history (hid BIGSERIAL PRIMARY KEY, tid INT, bid INT, aid INT, delta INT, mtime TIMESTAMP, filler CHAR(22));
INSERT INTO $S.accounts SELECT i, 1, 0, '' FROM generate_series(1, 100000) i;
INSERT INTO $S.tellers SELECT i, 1, 0, '' FROM generate_series(1, 100) i;
SQL
cat > "$WORK/tx.sql" <<SQL
\set aid random(1, 100000)
\set tid random(1, 100)
\set delta random(-5000, 5000)
BEGIN;
UPDATE $S.accounts SET abalance = abalance + :delta WHERE aid = :aid;
UPDATE $S.tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
INSERT INTO $S.history (tid, bid, aid, delta, mtime) VALUES (:tid, 1, :aid, :delta, CURRENT_TIMESTAMP);
END;
SQL
CHANGES_PER_TX=3

REST=$(free_port); BROKER=127.0.0.1:$(free_port)
cat > "$WORK/worker.properties" <<EOF2
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.storage.file.filename=$WORK/connect.offsets
offset.flush.interval.ms=10000
listeners=http://127.0.0.1:$REST
embedded.broker.listeners=$BROKER
embedded.broker.data.dir=$WORK/broker
EOF2
cat > "$WORK/cdc.properties" <<EOF2
name=cdc
connector.class=io.debezium.connector.postgresql.PostgresConnector
database.hostname=$PGHOST
database.port=$PGPORT
database.user=$PGUSER
database.dbname=$PGDATABASE
topic.prefix=bench
slot.name=$S
publication.name=$S
publication.autocreate.mode=filtered
table.include.list=$S\\.accounts,$S\\.tellers,$S\\.history
snapshot.mode=no_data
EOF2

WORKER=""
start_worker() {
  dotnet "$DLL" standalone "$WORK/worker.properties" "$WORK/cdc.properties" >>"$WORK/worker.log" 2>&1 &
  WORKER=$!; PIDS+=("$WORKER")
  for _ in $(seq 1 1200); do
    [[ $(psql -qtAc "SELECT active FROM pg_replication_slots WHERE slot_name = '$S'") == t ]] && return 0
    kill -0 "$WORKER" 2>/dev/null || { echo "worker died:" >&2; tail -40 "$WORK/worker.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "the connector did not start streaming:" >&2; tail -40 "$WORK/worker.log" >&2; exit 1
}
stop_worker() { kill -TERM "$WORKER"; wait "$WORKER" 2>/dev/null || true; }

end_offsets() { # -> sum of the three topics' end offsets (a topic not created yet counts 0), one kcat call
  local args=() t
  for t in "${TOPICS[@]}"; do args+=(-t "$t:0:-1"); done
  { kcat -b "$BROKER" -Q "${args[@]}" 2>/dev/null || true; } \
    | awk '/offset/ {for (i = 1; i <= NF; i++) if ($i == "offset" && $(i+1) > 0) s += $(i+1)} END {print s + 0}'
}
wait_offsets() { # target -> prints ms (epoch) when the topics' end offsets first reach target
  local n
  while :; do
    n=$(end_offsets)
    [[ $n -ge $1 ]] && { now_ms; return; }
    kill -0 "$WORKER" 2>/dev/null || { echo "worker died:" >&2; tail -40 "$WORK/worker.log" >&2; exit 1; }
    (( $(now_ms) > DEADLINE )) && { echo "timeout: $n of $1 records" >&2; tail -30 "$WORK/worker.log" >&2; exit 1; }
    sleep 0.1
  done
}
pgbench_tx() { awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}' "$1"; }
run_pgbench() { # log, pgbench options...
  local log=$1; shift
  pgbench -n -f "$WORK/tx.sql" -c "$CLIENTS" -j 2 "$@" >"$log" 2>&1 || { echo "pgbench failed:" >&2; cat "$log" >&2; exit 1; }
  if grep -q 'number of failed transactions: [1-9]' "$log"; then echo "pgbench had failed transactions:" >&2; cat "$log" >&2; exit 1; fi
}

results="$WORK/results.txt"; : > "$results"

# --- baseline: PostgreSQL alone -----------------------------------------------------------------------------------
# The same throttled load read by pg_recvlogical with test_decoding (no connector, no Kafka): commit -> the COMMIT
# line readable, per transaction. The floor the database and its WAL sender set under this load on this machine.
DEADLINE=$(( $(now_ms) + TIMEOUT_S * 1000 ))
pg_recvlogical -d "$PGDATABASE" -S "${S}_td" -P test_decoding --create-slot
window_us=$(( $(now_ms) * 1000 ))
pg_recvlogical -d "$PGDATABASE" -S "${S}_td" --start -o include-timestamp=on -f - 2>"$WORK/recvlogical.err" > >(python3 -u -c '
import sys, time
from datetime import datetime
window_us, mine = int(sys.argv[1]), b"table " + sys.argv[2].encode() + b"."
ours = False  # the slot decodes the whole database: only transactions that touched our tables count
for line in sys.stdin.buffer:
    now = time.time_ns() // 1000
    if line.startswith(b"BEGIN "):
        ours = False
    elif line.startswith(mine):
        ours = True
    elif line.startswith(b"COMMIT ") and b"(at " in line and ours:
        commit = int(datetime.fromisoformat(line.split(b"(at ", 1)[1].rstrip(b")\n").decode()).timestamp() * 1_000_000)
        if commit >= window_us:
            sys.stdout.write(f"{now - commit}\n")' "$window_us" "$S" > "$WORK/baseline.txt") &
RECV=$!; PIDS+=("$RECV")
run_pgbench "$WORK/baseline.log" -R "$RATE" -T "$LATENCY_S"
base_n=$(pgbench_tx "$WORK/baseline.log")
wait_lines() { # file count pid-of-the-reader
  while [[ $(wc -l < "$1") -lt $2 ]]; do
    kill -0 "$3" 2>/dev/null || { echo "reader of $1 died" >&2; exit 1; }
    (( $(now_ms) > DEADLINE )) && { echo "timeout: $(wc -l < "$1") of $2 lines in $1" >&2; exit 1; }
    sleep 0.1
  done
  [[ $(wc -l < "$1") -eq $2 ]] || { echo "$(wc -l < "$1") lines in $1, $2 expected" >&2; exit 1; }
}
wait_lines "$WORK/baseline.txt" "$base_n" "$RECV"
kill -TERM "$RECV"; wait "$RECV" 2>/dev/null || true
pct() { # file column -> "p50 p90 p99 max" in ms
  cut -d' ' -f"$2" "$1" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f %.1f %.1f %.1f", v[int(NR * 0.50)] / 1000, v[int(NR * 0.90)] / 1000, v[int(NR * 0.99)] / 1000, v[NR] / 1000 }'
}
read -r p50 p90 p99 pmax <<<"$(pct "$WORK/baseline.txt" 1)"
printf 'baseline %d tx/s x %d s: %d transactions, PostgreSQL commit -> pg_recvlogical COMMIT line p50 %s ms, p90 %s ms, p99 %s ms, max %s ms\n' \
  "$RATE" "$LATENCY_S" "$base_n" "$p50" "$p90" "$p99" "$pmax" | tee -a "$results"
for _ in $(seq 1 100); do # the WAL sender may not have let go of the slot yet
  pg_recvlogical -d "$PGDATABASE" -S "${S}_td" --drop-slot 2>/dev/null && break
  sleep 0.1
done

start_worker

# --- latency ------------------------------------------------------------------------------------------------------
DEADLINE=$(( $(now_ms) + TIMEOUT_S * 1000 ))
run_pgbench "$WORK/warmup.log" -t 500
warm=$(( $(pgbench_tx "$WORK/warmup.log") * CHANGES_PER_TX ))
wait_offsets "$warm" >/dev/null
window_us=$(( $(now_ms) * 1000 ))
python3 -u - "$BROKER" "$window_us" "${TOPICS[@]}" > "$WORK/latency.txt" <<'PY' &
# Per record committed after window_us, as each is read: receipt time - source.ts_us (the commit), and the record's
# Kafka timestamp (set when the worker's producer took it) - source.ts_us, in microseconds.
import re, subprocess, sys, threading, time
broker, window_us, topics = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
ts = re.compile(rb'"source":\{[^}]*?"ts_us":(\d+)')
lock = threading.Lock()
def read(topic):
    p = subprocess.Popen(["kcat", "-C", "-b", broker, "-t", topic, "-o", "beginning", "-u", "-q", "-f", "%T %s\n",
                          "-X", "fetch.wait.max.ms=50"], stdout=subprocess.PIPE)
    for line in p.stdout:
        now = time.time_ns() // 1000
        m = ts.search(line)
        if m and int(m.group(1)) >= window_us:
            commit = int(m.group(1))
            with lock:
                sys.stdout.write(f"{now - commit} {int(line.split(b' ', 1)[0]) * 1000 - commit}\n")
threads = [threading.Thread(target=read, args=(t,), daemon=True) for t in topics]
for t in threads: t.start()
for t in threads: t.join()
PY
READER=$!; PIDS+=("$READER")
run_pgbench "$WORK/latency.log" -R "$RATE" -T "$LATENCY_S"
lat_n=$(( $(pgbench_tx "$WORK/latency.log") * CHANGES_PER_TX ))
wait_lines "$WORK/latency.txt" "$lat_n" "$READER"
pkill -P "$READER" 2>/dev/null || true; kill "$READER" 2>/dev/null || true; wait "$READER" 2>/dev/null || true; READER=""
read -r p50 p90 p99 pmax <<<"$(pct "$WORK/latency.txt" 1)"
read -r q50 q90 q99 qmax <<<"$(pct "$WORK/latency.txt" 2)"
printf 'latency %d tx/s x %d s: %d changes, commit -> readable p50 %s ms, p90 %s ms, p99 %s ms, max %s ms (commit -> record timestamp p50 %s ms, p99 %s ms)\n' \
  "$RATE" "$LATENCY_S" "$lat_n" "$p50" "$p90" "$p99" "$pmax" "$q50" "$q99" | tee -a "$results"

# --- live ---------------------------------------------------------------------------------------------------------
DEADLINE=$(( $(now_ms) + (LIVE_S + TIMEOUT_S) * 1000 ))
base=$(end_offsets)
tck=$(getconf CLK_TCK)
cpu0=$(awk '{print $14 + $15}' /proc/"$WORKER"/stat)
t0=$(now_ms)
run_pgbench "$WORK/live.log" -T "$LIVE_S"
t_db=$(now_ms)
live_n=$(( $(pgbench_tx "$WORK/live.log") * CHANGES_PER_TX ))
t_done=$(wait_offsets $(( base + live_n )))
cpu1=$(awk '{print $14 + $15}' /proc/"$WORKER"/stat)
awk -v n="$live_n" -v a="$t0" -v b="$t_db" -v c="$t_done" -v c0="$cpu0" -v c1="$cpu1" -v k="$tck" -v cl="$CLIENTS" 'BEGIN {
  printf "live %d clients unthrottled: %d changes committed at %d/s; all in the topics after %.1f s (%.1f s after pgbench ended): %d changes/s, worker CPU %.1f s\n",
    cl, n, n * 1000 / (b - a), (c - a) / 1000, (c - b) / 1000, n * 1000 / (c - a), (c1 - c0) / k }' | tee -a "$results"

# --- backlog ------------------------------------------------------------------------------------------------------
base=$(end_offsets) # the broker is the worker's: read before stopping it
stop_worker
run_pgbench "$WORK/backlog.log" -t $(( BACKLOG_TX / CLIENTS ))
back_n=$(( $(pgbench_tx "$WORK/backlog.log") * CHANGES_PER_TX ))
DEADLINE=$(( $(now_ms) + TIMEOUT_S * 1000 ))
t_start=$(now_ms)
start_worker
t_first=$(wait_offsets $(( base + 1 )))
cpu0=$(awk '{print $14 + $15}' /proc/"$WORKER"/stat)
t_done=$(wait_offsets $(( base + back_n )))
cpu1=$(awk '{print $14 + $15}' /proc/"$WORKER"/stat)
awk -v n="$back_n" -v s="$t_start" -v a="$t_first" -v c="$t_done" -v c0="$cpu0" -v c1="$cpu1" -v k="$tck" 'BEGIN {
  printf "backlog: %d changes streamed in %.1f s from the first record (%.1f s after the worker start): %d changes/s, worker CPU %.1f s\n",
    n, (c - a) / 1000, (a - s) / 1000, n * 1000 / (c - a), (c1 - c0) / k }' | tee -a "$results"
stop_worker
