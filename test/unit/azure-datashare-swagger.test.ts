/**
 * Checks the hand-written Data Share client against the ORIGINAL 2021-08-01 swagger, read at
 * test time from ../shared/reference/specs (or $GDS_SPECS_DIR): every client method's request
 * matches a swagger path template + method with api-version 2021-08-01, every swagger operation
 * is reachable from the client, and the polymorphic kinds carry exactly the swagger's properties.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DataShareClient } from '../../src/azure/datashare/client';
import {
  DATA_SET_KINDS,
  DATA_SET_MAPPING_KINDS,
  READ_ONLY_PROPERTIES,
  type DataSet,
  type DataSetCreate,
  type DataSetMappingCreate,
  type DataSetMapping,
} from '../../src/azure/datashare/models';
import { parseDataShareId } from '../../src/azure/datashare/paths';
import { ARM, harness, SUB } from './support/azureFakes';

interface SwaggerOp {
  operationId: string;
  parameters?: { in: string; name: string; required?: boolean; $ref?: string }[];
}
interface SwaggerSchema {
  properties?: Record<string, { readOnly?: boolean; $ref?: string; enum?: string[] }>;
  required?: string[];
  allOf?: { $ref?: string }[];
  'x-ms-discriminator-value'?: string;
}
interface Swagger {
  paths: Record<string, Record<string, SwaggerOp>>;
  definitions: Record<string, SwaggerSchema>;
  parameters: Record<string, { in: string; name: string; required?: boolean }>;
}

function specsDir(): string {
  // out/test/unit -> repo root -> ../shared/reference/specs
  return process.env.GDS_SPECS_DIR ?? path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'specs');
}

const swagger = JSON.parse(fs.readFileSync(path.join(specsDir(), 'datashare-2021-08-01.json'), 'utf8')) as Swagger;

interface Template {
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  bodyRequired: boolean;
}

const templates: Template[] = Object.entries(swagger.paths).flatMap(([p, ops]) =>
  Object.entries(ops)
    .filter(([m]) => m !== 'parameters')
    .map(([m, op]) => {
      const params = (op.parameters ?? []).map((x) => (x.$ref ? swagger.parameters[x.$ref.split('/').pop() as string] : x));
      return {
        operationId: op.operationId,
        method: m.toUpperCase(),
        template: p,
        regex: new RegExp(`^${p.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/?]+')}$`),
        bodyRequired: params.some((x) => x?.in === 'body' && x.required),
      };
    }),
);

function match(method: string, url: string): Template | undefined {
  const u = new URL(url);
  return templates.find((t) => t.method === method && t.regex.test(u.pathname));
}

const acct = { subscriptionId: SUB, resourceGroupName: 'rg-provider', accountName: 'acct1' };
const share = { ...acct, shareName: 'sales' };
const ss = { ...acct, shareSubscriptionName: 'sales-sub' };
const csvTime = '2026-01-01T00:00:00Z';

/** One call per client method (LRO pairs both ways). Default fake answer: 200 `{value: []}`. */
const calls: [string, (c: DataShareClient) => Promise<unknown>][] = [
  ['accounts.listBySubscription', (c) => c.accounts.listBySubscription(SUB).collect()],
  ['accounts.listByResourceGroup', (c) => c.accounts.listByResourceGroup(acct).collect()],
  ['accounts.get', (c) => c.accounts.get(acct)],
  ['accounts.beginCreateOrUpdate', (c) => c.accounts.beginCreateOrUpdate(acct, { location: 'westeurope' })],
  ['accounts.createOrUpdateAndWait', (c) => c.accounts.createOrUpdateAndWait(acct, { location: 'westeurope', tags: { a: 'b' } })],
  ['accounts.update', (c) => c.accounts.update(acct, { tags: { a: 'b' } })],
  ['accounts.beginDelete', (c) => c.accounts.beginDelete(acct)],
  ['accounts.deleteAndWait', (c) => c.accounts.deleteAndWait(acct)],
  ['shares.listByAccount', (c) => c.shares.listByAccount(acct, { filter: "name eq 'x'", orderby: 'name' }).collect()],
  ['shares.get', (c) => c.shares.get(share)],
  ['shares.createOrUpdate', (c) => c.shares.createOrUpdate(share, { properties: { shareKind: 'CopyBased', description: 'd', terms: 't' } })],
  ['shares.beginDelete', (c) => c.shares.beginDelete(share)],
  ['shares.deleteAndWait', (c) => c.shares.deleteAndWait(share)],
  ['shares.listSynchronizations', (c) => c.shares.listSynchronizations(share).collect()],
  ['shares.listSynchronizationDetails', (c) => c.shares.listSynchronizationDetails(share, { synchronizationId: 's1' }).collect()],
  ['dataSets.listByShare', (c) => c.dataSets.listByShare(share).collect()],
  ['dataSets.get', (c) => c.dataSets.get({ ...share, dataSetName: 'ds' })],
  [
    'dataSets.createOrUpdate',
    (c) =>
      c.dataSets.createOrUpdate(
        { ...share, dataSetName: 'ds' },
        { kind: 'Container', properties: { containerName: 'c', resourceGroup: 'rg', storageAccountName: 'sa', subscriptionId: SUB } },
      ),
  ],
  ['dataSets.beginDelete', (c) => c.dataSets.beginDelete({ ...share, dataSetName: 'ds' })],
  ['dataSets.deleteAndWait', (c) => c.dataSets.deleteAndWait({ ...share, dataSetName: 'ds' })],
  ['invitations.listByShare', (c) => c.invitations.listByShare(share).collect()],
  ['invitations.get', (c) => c.invitations.get({ ...share, invitationName: 'inv' })],
  ['invitations.createOrUpdate', (c) => c.invitations.createOrUpdate({ ...share, invitationName: 'inv' }, { properties: { targetEmail: 'a@b.c' } })],
  ['invitations.delete', (c) => c.invitations.delete({ ...share, invitationName: 'inv' })],
  ['synchronizationSettings.listByShare', (c) => c.synchronizationSettings.listByShare(share).collect()],
  ['synchronizationSettings.get', (c) => c.synchronizationSettings.get({ ...share, synchronizationSettingName: 'daily' })],
  [
    'synchronizationSettings.createOrUpdate',
    (c) =>
      c.synchronizationSettings.createOrUpdate(
        { ...share, synchronizationSettingName: 'daily' },
        { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: csvTime } },
      ),
  ],
  ['synchronizationSettings.beginDelete', (c) => c.synchronizationSettings.beginDelete({ ...share, synchronizationSettingName: 'daily' })],
  ['synchronizationSettings.deleteAndWait', (c) => c.synchronizationSettings.deleteAndWait({ ...share, synchronizationSettingName: 'daily' })],
  ['providerShareSubscriptions.listByShare', (c) => c.providerShareSubscriptions.listByShare(share).collect()],
  ['providerShareSubscriptions.get', (c) => c.providerShareSubscriptions.get({ ...share, providerShareSubscriptionId: 'p1' })],
  ['providerShareSubscriptions.beginRevoke', (c) => c.providerShareSubscriptions.beginRevoke({ ...share, providerShareSubscriptionId: 'p1' })],
  ['providerShareSubscriptions.revokeAndWait', (c) => c.providerShareSubscriptions.revokeAndWait({ ...share, providerShareSubscriptionId: 'p1' })],
  ['providerShareSubscriptions.reinstate', (c) => c.providerShareSubscriptions.reinstate({ ...share, providerShareSubscriptionId: 'p1' }, { expirationDate: csvTime })],
  ['providerShareSubscriptions.adjust', (c) => c.providerShareSubscriptions.adjust({ ...share, providerShareSubscriptionId: 'p1' }, { expirationDate: csvTime })],
  ['consumerInvitations.list', (c) => c.consumerInvitations.list().collect()],
  ['consumerInvitations.get', (c) => c.consumerInvitations.get('westeurope', 'inv-guid')],
  ['consumerInvitations.reject', (c) => c.consumerInvitations.reject('westeurope', 'inv-guid')],
  ['shareSubscriptions.listByAccount', (c) => c.shareSubscriptions.listByAccount(acct).collect()],
  ['shareSubscriptions.get', (c) => c.shareSubscriptions.get(ss)],
  ['shareSubscriptions.createOrUpdate', (c) => c.shareSubscriptions.createOrUpdate(ss, { properties: { invitationId: 'inv-guid', sourceShareLocation: 'westeurope' } })],
  ['shareSubscriptions.accept', (c) => c.shareSubscriptions.accept(ss, { invitationId: 'inv-guid', sourceShareLocation: 'westeurope' })],
  ['shareSubscriptions.beginDelete', (c) => c.shareSubscriptions.beginDelete(ss)],
  ['shareSubscriptions.deleteAndWait', (c) => c.shareSubscriptions.deleteAndWait(ss)],
  ['shareSubscriptions.beginSynchronize', (c) => c.shareSubscriptions.beginSynchronize(ss, { synchronizationMode: 'FullSync' })],
  ['shareSubscriptions.synchronizeAndWait', (c) => c.shareSubscriptions.synchronizeAndWait(ss)],
  ['shareSubscriptions.beginCancelSynchronization', (c) => c.shareSubscriptions.beginCancelSynchronization(ss, { synchronizationId: 's1' })],
  ['shareSubscriptions.cancelSynchronizationAndWait', (c) => c.shareSubscriptions.cancelSynchronizationAndWait(ss, { synchronizationId: 's1' })],
  ['shareSubscriptions.listSynchronizations', (c) => c.shareSubscriptions.listSynchronizations(ss).collect()],
  ['shareSubscriptions.listSynchronizationDetails', (c) => c.shareSubscriptions.listSynchronizationDetails(ss, { synchronizationId: 's1' }, { filter: "name eq 'x'" }).collect()],
  ['shareSubscriptions.listSourceShareSynchronizationSettings', (c) => c.shareSubscriptions.listSourceShareSynchronizationSettings(ss).collect()],
  ['consumerSourceDataSets.listByShareSubscription', (c) => c.consumerSourceDataSets.listByShareSubscription(ss).collect()],
  ['dataSetMappings.listByShareSubscription', (c) => c.dataSetMappings.listByShareSubscription(ss).collect()],
  ['dataSetMappings.get', (c) => c.dataSetMappings.get({ ...ss, dataSetMappingName: 'm' })],
  [
    'dataSetMappings.createOrUpdate',
    (c) =>
      c.dataSetMappings.createOrUpdate(
        { ...ss, dataSetMappingName: 'm' },
        { kind: 'Container', properties: { dataSetId: 'd1', containerName: 'c', resourceGroup: 'rg', storageAccountName: 'sa', subscriptionId: SUB } },
      ),
  ],
  ['dataSetMappings.delete', (c) => c.dataSetMappings.delete({ ...ss, dataSetMappingName: 'm' })],
  ['triggers.listByShareSubscription', (c) => c.triggers.listByShareSubscription(ss).collect()],
  ['triggers.get', (c) => c.triggers.get({ ...ss, triggerName: 't' })],
  [
    'triggers.beginCreateOrUpdate',
    (c) => c.triggers.beginCreateOrUpdate({ ...ss, triggerName: 't' }, { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Hour', synchronizationTime: csvTime } }),
  ],
  [
    'triggers.createOrUpdateAndWait',
    (c) =>
      c.triggers.createOrUpdateAndWait(
        { ...ss, triggerName: 't' },
        { kind: 'ScheduleBased', properties: { recurrenceInterval: 'Hour', synchronizationTime: csvTime, synchronizationMode: 'Incremental' } },
      ),
  ],
  ['triggers.beginDelete', (c) => c.triggers.beginDelete({ ...ss, triggerName: 't' })],
  ['triggers.deleteAndWait', (c) => c.triggers.deleteAndWait({ ...ss, triggerName: 't' })],
  ['emailRegistrations.registerEmail', (c) => c.emailRegistrations.registerEmail('westeurope')],
  ['emailRegistrations.activateEmail', (c) => c.emailRegistrations.activateEmail('westeurope', '123456')],
  ['operations.list', (c) => c.operations.list().collect()],
];

describe('Data Share client vs. the 2021-08-01 swagger', () => {
  it('reads the original swagger (53 operations, kind discriminators present)', () => {
    assert.strictEqual(templates.length, 53, `operations in swagger: ${templates.length}`);
    assert.strictEqual(swagger.definitions.DataSet?.properties?.kind?.enum?.length, 14);
  });

  for (const [name, call] of calls) {
    it(`${name}: path template, method and api-version exist in the swagger`, async () => {
      const h = harness();
      const client = new DataShareClient(h.credential, { ...h.settings, endpoint: ARM });
      await call(client);
      assert.strictEqual(h.http.requests.length, 1, `one request for ${name}`);
      const req = h.http.requests[0]!;
      assert.ok(req.url.startsWith(`${ARM}/`), req.url);
      const t = match(req.method, req.url);
      assert.ok(t, `${req.method} ${new URL(req.url).pathname} is not a swagger operation`);
      assert.strictEqual(new URL(req.url).searchParams.get('api-version'), '2021-08-01');
      if (t.bodyRequired) {
        assert.ok(req.body !== undefined, `${t.operationId} requires a body`);
      }
    });
  }

  it('every swagger operation is exposed by the client', async () => {
    const covered = new Set<string>();
    for (const [, call] of calls) {
      const h = harness();
      await call(new DataShareClient(h.credential, { ...h.settings, endpoint: ARM }));
      for (const r of h.http.requests) {
        const t = match(r.method, r.url);
        if (t) {
          covered.add(t.operationId);
        }
      }
    }
    const missing = templates.map((t) => t.operationId).filter((id) => !covered.has(id));
    assert.deepStrictEqual(missing, []);
  });

  it('sends optional OData query parameters by their swagger names', async () => {
    const h = harness();
    const client = new DataShareClient(h.credential, { ...h.settings, endpoint: ARM });
    await client.shares.listByAccount(acct, { filter: "properties/shareKind eq 'CopyBased'", orderby: 'name desc', skipToken: 'tok' }).collect();
    const u = new URL(h.http.requests[0]!.url);
    assert.strictEqual(u.searchParams.get('$filter'), "properties/shareKind eq 'CopyBased'");
    assert.strictEqual(u.searchParams.get('$orderby'), 'name desc');
    assert.strictEqual(u.searchParams.get('$skipToken'), 'tok');
    assert.ok(!h.http.requests[0]!.url.includes('+'), 'spaces are %20, not +');
  });

  it('encodes resource names as single path segments', async () => {
    const h = harness();
    const client = new DataShareClient(h.credential, { ...h.settings, endpoint: ARM });
    await client.shares.get({ ...acct, shareName: 'a/b c' });
    assert.ok(h.http.requests[0]!.url.includes('/shares/a%2Fb%20c?'));
  });
});

// -------------------------------------------------------------------------------------------
// Polymorphic kinds
// -------------------------------------------------------------------------------------------

const loc = { subscriptionId: SUB, resourceGroup: 'rg', storageAccountName: 'sa' };
const sqlServer = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Sql/servers/srv`;
const kusto = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kusto/clusters/k`;

/** One input per kind with every writable property: compile-checked against our types. */
const dataSetSamples: DataSetCreate[] = [
  { kind: 'Blob', properties: { ...loc, containerName: 'c', filePath: 'f.csv' } },
  { kind: 'Container', properties: { ...loc, containerName: 'c' } },
  { kind: 'BlobFolder', properties: { ...loc, containerName: 'c', prefix: 'p/' } },
  { kind: 'AdlsGen2FileSystem', properties: { ...loc, fileSystem: 'fs' } },
  { kind: 'AdlsGen2Folder', properties: { ...loc, fileSystem: 'fs', folderPath: 'd' } },
  { kind: 'AdlsGen2File', properties: { ...loc, fileSystem: 'fs', filePath: 'f' } },
  { kind: 'AdlsGen1Folder', properties: { accountName: 'a', folderPath: 'd', resourceGroup: 'rg', subscriptionId: SUB } },
  { kind: 'AdlsGen1File', properties: { accountName: 'a', folderPath: 'd', fileName: 'f', resourceGroup: 'rg', subscriptionId: SUB } },
  { kind: 'KustoCluster', properties: { kustoClusterResourceId: kusto } },
  { kind: 'KustoDatabase', properties: { kustoDatabaseResourceId: `${kusto}/databases/db` } },
  {
    kind: 'KustoTable',
    properties: {
      kustoDatabaseResourceId: `${kusto}/databases/db`,
      tableLevelSharingProperties: {
        tablesToInclude: ['t'],
        tablesToExclude: [],
        externalTablesToInclude: [],
        externalTablesToExclude: [],
        materializedViewsToInclude: [],
        materializedViewsToExclude: [],
      },
    },
  },
  { kind: 'SqlDBTable', properties: { databaseName: 'db', schemaName: 'dbo', sqlServerResourceId: sqlServer, tableName: 't' } },
  { kind: 'SqlDWTable', properties: { dataWarehouseName: 'dw', schemaName: 'dbo', sqlServerResourceId: sqlServer, tableName: 't' } },
  { kind: 'SynapseWorkspaceSqlPoolTable', properties: { synapseWorkspaceSqlPoolTableResourceId: `${sqlServer}/sqlPools/p/schemas/s/tables/t` } },
];

const mappingSamples: DataSetMappingCreate[] = [
  { kind: 'Blob', properties: { ...loc, dataSetId: 'd', containerName: 'c', filePath: 'f', outputType: 'Csv' } },
  { kind: 'Container', properties: { ...loc, dataSetId: 'd', containerName: 'c' } },
  { kind: 'BlobFolder', properties: { ...loc, dataSetId: 'd', containerName: 'c', prefix: 'p' } },
  { kind: 'AdlsGen2FileSystem', properties: { ...loc, dataSetId: 'd', fileSystem: 'fs' } },
  { kind: 'AdlsGen2Folder', properties: { ...loc, dataSetId: 'd', fileSystem: 'fs', folderPath: 'x' } },
  { kind: 'AdlsGen2File', properties: { ...loc, dataSetId: 'd', fileSystem: 'fs', filePath: 'f', outputType: 'Parquet' } },
  { kind: 'KustoCluster', properties: { dataSetId: 'd', kustoClusterResourceId: kusto } },
  { kind: 'KustoDatabase', properties: { dataSetId: 'd', kustoClusterResourceId: kusto } },
  { kind: 'KustoTable', properties: { dataSetId: 'd', kustoClusterResourceId: kusto } },
  { kind: 'SqlDBTable', properties: { dataSetId: 'd', databaseName: 'db', schemaName: 'dbo', sqlServerResourceId: sqlServer, tableName: 't' } },
  { kind: 'SqlDWTable', properties: { dataSetId: 'd', dataWarehouseName: 'dw', schemaName: 'dbo', sqlServerResourceId: sqlServer, tableName: 't' } },
  { kind: 'SynapseWorkspaceSqlPoolTable', properties: { dataSetId: 'd', synapseWorkspaceSqlPoolTableResourceId: `${sqlServer}/sqlPools/p` } },
];

function kindSchema(base: 'DataSet' | 'DataSetMapping', kind: string): SwaggerSchema {
  const def = Object.values(swagger.definitions).find((d) => d['x-ms-discriminator-value'] === kind && d.allOf?.some((a) => a.$ref === `#/definitions/${base}`));
  assert.ok(def, `swagger has ${base} kind ${kind}`);
  const ref = def.properties?.properties?.$ref;
  assert.ok(ref, `${base} ${kind} has properties`);
  return swagger.definitions[ref.split('/').pop() as string] as SwaggerSchema;
}

describe('Data Share polymorphic kinds', () => {
  it('DataSet and DataSetMapping kind lists equal the swagger enums', () => {
    assert.deepStrictEqual([...DATA_SET_KINDS].sort(), [...(swagger.definitions.DataSet?.properties?.kind?.enum ?? [])].sort());
    assert.deepStrictEqual([...DATA_SET_MAPPING_KINDS].sort(), [...(swagger.definitions.DataSetMapping?.properties?.kind?.enum ?? [])].sort());
    assert.deepStrictEqual(dataSetSamples.map((s) => s.kind).sort(), [...DATA_SET_KINDS].sort(), 'a sample per data set kind');
    assert.deepStrictEqual(mappingSamples.map((s) => s.kind).sort(), [...DATA_SET_MAPPING_KINDS].sort(), 'a sample per mapping kind');
  });

  for (const [base, samples, readOnly] of [
    ['DataSet', dataSetSamples, READ_ONLY_PROPERTIES.dataSet],
    ['DataSetMapping', mappingSamples, READ_ONLY_PROPERTIES.dataSetMapping],
  ] as const) {
    it(`${base}: every kind's writable properties are exactly the swagger's, read-only ones are known`, () => {
      for (const sample of samples) {
        const schema = kindSchema(base, sample.kind);
        const props = schema.properties ?? {};
        const writable = Object.keys(props).filter((k) => !props[k]?.readOnly).sort();
        const ro = Object.keys(props).filter((k) => props[k]?.readOnly);
        assert.deepStrictEqual(Object.keys(sample.properties).sort(), writable, `${base} ${sample.kind} writable properties`);
        for (const r of schema.required ?? []) {
          assert.ok(r in sample.properties, `${base} ${sample.kind} sends required ${r}`);
        }
        for (const r of ro) {
          assert.ok((readOnly as readonly string[]).includes(r), `${base} read-only ${r} is stripped before sending`);
        }
      }
    });
  }

  it('a Container data set and a Blob mapping serialize with the right kind and properties', async () => {
    const h = harness();
    const client = new DataShareClient(h.credential, { ...h.settings, endpoint: ARM });
    // A GET result (with service-set fields) PUT back as is: envelope and read-only fields go.
    const fromService: DataSet = {
      id: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.DataShare/accounts/a/shares/s/dataSets/ds`,
      name: 'ds',
      type: 'Microsoft.DataShare/accounts/shares/dataSets',
      kind: 'Container',
      properties: { containerName: 'sales', resourceGroup: 'rg', storageAccountName: 'srcacct', subscriptionId: SUB, dataSetId: 'guid-1' },
    };
    h.http.enqueue({ status: 201, body: fromService });
    const created = await client.dataSets.createOrUpdate({ ...share, dataSetName: 'ds' }, fromService);
    assert.deepStrictEqual(h.http.requests[0]!.body, {
      kind: 'Container',
      properties: { containerName: 'sales', resourceGroup: 'rg', storageAccountName: 'srcacct', subscriptionId: SUB },
    });
    assert.strictEqual(created.kind, 'Container');
    if (created.kind === 'Container') {
      assert.strictEqual(created.properties.dataSetId, 'guid-1');
    }

    const mapping: DataSetMappingCreate = {
      kind: 'Blob',
      properties: { dataSetId: 'guid-1', containerName: 'landing', filePath: 'sales.csv', outputType: 'Csv', resourceGroup: 'rg-c', storageAccountName: 'dstacct', subscriptionId: SUB },
    };
    const answer: DataSetMapping = { ...mapping, properties: { ...mapping.properties, dataSetMappingStatus: 'Ok', provisioningState: 'Succeeded' } } as DataSetMapping;
    h.http.enqueue({ status: 200, body: answer });
    const got = await client.dataSetMappings.createOrUpdate({ ...ss, dataSetMappingName: 'm1' }, { ...answer });
    assert.deepStrictEqual(h.http.requests[1]!.body, {
      kind: 'Blob',
      properties: { dataSetId: 'guid-1', containerName: 'landing', filePath: 'sales.csv', outputType: 'Csv', resourceGroup: 'rg-c', storageAccountName: 'dstacct', subscriptionId: SUB },
    });
    assert.ok(got.kind === 'Blob' && got.properties.dataSetMappingStatus === 'Ok');
  });

  it('accounts default to a system-assigned identity and drop read-only identity fields', async () => {
    const h = harness();
    const client = new DataShareClient(h.credential, { ...h.settings, endpoint: ARM });
    await client.accounts.createOrUpdateAndWait(acct, { location: 'westeurope' });
    await client.accounts.createOrUpdateAndWait(acct, { location: 'westeurope', identity: { type: 'SystemAssigned', principalId: 'x', tenantId: 'y' } as never });
    assert.deepStrictEqual(h.http.requests[0]!.body, { location: 'westeurope', identity: { type: 'SystemAssigned' } });
    assert.deepStrictEqual(h.http.requests[1]!.body, { location: 'westeurope', identity: { type: 'SystemAssigned' } });
  });

  it('parses Data Share resource ids case-insensitively', () => {
    const id = `/subscriptions/${SUB}/resourcegroups/rg/providers/microsoft.datashare/accounts/a1/sharesubscriptions/ss1/datasetmappings/m1`;
    assert.deepStrictEqual(parseDataShareId(id), {
      account: { subscriptionId: SUB, resourceGroupName: 'rg', accountName: 'a1' },
      shareSubscriptionName: 'ss1',
      child: { type: 'datasetmappings', name: 'm1' },
    });
    assert.strictEqual(parseDataShareId('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/s'), undefined);
  });
});
