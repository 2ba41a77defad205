#!/usr/bin/env node
// The synthesized cloud assemblies of the environments, each made once per set of inputs and shared by every
// consumer in a run (the template tests, the rollout check's tests, the compliance gates) and by later runs while
// nothing that shapes a template has changed.
//
// An assembly is made exactly as a user makes it, `cdk synth --quiet -c environmentSuffix=<env> [-c key=value...] -o DIR`
// through this tree's CDK CLI, so whoever reads one reads what `npx cdk synth` writes. Misses are synthesized in
// parallel, one CLI process per core.
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
const FORMAT = 'synth-cache/1';
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

/**
 * `-c key=value` can only give strings. A variant with a JSON value (an array of trading clients, a number) is given
 * as cdk.json gives it instead: the CLI runs in a scratch folder whose cdk.json is ours plus those values (the app
 * command is ours, by absolute path) beside a copy of our cdk.context.json.
 */
function cliWorkdir(context, scratch) {
  const json = Object.fromEntries(Object.entries(context).filter(([, v]) => typeof v !== 'string'));
  if (!Object.keys(json).length) return { cwd: REPO, args: contextArgs(context) };
  const cdkJson = JSON.parse(fs.readFileSync(path.join(REPO, 'cdk.json'), 'utf8'));
  cdkJson.app = `bash ${path.join(REPO, 'scripts', 'cdk-app.sh')}`;
  cdkJson.context = { ...cdkJson.context, ...json };
  fs.writeFileSync(path.join(scratch, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
  fs.copyFileSync(path.join(REPO, 'cdk.context.json'), path.join(scratch, 'cdk.context.json'));
  const strings = Object.fromEntries(Object.entries(context).filter(([, v]) => typeof v === 'string'));
  return { cwd: scratch, args: contextArgs(strings) };
}

function synthInto(outDir, context) {
  const bin = path.join(REPO, 'node_modules', '.bin');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-cache-cli-'));
  const { cwd, args } = cliWorkdir(context, scratch);
  return new Promise((resolve) => {
    const child = spawn(path.join(bin, 'cdk'), ['synth', '--quiet', ...args, '-o', outDir], {
      cwd,
      // Node 22 from node_modules first on PATH: jsii inside the app runs on it, as under `npm run`.
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, CDK_DISABLE_VERSION_CHECK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => {
      fs.rmSync(scratch, { recursive: true, force: true });
      resolve({ code, output });
    });
  });
}

/** Runs `tasks` (functions returning promises) with at most `limit` at a time. */
async function pool(tasks, limit) {
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
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
  await pool(misses.map(({ name, context, dir }) => async () => {
    const started = Date.now();
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const tmp = fs.mkdtempSync(path.join(path.dirname(dir), '.tmp-'));
    const { code, output } = await synthInto(tmp, context);
    if (code !== 0 || !fs.existsSync(path.join(tmp, 'manifest.json'))) {
      fs.rmSync(tmp, { recursive: true, force: true });
      failures.push(`${name} (cdk synth ${contextArgs(context).join(' ')}, exit ${code}):\n${output.trim().split('\n').slice(-25).join('\n')}`);
      return;
    }
    // Only a complete assembly takes the key's name; the older assemblies of this variant go.
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    for (const other of fs.readdirSync(path.dirname(dir))) {
      if (other !== path.basename(dir)) fs.rmSync(path.join(path.dirname(dir), other), { recursive: true, force: true });
    }
    log(`${name}: synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s (${path.relative(REPO, dir)})`);
  }), Math.max(1, os.availableParallelism()));
  if (failures.length) throw new SynthCacheError(`synthesis failed for ${failures.join('\n\n')}`);
  return dirs;
}

async function main(argv) {
  const variants = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--variants') {
      let parsed;
      try {
        parsed = JSON.parse(argv[++i] ?? '');
      } catch (e) {
        throw new SynthCacheError(`--variants takes a JSON object {name: context}: ${e.message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SynthCacheError('--variants takes a JSON object {name: context}');
      Object.assign(variants, parsed);
    } else if (argv[i].startsWith('-')) {
      throw new SynthCacheError(`unknown option ${argv[i]} (usage: synth-cache.mjs [ENV...] [--variants JSON])`);
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
