#!/usr/bin/env node
// What an environment costs, offline, on its synthesized cloud assembly (the synth cache the gates read).
// `main(argv, io)` is the whole command; the tests call it in-process. See README.md beside this file.
//
//   npm run cost -- -c environmentSuffix=prod [--json | --markdown] [--usage FILE] [--set key=value ...]
//   npm run cost -- --assembly <cdk.out> [...]          # an assembly you synthesized yourself
//   npm run cost -- --write-generated                   # docs/cost.md and src/Config/CostEstimates.Generated.cs
//
// Exit codes: 0 a complete estimate; 1 a resource the price table neither prices nor lists as free ("not priced");
// 2 a usage error, a region the table lacks, an unreadable assembly or an app that does not synthesize.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { estimate, kindOf, CostError } from './estimate.mjs';
import { summarize, formatText, formatMarkdown, toJson } from './format.mjs';
import { resolveUsage, UsageError } from './usage.mjs';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const PRICES = path.join(here, 'prices.json');
export const USAGE = path.join(REPO, 'cost-usage.json');
export const DURATIONS = path.join(here, 'function-duration.json');
export const DOC = path.join(REPO, 'docs', 'cost.md');
export const GENERATED_CS = path.join(REPO, 'src', 'Config', 'CostEstimates.Generated.cs');
/** The presets docs/cost.md and the budgets are generated for: one environment of each kind. */
export const DOC_PRESETS = ['dev', 'pr-7', 'staging', 'prod'];
/** Budget limit = estimate x (1 + margin), rounded up to the next $10 so that small changes keep the same limit. */
export const BUDGET_MARGIN = 0.25;

const HELP = `Usage: npm run cost -- [-c key=value ...] [options]
       npm run cost -- --assembly <cloud assembly dir> [options]
       npm run cost -- --write-generated

What an environment costs a month, offline, from its synthesized templates: fixed cost per layer and per resource
type (at minimum capacity), the price of one batch of trades and the month at the traffic assumption
(cost-usage.json), from the dated price table scripts/cost/prices.json.

Options:
  -c, --context key=value   CDK context of the environment (e.g. -c environmentSuffix=prod; default: cdk.json's)
  --assembly DIR            price this cloud assembly instead of the synth cache's
  --usage FILE              lay FILE over cost-usage.json (its blocks, or plain usage keys)
  --set key=value           one usage key (e.g. --set batchesPerDay=50000), after --usage
  --prices FILE             another price table (default scripts/cost/prices.json)
  --json | --markdown       for tools, for docs (default: a table for people)
  --write-generated         regenerate docs/cost.md and the budgets' limits (src/Config/CostEstimates.Generated.cs)
  -h, --help

Exit: 0 complete estimate, 1 a resource not priced, 2 usage, region or synth error.
`;

export class CliError extends Error {}
class ArgError extends Error {}

