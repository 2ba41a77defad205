// The CloudFormation linter gate (README.md beside this file): every stack template of the given cloud assemblies,
// nested ones (a pipeline's stages) included, linted by cfn-lint, AWS's CloudFormation linter, for every region it may
// deploy to. Errors fail the gate; a warning fails it unless allowances.json allows it with a reason; an allowance
// that matches nothing fails it too (a stale excuse hides the next real finding).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Console } from 'node:console';
import { discoverAssembly, mdEscape, table } from '../lib/gate-common.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.join(here, '..', '..');

/** The cfn-lint the gate was written and checked with: older ones know fewer resource types, regions and rules. */
export const CFN_LINT_VERSION = '1.51.0';
export const DEFAULT_ALLOWANCES = path.join(here, 'allowances.json');
/** The regions the loader accepts as primaries with a default recovery region, and those recovery regions. */
export const DEFAULT_REGIONS = path.join(ROOT, 'src', 'Config', 'regions.json');
const MIN_REASON = 20;

/**
 * Rules of cfn-lint 1.51.0 that keep state across the regions of one run (their state is reset per template, not per
 * region): linting for several regions makes them see each resource twice where its schema differs by region, e.g.
 * E3701 reports a pipeline's every output artifact name as "already defined". Their findings come from a run for the
 * template's own region only, made for the templates holding a type they inspect.
 */
export const PER_TEMPLATE_RULES = {
  E3701: ['AWS::CodePipeline::Pipeline'],
  E3060: ['AWS::EC2::Subnet'],
  E3064: ['AWS::EC2::VPCEndpoint'],
  E3022: ['AWS::EC2::SubnetRouteTableAssociation'],
  E3027: ['AWS::Events::Rule'],
};

const HELP = `Usage: node scripts/lint-gate/index.mjs [options] <cloud-assembly-dir ...>

Lints every stack template of the given cloud assemblies (nested assemblies included) with cfn-lint ${CFN_LINT_VERSION}+
for its own region and every region of src/Config/regions.json. Exit 0: no error and every warning allowed;
1: an error, a warning not allowed, an allowance that matched nothing, or a gate error; 2: usage, or no template.

Options:
  --allowances FILE   allowed warnings (default scripts/lint-gate/allowances.json)
  --regions FILE      the checked regions (default src/Config/regions.json)
  --partial           not every variant is linted: an allowance that matches nothing is reported, not failed
  --markdown          the allowances table of docs/compliance.md on stdout (the report goes to stderr)
  --json FILE         the findings as JSON
  -v, --verbose       list allowed findings too
  -h, --help          this text`;

/** "cfn-lint 1.51.0" -> [1, 51, 0]. */
const versionOf = (text) => (/(\d+)\.(\d+)\.(\d+)/.exec(text) ?? []).slice(1).map(Number);
function older(a, b) {
  const i = a.findIndex((x, j) => x !== b[j]);
  return i >= 0 && a[i] < b[i];
}

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, missing: error?.code === 'ENOENT', stdout, stderr });
    });
  });
}

/** The installed cfn-lint's version, or a problem saying what to install. */
export async function checkCfnLint(cfnLint = 'cfn-lint') {
  const r = await run(cfnLint, ['--version']);
  if (r.missing) return { problem: `cfn-lint is not installed: pip install cfn-lint==${CFN_LINT_VERSION} (the gate was written for it)` };
  const version = versionOf(r.stdout + r.stderr);
  if (version.length !== 3) return { problem: `'${cfnLint} --version' printed no version: ${(r.stdout + r.stderr).trim()}` };
  if (older(version, versionOf(CFN_LINT_VERSION))) {
    return { problem: `cfn-lint ${version.join('.')} is older than ${CFN_LINT_VERSION}, the version the gate was written for: pip install cfn-lint==${CFN_LINT_VERSION}` };
  }
  return { version: version.join('.') };
}

