#!/usr/bin/env bash
# Compliance gate: synthesize every environment preset and check each template with cdk-nag
# (AwsSolutions + PCI.DSS.321). Fails on any unsuppressed error. `npm run compliance` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(dev staging prod pr-7)

out=cdk.out/presets
rm -rf "$out"
dirs=()
for env in "${presets[@]}"; do
  echo "== synth $env"
  cdk synth --quiet -c environmentSuffix="$env" -o "$out/$env" > /dev/null
  dirs+=("$out/$env")
done

echo "== cdk-nag gate: ${presets[*]}"
node scripts/nag-gate/index.mjs "${dirs[@]}"
