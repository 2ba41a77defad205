#!/usr/bin/env bash
# Compliance gate: synthesize every environment preset and check each template with cdk-nag
# (AwsSolutions + PCI.DSS.321) and with the AWS Control Tower proactive controls (cfn-guard).
# Fails on any unsuppressed error of either gate. `npm run compliance` runs this.
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
# Run both gates even if the first fails, so one run lists every finding.
status=0
node scripts/nag-gate/index.mjs "${dirs[@]}" || status=$?

echo "== Control Tower gate (cfn-guard): ${presets[*]}"
node scripts/guard-gate/index.mjs "${dirs[@]}" || { s=$?; [ "$status" -ne 0 ] || status=$s; }
exit "$status"
