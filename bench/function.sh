#!/usr/bin/env bash
# bench/function.sh: the ingestion function's speed (issue 10). Not a test: it reports, it does not fail on a target.
#   bash bench/function.sh            # both: handler (BenchmarkDotNet) and cold start
#   bash bench/function.sh handler    # handler time + allocated bytes, 1/100/1000/5000 trades, S3 stubbed
#   bash bench/function.sh cold       # first invocation of a fresh process, JIT vs ReadyToRun (linux-x64 stand-in)
# Knobs: ITERATIONS (BenchmarkDotNet iterations, default 15), COLD_RUNS (default 15).
# Output: a table with the recorded "before" figures (bench/function/baseline.tsv) beside this run's, and the
# verdicts against the targets; also written to bench/results/function.md.
set -euo pipefail

MODE=${1:-all}
COLD_RUNS=${COLD_RUNS:-15}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
OUT=$BENCH/results/function
BASELINE=$BENCH/function/baseline.tsv
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

case $MODE in all|handler|cold) ;; *) echo "usage: $0 [all|handler|cold]" >&2; exit 2 ;; esac
command -v dotnet >/dev/null || { echo "bench: dotnet is not on PATH" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench: python3 is needed to read the results" >&2; exit 1; }
mkdir -p "$OUT"

run_handler() {
  echo "bench: building the handler benchmark (Release)" >&2
  dotnet build "$BENCH/function/Handler/DataProcessor.Bench.csproj" -c Release --nologo -v q >"$OUT/handler-build.log" 2>&1 \
    || { tail -20 "$OUT/handler-build.log" >&2; exit 1; }
  rm -rf "$OUT/handler"
  echo "bench: running BenchmarkDotNet (a few minutes; log in $OUT/handler.log)" >&2
  (cd "$OUT" && dotnet "$BENCH/function/Handler/bin/Release/net10.0/DataProcessor.Bench.dll" "$OUT/handler") >"$OUT/handler.log" 2>&1 \
    || { tail -30 "$OUT/handler.log" >&2; exit 1; }
}

# Publishes the cold-start host (and with it the function) for linux-x64, JIT or ReadyToRun, then runs it
# COLD_RUNS times, each a fresh process; one line "init_ms=.. invoke_ms=.. total_ms=.." per run.
run_cold() {
  for variant in jit r2r; do
    local dir=$OUT/cold/$variant r2r=false
    [ $variant = r2r ] && r2r=true
    echo "bench: publishing the cold-start host ($variant)" >&2
    rm -rf "$dir"
    dotnet publish "$BENCH/function/ColdStart/ColdStart.csproj" -c Release -r linux-x64 --self-contained false \
      -p:PublishReadyToRun=$r2r --artifacts-path "$OUT/cold/build-$variant" -o "$dir" --nologo -v q >"$OUT/cold-$variant-publish.log" 2>&1 \
      || { tail -20 "$OUT/cold-$variant-publish.log" >&2; exit 1; }
    : >"$OUT/cold-$variant.txt"
    "$dir/ColdStart" >/dev/null # untimed: the first start after publish pays for the disk cache
    for _ in $(seq "$COLD_RUNS"); do
      "$dir/ColdStart" >>"$OUT/cold-$variant.txt"
    done
  done
}

case $MODE in
  handler) run_handler ;;
  cold) run_cold ;;
  all) run_handler; run_cold ;;
esac

python3 "$BENCH/function/report.py" "$OUT" "$BASELINE" | tee "$BENCH/results/function.md"