export function loadPrices(file = PRICES) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read the price table ${file}: ${e.message}`);
  }
}

/** The top-level stacks of a cloud assembly: [{ name, region, account, template }]. Stages are not followed. */
export function loadStacks(dir) {
  const { CloudAssembly } = require('aws-cdk-lib/cx-api');
  let assembly;
  try {
    assembly = new CloudAssembly(dir, { topoSort: false });
  } catch (e) {
    throw new CliError(`cannot read cloud assembly ${dir}: ${e.message}`);
  }
  return assembly.stacks.map((a) => ({ name: a.stackName, region: a.environment.region, account: a.environment.account, template: a.template }));
}

/** The environment suffix and usage kind of an assembly's stacks (TradingPlatform-<suffix>-<Layer>, or Delivery). */
export function environmentOf(stacks) {
  if (stacks.some((s) => s.name === 'TradingPlatform-Delivery')) return { suffix: 'delivery', kind: 'delivery' };
  const m = stacks.map((s) => /^TradingPlatform-(.+)-(Security|Network|Recovery|Data|Api)$/.exec(s.name)).find(Boolean);
  const suffix = m ? m[1] : 'dev';
  return { suffix, kind: kindOf(suffix) };
}

/** The working tree's assembly for a -c context, from the synth cache (a preset alone shares the tests' assembly). */
async function synthesize(context, stderr) {
  const { ensureAssemblies } = await import('../synth-cache.mjs');
  const variant = Object.fromEntries(context.map((c) => [c.slice(0, c.indexOf('=')), c.slice(c.indexOf('=') + 1)]));
  variant.environmentSuffix ??= JSON.parse(fs.readFileSync(path.join(REPO, 'cdk.json'), 'utf8')).context?.environmentSuffix;
  const name = Object.keys(variant).length === 1
    ? variant.environmentSuffix
    : `cost-${crypto.createHash('sha256').update(JSON.stringify(Object.entries(variant).sort())).digest('hex').slice(0, 12)}`;
  try {
    const dirs = await ensureAssemblies({ [name]: variant }, { log: (l) => stderr.write(`cost: synth-cache: ${l}\n`) });
    return dirs[name];
  } catch (e) {
    throw new CliError(`the app did not synthesize: ${e.message}`);
  }
}

/** Prices one assembly's stacks; returns the summary (format.mjs) with everything the formats print. */
export function estimateStacks(stacks, { prices, pricesFile = PRICES, usageFile = USAGE, overrideFile, sets = [] } = {}) {
  const { suffix, kind } = environmentOf(stacks);
  const usage = resolveUsage({ file: usageFile, kind, overrideFile, sets });
  const durations = JSON.parse(fs.readFileSync(DURATIONS, 'utf8'));
  const result = estimate(stacks, { prices, usage: usage.values, durations });
  const regions = [...new Set(stacks.map((s) => s.region))];
  const title = kind === 'delivery' ? 'the delivery pipeline (TradingPlatform-Delivery; its stages are the environments, priced on their own)' : `${suffix} (TradingPlatform-${suffix}-*, ${kind === 'ephemeral' ? 'an ephemeral pr-N' : kind} preset)`;
  return summarize(result, {
    title, suffix, kind, regions, asOf: prices.asOf, pricesFile: path.relative(REPO, pricesFile),
    usage: usage.values, usageSources: usage.sources.map((s) => (path.isAbsolute(s) ? path.relative(REPO, s) : s)),
    functionDurationMs: result.functionDurationMs, durationSource: `${path.relative(REPO, DURATIONS)} (bench/README.md handler medians) + storageWaitMsPerBatch`,
  });
}

// ---- generated files: docs/cost.md and the budgets' limits ----

/** Budget limit in whole dollars: the estimate with the margin, rounded up to the next $10. */
export const budgetLimit = (monthlyUsd) => Math.ceil((monthlyUsd * (1 + BUDGET_MARGIN)) / 10) * 10;

/** docs/cost.md from the summaries of DOC_PRESETS ({ suffix: summary }). */
export function docText(summaries, prices) {
  const rows = DOC_PRESETS.map((p) => summaries[p]);
  const out = [
    '# What an environment costs',
    '',
    '[Back to the README](../README.md)',
    '',
    '<!-- Generated by `npm run cost -- --write-generated` from the synthesized presets; a test fails when it is stale. Edit scripts/cost/, not this file. -->',
    '',
    `Estimates of \`npm run cost\` for one environment of each kind, at list prices of ${prices.asOf} (\`scripts/cost/prices.json\`,`,
    'each price with its unit and public source), USD a month of 730 hours, no free tier. **Fixed** is what the environment costs',
    'whatever its traffic, at minimum capacity; **traffic** is batches of trades (POST /data) at the assumption of',
    '`cost-usage.json`; **usage** is data held and monthly activity (configuration items, backups, releases).',
    'How the tool works, the usage keys and how to add a price: [scripts/cost/README.md](../scripts/cost/README.md).',
    '',
    '| environment | fixed | traffic | usage | a month | a day | budget limit | dominated by |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows.map((s) => `| ${s.meta.suffix} | ${fmt(s.totals.fixed)} | ${fmt(s.totals.batch)} | ${fmt(s.totals.usage)} | **${fmt(s.totals.total)}** | ${fmt(s.totals.total / (730 / 24))} | $${budgetLimit(s.totals.total)} | ${s.dominant.slice(0, 2).map((d) => d.type).join(', ')} |`),
    '',
    `Budget limit: the month's estimate plus ${BUDGET_MARGIN * 100}%, rounded up to the next $10 ([the budget](#the-budget-per-environment)).`,
    '',
    ...rows.flatMap((s) => formatMarkdown(s, { level: 2 }).split('\n')),
    ...fs.readFileSync(path.join(here, 'cost-doc-tail.md'), 'utf8').trimEnd().split('\n'),
    '',
  ];
  return out.join('\n');
}
const fmt = (x) => `$${x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** src/Config/CostEstimates.Generated.cs: each kind's estimate and budget limit, read by the budget at synth time. */
export function generatedSource(summaries, prices) {
  const kinds = { dev: 'Dev', 'pr-7': 'Ephemeral', staging: 'Staging', prod: 'Prod' };
  const line = (p, f) => `        [EnvironmentKind.${kinds[p]}] = ${f(summaries[p])},`;
  return [
    '// <auto-generated>',
    '// Written by `npm run cost -- --write-generated` (scripts/cost/index.mjs) from the estimates of docs/cost.md; do not edit.',
    '// A test (scripts/cost/test) fails when these figures no longer match what the tool computes for the presets.',
    '// </auto-generated>',
    'namespace TradingPlatform.Config;',
    '',
    'public static partial class CostEstimates',
    '{',
    `    /// <summary>The date of the price table the estimates used.</summary>`,
    `    public const string PricesAsOf = "${prices.asOf}";`,
    '',
    `    /// <summary>Share added to an estimate for the budget's limit (traffic above the assumption, prices that moved).</summary>`,
    `    public const double BudgetMargin = ${BUDGET_MARGIN};`,
    '',
    '    /// <summary>`npm run cost` of each kind\'s preset (dev, pr-7, staging, prod): USD a month at cost-usage.json\'s traffic.</summary>',
    '    public static readonly IReadOnlyDictionary<EnvironmentKind, double> MonthlyUsd = new Dictionary<EnvironmentKind, double>',
    '    {',
    ...DOC_PRESETS.map((p) => line(p, (s) => s.totals.total.toFixed(2))),
    '    };',
    '',
    '    /// <summary>The budget limit of each kind: the estimate plus the margin, rounded up to the next $10.</summary>',
    '    public static readonly IReadOnlyDictionary<EnvironmentKind, int> BudgetLimitUsd = new Dictionary<EnvironmentKind, int>',
    '    {',
    ...DOC_PRESETS.map((p) => line(p, (s) => String(budgetLimit(s.totals.total)))),
    '    };',
    '}',
    '',
  ].join('\n');
}

