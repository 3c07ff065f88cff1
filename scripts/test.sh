#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the real clients the tests use, then dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
# Test certificates are made with openssl (tests/KafkaConnect.Security.Tests/TestPki.cs; keytool comes with the JDK).
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
/usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 || missing+=(python3-kafka)
/usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 || missing+=(python3-confluent-kafka)
# confluent_kafka's SchemaRegistryClient needs requests (tests/KafkaConnect.SchemaRegistry.Tests/PythonClientTests.cs).
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3-requests)
# Reference codecs that decode our compressed batches (tests/KafkaConnect.Protocol.Tests/CompressionTests.cs).
[ -x /usr/bin/lz4 ] || missing+=(lz4)
[ -x /usr/bin/zstd ] || missing+=(zstd)
ls /usr/lib/*/libsnappy.so.1 >/dev/null 2>&1 || missing+=(libsnappy1v5)
# The Protobuf converter's peer: protoc makes Python classes that python3-confluent-kafka's serdes use (PythonPeerTests).
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
/usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 || missing+=(python3-protobuf)
# The REST security tests call the API with curl over certificates that openssl and keytool make.
command -v curl >/dev/null 2>&1 || missing+=(curl)
# tests/js: kafkajs and a second Schema Registry client, run with node.
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v keytool >/dev/null 2>&1 || missing+=(default-jre-headless)
# The web UI is driven in headless Chromium through its WebDriver (tests/KafkaConnect.Connect.EndToEnd.Tests/Ui).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# A real Prometheus server scrapes the worker's /metrics (tests/KafkaConnect.Connect.EndToEnd.Tests/Metrics).
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing test dependencies: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Real PostgreSQL and MariaDB servers for the JDBC connector tests (loopback only).
./scripts/db-up.sh

# JavaScript peers (kafkajs, @kafkajs/confluent-schema-registry) at the versions in tests/js/package-lock.json.
npm ci --prefix tests/js --no-audit --no-fund --loglevel=error

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test KafkaConnect.slnx -c Release 2>&1 | tee "$log" || status=$?

# The suites that run kconnect as a process, again on the native executable (Native AOT, scripts/build-native.sh):
# the build people run for the fastest start must pass the same tests.
echo "building the native executable (scripts/build-native.sh)"
if native=$(./scripts/build-native.sh 2>&1); then
  for suite in tests/KafkaConnect.Broker.IntegrationTests tests/KafkaConnect.Connect.EndToEnd.Tests; do
    echo "== $suite on the native executable"
    KCONNECT_EXE=$PWD/artifacts/native/kconnect dotnet test "$suite" -c Release --no-build 2>&1 | tee -a "$log" || status=$?
  done
else
  echo "$native"
  echo "Failed!  - Failed:     1, Passed:     0, Skipped:     0, Total:     1 - the native build (scripts/build-native.sh)" | tee -a "$log"
  status=1
fi

# One plain summary line over all test projects.
{ grep -E '^(Passed|Failed)!' "$log" || true; } | sort -u | awk '{
       for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1) + 0
         if ($i == "Passed:") p += $(i+1) + 0
         if ($i == "Skipped:") s += $(i+1) + 0
       }
     }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
