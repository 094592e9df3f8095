/**
 * The sharing dashboard: gather (gather.ts), figures (figures.ts), the Power BI export (export.ts),
 * and the headless export the recipe CLI runs (`--export <folder>`).
 */
import * as path from 'node:path';
import { createAzureClients, loadSandboxCloud, sandboxCredentials } from '../../azure';
import type { RecipeEnv } from '../env';
import { computeFigures } from './figures';
import { exportForPowerBI, type ExportResult } from './export';
import { FileDetailsCache, gatherDashboard, type DashboardExtras, type DashboardTenantAccess } from './gather';
import type { DashboardFilter } from './model';

export * from './model';
export { computeFigures, filteredShares, intervalHours, isOverdue, runsBySide, type Cell, type Column, type DashboardFigures, type DashboardSummary, type Table } from './figures';
export { exportForPowerBI, pbidsFor, tableToCsv, tableToParquet, type ExportResult } from './export';
export { FileDetailsCache, gatherDashboard, ReadBudget, startDashboard, type DashboardSession, type DashboardExtras, type DashboardTenantAccess, type DetailsCache, type GatherOptions } from './gather';
export { dashboardExtras } from './extras';

/** The plan's two tenants (provider and consumer side), with the plan's subscriptions. */
export function tenantsOfEnv(env: RecipeEnv): DashboardTenantAccess[] {
  const sides = [env.provider, env.consumer];
  const out: DashboardTenantAccess[] = [];
  for (const s of sides) {
    const existing = out.find((t) => t.tenant.tenantId === s.tenantId);
    if (existing) {
      if (!existing.subscriptionIds.includes(s.subscriptionId)) existing.subscriptionIds.push(s.subscriptionId);
      continue;
    }
    out.push({ tenant: { tenantId: s.tenantId, displayName: s.tenantName }, subscriptionIds: [s.subscriptionId], clients: () => Promise.resolve(s.clients) });
  }
  return out;
}

/** Every tenant and subscription of a running sandbox (its sandbox.json), through its service principals. */
export async function tenantsOfSandbox(sandboxJson: string): Promise<DashboardTenantAccess[]> {
  const { cloud, description } = await loadSandboxCloud(sandboxJson);
  return description.tenants.filter((t) => t.servicePrincipals.length > 0).map((t) => {
    const clients = createAzureClients(cloud, t.tenantId, sandboxCredentials(description, t.tenantId, 'servicePrincipal', { caPem: cloud.caPem }));
    return { tenant: { tenantId: t.tenantId, displayName: t.displayName }, subscriptionIds: t.subscriptions.map((s) => s.subscriptionId), clients: () => Promise.resolve(clients) };
  });
}

export interface HeadlessExportOptions {
  folder: string;
  filter?: DashboardFilter;
  signal?: AbortSignal;
  extras?: DashboardExtras;
  log?(line: string): void;
}

/** Gathers everything (every snapshot's details, waiting for the read budget), computes the figures and writes the export. */
export async function gatherAndExport(tenants: DashboardTenantAccess[], o: HeadlessExportOptions): Promise<ExportResult> {
  const cache = new FileDetailsCache(path.join(path.resolve(o.folder), '.details-cache.json'));
  const data = await gatherDashboard(tenants, { details: 'all', cache, signal: o.signal, extras: o.extras });
  for (const w of data.warnings) o.log?.(`  warning: ${w}`);
  const figures = computeFigures(data, o.filter ?? {});
  const result = await exportForPowerBI(figures, o.folder);
  o.log?.(`Dashboard export: ${data.shares.length} share(s), ${data.received.length} received, ${data.synchronizations.length} snapshot(s) (${data.stats.detailsRead} details read, ${data.stats.detailsCached} cached), ${data.assets.length} shared asset(s); ${data.stats.armCalls} ARM and ${data.stats.purviewCalls} Purview calls in ${(data.stats.elapsedMs / 1000).toFixed(1)} s`);
  o.log?.(`Wrote ${result.files.length} tables (CSV and Parquet), ${path.relative(process.cwd(), result.pbids) || result.pbids} and ${path.relative(process.cwd(), result.readme) || result.readme}`);
  return result;
}
