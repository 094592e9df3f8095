/**
 * Data Map client behaviour with fakes at the HTTP boundary: search continuation paging (driven
 * by the published pagination examples), the filter tree, lineage request shapes, entity and
 * classification calls, Atlas error mapping and abort.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { AzureRequestError, isAbortError } from '../../src/common/azureErrors';
import { PurviewDataPlaneClient } from '../../src/azure/purview/client';
import { searchFilter, type AutoCompleteOptions, type QueryOptions, type QueryResult, type SearchFilter, type SuggestOptions } from '../../src/azure/purview/datamapModels';
import { FakeHttpClient, hang, harness, SECRET_TOKEN, type Harness } from './support/azureFakes';

const ENDPOINT = 'https://contoso.purview.azure.com';
const SEARCH_URL = `${ENDPOINT}/datamap/api/search/query?api-version=2023-09-01`;
const G = '0b5d7c1e-6f5a-4b47-9c43-2a1f1f0e9a11';

function specsDir(): string {
  return process.env.GDS_SPECS_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'specs');
}

interface Example {
  parameters: Record<string, unknown>;
  responses: Record<string, { body?: unknown }>;
}

function example(name: string): Example {
  return JSON.parse(fs.readFileSync(path.join(specsDir(), 'examples', 'datamap', `${name}.json`), 'utf8')) as Example;
}

function client(h: Harness): PurviewDataPlaneClient {
  return new PurviewDataPlaneClient(ENDPOINT, h.credential, h.settings);
}

describe('Purview Data Map: search', () => {
  const first = example('Discovery_Query_PaginationFirstPage');
  const middle = example('Discovery_Query_PaginationContinuationPage');
  const last = example('Discovery_Query_PaginationLastPage');
  const bodyOf = (e: Example): QueryResult => e.responses['200']!.body as QueryResult;
  const request = first.parameters.searchRequest as QueryOptions;

  it('follows continuationToken across pages, re-sending the same request with the token', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, body: bodyOf(first) }, { status: 200, body: bodyOf(middle) }, { status: 200, body: bodyOf(last) });
    const items = [];
    for await (const item of client(h).dataMap.discovery.query(request)) {
      items.push(item);
    }
    assert.strictEqual(items.length, 6);
    assert.deepStrictEqual(
      items.map((i) => i.name),
      [...bodyOf(first).value!, ...bodyOf(middle).value!, ...bodyOf(last).value!].map((v) => v.name),
    );
    assert.deepStrictEqual(
      h.http.requests.map((r) => `${r.method} ${r.url}`),
      [`POST ${SEARCH_URL}`, `POST ${SEARCH_URL}`, `POST ${SEARCH_URL}`],
    );
    const [r1, r2, r3] = h.http.requests.map((r) => r.body as QueryOptions);
    assert.deepStrictEqual(r1, request, 'first page: the request as given, no token');
    assert.deepStrictEqual(r2, { ...request, continuationToken: bodyOf(first).continuationToken });
    assert.deepStrictEqual(r3, { ...request, continuationToken: bodyOf(middle).continuationToken });
    // The continuation example's own request equals what we sent for page 2 (same filter, facets, orderby, token).
    assert.deepStrictEqual(r2, middle.parameters.searchRequest);
  });

  it('pages carry count, facets and the next token; byPage resumes from a token; collect caps', async () => {
    const facetBody = example('Discovery_Query_Facet').responses['200']!.body as Record<string, unknown>;
    const h = harness();
    // The Facet example spells the token `continuousToken`: accepted too.
    h.http.enqueue({ status: 200, body: facetBody }, { status: 200, body: bodyOf(last) });
    const pages = [];
    for await (const page of client(h).dataMap.discovery.query({ keywords: null, filter: { objectType: 'Tables' }, limit: 10, facets: [{ facet: 'assetType', count: 10 }] }).byPage()) {
      pages.push(page);
    }
    assert.strictEqual(pages.length, 2);
    assert.strictEqual(pages[0]!.count, 5156);
    assert.strictEqual(pages[0]!.countApproximate, false);
    assert.strictEqual(pages[0]!.facets?.assetType?.[0]?.value, 'Azure SQL Database');
    assert.strictEqual(pages[0]!.continuationToken, facetBody.continuousToken);
    assert.strictEqual(pages[1]!.continuationToken, undefined);
    assert.strictEqual((h.http.requests[1]!.body as QueryOptions).continuationToken, facetBody.continuousToken);

    const h2 = harness();
    h2.http.enqueue({ status: 200, body: bodyOf(last) });
    const resumed = client(h2).dataMap.discovery.query(request).byPage({ continuationToken: 'tok-2' });
    const page = (await resumed.next()).value;
    assert.strictEqual(page.length, 2);
    assert.strictEqual((h2.http.requests[0]!.body as QueryOptions).continuationToken, 'tok-2');

    const h3 = harness();
    h3.http.enqueue({ status: 200, body: bodyOf(first) }, { status: 200, body: bodyOf(middle) });
    const capped = await client(h3).dataMap.discovery.query(request).collect({ max: 3 });
    assert.deepStrictEqual([capped.items.length, capped.truncated, h3.http.requests.length], [3, true, 2]);
  });

  it('stops on a repeated token and on an empty page', async () => {
    const h = harness();
    h.http.enqueue({ status: 200, body: { value: [{ id: 'a' }], continuationToken: 't1' } }, { status: 200, body: { value: [{ id: 'b' }], continuationToken: 't1' } });
    await assert.rejects(client(h).dataMap.discovery.query({ keywords: 'x' }).collect(), (e: unknown) => e instanceof AzureRequestError && e.code === 'InvalidResponse');

    const h2 = harness();
    h2.http.enqueue({ status: 200, body: { value: [{ id: 'a' }], continuationToken: 't1' } }, { status: 200, body: { value: [], continuationToken: 't2' } });
    const r = await client(h2).dataMap.discovery.query({ keywords: 'x' }).collect();
    assert.deepStrictEqual([r.items.length, h2.http.requests.length], [1, 2]);
  });

  it('sends the filter tree as given: classic, typed and nested shapes', async () => {
    const typed: SearchFilter = (example('Discovery_Query_AndOrNested').parameters.searchRequest as QueryOptions).filter!;
    const classic: SearchFilter = searchFilter.and(
      searchFilter.entityType('azure_blob_container'),
      searchFilter.or(searchFilter.collection('sales'), searchFilter.collection('finance')),
      searchFilter.not(searchFilter.classification('MICROSOFT.SYSTEM.TEMP_FILE')),
      searchFilter.attribute('qualifiedName', 'prefix', 'https://src.blob.core.windows.net/'),
    );
    const time: SearchFilter = { kind: 'CreateTimeFilter', createTime: { operator: 'lt', timeThreshold: 1545580800000 } };
    const h = harness();
    const dm = client(h).dataMap.discovery;
    await dm.queryPage({ filter: typed, limit: 10 });
    await dm.queryPage({ keywords: 'orders', filter: classic, orderby: [{ name: 'ASC' }, { updateTime: 'DESC' }], facets: [{ facet: 'label', count: 5, sort: { count: 'desc' } }] });
    await dm.queryPage({ filter: time });
    assert.deepStrictEqual(h.http.requests[0]!.body, { filter: typed, limit: 10 });
    assert.deepStrictEqual(h.http.requests[1]!.body, {
      keywords: 'orders',
      filter: {
        and: [
          { entityType: 'azure_blob_container' },
          { or: [{ collectionId: 'sales' }, { collectionId: 'finance' }] },
          { not: { classification: 'MICROSOFT.SYSTEM.TEMP_FILE' } },
          { attributeName: 'qualifiedName', operator: 'prefix', attributeValue: 'https://src.blob.core.windows.net/' },
        ],
      },
      orderby: [{ name: 'ASC' }, { updateTime: 'DESC' }],
      facets: [{ facet: 'label', count: 5, sort: { count: 'desc' } }],
    });
    assert.deepStrictEqual(h.http.requests[2]!.body, { filter: time });
  });

  it('suggest and autocomplete post their options to the right routes', async () => {
    const suggest = example('Discovery_Suggest');
    const auto = example('Discovery_AutoComplete');
    const h = harness();
    h.http.enqueue({ status: 200, body: suggest.responses['200']!.body }, { status: 200, body: auto.responses['200']!.body });
    const s = await client(h).dataMap.discovery.suggest(suggest.parameters.suggestRequest as SuggestOptions);
    const a = await client(h).dataMap.discovery.autoComplete(auto.parameters.autoCompleteRequest as AutoCompleteOptions);
    assert.strictEqual(s.value?.[0]?.['@search.text'], '<em>exampledata.csv</em>');
    assert.strictEqual(a.value?.[0]?.queryPlusText, 'example');
    assert.deepStrictEqual(
      h.http.requests.map((r) => new URL(r.url).pathname),
      ['/datamap/api/search/suggest', '/datamap/api/search/autocomplete'],
    );
    assert.deepStrictEqual(h.http.requests[0]!.body, suggest.parameters.suggestRequest);
    assert.deepStrictEqual(h.http.requests[1]!.body, auto.parameters.autoCompleteRequest);
  });
});

describe('Purview Data Map: lineage, entities, classifications', () => {
  it('lineage by GUID and by unique attribute: direction and depth in the query', async () => {
    const h = harness();
    const lineage = {
      baseEntityGuid: G,
      lineageDirection: 'BOTH',
      lineageDepth: 3,
      guidEntityMap: { [G]: { typeName: 'azure_blob_container', guid: G, attributes: { qualifiedName: 'https://src.blob.core.windows.net/sales' } } },
      relations: [{ fromEntityId: G, toEntityId: 'p1', relationshipId: 'r1' }],
    };
    h.http.enqueue({ status: 200, body: lineage });
    const info = await client(h).dataMap.lineage.get(G, { direction: 'BOTH', depth: 3 });
    assert.strictEqual(info.relations?.[0]?.toEntityId, 'p1');
    await client(h).dataMap.lineage.getByUniqueAttribute('azure_blob_container', 'https://dst.blob.core.windows.net/landing', { direction: 'INPUT' });
    await client(h).dataMap.lineage.getNextPage(G, { direction: 'OUTPUT', offset: 10, limit: 5 });

    const [byGuid, byAttr, next] = h.http.requests.map((r) => new URL(r.url));
    assert.strictEqual(byGuid!.pathname, `/datamap/api/atlas/v2/lineage/${G}`);
    assert.deepStrictEqual(Object.fromEntries(byGuid!.searchParams), { direction: 'BOTH', depth: '3' });
    assert.strictEqual(byAttr!.pathname, '/datamap/api/atlas/v2/lineage/uniqueAttribute/type/azure_blob_container');
    assert.deepStrictEqual(Object.fromEntries(byAttr!.searchParams), { direction: 'INPUT', 'attr:qualifiedName': 'https://dst.blob.core.windows.net/landing' });
    assert.strictEqual(next!.pathname, `/datamap/api/lineage/${G}/next`);
    assert.deepStrictEqual(Object.fromEntries(next!.searchParams), { 'api-version': '2023-09-01', direction: 'OUTPUT', offset: '10', limit: '5' });
    assert.ok(h.http.requests.every((r) => r.method === 'GET' && r.body === undefined));
    assert.throws(() => client(h).dataMap.lineage.get(G, { direction: 'UP' as never }), TypeError);
  });

  it('creates a lineage process entity and reads guid assignments', async () => {
    const h = harness();
    h.http.enqueue({
      status: 200,
      body: { mutatedEntities: { CREATE: [{ typeName: 'Process', guid: 'p-guid', attributes: { qualifiedName: 'datashare://a/s/1' } }] }, guidAssignments: { '-1': 'p-guid' } },
    });
    const process = {
      entity: {
        typeName: 'Process',
        guid: '-1',
        attributes: {
          qualifiedName: 'datashare://a/s/1',
          name: 'sales share',
          inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: 'https://src.blob.core.windows.net/sales' } }],
          outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: 'https://dst.blob.core.windows.net/landing' } }],
        },
      },
    };
    const result = await client(h).dataMap.entities.createOrUpdate(process, { collectionId: 'sales' });
    assert.strictEqual(result.guidAssignments?.['-1'], 'p-guid');
    assert.strictEqual(result.mutatedEntities?.CREATE?.[0]?.guid, 'p-guid');
    const req = h.http.requests[0]!;
    assert.strictEqual(req.method, 'POST');
    assert.strictEqual(req.url, `${ENDPOINT}/datamap/api/atlas/v2/entity?api-version=2023-09-01&collectionId=sales`);
    assert.deepStrictEqual(req.body, process);
    assert.match(req.headers['content-type'] ?? '', /^application\/json/);
  });

  it('classification and label writes resolve on 204 with the array body sent', async () => {
    const h = harness();
    h.http.enqueue({ status: 204 }, { status: 204 }, { status: 204 }, { status: 200, body: { list: [{ typeName: 'MICROSOFT.PERSONAL.EMAIL', entityGuid: G }], totalCount: 1 } });
    const dm = client(h).dataMap;
    assert.strictEqual(await dm.classifications.add(G, [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }]), undefined);
    await dm.classifications.addToEntities({ classification: { typeName: 'MICROSOFT.PERSONAL.NAME' }, entityGuids: [G, 'g2'] });
    await dm.labels.removeByUniqueAttribute('azure_blob_path', 'https://a.blob.core.windows.net/c/f.csv', ['old']);
    const list = await dm.classifications.list(G);
    assert.strictEqual(list.list?.[0]?.typeName, 'MICROSOFT.PERSONAL.EMAIL');
    assert.deepStrictEqual(h.http.requests[0]!.body, [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }]);
    assert.deepStrictEqual(h.http.requests[1]!.body, { classification: { typeName: 'MICROSOFT.PERSONAL.NAME' }, entityGuids: [G, 'g2'] });
    assert.strictEqual(h.http.requests[2]!.method, 'DELETE');
    assert.deepStrictEqual(h.http.requests[2]!.body, ['old']);
  });
});

describe('Purview Data Map: errors and abort', () => {
  it('maps Atlas error bodies to AzureRequestError with a Purview next step and the Atlas request id', async () => {
    const h = harness();
    h.http.enqueue(
      { status: 404, body: { requestId: 'atlas-req-1', errorCode: 'ATLAS-404-00-007', errorMessage: 'Invalid instance creation/updates parameters passed : type azure_blob_path with unique attribute qualifiedName=x not found' } },
      { status: 403, headers: { 'x-ms-request-id': 'hdr-1' }, body: { requestId: 'atlas-req-2', errorCode: 'ATLAS-403-00-001', errorMessage: 'user is not authorized to perform read entity' } },
      { status: 409, body: { requestId: 'atlas-req-3', errorCode: 'ATLAS-409-00-001', errorMessage: 'Given type gds_share_process already exists' } },
    );
    const dm = client(h).dataMap;
    const notFound = await dm.entities.getByUniqueAttribute('azure_blob_path', 'x').catch((e: unknown) => e);
    assert.ok(notFound instanceof AzureRequestError);
    assert.deepStrictEqual([notFound.statusCode, notFound.code, notFound.requestId, notFound.isNotFound], [404, 'ATLAS-404-00-007', 'atlas-req-1', true]);
    assert.match(notFound.nextStep, /does not exist in this Purview account/);
    assert.strictEqual(notFound.method, 'GET');
    assert.ok(notFound.url?.endsWith('/atlas/v2/entity/uniqueAttribute/type/azure_blob_path'), 'url without query');

    const forbidden = await dm.entities.get(G).catch((e: unknown) => e);
    assert.ok(forbidden instanceof AzureRequestError);
    assert.deepStrictEqual([forbidden.statusCode, forbidden.code, forbidden.requestId], [403, 'ATLAS-403-00-001', 'atlas-req-2']);
    assert.match(forbidden.nextStep, /Collection Admin/);
    assert.match(forbidden.nextStep, /Data Reader/);
    assert.match(forbidden.nextStep, /Data Curator/);

    const exists = await dm.typeDefinitions.create({ entityDefs: [{ name: 'gds_share_process' }] }).catch((e: unknown) => e);
    assert.ok(exists instanceof AzureRequestError);
    assert.match(exists.nextStep, /already exists/);
  });

  it('a 401 about the audience says which scope to use; the token never appears in the error', async () => {
    const h = harness();
    h.http.enqueue({ status: 401, body: { error: { code: 'Unauthorized', message: 'Audience validation failed for audience https://management.azure.com' } } });
    const err = await client(h).dataMap.entities.get(G).catch((e: unknown) => e);
    assert.ok(err instanceof AzureRequestError);
    assert.strictEqual(err.statusCode, 401);
    assert.match(err.nextStep, /https:\/\/purview\.azure\.net\/\.default/);
    assert.ok(h.http.requests[0]!.headers.authorization?.includes(SECRET_TOKEN), 'the token was sent');
    assert.ok(!JSON.stringify(err).includes(SECRET_TOKEN) && !String(err.stack).includes(SECRET_TOKEN));
  });

  it('abort: a pre-aborted signal sends nothing; aborting a hanging search rejects with AbortError', async () => {
    const h = harness();
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client(h).dataMap.entities.get(G, { abortSignal: ac.signal }), (e: unknown) => isAbortError(e));
    assert.strictEqual(h.http.requests.length, 0);

    const http = new FakeHttpClient();
    http.enqueue({ status: 200, body: { value: [{ id: 'a' }], continuationToken: 't1' } }, hang);
    const h2 = harness({}, http);
    const ac2 = new AbortController();
    const seen: string[] = [];
    const iterate = (async () => {
      for await (const item of client(h2).dataMap.discovery.query({ keywords: 'x', abortSignal: ac2.signal })) {
        seen.push(item.id as string);
      }
    })();
    setTimeout(() => ac2.abort(), 10);
    await assert.rejects(iterate, (e: unknown) => isAbortError(e));
    assert.deepStrictEqual(seen, ['a']);
    assert.strictEqual(http.requests.length, 2);
  });
});
