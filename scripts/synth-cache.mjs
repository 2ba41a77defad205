#!/usr/bin/env node
// The synthesized cloud assemblies of the environments, each made once per set of inputs and shared by every
// consumer in a run (the template tests, the rollout check's tests, the compliance gates) and by later runs while
// nothing that shapes a template has changed.
//
// An assembly holds what `npx cdk synth --quiet -c environmentSuffix=<env> [-c key=value...]` writes: the app gets
// what this tree's CDK CLI hands an app (its context and environment, recorded once per run through the real CLI),
// but the misses are synthesized by the app itself in batch mode (src/Hosting/SynthBatch.cs), one process per core
// each making several assemblies, since starting jsii costs more than synthesizing one environment. .ci/run compares
// a plain `cdk synth` with the cached dev assembly, byte for byte.
//
// The key is a hash of everything a template depends on: the built app (its dll, and deps.json, which names every
// package version), the published function (the asset), cdk.json and cdk.context.json, the CLI's version, the
// environment's context, and what the CLI reads from the environment and ~/.aws to pick a default account and
// region. The app is built first (scripts/build-app.sh rebuilds when any source is newer than the app), so a source
// change that changes the app changes the key: a stale assembly is never served. Each variant keeps only its newest
// assembly (each holds a copy of the function asset).
//
//   node scripts/synth-cache.mjs dev staging          # prints {"dev": "/abs/dir", "staging": "/abs/dir"}
//   node scripts/synth-cache.mjs --variants '{"staging-clients": {"environmentSuffix": "staging", "tradingClients": ["a"]}}'
//   node scripts/synth-cache.mjs --variants-file test/TradingPlatform.Tests/SynthVariants.json   # the same, from a file
//   rm -rf artifacts/synth                             # forget every cached assembly
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE_ROOT = path.join(REPO, 'artifacts', 'synth');
// Bump when the layout or the meaning of the key changes.
const FORMAT = 'synth-cache/2';
const APP_DIR = path.join(REPO, 'bin', 'Debug', 'net10.0');
const APP_INPUTS = ['TradingPlatform.dll', 'TradingPlatform.deps.json', 'TradingPlatform.runtimeconfig.json'];
const FUNCTION_ASSET = path.join(REPO, 'artifacts', 'functions', 'DataProcessor');
// What the CLI consults for the default account and region it hands the app (CDK_DEFAULT_ACCOUNT/REGION).
const AWS_ENV = ['CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ACCESS_KEY_ID'];

export class SynthCacheError extends Error {}

/** A variant named after an environment suffix: that environment with cdk.json's defaults. */
export const preset = (suffix) => ({ environmentSuffix: suffix });

