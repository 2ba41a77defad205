#!/usr/bin/env bash
# bench/run.sh: measures, on this machine, in one run (issue #5)
#   (a) a full `npx cdk synth --quiet` of our four stacks, exactly as cdk.json's "app" runs it,
#   (b) the test suite: `npm test` as it is, and the `dotnet test` it runs with --no-build (the split),
#   (c) the same synth of the seed's single TypeScript stack (the reference),
# each as the median (min/max) of RUNS runs, with the peak memory of the synth's whole process tree.
# It prints a table and writes it to bench/results/latest.md. It reports, it does not judge: the
# exit code is 0 unless a measured command itself failed.
#
#   bash bench/run.sh                 # RUNS=5
#   RUNS=2 bash bench/run.sh          # quicker, noisier
#
# Knobs (environment): RUNS (default 5), WARMUP (untimed runs before each measurement, default 1),
# MEM_METHOD (auto | cgroup | sample), SEED_DIR (scratch folder of the seed app).
set -euo pipefail

RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
MEM_METHOD=${MEM_METHOD:-auto}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
RESULTS=$BENCH/results
LOGS=$RESULTS/logs
SEED_MD=$REPO/../shared/seed/tap-stack-seed.md
TMP_ROOT=${TMPDIR:-/tmp}
SEED_DIR=${SEED_DIR:-$TMP_ROOT/tradingplatform-bench-seed}
# The seed is compiled against the same aws-cdk-lib/constructs as our repo's Node tooling pins, and a
# TypeScript 5 (tsc in JavaScript; 6/7 change defaults). Change these and the scratch folder reinstalls.
SEED_PACKAGES=(aws-cdk-lib@2.276.0 constructs@10.8.1 typescript@5.9.3)

# The Node tooling of the repo first on PATH: the CDK CLI and Node 22 (which jsii then uses too).
# `npx` from the repo root does the same; we set it so that the seed side gets the same Node.
USER_PATH=$PATH
TOOLS_PATH=$REPO/node_modules/.bin:$PATH
# The CLI checks npm for a newer version only on a TTY; make sure it never does during a timing.
export CDK_DISABLE_VERSION_CHECK=1

