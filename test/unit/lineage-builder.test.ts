import * as assert from 'node:assert/strict';
import type { AtlasEntityHeader, AtlasLineageInfo } from '../../src/azure/purview/datamapModels';
import { buildLineageGraph, diffGraphs, type CatalogLineage, type DataShareFacts, type SubscriptionFact } from '../../src/lineage/builder';
import type { LineageGraph } from '../../src/lineage/model';
import { blobQualifiedName, SNAPSHOT_PROCESS_TYPE, snapshotProcessQualifiedName } from '../../src/lineage/snapshotProcess';

/**
 * Crafted Atlas lineage, as the two tenants' Purview accounts return it for one Data Share
 * snapshot (Contoso shares sales/orders.csv; Fabrikam receives it into received/orders.csv):
 *
 *   Contoso:  raw.csv -> etl -> orders.csv(P) -> snapshot -> orders.csv(C, stub)
 *   Fabrikam: orders.csv(P, stub) -> snapshot -> orders.csv(C) -> report-job -> report.csv
 */
const P = 'aaaa0000-0000-0000-0000-00000000000p';
const C = 'cccc0000-0000-0000-0000-00000000000c';
const TENANTS = [{ tenantId: P, displayName: 'Contoso' }, { tenantId: C, displayName: 'Fabrikam' }];
const PQN = blobQualifiedName('contosodata', 'sales', 'orders.csv');
const CQN = blobQualifiedName('fabrikamin', 'received', 'orders.csv');
const SNAP_ATTRS = {
  providerTenantId: P, consumerTenantId: C, providerAccountName: 'contoso-share', shareName: 'sales', consumerAccountName: 'fabrikam-share',
  shareSubscriptionName: 'sales-sub', dataSetName: 'orders', synchronizationId: 'sync-2', synchronizationMode: 'Incremental', synchronizationStatus: 'Succeeded', snapshotTime: '2026-12-01T10:00:00Z',
};
const SNAP_QN = snapshotProcessQualifiedName(SNAP_ATTRS);

function header(guid: string, typeName: string, qualifiedName: string, extra: Partial<AtlasEntityHeader> = {}): AtlasEntityHeader {
  return { guid, typeName, attributes: { qualifiedName, name: qualifiedName.split('/').pop() }, status: 'ACTIVE', ...extra };
}

function lineage(headers: AtlasEntityHeader[], relations: Array<[string, string]>, widthCounts?: AtlasLineageInfo['widthCounts']): AtlasLineageInfo {
  return { guidEntityMap: Object.fromEntries(headers.map((h) => [h.guid!, h])), relations: relations.map(([fromEntityId, toEntityId]) => ({ fromEntityId, toEntityId })), widthCounts };
}

function providerCatalog(): CatalogLineage {
  return {
    tenantId: P, account: 'contoso-purview',
    responses: [lineage([
      header('p-raw', 'azure_blob_path', blobQualifiedName('contosodata', 'landing', 'raw.csv')),
      header('p-etl', 'Process', 'adf://contoso/etl'),
      header('p-orders', 'azure_blob_path', PQN, { classificationNames: ['MICROSOFT.PERSONAL.EMAIL'], labels: ['DataQuality_Warn'], attributes: { qualifiedName: PQN, name: 'orders.csv', owner: 'ava@contoso.example' } }),
      header('p-snap', SNAPSHOT_PROCESS_TYPE, SNAP_QN),
      header('p-stub', 'azure_blob_path', CQN),
    ], [['p-raw', 'p-etl'], ['p-etl', 'p-orders'], ['p-orders', 'p-snap'], ['p-snap', 'p-stub']])],
    entities: { 'p-snap': { guid: 'p-snap', typeName: SNAPSHOT_PROCESS_TYPE, attributes: { qualifiedName: SNAP_QN, name: 'snapshot', ...SNAP_ATTRS } } },
  };
}

