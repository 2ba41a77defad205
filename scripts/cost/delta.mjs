// What a rollout changes in an environment's monthly cost: both versions priced alike (same price table, same
// traffic assumption), per layer and in total, with what drives each change ("+2 NAT gateways"). The rollout check
// prints costLines() after its report (scripts/rollout-check/check.mjs).
import { totals, DAYS_PER_MONTH } from './estimate.mjs';
import { usd } from './format.mjs';
import { estimateStacks, loadPrices } from './index.mjs';

const NOUNS = {
  'AWS::EC2::NatGateway': ['NAT gateway', 'NAT gateways'],
  'AWS::EC2::EIP': ['public IPv4 address', 'public IPv4 addresses'],
  'AWS::EC2::VPCEndpoint': ['VPC endpoint', 'VPC endpoints'],
  'AWS::KMS::Key': ['KMS key', 'KMS keys'],
  'AWS::CloudWatch::Alarm': ['alarm', 'alarms'],
  'AWS::CloudWatch::CompositeAlarm': ['composite alarm', 'composite alarms'],
  'AWS::CloudWatch::Dashboard': ['dashboard', 'dashboards'],
  'AWS::RDS::DBInstance': ['Aurora instance', 'Aurora instances'],
  'AWS::RDS::DBCluster': ['Aurora cluster', 'Aurora clusters'],
  'AWS::WAFv2::WebACL': ['web ACL', 'web ACLs'],
  'AWS::S3::Bucket': ['bucket', 'buckets'],
  'AWS::DynamoDB::Table': ['table', 'tables'],
  'AWS::Logs::LogGroup': ['log group', 'log groups'],
  'AWS::Lambda::Function': ['function', 'functions'],
  'AWS::Cognito::UserPoolClient': ['app client', 'app clients'],
  'AWS::Config::ConfigRule': ['Config rule', 'Config rules'],
  'AWS::CloudTrail::Trail': ['trail', 'trails'],
  'AWS::Logs::MetricFilter': ['metric filter', 'metric filters'],
  'AWS::Backup::BackupPlan': ['backup plan', 'backup plans'],
  'AWS::SNS::Topic': ['topic', 'topics'],
  'AWS::CodeBuild::Project': ['build project', 'build projects'],
};
const noun = (type, n) => (NOUNS[type] ? NOUNS[type][Math.abs(n) === 1 ? 0 : 1] : `${type.split('::').pop()}${Math.abs(n) === 1 ? '' : 's'}`);
const signed = (x) => `${x > 0 ? '+' : x < 0 ? '-' : '±'}${usd(Math.abs(x))}`;

/**
 * Prices `base` and `next` (arrays or Maps of { name, region, template }) alike. Returns { layers, total, asOf,
 * notPriced } where each layer is { layer, base, next, delta, drivers }.
 */
export function costDelta(base, next, { prices = loadPrices() } = {}) {
  const list = (x) => [...(x instanceof Map ? x.values() : x)].map((s) => ({ name: s.name, region: s.region, template: s.template }));
  const a = estimateStacks(list(base), { prices });
  const b = estimateStacks(list(next), { prices });
  const layers = [...new Set([...a.perLayer, ...b.perLayer].map((l) => l.layer))];
  const out = [];
  for (const layer of layers) {
    const before = totals(a.result, (l) => l.layer === layer).total;
    const after = totals(b.result, (l) => l.layer === layer).total;
    const drivers = driversOf(a.result, b.result, layer);
    if (Math.abs(after - before) < 0.005 && !drivers.length) continue;
    out.push({ layer, base: before, next: after, delta: after - before, drivers });
  }
  return {
    layers: out,
    total: { base: a.totals.total, next: b.totals.total, delta: b.totals.total - a.totals.total },
    asOf: prices.asOf,
    kind: b.meta.kind,
    notPriced: [...a.notPriced, ...b.notPriced],
  };
}

/** "+2 NAT gateways" per type whose count changed in the layer, "Aurora instances $87.60 -> $350.40" otherwise. */
function driversOf(a, b, layer) {
  const perType = (r) => {
    const m = new Map();
    for (const l of r.lines.filter((x) => x.layer === layer)) {
      const t = m.get(l.type) ?? { ids: new Set(), usd: 0 };
      t.ids.add(`${l.stack}/${l.id}`);
      t.usd += l.monthlyUsd;
      m.set(l.type, t);
    }
    return m;
  };
  const ta = perType(a);
  const tb = perType(b);
  const drivers = [];
  for (const type of [...new Set([...ta.keys(), ...tb.keys()])].sort()) {
    const x = ta.get(type) ?? { ids: new Set(), usd: 0 };
    const y = tb.get(type) ?? { ids: new Set(), usd: 0 };
    const dn = y.ids.size - x.ids.size;
    const du = y.usd - x.usd;
    if (Math.abs(du) < 0.005) continue;
    if (dn !== 0) drivers.push({ type, count: dn, usd: du, text: `${dn > 0 ? '+' : ''}${dn} ${noun(type, dn)} (${signed(du)})` });
    else drivers.push({ type, count: 0, usd: du, text: `${noun(type, 2)} ${usd(x.usd)} -> ${usd(y.usd)}` });
  }
  return drivers.sort((p, q) => Math.abs(q.usd) - Math.abs(p.usd));
}

/** The lines the rollout check prints; never throws (a comparison that cannot be priced says why). */
export function costLines(base, next, options) {
  let d;
  try {
    d = costDelta(base, next, options);
  } catch (e) {
    return [`Cost a month: not estimated: ${e.message}`];
  }
  const head = `Cost a month (npm run cost: prices of ${d.asOf}, traffic of cost-usage.json for ${d.kind}):`;
  const lines = [head];
  if (!d.layers.length) lines.push(`  unchanged: ${usd(d.total.next)}`);
  for (const l of d.layers) {
    lines.push(`  ${l.layer.padEnd(9)} ${usd(l.base)} -> ${usd(l.next)}  ${signed(l.delta)}${l.drivers.length ? `  (${l.drivers.map((x) => x.text).join(', ')})` : ''}`);
  }
  if (d.layers.length) lines.push(`  ${'total'.padEnd(9)} ${usd(d.total.base)} -> ${usd(d.total.next)}  ${signed(d.total.delta)} a month (${signed(d.total.delta / DAYS_PER_MONTH)} a day)`);
  if (d.notPriced.length) lines.push(`  incomplete: ${[...new Set(d.notPriced.map((n) => n.type))].join(', ')} not priced (npm run cost says which resources)`);
  return lines;
}
