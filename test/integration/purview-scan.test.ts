/**
 * The sandbox's Purview data plane over real HTTPS with the real clients (`@azure-rest/core-client`,
 * the ARM SDKs): register the provider's storage as a source, MSI scans over the real blobs in
 * Azurite (failing without Storage Blob Data Reader, then classifying content), search with facets,
 * re-scans, tenant isolation, tokens, and a restart that keeps everything.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- REST bodies are checked field by field */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type { Client } from '@azure-rest/core-client';
import type { RunningSandbox, SandboxTenantDescription } from '../../src/sandbox';
import { grantBlobReader, provisionTenant, purviewClient, PURVIEW_SCOPE, runScanToEnd } from './support/purview';
import { adminToken, ARM_SCOPE, request, spCredential, startTestSandbox, tenantOf, tokenFor } from './support/sandbox';

const EMAIL = 'MICROSOFT.PERSONAL.EMAIL';
const CARD = 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER';
const FILES = {
  'customers/emails.csv': 'id,name,email\n1,Ada,ada@contoso.com\n2,Ben,ben@fabrikam.com\n3,Cy,cy@northwind.io\n4,Di,di@example.org\n',
  'payments/cards.csv': 'id,card\n1,4111 1111 1111 1111\n2,5500 0000 0000 0004\n3,340000000000009\n4,6011000000000004\n',
  'notes/random.txt': 'Quarterly pipeline notes: release 3.2.1 shipped on 2024-04-02 at 10:15:00; 42 tables moved; see page 7.\n'.repeat(40),
};

