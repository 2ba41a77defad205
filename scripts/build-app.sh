#!/usr/bin/env bash
# Builds the CDK app and publishes the ingestion function into artifacts/ (the asset the app points at).
#
#   bash scripts/build-app.sh          # the app, only when a source is newer than the built app (the CLI's app
#                                      # command and the synth cache call this before every synth)
#   bash scripts/build-app.sh --all    # TradingPlatform.sln: the app, the function and both test projects (npm test)
#
# `dotnet build` alone would ask MSBuild to check the build every time (about 4 s here, measured by bench/run.sh); a
# timestamp check is enough for the app because every input lives under src/ or is a project file (TradingPlatform.csproj,
# Directory.Build.props). The function's publish (ReadyToRun: the longest part of a first build) runs beside the
# compile, one process per core; it is incremental on its own (TradingPlatform.csproj, target PublishDataProcessor).
set -euo pipefail
cd "$(dirname "$0")/.."

app=bin/Debug/net10.0/TradingPlatform.dll

stale() {
  [ ! -f "$app" ] && return 0
  # Any source newer than the app (bin/ and obj/ folders of the function project are not sources).
  [ -n "$(find Directory.Build.props TradingPlatform.csproj src \( -name bin -o -name obj \) -prune -o -type f -newer "$app" -print -quit)" ]
}

# --all: every project of the solution, unless nothing changed since its last successful build (a stamp in obj/):
# no source, test or project file newer than the stamp, and every output still there. MSBuild would find the same
# in about 8 s here; `npm test` run again without edits needs no build at all.
stamp=obj/build-all.stamp
outputs=("$app" artifacts/functions/DataProcessor/DataProcessor.dll
  test/TradingPlatform.Tests/bin/Debug/net10.0/TradingPlatform.Tests.dll test/DataProcessor.Tests/bin/Debug/net10.0/DataProcessor.Tests.dll)
all_stale() {
  [ -f "$stamp" ] || return 0
  local output
  for output in "${outputs[@]}"; do [ -f "$output" ] || return 0; done
  [ -n "$(find Directory.Build.props TradingPlatform.sln TradingPlatform.csproj src test \( -name bin -o -name obj -o -name TestResults \) -prune \
    -o -type f -newer "$stamp" -print -quit)" ]
}

project=TradingPlatform.csproj
if [ "${1:-}" = --all ]; then
  all_stale || exit 0
  project=TradingPlatform.sln
  # Stamped with the time the build starts: a file edited while it runs is newer than the stamp, so built next time.
  rm -f "$stamp"
  mkdir -p obj
  touch "$stamp.new"
elif ! stale; then
  exit 0
fi

# MSBuild and the C# compiler server it starts (Directory.Build.props) JIT fully at once instead of in tiers: a build
# is too short for tiering to pay off, and the server would go on recompiling hot methods for ~8 s of CPU after the
# build, beside the synthesis that follows it. A fresh build of everything 27 -> 21 s, after a touch 9.5 -> 6 s here
# (bench/README.md, "Builds"); the outputs are the same bytes.
export DOTNET_TieredCompilation=0
# Build output goes to stderr: stdout is the CLI's.
dotnet msbuild TradingPlatform.csproj -t:PublishDataProcessor -nologo -v:quiet -clp:NoSummary >&2 &
publish=$!
status=0
dotnet build "$project" -p:PublishDataProcessorWithBuild=false --nologo -v quiet -clp:NoSummary >&2 || status=$?
wait "$publish" || status=$?
if [ "$project" = TradingPlatform.sln ]; then
  if [ "$status" = 0 ]; then mv "$stamp.new" "$stamp"; else rm -f "$stamp.new"; fi
fi
exit "$status"
