/**
 * Reads what the builder needs through the typed clients: each tenant's Data Share facts and the
 * Atlas lineage of each tenant's Purview accounts, per tenant in parallel, following the depth
 * and direction asked for, and more on demand (`expand(nodeId)`). Nothing is read whole: the
 * lineage calls are bounded by depth, and a node's further neighbours wait for an expand.
 * One tenant failing (no access, throttled) leaves the others' part of the graph intact; the
 * failure is reported in `warnings`.
 */
import type { AzureClients } from '../azure/factory';
import type { AtlasEntity, AtlasLineageInfo, LineageDirection } from '../azure/purview/datamapModels';
import { buildLineageGraph, storageQualifiedName, type CatalogLineage, type DataShareFacts, type ShareFact, type StorageFact, type SubscriptionFact } from './builder';
import type { LineageDirectionChoice, LineageGraph, LineageTenant } from './model';
import { SNAPSHOT_PROCESS_TYPE } from './snapshotProcess';

export interface TenantAccess {
  tenant: LineageTenant;
  subscriptionIds: string[];
  clients(): Promise<AzureClients>;
}

/** Where the graph starts. */
export type LineageStart =
  | { kind: 'share'; tenantId: string; subscriptionId: string; resourceGroup: string; accountName: string; shareName: string }
  | { kind: 'received'; tenantId: string; subscriptionId: string; resourceGroup: string; accountName: string; shareSubscriptionName: string }
  | { kind: 'asset'; tenantId: string; qualifiedName: string; typeName?: string; account?: string; guid?: string };

export interface FetchOptions {
  direction: LineageDirectionChoice;
  depth: number;
  abortSignal?: AbortSignal;
}

const ATLAS_DIRECTION: Record<LineageDirectionChoice, LineageDirection> = { upstream: 'INPUT', downstream: 'OUTPUT', both: 'BOTH' };
const CANDIDATE_TYPES = ['azure_blob_path', 'azure_blob_container', 'azure_datalake_gen2_path', 'azure_datalake_gen2_filesystem', 'azure_blob_resource_set'];

interface Catalog { tenantId: string; account: string; responses: AtlasLineageInfo[]; entities: Record<string, AtlasEntity>; seen: Set<string> }

/** Dataset-to-dataset hops from the roots (a process, snapshot or share is crossed, not counted). */
function hopsFromRoots(graph: LineageGraph): Map<string, number> {
  const adj = new Map<string, string[]>();
  for (const e of graph.edges) {
    (adj.get(e.from) ?? adj.set(e.from, []).get(e.from)!).push(e.to);
    (adj.get(e.to) ?? adj.set(e.to, []).get(e.to)!).push(e.from);
  }
  const kind = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const dist = new Map<string, number>();
  const queue: string[] = [];
  for (const r of graph.rootIds) { dist.set(r, 0); queue.push(r); }
  // 0-1 BFS: stepping onto a process-like node costs nothing, onto an asset one hop.
  while (queue.length) {
    const id = queue.shift()!;
    const d = dist.get(id)!;
    for (const next of adj.get(id) ?? []) {
      const k = kind.get(next);
      const nd = d + (k === 'process' || k === 'snapshot' || k === 'share' ? 0 : 1);
      if (nd < (dist.get(next) ?? Infinity)) {
        dist.set(next, nd);
        if (nd === d) queue.unshift(next); else queue.push(next);
      }
    }
  }
  return dist;
}

function typeForKind(kind: string): string[] {
  if (/^container$/i.test(kind)) return ['azure_blob_container'];
  if (/^(blob|blobfolder)$/i.test(kind)) return ['azure_blob_path', 'azure_blob_resource_set'];
  if (/^adlsgen2filesystem$/i.test(kind)) return ['azure_datalake_gen2_filesystem'];
  if (/^adlsgen2/i.test(kind)) return ['azure_datalake_gen2_path', 'azure_datalake_gen2_resource_set'];
  return CANDIDATE_TYPES;
}

function storageOf(kind: string, p: Record<string, unknown> | undefined): StorageFact {
  const s = (k: string) => (typeof p?.[k] === 'string' ? (p[k] as string) : undefined);
  return { kind, storageAccountName: s('storageAccountName'), container: s('containerName') ?? s('fileSystem'), path: s('prefix') ?? s('filePath') ?? s('folderPath') };
}

export class LineageFetcher {
  private readonly catalogs = new Map<string, Catalog>();
  private accounts: Promise<Array<{ tenantId: string; account: string }>> | undefined;
  private factsLoading: Promise<DataShareFacts> | undefined;
  private facts: DataShareFacts = { shares: [], subscriptions: [] };
  private roots: string[] = [];
  private current: LineageGraph | undefined;
  private options: FetchOptions = { direction: 'both', depth: 3 };
  /** What failed, per tenant, in a form a person can read (no secrets: messages only). */
  readonly warnings: string[] = [];

