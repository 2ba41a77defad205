// What an environment costs, from its synthesized templates: pure functions, no I/O (index.mjs reads the files).
//
// estimate(stacks, { prices, usage }) prices every resource of every stack at its stack's region:
//  - fixed lines: what the resource costs a month whatever the traffic (hours, per-month fees), at minimum capacity;
//  - batch lines: what one batch of trades (POST /data) costs, times the batches of a month;
//  - usage lines: monthly activity that is not per batch (data held, configuration items, releases...).
// Every type is priced (a pricer below, listed under types.priced in prices.json) or free (types.free, with the
// reason); anything else is reported in `notPriced`, never as a silent zero. Free tiers are never applied.

export class CostError extends Error {}

/** A resource (or a feature of one) that the table cannot price: reported, and the command fails. */
class NotPriced extends Error {}

export const HOURS_PER_MONTH = 730;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const GB = 1e9;
// S3 keeps 32 KB of index at the archive class's rate and 8 KB of metadata at Standard's for each archived object.
const ARCHIVE_INDEX_BYTES = 32 * 1024;
const ARCHIVE_METADATA_BYTES = 8 * 1024;
// API Gateway's detailed metrics per method and stage without a cache: Count, 4XXError, 5XXError, Latency, IntegrationLatency.
const DETAILED_METRICS_PER_METHOD = 5;
// A CloudTrail event record as delivered (JSON), about 1.5 KB: what a trail sends to CloudWatch Logs per event.
const CLOUDTRAIL_EVENT_BYTES = 1500;
// AWS managed rule groups with a subscription or per-request fee of their own (not priced here).
const PAID_MANAGED_RULE_GROUPS = ['AWSManagedRulesBotControlRuleSet', 'AWSManagedRulesATPRuleSet', 'AWSManagedRulesACFPRuleSet', 'AWSManagedRulesAntiDDoSRuleSet'];

/** The layer of a stack name ("TradingPlatform-prod-Data" -> "Data"), or the name itself. */
export function layerOf(stackName) {
  const last = stackName.split('-').pop();
  return ['Security', 'Network', 'Recovery', 'Data', 'Api', 'Delivery'].includes(last) ? last : stackName;
}

/** The environment kind of a suffix, as src/Config/EnvironmentPresets.cs KindOf decides it. */
export function kindOf(suffix) {
  return ['dev', 'staging', 'prod'].includes(suffix) ? suffix : 'ephemeral';
}

const refOf = (v) => (v && typeof v === 'object' ? (v.Ref ?? (Array.isArray(v['Fn::GetAtt']) ? v['Fn::GetAtt'][0] : undefined)) : undefined);

/** Handler milliseconds for a batch size, interpolated in the measured table ({ trades: ms }). */
export function handlerMs(table, trades) {
  const points = Object.entries(table).map(([n, ms]) => [Number(n), ms]).sort((a, b) => a[0] - b[0]);
  if (trades <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [n1, m1] = points[i - 1];
    const [n2, m2] = points[i];
    if (trades <= n2 || i === points.length - 1) return m1 + ((m2 - m1) * (trades - n1)) / (n2 - n1);
  }
  return points.at(-1)[1];
}

/** Days between two runs of a Backup schedule: daily, weekly or monthly cron expressions. */
export function scheduleIntervalDays(expression) {
  const m = /^cron\((.*)\)$/.exec(expression ?? '');
  if (!m) throw new NotPriced(`backup schedule '${expression}' is not a cron expression`);
  const [, , dom, , dow] = m[1].trim().split(/\s+/);
  if (/^\d+$/.test(dom)) return DAYS_PER_MONTH;
  if (dow && !['*', '?'].includes(dow)) return 7 / dow.split(',').length;
  return 1;
}

/**
 * Prices `stacks` ([{ name, region, template }]) with `prices` (prices.json) under `usage` (one resolved block of
 * cost-usage.json). Returns { lines, notPriced, free, batchesPerMonth, usage, duration }; throws CostError when a
 * stack's region is not in the table.
 */
export function estimate(stacks, { prices, usage, durations }) {
  for (const s of stacks) {
    if (!prices.regions[s.region]) {
      throw new CostError(`no prices for region '${s.region ?? 'unknown'}' (stack ${s.name}); the price table has: ${Object.keys(prices.regions).join(', ')}`);
    }
  }
  const env = new Environment(stacks, prices, usage, durations);
  return env.run();
}

class Environment {
  constructor(stacks, prices, usage, durations) {
    this.stacks = stacks.map((s) => ({ ...s, layer: layerOf(s.name), resources: s.template.Resources ?? {} }));
    this.prices = prices;
    this.u = usage;
    this.durations = durations;
    this.batchesPerMonth = usage.batchesPerDay * DAYS_PER_MONTH;
    this.batchBytes = usage.tradesPerBatch * usage.bytesPerTrade;
    this.daysOfData = usage.monthsOfData * DAYS_PER_MONTH;
    this.lines = [];
    this.notPriced = [];
    this.free = [];
    this.traffic();
  }

