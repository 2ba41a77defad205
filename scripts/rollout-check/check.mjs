// Rollout check: what deploying the working tree would do to each layer, compared with a git ref
// (or with an already synthesized cloud assembly), found offline on synthesized templates.
// `main(argv, io)` is the whole command; index.mjs is the CLI that calls it, and the tests call it in-process.
//
//   npm run rollout-check -- <git-ref> [-c key=value ...] [--allow <stack>/<logicalId> ...] [--report]
//   node scripts/rollout-check/index.mjs --base-dir <cdk.out A> --new-dir <cdk.out B> [...]
//
// Exit codes: 0 = no blocking finding (or --report / ROLLOUT_CHECK_REPORT=1), 1 = blocking findings,
// 2 = usage error, an unreadable assembly, or an app that does not synthesize. See README.md.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadAssembly, AssemblyError } from './assembly.mjs';
import { compareAssemblies } from './analyze.mjs';
import { applyAllows, formatReport } from './report.mjs';
import { resolveRef, reuseFunctionAsset, synth, synthWorkingTree, withWorktree, SynthError } from './synth.mjs';
import { costLines } from '../cost/delta.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const HELP = `Usage: npm run rollout-check -- <git-ref> [options]
       node scripts/rollout-check/index.mjs --base-dir <assembly> --new-dir <assembly> [options]

Synthesizes <git-ref> (in a temporary git worktree) and the working tree for the same environment,
and reports per layer, in deploy order: resources added, updated, replaced, destroyed or orphaned
(stateful types called out), IAM and security-group changes, exports in use that are removed or
change value, renamed stacks, termination-protection changes, and which layers need a deploy.

Options:
  -c, --context key=value   CDK context for both synths (e.g. -c environmentSuffix=prod; default: cdk.json's)
  --allow <stack>/<logicalId>         accept one blocking resource finding
  --allow <stack>/export:<ExportName> accept one blocking export finding
  --allowances FILE         accept the findings FILE lists for this environment, each with its reason:
                            {"<environmentSuffix>": [{"finding": "<stack>/<logicalId>", "reason": "..."}]}
  --report                  print everything but exit 0 (also ROLLOUT_CHECK_REPORT=1); for CI
  --base-dir DIR, --new-dir DIR       compare two synthesized cloud assemblies instead of synthesizing
  -h, --help

Exit: 0 nothing blocking (or report mode), 1 blocking findings, 2 usage or synth error.
`;

class UsageError extends Error {}

function parseCli(argv, env) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        context: { type: 'string', short: 'c', multiple: true, default: [] },
        allow: { type: 'string', multiple: true, default: [] },
        allowances: { type: 'string' },
        report: { type: 'boolean', default: false },
        'base-dir': { type: 'string' },
        'new-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(e.message);
  }
  const v = parsed.values;
  const opts = {
    ref: parsed.positionals[0],
    context: v.context,
    allows: v.allow,
    allowances: v.allowances,
    report: v.report || ['1', 'true', 'yes'].includes(String(env.ROLLOUT_CHECK_REPORT ?? '').toLowerCase()),
    baseDir: v['base-dir'],
    newDir: v['new-dir'],
    help: v.help,
  };
  if (opts.help) return opts;
  if (parsed.positionals.length > 1) throw new UsageError(`one git ref expected, got: ${parsed.positionals.join(' ')}`);
  if (opts.baseDir && opts.ref) throw new UsageError('give either a git ref or --base-dir, not both');
  if (!opts.baseDir && !opts.ref) throw new UsageError('a git ref (e.g. HEAD~1, main) or --base-dir is required');
  if (opts.newDir && !opts.baseDir) throw new UsageError('--new-dir needs --base-dir');
  for (const c of opts.context) if (!/^[^=]+=/.test(c)) throw new UsageError(`-c expects key=value, got '${c}'`);
  opts.reasons = readAllowances(opts);
  opts.allows = [...opts.allows, ...opts.reasons.map((r) => r.finding)];
  for (const a of opts.allows) {
    if (!/^[^/]+\/.+$/.test(a)) throw new UsageError(`--allow expects <stackName>/<logicalId> or <stackName>/export:<ExportName>, got '${a}'`);
  }
  return opts;
}

/**
 * The committed, reviewed allowances (rollout-allowances.json) for the environment of the -c context (cdk.json's
 * default without one): [{ finding, reason }]. Each entry needs both; a missing file allows nothing.
 */
function readAllowances(opts) {
  if (!opts.allowances) return [];
  let all;
  try {
    all = JSON.parse(fs.readFileSync(opts.allowances, 'utf8'));
  } catch (e) {
    throw new UsageError(`--allowances ${opts.allowances}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  if (typeof all !== 'object' || all === null || Array.isArray(all)) {
    throw new UsageError(`--allowances ${opts.allowances}: expected {"<environmentSuffix>": [{"finding": ..., "reason": ...}]}`);
  }
  const given = opts.context.find((c) => c.startsWith('environmentSuffix='));
  const environment = given ? given.slice('environmentSuffix='.length)
    : JSON.parse(fs.readFileSync(path.join(REPO, 'cdk.json'), 'utf8')).context?.environmentSuffix;
  const entries = all[environment] ?? [];
  if (!Array.isArray(entries)) throw new UsageError(`--allowances ${opts.allowances}: "${environment}" must be a list`);
  return entries.map((entry, i) => {
    if (typeof entry?.finding !== 'string' || !/^[^/]+\/.+$/.test(entry.finding)) {
      throw new UsageError(`--allowances ${opts.allowances}: ${environment}[${i}] needs "finding": "<stackName>/<logicalId>" or "<stackName>/export:<ExportName>"`);
    }
    if (typeof entry.reason !== 'string' || entry.reason.trim().length < 10) {
      throw new UsageError(`--allowances ${opts.allowances}: ${environment}[${i}] (${entry.finding}) needs a "reason" (why the finding is intended)`);
    }
    return { finding: entry.finding, reason: entry.reason.trim(), file: opts.allowances };
  });
}

