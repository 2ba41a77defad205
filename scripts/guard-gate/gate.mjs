// AWS Control Tower proactive-control gate for synthesized CloudFormation templates.
//
// Usage: node scripts/guard-gate/index.mjs [options] [cloud-assembly-dir ...]   (default dir: cdk.out)
// main(argv, io) below is the whole command: index.mjs is the CLI that calls it, the tests call it in-process.
//
// Runs cfn-guard (the binary shipped by the npm package @cdklabs/cdk-validator-cfnguard) with every
// Control Tower rule that package ships over every stack template of each cloud assembly
// (manifest.json artifacts of type aws:cloudformation:stack, nested cloud assemblies and CDK
// nested-stack templates), offline.
//
// Suppressions live in each resource's CloudFormation Metadata, in cfn-guard's convention plus a
// reason per rule (cfn-guard has no reason field; the gate requires one):
//   "Metadata": { "guard": {
//       "SuppressedRules": ["s3_event_notifications_enabled_check"],
//       "SuppressionReasons": { "s3_event_notifications_enabled_check": "why this does not apply ..." } } }
// A rule may be named by its guard rule name (as above) or its Control Tower id ("CT.S3.PR.4").
// The Control Tower rules do not filter on that metadata themselves, so the gate applies it to the
// findings cfn-guard reports (see README.md).
//
// Exit codes: 0 = no unsuppressed finding, 1 = unsuppressed findings or gate errors (invalid
// suppression, cfn-guard failure, unreadable template), 2 = usage error / no stacks found.

import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { discoverAssembly, nestedStacksOf, startGate, table, mdEscape } from '../lib/gate-common.mjs';

const require = createRequire(import.meta.url);

const GATE = 'GuardGate';
const DEFAULT_MIN_REASON = 20;
const GUARD_OK = 0;
const GUARD_NON_COMPLIANT = 19;

const HELP = `Usage: node scripts/guard-gate/index.mjs [options] [cloud-assembly-dir ...]

Runs cfn-guard with the AWS Control Tower proactive-control rules (from @cdklabs/cdk-validator-cfnguard)
on every stack template of the given cloud assemblies (default: cdk.out).
Exit 0 = pass, 1 = unsuppressed findings or gate errors, 2 = no stacks / usage.

Options:
  --top-level            only each assembly's own stacks, not those of nested assemblies (a pipeline's stages)
  --all-rules            every rule file on every template, also those naming none of its types (same findings)
  --verbose              also list suppressed findings
  --suppressions         print the suppressions in effect (stack, logical id, rule, reason)
  --markdown             print a Markdown table of suppressions on stdout (report goes to stderr)
  --min-reason-length N  minimum suppression reason length (default ${DEFAULT_MIN_REASON})
  --json FILE            also write the full result as JSON to FILE
  -h, --help             show this help
`;

// ---------------------------------------------------------------------------------------------
// cfn-guard and the Control Tower rules from the npm package
// ---------------------------------------------------------------------------------------------

function locateGuard(rulesOverride) {
  const pkgJson = require.resolve('@cdklabs/cdk-validator-cfnguard/package.json');
  const root = path.dirname(pkgJson);
  const platform = { linux: 'ubuntu', darwin: 'macos' }[os.platform()];
  const arch = { x64: 'x86_64', arm64: 'aarch64' }[os.arch()];
  if (!platform || !arch) throw new Error(`no cfn-guard binary for ${os.platform()}/${os.arch()}`);
  const binary = path.join(root, 'bin', platform, arch, 'cfn-guard');
  const rulesDir = rulesOverride ?? path.join(root, 'rules', 'control-tower', 'cfn-guard');
  if (!fs.existsSync(binary)) throw new Error(`${binary} not found`);
  if (!fs.existsSync(rulesDir)) throw new Error(`${rulesDir} not found`);
  const versions = {
    '@cdklabs/cdk-validator-cfnguard': JSON.parse(fs.readFileSync(pkgJson, 'utf8')).version,
    'cfn-guard': (spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout ?? '').trim().replace(/^cfn-guard\s*/, ''),
  };
  return { binary, rulesDir, versions };
}

