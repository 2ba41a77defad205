// The rollout check on the real app: the dev environment (the cdk.json default), synthesized once and reused.
// No skipping: CI has the .NET SDK and node_modules, so a synth that fails here fails the test.
//
// TRADINGPLATFORM_DEV_ASSEMBLY: when set, it names a cloud assembly directory of the dev environment that the
// test runner has already synthesized (e.g. `cdk synth -o <dir>` with cdk.json's defaults), and these tests
// read it instead of synthesizing the app again (about 10 s). The directory is only read, never changed or
// removed; a value that is not a cloud assembly (no manifest.json) fails the tests rather than being ignored.
// Unset (or empty): the working tree is synthesized through the CDK CLI into a temporary folder, as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, editedCopy, lineOf, tempDir, REPO } from './helpers.mjs';
import { synth } from '../synth.mjs';

const DATA = 'TradingPlatform-dev-Data';
const API = 'TradingPlatform-dev-Api';
const given = process.env.TRADINGPLATFORM_DEV_ASSEMBLY;
let tmp;
let synthesized;

before(() => {
  if (given) {
    synthesized = path.resolve(given);
    assert.ok(fs.existsSync(path.join(synthesized, 'manifest.json')),
      `TRADINGPLATFORM_DEV_ASSEMBLY=${given} is not a cloud assembly (no manifest.json): synthesize dev into it, or unset it`);
    return;
  }
  tmp = tempDir('real');
  synthesized = path.join(tmp, 'dev');
  synth({ repo: REPO, cwd: REPO, outDir: synthesized, context: [], what: 'the working tree (test)' });
});
after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

test('the real app compared with itself: nothing to deploy, exit 0', () => {
  const r = run(['--base-dir', synthesized, '--new-dir', synthesized]);
  assert.equal(r.code, 0, r.out);
  for (const layer of ['Security', 'Network', 'Data', 'Api']) assert.match(r.out, new RegExp(`== TradingPlatform-dev-${layer} \\(${layer}\\): no changes`));
  assert.match(r.out, /Nothing to deploy/);
});

test('the real app with the Aurora cluster replaced and an imported export removed: both named, exit 1', () => {
  let clusterId;
  let exportName;
  const changed = editedCopy(synthesized, (t) => {
    const data = t[DATA];
    clusterId = Object.keys(data.Resources).find((id) => data.Resources[id].Type === 'AWS::RDS::DBCluster');
    data.Resources[clusterId].Properties.DBClusterIdentifier = 'trading-db-dev-renamed';
    const [outputId, output] = Object.entries(data.Outputs).find(([, o]) => /DatabaseClientSecurityGroup/.test(o.Export?.Name ?? ''));
    exportName = output.Export.Name;
    delete data.Outputs[outputId];
  });
  try {
    const r = run(['--base-dir', synthesized, '--new-dir', changed]);
    assert.equal(r.code, 1, r.out);
    assert.match(lineOf(r.out, 'REPLACED', clusterId) ?? r.out, /AWS::RDS::DBCluster \S+ \[stateful\] \(caused by: DBClusterIdentifier\)\s+-> BLOCKING/);
    assert.match(lineOf(r.out, 'EXPORT', exportName) ?? r.out, new RegExp(`is removed while ${API} imports it.*-> BLOCKING`));
    assert.match(r.out, /Layers to deploy, in order: Data\n/);
    assert.match(r.out, new RegExp(`--allow ${DATA}/${clusterId}.*--allow ${DATA}/export:${exportName}`));
  } finally {
    fs.rmSync(changed, { recursive: true, force: true });
  }
});

test('the real app with a NAT gateway added: the cost delta names it, Network rises by its monthly price', () => {
  // A NAT gateway costs 730 h x $0.045 and its Elastic IP 730 h x $0.005 (us-east-1, scripts/cost/prices.json):
  // $32.85 + $3.65 = $36.50 a month. Its share of the traffic's NAT bytes is moved, not added.
  const changed = editedCopy(synthesized, (t) => {
    const net = t['TradingPlatform-dev-Network'].Resources;
    const [natId, nat] = Object.entries(net).find(([, r]) => r.Type === 'AWS::EC2::NatGateway');
    const eipId = nat.Properties.AllocationId['Fn::GetAtt'][0];
    net.ExtraEip = structuredClone(net[eipId]);
    net.ExtraNat = { ...structuredClone(nat), Properties: { ...structuredClone(nat.Properties), AllocationId: { 'Fn::GetAtt': ['ExtraEip', 'AllocationId'] } } };
    assert.ok(natId);
  });
  try {
    const r = run(['--base-dir', synthesized, '--new-dir', changed]);
    assert.equal(r.code, 0, r.out);
    const line = lineOf(r.out, 'Network', '->') ?? r.out;
    assert.match(line, /\+\$36\.50 {2}\(\+1 NAT gateway \(\+\$32\.85\), \+1 public IPv4 address \(\+\$3\.65\)\)/);
    assert.match(r.out, /total +\$[\d,.]+ -> \$[\d,.]+ {2}\+\$36\.50 a month \(\+\$1\.20 a day\)/);
  } finally {
    fs.rmSync(changed, { recursive: true, force: true });
  }
});
