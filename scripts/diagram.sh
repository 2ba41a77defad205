#!/usr/bin/env bash
# `npm run diagram`: draws the synthesized app into docs/architecture.png with cdk-dia (pinned in package.json).
# It draws staging, the smallest environment that has every layer (five stacks: Recovery, in the recovery region,
# exists only in staging and prod; dev has four). Needs graphviz's `dot` (Debian: apt-get install graphviz). Run it
# after a change to the stacks or components, and commit the picture with the change.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dot > /dev/null || { echo "diagram: graphviz is missing (Debian: apt-get install graphviz)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cdk synth --quiet -c environmentSuffix=staging -o "$work/cdk.out" > /dev/null
# cdk-dia writes the graph (diagram.dot), then renders it at 200 dpi with orthogonal edges, which graphviz's
# router cannot do for a graph this size (it aborts). The graph is what we need: render it ourselves.
cdk-dia --tree "$work/cdk.out/tree.json" --target "$work/diagram.png" > "$work/cdk-dia.log" 2>&1 || true
[ -s "$work/diagram.dot" ] || { cat "$work/cdk-dia.log" >&2; exit 1; }
# README-sized: 48 dpi, straight edges, and unflatten staggers the long rows of sibling nodes.
sed -e 's/dpi = 200;/dpi = 48;/' -e 's/splines = "ortho";/splines = "polyline";/' "$work/diagram.dot" \
  | unflatten -f -l 3 -c 6 | dot -Tpng -o docs/architecture.png 2> "$work/dot.log" \
  || { cat "$work/dot.log" >&2; exit 1; }
echo "diagram: docs/architecture.png"