function consumerCatalog(): CatalogLineage {
  return {
    tenantId: C, account: 'fabrikam-purview',
    responses: [lineage([
      header('c-stub', 'azure_blob_path', PQN),
      header('c-snap', SNAPSHOT_PROCESS_TYPE, SNAP_QN),
      header('c-orders', 'azure_blob_path', CQN),
      header('c-job', 'Process', 'adf://fabrikam/report-job'),
      header('c-report', 'azure_blob_path', blobQualifiedName('fabrikamin', 'reports', 'report.csv')),
    ], [['c-stub', 'c-snap'], ['c-snap', 'c-orders'], ['c-orders', 'c-job'], ['c-job', 'c-report']])],
    entities: { 'c-snap': { guid: 'c-snap', typeName: SNAPSHOT_PROCESS_TYPE, attributes: { qualifiedName: SNAP_QN, name: 'snapshot', ...SNAP_ATTRS } } },
  };
}

const SUBSCRIPTION: SubscriptionFact = {
  tenantId: C, accountName: 'fabrikam-share', name: 'sales-sub', shareName: 'sales', providerTenantName: 'Contoso', status: 'Active',
  sourceDataSets: [{ dataSetId: 'ds-1', dataSetName: 'orders', dataSetPath: 'sales/orders.csv', dataSetType: 'Blob' }],
  mappings: [{ dataSetId: 'ds-1', kind: 'Blob', storageAccountName: 'fabrikamin', container: 'received', path: 'orders.csv', status: 'Ok' }],
  synchronizations: [
    { synchronizationId: 'sync-1', mode: 'FullSync', status: 'Succeeded', endTime: '2026-11-30T10:00:00Z' },
    { synchronizationId: 'sync-3', mode: 'Incremental', status: 'Failed', endTime: '2026-12-02T08:00:00Z' },
  ],
};
const FACTS: DataShareFacts = {
  shares: [{ tenantId: P, accountName: 'contoso-share', shareName: 'sales', dataSets: [{ dataSetId: 'ds-1', name: 'orders', kind: 'Blob', storageAccountName: 'contosodata', container: 'sales', path: 'orders.csv' }] }],
  subscriptions: [SUBSCRIPTION],
};

const byQn = (g: LineageGraph, qn: string) => g.nodes.find((n) => n.qualifiedName?.toLowerCase() === qn.toLowerCase());
const snapshotOf = (g: LineageGraph) => g.nodes.filter((n) => n.kind === 'snapshot');