/** The allowances file: [{ rule, resource, stack?, message?, reason }]; problems for each malformed entry. */
export function loadAllowances(file) {
  const problems = [];
  let entries;
  try {
    entries = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { allowances: [], problems: [`${file}: ${e.message}`] };
  }
  if (!Array.isArray(entries)) return { allowances: [], problems: [`${file}: expected a JSON array of allowances`] };
  const allowances = [];
  entries.forEach((a, i) => {
    const where = `${path.basename(file)}[${i}]`;
    const known = ['rule', 'resource', 'stack', 'message', 'reason'];
    for (const key of Object.keys(a ?? {})) if (!known.includes(key)) problems.push(`${where}: unknown property '${key}' (allowed: ${known.join(', ')})`);
    if (!/^W\d{4}$/.test(a?.rule ?? '')) {
      problems.push(`${where}: rule '${a?.rule}' is not a warning id (W1234): errors are never allowed, fix them`);
      return;
    }
    if (typeof a.resource !== 'string' || !a.resource) problems.push(`${where}: resource (a regular expression over logical ids) is required`);
    if (typeof a.reason !== 'string' || a.reason.trim().length < MIN_REASON) problems.push(`${where}: a reason of at least ${MIN_REASON} characters is required`);
    const regex = (key) => {
      if (a[key] === undefined) return undefined;
      try {
        return new RegExp(`^(?:${a[key]})$`);
      } catch (e) {
        problems.push(`${where}: ${key} is not a regular expression: ${e.message}`);
        return undefined;
      }
    };
    allowances.push({ ...a, index: i, matched: 0, test: { resource: regex('resource'), stack: regex('stack'), message: a.message === undefined ? undefined : new RegExp(a.message) } });
  });
  return { allowances, problems };
}

/** The region table (src/Config/regions.json): the checked regions, and the types each lacks. */
export function loadRegions(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const checked = [...new Set([...Object.keys(data.recoveryDefaults), ...Object.values(data.recoveryDefaults)])].sort();
  return { checked, missingTypes: data.missingTypes ?? {} };
}

/** Splits items into n lists of about equal total weight (the largest first, each to the lightest list). */
function balance(items, n, weight) {
  const lanes = Array.from({ length: n }, () => ({ load: 0, items: [] }));
  for (const item of [...items].sort((a, b) => weight(b) - weight(a))) {
    const lane = lanes.reduce((a, b) => (b.load < a.load ? b : a));
    lane.items.push(item);
    lane.load += weight(item);
  }
  return lanes.map((l) => l.items).filter((l) => l.length);
}

/** One cfn-lint run over some templates for some regions: its findings, or a problem. */
async function lint(cfnLint, files, regions) {
  const r = await run(cfnLint, ['--format', 'json', '--regions', ...regions, '--', ...files]);
  // Exit codes are a bit field (2 error, 4 warning, 8 informational); 1 (or anything else) means it could not lint.
  if (r.code & 1 || r.code < 0 || r.code > 15) return { problem: `cfn-lint failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.slice(0, 500)}` };
  try {
    return { findings: JSON.parse(r.stdout || '[]') };
  } catch (e) {
    return { problem: `cfn-lint printed no JSON (${e.message}): ${r.stdout.slice(0, 500)}` };
  }
}

const REGION_SUFFIX = / in '([a-z0-9-]+)'$/;

/**
 * Lints every template. Returns { findings: [{ stack, template, resource, rule, level, message, path, regions }],
 * problems }: one finding per (template, rule, path, message) with the regions it was reported for.
 */
