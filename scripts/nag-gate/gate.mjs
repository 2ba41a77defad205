// cdk-nag compliance gate for synthesized CloudFormation templates.
//
// Usage: node scripts/nag-gate/index.mjs [options] [cloud-assembly-dir ...]   (default dir: cdk.out)
// main(argv, io) below is the whole command: index.mjs is the CLI that calls it, the tests call it in-process.
//
// For every stack template of each cloud assembly (manifest.json artifacts of type
// aws:cloudformation:stack, nested cloud assemblies, and CDK nested-stack templates) the
// template is imported into a fresh aws-cdk-lib Stack with CfnInclude and checked with the
// cdk-nag packs AwsSolutions and PCI.DSS.321.
//
// Suppressions are read from each resource's CloudFormation Metadata (cdk-nag v2 shape):
//   "Metadata": { "cdk_nag": { "rules_to_suppress": [
//       { "id": "AwsSolutions-IAM5", "reason": "...", "applies_to": ["Resource::*"] } ] } }
// cdk-nag 3.x no longer reads this metadata itself (it uses Validations.of().acknowledge()),
// so the gate runs the packs on the un-suppressed tree (NagPack.validateScope) and applies
// these suppressions to the structured report with cdk-nag v2 semantics (see README.md).
//
// Exit codes: 0 = no unsuppressed error, 1 = unsuppressed errors (incl. gate errors such as
// an unimportable template or an invalid suppression), 2 = usage error / no stacks found.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { discoverAssembly, nestedStacksOf, startGate, table, mdEscape } from '../lib/gate-common.mjs';

const require = createRequire(import.meta.url);

const GATE = 'NagGate';
const DEFAULT_MIN_REASON = 20;

// Intrinsics CfnInclude (aws-cdk-lib core cfn-parse) understands. Anything else under an
// `Fn::` key is replaced by an opaque parameter reference before import (see preprocess()).
const SUPPORTED_INTRINSICS = new Set([
  'Ref', 'Condition',
  'Fn::And', 'Fn::Base64', 'Fn::Cidr', 'Fn::Equals', 'Fn::FindInMap', 'Fn::GetAZs', 'Fn::GetAtt',
  'Fn::If', 'Fn::ImportValue', 'Fn::Join', 'Fn::Not', 'Fn::Or', 'Fn::Select', 'Fn::Split',
  'Fn::Sub', 'Fn::Transform', 'Fn::ValueOf',
]);
const OPAQUE_PARAM = 'NagGateOpaqueValue';

// ---------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------

const HELP = `Usage: node scripts/nag-gate/index.mjs [options] [cloud-assembly-dir ...]

Runs cdk-nag (AwsSolutions, PCI.DSS.321) on every stack template of the given cloud
assemblies (default: cdk.out). Exit 0 = pass, 1 = unsuppressed errors, 2 = no stacks / usage.

Options:
  --top-level            only each assembly's own stacks, not those of nested assemblies (a pipeline's stages)
  --verbose              also list warnings, suppressed findings and import notes in full
  --suppressions         print the suppressions in effect (stack, logical id, rule, reason)
  --markdown             print a Markdown table of suppressions on stdout (report goes to stderr)
  --min-reason-length N  minimum suppression reason length (default ${DEFAULT_MIN_REASON})
  --json FILE            also write the full result as JSON to FILE
  -h, --help             show this help
`;

// ---------------------------------------------------------------------------------------------
// Template preprocessing and suppression extraction
// ---------------------------------------------------------------------------------------------

function replaceUnsupportedIntrinsics(value, counter) {
  if (Array.isArray(value)) return value.map((v) => replaceUnsupportedIntrinsics(v, counter));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0].startsWith('Fn::') && !SUPPORTED_INTRINSICS.has(keys[0])) {
      counter.set(keys[0], (counter.get(keys[0]) ?? 0) + 1);
      return { Ref: OPAQUE_PARAM };
    }
    const out = {};
    for (const k of keys) out[k] = replaceUnsupportedIntrinsics(value[k], counter);
    return out;
  }
  return value;
}