/** Loads (or synthesizes) both assemblies and runs `fn(base, next, header)` while they exist on disk. */
function withAssemblies(opts, stderr, fn) {
  const ctx = opts.context.length ? opts.context.join(' ') : 'cdk.json defaults';
  if (opts.baseDir) {
    const newDir = opts.newDir ?? path.join(REPO, 'cdk.out');
    return fn(loadAssembly(opts.baseDir), loadAssembly(newDir), [`rollout check: ${opts.baseDir} -> ${newDir}`]);
  }
  const { sha, title } = resolveRef(REPO, opts.ref);
  // The working tree first: it builds the app, and its published function may serve the base build too.
  const newOut = synthWorkingTree({ repo: REPO, context: opts.context, stderr });
  return withWorktree(REPO, sha, (worktree, tmp) => {
    const baseOut = path.join(tmp, 'base.out');
    if (reuseFunctionAsset(REPO, sha, worktree)) stderr.write(`rollout-check: the function is unchanged since ${opts.ref}: its published copy is reused\n`);
    synth({ repo: REPO, cwd: worktree, outDir: baseOut, context: opts.context, what: `base ${opts.ref} (${title})`, isBase: true, stderr });
    return fn(loadAssembly(baseOut), loadAssembly(newOut), [
      `rollout check: base ${opts.ref} (${title}) -> working tree; context: ${ctx}`,
    ]);
  });
}

function check(argv, { stdout, stderr, env }) {
  const opts = parseCli(argv, env);
  if (opts.help) {
    stdout.write(HELP);
    return 0;
  }
  return withAssemblies(opts, stderr, (base, next, header) => {
    const result = compareAssemblies(base, next);
    const unknownAllows = applyAllows(result, opts.allows);
    const report = formatReport(result, { header, unknownAllows, reportMode: opts.report });
    stdout.write(report.lines.join('\n') + '\n');
    // What the rollout does to the monthly bill (scripts/cost): informs, never blocks.
    stdout.write(`${costLines(base, next).join('\n')}\n`);
    for (const r of opts.reasons) stdout.write(`allowance (${r.file}): ${r.finding}: ${r.reason}\n`);
    return report.blocking > 0 && !opts.report ? 1 : 0;
  });
}

/**
 * Runs the rollout check on `argv` (the arguments after the command name) and returns its exit code.
 * `io` defaults to this process's streams and environment; only `write(string)` is used on the streams.
 */
export function main(argv, { stdout = process.stdout, stderr = process.stderr, env = process.env } = {}) {
  try {
    return check(argv, { stdout, stderr, env });
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`rollout-check: ${e.message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof SynthError || e instanceof AssemblyError) {
      stderr.write(`rollout-check: ERROR: ${e.message}\n`);
      // Report mode only informs: a base commit that cannot be built yields no report, but is not this
      // change's failure. The working tree failing to synthesize always fails.
      const reportOnly = e.isBase && parseCli(argv, env).report;
      if (reportOnly) stderr.write('rollout-check: report mode (--report): no comparison made, exiting 0\n');
      return reportOnly ? 0 : 2;
    }
    throw e;
  }
}
