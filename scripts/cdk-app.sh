#!/usr/bin/env bash
# The CDK CLI's "app" command (cdk.json): builds the app if a source changed (scripts/build-app.sh), then runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/build-app.sh

# jsii leaks a temp folder per start: run the app in a private TMPDIR (see private-tmpdir.sh).
source scripts/private-tmpdir.sh
use_private_tmpdir synth
dotnet bin/Debug/net10.0/TradingPlatform.dll "$@"