function filesBelow(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

function hashFile(hash, file, label = path.relative(REPO, file)) {
  hash.update(`${label}\0`);
  hash.update(fs.readFileSync(file));
  hash.update('\0');
}

/** The part of the key every variant shares: the built app and function, the CLI settings and AWS defaults. */
function sharedInputsHash() {
  const hash = crypto.createHash('sha256').update(FORMAT);
  for (const name of APP_INPUTS) {
    const file = path.join(APP_DIR, name);
    if (!fs.existsSync(file)) throw new SynthCacheError(`${file} is missing after the build`);
    hashFile(hash, file);
  }
  if (!fs.existsSync(FUNCTION_ASSET)) throw new SynthCacheError(`${FUNCTION_ASSET} is missing after the build`);
  for (const file of filesBelow(FUNCTION_ASSET)) hashFile(hash, file);
  for (const name of ['cdk.json', 'cdk.context.json', 'node_modules/aws-cdk/package.json']) hashFile(hash, path.join(REPO, name));
  for (const name of AWS_ENV) hash.update(`${name}=${process.env[name] ?? ''}\0`);
  for (const file of [path.join(os.homedir(), '.aws', 'config'), path.join(os.homedir(), '.aws', 'credentials')]) {
    if (fs.existsSync(file)) hashFile(hash, file, file);
  }
  return hash;
}

const contextArgs = (context) => Object.entries(context)
  .sort(([a], [b]) => a.localeCompare(b))
  .flatMap(([key, value]) => ['-c', `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`]);

function buildApp() {
  const r = spawnSync('bash', [path.join(REPO, 'scripts', 'build-app.sh')], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new SynthCacheError(`the app failed to build:\n${`${r.stdout}${r.stderr}`.trim().split('\n').slice(-30).join('\n')}`);
}

/** Runs `command args` and resolves to { code, output } (stdout and stderr together). */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (e) => resolve({ code: -1, output: `${output}${e.message}` }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

const BIN = path.join(REPO, 'node_modules', '.bin');
// Node 22 from node_modules first on PATH: jsii inside the app runs on it, as under `npm run`.
const TOOL_ENV = { ...process.env, PATH: `${BIN}${path.delimiter}${process.env.PATH}`, CDK_DISABLE_VERSION_CHECK: '1' };

/**
 * What this tree's CDK CLI hands an app when a user runs `npx cdk synth` here: its environment, recorded by a
 * placeholder app (scripts/lib/cli-environment-app.mjs) run through the real CLI. Returns { context, env }: the
 * context (CDK_CONTEXT_JSON: cdk.json's, cdk.context.json's and the CLI's own keys) and the other CDK_* variables.
 */
async function cliEnvironment(scratch) {
  const file = path.join(scratch, 'cli-environment.json');
  // The CLI runs the app through a shell without regard to quotes it did not expect: no spaces in the file's path.
  if (/\s/.test(file)) throw new SynthCacheError(`the temp folder ${scratch} has a space in its path: set TMPDIR to one without`);
  const app = `node scripts/lib/cli-environment-app.mjs ${file}`;
  const { code, output } = await run(path.join(BIN, 'cdk'), ['synth', '--quiet', '--app', app, '-o', path.join(scratch, 'cli-out')], { cwd: REPO, env: TOOL_ENV });
  if (code !== 0 || !fs.existsSync(file)) throw new SynthCacheError(`the CDK CLI did not run its app (exit ${code}):\n${output.trim()}`);
  const env = JSON.parse(fs.readFileSync(file, 'utf8'));
  const context = JSON.parse(env.CDK_CONTEXT_JSON ?? '{}');
  // Per assembly, not per process: the batch gives each app its outdir and context itself. The error and
  // performance-counter files are the CLI's own bookkeeping in its outdir.
  const cdkEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('CDK_')
    && !['CDK_CONTEXT_JSON', 'CDK_OUTDIR', 'CDK_ERROR_FILE', 'CDK_PERF_COUNTERS_FILE'].includes(k)));
  return { context, env: cdkEnv };
}

/**
 * Synthesizes `jobs` ([{ name, context, outDir }]) in one process of the app in batch mode (src/Hosting/SynthBatch.cs),
 * started through the app command's launcher (scripts/cdk-app.sh: build check, private TMPDIR, Node settings) as the
 * CLI starts it, with the CLI's environment. A variant's context is laid over the CLI's as `-c` (strings) or cdk.json
 * (other JSON values) would lay it.
 */
async function synthBatch(jobs, cli, scratch) {
  const file = path.join(scratch, `batch-${jobs[0].name}.json`);
  fs.writeFileSync(file, JSON.stringify({
    assemblies: jobs.map(({ name, context, outDir }) => ({ name, outdir: outDir, context: { ...cli.context, ...context } })),
  }));
  const env = Object.fromEntries(Object.entries({ ...TOOL_ENV, ...cli.env, TRADINGPLATFORM_SYNTH_BATCH: file })
    .filter(([k]) => !['CDK_CONTEXT_JSON', 'CDK_OUTDIR', 'CONTEXT_OVERFLOW_LOCATION_ENV'].includes(k)));
  return run('bash', [path.join(REPO, 'scripts', 'cdk-app.sh')], { cwd: REPO, env });
}

/**
 * How much synthesizing a variant costs, in environments: a delivery variant synthesizes every environment it deploys
 * (in the pipeline's stages) and the pipeline itself, which costs about two more (delivery.sample.json's three stages
 * took 16 s of a process here, an environment 2-5 s); any other variant is one environment.
 */
export const relativeCost = (context) => {
  let delivery = context.delivery;
  if (delivery === undefined) return 1;
  if (typeof delivery === 'string') {
    try { delivery = JSON.parse(delivery); } catch { return 1; }
  }
  return Object.keys(delivery?.environments ?? {}).length + 2;
};

/**
 * Shares `jobs` ([{ context }]) out to `workers` batches, costliest first, each to the batch with the least cost so far
 * (the longest-processing-time rule); ties keep the given order.
 */
export function shareOut(jobs, workers) {
  const batches = Array.from({ length: workers }, () => ({ cost: 0, jobs: [] }));
  const byCost = jobs.map((job, i) => ({ job, i, cost: relativeCost(job.context) }))
    .sort((a, b) => b.cost - a.cost || a.i - b.i);
  for (const { job, cost } of byCost) {
    const lightest = batches.reduce((min, b) => (b.cost < min.cost ? b : min));
    lightest.cost += cost;
    lightest.jobs.push(job);
  }
  return batches.map((b) => b.jobs).filter((b) => b.length);
}

/**
 * Returns { name: assemblyDir } for the given variants ({ name: context }), synthesizing those not cached.
 * `log` receives one line per variant (hit or synthesized, with its time).
 */
export async function ensureAssemblies(variants, { log = () => {} } = {}) {
  for (const [name, context] of Object.entries(variants)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new SynthCacheError(`variant name '${name}' must be letters, digits, '.', '_' or '-'`);
    if (typeof context?.environmentSuffix !== 'string') throw new SynthCacheError(`variant '${name}' needs an environmentSuffix (a string) in its context`);
  }
  buildApp();
  const shared = sharedInputsHash();
  const dirs = {};
  const misses = [];
  for (const [name, context] of Object.entries(variants)) {
    const key = shared.copy().update(JSON.stringify(contextArgs(context))).digest('hex').slice(0, 20);
    const dir = path.join(CACHE_ROOT, name, key);
    dirs[name] = dir;
    if (fs.existsSync(path.join(dir, 'manifest.json'))) log(`${name}: cached (${path.relative(REPO, dir)})`);
    else misses.push({ name, context, dir });
  }
  const failures = [];
  if (misses.length) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cache-'));
    try {
      const cli = await cliEnvironment(scratch);
      // One app process per core (jsii starts once per process, not per variant), the misses shared out so that the
      // processes end together: the costliest first, each to the process with the least work so far.
      const workers = Math.max(1, Math.min(os.availableParallelism(), misses.length));
      const batches = shareOut(misses, workers);
      await Promise.all(batches.map(async (batch) => {
        const started = Date.now();
        for (const job of batch) {
          fs.mkdirSync(path.dirname(job.dir), { recursive: true });
          job.outDir = fs.mkdtempSync(path.join(path.dirname(job.dir), '.tmp-'));
        }
        const { code, output } = await synthBatch(batch, cli, scratch);
        for (const { name, context, dir, outDir } of batch) {
          if (code !== 0 || !fs.existsSync(path.join(outDir, 'manifest.json'))) {
            fs.rmSync(outDir, { recursive: true, force: true });
            failures.push(`${name} (context ${JSON.stringify(context)}, exit ${code}):\n${output.trim().split('\n').slice(-25).join('\n')}`);
            continue;
          }
          // Only a complete assembly takes the key's name; the older assemblies of this variant go.
          fs.rmSync(dir, { recursive: true, force: true });
          fs.renameSync(outDir, dir);
          for (const other of fs.readdirSync(path.dirname(dir))) {
            if (other !== path.basename(dir)) fs.rmSync(path.join(path.dirname(dir), other), { recursive: true, force: true });
          }
          const line = output.split('\n').find((l) => l.startsWith(`${name}: synthesized in `));
          log(`${line ?? `${name}: synthesized`} (${path.relative(REPO, dir)}; its process: ${((Date.now() - started) / 1000).toFixed(1)} s)`);
        }
      }));
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  if (failures.length) throw new SynthCacheError(`synthesis failed for ${failures.join('\n\n')}`);
  return dirs;
}

async function main(argv) {
  const variants = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--variants' || argv[i] === '--variants-file') {
      const option = argv[i];
      let parsed;
      try {
        const value = argv[++i] ?? '';
        parsed = JSON.parse(option === '--variants' ? value : fs.readFileSync(value, 'utf8'));
      } catch (e) {
        throw new SynthCacheError(`${option} takes a JSON object {name: context}: ${e.message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SynthCacheError(`${option} takes a JSON object {name: context}`);
      Object.assign(variants, parsed);
    } else if (argv[i].startsWith('-')) {
      throw new SynthCacheError(`unknown option ${argv[i]} (usage: synth-cache.mjs [ENV...] [--variants JSON] [--variants-file FILE])`);
    } else {
      variants[argv[i]] = preset(argv[i]);
    }
  }
  if (!Object.keys(variants).length) throw new SynthCacheError('name at least one environment (e.g. dev) or --variants JSON');
  const dirs = await ensureAssemblies(variants, { log: (line) => process.stderr.write(`synth-cache: ${line}\n`) });
  process.stdout.write(`${JSON.stringify(dirs)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`synth-cache: ${e instanceof SynthCacheError ? e.message : e.stack}\n`);
    process.exitCode = 2;
  });
}
