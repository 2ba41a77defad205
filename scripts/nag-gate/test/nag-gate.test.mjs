// Tests of the cdk-nag gate itself. Run: node --test scripts/nag-gate/test/
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { main } from '../gate.mjs';
import { gateHarness } from '../../lib/test-support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const GATE = path.join(here, '..', 'index.mjs');
const FIX = path.join(here, 'fixtures');
const require = createRequire(import.meta.url);

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nag-gate-test-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

// gate(...) runs main() of gate.mjs in this process (aws-cdk-lib and cdk-nag load once), gateCli(...) the real
// command as a new process; both return { code, stdout, stderr, report } (report = --json output).
const { gate, gateCli, makeAssembly } = gateHarness({ main, cli: GATE, tmpRoot, stackName: 'NagFixture' });

const readTemplate = (name) => JSON.parse(fs.readFileSync(path.join(FIX, name, 'NagFixture.template.json'), 'utf8'));

const errorIds = (report, logicalId) => report.errors.filter((e) => !logicalId || e.logicalId === logicalId).map((e) => e.ruleId);
const suppressedIds = (report, logicalId) => report.suppressed.filter((e) => e.logicalId === logicalId).map((e) => e.ruleId);
const warningIds = (report) => report.warnings.map((w) => w.ruleId);

