// Shared by the compliance gates (scripts/nag-gate, scripts/guard-gate): the command line they both take, how they
// find the stack templates of cloud assemblies, and how they print tables.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** --verbose, --suppressions, --markdown, --min-reason-length N, --json FILE, -h, and the assembly dirs. */
export function parseGateCli(argv, DEFAULT_MIN_REASON) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        verbose: { type: 'boolean', short: 'v', default: false },
        suppressions: { type: 'boolean', default: false },
        markdown: { type: 'boolean', default: false },
        'min-reason-length': { type: 'string' },
        json: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
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
    suppressions: v.suppressions,
    markdown: v.markdown,
    json: v.json,
    help: v.help,
    minReason,
  };
}

// ---------------------------------------------------------------------------------------------
// Cloud assembly discovery
// ---------------------------------------------------------------------------------------------

/**
 * Returns { stacks: [{ name, templatePath, env }], problems: [string] } for one assembly dir,
 * following nested cloud assemblies (cdk:cloud-assembly artifacts, e.g. Stages).
 */
export function discoverAssembly(dir, prefix = '', seen = new Set()) {
  const stacks = [];
  const problems = [];
  const real = path.resolve(dir);
  if (seen.has(real)) return { stacks, problems };
  seen.add(real);
  const manifestPath = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestPath)) {
    problems.push(`${manifestPath} not found`);
    return { stacks, problems };
  }
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    problems.push(`${manifestPath} is not valid JSON: ${e.message}`);
    return { stacks, problems };
  }
  for (const [artifactId, art] of Object.entries(manifest.artifacts ?? {})) {
    if (art?.type === 'aws:cloudformation:stack') {
      const file = art.properties?.templateFile;
      stacks.push({
        name: prefix + (art.displayName ?? artifactId),
        artifactId,
        templatePath: file ? path.join(dir, file) : undefined,
        env: art.environment,
        assemblyDir: dir,
      });
    } else if (art?.type === 'cdk:cloud-assembly') {
      const sub = art.properties?.directoryName;
      if (!sub) continue;
      // Stage display names already contain the stage path for their stacks.
      const r = discoverAssembly(path.join(dir, sub), prefix, seen);
      stacks.push(...r.stacks);
      problems.push(...r.problems);
    }
  }
  return { stacks, problems };
}

/** CDK nested stacks: AWS::CloudFormation::Stack resources whose template is a local asset. */
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