  constructor(private readonly tenants: TenantAccess[]) {}

  graph(): LineageGraph | undefined { return this.current; }

  /** Reads the lineage around `start` (depth and direction as asked) and builds the graph. */
  async load(start: LineageStart, options: FetchOptions): Promise<LineageGraph> {
    this.options = options;
    this.catalogs.clear();
    const facts = await this.loadFacts();
    const starts = this.startPoints(start, facts);
    this.roots = starts.map((s) => s.qualifiedName);
    await this.readAround(starts, options.depth, ATLAS_DIRECTION[options.direction], options.abortSignal);
    return this.rebuild();
  }

  /** Same start, another depth or direction. */
  async reload(options: FetchOptions): Promise<LineageGraph> {
    this.options = options;
    const starts = this.roots.map((qualifiedName) => ({ qualifiedName, types: CANDIDATE_TYPES }));
    this.catalogs.clear();
    await this.readAround(starts, options.depth, ATLAS_DIRECTION[options.direction], options.abortSignal);
    return this.rebuild();
  }

  /** Reads one more level around a node, in every catalog that knows it (or its qualifiedName). */
  async expand(nodeId: string, abortSignal?: AbortSignal): Promise<LineageGraph> {
    const node = this.current?.nodes.find((n) => n.id === nodeId);
    if (!node) throw new Error(`No node ${nodeId} in the graph.`);
    const direction = ATLAS_DIRECTION[this.options.direction];
    const tasks: Array<Promise<void>> = [];
    for (const ref of node.refs) {
      tasks.push(this.lineageByGuid(ref.tenantId, ref.account, ref.guid, 1, direction, abortSignal));
    }
    if (node.qualifiedName) {
      const known = new Set(node.refs.map((r) => `${r.tenantId}|${r.account}`));
      const accounts = (await this.purviewAccounts()).filter((a) => !known.has(`${a.tenantId}|${a.account}`));
      for (const a of accounts) tasks.push(this.lineageByName(a.tenantId, a.account, node.qualifiedName, [node.typeName, ...CANDIDATE_TYPES], 1, direction, abortSignal));
    }
    await Promise.all(tasks);
    return this.rebuild();
  }

  private rebuild(): LineageGraph {
    const catalogs: CatalogLineage[] = [...this.catalogs.values()].map((c) => ({ tenantId: c.tenantId, account: c.account, responses: c.responses, entities: c.entities }));
    this.current = buildLineageGraph({ tenants: this.tenants.map((t) => t.tenant), catalogs, facts: this.facts, roots: this.roots });
    return this.current;
  }

  private startPoints(start: LineageStart, facts: DataShareFacts): Array<{ qualifiedName: string; types: string[] }> {
    const out: Array<{ qualifiedName: string; types: string[] }> = [];
    const add = (s: StorageFact) => { const qn = storageQualifiedName(s); if (qn && !out.some((o) => o.qualifiedName === qn)) out.push({ qualifiedName: qn, types: typeForKind(s.kind) }); };
    if (start.kind === 'asset') return [{ qualifiedName: start.qualifiedName, types: start.typeName ? [start.typeName, ...CANDIDATE_TYPES] : CANDIDATE_TYPES }];
    if (start.kind === 'share') {
      const share = facts.shares.find((s) => s.tenantId === start.tenantId && s.accountName.toLowerCase() === start.accountName.toLowerCase() && s.shareName.toLowerCase() === start.shareName.toLowerCase());
      for (const d of share?.dataSets ?? []) add(d);
      const tenantName = this.tenants.find((t) => t.tenant.tenantId === start.tenantId)?.tenant.displayName;
      for (const sub of facts.subscriptions) {
        const sameProvider = sub.providerTenantId === start.tenantId || (tenantName && sub.providerTenantName?.toLowerCase() === tenantName.toLowerCase());
        if (sameProvider && sub.shareName.toLowerCase() === start.shareName.toLowerCase()) for (const m of sub.mappings) add(m);
      }
      return out;
    }
    const sub = facts.subscriptions.find((s) => s.tenantId === start.tenantId && s.accountName.toLowerCase() === start.accountName.toLowerCase() && s.name.toLowerCase() === start.shareSubscriptionName.toLowerCase());
    for (const m of sub?.mappings ?? []) add(m);
    const share = sub && facts.shares.find((s) => s.shareName.toLowerCase() === sub.shareName.toLowerCase() && (s.tenantId === sub.providerTenantId || this.tenants.find((t) => t.tenant.tenantId === s.tenantId)?.tenant.displayName.toLowerCase() === sub.providerTenantName?.toLowerCase()));
    for (const d of share?.dataSets ?? []) if (sub?.mappings.some((m) => m.dataSetId === d.dataSetId)) add(d);
    return out;
  }

