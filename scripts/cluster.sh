#!/usr/bin/env bash
# A local Kafka Connect cluster: `kconnect broker` on 127.0.0.1:9092 and three `kconnect distributed` workers (REST on
# 8083, 8084 and 8085) in group connect-cluster, from the Release build, in the background. The workers use
# config/connect-distributed.properties with their own listeners. Logs, pid files and data go to .data/cluster/.
#
#   scripts/cluster.sh           # build, start, print how to try it
#   NATIVE=1 scripts/cluster.sh  # the same on the native executable (scripts/build-native.sh; starts in a fraction)
#   scripts/cluster.sh status    # which processes run, and the cluster's connectors
#   scripts/cluster.sh stop      # SIGTERM to the workers (they hand their work over and leave), then to the broker
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
dir=$root/.data/cluster
ports=(8083 8084 8085)
broker=127.0.0.1:9092
kconnect=$root/src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll
native=$root/artifacts/native/kconnect
if [[ "${NATIVE:-0}" == 1 ]]; then kc=("$native"); else kc=(dotnet "$kconnect"); fi

# The pid in a pid file, if that process is still a kconnect of ours.
alive() {
  local file=$1 pid
  [[ -f "$file" ]] || return 1
  pid=$(cat "$file")
  [[ -n "$pid" && -r /proc/$pid/cmdline ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q 'kconnect' && echo "$pid"
}

# SIGTERM to the named processes at once, then wait for each (SIGKILL after 30 s).
stop_all() {
  local name pid
  declare -A pids=()
  for name in "$@"; do
    if pid=$(alive "$dir/$name.pid"); then kill -TERM "$pid"; pids[$name]=$pid; fi
    rm -f "$dir/$name.pid"
  done
  for name in "${!pids[@]}"; do
    pid=${pids[$name]}
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name (pid $pid) ignored SIGTERM for 30 s; sending SIGKILL"
      kill -KILL "$pid"
    else
      echo "stopped $name (pid $pid)"
    fi
  done
}

case "${1:-start}" in
  stop)
    stop_all "${ports[@]/#/worker-}"
    stop_all broker
    exit 0
    ;;
  status)
    for name in broker "${ports[@]/#/worker-}"; do
      if pid=$(alive "$dir/$name.pid"); then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
    done
    curl -sf "http://127.0.0.1:${ports[0]}/connectors?expand=status" && echo || true
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: scripts/cluster.sh [start|status|stop]" >&2
    exit 2
    ;;
esac

if alive "$dir/broker.pid" >/dev/null; then
  echo "the cluster is already running (scripts/cluster.sh status; scripts/cluster.sh stop)" >&2
  exit 1
fi
for port in 9092 "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use; stop what listens there first" >&2
    exit 1
  fi
done

if [[ "${NATIVE:-0}" == 1 ]]; then ./scripts/build-native.sh >/dev/null; else dotnet build src/KafkaConnect.Cli -c Release -nologo -v q; fi
mkdir -p "$dir"

# Apache's sample server.properties sets group.initial.rebalance.delay.ms=0 for development; so does this cluster.
nohup "${kc[@]}" broker --listen "$broker" --data-dir "$dir/broker" \
  --config group.initial.rebalance.delay.ms=0 >"$dir/broker.log" 2>&1 &
echo $! > "$dir/broker.pid"
for _ in $(seq 1 300); do
  grep -q "listening on $broker" "$dir/broker.log" && break
  alive "$dir/broker.pid" >/dev/null || { echo "the broker exited:" >&2; tail -20 "$dir/broker.log" >&2; exit 1; }
  sleep 0.1
done

for port in "${ports[@]}"; do
  sed "s|^listeners=.*|listeners=http://127.0.0.1:$port|" config/connect-distributed.properties > "$dir/worker-$port.properties"
  nohup "${kc[@]}" distributed "$dir/worker-$port.properties" >"$dir/worker-$port.log" 2>&1 &
  echo $! > "$dir/worker-$port.pid"
done
for port in "${ports[@]}"; do
  for _ in $(seq 1 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/health" && break
    alive "$dir/worker-$port.pid" >/dev/null || { echo "worker $port exited:" >&2; tail -20 "$dir/worker-$port.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "worker http://127.0.0.1:$port is up (log: $dir/worker-$port.log)"
done
[[ -f "$dir/test.txt" ]] || printf 'hello\nfrom\nkafkaconnect.net\n' > "$dir/test.txt"

cat <<EOF

Broker $broker (log $dir/broker.log); workers on 8083, 8084, 8085 in group connect-cluster.
Try it (any worker takes any request; writes reach the leader):

  curl -s -X POST -H 'Content-Type: application/json' http://127.0.0.1:8084/connectors --data '{"name":"local-file-source",
    "config":{"connector.class":"FileStreamSource","tasks.max":"1","file":"$dir/test.txt","topic":"connect-test"}}'
  curl -s -X POST -H 'Content-Type: application/json' http://127.0.0.1:8085/connectors --data '{"name":"local-file-sink",
    "config":{"connector.class":"FileStreamSink","tasks.max":"1","file":"$dir/test.sink.txt","topics":"connect-test"}}'
  curl -s 'http://127.0.0.1:8083/connectors?expand=status' | jq
  echo more >> $dir/test.txt; cat $dir/test.sink.txt
  kcat -C -b $broker -t connect-configs -e -f '%k  %s\n'      # the cluster's internal topics

Stop one worker (kill -TERM \$(cat $dir/worker-8084.pid)) and its work moves to the others.
scripts/cluster.sh stop stops everything.
EOF
