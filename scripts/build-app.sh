#!/usr/bin/env bash
# Builds the CDK app (and, through its project, publishes the ingestion function) when a source is newer than the
# built app; otherwise does nothing. `dotnet build` would ask MSBuild to check the build every time (about 4 s here,
# measured by bench/run.sh); a timestamp check is enough because every input lives under src/ or is the project file.
# Used by the CLI's app command (scripts/cdk-app.sh) and the synth cache (scripts/synth-cache.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."

app=bin/Debug/net10.0/TradingPlatform.dll

stale() {
  [ ! -f "$app" ] && return 0
  # Any source newer than the app (bin/ and obj/ folders of the function project are not sources).
  [ -n "$(find TradingPlatform.csproj src \( -name bin -o -name obj \) -prune -o -type f -newer "$app" -print -quit)" ]
}

if stale; then
  # Build output goes to stderr: stdout is the CLI's.
  dotnet build TradingPlatform.csproj --nologo -v quiet -clp:NoSummary >&2
fi
