// Compares two loaded cloud assemblies (see assembly.mjs) and returns structured findings.
// Every template comparison is the CDK's own diff library (@aws-cdk/cloudformation-diff): its
// per-resource changeImpact decides added / updated / replaced / destroyed / orphaned, and its
// iamChanges / securityGroupChanges describe permission and network changes. This module only adds
// what that library does not know: which resource types hold data or client-held identity, which
// exports the deployed consumers still import, and the stack-level settings in manifest.json.
import { createRequire } from 'node:module';
import { deployRank, layerOf } from './assembly.mjs';

const require = createRequire(import.meta.url);
const { fullDiff, ResourceImpact, deepEqual } = require('@aws-cdk/cloudformation-diff');

/**
 * Types whose replacement or deletion loses data, keys or an identity that clients hold (an API key,
 * an OAuth client, a URL). A replaced KMS key cannot decrypt what the old key encrypted; a replaced
 * table or bucket starts empty; a replaced user pool or API key breaks every client configured with it.
 */
export const STATEFUL_TYPES = new Set([
  'AWS::KMS::Key',
  'AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::RDS::DBSubnetGroup',
  'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::EC2::VPC',
  'AWS::Cognito::UserPool', 'AWS::Cognito::UserPoolClient', 'AWS::Cognito::UserPoolDomain',
  'AWS::Backup::BackupVault',
  'AWS::ApiGateway::ApiKey', 'AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Stage', 'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::DomainName',
  'AWS::SQS::Queue', 'AWS::SNS::Topic',
  'AWS::SecretsManager::Secret',
  'AWS::EFS::FileSystem',
  'AWS::Kinesis::Stream',
  'AWS::Config::ConfigurationRecorder', 'AWS::Config::DeliveryChannel',
]);

const REPLACING = new Set([ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE]);

/**
 * Compares the base assembly with the new one.
 * Returns { stacks: [{ name, layer, findings: [...], needsDeploy }] } in deploy order; a finding is
 * { kind, stack, logicalId?, resourceType?, stateful?, blocking, allowId?, message, details: [] }.
 */
export function compareAssemblies(base, next) {
  const names = [...new Set([...base.keys(), ...next.keys()])];
  const rank = (name) => deployRank(next.get(name) ?? base.get(name));
  names.sort((a, b) => rank(a) - rank(b));

  const diffs = new Map();
  const stacks = names.map((name) => {
    const b = base.get(name);
    const n = next.get(name);
    const result = { name, layer: layerOf(name), findings: [], needsDeploy: false };
    if (b && !n) {
      result.findings.push(stackMissingFinding(name, base, next));
      return result;
    }
    // A stack new in this version is compared with an empty template: everything in it is added.
    const diff = fullDiff(b?.template ?? {}, n.template);
    diffs.set(name, diff);
    if (!b) result.findings.push(stackNewFinding(name, n, base));
    else result.findings.push(...collapseMetadataOnly(name, resourceFindings(name, diff)));
    result.findings.push(...trafficShiftFindings(name, b?.template ?? {}, n.template));
    result.findings.push(...iamFindings(name, diff), ...securityGroupFindings(name, diff));
    if (b) result.findings.push(...stackSettingFindings(name, b, n));
    result.needsDeploy = !b || !diff.isEmpty || result.findings.some((f) => f.kind === 'termination-protection' || f.kind === 'tags');
    return result;
  });

  // Export findings belong to the producing stack, which is the one whose deploy CloudFormation refuses.
  for (const f of exportFindings(base, next, diffs)) stacks.find((s) => s.name === f.stack).findings.push(f);
  return { stacks };
}

// -------------------------------------------------------------------------------------------------
// Resources
// -------------------------------------------------------------------------------------------------