export async function lintTemplates(stacks, regionTable, { cfnLint = 'cfn-lint', lanes = os.availableParallelism() } = {}) {
  const problems = [];
  const byFile = new Map(stacks.map((s) => [path.resolve(s.templatePath), s]));
  // A stack's own region, from its environment (aws://account/region); none for an environment-agnostic stack.
  const ownRegion = (stack) => /^aws:\/\/[^/]+\/([a-z]{2}(-[a-z]+)+-\d)$/.exec(stack.env ?? '')?.[1];
  const regionsOf = (stack) => [...new Set([...(ownRegion(stack) ? [ownRegion(stack)] : []), ...regionTable.checked])].sort();
  const typesOf = new Map([...byFile.keys()].map((f) => [f, new Set(Object.values(JSON.parse(fs.readFileSync(f, 'utf8')).Resources ?? {}).map((r) => r?.Type))]));
  // A pipeline stage's stacks are the hand deploy's templates for another account (DeliveryTests proves it): templates
  // equal but for 12-digit account ids, linted for the same regions, are linted once and share the findings.
  const twins = new Map();
  for (const file of byFile.keys()) {
    const key = regionsOf(byFile.get(file)).join(' ') + '\u0000' + createHash('sha256')
      .update(fs.readFileSync(file, 'utf8').replace(/(?<!\d)\d{12}(?!\d)/g, '000000000000')).digest('hex');
    twins.set(key, [...(twins.get(key) ?? []), file]);
  }
  const sameAs = new Map([...twins.values()].flatMap((files) => files.map((f) => [files[0], files])));
  const linted = [...twins.values()].map((files) => files[0]);

  // Pass 1: every template for all its regions, one run per set of regions and lane; the per-template rules dropped.
  // Pass 2: the templates holding a type a per-template rule inspects, for their own region, only those rules kept.
  const jobs = [];
  const groups = new Map();
  for (const file of linted) {
    const key = regionsOf(byFile.get(file)).join(' ');
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  for (const [key, files] of groups) {
    for (const lane of balance(files, lanes, (f) => fs.statSync(f).size)) jobs.push({ files: lane, regions: key.split(' '), keep: (id) => !(id in PER_TEMPLATE_RULES) });
  }
  const perTemplate = linted.filter((f) => Object.values(PER_TEMPLATE_RULES).flat().some((t) => typesOf.get(f).has(t)));
  const ownGroups = new Map();
  for (const file of perTemplate) {
    const region = ownRegion(byFile.get(file)) ?? regionTable.checked[0];
    ownGroups.set(region, [...(ownGroups.get(region) ?? []), file]);
  }
  for (const [region, files] of ownGroups) jobs.push({ files, regions: [region], keep: (id) => id in PER_TEMPLATE_RULES });

  // As many runs at once as lanes (cores): each run is one single-threaded Python process.
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(lanes, jobs.length) }, async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      results.push({ job, ...(await lint(cfnLint, job.files, job.regions)) });
    }
  }));

  const merged = new Map();
  for (const { job, findings, problem } of results) {
    if (problem) {
      problems.push(problem);
      continue;
    }
    for (const f of findings) {
      const rule = f.Rule?.Id;
      if (!job.keep(rule)) continue;
      const regional = REGION_SUFFIX.exec(f.Message);
      const message = f.Message.replace(REGION_SUFFIX, '');
      const locationPath = f.Location?.Path ?? [];
      for (const file of sameAs.get(path.resolve(f.Filename)) ?? [path.resolve(f.Filename)]) {
        const stack = byFile.get(file);
        // A regional finding is one per region, its message naming what that region allows: merged by place alone.
        const key = [file, rule, JSON.stringify(locationPath), regional ? '' : message].join('\u0000');
        const entry = merged.get(key) ?? {
          stack: stack?.name ?? file, template: path.relative(process.cwd(), file), rule, level: f.Level,
          resource: locationPath[0] === 'Resources' ? String(locationPath[1]) : locationPath.join('/'), message, path: locationPath.join('/'), regions: [],
        };
        entry.regions = [...new Set([...entry.regions, ...(regional ? [regional[1]] : job.regions)])].sort();
        merged.set(key, entry);
      }
    }
  }
  return { findings: [...merged.values()], problems, regionsLinted: [...new Set(jobs.flatMap((j) => j.regions))].sort(), jobs: jobs.length, linted: linted.length };
}

