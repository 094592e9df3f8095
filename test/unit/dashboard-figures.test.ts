import * as assert from 'node:assert/strict';
import type { AzureClients } from '../../src/azure/factory';
import { computeFigures, gatherDashboard, isOverdue, startDashboard, type DashboardData, type DashboardTenantAccess, type Table } from '../../src/workflows/dashboard';

/**
 * Crafted Data Share, ARM and Purview answers for two connected tenants, gathered through the
 * dashboard's gatherer with fake clients, and the figures checked against values worked out by hand:
 *
 *  Contoso (provider): share `sales` (container contosodata/sales, daily) to Fabrikam and Northwind,
 *    four runs over two pages; share `finance` (blob contosodata/fin/q4.csv, hourly) to Northwind,
 *    one run at 08:00 (overdue at 12:00). Purview: sales is EMAIL and has a snapshot process in its
 *    lineage; q4.csv is CREDIT_CARD and EMAIL with no lineage.
 *  Fabrikam (consumer): receives `sales` (its history is read provider side) and `wg` from Woodgrove
 *    (not connected: triggers and runs read consumer side, last success two days ago: overdue).
 */
const NOW = new Date('2026-12-10T12:00:00Z');
const P = 'c0a70000-0000-4000-8000-000000000001';
const C = 'fab00000-0000-4000-8000-000000000002';
const S1 = '11111111-0000-4000-8000-000000000001';
const S2 = '22222222-0000-4000-8000-000000000002';
const acc1 = `/subscriptions/${S1}/resourceGroups/rg1/providers/Microsoft.DataShare/accounts/acc1`;
const acc2 = `/subscriptions/${S2}/resourceGroups/rg2/providers/Microsoft.DataShare/accounts/acc2`;

type Page<T> = T[] & { continuationToken?: string };
function paged<T>(pages: T[][]) {
  return {
    byPage: async function* () {
      for (let i = 0; i < pages.length; i++) {
        const p = [...pages[i]] as Page<T>;
        if (i < pages.length - 1) p.continuationToken = `page${i + 1}`;
        yield p;
      }
    },
  };
}

const calls: string[] = [];
function rec<T>(key: string, pages: T[][]) {
  const it = paged(pages);
  // A call is one page actually fetched (the iterator's final `done` fetches nothing).
  return { byPage: () => { const g = it.byPage(); let first = true; return { next: async () => { const r = await g.next(); if (!r.done) calls.push(first ? key : `${key} (next page)`); first = false; return r; }, [Symbol.asyncIterator]() { return this; } }; } };
}

const run = (id: string, start: string, status: string, consumerTenantName: string) => ({ synchronizationId: id, startTime: start, endTime: start, status, synchronizationMode: 'Incremental', consumerName: `${consumerTenantName}-sp`, consumerTenantName, durationMs: 1000 });
const DETAILS: Record<string, [number, number]> = { r1: [3, 300], r2: [0, 0], r3: [2, 200], r4: [5, 500], r5: [1, 100], r6: [4, 4000] };
const orderbys: string[] = [];