describe('lineage graph builder', () => {
  it('joins both tenants\' catalogs into one graph: each asset once, in its own tenant, with the snapshot crossing between them', () => {
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog(), consumerCatalog()], facts: FACTS, roots: [PQN] });
    const orders = byQn(g, PQN)!;
    const received = byQn(g, CQN)!;
    assert.equal(orders.tenantId, P);
    assert.equal(received.tenantId, C);
    assert.equal(orders.inferred, undefined, 'read from its own tenant');
    assert.equal(received.inferred, undefined);
    assert.deepEqual(orders.classifications, ['MICROSOFT.PERSONAL.EMAIL']);
    assert.equal(orders.owner, 'ava@contoso.example');
    assert.equal(orders.quality, 'Warn', 'the data-quality label recorded by the gate');
    assert.equal(received.quality, undefined, 'no label, no outcome');
    assert.equal(orders.kind, 'file');
    assert.equal(g.nodes.filter((n) => n.qualifiedName?.toLowerCase() === PQN.toLowerCase()).length, 1);
    assert.equal(snapshotOf(g).length, 1, 'the process recorded in both catalogs is one node');
    assert.deepEqual(orders.refs.map((r) => r.tenantId).sort(), [P, C].sort(), 'both catalogs\' entities are kept for expand');
    assert.deepEqual(g.rootIds, [orders.id]);
    assert.deepEqual(g.tenants.map((t) => [t.displayName, t.role]), [['Contoso', 'provider'], ['Fabrikam', 'consumer']]);
    // Both sides' own lineage is there.
    assert.ok(g.nodes.some((n) => n.label === 'raw.csv' && n.tenantId === P));
    assert.ok(g.nodes.some((n) => n.label === 'report.csv' && n.tenantId === C));
    assert.ok(g.nodes.some((n) => n.kind === 'share' && n.label === 'sales' && n.tenantId === P && !n.inferred));
  });

  it('puts the share, subscription and last snapshot (time, mode, status) on the edge that crosses tenants', () => {
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog(), consumerCatalog()], facts: FACTS });
    const cross = g.edges.filter((e) => e.crossTenant);
    assert.equal(cross.length, 1, JSON.stringify(cross));
    const [edge] = cross;
    assert.equal(edge.from, byQn(g, PQN)!.id);
    assert.equal(g.nodes.find((n) => n.id === edge.to)!.kind, 'snapshot');
    assert.equal(edge.kind, 'snapshot');
    assert.deepEqual(edge.share, { name: 'sales', account: 'contoso-share', tenantId: P });
    assert.equal(edge.subscription?.name, 'sales-sub');
    assert.equal(edge.subscription?.tenantId, C);
    // The Data Share facts know a later synchronization than the process records: the newest wins.
    assert.deepEqual(edge.lastSnapshot, { time: '2026-12-02T08:00:00Z', mode: 'Incremental', status: 'Failed', synchronizationId: 'sync-3' });
    assert.equal(edge.inferred, undefined, 'seen in a catalog');
    // Without the facts, the process's own attributes describe the snapshot.
    const g2 = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog(), consumerCatalog()] });
    assert.deepEqual(g2.edges.find((e) => e.crossTenant)?.lastSnapshot, { time: '2026-12-01T10:00:00Z', mode: 'Incremental', status: 'Succeeded', synchronizationId: 'sync-2' });
  });

  it('with only the consumer\'s catalog, shows the provider\'s side from the stub and the facts, marked inferred', () => {
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [consumerCatalog()], facts: { shares: [], subscriptions: [SUBSCRIPTION] } });
    const orders = byQn(g, PQN)!;
    assert.equal(orders.tenantId, P, 'the snapshot says whose asset its input is');
    assert.equal(orders.inferred, true);
    assert.equal(byQn(g, CQN)!.inferred, undefined);
    const share = g.nodes.find((n) => n.kind === 'share')!;
    assert.equal(share.tenantId, P);
    assert.equal(share.inferred, true);
    assert.equal(g.edges.filter((e) => e.crossTenant).length, 1);
  });

  it('with no catalog at all, infers the provider\'s data set and the snapshot from the Data Share facts', () => {
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [], facts: { shares: [], subscriptions: [SUBSCRIPTION] }, roots: [CQN] });
    const source = g.nodes.find((n) => n.tenantId === P && n.kind !== 'share')!;
    assert.equal(source.label, 'orders.csv');
    assert.equal(source.inferred, true);
    const snap = snapshotOf(g)[0];
    assert.equal(snap.inferred, true);
    assert.equal(snap.tenantId, C);
    const cross = g.edges.find((e) => e.crossTenant)!;
    assert.equal(cross.from, source.id);
    assert.equal(cross.inferred, true);
    assert.equal(cross.lastSnapshot?.status, 'Failed');
    assert.equal(byQn(g, CQN)!.tenantId, C);
  });

  it('with only the provider\'s catalog, the consumer\'s asset comes from the stub, in the consumer\'s tenant, inferred', () => {
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog()], facts: { shares: FACTS.shares, subscriptions: [] } });
    const received = byQn(g, CQN)!;
    assert.equal(received.tenantId, C);
    assert.equal(received.inferred, true);
    assert.equal(byQn(g, PQN)!.inferred, undefined);
    assert.equal(g.edges.filter((e) => e.crossTenant).length, 1);
  });

  it('adds Data Share facts only where they touch the graph asked for (never a share or snapshot elsewhere in the estate)', () => {
    const other: SubscriptionFact = { ...SUBSCRIPTION, name: 'other-sub', mappings: [{ ...SUBSCRIPTION.mappings[0], container: 'elsewhere' }] };
    const unrelated = buildLineageGraph({ tenants: TENANTS, catalogs: [], facts: { shares: FACTS.shares, subscriptions: [other] }, roots: [blobQualifiedName('contosodata', 'landing', 'raw.csv')] });
    assert.equal(unrelated.nodes.length, 0);
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog()], facts: { shares: FACTS.shares, subscriptions: [SUBSCRIPTION, other] } });
    assert.ok(!g.nodes.some((n) => n.subscription?.name === 'other-sub'), 'a subscription whose snapshot is not in the graph adds nothing');
    assert.ok(g.nodes.some((n) => n.kind === 'share'), 'the share of a data set in the graph is shown');
  });

  it('keeps cycles as they are (each edge once) and terminates', () => {
    const cat: CatalogLineage = {
      tenantId: P, account: 'pv', responses: [lineage([
        header('a', 'azure_blob_path', blobQualifiedName('contosodata', 'x', 'a.csv')), header('p', 'Process', 'proc://p'),
        header('b', 'azure_blob_path', blobQualifiedName('contosodata', 'x', 'b.csv')), header('q', 'Process', 'proc://q'),
      ], [['a', 'p'], ['p', 'b'], ['b', 'q'], ['q', 'a'], ['a', 'p']])],
    };
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [cat, cat] });
    assert.equal(g.nodes.length, 4);
    assert.equal(g.edges.length, 4);
  });

  it('leaves out deleted entities and their edges, or marks them when asked; a node active in another catalog stays', () => {
    const prov = providerCatalog();
    prov.responses[0].guidEntityMap!['p-etl'].status = 'DELETED';
    prov.responses[0].guidEntityMap!['p-stub'].status = 'DELETED';
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [prov, consumerCatalog()] });
    assert.ok(!g.nodes.some((n) => n.qualifiedName === 'adf://contoso/etl'));
    assert.ok(!g.edges.some((e) => e.from.includes('etl') || e.to.includes('etl')));
    assert.ok(byQn(g, CQN), 'the consumer\'s own entity is active');
    const kept = buildLineageGraph({ tenants: TENANTS, catalogs: [prov, consumerCatalog()], includeDeleted: true });
    assert.equal(kept.nodes.find((n) => n.qualifiedName === 'adf://contoso/etl')?.deleted, true);
    assert.equal(byQn(kept, CQN)?.deleted, undefined);
  });

  it('merges duplicates: the same response twice, the same relation twice, qualifiedNames differing in case', () => {
    const prov = providerCatalog();
    prov.responses.push(JSON.parse(JSON.stringify(prov.responses[0])) as AtlasLineageInfo);
    prov.responses[0].relations!.push({ fromEntityId: 'p-raw', toEntityId: 'p-etl' });
    const cons = consumerCatalog();
    cons.responses[0].guidEntityMap!['c-stub'].attributes!.qualifiedName = PQN.toUpperCase().replace('HTTPS://', 'https://');
    const once = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog(), consumerCatalog()], facts: FACTS });
    const twice = buildLineageGraph({ tenants: TENANTS, catalogs: [prov, cons], facts: FACTS });
    assert.equal(twice.nodes.length, once.nodes.length);
    assert.equal(twice.edges.length, once.edges.length);
    assert.equal(new Set(twice.edges.map((e) => e.id)).size, twice.edges.length);
  });

  it('marks nodes whose neighbours are not loaded yet (widthCounts beyond the edges shown)', () => {
    const cat: CatalogLineage = {
      tenantId: P, account: 'pv', responses: [lineage([header('a', 'azure_blob_path', blobQualifiedName('contosodata', 'x', 'a.csv')), header('p', 'Process', 'proc://p')], [['a', 'p']], {
        INPUT: { a: 2, p: 1 }, OUTPUT: { a: 1, p: 3 },
      })],
    };
    const g = buildLineageGraph({ tenants: TENANTS, catalogs: [cat] });
    const a = g.nodes.find((n) => n.label === 'a.csv')!;
    const p = g.nodes.find((n) => n.kind === 'process')!;
    assert.equal(a.moreUpstream, true);
    assert.equal(a.moreDownstream, undefined);
    assert.equal(p.moreDownstream, true);
    assert.equal(p.moreUpstream, undefined);
  });

  it('diffs two graphs into what was added, updated and removed', () => {
    const before = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog()] });
    const after = buildLineageGraph({ tenants: TENANTS, catalogs: [providerCatalog(), consumerCatalog()] });
    const d = diffGraphs(before, after);
    assert.ok(d.added.some((n) => n.label === 'report.csv'));
    assert.ok(d.updated.some((n) => n.qualifiedName === CQN), 'the stub became the real entity');
    assert.equal(d.removed.length, 0);
    assert.ok(d.addedEdges.length > 0);
  });
});