/**
 * Returns { template, modified, notes, fatal } - a copy of the template that CfnInclude can
 * import. Unsupported intrinsics (e.g. Fn::Length, Fn::ToJsonString) become a Ref to an opaque
 * String parameter so rules that need the value fail closed ("rule threw an error") instead of
 * seeing a made-up literal. Template-level Metadata is dropped (checked separately).
 */
function preprocess(original) {
  const notes = [];
  const t = structuredClone(original);
  let modified = false;
  if (!t.Resources || typeof t.Resources !== 'object') {
    return { fatal: 'template has no Resources section' };
  }
  const forEach = Object.keys(t.Resources).filter((k) => k.startsWith('Fn::ForEach'));
  if (forEach.length) {
    return { fatal: `Fn::ForEach (AWS::LanguageExtensions) is not supported by CfnInclude: ${forEach.join(', ')}` };
  }
  if (t.Metadata !== undefined) {
    delete t.Metadata;
    modified = true;
  }
  const counter = new Map();
  for (const section of ['Resources', 'Outputs', 'Conditions']) {
    if (t[section]) t[section] = replaceUnsupportedIntrinsics(t[section], counter);
  }
  if (counter.size) {
    modified = true;
    t.Parameters = { ...(t.Parameters ?? {}), [OPAQUE_PARAM]: { Type: 'String' } };
    notes.push(`unsupported intrinsic(s) replaced by an opaque value: ${[...counter].map(([k, n]) => `${k} x${n}`).join(', ')}`);
  }
  if (t.Transform) {
    notes.push(`template declares Transform ${JSON.stringify(t.Transform)}; resources created by the transform are not checked`);
  }
  return { template: t, modified, notes };
}

function parseRegex(spec) {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(spec);
  return m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(spec);
}

/**
 * Reads and validates the cdk_nag suppressions of a template.
 * Returns { suppressions: [...valid], gateErrors: [...] }.
 */
function extractSuppressions(template, stackName, minReason) {
  const suppressions = [];
  const gateErrors = [];
  const gateError = (logicalId, ruleId, message) =>
    gateErrors.push({ stack: stackName, pack: GATE, logicalId, ruleId: `${GATE}-${ruleId}`, severity: 'error', message });

  // Blanket (stack-level) suppressions are not allowed.
  const tplNag = template.Metadata?.cdk_nag ?? template.Metadata?.['cdk-nag'];
  if (tplNag !== undefined) {
    const ids = (tplNag?.rules_to_suppress ?? []).map((s) => s?.id).filter(Boolean);
    gateError('(template)', 'StackLevelSuppression',
      `stack-level cdk_nag suppression(s) in template Metadata are not allowed (${ids.join(', ') || 'unparseable'}); suppress per resource instead`);
  }

  for (const [logicalId, res] of Object.entries(template.Resources ?? {})) {
    const nag = res?.Metadata?.cdk_nag;
    if (nag === undefined) continue;
    const list = nag?.rules_to_suppress;
    if (!Array.isArray(list)) {
      gateError(logicalId, 'InvalidSuppression', 'Metadata.cdk_nag must be { "rules_to_suppress": [ ... ] }');
      continue;
    }
    const cdkPath = res.Metadata?.['aws:cdk:path'];
    for (const [i, s] of list.entries()) {
      const where = `rules_to_suppress[${i}]`;
      if (!s || typeof s !== 'object' || typeof s.id !== 'string' || !s.id.trim()) {
        gateError(logicalId, 'InvalidSuppression', `${where} has no string "id"`);
        continue;
      }
      const reason = typeof s.reason === 'string' ? s.reason.trim() : '';
      if (reason.length < minReason) {
        gateError(logicalId, 'ShortReason',
          `suppression of ${s.id} has a reason shorter than ${minReason} characters (${JSON.stringify(reason)}); it is ignored`);
        continue;
      }
      const appliesToRaw = s.applies_to ?? s.appliesTo;
      let appliesTo;
      if (appliesToRaw !== undefined) {
        if (!Array.isArray(appliesToRaw) || appliesToRaw.length === 0) {
          gateError(logicalId, 'InvalidSuppression', `${where} (${s.id}): applies_to must be a non-empty array`);
          continue;
        }
        appliesTo = [];
        let bad = false;
        for (const a of appliesToRaw) {
          if (typeof a === 'string') appliesTo.push({ text: a, test: (f) => f === a });
          else if (a && typeof a.regex === 'string') {
            try {
              const re = parseRegex(a.regex);
              appliesTo.push({ text: `regex ${a.regex}`, test: (f) => re.test(f) });
            } catch (e) {
              bad = true;
              gateError(logicalId, 'InvalidSuppression', `${where} (${s.id}): invalid regex ${a.regex}: ${e.message}`);
            }
          } else {
            bad = true;
            gateError(logicalId, 'InvalidSuppression', `${where} (${s.id}): applies_to entries must be strings or { "regex": "/.../" }`);
          }
        }
        if (bad) continue;
      }
      suppressions.push({
        stack: stackName,
        logicalId,
        cdkPath,
        id: s.id.trim(),
        reason,
        appliesTo,
        matched: [],
      });
    }
  }
  return { suppressions, gateErrors };
}

