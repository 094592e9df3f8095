/**
 * ARM throttling in the sandbox (`throttle` option): token buckets per subscription, principal and
 * operation type, the `x-ms-ratelimit-remaining-subscription-*` headers, 429 + Retry-After with
 * ARM's error body, refills on the sandbox clock, the counters of GET /admin/stats, and the typed
 * clients of src/azure riding through the 429s by waiting.
 */
import * as assert from 'node:assert/strict';
import { createAzureClients, loadSandboxCloud, sandboxCredentials, type AzureClients } from '../../src/azure';
import type { RunningSandbox, SandboxTenantDescription, ThrottleStats } from '../../src/sandbox';
import { ARM_SCOPE, removeTempDirs, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

const API = 'api-version=2021-04-01';

describe('sandbox ARM throttling (token buckets per subscription, principal and operation type)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let contosoSub: string;
  let fabrikamSub: string;
  let contosoToken: string;

  before(async () => {
    ({ sandbox } = await startTestSandbox('throttle', {
      tickIntervalMs: 0,
      // Reads refill slowly (one token per 5 s) so the header and 429 checks do not race the clock.
      throttle: { reads: { burst: 5, refillPerSecond: 0.2 }, writes: { burst: 3, refillPerSecond: 1 }, deletes: { burst: 2, refillPerSecond: 1 } },
    }));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    contosoSub = contoso.subscriptions[0].subscriptionId;
    fabrikamSub = fabrikam.subscriptions[0].subscriptionId;
    contosoToken = await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE);
  });

  after(async () => {
    await sandbox?.stop();
    removeTempDirs();
  });

  const adminHeaders = () => ({ 'x-sandbox-admin-key': sandbox.adminKey });
  const stats = async (): Promise<ThrottleStats> => {
    const res = await request(sandbox, 'GET', '/admin/stats', { headers: adminHeaders() });
    assert.equal(res.status, 200, res.text);
    return res.body as ThrottleStats;
  };
  const refill = async () => {
    const res = await request(sandbox, 'POST', '/admin/throttle/refill', { headers: adminHeaders() });
    assert.equal(res.status, 200, res.text);
  };
  const listGroups = (token: string, sub = contosoSub) => request(sandbox, 'GET', `/subscriptions/${sub}/resourcegroups?${API}`, { token });

  it('counts down x-ms-ratelimit-remaining-subscription-reads / -writes / -deletes on every ARM response', async () => {
    await refill();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await listGroups(contosoToken);
      assert.equal(res.status, 200, res.text);
      remaining.push(String(res.headers['x-ms-ratelimit-remaining-subscription-reads']));
      assert.equal(res.headers['x-ms-ratelimit-remaining-subscription-writes'], undefined, 'a read carries only the reads header');
    }
    assert.deepEqual(remaining, ['4', '3', '2']);

    const put = await request(sandbox, 'PUT', `/subscriptions/${contosoSub}/resourcegroups/rg-headers?${API}`, { token: contosoToken, body: { location: 'westeurope' } });
    assert.ok(put.status === 200 || put.status === 201, put.text);
    assert.equal(put.headers['x-ms-ratelimit-remaining-subscription-writes'], '2');
    const del = await request(sandbox, 'DELETE', `/subscriptions/${contosoSub}/resourcegroups/rg-headers?${API}`, { token: contosoToken });
    assert.ok(del.status < 300, del.text);
    assert.equal(del.headers['x-ms-ratelimit-remaining-subscription-deletes'], '1');

    // An error answered after the count carries the header too (ARM counted it).
    const missing = await request(sandbox, 'GET', `/subscriptions/${contosoSub}/resourcegroups/does-not-exist?${API}`, { token: contosoToken });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-ms-ratelimit-remaining-subscription-reads'], '1');
  });

  it('answers 429 with Retry-After and ARM\'s SubscriptionRequestsThrottled body once the bucket is empty', async () => {
    await refill();
    for (let i = 0; i < 5; i++) {
      assert.equal((await listGroups(contosoToken)).status, 200);
    }
    const before = await stats();
    const res = await listGroups(contosoToken);
    assert.equal(res.status, 429, res.text);
    const retryAfter = Number(res.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 4 && retryAfter <= 5, `Retry-After is the whole seconds until one token is back at 0.2/s; got ${String(res.headers['retry-after'])}`);
    assert.equal(res.headers['x-ms-ratelimit-remaining-subscription-reads'], '0');
    assert.equal(res.body.error.code, 'SubscriptionRequestsThrottled');
    assert.match(res.body.error.message, /Number of 'read' requests for subscription/);
    assert.match(res.body.error.message, new RegExp(contosoSub));
    const after = await stats();
    assert.equal(after.arm.throttled, before.arm.throttled + 1);
    assert.equal(after.subscriptions[contosoSub.toLowerCase()].throttled, before.subscriptions[contosoSub.toLowerCase()].throttled + 1);

    // Writes have their own bucket: still available while reads are exhausted.
    const put = await request(sandbox, 'PUT', `/subscriptions/${contosoSub}/resourcegroups/rg-other-bucket?${API}`, { token: contosoToken, body: { location: 'westeurope' } });
    assert.ok(put.status === 200 || put.status === 201, put.text);
  });

  it('keeps buckets per subscription and per principal: others are unaffected', async () => {
    await refill();
    for (let i = 0; i < 5; i++) {
      await listGroups(contosoToken);
    }
    assert.equal((await listGroups(contosoToken)).status, 429);

    const fabrikamToken = await tokenFor(spCredential(sandbox, fabrikam), ARM_SCOPE);
    const other = await listGroups(fabrikamToken, fabrikamSub);
    assert.equal(other.status, 200, other.text);
    assert.equal(other.headers['x-ms-ratelimit-remaining-subscription-reads'], '4');

    // Same subscription, another principal (Contoso's user): its own bucket.
    const userToken = await tokenFor(sandboxCredentials(sandbox.description, contoso.tenantId, 'user', { caPem: sandbox.ca }), ARM_SCOPE);
    const user = await listGroups(userToken);
    assert.equal(user.status, 200, user.text);
    assert.equal(user.headers['x-ms-ratelimit-remaining-subscription-reads'], '4');
  });

  it('refills on the sandbox clock', async () => {
    await refill();
    for (let i = 0; i < 5; i++) {
      await listGroups(contosoToken);
    }
    assert.equal((await listGroups(contosoToken)).status, 429);
    await sandbox.advanceClock(15);
    const res = await listGroups(contosoToken);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['x-ms-ratelimit-remaining-subscription-reads'], '2', '15 s at 0.2/s gave 3 tokens back, this read took one');
  });

  it('counts only ARM requests under /subscriptions (not tokens, admin, Purview data plane or unknown subscriptions)', async () => {
    const before = await stats();
    await tokenFor(spCredential(sandbox, contoso), 'https://storage.azure.com/.default');
    await request(sandbox, 'GET', '/admin/clock', { headers: adminHeaders() });
    const purview = await request(sandbox, 'GET', '/purview/nope/datamap/api/atlas/v2/types/typedefs', { token: contosoToken });
    assert.equal(purview.headers['x-ms-ratelimit-remaining-subscription-reads'], undefined);
    const tenants = await request(sandbox, 'GET', `/tenants?${API}`, { token: contosoToken });
    assert.equal(tenants.headers['x-ms-ratelimit-remaining-subscription-reads'], undefined);
    const unknown = await listGroups(contosoToken, '00000000-0000-4000-8000-0000000000ff');
    assert.equal(unknown.status, 404);
    const after = await stats();
    assert.deepEqual(after.arm, before.arm);
    assert.equal(after.enabled, true);
    assert.deepEqual(after.limits?.writes, { burst: 3, refillPerSecond: 1 });
  });

  it('lets the typed ARM clients ride through 429s by honouring Retry-After, without losing a write', async function () {
    this.timeout(60_000);
    await refill();
    const { cloud, description } = await loadSandboxCloud(sandbox.descriptionPath);
    const clients: AzureClients = createAzureClients(cloud, contoso.tenantId, sandboxCredentials(description, contoso.tenantId, 'servicePrincipal', { caPem: cloud.caPem }), {
      retry: { maxRetries: 6, retryDelayInMs: 50, maxRetryDelayInMs: 1000, maxRetryAfterInMs: 5000 },
    });
    const rg = clients.resources(contosoSub).resourceGroups;
    const before = await stats();
    const started = Date.now();
    const names = Array.from({ length: 7 }, (_, i) => `rg-burst-${i}`);
    for (const name of names) {
      const group = await rg.createOrUpdate(name, { location: 'westeurope', tags: { n: name } });
      assert.equal(group.name, name);
    }
    const elapsed = Date.now() - started;
    const after = await stats();
    const sub = contosoSub.toLowerCase();
    const throttled = after.subscriptions[sub].throttled - before.subscriptions[sub].throttled;
    assert.ok(throttled >= 3, `expected the burst of 7 writes past a bucket of 3 to be throttled; 429s served: ${throttled}`);
    assert.equal(after.subscriptions[sub].writes - before.subscriptions[sub].writes, 7 + throttled, 'every write request is counted, the refused ones too');
    assert.ok(elapsed >= 3000, `the client waited for Retry-After (took ${elapsed} ms)`);
    const listed = new Map<string, string | undefined>();
    for await (const group of rg.list()) {
      listed.set(String(group.name), group.tags?.n);
    }
    for (const name of names) {
      assert.equal(listed.get(name), name, `${name} exists once, with its tags`);
    }
  });
});