function resourceFindings(stack, diff) {
  const findings = [];
  const addedTypes = new Map();
  diff.resources.forEachDifference((logicalId, change) => {
    if (change.isAddition) addedTypes.set(logicalId, change.newResourceType);
  });
  diff.resources.forEachDifference((logicalId, change) => {
    const f = resourceFinding(stack, logicalId, change);
    if (!f) return;
    // A stateful resource that disappears while one of the same type appears is usually a construct
    // that moved or was renamed (new logical id): say so, the fix is to keep the old id.
    if ((f.kind === 'destroyed' || f.kind === 'orphaned') && f.stateful) {
      const twin = [...addedTypes].find(([, type]) => type === f.resourceType);
      if (twin) f.details.push(`a new ${f.resourceType} ${twin[0]} is added in the same stack: if the construct moved or was renamed, keep its old logical id (OverrideLogicalId)`);
    }
    findings.push(f);
  });
  return findings;
}

function resourceFinding(stack, logicalId, change) {
  const impact = change.changeImpact;
  const resourceType = change.newResourceType ?? change.oldResourceType;
  const stateful = STATEFUL_TYPES.has(change.oldResourceType ?? resourceType);
  const base = { stack, logicalId, resourceType, stateful, blocking: false, allowId: `${stack}/${logicalId}`, details: [] };
  switch (impact) {
    case ResourceImpact.WILL_CREATE:
      return { ...base, kind: 'added', stateful: false };
    case ResourceImpact.WILL_UPDATE:
    case ResourceImpact.NO_CHANGE: // only Metadata or similar changed: still an update for CloudFormation
      return { ...base, kind: 'updated', stateful: false, causes: changedNames(change) };
    case ResourceImpact.WILL_REPLACE:
    case ResourceImpact.MAY_REPLACE:
      return {
        ...base,
        kind: impact === ResourceImpact.WILL_REPLACE ? 'replaced' : 'may-replace',
        blocking: stateful,
        causes: replacementCauses(change),
        details: [...predatingLockNote(change), ...replacePolicyNote(change.oldValue)],
      };
    case ResourceImpact.WILL_DESTROY:
      return { ...base, kind: 'destroyed', blocking: stateful, details: deletePolicyNote(change.oldValue) };
    case ResourceImpact.WILL_ORPHAN:
      return {
        ...base,
        kind: 'orphaned',
        details: [`DeletionPolicy ${change.oldValue.DeletionPolicy}: removed from the stack but kept in the account (delete or re-import it by hand)`],
      };
    default: // WILL_IMPORT cannot come from two templates; anything new in the library is shown as is
      return { ...base, kind: 'updated', causes: [String(impact)] };
  }
}

/**
 * Updates that touch only CDK metadata (aws:cdk:path and the like) change no resource: CloudFormation records them and
 * moves on. A release has dozens; one line per stack says so, and keeps the findings that matter in view.
 */
function collapseMetadataOnly(stack, findings) {
  const metadataOnly = findings.filter((f) => f.kind === 'updated' && f.causes?.length === 1 && f.causes[0] === 'Metadata');
  if (metadataOnly.length < 2) return findings;
  return [
    ...findings.filter((f) => !metadataOnly.includes(f)),
    {
      kind: 'updated',
      stack,
      blocking: false,
      message: `${metadataOnly.length} resources: CDK metadata only (no change to the resources themselves)`,
      details: [],
    },
  ];
}

// -------------------------------------------------------------------------------------------------
// Progressive delivery: what a deploy of a function behind a CodeDeploy-shifted alias will do
// -------------------------------------------------------------------------------------------------

const ALL_AT_ONCE = /^CodeDeployDefault\.LambdaAllAtOnce$/;
const CANARY = /^CodeDeployDefault\.LambdaCanary(\d+)Percent(\d+)Minutes$/;
const LINEAR = /^CodeDeployDefault\.LambdaLinear(\d+)PercentEvery(\d+)Minutes?$/;

/** A predefined Lambda deployment configuration, described; { text, minutes } (minutes of shifting, the check excluded). */
export function describeShift(configName) {
  let m;
  if (ALL_AT_ONCE.test(configName)) return { text: 'all at once', minutes: 0 };
  if ((m = CANARY.exec(configName))) return { text: `canary ${m[1]}% for ${m[2]} min, then all`, minutes: Number(m[2]) };
  if ((m = LINEAR.exec(configName))) {
    const steps = Math.ceil(100 / Number(m[1]));
    return { text: `linear ${m[1]}% more every ${m[2]} min`, minutes: (steps - 1) * Number(m[2]) };
  }
  return { text: `configuration ${configName}`, minutes: undefined };
}

