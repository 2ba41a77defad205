// The Control Tower gate's own tests: it must fail on a known violation, honour (and police)
// suppressions in resource metadata, and never pass on nothing. Run: node --test scripts/guard-gate/test/
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { applicableRuleFiles, loadCatalog, main } from '../gate.mjs';
import { gateHarness } from '../../lib/test-support.mjs';

const CONCURRENCY = Math.max(2, os.availableParallelism());
const here = path.dirname(fileURLToPath(import.meta.url));
const GATE = path.join(here, '..', 'index.mjs');
const FIX = path.join(here, 'fixtures');

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-gate-test-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

// The fixtures are KMS keys. Parsing all 237 Control Tower rules is ~2 s of CPU per cfn-guard run, almost all of
// these tests' time; in-process runs therefore use the package's real KMS rules only (the gate's logic is the same
// whatever the rule set), and the end-to-end command below runs with every rule, as npm run compliance does.
const ALL_RULES = path.join(path.dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules', 'control-tower', 'cfn-guard');
const KMS_RULES = path.join(ALL_RULES, 'keymanagementservice');

// gate(...) runs main() of gate.mjs in this process (cfn-guard is still its own process), gateCli(...) the real
// command as a new process; both resolve to { code, stdout, stderr, report } (report = --json output).
const { gate, gateCli, makeAssembly } = gateHarness({ main, cli: GATE, tmpRoot, stackName: 'GuardFixture', io: { rulesDir: KMS_RULES } });

const readTemplate = (name) => JSON.parse(fs.readFileSync(path.join(FIX, name, 'GuardFixture.template.json'), 'utf8'));

const failing = (report, logicalId) => report.failures.filter((f) => !logicalId || f.logicalId === logicalId).map((f) => f.control);
const suppressKey = (reason, rule = 'kms_create_grant_aws_service_check') => ({ guard: { SuppressedRules: [rule], SuppressionReasons: reason === undefined ? {} : { [rule]: reason } } });

// The tests are independent (each its own assembly and report file) and wait for cfn-guard: they run concurrently,
// as many as there are cores, so the runs of different tests share the machine instead of queueing.
describe('guard-gate', { concurrency: CONCURRENCY }, () => {
  test('an assembly given through a symbolic link is checked like the folder it links to', async () => {
    // npm run compliance links cdk.out/presets/<preset> to the synth cache; cfn-guard names templates by real path.
    const link = path.join(tmpRoot, 'violation-link');
    fs.symlinkSync(path.join(FIX, 'violation'), link, 'dir');
    const r = await gate(link);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(failing(r.report, 'OpenKey').includes('CT.KMS.PR.3'), r.stdout);
    assert.doesNotMatch(r.stdout, /GuardFailed/);
  });

  // The real command as a new process, end to end; the other tests call main() in-process.
  test('a known Control Tower violation fails with stack, logical id and control in the output', async () => {
    const r = await gateCli(path.join(FIX, 'violation'));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const line = r.stdout.split('\n').find((l) => l.includes('OpenKey'));
    assert.ok(line, r.stdout);
    assert.match(line, /GuardFixture\s*\|\s*OpenKey\s*\|\s*kms_create_grant_aws_service_check\s*\|\s*CT\.KMS\.PR\.3/);
    assert.match(r.stdout, /guard-gate: FAILED/);
    assert.deepEqual(failing(r.report), ['CT.KMS.PR.3'], 'only OpenKey fails: GuardedKey has the deny-CreateGrant statement');
  });

  test('a suppression with a specific reason in Metadata.guard is honoured', async () => {
    const r = await gate(path.join(FIX, 'suppressed'), '--suppressions');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /guard-gate: PASSED/);
    assert.equal(r.report.suppressed.length, 1);
    assert.equal(r.report.suppressed[0].logicalId, 'OpenKey');
    assert.match(r.stdout, /OpenKey\s*\|\s*CT\.KMS\.PR\.3\s*\|\s*1\s*\|\s*Fixture key/);
  });

  test('a suppression may name the Control Tower id instead of the guard rule name', async () => {
    const t = readTemplate('violation');
    t.Resources.OpenKey.Metadata = suppressKey('Fixture key whose grants are audited by the fixture owner', 'CT.KMS.PR.3');
    const r = await gate(makeAssembly(t));
    assert.equal(r.code, 0, r.stdout);
  });

  test('a suppression without a reason, or with a short one, is an error and does not hide the finding', async () => {
    for (const reason of [undefined, 'too short']) {
      const t = readTemplate('violation');
      t.Resources.OpenKey.Metadata = suppressKey(reason);
      const r = await gate(makeAssembly(t));
      assert.equal(r.code, 1);
      const rules = r.report.failures.filter((f) => f.logicalId === 'OpenKey').map((f) => f.rule);
      assert.ok(rules.includes(reason ? 'GuardGate-ShortReason' : 'GuardGate-MissingReason'), JSON.stringify(rules));
      assert.ok(rules.includes('kms_create_grant_aws_service_check'), 'an ignored suppression must not hide the finding');
    }
  });

  test('a suppression of an unknown rule is an error (typos do not silently pass)', async () => {
    const t = readTemplate('violation');
    t.Resources.OpenKey.Metadata = suppressKey('a reason that is long enough for the gate', 'kms_create_grant_check_typo');
    const r = await gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.ok(r.report.failures.some((f) => f.rule === 'GuardGate-UnknownRule'));
  });

  test('a suppression on another resource does not apply, and an unused suppression is reported', async () => {
    const t = readTemplate('violation');
    t.Resources.GuardedKey.Metadata = suppressKey('a reason that is long enough for the gate');
    const r = await gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.deepEqual(failing(r.report, 'OpenKey'), ['CT.KMS.PR.3']);
    assert.equal(r.report.unused.length, 1);
    assert.match(r.stdout, /matched no finding/);
  });

  test('template-level suppressions are rejected', async () => {
    const t = readTemplate('violation');
    t.Metadata = suppressKey('a blanket suppression for the whole stack');
    const r = await gate(makeAssembly(t));
    assert.equal(r.code, 1);
    assert.ok(r.report.failures.some((f) => f.rule === 'GuardGate-StackLevelSuppression'));
  });

  test('an assembly without stacks exits 2', async () => {
    const r = await gate(path.join(FIX, 'empty'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no CloudFormation stacks found/);
  });

  test('a missing assembly, or an empty one among several, exits 2', async () => {
    assert.equal((await gate(path.join(tmpRoot, 'does-not-exist'))).code, 2);
    assert.equal((await gate(path.join(FIX, 'suppressed'), path.join(FIX, 'empty'))).code, 2);
  });

  test('usage errors exit 2', () => {
    const r = spawnSync(process.execPath, [GATE, '--no-such-flag'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
  });

  test('an unreadable template is an error, not a pass', async () => {
    const dir = makeAssembly({ Resources: {} });
    fs.writeFileSync(path.join(dir, 'GuardFixture.template.json'), '{ not json');
    const r = await gate(dir);
    assert.equal(r.code, 1);
    assert.ok(r.report.failures.some((f) => f.rule === 'GuardGate-TemplateUnreadable'));
  });

  test('several assemblies are checked in one run, findings named per assembly', async () => {
    const r = await gate(path.join(FIX, 'violation'), path.join(FIX, 'suppressed'));
    assert.equal(r.code, 1);
    assert.deepEqual(r.report.failures.map((f) => f.stack), [`${path.join(FIX, 'violation')}:GuardFixture`]);
    assert.equal(r.report.suppressed.length, 1);
  });

  test('--markdown prints the suppressions table of docs/compliance.md on stdout, deduplicated across assemblies', async () => {
    const r = await gate(path.join(FIX, 'suppressed'), '--markdown');
    assert.equal(r.code, 0);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines, [
      '| Layer | Resource | Control Tower rule | Reason |',
      '| --- | --- | --- | --- |',
      '| GuardFixture | Keys/OpenKey | `CT.KMS.PR.3` | Fixture key whose grants are audited by the fixture owner |',
    ]);
    assert.match(r.stderr, /guard-gate: PASSED/);

    const copy = path.join(tmpRoot, 'copy');
    fs.cpSync(path.join(FIX, 'suppressed'), copy, { recursive: true });
    const r2 = await gate(path.join(FIX, 'suppressed'), copy, path.join(FIX, 'violation'), '--markdown');
    assert.equal(r2.stdout.trim().split('\n').length, 3, r2.stdout);
    assert.match(r2.stdout, /\(only in copy, suppressed\)/);
  });

  // The gate runs each template against the rule files that name one of its resource types only (cfn-guard's time is
  // spent evaluating rules: 658 instead of 20 x 237 evaluations, 52 -> 15 s for the 20 templates npm run compliance
  // checks, with the same report). The tests below hold up that shortcut.
  test('a rule file runs when it names a resource type the templates hold, or names none; not otherwise', () => {
    const catalog = {
      files: ['bucket.guard', 'key.guard', 'bucket-or-table.guard', 'untyped.guard'],
      typesOf: new Map([
        ['bucket.guard', ['AWS::S3::Bucket']],
        ['key.guard', ['AWS::KMS::Key']],
        ['bucket-or-table.guard', ['AWS::DynamoDB::Table', 'AWS::S3::Bucket']],
        ['untyped.guard', []],
      ]),
    };
    assert.deepEqual(applicableRuleFiles(catalog, new Set(['AWS::S3::Bucket'])), ['bucket.guard', 'bucket-or-table.guard', 'untyped.guard']);
    assert.deepEqual(applicableRuleFiles(catalog, new Set(['AWS::KMS::Key'])), ['key.guard', 'untyped.guard']);
    assert.deepEqual(applicableRuleFiles(catalog, new Set()), ['untyped.guard']);
  });

  test('every template rule of the package checks only resources selected by a type its file names', () => {
    // What leaving a file out relies on: each rule that applies to a template (`rule R when is_cfn_template(...)`)
    // is also guarded by `%v not empty`, v selected as `Resources[.*][ Type == %T (or Type == %U ...) ]` with T, U
    // types the file names: with none of them in a template, v is empty and the rule is skipped. A rule of a newer
    // package that checks anything else makes this fail: such a file would have to run always (applicableRuleFiles).
    const catalog = loadCatalog(ALL_RULES);
    assert.equal(catalog.files.length, 237);
    const unsound = [];
    for (const file of catalog.files) {
      const text = fs.readFileSync(file, 'utf8').replace(/#.*$/gm, '');
      const constants = new Map([...text.matchAll(/^let\s+(\w+)\s*=\s*["'](AWS::[^"']+)["']/gm)].map((m) => [m[1], m[2]]));
      // A selection by type only: every alternative of its filter is `Type == %CONSTANT` naming one of the file's types.
      const typedSelections = new Set([...text.matchAll(/^let\s+(\w+)\s*=\s*Resources(?:\.\*)?\[([^\]]*)\]/gm)]
        .filter(([, , filter]) => filter.split(/\bor\b/).every((alternative) => {
          const type = /^\s*Type\s*==\s*%(\w+)\s*$/.exec(alternative)?.[1];
          return type !== undefined && catalog.typesOf.get(file).includes(constants.get(type));
        }))
        .map(([, name]) => name));
      const rules = [...text.matchAll(/^rule\s+(\w+)\s+when\s+is_cfn_template\([^)]*\)([^{]*)\{/gm)];
      if (rules.length === 0) unsound.push(`${path.relative(ALL_RULES, file)}: no rule for templates`);
      for (const [, name, condition] of rules) {
        const guards = [...condition.matchAll(/%(\w+)\s+(?:not\s+empty|!empty)/g)].map((m) => m[1]);
        if (!guards.length || !guards.every((v) => typedSelections.has(v))) unsound.push(`${path.relative(ALL_RULES, file)}: ${name} (${condition.trim()})`);
      }
    }
    assert.deepEqual(unsound, []);
  });

  test('the rule files run report what every rule file reports (the real command, both ways)', async () => {
    const [some, all] = await Promise.all([gateCli(path.join(FIX, 'violation')), gateCli('--all-rules', path.join(FIX, 'violation'))]);
    assert.equal(some.code, 1, some.stdout + some.stderr);
    assert.equal(all.code, 1, all.stdout + all.stderr);
    assert.deepEqual(some.report.failures, all.report.failures);
    const ran = Number(/(\d+) of 237 rule files run/.exec(some.stdout)?.[1]);
    assert.ok(ran > 0 && ran < 237, some.stdout);
    assert.match(all.stdout, /237 of 237 rule files run \(--all-rules\)/);
  });

  test('each template meets only the rules for its own types, one cfn-guard run per set of rules; a template no rule names passes', async () => {
    // KMS_RULES: every file names AWS::KMS::Key (and some AWS::KMS::Alias). A template of a type no rule names is
    // not given to cfn-guard at all, and is neither a finding nor a gate error; the KMS template is checked as before.
    const unruled = makeAssembly({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } });
    const r = await gate(unruled, path.join(FIX, 'violation'));
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.deepEqual(failing(r.report), ['CT.KMS.PR.3'], r.stdout);
    assert.match(r.stdout, /in 1 cfn-guard run\(s\)/);
    const alone = await gate(unruled);
    assert.equal(alone.code, 0, alone.stdout + alone.stderr);
    assert.match(alone.stdout, /0 template x rule file evaluations in 0 cfn-guard run\(s\)/);
  });
});
