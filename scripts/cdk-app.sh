#!/usr/bin/env bash
# The CDK CLI's "app" command (cdk.json): builds the app if a source changed (scripts/build-app.sh), then runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-app.sh

# jsii leaks a temp folder per start: run the app in a private TMPDIR (see private-tmpdir.sh).
source scripts/private-tmpdir.sh
use_private_tmpdir synth
# That folder serves this one app process: the app may delete jsii's tarball copies in it (src/Hosting/JsiiScratch.cs).
export TRADINGPLATFORM_OWNED_TMPDIR=$TMPDIR
# The jsii runtime (Node) is a short batch job: V8's default young generation (16 MiB semi-spaces) only
# raises the peak memory of a synth by ~30 MiB; 4 MiB costs no measurable time (bench/README.md, "Memory").
export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--max-semi-space-size=4"
dotnet bin/Debug/net10.0/TradingPlatform.dll "$@"