const MISSING_TYPE = /^Resource type '([^']+)' does not exist$/;

/**
 * The region table (src/Config/regions.json, missingTypes) against the linter. An E3006 "type T does not exist in R"
 * where the table lists T for R is expected: the app handles it there (the loader refuses a pipeline, an environment gets
 * no budget; C# tests check each listed type is one the app handles). One it does not list is an error. An entry the
 * linter no longer confirms, though a linted template holds the type, is a gate error: the app would refuse or omit
 * something for nothing.
 */
export function checkRegionTable(findings, stacks, missingTypes) {
  const typesLinted = new Set(stacks.flatMap((s) => Object.values(JSON.parse(fs.readFileSync(s.templatePath, 'utf8')).Resources ?? {}).map((r) => r?.Type)));
  const confirmed = new Set();
  const expected = [];
  const remaining = [];
  for (const f of findings) {
    const type = f.rule === 'E3006' ? MISSING_TYPE.exec(f.message)?.[1] : undefined;
    const listed = type ? f.regions.filter((r) => missingTypes[r]?.includes(type)) : [];
    for (const r of listed) confirmed.add(`${r} ${type}`);
    if (listed.length) expected.push({ ...f, regions: listed });
    const rest = f.regions.filter((r) => !listed.includes(r));
    if (rest.length) remaining.push({ ...f, regions: rest });
  }
  const problems = Object.entries(missingTypes).flatMap(([region, types]) => types
    .filter((t) => typesLinted.has(t) && !confirmed.has(`${region} ${t}`))
    .map((t) => `src/Config/regions.json says ${region} lacks ${t}, but the linter finds it there: remove it from missingTypes, ` +
      'or the app goes on refusing or leaving out something that region has'));
  return { findings: remaining, problems, expected };
}

/** Marks each finding allowed by the first allowance that matches it. */
export function applyAllowances(findings, allowances) {
  for (const f of findings) {
    const a = allowances.find((x) => x.rule === f.rule && x.test.resource?.test(f.resource)
      && (!x.test.stack || x.test.stack.test(f.stack)) && (!x.test.message || x.test.message.test(f.message)));
    if (a) {
      a.matched += 1;
      f.allowedBy = a.index;
    }
  }
  return findings;
}

