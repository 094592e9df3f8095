/**
 * Checks the Purview data-plane clients against the swaggers read at test time from
 * ../shared/reference/specs (or $GDS_SPECS_DIR): for every client method, the request's path
 * matches a swagger path template under the host prefix (`/datamap/api`, `/scan`) with the same
 * method; `api-version=2023-09-01` is sent exactly when the operation declares it; every query
 * parameter sent is one the operation declares; required bodies are sent; `x-ms-pageable`
 * operations are exposed as PagedIterables; and every in-scope swagger operation is reachable
 * (the rest are listed explicitly). Collections (account data plane 2019-11-01-preview) have no
 * swagger in the specs folder: their table below is copied from
 * `Azure.Analytics.Purview.Account/preview/2019-11-01-preview/account.json`.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PurviewDataPlaneClient } from '../../src/azure/purview/client';
import { harness } from './support/azureFakes';

interface SwaggerParam {
  in: string;
  name: string;
  required?: boolean;
  $ref?: string;
}
interface SwaggerOp {
  operationId: string;
  parameters?: SwaggerParam[];
  'x-ms-pageable'?: unknown;
}
interface Swagger {
  paths: Record<string, Record<string, SwaggerOp>>;
  parameters: Record<string, SwaggerParam>;
}

function specsDir(): string {
  // out/test/unit -> repo root -> ../shared/reference/specs
  return process.env.GDS_SPECS_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'specs');
}

interface Template {
  spec: string;
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  bodyRequired: boolean;
  /** Declared query parameters (name patterns). */
  query: { name: string; regex: RegExp; required: boolean }[];
  apiVersion: 'required' | 'optional' | 'none';
  pageable: boolean;
}