  /**
   * Each start point, in every tenant's every Purview account, in parallel; then across the tenant
   * boundary: an asset the graph knows only as another catalog's stub is read in its own tenant's
   * catalogs with the depth that is left (a few rounds at most).
   */
  private async readAround(starts: Array<{ qualifiedName: string; types: string[] }>, depth: number, direction: LineageDirection, signal?: AbortSignal): Promise<void> {
    const accounts = await this.purviewAccounts();
    await Promise.all(accounts.flatMap((a) => starts.map((s) => this.lineageByName(a.tenantId, a.account, s.qualifiedName, s.types, depth, direction, signal))));
    const asked = new Set(starts.map((s) => s.qualifiedName.toLowerCase()));
    for (let round = 0; round < 4; round++) {
      const graph = this.rebuild();
      const dist = hopsFromRoots(graph);
      const next: Array<Promise<void>> = [];
      for (const n of graph.nodes) {
        if (!n.inferred || !n.qualifiedName || n.kind === 'share' || n.kind === 'snapshot' || n.kind === 'process') continue;
        const qn = n.qualifiedName.toLowerCase();
        const left = depth - (dist.get(n.id) ?? depth);
        if (asked.has(qn) || left <= 0) continue;
        asked.add(qn);
        for (const a of accounts.filter((x) => x.tenantId === n.tenantId)) next.push(this.lineageByName(a.tenantId, a.account, n.qualifiedName, [n.typeName, ...CANDIDATE_TYPES], left, direction, signal));
      }
      if (!next.length) break;
      await Promise.all(next);
    }
  }

  private catalog(tenantId: string, account: string): Catalog {
    const key = `${tenantId}|${account}`;
    let c = this.catalogs.get(key);
    if (!c) { c = { tenantId, account, responses: [], entities: {}, seen: new Set() }; this.catalogs.set(key, c); }
    return c;
  }

  private async lineageByName(tenantId: string, account: string, qualifiedName: string, types: string[], depth: number, direction: LineageDirection, signal?: AbortSignal): Promise<void> {
    try {
      const plane = (await this.clientsOf(tenantId)).purviewDataPlane(account);
      for (const typeName of [...new Set(types)]) {
        let info: AtlasLineageInfo;
        try {
          info = await plane.dataMap.lineage.getByUniqueAttribute(typeName, qualifiedName, { direction, depth, abortSignal: signal });
        } catch (e) {
          if ((e as { statusCode?: number }).statusCode === 404 || (e as { status?: number }).status === 404) continue;
          throw e;
        }
        await this.record(tenantId, account, info, signal);
        return;
      }
    } catch (e) {
      this.warn(tenantId, e);
    }
  }

  private async lineageByGuid(tenantId: string, account: string, guid: string, depth: number, direction: LineageDirection, signal?: AbortSignal): Promise<void> {
    try {
      const plane = (await this.clientsOf(tenantId)).purviewDataPlane(account);
      await this.record(tenantId, account, await plane.dataMap.lineage.get(guid, { direction, depth, abortSignal: signal }), signal);
    } catch (e) {
      this.warn(tenantId, e);
    }
  }

  /** Keeps a response and reads the snapshot processes' attributes (the lineage header leaves them out). */
  private async record(tenantId: string, account: string, info: AtlasLineageInfo, signal?: AbortSignal): Promise<void> {
    const c = this.catalog(tenantId, account);
    c.responses.push(info);
    const wanted = Object.entries(info.guidEntityMap ?? {}).filter(([guid, h]) => h.typeName === SNAPSHOT_PROCESS_TYPE && !c.seen.has(guid)).map(([guid]) => guid);
    if (!wanted.length) return;
    wanted.forEach((g) => c.seen.add(g));
    const plane = (await this.clientsOf(tenantId)).purviewDataPlane(account);
    const { entities } = await plane.dataMap.entities.listByGuids(wanted, { minExtInfo: true, abortSignal: signal });
    for (const e of entities ?? []) if (e.guid) c.entities[e.guid] = e;
  }

  private warn(tenantId: string, e: unknown): void {
    const name = this.tenants.find((t) => t.tenant.tenantId === tenantId)?.tenant.displayName ?? tenantId;
    const msg = `${name}: ${e instanceof Error ? e.message : String(e)}`;
    if (!this.warnings.includes(msg)) this.warnings.push(msg);
  }

  private clientsOf(tenantId: string): Promise<AzureClients> {
    const t = this.tenants.find((x) => x.tenant.tenantId === tenantId);
    if (!t) throw new Error(`Tenant ${tenantId} is not connected.`);
    return t.clients();
  }

