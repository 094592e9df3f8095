/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import * as assert from 'node:assert/strict';
import { blobQn, entity, PurviewWorld, type PurviewAccount } from './support/purviewWorld';

describe('sandbox Purview data map (handlers)', () => {
  let w: PurviewWorld;
  let pv: PurviewAccount;

  beforeEach(() => {
    w = new PurviewWorld();
    pv = w.addPurviewAccount(w.provider, 'contoso-pv');
  });

  describe('tenancy', () => {
    it('refuses a token of another tenant with 403 and names both tenants', async () => {
      const res = await w.atlas(pv, 'GET', '/types/typedefs/headers', undefined, { as: w.purviewUser(w.consumer) });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'Forbidden');
      assert.match(res.body.error.message, new RegExp(w.consumer.tenantId));
      assert.match(res.body.error.message, new RegExp(w.provider.tenantId));
    });

    it('404 for an unknown account', async () => {
      const res = await w.sb.call('GET', '/purview/nope/datamap/api/atlas/v2/types/typedefs', { as: pv.user });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'AccountNotFound');
    });
  });

  describe('types', () => {
    it('serves the built-in storage types, Process and the system classifications', async () => {
      const res = await w.atlas(pv, 'GET', '/types/typedefs');
      assert.equal(res.status, 200);
      const names = (res.body.entityDefs as any[]).map((d) => d.name);
      for (const t of ['DataSet', 'Process', 'azure_storage_account', 'azure_blob_service', 'azure_blob_container', 'azure_blob_path', 'azure_datalake_gen2_service', 'azure_datalake_gen2_filesystem', 'azure_datalake_gen2_path']) {
        assert.ok(names.includes(t), t);
      }
      const classifications = (res.body.classificationDefs as any[]).map((d) => d.name);
      assert.ok(classifications.includes('MICROSOFT.PERSONAL.EMAIL'));
      const onlyClass = await w.atlas(pv, 'GET', '/types/typedefs', undefined, { query: { type: 'CLASSIFICATION' } });
      assert.equal(onlyClass.body.entityDefs.length, 0);
      assert.ok(onlyClass.body.classificationDefs.length > 5);
      const byName = await w.atlas(pv, 'GET', '/types/entitydef/name/Process');
      assert.equal(byName.body.name, 'Process');
      assert.ok(byName.body.attributeDefs.some((a: any) => a.name === 'inputs'));
      const byGuid = await w.atlas(pv, 'GET', `/types/typedef/guid/${byName.body.guid}`);
      assert.equal(byGuid.body.name, 'Process');
      const wrongKind = await w.atlas(pv, 'GET', '/types/classificationdef/name/Process');
      assert.equal(wrongKind.status, 404);
      assert.equal(wrongKind.body.errorCode, 'ATLAS-404-00-001');
    });

    it('creates, updates and deletes custom types; refuses duplicates and types in use', async () => {
      const created = await w.atlas(pv, 'POST', '/types/typedefs', {
        entityDefs: [{ name: 'datashare_snapshot', superTypes: ['Process'], attributeDefs: [{ name: 'shareName', typeName: 'string' }] }],
        classificationDefs: [{ name: 'CONTOSO.SECRET' }],
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.entityDefs[0].name, 'datashare_snapshot');
      assert.equal(created.body.entityDefs[0].category, 'ENTITY');
      const dup = await w.atlas(pv, 'POST', '/types/typedefs', { classificationDefs: [{ name: 'CONTOSO.SECRET' }] });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.errorCode, 'ATLAS-409-00-001');
      const upd = await w.atlas(pv, 'PUT', '/types/typedefs', { classificationDefs: [{ name: 'CONTOSO.SECRET', description: 'secret' }] });
      assert.equal(upd.body.classificationDefs[0].description, 'secret');
      assert.equal(upd.body.classificationDefs[0].version, 2);
      const missing = await w.atlas(pv, 'PUT', '/types/typedefs', { classificationDefs: [{ name: 'NOPE' }] });
      assert.equal(missing.status, 404);
      const bad = await w.atlas(pv, 'POST', '/types/typedefs', { entityDefs: [{ name: 'x_type', superTypes: ['no_such_type'] }] });
      assert.equal(bad.status, 404);

      await w.createEntities(pv, [entity('azure_blob_container', blobQn('src', 'c'), 'c')]);
      await w.createEntities(pv, [{ ...entity('datashare_snapshot', 'datashare://x/1', 'snap', { shareName: 's' }), classifications: [{ typeName: 'CONTOSO.SECRET' }] }]);
      const inUse = await w.atlas(pv, 'DELETE', '/types/typedef/name/datashare_snapshot');
      assert.equal(inUse.status, 409);
      assert.equal(inUse.body.errorCode, 'ATLAS-409-00-002');
      const builtIn = await w.atlas(pv, 'DELETE', '/types/typedef/name/Process');
      assert.equal(builtIn.status, 400);
      const headers = await w.atlas(pv, 'GET', '/types/typedefs/headers');
      assert.ok(headers.body.some((h: any) => h.name === 'datashare_snapshot' && h.category === 'ENTITY'));
    });
  });

  describe('entities', () => {
    it('creates with guid assignments, finds by guid and by unique attribute, updates in place', async () => {
      const res = await w.atlas(pv, 'POST', '/entity', { entity: { guid: '-1', ...entity('azure_blob_container', blobQn('src', 'raw'), 'raw') } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const guid = res.body.guidAssignments['-1'];
      assert.match(guid, /^[0-9a-f-]{36}$/);
      assert.equal(res.body.mutatedEntities.CREATE[0].guid, guid);
      const got = await w.atlas(pv, 'GET', `/entity/guid/${guid}`);
      assert.equal(got.body.entity.attributes.qualifiedName, blobQn('src', 'raw'));
      assert.equal(got.body.entity.status, 'ACTIVE');
      assert.equal(got.body.entity.collectionId, 'contoso-pv', 'root collection by default');
      assert.deepEqual(got.body.referredEntities, {});
      const byQn = await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/azure_blob_container', undefined, { query: { 'attr:qualifiedName': blobQn('src', 'raw') } });
      assert.equal(byQn.body.entity.guid, guid);
      const again = await w.atlas(pv, 'POST', '/entity', { entity: entity('azure_blob_container', blobQn('src', 'raw'), 'raw', { description: 'landing zone' }) });
      assert.equal(again.body.mutatedEntities.UPDATE[0].guid, guid, 'same qualifiedName updates the same entity');
      assert.equal(Object.values(again.body.guidAssignments)[0], guid);
      const header = await w.atlas(pv, 'GET', `/entity/guid/${guid}/header`);
      assert.equal(header.body.lastModifiedTS, '1');
      const partial = await w.atlas(pv, 'PUT', `/entity/guid/${guid}`, 'new description', { query: { name: 'description' } });
      assert.equal(partial.body.mutatedEntities.PARTIAL_UPDATE[0].guid, guid);
      const after = await w.atlas(pv, 'GET', `/entity/guid/${guid}`);
      assert.equal(after.body.entity.attributes.description, 'new description');
      assert.equal(after.body.entity.version, 2);
    });

    it('Atlas errors: unknown guid (ATLAS-404-00-005), unknown type, missing qualifiedName, unknown unique attribute', async () => {
      const nf = await w.atlas(pv, 'GET', '/entity/guid/00000000-0000-4000-8000-999999999999');
      assert.equal(nf.status, 404);
      assert.equal(nf.body.errorCode, 'ATLAS-404-00-005');
      assert.ok(nf.body.requestId && nf.body.errorMessage);
      const badType = await w.atlas(pv, 'POST', '/entity', { entity: entity('no_such_type', 'x') });
      assert.equal(badType.status, 404);
      assert.equal(badType.body.errorCode, 'ATLAS-404-00-001');
      const noQn = await w.atlas(pv, 'POST', '/entity', { entity: { typeName: 'DataSet', attributes: { name: 'x' } } });
      assert.equal(noQn.status, 400);
      assert.match(noQn.body.errorMessage, /qualifiedName: mandatory attribute value missing/);
      const noName = await w.atlas(pv, 'POST', '/entity', { entity: { typeName: 'DataSet', attributes: { qualifiedName: 'x' } } });
      assert.match(noName.body.errorMessage, /name: mandatory/);
      const uq = await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/DataSet', undefined, { query: { 'attr:qualifiedName': 'missing' } });
      assert.equal(uq.status, 404);
      assert.equal(uq.body.errorCode, 'ATLAS-404-00-009');
      const badRef = await w.atlas(pv, 'POST', '/entity', { entity: entity('Process', 'p1', 'p1', { inputs: [{ typeName: 'DataSet', uniqueAttributes: { qualifiedName: 'nope' } }], outputs: [] }) });
      assert.equal(badRef.status, 404);
      assert.equal(badRef.body.errorCode, 'ATLAS-404-00-00A');
    });

    it('bulk create/get/delete; entities of one request may refer to each other; delete is soft', async () => {
      const body = await w.createEntities(pv, [
        { guid: '-10', ...entity('DataSet', 'ds://a', 'a') },
        { guid: '-11', ...entity('Process', 'proc://ab', 'ab', { inputs: [{ guid: '-10' }], outputs: [{ typeName: 'DataSet', uniqueAttributes: { qualifiedName: 'ds://b' } }] }) },
        entity('DataSet', 'ds://b', 'b'),
      ]);
      assert.equal(body.mutatedEntities.CREATE.length, 3);
      const [a, p] = [body.guidAssignments['-10'], body.guidAssignments['-11']];
      const bulk = await w.atlas(pv, 'GET', `/entity/bulk?guid=${a}&guid=${p}`);
      assert.equal(bulk.body.entities.length, 2);
      const proc = bulk.body.entities.find((e: any) => e.guid === p);
      assert.equal(proc.attributes.inputs[0].guid, a);
      assert.equal(proc.relationshipAttributes.outputs[0].uniqueAttributes.qualifiedName, 'ds://b');
      const ds = bulk.body.entities.find((e: any) => e.guid === a);
      assert.equal(ds.relationshipAttributes.inputToProcesses[0].guid, p);
      const del = await w.atlas(pv, 'DELETE', `/entity/bulk?guid=${a}`);
      assert.equal(del.body.mutatedEntities.DELETE[0].status, 'DELETED');
      const gone = await w.atlas(pv, 'GET', `/entity/guid/${a}`);
      assert.equal(gone.body.entity.status, 'DELETED');
      const byQn = await w.atlas(pv, 'GET', '/entity/uniqueAttribute/type/DataSet', undefined, { query: { 'attr:qualifiedName': 'ds://a' } });
      assert.equal(byQn.status, 404, 'unique attribute lookups see active entities only');
      const list = await w.atlas(pv, 'GET', '/entity/bulk/uniqueAttribute/type/DataSet', undefined, { query: { 'attr_0:qualifiedName': 'ds://b', 'attr_1:qualifiedName': 'ds://a' } });
      assert.equal(list.body.entities.length, 1);
    });

    it('classifications: add, get, update, remove, by unique attribute and in bulk; labels', async () => {
      const body = await w.createEntities(pv, [entity('azure_blob_path', blobQn('src', 'c', 'a.csv'), 'a.csv'), entity('azure_blob_path', blobQn('src', 'c', 'b.csv'), 'b.csv')]);
      const [g1, g2] = body.mutatedEntities.CREATE.map((h: any) => h.guid);
      assert.equal((await w.atlas(pv, 'POST', `/entity/guid/${g1}/classifications`, [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }])).status, 204);
      const dup = await w.atlas(pv, 'POST', `/entity/guid/${g1}/classifications`, [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }]);
      assert.equal(dup.status, 400);
      const unknown = await w.atlas(pv, 'POST', `/entity/guid/${g1}/classifications`, [{ typeName: 'NOT.A.CLASSIFICATION' }]);
      assert.equal(unknown.status, 404);
      const one = await w.atlas(pv, 'GET', `/entity/guid/${g1}/classification/MICROSOFT.PERSONAL.EMAIL`);
      assert.equal(one.body.entityGuid, g1);
      assert.equal((await w.atlas(pv, 'PUT', `/entity/guid/${g1}/classifications`, [{ typeName: 'MICROSOFT.PERSONAL.EMAIL', attributes: { confidence: 9 } }])).status, 204);
      const list = await w.atlas(pv, 'GET', `/entity/guid/${g1}/classifications`);
      assert.equal(list.body.totalCount, 1);
      assert.equal(list.body.list[0].attributes.confidence, 9);
      assert.equal((await w.atlas(pv, 'POST', '/entity/bulk/classification', { classification: { typeName: 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER' }, entityGuids: [g1, g2] })).status, 204);
      const q = { 'attr:qualifiedName': blobQn('src', 'c', 'b.csv') };
      assert.equal((await w.atlas(pv, 'DELETE', '/entity/uniqueAttribute/type/azure_blob_path/classification/MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER', undefined, { query: q })).status, 204);
      const e2 = await w.atlas(pv, 'GET', `/entity/guid/${g2}`);
      assert.deepEqual(e2.body.entity.classifications, []);
      assert.equal((await w.atlas(pv, 'DELETE', `/entity/guid/${g1}/classification/MICROSOFT.PERSONAL.EMAIL`)).status, 204);
      const e1 = await w.atlas(pv, 'GET', `/entity/guid/${g1}`);
      assert.deepEqual(e1.body.entity.classifications.map((c: any) => c.typeName), ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER']);
      const set = await w.atlas(pv, 'POST', '/entity/bulk/setClassifications', { guidHeaderMap: { [g2]: { classifications: [{ typeName: 'MICROSOFT.PERSONAL.IPADDRESS' }] } } });
      assert.deepEqual(set.body, [`Add:${g2}:azure_blob_path:qualifiedName -> MICROSOFT.PERSONAL.IPADDRESS:(Done)`]);

      assert.equal((await w.atlas(pv, 'POST', `/entity/guid/${g1}/labels`, ['pii', 'gold'])).status, 204);
      await w.atlas(pv, 'PUT', `/entity/guid/${g1}/labels`, ['shared']);
      await w.atlas(pv, 'DELETE', `/entity/guid/${g1}/labels`, ['gold']);
      const labelled = await w.atlas(pv, 'GET', `/entity/guid/${g1}`);
      assert.deepEqual(labelled.body.entity.labels.sort(), ['pii', 'shared']);
      const badLabel = await w.atlas(pv, 'POST', `/entity/guid/${g1}/labels`, ['has space']);
      assert.equal(badLabel.status, 400);
    });

    it('relationships: create, get, update, delete; errors', async () => {
      const body = await w.createEntities(pv, [entity('DataSet', 'ds://src', 'src'), entity('DataSet', 'ds://dst', 'dst')]);
      const [s, d] = body.mutatedEntities.CREATE.map((h: any) => h.guid);
      const created = await w.atlas(pv, 'POST', '/relationship', { typeName: 'direct_lineage_dataset_dataset', end1: { guid: s }, end2: { typeName: 'DataSet', uniqueAttributes: { qualifiedName: 'ds://dst' } }, attributes: { columnMapping: '[]' } });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      assert.equal(created.body.end2.guid, d);
      const dup = await w.atlas(pv, 'POST', '/relationship', { typeName: 'direct_lineage_dataset_dataset', end1: { guid: s }, end2: { guid: d } });
      assert.equal(dup.status, 409);
      const got = await w.atlas(pv, 'GET', `/relationship/guid/${created.body.guid}`, undefined, { query: { extendedInfo: 'true' } });
      assert.equal(got.body.relationship.typeName, 'direct_lineage_dataset_dataset');
      assert.ok(got.body.referredEntities[s]);
      const upd = await w.atlas(pv, 'PUT', '/relationship', { guid: created.body.guid, attributes: { columnMapping: '[1]' } });
      assert.equal(upd.body.version, 1);
      assert.equal(upd.body.attributes.columnMapping, '[1]');
      const lineage = await w.atlas(pv, 'GET', `/lineage/${s}`, undefined, { query: { direction: 'OUTPUT' } });
      assert.deepEqual(lineage.body.relations, [{ fromEntityId: s, toEntityId: d, relationshipId: created.body.guid }]);
      assert.equal((await w.atlas(pv, 'DELETE', `/relationship/guid/${created.body.guid}`)).status, 204);
      assert.equal((await w.atlas(pv, 'GET', `/relationship/guid/${created.body.guid}`)).body.errorCode, 'ATLAS-404-00-00C');
      const badType = await w.atlas(pv, 'POST', '/relationship', { typeName: 'process_dataset_outputs', end1: { guid: s }, end2: { guid: d } });
      assert.equal(badType.status, 400, 'end1 of process_dataset_outputs must be a Process');
    });

    it('business metadata and the legacy /catalog/api prefix', async () => {
      const body = await w.createEntities(pv, [entity('DataSet', 'ds://bm', 'bm')]);
      const g = body.mutatedEntities.CREATE[0].guid;
      assert.equal((await w.atlas(pv, 'POST', `/entity/guid/${g}/businessmetadata`, { Quality: { score: 9, owner: 'ava' } })).status, 204);
      await w.atlas(pv, 'DELETE', `/entity/guid/${g}/businessmetadata/Quality`, { owner: '' });
      const legacy = await w.call(pv, 'GET', `/catalog/api/atlas/v2/entity/guid/${g}`);
      assert.equal(legacy.status, 200);
      assert.deepEqual(legacy.body.entity.businessAttributes, { Quality: { score: 9 } });
    });
  });

  describe('collections', () => {
    const coll = (path: string) => `/account/collections${path}`;

    it('the root collection exists from the start and cannot be deleted', async () => {
      const list = await w.call(pv, 'GET', coll(''), undefined, { apiVersion: '2019-11-01-preview' });
      assert.deepEqual(list.body.value.map((c: any) => c.name), ['contoso-pv']);
      assert.equal(list.body.value[0].parentCollection, undefined);
      const del = await w.call(pv, 'DELETE', coll('/contoso-pv'), undefined, { apiVersion: '2019-11-01-preview' });
      assert.equal(del.status, 400);
    });

    it('creates a tree, reports paths and children, refuses deletes with children or assets, moves entities', async () => {
      const put = (name: string, parent?: string) => w.call(pv, 'PUT', coll(`/${name}`), { friendlyName: name.toUpperCase(), ...(parent ? { parentCollection: { referenceName: parent } } : {}) }, { apiVersion: '2019-11-01-preview' });
      const finance = await put('finance');
      assert.equal(finance.status, 200);
      assert.deepEqual(finance.body.parentCollection, { type: 'CollectionReference', referenceName: 'contoso-pv' });
      await put('payroll', 'finance');
      const missingParent = await put('x', 'nope');
      assert.equal(missingParent.status, 400);
      const cycle = await put('finance', 'payroll');
      assert.equal(cycle.status, 400);
      const path = await w.call(pv, 'GET', coll('/payroll/getCollectionPath'), undefined, { apiVersion: '2019-11-01-preview' });
      assert.deepEqual(path.body, { parentFriendlyNameChain: ['contoso-pv', 'FINANCE'], parentNameChain: ['contoso-pv', 'finance'] });
      const children = await w.call(pv, 'GET', coll('/finance/getChildCollectionNames'), undefined, { apiVersion: '2019-11-01-preview' });
      assert.deepEqual(children.body.value, [{ name: 'payroll', friendlyName: 'PAYROLL' }]);
      const hasChildren = await w.call(pv, 'DELETE', coll('/finance'), undefined, { apiVersion: '2019-11-01-preview' });
      assert.equal(hasChildren.status, 409);
      assert.equal(hasChildren.body.error.code, 'CollectionHasChildCollections');

      const created = await w.createEntities(pv, [entity('DataSet', 'ds://salaries', 'salaries')], 'payroll');
      const g = created.mutatedEntities.CREATE[0].guid;
      assert.equal((await w.atlas(pv, 'GET', `/entity/guid/${g}`)).body.entity.collectionId, 'payroll');
      const hasAssets = await w.call(pv, 'DELETE', coll('/payroll'), undefined, { apiVersion: '2019-11-01-preview' });
      assert.equal(hasAssets.status, 409);
      assert.equal(hasAssets.body.error.code, 'CollectionHasAssets');
      const moved = await w.call(pv, 'POST', '/datamap/api/entity/moveTo', { entityGuids: [g] }, { query: { collectionId: 'finance' } });
      assert.equal(moved.body.mutatedEntities.UPDATE[0].guid, g);
      assert.equal((await w.call(pv, 'DELETE', coll('/payroll'), undefined, { apiVersion: '2019-11-01-preview' })).status, 204);
      const unknown = await w.createEntities(pv, [entity('DataSet', 'ds://other', 'other')]).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.equal(unknown, undefined);
      const toMissing = await w.atlas(pv, 'POST', '/entity/bulk', { entities: [entity('DataSet', 'ds://y', 'y')] }, { query: { collectionId: 'payroll' } });
      assert.equal(toMissing.status, 404, 'the collection was deleted');
    });
  });
});
