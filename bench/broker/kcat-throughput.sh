#!/usr/bin/env bash
# Produce/consume throughput of the kconnect broker measured with kcat (librdkafka). Run by hand, not by CI.
#
#   bench/broker/kcat-throughput.sh            # 1,000,000 records of 100 and 1024 bytes
#   RECORDS=200000 SIZES="100" bench/broker/kcat-throughput.sh
#   PROTOCOLS="PLAINTEXT SSL" SIZES=1024 bench/broker/kcat-throughput.sh   # the cost of TLS, side by side
#
# Environment: RECORDS (per size), SIZES (payload bytes, space separated), PARTITIONS (default 4),
# LINGER_MS (default 5), SKIP_BUILD=1 (reuse an existing Release build), KEEP=1 (keep the temp dir),
# KCAT (default kcat), PROTOCOLS (listeners to measure: PLAINTEXT and/or SSL, default PLAINTEXT; SSL makes a
# test CA and server certificate with openssl). Needs about RECORDS * (sum of SIZES) * 2 bytes of free space in $TMPDIR.
set -euo pipefail

RECORDS=${RECORDS:-1000000}
SIZES=${SIZES:-"100 1024"}
PARTITIONS=${PARTITIONS:-4}
LINGER_MS=${LINGER_MS:-5}
KCAT=${KCAT:-kcat}
PROTOCOLS=${PROTOCOLS:-PLAINTEXT}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dll="$repo/src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll"
work=$(mktemp -d "${TMPDIR:-/tmp}/kconnect-bench.XXXXXX")
broker_pid=""

