#!/usr/bin/env bash
# Compliance gate: every environment preset's templates checked with cdk-nag (AwsSolutions + PCI.DSS.321) and with
# the AWS Control Tower proactive controls (cfn-guard), and every template the app can produce linted by CloudFormation's
# own linter (cfn-lint) for every region it may deploy to. Fails on any unsuppressed error of any gate.
# `npm run compliance` runs the first two on every preset and on the delivery pipeline (the sample configuration), and
# the linter on every variant of test/TradingPlatform.Tests/SynthVariants.json (the presets, a pr-N, staging with every
# optional key, a brand-new prod, the longest names, the pipeline with its stages and support stack);
# `npm run compliance -- staging` checks one preset (the linter then reports unused allowances without failing).
#
# The presets come from the synth cache (scripts/synth-cache.mjs): `cdk synth -c environmentSuffix=<preset>` as a
# user runs it, made in parallel when missing and reused when `npm test` already made them from the same inputs.
# cdk.out/presets/<preset> links to each one; the gates name the cache folder (artifacts/synth/<preset>/<key>).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$PATH

presets=("$@")
partial=()
if [ ${#presets[@]} -gt 0 ]; then
  partial=(--partial)
  linted=("${presets[@]}")
else
  presets=(dev staging prod pr-7 delivery)
  # The linter reads every variant the tests synthesize (the same cache entries: nothing more to synthesize after npm test).
  mapfile -t linted < <(node -e 'process.stdout.write(Object.keys(require("./test/TradingPlatform.Tests/SynthVariants.json")).join("\n"))')
fi
# Variants that are not presets (the pipeline, staging with every optional key, ...): their context from the variants file.
variants=$(node -e 'const v = require("./test/TradingPlatform.Tests/SynthVariants.json"); const presets = ["dev", "staging", "prod"];
  process.stdout.write(JSON.stringify(Object.fromEntries(process.argv.slice(1).filter((n) => v[n] && !presets.includes(n)).map((n) => [n, v[n]]))))' "${linted[@]}")

echo "== synth (cache): ${linted[*]}"
assemblies=$(node scripts/synth-cache.mjs $(printf '%s\n' "${linted[@]}" | grep -Fvx -f <(node -e 'process.stdout.write(Object.keys(JSON.parse(process.argv[1])).join("\n"))' "$variants")) --variants "$variants")
out=cdk.out/presets
rm -rf "$out"
mkdir -p "$out"
dirs=()
lint_dirs=()
for env in "${linted[@]}"; do
  dir=$(node -e 'process.stdout.write(JSON.parse(process.argv[1])[process.argv[2]])' "$assemblies" "$env")
  ln -s "$dir" "$out/$env"
  lint_dirs+=("$dir")
  if printf '%s\n' "${presets[@]}" | grep -qx "$env"; then dirs+=("$dir"); fi
done

# The gates side by side, each run whole even if another fails, so one run lists every finding.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# --top-level: the delivery pipeline's stages are the environments checked above (DeliveryTests proves their templates
# equal the standalone synths), so only its own stacks are checked again. The linter reads the stages too (it lints
# templates equal but for account ids once).
node scripts/nag-gate/index.mjs --top-level "${dirs[@]}" >"$logs/nag" 2>&1 &
nag=$!
node scripts/guard-gate/index.mjs --top-level "${dirs[@]}" >"$logs/guard" 2>&1 &
guard=$!
node scripts/lint-gate/index.mjs "${partial[@]}" "${lint_dirs[@]}" >"$logs/lint" 2>&1 &
lint=$!
status=0
wait "$nag" || status=$?
guard_status=0
wait "$guard" || guard_status=$?
lint_status=0
wait "$lint" || lint_status=$?

echo "== cdk-nag gate: ${presets[*]}"
cat "$logs/nag"
echo "== Control Tower gate (cfn-guard): ${presets[*]}"
cat "$logs/guard"
echo "== CloudFormation linter gate (cfn-lint): ${linted[*]}"
cat "$logs/lint"
[ "$status" -ne 0 ] || status=$guard_status
[ "$status" -ne 0 ] || status=$lint_status
exit "$status"
