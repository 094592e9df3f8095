import * as assert from 'node:assert/strict';
import type { AzureClients } from '../../src/azure/factory';
import { computeFigures, gatherDashboard, startDashboard, type DashboardTenantAccess, type Table } from '../../src/workflows/dashboard';

/**
 * The dashboard's first view bounded to recent history (`historySince`), with crafted Data Share
 * answers paged three runs a page, newest first, as the service pages them (continuation tokens):
 *
 *  Contoso sends `daily` (a run every day at 02:00 for 30 days, all succeeded; Northwind's runs,
 *  except day 8 which is Fabrikam's) and `stalled` (failed for the last 12 days, succeeded before).
 *  Fabrikam (connected) receives `daily`: its history is read provider side.
 *
 * First view from NOW - 5 days: `daily` pages 1-2 reach the range start, but Fabrikam's last success
 * (day 8) is on page 3, so page 3 is read too; `stalled` has no success in range: pages 1-5 (day 12
 * is on page 5). Every figure over time covers the range only; the last success of every share is
 * right; the background fill reads the rest once and ends with the same figures as a full gather.
 */
const NOW = new Date('2026-12-10T12:00:00Z');
const SINCE = new Date(NOW.getTime() - 5 * 86_400_000).toISOString();
const P = 'c0a70000-0000-4000-8000-000000000001';
const C = 'fab00000-0000-4000-8000-000000000002';
const S1 = '11111111-0000-4000-8000-000000000001';
const S2 = '22222222-0000-4000-8000-000000000002';
const acc1 = `/subscriptions/${S1}/resourceGroups/rg1/providers/Microsoft.DataShare/accounts/acc1`;
const acc2 = `/subscriptions/${S2}/resourceGroups/rg2/providers/Microsoft.DataShare/accounts/acc2`;
const DAYS = 30;

type Page<T> = T[] & { continuationToken?: string };
const calls: string[] = [];

/** A listing of `items` in pages of `size`; byPage resumes at a continuation token (`<key>#<page>`). */
function listing<T>(key: string, items: T[], size = 3) {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  if (!pages.length) pages.push([]);
  return {
    byPage: (settings?: { continuationToken?: string }) => {
      let i = settings?.continuationToken ? Number(settings.continuationToken.split('#')[1]) : 0;
      return {
        next: async (): Promise<IteratorResult<Page<T>>> => {
          if (i >= pages.length) return { done: true, value: undefined };
          calls.push(`${key} page ${i + 1}`);
          const p = [...pages[i]] as Page<T>;
          i++;
          if (i < pages.length) p.continuationToken = `${key}#${i}`;
          return { done: false, value: p };
        },
        [Symbol.asyncIterator]() { return this; },
      };
    },
  };
}

const day = (n: number, hour = 2) => new Date(Date.UTC(2026, 11, 10 - n, hour)).toISOString();
const run = (id: string, start: string, status: string, consumerTenantName: string) => ({ synchronizationId: id, startTime: start, endTime: start, status, synchronizationMode: 'Incremental', consumerName: `${consumerTenantName}-sp`, consumerTenantName, durationMs: 1000 });
const HISTORY: Record<string, ReturnType<typeof run>[]> = {
  daily: Array.from({ length: DAYS }, (_, n) => run(`d${n}`, day(n), 'Succeeded', n === 8 ? 'Fabrikam' : 'Northwind')),
  stalled: Array.from({ length: DAYS }, (_, n) => run(`s${n}`, day(n, 3), n < 12 ? 'Failed' : 'Succeeded', 'Northwind')),
};

function contoso(): AzureClients {
  return {
    dataShare: {
      accounts: { listBySubscription: () => listing('accounts acc1', [{ id: acc1, name: 'acc1' }]) },
      shares: {
        listByAccount: () => listing('shares acc1', [{ id: `${acc1}/shares/daily`, name: 'daily' }, { id: `${acc1}/shares/stalled`, name: 'stalled' }]),
        listSynchronizations: (ref: { shareName: string }, o: { orderby?: string }) => {
          assert.equal(o.orderby, 'startTime desc');
          return listing(`syncs ${ref.shareName}`, HISTORY[ref.shareName]);
        },
        listSynchronizationDetails: (_ref: unknown, s: { synchronizationId: string }) => listing(`details ${s.synchronizationId}`, [{ filesWritten: 1, sizeWritten: 10 }]),
      },
      dataSets: { listByShare: (ref: { shareName: string }) => listing(`datasets ${ref.shareName}`, []) },
      synchronizationSettings: { listByShare: (ref: { shareName: string }) => listing(`settings ${ref.shareName}`, [{ kind: 'ScheduleBased', properties: { recurrenceInterval: 'Day', synchronizationTime: '2026-01-01T02:00:00Z' } }]) },
      providerShareSubscriptions: {
        listByShare: (ref: { shareName: string }) => listing(`psubs ${ref.shareName}`, [
          { properties: { consumerName: 'Northwind-sp', consumerEmail: '', consumerTenantName: 'Northwind', shareSubscriptionStatus: 'Active' } },
          ...(ref.shareName === 'daily' ? [{ properties: { consumerName: 'Fabrikam-sp', consumerEmail: '', consumerTenantName: 'Fabrikam', shareSubscriptionStatus: 'Active' } }] : []),
        ]),
      },
      shareSubscriptions: { listByAccount: () => listing('received acc1', []) },
    },
    storage: () => ({ accounts: { list: () => listing('storage S1', []) } }),
    purview: () => ({ accounts: { list: () => listing('purview S1', []) } }),
  } as unknown as AzureClients;
}

