/**
 * The dashboard's figures, computed from gathered facts (pure: no I/O, no clock but the `now`
 * given). Every figure is a table (named columns with types and descriptions), so the webview can
 * chart it and show it as text, and the Power BI export can write it as it is.
 */
import type { AssetFact, DashboardData, DashboardFilter, ShareFact, SyncFact } from './model';

export type CellType = 'string' | 'number' | 'boolean' | 'timestamp';
export type Cell = string | number | boolean | null;

export interface Column {
  name: string;
  type: CellType;
  description: string;
}

export interface Table {
  name: string;
  title: string;
  description: string;
  columns: Column[];
  rows: Cell[][];
}

export interface DashboardSummary {
  shares: number;
  received: number;
  consumers: number;
  consumerTenants: number;
  snapshots: number;
  succeeded: number;
  failed: number;
  /** Succeeded / (succeeded + failed), 0..1; null without finished snapshots. */
  successRate: number | null;
  filesWritten: number;
  bytesWritten: number;
  /** Snapshots in range whose files and bytes are known. */
  detailsKnown: number;
  overdue: number;
  classifiedAssetsShared: number;
  sharedAssets: number;
  lineageLinked: number;
  /** Linked / shared assets a catalog could answer for, 0..1; null when none could. */
  lineageCoverage: number | null;
  /** null: no data-quality results recorded. */
  qualityPassRate: number | null;
  /** Median hours from request to decision; null: no decided approvals (or no approvals feature). */
  approvalLeadTimeHours: number | null;
  storageAccounts: number;
  cmkAccounts: number;
}

export interface DashboardFigures {
  now: string;
  filter: DashboardFilter;
  summary: DashboardSummary;
  tables: Table[];
  /**
   * Set while only recent history is loaded (DashboardData.historyFrom): the figures over time
   * (snapshots per day, every snapshot, the summary's counts) cover from here on, even when the
   * filter asks for more; the rest follows when the older pages are read.
   */
  historyFrom?: string;
  /** The choices the filters offer (from all the data, not the filtered part). */
  choices: { tenants: Array<{ id: string; name: string }>; shares: Array<{ id: string; name: string; tenantId: string }>; earliest?: string; latest?: string };
}

const HOUR = 3_600_000;

const col = (name: string, type: CellType, description: string): Column => ({ name, type, description });

function lc(s: string | undefined): string {
  return (s ?? '').toLowerCase();
}

function tenantName(data: DashboardData, tenantId: string): string {
  return data.tenants.find((t) => t.tenantId === tenantId)?.displayName ?? tenantId;
}

function inTenants(filter: DashboardFilter, ...tenantIds: Array<string | undefined>): boolean {
  if (!filter.tenantIds?.length) return true;
  return tenantIds.some((t) => t !== undefined && filter.tenantIds!.includes(t));
}

function inRange(filter: DashboardFilter, iso: string): boolean {
  if (filter.from && iso < filter.from) return false;
  if (filter.to && iso >= filter.to) return false;
  return true;
}

/** A finished run: succeeded or failed (queued, running and canceled ones are not counted in the rate). */
export function isSucceeded(s: SyncFact): boolean {
  return /^(succeeded|completed)$/i.test(s.status);
}
export function isFailed(s: SyncFact): boolean {
  return /^failed$/i.test(s.status);
}

/** Shares the filter keeps (tenant of the share or of one of its connected consumers; share ids). */
export function filteredShares(data: DashboardData, filter: DashboardFilter): ShareFact[] {
  return data.shares.filter((s) => (!filter.shareIds?.length || filter.shareIds.includes(s.id))
    && inTenants(filter, s.tenantId, ...s.consumers.map((c) => connectedTenantIdByName(data, c.consumerTenantName))));
}

function connectedTenantIdByName(data: DashboardData, name: string | undefined): string | undefined {
  return data.tenants.find((t) => lc(t.displayName) === lc(name))?.tenantId;
}

/**
 * Runs as each side sees them: every run read provider side counts for the provider tenant; it
 * also counts consumer side for its consumer tenant when that tenant is connected. Runs read
 * consumer side (the provider is not connected) count consumer side only.
 */
