// How the synth cache shares its misses out to one app process per core: the rule is that the processes end
// together, so the slowest one (what every test waits for) carries no more than it must.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { REPO, relativeCost, shareOut } from '../../synth-cache.mjs';

const variants = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'TradingPlatform.Tests', 'SynthVariants.json'), 'utf8'));
const jobs = Object.entries(variants).map(([name, context]) => ({ name, context }));
const costOf = (batch) => batch.reduce((sum, job) => sum + relativeCost(job.context), 0);

test('a delivery variant costs an environment per stage it deploys and two for the pipeline, any other variant one', () => {
  assert.equal(relativeCost(variants.delivery), Object.keys(variants.delivery.delivery.environments).length + 2);
  // -c delivery='...' hands the configuration as a string.
  assert.equal(relativeCost({ ...variants.delivery, delivery: JSON.stringify(variants.delivery.delivery) }), 5);
  assert.equal(relativeCost(variants.prod), 1);
  assert.equal(relativeCost(variants['staging-with-overrides']), 1);
});

test('every variant the tests read goes to exactly one process', () => {
  for (const workers of [1, 2, 3, 8, 20]) {
    const batches = shareOut(jobs, workers);
    assert.ok(batches.length <= workers && batches.every((b) => b.length > 0), `${workers} workers: no empty process`);
    assert.deepEqual(batches.flat().map((j) => j.name).sort(), jobs.map((j) => j.name).sort(), `${workers} workers`);
  }
});

test('on two cores the processes carry equal cost', () => {
  const batches = shareOut(jobs, 2);
  const costs = batches.map(costOf);
  const total = costs[0] + costs[1];
  // The best split of the costs: no process carries more than half the total, rounded up.
  assert.ok(Math.max(...costs) <= Math.ceil(total / 2), `costs ${costs} of ${batches.map((b) => b.map((j) => j.name))}`);
});
