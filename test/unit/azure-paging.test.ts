import * as assert from 'assert';
import { DataShareClient } from '../../src/azure/datashare/client';
import { AzureRequestError } from '../../src/common/azureErrors';
import { collectAll } from '../../src/azure/core/paging';
import { ARM, harness, SUB, type Harness } from './support/azureFakes';

const acct = { subscriptionId: SUB, resourceGroupName: 'rg', accountName: 'acct' };
const share = { ...acct, shareName: 'sales' };
const base = `${ARM}/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.DataShare/accounts/acct`;

function client(h: Harness, endpoint = ARM): DataShareClient {
  return new DataShareClient(h.credential, { ...h.settings, endpoint });
}

describe('Data Share paging', () => {
  it('GET lists follow nextLink verbatim across pages', async () => {
    const h = harness();
    const next1 = `${base}/shares?api-version=2021-08-01&$skipToken=page%3D2`;
    const next2 = `${base}/shares?$skipToken=3&api-version=2021-08-01`;
    h.http.enqueue(
      { status: 200, body: { value: [{ name: 'a' }, { name: 'b' }], nextLink: next1 } },
      { status: 200, body: { value: [{ name: 'c' }], nextLink: next2 } },
      { status: 200, body: { value: [{ name: 'd' }] } },
    );
    const names: string[] = [];
    for await (const s of client(h).shares.listByAccount(acct)) {
      names.push(s.name ?? '');
    }
    assert.deepStrictEqual(names, ['a', 'b', 'c', 'd']);
    assert.deepStrictEqual(
      h.http.requests.map((r) => `${r.method} ${r.url}`),
      [`GET ${base}/shares?api-version=2021-08-01`, `GET ${next1}`, `GET ${next2}`],
    );
  });

  it('POST list actions POST their next pages too, with the same body', async () => {
    const h = harness();
    const next = `${base}/shares/sales/listSynchronizationDetails?api-version=2021-08-01&$skipToken=abc`;
    h.http.enqueue({ status: 200, body: { value: [{ name: 'f1', status: 'Completed' }], nextLink: next } }, { status: 200, body: { value: [{ name: 'f2' }] } });
    const { items } = await client(h).shares.listSynchronizationDetails(share, { synchronizationId: 'sync-1' }).collect();
    assert.deepStrictEqual(items.map((i) => i.name), ['f1', 'f2']);
    assert.deepStrictEqual(h.http.requests.map((r) => r.method), ['POST', 'POST']);
    assert.strictEqual(h.http.requests[1]!.url, next);
    assert.deepStrictEqual(h.http.requests[0]!.body, { synchronizationId: 'sync-1' });
    assert.deepStrictEqual(h.http.requests[1]!.body, { synchronizationId: 'sync-1' });
  });

  it('POST list without a body (listSynchronizations) pages too', async () => {
    const h = harness();
    const next = `${base}/shareSubscriptions/ss/listSynchronizations?api-version=2021-08-01&$skipToken=2`;
    h.http.enqueue({ status: 200, body: { value: [{ synchronizationId: '1' }], nextLink: next } }, { status: 200, body: { value: [{ synchronizationId: '2' }] } });
    const { items } = await client(h).shareSubscriptions.listSynchronizations({ ...acct, shareSubscriptionName: 'ss' }).collect();
    assert.deepStrictEqual(items.map((i) => i.synchronizationId), ['1', '2']);
    assert.deepStrictEqual(h.http.requests.map((r) => `${r.method} ${r.url}`), [`POST ${base}/shareSubscriptions/ss/listSynchronizations?api-version=2021-08-01`, `POST ${next}`]);
  });

  it('byPage exposes continuation tokens and resumes from one', async () => {
    const h = harness();
    const next = `${base}/shares?api-version=2021-08-01&$skipToken=2`;
    h.http.enqueue({ status: 200, body: { value: [{ name: 'a' }], nextLink: next } });
    const pages = client(h).shares.listByAccount(acct).byPage();
    const first = await pages.next();
    assert.ok(!first.done);
    assert.strictEqual(first.value.continuationToken, next);
    await pages.return?.(undefined);

    h.http.enqueue({ status: 200, body: { value: [{ name: 'b' }] } });
    const resumed = [];
    for await (const page of client(h).shares.listByAccount(acct).byPage({ continuationToken: next })) {
      resumed.push(page.map((s) => s.name));
      assert.strictEqual(page.continuationToken, undefined, 'last page has no token');
    }
    assert.deepStrictEqual(resumed, [['b']]);
    assert.strictEqual(h.http.requests[1]!.url, next);
  });

  it('collect({max}) stops early without fetching further pages', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, body: { value: [{ name: 'a' }, { name: 'b' }, { name: 'c' }], nextLink: `${base}/shares?api-version=2021-08-01&$skipToken=x` } });
    const r = await client(h).shares.listByAccount(acct).collect({ max: 2 });
    assert.deepStrictEqual(r.items.map((s) => s.name), ['a', 'b']);
    assert.strictEqual(r.truncated, true);
    assert.strictEqual(h.http.requests.length, 1);
    const all = await client(harness()).shares.listByAccount(acct).collect({ max: 10 });
    assert.deepStrictEqual(all, { items: [], truncated: false });
  });

  it('refuses a nextLink to another host, and stops on a repeated nextLink', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, body: { value: [{ name: 'a' }], nextLink: 'https://attacker.example/steal?api-version=2021-08-01' } });
    await assert.rejects(client(h).shares.listByAccount(acct).collect(), (e: unknown) => e instanceof AzureRequestError && e.code === 'UntrustedFollowUrl');
    assert.strictEqual(h.http.requests.length, 1);

    const h2 = harness();
    const same = `${base}/shares?api-version=2021-08-01&$skipToken=loop`;
    h2.http.enqueue({ status: 200, body: { value: [], nextLink: same } }, { status: 200, body: { value: [], nextLink: same } });
    await assert.rejects(client(h2).shares.listByAccount(acct).collect(), (e: unknown) => e instanceof AzureRequestError && e.code === 'InvalidResponse');
  });

  it('treats loopback names as the same host for the sandbox', async () => {
    const h = harness();
    const sandbox = 'https://127.0.0.1:8443';
    h.http.enqueue(
      { status: 200, body: { value: [{ name: 'a' }], nextLink: `https://localhost:8443/providers/Microsoft.DataShare/listInvitations?api-version=2021-08-01&$skipToken=1` } },
      { status: 200, body: { value: [{ name: 'b' }] } },
    );
    const { items } = await client(h, sandbox).consumerInvitations.list().collect();
    assert.deepStrictEqual(items.map((i) => i.name), ['a', 'b']);
    const h2 = harness();
    h2.http.enqueue({ status: 200, body: { value: [], nextLink: 'https://localhost:9999/x' } });
    await assert.rejects(client(h2, sandbox).consumerInvitations.list().collect(), (e: unknown) => e instanceof AzureRequestError && e.code === 'UntrustedFollowUrl');
  });

  it('collectAll works on any async iterable', async () => {
    async function* gen() {
      yield* [1, 2, 3];
    }
    assert.deepStrictEqual(await collectAll(gen(), { max: 5 }), { items: [1, 2, 3], truncated: false });
    assert.deepStrictEqual(await collectAll(gen(), { max: 1 }), { items: [1], truncated: true });
  });
});
