// The CloudFormation linter gate's own tests: what CloudFormation would refuse fails it, in the regions that refuse
// it; warnings fail unless allowed with a reason; stale allowances and a stale pipeline region table fail; the linter's
// cross-region quirk is not reported as an error; a missing or older cfn-lint stops it. Run: node --test scripts/lint-gate/test/
//
// A few tests run the real cfn-lint (1.5-2 s of CPU each: Python loading its schemas) on small fixtures linted for three
// regions (fixtures/regions.json: us-east-1, ca-west-1, us-gov-west-1); the others hand the gate a stand-in cfn-lint
// that prints given findings, so its own logic is tested in milliseconds.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyAllowances, checkRegionTable, CFN_LINT_VERSION, loadAllowances, main } from '../gate.mjs';
import { gateHarness, runMain, writeOneStackAssembly } from '../../lib/test-support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIX = path.join(here, 'fixtures');
const REGIONS = path.join(FIX, 'regions.json');
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-gate-test-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

const read = (name) => JSON.parse(fs.readFileSync(path.join(FIX, name), 'utf8'));
const assembly = (name, stackName) => writeOneStackAssembly(tmpRoot, read(name), { stackName });
const file = (name, content) => {
  const p = path.join(fs.mkdtempSync(path.join(tmpRoot, 'f-')), name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const NO_ALLOWANCES = file('allowances.json', []);

/** A stand-in cfn-lint: prints `version` for --version, else the given findings as cfn-lint's JSON, with exit code `code`. */
function fakeCfnLint({ version = `cfn-lint ${CFN_LINT_VERSION}`, findings = [], code = 0 } = {}) {
  const out = file('findings.json', findings);
  const script = file('cfn-lint', `#!/bin/sh\nif [ "$1" = --version ]; then echo '${version}'; exit 0; fi\ncat '${out}'\nexit ${code}\n`);
  fs.chmodSync(script, 0o755);
  return script;
}
const finding = (filename, rule, level, message, resource) => ({
  Filename: filename, Level: level, Message: message, Rule: { Id: rule }, Location: { Path: ['Resources', resource, 'Properties'] },
});

const { gate, gateCli } = gateHarness({ main, cli: path.join(here, '..', 'index.mjs'), tmpRoot, stackName: 'unused', io: { lanes: 1 } });

describe('lint-gate', { concurrency: Math.max(2, os.availableParallelism()) }, () => {
  // One run (cfn-lint's start-up, loading its schemas, is most of these tests' time: two cfn-lint runs, one lane) over a
  // sound pipeline and two damaged templates: each finding is attributed to its own template.
  test('what CloudFormation would refuse fails the gate, with its rule and the regions that refuse it; a sound pipeline passes', async () => {
    const sound = assembly('pipeline.template.json', 'Pipeline');
    const pipeline = assembly('damaged-pipeline.template.json', 'DamagedPipeline');
    const environment = assembly('damaged-environment.template.json', 'DamagedEnvironment');
    const r = await gate('--regions', REGIONS, '--allowances', NO_ALLOWANCES, sound, pipeline, environment);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const errors = r.report.errors.map((f) => `${f.stack} ${f.resource} ${f.rule} ${f.regions.join(' ')}`);
    // A policy that names the pipeline by Ref, which the pipeline waits for: the cycle the delivery app had.
    assert.ok(errors.includes('DamagedPipeline DenyApproval E3004 ca-west-1 us-east-1 us-gov-west-1'), errors.join('\n'));
    // An instance class that exists in us-east-1 only, of these three regions; a resource type GovCloud and ca-west-1 lack.
    assert.ok(errors.includes('DamagedEnvironment Db E3025 ca-west-1 us-gov-west-1'), errors.join('\n'));
    // A type some regions lack that the table does not list (the app neither refuses nor leaves it out there): an error.
    assert.ok(errors.includes('DamagedEnvironment Budget E3006 ca-west-1 us-gov-west-1'), errors.join('\n'));
    // A real duplicate output artifact name is still an error (from the single-region run)...
    assert.ok(errors.some((e) => e.startsWith('DamagedPipeline Pipeline E3701 ')), errors.join('\n'));
    // ... while the sound pipeline's unique names are not (E3701 of the several-regions run is not reported): no finding at all.
    assert.deepEqual([...r.report.errors, ...r.report.warnings].filter((f) => f.stack === 'Pipeline'), []);
    // An action that does not exist is a warning, which fails unless allowed.
    assert.deepEqual(r.report.warnings.map((f) => `${f.resource} ${f.rule}`), ['DenyApproval W3037']);
    assert.match(r.report.warnings[0].message, /'getobjekt' is not one of/);
    // The notification rules where the table lists them (the app refuses or leaves them out there): expected, not errors.
    assert.ok(!errors.some((e) => e.includes(' Notifications ')), errors.join('\n'));
    assert.match(r.stdout, /Region table confirmed .*: AWS::CodeStarNotifications::NotificationRule missing in ca-west-1 us-gov-west-1/);
    assert.match(r.stdout, /lint-gate: FAILED/);
  });

  test('premise: cfn-lint linting several regions at once reports a unique artifact name as a duplicate (why E3701 runs per region)', () => {
    let out = '';
    try {
      execFileSync('cfn-lint', ['--format', 'parseable', '--regions', 'us-east-1', 'ca-west-1', '--', path.join(FIX, 'pipeline.template.json')], { encoding: 'utf8' });
    } catch (e) {
      out = e.stdout;
    }
    assert.match(out, /E3701:'Source_Output' is already a defined 'OutputArtifact' Name/,
      'if this no longer happens (a fixed cfn-lint), PER_TEMPLATE_RULES can go');
  });

  test('a warning allowed with a reason passes; an allowance that matches nothing fails, except in a partial run', async () => {
    const dir = assembly('damaged-environment.template.json', 'Stack');
    const cfnLint = fakeCfnLint({ code: 4, findings: [
      finding(path.join(dir, 'Stack.template.json'), 'W3005', 'Warning', "'RoleA' dependency already enforced", 'FunctionA')] });
    const allow = { rule: 'W3005', resource: 'Function[A-Z]', reason: 'generated by the library, harmless: CloudFormation orders by both' };
    const stale = { rule: 'W3037', resource: 'Nothing', reason: 'a stale excuse that no finding needs any more' };
    // A region table without gaps: the stand-in reports none, and this test is about allowances.
    const regions = file('regions.json', { recoveryDefaults: { 'us-east-1': 'us-west-2' } });
    const lint = (allowances, ...more) => runMain(main, ['--regions', regions, '--allowances', file('a.json', allowances), ...more, dir], { cfnLint, lanes: 1 });

    let r = await lint([]);
    assert.equal(r.code, 1, 'an unallowed warning fails');
    assert.match(r.stdout, /Warnings not allowed \(1\)/);
    r = await lint([allow]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    r = await lint([allow, stale]);
    assert.equal(r.code, 1, 'a stale allowance fails');
    assert.match(r.stdout, /Allowances that matched nothing \(1\)/);
    r = await lint([allow, stale], '--partial');
    assert.equal(r.code, 0, `a partial run reports it without failing: ${r.stdout}`);
  });

  test('allowances are for warnings only, each with a reason and valid patterns', () => {
    const { problems } = loadAllowances(file('a.json', [
      { rule: 'E3004', resource: 'Pipeline', reason: 'a cycle cannot be excused by any reason at all' },
      { rule: 'W3005', resource: 'X', reason: 'too short' },
      { rule: 'W3005', resource: '(', reason: 'an unbalanced pattern matches nothing it should' },
      { rule: 'W3005', resource: 'X', reason: 'an unknown key is a typo that would widen the match', resources: 'Y' },
    ]));
    assert.equal(problems.length, 4, problems.join('\n'));
    assert.match(problems[0], /errors are never allowed/);
    assert.match(problems[1], /reason of at least 20 characters/);
    assert.match(problems[2], /not a regular expression/);
    assert.match(problems[3], /unknown property 'resources'/);
    // A resource pattern matches whole logical ids: "Function" does not allow "FunctionServiceRole".
    const { allowances } = loadAllowances(file('a.json', [{ rule: 'W3005', resource: 'Function', reason: 'whole logical ids only, never a prefix' }]));
    const [f] = applyAllowances([{ rule: 'W3005', resource: 'FunctionServiceRole', stack: 'S', message: 'm' }], allowances);
    assert.equal(f.allowedBy, undefined);
  });

  test('the region table is checked both ways: a gap it omits is an error, an entry the linter does not confirm is stale', () => {
    const stacks = [{ name: 'Pipeline', templatePath: path.join(FIX, 'pipeline.template.json') }];
    const gap = (type, regions) => ({ stack: 'Pipeline', rule: 'E3006', level: 'Error', resource: 'X', message: `Resource type '${type}' does not exist`, regions });
    const table = { 'us-gov-west-1': ['AWS::CodeStarNotifications::NotificationRule'], 'ca-west-1': ['AWS::CodePipeline::Pipeline', 'AWS::Budgets::Budget'] };
    const r = checkRegionTable([gap('AWS::CodeStarNotifications::NotificationRule', ['ca-west-1', 'us-gov-west-1'])], stacks, table);
    assert.deepEqual(r.findings.map((f) => f.regions), [['ca-west-1']], 'ca-west-1 lacks notifications but the table does not say so: an error');
    // The pipeline is in a linted template, so its entry must be confirmed; no linted template has a budget: nothing to confirm.
    assert.deepEqual(r.problems.length, 1, r.problems.join('\n'));
    assert.match(r.problems[0], /says ca-west-1 lacks AWS::CodePipeline::Pipeline, but the linter finds it there/);
  });

  test('a missing or older cfn-lint stops the gate with what to install; a run that lints nothing never passes', async () => {
    const dir = assembly('pipeline.template.json', 'Stack');
    let r = await runMain(main, ['--regions', REGIONS, dir], { cfnLint: fakeCfnLint({ version: 'cfn-lint 1.40.2' }) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`cfn-lint 1\\.40\\.2 is older than ${CFN_LINT_VERSION}.*pip install cfn-lint==${CFN_LINT_VERSION}`));
    r = await runMain(main, ['--regions', REGIONS, dir], { cfnLint: path.join(tmpRoot, 'no-such-cfn-lint') });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cfn-lint is not installed: pip install cfn-lint==/);
    // The real command as a new process: an assembly without templates is a usage error, never a pass.
    r = await gateCli('--regions', REGIONS, fs.mkdtempSync(path.join(tmpRoot, 'empty-')));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /a gate that lints nothing never passes/);
  });
});
