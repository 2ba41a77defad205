// Shared by the compliance gates (scripts/nag-gate, scripts/guard-gate): the command line they both take, how they
// find the stack templates of cloud assemblies, and how they print tables.
import { Console } from 'node:console';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const { CloudAssembly, CloudFormationStackArtifact, NestedCloudAssemblyArtifact } = require('aws-cdk-lib/cx-api');

export class UsageError extends Error {}

/**
 * --verbose, --suppressions, --markdown, --min-reason-length N, --json FILE, -h, and the assembly dirs; `flags` names
 * boolean options of one gate only (e.g. the guard gate's --all-rules), returned in `opts.flags`.
 */
export function parseGateCli(argv, DEFAULT_MIN_REASON, flags = []) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v', default: false },
        'top-level': { type: 'boolean', default: false },
        suppressions: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        'min-reason-length': { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        ...Object.fromEntries(flags.map((f) => [f, { type: 'boolean', default: false }])),
      },
    });
  } catch (e) {
    throw new UsageError(e.message);
  }
  const v = parsed.values;
  let minReason = DEFAULT_MIN_REASON;
  if (v['min-reason-length'] !== undefined) {
    minReason = Number(v['min-reason-length']);
    if (!Number.isInteger(minReason) || minReason < 1) throw new UsageError('--min-reason-length must be a positive integer');
  }
  return {
    // The same assembly given twice is checked once.
    dirs: parsed.positionals.length
      ? parsed.positionals.filter((d, i, a) => a.findIndex((x) => path.resolve(x) === path.resolve(d)) === i)
      : ['cdk.out'],
    verbose: v.verbose,
    // Only each assembly's own stacks, not those of its nested assemblies (a pipeline's stages, checked on their own).
    topLevel: v['top-level'],
    suppressions: v.suppressions,
    markdown: v.markdown,
    json: v.json,
    help: v.help,
    minReason,
    flags: Object.fromEntries(flags.map((f) => [f, v[f]])),
  };
}

// ---------------------------------------------------------------------------------------------
// Cloud assembly discovery
// ---------------------------------------------------------------------------------------------

/**
 * Returns { stacks: [{ name, artifactId, templatePath, env, assemblyDir }], problems: [string] } for one assembly
 * dir, read with the CDK's own cloud assembly API (aws-cdk-lib/cx-api), following nested cloud assemblies
 * (cdk:cloud-assembly artifacts, e.g. Stages). A nested assembly that cannot be read is a problem (a warning
 * when other stacks were found), not an exception.
 */
export function discoverAssembly(dir, prefix = '', seen = new Set(), { nested = true } = {}) {
  const stacks = [];
  const problems = [];
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    problems.push(`${manifestPath} not found`);
    return { stacks, problems };
  }
  let assembly;
  try {
    // In manifest order, as the CDK wrote it (not re-sorted by dependencies): the order of the report.
    assembly = new CloudAssembly(dir, { topoSort: false });
  } catch (e) {
    problems.push(e instanceof SyntaxError
      ? `${manifestPath} is not valid JSON: ${e.message}`
      : `${manifestPath} is not a readable cloud assembly: ${e.message}`);
    return { stacks, problems };
  }
  collectStacks(assembly, prefix, seen, stacks, problems, nested);
  return { stacks, problems };
}

function collectStacks(assembly, prefix, seen, stacks, problems, followNested = true) {
  const real = path.resolve(assembly.directory);
  if (seen.has(real)) return;
  seen.add(real);
  for (const artifact of assembly.artifacts) {
    if (CloudFormationStackArtifact.isCloudFormationStackArtifact(artifact)) {
      stacks.push({
        // The manifest's displayName (a Stage's stacks carry the stage path), else the artifact id.
        name: prefix + artifact.hierarchicalId,
        artifactId: artifact.id,
        templatePath: artifact.templateFullPath,
        env: artifact.manifest.environment,
        assemblyDir: assembly.directory,
      });
    } else if (followNested && NestedCloudAssemblyArtifact.isNestedCloudAssemblyArtifact(artifact)) {
      let nested;
      try {
        nested = artifact.nestedAssembly;
      } catch (e) {
        problems.push(`nested cloud assembly ${artifact.directoryName} in ${assembly.directory} cannot be read: ${e.message}`);
        continue;
      }
      // Stage display names already contain the stage path for their stacks.
      collectStacks(nested, prefix, seen, stacks, problems);
    }
  }
}

/**
 * CDK nested stacks: AWS::CloudFormation::Stack resources whose template is a local asset.
 * Kept by hand: cx-api has no notion of nested stacks. It lists a stack's file assets (`assets`), but not which
 * AWS::CloudFormation::Stack resource a template asset belongs to; that link is only the resource's
 * `aws:asset:path` metadata in the parent template, read here.
 */
export function nestedStacksOf(stack, template) {
  const out = [];
  for (const [logicalId, res] of Object.entries(template.Resources ?? {})) {
    if (res?.Type !== 'AWS::CloudFormation::Stack') continue;
    const assetPath = res.Metadata?.['aws:asset:path'];
    const candidate = typeof assetPath === 'string' ? path.join(stack.assemblyDir, assetPath) : undefined;
    if (candidate && /\.json$/i.test(candidate) && fs.existsSync(candidate)) {
      // Name nested stacks like the CDK construct ("Parent/Nested"), falling back to the logical id.
      const cdkPath = res.Metadata?.['aws:cdk:path'];
      const constructName = typeof cdkPath === 'string'
        ? cdkPath.split('/').slice(-2, -1)[0]?.replace(/\.NestedStack$/, '')
        : undefined;
      out.push({ ...stack, name: `${stack.name}/${constructName || logicalId}`, templatePath: candidate, nestedIn: stack.name });
    } else {
      out.push({ unresolved: true, logicalId });
    }
  }
  return out;
}

export function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  // Do not pad the last column (usually a long message).
  const fmt = (r) => r.map((c, i) => (i === r.length - 1 ? String(c) : String(c).padEnd(widths[i]))).join(' | ').trimEnd();
  const sep = widths.map((w, i) => '-'.repeat(i === widths.length - 1 ? Math.min(w, 60) : w)).join('-+-');
  return [fmt(headers), sep, ...rows.map(fmt)].join('\n');
}

export function mdEscape(s) {
  return String(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/**
 * How both gates' main() starts: console.log semantics on the given streams (a closed pipe such as `| head` is
 * ignored instead of crashing the gate), the command line, --help. Returns { out, err, log, opts }, where `log` is
 * where the report goes (stderr with --markdown, whose stdout carries only the table), or { exit } when done.
 */
export function startGate(name, argv, { stdout, stderr }, help, defaultMinReason, flags = []) {
  const print = new Console({ stdout, stderr });
  const out = (text) => print.log(text);
  const err = (text) => print.error(text);
  let opts;
  try {
    opts = parseGateCli(argv, defaultMinReason, flags);
  } catch (e) {
    err(`${name}: ${e.message}\n\n${help}`);
    return { exit: 2 };
  }
  if (opts.help) {
    out(help);
    return { exit: 0 };
  }
  return { out, err, opts, log: opts.markdown ? err : out };
}
