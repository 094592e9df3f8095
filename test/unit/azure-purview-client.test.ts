/**
 * The Purview data plane in the factory and the shared pipeline: endpoint resolution and caching,
 * token scope, sandbox CA, User-Agent, Retry-After retries; the collections client; next-step
 * mapping for Purview (added branches only: existing mappings keep their steps).
 */
import * as assert from 'assert';
import { AzureClientFactory } from '../../src/azure/factory';
import { AZURE_PUBLIC_CLOUD, sandboxCloud, type CloudConfig } from '../../src/azure/cloud';
import { AzureRequestError, errorFromResponse, nextStepFor } from '../../src/common/azureErrors';
import { PurviewDataPlaneClient } from '../../src/azure/purview/client';
import { harness } from './support/azureFakes';

const sandbox: CloudConfig = sandboxCloud(
  { armEndpoint: 'https://127.0.0.1:8443/', caCertPath: '/x', authorityHost: 'https://127.0.0.1:8443', purviewEndpoint: 'https://127.0.0.1:8443/purview', tenants: [] },
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
);

describe('AzureClients.purviewDataPlane', () => {
  it('resolves account names per cloud, accepts endpoint URLs, and caches per endpoint', () => {
    const h = harness();
    const azure = new AzureClientFactory(h.settings).forTenant(AZURE_PUBLIC_CLOUD, 't1', h.credential);
    const byName = azure.purviewDataPlane('contoso');
    assert.strictEqual(byName.endpoint, 'https://contoso.purview.azure.com');
    assert.strictEqual(byName.dataMap.baseUrl, 'https://contoso.purview.azure.com/datamap/api');
    assert.strictEqual(byName.scanning.baseUrl, 'https://contoso.purview.azure.com/scan');
    assert.strictEqual(byName.collections.baseUrl, 'https://contoso.purview.azure.com/account/collections');
    assert.strictEqual(azure.purviewDataPlane('https://CONTOSO.purview.azure.com/'), byName, 'same endpoint, same client');
    assert.notStrictEqual(azure.purviewDataPlane('fabrikam'), byName);
    assert.throws(() => azure.purviewDataPlane('not a name/'), TypeError);
    assert.throws(() => azure.purviewDataPlane('https://x.purview.azure.com/?a=1'), TypeError);

    const sb = new AzureClientFactory(h.settings).forTenant(sandbox, 't1', h.credential);
    assert.strictEqual(sb.purviewDataPlane('pv-provider').endpoint, 'https://127.0.0.1:8443/purview/pv-provider');
    assert.strictEqual(sb.purviewDataPlane('pv-provider').scanning.baseUrl, 'https://127.0.0.1:8443/purview/pv-provider/scan');
  });

  it('asks for the Purview scope, trusts the sandbox CA, sends our User-Agent (sandbox path prefix kept)', async () => {
    const h = harness();
    const pv = new AzureClientFactory(h.settings).forTenant(sandbox, 't1', h.credential).purviewDataPlane('pv1');
    h.http.enqueue({ status: 200, body: { entityDefs: [] } }, { status: 200, body: { value: [] } }, { status: 200, body: { name: 'pv' } });
    await pv.dataMap.typeDefinitions.list();
    await pv.scanning.dataSources.list().collect();
    await pv.collections.get('pv1');
    assert.ok(h.credential.calls.length >= 1);
    for (const call of h.credential.calls) {
      assert.deepStrictEqual(call.scopes, ['https://purview.azure.net/.default']);
    }
    assert.deepStrictEqual(
      h.http.requests.map((r) => new URL(r.url).pathname),
      ['/purview/pv1/datamap/api/atlas/v2/types/typedefs', '/purview/pv1/scan/datasources', '/purview/pv1/account/collections/pv1'],
    );
    for (const r of h.http.requests) {
      assert.strictEqual(r.tlsCa, sandbox.caPem, `sandbox CA trusted for ${r.url}`);
      assert.ok(r.headers['user-agent']?.startsWith('governed-data-share/'), r.headers['user-agent']);
      assert.match(r.headers.authorization ?? '', /^Bearer /);
      assert.strictEqual(r.headers.accept, 'application/json');
    }
  });

  it('retries 429/503 honouring Retry-After (seconds and ms) through the shared retry policy', async () => {
    const h = harness();
    const pv = new PurviewDataPlaneClient('https://contoso.purview.azure.com', h.credential, h.settings);
    h.http.enqueue(
      { status: 429, headers: { 'Retry-After': '4' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } },
      { status: 503, headers: { 'retry-after-ms': '250' } },
      { status: 200, body: { guid: 'g' } },
    );
    const header = await pv.dataMap.entities.getHeader('g');
    assert.strictEqual(header.guid, 'g');
    assert.deepStrictEqual(h.sleeps, [4000, 250]);

    const h2 = harness({ retry: { maxRetries: 1 } });
    h2.http.enqueue({ status: 429, headers: { 'Retry-After': '1' } }, { status: 429, headers: { 'Retry-After': '7' }, body: { requestId: 'r', errorCode: 'ATLAS-429-00-001', errorMessage: 'Too many requests' } });
    const err = await new PurviewDataPlaneClient('https://contoso.purview.azure.com', h2.credential, h2.settings).dataMap.entities.get('g').catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.deepStrictEqual([err.statusCode, err.retryAfterMs], [429, 7000]);
  });

  it('a success body that is not JSON becomes InvalidResponse', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, headers: { 'content-type': 'text/plain' }, body: '<html>login</html>' });
    const err = await new PurviewDataPlaneClient('https://contoso.purview.azure.com', h.credential, h.settings).dataMap.entities.get('g').catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.code, 'InvalidResponse');

    // An error status with a body that claims JSON but is not keeps its HTTP meaning.
    const h2 = harness({ retry: { maxRetries: 0 } });
    h2.http.enqueue({ status: 502, headers: { 'content-type': 'application/json' }, body: '<html>Bad Gateway</html>' });
    const err2 = await new PurviewDataPlaneClient('https://contoso.purview.azure.com', h2.credential, h2.settings).dataMap.entities.get('g').catch((e: unknown) => e);
    assert.ok(err2 instanceof AzureRequestError);
    assert.deepStrictEqual([err2.statusCode, err2.code], [502, 'BadGateway']);
    assert.match(err2.nextStep, /temporary problem/);
  });
});