/** The summaries of DOC_PRESETS from `assemblies` ({ suffix: dir }) or the synth cache. */
export async function presetSummaries({ assemblies, prices, stderr }) {
  let dirs = assemblies;
  if (!dirs) {
    const { ensureAssemblies, preset } = await import('../synth-cache.mjs');
    dirs = await ensureAssemblies(Object.fromEntries(DOC_PRESETS.map((p) => [p, preset(p)])), { log: (l) => stderr.write(`cost: synth-cache: ${l}\n`) });
  }
  return Object.fromEntries(DOC_PRESETS.map((p) => {
    if (!dirs[p]) throw new CliError(`no assembly of ${p} given`);
    return [p, estimateStacks(loadStacks(dirs[p]), { prices })];
  }));
}

function parseCli(argv) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        context: { type: 'string', short: 'c', multiple: true, default: [] },
        assembly: { type: 'string' },
        usage: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        prices: { type: 'string' },
        json: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        'write-generated': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    for (const c of values.context) if (!/^[^=]+=/.test(c)) throw new CliError(`-c expects key=value, got '${c}'`);
    if (values.json && values.markdown) throw new CliError('give --json or --markdown, not both');
    if (values.assembly && values.context.length) throw new CliError('give --assembly or -c context, not both');
    return values;
  } catch (e) {
    throw new ArgError(e.message);
  }
}

async function run(argv, { stdout, stderr }) {
  const opts = parseCli(argv);
  if (opts.help) {
    stdout.write(HELP);
    return 0;
  }
  const pricesFile = opts.prices ? path.resolve(opts.prices) : PRICES;
  const prices = loadPrices(pricesFile);
  if (opts['write-generated']) {
    const summaries = await presetSummaries({ prices, stderr });
    const incomplete = DOC_PRESETS.filter((p) => summaries[p].notPriced.length);
    if (incomplete.length) throw new CliError(`not generated: ${incomplete.join(', ')} have resources not priced (run npm run cost for each)`);
    fs.writeFileSync(DOC, docText(summaries, prices));
    fs.writeFileSync(GENERATED_CS, generatedSource(summaries, prices));
    stdout.write(`wrote ${path.relative(REPO, DOC)} and ${path.relative(REPO, GENERATED_CS)}\n`);
    return 0;
  }
  const dir = opts.assembly ? path.resolve(opts.assembly) : await synthesize(opts.context, stderr);
  const summary = estimateStacks(loadStacks(dir), {
    prices, pricesFile, overrideFile: opts.usage && path.resolve(opts.usage), sets: opts.set,
  });
  if (opts.json) stdout.write(`${JSON.stringify(toJson(summary), null, 2)}\n`);
  else if (opts.markdown) stdout.write(`${formatMarkdown(summary)}\n`);
  else stdout.write(`${formatText(summary)}\n`);
  if (summary.notPriced.length) {
    stderr.write(`cost: ${summary.notPriced.length} resource(s) not priced (${[...new Set(summary.notPriced.map((n) => n.type))].join(', ')}): price them in scripts/cost/prices.json and estimate.mjs, or list them as free with the reason\n`);
    return 1;
  }
  return 0;
}

/** Runs the command on `argv`; resolves to its exit code. */
export async function main(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
  try {
    return await run(argv, { stdout, stderr });
  } catch (e) {
    if (e instanceof ArgError) {
      stderr.write(`cost: ${e.message}\n\n${HELP}`);
      return 2;
    }
    if (e instanceof UsageError) {
      stderr.write(`cost: usage assumption: ${e.message}\n`);
      return 2;
    }
    if (e instanceof CostError || e instanceof CliError) {
      stderr.write(`cost: ERROR: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
