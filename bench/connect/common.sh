# Shared by the bench/connect scripts (sourced): the kconnect build, a work directory cleaned up on exit, free ports.
#   BENCH_NAME=spooldir . "$(dirname "$0")/common.sh"   # sets ROOT, DLL, WORK, PIDS (background pids to kill at exit)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DLL=${KCONNECT_DLL:-$ROOT/src/KafkaConnect.Cli/bin/Release/net10.0/kconnect.dll}
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  dotnet build "$ROOT/src/KafkaConnect.Cli" -c Release -v q -nologo >/dev/null
fi
[[ -f "$DLL" ]] || { echo "missing $DLL (build src/KafkaConnect.Cli -c Release)" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }
WORK=$(mktemp -d "/tmp/kconnect-${BENCH_NAME:-connect}-bench.XXXXXX")
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; [[ "${KEEP:-0}" == 1 ]] || rm -rf "$WORK"; }
trap cleanup EXIT
