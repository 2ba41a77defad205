// Tests of the rollout check on small fixture cloud assemblies: one base/new pair per finding class
// under fixtures/<case>/{base,new}. Run: node --test scripts/rollout-check/test/
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { run, runCli, caseArgs, runCase, editedCopy, lineOf, tempDir, FIX, REPO } from './helpers.mjs';
import { reuseFunctionAsset, synth, withWorktree, SynthError } from '../synth.mjs';

const copies = [];
const copy = (dir, edit) => {
  const c = editedCopy(dir, edit);
  copies.push(c);
  return c;
};
after(() => copies.forEach((c) => fs.rmSync(c, { recursive: true, force: true })));

const DATA = 'TradingPlatform-test-Data';
const API = 'TradingPlatform-test-Api';

test('unchanged: nothing to deploy, exit 0', () => {
  const r = runCase('unchanged');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Nothing to deploy: every stack is unchanged\./);
  for (const layer of ['Security', 'Data', 'Api']) assert.match(r.out, new RegExp(`== TradingPlatform-test-${layer} \\(${layer}\\): no changes`));
  assert.doesNotMatch(r.out, /BLOCKING|FAIL/);
});

// The real command as a new process, end to end (exit code and output); the other tests call main() in-process.
test('a stateful resource replaced is blocking, with its cause and replace policy', async () => {
  const r = await runCli(caseArgs('stateful-replacement'));
  assert.equal(r.code, 1, r.out);
  const line = lineOf(r.out, 'REPLACED', 'TradingDatabase138FA84A');
  assert.ok(line, r.out);
  assert.match(line, /AWS::RDS::DBCluster TradingDatabase138FA84A \[stateful\] \(caused by: DBClusterIdentifier\)\s+-> BLOCKING/);
  assert.match(r.out, /UpdateReplacePolicy Snapshot/);
  assert.match(r.out, /Layers to deploy, in order: Data\n/);
  assert.match(r.out, new RegExp(`FAIL: 1 blocking finding.*\\n.*--allow ${DATA}/TradingDatabase138FA84A`));
});

test('a locked bucket that predates Object Lock at creation, about to be replaced, names the context value that keeps it', () => {
  // The app sets the top-level ObjectLockEnabled on new buckets only; on an existing one CloudFormation replaces it.
  const r = runCase('object-lock-predating');
  assert.equal(r.code, 1, r.out);
  assert.match(lineOf(r.out, 'REPLACED', 'ArchivalBucketA1B2C3D4') ?? r.out, /\(caused by: ObjectLockEnabled\)\s+-> BLOCKING/);
  assert.match(r.out, /keep it in place by listing it in the context value bucketsPredatingObjectLock, in cdk\.json "bucketsPredatingObjectLock": \{"test": \["archival"\]\} \(or -c bucketsPredatingObjectLock=test:archival\)/);
});

test('a stateful resource destroyed is blocking', () => {
  const r = runCase('stateful-destruction');
  assert.equal(r.code, 1, r.out);
  assert.match(lineOf(r.out, 'DESTROYED', 'IngestionBucket917A3A3A') ?? r.out, /AWS::S3::Bucket IngestionBucket917A3A3A \[stateful\]\s+-> BLOCKING/);
});

test('a stateful resource renamed (destroyed + same type added) says to keep the logical id', () => {
  const renamed = copy(path.join(FIX, 'unchanged', 'new'), (t) => {
    t[DATA].Resources.TradingDatabaseRenamed = t[DATA].Resources.TradingDatabase138FA84A;
    delete t[DATA].Resources.TradingDatabase138FA84A;
  });
  const r = run(['--base-dir', path.join(FIX, 'unchanged', 'base'), '--new-dir', renamed]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /DESTROYED\s+AWS::RDS::DBCluster TradingDatabase138FA84A \[stateful\]\s+-> BLOCKING/);
  assert.match(r.out, /DeletionPolicy Snapshot: a final snapshot is taken/);
  assert.match(r.out, /a new AWS::RDS::DBCluster TradingDatabaseRenamed is added in the same stack: .*keep its old logical id/);
});

test('a retained resource removed from the template is ORPHANED, not destroyed, and does not block', () => {
  const r = runCase('retained-orphaned');
  assert.equal(r.code, 0, r.out);
  assert.match(lineOf(r.out, 'ORPHANED', 'ArchivalBucketA1B2C3D4') ?? r.out, /AWS::S3::Bucket ArchivalBucketA1B2C3D4 \[stateful\]$/);
  assert.match(r.out, /DeletionPolicy Retain: removed from the stack but kept in the account/);
  assert.doesNotMatch(r.out, /DESTROYED|BLOCKING/);
});