function escape(s: string): string {
  return s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

function load(file: string, prefix: string, spec: string): Template[] {
  const swagger = JSON.parse(fs.readFileSync(path.join(specsDir(), file), 'utf8')) as Swagger;
  return Object.entries(swagger.paths).flatMap(([p, ops]) =>
    Object.entries(ops)
      .filter(([m]) => m !== 'parameters')
      .map(([m, op]) => {
        const params = (op.parameters ?? []).map((x) => (x.$ref ? (swagger.parameters[x.$ref.split('/').pop() as string] as SwaggerParam) : x));
        const query = params
          .filter((x) => x.in === 'query' && x.name !== 'api-version')
          .map((x) => ({ name: x.name, regex: new RegExp(`^${escape(x.name).replace('_N', '_\\d+')}$`), required: !!x.required }));
        const av = params.find((x) => x.in === 'query' && x.name === 'api-version');
        const full = `${prefix}${p}`;
        return {
          spec,
          operationId: op.operationId,
          method: m.toUpperCase(),
          template: full,
          regex: new RegExp(`^${escape(full).replace(/\{[^}]+\}/g, '[^/?]+')}$`),
          bodyRequired: params.some((x) => x.in === 'body' && x.required),
          query,
          apiVersion: av ? (av.required ? 'required' : 'optional') : 'none',
          pageable: op['x-ms-pageable'] !== undefined,
        } satisfies Template;
      }),
  );
}

const datamap = load('purview-datamap-2023-09-01.json', '/datamap/api', 'datamap');
const scanning = load('purview-scanning-2023-09-01.json', '/scan', 'scanning');

/** From account.json (2019-11-01-preview); api-version required everywhere. */
const collectionOps: [string, string, string, string[], boolean][] = [
  ['Collections_Get', 'GET', '/collections/{collectionName}', [], false],
  ['Collections_CreateOrUpdate', 'PUT', '/collections/{collectionName}', [], false],
  ['Collections_Delete', 'DELETE', '/collections/{collectionName}', [], false],
  ['Collections_ListByAccount', 'GET', '/collections', ['$skipToken'], true],
  ['Collections_GetChildCollectionNames', 'GET', '/collections/{collectionName}/getChildCollectionNames', ['$skipToken'], true],
  ['Collections_GetCollectionPath', 'GET', '/collections/{collectionName}/getCollectionPath', ['$skipToken'], false],
];
const collections: Template[] = collectionOps.map(([operationId, method, p, q, pageable]) => ({
  spec: 'collections',
  operationId,
  method,
  template: `/account${p}`,
  regex: new RegExp(`^${escape(`/account${p}`).replace(/\{[^}]+\}/g, '[^/?]+')}$`),
  bodyRequired: method === 'PUT',
  query: q.map((name) => ({ name, regex: new RegExp(`^${escape(name)}$`), required: false })),
  apiVersion: 'required',
  pageable,
}));

const API_VERSION: Record<string, string> = { datamap: '2023-09-01', scanning: '2023-09-01', collections: '2019-11-01-preview' };
const ENDPOINT = 'https://contoso.purview.azure.com';
const templates = [...datamap, ...scanning, ...collections];

/** The matching template with the fewest parameters (`versions/latest` before `versions/{version}`). */
function match(method: string, url: string): Template | undefined {
  const pathname = new URL(url).pathname;
  const params = (t: Template): number => (t.template.match(/\{/g) ?? []).length;
  return templates.filter((t) => t.method === method && t.regex.test(pathname)).sort((a, b) => params(a) - params(b))[0];
}

/** Not `x-ms-pageable` in the swagger, but paged by the client: search pages by continuation token. */
const CONTINUATION_PAGED = new Set(['Discovery_Query']);

const G = '0b5d7c1e-6f5a-4b47-9c43-2a1f1f0e9a11';
const RUN = '138301e4-f4f9-4ab5-b734-bac446b236e7';
const QN = 'https://src.blob.core.windows.net/sales/2026/orders.csv';
const ent = { entity: { typeName: 'azure_blob_path', attributes: { qualifiedName: QN, name: 'orders.csv' }, guid: '-1' } };
const cls = [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }];
const rel = { typeName: 'process_dataset_inputs', end1: { guid: G }, end2: { typeName: 'azure_blob_path', uniqueAttributes: { qualifiedName: QN } } };
const dsBody = { kind: 'AzureStorage' as const, properties: { endpoint: 'https://src.blob.core.windows.net/', collection: { referenceName: 'contoso' } } };
const scanBody = { kind: 'AzureStorageMsi' as const, properties: { collection: { referenceName: 'contoso' } } };
const trig = { properties: { scanLevel: 'Incremental' as const, recurrence: { frequency: 'Week' as const, interval: 1, startTime: '2026-01-05T02:00:00Z', schedule: { hours: [2], minutes: [0], weekDays: ['Monday' as const] } } } };

type Call = (c: PurviewDataPlaneClient) => unknown;

/** One call per client method. Default fake answer: 200 `{value: []}` (200 `{status:'Succeeded'}` for runs). */
const calls: [string, Call][] = [
  // type definitions
  ['typeDefinitions.list', (c) => c.dataMap.typeDefinitions.list({ type: 'entity', includeTermTemplate: false })],
  ['typeDefinitions.listHeaders', (c) => c.dataMap.typeDefinitions.listHeaders({ type: 'classification' })],
  ['typeDefinitions.getByName', (c) => c.dataMap.typeDefinitions.getByName('azure_blob_path')],
  ['typeDefinitions.getByGuid', (c) => c.dataMap.typeDefinitions.getByGuid(G)],
  ...(['entitydef', 'classificationdef', 'relationshipdef', 'enumdef', 'structdef', 'businessmetadatadef'] as const).flatMap((k): [string, Call][] => [
    [`typeDefinitions.getDefByName(${k})`, (c) => c.dataMap.typeDefinitions.getDefByName(k, 'x')],
    [`typeDefinitions.getDefByGuid(${k})`, (c) => c.dataMap.typeDefinitions.getDefByGuid(k, G)],
  ]),
  ['typeDefinitions.getTermTemplateDefByName', (c) => c.dataMap.typeDefinitions.getTermTemplateDefByName('tt')],
  ['typeDefinitions.getTermTemplateDefByGuid', (c) => c.dataMap.typeDefinitions.getTermTemplateDefByGuid(G)],
  ['typeDefinitions.create', (c) => c.dataMap.typeDefinitions.create({ entityDefs: [{ name: 'gds_share_process', superTypes: ['Process'] }] })],
  ['typeDefinitions.update', (c) => c.dataMap.typeDefinitions.update({ entityDefs: [{ name: 'gds_share_process', superTypes: ['Process'] }] })],
  ['typeDefinitions.delete', (c) => c.dataMap.typeDefinitions.delete({ entityDefs: [{ name: 'gds_share_process' }] })],
  ['typeDefinitions.deleteByName', (c) => c.dataMap.typeDefinitions.deleteByName('gds_share_process')],
  // entities
  ['entities.createOrUpdate', (c) => c.dataMap.entities.createOrUpdate(ent, { collectionId: 'sales', businessAttributeUpdateBehavior: 'replace' })],
  ['entities.bulkCreateOrUpdate', (c) => c.dataMap.entities.bulkCreateOrUpdate({ entities: [ent.entity] }, { collectionId: 'sales' })],
  ['entities.get', (c) => c.dataMap.entities.get(G, { minExtInfo: true, ignoreRelationships: false })],
  ['entities.getByUniqueAttribute', (c) => c.dataMap.entities.getByUniqueAttribute('azure_blob_path', QN, { minExtInfo: true })],
  ['entities.listByGuids', (c) => c.dataMap.entities.listByGuids([G, 'b2f9c306-cf65-4bb0-878e-cfaafde156b1'], { ignoreRelationships: true })],
  ['entities.listByUniqueAttributes', (c) => c.dataMap.entities.listByUniqueAttributes('azure_blob_path', [QN, `${QN}.bak`], { minExtInfo: true })],
  ['entities.getHeader', (c) => c.dataMap.entities.getHeader(G)],
  ['entities.updateAttribute', (c) => c.dataMap.entities.updateAttribute(G, 'description', 'Orders')],
  ['entities.updateByUniqueAttribute', (c) => c.dataMap.entities.updateByUniqueAttribute('azure_blob_path', QN, ent)],
  ['entities.delete', (c) => c.dataMap.entities.delete(G)],
  ['entities.deleteByUniqueAttribute', (c) => c.dataMap.entities.deleteByUniqueAttribute('azure_blob_path', QN)],
  ['entities.bulkDelete', (c) => c.dataMap.entities.bulkDelete([G])],
  ['entities.moveToCollection', (c) => c.dataMap.entities.moveToCollection('sales', [G])],
  // classifications, labels, business metadata
  ['classifications.list', (c) => c.dataMap.classifications.list(G)],
  ['classifications.get', (c) => c.dataMap.classifications.get(G, 'MICROSOFT.PERSONAL.EMAIL')],
  ['classifications.add', (c) => c.dataMap.classifications.add(G, cls)],
  ['classifications.update', (c) => c.dataMap.classifications.update(G, cls)],
  ['classifications.remove', (c) => c.dataMap.classifications.remove(G, 'MICROSOFT.PERSONAL.EMAIL')],
  ['classifications.addByUniqueAttribute', (c) => c.dataMap.classifications.addByUniqueAttribute('azure_blob_path', QN, cls)],
  ['classifications.updateByUniqueAttribute', (c) => c.dataMap.classifications.updateByUniqueAttribute('azure_blob_path', QN, cls)],
  ['classifications.removeByUniqueAttribute', (c) => c.dataMap.classifications.removeByUniqueAttribute('azure_blob_path', QN, 'MICROSOFT.PERSONAL.EMAIL')],
  ['classifications.addToEntities', (c) => c.dataMap.classifications.addToEntities({ classification: cls[0], entityGuids: [G] })],
  ['classifications.bulkSet', (c) => c.dataMap.classifications.bulkSet({ guidHeaderMap: { [G]: { typeName: 'azure_blob_path', classifications: cls } } })],
  ['labels.add', (c) => c.dataMap.labels.add(G, ['pii'])],
  ['labels.set', (c) => c.dataMap.labels.set(G, ['pii'])],
  ['labels.remove', (c) => c.dataMap.labels.remove(G, ['pii'])],
  ['labels.addByUniqueAttribute', (c) => c.dataMap.labels.addByUniqueAttribute('azure_blob_path', QN, ['pii'])],
  ['labels.setByUniqueAttribute', (c) => c.dataMap.labels.setByUniqueAttribute('azure_blob_path', QN, ['pii'])],
  ['labels.removeByUniqueAttribute', (c) => c.dataMap.labels.removeByUniqueAttribute('azure_blob_path', QN, ['pii'])],
  ['businessMetadata.addOrUpdate', (c) => c.dataMap.businessMetadata.addOrUpdate(G, { sharing: { provider: 'contoso' } }, { isOverwrite: true })],
  ['businessMetadata.remove', (c) => c.dataMap.businessMetadata.remove(G, { sharing: {} })],
  ['businessMetadata.addOrUpdateAttributes', (c) => c.dataMap.businessMetadata.addOrUpdateAttributes(G, 'sharing', { provider: 'contoso' })],
  ['businessMetadata.removeAttributes', (c) => c.dataMap.businessMetadata.removeAttributes(G, 'sharing', { provider: '' })],
  // relationships, lineage
  ['relationships.create', (c) => c.dataMap.relationships.create(rel)],
  ['relationships.update', (c) => c.dataMap.relationships.update({ ...rel, guid: G })],
  ['relationships.get', (c) => c.dataMap.relationships.get(G, { extendedInfo: true })],
  ['relationships.delete', (c) => c.dataMap.relationships.delete(G)],
  ['lineage.get', (c) => c.dataMap.lineage.get(G, { direction: 'BOTH', depth: 3 })],
  ['lineage.getByUniqueAttribute', (c) => c.dataMap.lineage.getByUniqueAttribute('azure_blob_path', QN, { direction: 'INPUT', depth: 1 })],
  ['lineage.getNextPage', (c) => c.dataMap.lineage.getNextPage(G, { direction: 'OUTPUT', offset: 0, limit: 5 })],
  // search
  ['discovery.query', (c) => c.dataMap.discovery.query({ keywords: 'orders', limit: 10, filter: { and: [{ entityType: 'azure_blob_path' }] } })],
  ['discovery.queryPage', (c) => c.dataMap.discovery.queryPage({ keywords: 'orders' })],
  ['discovery.suggest', (c) => c.dataMap.discovery.suggest({ keywords: 'ord', limit: 5 })],
  ['discovery.autoComplete', (c) => c.dataMap.discovery.autoComplete({ keywords: 'ord', limit: 5 })],
  // scanning
  ['dataSources.createOrReplace', (c) => c.scanning.dataSources.createOrReplace('src-blob', dsBody)],
  ['dataSources.get', (c) => c.scanning.dataSources.get('src-blob')],
  ['dataSources.delete', (c) => c.scanning.dataSources.delete('src-blob')],
  ['dataSources.list', (c) => c.scanning.dataSources.list()],
  ['scans.createOrReplace', (c) => c.scanning.scans.createOrReplace('src-blob', 'weekly', scanBody)],
  ['scans.get', (c) => c.scanning.scans.get('src-blob', 'weekly')],
  ['scans.delete', (c) => c.scanning.scans.delete('src-blob', 'weekly')],
  ['scans.listByDataSource', (c) => c.scanning.scans.listByDataSource('src-blob')],
  ['scanRulesets.get', (c) => c.scanning.scanRulesets.get('custom-rules')],
  ['scanRulesets.list', (c) => c.scanning.scanRulesets.list()],
  ['systemScanRulesets.list', (c) => c.scanning.systemScanRulesets.list()],
  ['systemScanRulesets.get', (c) => c.scanning.systemScanRulesets.get('AzureStorage')],
  ['systemScanRulesets.getLatest', (c) => c.scanning.systemScanRulesets.getLatest('AdlsGen2')],
  ['systemScanRulesets.getByVersion', (c) => c.scanning.systemScanRulesets.getByVersion(2, 'AzureStorage')],
  ['systemScanRulesets.listVersions', (c) => c.scanning.systemScanRulesets.listVersions('AzureStorage')],
  ['triggers.createOrReplace', (c) => c.scanning.triggers.createOrReplace('src-blob', 'weekly', trig)],
  ['triggers.get', (c) => c.scanning.triggers.get('src-blob', 'weekly')],
  ['triggers.delete', (c) => c.scanning.triggers.delete('src-blob', 'weekly')],
  ['triggers.enable', (c) => c.scanning.triggers.enable('src-blob', 'weekly')],
  ['triggers.disable', (c) => c.scanning.triggers.disable('src-blob', 'weekly')],
  ['runs.beginRunScan', (c) => c.scanning.runs.beginRunScan('src-blob', 'weekly', RUN, { scanLevel: 'Full' })],
  ['runs.getStatus', (c) => c.scanning.runs.getStatus('src-blob', 'weekly', RUN)],
  ['runs.listHistory', (c) => c.scanning.runs.listHistory('src-blob', 'weekly')],
  ['runs.cancel', (c) => c.scanning.runs.cancel('src-blob', 'weekly', RUN)],
  // collections
  ['collections.createOrUpdate', (c) => c.collections.createOrUpdate('sales', { friendlyName: 'Sales', parentCollection: { referenceName: 'contoso' } })],
  ['collections.get', (c) => c.collections.get('sales')],
  ['collections.list', (c) => c.collections.list()],
  ['collections.delete', (c) => c.collections.delete('sales')],
  ['collections.getCollectionPath', (c) => c.collections.getCollectionPath('sales')],
  ['collections.getChildCollectionNames', (c) => c.collections.getChildCollectionNames('contoso')],
];

/** Swagger operations deliberately not exposed (the extension has no use for them yet). */
const NOT_EXPOSED = new Set([
  // Data Map: glossary, business-metadata import (multipart) and template download
  ...datamap.filter((t) => t.operationId.startsWith('Glossary_')).map((t) => t.operationId),
  'Entity_ImportBusinessMetadata',
  'Entity_GetSampleBusinessMetadataTemplate',
  // Scanning: credentials, key vaults, classification rules, filters, integration runtimes,
  // managed VNets/private endpoints, custom scan rule set writes
  ...scanning
    .filter((t) => /^(KeyVaultConnections|ClassificationRules|Credential|Filters|IntegrationRuntimes|ManagedVirtualNetworks|ManagedPrivateEndpoints)_/.test(t.operationId))
    .map((t) => t.operationId),
  'ScanRulesets_CreateOrReplace',
  'ScanRulesets_Delete',
]);

interface Outcome {
  url: string;
  method: string;
  body: unknown;
  paged: boolean;
}

async function run(call: Call): Promise<Outcome[]> {
  const h = harness({ lro: { intervalInMs: 0 } });
  h.http.enqueue(...Array.from({ length: 3 }, () => ({ status: 200, body: { value: [], status: 'Succeeded' } })));
  const client = new PurviewDataPlaneClient(ENDPOINT, h.credential, h.settings);
  let result = call(client);
  let paged = false;
  if (result && typeof result === 'object' && 'byPage' in result) {
    paged = true;
    result = (result as unknown as { collect(): Promise<unknown> }).collect();
  }
  await result;
  return h.http.requests.map((r) => ({ url: r.url, method: r.method, body: r.body, paged }));
}

describe('Purview data-plane clients vs. the swaggers', () => {
  it('reads the swaggers (Data Map 2023-09-01, scanning 2023-09-01)', () => {
    assert.ok(datamap.length >= 90, `data map operations: ${datamap.length}`);
    assert.ok(scanning.length >= 55, `scanning operations: ${scanning.length}`);
    assert.ok(datamap.some((t) => t.operationId === 'Discovery_Query' && t.apiVersion === 'required'));
    assert.ok(datamap.some((t) => t.operationId === 'Entity_Get' && t.apiVersion === 'none'));
  });

  for (const [name, call] of calls) {
    it(`${name}: path, method, api-version, query names and body match the swagger`, async () => {
      const [first] = await run(call);
      assert.ok(first, `a request for ${name}`);
      assert.ok(first.url.startsWith(`${ENDPOINT}/`), first.url);
      const t = match(first.method, first.url);
      assert.ok(t, `${first.method} ${new URL(first.url).pathname} is not a swagger operation`);
      const u = new URL(first.url);
      const av = u.searchParams.getAll('api-version');
      if (t.apiVersion === 'none') {
        assert.deepStrictEqual(av, [], `${t.operationId} declares no api-version`);
      } else {
        assert.deepStrictEqual(av, [API_VERSION[t.spec]], `${t.operationId} api-version`);
      }
      for (const key of new Set(u.searchParams.keys())) {
        if (key !== 'api-version') {
          assert.ok(
            t.query.some((q) => q.regex.test(key)),
            `${t.operationId}: query parameter ${key} is declared (declared: ${t.query.map((q) => q.name).join(', ')})`,
          );
        }
      }
      for (const q of t.query.filter((x) => x.required)) {
        assert.ok([...u.searchParams.keys()].some((k) => q.regex.test(k)), `${t.operationId} requires ${q.name}`);
      }
      if (t.bodyRequired) {
        assert.ok(first.body !== undefined, `${t.operationId} requires a body`);
      }
      if (!CONTINUATION_PAGED.has(t.operationId)) {
        assert.strictEqual(first.paged, t.pageable, `${t.operationId}: pageable in swagger ⇔ PagedIterable in client`);
      }
    });
  }

  it('every in-scope swagger operation is reachable, and only the listed ones are left out', async () => {
    const covered = new Set<string>();
    for (const [, call] of calls) {
      for (const r of await run(call)) {
        const t = match(r.method, r.url);
        if (t) {
          covered.add(t.operationId);
        }
      }
    }
    const missing = templates.map((t) => t.operationId).filter((id) => !covered.has(id) && !NOT_EXPOSED.has(id));
    assert.deepStrictEqual(missing, []);
    const exposedAnyway = [...NOT_EXPOSED].filter((id) => covered.has(id));
    assert.deepStrictEqual(exposedAnyway, [], 'NOT_EXPOSED is accurate');
  });

  it('writes literal attr:qualifiedName names, repeats guid, and percent-encodes values (%20, not +)', async () => {
    const [get] = await run((c) => c.dataMap.entities.getByUniqueAttribute('azure_blob_path', 'https://a.blob.core.windows.net/c/my file+x.csv'));
    assert.ok(get?.url.includes('attr:qualifiedName=https%3A%2F%2Fa.blob.core.windows.net%2Fc%2Fmy%20file%2Bx.csv'), get?.url);
    const [bulk] = await run((c) => c.dataMap.entities.listByGuids(['g1', 'g2']));
    assert.deepStrictEqual(new URL(bulk!.url).searchParams.getAll('guid'), ['g1', 'g2']);
    const [multi] = await run((c) => c.dataMap.entities.listByUniqueAttributes('t', ['q1', 'q2', 'q3']));
    const keys = [...new URL(multi!.url).searchParams.keys()];
    assert.deepStrictEqual(keys, ['attr_1:qualifiedName', 'attr_2:qualifiedName', 'attr_3:qualifiedName']);
  });

  it('encodes names as single path segments', async () => {
    const [r] = await run((c) => c.dataMap.typeDefinitions.getByName('a/b c'));
    assert.ok(r!.url.endsWith('/types/typedef/name/a%2Fb%20c'), r!.url);
    await assert.rejects(Promise.resolve().then(() => run((c) => c.dataMap.entities.get(''))), TypeError);
  });
});
