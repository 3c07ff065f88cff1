#!/usr/bin/env bash
# The main job: a standalone Connect worker on the embedded broker with the sample file connectors
# (config/connect-standalone.properties, config/connect-file-source.properties, config/connect-file-sink.properties).
# It works in .data/demo: lines appended to .data/demo/test.txt flow through the topic connect-test into
# .data/demo/test.sink.txt. REST API on http://127.0.0.1:8083, embedded broker on 127.0.0.1:9092.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/KafkaConnect.Cli -c Release -nologo -v q
kconnect="$PWD/src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll"
config="$PWD/config"
mkdir -p .data/demo
cd .data/demo
[ -f test.txt ] || printf 'hello\nfrom\nkafkaconnect.net\n' > test.txt
echo "appending to $PWD/test.txt flows into $PWD/test.sink.txt; Ctrl+C stops"
exec dotnet "$kconnect" standalone "$config/connect-standalone.properties" \
  "$config/connect-file-source.properties" "$config/connect-file-sink.properties" "$@"
