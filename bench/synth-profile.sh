#!/usr/bin/env bash
# bench/synth-profile.sh: where one synthesis of our app spends its time (issue 15, "measure before changing").
#   1. builds the app once (dotnet build TradingPlatform.csproj -c Debug),
#   2. runs the built app directly, as the CDK CLI would start it (same environment and context), RUNS times,
#      with TRADINGPLATFORM_SYNTH_PROFILE set: the app writes its phases, the callbacks from JavaScript into
#      .NET and its own steps that call into JavaScript (src/Diagnostics/SynthProfile.cs); interleaved with
#      RUNS runs of `npx cdk synth --quiet -o <temp dir>` (cdk.json's app), to show the CLI's own share,
#   3. runs the app once more with JSII_DEBUG=1 and counts the jsii messages (requests from .NET into
#      JavaScript by kind, callbacks from JavaScript into .NET by method/property), before and from the
#      app's `synth` request on.
# It prints markdown tables and writes them to bench/results/synth-profile.md. bench/run.sh calls it; it
# also runs alone:
#
#   bash bench/synth-profile.sh            # RUNS=3: about 2-3 minutes here (7 app starts + a build check)
#   RUNS=1 bash bench/synth-profile.sh     # quicker, noisier
#
# Knobs (environment): RUNS (timed runs of each kind, default 3), WARMUP (untimed direct runs first,
# default 0: the build just before warms the disk cache; bench/run.sh's synth rows warm the rest).
# Exit code: 0 unless the build or a run failed.
set -euo pipefail

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-0}
CONFIG=Debug

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=$REPO/bench/results
LOGS=$RESULTS/logs/synth-profile
TMP_ROOT=${TMPDIR:-/tmp}
TOOLS_PATH=$REPO/node_modules/.bin:$PATH
DLL=bin/$CONFIG/net10.0/TradingPlatform.dll
export CDK_DISABLE_VERSION_CHECK=1

die() { echo "synth-profile: error: $*" >&2; exit 1; }
log() { echo "synth-profile: $*" >&2; }
now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }
secs() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.2f", e - s }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer (got '$WARMUP')"
[ -x "$REPO/node_modules/.bin/cdk" ] && [ -x "$REPO/node_modules/.bin/node" ] \
  || die "node_modules/.bin/cdk or node is missing: run 'npm ci' in $REPO first"
command -v dotnet >/dev/null || die "dotnet is not on PATH"
[ -f "$REPO/cdk.context.json" ] || die "cdk.context.json is missing: the AZ lookup must be cached"

