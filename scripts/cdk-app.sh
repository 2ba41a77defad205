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

# The .NET jsii runtime unpacks the CDK's JavaScript bundles (~65 MiB) into a new temp folder on every
# start and never removes it (aws/jsii#700): give it a private TMPDIR and delete that afterwards.
# Node's compile cache stays in the shared temp folder so the jsii runtime still starts warm.
shared_tmp=${TMPDIR:-/tmp}
app_tmp=$(mktemp -d "$shared_tmp/tradingplatform-synth.XXXXXX")
trap 'rm -rf "$app_tmp"' EXIT
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$shared_tmp/node-compile-cache}
TMPDIR=$app_tmp dotnet "$app" "$@"