function contosoClients(): AzureClients {
  return {
    dataShare: {
      accounts: { listBySubscription: (s: string) => rec(`accounts ${s}`, [[{ id: acc1, name: 'acc1' }]]) },
      shares: {
        listByAccount: () => rec('shares acc1', [[{ id: `${acc1}/shares/sales`, name: 'sales' }, { id: `${acc1}/shares/finance`, name: 'finance' }]]),
        listSynchronizations: (ref: { shareName: string }, o: { orderby?: string }) => {
          orderbys.push(String(o.orderby));
          return ref.shareName === 'sales'
            ? rec('syncs sales', [[run('r2', '2026-12-10T02:05:00Z', 'Failed', 'Northwind'), run('r1', '2026-12-10T02:00:00Z', 'Succeeded', 'Fabrikam')], [run('r4', '2026-12-09T02:05:00Z', 'Succeeded', 'Northwind'), run('r3', '2026-12-09T02:00:00Z', 'Succeeded', 'Fabrikam')]])
            : rec('syncs finance', [[run('r5', '2026-12-10T08:00:00Z', 'Succeeded', 'Northwind')]]);
        },
        listSynchronizationDetails: (_ref: unknown, s: { synchronizationId: string }) => rec(`details ${s.synchronizationId}`, [[{ filesWritten: DETAILS[s.synchronizationId][0], sizeWritten: DETAILS[s.synchronizationId][1] }]]),
      },
      dataSets: {
        listByShare: (ref: { shareName: string }) => rec(`datasets ${ref.shareName}`, [[ref.shareName === 'sales'
          ? { kind: 'Container', name: 'sales-ds', properties: { dataSetId: 'd1', containerName: 'sales', storageAccountName: 'contosodata' } }
          : { kind: 'Blob', name: 'q4', properties: { dataSetId: 'd2', containerName: 'fin', filePath: 'q4.csv', storageAccountName: 'contosodata' } }]]),
      },
      synchronizationSettings: { listByShare: (ref: { shareName: string }) => rec(`settings ${ref.shareName}`, [[{ kind: 'ScheduleBased', properties: { recurrenceInterval: ref.shareName === 'sales' ? 'Day' : 'Hour', synchronizationTime: '2026-01-01T02:00:00Z' } }]]) },
      providerShareSubscriptions: {
        listByShare: (ref: { shareName: string }) => rec(`psubs ${ref.shareName}`, [ref.shareName === 'sales'
          ? [{ properties: { consumerName: 'ben', consumerEmail: 'ben@fabrikam', consumerTenantName: 'Fabrikam', shareSubscriptionStatus: 'Active', sharedAt: '2026-01-02T00:00:00Z' } }, { properties: { consumerName: 'nw-sp', consumerEmail: '', consumerTenantName: 'Northwind', shareSubscriptionStatus: 'Active' } }]
          : [{ properties: { consumerName: 'nw-sp', consumerEmail: '', consumerTenantName: 'Northwind', shareSubscriptionStatus: 'Active' } }]]),
      },
      shareSubscriptions: { listByAccount: () => rec('received acc1', [[]]) },
    },
    storage: () => ({ accounts: { list: () => rec(`storage ${S1}`, [[{ id: `/subscriptions/${S1}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/contosodata`, name: 'contosodata', encryption: { keySource: 'Microsoft.Storage' } }]]) } }),
    purview: () => ({ accounts: { list: () => rec(`purview ${S1}`, [[{ name: 'pv1' }]]) } }),
    purviewDataPlane: () => ({
      dataMap: {
        entities: {
          listByUniqueAttributes: async (typeName: string, qns: string[]) => {
            calls.push(`purview entities ${typeName}`);
            const all = [
              // sales feeds a cross-tenant snapshot process; q4.csv only a deleted one and an ordinary process.
              { guid: 'g1', typeName: 'azure_blob_container', attributes: { qualifiedName: 'https://contosodata.blob.core.windows.net/sales' }, classifications: [{ typeName: 'MICROSOFT.PERSONAL.EMAIL' }],
                relationshipAttributes: { inputToProcesses: [{ guid: 'p1', typeName: 'azure_datashare_snapshot', entityStatus: 'ACTIVE' }], outputFromProcesses: [] } },
              { guid: 'g2', typeName: 'azure_blob_path', attributes: { qualifiedName: 'https://contosodata.blob.core.windows.net/fin/q4.csv' }, classifications: [{ typeName: 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER' }, { typeName: 'MICROSOFT.PERSONAL.EMAIL' }],
                relationshipAttributes: { inputToProcesses: [{ guid: 'p2', typeName: 'azure_datashare_snapshot', entityStatus: 'DELETED' }, { guid: 'p3', typeName: 'Process', entityStatus: 'ACTIVE' }] } },
            ];
            return { entities: all.filter((e) => e.typeName === typeName && qns.includes(e.attributes.qualifiedName)) };
          },
        },
      },
    }),
  } as unknown as AzureClients;
}

function fabrikamClients(): AzureClients {
  const ss = (name: string, shareName: string, providerTenantName: string) => ({ id: `${acc2}/shareSubscriptions/${name}`, name, properties: { shareName, providerTenantName, providerName: 'x', shareSubscriptionStatus: 'Active' } });
  return {
    dataShare: {
      accounts: { listBySubscription: (s: string) => rec(`accounts ${s}`, [[{ id: acc2, name: 'acc2' }]]) },
      shares: { listByAccount: () => rec('shares acc2', [[]]) },
      shareSubscriptions: {
        listByAccount: () => rec('received acc2', [[ss('sales-sub', 'sales', 'Contoso'), ss('ext-sub', 'wg', 'Woodgrove')]]),
        listSynchronizations: (ref: { shareSubscriptionName: string }, o: { orderby?: string }) => { orderbys.push(String(o.orderby)); return rec(`syncs ${ref.shareSubscriptionName}`, [[{ synchronizationId: 'r6', startTime: '2026-12-08T06:00:00Z', status: 'Succeeded', synchronizationMode: 'FullSync' }]]); },
        listSynchronizationDetails: (_ref: unknown, s: { synchronizationId: string }) => rec(`details ${s.synchronizationId}`, [[{ filesWritten: DETAILS[s.synchronizationId][0], sizeWritten: DETAILS[s.synchronizationId][1] }]]),
      },
      triggers: { listByShareSubscription: (ref: { shareSubscriptionName: string }) => rec(`triggers ${ref.shareSubscriptionName}`, [[{ kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: '2026-01-01T06:00:00Z' } }]]) },
    },
    storage: () => ({ accounts: { list: () => rec(`storage ${S2}`, [[{ id: `/subscriptions/${S2}/resourceGroups/rg2/providers/Microsoft.Storage/storageAccounts/fabin`, name: 'fabin', encryption: { keySource: 'Microsoft.Keyvault', keyVaultProperties: { keyVaultUri: 'https://fabkv.vault.azure.net/', keyName: 'k1', keyVersion: '' } } }]]) } }),
    purview: () => ({ accounts: { list: () => rec(`purview ${S2}`, [[]]) } }),
  } as unknown as AzureClients;
}

const TENANTS: DashboardTenantAccess[] = [
  { tenant: { tenantId: P, displayName: 'Contoso' }, subscriptionIds: [S1], clients: async () => contosoClients() },
  { tenant: { tenantId: C, displayName: 'Fabrikam' }, subscriptionIds: [S2], clients: async () => fabrikamClients() },
];

function rows(t: Table | undefined, ...cols: string[]): unknown[][] {
  assert.ok(t);
  const idx = cols.map((c) => t.columns.findIndex((x) => x.name === c));
  idx.forEach((i, n) => assert.ok(i >= 0, `column ${cols[n]} in ${t.name}`));
  return t.rows.map((r) => idx.map((i) => r[i]));
}

describe('dashboard figures from crafted Data Share and Purview answers', () => {
  let data: DashboardData;
  before(async () => {
    calls.length = 0;
    data = await gatherDashboard(TENANTS, { details: 'all', now: () => NOW });
  });

  it('reads each list once, pages through the history newest first and counts the calls and the deepest chain', () => {
    assert.deepEqual(data.warnings, []);
    const dupes = calls.filter((c, i) => calls.indexOf(c) !== i);
    assert.deepEqual(dupes, [], 'no call made twice');
    assert.ok(calls.includes('syncs sales (next page)'), 'the second page of the share history was read');
    assert.ok(!calls.includes('syncs sales-sub'), 'a received share from a connected provider is not listed again consumer side');
    assert.ok(calls.includes('syncs ext-sub') && calls.includes('triggers ext-sub'), 'a received share from an outside provider is read consumer side');
    assert.ok(orderbys.length === 3 && orderbys.every((o) => o === 'startTime desc'));
    // 3+2+5+4+5 (Contoso: lists, sales, finance, details) + 3+2+2+1 (Fabrikam) = 27; Purview: 2 lookups
    // (lineage comes from the entities' relationship attributes, no call per asset).
    assert.equal(data.stats.armCalls, 27);
    assert.equal(data.stats.purviewCalls, 2);
    // accounts -> shares -> history page 1 -> page 2 -> details
    assert.equal(data.stats.chainDepth, 5);
    assert.equal(data.stats.detailsRead, 6);
    assert.equal(data.received.find((r) => r.name === 'sales-sub')?.providerShareId, `${acc1}/shares/sales`);
  });

  it('summary: success rate, files, bytes, overdue, classified assets, lineage coverage, CMK', () => {
    const f = computeFigures(data, {}, NOW);
    const s = f.summary;
    assert.equal(s.shares, 2);
    assert.equal(s.received, 2);
    assert.equal(s.snapshots, 6);
    assert.equal(s.succeeded, 5);
    assert.equal(s.failed, 1);
    assert.equal(s.successRate, 0.8333);
    assert.equal(s.filesWritten, 15);
    assert.equal(s.bytesWritten, 5100);
    assert.equal(s.overdue, 2);
    assert.equal(s.sharedAssets, 2);
    assert.equal(s.classifiedAssetsShared, 2);
    assert.equal(s.lineageLinked, 1);
    assert.equal(s.lineageCoverage, 0.5);
    assert.equal(s.storageAccounts, 2);
    assert.equal(s.cmkAccounts, 1);
    assert.equal(s.qualityPassRate, null, 'no quality results: no data');
    assert.equal(s.approvalLeadTimeHours, null, 'no approvals: no data');
  });

  it('shares per consumer tenant and per consumer', () => {
    const f = computeFigures(data, {}, NOW);
    assert.deepEqual(rows(f.tables.find((t) => t.name === 'shares_by_consumer_tenant'), 'consumer_tenant', 'shares', 'consumers'), [['Northwind', 2, 1], ['Fabrikam', 1, 1]]);
    assert.deepEqual(rows(f.tables.find((t) => t.name === 'shares_by_consumer'), 'consumer', 'shares'), [['nw-sp', 2], ['ben', 1]]);
    assert.equal(f.tables.find((t) => t.name === 'share_consumers')?.rows.length, 3);
  });

  it('snapshots per day on both sides: a run of a connected consumer counts for its tenant too', () => {
    const f = computeFigures(data, {}, NOW);
    const daily = rows(f.tables.find((t) => t.name === 'snapshots_daily'), 'date', 'side', 'tenant', 'snapshots', 'succeeded', 'failed', 'success_rate', 'files_written', 'bytes_written');
    assert.deepEqual(daily, [
      ['2026-12-08', 'consumer', 'Fabrikam', 1, 1, 0, 1, 4, 4000],
      ['2026-12-09', 'consumer', 'Fabrikam', 1, 1, 0, 1, 2, 200],
      ['2026-12-09', 'provider', 'Contoso', 2, 2, 0, 1, 7, 700],
      ['2026-12-10', 'consumer', 'Fabrikam', 1, 1, 0, 1, 3, 300],
      ['2026-12-10', 'provider', 'Contoso', 3, 2, 1, 0.6667, 4, 400],
    ]);
  });

  it('time since the last success, overdue against the schedule', () => {
    const f = computeFigures(data, {}, NOW);
    const last = rows(f.tables.find((t) => t.name === 'last_snapshot'), 'side', 'share', 'last_status', 'hours_since_success', 'overdue');
    assert.deepEqual(last, [
      ['consumer', 'ext-sub', 'Succeeded', 54, true],
      ['provider', 'finance', 'Succeeded', 4, true],
      ['provider', 'sales', 'Failed', 10, false],
      ['consumer', 'sales-sub', 'Succeeded', 10, false],
    ]);
    assert.equal(isOverdue('2026-12-10T10:30:00Z', { recurrenceInterval: 'Hour', synchronizationTime: '2026-01-01T00:00:00Z' }, NOW), false);
    assert.equal(isOverdue(undefined, undefined, NOW), null);
  });

  it('classified assets that left the tenant, and lineage coverage', () => {
    const f = computeFigures(data, {}, NOW);
    assert.deepEqual(rows(f.tables.find((t) => t.name === 'classified_assets_shared'), 'classification', 'assets', 'consumer_tenants'), [
      ['MICROSOFT.PERSONAL.EMAIL', 2, 2],
      ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER', 1, 1],
    ]);
    assert.deepEqual(rows(f.tables.find((t) => t.name === 'lineage_coverage'), 'tenant', 'shared_assets', 'in_catalog', 'linked', 'coverage'), [['Contoso', 2, 2, 1, 0.5]]);
    assert.deepEqual(rows(f.tables.find((t) => t.name === 'storage_encryption'), 'account', 'key_source', 'cmk', 'key_name'), [['contosodata', 'Microsoft.Storage', false, null], ['fabin', 'Microsoft.Keyvault', true, 'k1']]);
  });

  it('filters by tenant, share and time range', () => {
    const byShare = computeFigures(data, { shareIds: [`${acc1}/shares/finance`] }, NOW).summary;
    assert.deepEqual([byShare.snapshots, byShare.succeeded, byShare.filesWritten, byShare.sharedAssets], [1, 1, 1, 1]);
    const fabrikam = computeFigures(data, { tenantIds: [C] }, NOW);
    // Fabrikam sees r1 and r3 (its runs of Contoso's sales) and r6 (ext-sub).
    assert.equal(fabrikam.summary.snapshots, 3);
    assert.equal(fabrikam.summary.received, 2);
    assert.deepEqual(rows(fabrikam.tables.find((t) => t.name === 'storage_encryption'), 'account'), [['fabin']]);
    const lastDay = computeFigures(data, { from: '2026-12-10T00:00:00Z' }, NOW).summary;
    assert.deepEqual([lastDay.snapshots, lastDay.succeeded, lastDay.failed, lastDay.bytesWritten], [3, 2, 1, 400]);
  });

  it('with a small read budget, details beyond it are pending and filled later without listing again', async () => {
    calls.length = 0;
    // Contoso's bucket: 15 tokens, 14 for its lists, so one detail now (the newest, r5) and the
    // others pending (a token or so may refill while gathering on a slow machine).
    const session = await startDashboard(TENANTS, { details: 'budget', readBudget: { burst: 15, perSecond: 20 }, now: () => NOW });
    const pending = session.data.stats.detailsPending;
    assert.equal(session.data.stats.detailsRead + pending, 6);
    assert.ok(pending >= 3 && pending <= 4, `pending ${pending}`);
    assert.equal(session.data.synchronizations.find((r) => r.synchronizationId === 'r5')?.filesWritten, 1, 'the newest first');
    const listed = calls.length;
    await session.fillPending({});
    assert.equal(session.data.stats.detailsPending, 0);
    assert.equal(calls.length - listed, pending, 'only the pending details were read');
    assert.ok(calls.slice(listed).every((c) => c.startsWith('details ')));
    assert.equal(computeFigures(session.data, {}, NOW).summary.bytesWritten, 5100);
  });
});
