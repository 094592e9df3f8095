/**
 * The `history` and `history-bench` seeds: a sharing estate with a year of daily snapshots, so the
 * sharing dashboard has something true to show. Built once, after the sandbox first starts on a
 * fresh data folder, through the sandbox's own REST surface (the same checks as any caller:
 * resource groups, storage accounts, Data Share accounts, shares, data sets, schedules,
 * invitations accepted by consumers in four tenants, mappings, Purview accounts with classified
 * assets and cross-tenant snapshot processes). Only the snapshot history itself is written straight
 * into the store (a year of real copies would take hours): one synchronization record per consumer
 * and day, with its details (files and bytes written), some failed with Azure's messages, and a few
 * shares that stopped snapshotting (overdue against their daily schedule).
 *
 *  - `history`: Contoso sends 4 shares, Fabrikam 2; consumers in Fabrikam, Contoso, Northwind and
 *    Woodgrove (8 share subscriptions), 365 days.
 *  - `history-bench`: Contoso and Fabrikam send 50 shares each, spread over 5 subscriptions per
 *    tenant (10 shares each); each share has one consumer (the other demo tenant, or Northwind /
 *    Woodgrove), 365 days (36,500 snapshots).
 */
import * as https from 'node:https';
import type { SandboxCore } from './core/server';
import { DEMO, HISTORY } from './core/seed';
import { SYNCS, key } from './providers/datashare/common';
import { warmHistoryViews } from './providers/datashare';
import type { DetailRecord, SyncRecord } from './providers/datashare/sync';

export interface HistoryLayout {
  /** Shares per provider tenant and subscription: [tenantId, subscriptionId, shares][] */
  providers: Array<{ tenantId: string; subscriptionId: string; shares: number }>;
  days: number;
}

const DS = '2021-08-01';
const RES = '2021-04-01';
const STORAGE = '2023-05-01';
const PURVIEW_ARM = '2021-12-01';
const ATLAS = '2023-09-01';
const LOCATION = 'westeurope';
const RG = 'gds-history';
const CLASSIFICATIONS = ['MICROSOFT.PERSONAL.EMAIL', 'MICROSOFT.FINANCIAL.CREDIT_CARD_NUMBER', 'MICROSOFT.PERSONAL.NAME'];
const SNAPSHOT_PROCESS_TYPE = 'azure_datashare_snapshot';

export function historyLayout(seed: 'history' | 'history-bench'): HistoryLayout {
  const c = DEMO.contoso;
  const f = DEMO.fabrikam;
  if (seed === 'history') {
    return { providers: [{ tenantId: c.tenantId, subscriptionId: c.subscriptionId, shares: 4 }, { tenantId: f.tenantId, subscriptionId: f.subscriptionId, shares: 2 }], days: 365 };
  }
  const subs = (t: { tenantId: string; subscriptionId: string }) => [t.subscriptionId, ...HISTORY.benchSubscriptions(t.tenantId)].map((subscriptionId) => ({ tenantId: t.tenantId, subscriptionId, shares: 10 }));
  return { providers: [...subs(c), ...subs(f)], days: 365 };
}

/** A deterministic number in [0, 1) from a string (stable history across runs). */
function unit(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return ((h >>> 0) % 100000) / 100000;
}