test('additions and in-place updates only: listed, the layer needs a deploy, exit 0', () => {
  const r = runCase('add-update-only');
  assert.equal(r.code, 0, r.out);
  assert.match(lineOf(r.out, 'updated', 'Function76856677') ?? r.out, /AWS::Lambda::Function Function76856677 \(Environment\)/);
  assert.match(lineOf(r.out, 'added', 'ErrorsAlarm1A2B3C4D') ?? r.out, /AWS::CloudWatch::Alarm ErrorsAlarm1A2B3C4D/);
  assert.match(r.out, /Layers to deploy, in order: Api\n/);
  assert.doesNotMatch(r.out, /REPLACED|DESTROYED|BLOCKING/);
});

test('IAM changes are listed statement by statement, and broadening is said', () => {
  const r = runCase('iam-change');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /IAM\s+\+ Allow dynamodb:DeleteItem on \* for AWS:\$\{FunctionServiceRole675BB04A\}/);
  assert.match(r.out, /IAM\s+permissions are broadened/);
  // Conditions read as one sentence, not as fragments of JSON ("when "StringEquals": {, ...").
  const kms = r.out.split('\n').find((l) => l.includes('kms:Decrypt')) ?? r.out;
  assert.ok(kms.endsWith(' when kms:ViaService = s3.us-west-2.amazonaws.com and kms:CallerAccount = 123456789012'
    + ' and kms:EncryptionContext:aws:s3:arn like arn:aws:s3:::trading-*/trades/* or arn:aws:s3:::trading-*/rejected/*'
    + ' and aws:SecureTransport = true and any of aws:PrincipalTag/team = risk (if present)'), kms);
});

test('security-group rule changes are listed', () => {
  const r = runCase('security-group-change');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /SEC GROUP\s+\+ ingress TCP 5432 from Everyone \(IPv4\) on \$\{DatabaseClientSecurityGroup147BB607\.GroupId\}/);
});

test('an export removed while the deployed consumer imports it is blocking, with the two-deploy fix', () => {
  const r = runCase('export-in-use-removed');
  assert.equal(r.code, 1, r.out);
  const name = `${DATA}:ExportsOutputFnGetAttDatabaseClientSecurityGroup147BB607GroupId128F80D8`;
  assert.match(lineOf(r.out, 'EXPORT', name) ?? r.out, new RegExp(`export ${name} is removed while ${API} imports it.*-> BLOCKING`));
  assert.match(r.out, new RegExp(`1\\. keep the export in ${DATA} with this\\.ExportValue\\(<the same value: \\{"Fn::GetAtt":\\["DatabaseClientSecurityGroup147BB607","GroupId"\\]\\}>\\), remove the reference from ${API}`));
  assert.match(r.out, new RegExp(`2\\. delete the ExportValue call and deploy ${DATA}`));
  assert.match(r.out, new RegExp(`--allow ${DATA}/export:${name}`));
  assert.match(r.out, /Layers to deploy, in order: Data, Api\n/);
});

test('an export no deployed stack imports may go', () => {
  const notImported = (t) => {
    delete t[API].Resources.Function76856677.Properties.Environment.Variables.TABLE;
  };
  const base = copy(path.join(FIX, 'unchanged', 'base'), notImported);
  const next = copy(path.join(FIX, 'unchanged', 'new'), (t) => {
    notImported(t);
    delete t[DATA].Outputs.SessionsTableName;
  });
  const r = run(['--base-dir', base, '--new-dir', next]);
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /EXPORT/);
});

test('an export whose value changes while imported is blocking', () => {
  const r = runCase('export-value-changed');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`EXPORT\\s+export SessionsTableName-test changes its value while ${API} imports it.*-> BLOCKING`));
  assert.match(r.out, /this\.ExportValue\(<old value: \{"Ref":"SessionsTable0A1B2C3D"\}>\)/);
});