/** cdk-nag v2 matching semantics on a v3 finding id ("Rule" or "Rule[finding]"). */
function findSuppression(suppressions, logicalId, ruleId) {
  const m = /^(.*?)\[(.*)\]$/s.exec(ruleId);
  const base = m ? m[1] : ruleId;
  const finding = m ? m[2] : undefined;
  for (const s of suppressions) {
    if (s.logicalId !== logicalId) continue;
    if (s.id === ruleId) return s; // exact (also v3-style "Rule[finding]" ids)
    if (s.id !== base || finding === undefined) continue;
    if (!s.appliesTo) return s; // v2: no applies_to => all findings of the rule
    if (s.appliesTo.some((a) => a.test(finding))) return s;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

function loadLibs() {
  const cdk = require('aws-cdk-lib');
  const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
  const nag = require('cdk-nag');
  const packs = [new nag.AwsSolutionsChecks(), new nag.PCIDSS321Checks()];
  for (const p of packs) {
    if (typeof p.validateScope !== 'function') {
      throw new Error('installed cdk-nag does not provide NagPack.validateScope(); cdk-nag 3.x is required');
    }
  }
  return { cdk, CfnInclude, packs, versions: {
    'aws-cdk-lib': require('aws-cdk-lib/package.json').version,
    'cdk-nag': require('cdk-nag/package.json').version,
  } };
}

function envOf(envString) {
  const m = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(envString ?? '');
  if (!m) return undefined;
  const [, account, region] = m;
  return {
    account: account.startsWith('unknown-') ? undefined : account,
    region: region.startsWith('unknown-') ? undefined : region,
  };
}

function checkStack(libs, app, stack, idx, tmpDir, opts) {
  const result = {
    stack: stack.name,
    templatePath: stack.templatePath,
    findings: [],
    gateErrors: [],
    gateWarnings: [],
    suppressions: [],
    notes: [],
    nested: [],
    resourceCount: 0,
  };
  const gateError = (logicalId, rule, message) =>
    result.gateErrors.push({ stack: stack.name, pack: GATE, logicalId, ruleId: `${GATE}-${rule}`, severity: 'error', message });

  if (!stack.templatePath || !fs.existsSync(stack.templatePath)) {
    gateError('-', 'ImportFailed', `template file not found: ${stack.templatePath ?? '(no templateFile in manifest)'}`);
    return result;
  }
  let template;
  try {
    template = JSON.parse(fs.readFileSync(stack.templatePath, 'utf8'));
  } catch (e) {
    gateError('-', 'ImportFailed', `cannot parse ${stack.templatePath} as JSON: ${e.message}`);
    return result;
  }
  result.resourceCount = Object.keys(template.Resources ?? {}).length;

  // Nested stacks are checked as their own templates.
  for (const n of nestedStacksOf(stack, template)) {
    if (n.unresolved) {
      result.gateWarnings.push({ stack: stack.name, pack: GATE, logicalId: n.logicalId, ruleId: `${GATE}-NestedStackNotChecked`,
        severity: 'warning', message: 'nested stack template is not a local asset of the assembly; it was not checked' });
    } else result.nested.push(n);
  }

  const supp = extractSuppressions(template, stack.name, opts.minReason);
  result.suppressions = supp.suppressions;
  result.gateErrors.push(...supp.gateErrors);

  const pre = preprocess(template);
  if (pre.fatal) {
    gateError('-', 'ImportFailed', `cannot import ${stack.templatePath}: ${pre.fatal}`);
    return result;
  }
  result.notes.push(...pre.notes);
  let templateFile = stack.templatePath;
  if (pre.modified) {
    templateFile = path.join(tmpDir, `t${idx}.template.json`);
    fs.writeFileSync(templateFile, JSON.stringify(pre.template));
  }

  // Import into a fresh Stack.
  const { cdk, CfnInclude } = libs;
  let scope;
  const logicalIdByPath = new Map();
  try {
    scope = new cdk.Stack(app, `S${idx}`, { env: envOf(stack.env) });
    const include = new CfnInclude(scope, 'Template', { templateFile, allowCyclicalReferences: true });
    for (const logicalId of Object.keys(pre.template.Resources)) {
      const res = include.getResource(logicalId);
      logicalIdByPath.set(res.node.path, logicalId);
    }
  } catch (e) {
    gateError('-', 'ImportFailed', `CfnInclude cannot import ${stack.templatePath}: ${String(e.message).split('\n')[0]}`);
    return result;
  }

  const cdkPathOf = (logicalId) => template.Resources?.[logicalId]?.Metadata?.['aws:cdk:path'];
  for (const pack of libs.packs) {
    let report;
    try {
      report = pack.validateScope(scope);
    } catch (e) {
      gateError('-', 'PackFailed', `${pack.name} failed on ${stack.name}: ${e.message}`);
      continue;
    }
    for (const v of report.violations ?? []) {
      for (const r of v.violatingResources ?? []) {
        const logicalId = logicalIdByPath.get(r.constructPath) ?? r.constructPath;
        const s = findSuppression(result.suppressions, logicalId, v.ruleName);
        if (s) s.matched.push(v.ruleName);
        result.findings.push({
          stack: stack.name,
          pack: pack.name,
          logicalId,
          cdkPath: cdkPathOf(logicalId),
          ruleId: v.ruleName,
          severity: v.severity === 'error' ? 'error' : 'warning',
          message: v.description,
          suppressedBy: s,
        });
      }
    }
  }

  for (const s of result.suppressions) {
    if (s.matched.length === 0) {
      result.gateWarnings.push({ stack: stack.name, pack: GATE, logicalId: s.logicalId, ruleId: `${GATE}-UnusedSuppression`,
        severity: 'warning', message: `suppression of ${s.id}${s.appliesTo ? `[${s.appliesTo.map((a) => a.text).join(', ')}]` : ''} matched no finding` });
    } else if (!s.appliesTo && s.matched.some((id) => id.startsWith(`${s.id}[`))) {
      const granular = s.matched.filter((id) => id.startsWith(`${s.id}[`));
      result.gateWarnings.push({ stack: stack.name, pack: GATE, logicalId: s.logicalId, ruleId: `${GATE}-BroadSuppression`,
        severity: 'warning', message: `suppression of ${s.id} has no applies_to and covers ${granular.length} granular finding(s): ${granular.join(', ')}` });
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------



function suppressionRule(s) {
  return s.appliesTo ? s.appliesTo.map((a) => `${s.id}[${a.text}]`).join(', ') : s.id;
}

/** One row per applies_to entry: [{ rule, matched }]. */
function suppressionRows(s) {
  if (!s.appliesTo) return [{ rule: s.id, matched: s.matched.length }];
  return s.appliesTo.map((a) => ({
    rule: `${s.id}[${a.text}]`,
    matched: s.matched.filter((id) => {
      const m = /^(.*?)\[(.*)\]$/s.exec(id);
      return id === `${s.id}[${a.text}]` || (m && m[1] === s.id && a.test(m[2]));
    }).length,
  }));
}

function resourceLabel(s) {
  // aws:cdk:path is "Stack/Construct/.../Resource": show it without the stack prefix.
  if (s.cdkPath) return `${s.logicalId} (${s.cdkPath.split('/').slice(1).join('/')})`;
  return s.logicalId;
}

function markdownSuppressions(suppressions) {
  const lines = ['| Stack | Resource | Rule | Reason |', '| --- | --- | --- | --- |'];
  for (const s of suppressions) {
    for (const { rule } of suppressionRows(s)) {
      lines.push(`| ${mdEscape(s.stack)} | ${mdEscape(resourceLabel(s))} | \`${mdEscape(rule)}\` | ${mdEscape(s.reason)} |`);
    }
  }
  if (suppressions.length === 0) lines.push('| _none_ | | | |');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

/**
 * Runs the gate on `argv` (the arguments after the command name) and returns its exit code. `io` defaults to
 * this process's streams; any Writable streams will do.
 */
export function main(argv, { stdout = process.stdout, stderr = process.stderr } = {}) {
  const started = startGate('nag-gate', argv, { stdout, stderr }, HELP, DEFAULT_MIN_REASON);
  if ('exit' in started) return started.exit;
  const { out, err, log, opts } = started;

  // 1. Discover stacks. Every given assembly must contain stacks: an empty gate never passes.
  const emptyDirs = [];
  let stacks = [];
  for (const dir of opts.dirs) {
    const { stacks: found, problems } = discoverAssembly(dir, '', new Set(), { nested: !opts.topLevel });
    if (found.length === 0) {
      emptyDirs.push({ dir, problems });
      continue;
    }
    for (const p of problems) log(`nag-gate: warning: ${p}`);
    const prefix = opts.dirs.length > 1 ? `${dir}:` : '';
    stacks.push(...found.map((s) => ({ ...s, name: prefix + s.name })));
  }
  for (const { dir, problems } of emptyDirs) {
    err(`nag-gate: ERROR: no CloudFormation stacks found in cloud assembly '${dir}'` +
      `${problems.length ? ` (${problems.join('; ')})` : ' (manifest.json has no aws:cloudformation:stack artifacts)'}.` +
      ' Run the synth first; an empty gate never passes.');
  }
  if (stacks.length === 0) return 2;

  // 2. Check every stack (and nested stack) with one aws-cdk-lib App.
  const t0 = Date.now();
  let libs;
  try {
    libs = loadLibs();
  } catch (e) {
    err(`nag-gate: ERROR: cannot load aws-cdk-lib / cdk-nag: ${e.message}`);
    return 2;
  }
  const app = new libs.cdk.App({ context: { 'aws:cdk:disable-stack-trace': true } });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-gate-'));
  const results = [];
  try {
    const queue = [...stacks];
    let idx = 0;
    while (queue.length) {
      const stack = queue.shift();
      const r = checkStack(libs, app, stack, idx++, tmpDir, opts);
      results.push(r);
      queue.unshift(...r.nested);
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  // 3. Report.
  const all = results.flatMap((r) => r.findings);
  const gateErrors = results.flatMap((r) => r.gateErrors);
  const gateWarnings = results.flatMap((r) => r.gateWarnings);
  const suppressions = results.flatMap((r) => r.suppressions);
  const errors = [...gateErrors, ...all.filter((f) => f.severity === 'error' && !f.suppressedBy)];
  const warnings = [...gateWarnings, ...all.filter((f) => f.severity === 'warning' && !f.suppressedBy)];
  const suppressed = all.filter((f) => f.suppressedBy);
  const row = (f) => [f.stack, f.logicalId, f.ruleId, f.message];

  log(`cdk-nag gate: ${results.length} template(s) from ${opts.dirs.join(', ')}; packs ${libs.packs.map((p) => p.name).join(', ')}` +
    ` (cdk-nag ${libs.versions['cdk-nag']}, aws-cdk-lib ${libs.versions['aws-cdk-lib']}); ${Date.now() - t0} ms`);

  const notes = results.flatMap((r) => r.notes.map((n) => `${r.stack}: ${n}`));
  for (const n of notes) log(`note: ${n}`);

  if (errors.length) {
    log(`\nUnsuppressed ERROR findings (${errors.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Rule', 'Message'], errors.map(row)));
  } else {
    log('\nNo unsuppressed ERROR findings.');
  }
  if (opts.verbose && warnings.length) {
    log(`\nWarnings (${warnings.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Rule', 'Message'], warnings.map(row)));
  }
  if (opts.verbose && suppressed.length) {
    log(`\nSuppressed findings (${suppressed.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Rule', 'Severity', 'Reason'],
      suppressed.map((f) => [f.stack, f.logicalId, f.ruleId, f.severity, f.suppressedBy.reason])));
  }
  if (!opts.verbose && gateWarnings.length) {
    log(`\nGate warnings (${gateWarnings.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Rule', 'Message'], gateWarnings.map(row)));
  }

  // Summary per stack and pack.
  const packNames = [...libs.packs.map((p) => p.name), GATE];
  const summaryRows = [];
  for (const r of results) {
    for (const pack of packNames) {
      const fs_ = r.findings.filter((f) => f.pack === pack);
      const e = pack === GATE ? r.gateErrors.length : fs_.filter((f) => f.severity === 'error' && !f.suppressedBy).length;
      const w = pack === GATE ? r.gateWarnings.length : fs_.filter((f) => f.severity === 'warning' && !f.suppressedBy).length;
      const s = fs_.filter((f) => f.suppressedBy).length;
      if (pack === GATE && e === 0 && w === 0) continue;
      summaryRows.push([r.stack, pack, e, w, s]);
    }
  }
  log('\nSummary:\n');
  log(table(['Stack', 'Pack', 'Errors', 'Warnings', 'Suppressed'], summaryRows));
  log(`\nTotal: ${errors.length} error(s), ${warnings.length} warning(s), ${suppressed.length} suppressed finding(s), ` +
    `${suppressions.length} suppression(s) in effect.${warnings.length && !opts.verbose ? ' Use --verbose to list warnings.' : ''}`);

  if (opts.suppressions) {
    log(`\nSuppressions in effect (${suppressions.length}):\n`);
    log(table(['Stack', 'Logical ID', 'Rule', 'Matched', 'Reason'],
      suppressions.flatMap((s) => suppressionRows(s).map((r) => [s.stack, s.logicalId, r.rule, r.matched, s.reason]))));
  }
  if (opts.markdown) out(markdownSuppressions(suppressions));

  if (opts.json) {
    const strip = (f) => ({ ...f, suppressedBy: f.suppressedBy ? { id: f.suppressedBy.id, reason: f.suppressedBy.reason } : undefined });
    fs.writeFileSync(opts.json, JSON.stringify({
      errors: errors.map(strip),
      warnings: warnings.map(strip),
      suppressed: suppressed.map(strip),
      suppressions: suppressions.map((s) => ({ stack: s.stack, logicalId: s.logicalId, cdkPath: s.cdkPath, rule: suppressionRule(s), reason: s.reason, matched: s.matched })),
      emptyAssemblies: emptyDirs.map((d) => d.dir),
    }, null, 2));
  }

  if (emptyDirs.length) return 2;
  log(errors.length ? `\nnag-gate: FAILED (${errors.length} unsuppressed error(s))` : '\nnag-gate: PASSED');
  return errors.length ? 1 : 0;
}
