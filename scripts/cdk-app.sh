#!/usr/bin/env bash
# The CDK CLI's "app" command (cdk.json). `dotnet run` would ask MSBuild to check the build on every
# synth (about 4 s here, measured by bench/run.sh); this checks timestamps instead and rebuilds only
# when a source file or the project file is newer than the built app, then runs the built app.
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

# jsii leaks a temp folder per start: run the app in a private TMPDIR (see private-tmpdir.sh).
source scripts/private-tmpdir.sh
use_private_tmpdir synth
dotnet "$app" "$@"
