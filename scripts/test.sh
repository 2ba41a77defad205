#!/usr/bin/env bash
# The README's test command (`npm test` runs this with node_modules/.bin, i.e. Node 22, first on PATH,
# which is the Node that jsii uses to run the CDK inside the tests).
#
# One build of everything, the environments' cloud assemblies from the synth cache (made in parallel on a miss,
# shared by every suite below), then the suites side by side on the machine's cores, each one's output printed
# whole when it ends, and one closing line with the totals. TEST_STEP_TIMES=FILE appends "step<TAB>start<TAB>seconds"
# per step (bench/run.sh reads it); steps overlap where they run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/cdk ]; then
  echo "node_modules is missing: run 'npm ci' first (see README)" >&2
  exit 1
fi

# jsii leaks a temp folder per test host: run the tests in a private TMPDIR (see private-tmpdir.sh).
source scripts/private-tmpdir.sh
use_private_tmpdir test
logs=$TMPDIR/logs
mkdir -p "$logs"

t0=$EPOCHREALTIME
# step NAME CMD...: runs CMD with its output in $logs/NAME.log, records its time; returns CMD's status.
step() {
  local name=$1 start=$EPOCHREALTIME rc=0
  shift
  "$@" >"$logs/$name.log" 2>&1 || rc=$?
  if [ -n "${TEST_STEP_TIMES:-}" ]; then
    awk -v n="$name" -v t0="$t0" -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%s\t%.2f\t%.2f\n", n, s - t0, e - s }' >>"$TEST_STEP_TIMES"
  fi
  echo "$rc" >"$logs/$name.rc"
  return "$rc"
}

# Prints a finished step's output, and says if it failed.
show() {
  echo "== $1"
  cat "$logs/$1.log"
  [ "$(cat "$logs/$1.rc")" = 0 ] || echo "== $1: FAILED (exit $(cat "$logs/$1.rc"))"
}

# 1. One MSBuild run builds the app, the function and both test projects, the function's publish beside it.
if ! step build bash scripts/build-app.sh --all; then show build; exit 1; fi

# 2. The environments the CDK tests read (every variant in test/TradingPlatform.Tests/SynthVariants.json), from the
#    synth cache. On a miss it runs one app process per core, so nothing else runs beside it: the function's tests
#    next to it would only slow the synthesis the longest lane waits for.
synthesized=0
step synth-cache node scripts/synth-cache.mjs --variants-file test/TradingPlatform.Tests/SynthVariants.json && synthesized=1

# 3. Side by side (two lanes, as many as this machine kind has cores):
#  - the CDK template tests, and beside them the rollout check's tests (which read dev's assembly), the cost tool's
#    (every variant's), then the linter gate's (fixture templates);
#  - the function's tests (unit, property, integration against moto and dynalite), then the other compliance gates' own
#    tests (fixture assemblies), the documentation's links (scripts/doc-links), how the synth cache shares out its
#    misses, and the pre-traffic check's tests.
(
  if [ "$synthesized" = 1 ]; then
    dev=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").pop()).dev)' "$logs/synth-cache.log")
    assemblies=$(tail -n 1 "$logs/synth-cache.log")
    step template-tests dotnet test test/TradingPlatform.Tests --no-build --nologo &
  fi
  # The rollout check's tests, then the cost tool's (every variant's assembly: classification, estimates, docs/cost.md),
  # then the linter gate's, which read only fixtures and so run even when the synthesis failed (cfn-lint's start-up is
  # seconds of CPU: here, beside the template tests, they end before those do; in the other lane they would come after
  # the function's tests and lengthen the run).
  if [ "$synthesized" = 1 ]; then
    step rollout-check-tests env TRADINGPLATFORM_DEV_ASSEMBLY="$dev" node --test scripts/rollout-check/test/ || true
    step cost-tests env TRADINGPLATFORM_ASSEMBLIES="$assemblies" node --test scripts/cost/test/ || true
  fi
  step lint-gate-tests node --test scripts/lint-gate/test/ || true
  wait
) &
lane_cdk=$!
(
  step function-tests dotnet test test/DataProcessor.Tests --no-build --nologo
  step gate-tests node --test scripts/nag-gate/test/ scripts/guard-gate/test/ scripts/doc-links/test/ scripts/lib/test/synth-cache.test.mjs src/Functions/PreTrafficHook/test/
) &
lane_function=$!
wait "$lane_cdk" "$lane_function" || true

status=0
for name in synth-cache template-tests function-tests gate-tests rollout-check-tests cost-tests lint-gate-tests; do
  [ -f "$logs/$name.rc" ] || continue
  show "$name"
  [ "$(cat "$logs/$name.rc")" = 0 ] || status=1
done

# One closing line for the whole run: xunit's "Passed: N" / "Failed: N" and node's "# pass N" / "# fail N".
cat "$logs"/*.log | awk '
  /^(Passed|Failed)!  - / { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i + 1); if ($i == "Passed:") p += $(i + 1) } }
  /^# pass / { p += $3 } /^# fail / { f += $3 }
  END { printf "tests: %d passed, %d failed\n", p, f }'
exit "$status"
