#!/usr/bin/env bash
# Runs test projects several rounds while every core is kept busy, to find tests that only fail on a slow machine
# (CI runs on two cores). Needs what ./scripts/test.sh sets up (packages, databases); builds once, then reuses it.
#   scripts/flake-hunt.sh [rounds] [project ...]     e.g. scripts/flake-hunt.sh 5 Broker.Tests Connect.Debezium.Tests
# Project names are the part after "KafkaConnect." under tests/. A hanging test is reported after 150 s.
set -uo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
shift || true
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  projects=(Broker.Tests Client.Tests Storage.Tests Connect.Runtime.Tests Connect.Rest.Tests SchemaRegistry.Tests Connect.Avro.Tests Connect.Debezium.Tests)
fi
for p in "${projects[@]}"; do
  dotnet build "tests/KafkaConnect.$p" -c Release -v q -nologo >/dev/null || { echo "build of $p failed"; exit 1; }
done
hogs=()
for _ in $(seq "$(nproc)"); do yes > /dev/null & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
failed=0
for round in $(seq "$rounds"); do
  for p in "${projects[@]}"; do
    out=$(dotnet test "tests/KafkaConnect.$p" -c Release --no-build --blame-hang-timeout 150s --blame-hang-dump-type none 2>&1)
    summary=$(grep -E 'Passed!|Failed!|Aborted' <<<"$out" | head -1)
    echo "round $round $p: ${summary:-no summary}"
    if ! grep -q 'Passed!' <<<"$out"; then
      failed=$((failed + 1))
      grep -E '^\s+Failed |Error Message|KafkaConnect\..*Tests\.[A-Za-z_]+\.[A-Za-z_]+$' -A2 <<<"$out" | head -20
    fi
  done
done
echo "$failed failing suite run(s) in $rounds round(s)"
[ "$failed" -eq 0 ]
