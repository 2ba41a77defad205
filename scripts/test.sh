#!/usr/bin/env bash
# The README's test command (`npm test` runs this with node_modules/.bin, i.e. Node 22, first on PATH,
# which is the Node that jsii uses to run the CDK inside the tests).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/cdk ]; then
  echo "node_modules is missing: run 'npm ci' first (see README)" >&2
  exit 1
fi

# jsii leaks a temp folder per test host: run the tests in a private TMPDIR (see private-tmpdir.sh).
source scripts/private-tmpdir.sh
use_private_tmpdir test

# The CDK templates (one synthesis per environment, shared by every test class) ...
dotnet test test/TradingPlatform.Tests --nologo
# ... and the data-processing function (unit, property and integration tests; S3 is python3 -m moto.server).
dotnet test test/DataProcessor.Tests --nologo

# The compliance gate's own tests: it must fail on a known violation and never pass on nothing.
node --test scripts/nag-gate/test/
# The Control Tower gate's own tests: a known violation fails, suppressions need reasons, nothing never passes.
node --test scripts/guard-gate/test/
# The rollout check's own tests: each finding class on fixture assemblies, and the real app synthesized once.
node --test scripts/rollout-check/test/
