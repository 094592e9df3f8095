/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import * as assert from 'node:assert/strict';
import { BLOB_READER, blobQn, PurviewWorld, type PurviewAccount } from './support/purviewWorld';

const EMAIL = 'MICROSOFT.PERSONAL.EMAIL';
const CARD = 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER';

const EMAILS = 'id,email\n1,ada@contoso.com\n2,ben@fabrikam.com\n3,cy@northwind.io\n';
const CARDS = 'card\n4111 1111 1111 1111\n5500 0000 0000 0004\n340000000000009\n';
const RANDOM = 'the quarterly revenue report, version 2.4.1, page 17 of 90; pipeline ran at 12:30:45 on 2024-05-06.\n';

describe('sandbox Purview scanning (handlers)', () => {
  let w: PurviewWorld;
  let pv: PurviewAccount;
  let storageId: string;

  const scanPath = '/scan/datasources/src/scans/full';

  beforeEach(async () => {
    w = new PurviewWorld();
    pv = w.addPurviewAccount(w.provider, 'contoso-pv');
    storageId = w.addStorage(w.provider, 'srcacct');
    w.sb.blobs.upload('srcacct', 'raw', 'emails.csv', EMAILS);
    w.sb.blobs.upload('srcacct', 'raw', 'cards.csv', CARDS);
    w.sb.blobs.upload('srcacct', 'raw', 'notes/random.txt', RANDOM);
    w.sb.blobs.upload('srcacct', 'empty', 'zero.bin', '');
    const ds = await w.call(pv, 'PUT', '/scan/datasources/src', { kind: 'AzureStorage', properties: { endpoint: 'https://srcacct.blob.core.windows.net/' } });
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    const scan = await w.call(pv, 'PUT', `${scanPath}`, { kind: 'AzureStorageMsi', properties: { scanRulesetName: 'AzureStorage', scanRulesetType: 'System' } });
    assert.equal(scan.status, 201, JSON.stringify(scan.body));
  });

  it('registers the data source with the storage account it resolves', async () => {
    const ds = await w.call(pv, 'GET', '/scan/datasources/src');
    assert.equal(ds.body.kind, 'AzureStorage');
    assert.equal(ds.body.properties.resourceId, storageId);
    assert.equal(ds.body.properties.resourceName, 'srcacct');
    assert.equal(ds.body.properties.collection.referenceName, 'contoso-pv');
    assert.equal(ds.body.scans[0].name, 'full');
    const list = await w.call(pv, 'GET', '/scan/datasources');
    assert.equal(list.body.count, 1);
    const bad = await w.call(pv, 'PUT', '/scan/datasources/x', { kind: 'AzureStorage', properties: { endpoint: 'not a url' } });
    assert.equal(bad.status, 400);
    const wrongKind = await w.call(pv, 'PUT', '/scan/datasources/src/scans/x', { kind: 'AdlsGen2Msi', properties: {} });
    assert.equal(wrongKind.status, 400);
    const badVersion = await w.call(pv, 'GET', '/scan/datasources', undefined, { apiVersion: '2015-01-01' });
    assert.equal(badVersion.status, 400);
    const hasScans = await w.call(pv, 'DELETE', '/scan/datasources/src');
    assert.equal(hasScans.status, 409);
    const rulesets = await w.call(pv, 'GET', '/scan/systemScanRulesets');
    assert.deepEqual(rulesets.body.value.map((r: any) => r.kind), ['AzureStorage', 'AdlsGen2']);
    const latest = await w.call(pv, 'GET', '/scan/systemScanRulesets/versions/latest', undefined, { query: { dataSourceType: 'AdlsGen2' } });
    assert.equal(latest.body.kind, 'AdlsGen2');
  });

  it('without Storage Blob Data Reader the run fails naming the role and the identity', async () => {
    const start = await w.call(pv, 'PUT', `${scanPath}/runs/r1`);
    assert.equal(start.status, 202);
    assert.equal(start.body.status, 'Accepted');
    assert.equal(start.body.scanResultId, 'r1');
    assert.equal(start.headers?.['Operation-Location'], `https://127.0.0.1:8443/purview/contoso-pv/scan/datasources/src/scans/full/runs/r1?api-version=2023-09-01`);
    await w.sb.settle();
    const run = (await w.call(pv, 'GET', `${scanPath}/runs/r1`)).body;
    assert.equal(run.status, 'Failed');
    assert.equal(run.error.code, 'AuthorizationPermissionMismatch');
    assert.match(run.errorMessage, /Storage Blob Data Reader/);
    assert.match(run.errorMessage, new RegExp(pv.principalId));
    assert.match(run.errorMessage, /srcacct/);
    const search = await w.search(pv, { limit: 1 });
    assert.equal(search.body['@search.count'], 0, 'nothing was ingested');
  });

  it('scans the real blobs: assets with Purview qualified names, classified by content', async () => {
    w.sb.authorization.grant(pv.principalId, storageId, BLOB_READER);
    const run = await w.runScan(pv, 'src', 'full', 'r1');
    assert.equal(run.status, 'Succeeded', JSON.stringify(run));
    assert.equal(run.runType, 'Manual');
    assert.equal(run.dataSourceType, 'AzureStorage');
    assert.equal(run.discoveryExecutionDetails.statistics.assets.discovered, 2 + 2 + 4);
    assert.equal(run.discoveryExecutionDetails.statistics.assets.classified, 2);
    assert.equal(run.ingestionExecutionDetails.statistics.assets.created, 8);

    const get = async (type: string, qn: string) => (await w.atlas(pv, 'GET', `/entity/uniqueAttribute/type/${type}`, undefined, { query: { 'attr:qualifiedName': qn } })).body.entity;
    assert.equal((await get('azure_storage_account', 'https://srcacct.core.windows.net')).attributes.name, 'srcacct');
    assert.equal((await get('azure_blob_service', 'https://srcacct.blob.core.windows.net')).typeName, 'azure_blob_service');
    const container = await get('azure_blob_container', blobQn('srcacct', 'raw'));
    assert.equal(container.relationshipAttributes.blobService.typeName, 'azure_blob_service');
    const emails = await get('azure_blob_path', blobQn('srcacct', 'raw', 'emails.csv'));
    assert.deepEqual(emails.classifications.map((c: any) => c.typeName), [EMAIL]);
    assert.equal(emails.attributes.size, EMAILS.length);
    assert.equal(emails.attributes.path, '/raw/emails.csv');
    assert.equal(emails.createdBy, 'ServiceAdmin');
    const cards = await get('azure_blob_path', blobQn('srcacct', 'raw', 'cards.csv'));
    assert.deepEqual(cards.classifications.map((c: any) => c.typeName), [CARD]);
    const random = await get('azure_blob_path', blobQn('srcacct', 'raw', 'notes/random.txt'));
    assert.equal(random.attributes.name, 'random.txt');
    assert.deepEqual(random.classifications, []);

    const facets = await w.search(pv, { filter: { objectType: 'Files' }, facets: [{ facet: 'classification' }] });
    assert.deepEqual(facets.body['@search.facets'].classification, [
      { count: 1, value: CARD },
      { count: 1, value: EMAIL },
    ]);
    const history = await w.call(pv, 'GET', `${scanPath}/runs`);
    assert.equal(history.body.count, 1);
  });

  it('a re-scan updates in place; changed content is re-classified; deleted blobs become DELETED', async () => {
    w.sb.authorization.grant(pv.principalId, storageId, BLOB_READER);
    await w.runScan(pv, 'src', 'full', 'r1');
    const before = await w.search(pv, { limit: 100 });
    const ids = before.body.value.map((v: any) => v.id).sort();
    const again = await w.runScan(pv, 'src', 'full', 'r2');
    assert.equal(again.status, 'Succeeded');
    assert.deepEqual(again.ingestionExecutionDetails.statistics.assets, { succeeded: 8, failed: 0, processing: 0, created: 0, updated: 0, unchanged: 8, deleted: 0 });
    const same = await w.search(pv, { limit: 100 });
    assert.deepEqual(same.body.value.map((v: any) => v.id).sort(), ids, 'no duplicates, same guids');

    // A manual classification survives re-scans; scan classifications follow the content.
    const random = (await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/azure_blob_path', undefined, { query: { 'attr:qualifiedName': blobQn('srcacct', 'raw', 'notes/random.txt') } })).body.entity;
    await w.atlas(pv, 'POST', `/entity/guid/${random.guid}/classifications`, [{ typeName: 'MICROSOFT.PERSONAL.NAME' }]);
    w.sb.blobs.upload('srcacct', 'raw', 'notes/random.txt', EMAILS);
    w.sb.blobs.accounts.get('srcacct')?.get('raw')?.delete('cards.csv');
    const third = await w.runScan(pv, 'src', 'full', 'r3');
    assert.equal(third.ingestionExecutionDetails.statistics.assets.deleted, 1);
    assert.equal(third.ingestionExecutionDetails.statistics.assets.updated, 1);
    const updated = (await w.atlas(pv, 'GET', `/entity/guid/${random.guid}`)).body.entity;
    assert.deepEqual(updated.classifications.map((c: any) => c.typeName).sort(), [EMAIL, 'MICROSOFT.PERSONAL.NAME']);
    const cards = (await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/azure_blob_path', undefined, { query: { 'attr:qualifiedName': blobQn('srcacct', 'raw', 'cards.csv') } }));
    assert.equal(cards.status, 404, 'deleted assets are not active');
    const cardsGuid = before.body.value.find((v: any) => v.name === 'cards.csv').id;
    const byGuid = (await w.atlas(pv, 'GET', `/entity/guid/${cardsGuid}`)).body.entity;
    assert.equal(byGuid.status, 'DELETED');
    assert.equal(byGuid.attributes.name, 'cards.csv');
    // The blob comes back: the same asset is reactivated.
    w.sb.blobs.upload('srcacct', 'raw', 'cards.csv', CARDS);
    await w.runScan(pv, 'src', 'full', 'r4');
    assert.equal((await w.atlas(pv, 'GET', `/entity/guid/${byGuid.guid}`)).body.entity.status, 'ACTIVE');
  });

  it('assets land in the scan collection; runs conflict; cancel; ADLS Gen2 sources', async () => {
    w.sb.authorization.grant(pv.principalId, storageId, BLOB_READER);
    await w.call(pv, 'PUT', '/account/collections/landing', { parentCollection: { referenceName: 'contoso-pv' } }, { apiVersion: '2019-11-01-preview' });
    await w.call(pv, 'PUT', scanPath, { kind: 'AzureStorageMsi', properties: { collection: { referenceName: 'landing', type: 'CollectionReference' } } });
    const started = await w.call(pv, 'PUT', `${scanPath}/runs/r1`);
    assert.equal(started.status, 202);
    const busy = await w.call(pv, 'PUT', `${scanPath}/runs/r2`);
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, 'ScanAlreadyRunning');
    await w.sb.settle();
    const dup = await w.call(pv, 'PUT', `${scanPath}/runs/r1`);
    assert.equal(dup.status, 409);
    const inLanding = await w.search(pv, { filter: { collectionId: 'landing' }, limit: 1 });
    assert.equal(inLanding.body['@search.count'], 8);
    const tooLate = await w.call(pv, 'POST', `${scanPath}/runs/r1:cancel`);
    assert.equal(tooLate.status, 409);

    const r3 = await w.call(pv, 'PUT', `${scanPath}/runs/r3`);
    assert.equal(r3.status, 202);
    const cancel = await w.call(pv, 'POST', `${scanPath}/runs/r3:cancel`);
    assert.equal(cancel.status, 202);
    await w.sb.settle();
    assert.equal((await w.call(pv, 'GET', `${scanPath}/runs/r3`)).body.status, 'Canceled');

    const lake = w.addStorage(w.provider, 'lakeacct');
    w.sb.blobs.upload('lakeacct', 'fs1', 'dir/people.csv', EMAILS);
    w.sb.authorization.grant(pv.principalId, lake, BLOB_READER);
    assert.equal((await w.call(pv, 'PUT', '/scan/datasources/lake', { kind: 'AdlsGen2', properties: { endpoint: 'https://lakeacct.dfs.core.windows.net/' } })).status, 201);
    assert.equal((await w.call(pv, 'PUT', '/scan/datasources/lake/scans/s', { kind: 'AdlsGen2Msi', properties: {} })).status, 201);
    const run = await w.runScan(pv, 'lake', 's', 'l1');
    assert.equal(run.status, 'Succeeded', JSON.stringify(run));
    const path = await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/azure_datalake_gen2_path', undefined, { query: { 'attr:qualifiedName': 'https://lakeacct.dfs.core.windows.net/fs1/dir/people.csv' } });
    assert.equal(path.status, 200);
    assert.deepEqual(path.body.entity.classifications.map((c: any) => c.typeName), [EMAIL]);
    const fs = await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/azure_datalake_gen2_filesystem', undefined, { query: { 'attr:qualifiedName': 'https://lakeacct.dfs.core.windows.net/fs1' } });
    assert.equal(fs.body.entity.relationshipAttributes.datalakeService.typeName, 'azure_datalake_gen2_service');
  });

  it('a run canceled before it starts ends Canceled, even on an account with no containers', async () => {
    // Nothing to scan: the per-container loop (which checks the cancel signal) never runs.
    const bareId = w.addStorage(w.provider, 'bareacct');
    w.sb.authorization.grant(pv.principalId, bareId, BLOB_READER);
    assert.equal((await w.call(pv, 'PUT', '/scan/datasources/bare', { kind: 'AzureStorage', properties: { endpoint: 'https://bareacct.blob.core.windows.net/' } })).status, 201);
    assert.equal((await w.call(pv, 'PUT', '/scan/datasources/bare/scans/s', { kind: 'AzureStorageMsi', properties: {} })).status, 201);
    const bare = '/scan/datasources/bare/scans/s';

    // The work starts after the response is written: the cancel reaches the run while it is Accepted.
    const started = await w.call(pv, 'PUT', `${bare}/runs/c1`);
    assert.equal(started.status, 202);
    assert.equal((await w.call(pv, 'GET', `${bare}/runs/c1`)).body.status, 'Accepted');
    const cancel = await w.call(pv, 'POST', `${bare}/runs/c1:cancel`);
    assert.equal(cancel.status, 202, JSON.stringify(cancel.body));
    await w.sb.settle();
    const run = (await w.call(pv, 'GET', `${bare}/runs/c1`)).body;
    assert.equal(run.status, 'Canceled', JSON.stringify(run));
    assert.equal(run.error, null);
    assert.ok(run.endTime);
    assert.equal((await w.call(pv, 'POST', `${bare}/runs/c1:cancel`)).status, 409, 'a canceled run cannot be canceled again');

    // Same on the account with containers, canceled before the work begins.
    w.sb.authorization.grant(pv.principalId, storageId, BLOB_READER);
    assert.equal((await w.call(pv, 'PUT', `${scanPath}/runs/c2`)).status, 202);
    assert.equal((await w.call(pv, 'POST', `${scanPath}/runs/c2:cancel`)).status, 202);
    await w.sb.settle();
    assert.equal((await w.call(pv, 'GET', `${scanPath}/runs/c2`)).body.status, 'Canceled');

    // A run that is not canceled still succeeds afterwards.
    const next = await w.runScan(pv, 'bare', 's', 'c3');
    assert.equal(next.status, 'Succeeded', JSON.stringify(next));
  });

  it('a trigger fires on the sandbox clock; enable/disable; delete scan removes runs and trigger', async () => {
    w.sb.authorization.grant(pv.principalId, storageId, BLOB_READER);
    const now = w.sb.clock.now();
    const put = await w.call(pv, 'PUT', `${scanPath}/triggers/default`, {
      properties: { scanLevel: 'Full', recurrence: { frequency: 'Hour', interval: 2, startTime: new Date(now.getTime() + 60_000).toISOString() } },
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(put.body.properties.state, 'Enabled');
    const bad = await w.call(pv, 'PUT', `${scanPath}/triggers/default`, { properties: { recurrence: { frequency: 'Fortnight', startTime: now.toISOString() } } });
    assert.equal(bad.status, 400);
    await w.sb.tick();
    assert.equal((await w.call(pv, 'GET', `${scanPath}/runs`)).body.count, 0, 'not due yet');
    w.sb.clock.advance(61_000);
    await w.sb.tick();
    await w.sb.settle();
    const runs = (await w.call(pv, 'GET', `${scanPath}/runs`)).body;
    assert.equal(runs.count, 1);
    assert.equal(runs.value[0].runType, 'Scheduled');
    assert.equal(runs.value[0].status, 'Succeeded');
    const trig = (await w.call(pv, 'GET', `${scanPath}/triggers/default`)).body;
    assert.equal(trig.properties.lastScheduled, new Date(now.getTime() + 60_000).toISOString());
    await w.call(pv, 'POST', `${scanPath}/triggers/default:disable`);
    w.sb.clock.advance(3 * 3600_000);
    await w.sb.tick();
    await w.sb.settle();
    assert.equal((await w.call(pv, 'GET', `${scanPath}/runs`)).body.count, 1, 'disabled');
    const enabled = await w.call(pv, 'POST', `${scanPath}/triggers/default:enable`);
    assert.equal(enabled.body.properties.state, 'Enabled');
    assert.equal((await w.call(pv, 'DELETE', scanPath)).status, 204);
    assert.equal((await w.call(pv, 'GET', `${scanPath}/triggers/default`)).status, 404);
    assert.equal(w.sb.store.keys('purviewScanRuns').length, 0);
  });
});
