#!/usr/bin/env bash
# bench/function.sh: the ingestion function's speed (issue 10). Not a test: it reports, it does not fail on a target.
#   bash bench/function.sh            # both: handler (BenchmarkDotNet) and cold start
#   bash bench/function.sh handler    # handler time + allocated bytes, 1/100/1000/5000 trades, S3 stubbed
#   bash bench/function.sh cold       # first invocation of a fresh process, JIT vs ReadyToRun (linux-x64 stand-in)
# "before" is built from the function's sources at BEFORE_REF (default: the commit before issue 10) and measured in
# the same run, interleaved with "after" (the working tree), so both see the same machine load.
# Knobs: BEFORE_REF, ITERATIONS (BenchmarkDotNet iterations, default 15), COLD_RUNS (default 15).
# Output: the before/after table and the verdicts against the targets; also written to bench/results/function.md.
set -euo pipefail

MODE=${1:-all}
COLD_RUNS=${COLD_RUNS:-15}
BEFORE_REF=${BEFORE_REF:-af7e87c}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
OUT=$BENCH/results/function
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case $MODE in all|handler|cold) ;; *) echo "usage: $0 [all|handler|cold]" >&2; exit 2 ;; esac
command -v dotnet >/dev/null || { echo "bench: dotnet is not on PATH" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 is needed to read the results" >&2; exit 1; }
mkdir -p "$OUT"

# The function's sources at BEFORE_REF, outside src/ so that nothing else builds them.
BEFORE_SRC=$OUT/before-src
rm -rf "$BEFORE_SRC" && mkdir -p "$BEFORE_SRC"
git -C "$REPO" archive "$BEFORE_REF" src/Functions/DataProcessor | tar -x -C "$BEFORE_SRC"
PROJECT_before=$BEFORE_SRC/src/Functions/DataProcessor/DataProcessor.csproj
PROJECT_after=$REPO/src/Functions/DataProcessor/DataProcessor.csproj

fail() { echo "bench: $1 failed:" >&2; tail -30 "$2" >&2; exit 1; }

run_handler() {
  for side in before after; do
    local project=PROJECT_$side bin=$OUT/handler-$side-bin
    echo "bench: building the handler benchmark against the $side sources" >&2
    rm -rf "$bin"
    dotnet build "$BENCH/function/Handler/DataProcessor.Bench.csproj" -c Release -p:DataProcessorProject="${!project}" \
      --artifacts-path "$OUT/build-handler-$side" -o "$bin" --nologo -v q >"$OUT/handler-$side-build.log" 2>&1 \
      || fail "building the $side benchmark" "$OUT/handler-$side-build.log"
  done
  for side in before after; do
    echo "bench: BenchmarkDotNet, $side (a few minutes; log in $OUT/handler-$side.log)" >&2
    rm -rf "$OUT/handler-$side"
    (cd "$OUT" && dotnet "$OUT/handler-$side-bin/DataProcessor.Bench.dll" "$OUT/handler-$side") >"$OUT/handler-$side.log" 2>&1 \
      || fail "the $side benchmark" "$OUT/handler-$side.log"
  done
}

# The cold-start host (and with it the function) published for linux-x64: before (JIT, as the asset was), after
# (JIT) and after (ReadyToRun, as the asset is now). Runs are interleaved; each is a fresh process and prints
# "init_ms=.. invoke_ms=.. total_ms=..".
run_cold() {
  local variants=("before jit false" "after jit false" "after r2r true")
  for v in "${variants[@]}"; do
    set -- $v
    local project=PROJECT_$1 dir=$OUT/cold/$1-$2
    echo "bench: publishing the cold-start host ($1, $2)" >&2
    rm -rf "$dir"
    dotnet publish "$BENCH/function/ColdStart/ColdStart.csproj" -c Release -r linux-x64 --self-contained false \
      -p:PublishReadyToRun=$3 -p:DataProcessorProject="${!project}" --artifacts-path "$OUT/build-cold-$1-$2" -o "$dir" \
      --nologo -v q >"$OUT/cold-$1-$2-publish.log" 2>&1 || fail "publishing the cold-start host ($1, $2)" "$OUT/cold-$1-$2-publish.log"
    "$dir/ColdStart" >/dev/null # untimed: the first start after publishing reads the files from disk
    : >"$OUT/cold-$1-$2.txt"
  done
  echo "bench: $COLD_RUNS cold starts of each, interleaved" >&2
  for _ in $(seq "$COLD_RUNS"); do
    for v in "${variants[@]}"; do
      set -- $v
      "$OUT/cold/$1-$2/ColdStart" >>"$OUT/cold-$1-$2.txt"
    done
  done
}

echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start" >&2
case $MODE in
  handler) run_handler ;;
  cold) run_cold ;;
  all) run_handler; run_cold ;;
esac

python3 "$BENCH/function/report.py" "$OUT" "$BENCH/function/baseline.tsv" | tee "$BENCH/results/function.md"
