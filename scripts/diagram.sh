#!/usr/bin/env bash
# `npm run diagram`: draws the synthesized app (dev) into docs/architecture.png with cdk-dia (pinned in
# package.json). Needs graphviz's `dot` (Debian: apt-get install graphviz). Run it after a change to the
# stacks or components, and commit the picture with the change.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dot > /dev/null || { echo "diagram: graphviz is missing (Debian: apt-get install graphviz)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cdk synth --quiet -o "$work/cdk.out" > /dev/null
cdk-dia --tree "$work/cdk.out/tree.json" --target "$work/diagram.png" > /dev/null
# cdk-dia renders at 200 dpi (some 14,000 pixels wide): render its graph again at a size a README can show.
sed 's/dpi = 200;/dpi = 56;/' "$work/diagram.dot" | dot -Tpng -o docs/architecture.png 2> "$work/dot.log" \
  || { cat "$work/dot.log" >&2; exit 1; }
echo "diagram: docs/architecture.png"