/** Every .guard file under dir: { ruleName -> controlId } and { controlId -> ruleName }. */
export function loadCatalog(rulesDir) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.guard')) files.push(p);
    }
  };
  walk(rulesDir);
  files.sort();
  const controlOf = new Map();
  const ruleOf = new Map();
  const typesOf = new Map();
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    typesOf.set(f, [...new Set([...text.matchAll(RESOURCE_TYPE)].map((m) => m[1]))]);
    const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1];
    for (const m of text.matchAll(/^rule\s+(\w+)\s+when\s+is_cfn_template/gm)) {
      controlOf.set(m[1], control ?? m[1]);
      if (control) ruleOf.set(control, m[1]);
    }
  }
  return { files, controlOf, ruleOf, typesOf };
}

// A CloudFormation resource type as the Control Tower rules write it ("AWS::S3::Bucket", in either quote).
const RESOURCE_TYPE = /["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']/g;

/**
 * The rule files that can report on a template holding resources of `presentTypes`. Every Control Tower rule selects
 * what it checks by resource type (`Resources.*[ Type == %X ]` with X a type its file names) and skips a template
 * without any (cfn-guard: not applicable), so a file none of whose types is present can find nothing; cfn-guard
 * spends most of its time evaluating rules (about 2.5 s of CPU per template with all 237), so they are left out. A
 * file that names no type at all is always run.
 */
export function applicableRuleFiles(catalog, presentTypes) {
  return catalog.files.filter((f) => {
    const types = catalog.typesOf.get(f) ?? [];
    return types.length === 0 || types.some((t) => presentTypes.has(t));
  });
}

/**
 * Runs cfn-guard with the given rule files over the given templates; resolves to { results: [guard JSON per
 * template] } or { error }. One process for all the templates (the rules are parsed once).
 */
function runGuard(guard, ruleFiles, templatePaths) {
  const args = ['validate', ...ruleFiles.flatMap((r) => ['--rules', r]),
    ...templatePaths.flatMap((t) => ['--data', t]),
    '--output-format', 'json', '--structured', '--show-summary', 'none'];
  return new Promise((resolve) => {
    const out = [];
    const errOut = [];
    let child;
    try {
      child = spawn(guard.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ error: `cfn-guard could not run: ${e.message}` });
      return;
    }
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => errOut.push(d));
    child.on('error', (e) => resolve({ error: `cfn-guard could not run: ${e.message}` }));
    child.on('close', (status) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (status !== GUARD_OK && status !== GUARD_NON_COMPLIANT) {
        resolve({ error: `cfn-guard exited ${status}: ${(Buffer.concat(errOut).toString('utf8') || stdout).trim().slice(0, 2000)}` });
        return;
      }
      try {
        const parsed = JSON.parse(stdout);
        resolve({ results: Array.isArray(parsed) ? parsed : [parsed] });
      } catch (e) {
        resolve({ error: `cfn-guard output is not JSON: ${e.message}` });
      }
    });
  });
}

/**
 * The findings of one template's guard result: one per (rule, resource). The resource is every
 * /Resources/<id> path the failing checks traversed (a rule lists the failing resources only).
 */
