// Turns an estimate (estimate.mjs) into the human table, Markdown or JSON.
import { totals, HOURS_PER_MONTH, DAYS_PER_MONTH } from './estimate.mjs';

const LAYERS = ['Security', 'Network', 'Recovery', 'Data', 'Api', 'Delivery'];
const layerRank = (l) => (LAYERS.includes(l) ? LAYERS.indexOf(l) : LAYERS.length);

/** Dollars with cents, or with significant digits below a cent (a batch costs fractions of one). */
export function usd(x, { small = false } = {}) {
  if (small && Math.abs(x) < 0.01 && x !== 0) return `$${x.toPrecision(3)}`;
  const s = Math.abs(x).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${x < 0 ? '-' : ''}$${s}`;
}
const int = (n) => Math.round(n).toLocaleString('en-US');

function pad(rows, aligns) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (aligns[i] === 'r' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd());
}

/** Everything the three formats show, computed once. */
export function summarize(result, meta) {
  const t = totals(result);
  const layers = [...new Set(result.lines.map((l) => l.layer))].sort((a, b) => layerRank(a) - layerRank(b));
  const perLayer = layers.map((layer) => ({ layer, ...totals(result, (l) => l.layer === layer) }));
  const group = (kind, keyOf) => {
    const m = new Map();
    for (const l of result.lines.filter((x) => x.kind === kind)) {
      const k = keyOf(l);
      const g = m.get(k) ?? { layer: l.layer, type: l.type, label: l.label, ids: new Set(), monthlyUsd: 0, perBatchUsd: 0, quantity: 0, labels: new Set() };
      g.ids.add(`${l.stack}/${l.id}`);
      g.labels.add(l.label);
      g.monthlyUsd += l.monthlyUsd;
      g.perBatchUsd += l.perBatchUsd;
      g.quantity += l.quantity;
      m.set(k, g);
    }
    return [...m.values()].sort((a, b) => layerRank(a.layer) - layerRank(b.layer) || a.type.localeCompare(b.type) || a.label.localeCompare(b.label));
  };
  const fixed = group('fixed', (l) => `${l.layer} ${l.type}`);
  const batch = group('batch', (l) => `${l.layer} ${l.type} ${l.label}`);
  const usage = group('usage', (l) => `${l.layer} ${l.type} ${l.label}`);
  const byType = new Map();
  for (const l of result.lines) byType.set(l.type, (byType.get(l.type) ?? 0) + l.monthlyUsd);
  const dominant = [...byType.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)
    .map(([type, monthlyUsd]) => ({ type, monthlyUsd, share: t.total ? monthlyUsd / t.total : 0 }));
  const freeTypes = new Map();
  for (const f of result.free) freeTypes.set(f.type, (freeTypes.get(f.type) ?? 0) + 1);
  return { meta, totals: t, perLayer, fixed, batch, usage, dominant, freeTypes, notPriced: result.notPriced, result };
}

function header(s) {
  const { meta } = s;
  const u = meta.usage;
  return [
    `Cost estimate of ${meta.title}: USD a month of ${HOURS_PER_MONTH} hours`,
    `Prices: ${meta.pricesFile} of ${meta.asOf} (${meta.regions.join(', ')}), list prices, no free tier applied`,
    `Traffic: ${int(u.batchesPerDay)} batches a day of ${int(u.tradesPerBatch)} trades (${u.bytesPerTrade} B each), ${u.monthsOfData} months of data held; from ${meta.usageSources.join(', ')}`,
  ];
}

const typeCount = (g) => g.ids.size;
const joinLabels = (g) => [...g.labels].join('; ');

export function formatText(s) {
  const out = [...header(s), ''];
  out.push('Per layer (fixed: whatever the traffic, at minimum capacity; traffic: batches; usage: data held and monthly activity)');
  out.push(...pad([
    ['  layer', 'fixed', 'traffic', 'usage', 'total'],
    ...s.perLayer.map((l) => [`  ${l.layer}`, usd(l.fixed), usd(l.batch), usd(l.usage), usd(l.total)]),
    ['  total', usd(s.totals.fixed), usd(s.totals.batch), usd(s.totals.usage), usd(s.totals.total)],
  ], ['l', 'r', 'r', 'r', 'r']));
  out.push('', 'Fixed cost by resource type');
  out.push(...pad([['  layer', 'type', 'count', 'a month', 'what'],
    ...s.fixed.filter((g) => g.monthlyUsd > 0).map((g) => [`  ${g.layer}`, g.type, typeCount(g), usd(g.monthlyUsd), joinLabels(g)])], ['l', 'l', 'r', 'r', 'l']));
  const zero = s.fixed.filter((g) => g.monthlyUsd === 0);
  if (zero.length) out.push(`  no fixed charge: ${zero.map((g) => `${g.layer} ${g.type} (${typeCount(g)})`).join(', ')}`);
  out.push('', `Traffic: one batch of ${int(s.meta.usage.tradesPerBatch)} trades costs ${usd(s.totals.perBatch, { small: true })}; ${int(s.meta.usage.batchesPerDay)} a day cost ${usd(s.totals.batch)} a month`);
  if (s.meta.functionDurationMs) out.push(`  (the ingestion function runs ${s.meta.functionDurationMs} ms a batch: ${s.meta.durationSource})`);
  out.push(...pad([['  layer', 'type', 'per batch', 'a month', 'what'],
    ...s.batch.map((g) => [`  ${g.layer}`, g.type, usd(g.perBatchUsd, { small: true }), usd(g.monthlyUsd), g.label])], ['l', 'l', 'r', 'r', 'l']));
  out.push('', 'Usage: data held and monthly activity');
  out.push(...pad([['  layer', 'type', 'a month', 'what'],
    ...s.usage.map((g) => [`  ${g.layer}`, g.type, usd(g.monthlyUsd), `${g.label}${g.ids.size > 1 ? ` (${g.ids.size} resources)` : ''}`])], ['l', 'l', 'r', 'l']));
  out.push('', `Total: ${usd(s.totals.total)} a month, ${usd(s.totals.total / DAYS_PER_MONTH)} a day (fixed ${usd(s.totals.fixed)}, traffic ${usd(s.totals.batch)}, usage ${usd(s.totals.usage)})`);
  out.push(`Dominated by: ${s.dominant.map((d) => `${d.type} ${usd(d.monthlyUsd)} (${(d.share * 100).toFixed(0)}%)`).join(', ')}`);
  out.push(`Free: ${[...s.freeTypes.values()].reduce((a, b) => a + b, 0)} resources of ${s.freeTypes.size} types (${[...s.freeTypes.keys()].sort().join(', ')})`);
  out.push(...notPricedLines(s));
  return out.join('\n');
}

function notPricedLines(s) {
  if (!s.notPriced.length) return ['Not priced: none'];
  return [`NOT PRICED: ${s.notPriced.length} resource(s); the estimate is incomplete:`,
    ...s.notPriced.map((n) => `  ${n.stack}/${n.id} ${n.type}: ${n.reason}`)];
}

export function formatMarkdown(s, { level = 2 } = {}) {
  const h = '#'.repeat(level);
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const out = [`${h} ${s.meta.title}`, ''];
  out.push(`**${usd(s.totals.total)} a month** (${usd(s.totals.total / DAYS_PER_MONTH)} a day): fixed ${usd(s.totals.fixed)}, traffic ${usd(s.totals.batch)}, usage ${usd(s.totals.usage)}.`);
  out.push(`Dominated by ${s.dominant.slice(0, 3).map((d) => `${d.type} (${(d.share * 100).toFixed(0)}%)`).join(', ')}.`, '');
  const u = s.meta.usage;
  out.push(`Traffic assumption: ${int(u.batchesPerDay)} batches a day of ${int(u.tradesPerBatch)} trades, ${u.monthsOfData} months of data held (${s.meta.usageSources.join(', ')}); one batch costs ${usd(s.totals.perBatch, { small: true })}${s.meta.functionDurationMs ? `, the function running ${s.meta.functionDurationMs} ms` : ''}.`, '');
  out.push(row(['layer', 'fixed', 'traffic', 'usage', 'total']), row(['---', '---:', '---:', '---:', '---:']));
  for (const l of s.perLayer) out.push(row([l.layer, usd(l.fixed), usd(l.batch), usd(l.usage), usd(l.total)]));
  out.push(row(['**total**', usd(s.totals.fixed), usd(s.totals.batch), usd(s.totals.usage), `**${usd(s.totals.total)}**`]), '');
  out.push('Fixed cost by resource type:', '', row(['layer', 'type', 'count', 'a month', 'what']), row(['---', '---', '---:', '---:', '---']));
  for (const g of s.fixed.filter((x) => x.monthlyUsd > 0)) out.push(row([g.layer, `\`${g.type}\``, typeCount(g), usd(g.monthlyUsd), joinLabels(g)]));
  out.push('', 'Traffic and usage, the largest lines:', '', row(['layer', 'type', 'a month', 'what']), row(['---', '---', '---:', '---']));
  for (const g of [...s.batch, ...s.usage].sort((a, b) => b.monthlyUsd - a.monthlyUsd).slice(0, 8)) out.push(row([g.layer, `\`${g.type}\``, usd(g.monthlyUsd), g.label]));
  out.push('');
  if (s.notPriced.length) out.push(`**Not priced:** ${s.notPriced.map((n) => `\`${n.type}\` (${n.id})`).join(', ')}`, '');
  return out.join('\n');
}

/** The JSON of --json: totals, per layer, every line, not priced and free resources. */
export function toJson(s) {
  return {
    title: s.meta.title,
    pricesAsOf: s.meta.asOf,
    regions: s.meta.regions,
    hoursPerMonth: HOURS_PER_MONTH,
    usage: s.meta.usage,
    usageSources: s.meta.usageSources,
    functionDurationMs: s.meta.functionDurationMs,
    totals: { monthlyUsd: s.totals.total, dailyUsd: s.totals.total / DAYS_PER_MONTH, fixedUsd: s.totals.fixed, trafficUsd: s.totals.batch, usageUsd: s.totals.usage, perBatchUsd: s.totals.perBatch },
    layers: s.perLayer.map((l) => ({ layer: l.layer, fixedUsd: l.fixed, trafficUsd: l.batch, usageUsd: l.usage, monthlyUsd: l.total })),
    dominant: s.dominant,
    lines: s.result.lines,
    notPriced: s.notPriced,
    free: s.result.free,
  };
}