  run() {
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(stack.resources)) {
        const type = resource.Type;
        const free = this.prices.types.free[type];
        if (free !== undefined) {
          this.free.push({ stack: stack.name, layer: stack.layer, type, id, reason: free });
          continue;
        }
        const pricer = PRICERS[type];
        if (this.prices.types.priced[type] === undefined || !pricer) {
          this.notPriced.push({ stack: stack.name, layer: stack.layer, type, id, reason: this.prices.types.priced[type] === undefined ? 'the price table neither prices nor lists it as free' : 'no pricer for it in estimate.mjs' });
          continue;
        }
        const r = { stack, id, type, props: resource.Properties ?? {}, resource };
        const before = this.lines.length;
        try {
          pricer.call(this, r);
          if (this.lines.length === before) this.add(r, 'fixed', 'no charge in this configuration', 0, null);
        } catch (e) {
          if (!(e instanceof NotPriced)) throw e;
          this.lines.length = before;
          this.notPriced.push({ stack: stack.name, layer: stack.layer, type, id, reason: e.message });
        }
      }
    }
    return {
      lines: this.lines,
      notPriced: this.notPriced,
      free: this.free,
      batchesPerMonth: this.batchesPerMonth,
      functionDurationMs: this.functionDurationMs,
      usage: this.u,
    };
  }

  /** The price entry `key` in the stack's region (or `region`); a missing one makes the resource not priced. */
  price(stackOrRegion, key) {
    const region = typeof stackOrRegion === 'string' ? stackOrRegion : stackOrRegion.region;
    const p = this.prices.regions[region]?.prices?.[key];
    if (!p) throw new NotPriced(`the price table has no '${key}' for ${region}`);
    return p;
  }

  /**
   * Adds a line. `kind`: fixed (quantity per month), batch (quantity per batch), usage (quantity per month).
   * `per` divides the listed price (a price per 1,000 requests has per = 1000). `region` prices elsewhere (a copy).
   */
  add(r, kind, label, quantity, key, { per = 1, region } = {}) {
    const p = key ? this.price(region ?? r.stack, key) : { usd: 0, unit: '' };
    const unitUsd = p.usd / per;
    const monthly = kind === 'batch' ? quantity * unitUsd * this.batchesPerMonth : quantity * unitUsd;
    this.lines.push({
      stack: r.stack.name, layer: r.stack.layer, region: region ?? r.stack.region, type: r.type, id: r.id, kind, label,
      quantity, priceKey: key, unitUsd, priceUnit: p.unit, per,
      perBatchUsd: kind === 'batch' ? quantity * unitUsd : 0, monthlyUsd: monthly,
    });
  }

  // ---- what the traffic does, found in the templates before any resource is priced ----

  find(predicate) {
    const out = [];
    for (const stack of this.stacks) for (const [id, res] of Object.entries(stack.resources)) if (predicate(res, id, stack)) out.push({ stack, id, res, props: res.Properties ?? {} });
    return out;
  }

  /** The logical id an intrinsic points at, following an Fn::ImportValue to the exporting stack's output. */
  resolve(stack, value) {
    const ref = refOf(value);
    if (ref) return stack.resources[ref] ? { stack, id: ref } : undefined;
    const imported = value?.['Fn::ImportValue'];
    if (typeof imported === 'string') {
      for (const s of this.stacks) {
        for (const o of Object.values(s.template.Outputs ?? {})) {
          if (o.Export?.Name === imported) return this.resolve(s, o.Value);
        }
      }
    }
    return undefined;
  }

  key(stack, id) { return `${stack.name}/${id}`; }

  traffic() {
    const u = this.u;
    this.bucketWrites = new Map(); // bucket key -> [{ objectsPerBatch, bytesPerObject, replicaOf? }]
    this.logWrites = new Map(); // log group key -> bytes per batch
    this.s3ObjectsPerBatch = 0;
    const write = (map, k, v) => map.set(k, [...(map.get(k) ?? []), v]);

    // The ingestion function: the one given INGESTION_BUCKET (what API Gateway invokes for POST /data).
    this.ingestion = this.find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.Environment?.Variables?.INGESTION_BUCKET);
    for (const f of this.ingestion) {
      const vars = f.props.Environment.Variables;
      const ingest = this.resolve(f.stack, vars.INGESTION_BUCKET);
      const analytics = this.resolve(f.stack, vars.ANALYTICS_BUCKET);
      if (ingest) write(this.bucketWrites, this.key(ingest.stack, ingest.id), { objectsPerBatch: 1, bytesPerObject: this.batchBytes, what: 'the batch (NDJSON)' });
      if (analytics) write(this.bucketWrites, this.key(analytics.stack, analytics.id), { objectsPerBatch: 1, bytesPerObject: u.aggregateBytesPerBatch, what: 'the per-symbol aggregates' });
      this.apiKeysTable = this.resolve(f.stack, vars.API_KEYS_TABLE);
      const group = this.resolve(f.stack, f.props.LoggingConfig?.LogGroup);
      if (group) this.logWrites.set(this.key(group.stack, group.id), u.functionLogBytesPerBatch);
    }
    // Replication: each rule's destination receives what its source receives (the platform writes trades/ only there).
    for (const b of this.find((r) => r.Type === 'AWS::S3::Bucket' && r.Properties?.ReplicationConfiguration)) {
      const writes = this.bucketWrites.get(this.key(b.stack, b.id)) ?? [];
      for (const rule of b.props.ReplicationConfiguration.Rules ?? []) {
        if (rule.Status === 'Disabled') continue;
        const dest = this.bucketByArn(b.stack, rule.Destination?.Bucket);
        if (!dest) continue;
        for (const w of writes) write(this.bucketWrites, this.key(dest.stack, dest.id), { ...w, replicaOf: b.id, what: `replicas of ${b.id}` });
      }
    }
    // Server access logs: a record per request of the logged bucket.
    for (const b of this.find((r) => r.Type === 'AWS::S3::Bucket' && r.Properties?.LoggingConfiguration)) {
      const objects = (this.bucketWrites.get(this.key(b.stack, b.id)) ?? []).reduce((n, w) => n + w.objectsPerBatch, 0);
      if (!objects) continue;
      const dest = this.resolve(b.stack, b.props.LoggingConfiguration.DestinationBucketName);
      if (dest) write(this.bucketWrites, this.key(dest.stack, dest.id), { objectsPerBatch: 0, bytesPerObject: 0, logBytesPerBatch: objects * u.s3AccessLogBytesPerRequest, what: `access logs of ${b.id}` });
    }
    for (const ws of this.bucketWrites.values()) for (const w of ws) this.s3ObjectsPerBatch += w.objectsPerBatch;
    // Log groups written per batch: API access logs, WAF logs, VPC flow logs.
    for (const s of this.find((r) => r.Type === 'AWS::ApiGateway::Stage')) {
      const group = this.resolve(s.stack, s.props.AccessLogSetting?.DestinationArn);
      if (group) this.logWrites.set(this.key(group.stack, group.id), u.apiAccessLogBytesPerBatch);
    }
    for (const w of this.find((r) => r.Type === 'AWS::WAFv2::LoggingConfiguration')) {
      for (const d of w.props.LogDestinationConfigs ?? []) {
        const group = this.logGroupIn(w.stack, d);
        if (group) this.logWrites.set(this.key(group.stack, group.id), u.wafLogBytesPerBatch);
      }
    }
    for (const f of this.find((r) => r.Type === 'AWS::EC2::FlowLog')) {
      const group = this.resolve(f.stack, f.props.LogGroupName) ?? this.logGroupIn(f.stack, f.props.LogDestination);
      if (group) this.logWrites.set(this.key(group.stack, group.id), u.flowLogBytesPerBatch);
    }
    this.natCount = this.find((r) => r.Type === 'AWS::EC2::NatGateway').length;
    const f = this.ingestion[0];
    this.functionDurationMs = f ? Math.ceil(handlerMs(this.durations.handlerMs, u.tradesPerBatch) + u.storageWaitMsPerBatch) : 0;
  }

  /** A log group named by an ARN built with Fn::Join around its Ref (WAF, flow logs), or by Ref. */
  logGroupIn(stack, value) {
    const direct = this.resolve(stack, value);
    if (direct) return direct;
    const parts = value?.['Fn::Join']?.[1] ?? [];
    for (const p of parts) {
      const r = this.resolve(stack, p);
      if (r) return r;
    }
    return undefined;
  }

  /** A bucket named by a replication destination: GetAtt/Ref in the stack, or a literal ARN matched by BucketName. */
  bucketByArn(stack, value) {
    const r = this.resolve(stack, value);
    if (r) return r;
    const name = typeof value === 'string' ? value.replace(/^arn:[^:]+:s3:::/, '') : undefined;
    if (!name) return undefined;
    return this.find((res) => res.Type === 'AWS::S3::Bucket' && res.Properties?.BucketName === name)[0];
  }

  /** GB-months of logs a group holds: its daily bytes for its retention (no expiry: for all the data's months). */
  logStorageGbMonths(bytesPerBatch, retentionDays) {
    const days = Math.min(retentionDays ?? Infinity, this.daysOfData);
    return (bytesPerBatch * this.u.batchesPerDay * days) / GB;
  }
}