test('an export whose expression is unchanged but whose resource is replaced changes value too', () => {
  const next = copy(path.join(FIX, 'unchanged', 'new'), (t) => {
    const table = t[DATA].Resources.SessionsTable0A1B2C3D.Properties;
    table.KeySchema = [{ AttributeName: 'sessionId', KeyType: 'HASH' }];
    table.AttributeDefinitions = [{ AttributeName: 'sessionId', AttributeType: 'S' }];
  });
  const r = run(['--base-dir', path.join(FIX, 'unchanged', 'base'), '--new-dir', next]);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /REPLACED\s+AWS::DynamoDB::Table SessionsTable0A1B2C3D \[stateful\] \(caused by: .*KeySchema.*\)\s+-> BLOCKING/);
  assert.match(r.out, /export SessionsTableName-test changes its value \(SessionsTable0A1B2C3D is replaced\) while/);
});

test('a renamed stack is reported: the old one stays deployed, the new one is created', () => {
  const r = runCase('stack-renamed');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`STACK GONE\\s+stack renamed\\? ${API} is gone and TradingPlatformV2-test-Api is new`));
  assert.match(r.out, /`cdk deploy` does not delete it/);
  assert.match(r.out, /NEW STACK\s+new stack: 4 resources created/);
  assert.match(r.out, /Layers to deploy, in order: Api\n/);
  // The old stack stays deployed, so the exports its consumers import are not "removed".
  assert.doesNotMatch(r.out, /EXPORT/);
});

test('a termination-protection change is reported from manifest.json and needs a deploy', () => {
  const r = runCase('termination-protection-changed');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /== TradingPlatform-test-Security \(Security\)\n\s+TERMINATION\s+termination protection on -> off/);
  assert.match(r.out, /Layers to deploy, in order: Security\n/);
});

test('--allow turns a blocking finding into exit 0 and says so', () => {
  let r = runCase('stateful-replacement', '--allow', `${DATA}/TradingDatabase138FA84A`);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, new RegExp(`REPLACED .*TradingDatabase138FA84A.*-> ALLOWED by --allow ${DATA}/TradingDatabase138FA84A`));
  assert.match(r.out, new RegExp(`Allowed by --allow: 1 finding\\(s\\): ${DATA}/TradingDatabase138FA84A`));
  assert.match(r.out, /OK: no blocking findings/);

  const name = `${DATA}:ExportsOutputFnGetAttDatabaseClientSecurityGroup147BB607GroupId128F80D8`;
  r = runCase('export-in-use-removed', '--allow', `${DATA}/export:${name}`);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /-> ALLOWED by --allow/);
});

test('--allowances FILE allows the findings it lists for this environment, each with its reason', () => {
  const dir = tempDir('allowances');
  copies.push(dir);
  const file = path.join(dir, 'rollout-allowances.json');
  fs.writeFileSync(file, JSON.stringify({
    test: [{ finding: `${DATA}/TradingDatabase138FA84A`, reason: 'the cluster is renamed on purpose in this release' }],
    prod: [{ finding: `${DATA}/Other`, reason: 'another environment: not applied here' }],
  }));
  let r = runCase('stateful-replacement', '-c', 'environmentSuffix=test', '--allowances', file);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /-> ALLOWED by --allow/);
  assert.match(r.out, new RegExp(`allowance \\(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): ${DATA}/TradingDatabase138FA84A: the cluster is renamed on purpose`));
  assert.doesNotMatch(r.out, /Other/);

  fs.writeFileSync(file, JSON.stringify({ test: [{ finding: `${DATA}/TradingDatabase138FA84A` }] }));
  r = runCase('stateful-replacement', '-c', 'environmentSuffix=test', '--allowances', file);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /needs a "reason"/);
});

test('an --allow that matches nothing is reported and allows nothing', () => {
  const r = runCase('stateful-replacement', '--allow', `${DATA}/NoSuchResource`);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, new RegExp(`WARNING: --allow ${DATA}/NoSuchResource matches no blocking finding`));
  assert.match(r.out, /-> BLOCKING/);
});

test('--report (or ROLLOUT_CHECK_REPORT=1) prints everything and exits 0', () => {
  for (const r of [runCase('stateful-replacement', '--report'), run(['--base-dir', path.join(FIX, 'stateful-replacement', 'base'), '--new-dir', path.join(FIX, 'stateful-replacement', 'new')], { ROLLOUT_CHECK_REPORT: '1' })]) {
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /REPLACED .*TradingDatabase138FA84A.*-> BLOCKING/);
    assert.match(r.out, /FAIL: 1 blocking finding/);
    assert.match(r.out, /Report mode \(--report\): exiting 0 anyway/);
  }
});