function findingsOf(guardResult, catalog) {
  const out = [];
  for (const nc of guardResult.not_compliant ?? []) {
    const rule = nc?.Rule?.name ?? '(unknown rule)';
    const ids = [];
    const messages = [];
    const walk = (v) => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      for (const [k, x] of Object.entries(v)) {
        if (k === 'path' && typeof x === 'string') {
          const m = /^\/Resources\/([^/]+)/.exec(x);
          if (m && !ids.includes(m[1])) ids.push(m[1]);
        } else if (k === 'custom_message' && typeof x === 'string' && x.trim()) {
          messages.push(x);
        }
        walk(x);
      }
    };
    walk(nc);
    const text = messages.find((m) => /\[CT\./.test(m)) ?? messages[0] ?? '';
    const control = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1] ?? catalog.controlOf.get(rule) ?? rule;
    const title = /\[CT\.[^\]]+\]:\s*(.*)/.exec(text)?.[1]?.trim() ?? text.trim().split('\n')[0];
    const fix = /\[FIX\]:\s*(.*)/.exec(text)?.[1]?.trim();
    // A failure that names no resource cannot be suppressed per resource: it stays a finding.
    for (const logicalId of ids.length ? ids : ['(template)']) {
      out.push({ logicalId, rule, control, message: title, fix });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Cloud assembly discovery (same shape as scripts/nag-gate)
// ---------------------------------------------------------------------------------------------
// Suppressions
// ---------------------------------------------------------------------------------------------

function extractSuppressions(template, stack, catalog, minReason) {
  const suppressions = [];
  const gateErrors = [];
  const gateError = (logicalId, id, message) =>
    gateErrors.push({ stack: stack.name, logicalId, rule: `${GATE}-${id}`, control: GATE, message });

  if (template.Metadata?.guard !== undefined) {
    gateError('(template)', 'StackLevelSuppression', 'template-level Metadata.guard suppressions are not allowed; suppress per resource');
  }
  for (const [logicalId, res] of Object.entries(template.Resources ?? {})) {
    const guard = res?.Metadata?.guard;
    if (guard === undefined) continue;
    const rules = guard?.SuppressedRules;
    const reasons = guard?.SuppressionReasons ?? {};
    if (!Array.isArray(rules) || rules.some((r) => typeof r !== 'string' || !r.trim())) {
      gateError(logicalId, 'InvalidSuppression', 'Metadata.guard.SuppressedRules must be a list of rule names');
      continue;
    }
    if (typeof reasons !== 'object' || Array.isArray(reasons)) {
      gateError(logicalId, 'InvalidSuppression', 'Metadata.guard.SuppressionReasons must map each suppressed rule to its reason');
      continue;
    }
    for (const raw of rules) {
      const id = raw.trim();
      const rule = catalog.controlOf.has(id) ? id : catalog.ruleOf.get(id);
      if (!rule) {
        gateError(logicalId, 'UnknownRule', `suppressed rule ${id} is neither a Control Tower rule name nor a control id`);
        continue;
      }
      const reasonRaw = reasons[raw] ?? reasons[id] ?? reasons[rule] ?? reasons[catalog.controlOf.get(rule)];
      const reason = typeof reasonRaw === 'string' ? reasonRaw.trim() : '';
      if (reason.length < minReason) {
        gateError(logicalId, reason ? 'ShortReason' : 'MissingReason',
          `suppression of ${id} needs a specific reason of at least ${minReason} characters in Metadata.guard.SuppressionReasons` +
          `${reason ? ` (got ${JSON.stringify(reason)})` : ''}; it is ignored`);
        continue;
      }
      suppressions.push({
        stack: stack.name, assemblyDir: stack.assemblyDir, logicalId, cdkPath: res.Metadata?.['aws:cdk:path'],
        rule, control: catalog.controlOf.get(rule), reason, matched: 0,
      });
    }
  }
  return { suppressions, gateErrors };
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------



/** The layer is the last dash-separated part of the stack name ("App-prod-Data" -> "Data"). */
const layerOf = (stackName) => stackName.replace(/^.*:/, '').split('/')[0].split('-').pop();

/** The construct path without the stack: stable across presets, unlike some logical ids. */
const resourceOf = (s) => (s.cdkPath ? s.cdkPath.split('/').slice(1).join('/').replace(/\/Resource$/, '') : s.logicalId);

/** One row per (layer, resource, rule, reason) across all assemblies, noting where it applies if not everywhere. */
function markdownSuppressions(suppressions, assemblies) {
  const rows = new Map();
  for (const s of suppressions) {
    const key = JSON.stringify([layerOf(s.stack), resourceOf(s), s.control, s.reason]);
    if (!rows.has(key)) rows.set(key, { s, where: new Set() });
    rows.get(key).where.add(path.basename(s.assemblyDir));
  }
  const lines = ['| Layer | Resource | Control Tower rule | Reason |', '| --- | --- | --- | --- |'];
  // Layers in deployment order (first seen), then each resource's rows together, in the order found.
  const layers = [...new Set(suppressions.map((s) => layerOf(s.stack)))];
  const resources = [...new Set(suppressions.map((s) => resourceOf(s)))];
  const sorted = [...rows.values()].map((r, i) => ({ ...r, i })).sort((a, b) =>
    layers.indexOf(layerOf(a.s.stack)) - layers.indexOf(layerOf(b.s.stack))
    || resources.indexOf(resourceOf(a.s)) - resources.indexOf(resourceOf(b.s))
    || a.i - b.i);
  for (const { s, where } of sorted) {
    const only = assemblies.length > 1 && where.size < assemblies.length ? ` (only in ${[...where].sort().join(', ')})` : '';
    lines.push(`| ${mdEscape(layerOf(s.stack))} | ${mdEscape(resourceOf(s))} | \`${mdEscape(s.control)}\` | ${mdEscape(s.reason + only)} |`);
  }
  if (rows.size === 0) lines.push('| _none_ | | | |');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

/**
 * Runs the gate on `argv` (the arguments after the command name) and resolves to its exit code. `io` defaults
 * to this process's streams; any Writable streams will do. `rulesDir` (tests only, not a command-line option:
 * the gate always starts from every Control Tower rule) replaces the package's rules folder with a subset of it.
 */
export async function main(argv, { stdout = process.stdout, stderr = process.stderr, rulesDir } = {}) {
  const started = startGate('guard-gate', argv, { stdout, stderr }, HELP, DEFAULT_MIN_REASON, ['all-rules']);
  if ('exit' in started) return started.exit;
  const { out, err, log, opts } = started;

  // 1. Discover stacks. Every given assembly must contain stacks: an empty gate never passes.
  const stacksByDir = [];
  let empty = false;
  for (const dir of opts.dirs) {
    const { stacks, problems } = discoverAssembly(dir, '', new Set(), { nested: !opts.topLevel });
    if (stacks.length === 0) {
      empty = true;
      err(`guard-gate: ERROR: no CloudFormation stacks found in cloud assembly '${dir}'` +
        `${problems.length ? ` (${problems.join('; ')})` : ' (manifest.json has no aws:cloudformation:stack artifacts)'}.` +
        ' Run the synth first; an empty gate never passes.');
      continue;
    }
    for (const p of problems) log(`guard-gate: warning: ${p}`);
    const prefix = opts.dirs.length > 1 ? `${dir}:` : '';
    stacksByDir.push({ dir, stacks: stacks.map((s) => ({ ...s, name: prefix + s.name })) });
  }
  if (empty || stacksByDir.length === 0) return 2;

  let guard;
  let catalog;
  try {
    guard = locateGuard(rulesDir);
    catalog = loadCatalog(guard.rulesDir);
    if (catalog.controlOf.size === 0) throw new Error(`no Control Tower rules found in ${guard.rulesDir}`);
  } catch (e) {
    err(`guard-gate: ERROR: cannot use @cdklabs/cdk-validator-cfnguard (run npm ci): ${e.message}`);
    return 2;
  }

  // 2. Read templates (and nested-stack templates), collect suppressions, run cfn-guard once over all of them.
  const t0 = Date.now();
  const findings = [];
  const gateErrors = [];
  const suppressions = [];
  const checked = [];
  for (const { stacks } of stacksByDir) {
    const queue = [...stacks];
    while (queue.length) {
      const stack = queue.shift();
      const gateError = (message) => gateErrors.push({ stack: stack.name, logicalId: '(template)', rule: `${GATE}-TemplateUnreadable`, control: GATE, message });
      if (!stack.templatePath || !fs.existsSync(stack.templatePath)) {
        gateError(`template ${stack.templatePath ?? '(none in manifest)'} not found`);
        continue;
      }
      let template;
      try {
        template = JSON.parse(fs.readFileSync(stack.templatePath, 'utf8'));
      } catch (e) {
        gateError(`template is not valid JSON: ${e.message}`);
        continue;
      }
      for (const n of nestedStacksOf(stack, template)) {
        if (n.unresolved) gateError(`nested stack ${n.logicalId} has no local template to check`);
        else queue.push(n);
      }
      const s = extractSuppressions(template, stack, catalog, opts.minReason);
      suppressions.push(...s.suppressions);
      gateErrors.push(...s.gateErrors);
      checked.push({ stack, template });
    }
  }
  const templateCount = checked.length;
  // Each template against the rules that can report on it (applicableRuleFiles, from its own resource types;
  // --all-rules: every rule, the same findings): the templates that need the same rule files share one cfn-guard
  // process (each process parses its rules; the layers of the presets share theirs). One after the other: cfn-guard
  // spends much of its time in the kernel's memory management, and two at once were slower here than one.
  const groups = new Map();
  for (const c of checked) {
    const types = new Set(Object.values(c.template.Resources ?? {}).map((r) => r?.Type));
    const files = opts.flags['all-rules'] ? catalog.files : applicableRuleFiles(catalog, types);
    const key = files.join('\n');
    if (!groups.has(key)) groups.set(key, { files, checked: [] });
    groups.get(key).checked.push(c);
  }
  const run = { results: [] };
  // A template no rule file can report on (none names any of its types) needs no cfn-guard run.
  const withoutRules = new Set(groups.get('')?.checked ?? []);
  for (const group of groups.values()) {
    if (group.files.length === 0) continue;
    const r = await runGuard(guard, group.files, group.checked.map((c) => c.stack.templatePath));
    if (r.error) {
      run.error = r.error;
      break;
    }
    run.results.push(...r.results);
  }
  const ruleFileCount = new Set([...groups.values()].flatMap((g) => g.files)).size;
  const evaluations = [...groups.values()].reduce((n, g) => n + g.files.length * g.checked.length, 0);
  if (run.error) {
    for (const c of checked) gateErrors.push({ stack: c.stack.name, logicalId: '(template)', rule: `${GATE}-GuardFailed`, control: GATE, message: run.error });
  } else {
    // cfn-guard names each template by its real path: an assembly given through a symbolic link (cdk.out/presets/dev,
    // which links to the synth cache) must still match.
    const realPath = (p) => { try { return fs.realpathSync(p); } catch { return path.resolve(p); } };
    const byPath = new Map(checked.map((c) => [realPath(c.stack.templatePath), c]));
    const resultsOf = new Map();
    for (const result of run.results) {
      const c = byPath.get(realPath(result.name ?? ''));
      if (!c) {
        gateErrors.push({ stack: '(unknown)', logicalId: '(template)', rule: `${GATE}-GuardFailed`, control: GATE, message: `cfn-guard reported on an unexpected file ${result.name}` });
        continue;
      }
      resultsOf.set(c, [...(resultsOf.get(c) ?? []), result]);
    }
    // Findings in the order the templates were given (assembly by assembly), whatever order cfn-guard prints.
    for (const c of checked) {
      if (!resultsOf.has(c) && !withoutRules.has(c)) {
        gateErrors.push({ stack: c.stack.name, logicalId: '(template)', rule: `${GATE}-GuardFailed`, control: GATE, message: 'cfn-guard reported nothing for this template' });
        continue;
      }
      for (const result of resultsOf.get(c) ?? []) {
        for (const f of findingsOf(result, catalog)) findings.push({ stack: c.stack.name, assemblyDir: c.stack.assemblyDir, ...f });
      }
    }
  }

  // 3. Apply suppressions.
  for (const f of findings) {
    const s = suppressions.find((x) => x.stack === f.stack && x.assemblyDir === f.assemblyDir && x.logicalId === f.logicalId && x.rule === f.rule);
    if (s) {
      s.matched++;
      f.suppressedBy = s;
    }
  }
  const failures = [...gateErrors, ...findings.filter((f) => !f.suppressedBy)];
  const suppressed = findings.filter((f) => f.suppressedBy);
  const unused = suppressions.filter((s) => s.matched === 0);

  // 4. Report.
  log(`Control Tower gate: ${templateCount} template(s) from ${opts.dirs.join(', ')}; ${catalog.controlOf.size} rules, ` +
    `${ruleFileCount} of ${catalog.files.length} rule files run${opts.flags['all-rules'] ? ' (--all-rules)' : ' (the others name no resource type of these templates)'}, ` +
    `${evaluations} template x rule file evaluations in ${[...groups.values()].filter((g) => g.files.length).length} cfn-guard run(s) ` +
    `(@cdklabs/cdk-validator-cfnguard ${guard.versions['@cdklabs/cdk-validator-cfnguard']}, cfn-guard ${guard.versions['cfn-guard']}); ${Date.now() - t0} ms`);
  if (failures.length) {
    log(`\nUnsuppressed findings (${failures.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Rule', 'Control', 'Message'],
      failures.map((f) => [f.stack, f.logicalId, f.rule, f.control, f.message])));
    const fixes = new Map(failures.filter((f) => f.fix).map((f) => [f.control, f.fix]));
    if (fixes.size) log(`\nHow to comply (from the rules):\n${[...fixes].map(([c, fix]) => `  ${c}: ${fix}`).join('\n')}`);
  } else {
    log('\nNo unsuppressed Control Tower findings.');
  }
  if (opts.verbose && suppressed.length) {
    log(`\nSuppressed findings (${suppressed.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Control', 'Reason'], suppressed.map((f) => [f.stack, f.logicalId, f.control, f.suppressedBy.reason])));
  }
  if (unused.length) {
    log(`\nWarning: suppressions that matched no finding (${unused.length}); remove them if the resource now complies:\n`);
    log(table(['Stack', 'Logical ID', 'Control', 'Reason'], unused.map((s) => [s.stack, s.logicalId, s.control, s.reason])));
  }
  const stacksSeen = [...new Set([...findings.map((f) => f.stack), ...gateErrors.map((e) => e.stack)])];
  if (stacksSeen.length) {
    log('\nSummary:\n');
    log(table(['Stack', 'Unsuppressed', 'Suppressed', 'Gate errors'], stacksSeen.map((st) => [st,
      findings.filter((f) => f.stack === st && !f.suppressedBy).length,
      findings.filter((f) => f.stack === st && f.suppressedBy).length,
      gateErrors.filter((e) => e.stack === st).length])));
  }
  log(`\nTotal: ${failures.length} unsuppressed (${gateErrors.length} gate error(s)), ${suppressed.length} suppressed finding(s), ` +
    `${suppressions.length} suppression(s) in effect, ${unused.length} unused.`);
  if (opts.suppressions) {
    log(`\nSuppressions in effect (${suppressions.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Control', 'Matched', 'Reason'], suppressions.map((s) => [s.stack, s.logicalId, s.control, s.matched, s.reason])));
  }
  if (opts.markdown) out(markdownSuppressions(suppressions, stacksByDir.map((d) => d.dir)));
  if (opts.json) {
    const strip = ({ suppressedBy, ...f }) => ({ ...f, suppressedBy: suppressedBy ? { rule: suppressedBy.rule, reason: suppressedBy.reason } : undefined });
    fs.writeFileSync(opts.json, JSON.stringify({
      failures: failures.map(strip),
      suppressed: suppressed.map(strip),
      suppressions: suppressions.map(({ assemblyDir, ...s }) => s),
      unused: unused.map(({ assemblyDir, ...s }) => s),
      versions: guard.versions,
    }, null, 2));
  }
  log(`\nguard-gate: ${failures.length ? 'FAILED' : 'PASSED'}`);
  return failures.length ? 1 : 0;
}