/** Pricers: `this` is the Environment, `r` the resource ({ stack, id, type, props }). */
const PRICERS = {
  'AWS::EC2::NatGateway'(r) {
    this.add(r, 'fixed', 'NAT gateway-hours', HOURS_PER_MONTH, 'ec2.natGateway.hour');
    this.add(r, 'batch', 'GB processed (X-Ray segments and other AWS calls that no gateway endpoint serves), shared by the gateways',
      this.u.natBytesPerBatch / GB / Math.max(1, this.natCount), 'ec2.natGateway.gb');
  },
  'AWS::EC2::EIP'(r) {
    this.add(r, 'fixed', 'public IPv4 address-hours', HOURS_PER_MONTH, 'ec2.publicIpv4.hour');
  },
  'AWS::EC2::VPCEndpoint'(r) {
    const type = r.props.VpcEndpointType ?? 'Gateway';
    if (type === 'Gateway') return this.add(r, 'fixed', 'gateway endpoint: no charge', 0, null);
    if (type !== 'Interface') throw new NotPriced(`VPC endpoint type ${type}`);
    const azs = Math.max(1, (r.props.SubnetIds ?? []).length);
    this.add(r, 'fixed', `interface endpoint-hours in ${azs} AZ(s)`, HOURS_PER_MONTH * azs, 'ec2.interfaceEndpoint.hour');
  },
  'AWS::EC2::FlowLog'(r) {
    this.add(r, 'batch', 'GB of flow log records delivered to CloudWatch Logs (vended)', this.u.flowLogBytesPerBatch / GB, 'cloudwatch.vendedLogs.gb');
  },
  'AWS::KMS::Key'(r) {
    this.add(r, 'fixed', 'customer-managed key-month', 1, 'kms.key.month');
    if (r.props.EnableKeyRotation) {
      const period = r.props.RotationPeriodInDays ?? 365;
      const rotations = Math.min(2, Math.floor(this.daysOfData / period));
      if (rotations > 0) this.add(r, 'usage', `rotated key versions after ${this.u.monthsOfData} months (yearly rotation; only the first two are billed)`, rotations, 'kms.rotation.month');
    }
  },
  'AWS::CloudWatch::Alarm'(r) {
    const p = r.props;
    let metrics = 1;
    let period = p.Period ?? 60;
    if (Array.isArray(p.Metrics)) {
      const stats = p.Metrics.filter((m) => m.MetricStat);
      const anomaly = p.Metrics.some((m) => /ANOMALY_DETECTION_BAND/.test(m.Expression ?? ''));
      metrics = anomaly ? 3 : Math.max(1, stats.length);
      period = Math.min(...stats.map((m) => m.MetricStat.Period ?? 60), p.Metrics.find((m) => m.Period)?.Period ?? Infinity);
    }
    const high = period < 60;
    this.add(r, 'fixed', `${high ? 'high' : 'standard'}-resolution alarm, ${metrics} metric(s)`, metrics,
      high ? 'cloudwatch.alarmHighResolution.metricMonth' : 'cloudwatch.alarmStandard.metricMonth');
  },
  'AWS::CloudWatch::CompositeAlarm'(r) { this.add(r, 'fixed', 'composite alarm', 1, 'cloudwatch.alarmComposite.month'); },
  'AWS::CloudWatch::Dashboard'(r) { this.add(r, 'fixed', 'dashboard (free tier not applied)', 1, 'cloudwatch.dashboard.month'); },
  'AWS::Logs::MetricFilter'(r) {
    const withDefault = (r.props.MetricTransformations ?? []).filter((t) => t.DefaultValue !== undefined).length;
    if (withDefault) this.add(r, 'fixed', 'custom metric(s) published every period (default value set)', withDefault, 'cloudwatch.customMetric.month');
    else this.add(r, 'fixed', 'custom metric billed only in hours with a match (no default value): ~0', 0, null);
  },
  'AWS::Logs::LogGroup'(r) {
    const bytes = this.logWrites.get(this.key(r.stack, r.id));
    if (bytes === undefined) return this.add(r, 'usage', 'storage of what it receives outside the traffic model (deploys, audits): not modelled', 0, null);
    const retention = r.props.RetentionInDays;
    this.add(r, 'usage', `GB-months stored (${retention ? `${retention}-day retention` : 'no expiry'}, ${this.u.monthsOfData} months of data, uncompressed: an upper bound)`,
      this.logStorageGbMonths(bytes, retention), 'cloudwatch.logsStorage.gbMonth');
  },
  'AWS::WAFv2::WebACL'(r) {
    this.add(r, 'fixed', 'web ACL', 1, 'waf.webAcl.month');
    const rules = r.props.Rules ?? [];
    for (const rule of rules) {
      const group = rule.Statement?.ManagedRuleGroupStatement?.Name;
      if (group && PAID_MANAGED_RULE_GROUPS.includes(group)) throw new NotPriced(`managed rule group ${group} has fees of its own`);
    }
    if (rules.length) this.add(r, 'fixed', `rules (${rules.map((x) => x.Name).join(', ')})`, rules.length, 'waf.rule.month');
    this.add(r, 'batch', 'requests inspected', 1, 'waf.requests.million', { per: 1e6 });
  },
  'AWS::WAFv2::LoggingConfiguration'(r) {
    this.add(r, 'batch', 'GB of WAF logs delivered to CloudWatch Logs (vended)', this.u.wafLogBytesPerBatch / GB, 'cloudwatch.vendedLogs.gb');
  },
  'AWS::ApiGateway::RestApi'(r) {
    this.add(r, 'batch', 'REST API requests', 1, 'apigateway.restRequests.million', { per: 1e6 });
  },
  'AWS::ApiGateway::Stage'(r) {
    const p = r.props;
    if (p.CacheClusterEnabled) throw new NotPriced('an API cache cluster');
    const settings = p.MethodSettings ?? [];
    if (settings.some((s) => s.LoggingLevel === 'INFO')) {
      this.add(r, 'batch', 'GB of execution logs (INFO) ingested', this.u.apiExecutionLogBytesPerBatch / GB, 'cloudwatch.logsIngestion.gb');
      this.add(r, 'usage', `GB-months of execution logs stored (the group API Gateway creates never expires; ${this.u.monthsOfData} months)`,
        this.logStorageGbMonths(this.u.apiExecutionLogBytesPerBatch, undefined), 'cloudwatch.logsStorage.gbMonth');
    }
    if (p.AccessLogSetting) this.add(r, 'batch', 'GB of access logs ingested', this.u.apiAccessLogBytesPerBatch / GB, 'cloudwatch.logsIngestion.gb');
    if (settings.some((s) => s.MetricsEnabled)) {
      const methods = Object.values(r.stack.resources).filter((x) => x.Type === 'AWS::ApiGateway::Method').length;
      this.add(r, 'fixed', `detailed metrics: ${methods} method(s) x ${DETAILED_METRICS_PER_METHOD} metrics`, methods * DETAILED_METRICS_PER_METHOD, 'cloudwatch.customMetric.month');
    }
  },
  'AWS::Lambda::Function'(r) {
    const p = r.props;
    if (!this.ingestion.some((f) => f.id === r.id && f.stack === r.stack)) {
      return this.add(r, 'fixed', 'runs at deploy time (custom resource, pre-traffic check): a few invocations a month, ~0', 0, null);
    }
    const arch = (p.Architectures ?? ['x86_64'])[0];
    const memoryGb = (p.MemorySize ?? 128) / 1024;
    this.add(r, 'batch', 'requests', 1, 'lambda.requests.million', { per: 1e6 });
    this.add(r, 'batch', `GB-seconds: ${p.MemorySize ?? 128} MB x ${this.functionDurationMs} ms (${arch})`, (memoryGb * this.functionDurationMs) / 1000, `lambda.${arch}.gbSecond`);
    this.add(r, 'batch', 'GB of function logs ingested', this.u.functionLogBytesPerBatch / GB, 'cloudwatch.logsIngestion.gb');
    if (p.TracingConfig?.Mode === 'Active') this.add(r, 'batch', 'X-Ray traces recorded (API Gateway and the function share one)', 1, 'xray.traces.million', { per: 1e6 });
  },
  'AWS::Lambda::Alias'(r) {
    if (r.props.ProvisionedConcurrencyConfig) throw new NotPriced('provisioned concurrency');
    this.add(r, 'fixed', 'alias: no charge', 0, null);
  },
  'AWS::DynamoDB::Table'(r) {
    const p = r.props;
    if (p.BillingMode !== 'PAY_PER_REQUEST') throw new NotPriced(`billing mode ${p.BillingMode ?? 'PROVISIONED'}`);
    const tables = Math.max(1, this.find((x) => x.Type === 'AWS::DynamoDB::Table').length);
    const gb = this.u.tablesGB / tables;
    this.add(r, 'usage', `GB-months stored (${gb.toFixed(2)} GB: tablesGB shared by ${tables} tables)`, gb, 'dynamodb.storage.gbMonth');
    if (p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled) this.add(r, 'usage', 'GB-months of point-in-time recovery', gb, 'dynamodb.pitr.gbMonth');
    if (this.apiKeysTable && this.apiKeysTable.id === r.id && this.apiKeysTable.stack === r.stack) {
      this.add(r, 'batch', 'strongly consistent reads of the client registry (an upper bound: the function caches them 60 s)', this.u.registryReadsPerBatch, 'dynamodb.readRequests.million', { per: 1e6 });
    }
  },
  'AWS::RDS::DBCluster'(r) {
    const p = r.props;
    const ioOptimized = p.StorageType === 'aurora-iopt1';
    this.add(r, 'usage', `GB-months of storage (${this.u.databaseGB} GB)`, this.u.databaseGB, ioOptimized ? 'rds.auroraIoOptimizedStorage.gbMonth' : 'rds.auroraStorage.gbMonth');
    if (!ioOptimized) this.add(r, 'usage', 'million I/O requests', this.u.databaseIoMillionsPerMonth, 'rds.auroraIo.million');
    if (p.ManageMasterUserPassword) this.add(r, 'fixed', 'master password secret managed by RDS', 1, 'secretsmanager.secret.month');
  },
  'AWS::RDS::DBInstance'(r) {
    const p = r.props;
    if (p.DBInstanceClass !== 'db.serverless') throw new NotPriced(`instance class ${p.DBInstanceClass}`);
    const cluster = this.resolve(r.stack, p.DBClusterIdentifier);
    const clusterProps = cluster ? cluster.stack.resources[cluster.id].Properties ?? {} : {};
    const min = clusterProps.ServerlessV2ScalingConfiguration?.MinCapacity;
    if (min === undefined) throw new NotPriced('a serverless instance whose cluster minimum capacity is not in the template');
    const key = clusterProps.StorageType === 'aurora-iopt1' ? 'rds.auroraServerlessV2IoOptimized.acuHour' : 'rds.auroraServerlessV2.acuHour';
    const awakeHours = min > 0 ? HOURS_PER_MONTH : this.u.databaseAwakeHoursPerDay * DAYS_PER_MONTH;
    if (min > 0) {
      this.add(r, 'fixed', `ACU-hours at minimum capacity (${min} ACU, around the clock)`, min * HOURS_PER_MONTH, key);
    } else {
      this.add(r, 'fixed', 'ACU-hours at minimum capacity: 0 (pauses when idle)', 0, key);
      this.add(r, 'usage', `ACU-hours while awake: ${this.u.databaseAwakeHoursPerDay} h/day at 0.5 ACU, the least a running instance uses`, 0.5 * awakeHours, key);
    }
  },
  'AWS::S3::Bucket'(r) {
    const writes = this.bucketWrites.get(this.key(r.stack, r.id)) ?? [];
    if (!writes.length) return this.add(r, 'usage', 'holds what is written outside the traffic model (AWS Config snapshots, pipeline artifacts, deploy-time logs): not modelled', 0, null);
    const lifecycle = (r.props.LifecycleConfiguration?.Rules ?? []).filter((x) => x.Status !== 'Disabled');
    const transitionRule = lifecycle.find((x) => x.Transitions?.length);
    const transition = transitionRule?.Transitions[0];
    const expiry = lifecycle.map((x) => x.ExpirationInDays).filter((d) => d !== undefined)[0];
    const liveDays = Math.min(this.daysOfData, expiry ?? Infinity);
    const standardDays = Math.min(liveDays, transition?.TransitionInDays ?? Infinity);
    const archiveDays = Math.max(0, liveDays - standardDays);
    const archiveKey = { GLACIER: 's3.glacierFlexible.gbMonth', DEEP_ARCHIVE: 's3.deepArchive.gbMonth' }[transition?.StorageClass];
    if (transition && !archiveKey) throw new NotPriced(`lifecycle transition to ${transition.StorageClass}`);
    const sseKms = (r.props.BucketEncryption?.ServerSideEncryptionConfiguration ?? []).some((c) => c.ServerSideEncryptionByDefault?.SSEAlgorithm === 'aws:kms' && !c.BucketKeyEnabled);
    for (const w of writes) {
      if (w.logBytesPerBatch) {
        this.add(r, 'usage', `GB-months of server access logs (${w.what})`, (w.logBytesPerBatch * this.u.batchesPerDay * standardDays) / GB, 's3.standard.gbMonth');
        continue;
      }
      const perDay = w.objectsPerBatch * this.u.batchesPerDay;
      this.add(r, 'batch', `PUT requests (${w.replicaOf ? 'replication of ' : ''}${w.what})`, w.objectsPerBatch, 's3.put.1000', { per: 1000 });
      if (sseKms) this.add(r, 'batch', 'KMS requests for SSE-KMS without a bucket key', w.objectsPerBatch, 'kms.requests.10k', { per: 10000 });
      this.add(r, 'usage', `GB-months in S3 Standard (${w.what}, ${standardDays.toFixed(0)} days of ${this.u.monthsOfData} months)`, (perDay * standardDays * w.bytesPerObject) / GB, 's3.standard.gbMonth');
      if (archiveDays > 0) {
        this.add(r, 'usage', `GB-months in ${transition.StorageClass} (${archiveDays.toFixed(0)} days, with S3's 32 KB index per object)`, (perDay * archiveDays * (w.bytesPerObject + ARCHIVE_INDEX_BYTES)) / GB, archiveKey);
        this.add(r, 'usage', 'GB-months of archived objects\' 8 KB metadata in S3 Standard', (perDay * archiveDays * ARCHIVE_METADATA_BYTES) / GB, 's3.standard.gbMonth');
        this.add(r, 'batch', `lifecycle transitions into ${transition.StorageClass}`, w.objectsPerBatch,
          transition.StorageClass === 'GLACIER' ? 's3.transitionGlacierFlexible.1000' : 's3.transitionDeepArchive.1000', { per: 1000 });
      }
    }
    // Replication out: transfer to another region and Replication Time Control are billed to the source bucket.
    const own = writes.filter((w) => !w.logBytesPerBatch);
    const bytesPerBatch = own.reduce((n, w) => n + w.objectsPerBatch * w.bytesPerObject, 0);
    for (const rule of r.props.ReplicationConfiguration?.Rules ?? []) {
      if (rule.Status === 'Disabled') continue;
      const dest = this.bucketByArn(r.stack, rule.Destination?.Bucket);
      const destRegion = dest?.stack.region ?? r.stack.region;
      if (destRegion !== r.stack.region) this.add(r, 'batch', `GB replicated to ${destRegion} (rule ${rule.Id})`, bytesPerBatch / GB, 'ec2.interRegionTransfer.gb');
      if (rule.Destination?.ReplicationTime?.Status === 'Enabled') this.add(r, 'batch', `GB under Replication Time Control (rule ${rule.Id})`, bytesPerBatch / GB, 's3.replicationTimeControl.gb');
    }
  },
  'AWS::SNS::Topic'(r) {
    const n = this.u.alertNotificationsPerMonth;
    this.add(r, 'usage', 'notifications published (alarms, Config, budgets)', n, 'sns.requests.million', { per: 1e6 });
    const inline = (r.props.Subscription ?? []).filter((s) => s.Protocol === 'email').length;
    const separate = this.find((x, id, s) => x.Type === 'AWS::SNS::Subscription' && x.Properties?.Protocol === 'email'
      && s === r.stack && refOf(x.Properties?.TopicArn) === r.id).length;
    const emails = inline + separate;
    if (emails) this.add(r, 'usage', `e-mails delivered (${emails} subscription(s))`, n * emails, 'sns.email.100k', { per: 1e5 });
  },
  'AWS::Config::ConfigurationRecorder'(r) {
    this.add(r, 'usage', 'configuration items recorded', this.u.configItemsPerMonth, 'config.configurationItem');
  },
  'AWS::Config::ConfigRule'(r) {
    const rules = Math.max(1, this.find((x) => x.Type === 'AWS::Config::ConfigRule').length);
    this.add(r, 'usage', `rule evaluations (configRuleEvaluationsPerMonth shared by ${rules} rules)`, this.u.configRuleEvaluationsPerMonth / rules, 'config.ruleEvaluation');
  },
  'AWS::Cognito::UserPoolClient'(r) {
    if (!(r.props.AllowedOAuthFlows ?? []).includes('client_credentials')) return this.add(r, 'fixed', 'app client without the client-credentials grant: priced with the pool\'s users', 0, null);
    this.add(r, 'fixed', 'machine-to-machine app client', 1, 'cognito.m2mAppClient.month');
    this.add(r, 'usage', 'token requests', this.u.tokenRequestsPerClientPerDay * DAYS_PER_MONTH, 'cognito.m2mTokenRequests.1000', { per: 1000 });
  },
  'AWS::CodePipeline::Pipeline'(r) {
    const type = r.props.PipelineType ?? 'V1';
    if (type === 'V1') return this.add(r, 'fixed', 'active V1 pipeline', 1, 'codepipeline.v1Pipeline.month');
    const actions = (r.props.Stages ?? []).reduce((n, s) => n + (s.Actions?.length ?? 0), 0);
    this.add(r, 'usage', `V2 action minutes: ${this.u.releasesPerMonth} releases x ${actions} actions x ${this.u.actionMinutesPerRun} min`, this.u.releasesPerMonth * actions * this.u.actionMinutesPerRun, 'codepipeline.v2ActionExecution.minute');
  },
  'AWS::CodeBuild::Project'(r) {
    const compute = r.props.Environment?.ComputeType;
    const key = { BUILD_GENERAL1_SMALL: 'codebuild.general1Small.minute', BUILD_GENERAL1_MEDIUM: 'codebuild.general1Medium.minute', BUILD_GENERAL1_LARGE: 'codebuild.general1Large.minute' }[compute];
    if (!key || (r.props.Environment?.Type ?? 'LINUX_CONTAINER') !== 'LINUX_CONTAINER') throw new NotPriced(`compute ${r.props.Environment?.Type} ${compute}`);
    const bake = Number((r.props.Environment?.EnvironmentVariables ?? []).find((v) => v.Name === 'BAKE_MINUTES')?.Value ?? 0);
    const minutes = this.u.buildMinutesPerRun + bake;
    this.add(r, 'usage', `build minutes: ${this.u.releasesPerMonth} releases x ${minutes} min${bake ? ` (a ${bake}-minute bake)` : ''}`, this.u.releasesPerMonth * minutes, key);
  },
  'AWS::SSM::Parameter'(r) {
    if (r.props.Tier === 'Advanced') this.add(r, 'fixed', 'advanced parameter', 1, 'ssm.advancedParameter.month');
    else this.add(r, 'fixed', 'standard parameter: no charge', 0, null);
  },
  'AWS::Backup::BackupPlan'(r) {
    const selections = this.find((x, id, s) => x.Type === 'AWS::Backup::BackupSelection' && s === r.stack && refOf(x.Properties?.BackupPlanId) === r.id);
    const selected = selections.flatMap((s) => s.props.BackupSelection?.Resources ?? []);
    const referenced = selected.map((v) => JSON.stringify(v));
    const typeOf = (t) => Object.entries(r.stack.resources).filter(([id, x]) => x.Type === t && referenced.some((s) => s.includes(`"${id}"`))).length;
    const clusters = typeOf('AWS::RDS::DBCluster');
    const tables = typeOf('AWS::DynamoDB::Table');
    const allTables = Math.max(1, this.find((x) => x.Type === 'AWS::DynamoDB::Table').length);
    const parts = [];
    if (clusters) parts.push({ what: 'Aurora', gb: this.u.databaseGB * clusters, key: 'rds.auroraBackup.gbMonth' });
    if (tables) parts.push({ what: 'DynamoDB', gb: (this.u.tablesGB * tables) / allTables, key: 'dynamodb.backup.gbMonth' });
    for (const rule of r.props.BackupPlan?.BackupPlanRule ?? []) {
      const interval = scheduleIntervalDays(rule.ScheduleExpression);
      const keep = (days) => Math.max(1, Math.min(days ?? Infinity, this.daysOfData) / interval);
      for (const part of parts) {
        this.add(r, 'usage', `GB-months of ${part.what} recovery points, rule ${rule.RuleName} (${keep(rule.Lifecycle?.DeleteAfterDays).toFixed(1)} kept, each at full size: an upper bound)`,
          part.gb * keep(rule.Lifecycle?.DeleteAfterDays), part.key);
        for (const copy of rule.CopyActions ?? []) {
          const region = /^arn:[^:]+:backup:([^:]+):/.exec(typeof copy.DestinationBackupVaultArn === 'string' ? copy.DestinationBackupVaultArn : '')?.[1] ?? r.stack.region;
          if (!this.prices.regions[region]) throw new CostError(`no prices for region '${region}' (the copy destination of backup rule ${rule.RuleName} in ${r.stack.name}); the price table has: ${Object.keys(this.prices.regions).join(', ')}`);
          this.add(r, 'usage', `GB-months of ${part.what} copies in ${region}, rule ${rule.RuleName}`, part.gb * keep(copy.Lifecycle?.DeleteAfterDays), part.key, { region });
          if (region !== r.stack.region) this.add(r, 'usage', `GB copied to ${region} (${part.what}, rule ${rule.RuleName})`, (part.gb * DAYS_PER_MONTH) / interval, 'ec2.interRegionTransfer.gb');
        }
      }
    }
  },
  'AWS::CloudTrail::Trail'(r) {
    const p = r.props;
    const types = new Set();
    let management = true;
    for (const s of p.EventSelectors ?? []) {
      if (s.IncludeManagementEvents === false) management = false;
      for (const d of s.DataResources ?? []) types.add(d.Type);
    }
    if (p.AdvancedEventSelectors) {
      management = false;
      for (const s of p.AdvancedEventSelectors) {
        const category = s.FieldSelectors?.find((f) => f.Field === 'eventCategory')?.Equals ?? [];
        if (category.includes('Management')) management = true;
        for (const f of s.FieldSelectors ?? []) if (f.Field === 'resources.type') for (const t of f.Equals ?? []) types.add(t);
      }
    }
    if (management && this.u.cloudTrailIsAdditionalCopy) {
      this.add(r, 'usage', 'management events delivered by an additional copy (the account already has a trail)', this.u.cloudTrailManagementEventsPerMonth, 'cloudtrail.managementEventsCopy.100k', { per: 1e5 });
    }
    if (types.has('AWS::S3::Object')) this.add(r, 'batch', 'S3 data events (every object the platform writes, replicas included: an upper bound)', this.s3ObjectsPerBatch, 'cloudtrail.dataEvents.100k', { per: 1e5 });
    if (types.has('AWS::Lambda::Function')) this.add(r, 'batch', 'Lambda data events (invocations)', 1, 'cloudtrail.dataEvents.100k', { per: 1e5 });
    if (types.has('AWS::DynamoDB::Table')) this.add(r, 'batch', 'DynamoDB data events (registry reads)', this.u.registryReadsPerBatch, 'cloudtrail.dataEvents.100k', { per: 1e5 });
    if (p.CloudWatchLogsLogGroupArn) {
      const dataEventsPerBatch = (types.has('AWS::S3::Object') ? this.s3ObjectsPerBatch : 0) + (types.has('AWS::Lambda::Function') ? 1 : 0)
        + (types.has('AWS::DynamoDB::Table') ? this.u.registryReadsPerBatch : 0);
      if (management) this.add(r, 'usage', `GB of management events delivered to CloudWatch Logs (${CLOUDTRAIL_EVENT_BYTES} B an event)`, (this.u.cloudTrailManagementEventsPerMonth * CLOUDTRAIL_EVENT_BYTES) / GB, 'cloudwatch.logsIngestion.gb');
      if (dataEventsPerBatch) this.add(r, 'batch', `GB of data events delivered to CloudWatch Logs (${CLOUDTRAIL_EVENT_BYTES} B an event)`, (dataEventsPerBatch * CLOUDTRAIL_EVENT_BYTES) / GB, 'cloudwatch.logsIngestion.gb');
    }
  },
};

export const PRICED_TYPES = Object.keys(PRICERS);

/** Sums of a result: { fixed, batch, usage, total, perBatch } over all lines, or those `filter` keeps. */
export function totals(result, filter = () => true) {
  const t = { fixed: 0, batch: 0, usage: 0, perBatch: 0 };
  for (const l of result.lines.filter(filter)) {
    t[l.kind] += l.monthlyUsd;
    t.perBatch += l.perBatchUsd;
  }
  t.total = t.fixed + t.batch + t.usage;
  return t;
}