export function runsBySide(data: DashboardData, filter: DashboardFilter): Array<SyncFact & { viewTenantId: string; viewSide: 'provider' | 'consumer' }> {
  const shareIds = filter.shareIds?.length ? new Set(filter.shareIds) : undefined;
  const receivedOf = new Map(data.received.map((r) => [r.id, r]));
  const out: Array<SyncFact & { viewTenantId: string; viewSide: 'provider' | 'consumer' }> = [];
  for (const s of data.synchronizations) {
    if (!inRange(filter, s.startTime)) continue;
    if (s.side === 'provider') {
      if (shareIds && !shareIds.has(s.ownerId)) continue;
      if (inTenants(filter, s.tenantId)) out.push({ ...s, viewTenantId: s.tenantId, viewSide: 'provider' });
      const consumerTenant = connectedTenantIdByName(data, s.consumerTenantName);
      if (consumerTenant && inTenants(filter, consumerTenant)) out.push({ ...s, viewTenantId: consumerTenant, viewSide: 'consumer' });
    } else {
      const r = receivedOf.get(s.ownerId);
      if (shareIds && !shareIds.has(s.ownerId) && !(r?.providerShareId && shareIds.has(r.providerShareId))) continue;
      if (inTenants(filter, s.tenantId)) out.push({ ...s, viewTenantId: s.tenantId, viewSide: 'consumer' });
    }
  }
  return out;
}