  /** Every Purview account each tenant can see (ARM), listed once per fetcher. */
  purviewAccounts(): Promise<Array<{ tenantId: string; account: string }>> {
    this.accounts ??= Promise.all(this.tenants.map(async (t) => {
      try {
        const clients = await t.clients();
        const lists = await Promise.all(t.subscriptionIds.map((s) => clients.purview(s).accounts.list().collect({ max: 100 })));
        return lists.flatMap((l) => l.items).filter((a) => a.name).map((a) => ({ tenantId: t.tenant.tenantId, account: a.name! }));
      } catch (e) {
        this.warn(t.tenant.tenantId, e);
        return [];
      }
    })).then((all) => all.flat());
    return this.accounts;
  }

  /** Each tenant's Data Share facts: sent shares with data sets and synchronizations, received shares with mappings and synchronizations. */
  loadFacts(): Promise<DataShareFacts> {
    this.factsLoading ??= Promise.all(this.tenants.map((t) => this.tenantFacts(t))).then((parts) => {
      this.facts = { shares: parts.flatMap((p) => p.shares), subscriptions: parts.flatMap((p) => p.subscriptions) };
      return this.facts;
    });
    return this.factsLoading;
  }

  private async tenantFacts(t: TenantAccess): Promise<DataShareFacts> {
    const out: DataShareFacts = { shares: [], subscriptions: [] };
    try {
      const ds = (await t.clients()).dataShare;
      const tenantId = t.tenant.tenantId;
      await Promise.all(t.subscriptionIds.map(async (subscriptionId) => {
        const { items: accounts } = await ds.accounts.listBySubscription(subscriptionId).collect({ max: 200 });
        await Promise.all(accounts.map(async (a) => {
          const resourceGroupName = /\/resourceGroups\/([^/]+)/i.exec(a.id ?? '')?.[1] ?? '';
          const ref = { subscriptionId, resourceGroupName, accountName: a.name ?? '' };
          const [shares, subs] = await Promise.all([ds.shares.listByAccount(ref).collect({ max: 200 }), ds.shareSubscriptions.listByAccount(ref).collect({ max: 200 })]);
          await Promise.all(shares.items.map(async (s) => {
            const shareRef = { ...ref, shareName: s.name ?? '' };
            const [sets, syncs] = await Promise.all([ds.dataSets.listByShare(shareRef).collect({ max: 500 }), ds.shares.listSynchronizations(shareRef).collect({ max: 50 }).catch(() => ({ items: [] }))]);
            const share: ShareFact = {
              id: s.id, tenantId, accountName: ref.accountName, shareName: shareRef.shareName,
              dataSets: sets.items.map((d) => {
                const x = d as unknown as { kind: string; name?: string; properties?: Record<string, unknown> };
                return { ...storageOf(x.kind, x.properties), dataSetId: String(x.properties?.dataSetId ?? x.name ?? ''), name: x.name ?? '' };
              }),
              synchronizations: syncs.items.map((y) => ({ synchronizationId: y.synchronizationId, mode: y.synchronizationMode, status: y.status, startTime: y.startTime, endTime: y.endTime })),
            };
            out.shares.push(share);
          }));
          await Promise.all(subs.items.map(async (s) => {
            const subRef = { ...ref, shareSubscriptionName: s.name ?? '' };
            const [sources, mappings, syncs] = await Promise.all([
              ds.consumerSourceDataSets.listByShareSubscription(subRef).collect({ max: 500 }),
              ds.dataSetMappings.listByShareSubscription(subRef).collect({ max: 500 }),
              ds.shareSubscriptions.listSynchronizations(subRef).collect({ max: 50 }),
            ]);
            const fact: SubscriptionFact = {
              id: s.id, tenantId, accountName: ref.accountName, name: subRef.shareSubscriptionName, shareName: s.properties?.shareName ?? '',
              providerTenantName: s.properties?.providerTenantName, status: s.properties?.shareSubscriptionStatus,
              sourceDataSets: sources.items.map((c) => ({ dataSetId: c.properties?.dataSetId ?? '', dataSetName: c.properties?.dataSetName, dataSetPath: c.properties?.dataSetPath, dataSetType: c.properties?.dataSetType })),
              mappings: mappings.items.map((m) => {
                const x = m as unknown as { kind: string; properties?: Record<string, unknown> };
                return { ...storageOf(x.kind, x.properties), dataSetId: String(x.properties?.dataSetId ?? ''), status: x.properties?.dataSetMappingStatus as string | undefined };
              }),
              synchronizations: syncs.items.map((y) => ({ synchronizationId: y.synchronizationId, mode: y.synchronizationMode, status: y.status, startTime: y.startTime, endTime: y.endTime })),
            };
            out.subscriptions.push(fact);
          }));
        }));
      }));
    } catch (e) {
      this.warn(t.tenant.tenantId, e);
    }
    return out;
  }
}
