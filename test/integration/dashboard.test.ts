import * as assert from 'node:assert/strict';
import type { AzureClients } from '../../src/azure';
import { computeFigures, gatherDashboard, tenantsOfSandbox, type DashboardData, type DashboardTenantAccess, type Table } from '../../src/workflows/dashboard';
import { CancelledError } from '../../src/workflows/errors';
import type { RequestLogEntry, RunningSandbox } from '../../src/sandbox';
import { removeTempDirs, startTestSandbox } from './support/sandbox';

/**
 * The sharing dashboard gathered over real HTTPS with the real clients from a sandbox with the
 * `history` seed (Contoso sends 4 shares, Fabrikam 2, to consumers in four tenants; a year of daily
 * snapshots; share 01 of each provider stopped four days ago; classified, lineage-linked assets).
 * The connection is the two demo tenants.
 */
describe('sharing dashboard over a sandbox with a year of history', function () {
  this.timeout(300000);
  let sandbox: RunningSandbox;
  let tenants: DashboardTenantAccess[];
  let data: DashboardData;
  const since = new Date(Date.now() - 14 * 86_400_000).toISOString();

  before(async () => {
    ({ sandbox } = await startTestSandbox('dashboard', { seed: 'history' }));
    tenants = (await tenantsOfSandbox(sandbox.descriptionPath)).filter((t) => ['Contoso', 'Fabrikam'].includes(t.tenant.displayName));
    const unwatch = sandbox.core.watchRequests((e) => requests.push(e));
    data = await gatherDashboard(tenants, { since, details: 'all' });
    unwatch();
  });
  const requests: RequestLogEntry[] = [];
  after(async () => {
    await sandbox?.stop();
    removeTempDirs();
  });

  const contoso = () => tenants.find((t) => t.tenant.displayName === 'Contoso')!;
  const shareRef = (name: string) => {
    const s = data.shares.find((x) => x.shareName === name)!;
    return { subscriptionId: s.subscriptionId, resourceGroupName: s.resourceGroup, accountName: s.accountName, shareName: s.shareName };
  };

  it('listSynchronizations pages a year of history and honours $orderby on both sides', async () => {
    const clients: AzureClients = await contoso().clients();
    const ref = shareRef('contoso-sales-00');
    const pagesOf = async (orderby: string, list = clients.dataShare.shares.listSynchronizations(ref, { orderby })) => {
      const pages: Array<Array<{ startTime?: string }>> = [];
      for await (const p of list.byPage()) pages.push(p);
      return pages;
    };
    const desc = await pagesOf('startTime desc');
    assert.ok(desc.length >= 8, `a year of three consumers' snapshots comes in pages of 50 (${desc.length} pages)`);
    const times = desc.flat().map((r) => r.startTime!);
    assert.ok(times.length >= 3 * 360);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first');
    const asc = (await pagesOf('startTime asc')).flat().map((r) => r.startTime!);
    assert.deepEqual(asc, [...asc].sort(), 'oldest first');
    // The view built at start for 'startTime desc' serves the same order spelled with other spacing.
    assert.deepEqual((await pagesOf(' startTime   desc ')).flat().map((x) => x.startTime!), times);
    // Consumer side: Fabrikam's subscription to that share, oldest first.
    const fabrikam = await tenants.find((t) => t.tenant.displayName === 'Fabrikam')!.clients();
    const r = data.received.find((x) => x.shareName === 'contoso-sales-00')!;
    const mine = (await pagesOf('startTime asc', fabrikam.dataShare.shareSubscriptions.listSynchronizations({ subscriptionId: r.subscriptionId, resourceGroupName: r.resourceGroup, accountName: r.accountName, shareSubscriptionName: r.name }, { orderby: 'startTime asc' }) as never)).flat().map((x) => x.startTime!);
    assert.ok(mine.length >= 360);
    assert.deepEqual(mine, [...mine].sort());
    const mineDesc = (await pagesOf('startTime desc', fabrikam.dataShare.shareSubscriptions.listSynchronizations({ subscriptionId: r.subscriptionId, resourceGroupName: r.resourceGroup, accountName: r.accountName, shareSubscriptionName: r.name }, { orderby: 'startTime desc' }) as never)).flat().map((x) => x.startTime!);
    assert.deepEqual(mineDesc, [...mine].reverse(), 'newest first on the consumer side too');
  });

  it('gathers shares, consumers and the snapshots in range with their files and bytes, reading nothing twice', () => {
    assert.deepEqual(data.warnings, []);
    assert.equal(data.shares.length, 6);
    assert.equal(data.received.length, 5, 'Fabrikam receives three of Contoso\'s shares, Contoso both of Fabrikam\'s');
    assert.ok(data.received.every((r) => r.providerShareId), 'every received share comes from a connected provider: history read provider side');
    assert.ok(data.synchronizations.every((s) => s.side === 'provider'));
    assert.ok(data.synchronizations.length > 6 * 10);
    assert.ok(data.synchronizations.every((s) => s.startTime >= since));
    assert.ok(data.synchronizations.every((s) => s.filesWritten !== undefined && s.sizeWritten !== undefined), 'details read for every snapshot in range');
    assert.ok(data.synchronizations.some((s) => s.status === 'Failed' && /Storage Blob Data Contributor/.test(s.message ?? '')));
    assert.equal(data.stats.detailsRead, data.synchronizations.length);
    // The sandbox's request log: no call made twice (details calls differ by their body, so they are counted instead).
    const calls = requests.filter((e) => /^\/(subscriptions|purview)\//.test(e.url)); // not the sign-in's own requests
    const details = calls.filter((e) => /listSynchronizationDetails/.test(e.url));
    const others = calls.filter((e) => !/listSynchronizationDetails/.test(e.url)).map((e) => `${e.tenantId ?? '-'} ${e.method} ${e.url}`);
    assert.deepEqual(others.filter((k, i) => others.indexOf(k) !== i), [], 'no call made twice');
    assert.equal(details.length, data.synchronizations.length, 'one details call per snapshot');
    assert.equal(calls.filter((e) => !/\/purview\//.test(e.url)).length, data.stats.armCalls, 'the ARM calls counted are the calls made');
    assert.equal(calls.filter((e) => /\/purview\/[^/]+\/datamap\//.test(e.url)).length, data.stats.purviewCalls);
  });

  it('figures: consumers per tenant, overdue shares, classified assets, lineage coverage, storage', () => {
    const f = computeFigures(data);
    const rows = (name: string, ...cols: string[]) => {
      const t = f.tables.find((x) => x.name === name) as Table;
      return t.rows.map((r) => cols.map((c) => r[t.columns.findIndex((x) => x.name === c)]));
    };
    assert.deepEqual(rows('shares_by_consumer_tenant', 'consumer_tenant', 'shares'), [['Fabrikam', 3], ['Northwind', 3], ['Contoso', 2], ['Woodgrove', 2]]);
    const last = rows('last_snapshot', 'side', 'share', 'overdue', 'hours_since_success');
    for (const name of ['contoso-customers-01', 'fabrikam-customers-01']) {
      const row = last.find((r) => r[0] === 'provider' && r[1] === name)!;
      assert.equal(row[2], true, `${name} stopped four days ago: overdue`);
      assert.ok(Number(row[3]) > 24 * 4, `${name}: ${String(row[3])} h`);
    }
    assert.ok(last.filter((r) => r[2] === false).length >= 4, 'the others are on schedule');
    assert.deepEqual(rows('classified_assets_shared', 'classification', 'assets'), [['MICROSOFT.PERSONAL.EMAIL', 3], ['MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER', 2], ['MICROSOFT.PERSONAL.NAME', 2]]);
    assert.deepEqual(rows('lineage_coverage', 'tenant', 'shared_assets', 'linked', 'coverage'), [['Contoso', 4, 2, 0.5], ['Fabrikam', 2, 1, 0.5]]);
    assert.deepEqual(rows('storage_encryption', 'account', 'cmk').sort(), [['contosohist0', false], ['fabrikamhist1', false]]);
    assert.ok(f.summary.successRate! > 0.8 && f.summary.successRate! < 1);
    assert.ok(f.summary.bytesWritten > 0);
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const p = gatherDashboard(tenants, { signal: controller.signal, details: 'all' });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(p, (e: unknown) => e instanceof CancelledError);
  });
});