die() { echo "bench: error: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

# Wall clock in seconds with microseconds, without forking `date` inside the timed region.
now() { echo "${EPOCHREALTIME:-$(date +%s.%N)}"; }

# ---------------------------------------------------------------------------------------------
# Preconditions
# ---------------------------------------------------------------------------------------------
check_prerequisites() {
  [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')"
  [[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer (got '$WARMUP')"
  [ -x "$REPO/node_modules/.bin/cdk" ] && [ -x "$REPO/node_modules/.bin/node" ] \
    || die "node_modules/.bin/cdk or node is missing: run 'npm ci' in $REPO first"
  command -v dotnet >/dev/null || die "dotnet is not on PATH: install the .NET 10 SDK"
  command -v npm >/dev/null || die "npm is not on PATH"
  [ -f "$SEED_MD" ] || die "seed not found at $SEED_MD (expected ../shared/seed/ beside the repo)"
  [ -f "$REPO/cdk.context.json" ] || die "cdk.context.json is missing: the AZ lookup must be cached"
  [ -f "$REPO/scripts/test.sh" ] || die "scripts/test.sh is missing"
}

# ---------------------------------------------------------------------------------------------
# Peak memory of a process tree.
# Preferred: put each run in a fresh child memory cgroup and read its high-water mark, which counts
# every process of the tree (CLI node, dotnet, the jsii node runtime, testhost...) at once.
#   cgroup v1: memory.max_usage_in_bytes; cgroup v2: memory.peak (only if the memory controller
#   is delegated to our cgroup's children). Needs write access to the cgroup fs (root here).
# Fallback: bench/lib/tree-rss.js samples the tree's summed RSS every 50 ms.
# ---------------------------------------------------------------------------------------------
CG_PARENT='' CG_PEAK_FILE='' MEM_DESC=''

try_cgroup() { # $1 = parent dir, $2 = peak file name; succeeds if a child cgroup has that file
  local parent=$1 file=$2 probe="$1/tp-bench-probe-$$"
  [ -d "$parent" ] || return 1
  mkdir "$probe" 2>/dev/null || return 1
  if [ -r "$probe/$file" ]; then rmdir "$probe"; CG_PARENT=$parent CG_PEAK_FILE=$file; return 0; fi
  rmdir "$probe" 2>/dev/null || true
  return 1
}

detect_memory_method() {
  if [ "$MEM_METHOD" != sample ]; then
    local v1 v2
    v1=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
    v2=$(awk -F: '$1 == "0" && $2 == "" { print $3 }' /proc/self/cgroup)
    if [ -n "$v1" ] && try_cgroup "/sys/fs/cgroup/memory${v1%/}" memory.max_usage_in_bytes; then
      MEM_DESC="cgroup v1 high-water mark (memory.max_usage_in_bytes of a fresh child cgroup per run: whole process tree, includes page cache the run charged)"
    elif [ -n "$v2" ] && [ -f /sys/fs/cgroup/cgroup.controllers ] \
      && try_cgroup "/sys/fs/cgroup${v2%/}" memory.peak; then
      MEM_DESC="cgroup v2 high-water mark (memory.peak of a fresh child cgroup per run: whole process tree, includes page cache the run charged)"
    fi
  fi
  if [ -z "$CG_PARENT" ]; then
    [ "$MEM_METHOD" = cgroup ] && die "MEM_METHOD=cgroup but no writable memory cgroup was found"
    MEM_DESC="sampled sum of VmRSS over the process tree every 50 ms (bench/lib/tree-rss.js; no writable memory cgroup here)"
  fi
  log "peak memory: $MEM_DESC"
}

# ---------------------------------------------------------------------------------------------
# One timed run: run_once DIR LOGFILE PATHVALUE CMD... ; sets RUN_SECS, RUN_MIB, returns CMD's status.
# ---------------------------------------------------------------------------------------------
RUN_SECS='' RUN_MIB='' RUN_LEFT='' CUR_RUN_TMP=''
run_once() {
  local dir=$1 logfile=$2 path=$3; shift 3
  local start end rc=0 peak_kib run_tmp
  # A private TMPDIR per run: what the run leaves behind there is measured (the .NET jsii runtime
  # copies its embedded npm tarballs to a temp dir on every start and never deletes them), then
  # removed, so that repeated runs do not fill /tmp. The caches that live in the real temp dir and
  # make a user's second run faster are linked in, so that they stay warm as for a user: the CDK
  # CLI's node compile cache, and .NET's shared-memory/NuGet scratch folders.
  run_tmp=$(mktemp -d "$TMP_ROOT/tp-bench-tmp.XXXXXX")
  CUR_RUN_TMP=$run_tmp
  local cache
  for cache in node-compile-cache .dotnet "NuGetScratch$(id -un)"; do
    if [ -e "$TMP_ROOT/$cache" ]; then ln -s "$TMP_ROOT/$cache" "$run_tmp/$cache"; fi
  done
  if [ -n "$CG_PARENT" ]; then
    local cg="$CG_PARENT/tp-bench-$$-$RANDOM"
    mkdir "$cg"
    start=$(now)
    # The subshell joins the cgroup, then exec's the command: every descendant is born inside it.
    ( cd "$dir" && echo "$BASHPID" >"$cg/cgroup.procs" && export PATH=$path TMPDIR=$run_tmp && exec "$@" ) >"$logfile" 2>&1 || rc=$?
    end=$(now)
    peak_kib=$(( $(cat "$cg/$CG_PEAK_FILE") / 1024 ))
    # A process that outlived the command (e.g. a build server) must leave before rmdir.
    local pid
    for pid in $(cat "$cg/cgroup.procs"); do echo "$pid" >"$CG_PARENT/cgroup.procs" 2>/dev/null || true; done
    rmdir "$cg" 2>/dev/null || log "warning: could not remove cgroup $cg"
  else
    local peakfile sampler pid
    peakfile=$(mktemp)
    start=$(now)
    ( cd "$dir" && export PATH=$path TMPDIR=$run_tmp && exec "$@" ) >"$logfile" 2>&1 &
    pid=$!
    "$REPO/node_modules/.bin/node" "$BENCH/lib/tree-rss.js" "$pid" >"$peakfile" &
    sampler=$!
    wait "$pid" || rc=$?
    end=$(now)
    wait "$sampler" || true
    peak_kib=$(cat "$peakfile"); rm -f "$peakfile"
  fi
  RUN_SECS=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
  RUN_MIB=$(( peak_kib / 1024 ))
  RUN_LEFT=$(( $(du -sk "$run_tmp" | cut -f1) / 1024 ))
  rm -rf "$run_tmp"
  return "$rc"
}

# ---------------------------------------------------------------------------------------------
# measure KEY "LABEL" WARMUPS DIR PATHVALUE CMD...
# WARMUPS untimed runs, then RUNS timed ones. Records median/min/max of seconds and the median peak
# MiB in R_* arrays under KEY. A failing run is reported (with its log) and marks KEY as failed;
# the other measurements still run.
# ---------------------------------------------------------------------------------------------
declare -A R_LABEL R_MED R_MIN R_MAX R_MIB R_LEFT R_STATUS R_REBUILT
# If set, a file whose change during a timed run means that run rebuilt the app (reported: a source
# edited during the benchmark makes that run include a compile).
WATCH_FILE=''
OUT=''
KEYS=()
FAILED=0
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {
  local key=$1 label=$2 warmups=$3 dir=$4 path=$5; shift 5
  KEYS+=("$key"); R_LABEL[$key]=$label
  local i secs=() mibs=() lefts=() logfile stamp rebuilt note
  R_REBUILT[$key]=0
  log "measuring [$key] $label (in $dir; $warmups warm-up + $RUNS timed)"
  for (( i = 1 - warmups; i <= RUNS; i++ )); do
    logfile="$LOGS/$key.run$i.log"
    [ "$i" -le 0 ] && logfile="$LOGS/$key.warmup$((1 - i)).log"
    # Each synth writes to a fresh temp dir (-o "$OUT"), so cdk.out of the repo is not disturbed.
    OUT=$(mktemp -d "$TMP_ROOT/tp-bench-out.XXXXXX")
    stamp=$( [ -n "$WATCH_FILE" ] && stat -c %y "$WATCH_FILE" 2>/dev/null || true)
    if ! run_once "$dir" "$logfile" "$path" "${@//@OUT@/$OUT}"; then
      rm -rf "$OUT"
      log "FAILED: $key (run $i), last lines of $logfile:"
      tail -n 30 "$logfile" >&2
      R_STATUS[$key]=FAILED; FAILED=1
      return 0
    fi
    rm -rf "$OUT"
    rebuilt=0 note=''
    if [ -n "$WATCH_FILE" ] && [ "$stamp" != "$(stat -c %y "$WATCH_FILE" 2>/dev/null || true)" ]; then
      rebuilt=1 note=" (this run rebuilt the app: a source changed)"
    fi
    if [ "$i" -ge 1 ]; then
      secs+=("$RUN_SECS"); mibs+=("$RUN_MIB"); lefts+=("$RUN_LEFT")
      R_REBUILT[$key]=$(( R_REBUILT[$key] + rebuilt ))
      log "  run $i/$RUNS: ${RUN_SECS} s, peak ${RUN_MIB} MiB, left ${RUN_LEFT} MiB in TMPDIR$note"
    else
      log "  warm-up: ${RUN_SECS} s, peak ${RUN_MIB} MiB, left ${RUN_LEFT} MiB in TMPDIR$note"
    fi
  done
  R_STATUS[$key]=ok
  R_MED[$key]=$(printf '%s\n' "${secs[@]}" | median)
  R_MIN[$key]=$(printf '%s\n' "${secs[@]}" | sort -n | head -n 1)
  R_MAX[$key]=$(printf '%s\n' "${secs[@]}" | sort -n | tail -n 1)
  R_MIB[$key]=$(printf '%s\n' "${mibs[@]}" | median | awk '{ printf "%.0f", $1 }')
  R_LEFT[$key]=$(printf '%s\n' "${lefts[@]}" | median | awk '{ printf "%.0f", $1 }')
}

# ---------------------------------------------------------------------------------------------
# (a) our app
# ---------------------------------------------------------------------------------------------
APP_CMD='' APP_CONFIG='' APP_DLL=''

prepare_our_app() {
  APP_CMD=$(cd "$REPO" && PATH=$TOOLS_PATH node -p 'require("./cdk.json").app')
  # Build in the configuration the app command runs (`-c X` / `--configuration X`, else Debug),
  # once, so that the timings below are warm; whatever the app command still does on each run
  # (`dotnet run` asks MSBuild to check the build; a script may check timestamps) is part of the
  # figure, as a user sees it.
  APP_CONFIG=$(sed -nE 's/.*(-c|--configuration)[ =]+([A-Za-z]+).*/\2/p' <<<"$APP_CMD")
  APP_CONFIG=${APP_CONFIG:-Debug}
  log "our app command (cdk.json): $APP_CMD; building TradingPlatform.csproj -c $APP_CONFIG once"
  (cd "$REPO" && PATH=$TOOLS_PATH dotnet build TradingPlatform.csproj -c "$APP_CONFIG" --nologo -v q) \
    >"$LOGS/build-app.log" 2>&1 || { tail -n 30 "$LOGS/build-app.log" >&2; die "dotnet build of the app failed (log: $LOGS/build-app.log)"; }
  APP_DLL=$(cd "$REPO" && dotnet msbuild TradingPlatform.csproj -nologo -getProperty:TargetPath -p:Configuration="$APP_CONFIG")
  [ -f "$APP_DLL" ] || die "built app not found at '$APP_DLL'"
}

measure_our_synth() {
  local dll=${APP_DLL#"$REPO"/} dotnet_run='dotnet run --project TradingPlatform.csproj'
  WATCH_FILE=$APP_DLL
  measure ours "synth, ours: 4 stacks, app = \`$APP_CMD\` (cdk.json)" "$WARMUP" "$REPO" "$TOOLS_PATH" \
    npx cdk synth --quiet -o @OUT@
  # For information (cdk.json is not changed): the same synth with the built dll as the app, i.e.
  # the least any app command can cost, and with `dotnet run`, which asks MSBuild to check the
  # build on every synth, to show what the app command itself costs.
  measure ours_dll "synth, ours, app = \`dotnet $dll\` (info: no build check)" "$WARMUP" "$REPO" "$TOOLS_PATH" \
    npx cdk synth --quiet -o @OUT@ --app "dotnet $dll"
  if [ "$APP_CMD" != "$dotnet_run" ]; then
    measure ours_run "synth, ours, app = \`$dotnet_run\` (info)" "$WARMUP" "$REPO" "$TOOLS_PATH" \
      npx cdk synth --quiet -o @OUT@ --app "$dotnet_run"
  fi
  WATCH_FILE=''
  local now_cmd
  now_cmd=$(cd "$REPO" && PATH=$TOOLS_PATH node -p 'require("./cdk.json").app')
  if [ "$now_cmd" != "$APP_CMD" ]; then
    log "warning: cdk.json's app changed during the benchmark (now \`$now_cmd\`): the 'ours' row mixes both"
    R_LABEL[ours]+=" **(cdk.json changed during the run)**"
  fi
}

# ---------------------------------------------------------------------------------------------
# (b) the test suite
# ---------------------------------------------------------------------------------------------
TEST_SCRIPT_NOBUILD='' TEST_DOTNET_NOBUILD=''

# scripts/test.sh always builds (`dotnet test` without --no-build). So `npm test` is timed as it is,
# after a warm-up run that builds; then the same script with --no-build appended to its
# `dotnet test` lines (the script minus the build), and those `dotnet test` lines alone (the .NET
# tests minus the build). npm test - first = build check; first - second = the script's other steps.
# (Appending assumes one-line `dotnet test` commands without a trailing comment, as test.sh has.)
derive_test_nobuild_cmds() {
  local lines
  lines=$(grep -E '^[[:space:]]*dotnet test ' "$REPO/scripts/test.sh" | sed -E 's/[[:space:]]+$//; s/$/ --no-build/') || true
  if [ -z "$lines" ]; then
    log "warning: no 'dotnet test' line in scripts/test.sh: the no-build split is not measured"
    return
  fi
  TEST_SCRIPT_NOBUILD=$(sed -E '/^[[:space:]]*dotnet test /{ s/[[:space:]]+$//; s/$/ --no-build/; }' "$REPO/scripts/test.sh")
  TEST_DOTNET_NOBUILD="set -e; $(sed 's/$/;/' <<<"$lines" | paste -sd ' ')"
  TEST_DOTNET_NOBUILD=${TEST_DOTNET_NOBUILD%;}
}

measure_tests() {
  measure tests "tests: \`npm test\` (scripts/test.sh as it is: builds incrementally)" "$WARMUP" "$REPO" "$USER_PATH" npm test
  derive_test_nobuild_cmds
  [ -n "$TEST_SCRIPT_NOBUILD" ] && [ "${R_STATUS[tests]}" = ok ] || return 0
  # npm test has just built everything: no warm-up needed. npm puts node_modules/.bin first; so do we.
  # $0 of the script is its real path, so that its `cd "$(dirname "$0")/.."` still works.
  measure tests_script_nobuild "tests: scripts/test.sh with \`--no-build\` on its dotnet test line(s)" 0 "$REPO" "$TOOLS_PATH" \
    bash -c "$TEST_SCRIPT_NOBUILD" "$REPO/scripts/test.sh"
  measure tests_dotnet_nobuild "tests: \`${TEST_DOTNET_NOBUILD#set -e; }\` only" 0 "$REPO" "$TOOLS_PATH" \
    bash -c "$TEST_DOTNET_NOBUILD"
}

# ---------------------------------------------------------------------------------------------
# (c) the seed's TypeScript stack, in a scratch folder reused between runs
# ---------------------------------------------------------------------------------------------
SEED_NOTE=''

prepare_seed() {
  log "seed scratch folder: $SEED_DIR"
  mkdir -p "$SEED_DIR/lib" "$SEED_DIR/bin"
  # The stack is the ```typescript block under "## File: lib/tap-stack.ts" in the seed's markdown.
  awk '/^## File: lib\/tap-stack\.ts/ { file = 1 }
       file && !code && /^```typescript/ { code = 1; next }
       code && /^```/ { exit }
       code { print }' "$SEED_MD" >"$SEED_DIR/lib/tap-stack.ts"
  [ -s "$SEED_DIR/lib/tap-stack.ts" ] || die "no \`\`\`typescript block under '## File: lib/tap-stack.ts' in $SEED_MD"

  # Same account/region (and so the same cached 3-AZ lookup) and the same suffix as our app.
  cat >"$SEED_DIR/bin/app.ts" <<'EOF'
import * as cdk from 'aws-cdk-lib';
import { TapStack } from '../lib/tap-stack';

const app = new cdk.App();
const environmentSuffix = app.node.tryGetContext('environmentSuffix') || 'dev';
new TapStack(app, `TapStack${environmentSuffix}`, {
  environmentSuffix,
  env: { account: '123456789012', region: 'us-east-1' },
});
EOF
  # Same CLI settings as our cdk.json: no notices, no telemetry.
  cat >"$SEED_DIR/cdk.json" <<'EOF'
{
  "app": "node bin/app.js",
  "context": { "environmentSuffix": "dev", "cli-telemetry": false },
  "notices": false
}
EOF
  cat >"$SEED_DIR/tsconfig.json" <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022", "module": "commonjs", "lib": ["es2022"],
    "strict": true, "skipLibCheck": true, "types": []
  },
  "include": ["bin/**/*.ts", "lib/**/*.ts"]
}
EOF
  cp "$REPO/cdk.context.json" "$SEED_DIR/cdk.context.json"
  [ -f "$SEED_DIR/package.json" ] || echo '{ "name": "tap-seed-bench", "private": true }' >"$SEED_DIR/package.json"

  # Install only when the pinned set changed (a stamp file remembers what is installed).
  local want="${SEED_PACKAGES[*]}"
  if [ "$(cat "$SEED_DIR/.installed" 2>/dev/null)" != "$want" ]; then
    log "installing ${want} into the seed folder (npm registry)"
    (cd "$SEED_DIR" && PATH=$TOOLS_PATH npm install --no-audit --no-fund --save-exact "${SEED_PACKAGES[@]}") \
      >"$LOGS/seed-npm-install.log" 2>&1 || { tail -n 30 "$LOGS/seed-npm-install.log" >&2; die "npm install in $SEED_DIR failed"; }
    echo "$want" >"$SEED_DIR/.installed"
  fi
  # The seed runs OUR CDK CLI (same version as ours): npx resolves node_modules/.bin first, so link it
  # there. Node 22 comes from TOOLS_PATH, as for our app.
  mkdir -p "$SEED_DIR/node_modules/.bin"
  ln -sfn "$REPO/node_modules/.bin/cdk" "$SEED_DIR/node_modules/.bin/cdk"

  # Compile once: the timed synth runs the compiled app, like our built dll.
  (cd "$SEED_DIR" && PATH=$TOOLS_PATH node_modules/.bin/tsc -p .) >"$LOGS/seed-tsc.log" 2>&1 \
    || { cat "$LOGS/seed-tsc.log" >&2; die "tsc failed on the seed (log: $LOGS/seed-tsc.log)"; }
  # NODEJS_18_X and VER_15_3 are deprecated but still exist in aws-cdk-lib 2.276.0: the seed
  # compiles and synthesizes unchanged (only warnings), so nothing is patched.
  SEED_NOTE="seed compiled unchanged (deprecated NODEJS_18_X / VER_15_3 only warn)"
}

measure_seed_synth() {
  measure seed "synth, seed: 1 TS stack, app = \`node bin/app.js\` (compiled)" "$WARMUP" "$SEED_DIR" "$TOOLS_PATH" \
    npx cdk synth --quiet -o @OUT@ --app "node bin/app.js"
}

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
fmt_row() {
  local key=$1
  local label=${R_LABEL[$key]}
  [ "${R_REBUILT[$key]:-0}" -gt 0 ] && label+=" ($((R_REBUILT[$key])) of $RUNS runs rebuilt the app: a source changed)"
  if [ "${R_STATUS[$key]:-}" = ok ]; then
    printf '| %s | %s s | %s s | %s s | %s | %s |\n' "$label" "${R_MED[$key]}" "${R_MIN[$key]}" "${R_MAX[$key]}" "${R_MIB[$key]}" "${R_LEFT[$key]}"
  else
    printf '| %s | FAILED | | | | |\n' "$label"
  fi
}

verdict() { # verdict CONDITION-AWK-EXPR → PASS/FAIL
  awk "BEGIN { exit !($1) }" && echo PASS || echo FAIL
}

report() {
  local out=$RESULTS/latest.md key ratio mem_ratio targets=()
  if [ "${R_STATUS[ours]:-}" = ok ] && [ "${R_STATUS[seed]:-}" = ok ]; then
    ratio=$(awk -v a="${R_MED[ours]}" -v b="${R_MED[seed]}" 'BEGIN { printf "%.2f", a / b }')
    mem_ratio=$(awk -v a="${R_MIB[ours]}" -v b="${R_MIB[seed]}" 'BEGIN { printf "%.2f", a / b }')
    targets+=("| full synth within 1.5x of the seed | ours/seed = ${R_MED[ours]} / ${R_MED[seed]} s = **${ratio}x** | $(verdict "$ratio <= 1.5") |")
    local info
    for info in ours_dll:"built dll" ours_run:"dotnet run"; do
      key=${info%%:*}
      [ "${R_STATUS[$key]:-}" = ok ] || continue
      ratio=$(awk -v a="${R_MED[$key]}" -v b="${R_MED[seed]}" 'BEGIN { printf "%.2f", a / b }')
      targets+=("| (info) same, app = ${info#*:} | ${R_MED[$key]} / ${R_MED[seed]} s = ${ratio}x | ($(verdict "$ratio <= 1.5")) |")
    done
    targets+=("| (info) synth peak memory ours/seed | ${R_MIB[ours]} / ${R_MIB[seed]} MiB = ${mem_ratio}x | |")
  else
    targets+=("| full synth within 1.5x of the seed | not measured (a synth failed) | FAIL |")
  fi
  if [ "${R_STATUS[tests]:-}" = ok ]; then
    targets+=("| test suite (\`npm test\`) under 60 s | ${R_MED[tests]} s | $(verdict "${R_MED[tests]} < 60") |")
  else
    targets+=("| test suite (\`npm test\`) under 60 s | not measured (the tests failed) | FAIL |")
  fi

  {
    echo "# Benchmark: synth and tests (bench/run.sh)"
    echo
    echo "- when: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ] && echo ' (work tree has changes)')"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) RAM; load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- tools: dotnet $(dotnet --version), node $(PATH=$TOOLS_PATH node --version), CDK CLI $(PATH=$TOOLS_PATH cdk --version 2>/dev/null | cut -d' ' -f1); MSBUILDDISABLENODEREUSE=${MSBUILDDISABLENODEREUSE:-unset}, UseSharedCompilation=${UseSharedCompilation:-unset}"
    echo "- each figure: median of $RUNS timed runs (after $WARMUP untimed warm-up), min and max; wall time"
    echo "- peak memory: $MEM_DESC; median of the runs"
    echo "- $SEED_NOTE"
    echo
    echo "| measurement | median | min | max | peak MiB | left in TMPDIR, MiB |"
    echo "|---|---:|---:|---:|---:|---:|"
    for key in "${KEYS[@]}"; do fmt_row "$key"; done
    echo
    echo "| target | figure | verdict |"
    echo "|---|---|---|"
    printf '%s\n' "${targets[@]}"
    echo
    echo "Logs of every run: bench/results/logs/."
  } >"$out"
  echo
  cat "$out"
}

cleanup() {
  # If interrupted mid-run: remove that run's temp dirs and its child cgroup.
  rm -rf "${CUR_RUN_TMP:-}" "${OUT:-}"
  if [ -n "$CG_PARENT" ]; then rmdir "$CG_PARENT"/tp-bench-$$-* 2>/dev/null || true; fi
}

main() {
  check_prerequisites
  mkdir -p "$LOGS" "$TMP_ROOT/node-compile-cache"
  rm -f "$LOGS"/*.log
  trap cleanup EXIT
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  detect_memory_method
  prepare_our_app
  prepare_seed
  measure_our_synth
  measure_seed_synth
  measure_tests
  report
  exit "$FAILED"
}

main "$@"
