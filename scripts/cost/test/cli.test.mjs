// The command on the real app (the synth cache's assemblies) and its failures: complete estimates for every preset,
// a NAT gateway added to prod, a type or a region removed from the table, a usage error, the generated files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assemblies, cost, editedCopy, editedPrices, prices } from './helpers.mjs';
import { DOC, GENERATED_CS, docText, generatedSource, presetSummaries, REPO } from '../index.mjs';

const temps = [];
after(() => temps.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const keep = (d) => { temps.push(d); return d; };
const totalOf = (out) => Number(/^Total: \$([\d,.]+) a month/m.exec(out)?.[1].replaceAll(',', ''));

for (const env of ['dev', 'pr-7', 'staging', 'prod', 'delivery']) {
  test(`${env}: a complete estimate (nothing not priced), exit 0`, async () => {
    const r = await cost('--assembly', (await assemblies())[env]);
    assert.equal(r.code, 0, `${r.out}${r.err}`);
    assert.match(r.out, /^Not priced: none$/m);
    assert.ok(totalOf(r.out) > 0, r.out);
  });
}

test('staging prices its Recovery stack at us-west-2 and shows every layer', async () => {
  const r = await cost('--assembly', (await assemblies()).staging);
  assert.match(r.out, /Prices: .* \(us-east-1, us-west-2\)/);
  for (const layer of ['Security', 'Network', 'Recovery', 'Data', 'Api']) assert.match(r.out, new RegExp(`^  ${layer} +\\$`, 'm'));
});

test('a NAT gateway (with its address) added to prod raises the estimate by exactly their monthly price', async () => {
  const prod = (await assemblies()).prod;
  const changed = keep(editedCopy(prod, (t) => {
    const net = t['TradingPlatform-prod-Network'].Resources;
    const nat = Object.values(net).find((r) => r.Type === 'AWS::EC2::NatGateway');
    net.ExtraEip = structuredClone(net[nat.Properties.AllocationId['Fn::GetAtt'][0]]);
    net.ExtraNat = { ...structuredClone(nat), Properties: { ...structuredClone(nat.Properties), AllocationId: { 'Fn::GetAtt': ['ExtraEip', 'AllocationId'] } } };
  }));
  const before = await cost('--assembly', prod, '--json');
  const afterIt = await cost('--assembly', changed, '--json');
  const [a, b] = [JSON.parse(before.out), JSON.parse(afterIt.out)];
  // 730 h x $0.045 (NAT) + 730 h x $0.005 (public IPv4), us-east-1.
  assert.ok(Math.abs(b.totals.monthlyUsd - a.totals.monthlyUsd - (32.85 + 3.65)) < 1e-6, `${a.totals.monthlyUsd} -> ${b.totals.monthlyUsd}`);
  const network = (j) => j.layers.find((l) => l.layer === 'Network').fixedUsd;
  assert.ok(Math.abs(network(b) - network(a) - 36.5) < 1e-6);
});

test('a type removed from the table makes the command fail, naming it as not priced (exit 1)', async () => {
  const file = keep(path.dirname(editedPrices((t) => { delete t.types.priced['AWS::EC2::NatGateway']; })));
  const r = await cost('--assembly', (await assemblies()).prod, '--prices', path.join(file, 'prices.json'));
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /NOT PRICED: 3 resource\(s\)/);
  assert.match(r.out, /TradingPlatform-prod-Network\/\S+ AWS::EC2::NatGateway: the price table neither prices nor lists it as free/);
  assert.match(r.err, /not priced \(AWS::EC2::NatGateway\)/);
});

test('a type the templates gain and the table does not know fails the command (exit 1)', async () => {
  const changed = keep(editedCopy((await assemblies())['pr-7'], (t) => {
    t['TradingPlatform-pr-7-Api'].Resources.Queue = { Type: 'AWS::SQS::Queue', Properties: {} };
  }));
  const r = await cost('--assembly', changed);
  assert.equal(r.code, 1);
  assert.match(r.out, /TradingPlatform-pr-7-Api\/Queue AWS::SQS::Queue/);
});

test('a region the table lacks is a clear error naming the regions it has (exit 2)', async () => {
  const file = keep(path.dirname(editedPrices((t) => { delete t.regions['us-west-2']; })));
  const r = await cost('--assembly', (await assemblies()).staging, '--prices', path.join(file, 'prices.json'));
  assert.equal(r.code, 2, r.out);
  assert.match(r.err, /no prices for region 'us-west-2' \(stack TradingPlatform-staging-Recovery\); the price table has: us-east-1/);
});

test('the traffic assumption can be overridden and is validated', async () => {
  const dev = (await assemblies()).dev;
  const base = JSON.parse((await cost('--assembly', dev, '--json')).out);
  const more = JSON.parse((await cost('--assembly', dev, '--json', '--set', `batchesPerDay=${base.usage.batchesPerDay * 2}`)).out);
  assert.ok(Math.abs(more.totals.trafficUsd - 2 * base.totals.trafficUsd) < 1e-6, 'traffic cost is linear in batches');
  assert.equal(more.totals.fixedUsd, base.totals.fixedUsd, 'fixed cost does not move with traffic');
  const dir = keep(fs.mkdtempSync(path.join(REPO, 'artifacts', 'cost-usage-')));
  fs.writeFileSync(path.join(dir, 'u.json'), JSON.stringify({ tradesPerBatch: 1000 }));
  const file = JSON.parse((await cost('--assembly', dev, '--json', '--usage', path.join(dir, 'u.json'))).out);
  assert.equal(file.usage.tradesPerBatch, 1000);
  for (const [args, message] of [
    [['--set', 'batchesPerDy=3'], /unknown usage key 'batchesPerDy'/],
    [['--set', 'batchesPerDay=-1'], /batchesPerDay must be a number >= 0/],
    [['--set', 'tradesPerBatch=6000'], /tradesPerBatch must be between 1 and 5000/],
    [['--usage', path.join(dir, 'missing.json')], /no such file/],
  ]) {
    const r = await cost('--assembly', dev, ...args);
    assert.equal(r.code, 2, `${args}: ${r.out}`);
    assert.match(r.err, message);
  }
});

test('--json and --markdown carry the same totals as the table', async () => {
  const dir = (await assemblies())['pr-7'];
  const text = await cost('--assembly', dir);
  const json = JSON.parse((await cost('--assembly', dir, '--json')).out);
  const md = await cost('--assembly', dir, '--markdown');
  assert.equal(totalOf(text.out), Math.round(json.totals.monthlyUsd * 100) / 100);
  assert.match(md.out, /^\| layer \| fixed \| traffic \| usage \| total \|$/m);
  assert.ok(md.out.includes(`**$${json.totals.monthlyUsd.toFixed(2)} a month**`));
});

test('docs/cost.md and the budgets\' limits (CostEstimates.Generated.cs) are what the tool computes now: regenerate with npm run cost -- --write-generated', async () => {
  const summaries = await presetSummaries({ assemblies: await assemblies(), prices, stderr: process.stderr });
  assert.equal(fs.readFileSync(DOC, 'utf8'), docText(summaries, prices), 'docs/cost.md is stale');
  assert.equal(fs.readFileSync(GENERATED_CS, 'utf8'), generatedSource(summaries, prices), 'src/Config/CostEstimates.Generated.cs is stale');
});
