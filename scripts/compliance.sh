#!/usr/bin/env bash
# Compliance gate: every environment preset's templates checked with cdk-nag (AwsSolutions + PCI.DSS.321) and with
# the AWS Control Tower proactive controls (cfn-guard). Fails on any unsuppressed error of either gate.
# `npm run compliance` runs this on every preset and on the delivery pipeline (the sample configuration);
# `npm run compliance -- staging` checks one preset.
#
# The presets come from the synth cache (scripts/synth-cache.mjs): `cdk synth -c environmentSuffix=<preset>` as a
# user runs it, made in parallel when missing and reused when `npm test` already made them from the same inputs.
# cdk.out/presets/<preset> links to each one; the gates name the cache folder (artifacts/synth/<preset>/<key>).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/node_modules/.bin:$PATH

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(dev staging prod pr-7 delivery)
variants='{}'
if printf '%s\n' "${presets[@]}" | grep -qx delivery; then
  # The delivery pipeline with the committed sample configuration (delivery.sample.json): the variant the tests read.
  variants=$(node -e 'const v = require("./test/TradingPlatform.Tests/SynthVariants.json"); process.stdout.write(JSON.stringify({ delivery: v.delivery }))')
fi

echo "== synth (cache): ${presets[*]}"
assemblies=$(node scripts/synth-cache.mjs $(printf '%s\n' "${presets[@]}" | grep -vx delivery) --variants "$variants")
out=cdk.out/presets
rm -rf "$out"
mkdir -p "$out"
dirs=()
for env in "${presets[@]}"; do
  dir=$(node -e 'process.stdout.write(JSON.parse(process.argv[1])[process.argv[2]])' "$assemblies" "$env")
  ln -s "$dir" "$out/$env"
  dirs+=("$dir")
done

# Both gates side by side (one per core), each run whole even if the other fails, so one run lists every finding.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# --top-level: the delivery pipeline's stages are the environments checked above (DeliveryTests proves their templates
# equal the standalone synths), so only its own stacks are checked again.
node scripts/nag-gate/index.mjs --top-level "${dirs[@]}" >"$logs/nag" 2>&1 &
nag=$!
node scripts/guard-gate/index.mjs --top-level "${dirs[@]}" >"$logs/guard" 2>&1 &
guard=$!
status=0
wait "$nag" || status=$?
guard_status=0
wait "$guard" || guard_status=$?

echo "== cdk-nag gate: ${presets[*]}"
cat "$logs/nag"
echo "== Control Tower gate (cfn-guard): ${presets[*]}"
cat "$logs/guard"
[ "$status" -ne 0 ] || status=$guard_status
exit "$status"