describe('Purview collections', () => {
  const pvOf = () => {
    const h = harness();
    return { h, pv: new PurviewDataPlaneClient('https://contoso.purview.azure.com', h.credential, h.settings) };
  };

  it('createOrUpdate sends only writable fields; get, path and delete use 2019-11-01-preview', async () => {
    const { h, pv } = pvOf();
    h.http.enqueue(
      { status: 200, body: { name: 'sales', friendlyName: 'Sales', parentCollection: { type: 'CollectionReference', referenceName: 'contoso' }, collectionProvisioningState: 'Succeeded' } },
      { status: 200, body: { parentNameChain: ['contoso'], parentFriendlyNameChain: ['Contoso'] } },
      { status: 204 },
    );
    const c = await pv.collections.createOrUpdate('sales', { friendlyName: 'Sales', parentCollection: { referenceName: 'contoso', type: 'CollectionReference' } as never, description: undefined });
    assert.strictEqual(c.collectionProvisioningState, 'Succeeded');
    const p = await pv.collections.getCollectionPath('sales');
    assert.deepStrictEqual(p.parentNameChain, ['contoso']);
    await pv.collections.delete('sales');
    assert.deepStrictEqual(h.http.requests[0]!.body, { friendlyName: 'Sales', parentCollection: { referenceName: 'contoso' } });
    assert.deepStrictEqual(
      h.http.requests.map((r) => `${r.method} ${r.url}`),
      [
        'PUT https://contoso.purview.azure.com/account/collections/sales?api-version=2019-11-01-preview',
        'GET https://contoso.purview.azure.com/account/collections/sales/getCollectionPath?api-version=2019-11-01-preview',
        'DELETE https://contoso.purview.azure.com/account/collections/sales?api-version=2019-11-01-preview',
      ],
    );
  });

  it('list and child names follow nextLink verbatim when it carries api-version', async () => {
    const { h, pv } = pvOf();
    const next = 'https://contoso.purview.azure.com/account/collections?api-version=2019-11-01-preview&$skipToken=p2';
    h.http.enqueue({ status: 200, body: { value: [{ name: 'contoso' }], nextLink: next, count: 2 } }, { status: 200, body: { value: [{ name: 'sales' }] } }, { status: 200, body: { value: [{ name: 'sales', friendlyName: 'Sales' }] } });
    const all = await pv.collections.list().collect();
    assert.deepStrictEqual(all.items.map((c) => c.name), ['contoso', 'sales']);
    assert.strictEqual(h.http.requests[1]!.url, next);
    const children = await pv.collections.getChildCollectionNames('contoso').collect();
    assert.deepStrictEqual(children.items, [{ name: 'sales', friendlyName: 'Sales' }]);
    assert.strictEqual(new URL(h.http.requests[2]!.url).pathname, '/account/collections/contoso/getChildCollectionNames');
  });
});