test('usage errors and unreadable assemblies exit 2', () => {
  assert.equal(run([]).code, 2);
  assert.equal(run(['HEAD', '--base-dir', 'x']).code, 2);
  assert.equal(run(['HEAD', '--allow', 'no-slash']).code, 2);
  const missing = run(['--base-dir', path.join(FIX, 'does-not-exist'), '--new-dir', path.join(FIX, 'unchanged', 'new')]);
  assert.equal(missing.code, 2);
  assert.match(missing.out, /ERROR: cannot read cloud assembly manifest/);
});

test('a base ref git does not know is a clear error', () => {
  const r = run(['no-such-ref-for-rollout-check']);
  assert.equal(r.code, 2, r.out);
  assert.match(r.out, /ERROR: base ref 'no-such-ref-for-rollout-check' is not a commit/);
});

test('an app that fails to synthesize is a clear error with its output', () => {
  const app = tempDir('badapp');
  copies.push(app);
  fs.writeFileSync(path.join(app, 'cdk.json'), JSON.stringify({ app: "bash -c 'echo the app broke >&2; exit 3'" }));
  assert.throws(
    () => synth({ repo: REPO, cwd: app, outDir: path.join(app, 'out'), context: [], what: 'base HEAD~1', isBase: true }),
    (e) => e instanceof SynthError && e.isBase && /the app of base HEAD~1 failed to synthesize/.test(e.message) && /the app broke/.test(e.message),
  );
});

test('the temporary worktree is removed even when the work in it fails', () => {
  let seen;
  assert.throws(() => withWorktree(REPO, 'HEAD', (dir) => {
    seen = dir;
    assert.ok(fs.existsSync(path.join(dir, 'cdk.json')), 'the ref is checked out');
    assert.ok(fs.lstatSync(path.join(dir, 'node_modules')).isSymbolicLink(), 'node_modules is borrowed');
    throw new Error('boom');
  }), /boom/);
  assert.ok(!fs.existsSync(seen));
  const list = spawnSync('git', ['-C', REPO, 'worktree', 'list'], { encoding: 'utf8' }).stdout;
  assert.ok(!list.includes(seen), list);
});

test('the base build reuses the published function only when the base commit has the same function', () => {
  // Unchanged since HEAD: the working tree's publish is copied in (the base build then skips its ReadyToRun step).
  const asset = path.join(REPO, 'artifacts', 'functions', 'DataProcessor', 'DataProcessor.dll');
  assert.ok(fs.existsSync(asset), 'the working tree is built (npm test builds it first)');
  const clean = spawnSync('git', ['-C', REPO, 'status', '--porcelain', '--', 'src/Functions/DataProcessor', 'TradingPlatform.csproj'], { encoding: 'utf8' }).stdout;
  if (clean === '') {
    withWorktree(REPO, 'HEAD', (dir) => {
      assert.equal(reuseFunctionAsset(REPO, 'HEAD', dir), true);
      assert.ok(fs.existsSync(path.join(dir, 'artifacts', 'functions', 'DataProcessor', 'DataProcessor.dll')));
    });
  }
  // Before the last commit that changed the function, the function differs: it must be published anew.
  const changed = spawnSync('git', ['-C', REPO, 'log', '-1', '--format=%H', '--', 'src/Functions/DataProcessor'], { encoding: 'utf8' }).stdout.trim();
  withWorktree(REPO, `${changed}~1`, (dir) => {
    assert.equal(reuseFunctionAsset(REPO, `${changed}~1`, dir), false);
    assert.ok(!fs.existsSync(path.join(dir, 'artifacts', 'functions', 'DataProcessor')), 'nothing copied');
  });
});

// ---- Progressive delivery (issue 17) ------------------------------------------------------------------------------