cleanup() {
    local status=$?
    if [[ -n "$broker_pid" ]] && kill -0 "$broker_pid" 2>/dev/null; then
        kill -TERM "$broker_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$broker_pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    if [[ "${KEEP:-0}" == "1" ]]; then
        echo "kept $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "error: $*" >&2; exit 1; }

command -v "$KCAT" >/dev/null || die "kcat not found; install it with: apt-get install -y kcat"
command -v dotnet >/dev/null || die "dotnet not found"

if [[ "${SKIP_BUILD:-0}" != "1" ]]; then
    echo "building Release…" >&2
    dotnet build -c Release "$repo/src/KafkaConnect.Cli" -v quiet -nologo >"$work/build.log" 2>&1 \
        || { cat "$work/build.log" >&2; die "Release build failed"; }
fi
[[ -f "$dll" ]] || die "$dll missing (build src/KafkaConnect.Cli in Release)"

# Free loopback ports: bind to 0 and read back what the kernel picked.
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
ssl_port=$(free_port)
bootstrap="127.0.0.1:$port"
listeners="PLAINTEXT://$bootstrap"
tls_args=()
if [[ " $PROTOCOLS " == *" SSL "* ]]; then
    command -v openssl >/dev/null || die "openssl not found; install it with: apt-get install -y openssl"
    (cd "$work" && openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=bench CA" -keyout ca.key -out ca.pem \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign >/dev/null 2>&1 \
        && openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr >/dev/null 2>&1 \
        && printf 'subjectAltName=IP:127.0.0.1\n' >server.ext \
        && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile server.ext -out server.pem >/dev/null 2>&1 \
        && openssl pkcs12 -export -in server.pem -inkey server.key -out server.p12 -passout pass:bench) || die "openssl failed"
    listeners="$listeners,SSL://127.0.0.1:$ssl_port"
    tls_args=(--config ssl.keystore.type=PKCS12 --config "ssl.keystore.location=$work/server.p12" --config ssl.keystore.password=bench)
fi

dotnet "$dll" broker --listen "$bootstrap" --data-dir "$work/data" --config "listeners=$listeners" "${tls_args[@]}" \
    --config "num.partitions=$PARTITIONS" --config auto.create.topics.enable=true \
    >"$work/broker.log" 2>&1 &
broker_pid=$!

for _ in $(seq 1 300); do
    grep -q "listening on $bootstrap" "$work/broker.log" && break
    kill -0 "$broker_pid" 2>/dev/null || { cat "$work/broker.log" >&2; die "broker exited during startup"; }
    sleep 0.1
done
grep -q "listening on $bootstrap" "$work/broker.log" || { cat "$work/broker.log" >&2; die "broker not ready after 30s"; }
echo "broker pid $broker_pid on $bootstrap, data in $work/data" >&2

clk_tck=$(getconf CLK_TCK)

# utime + stime of the broker in clock ticks (fields 14 and 15; split after the ")" that ends comm).
cpu_ticks() {
    local stat
    stat=$(<"/proc/$broker_pid/stat")
    stat=${stat##*) }
    # After comm the fields start at 3 (state), so utime/stime are the 12th and 13th here.
    awk '{ print $12 + $13 }' <<<"$stat"
}

peak_rss_mb() {
    awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$broker_pid/status"
}

now() { date +%s.%N; }

# Sum of the latest offsets of all partitions of a topic.
end_offset_sum() {
    local topic=$1 args=() p
    for ((p = 0; p < PARTITIONS; p++)); do
        args+=(-t "$topic:$p:-1")
    done
    "$KCAT" -Q -b "$bootstrap" "${args[@]}" | awk '/offset/ { sum += $NF } END { print sum + 0 }'
}

rows=()
record_row() { # size phase seconds cpu_ticks
    local size=$1 phase=$2 secs=$3 ticks=$4
    rows+=("$(printf '%-9s ' "$protocol")$(awk -v size="$size" -v phase="$phase" -v n="$RECORDS" -v s="$secs" -v t="$ticks" -v hz="$clk_tck" -v rss="$(peak_rss_mb)" \
        'BEGIN { cpu = t / hz;
                 printf "%6d  %-8s %10d %9.2f %12.0f %9.1f %10.2f %7.0f%% %9s", size, phase, n, s, n / s, n * size / s / 1048576, cpu, 100 * cpu / s, rss }')")
}

for protocol in $PROTOCOLS; do
  case $protocol in
    PLAINTEXT) target=$bootstrap; client=() ;;
    SSL) target="127.0.0.1:$ssl_port"; client=(-X security.protocol=SSL -X "ssl.ca.location=$work/ca.pem") ;;
    *) die "PROTOCOLS: $protocol is not PLAINTEXT or SSL" ;;
  esac
  for size in $SIZES; do
    topic="bench-$protocol-$size"
    input="$work/records-$size.txt"
    echo "generating $RECORDS records of $size bytes…" >&2
    # A 10-digit sequence number padded to exactly $size bytes (the newline is the delimiter, not payload).
    awk -v n="$RECORDS" -v size="$size" 'BEGIN {
        pad = sprintf("%*s", size, ""); gsub(/ /, "x", pad);
        for (i = 0; i < n; i++) printf "%010d%s\n", i, substr(pad, 11)
    }' >"$input"

    echo "producing $topic over $protocol…" >&2
    ticks0=$(cpu_ticks); t0=$(now)
    "$KCAT" -P -b "$target" "${client[@]}" -t "$topic" -X acks=1 -X "linger.ms=$LINGER_MS" \
        -X batch.num.messages=10000 -X queue.buffering.max.messages=1000000 -X queue.buffering.max.kbytes=1048576 \
        -l "$input"
    t1=$(now); ticks1=$(cpu_ticks)
    stored=$(end_offset_sum "$topic")
    [[ "$stored" == "$RECORDS" ]] || die "$topic holds $stored records, expected $RECORDS"
    record_row "$size" produce "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" $((ticks1 - ticks0))

    echo "consuming $topic over $protocol…" >&2
    ticks0=$(cpu_ticks); t0=$(now)
    "$KCAT" -C -b "$target" "${client[@]}" -t "$topic" -o beginning -e -q >/dev/null
    t1=$(now); ticks1=$(cpu_ticks)
    record_row "$size" consume "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" $((ticks1 - ticks0))

    rm -f "$input"
  done
done

echo
echo "kcat throughput against kconnect ($PARTITIONS partitions, acks=1, linger.ms=$LINGER_MS, $(nproc) cores)"
printf "%-9s %6s  %-8s %10s %9s %12s %9s %10s %8s %9s\n" protocol bytes phase records seconds "records/s" "MB/s" "cpu s" "cpu" "VmHWM MB"
for row in "${rows[@]}"; do
    echo "$row"
done
