import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { RestError } from '@azure/core-rest-pipeline';
import { DataShareClient } from '../../src/azure/datashare/client';
import { AzureRequestError, isAbortError } from '../../src/common/azureErrors';
import { DEFAULT_USER_AGENT, tlsOptionsFor } from '../../src/azure/pipeline';
import { PRODUCT_VERSION } from '../../src/common/version';
import { ARM, harness, SUB, type Harness } from './support/azureFakes';

const acct = { subscriptionId: SUB, resourceGroupName: 'rg', accountName: 'acct' };

function client(h: Harness, endpoint = ARM): DataShareClient {
  return new DataShareClient(h.credential, { ...h.settings, endpoint });
}

describe('Azure HTTP pipeline', () => {
  it('retries 429 after the Retry-After delay, then succeeds', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 429, headers: { 'Retry-After': '2' }, body: { error: { code: 'TooManyRequests', message: 'Slow down.' } } },
      { status: 200, body: { name: 'acct' } },
    );
    const a = await client(h).accounts.get(acct);
    assert.strictEqual(a.name, 'acct');
    assert.strictEqual(h.http.requests.length, 2);
    assert.deepStrictEqual(h.sleeps, [2000]);
  });

  it('retries 503 with retry-after-ms and 5xx / 408 with bounded exponential backoff', async () => {
    const h = harness({ retry: { retryDelayInMs: 100, maxRetryDelayInMs: 1000 } });
    h.http.enqueue({ status: 503, headers: { 'retry-after-ms': '250' } }, { status: 500 }, { status: 408 }, { status: 502 }, { status: 200, body: { name: 'ok' } });
    await client(h).accounts.get(acct);
    assert.strictEqual(h.sleeps[0], 250);
    assert.ok(h.sleeps[1]! >= 160 && h.sleeps[1]! <= 240, `2nd backoff ${h.sleeps[1]}`);
    assert.ok(h.sleeps[2]! >= 320 && h.sleeps[2]! <= 480, `3rd backoff ${h.sleeps[2]}`);
    assert.ok(h.sleeps[3]! <= 1000, 'capped');
  });

  it('retries connection resets, but not refused connections', async () => {
    const h = harness();
    h.http.enqueue(new RestError('socket hang up', { code: 'ECONNRESET' }), { status: 200, body: { name: 'ok' } });
    assert.strictEqual((await client(h).accounts.get(acct)).name, 'ok');
    assert.strictEqual(h.http.requests.length, 2);

    const h2 = harness();
    h2.http.enqueue(new RestError('connect ECONNREFUSED 127.0.0.1:8443', { code: 'ECONNREFUSED' }));
    const err = await client(h2).accounts.get(acct).catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.code, 'ECONNREFUSED');
    assert.match(err.nextStep, /sandbox/);
    assert.strictEqual(h2.http.requests.length, 1);
  });

  it('gives up after maxRetries and surfaces the last error', async () => {
    const h = harness({ retry: { maxRetries: 2 } });
    const busy = { status: 500, headers: { 'x-ms-request-id': 'rid-500' }, body: { error: { code: 'InternalServerError', message: 'Boom.' } } };
    h.http.enqueue(busy, busy, busy, { status: 200 });
    const err = await client(h).accounts.get(acct).catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.statusCode, 500);
    assert.strictEqual(err.requestId, 'rid-500');
    assert.strictEqual(h.http.requests.length, 3);
  });

  it('does not retry a Retry-After beyond the cap: the error says how long to wait', async () => {
    const h = harness({ retry: { maxRetryAfterInMs: 10_000 } });
    h.http.enqueue({ status: 429, headers: { 'Retry-After': '120' }, body: { error: { code: 'TooManyRequests', message: 'Throttled.' } } });
    const err = await client(h).accounts.get(acct).catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.code, 'TooManyRequests');
    assert.strictEqual(err.retryAfterMs, 120_000);
    assert.match(err.nextStep, /120 seconds/);
    assert.strictEqual(h.http.requests.length, 1);
  });

  it('does not retry 4xx other than 408/429', async () => {
    const h = harness();
    h.http.enqueue({ status: 409, body: { error: { code: 'Conflict', message: 'Busy.' } } });
    await assert.rejects(client(h).accounts.get(acct), (e: unknown) => e instanceof AzureRequestError && e.statusCode === 409);
    assert.strictEqual(h.http.requests.length, 1);
  });

  it('an abort during a retry wait stops at once', async () => {
    const h = harness();
    delete h.settings.sleep;
    h.http.enqueue({ status: 429, headers: { 'Retry-After': '30' } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    await assert.rejects(client(h).accounts.get(acct, { abortSignal: ac.signal }), (e: unknown) => isAbortError(e));
    assert.ok(Date.now() - t0 < 1000);
    assert.strictEqual(h.http.requests.length, 1);
  });

  it('sends the product user agent and a bearer token for the explicit ARM scope (also for the sandbox endpoint)', async () => {
    const h = harness();
    await client(h, 'https://127.0.0.1:8443').accounts.get(acct);
    const req = h.http.requests[0]!;
    assert.ok(req.headers['user-agent']?.startsWith(`governed-data-share/${PRODUCT_VERSION}`), req.headers['user-agent']);
    assert.match(req.headers.authorization ?? '', /^Bearer /);
    assert.deepStrictEqual(h.credential.calls[0]?.scopes, ['https://management.azure.com/.default']);
    assert.strictEqual(req.headers.accept, 'application/json');
  });

  it('the product version matches package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { name: string; version: string };
    assert.strictEqual(PRODUCT_VERSION, pkg.version);
    assert.strictEqual(DEFAULT_USER_AGENT, `${pkg.name}/${pkg.version}`);
  });

  it('shares one TLS settings object per CA so connections are reused', () => {
    const a = tlsOptionsFor('-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----');
    assert.strictEqual(a, tlsOptionsFor('-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----'));
    assert.strictEqual(tlsOptionsFor(undefined), undefined);
  });
});
