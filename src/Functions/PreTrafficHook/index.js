'use strict';
// CodeDeploy's BeforeAllowTraffic hook for the ingestion function (deployed inline by IngestionRollout).
// Before any request moves to a new version, it invokes that version once with a request that carries no caller
// identity and no body: a healthy version refuses it with 401 before reading anything, so nothing can be stored
// even by a version whose authorization is broken (it would answer 400, and fail the check). Any other answer, an
// error, or a version that does not start fails the deployment, and CodeDeploy rolls back.

const probeEvent = Object.freeze({
  resource: '/data',
  path: '/data',
  httpMethod: 'POST',
  headers: { 'Content-Type': 'application/json' },
  multiValueHeaders: { 'Content-Type': ['application/json'] },
  requestContext: { requestId: 'pre-traffic-check', resourcePath: '/data', httpMethod: 'POST', stage: 'pre-traffic' },
  body: null,
  isBase64Encoded: false,
});

/** Why the invocation result is not the refusal expected, or null when it is. */
function judge(result) {
  if (result.FunctionError) return `the version failed to run (${result.FunctionError})`;
  let response;
  try {
    response = JSON.parse(Buffer.from(result.Payload ?? []).toString('utf8'));
  } catch {
    return 'the version answered something that is not JSON';
  }
  if (response?.statusCode !== 401) return `expected status 401 for a request without identity, got ${response?.statusCode}`;
  let body;
  try {
    body = JSON.parse(response.body);
  } catch {
    return 'the 401 has no JSON body';
  }
  return body?.error === 'unauthorized' ? null : `expected error "unauthorized", got ${JSON.stringify(body?.error)}`;
}

/**
 * Checks the version and reports to CodeDeploy; returns the status reported. `invoke(versionArn, payload)` returns
 * Lambda's Invoke result; `report(status)` calls PutLifecycleEventHookExecutionStatus. Both are injected for tests.
 */
async function run(versionArn, { invoke, report, log = console.log }) {
  let reason;
  try {
    reason = versionArn ? judge(await invoke(versionArn, JSON.stringify(probeEvent))) : 'VERSION_ARN is not set';
  } catch (error) {
    reason = `the invocation failed: ${error?.name ?? 'Error'}: ${error?.message ?? error}`;
  }
  const status = reason ? 'Failed' : 'Succeeded';
  log(JSON.stringify({ check: 'pre-traffic', versionArn, status, reason: reason ?? undefined }));
  await report(status);
  return status;
}

async function handler(event) {
  // The runtime's own AWS SDK v3 (nodejs18.x and later): nothing is bundled.
  const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
  const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
  const lambda = new LambdaClient({});
  const codedeploy = new CodeDeployClient({});
  return run(process.env.VERSION_ARN, {
    invoke: (arn, payload) => lambda.send(new InvokeCommand({ FunctionName: arn, Payload: Buffer.from(payload) })),
    report: (status) => codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    })),
  });
}

module.exports = { handler, run, judge, probeEvent };