const refId = (value) => (value && typeof value === 'object' ? value.Ref ?? (Array.isArray(value['Fn::GetAtt']) ? value['Fn::GetAtt'][0] : undefined) : undefined);
const literal = (template, value, property) => (typeof value === 'string' ? value : template.Resources?.[refId(value)]?.Properties?.[property]);

/**
 * For each alias that CodeDeploy deploys (CodeDeployLambdaAliasUpdate), when the version it points at is new in this
 * release (the function's code or configuration changed): how the traffic will shift, what rolls it back, and how long
 * `cdk deploy` will wait. An alias new in this release is created at its version without a deployment: said too.
 */
function trafficShiftFindings(stack, baseTemplate, template) {
  const findings = [];
  for (const [aliasId, alias] of Object.entries(template.Resources ?? {})) {
    const update = alias.UpdatePolicy?.CodeDeployLambdaAliasUpdate;
    if (alias.Type !== 'AWS::Lambda::Alias' || !update) continue;
    const versionId = refId(alias.Properties?.FunctionVersion);
    const baseAlias = baseTemplate.Resources?.[aliasId];
    const versionIsNew = versionId && !baseTemplate.Resources?.[versionId];
    if (baseAlias && !versionIsNew) continue;

    const fn = literal(template, alias.Properties?.FunctionName, 'FunctionName') ?? refId(alias.Properties?.FunctionName);
    const where = `function ${fn}, alias ${alias.Properties?.Name}`;
    if (!baseAlias) {
      findings.push({
        kind: 'traffic',
        stack,
        blocking: false,
        message: `${where}: created at the current version, taking all of its traffic at once (creating an alias is not a CodeDeploy deployment)`,
        details: ['from the next change of the function on, CodeDeploy shifts the alias as configured: run the check again then to see how'],
      });
      continue;
    }

    const group = template.Resources?.[refId(update.DeploymentGroupName)]?.Properties ?? {};
    const shift = describeShift(group.DeploymentConfigName ?? '');
    const hook = literal(template, update.BeforeAllowTrafficHook, 'FunctionName');
    const hookTimeout = template.Resources?.[refId(update.BeforeAllowTrafficHook)]?.Properties?.Timeout;
    const alarms = (group.AlarmConfiguration?.Enabled ? group.AlarmConfiguration.Alarms ?? [] : [])
      .map((a) => literal(template, a.Name, 'AlarmName') ?? JSON.stringify(a.Name));
    const events = group.AutoRollbackConfiguration?.Enabled ? group.AutoRollbackConfiguration.Events ?? [] : [];
    const on = [
      events.includes('DEPLOYMENT_FAILURE') && 'a failed deployment',
      events.includes('DEPLOYMENT_STOP_ON_REQUEST') && 'a stopped deployment',
      events.includes('DEPLOYMENT_STOP_ON_ALARM') && alarms.length && `alarm ${alarms.join(', ')}`,
    ].filter(Boolean);
    const checkMinutes = hook ? Math.ceil((hookTimeout ?? 60) / 60) : 0;
    const wait = shift.minutes === undefined ? 'for the deployment to finish'
      : `about ${shift.minutes + checkMinutes} min${hook ? ` (the pre-traffic check, up to ${checkMinutes} min, then ${shift.minutes} min of shifting)` : ''}`;
    findings.push({
      kind: 'traffic',
      stack,
      blocking: false,
      message: `${where}: a new version; CodeDeploy shifts traffic ${shift.text} (${group.DeploymentConfigName})` +
        (hook ? `, after the pre-traffic check ${hook}` : ', with no pre-traffic check'),
      details: [
        on.length ? `rolls back on: ${on.join('; ')}` : 'NO automatic rollback: a bad version keeps its traffic until someone acts',
        `\`cdk deploy\` of this layer waits ${wait}; stopping the deployment rolls it back (docs/deploying.md)`,
      ],
    });
  }
  return findings;
}

function changedNames(change) {
  return [...Object.keys(change.propertyUpdates), ...Object.keys(change.otherChanges)];
}

