#!/usr/bin/env bash
# bench/run.sh: measures, on this machine, in one run (issues #5 and #15)
#   (a) a full `npx cdk synth --quiet` of our four stacks, exactly as cdk.json's "app" runs it,
#   (b) the test suite: `npm test` warm (nothing changed) with its per-step times, the `dotnet test` it
#       runs with --no-build (the split), and `npm test` after a source change (TOUCH_FILE touched),
#   (c) the same synth of the seed's single TypeScript stack (the reference),
#   (d) the synth profile (bench/synth-profile.sh: phases, callbacks into .NET, jsii messages),
#   (e) fresh clones of HEAD: `npm ci && npx cdk synth --quiet`, `npm test` right after `npm ci`, `.ci/run`,
# each as the median (min/max) of RUNS (fresh clones: FRESH_RUNS) runs, with the peak memory of the
# whole process tree, and verdicts against the targets of DESIGN.md's "Speed budget". It prints the
# tables and writes them to bench/results/latest.md. It reports, it does not judge: the exit code is 0
# unless a measured command itself failed.
#
#   bash bench/run.sh                         # RUNS=3, FRESH_RUNS=3: about 45 minutes on 2 cores
#   RUNS=1 FRESH_RUNS=0 bash bench/run.sh     # quicker, noisier, no fresh clones
#
# Knobs (environment): RUNS (default 3), WARMUP (untimed runs before each measurement, default 1),
# FRESH_RUNS (runs of each fresh-clone row, default 3; 0 skips them), TOUCH_FILE (the source touched
# before each "after a source change" run, default src/Program.cs), MEM_METHOD (auto | cgroup |
# sample), SEED_DIR (scratch folder of the seed app).
set -euo pipefail

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
FRESH_RUNS=${FRESH_RUNS:-3}
TOUCH_FILE=${TOUCH_FILE:-src/Program.cs}
MEM_METHOD=${MEM_METHOD:-auto}

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
RESULTS=$BENCH/results
LOGS=$RESULTS/logs
STEPS=$LOGS/steps
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
  [[ $FRESH_RUNS =~ ^[0-9]+$ ]] || die "FRESH_RUNS must be a non-negative integer (got '$FRESH_RUNS')"
  [ -f "$REPO/$TOUCH_FILE" ] || die "TOUCH_FILE $TOUCH_FILE is not a file of the repo"
  [ -f "$BENCH/synth-profile.sh" ] || die "bench/synth-profile.sh is missing"
  if [ "$FRESH_RUNS" -gt 0 ]; then
    command -v git >/dev/null || die "git is not on PATH (FRESH_RUNS=0 skips the fresh clones)"
    [ -d "$REPO/../shared" ] || die "../shared is missing beside the repo (.ci/run of a fresh clone needs it)"
  fi
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
declare -A R_LABEL R_MED R_MIN R_MAX R_MIB R_LEFT R_STATUS R_REBUILT R_RUNS R_EXPECT_REBUILD
# If set, a file whose change during a timed run means that run rebuilt the app (reported: a source
# edited during the benchmark makes that run include a compile).
WATCH_FILE=''
# If set, the number of timed runs instead of RUNS (the fresh-clone rows use FRESH_RUNS).
MEASURE_RUNS=''
# If set, a command run before each run (warm-ups too), untimed and outside the memory cgroup, with the
# path of a log file as its argument (touch a source, make a fresh clone); if it fails, the row fails.
PRE_RUN=''
# If 1, each run gets TEST_STEP_TIMES=$STEPS/<key>.<run>.tsv in its environment (scripts/test.sh's steps).
STEP_TIMES=0
OUT=''
KEYS=()
FAILED=0
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {
  local key=$1 label=$2 warmups=$3 dir=$4 path=$5; shift 5
  local runs=${MEASURE_RUNS:-$RUNS}
  KEYS+=("$key"); R_LABEL[$key]=$label; R_RUNS[$key]=$runs
  local i tag secs=() mibs=() lefts=() logfile stamp rebuilt note cmd
  R_REBUILT[$key]=0
  log "measuring [$key] $label (in $dir; $warmups warm-up + $runs timed)"
  for (( i = 1 - warmups; i <= runs; i++ )); do
    tag=run$i
    [ "$i" -le 0 ] && tag=warmup$((1 - i))
    logfile="$LOGS/$key.$tag.log"
    if [ -n "$PRE_RUN" ] && ! $PRE_RUN "$LOGS/$key.$tag.prepare.log"; then
      log "FAILED: $key (preparing $tag: $PRE_RUN), last lines of $LOGS/$key.$tag.prepare.log:"
      tail -n 30 "$LOGS/$key.$tag.prepare.log" >&2
      R_STATUS[$key]=FAILED; FAILED=1
      return 0
    fi
    # Each synth writes to a fresh temp dir (-o "$OUT"), so cdk.out of the repo is not disturbed.
    OUT=$(mktemp -d "$TMP_ROOT/tp-bench-out.XXXXXX")
    cmd=("${@//@OUT@/$OUT}")
    if [ "$STEP_TIMES" = 1 ]; then
      rm -f "$STEPS/$key.$tag.tsv"
      cmd=(env "TEST_STEP_TIMES=$STEPS/$key.$tag.tsv" "${cmd[@]}")
    fi
    stamp=$( [ -n "$WATCH_FILE" ] && stat -c %y "$WATCH_FILE" 2>/dev/null || true)
    if ! run_once "$dir" "$logfile" "$path" "${cmd[@]}"; then
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
      [ "${R_EXPECT_REBUILD[$key]:-0}" = 1 ] && note=" (rebuilt the app, as expected)"
    elif [ "${R_EXPECT_REBUILD[$key]:-0}" = 1 ]; then
      note=" (did NOT rebuild the app)"
    fi
    if [ "$i" -ge 1 ]; then
      secs+=("$RUN_SECS"); mibs+=("$RUN_MIB"); lefts+=("$RUN_LEFT")
      R_REBUILT[$key]=$(( R_REBUILT[$key] + rebuilt ))
      log "  run $i/$runs: ${RUN_SECS} s, peak ${RUN_MIB} MiB, left ${RUN_LEFT} MiB in TMPDIR$note"
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
measure_tests() {
  # Warm: the warm-up run builds the tests; the timed runs find nothing changed (the synth cache hits). A timed
  # run that rebuilt the app (someone edited a source meanwhile) is reported. How the time splits between the
  # build and the suites is in the per-step table (scripts/test.sh's TEST_STEP_TIMES).
  WATCH_FILE=$APP_DLL STEP_TIMES=1
  measure tests "tests: \`npm test\`, warm (nothing changed since the last run)" "$WARMUP" "$REPO" "$USER_PATH" npm test
  WATCH_FILE='' STEP_TIMES=0
}

# `npm test` after a source change: before each run (untimed) TOUCH_FILE's timestamp is updated, so the app and
# the test project that references it rebuild, and the synth cache is emptied. A touch alone leaves the rebuilt
# app byte-identical (deterministic build), which the cache would rightly still serve; an edit that changes the
# app changes every key, which is what emptying the cache stands for: every environment is synthesized again.
# No warm-up: the rows before built everything. Each run is expected to rebuild the app; one that did not is reported.
touch_source() { touch "$REPO/$TOUCH_FILE" && rm -rf "$REPO/artifacts/synth" && echo "touched $TOUCH_FILE, emptied artifacts/synth" >"$1"; }

measure_tests_after_change() {
  WATCH_FILE=$APP_DLL STEP_TIMES=1 PRE_RUN=touch_source
  R_EXPECT_REBUILD[tests_src]=1
  measure tests_src "tests: \`npm test\` after a source change (\`touch $TOUCH_FILE\`, synth cache emptied, before each run)" 0 "$REPO" "$USER_PATH" npm test
  WATCH_FILE='' STEP_TIMES=0 PRE_RUN=''
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
# (d) the synth profile: bench/synth-profile.sh, its tables go into the report as they are
# ---------------------------------------------------------------------------------------------
PROFILE_MD=''

run_synth_profile() {
  # WARMUP=0: the synth rows just before warmed the build, the disk cache and Node's compile cache.
  log "synth profile: bench/synth-profile.sh with RUNS=$RUNS (log: $LOGS/synth-profile.log)"
  if RUNS=$RUNS WARMUP=0 bash "$BENCH/synth-profile.sh" >"$LOGS/synth-profile.out" 2>"$LOGS/synth-profile.log"; then
    PROFILE_MD=$LOGS/synth-profile.out
  else
    log "FAILED: bench/synth-profile.sh, last lines of $LOGS/synth-profile.log:"
    tail -n 30 "$LOGS/synth-profile.log" >&2
    FAILED=1
  fi
}

# ---------------------------------------------------------------------------------------------
# (e) fresh clones of HEAD: <tmp>/main (the clone) beside <tmp>/shared -> the real ../shared, as the
# repo sits beside shared/ here. Each run gets a new clone (made untimed, before the run). The
# machine's NuGet, npm and jsii caches are not cleared: they stay warm, as on this machine kind.
# ---------------------------------------------------------------------------------------------
FRESH_ROOT='' FRESH_DIR='' HEAD_SHA=''

fresh_clone() { # $1 = log file
  rm -rf "$FRESH_DIR"
  {
    git clone -q "$REPO" "$FRESH_DIR" || return 1
    # A clone of a worktree checks out its branch; make sure it is this commit.
    [ "$(git -C "$FRESH_DIR" rev-parse HEAD)" = "$HEAD_SHA" ] || git -C "$FRESH_DIR" checkout -q --detach "$HEAD_SHA"
    echo "cloned $HEAD_SHA into $FRESH_DIR"
    # A fresh machine has no C# compiler server running yet (the builds start one: Directory.Build.props).
    dotnet build-server shutdown --vbcscompiler || true
  } >"$1" 2>&1
}

fresh_clone_and_npm_ci() { # $1 = log file
  fresh_clone "$1" && (cd "$FRESH_DIR" && PATH=$USER_PATH npm ci) >>"$1" 2>&1
}

measure_fresh_clones() {
  [ "$FRESH_RUNS" -gt 0 ] || { log "fresh clones skipped (FRESH_RUNS=0)"; return 0; }
  HEAD_SHA=$(git -C "$REPO" rev-parse HEAD)
  FRESH_ROOT=$(mktemp -d "$TMP_ROOT/tp-bench-fresh.XXXXXX")
  FRESH_DIR=$FRESH_ROOT/main
  ln -s "$(cd "$REPO/../shared" && pwd)" "$FRESH_ROOT/shared"
  MEASURE_RUNS=$FRESH_RUNS
  PRE_RUN=fresh_clone
  measure fresh_synth "fresh clone: \`npm ci && npx cdk synth --quiet\`" 0 "$FRESH_DIR" "$USER_PATH" \
    bash -c 'npm ci && npx cdk synth --quiet'
  PRE_RUN=fresh_clone_and_npm_ci
  measure fresh_tests "fresh clone: \`npm test\` right after \`npm ci\` (builds included)" 0 "$FRESH_DIR" "$USER_PATH" \
    npm test
  PRE_RUN=fresh_clone
  measure fresh_ci "fresh clone: \`CI=true bash .ci/run\` (install, tests, synth, gates, rollout check)" 0 "$FRESH_DIR" "$USER_PATH" \
    env CI=true bash .ci/run
  MEASURE_RUNS='' PRE_RUN=''
  rm -rf "$FRESH_ROOT"
}

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
fmt_row() {
  local key=$1
  local label=${R_LABEL[$key]} runs=${R_RUNS[$key]:-$RUNS} rebuilt=${R_REBUILT[$key]:-0}
  if [ "${R_EXPECT_REBUILD[$key]:-0}" = 1 ]; then
    [ "${R_STATUS[$key]:-}" = ok ] && [ "$rebuilt" -lt "$runs" ] \
      && label+=" **(only $rebuilt of $runs runs rebuilt the app: the touch did not trigger a build)**"
  elif [ "$rebuilt" -gt 0 ]; then
    label+=" ($rebuilt of $runs runs rebuilt the app: a source changed)"
  fi
  if [ "${R_STATUS[$key]:-}" = ok ]; then
    printf '| %s | %s s | %s s | %s s | %s | %s | %s |\n' "$label" "${R_MED[$key]}" "${R_MIN[$key]}" "${R_MAX[$key]}" "$runs" "${R_MIB[$key]}" "${R_LEFT[$key]}"
  else
    printf '| %s | FAILED | | | | | |\n' "$label"
  fi
}

verdict() { # verdict CONDITION-AWK-EXPR → PASS/FAIL
  awk "BEGIN { exit !($1) }" && echo PASS || echo FAIL
}

# target_row "TARGET" KEY LIMIT-SECONDS [NOT-MEASURED-REASON]: a row of the targets table from a timed row.
target_row() {
  local target=$1 key=$2 limit=$3 skipped=${4:-}
  if [ -n "$skipped" ]; then
    echo "| $target | not measured ($skipped) | not measured |"
  elif [ "${R_STATUS[$key]:-}" = ok ]; then
    echo "| $target | ${R_MED[$key]} s (median of ${R_RUNS[$key]}) | $(verdict "${R_MED[$key]} <= $limit") |"
  elif [ "${R_STATUS[$key]:-}" = FAILED ]; then
    echo "| $target | failed (see bench/results/logs/$key.*) | FAIL |"
  else
    echo "| $target | not measured | not measured |"
  fi
}

# Per-step table of `npm test` from the TEST_STEP_TIMES files of the timed runs: the median start offset
# and duration of each step, warm and after a source change, in the order the steps start.
steps_table() {
  local files=() f
  for f in "$STEPS"/tests.run*.tsv "$STEPS"/tests_src.run*.tsv; do [ -s "$f" ] && files+=("$f"); done
  if [ ${#files[@]} -eq 0 ]; then
    echo "no per-step times (scripts/test.sh does not write TEST_STEP_TIMES)"
    return
  fi
  echo "| step | warm: start | warm: seconds | after a source change: start | after a source change: seconds |"
  echo "|---|---:|---:|---:|---:|"
  awk -F '\t' '
    function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) a[i] += 0
      for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    function cell(set, name, what) { if (!cnt[set, name]) return "-"
      return sprintf("%.1f s%s", med(what == "start" ? st[set, name] : du[set, name]), cnt[set, name] < runs[set] ? " (" cnt[set, name] " of " runs[set] " runs)" : "") }
    FNR == 1 { set = FILENAME ~ /\/tests_src\.run[^\/]*$/ ? "src" : "warm"; runs[set]++; file++ }
    NF >= 3 {
      name = $1; occ[file, name]++; if (occ[file, name] > 1) name = name " #" occ[file, name]
      if (!(name in seen)) { seen[name] = 1; order[++n] = name }
      st[set, name] = st[set, name] " " $2; du[set, name] = du[set, name] " " $3; cnt[set, name]++ }
    END {
      for (i = 1; i <= n; i++) { name = order[i]; at[name] = cnt["warm", name] ? med(st["warm", name]) : med(st["src", name]) }
      for (i = 2; i <= n; i++) { t = order[i]; for (j = i - 1; j >= 1 && at[order[j]] > at[t]; j--) order[j + 1] = order[j]; order[j + 1] = t }
      for (i = 1; i <= n; i++) { name = order[i]
        printf "| %s | %s | %s | %s | %s |\n", name, cell("warm", name, "start"), cell("warm", name, "secs"), cell("src", name, "start"), cell("src", name, "secs") }
    }' "${files[@]}"
  echo
  echo "start: seconds from the start of scripts/test.sh to the start of the step (medians over the runs); steps may overlap."
}

report() {
  local out=$RESULTS/latest.md key ratio mem_ratio targets=() info=() fresh_skip=''
  [ "$FRESH_RUNS" -gt 0 ] || fresh_skip='FRESH_RUNS=0'
  targets+=("$(target_row "\`npm test\`, warm (nothing changed) <= 40 s" tests 40)")
  targets+=("$(target_row "\`npm test\` after a source change <= 60 s$( [ -n "$fresh_skip" ] && echo ' (stands for the fresh-clone `npm test`, not measured)')" tests_src 60)")
  if [ "${R_STATUS[ours]:-}" = ok ] && [ "${R_STATUS[seed]:-}" = ok ]; then
    ratio=$(awk -v a="${R_MED[ours]}" -v b="${R_MED[seed]}" 'BEGIN { printf "%.2f", a / b }')
    mem_ratio=$(awk -v a="${R_MIB[ours]}" -v b="${R_MIB[seed]}" 'BEGIN { printf "%.2f", a / b }')
    targets+=("| synth ours/seed <= 1.5x | ${R_MED[ours]} / ${R_MED[seed]} s = **${ratio}x** | $(verdict "$ratio <= 1.5") |")
    targets+=("| synth peak memory ours/seed <= 1.2x | ${R_MIB[ours]} / ${R_MIB[seed]} MiB = **${mem_ratio}x** | $(verdict "$mem_ratio <= 1.2") |")
    local i
    for i in ours_dll:"built dll" ours_run:"dotnet run"; do
      key=${i%%:*}
      [ "${R_STATUS[$key]:-}" = ok ] || continue
      ratio=$(awk -v a="${R_MED[$key]}" -v b="${R_MED[seed]}" 'BEGIN { printf "%.2f", a / b }')
      info+=("| (info) synth ours/seed, app = ${i#*:} | ${R_MED[$key]} / ${R_MED[seed]} s = ${ratio}x | ($(verdict "$ratio <= 1.5")) |")
    done
  else
    targets+=("| synth ours/seed <= 1.5x | not measured (a synth failed) | FAIL |")
    targets+=("| synth peak memory ours/seed <= 1.2x | not measured (a synth failed) | FAIL |")
  fi
  targets+=("$(target_row "fresh clone: \`npm ci && npx cdk synth --quiet\` <= 40 s" fresh_synth 40 "$fresh_skip")")
  targets+=("$(target_row "fresh clone: \`npm test\` right after \`npm ci\` <= 60 s" fresh_tests 60 "$fresh_skip")")
  targets+=("$(target_row "fresh clone: \`.ci/run\` <= 150 s" fresh_ci 150 "$fresh_skip")")

  {
    echo "# Benchmark: synth and tests (bench/run.sh)"
    echo
    echo "- when: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ] && echo ' (work tree has changes)')"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%d MiB", $2 / 1024 }' /proc/meminfo) RAM; load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- tools: dotnet $(dotnet --version), node $(PATH=$TOOLS_PATH node --version), CDK CLI $(PATH=$TOOLS_PATH cdk --version 2>/dev/null | cut -d' ' -f1); MSBUILDDISABLENODEREUSE=${MSBUILDDISABLENODEREUSE:-unset}, UseSharedCompilation=${UseSharedCompilation:-unset} in the environment (Directory.Build.props sets it to true for this repo's builds)"
    echo "- each figure: median of the timed runs (RUNS=$RUNS, after WARMUP=$WARMUP untimed warm-up where the row says so; fresh clones: FRESH_RUNS=$FRESH_RUNS, no warm-up), min and max; wall time"
    if [ "$FRESH_RUNS" -gt 0 ]; then
      echo "- fresh clones: \`git clone\` of commit ${HEAD_SHA:0:7} (committed files only) into <tmp>/main beside <tmp>/shared -> ../shared, a new clone per run; the machine's NuGet (~/.nuget/packages), npm (~/.npm) and jsii (~/.cache/aws/jsii) caches stay warm (this machine kind)"
    else
      echo "- fresh clones: not measured (FRESH_RUNS=0)"
    fi
    echo "- peak memory: $MEM_DESC; median of the runs"
    echo "- $SEED_NOTE"
    echo
    echo "| measurement | median | min | max | runs | peak MiB | left in TMPDIR, MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    for key in "${KEYS[@]}"; do fmt_row "$key"; done
    echo
    echo "## Targets (DESIGN.md, Speed budget)"
    echo
    echo "| target | figure | verdict |"
    echo "|---|---|---|"
    printf '%s\n' "${targets[@]}"
    [ ${#info[@]} -eq 0 ] || printf '%s\n' "${info[@]}"
    echo
    echo "## \`npm test\` per step"
    echo
    steps_table
    echo
    if [ -n "$PROFILE_MD" ]; then
      cat "$PROFILE_MD"
    else
      echo "## Synth profile"
      echo
      echo "not available: bench/synth-profile.sh failed (bench/results/logs/synth-profile.log)"
    fi
    echo
    echo "Logs of every run: bench/results/logs/."
  } >"$out"
  echo
  cat "$out"
}

cleanup() {
  # If interrupted mid-run: remove that run's temp dirs and its child cgroup.
  rm -rf "${CUR_RUN_TMP:-}" "${OUT:-}" "${FRESH_ROOT:-}"
  if [ -n "$CG_PARENT" ]; then rmdir "$CG_PARENT"/tp-bench-$$-* 2>/dev/null || true; fi
}

main() {
  check_prerequisites
  mkdir -p "$LOGS" "$STEPS" "$TMP_ROOT/node-compile-cache"
  rm -f "$LOGS"/*.log "$LOGS"/*.out "$STEPS"/*.tsv
  trap cleanup EXIT
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  detect_memory_method
  prepare_our_app
  prepare_seed
  measure_our_synth
  measure_seed_synth
  run_synth_profile
  measure_tests
  measure_tests_after_change
  measure_fresh_clones
  report
  exit "$FAILED"
}

# Sourcing the script (to try one part of it) defines the functions without running the benchmark.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
