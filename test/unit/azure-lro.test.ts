import * as assert from 'assert';
import { DataShareClient } from '../../src/azure/datashare/client';
import { AzureRequestError, isAbortError } from '../../src/common/azureErrors';
import type { LroState } from '../../src/azure/core/lro';
import type { ShareSubscriptionSynchronization } from '../../src/azure/datashare/models';
import { ARM, FakeHttpClient, hang, harness, SUB, type Harness } from './support/azureFakes';

const acct = { subscriptionId: SUB, resourceGroupName: 'rg-consumer', accountName: 'consumer' };
const ss = { ...acct, shareSubscriptionName: 'sales-sub' };
const ssUrl = `${ARM}/subscriptions/${SUB}/resourceGroups/rg-consumer/providers/Microsoft.DataShare/accounts/consumer/shareSubscriptions/sales-sub`;
const opUrl = `${ssUrl}/operationResults/op-1?api-version=2021-08-01`;
const resultUrl = `${ssUrl}/operationResults/op-1/result?api-version=2021-08-01`;

function client(h: Harness): DataShareClient {
  return new DataShareClient(h.credential, { ...h.settings, endpoint: ARM });
}

describe('Data Share long-running operations', () => {
  it('synchronize: polls Azure-AsyncOperation, then reads the result from Location (final-state-via location)', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Azure-AsyncOperation': opUrl, Location: resultUrl, 'Retry-After': '3' }, body: { synchronizationId: 'sync-1', status: 'Accepted' } },
      { status: 200, headers: { 'Retry-After': '1' }, body: { status: 'InProgress' } },
      { status: 200, headers: { 'Retry-After': '1' }, body: { status: 'TransientFailure' } },
      { status: 200, body: { status: 'Succeeded', startTime: '2026-01-01T00:00:00Z' } },
      { status: 200, body: { synchronizationId: 'sync-1', status: 'Succeeded', durationMs: 1234, synchronizationMode: 'FullSync' } },
    );
    const progress: LroState<ShareSubscriptionSynchronization>[] = [];
    const poller = await client(h).shareSubscriptions.beginSynchronize(ss, { synchronizationMode: 'FullSync', onProgress: (s) => progress.push(s) });
    assert.deepStrictEqual(poller.getOperationState().initialResult, { synchronizationId: 'sync-1', status: 'Accepted' });
    assert.strictEqual(poller.isDone(), false);
    const result = await poller.pollUntilDone();

    assert.deepStrictEqual(result, { synchronizationId: 'sync-1', status: 'Succeeded', durationMs: 1234, synchronizationMode: 'FullSync' });
    assert.deepStrictEqual(
      h.http.requests.map((r) => `${r.method} ${r.url}`),
      [`POST ${ssUrl}/synchronize?api-version=2021-08-01`, `GET ${opUrl}`, `GET ${opUrl}`, `GET ${opUrl}`, `GET ${resultUrl}`],
    );
    assert.deepStrictEqual(h.http.requests[0]!.body, { synchronizationMode: 'FullSync' });
    assert.deepStrictEqual(h.sleeps, [3000, 1000, 1000], 'waits what Retry-After says');
    assert.deepStrictEqual(progress.map((p) => p.serviceStatus), ['InProgress', 'TransientFailure', 'Succeeded'], 'TransientFailure is not terminal');
    assert.strictEqual(poller.getOperationState().status, 'succeeded');
  });

  it('honours Retry-After given as an HTTP date', async () => {
    const h = harness();
    const at = new Date(Date.now() + 5000).toUTCString();
    h.http.enqueue(
      { status: 202, headers: { 'Azure-AsyncOperation': opUrl, 'Retry-After': at } },
      { status: 200, body: { status: 'Succeeded' } },
      { status: 200, body: { synchronizationId: 's' } },
    );
    await client(h).shareSubscriptions.synchronizeAndWait(ss);
    assert.strictEqual(h.sleeps.length, 1);
    assert.ok(h.sleeps[0]! > 3000 && h.sleeps[0]! <= 5000, `slept ${h.sleeps[0]} ms`);
  });

  it('uses the configured default interval without Retry-After, clamped by min/max', async () => {
    const h = harness({ lro: { intervalInMs: 7, minIntervalInMs: 5, maxIntervalInMs: 20 } });
    h.http.enqueue(
      { status: 201, body: { location: 'westeurope', identity: { type: 'SystemAssigned' }, properties: { provisioningState: 'Creating' } } },
      { status: 200, body: { properties: { provisioningState: 'Creating' } } },
      { status: 200, headers: { 'Retry-After': '0' }, body: { properties: { provisioningState: 'Creating' } } },
      { status: 200, headers: { 'Retry-After': '600' }, body: { properties: { provisioningState: 'Creating' } } },
      { status: 200, body: { name: 'consumer', properties: { provisioningState: 'Succeeded' } } },
    );
    const account = await client(h).accounts.createOrUpdateAndWait(acct, { location: 'westeurope' });
    assert.strictEqual(account.properties?.provisioningState, 'Succeeded');
    assert.deepStrictEqual(h.sleeps, [7, 7, 5, 20]);
    assert.ok(h.http.requests.slice(1).every((r) => r.method === 'GET' && r.url.endsWith('/accounts/consumer?api-version=2021-08-01')), 'body mode re-GETs the account');
  });

  it('PUT with Azure-AsyncOperation resolves with a final GET of the resource', async () => {
    const h = harness();
    const trigUrl = `${ssUrl}/triggers/nightly?api-version=2021-08-01`;
    h.http.enqueue(
      { status: 201, headers: { 'Azure-AsyncOperation': opUrl }, body: { kind: 'ScheduleBased', properties: { provisioningState: 'Creating' } } },
      { status: 200, body: { status: 'Succeeded' } },
      { status: 200, body: { kind: 'ScheduleBased', name: 'nightly', properties: { provisioningState: 'Succeeded', triggerStatus: 'Active' } } },
    );
    const t = await client(h).triggers.createOrUpdateAndWait({ ...ss, triggerName: 'nightly' }, { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: '2026-01-01T02:00:00Z' } });
    assert.strictEqual(t.properties.triggerStatus, 'Active');
    assert.strictEqual(h.http.requests[2]!.url, trigUrl);
  });

  it('surfaces a Failed operation as AzureRequestError with the operation error code', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Azure-AsyncOperation': opUrl, Location: resultUrl, 'x-ms-request-id': 'req-initial' } },
      { status: 200, headers: { 'x-ms-request-id': 'req-42' }, body: { status: 'Failed', error: { code: 'DataSetMappingBroken', message: 'The target container is gone.' } } },
    );
    const err = await client(h).shareSubscriptions.synchronizeAndWait(ss).then(
      () => assert.fail('should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.code, 'DataSetMappingBroken');
    assert.strictEqual(err.message, 'The target container is gone.');
    assert.strictEqual(err.requestId, 'req-42');
    assert.ok(err.nextStep.length > 10);
    assert.strictEqual(h.http.requests.length, 2, 'no Location GET after failure');
  });

  it('maps a Canceled operation and a failed provisioningState', async () => {
    const h = harness();
    h.http.enqueue({ status: 202, headers: { 'Azure-AsyncOperation': opUrl } }, { status: 200, body: { status: 'Canceled' } });
    await assert.rejects(client(h).shareSubscriptions.synchronizeAndWait(ss), (e: unknown) => e instanceof AzureRequestError && e.code === 'OperationCanceled');
    const h2 = harness();
    h2.http.enqueue({ status: 201, body: { properties: { provisioningState: 'Failed' } } });
    await assert.rejects(client(h2).accounts.createOrUpdateAndWait(acct, { location: 'x' }), (e: unknown) => e instanceof AzureRequestError && e.code === 'OperationFailed');
  });

  it('DELETE with only Location: 202 until done, then resolves', async () => {
    const h = harness();
    const loc = `${ARM}/subscriptions/${SUB}/providers/Microsoft.DataShare/locations/westeurope/operationResults/del-1?api-version=2021-08-01`;
    h.http.enqueue({ status: 202, headers: { Location: loc, 'Retry-After': '2' } }, { status: 202, headers: { 'Retry-After': '2' } }, { status: 204 });
    await client(h).shareSubscriptions.deleteAndWait(ss);
    assert.deepStrictEqual(
      h.http.requests.map((r) => r.method),
      ['DELETE', 'GET', 'GET'],
    );
    assert.deepStrictEqual(h.sleeps, [2000, 2000]);
  });

  it('synchronous 200 answers complete without polling', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, body: { status: 'Succeeded' } });
    await client(h).accounts.deleteAndWait(acct);
    h.http.enqueue({ status: 200, body: { synchronizationId: 'x', status: 'Succeeded' } });
    const r = await client(h).shareSubscriptions.synchronizeAndWait(ss);
    assert.strictEqual(r.synchronizationId, 'x');
    assert.strictEqual(h.http.requests.length, 2);
    assert.deepStrictEqual(h.sleeps, []);
  });

  it('revoke: final state via Location returns the provider share subscription', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 202, headers: { 'Azure-AsyncOperation': opUrl, Location: resultUrl } },
      { status: 200, body: { status: 'Succeeded' } },
      { status: 200, body: { name: 'p1', properties: { shareSubscriptionStatus: 'Revoked' } } },
    );
    const p = await client(h).providerShareSubscriptions.revokeAndWait({ ...acct, shareName: 's', providerShareSubscriptionId: 'p1' });
    assert.strictEqual(p.properties?.shareSubscriptionStatus, 'Revoked');
    assert.strictEqual(h.http.requests[0]!.body, undefined, 'revoke has no body');
  });

  it('a poller can be resumed from its token without re-sending the operation', async () => {
    const h = harness();
    h.http.enqueue({ status: 202, headers: { 'Azure-AsyncOperation': opUrl, Location: resultUrl }, body: { synchronizationId: 'sync-9' } });
    const first = await client(h).shareSubscriptions.beginSynchronize(ss);
    const token = first.toString();

    const h2 = harness();
    h2.http.enqueue({ status: 200, body: { status: 'Succeeded' } }, { status: 200, body: { synchronizationId: 'sync-9', status: 'Succeeded' } });
    const resumed = await client(h2).shareSubscriptions.beginSynchronize(ss, { resumeFrom: token });
    assert.strictEqual((resumed.getOperationState().initialResult as { synchronizationId: string }).synchronizationId, 'sync-9');
    const r = await resumed.pollUntilDone();
    assert.strictEqual(r.status, 'Succeeded');
    assert.deepStrictEqual(h2.http.requests.map((x) => x.method), ['GET', 'GET'], 'no second POST');
  });

  it('never follows an operation URL on another host (the token would leak)', async () => {
    const h = harness();
    h.http.enqueue({ status: 202, headers: { 'Azure-AsyncOperation': 'https://evil.example.com/op?x=1' } });
    await assert.rejects(client(h).shareSubscriptions.synchronizeAndWait(ss), (e: unknown) => e instanceof AzureRequestError && e.code === 'UntrustedFollowUrl');
    assert.strictEqual(h.http.requests.length, 1);
  });

  describe('cancellation', () => {
    it('an abort during the Retry-After wait rejects promptly and stops polling', async () => {
      const h = harness();
      delete h.settings.sleep; // real timers
      h.http.enqueue({ status: 202, headers: { 'Azure-AsyncOperation': opUrl, 'Retry-After': '30' } });
      const ac = new AbortController();
      const started = Date.now();
      const p = client(h).shareSubscriptions.synchronizeAndWait(ss, { abortSignal: ac.signal });
      setTimeout(() => ac.abort(), 30);
      await assert.rejects(p, (e: unknown) => isAbortError(e));
      assert.ok(Date.now() - started < 1000, `rejected after ${Date.now() - started} ms`);
      await new Promise((r) => setTimeout(r, 50));
      assert.strictEqual(h.http.requests.length, 1, 'no poll after abort');
    });

    it('an abort during an in-flight poll rejects promptly', async () => {
      const h = harness();
      h.http.enqueue({ status: 202, headers: { 'Azure-AsyncOperation': opUrl } }, hang);
      const ac = new AbortController();
      const p = client(h).shareSubscriptions.synchronizeAndWait(ss, { abortSignal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      const started = Date.now();
      await assert.rejects(p, (e: unknown) => isAbortError(e));
      assert.ok(Date.now() - started < 1000);
      assert.strictEqual(h.http.requests.length, 2);
    });

    it('an already-aborted signal sends nothing', async () => {
      const h = harness();
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(client(h).accounts.get(acct, { abortSignal: ac.signal }), (e: unknown) => isAbortError(e));
      await assert.rejects(client(h).accounts.listBySubscription(SUB, { abortSignal: ac.signal }).collect(), (e: unknown) => isAbortError(e));
      assert.strictEqual(h.http.requests.length, 0);
    });

    it('pollUntilDone can take its own signal', async () => {
      const http = new FakeHttpClient();
      const h = harness({}, http);
      http.enqueue({ status: 202, headers: { 'Azure-AsyncOperation': opUrl } }, { status: 200, body: { status: 'InProgress' } });
      const poller = await client(h).shareSubscriptions.beginSynchronize(ss);
      const ac = new AbortController();
      ac.abort();
      await assert.rejects(poller.pollUntilDone({ abortSignal: ac.signal }), (e: unknown) => isAbortError(e));
      assert.strictEqual(http.requests.length, 1);
    });
  });
});
