/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are checked field by field */
import * as assert from 'node:assert/strict';
import { blobQn, PurviewWorld, type PurviewAccount } from './support/purviewWorld';

const EMAIL = 'MICROSOFT.PERSONAL.EMAIL';
const CARD = 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER';

describe('sandbox Purview search (handlers)', () => {
  let w: PurviewWorld;
  let pv: PurviewAccount;

  before(async () => {
    w = new PurviewWorld();
    pv = w.addPurviewAccount(w.provider, 'contoso-pv');
    await w.call(pv, 'PUT', '/account/collections/finance', { parentCollection: { referenceName: 'contoso-pv' } }, { apiVersion: '2019-11-01-preview' });
    // 3 containers, 120 files: every 2nd has an e-mail classification, every 3rd a card one, every 5th the label "gold";
    // files of container c2 live in the finance collection.
    for (let c = 0; c < 3; c++) {
      await w.createEntities(pv, [{ typeName: 'azure_blob_container', attributes: { qualifiedName: blobQn('acct', `c${c}`), name: `c${c}` } }]);
      const files = Array.from({ length: 40 }, (_, i) => {
        const n = c * 40 + i;
        const classifications = [...(n % 2 === 0 ? [{ typeName: EMAIL }] : []), ...(n % 3 === 0 ? [{ typeName: CARD }] : [])];
        return {
          typeName: 'azure_blob_path',
          attributes: { qualifiedName: blobQn('acct', `c${c}`, `file-${String(n).padStart(3, '0')}.${n % 4 === 0 ? 'csv' : 'txt'}`), name: `file-${String(n).padStart(3, '0')}.${n % 4 === 0 ? 'csv' : 'txt'}`, size: n * 10 },
          classifications,
          labels: n % 5 === 0 ? ['gold'] : [],
        };
      });
      await w.createEntities(pv, files, c === 2 ? 'finance' : undefined);
    }
    await w.createEntities(pv, [{ typeName: 'DataSet', attributes: { qualifiedName: 'custom://payroll', name: 'payroll export', description: 'monthly salaries' } }]);
  });

  it('classification filter with facets counts the matches', async () => {
    const res = await w.search(pv, { filter: { classification: EMAIL }, facets: [{ facet: 'classification', count: 10 }, { facet: 'assetType' }, { facet: 'label' }], limit: 10 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body['@search.count'], 60);
    assert.equal(res.body['@search.count.approximate'], false);
    assert.equal(res.body.value.length, 10);
    assert.ok(res.body.continuationToken);
    const facets = res.body['@search.facets'];
    assert.deepEqual(facets.classification, [
      { count: 60, value: EMAIL },
      { count: 20, value: CARD },
    ]);
    assert.deepEqual(facets.assetType, [{ count: 60, value: 'Azure Blob Storage' }]);
    assert.deepEqual(facets.label, [{ count: 12, value: 'gold' }]);
    const item = res.body.value[0];
    for (const k of ['@search.score', 'id', 'qualifiedName', 'name', 'entityType', 'classification', 'label', 'assetType', 'term', 'contact', 'collectionId']) assert.ok(k in item, k);
  });

  it('continuation tokens walk every page once; a token of another query is refused', async () => {
    const seen = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await w.search(pv, { filter: { and: [{ entityType: 'azure_blob_path' }, { classification: CARD }] }, limit: 7, ...(token ? { continuationToken: token } : {}) });
      assert.equal(res.status, 200);
      assert.equal(res.body['@search.count'], 40);
      for (const v of res.body.value) {
        assert.ok(!seen.has(v.id), 'no duplicates across pages');
        seen.add(v.id);
      }
      token = res.body.continuationToken;
      pages++;
    } while (token);
    assert.equal(seen.size, 40);
    assert.equal(pages, 6);
    const first = await w.search(pv, { filter: { classification: CARD }, limit: 5 });
    const wrong = await w.search(pv, { filter: { classification: EMAIL }, limit: 5, continuationToken: first.body.continuationToken });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.errorCode, 'ATLAS-400-00-01A');
    const garbage = await w.search(pv, { continuationToken: 'not-a-token' });
    assert.equal(garbage.status, 400);
  });

  it('and / or / not trees, typed (kind) leaves, attribute operators, collections, objectType, file extension', async () => {
    const count = async (filter: unknown, keywords?: string) => {
      const res = await w.search(pv, { filter, keywords, limit: 1 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body['@search.count'] as number;
    };
    assert.equal(await count({ and: [{ classification: EMAIL }, { classification: CARD }] }), 20);
    assert.equal(await count({ or: [{ classification: EMAIL }, { classification: CARD }] }), 80);
    assert.equal(await count({ and: [{ entityType: 'azure_blob_path' }, { not: { classification: EMAIL } }] }), 60);
    assert.equal(await count({ kind: 'AndFilter', and: [{ kind: 'TypeFilter', typeName: 'azure_blob_path' }, { kind: 'AttributeFilter', attributeName: 'qualifiedName', operator: 'contains', attributeValue: '.csv' }] }), 30);
    assert.equal(await count({ kind: 'OrFilter', or: [{ kind: 'AttributeFilter', attributeName: 'name', operator: 'eq', attributeValue: 'FILE-001.TXT' }, { kind: 'AttributeFilter', attributeName: 'name', operator: 'prefix', attributeValue: 'file-11' }] }), 11);
    assert.equal(await count({ attributeName: 'size', operator: 'ge', attributeValue: 1000 }), 20);
    assert.equal(await count({ attributeName: 'size', operator: 'lt', attributeValue: 50 }), 5);
    assert.equal(await count({ attributeName: 'name', operator: 'ne', attributeValue: 'file-000.csv' }), 123);
    assert.equal(await count({ collectionId: 'finance' }), 40);
    assert.equal(await count({ kind: 'ClassificationFilter', classification: EMAIL, includeSubClassifications: true }), 60);
    assert.equal(await count({ objectType: 'Files' }), 120);
    assert.equal(await count({ kind: 'ObjectTypeFilter', objectType: 'Folders' }), 3);
    assert.equal(await count({ and: [{ fileExtension: 'csv' }] }), 30);
    assert.equal(await count({ entityType: 'DataSet' }), 124, 'subtypes included by default');
    assert.equal(await count({ entityType: 'DataSet', includeSubTypes: false }), 1);
    assert.equal(await count({ label: 'gold' }), 24);
    assert.equal(await count({ assetType: 'Azure Blob Storage' }), 123);
    assert.equal(await count({ updateTime: 'LAST_24H' }), 124);
    assert.equal(await count({ kind: 'CreateTimeFilter', createTime: { operator: 'lt', timeThreshold: 0 } }), 0);
    assert.equal(await count(undefined, 'salaries'), 1);
    assert.equal(await count({ objectType: 'Files' }, 'file-01'), 10);
    const bad = await w.search(pv, { filter: { kind: 'WeirdFilter', x: 1 } });
    assert.equal(bad.status, 400);
    const badOp = await w.search(pv, { filter: { attributeName: 'name', operator: 'like', attributeValue: 'x' } });
    assert.equal(badOp.status, 400);
    const badLimit = await w.search(pv, { limit: 5000 });
    assert.equal(badLimit.status, 400);
  });

  it('orderby and keyword relevance', async () => {
    const desc = await w.search(pv, { filter: { entityType: 'azure_blob_path' }, orderby: [{ name: 'DESC' }], limit: 3 });
    assert.deepEqual(desc.body.value.map((v: any) => v.name), ['file-119.txt', 'file-118.txt', 'file-117.txt']);
    const bySize = await w.search(pv, { filter: { entityType: 'azure_blob_path' }, orderby: ['size desc'], limit: 1 });
    assert.equal(bySize.body.value[0].name, 'file-119.txt');
    const kw = await w.search(pv, { keywords: 'payroll export' });
    assert.equal(kw.body.value[0].name, 'payroll export');
    assert.ok(kw.body.value[0]['@search.score'] > 1);
  });

  it('deleted entities drop out of search; a write invalidates cached pages', async () => {
    const before = await w.search(pv, { filter: { label: 'gold' }, limit: 1 });
    const victim = before.body.value[0].id;
    await w.atlas(pv, 'DELETE', `/entity/guid/${victim}`);
    const after = await w.search(pv, { filter: { label: 'gold' }, limit: 1 });
    assert.equal(after.body['@search.count'], before.body['@search.count'] - 1);
  });

  it('suggest and autocomplete', async () => {
    const s = await w.call(pv, 'POST', '/datamap/api/search/suggest', { keywords: 'file-00', limit: 3, filter: { kind: 'AndFilter', and: [{ kind: 'TypeFilter', typeName: 'azure_blob_path' }] } });
    assert.equal(s.status, 200);
    assert.equal(s.body.value.length, 3);
    assert.match(s.body.value[0]['@search.text'], /^<em>file-00\d\.(csv|txt)<\/em>$/);
    const ac = await w.call(pv, 'POST', '/datamap/api/search/autocomplete', { keywords: 'pay', limit: 5 });
    assert.deepEqual(ac.body.value, [{ text: 'payroll', queryPlusText: 'payroll' }]);
    const empty = await w.call(pv, 'POST', '/datamap/api/search/suggest', { keywords: '' });
    assert.equal(empty.status, 400);
  });

  it('another tenant cannot search this catalog', async () => {
    const res = await w.search(pv, {}, w.purviewUser(w.consumer));
    assert.equal(res.status, 403);
  });
});