mkdir -p "$LOGS"
rm -f "$LOGS"/*.log
# Profiles, cloud assemblies and the private TMPDIRs of the runs: all under one folder, removed on exit.
WORK=$(mktemp -d "$TMP_ROOT/tp-synth-profile.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- 1. build once ------------------------------------------------------------------------------------
log "building TradingPlatform.csproj -c $CONFIG (log: $LOGS/build.log)"
(cd "$REPO" && PATH=$TOOLS_PATH dotnet build TradingPlatform.csproj -c "$CONFIG" --nologo -v q) >"$LOGS/build.log" 2>&1 \
  || { tail -n 30 "$LOGS/build.log" >&2; die "dotnet build failed (log: $LOGS/build.log)"; }
[ -f "$REPO/$DLL" ] || die "built app not found at $REPO/$DLL"

# The context the CLI hands the app in CDK_CONTEXT_JSON (seen with `--app 'env > file'`, CLI 2.1148):
# cdk.context.json (the cached AZ lookup), cdk.json's context, then the CLI's own keys.
CONTEXT_JSON=$(cd "$REPO" && PATH=$TOOLS_PATH node -e '
  const fs = require("fs");
  const context = {
    ...JSON.parse(fs.readFileSync("cdk.context.json", "utf8")),
    ...(JSON.parse(fs.readFileSync("cdk.json", "utf8")).context || {}),
    "aws:cdk:enable-path-metadata": true,
    "aws:cdk:enable-asset-metadata": true,
    "aws:cdk:version-reporting": true,
    "aws:cdk:bundling-stacks": ["**"],
    "@aws-cdk/core:failSynthOnValidationErrors": false,
  };
  process.stdout.write(JSON.stringify(context));')

# --- 2. timed runs ------------------------------------------------------------------------------------
# run_app NAME PROFILE-FILE [VAR=VALUE...]: the built app as the CLI starts it; stdout+stderr to the log.
# A private TMPDIR per run (jsii leaves ~65 MiB of tarballs there on every start), removed afterwards.
RUN_SECS=''
run_app() {
  local name=$1 profile=$2; shift 2
  local out=$WORK/out.$name tmp=$WORK/tmp.$name start end rc=0
  mkdir -p "$out" "$tmp"
  start=$(now)
  (cd "$REPO" && exec env PATH="$TOOLS_PATH" TMPDIR="$tmp" NODE_COMPILE_CACHE="$TMP_ROOT/node-compile-cache" \
    CDK_OUTDIR="$out" CDK_CONTEXT_JSON="$CONTEXT_JSON" CDK_DEFAULT_REGION=us-east-1 \
    TRADINGPLATFORM_SYNTH_PROFILE="$profile" "$@" dotnet "$DLL") >"$LOGS/$name.log" 2>&1 || rc=$?
  end=$(now)
  rm -rf "$out" "$tmp"
  RUN_SECS=$(secs "$start" "$end")
  return "$rc"
}

# run_cli NAME: `npx cdk synth --quiet -o <temp dir>` from the repo root with cdk.json's app command.
run_cli() {
  local name=$1 out=$WORK/out.$1 tmp=$WORK/tmp.$1 start end rc=0
  mkdir -p "$out" "$tmp"
  start=$(now)
  (cd "$REPO" && exec env PATH="$TOOLS_PATH" TMPDIR="$tmp" NODE_COMPILE_CACHE="$TMP_ROOT/node-compile-cache" \
    npx cdk synth --quiet -o "$out") >"$LOGS/$name.log" 2>&1 || rc=$?
  end=$(now)
  rm -rf "$out" "$tmp"
  RUN_SECS=$(secs "$start" "$end")
  return "$rc"
}

fail_run() { tail -n 30 "$LOGS/$1.log" >&2; die "$1 failed (log: $LOGS/$1.log)"; }

mkdir -p "$TMP_ROOT/node-compile-cache"
for (( i = 1; i <= WARMUP; i++ )); do
  run_app "warmup$i" /dev/null || fail_run "warmup$i"
  log "warm-up $i: direct app run ${RUN_SECS} s"
done
APP_SECS=() CLI_SECS=()
# Interleaved, so that a change in the machine's load hits both kinds alike.
for (( i = 1; i <= RUNS; i++ )); do
  run_app "app.run$i" "$WORK/profile.$i.tsv" || fail_run "app.run$i"
  APP_SECS+=("$RUN_SECS")
  log "run $i/$RUNS: direct app ${RUN_SECS} s"
  run_cli "cli.run$i" || fail_run "cli.run$i"
  CLI_SECS+=("$RUN_SECS")
  log "run $i/$RUNS: npx cdk synth ${RUN_SECS} s"
done
APP_MED=$(printf '%s\n' "${APP_SECS[@]}" | median)
CLI_MED=$(printf '%s\n' "${CLI_SECS[@]}" | median)

# --- 3. one run with JSII_DEBUG=1: count the messages -------------------------------------------------
log "one more direct run with JSII_DEBUG=1 (stderr to a temp file, counted, then deleted)"
DEBUG_FILE=$WORK/jsii-debug.txt
run_app debug /dev/null JSII_DEBUG=1 || fail_run debug
DEBUG_SECS=$RUN_SECS
# run_app sent stderr to the log: move the (large) log to the work folder, keep its last lines only.
mv "$LOGS/debug.log" "$DEBUG_FILE"
tail -n 20 "$DEBUG_FILE" >"$LOGS/debug.log"
DEBUG_LINES=$(wc -l <"$DEBUG_FILE")

# --- report -------------------------------------------------------------------------------------------
# Median per line of the profiles: phases in the app's order, then callbacks and steps in first-seen order.
profile_table() {
  local files=("$WORK"/profile.*.tsv)
  if [ ! -s "${files[0]}" ]; then
    echo "The app wrote no profile: this commit does not support TRADINGPLATFORM_SYNTH_PROFILE (src/Program.cs)."
    return
  fi
  echo "| kind | name | calls | median ms | min ms | max ms | in runs |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  awk -F '\t' -v runs="${#files[@]}" -v wall="$APP_MED" '
    function sortnum(a, n,   i, j, t) { for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t } }
    function med(s,   a, n) { n = split(s, a, " "); for (k = 1; k <= n; k++) a[k] += 0; sortnum(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function lo(s,   a, n) { n = split(s, a, " "); for (k = 1; k <= n; k++) a[k] += 0; sortnum(a, n); return a[1] }
    function hi(s,   a, n) { n = split(s, a, " "); for (k = 1; k <= n; k++) a[k] += 0; sortnum(a, n); return a[n] }
    { key = $1 "\t" $2
      if (!(key in ms)) { order[++n] = key; kind[key] = $1; name[key] = $2 }
      ms[key] = ms[key] " " $4; calls[key] = calls[key] " " $3; seen[key]++ }
    END {
      for (i = 1; i <= n; i++) {
        key = order[i]
        c = kind[key] == "phase" ? "" : sprintf("%g", med(calls[key]))
        m = med(ms[key]); if (kind[key] == "phase") phases += m
        printf "| %s | %s | %s | %.0f | %.0f | %.0f | %d of %d |\n", kind[key], name[key], c, m, lo(ms[key]), hi(ms[key]), seen[key], runs
      }
      printf "| (sum) | the phases above | | %.0f | | | |\n", phases
      printf "| (rest) | wall time of the direct run (median %.2f s) minus the phases: exit of the runtime and of jsii'"'"'s node | | %.0f | | | |\n", wall, wall * 1000 - phases
    }' "${files[@]}"
  echo
  echo "Callbacks overlap the phase they happen in (mostly \"synthesize\"); steps overlap \"build the constructs\". \"calls\" is the median count."
}

# Requests .NET -> JavaScript by kind, callbacks JavaScript -> .NET by method/property, split at the app's synth request.
jsii_table() {
  echo "| jsii message | before \`synth\` | from \`synth\` on | total |"
  echo "|---|---:|---:|---:|"
  awk '
    function val(s, re,   t) { if (!match(s, re)) return ""; t = substr(s, RSTART, RLENGTH); sub(/^"[a-z]+":"/, "", t); sub(/"$/, "", t); return t }
    function count(label, kind) { if (!(label in total)) { order[++n] = label; is_cb[label] = kind == "cb" } total[label]++; if (after) later[label]++; else before[label]++ }
    function row(l) { printf "| %s | %d | %d | %d |\n", l, before[l], later[l], total[l]; done[l] = 1 }
    /^> \{"api":"invoke"/ && !after && /"method":"synth"/ { after = 1 }
    /^> \{"api":"/ { count("request " val($0, "\"api\":\"[a-z]+\"")); requests++; if (after) requests_after++; next }
    /^> \{"complete"/ { count("request complete (answer to a callback)"); requests++; if (after) requests_after++; next }
    /^> \{"/ { match($0, /^> \{"[A-Za-z]+"/); count("request " substr($0, RSTART + 4, RLENGTH - 5)); requests++; if (after) requests_after++; next }
    /^< \{"callback"/ {
      m = val($0, "\"method\":\"[^\"]*\"")
      if (m != "") label = "callback invoke " m
      else { p = val($0, "\"property\":\"[^\"]*\""); label = "callback " (/"set":\{/ ? "set " : "get ") p }
      count(label, "cb"); callbacks++; if (after) callbacks_after++; next }
    END {
      if (!after) print "| (no `invoke synth` request found: everything is counted as before) | | | |"
      # Requests in the protocol'"'"'s order, then any other request, then callbacks, most frequent first.
      k = split("load create del get set invoke sget sset sinvoke begin end complete naming stats exit", known, " ")
      for (i = 1; i <= k; i++) { l = "request " known[i]; if (known[i] == "complete") l = "request complete (answer to a callback)"; if (l in total) row(l) }
      for (i = 1; i <= n; i++) if (!is_cb[order[i]] && !(order[i] in done)) row(order[i])
      printf "| **all requests .NET -> JavaScript** | %d | %d | %d |\n", requests - requests_after, requests_after, requests
      do { best = ""; for (i = 1; i <= n; i++) { l = order[i]; if (is_cb[l] && !(l in done) && (best == "" || total[l] > total[best])) best = l } if (best != "") row(best) } while (best != "")
      printf "| **all callbacks JavaScript -> .NET** | %d | %d | %d |\n", callbacks - callbacks_after, callbacks_after, callbacks
    }' "$DEBUG_FILE"
}

OUT_MD=$RESULTS/synth-profile.md
{
  echo "## Synth profile (bench/synth-profile.sh)"
  echo
  echo "- commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ] && echo ' (work tree has changes)'); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- direct run: \`dotnet $DLL\` as the CLI starts it (CDK_OUTDIR, CDK_CONTEXT_JSON, CDK_DEFAULT_REGION=us-east-1, node_modules/.bin first on PATH, private TMPDIR); median of $RUNS runs (after $WARMUP warm-up)"
  echo
  echo "### Phases, callbacks into .NET and the app's steps (TRADINGPLATFORM_SYNTH_PROFILE)"
  echo
  profile_table
  echo
  echo "### The CLI's own share"
  echo
  echo "| run | median | all runs |"
  echo "|---|---:|---|"
  echo "| \`npx cdk synth --quiet -o <temp dir>\` (cdk.json's app) | ${CLI_MED} s | ${CLI_SECS[*]} |"
  echo "| the built app run directly | ${APP_MED} s | ${APP_SECS[*]} |"
  echo "| **CLI's share** (CLI + app command launcher: difference of the medians) | $(awk -v a="$CLI_MED" -v b="$APP_MED" 'BEGIN { printf "%.2f", a - b }') s | |"
  echo
  echo "### jsii messages of one synthesis (JSII_DEBUG=1: $DEBUG_LINES lines of stderr, run took ${DEBUG_SECS} s with the logging)"
  echo
  jsii_table
} >"$OUT_MD"
cat "$OUT_MD"
