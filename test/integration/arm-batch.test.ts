/**
 * ARM's batch endpoint in the sandbox (`POST /batch?api-version=2020-06-01`) and the shared
 * client's batching of concurrent reads, over real HTTPS with the real clients:
 *  - the envelope: each inner request answered on its own (status, headers, content), authorized
 *    and throttled as if sent alone, logged like any request; bad batches refused whole;
 *  - the client: parallel reads through the Data Share client and an ARM SDK go out as batches of
 *    at most 20 and return exactly what single requests return; a 429 inside a batch is retried.
 */
import * as assert from 'node:assert/strict';
import { armBatchStats, Http2HttpClient, loadSandboxCloud, sandboxCredentials, createAzureClients, type AzureClients } from '../../src/azure';
import type { RequestLogEntry, RunningSandbox, SandboxTenantDescription } from '../../src/sandbox';
import { FAST_CLIENTS, LOCATION } from './support/flow';
import { ARM_SCOPE, removeTempDirs, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

describe('ARM batch: the sandbox endpoint and the client that batches concurrent reads', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let token: string;
  let clients: AzureClients;
  let single: AzureClients;
  const rg = 'batch-rg';
  const accounts = ['batch-a0', 'batch-a1', 'batch-a2'];
  const shares = Array.from({ length: 12 }, (_, i) => `share${String(i).padStart(2, '0')}`);

  before(async () => {
    // ARM's read budget on (generous), so every answer carries its remaining-reads header.
    ({ sandbox } = await startTestSandbox('arm-batch', { throttle: { reads: { burst: 100_000, refillPerSecond: 1 }, writes: { burst: 100_000, refillPerSecond: 1 } } }));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    token = await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE);
    const { cloud, description } = await loadSandboxCloud(sandbox.descriptionPath);
    const credential = sandboxCredentials(description, contoso.tenantId, 'servicePrincipal', { caPem: cloud.caPem });
    clients = createAzureClients(cloud, contoso.tenantId, credential, FAST_CLIENTS);
    // The same tenant through a transport of its own that never batches: the reference answers.
    single = createAzureClients(cloud, contoso.tenantId, credential, { ...FAST_CLIENTS, httpClient: new Http2HttpClient() });
    const sub = contoso.subscriptions[0].subscriptionId;
    await clients.resources(sub).providers.register('Microsoft.DataShare', { pollIntervalInMs: 20 });
    await clients.resources(sub).resourceGroups.createOrUpdate(rg, { location: LOCATION });
    for (const accountName of accounts) {
      await clients.dataShare.accounts.createOrUpdateAndWait({ subscriptionId: sub, resourceGroupName: rg, accountName }, { location: LOCATION });
      for (const shareName of shares) {
        await clients.dataShare.shares.createOrUpdate({ subscriptionId: sub, resourceGroupName: rg, accountName, shareName }, { properties: { shareKind: 'CopyBased', description: `${accountName}/${shareName}` } });
      }
    }
  });

  after(async () => {
    sandbox?.setFaults([]);
    await sandbox?.stop();
    removeTempDirs();
  });

  const sub = () => contoso.subscriptions[0].subscriptionId;
  const shareUrl = (a: string, s: string) => `/subscriptions/${sub()}/resourceGroups/${rg}/providers/Microsoft.DataShare/accounts/${a}/shares/${s}?api-version=2021-08-01`;
  const watch = () => {
    const entries: RequestLogEntry[] = [];
    const stop = sandbox.core.watchRequests((e) => entries.push(e));
    return { entries, stop };
  };

  it('answers each inner request on its own: content, status, ARM headers, in the order asked', async () => {
    const { entries, stop } = watch();
    const res = await request(sandbox, 'POST', '/batch?api-version=2020-06-01', {
      token,
      body: {
        requests: [
          { httpMethod: 'GET', url: `${sandbox.armEndpoint}${shareUrl('batch-a0', 'share00')}`, name: 'first' },
          { httpMethod: 'GET', url: shareUrl('batch-a1', 'share01'), name: 'second' },
          { httpMethod: 'GET', url: shareUrl('batch-a1', 'nope'), name: 'missing' },
        ],
      },
    });
    stop();
    assert.equal(res.status, 200);
    const [a, b, c] = res.body.responses;
    assert.deepEqual([a.name, b.name, c.name], ['first', 'second', 'missing']);
    assert.equal(a.httpStatusCode, 200);
    assert.equal(a.content.name, 'share00');
    assert.equal(a.content.properties.description, 'batch-a0/share00');
    assert.equal(b.content.properties.description, 'batch-a1/share01');
    assert.ok(a.contentLength > 0);
    assert.match(a.headers['x-ms-request-id'], /^[0-9a-f-]{36}$/);
    const remaining = [a, b, c].map((r) => Number(r.headers['x-ms-ratelimit-remaining-subscription-reads']));
    assert.ok(remaining.every((n) => n > 0));
    assert.equal(new Set(remaining.map(Math.floor)).size, 3, 'each inner read takes its own token from the subscription budget');
    assert.equal(c.httpStatusCode, 404);
    assert.equal(c.content.error.code, 'ResourceNotFound');
    // The batch and each inner request are in the request log.
    assert.equal(entries.filter((e) => e.url.startsWith('/batch')).length, 1);
    const inner = entries.filter((e) => e.batched);
    assert.deepEqual(inner.map((e) => e.status).sort(), [200, 200, 404]);
    assert.ok(inner.every((e) => e.tenantId === contoso.tenantId));
  });

  it('authorizes each inner request as if it were sent alone', async () => {
    const fabrikamSub = fabrikam.subscriptions[0].subscriptionId;
    const res = await request(sandbox, 'POST', '/batch?api-version=2020-06-01', {
      token,
      body: { requests: [{ httpMethod: 'GET', url: `/subscriptions/${fabrikamSub}/resourceGroups?api-version=2021-04-01`, name: 'other-tenant' }, { httpMethod: 'GET', url: `https://elsewhere.example.com/subscriptions/${sub()}/resourceGroups?api-version=2021-04-01`, name: 'other-host' }] },
    });
    assert.equal(res.status, 200);
    const [other, elsewhere] = res.body.responses;
    assert.equal(other.httpStatusCode, 403);
    assert.equal(other.content.error.code, 'InvalidAuthenticationTokenTenant');
    assert.equal(elsewhere.httpStatusCode, 400);
    assert.equal(elsewhere.content.error.code, 'InvalidBatchRequestUrl');
  });

  it('refuses a bad batch whole: no token, no api-version, more than 20 requests, no requests', async () => {
    const one = { httpMethod: 'GET', url: shareUrl('batch-a0', 'share00') };
    const anonymous = await request(sandbox, 'POST', '/batch?api-version=2020-06-01', { body: { requests: [one] } });
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers['www-authenticate']), /^Bearer authorization_uri=/);
    const noVersion = await request(sandbox, 'POST', '/batch', { token, body: { requests: [one] } });
    assert.equal(noVersion.status, 400);
    assert.equal(noVersion.body.error.code, 'MissingApiVersionParameter');
    const tooMany = await request(sandbox, 'POST', '/batch?api-version=2020-06-01', { token, body: { requests: Array.from({ length: 21 }, () => one) } });
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error.code, 'InvalidRequestContent');
    assert.match(tooMany.body.error.message, /at most 20/);
    const empty = await request(sandbox, 'POST', '/batch?api-version=2020-06-01', { token, body: { requests: [] } });
    assert.equal(empty.status, 400);
  });

  it('the client sends concurrent reads as batches of at most 20 and returns what single requests return', async () => {
    const reads = (c: AzureClients) =>
      Promise.all(accounts.flatMap((accountName) => shares.map((shareName) => c.dataShare.shares.get({ subscriptionId: sub(), resourceGroupName: rg, accountName, shareName }))));
    const expected = await reads(single);
    const before = clients.dataShare.batchStats;
    const { entries, stop } = watch();
    const got = await reads(clients);
    stop();
    const after = clients.dataShare.batchStats;
    assert.ok(before && after, "the factory's Data Share client batches");
    assert.deepEqual(got, expected);
    const batches = entries.filter((e) => e.url.startsWith('/batch'));
    assert.equal(after.batched - before.batched, accounts.length * shares.length, 'all 36 reads went in batches');
    assert.equal(batches.length, 2, '36 reads: batches of 20 and 16');
    assert.equal(entries.filter((e) => e.batched && e.status === 200).length, 36);
    // An ARM SDK client (its reads batched under its pipeline, deserialized by the SDK from the batch's answers) agrees too.
    const sdkBefore = armBatchStats()!.batched;
    const viaSdk = await Promise.all(accounts.map((a) => clients.resources(sub()).sdk.resources.getById(`/subscriptions/${sub()}/resourceGroups/${rg}/providers/Microsoft.DataShare/accounts/${a}`, '2021-08-01')));
    assert.deepEqual(viaSdk.map((r) => r.name), accounts);
    assert.equal(armBatchStats()!.batched - sdkBefore, accounts.length);
  });

  it('a lone read goes out as itself', async () => {
    const { entries, stop } = watch();
    await clients.dataShare.shares.get({ subscriptionId: sub(), resourceGroupName: rg, accountName: 'batch-a0', shareName: 'share03' });
    stop();
    assert.equal(entries.filter((e) => e.url.startsWith('/batch')).length, 0);
    assert.equal(entries.filter((e) => !e.batched && /share03/.test(e.url)).length, 1);
  });

  it('a 429 inside a batch is retried after its Retry-After and the read succeeds', async () => {
    sandbox.setFaults([{ kind: 'throttle', rate: 1, count: 1, pattern: 'shares/share05$', retryAfterSeconds: 0 }]);
    const { entries, stop } = watch();
    const got = await Promise.all(accounts.map((accountName) => clients.dataShare.shares.get({ subscriptionId: sub(), resourceGroupName: rg, accountName, shareName: 'share05' })));
    stop();
    sandbox.setFaults([]);
    assert.deepEqual(got.map((s) => s.properties?.description), accounts.map((a) => `${a}/share05`));
    assert.equal(entries.filter((e) => e.batched && e.status === 429).length, 1, 'one inner read was throttled');
    assert.equal(entries.filter((e) => /share05/.test(e.url) && e.status === 200).length, 3);
  });
});
