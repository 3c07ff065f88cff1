#!/usr/bin/env bash
# The main job: builds kconnect and runs the single-node broker on 127.0.0.1:9092 with data under .data/broker.
# (The standalone Connect worker arrives with the Connect issues; until then this runs the embedded broker.)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/KafkaConnect.Cli -c Release -nologo -v q
exec dotnet src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll broker --listen 127.0.0.1:9092 --data-dir .data/broker "$@"
