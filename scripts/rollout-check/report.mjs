// Turns the findings of analyze.mjs into the printed report and the exit decision.

const LABELS = {
  'stack-missing': 'STACK GONE',
  'stack-new': 'NEW STACK',
  'termination-protection': 'TERMINATION',
  tags: 'tags',
  destroyed: 'DESTROYED',
  replaced: 'REPLACED',
  'may-replace': 'MAY REPLACE',
  orphaned: 'ORPHANED',
  'export-removed': 'EXPORT',
  'export-changed': 'EXPORT',
  traffic: 'TRAFFIC',
  updated: 'updated',
  added: 'added',
  iam: 'IAM',
  'security-group': 'SEC GROUP',
};
// Worst first, so the lines that need a decision are at the top of each stack.
const KIND_ORDER = Object.keys(LABELS);
const WIDTH = Math.max(...Object.values(LABELS).map((l) => l.length));

/**
 * Marks blocking findings that an --allow names, and returns the --allow values that matched none
 * (a typo, or a finding that went away), so they can be reported instead of silently ignored.
 */
export function applyAllows(result, allows) {
  const used = new Set();
  for (const f of result.stacks.flatMap((s) => s.findings)) {
    if (f.blocking && allows.includes(f.allowId)) {
      f.allowed = true;
      used.add(f.allowId);
    }
  }
  return allows.filter((a) => !used.has(a));
}

function describe(f) {
  if (f.logicalId && f.resourceType) {
    const stateful = f.stateful ? ' [stateful]' : '';
    const why = f.causes?.length ? (f.kind === 'updated' ? ` (${f.causes.join(', ')})` : ` (caused by: ${f.causes.join(', ')})`) : '';
    return `${f.resourceType} ${f.logicalId}${stateful}${why}`;
  }
  return f.message;
}

function findingLines(f) {
  let verdict = '';
  if (f.blocking) verdict = f.allowed ? `  -> ALLOWED by --allow ${f.allowId}` : '  -> BLOCKING';
  const lines = [`  ${LABELS[f.kind].padEnd(WIDTH)}  ${describe(f)}${verdict}`];
  for (const d of f.details) lines.push(`  ${''.padEnd(WIDTH)}    ${d}`);
  return lines;
}

/** Returns { lines, blocking, allowed } for the whole comparison. */
export function formatReport(result, { header = [], unknownAllows = [], reportMode = false } = {}) {
  const lines = [...header];
  for (const stack of result.stacks) {
    if (stack.findings.length === 0 && !stack.needsDeploy) {
      lines.push(`== ${stack.name} (${stack.layer}): no changes`);
      continue;
    }
    lines.push(`== ${stack.name} (${stack.layer})`);
    const sorted = [...stack.findings].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    for (const f of sorted) lines.push(...findingLines(f));
  }

  const toDeploy = result.stacks.filter((s) => s.needsDeploy).map((s) => s.layer);
  lines.push('', toDeploy.length ? `Layers to deploy, in order: ${toDeploy.join(', ')}` : 'Nothing to deploy: every stack is unchanged.');

  for (const a of unknownAllows) lines.push(`WARNING: --allow ${a} matches no blocking finding (typo, or the finding is gone?)`);

  const all = result.stacks.flatMap((s) => s.findings).filter((f) => f.blocking);
  const blocking = all.filter((f) => !f.allowed);
  const allowed = all.filter((f) => f.allowed);
  if (allowed.length) lines.push(`Allowed by --allow: ${allowed.length} finding(s): ${allowed.map((f) => f.allowId).join(', ')}`);
  if (blocking.length) {
    lines.push(`FAIL: ${blocking.length} blocking finding(s) (stateful replacement/destruction, or an export in use).`);
    lines.push(`If intended, run again with: ${blocking.map((f) => `--allow ${f.allowId}`).join(' ')}`);
    if (reportMode) lines.push('Report mode (--report): exiting 0 anyway.');
  } else {
    lines.push('OK: no blocking findings.');
  }
  return { lines, blocking: blocking.length, allowed: allowed.length };
}
