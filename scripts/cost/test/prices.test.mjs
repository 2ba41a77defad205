// The price table (prices.json): its schema and dates, and that every resource type of every synthesized variant is
// classified (priced by a pricer of estimate.mjs, or free with a reason). Run: node --test scripts/cost/test/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PRICED_TYPES } from '../estimate.mjs';
import { prices, assemblies, templateFiles, REPO } from './helpers.mjs';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

test('the table is dated: asOf and every region\'s asOf are real dates, not in the future, and the regions\' are not after the table\'s', () => {
  assert.ok(validDate(prices.asOf), `asOf '${prices.asOf}' is not a YYYY-MM-DD date`);
  assert.ok(Date.parse(prices.asOf) <= Date.now(), `asOf ${prices.asOf} is in the future: a price is dated when it was read`);
  for (const [region, r] of Object.entries(prices.regions)) {
    assert.ok(validDate(r.asOf), `${region}: asOf '${r.asOf}' is not a date`);
    assert.ok(r.asOf <= prices.asOf, `${region}: read ${r.asOf}, after the table's ${prices.asOf}`);
  }
});

test('every price has a positive amount in USD, a unit and a public AWS pricing page as its source, in every region alike', () => {
  assert.equal(prices.currency, 'USD');
  assert.equal(prices.hoursPerMonth, 730, 'AWS prices a month as 730 hours');
  const regions = Object.entries(prices.regions);
  assert.ok(regions.length >= 2, 'the presets deploy to us-east-1 and recover to us-west-2');
  const keys = Object.keys(regions[0][1].prices).sort();
  for (const [region, r] of regions) {
    assert.ok(r.name, `${region} needs its name`);
    assert.deepEqual(Object.keys(r.prices).sort(), keys, `${region} must price the same items as ${regions[0][0]} (a missing one would make a type not priced there)`);
    for (const [key, p] of Object.entries(r.prices)) {
      assert.deepEqual(Object.keys(p).sort(), ['source', 'unit', 'usd'], `${region} ${key}: exactly usd, unit, source`);
      assert.ok(typeof p.usd === 'number' && p.usd > 0 && Number.isFinite(p.usd), `${region} ${key}: usd must be a positive number`);
      assert.ok(typeof p.unit === 'string' && p.unit.length > 3, `${region} ${key}: a unit says what the amount buys`);
      assert.match(p.source, /^https:\/\/aws\.amazon\.com\/[a-z0-9/-]+\/pricing\/|^https:\/\/aws\.amazon\.com\/ec2\/pricing\/on-demand\//, `${region} ${key}: the source is an AWS pricing page`);
    }
  }
});

test('the presets\' regions and the default recovery pair are in the table', () => {
  for (const region of ['us-east-1', 'us-west-2']) assert.ok(prices.regions[region], `${region} is missing`);
});

test('each type is priced or free, never both; priced types have a pricer and every pricer is listed; free ones say why', () => {
  const { priced, free } = prices.types;
  for (const type of Object.keys(priced)) {
    if (type.startsWith('$')) continue;
    assert.ok(!(type in free), `${type} is both priced and free`);
    assert.ok(PRICED_TYPES.includes(type), `${type} is listed as priced but estimate.mjs has no pricer for it`);
    assert.ok(priced[type].length > 10, `${type}: say what it is charged for`);
  }
  for (const type of PRICED_TYPES) assert.ok(type in priced, `estimate.mjs prices ${type}, but the table does not list it`);
  for (const [type, reason] of Object.entries(free)) assert.ok(reason.length > 10, `${type}: a free type needs its reason`);
});

test('every price key the pricers name exists in the table', () => {
  const source = fs.readFileSync(path.join(REPO, 'scripts', 'cost', 'estimate.mjs'), 'utf8');
  const named = new Set([...source.matchAll(/'([a-z0-9]+\.[A-Za-z0-9_]+\.[A-Za-z0-9]+)'/g)].map((m) => m[1]));
  for (const arch of ['arm64', 'x86_64']) named.add(`lambda.${arch}.gbSecond`);
  assert.ok(named.size > 40, `found only ${named.size} keys: has the naming changed?`);
  for (const key of named) for (const [region, r] of Object.entries(prices.regions)) assert.ok(r.prices[key], `${key} is named in estimate.mjs but missing in ${region}`);
});

test('every resource type of every synthesized variant is classified (a new type fails here until priced or listed free)', async () => {
  const dirs = await assemblies();
  const variants = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'TradingPlatform.Tests', 'SynthVariants.json'), 'utf8'));
  const unclassified = new Map();
  let seen = 0;
  for (const variant of Object.keys(variants)) {
    assert.ok(dirs[variant], `no assembly of variant ${variant}`);
    for (const file of templateFiles(dirs[variant])) {
      for (const [id, r] of Object.entries(JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {})) {
        seen++;
        if (!(r.Type in prices.types.priced) && !(r.Type in prices.types.free)) unclassified.set(r.Type, `${path.relative(dirs[variant], file)}/${id} (${variant})`);
      }
    }
  }
  assert.ok(seen > 500, `only ${seen} resources found: are the assemblies complete?`);
  assert.deepEqual([...unclassified.entries()], [], 'unclassified types: price them (prices.json types.priced + a pricer in estimate.mjs) or list them free with the reason');
});

test('the types the audit trail (issue 27) and the budget bring are classified before they land', () => {
  for (const type of ['AWS::CloudTrail::Trail', 'AWS::Logs::MetricFilter', 'AWS::Events::Rule', 'AWS::S3::Bucket', 'AWS::KMS::Key',
    'AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm', 'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::Budgets::Budget']) {
    assert.ok(type in prices.types.priced || type in prices.types.free, `${type} is not classified`);
  }
});
