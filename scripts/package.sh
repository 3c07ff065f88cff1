#!/usr/bin/env bash
# Builds what users install, into artifacts/packages/:
#   kconnect.<version>.nupkg        the .NET tool: dotnet tool install -g kconnect --add-source artifacts/packages
#                                   (needs the .NET 10 runtime with ASP.NET Core on the machine)
#   kconnect-<version>-<rid>[.exe]  one self-contained file per platform: nothing else to install
# Usage: scripts/package.sh [rid ...]    (default: linux-x64; e.g. linux-arm64 osx-arm64 osx-x64 win-x64)
# The native-code build (faster start, smaller memory; Linux x64 here) is scripts/build-native.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-$PWD/artifacts/packages}
rids=("$@")
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64)
mkdir -p "$out"

dotnet pack src/KafkaConnect.Cli -c Release -o "$out" -v q -nologo
version=$(ls "$out"/kconnect.*.nupkg | sed -E 's|.*/kconnect\.(.*)\.nupkg|\1|' | sort -V | tail -1)
echo "$out/kconnect.$version.nupkg"

for rid in "${rids[@]}"; do
  dir="$PWD/artifacts/single-file/$rid"
  # Native libraries (SQLite) go inside the file too and are unpacked on first start.
  dotnet publish src/KafkaConnect.Cli -c Release -r "$rid" --self-contained -p:PublishSingleFile=true \
    -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none --artifacts-path "$PWD/artifacts/single-file-build" \
    -o "$dir" -v q -nologo
  exe=kconnect; [[ $rid == win-* ]] && exe=kconnect.exe
  target="$out/kconnect-$version-$rid${exe#kconnect}"
  cp "$dir/$exe" "$target"
  echo "$target"
done
