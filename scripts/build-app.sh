#!/usr/bin/env bash
# Builds the CDK app and publishes the ingestion function into artifacts/ (the asset the app points at).
#
#   bash scripts/build-app.sh          # the app, only when a source is newer than the built app (the CLI's app
#                                      # command and the synth cache call this before every synth)
#   bash scripts/build-app.sh --all    # TradingPlatform.sln: the app, the function and both test projects (npm test)
#
# `dotnet build` alone would ask MSBuild to check the build every time (about 4 s here, measured by bench/run.sh); a
# timestamp check is enough for the app because every input lives under src/ or is the project file. The function's
# publish (ReadyToRun: the longest part of a first build) runs beside the compile, one process per core; it is
# incremental on its own (TradingPlatform.csproj, target PublishDataProcessor).
set -euo pipefail
cd "$(dirname "$0")/.."

app=bin/Debug/net10.0/TradingPlatform.dll

stale() {
  [ ! -f "$app" ] && return 0
  # Any source newer than the app (bin/ and obj/ folders of the function project are not sources).
  [ -n "$(find TradingPlatform.csproj src \( -name bin -o -name obj \) -prune -o -type f -newer "$app" -print -quit)" ]
}

project=TradingPlatform.csproj
if [ "${1:-}" = --all ]; then
  project=TradingPlatform.sln
elif ! stale; then
  exit 0
fi

# Build output goes to stderr: stdout is the CLI's.
dotnet msbuild TradingPlatform.csproj -t:PublishDataProcessor -nologo -v:quiet -clp:NoSummary >&2 &
publish=$!
status=0
dotnet build "$project" -p:PublishDataProcessorWithBuild=false --nologo -v quiet -clp:NoSummary >&2 || status=$?
wait "$publish" || status=$?
exit "$status"
