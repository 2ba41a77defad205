// Entry point for `node --test src/Functions/PreTrafficHook/test/` (scripts/test.sh). The pre-traffic check (../index.js), as deployed: IngestionRollout inlines that file into the template unchanged
// (a template test checks it). Lambda and CodeDeploy are replaced by recording fakes; the refusal the check expects is
// the function's own (DataProcessor.Tests runs the real handler on probeEvent: 401, nothing stored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { run, judge, probeEvent } = require('../index.js');

const VERSION = 'arn:aws:lambda:us-east-1:123456789012:function:data-processor-prod:42';

/** Lambda's Invoke result for a proxy response (the payload is bytes, as the SDK returns it). */
const answer = (statusCode, body) => ({
  StatusCode: 200,
  ExecutedVersion: '42',
  Payload: new TextEncoder().encode(JSON.stringify({ statusCode, headers: {}, body: JSON.stringify(body), isBase64Encoded: false })),
});
const refusal = answer(401, { error: 'unauthorized', message: 'no identity' });

function fakes(result) {
  const calls = { invoked: [], reported: [], logged: [] };
  return {
    calls,
    deps: {
      invoke: async (arn, payload) => {
        calls.invoked.push({ arn, payload: JSON.parse(payload) });
        if (result instanceof Error) throw result;
        return result;
      },
      report: async (status) => calls.reported.push(status),
      log: (line) => calls.logged.push(JSON.parse(line)),
    },
  };
}

test('a version that refuses the probe with 401 passes, and CodeDeploy is told Succeeded once', async () => {
  const { calls, deps } = fakes(refusal);
  assert.equal(await run(VERSION, deps), 'Succeeded');
  assert.deepEqual(calls.reported, ['Succeeded']);
  // Exactly the version under test, never the alias or $LATEST: the ARN is qualified by the version number.
  assert.deepEqual(calls.invoked.map((c) => c.arn), [VERSION]);
});

test('the probe carries no caller identity and no body, so no version can store anything from it', () => {
  assert.equal(probeEvent.body, null, 'a body could be stored by a version whose authorization is broken');
  assert.equal(probeEvent.requestContext.identity, undefined, 'no API key id');
  assert.equal(probeEvent.requestContext.authorizer, undefined, 'no token claims');
  const headers = Object.keys(probeEvent.headers).map((h) => h.toLowerCase());
  assert.ok(!headers.includes('x-api-key') && !headers.includes('authorization') && !headers.includes('idempotency-key'), headers.join(','));
  assert.ok(Object.isFrozen(probeEvent));
});

// Each way a new version can be wrong fails the deployment (CodeDeploy then rolls back), and says why in the log.
const failures = {
  'a version that accepts a request without identity (2xx)': answer(202, { batchId: 'x' }),
  'a version that validates before it authorizes (400)': answer(400, { error: 'invalid_json' }),
  'a version that forbids instead of refusing (403)': answer(403, { error: 'forbidden' }),
  'a version that fails the request (500)': answer(500, { error: 'internal_error' }),
  'a 401 with another error code': answer(401, { error: 'something_else' }),
  'a version that does not start (Unhandled)': { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{"errorType":"Runtime.ExitError"}') },
  'an answer that is not JSON': { StatusCode: 200, Payload: new TextEncoder().encode('<html>') },
  'a 401 without a JSON body': { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify({ statusCode: 401, body: 'nope' })) },
  'an invocation that throws (e.g. AccessDenied, timeout)': Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }),
};

for (const [name, result] of Object.entries(failures)) {
  test(`fails the deployment: ${name}`, async () => {
    const { calls, deps } = fakes(result);
    assert.equal(await run(VERSION, deps), 'Failed');
    assert.deepEqual(calls.reported, ['Failed'], 'reported exactly once, as Failed');
    assert.equal(calls.logged.length, 1);
    assert.equal(calls.logged[0].status, 'Failed');
    assert.ok(calls.logged[0].reason, 'the log says why');
  });
}

test('without VERSION_ARN nothing is invoked and the deployment fails', async () => {
  const { calls, deps } = fakes(refusal);
  assert.equal(await run(undefined, deps), 'Failed');
  assert.deepEqual(calls.invoked, []);
  assert.deepEqual(calls.reported, ['Failed']);
});

test('judge accepts only the function\'s own refusal', () => {
  assert.equal(judge(refusal), null);
  assert.match(judge(answer(200, {})), /expected status 401/);
});
