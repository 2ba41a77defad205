// Synthesizes the app of a git ref (in a temporary worktree) or of the working tree, offline, with the
// CDK CLI pinned in this tree's node_modules. Nothing here talks to AWS.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class SynthError extends Error {
  constructor(message, { isBase = false } = {}) {
    super(message);
    this.isBase = isBase;
  }
}

function git(repo, args) {
  const r = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  return { ok: r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim() };
}

/** "abc1234 subject" of a ref, or a SynthError naming the ref when git does not know it. */
export function resolveRef(repo, ref) {
  const r = git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!r.ok) throw new SynthError(`base ref '${ref}' is not a commit in this repository (shallow clone? run 'git fetch --unshallow')`);
  return { sha: r.out, title: git(repo, ['log', '-1', '--format=%h %s', r.out]).out };
}

/** Runs `cdk synth --quiet -o outDir` in `cwd`; the last lines of the build/synth output on failure. */
export function synth({ repo, cwd, outDir, context, what, isBase = false, stderr = process.stderr }) {
  const bin = path.join(repo, 'node_modules', '.bin');
  const cdk = path.join(bin, 'cdk');
  if (!fs.existsSync(cdk)) throw new SynthError(`${cdk} is missing: run 'npm ci' first`);
  stderr.write(`rollout-check: synthesizing ${what} ...\n`);
  const args = ['synth', '--quiet', ...context.flatMap((c) => ['-c', c]), '-o', outDir];
  const r = spawnSync(cdk, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Node 22 from node_modules first on PATH: jsii inside the app runs on it, as under `npm run`.
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, CDK_DISABLE_VERSION_CHECK: '1' },
  });
  if (r.status !== 0 || !fs.existsSync(path.join(outDir, 'manifest.json'))) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim().split('\n').slice(-25).join('\n');
    throw new SynthError(`the app of ${what} failed to synthesize (cdk synth exit ${r.status ?? r.signal}):\n${tail}`, { isBase });
  }
}

/**
 * The working tree's assembly for the given `-c key=value` context, from the synth cache (scripts/synth-cache.mjs):
 * `cdk synth` as a user runs it, reused when `npm test` or `npm run compliance` already made it from the same
 * inputs. Without an environmentSuffix in the context, cdk.json's default applies, as for a plain `cdk synth`.
 */
export function synthWorkingTree({ repo, context, stderr = process.stderr }) {
  const variant = {};
  for (const c of context) {
    const at = c.indexOf('=');
    variant[c.slice(0, at)] = c.slice(at + 1);
  }
  variant.environmentSuffix ??= JSON.parse(fs.readFileSync(path.join(repo, 'cdk.json'), 'utf8')).context?.environmentSuffix;
  const keys = Object.keys(variant);
  // A preset alone shares its assembly with the tests and the gates; any other context gets a name of its own.
  const name = keys.length === 1
    ? variant.environmentSuffix
    : `rollout-${crypto.createHash('sha256').update(JSON.stringify(Object.entries(variant).sort())).digest('hex').slice(0, 12)}`;
  stderr.write(`rollout-check: synthesizing the working tree (synth cache: ${name}) ...\n`);
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts', 'synth-cache.mjs'), '--variants', JSON.stringify({ [name]: variant })], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) {
    throw new SynthError(`the app of the working tree failed to synthesize:\n${`${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim().split('\n').slice(-25).join('\n')}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop())[name];
}

/**
 * When the base commit's function is the working tree's (its sources and the project files that publish it are
 * the same, nothing untracked beside them), copies the working tree's published function into the base worktree:
 * the publish is reproducible (same sources, same bytes), and the copy, newer than the worktree's sources, lets the
 * base build skip its ReadyToRun publish, the longest part of that build. Call it after the working tree is built.
 */
export function reuseFunctionAsset(repo, sha, worktree) {
  const inputs = ['src/Functions/DataProcessor', 'TradingPlatform.csproj', 'Directory.Build.props'];
  const asset = path.join(repo, 'artifacts', 'functions', 'DataProcessor');
  if (!fs.existsSync(path.join(asset, 'DataProcessor.dll'))) return false;
  if (!git(repo, ['diff', '--quiet', sha, '--', ...inputs]).ok) return false;
  if (git(repo, ['status', '--porcelain', '--untracked-files=all', '--', ...inputs]).out !== '') return false;
  fs.cpSync(asset, path.join(worktree, 'artifacts', 'functions', 'DataProcessor'), { recursive: true });
  return true;
}

/**
 * Checks `sha` out into a temporary worktree, runs `fn(worktreeDir)`, and always removes the worktree.
 * The worktree borrows this tree's node_modules (a symlink) because the base commit's dependencies are
 * not installed anywhere; the CDK CLI and Node come from this tree either way. The worktree lives in the
 * system temp folder: the app build needs nothing outside the repository (checked: no ../shared paths).
 */
export function withWorktree(repo, sha, fn) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-check-'));
  const dir = path.join(tmp, 'base');
  const cleanup = () => {
    git(repo, ['worktree', 'remove', '--force', dir]);
    fs.rmSync(tmp, { recursive: true, force: true });
    git(repo, ['worktree', 'prune']);
  };
  // Ctrl-C or a CI timeout must not leave a registered worktree behind.
  const onSignal = (sig) => {
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const add = git(repo, ['worktree', 'add', '--detach', dir, sha]);
    if (!add.ok) throw new SynthError(`git worktree add failed: ${add.err}`);
    fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    return fn(dir, tmp);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}