/** Unique runs in the filter (each run once, whichever side it was read from). */
function uniqueRuns(data: DashboardData, filter: DashboardFilter): SyncFact[] {
  const seen = new Set<string>();
  return runsBySide(data, filter).filter((r) => {
    const k = lc(r.synchronizationId);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function intervalHours(recurrenceInterval: string): number | undefined {
  return /^hour$/i.test(recurrenceInterval) ? 1 : /^day$/i.test(recurrenceInterval) ? 24 : undefined;
}

/**
 * Overdue: the schedule expects a snapshot every `interval`; a share is overdue when its last
 * succeeded snapshot started more than one interval plus an hour's grace before `now` (or it never
 * had one and the schedule started more than that long ago). No schedule: never overdue.
 */
export function isOverdue(lastSucceededStart: string | undefined, schedule: { recurrenceInterval: string; synchronizationTime: string } | undefined, now: Date): boolean | null {
  if (!schedule) return null;
  const hours = intervalHours(schedule.recurrenceInterval);
  if (!hours) return null;
  const allowedMs = (hours + 1) * HOUR;
  const since = lastSucceededStart ?? schedule.synchronizationTime;
  return now.getTime() - new Date(since).getTime() > allowedMs;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** ISO dates and times in order, compared as text (a year of snapshots: no collation per comparison). */
export const textOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorts rows by the text of the given columns (stable, deterministic exports). */
const byText = (...cols: number[]) => (a: Cell[], b: Cell[]): number => {
  for (const c of cols) {
    const d = String(a[c] ?? '').localeCompare(String(b[c] ?? ''));
    if (d) return d;
  }
  return 0;
};

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The filter for figures over time: its start moved to where loaded history starts, if later. */
function loadedRange(data: DashboardData, filter: DashboardFilter): DashboardFilter {
  return data.historyFrom && (!filter.from || filter.from < data.historyFrom) ? { ...filter, from: data.historyFrom } : filter;
}

export function computeFigures(data: DashboardData, filter: DashboardFilter = {}, now: Date = new Date(data.gatheredAt)): DashboardFigures {
  const ranged = loadedRange(data, filter);
  const shares = filteredShares(data, filter);
  const shareIds = new Set(shares.map((s) => s.id));
  const tables: Table[] = [];

  // --- consumers -------------------------------------------------------------------------------
  const consumerRows: Cell[][] = [];
  const byConsumer = new Map<string, { tenant: string; name: string; shares: Set<string> }>();
  const byConsumerTenant = new Map<string, { shares: Set<string>; consumers: Set<string> }>();
  for (const s of shares) {
    for (const c of s.consumers) {
      consumerRows.push([tenantName(data, s.tenantId), s.accountName, s.shareName, s.id, c.consumerTenantName, c.consumerName, c.consumerEmail, c.status, c.sharedAt ?? null]);
      const k = `${lc(c.consumerTenantName)}|${lc(c.consumerName)}`;
      const e = byConsumer.get(k) ?? { tenant: c.consumerTenantName, name: c.consumerName, shares: new Set<string>() };
      e.shares.add(s.id);
      byConsumer.set(k, e);
      const t = byConsumerTenant.get(c.consumerTenantName) ?? { shares: new Set<string>(), consumers: new Set<string>() };
      t.shares.add(s.id);
      t.consumers.add(k);
      byConsumerTenant.set(c.consumerTenantName, t);
    }
  }
  tables.push({
    name: 'share_consumers', title: 'Consumers of each share', description: 'One row per sent share and consumer (Data Share providerShareSubscriptions).',
    columns: [col('provider_tenant', 'string', 'Tenant that sends the share'), col('account', 'string', 'Provider Data Share account'), col('share', 'string', 'Share name'), col('share_id', 'string', 'ARM id of the share'),
      col('consumer_tenant', 'string', 'Tenant name of the consumer'), col('consumer', 'string', 'Consumer name'), col('consumer_email', 'string', 'Consumer email (empty for service principals)'), col('status', 'string', 'Share subscription status (Active, Revoked, …)'), col('shared_at', 'timestamp', 'When the consumer accepted')],
    rows: consumerRows.sort(byText(0, 2, 4, 5)),
  });
  tables.push({
    name: 'shares_by_consumer_tenant', title: 'Shares per consumer tenant', description: 'How many distinct shares each consumer tenant receives, and through how many consumers.',
    columns: [col('consumer_tenant', 'string', 'Tenant name of the consumers'), col('shares', 'number', 'Distinct shares received'), col('consumers', 'number', 'Distinct consumers (users or service principals)')],
    rows: [...byConsumerTenant.entries()].sort((a, b) => b[1].shares.size - a[1].shares.size || a[0].localeCompare(b[0])).map(([t, v]) => [t, v.shares.size, v.consumers.size]),
  });
  tables.push({
    name: 'shares_by_consumer', title: 'Shares per consumer', description: 'How many distinct shares each consumer receives.',
    columns: [col('consumer_tenant', 'string', 'Tenant name of the consumer'), col('consumer', 'string', 'Consumer name'), col('shares', 'number', 'Distinct shares received')],
    rows: [...byConsumer.values()].sort((a, b) => b.shares.size - a.shares.size || a.name.localeCompare(b.name)).map((v) => [v.tenant, v.name, v.shares.size]),
  });

  // --- snapshots over time (both sides) ---------------------------------------------------------
  const sided = runsBySide(data, { ...ranged, shareIds: filter.shareIds });
  const daily = new Map<string, { date: string; side: string; tenant: string; n: number; ok: number; failed: number; files: number; bytes: number; known: number }>();
  for (const r of sided) {
    const date = r.startTime.slice(0, 10);
    const k = `${date}|${r.viewSide}|${r.viewTenantId}`;
    const d = daily.get(k) ?? { date, side: r.viewSide, tenant: tenantName(data, r.viewTenantId), n: 0, ok: 0, failed: 0, files: 0, bytes: 0, known: 0 };
    d.n++;
    if (isSucceeded(r)) d.ok++;
    if (isFailed(r)) d.failed++;
    if (r.filesWritten !== undefined) { d.known++; d.files += r.filesWritten; d.bytes += r.sizeWritten ?? 0; }
    daily.set(k, d);
  }
  tables.push({
    name: 'snapshots_daily', title: 'Snapshots per day, by side and tenant', description: 'Snapshots started each day (UTC) as the provider and the consumer tenant see them: how many, how many succeeded and failed, the success rate, and files and bytes written (from listSynchronizationDetails; details_known says for how many snapshots they were read).',
    columns: [col('date', 'string', 'Day (UTC, YYYY-MM-DD)'), col('side', 'string', 'provider or consumer'), col('tenant', 'string', 'Tenant on that side'), col('snapshots', 'number', 'Snapshots started'), col('succeeded', 'number', 'Succeeded'), col('failed', 'number', 'Failed'),
      col('success_rate', 'number', 'succeeded / (succeeded + failed), 0..1'), col('files_written', 'number', 'Files written (sum of details)'), col('bytes_written', 'number', 'Bytes written (sum of details sizeWritten)'), col('details_known', 'number', 'Snapshots whose details were read')],
    rows: [...daily.values()].sort((a, b) => textOrder(a.date, b.date) || a.side.localeCompare(b.side) || a.tenant.localeCompare(b.tenant))
      .map((d) => [d.date, d.side, d.tenant, d.n, d.ok, d.failed, d.ok + d.failed ? round(d.ok / (d.ok + d.failed)) : null, d.files, d.bytes, d.known]),
  });
  tables.push({
    name: 'snapshots', title: 'Snapshots', description: 'Every snapshot in range (each once, from the side it was read).',
    columns: [col('synchronization_id', 'string', 'Synchronization id'), col('side_read', 'string', 'Side it was read from (provider or consumer)'), col('tenant', 'string', 'Tenant of that side'), col('share', 'string', 'Share name'), col('owner_id', 'string', 'ARM id of the share or share subscription'),
      col('consumer_tenant', 'string', 'Consumer tenant name (provider side)'), col('status', 'string', 'Succeeded, Failed, …'), col('mode', 'string', 'Incremental or FullSync'), col('start_time', 'timestamp', 'Start (UTC)'), col('end_time', 'timestamp', 'End (UTC)'), col('duration_ms', 'number', 'Duration in ms'),
      col('files_written', 'number', 'Files written (empty: details not read)'), col('bytes_written', 'number', 'Bytes written (empty: details not read)'), col('message', 'string', 'Message (the reason when it failed)')],
    rows: uniqueRuns(data, ranged).sort((a, b) => textOrder(a.startTime, b.startTime))
      .map((r) => [r.synchronizationId, r.side, tenantName(data, r.tenantId), r.shareName, r.ownerId, r.consumerTenantName ?? null, r.status, r.mode ?? null, r.startTime, r.endTime ?? null, r.durationMs ?? null, r.filesWritten ?? null, r.sizeWritten ?? null, r.message ?? null]),
  });

  // --- time since last snapshot, overdue ---------------------------------------------------------
  const lastRows: Cell[][] = [];
  const allRuns = runsBySide(data, { tenantIds: filter.tenantIds, shareIds: filter.shareIds, to: filter.to });
  // Runs by the share or received share they were read under (each row looks at its own runs only).
  const runsByOwner = new Map<string, SyncFact[]>();
  for (const r of allRuns) (runsByOwner.get(`${r.side}|${r.ownerId}`) ?? runsByOwner.set(`${r.side}|${r.ownerId}`, []).get(`${r.side}|${r.ownerId}`)!).push(r);
  const lastOf = (side: SyncFact['side'], ownerId: string, pred: (r: SyncFact) => boolean) => {
    let last: SyncFact | undefined;
    let lastOk: SyncFact | undefined;
    for (const r of runsByOwner.get(`${side}|${ownerId}`) ?? []) {
      if (!pred(r)) continue;
      if (!last || r.startTime > last.startTime) last = r;
      if (isSucceeded(r) && (!lastOk || r.startTime > lastOk.startTime)) lastOk = r;
    }
    return { last, lastOk };
  };
  let overdue = 0;
  for (const s of shares) {
    if (!inTenants(filter, s.tenantId)) continue;
    const { last, lastOk } = lastOf('provider', s.id, (r) => r.side === 'provider' && r.ownerId === s.id);
    const schedule = s.schedules[0];
    const od = isOverdue(lastOk?.startTime, schedule, now);
    if (od) overdue++;
    lastRows.push([tenantName(data, s.tenantId), 'provider', s.shareName, s.id, last?.startTime ?? null, last?.status ?? null, lastOk?.startTime ?? null,
      lastOk ? round((now.getTime() - new Date(lastOk.startTime).getTime()) / HOUR, 2) : null, schedule ? `${schedule.recurrenceInterval} from ${schedule.synchronizationTime}` : null, od]);
  }
  for (const r of data.received) {
    if (!inTenants(filter, r.tenantId)) continue;
    if (filter.shareIds?.length && !filter.shareIds.includes(r.id) && !(r.providerShareId && filter.shareIds.includes(r.providerShareId))) continue;
    const pred = (x: SyncFact) => (r.providerShareId ? x.side === 'provider' && x.ownerId === r.providerShareId && lc(x.consumerTenantName) === lc(tenantName(data, r.tenantId)) : x.side === 'consumer' && x.ownerId === r.id);
    const { last, lastOk } = r.providerShareId ? lastOf('provider', r.providerShareId, pred) : lastOf('consumer', r.id, pred);
    const provider = r.providerShareId ? data.shares.find((s) => s.id === r.providerShareId) : undefined;
    const schedule = r.schedules[0] ?? provider?.schedules[0];
    const od = isOverdue(lastOk?.startTime, schedule, now);
    if (od) overdue++;
    lastRows.push([tenantName(data, r.tenantId), 'consumer', r.name, r.id, last?.startTime ?? null, last?.status ?? null, lastOk?.startTime ?? null,
      lastOk ? round((now.getTime() - new Date(lastOk.startTime).getTime()) / HOUR, 2) : null, schedule ? `${schedule.recurrenceInterval} from ${schedule.synchronizationTime}` : null, od]);
  }
  lastRows.sort((a, b) => Number(b[9] === true) - Number(a[9] === true) || ((b[7] as number | null) ?? Infinity) - ((a[7] as number | null) ?? Infinity));
  tables.push({
    name: 'last_snapshot', title: 'Time since the last snapshot', description: 'Per sent share (provider side) and received share (consumer side): the last snapshot, the last one that succeeded, hours since it, the schedule (synchronization setting or trigger) and whether the share is overdue (no success within one interval plus an hour).',
    columns: [col('tenant', 'string', 'Tenant'), col('side', 'string', 'provider (sent share) or consumer (received share)'), col('share', 'string', 'Share or share subscription name'), col('id', 'string', 'ARM id'), col('last_snapshot', 'timestamp', 'Start of the last snapshot'), col('last_status', 'string', 'Its status'),
      col('last_succeeded', 'timestamp', 'Start of the last succeeded snapshot'), col('hours_since_success', 'number', 'Hours from it to the time of the figures'), col('schedule', 'string', 'Recurrence and start, empty without a schedule'), col('overdue', 'boolean', 'Overdue against the schedule (empty without one)')],
    rows: lastRows,
  });

  // --- classified assets that left the tenant, lineage coverage, quality ------------------------
  const assets = data.assets.filter((a) => inTenants(filter, a.tenantId) && (!filter.shareIds?.length || a.shareIds.some((id) => shareIds.has(id))));
  const left = assets.filter((a) => a.consumerTenants.length > 0);
  const byClass = new Map<string, { assets: Set<string>; tenants: Set<string> }>();
  for (const a of left) {
    for (const c of a.classifications) {
      const e = byClass.get(c) ?? { assets: new Set<string>(), tenants: new Set<string>() };
      e.assets.add(a.qualifiedName);
      a.consumerTenants.forEach((t) => e.tenants.add(t));
      byClass.set(c, e);
    }
  }
  tables.push({
    name: 'classified_assets_shared', title: 'Classified assets that left the tenant, by classification', description: 'Purview classifications of the assets sent through shares to another tenant: how many assets carry each, and to how many tenants they went.',
    columns: [col('classification', 'string', 'Classification type name'), col('assets', 'number', 'Shared assets carrying it'), col('consumer_tenants', 'number', 'Distinct tenants they went to')],
    rows: [...byClass.entries()].sort((a, b) => b[1].assets.size - a[1].assets.size || a[0].localeCompare(b[0])).map(([c, v]) => [c, v.assets.size, v.tenants.size]),
  });
  tables.push({
    name: 'shared_assets', title: 'Shared assets', description: 'Every asset a sent share carries: its Purview classifications, where it went, whether a cross-tenant lineage link is recorded, and its data-quality result where one exists.',
    columns: [col('tenant', 'string', 'Provider tenant'), col('asset', 'string', 'Asset name'), col('qualified_name', 'string', 'Purview qualifiedName'), col('type', 'string', 'Purview type'), col('guid', 'string', 'Purview guid (empty: not in the catalog)'),
      col('classifications', 'string', 'Classifications, separated by ;'), col('consumer_tenants', 'string', 'Tenants it went to, separated by ;'), col('lineage_linked', 'boolean', 'A cross-tenant snapshot process is recorded (empty: no catalog answered)'),
      col('quality_passed', 'number', 'Data-quality rules passed (empty: no result)'), col('quality_failed', 'number', 'Data-quality rules failed (empty: no result)')],
    rows: assets.map((a: AssetFact) => [tenantName(data, a.tenantId), a.name, a.qualifiedName, a.typeName ?? null, a.guid ?? null, [...a.classifications].sort().join(';'), [...a.consumerTenants].sort().join(';'), a.lineageLinked ?? null, a.quality?.passed ?? null, a.quality?.failed ?? null] as Cell[]).sort(byText(0, 2)),
  });
  const covTenants = new Map<string, { shared: number; known: number; linked: number }>();
  for (const a of left) {
    const e = covTenants.get(a.tenantId) ?? { shared: 0, known: 0, linked: 0 };
    e.shared++;
    if (a.lineageLinked !== undefined) e.known++;
    if (a.lineageLinked) e.linked++;
    covTenants.set(a.tenantId, e);
  }
  tables.push({
    name: 'lineage_coverage', title: 'Lineage coverage', description: 'Per provider tenant: assets sent to another tenant, how many have a recorded cross-tenant lineage link (a Data Share snapshot process in Purview), and the share of those a catalog could answer for.',
    columns: [col('tenant', 'string', 'Provider tenant'), col('shared_assets', 'number', 'Assets sent to another tenant'), col('in_catalog', 'number', 'Of those, assets a Purview catalog answered for'), col('linked', 'number', 'Assets with a recorded cross-tenant lineage link'), col('coverage', 'number', 'linked / in_catalog, 0..1')],
    rows: [...covTenants.entries()].map(([t, v]) => [tenantName(data, t), v.shared, v.known, v.linked, v.known ? round(v.linked / v.known) : null] as Cell[]).sort(byText(0)),
  });
  const qualityRows = assets.filter((a) => a.quality).map((a) => [tenantName(data, a.tenantId), a.name, a.qualifiedName, a.quality!.passed, a.quality!.failed, a.quality!.passed + a.quality!.failed ? round(a.quality!.passed / (a.quality!.passed + a.quality!.failed)) : null] as Cell[]);
  tables.push({
    name: 'data_quality', title: 'Data-quality pass rate', description: 'Per shared asset with a recorded data-quality result: rules passed and failed, and the pass rate. Empty when no results are recorded.',
    columns: [col('tenant', 'string', 'Provider tenant'), col('asset', 'string', 'Asset name'), col('qualified_name', 'string', 'Purview qualifiedName'), col('passed', 'number', 'Rules passed'), col('failed', 'number', 'Rules failed'), col('pass_rate', 'number', 'passed / (passed + failed), 0..1')],
    rows: qualityRows,
  });

  // --- approvals, storage encryption -----------------------------------------------------------
  const approvals = (data.approvals ?? []).filter((a) => inTenants(filter, a.tenantId) && inRange(filter, a.requestedAt));
  const leadHours = approvals.filter((a) => a.decidedAt).map((a) => (new Date(a.decidedAt!).getTime() - new Date(a.requestedAt).getTime()) / HOUR);
  tables.push({
    name: 'approvals', title: 'Approval lead time', description: 'Approval requests: when asked, when decided, the decision and the lead time in hours. Empty when the approvals feature is not in use.',
    columns: [col('id', 'string', 'Request id'), col('tenant', 'string', 'Tenant'), col('share', 'string', 'Share'), col('requested_at', 'timestamp', 'Requested'), col('decided_at', 'timestamp', 'Decided (empty: pending)'), col('status', 'string', 'Approved, Rejected, Pending, …'), col('lead_time_hours', 'number', 'Hours from request to decision')],
    rows: approvals.map((a) => [a.id, a.tenantId ? tenantName(data, a.tenantId) : null, a.shareName ?? null, a.requestedAt, a.decidedAt ?? null, a.status, a.decidedAt ? round((new Date(a.decidedAt).getTime() - new Date(a.requestedAt).getTime()) / HOUR, 2) : null]),
  });
  const storage = data.storageAccounts.filter((s) => inTenants(filter, s.tenantId));
  tables.push({
    name: 'storage_encryption', title: 'Customer-managed keys per storage account', description: 'Each storage account in the connected tenants: its encryption key source (Microsoft.Storage = Microsoft-managed, Microsoft.Keyvault = customer-managed key), the key, and any state the CMK check reports.',
    columns: [col('tenant', 'string', 'Tenant'), col('account', 'string', 'Storage account'), col('id', 'string', 'ARM id'), col('key_source', 'string', 'Microsoft.Storage or Microsoft.Keyvault'), col('cmk', 'boolean', 'Customer-managed key in use'),
      col('key_vault_uri', 'string', 'Key Vault URI'), col('key_name', 'string', 'Key name'), col('key_version', 'string', 'Key version (empty: follows rotation)'), col('state', 'string', 'CMK state reported by the CMK check, if any')],
    rows: storage.map((s) => [tenantName(data, s.tenantId), s.name, s.id, s.keySource, /keyvault/i.test(s.keySource), s.keyVaultUri ?? null, s.keyName ?? null, s.keyVersion ?? null, s.state ?? null] as Cell[]).sort(byText(0, 1)),
  });

  // --- summary ---------------------------------------------------------------------------------
  const unique = uniqueRuns(data, ranged);
  const ok = unique.filter(isSucceeded).length;
  const failed = unique.filter(isFailed).length;
  const known = unique.filter((r) => r.filesWritten !== undefined);
  const leftKnown = left.filter((a) => a.lineageLinked !== undefined);
  const qTotals = assets.reduce((acc, a) => (a.quality ? { p: acc.p + a.quality.passed, f: acc.f + a.quality.failed } : acc), { p: 0, f: 0 });
  const times = data.synchronizations.map((s) => s.startTime).filter((t) => !data.historyFrom || t >= data.historyFrom).sort();
  return {
    now: now.toISOString(),
    filter,
    ...(data.historyFrom ? { historyFrom: data.historyFrom } : {}),
    summary: {
      shares: shares.filter((s) => inTenants(filter, s.tenantId)).length,
      received: data.received.filter((r) => inTenants(filter, r.tenantId)).length,
      consumers: byConsumer.size,
      consumerTenants: byConsumerTenant.size,
      snapshots: unique.length,
      succeeded: ok,
      failed,
      successRate: ok + failed ? round(ok / (ok + failed)) : null,
      filesWritten: known.reduce((n, r) => n + (r.filesWritten ?? 0), 0),
      bytesWritten: known.reduce((n, r) => n + (r.sizeWritten ?? 0), 0),
      detailsKnown: known.length,
      overdue,
      classifiedAssetsShared: left.filter((a) => a.classifications.length > 0).length,
      sharedAssets: left.length,
      lineageLinked: left.filter((a) => a.lineageLinked).length,
      lineageCoverage: leftKnown.length ? round(leftKnown.filter((a) => a.lineageLinked).length / leftKnown.length) : null,
      qualityPassRate: data.qualityAvailable && qTotals.p + qTotals.f ? round(qTotals.p / (qTotals.p + qTotals.f)) : null,
      approvalLeadTimeHours: median(leadHours) === null ? null : round(median(leadHours)!, 2),
      storageAccounts: storage.length,
      cmkAccounts: storage.filter((s) => /keyvault/i.test(s.keySource)).length,
    },
    tables,
    choices: {
      tenants: data.tenants.map((t) => ({ id: t.tenantId, name: t.displayName })),
      shares: [...data.shares.map((s) => ({ id: s.id, name: s.shareName, tenantId: s.tenantId })), ...data.received.filter((r) => !r.providerShareId).map((r) => ({ id: r.id, name: `${r.name} (received)`, tenantId: r.tenantId }))],
      earliest: times[0],
      latest: times[times.length - 1],
    },
  };
}