function guidFrom(s: string): string {
  const hex = Array.from({ length: 4 }, (_, i) => (Math.floor(unit(`${s}#${i}`) * 0xffffffff) >>> 0).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

class Rest {
  private readonly tokens = new Map<string, Promise<string>>();
  constructor(private readonly core: SandboxCore, private readonly secrets: Map<string, { clientId: string; secret: string; objectId: string }>) {}

  private raw(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const req = https.request(url, { method, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, ca: this.core.tls.ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try { json = text ? (JSON.parse(text) as Record<string, unknown>) : {}; } catch { json = { text }; }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  token(tenantId: string, audience: string): Promise<string> {
    const k = `${tenantId}|${audience}`;
    let t = this.tokens.get(k);
    if (!t) {
      const cred = this.secrets.get(tenantId);
      if (!cred) throw new Error(`history seed: no service principal in tenant ${tenantId}`);
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.secret, scope: `${audience}/.default` }).toString();
      t = this.raw('POST', `${this.core.baseUrl}/${tenantId}/oauth2/v2.0/token`, { 'content-type': 'application/x-www-form-urlencoded' }, form).then((r) => {
        if (r.status !== 200) throw new Error(`history seed: token for ${tenantId} failed (${r.status})`);
        return String(r.json.access_token);
      });
      this.tokens.set(k, t);
    }
    return t;
  }

  async call(tenantId: string, method: string, path: string, apiVersion: string, body?: unknown, audience = 'https://management.azure.com'): Promise<Record<string, unknown>> {
    const token = await this.token(tenantId, audience);
    const url = `${this.core.baseUrl}${path}${path.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
    for (let attempt = 0; ; attempt++) {
      const r = await this.raw(method, url, { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
      if (r.status === 429 && attempt < 20) { await new Promise((res) => setTimeout(res, 200)); continue; }
      if (r.status >= 400) throw new Error(`history seed: ${method} ${path} -> ${r.status} ${JSON.stringify(r.json).slice(0, 400)}`);
      return r.json;
    }
  }

  /** PUT, then GET until provisioningState is terminal (the sandbox's long-running creates). */
  async put(tenantId: string, path: string, apiVersion: string, body: unknown): Promise<Record<string, unknown>> {
    let r = await this.call(tenantId, 'PUT', path, apiVersion, body);
    for (let i = 0; i < 200; i++) {
      const state = (r.properties as Record<string, unknown> | undefined)?.provisioningState;
      if (state === undefined || state === 'Succeeded') return r;
      if (state === 'Failed') throw new Error(`history seed: ${path} failed to provision`);
      await new Promise((res) => setTimeout(res, 20));
      r = await this.call(tenantId, 'GET', path, apiVersion);
    }
    throw new Error(`history seed: ${path} did not finish provisioning`);
  }
}

/** Runs `fn` over `items` with at most `n` at once. */
async function pool<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

interface Side {
  tenantId: string;
  subscriptionId: string;
  storage: string;
  account: string;
}

const short = (tenantId: string) => (tenantId === DEMO.contoso.tenantId ? 'contoso' : tenantId === DEMO.fabrikam.tenantId ? 'fabrikam' : HISTORY.externals.find((x) => x.tenantId === tenantId)?.displayName.toLowerCase() ?? 'tenant');

/** Builds the estate and its history once (a marker in the store says it is done). */
export async function seedHistory(core: SandboxCore, seed: 'history' | 'history-bench', secrets: Map<string, { clientId: string; secret: string; objectId: string }>): Promise<void> {
  if (core.store.get('meta', 'historySeed')) return;
  const layout = historyLayout(seed);
  const rest = new Rest(core, secrets);
  const now = core.now();
  const started = Date.now();

  // Every subscription taking part: providers' own, and one per consumer tenant.
  const consumerTenants = [DEMO.contoso.tenantId, DEMO.fabrikam.tenantId, ...HISTORY.externals.map((x) => x.tenantId)];
  const consumerSub = (t: string) => (t === DEMO.contoso.tenantId ? DEMO.contoso.subscriptionId : t === DEMO.fabrikam.tenantId ? DEMO.fabrikam.subscriptionId : HISTORY.externals.find((x) => x.tenantId === t)!.subscriptionId);
  const sideFor = new Map<string, Side>();
  const sides: Side[] = [];
  const addSide = (tenantId: string, subscriptionId: string) => {
    const k = subscriptionId.toLowerCase();
    if (sideFor.has(k)) return;
    const n = sides.length;
    const s = { tenantId, subscriptionId, storage: `${short(tenantId).slice(0, 10)}hist${n}`, account: `${short(tenantId)}-history-${n}` };
    sideFor.set(k, s);
    sides.push(s);
  };
  for (const p of layout.providers) addSide(p.tenantId, p.subscriptionId);
  for (const t of consumerTenants) addSide(t, consumerSub(t));

  await pool(sides, 8, async (s) => {
    const sub = `/subscriptions/${s.subscriptionId}`;
    for (const ns of ['Microsoft.Storage', 'Microsoft.DataShare', 'Microsoft.Purview']) await rest.call(s.tenantId, 'POST', `${sub}/providers/${ns}/register`, RES);
    await rest.call(s.tenantId, 'PUT', `${sub}/resourcegroups/${RG}`, RES, { location: LOCATION });
    await rest.put(s.tenantId, `${sub}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${s.storage}`, STORAGE, { location: LOCATION, kind: 'StorageV2', sku: { name: 'Standard_LRS' }, properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false } });
    await rest.put(s.tenantId, `${sub}/resourceGroups/${RG}/providers/Microsoft.DataShare/accounts/${s.account}`, DS, { location: LOCATION, identity: { type: 'SystemAssigned' } });
  });

  // The shares: each with a container data set, a daily schedule (a few hourly), and its consumers.
  interface Planned { provider: Side; shareName: string; index: number; consumers: string[]; hourly: boolean }
  const planned: Planned[] = [];
  for (const p of layout.providers) {
    const side = sideFor.get(p.subscriptionId.toLowerCase())!;
    const other = p.tenantId === DEMO.contoso.tenantId ? DEMO.fabrikam.tenantId : DEMO.contoso.tenantId;
    for (let i = 0; i < p.shares; i++) {
      const index = planned.filter((x) => x.provider.tenantId === p.tenantId).length;
      const ext = HISTORY.externals[index % HISTORY.externals.length].tenantId;
      const consumers = seed === 'history' ? (index === 0 ? [other, ext, HISTORY.externals[1].tenantId] : [index % 2 === 0 ? ext : other]) : [index % 3 === 2 ? ext : other];
      planned.push({ provider: side, shareName: `${short(p.tenantId)}-${['sales', 'customers', 'telemetry', 'finance', 'inventory', 'research'][index % 6]}-${String(index).padStart(2, '0')}`, index, consumers, hourly: seed === 'history' && index === 3 });
    }
  }

  interface Made { plan: Planned; shareId: string; container: string; ss: Array<{ tenantId: string; id: string; side: Side; container: string; name: string }> }
  const made: Made[] = [];
  await pool(planned, 8, async (pl) => {
    const s = pl.provider;
    const accountPath = `/subscriptions/${s.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DataShare/accounts/${s.account}`;
    const storagePath = `/subscriptions/${s.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${s.storage}`;
    const container = pl.shareName.replace(/[^a-z0-9-]/g, '').slice(0, 60);
    await rest.call(s.tenantId, 'PUT', `${storagePath}/blobServices/default/containers/${container}`, STORAGE, { properties: {} });
    const share = await rest.call(s.tenantId, 'PUT', `${accountPath}/shares/${pl.shareName}`, DS, { properties: { shareKind: 'CopyBased', description: `Seeded history share ${pl.index}` } });
    const ds = await rest.call(s.tenantId, 'PUT', `${accountPath}/shares/${pl.shareName}/dataSets/${container}`, DS, { kind: 'Container', properties: { containerName: container, resourceGroup: RG, storageAccountName: s.storage, subscriptionId: s.subscriptionId } });
    const dataSetId = String((ds.properties as Record<string, unknown>).dataSetId);
    await rest.call(s.tenantId, 'PUT', `${accountPath}/shares/${pl.shareName}/synchronizationSettings/schedule`, DS, { kind: 'ScheduleBased', properties: { recurrenceInterval: pl.hourly ? 'Hour' : 'Day', synchronizationTime: '2024-01-01T02:00:00Z' } });
    const m: Made = { plan: pl, shareId: String(share.id), container, ss: [] };
    for (const consumerTenant of pl.consumers) {
      const sp = secrets.get(consumerTenant)!;
      const cside = sideFor.get(consumerSub(consumerTenant).toLowerCase())!;
      const inv = await rest.call(s.tenantId, 'PUT', `${accountPath}/shares/${pl.shareName}/invitations/to-${short(consumerTenant)}`, DS, { properties: { targetActiveDirectoryId: consumerTenant, targetObjectId: sp.objectId } });
      const ip = inv.properties as Record<string, unknown>;
      const cAccount = `/subscriptions/${cside.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.DataShare/accounts/${cside.account}`;
      const ssName = `${pl.shareName}-from-${short(s.tenantId)}`;
      const ss = await rest.call(consumerTenant, 'PUT', `${cAccount}/shareSubscriptions/${ssName}`, DS, { properties: { invitationId: ip.invitationId, sourceShareLocation: LOCATION } });
      const cContainer = `recv-${container}`.slice(0, 60);
      await rest.call(consumerTenant, 'PUT', `/subscriptions/${cside.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${cside.storage}/blobServices/default/containers/${cContainer}`, STORAGE, { properties: {} });
      await rest.call(consumerTenant, 'PUT', `${cAccount}/shareSubscriptions/${ssName}/dataSetMappings/${container}`, DS, { kind: 'Container', properties: { containerName: cContainer, resourceGroup: RG, storageAccountName: cside.storage, subscriptionId: cside.subscriptionId, dataSetId } });
      m.ss.push({ tenantId: consumerTenant, id: String(ss.id), side: cside, container: cContainer, name: ssName });
    }
    made.push(m);
  });

  // A year of snapshots per share subscription, straight into the store.
  const tenantName = (t: string) => core.directory.tenants().find((x) => x.tenantId === t)?.displayName ?? t;
  const dayMs = 86_400_000;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let records = 0;
  for (const m of made) {
    const shareRec = core.store.get<{ internal: { uid: string } }>('resources', key(m.shareId));
    if (!shareRec) throw new Error(`history seed: share ${m.shareId} not stored`);
    // Shares 1 and 5 of each provider stopped snapshotting a few days ago (overdue against a daily schedule).
    const stoppedDaysAgo = m.plan.index === 1 ? 4 : m.plan.index === 5 ? 9 : 0;
    for (const ss of m.ss) {
      const growth = 1 + unit(ss.id) * 3;
      // One a day at about 02:00 UTC, today's too once its time has passed (a share that stopped: up to then).
      for (let d = layout.days; d >= (stoppedDaysAgo ? 1 + stoppedDaysAgo : 0); d--) {
        const seedKey = `${ss.id}|${d}`;
        const start = new Date(today - d * dayMs + 2 * 3_600_000 + Math.floor(unit(seedKey + 's') * 600_000));
        const durationMs = 20_000 + Math.floor(unit(seedKey + 'd') * 280_000);
        const end = new Date(start.getTime() + durationMs);
        if (end.getTime() > now.getTime()) continue;
        const failed = unit(seedKey + 'f') < (m.plan.index % 4 === 3 ? 0.12 : 0.03);
        const mode = d % 30 === 0 ? 'FullSync' : 'Incremental';
        const files = failed ? 0 : (mode === 'FullSync' ? 40 : 2) + Math.floor(unit(seedKey + 'n') * 8);
        const bytes = failed ? 0 : Math.floor(files * (120_000 + unit(seedKey + 'b') * 400_000) * growth * (1 + (layout.days - d) / layout.days));
        const synchronizationId = guidFrom(seedKey);
        const message = failed
          ? `The managed identity of Data Share account '${ss.side.account}' lacks the 'Storage Blob Data Contributor' role on scope '/subscriptions/${ss.side.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Storage/storageAccounts/${ss.side.storage}'. Assign that role to the account's managed identity on the target storage account, then synchronize again.`
          : `Copied ${files} file(s), ${bytes} byte(s), for 1 data set(s).`;
        const detail: DetailRecord = {
          dataSetId: guidFrom(`${m.shareId}|ds`), dataSetType: 'Container', dataSetName: m.container, mappingName: m.container,
          status: failed ? 'Failed' : 'Succeeded', startTime: start.toISOString(), endTime: end.toISOString(), durationMs,
          filesRead: files, filesWritten: files, sizeRead: bytes, sizeWritten: bytes, message,
          ...(failed ? { errorCode: 'TargetStoragePermissionDenied' } : {}),
        };
        const rec: SyncRecord = {
          key: key(`${ss.id}/synchronizations/${synchronizationId}`), synchronizationId, shareSubscriptionId: ss.id,
          providerShareId: m.shareId, providerShareUid: shareRec.internal.uid,
          consumerName: `${tenantName(ss.tenantId).toLowerCase()}-automation`, consumerEmail: '', consumerTenantName: tenantName(ss.tenantId),
          status: failed ? 'Failed' : 'Succeeded', startTime: start.toISOString(), endTime: end.toISOString(), durationMs, message,
          synchronizationMode: mode, initiatedBy: 'Scheduled:daily', ...(failed ? { errorCode: 'TargetStoragePermissionDenied' } : {}),
          details: [detail],
        };
        core.store.put(SYNCS, rec.key, rec);
        records++;
      }
    }
  }
  await core.store.commit();

  // Purview in each demo tenant: the shared containers as assets (some classified) and, for every
  // other share, the cross-tenant snapshot process the recipe's lineage step records.
  for (const t of [DEMO.contoso, DEMO.fabrikam]) {
    const purviewName = `${short(t.tenantId)}-history-pv`;
    await rest.put(t.tenantId, `/subscriptions/${t.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Purview/accounts/${purviewName}`, PURVIEW_ARM, { location: LOCATION, identity: { type: 'SystemAssigned' }, properties: {} });
    const pv = `/purview/${purviewName}/datamap/api/atlas/v2`;
    const aud = 'https://purview.azure.net';
    await rest.call(t.tenantId, 'POST', `${pv}/types/typedefs`, ATLAS, {
      entityDefs: [{
        name: SNAPSHOT_PROCESS_TYPE, superTypes: ['Process'], serviceType: 'Azure Data Share', typeVersion: '1.0',
        attributeDefs: ['providerTenantId', 'consumerTenantId', 'providerAccountName', 'shareName', 'consumerAccountName', 'shareSubscriptionName', 'dataSetName', 'synchronizationId', 'synchronizationMode', 'synchronizationStatus', 'snapshotTime']
          .map((name) => ({ name, typeName: 'string', isOptional: true, cardinality: 'SINGLE', isUnique: false, isIndexable: true })),
      }],
    }, aud);
    const mine = made.filter((m) => m.plan.provider.tenantId === t.tenantId);
    const qn = (account: string, container: string) => `https://${account}.blob.core.windows.net/${container}`;
    const assets: Record<string, unknown>[] = [];
    for (const m of mine) {
      const i = m.plan.index;
      const cls = i % 3 === 0 ? [CLASSIFICATIONS[0]] : i % 5 === 1 ? [CLASSIFICATIONS[1], CLASSIFICATIONS[2]] : i % 3 === 1 ? [CLASSIFICATIONS[2]] : [];
      assets.push({ typeName: 'azure_blob_container', attributes: { qualifiedName: qn(m.plan.provider.storage, m.container), name: m.container }, classifications: cls.map((typeName) => ({ typeName })) });
      if (i % 2 === 0) for (const ss of m.ss) assets.push({ typeName: 'azure_blob_container', attributes: { qualifiedName: qn(ss.side.storage, ss.container), name: ss.container, description: `In tenant ${tenantName(ss.tenantId)} (shared through Azure Data Share)` } });
    }
    for (let i = 0; i < assets.length; i += 200) await rest.call(t.tenantId, 'POST', `${pv}/entity/bulk`, ATLAS, { entities: assets.slice(i, i + 200) }, aud);
    const processes: Record<string, unknown>[] = [];
    for (const m of mine.filter((x) => x.plan.index % 2 === 0)) {
      for (const ss of m.ss) {
        const attrs = [t.tenantId, m.plan.provider.account, m.plan.shareName, ss.tenantId, ss.side.account, ss.name, m.container];
        processes.push({
          typeName: SNAPSHOT_PROCESS_TYPE,
          attributes: {
            qualifiedName: `datashare://${attrs.map((s) => encodeURIComponent(s.toLowerCase())).join('/')}`,
            name: `${m.plan.shareName} → ${ss.name} (${m.container})`,
            providerTenantId: t.tenantId, consumerTenantId: ss.tenantId, providerAccountName: m.plan.provider.account, shareName: m.plan.shareName,
            consumerAccountName: ss.side.account, shareSubscriptionName: ss.name, dataSetName: m.container,
            synchronizationMode: 'Incremental', synchronizationStatus: 'Succeeded', snapshotTime: new Date(today - dayMs).toISOString(),
            inputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: qn(m.plan.provider.storage, m.container) } }],
            outputs: [{ typeName: 'azure_blob_container', uniqueAttributes: { qualifiedName: qn(ss.side.storage, ss.container) } }],
          },
        });
      }
    }
    for (let i = 0; i < processes.length; i += 200) await rest.call(t.tenantId, 'POST', `${pv}/entity/bulk`, ATLAS, { entities: processes.slice(i, i + 200) }, aud);
  }
  core.store.put('meta', 'historySeed', { seed, shares: made.length, synchronizations: records, at: now.toISOString() });
  await core.store.commit();
  // The records were written straight into the store: build the histories' views, as the data
  // provider does at start (reading every record once through the frozen cache).
  warmHistoryViews(core.context);
  core.log(`history seed: ${made.length} shares, ${made.reduce((n, m) => n + m.ss.length, 0)} share subscriptions, ${records} snapshots in ${Date.now() - started} ms`);
}