function fabrikam(): AzureClients {
  return {
    dataShare: {
      accounts: { listBySubscription: () => listing('accounts acc2', [{ id: acc2, name: 'acc2' }]) },
      shares: { listByAccount: () => listing('shares acc2', []) },
      shareSubscriptions: {
        listByAccount: () => listing('received acc2', [{ id: `${acc2}/shareSubscriptions/daily-sub`, name: 'daily-sub', properties: { shareName: 'daily', providerTenantName: 'Contoso', providerName: 'x', shareSubscriptionStatus: 'Active' } }]),
        listSynchronizations: () => listing('syncs daily-sub', []),
      },
    },
    storage: () => ({ accounts: { list: () => listing('storage S2', []) } }),
    purview: () => ({ accounts: { list: () => listing('purview S2', []) } }),
  } as unknown as AzureClients;
}

const TENANTS: DashboardTenantAccess[] = [
  { tenant: { tenantId: P, displayName: 'Contoso' }, subscriptionIds: [S1], clients: async () => contoso() },
  { tenant: { tenantId: C, displayName: 'Fabrikam' }, subscriptionIds: [S2], clients: async () => fabrikam() },
];

function rows(t: Table | undefined, ...cols: string[]): unknown[][] {
  assert.ok(t);
  const idx = cols.map((c) => t.columns.findIndex((x) => x.name === c));
  return t.rows.map((r) => idx.map((i) => r[i]));
}
const table = (f: ReturnType<typeof computeFigures>, name: string) => f.tables.find((t) => t.name === name);
const pagesRead = (key: string) => calls.filter((c) => c.startsWith(`${key} page `)).length;

describe('dashboard first view bounded to recent history', () => {
  it('lists history down to the range start (further only for a last success), figures cover the range, the background fill completes it', async () => {
    calls.length = 0;
    const session = await startDashboard(TENANTS, { details: 'budget', historySince: SINCE, now: () => NOW });
    const data = session.data;
    assert.deepEqual(data.warnings, []);
    assert.equal(pagesRead('syncs daily'), 3, 'pages 1-2 reach the range start; page 3 holds Fabrikam\'s last success');
    assert.equal(pagesRead('syncs stalled'), 5, 'no success in range: read on to the page with the last success (day 12)');
    assert.equal(data.historyFrom, SINCE);
    assert.equal(data.stats.historyPending, 2);

    const first = computeFigures(data, {}, NOW);
    assert.equal(first.historyFrom, SINCE);
    // Days 0-4 of both shares are in range (day 5 at 02:00/03:00 is before NOW - 5 days at 12:00).
    assert.equal(first.summary.snapshots, 10);
    assert.deepEqual([first.summary.succeeded, first.summary.failed], [5, 5]);
    assert.equal(first.choices.earliest, day(4));
    assert.deepEqual(rows(table(first, 'snapshots_daily'), 'date').map((r) => r[0]).filter((d, i, a) => a.indexOf(d) === i), [day(4), day(3), day(2), day(1), day(0)].map((d) => d.slice(0, 10)));
    // A wider filter does not claim what is not loaded: still the loaded range.
    assert.equal(computeFigures(data, { from: day(20) }, NOW).summary.snapshots, 10);
    // The last success is right whatever the range: stalled 12 days and 9 h ago, Fabrikam's 8 days and 10 h ago.
    const last = rows(table(first, 'last_snapshot'), 'share', 'last_status', 'hours_since_success', 'overdue');
    assert.deepEqual(last.find((r) => r[0] === 'stalled'), ['stalled', 'Failed', 12 * 24 + 9, true]);
    assert.deepEqual(last.find((r) => r[0] === 'daily-sub'), ['daily-sub', 'Succeeded', 8 * 24 + 10, true]);
    assert.deepEqual(last.find((r) => r[0] === 'daily'), ['daily', 'Succeeded', 10, false]);

    const listed = calls.length;
    let batches = 0;
    await session.fillPending({ onBatch: () => { batches++; } });
    assert.ok(batches >= 2, 'the figures follow the history, then the details');
    assert.equal(data.historyFrom, undefined);
    assert.equal(data.stats.historyPending, 0);
    assert.equal(data.stats.detailsPending, 0);
    assert.equal(pagesRead('syncs daily'), 10);
    assert.equal(pagesRead('syncs stalled'), 10);
    assert.deepEqual(calls.filter((c, i) => calls.indexOf(c) !== i), [], 'no page or details read twice');
    assert.ok(calls.slice(listed).every((c) => c.startsWith('syncs ') || c.startsWith('details ')), 'the fill lists nothing else again');

    // The same figures as gathering the whole history at once.
    calls.length = 0;
    const full = computeFigures(await gatherDashboard(TENANTS, { details: 'all', now: () => NOW }), {}, NOW);
    const filled = computeFigures(data, {}, NOW);
    assert.equal(filled.historyFrom, undefined);
    assert.deepEqual(filled.summary, full.summary);
    assert.equal(filled.summary.snapshots, 2 * DAYS);
    for (const name of ['snapshots_daily', 'last_snapshot']) assert.deepEqual(table(filled, name)?.rows, table(full, name)?.rows, name);
    assert.deepEqual(table(filled, 'snapshots')?.rows.length, 2 * DAYS);
  });

  it('without historySince, every page is read in the first pass (as before)', async () => {
    calls.length = 0;
    const data = await gatherDashboard(TENANTS, { details: 'budget', now: () => NOW });
    assert.equal(pagesRead('syncs daily'), 10);
    assert.equal(pagesRead('syncs stalled'), 10);
    assert.equal(data.historyFrom, undefined);
    assert.equal(computeFigures(data, {}, NOW).summary.snapshots, 2 * DAYS);
  });
});