function replacementCauses(change) {
  if (change.resourceTypeChanged) return [`type ${change.oldResourceType} -> ${change.newResourceType}`];
  return Object.entries(change.propertyUpdates)
    .filter(([, d]) => REPLACING.has(d.changeImpact))
    .map(([name, d]) => (d.changeImpact === ResourceImpact.MAY_REPLACE ? `${name} (may)` : name));
}

// A locked bucket names itself in its metadata (src/Constructs/Data/DataBuckets.cs). A bucket that existed before the app
// set Object Lock at creation is replaced when the top-level ObjectLockEnabled appears: say which context value keeps it.
function predatingLockNote(change) {
  const locked = change.newValue?.Metadata?.['tradingplatform:lockedBucket'];
  const added = change.propertyUpdates?.ObjectLockEnabled && change.oldValue?.Properties?.ObjectLockEnabled === undefined;
  if (!locked?.name || !locked?.environment || !added) return [];
  return [`this bucket predates Object Lock at creation: keep it in place by listing it in the context value bucketsPredatingObjectLock, ` +
    `in cdk.json "bucketsPredatingObjectLock": {"${locked.environment}": ["${locked.name}"]} (or -c bucketsPredatingObjectLock=${locked.environment}:${locked.name}); ` +
    'see docs/deploying.md, "Object Lock: created locked, or predating"'];
}

// On replacement CloudFormation applies UpdateReplacePolicy to the old resource, not DeletionPolicy.
function replacePolicyNote(oldResource) {
  const policy = oldResource?.UpdateReplacePolicy;
  if (policy === 'Retain') return ['UpdateReplacePolicy Retain: the old one is kept but no longer used; the new one starts empty'];
  if (policy === 'Snapshot') return ['UpdateReplacePolicy Snapshot: the old one is snapshotted and deleted; the new one starts empty'];
  return [];
}

function deletePolicyNote(oldResource) {
  return oldResource?.DeletionPolicy === 'Snapshot' ? ['DeletionPolicy Snapshot: a final snapshot is taken, then it is deleted'] : [];
}

// -------------------------------------------------------------------------------------------------
// IAM and security groups (the library's own summaries, one line per row)
// -------------------------------------------------------------------------------------------------

const ANSI = /\u001b\[[0-9;]*m/g;
const cell = (s) => String(s ?? '').replace(ANSI, '').split('\n').map((x) => x.trim()).filter(Boolean).join(', ');

/** How each IAM condition operator reads in a sentence ("kms:ViaService = s3.us-west-2.amazonaws.com"). */
const CONDITION_OPERATORS = {
  StringEquals: '=', StringNotEquals: '!=', StringEqualsIgnoreCase: '= (any case)', StringNotEqualsIgnoreCase: '!= (any case)',
  StringLike: 'like', StringNotLike: 'not like', ArnEquals: '=', ArnNotEquals: '!=', ArnLike: 'like', ArnNotLike: 'not like',
  NumericEquals: '=', NumericNotEquals: '!=', NumericLessThan: '<', NumericLessThanEquals: '<=', NumericGreaterThan: '>',
  NumericGreaterThanEquals: '>=', DateEquals: '=', DateNotEquals: '!=', DateLessThan: 'before', DateLessThanEquals: 'at or before',
  DateGreaterThan: 'after', DateGreaterThanEquals: 'at or after', Bool: '=', BinaryEquals: '=', IpAddress: 'in', NotIpAddress: 'not in',
  Null: 'is absent:',
};

/**
 * An IAM Condition block as one line a reviewer reads at a glance: each test as `key operator value` (several values
 * as "a or b"), joined by "and", with ForAnyValue/ForAllValues and IfExists said in words. The diff library renders the
 * block as indented JSON without its outer braces; anything that does not parse back is shown as that text on one line.
 */
export function conditionText(rendered) {
  const raw = String(rendered ?? '').replace(ANSI, '').trim();
  let condition;
  try {
    condition = JSON.parse(`{${raw}}`);
  } catch {
    return cell(rendered);
  }
  const value = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
  return Object.entries(condition).flatMap(([operator, tests]) => {
    const [, set, base, ifExists] = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operator);
    const symbol = CONDITION_OPERATORS[base] ?? base;
    const quantifier = set === 'ForAnyValue' ? 'any of ' : set === 'ForAllValues' ? 'all of ' : '';
    return Object.entries(tests ?? {}).map(([key, values]) =>
      `${quantifier}${key} ${symbol} ${[values].flat().map(value).join(' or ')}${ifExists ? ' (if present)' : ''}`);
  }).join(' and ');
}