export async function main(argv, { stdout = process.stdout, stderr = process.stderr, cfnLint = 'cfn-lint', lanes } = {}) {
  const print = new Console({ stdout, stderr });
  let opts;
  try {
    opts = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        allowances: { type: 'string', default: DEFAULT_ALLOWANCES },
        regions: { type: 'string', default: DEFAULT_REGIONS },
        partial: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        json: { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    print.error(`lint-gate: ${e.message}\n\n${HELP}`);
    return 2;
  }
  const o = opts.values;
  if (o.help) {
    print.log(HELP);
    return 0;
  }
  const log = o.markdown ? (t) => print.error(t) : (t) => print.log(t);
  const problems = [];

  const { allowances, problems: allowanceProblems } = loadAllowances(o.allowances);
  problems.push(...allowanceProblems);
  if (o.markdown) {
    print.log(['| Rule | Resource (logical id) | Stack | Reason |', '|---|---|---|---|',
      ...allowances.map((a) => `| ${a.rule} | \`${mdEscape(a.resource)}\` | ${a.stack ? `\`${mdEscape(a.stack)}\`` : 'any'} | ${mdEscape(a.reason)} |`)].join('\n'));
  }

  const dirs = opts.positionals.length ? opts.positionals : ['cdk.out'];
  const stacks = [];
  const seen = new Set();
  for (const dir of dirs) {
    const found = discoverAssembly(dir, '', seen);
    problems.push(...found.problems.filter(() => !found.stacks.length));
    stacks.push(...found.stacks);
  }
  if (!stacks.length) {
    print.error(`lint-gate: no stack template in ${dirs.join(', ')}${problems.length ? `: ${problems.join('; ')}` : ''}: a gate that lints nothing never passes`);
    return 2;
  }

  const cfn = await checkCfnLint(cfnLint);
  if (cfn.problem) {
    print.error(`lint-gate: ${cfn.problem}`);
    return 1;
  }
  const regionTable = loadRegions(o.regions);
  const linted = await lintTemplates(stacks, regionTable, { cfnLint, lanes: lanes ?? os.availableParallelism() });
  problems.push(...linted.problems);
  const regionCheck = checkRegionTable(linted.findings, stacks, regionTable.missingTypes);
  problems.push(...regionCheck.problems);
  const findings = applyAllowances(regionCheck.findings, allowances);

  const errors = findings.filter((f) => f.level === 'Error');
  const unallowed = findings.filter((f) => f.level !== 'Error' && f.allowedBy === undefined);
  const allowed = findings.filter((f) => f.allowedBy !== undefined);
  const unused = allowances.filter((a) => a.matched === 0);
  const row = (f) => [f.stack, f.resource, f.rule, f.regions.length === linted.regionsLinted.length ? 'all' : f.regions.join(' '), f.message];
  const headers = ['Stack', 'Resource', 'Rule', 'Regions', 'Message'];

  log(`cfn-lint ${cfn.version}: ${stacks.length} templates (${linted.linted} distinct but for account ids), each for the ${regionTable.checked.length} ` +
    `regions of src/Config/regions.json and its own, in ${linted.jobs} runs`);
  if (errors.length) log(`\nErrors (${errors.length}): CloudFormation would refuse these templates\n\n${table(headers, errors.map(row))}`);
  if (unallowed.length) log(`\nWarnings not allowed (${unallowed.length}): fix them, or allow one in scripts/lint-gate/allowances.json with a reason\n\n${table(headers, unallowed.map(row))}`);
  if (o.verbose && allowed.length) log(`\nAllowed warnings (${allowed.length})\n\n${table(headers, allowed.map(row))}`);
  if (regionCheck.expected.length) {
    const gaps = new Map();
    for (const f of regionCheck.expected) {
      const type = MISSING_TYPE.exec(f.message)[1];
      gaps.set(type, [...new Set([...(gaps.get(type) ?? []), ...f.regions])].sort());
    }
    log(`\nRegion table confirmed (src/Config/regions.json; the app refuses or leaves these out there): ${[...gaps]
      .map(([type, regions]) => `${type} missing in ${regions.join(' ')}`).join('; ')}`);
  }
  if (unused.length) {
    log(`\nAllowances that matched nothing (${unused.length})${o.partial ? ' in this partial run' : ': remove them, a stale excuse hides the next real finding'}\n\n` +
      table(['#', 'Rule', 'Resource', 'Reason'], unused.map((a) => [a.index, a.rule, a.resource, a.reason])));
    if (!o.partial) problems.push(`${unused.length} allowance(s) matched nothing`);
  }
  for (const p of problems) log(`lint-gate: ERROR: ${p}`);

  if (o.json) {
    fs.writeFileSync(o.json, JSON.stringify({
      version: cfn.version, regions: linted.regionsLinted, templates: stacks.map((s) => s.name),
      errors, warnings: unallowed, allowed, unused: unused.map(({ test, ...a }) => a), problems, regionTable: regionCheck.expected,
    }, null, 2));
  }
  const failed = errors.length || unallowed.length || problems.length;
  log(`\nlint-gate: ${failed ? 'FAILED' : 'passed'}: ${errors.length} error(s), ${unallowed.length} warning(s) not allowed, ` +
    `${allowed.length} allowed by ${allowances.length - unused.length} of ${allowances.length} allowance(s)${problems.length ? `, ${problems.length} gate error(s)` : ''}`);
  return failed ? 1 : 0;
}