// The tests are independent (each its own assembly and report file): they run concurrently, so the one that
// spawns the real command runs beside the in-process ones instead of before them.
describe('nag-gate', { concurrency: true }, () => {
  // (1) known violation -> exit 1, names stack, logical id and rule. The real command as a new process, end to
  // end; the other tests call main() in-process.
  test('violation fails with stack, logical id and rule in the output', async () => {
    const r = await gateCli(path.join(FIX, 'violation'));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const line = r.stdout.split('\n').find((l) => l.includes('AwsSolutions-EC23'));
    assert.ok(line, r.stdout);
    assert.match(line, /NagFixture/);
    assert.match(line, /OpenSg/);
    assert.match(r.stdout, /WildcardPolicy\s*\|\s*AwsSolutions-IAM5\[Resource::\*\]/);
    assert.match(r.stdout, /nag-gate: FAILED/);
    assert.ok(errorIds(r.report, 'OpenSg').includes('AwsSolutions-EC23'));
    assert.ok(errorIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));
    // The CDK BootstrapVersion parameter and Rules section are imported without trouble.
    assert.ok(!errorIds(r.report).some((id) => id.startsWith('NagGate-')), JSON.stringify(r.report.errors));
  });

  // (2) same violations suppressed in resource metadata with good reasons (incl. applies_to)
  test('suppressions in resource metadata are honoured, including applies_to findings', () => {
    const r = gate(path.join(FIX, 'suppressed'), '--suppressions');
    assert.ok(!errorIds(r.report, 'OpenSg').includes('AwsSolutions-EC23'));
    assert.ok(!errorIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));
    assert.ok(suppressedIds(r.report, 'OpenSg').includes('AwsSolutions-EC23'));
    assert.ok(suppressedIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));
    // In this fixture every finding is suppressed, so the gate passes.
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /nag-gate: PASSED/);
    assert.match(r.stdout, /Suppressions in effect \(3\)/);
    assert.match(r.stdout, /WildcardPolicy\s*\|\s*AwsSolutions-IAM5\[Resource::\*\]\s*\|\s*1\s*\|\s*Read-only GetObject/);
  });

  // (3) too-short reason -> gate error and the suppression is ignored
  test('a suppression with a too-short reason fails the gate', () => {
    const r = gate(path.join(FIX, 'short-reason'));
    assert.equal(r.code, 1);
    assert.ok(errorIds(r.report, 'OpenSg').includes('NagGate-ShortReason'));
    assert.ok(errorIds(r.report, 'OpenSg').includes('AwsSolutions-EC23'), 'ignored suppression must not hide the finding');
    assert.match(r.stdout, /OpenSg\s*\|\s*NagGate-ShortReason/);
  });

  // (4) empty / missing assembly -> exit 2
  test('an assembly without stacks exits 2', () => {
    const r = gate(path.join(FIX, 'empty'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no CloudFormation stacks found/);
  });

  test('a missing assembly directory exits 2', () => {
    const r = gate(path.join(tmpRoot, 'does-not-exist'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /manifest\.json not found/);
  });

  test('one empty assembly among several still exits 2', () => {
    const r = gate(path.join(FIX, 'suppressed'), path.join(FIX, 'empty'));
    assert.equal(r.code, 2);
  });

  test('usage errors exit 2', () => {
    const r = spawnSync(process.execPath, [GATE, '--no-such-flag'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
  });

  test('several assemblies are checked and stack names are prefixed with the directory', () => {
    const r = gate(path.join(FIX, 'violation'), path.join(FIX, 'suppressed'));
    assert.equal(r.code, 1);
    const stacks = new Set([...r.report.errors, ...r.report.suppressed].map((f) => f.stack));
    assert.deepEqual([...stacks].sort(), [`${path.join(FIX, 'suppressed')}:NagFixture`, `${path.join(FIX, 'violation')}:NagFixture`].sort());
  });

  test('stack-level (template Metadata) suppressions are rejected', () => {
    const t = readTemplate('violation');
    t.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-EC23', reason: 'a blanket suppression for the whole stack' }] } };
    const r = gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.ok(errorIds(r.report).includes('NagGate-StackLevelSuppression'));
    assert.ok(errorIds(r.report, 'OpenSg').includes('AwsSolutions-EC23'), 'blanket suppression must not apply');
  });

  test('applies_to must match the finding; regex and bare ids follow cdk-nag v2 semantics', () => {
    const reason = 'reason long enough for the gate to accept';
    const t = readTemplate('violation');
    // Wrong applies_to: finding stays, suppression reported as unused.
    t.Resources.WildcardPolicy.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason, applies_to: ['Resource::arn:aws:s3:::other/*'] }] } };
    let r = gate(makeAssembly(t));
    assert.ok(errorIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));
    assert.ok(warningIds(r.report).includes('NagGate-UnusedSuppression'));

    // Regex applies_to (v2 { "regex": "/.../" } form).
    t.Resources.WildcardPolicy.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason, applies_to: [{ regex: '/^Resource::\\*$/g' }] }] } };
    r = gate(makeAssembly(t));
    assert.ok(suppressedIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));

    // v3-style full finding id also works.
    t.Resources.WildcardPolicy.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5[Resource::*]', reason }] } };
    r = gate(makeAssembly(t));
    assert.ok(suppressedIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));

    // Bare id without applies_to covers all findings of the rule (v2), flagged as broad.
    t.Resources.WildcardPolicy.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason }] } };
    r = gate(makeAssembly(t));
    assert.ok(suppressedIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));
    assert.ok(warningIds(r.report).includes('NagGate-BroadSuppression'));

    // A suppression on another resource does not apply.
    t.Resources.WildcardPolicy.Metadata = undefined;
    t.Resources.OpenSg.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-IAM5', reason, applies_to: ['Resource::*'] }] } };
    r = gate(makeAssembly(t));
    assert.ok(errorIds(r.report, 'WildcardPolicy').includes('AwsSolutions-IAM5[Resource::*]'));
  });

  test('malformed suppressions are gate errors', () => {
    const t = readTemplate('violation');
    t.Resources.OpenSg.Metadata = { cdk_nag: { rules_to_suppress: [{ id: 'AwsSolutions-EC23', reason: 'long enough reason but bad applies_to', applies_to: 'Resource::*' }] } };
    t.Resources.WildcardPolicy.Metadata = { cdk_nag: { rules_to_suppress: { id: 'AwsSolutions-IAM5' } } };
    const r = gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.ok(errorIds(r.report, 'OpenSg').includes('NagGate-InvalidSuppression'));
    assert.ok(errorIds(r.report, 'WildcardPolicy').includes('NagGate-InvalidSuppression'));
  });

  test('a template CfnInclude cannot import is an error, not a pass', () => {
    const t = { Resources: { B: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { Ref: 'Missing' } } } } };
    const r = gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.ok(errorIds(r.report).includes('NagGate-ImportFailed'));
    assert.match(r.stdout, /NagGate-ImportFailed.*Missing/);

    const noTemplate = makeAssembly(t);
    fs.rmSync(path.join(noTemplate, 'NagFixture.template.json'));
    const r2 = gate(noTemplate);
    assert.equal(r2.code, 1);
    assert.ok(errorIds(r2.report).includes('NagGate-ImportFailed'));
  });

  test('unsupported intrinsics are replaced by an opaque value and the template is still checked', () => {
    const t = readTemplate('violation');
    t.Resources.OpenSg.Properties.GroupDescription = { 'Fn::ToJsonString': { a: 1 } };
    const r = gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Fn::ToJsonString x1/);
    assert.ok(!errorIds(r.report).includes('NagGate-ImportFailed'));
    assert.ok(errorIds(r.report, 'OpenSg').includes('AwsSolutions-EC23'));
  });

  test('nested cloud assemblies (stages) and CDK nested-stack templates are checked', () => {
    const nestedTemplate = readTemplate('violation');
    const parent = {
      Resources: {
        ChildStackResource: {
          Type: 'AWS::CloudFormation::Stack',
          Properties: { TemplateURL: 'https://example.invalid/child.json' },
          Metadata: { 'aws:cdk:path': 'Stage/Parent/Child.NestedStack/Child.NestedStackResource', 'aws:asset:path': 'ParentChild.nested.template.json' },
        },
      },
    };
    const stageDir = makeAssembly(parent, { stackName: 'Parent', extraFiles: { 'ParentChild.nested.template.json': nestedTemplate } });
    const root = fs.mkdtempSync(path.join(tmpRoot, 'root-'));
    fs.renameSync(stageDir, path.join(root, 'assembly-Stage'));
    const m = JSON.parse(fs.readFileSync(path.join(root, 'assembly-Stage', 'manifest.json'), 'utf8'));
    m.artifacts.Parent.displayName = 'Stage/Parent';
    fs.writeFileSync(path.join(root, 'assembly-Stage', 'manifest.json'), JSON.stringify(m));
    fs.writeFileSync(path.join(root, 'manifest.json'), JSON.stringify({
      version: '55.0.0',
      artifacts: { assemblyStage: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Stage', displayName: 'Stage' } } },
    }));
    const r = gate(root);
    assert.equal(r.code, 1);
    const ec23 = r.report.errors.find((e) => e.ruleId === 'AwsSolutions-EC23');
    assert.equal(ec23?.stack, 'Stage/Parent/Child');
    assert.equal(ec23?.logicalId, 'OpenSg');
  });

  test('--markdown prints a pasteable suppressions table on stdout', () => {
    const r = gate(path.join(FIX, 'suppressed'), '--markdown');
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines[0], '| Stack | Resource | Rule | Reason |');
    assert.equal(lines[1], '| --- | --- | --- | --- |');
    assert.ok(lines.includes('| NagFixture | WildcardPolicy | `AwsSolutions-IAM5[Resource::*]` | Read-only GetObject on all buckets is required by the fixture auditor |'), r.stdout);
    assert.equal(lines.length, 5);
    assert.match(r.stderr, /nag-gate: PASSED/);
  });

  // Guards the assumptions the gate is built on: CfnInclude keeps resource Metadata, and the
  // "<id>[<applies_to>]" string is exactly the finding id cdk-nag 3 itself acknowledges.
  test('cdk-nag 3 native acknowledgement agrees with the applies_to translation', () => {
    const cdk = require('aws-cdk-lib');
    const { CfnInclude } = require('aws-cdk-lib/cloudformation-include');
    const { AwsSolutionsChecks } = require('cdk-nag');
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'Native');
    const inc = new CfnInclude(stack, 'T', { templateFile: path.join(FIX, 'suppressed', 'NagFixture.template.json') });
    const policy = inc.getResource('WildcardPolicy');
    const meta = policy.getMetadata('cdk_nag');
    assert.deepEqual(meta.rules_to_suppress[0].applies_to, ['Resource::*']);
    const ids = (rep) => rep.violations.map((v) => v.ruleName);
    const pack = new AwsSolutionsChecks();
    assert.ok(ids(pack.validateScope(stack)).includes('AwsSolutions-IAM5[Resource::*]'), 'cdk-nag 3 ignores cdk_nag template metadata');
    const s = meta.rules_to_suppress[0];
    cdk.Validations.of(policy).acknowledge({ id: `${s.id}[${s.applies_to[0]}]`, reason: s.reason });
    assert.ok(!ids(pack.validateScope(stack)).includes('AwsSolutions-IAM5[Resource::*]'));
  });
});