function iamFindings(stack, diff) {
  const iam = diff.iamChanges;
  if (!iam.hasChanges) return [];
  const findings = [];
  for (const [sign, resource, effect, action, principal, condition] of iam.summarizeStatements().slice(1)) {
    const who = cell(principal) ? ` for ${cell(principal)}` : '';
    const when = cell(condition) ? ` when ${conditionText(condition)}` : '';
    findings.push(iamFinding(stack, `${cell(sign)} ${cell(effect)} ${cell(action)} on ${cell(resource)}${who}${when}`));
  }
  for (const [sign, resource, arn] of iam.summarizeManagedPolicies().slice(1)) {
    findings.push(iamFinding(stack, `${cell(sign)} managed policy ${cell(arn)} on ${cell(resource)}`));
  }
  if (iam.permissionsBroadened) findings.push(iamFinding(stack, 'permissions are broadened (statements or managed policies added)'));
  return findings;
}

const iamFinding = (stack, message) => ({ kind: 'iam', stack, blocking: false, message, details: [] });

function securityGroupFindings(stack, diff) {
  const sg = diff.securityGroupChanges;
  if (!sg.hasChanges) return [];
  return sg.summarize().slice(1).map(([sign, group, dir, protocol, peer]) => ({
    kind: 'security-group',
    stack,
    blocking: false,
    message: `${cell(sign)} ${cell(dir) === 'In' ? 'ingress' : 'egress'} ${cell(protocol)} ${cell(dir) === 'In' ? 'from' : 'to'} ${cell(peer)} on ${cell(group)}`,
    details: [],
  }));
}

// -------------------------------------------------------------------------------------------------
// Stacks: missing, new, termination protection, tags
// -------------------------------------------------------------------------------------------------

function stackMissingFinding(name, base, next) {
  const successor = [...next.keys()].find((n) => !base.has(n) && layerOf(n) === layerOf(name) && layerOf(n) !== n);
  return {
    kind: 'stack-missing',
    stack: name,
    blocking: false,
    message: successor ? `stack renamed? ${name} is gone and ${successor} is new` : `stack ${name} is no longer in the app`,
    details: [
      '`cdk deploy` does not delete it: it stays deployed with its resources and exports until someone destroys it',
      ...(successor ? [`${successor} is a NEW stack: it creates its own resources next to the old ones (fixed physical names will collide)`] : []),
    ],
  };
}

function stackNewFinding(name, stack, base) {
  const predecessor = [...base.keys()].find((b) => layerOf(b) === layerOf(name) && layerOf(b) !== b && b !== name);
  const count = Object.keys(stack.template.Resources ?? {}).length;
  return {
    kind: 'stack-new',
    stack: name,
    blocking: false,
    message: `new stack: ${count} resources created${predecessor ? ` (replaces ${predecessor}? see there)` : ''}`,
    details: [],
  };
}

function stackSettingFindings(name, b, n) {
  const findings = [];
  if (b.terminationProtection !== n.terminationProtection) {
    const onOff = (v) => (v ? 'on' : 'off');
    findings.push({
      kind: 'termination-protection',
      stack: name,
      blocking: false,
      message: `termination protection ${onOff(b.terminationProtection)} -> ${onOff(n.terminationProtection)}`,
      details: n.terminationProtection ? [] : ['the stack can now be deleted by `cdk destroy` or by hand'],
    });
  }
  if (!deepEqual(b.tags, n.tags)) {
    const keys = [...new Set([...Object.keys(b.tags), ...Object.keys(n.tags)])].filter((k) => b.tags[k] !== n.tags[k]);
    findings.push({ kind: 'tags', stack: name, blocking: false, message: `stack tags changed: ${keys.join(', ')}`, details: [] });
  }
  return findings;
}