/** The fixture's Api stack with a CodeDeploy-shifted alias `live` on Function76856677 at version `versionId`. */
function withShiftedAlias(templates, { versionId, configName = 'CodeDeployDefault.LambdaCanary10Percent10Minutes', rollback = true } = {}) {
  const r = templates[API].Resources;
  r[versionId] = { Type: 'AWS::Lambda::Version', Properties: { FunctionName: { Ref: 'Function76856677' } } };
  r.CheckFunction1A2B3C4D = { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'data-processor-test-pre-traffic', Timeout: 60 } };
  r.ErrorsAlarm5E6F7A8B = { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: 'trading-test-ingestion-new-version-errors' } };
  r.DeploymentGroup6D277AF0 = {
    Type: 'AWS::CodeDeploy::DeploymentGroup',
    Properties: {
      DeploymentConfigName: configName,
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: 'ErrorsAlarm5E6F7A8B' } }] },
      AutoRollbackConfiguration: { Enabled: rollback, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    },
  };
  r.LiveAlias9B8FFEA9 = {
    Type: 'AWS::Lambda::Alias',
    Properties: { Name: 'live', FunctionName: { Ref: 'Function76856677' }, FunctionVersion: { 'Fn::GetAtt': [versionId, 'Version'] } },
    UpdatePolicy: {
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: 'data-processor-test',
        DeploymentGroupName: { Ref: 'DeploymentGroup6D277AF0' },
        BeforeAllowTrafficHook: { Ref: 'CheckFunction1A2B3C4D' },
      },
    },
  };
}

test('a new version of a CodeDeploy-shifted function: the report says how traffic shifts, what rolls back, and how long deploy waits', () => {
  const base = copy(path.join(FIX, 'unchanged', 'base'), (t) => withShiftedAlias(t, { versionId: 'FunctionCurrentVersionAAAA1111' }));
  const next = copy(path.join(FIX, 'unchanged', 'base'), (t) => withShiftedAlias(t, { versionId: 'FunctionCurrentVersionBBBB2222' }));
  const r = run(['--base-dir', base, '--new-dir', next]);
  assert.equal(r.code, 0, r.out);
  const line = lineOf(r.out, 'TRAFFIC', 'Function76856677') ?? r.out;
  assert.match(line, /alias live: a new version; CodeDeploy shifts traffic canary 10% for 10 min, then all \(CodeDeployDefault\.LambdaCanary10Percent10Minutes\), after the pre-traffic check data-processor-test-pre-traffic/);
  assert.match(r.out, /rolls back on: a failed deployment; a stopped deployment; alarm trading-test-ingestion-new-version-errors/);
  assert.match(r.out, /`cdk deploy` of this layer waits about 11 min \(the pre-traffic check, up to 1 min, then 10 min of shifting\)/);

  // The same version on both sides (nothing about the function changed): no traffic line.
  assert.doesNotMatch(run(['--base-dir', base, '--new-dir', base]).out, /TRAFFIC/);
});

test('a shift without rollback is called out, and a linear shift is timed by its steps', () => {
  const base = copy(path.join(FIX, 'unchanged', 'base'), (t) => withShiftedAlias(t, { versionId: 'FunctionCurrentVersionAAAA1111' }));
  const next = copy(path.join(FIX, 'unchanged', 'base'), (t) =>
    withShiftedAlias(t, { versionId: 'FunctionCurrentVersionBBBB2222', configName: 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute', rollback: false }));
  const r = run(['--base-dir', base, '--new-dir', next]);
  assert.match(r.out, /shifts traffic linear 10% more every 1 min/);
  assert.match(r.out, /NO automatic rollback/);
  assert.match(r.out, /waits about 10 min \(the pre-traffic check, up to 1 min, then 9 min of shifting\)/);
});

test('an alias new in this release is created at its version at once, and the report says so', () => {
  const next = copy(path.join(FIX, 'unchanged', 'base'), (t) => withShiftedAlias(t, { versionId: 'FunctionCurrentVersionBBBB2222' }));
  const r = run(['--base-dir', path.join(FIX, 'unchanged', 'base'), '--new-dir', next]);
  assert.match(lineOf(r.out, 'TRAFFIC', 'alias live') ?? r.out, /created at the current version, taking all of its traffic at once/);
});

test('updates of CDK metadata only are one line per stack, other updates stay listed one by one', () => {
  const next = copy(path.join(FIX, 'unchanged', 'base'), (t) => {
    for (const resource of Object.values(t[API].Resources)) resource.Metadata = { 'aws:cdk:path': 'moved/elsewhere' };
    t[API].Resources.Function76856677.Properties.MemorySize = 1024;
  });
  const r = run(['--base-dir', path.join(FIX, 'unchanged', 'base'), '--new-dir', next]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /updated\s+3 resources: CDK metadata only \(no change to the resources themselves\)/);
  assert.match(lineOf(r.out, 'updated', 'Function76856677') ?? r.out, /Function76856677 \(MemorySize, Metadata\)/);
  assert.equal(r.out.split('\n').filter((l) => l.trimStart().startsWith('updated')).length, 2, r.out);
});
