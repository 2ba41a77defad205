#!/usr/bin/env bash
# The README's test command (`npm test` runs this with node_modules/.bin, i.e. Node 22, first on PATH,
# which is the Node that jsii uses to run the CDK inside the tests).
set -euo pipefail
test_started=$EPOCHREALTIME # step() below reports start offsets from here
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/cdk ]; then
  echo "node_modules is missing: run 'npm ci' first (see README)" >&2
  exit 1
fi

# jsii leaks a temp folder per test host: run the tests in a private TMPDIR (see private-tmpdir.sh).
source scripts/private-tmpdir.sh
use_private_tmpdir test

# step NAME CMD...: runs CMD; if TEST_STEP_TIMES names a file (an absolute path: bench/run.sh sets it), appends
# "NAME<TAB><start, seconds since this script started><TAB><seconds>" to it. Steps run with `&` may overlap.
step() {
  local name=$1 start=$EPOCHREALTIME rc=0
  shift
  "$@" || rc=$?
  if [ -n "${TEST_STEP_TIMES:-}" ]; then
    awk -v n="$name" -v t0="$test_started" -v s="$start" -v e="$EPOCHREALTIME" \
      'BEGIN { printf "%s\t%.2f\t%.2f\n", n, s - t0, e - s }' >>"$TEST_STEP_TIMES"
  fi
  return "$rc"
}

# The CDK templates (one synthesis per environment, shared by every test class) ...
step "dotnet test TradingPlatform.Tests" dotnet test test/TradingPlatform.Tests --nologo
# ... and the data-processing function (unit, property and integration tests; S3 is python3 -m moto.server).
step "dotnet test DataProcessor.Tests" dotnet test test/DataProcessor.Tests --nologo

# The compliance gate's own tests: it must fail on a known violation and never pass on nothing.
step "node --test nag-gate" node --test scripts/nag-gate/test/
# The Control Tower gate's own tests: a known violation fails, suppressions need reasons, nothing never passes.
step "node --test guard-gate" node --test scripts/guard-gate/test/
# The rollout check's own tests: each finding class on fixture assemblies, and the real app synthesized once.
step "node --test rollout-check" node --test scripts/rollout-check/test/