// -------------------------------------------------------------------------------------------------
// Exports still imported by the deployed (base) version of another stack
// -------------------------------------------------------------------------------------------------

/** Map exportName -> { stack, value } of every Output with an Export. */
function exportsOf(assembly) {
  const out = new Map();
  for (const [stack, { template }] of assembly) {
    for (const output of Object.values(template.Outputs ?? {})) {
      const name = output?.Export?.Name;
      if (typeof name === 'string') out.set(name, { stack, value: output.Value });
    }
  }
  return out;
}

/** Map exportName -> Set of stacks whose template has { "Fn::ImportValue": "<literal name>" }. */
function importsOf(assembly) {
  const out = new Map();
  const visit = (node, stack) => {
    if (Array.isArray(node)) return node.forEach((x) => visit(x, stack));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Fn::ImportValue' && typeof value === 'string') {
        if (!out.has(value)) out.set(value, new Set());
        out.get(value).add(stack);
      } else visit(value, stack);
    }
  };
  for (const [stack, { template }] of assembly) visit(template, stack);
  return out;
}

/** Logical ids an expression points at through Ref or Fn::GetAtt. */
function referencedIds(node, ids = new Set()) {
  if (Array.isArray(node)) node.forEach((x) => referencedIds(x, ids));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string') ids.add(value);
      else if (key === 'Fn::GetAtt') ids.add(Array.isArray(value) ? value[0] : String(value).split('.')[0]);
      else referencedIds(value, ids);
    }
  }
  return ids;
}

function exportFindings(base, next, diffs) {
  const baseExports = exportsOf(base);
  const nextExports = exportsOf(next);
  const imports = importsOf(base);
  const findings = [];
  for (const [exportName, produced] of baseExports) {
    // A producer missing from the new app is not deleted by `cdk deploy`, so its exports stay.
    if (!next.has(produced.stack)) continue;
    const consumers = [...(imports.get(exportName) ?? [])].filter((s) => s !== produced.stack);
    if (consumers.length === 0) continue;
    const now = nextExports.get(exportName);
    const problem = exportProblem(produced, now, diffs.get(produced.stack));
    if (!problem) continue;
    findings.push({
      kind: problem.kind,
      stack: produced.stack,
      exportName,
      consumers,
      blocking: true,
      allowId: `${produced.stack}/export:${exportName}`,
      message: `export ${exportName} ${problem.what} while ${consumers.join(', ')} import${consumers.length > 1 ? '' : 's'} it (CloudFormation refuses this deploy)`,
      details: twoDeployFix(problem.kind, produced, consumers),
    });
  }
  return findings;
}

function exportProblem(produced, now, producerDiff) {
  if (!now || now.stack !== produced.stack) return { kind: 'export-removed', what: 'is removed' };
  if (!deepEqual(produced.value, now.value)) return { kind: 'export-changed', what: 'changes its value' };
  // Same expression, but the resource behind it is replaced: the exported id or ARN changes at deploy.
  const replaced = [...referencedIds(now.value)].filter((id) => REPLACING.has(producerDiff?.resources.changes[id]?.changeImpact));
  if (replaced.length) return { kind: 'export-changed', what: `changes its value (${replaced.join(', ')} is replaced)` };
  return undefined;
}

function twoDeployFix(kind, produced, consumers) {
  const value = JSON.stringify(produced.value);
  if (kind === 'export-removed') {
    return [
      'two deploys:',
      `1. keep the export in ${produced.stack} with this.ExportValue(<the same value: ${value}>), remove the reference from ${consumers.join(', ')}, and deploy (the consumers stop importing it)`,
      `2. delete the ExportValue call and deploy ${produced.stack}`,
    ];
  }
  return [
    'two deploys:',
    `1. leave ${produced.stack} as deployed (keep the old value exported with this.ExportValue(<old value: ${value}>) if the code must move on), remove the reference from ${consumers.join(', ')}, and deploy them`,
    `2. make the change in ${produced.stack} and deploy it; then add the reference back in the consumers and deploy them`,
  ];
}
