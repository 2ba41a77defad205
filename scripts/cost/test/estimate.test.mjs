// estimate.mjs on small fixture templates. Every expected figure is computed here by hand from the listed price
// (us-east-1, scripts/cost/prices.json of its asOf) and the 730-hour month, never taken from the tool's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimate, totals, CostError } from '../estimate.mjs';
import { prices, stack } from './helpers.mjs';

const durations = { handlerMs: { 1: 0.022, 100: 0.24, 1000: 1.739, 5000: 8.634 } };
// A usage of round numbers, independent of cost-usage.json.
const U = {
  batchesPerDay: 1000, tradesPerBatch: 100, bytesPerTrade: 200, aggregateBytesPerBatch: 1000, monthsOfData: 12,
  storageWaitMsPerBatch: 60, registryReadsPerBatch: 1, functionLogBytesPerBatch: 1000, apiAccessLogBytesPerBatch: 500,
  apiExecutionLogBytesPerBatch: 2000, wafLogBytesPerBatch: 1000, flowLogBytesPerBatch: 500, natBytesPerBatch: 1000,
  s3AccessLogBytesPerRequest: 300, databaseGB: 10, databaseIoMillionsPerMonth: 2, databaseAwakeHoursPerDay: 4, tablesGB: 2,
  configItemsPerMonth: 100, configRuleEvaluationsPerMonth: 1000, alertNotificationsPerMonth: 100, alertEmailsPerNotification: 1,
  tokenRequestsPerClientPerDay: 24, cloudTrailManagementEventsPerMonth: 100000, cloudTrailIsAdditionalCopy: true,
  releasesPerMonth: 10, buildMinutesPerRun: 5, actionMinutesPerRun: 5,
};
const run = (stacks, usage = {}) => estimate(stacks, { prices, usage: { ...U, ...usage }, durations });
const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: expected ${expected}, got ${actual}`);
const fixedOf = (r, type) => totals(r, (l) => l.type === type && l.kind === 'fixed').fixed;
const BATCHES = 1000 * (730 / 24); // a month of U's batches

test('network: a NAT gateway, its address, a gateway endpoint (free) and an interface endpoint in two AZs', () => {
  const r = run([stack('TradingPlatform-t-Network', {
    Nat: { Type: 'AWS::EC2::NatGateway', Properties: {} },
    Ip: { Type: 'AWS::EC2::EIP', Properties: {} },
    S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
    Sts: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
    Vpc: { Type: 'AWS::EC2::VPC', Properties: {} },
  })]);
  close(fixedOf(r, 'AWS::EC2::NatGateway'), 730 * 0.045, 'NAT: 730 h x $0.045');
  close(fixedOf(r, 'AWS::EC2::EIP'), 730 * 0.005, 'public IPv4: 730 h x $0.005');
  close(fixedOf(r, 'AWS::EC2::VPCEndpoint'), 2 * 730 * 0.01, 'interface endpoint: 2 AZs x 730 h x $0.01; the gateway one free');
  close(totals(r).fixed, 32.85 + 3.65 + 14.6, 'fixed total');
  // The NAT's data: 1,000 bytes a batch at $0.045 per GB.
  close(totals(r).batch, BATCHES * 1000 / 1e9 * 0.045, 'NAT bytes');
  assert.deepEqual(r.free.map((f) => f.type), ['AWS::EC2::VPC']);
  assert.deepEqual(r.notPriced, []);
});

test('monitoring: alarms by kind, a composite alarm and a dashboard', () => {
  const r = run([stack('TradingPlatform-t-Api', {
    Std: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 300, MetricName: 'Errors' } },
    High: { Type: 'AWS::CloudWatch::Alarm', Properties: { Period: 10, MetricName: 'Errors' } },
    Math: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'e', Expression: 'a+b' }, { Id: 'a', MetricStat: { Period: 60 } }, { Id: 'b', MetricStat: { Period: 60 } }] } },
    Anomaly: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ Id: 'ad', Expression: 'ANOMALY_DETECTION_BAND(m, 2)' }, { Id: 'm', MetricStat: { Period: 300 } }], ThresholdMetricId: 'ad' } },
    Comp: { Type: 'AWS::CloudWatch::CompositeAlarm', Properties: {} },
    Board: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
  })]);
  close(fixedOf(r, 'AWS::CloudWatch::Alarm'), 0.10 + 0.30 + 2 * 0.10 + 3 * 0.10, 'standard $0.10, high-res $0.30, math 2 metrics, anomaly 3 metrics');
  close(totals(r).fixed, 0.9 + 0.5 + 3, 'with the composite ($0.50) and the dashboard ($3)');
});

test('keys: $1 a key-month, each rotated version $1 more up to two rotations', () => {
  const keys = { A: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } }, B: { Type: 'AWS::KMS::Key', Properties: {} } };
  close(totals(run([stack('TradingPlatform-t-Security', keys)], { monthsOfData: 0.5 })).total, 2, 'two keys, no rotation yet');
  close(totals(run([stack('TradingPlatform-t-Security', keys)], { monthsOfData: 12 })).total, 3, 'a year: the rotating key has one rotated version');
  close(totals(run([stack('TradingPlatform-t-Security', keys)], { monthsOfData: 60 })).total, 4, 'five years: rotation billed for two versions only');
});

test('the web firewall: $5 the ACL, $1 a rule (a managed group is one), $0.60 per million requests', () => {
  const rules = ['A', 'B', 'C'].map((n) => ({ Name: n, Statement: { ManagedRuleGroupStatement: { Name: `AWSManagedRules${n}`, VendorName: 'AWS' } } }));
  const r = run([stack('TradingPlatform-t-Api', { Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: rules } } })]);
  close(totals(r).fixed, 5 + 3, 'ACL and three rules');
  close(totals(r).perBatch, 0.6 / 1e6, 'one request a batch');
  const paid = run([stack('TradingPlatform-t-Api', { Acl: { Type: 'AWS::WAFv2::WebACL', Properties: { Rules: [{ Name: 'Bots', Statement: { ManagedRuleGroupStatement: { Name: 'AWSManagedRulesBotControlRuleSet' } } }] } } })]);
  assert.equal(paid.notPriced.length, 1, 'a paid managed rule group is not priced, not a silent $1');
  assert.match(paid.notPriced[0].reason, /BotControl/);
});

test('Aurora Serverless v2: the minimum capacity around the clock for each instance; at minimum 0 only the awake hours', () => {
  const cluster = (min) => ({
    Db: { Type: 'AWS::RDS::DBCluster', Properties: { ServerlessV2ScalingConfiguration: { MinCapacity: min, MaxCapacity: 4 }, ManageMasterUserPassword: true } },
    W: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.serverless', DBClusterIdentifier: { Ref: 'Db' } } },
    R: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.serverless', DBClusterIdentifier: { Ref: 'Db' } } },
  });
  const r = run([stack('TradingPlatform-t-Data', cluster(0.5))]);
  close(fixedOf(r, 'AWS::RDS::DBInstance'), 2 * 0.5 * 730 * 0.12, '2 instances x 0.5 ACU x 730 h x $0.12');
  close(fixedOf(r, 'AWS::RDS::DBCluster'), 0.4, 'the managed master secret');
  close(totals(r, (l) => l.type === 'AWS::RDS::DBCluster').usage, 10 * 0.1 + 2 * 0.2, '10 GB x $0.10 + 2 million I/O x $0.20');
  const paused = run([stack('TradingPlatform-t-Data', cluster(0))]);
  close(fixedOf(paused, 'AWS::RDS::DBInstance'), 0, 'nothing while paused');
  close(totals(paused, (l) => l.type === 'AWS::RDS::DBInstance').usage, 2 * 0.5 * 4 * (730 / 24) * 0.12, '2 instances x 0.5 ACU x 4 h a day x $0.12');
  const provisioned = run([stack('TradingPlatform-t-Data', { ...cluster(0.5), W: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.r6g.large', DBClusterIdentifier: { Ref: 'Db' } } } })]);
  assert.match(provisioned.notPriced.map((n) => n.reason).join(), /db\.r6g\.large/, 'a provisioned class is reported, not priced at 0');
});

test('one batch through API, function and buckets costs what its requests, GB-seconds and bytes cost', () => {
  const stacks = [
    stack('TradingPlatform-t-Data', {
      Ingest: { Type: 'AWS::S3::Bucket', Properties: { LifecycleConfiguration: { Rules: [{ Status: 'Enabled', Transitions: [{ StorageClass: 'GLACIER', TransitionInDays: 90 }] }] } } },
      Analytics: { Type: 'AWS::S3::Bucket', Properties: {} },
    }, 'us-east-1', {
      I: { Value: { Ref: 'Ingest' }, Export: { Name: 'ingest' } },
      A: { Value: { Ref: 'Analytics' }, Export: { Name: 'analytics' } },
    }),
    stack('TradingPlatform-t-Api', {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: {} },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, Architectures: ['arm64'], Environment: { Variables: { INGESTION_BUCKET: { 'Fn::ImportValue': 'ingest' }, ANALYTICS_BUCKET: { 'Fn::ImportValue': 'analytics' } } } } },
    }),
  ];
  const r = run(stacks, { monthsOfData: 1 });
  // 100 trades: 0.24 ms measured + 60 ms of S3, rounded up to 61 ms; 1 GB x 0.061 s.
  assert.equal(r.functionDurationMs, 61);
  const perBatch = 3.5 / 1e6 + 0.2 / 1e6 + 0.061 * 0.0000133334 + 1000 / 1e9 * 0.5 + 2 * 0.005 / 1000;
  close(totals(r).perBatch, perBatch, 'API request + Lambda request + GB-seconds + function log GB + two PUTs');
  // A month of data: 1,000 batches a day for 30.4 days, 20,000 bytes each in Standard (not yet 90 days old), 1,000 of aggregates.
  const days = 730 / 24;
  close(totals(r, (l) => l.type === 'AWS::S3::Bucket').usage, 1000 * days * (20000 + 1000) / 1e9 * 0.023, 'GB-months in Standard');
});

test('a stack in the recovery region is priced at that region\'s prices; a region the table lacks is an error naming those it has', () => {
  const table = structuredClone(prices);
  table.regions['us-west-2'].prices['kms.key.month'] = { ...table.regions['us-west-2'].prices['kms.key.month'], usd: 7 };
  const keys = { K: { Type: 'AWS::KMS::Key', Properties: {} } };
  const r = estimate([stack('TradingPlatform-t-Security', keys), stack('TradingPlatform-t-Recovery', keys, 'us-west-2')], { prices: table, usage: U, durations });
  close(totals(r, (l) => l.layer === 'Recovery').total, 7, 'the recovery key at us-west-2\'s price');
  close(totals(r, (l) => l.layer === 'Security').total, 1, 'the primary key at us-east-1\'s');
  assert.throws(() => run([stack('TradingPlatform-t-Security', keys, 'eu-west-1')]),
    (e) => e instanceof CostError && /no prices for region 'eu-west-1'.*the price table has: us-east-1, us-west-2/.test(e.message));
});

test('a type the table neither prices nor lists as free is reported, never priced at zero', () => {
  const r = run([stack('TradingPlatform-t-Api', { Q: { Type: 'AWS::SQS::Queue', Properties: {} }, K: { Type: 'AWS::KMS::Key', Properties: {} } })]);
  assert.deepEqual(r.notPriced.map((n) => [n.type, n.id]), [['AWS::SQS::Queue', 'Q']]);
  assert.match(r.notPriced[0].reason, /neither prices nor lists it as free/);
});

test('the audit trail (issue 27): data events per batch, management events as an additional copy, metric filters', () => {
  const stacks = [
    stack('TradingPlatform-t-Data', { Ingest: { Type: 'AWS::S3::Bucket', Properties: {} } }, 'us-east-1', { I: { Value: { Ref: 'Ingest' }, Export: { Name: 'ingest' } } }),
    stack('TradingPlatform-t-Api', { Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { INGESTION_BUCKET: { 'Fn::ImportValue': 'ingest' } } } } } }),
    stack('TradingPlatform-t-Security', {
      Trail: { Type: 'AWS::CloudTrail::Trail', Properties: { EventSelectors: [{ IncludeManagementEvents: true, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }] } },
      WithDefault: { Type: 'AWS::Logs::MetricFilter', Properties: { MetricTransformations: [{ MetricName: 'a', MetricValue: '1', DefaultValue: 0 }] } },
      WithoutDefault: { Type: 'AWS::Logs::MetricFilter', Properties: { MetricTransformations: [{ MetricName: 'b', MetricValue: '1' }] } },
      Rule: { Type: 'AWS::Events::Rule', Properties: {} },
    }),
  ];
  const r = run(stacks);
  const trail = (kind) => totals(r, (l) => l.type === 'AWS::CloudTrail::Trail' && l.kind === kind);
  // One object written a batch (the ingestion bucket): one S3 data event at $0.10 per 100,000.
  close(trail('batch').perBatch, 0.1 / 1e5, 'S3 data events');
  // 100,000 management events a month, billed as a second copy at $2.00 per 100,000.
  close(trail('usage').usage, 2, 'management events, additional copy');
  close(totals(run(stacks, { cloudTrailIsAdditionalCopy: false }), (l) => l.type === 'AWS::CloudTrail::Trail').usage, 0, 'the first copy is free');
  close(fixedOf(r, 'AWS::Logs::MetricFilter'), 0.3, 'a filter with a default value publishes a custom metric every period; one without only when it matches');
  assert.ok(r.free.some((f) => f.type === 'AWS::Events::Rule'), 'rules on AWS service events are free');
  assert.deepEqual(r.notPriced, []);
});
