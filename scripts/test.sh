#!/usr/bin/env bash
# The README's test command (`npm test` runs this with node_modules/.bin, i.e. Node 22, first on PATH,
# which is the Node that jsii uses to run the CDK inside the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/cdk ]; then
  echo "node_modules is missing: run 'npm ci' first (see README)" >&2
  exit 1
fi

dotnet test test/TradingPlatform.Tests --nologo