describe('sandbox Purview data plane: scanning, search, isolation (HTTPS)', function () {
  this.timeout(120_000);
  let sandbox: RunningSandbox;
  let dataDir: string;
  let contoso: SandboxTenantDescription;
  let fabrikam: SandboxTenantDescription;
  let pv: Client;
  let storageId: string;
  let principalId: string;
  const suffix = crypto.randomBytes(3).toString('hex');
  const storageName = `cstore${suffix}`;
  const purviewName = `contoso-pv-${suffix}`;
  const qn = (path: string) => `https://${storageName}.blob.core.windows.net/${path}`;

  const search = async (client: Client, body: unknown) => {
    const res = await client.path('/datamap/api/search/query').post({ body, queryParameters: { 'api-version': '2023-09-01' } });
    assert.equal(res.status, '200', JSON.stringify(res.body));
    return res.body as any;
  };

  before(async function () {
    this.timeout(180_000);
    ({ sandbox, dataDir } = await startTestSandbox('purview-scan', { tickIntervalMs: 0 }));
    contoso = tenantOf(sandbox, 'Contoso');
    fabrikam = tenantOf(sandbox, 'Fabrikam');
    ({ storageId, principalId } = await provisionTenant(sandbox, contoso, { rg: 'gov', storage: storageName, purview: purviewName }, { shared: FILES }));
    pv = purviewClient(sandbox, purviewName, spCredential(sandbox, contoso));
  });

  after(async () => {
    await sandbox?.stop();
  });

  it('serves the data plane at the account endpoints; 401 without a Purview token', async () => {
    const base = `${sandbox.description.purviewEndpoint}/${purviewName}`;
    const none = await request(sandbox, 'GET', `${base}/datamap/api/atlas/v2/types/typedefs/headers`);
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /Bearer/);
    const armToken = await tokenFor(spCredential(sandbox, contoso), ARM_SCOPE);
    const wrongAudience = await request(sandbox, 'GET', `${base}/datamap/api/atlas/v2/types/typedefs/headers`, { token: armToken });
    assert.equal(wrongAudience.status, 401);
    assert.equal(wrongAudience.body.error.code, 'InvalidAuthenticationTokenAudience');
    const token = await tokenFor(spCredential(sandbox, contoso), PURVIEW_SCOPE);
    const legacy = await request(sandbox, 'GET', `${base}/catalog/api/atlas/v2/types/typedefs/headers`, { token });
    assert.equal(legacy.status, 200);
    const root = await pv.path('/account/collections').get({ queryParameters: { 'api-version': '2019-11-01-preview' } });
    assert.deepEqual((root.body as any).value.map((c: any) => c.name), [purviewName]);
  });

  it('registers the storage account as a source and an MSI scan', async () => {
    const ds = await pv.path('/scan/datasources/{ds}', 'provider-storage').put({
      body: { kind: 'AzureStorage', properties: { endpoint: `https://${storageName}.blob.core.windows.net/`, collection: { referenceName: purviewName, type: 'CollectionReference' } } },
      queryParameters: { 'api-version': '2023-09-01' },
    });
    assert.equal(ds.status, '201', JSON.stringify(ds.body));
    assert.equal((ds.body as any).properties.resourceId, storageId);
    const scan = await pv.path('/scan/datasources/{ds}/scans/{scan}', 'provider-storage', 'weekly').put({
      body: { kind: 'AzureStorageMsi', properties: { scanRulesetName: 'AzureStorage', scanRulesetType: 'System' } },
      queryParameters: { 'api-version': '2023-09-01' },
    });
    assert.equal(scan.status, '201', JSON.stringify(scan.body));
  });

  it('without Storage Blob Data Reader the run fails naming the role and the managed identity', async () => {
    const run = await runScanToEnd(pv, 'provider-storage', 'weekly');
    assert.equal(run.status, 'Failed');
    assert.equal(run.error.code, 'AuthorizationPermissionMismatch');
    assert.match(run.error.message, /Storage Blob Data Reader/);
    assert.match(run.error.message, new RegExp(principalId));
  });

  it('with the role granted through ARM the scan reads the blobs and classifies them', async () => {
    await grantBlobReader(sandbox, contoso, storageId, principalId);
    const run = await runScanToEnd(pv, 'provider-storage', 'weekly');
    assert.equal(run.status, 'Succeeded', JSON.stringify(run));
    assert.equal(run.discoveryExecutionDetails.statistics.assets.discovered, 2 + 1 + 3);
    assert.equal(run.discoveryExecutionDetails.statistics.assets.classified, 2);

    const container = await search(pv, { filter: { and: [{ entityType: 'azure_blob_container' }, { attributeName: 'qualifiedName', operator: 'eq', attributeValue: qn('shared') }] } });
    assert.equal(container['@search.count'], 1);
    const files = await search(pv, {
      filter: { and: [{ objectType: 'Files' }, { attributeName: 'qualifiedName', operator: 'startsWith', attributeValue: qn('shared/') }] },
      facets: [{ facet: 'classification', count: 10 }, { facet: 'assetType' }],
    });
    assert.equal(files['@search.count'], 3);
    assert.deepEqual(files['@search.facets'].classification, [
      { count: 1, value: CARD },
      { count: 1, value: EMAIL },
    ]);
    assert.deepEqual(files['@search.facets'].assetType, [{ count: 3, value: 'Azure Blob Storage' }]);
    const byName = Object.fromEntries(files.value.map((v: any) => [v.name, v]));
    assert.deepEqual(byName['emails.csv'].classification, [EMAIL]);
    assert.deepEqual(byName['cards.csv'].classification, [CARD]);
    assert.deepEqual(byName['random.txt'].classification, []);
    assert.equal(byName['emails.csv'].qualifiedName, qn('shared/customers/emails.csv'));

    const emails = await search(pv, { filter: { classification: EMAIL } });
    assert.deepEqual(emails.value.map((v: any) => v.name), ['emails.csv']);
    const entity = await pv.path('/datamap/api/atlas/v2/entity/uniqueAttribute/type/{t}', 'azure_blob_path').get({ queryParameters: { 'attr:qualifiedName': qn('shared/customers/emails.csv') } });
    assert.equal(entity.status, '200');
    assert.equal((entity.body as any).entity.attributes.size, FILES['customers/emails.csv'].length);
    assert.equal((entity.body as any).entity.collectionId, purviewName);
  });

  it('a re-scan does not duplicate assets and reports them unchanged', async () => {
    const before = await search(pv, { limit: 100 });
    const run = await runScanToEnd(pv, 'provider-storage', 'weekly');
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.ingestionExecutionDetails.statistics.assets.created, 0);
    assert.equal(run.ingestionExecutionDetails.statistics.assets.unchanged, 6);
    const after = await search(pv, { limit: 100 });
    assert.equal(after['@search.count'], before['@search.count']);
    assert.deepEqual(after.value.map((v: any) => v.id).sort(), before.value.map((v: any) => v.id).sort());
    const history = await pv.path('/scan/datasources/{ds}/scans/{scan}/runs', 'provider-storage', 'weekly').get({ queryParameters: { 'api-version': '2023-09-01' } });
    assert.deepEqual((history.body as any).value.map((r: any) => r.status), ['Succeeded', 'Succeeded', 'Failed']);
  });

  it('a consumer-tenant token cannot read the provider catalog (403)', async () => {
    const fromConsumer = purviewClient(sandbox, purviewName, spCredential(sandbox, fabrikam));
    const res = await fromConsumer.path('/datamap/api/search/query').post({ body: { keywords: '*' }, queryParameters: { 'api-version': '2023-09-01' } });
    assert.equal(res.status, '403');
    assert.match((res.body as any).error.message, new RegExp(contoso.tenantId));
    const entity = await fromConsumer.path('/datamap/api/atlas/v2/types/typedefs').get();
    assert.equal(entity.status, '403');
    // The Purview MI of the account itself is a principal of the provider tenant.
    const miToken = await adminToken(sandbox, principalId, 'https://purview.azure.net');
    const asMi = await request(sandbox, 'GET', `${sandbox.description.purviewEndpoint}/${purviewName}/datamap/api/atlas/v2/types/typedefs/headers`, { token: miToken });
    assert.equal(asMi.status, 200);
  });

  it('a deleted blob is marked DELETED on the next scan', async () => {
    const runBefore = await search(pv, { filter: { classification: CARD } });
    const cardsId = runBefore.value[0].id;
    const svc = (sandbox.core.blobs as any).service(storageName).client;
    await svc.getContainerClient('shared').deleteBlob('payments/cards.csv');
    const run = await runScanToEnd(pv, 'provider-storage', 'weekly');
    assert.equal(run.ingestionExecutionDetails.statistics.assets.deleted, 1);
    const entity = await pv.path('/datamap/api/atlas/v2/entity/guid/{guid}', cardsId).get();
    assert.equal((entity.body as any).entity.status, 'DELETED');
    const cards = await search(pv, { filter: { classification: CARD } });
    assert.equal(cards['@search.count'], 0);
  });

  it('a restart keeps entities, types, collections, scans and runs', async () => {
    const types = await pv.path('/datamap/api/atlas/v2/types/typedefs').post({ body: { entityDefs: [{ name: `share_snapshot_${suffix}`, superTypes: ['Process'] }] } });
    assert.equal(types.status, '200', JSON.stringify(types.body));
    const coll = await pv.path('/account/collections/{c}', 'finance').put({ body: { parentCollection: { referenceName: purviewName } }, queryParameters: { 'api-version': '2019-11-01-preview' } });
    assert.equal(coll.status, '200');
    const before = await search(pv, { limit: 100 });

    await sandbox.stop();
    ({ sandbox } = await startTestSandbox('purview-scan', { dataDir, tickIntervalMs: 0 }));
    pv = purviewClient(sandbox, purviewName, spCredential(sandbox, contoso));

    const after = await search(pv, { limit: 100 });
    assert.deepEqual(after.value.map((v: any) => v.id).sort(), before.value.map((v: any) => v.id).sort());
    const emails = await search(pv, { filter: { classification: EMAIL }, facets: [{ facet: 'classification' }] });
    assert.equal(emails['@search.count'], 1);
    const t = await pv.path('/datamap/api/atlas/v2/types/entitydef/name/{n}', `share_snapshot_${suffix}`).get();
    assert.equal(t.status, '200');
    const c = await pv.path('/account/collections/{c}', 'finance').get({ queryParameters: { 'api-version': '2019-11-01-preview' } });
    assert.equal(c.status, '200');
    const runs = await pv.path('/scan/datasources/{ds}/scans/{scan}/runs', 'provider-storage', 'weekly').get({ queryParameters: { 'api-version': '2023-09-01' } });
    assert.equal((runs.body as any).count, 4);
    const again = await runScanToEnd(pv, 'provider-storage', 'weekly');
    assert.equal(again.status, 'Succeeded');
    assert.equal(again.ingestionExecutionDetails.statistics.assets.created, 0);
  });

  it('a trigger runs the scan on the sandbox clock', async () => {
    const now = new Date();
    const put = await pv.path('/scan/datasources/{ds}/scans/{scan}/triggers/default', 'provider-storage', 'weekly').put({
      body: { properties: { scanLevel: 'Full', recurrence: { frequency: 'Day', interval: 1, startTime: new Date(now.getTime() + 3600_000).toISOString() } } },
      queryParameters: { 'api-version': '2023-09-01' },
    });
    assert.equal(put.status, '201', JSON.stringify(put.body));
    await sandbox.advanceClock(2 * 3600);
    const deadline = Date.now() + 30_000;
    let latest: any;
    do {
      await new Promise((r) => setTimeout(r, 100));
      const runs = await pv.path('/scan/datasources/{ds}/scans/{scan}/runs', 'provider-storage', 'weekly').get({ queryParameters: { 'api-version': '2023-09-01' } });
      latest = (runs.body as any).value[0];
    } while ((latest.runType !== 'Scheduled' || latest.status !== 'Succeeded') && Date.now() < deadline);
    assert.equal(latest.runType, 'Scheduled');
    assert.equal(latest.status, 'Succeeded');
  });
});
