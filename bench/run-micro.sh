#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of the broker's hot paths (record batches, checksums, codecs, the
# dispatcher's produce/fetch path). Builds in Release and runs; every argument is passed to BenchmarkDotNet.
#
#   bench/run-micro.sh                                   # everything (about 4 minutes on 2 cores)
#   bench/run-micro.sh --filter '*BrokerPath*'           # one class
#   bench/run-micro.sh --filter '*RecordBatch*' --list flat
#   bench/run-micro.sh --out-of-process                  # BenchmarkDotNet's own isolated host (slower to start)
#
# Results (markdown, csv, html) land in BenchmarkDotNet.Artifacts/results at the repository root (git-ignored).
# SKIP_BUILD=1 reuses an existing Release build.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project="$repo/bench/KafkaConnect.Benchmarks/KafkaConnect.Benchmarks.csproj"
dll="$repo/bench/KafkaConnect.Benchmarks/bin/Release/net10.0/KafkaConnect.Benchmarks.dll"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    dotnet build "$project" -c Release --nologo -v quiet
fi

has_filter=0
for arg in "$@"; do
    case "$arg" in
        --filter|-f|--list|--filter=*) has_filter=1 ;;
    esac
done
# Without a filter BenchmarkDotNet would ask interactively which benchmarks to run.
if [[ $has_filter == 0 ]]; then
    set -- --filter '*' "$@"
fi

cd "$repo"
exec dotnet "$dll" --artifacts "$repo/BenchmarkDotNet.Artifacts" "$@"
