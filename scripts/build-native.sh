#!/usr/bin/env bash
# Builds kconnect as one native executable (Native AOT): no .NET runtime needed to run it, no JIT at start-up.
# Output: artifacts/native/kconnect (override with OUT=dir). Takes a few minutes on 2 cores.
#
# The native build runs every command (standalone, distributed, broker) with the built-in plugins; .NET plugin
# assemblies in plugin.path need the framework-dependent build (dotnet kconnect.dll): see docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-$PWD/artifacts/native}
# The ahead-of-time compiler links with the system toolchain (clang or gcc) against zlib.
if ! command -v clang >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1 || [ ! -e /usr/include/zlib.h ]; then
  echo "installing the native toolchain: clang zlib1g-dev"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq clang zlib1g-dev >/dev/null
fi
dotnet publish src/KafkaConnect.Cli -c Release -r linux-x64 -p:PublishAot=true --artifacts-path "$PWD/artifacts/native-build" \
  -o "$out" -v q -nologo
echo "$out/kconnect"