describe('Purview next steps (added branches)', () => {
  it('Atlas codes map by their embedded status; Purview 401/403 by status when the service is known', () => {
    assert.match(nextStepFor('ATLAS-403-00-001', 403), /Collection Admin.*Data Reader.*Data Curator/);
    assert.match(nextStepFor('ATLAS-401-00-001', 401, 'Audience validation failed'), /purview\.azure\.net\/\.default/);
    assert.match(nextStepFor('Unauthorized', 403, '', undefined, 'purview'), /Collection Admin/);
    assert.match(
      nextStepFor('Forbidden', 403, "The caller's token was issued by tenant 'a', but Purview account 'pv' belongs to tenant 'b'.", undefined, 'purview'),
      /sign in to the tenant that owns the account/,
    );
    assert.match(nextStepFor('InvalidAuthenticationTokenAudience', 401, '', undefined, 'purview'), /https:\/\/purview\.azure\.net\/\.default/);
    assert.match(nextStepFor('AuthenticationFailed', 401, 'token expired', undefined, 'purview'), /sign in again/i);
    assert.match(nextStepFor('NotFound', 404, '', undefined, 'purview'), /Purview account/);
    assert.match(nextStepFor('ATLAS-409-00-001', 409), /already exists/);
    assert.match(nextStepFor('ATLAS-400-00-01A', 400), /Purview rejected/);
    assert.match(nextStepFor('ScanRunFailed'), /Storage Blob Data Reader/);
    assert.match(nextStepFor('AuthorizationPermissionMismatch', 200, '', undefined, 'purview'), /Purview account's managed identity/);
  });

  it('leaves every non-Purview mapping as it was', () => {
    assert.match(nextStepFor('AuthorizationFailed', 403), /Owner or User Access Administrator/);
    assert.match(nextStepFor('AuthorizationPermissionMismatch', 403), /Your identity reaches the storage account/);
    assert.match(nextStepFor('SomethingElse', 403), /ask an owner of the resource/);
    assert.match(nextStepFor('InvalidAuthenticationTokenAudience', 401), /cloud setting/);
    assert.match(nextStepFor('TooManyRequests', 429, '', 3000, 'purview'), /3 seconds/, 'throttling keeps its step on Purview');
    assert.match(nextStepFor('Canceled', undefined, '', undefined, 'purview'), /canceled/);
    const plain = errorFromResponse({ status: 403, bodyAsText: JSON.stringify({ error: { code: 'Forbidden', message: 'no' } }) });
    const purview = errorFromResponse({ status: 403, bodyAsText: JSON.stringify({ error: { code: 'Forbidden', message: 'no' } }) }, undefined, { service: 'purview' });
    assert.doesNotMatch(plain.nextStep, /Collection Admin/);
    assert.match(purview.nextStep, /Collection Admin/);
  });
});
