/**
 * Faults on the Purview data plane, as on ARM: the sandbox's fault rules apply to the data-plane
 * routes (429 with Retry-After, 500, 503), and the typed clients ride through them: writes are
 * retried without duplicating assets, searches and lineage answer as without faults.
 */
import * as assert from 'node:assert/strict';
import { AzureClientFactory, sandboxCloud, sandboxCredentials, type AzureClients } from '../../src/azure';
import type { RunningSandbox } from '../../src/sandbox';
import { request, startTestSandbox, tokenFor } from './support/sandbox';

describe('Purview data plane under injected faults (typed clients over HTTPS)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let clients: AzureClients;
  const account = 'faulty-purview';

  before(async () => {
    ({ sandbox } = await startTestSandbox('purview-faults'));
    const contoso = sandbox.description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    const sub = contoso.subscriptions[0].subscriptionId;
    clients = new AzureClientFactory({ lro: { intervalInMs: 50 } }).forTenant(sandboxCloud(sandbox.description, sandbox.ca), contoso.tenantId,
      sandboxCredentials(sandbox.description, contoso.tenantId, 'servicePrincipal', { caPem: sandbox.ca }));
    await clients.resources(sub).providers.register('Microsoft.Purview', { pollIntervalInMs: 50 });
    await clients.resources(sub).resourceGroups.createOrUpdate('rg-faults', { location: 'westeurope' });
    await clients.purview(sub).accounts.createAndWait('rg-faults', account, { location: 'westeurope' });
  });

  after(async () => { await sandbox?.stop(); });
  afterEach(() => sandbox.setFaults([]));

  it('applies fault rules to data-plane routes: a throttled search answers 429 with Retry-After', async () => {
    sandbox.setFaults([{ pattern: '/purview/.*/search/query', rate: 1, kind: 'throttle', retryAfterSeconds: 2, count: 1 }]);
    const contoso = sandbox.description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    const sp = contoso.servicePrincipals[0];
    const { ClientSecretCredential } = await import('@azure/identity');
    const token = await tokenFor(new ClientSecretCredential(contoso.tenantId, sp.clientId, sp.secret, { authorityHost: sandbox.description.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: sandbox.ca } }), 'https://purview.azure.net/.default');
    const url = `${sandbox.description.purviewEndpoint}/${account}/datamap/api/search/query?api-version=2023-09-01`;
    const throttled = await request(sandbox, 'POST', url, { token, body: { keywords: '*' } });
    assert.equal(throttled.status, 429);
    assert.equal(String(throttled.headers['retry-after']), '2');
    const next = await request(sandbox, 'POST', url, { token, body: { keywords: '*' } });
    assert.equal(next.status, 200, 'the rule was used up: the next search is served');
  });

  it('retries writes, searches and lineage through 429, 500 and 503 without duplicating assets', async () => {
    sandbox.setFaults([
      { pattern: '/purview/.*/entity/bulk', rate: 1, kind: 'error503', retryAfterSeconds: 0, count: 1 },
      { pattern: '/purview/.*/search/query', rate: 1, kind: 'throttle', retryAfterSeconds: 0, count: 2 },
      { pattern: '/purview/.*/lineage/', rate: 1, kind: 'error500', count: 1 },
      { pattern: '/purview/', rate: 0.1, kind: 'throttle', retryAfterSeconds: 0 },
    ]);
    const dataMap = clients.purviewDataPlane(account).dataMap;
    const container = (acct: string) => ({ typeName: 'azure_blob_container', attributes: { qualifiedName: `https://${acct}.blob.core.windows.net/sales`, name: 'sales' } });
    const process = {
      typeName: 'Process',
      attributes: {
        qualifiedName: 'datashare://contoso/sales/faults', name: 'sales snapshot',
        inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: 'https://contosodata.blob.core.windows.net/sales' } }],
        outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: 'https://fabrikamdata.blob.core.windows.net/sales' } }],
      },
    };
    await dataMap.entities.bulkCreateOrUpdate({ entities: [container('contosodata'), container('fabrikamdata')] });
    await dataMap.entities.bulkCreateOrUpdate({ entities: [process] });

    const found = await dataMap.discovery.queryPage({ keywords: 'sales', filter: { entityType: 'azure_blob_container' } });
    assert.equal(found['@search.count'], 2, 'each container exactly once despite the retried write');
    const source = await dataMap.entities.getByUniqueAttribute('azure_blob_container', 'https://contosodata.blob.core.windows.net/sales');
    const lineage = await dataMap.lineage.get(source.entity!.guid!, { direction: 'OUTPUT', depth: 3 });
    const names = Object.values(lineage.guidEntityMap ?? {}).map((e) => e.attributes?.qualifiedName).sort();
    assert.deepEqual(names, ['datashare://contoso/sales/faults', 'https://contosodata.blob.core.windows.net/sales', 'https://fabrikamdata.blob.core.windows.net/sales']);
  });
});
