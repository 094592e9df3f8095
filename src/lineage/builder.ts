/**
 * The pure cross-tenant lineage builder: plain Atlas lineage responses (per tenant catalog) plus
 * Data Share facts in, one graph out. No I/O, so it is tested on crafted inputs.
 *
 * Identity: an asset is the same node in every catalog when its qualifiedName is the same
 * (Purview's canonical `https://{account}.blob.core.windows.net/{container}/{path}`); a snapshot
 * process is the same node when it is for the same (consumer tenant, account, share subscription,
 * dataset). Ownership: a storage account belongs to the tenant the Data Share facts place it in
 * (provider data sets, consumer mappings), else to the side of the snapshot process it is on,
 * else to the catalog it was read from. A node not read from its own tenant's catalog (a stub in
 * the other catalog, or known from Data Share facts only) is marked `inferred`.
 */
import type { AtlasEntity, AtlasEntityHeader, AtlasLineageInfo } from '../azure/purview/datamapModels';
import type { CatalogRef, LastSnapshot, LineageEdge, LineageGraph, LineageNode, LineageNodeKind, LineageTenant } from './model';
import { blobQualifiedName, parseBlobQualifiedName, SNAPSHOT_PROCESS_TYPE } from './snapshotProcess';

/** What one tenant's Purview account said. */
export interface CatalogLineage {
  tenantId: string;
  /** Purview account name. */
  account: string;
  responses: AtlasLineageInfo[];
  /** Full entities by GUID (snapshot processes: the lineage header omits their attributes). */
  entities?: Record<string, AtlasEntity>;
}

export interface SyncFact {
  synchronizationId?: string;
  mode?: string;
  status?: string;
  startTime?: string;
  endTime?: string;
}

/** Where a data set or mapping points: Data Share kinds (Container, BlobFolder, Blob, AdlsGen2*). */
export interface StorageFact {
  kind: string;
  storageAccountName?: string;
  /** Container or file system. */
  container?: string;
  /** Folder prefix or file path. */
  path?: string;
}

export interface DataSetFact extends StorageFact {
  dataSetId: string;
  name: string;
}

/** A provider's sent share, read in the provider tenant. */
export interface ShareFact {
  /** ARM id of the share. */
  id?: string;
  tenantId: string;
  accountName: string;
  shareName: string;
  dataSets: DataSetFact[];
  synchronizations?: SyncFact[];
}

/** A consumer's share subscription (received share), read in the consumer tenant. */
export interface SubscriptionFact {
  /** ARM id of the share subscription. */
  id?: string;
  tenantId: string;
  accountName: string;
  name: string;
  shareName: string;
  providerTenantId?: string;
  providerTenantName?: string;
  status?: string;
  sourceDataSets: Array<{ dataSetId: string; dataSetName?: string; dataSetPath?: string; dataSetType?: string }>;
  mappings: Array<StorageFact & { dataSetId: string; status?: string }>;
  synchronizations: SyncFact[];
}

export interface DataShareFacts {
  shares: ShareFact[];
  subscriptions: SubscriptionFact[];
}

export interface BuildInput {
  tenants: LineageTenant[];
  catalogs: CatalogLineage[];
  facts?: DataShareFacts;
  /** qualifiedNames (or node ids) the graph was started from. */
  roots?: string[];
  /** Keep entities with status DELETED (marked `deleted`); default: leave them out. */
  includeDeleted?: boolean;
}

interface Observation { tenantId: string; header: AtlasEntityHeader; entity?: AtlasEntity; account: string }

interface NodeDraft extends LineageNode {
  observedIn: Set<string>;
  active: boolean;
  degreeIn: number;
  degreeOut: number;
  /** Process side hints: tenant the process says owns this asset. */
  roleTenant?: string;
}

const lower = (s: string) => s.toLowerCase();

export function assetId(qualifiedName: string): string { return `a:${lower(qualifiedName)}`; }
export function snapshotId(consumerTenantId: string, consumerAccount: string, shareSubscription: string, dataSet: string): string {
  return `s:${[consumerTenantId, consumerAccount, shareSubscription, dataSet].map(lower).join('/')}`;
}
export function shareId(providerTenantId: string, providerAccount: string | undefined, shareName: string): string {
  return `share:${[providerTenantId, providerAccount ?? '*', shareName].map(lower).join('/')}`;
}

/** Canonical qualifiedName of a Data Share data set or mapping target (blob or ADLS Gen2). */
export function storageQualifiedName(f: StorageFact): string | undefined {
  if (!f.storageAccountName || !f.container) return undefined;
  if (/^adlsgen2/i.test(f.kind)) {
    const p = (f.path ?? '').replace(/^\/+|\/+$/g, '');
    return `https://${lower(f.storageAccountName)}.dfs.core.windows.net/${f.container}${p ? `/${p}` : ''}`;
  }
  return blobQualifiedName(f.storageAccountName, f.container, f.path);
}

function storageAccountOf(qualifiedName: string | undefined): string | undefined {
  if (!qualifiedName) return undefined;
  const blob = parseBlobQualifiedName(qualifiedName)?.storageAccountName;
  if (blob) return blob;
  return /^https:\/\/([a-z0-9]{3,24})\.dfs\.core\.windows\.net\//i.exec(qualifiedName)?.[1]?.toLowerCase();
}

function kindOf(typeName: string, qualifiedName: string | undefined, attributes: Record<string, unknown> | undefined): LineageNodeKind {
  const t = lower(typeName);
  if (t === SNAPSHOT_PROCESS_TYPE) return 'snapshot';
  if (t === 'process' || t.includes('process') || t.includes('pipeline') || t.includes('activity') || t.includes('copy')) return 'process';
  if (t.includes('container') || t.includes('filesystem')) return 'container';
  if (t.includes('path') || t.includes('resource_set') || t.includes('folder') || t.includes('file') || t.includes('blob')) {
    if (attributes?.isFile === false || /\/$/.test(qualifiedName ?? '') || t.includes('folder')) return 'folder';
    if (attributes?.isFile === true) return 'file';
    const last = (qualifiedName ?? '').split('/').pop() ?? '';
    return last.includes('.') || t.includes('resource_set') ? 'file' : 'folder';
  }
  return 'asset';
}

function kindOfFact(kind: string): LineageNodeKind {
  if (/container|filesystem/i.test(kind)) return 'container';
  if (/folder/i.test(kind)) return 'folder';
  if (/blob|file/i.test(kind)) return 'file';
  return 'asset';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function timeOf(s: LastSnapshot | SyncFact | undefined): number {
  const t = Date.parse((s as SyncFact | undefined)?.endTime ?? (s as SyncFact | undefined)?.startTime ?? (s as LastSnapshot | undefined)?.time ?? '');
  return Number.isNaN(t) ? -Infinity : t;
}

function latest(syncs: SyncFact[] | undefined): LastSnapshot | undefined {
  let best: SyncFact | undefined;
  for (const s of syncs ?? []) if (!best || timeOf(s) > timeOf(best)) best = s;
  return best ? { time: best.endTime ?? best.startTime, mode: best.mode, status: best.status, synchronizationId: best.synchronizationId } : undefined;
}

function newer(a: LastSnapshot | undefined, b: LastSnapshot | undefined): LastSnapshot | undefined {
  if (!a) return b;
  if (!b) return a;
  return timeOf(b) > timeOf(a) ? b : a;
}

/** Snapshot-process attributes read from a header and/or the full entity. */
function snapshotAttributes(o: Observation): Record<string, string> {
  const out: Record<string, string> = {};
  for (const src of [o.header.attributes, o.entity?.attributes]) {
    for (const [k, v] of Object.entries(src ?? {})) if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function buildLineageGraph(input: BuildInput): LineageGraph {
  const tenants = new Map<string, LineageTenant>(input.tenants.map((t) => [t.tenantId, { ...t }]));
  const tenantByName = (name: string | undefined) => (name ? [...tenants.values()].find((t) => lower(t.displayName) === lower(name)) : undefined);
  const ensureTenant = (tenantId: string, displayName?: string): string => {
    if (!tenants.has(tenantId)) tenants.set(tenantId, { tenantId, displayName: displayName ?? tenantId, role: 'other' });
    return tenantId;
  };
  const setRole = (tenantId: string, role: 'provider' | 'consumer') => {
    const t = tenants.get(tenantId);
    if (t && (!t.role || t.role === 'other')) t.role = role;
  };

  // 1. Ownership of storage accounts from the Data Share facts.
  const storageOwner = new Map<string, string>();
  const facts = input.facts ?? { shares: [], subscriptions: [] };
  for (const s of facts.shares) {
    setRole(ensureTenant(s.tenantId), 'provider');
    for (const d of s.dataSets) if (d.storageAccountName) storageOwner.set(lower(d.storageAccountName), s.tenantId);
  }
  for (const sub of facts.subscriptions) {
    setRole(ensureTenant(sub.tenantId), 'consumer');
    for (const m of sub.mappings) if (m.storageAccountName) storageOwner.set(lower(m.storageAccountName), sub.tenantId);
  }

  // 2. Observations: every entity header of every response, by catalog, merged per node id.
  const nodes = new Map<string, NodeDraft>();
  const guidToNode = new Map<string, string | null>(); // `${tenant}|${account}|${guid}` -> node id (null: left out)
  const edges = new Map<string, LineageEdge & { observed: boolean }>();
  const snapshotInfo = new Map<string, { provider?: string; consumer?: string; attrs: Record<string, string> }>();

  const nodeIdFor = (o: Observation): string => {
    const typeName = o.header.typeName ?? 'DataSet';
    const qn = str(o.header.attributes?.qualifiedName) ?? str(o.entity?.attributes?.qualifiedName);
    if (lower(typeName) === SNAPSHOT_PROCESS_TYPE) {
      const a = snapshotAttributes(o);
      if (a.consumerTenantId && a.consumerAccountName && a.shareSubscriptionName && a.dataSetName) {
        return snapshotId(a.consumerTenantId, a.consumerAccountName, a.shareSubscriptionName, a.dataSetName);
      }
      return `p:${lower(qn ?? `${o.tenantId}/${o.header.guid}`)}`;
    }
    const kind = kindOf(typeName, qn, o.header.attributes);
    if (!qn) return `g:${lower(o.tenantId)}/${o.header.guid}`;
    return kind === 'process' ? `p:${lower(qn)}` : assetId(qn);
  };

  const observe = (o: Observation): string | null => {
    const key = `${o.tenantId}|${o.account}|${o.header.guid}`;
    if (guidToNode.has(key)) return guidToNode.get(key)!;
    const id = nodeIdFor(o);
    const active = o.header.status !== 'DELETED' && o.entity?.status !== 'DELETED';
    const typeName = o.header.typeName ?? 'DataSet';
    const qn = str(o.header.attributes?.qualifiedName) ?? str(o.entity?.attributes?.qualifiedName);
    const attributes = { ...(o.header.attributes ?? {}), ...(o.entity?.attributes ?? {}) } as Record<string, unknown>;
    let n = nodes.get(id);
    if (!n) {
      n = {
        id, kind: kindOf(typeName, qn, attributes), label: str(attributes.name) ?? o.header.displayText ?? qn ?? o.header.guid ?? id,
        typeName, qualifiedName: qn, tenantId: o.tenantId, classifications: [], refs: [], observedIn: new Set(), active: false, degreeIn: 0, degreeOut: 0,
      };
      nodes.set(id, n);
    }
    n.observedIn.add(o.tenantId);
    n.active ||= active;
    const owner = str(attributes.owner);
    if (owner && !n.owner) n.owner = owner;
    for (const c of [...(o.header.classificationNames ?? []), ...(o.header.classifications ?? []).map((c) => c.typeName ?? ''), ...(o.entity?.classifications ?? []).map((c) => c.typeName ?? '')]) {
      if (c && !n.classifications.includes(c)) n.classifications.push(c);
    }
    // The data-quality outcome the governance gate records as a label on the asset (the asset's own tenant wins).
    const quality = [...(o.header.labels ?? []), ...(o.entity?.labels ?? [])].map((l) => /^DataQuality_(Pass|Warn|Fail)$/.exec(l)?.[1]).find(Boolean) as LineageNode['quality'];
    if (quality && (!n.quality || o.tenantId === n.tenantId)) n.quality = quality;
    if (o.header.guid && !n.refs.some((r) => r.tenantId === o.tenantId && r.account === o.account && r.guid === o.header.guid)) {
      n.refs.push({ tenantId: o.tenantId, account: o.account, guid: o.header.guid, typeName });
    }
    if (n.kind === 'snapshot') {
      const a = snapshotAttributes(o);
      const info = snapshotInfo.get(id) ?? { attrs: {} };
      for (const [k, v] of Object.entries(a)) info.attrs[k] ??= v;
      snapshotInfo.set(id, info);
    }
    guidToNode.set(key, id);
    return id;
  };

  const addEdge = (from: string, to: string, kind: LineageEdge['kind'], observed: boolean): LineageEdge & { observed: boolean } => {
    const id = `${from}>${to}`;
    let e = edges.get(id);
    if (!e) {
      e = { id, from, to, kind, crossTenant: false, observed };
      edges.set(id, e);
    } else {
      e.observed ||= observed;
      if (kind !== 'lineage') e.kind = kind;
    }
    return e;
  };

  for (const cat of input.catalogs) {
    ensureTenant(cat.tenantId);
    for (const res of cat.responses) {
      const map = res.guidEntityMap ?? {};
      for (const [guid, header] of Object.entries(map)) {
        observe({ tenantId: cat.tenantId, account: cat.account, header: { ...header, guid: header.guid ?? guid }, entity: cat.entities?.[header.guid ?? guid] });
      }
      const idOf = (guid: string | undefined) => (guid ? guidToNode.get(`${cat.tenantId}|${cat.account}|${guid}`) : undefined);
      for (const r of res.relations ?? []) {
        const from = idOf(r.fromEntityId);
        const to = idOf(r.toEntityId);
        if (!from || !to || from === to) continue;
        addEdge(from, to, 'lineage', true);
      }
      for (const [dir, counts] of Object.entries(res.widthCounts ?? {})) {
        for (const [guid, count] of Object.entries(counts ?? {})) {
          const id = idOf(guid);
          const n = id ? nodes.get(id) : undefined;
          if (!n || typeof count !== 'number') continue;
          if (dir === 'INPUT') n.degreeIn = Math.max(n.degreeIn, count);
          if (dir === 'OUTPUT') n.degreeOut = Math.max(n.degreeOut, count);
        }
      }
    }
  }

  // 3. Deleted entities: a node every catalog reports DELETED is left out (or kept, marked).
  for (const [id, n] of nodes) {
    if (n.active) continue;
    if (input.includeDeleted) n.deleted = true;
    else nodes.delete(id);
  }
  for (const [id, e] of edges) if (!nodes.has(e.from) || !nodes.has(e.to)) edges.delete(id);

  // 4. Snapshot processes: their inputs are the provider's assets, their outputs the consumer's.
  for (const [id, info] of snapshotInfo) {
    const n = nodes.get(id);
    if (!n) continue;
    const a = info.attrs;
    const consumer = a.consumerTenantId ? ensureTenant(a.consumerTenantId) : undefined;
    const provider = a.providerTenantId ? ensureTenant(a.providerTenantId) : undefined;
    if (consumer) { n.tenantId = consumer; setRole(consumer, 'consumer'); }
    if (provider) setRole(provider, 'provider');
    n.label = a.dataSetName ? `Snapshot ${a.dataSetName}` : n.label;
    n.lastSnapshot = newer(n.lastSnapshot, a.snapshotTime || a.synchronizationStatus ? { time: a.snapshotTime, mode: a.synchronizationMode, status: a.synchronizationStatus, synchronizationId: a.synchronizationId } : undefined);
    if (a.shareName && provider) n.share = { name: a.shareName, account: a.providerAccountName, tenantId: provider };
    if (a.shareSubscriptionName && consumer) n.subscription = { name: a.shareSubscriptionName, account: a.consumerAccountName ?? '', tenantId: consumer };
    for (const e of edges.values()) {
      if (e.to === id && provider) { const src = nodes.get(e.from); if (src && src.kind !== 'snapshot') src.roleTenant ??= provider; }
      if (e.from === id && consumer) { const dst = nodes.get(e.to); if (dst && dst.kind !== 'snapshot') dst.roleTenant ??= consumer; }
    }
    info.provider = provider;
    info.consumer = consumer;
  }

  // 5. Data Share facts: shares, their data sets, subscriptions and mappings, snapshots.
  const factNode = (id: string, init: Omit<LineageNode, 'id' | 'refs' | 'classifications'>): NodeDraft => {
    let n = nodes.get(id);
    if (!n) {
      n = { id, refs: [], classifications: [], ...init, observedIn: new Set(), active: true, degreeIn: 0, degreeOut: 0 };
      nodes.set(id, n);
    }
    return n;
  };
  // Facts add nodes only where they touch the graph asked for: a share where one of its data sets
  // is in it (or is a root), a subscription's snapshot and target where the snapshot was read from a
  // catalog or its source or target is a root. Elsewhere they only describe what is there, so a
  // graph never grows past its depth because of the Data Share estate.
  const rootIds = new Set((input.roots ?? []).map((r) => (r.includes('://') ? assetId(r) : r)));
  const present = new Set([...nodes.keys(), ...rootIds]);
  const shareByKey = new Map<string, ShareFact>();
  for (const s of facts.shares) shareByKey.set(`${lower(s.tenantId)}|${lower(s.shareName)}`, s);
  for (const s of facts.shares) {
    if (!s.dataSets.some((d) => { const qn = storageQualifiedName(d); return qn !== undefined && present.has(assetId(qn)); })) continue;
    const sid = shareId(s.tenantId, s.accountName, s.shareName);
    const node = factNode(sid, { kind: 'share', label: s.shareName, typeName: 'datashare_share', tenantId: s.tenantId });
    node.share = { name: s.shareName, account: s.accountName, tenantId: s.tenantId, ...(s.id ? { resourceId: s.id } : {}) };
    node.lastSnapshot = newer(node.lastSnapshot, latest(s.synchronizations));
    node.inferred = false;
    for (const d of s.dataSets) {
      const qn = storageQualifiedName(d);
      if (!qn) continue;
      const asset = factNode(assetId(qn), { kind: kindOfFact(d.kind), label: d.name, typeName: d.kind, qualifiedName: qn, tenantId: s.tenantId });
      addEdge(sid, asset.id, 'share', false).share = node.share;
    }
  }
  for (const sub of facts.subscriptions) {
    const providerTenant = sub.providerTenantId ?? tenantByName(sub.providerTenantName)?.tenantId ?? ensureTenant(`external:${lower(sub.providerTenantName ?? sub.shareName)}`, sub.providerTenantName ?? 'Provider');
    ensureTenant(providerTenant);
    setRole(providerTenant, 'provider');
    const shareFact = shareByKey.get(`${lower(providerTenant)}|${lower(sub.shareName)}`);
    const sid = shareId(providerTenant, shareFact?.accountName ?? snapshotProviderAccount(snapshotInfo, sub), sub.shareName);
    const last = latest(sub.synchronizations);
    const shareNodeOf = () => {
      const node = factNode(sid, { kind: 'share', label: sub.shareName, typeName: 'datashare_share', tenantId: providerTenant, inferred: true });
      node.share ??= { name: sub.shareName, account: shareFact?.accountName, tenantId: providerTenant, ...(shareFact?.id ? { resourceId: shareFact.id } : {}) };
      node.lastSnapshot = newer(node.lastSnapshot, last);
      return node;
    };
    const subscription = { name: sub.name, account: sub.accountName, tenantId: sub.tenantId, status: sub.status, ...(sub.id ? { resourceId: sub.id } : {}) };
    for (const m of sub.mappings) {
      const consumerQn = storageQualifiedName(m);
      if (!consumerQn) continue;
      const source = sub.sourceDataSets.find((d) => d.dataSetId === m.dataSetId);
      const providerSet = shareFact?.dataSets.find((d) => d.dataSetId === m.dataSetId);
      const dataSetName = source?.dataSetName ?? providerSet?.name ?? m.dataSetId;
      const snapId = snapshotId(sub.tenantId, sub.accountName, sub.name, dataSetName);
      const providerSetQn = providerSet ? storageQualifiedName(providerSet) : undefined;
      if (!nodes.has(snapId) && !rootIds.has(assetId(consumerQn)) && !(providerSetQn && rootIds.has(assetId(providerSetQn)))) continue;
      const shareNode = shareNodeOf();
      const snap = factNode(snapId, { kind: 'snapshot', label: `Snapshot ${dataSetName}`, typeName: SNAPSHOT_PROCESS_TYPE, tenantId: sub.tenantId, inferred: true });
      snap.lastSnapshot = newer(snap.lastSnapshot, last);
      snap.share ??= shareNode.share;
      snap.subscription = { ...subscription, ...(snap.subscription ?? {}), status: sub.status, ...(sub.id ? { resourceId: sub.id } : {}) };
      if (snap.share && !snap.share.resourceId && shareFact?.id) snap.share = { ...snap.share, resourceId: shareFact.id };
      const consumerAsset = factNode(assetId(consumerQn), { kind: kindOfFact(m.kind), label: (m.path ?? m.container ?? consumerQn).split('/').filter(Boolean).pop() ?? consumerQn, typeName: m.kind, qualifiedName: consumerQn, tenantId: sub.tenantId });
      consumerAsset.roleTenant ??= sub.tenantId;
      addEdge(snapId, consumerAsset.id, 'lineage', false);
      // The provider's side: its data set when visible, else whatever the snapshot process says, else inferred from the source data set.
      let providerAssetId: string | undefined;
      const providerQn = providerSetQn;
      if (providerQn) providerAssetId = assetId(providerQn);
      else {
        const fromProcess = [...edges.values()].find((e) => e.to === snapId && nodes.get(e.from)?.kind !== 'snapshot');
        providerAssetId = fromProcess?.from;
      }
      if (!providerAssetId) {
        const label = source?.dataSetPath?.split('/').filter(Boolean).pop() ?? dataSetName;
        providerAssetId = `i:${lower(sub.tenantId)}/${lower(sub.accountName)}/${lower(sub.name)}/${lower(m.dataSetId)}`;
        factNode(providerAssetId, { kind: kindOfFact(source?.dataSetType ?? m.kind), label, typeName: source?.dataSetType ?? m.kind, tenantId: providerTenant, inferred: true });
      }
      const pa = nodes.get(providerAssetId);
      if (pa) {
        pa.roleTenant ??= providerTenant;
        if (providerQn && !pa.qualifiedName) pa.qualifiedName = providerQn;
        addEdge(providerAssetId, snapId, 'snapshot', false);
        addEdge(sid, providerAssetId, 'share', false).share = shareNode.share;
      }
    }
  }

  // 6. Ownership and inference: facts first, then the snapshot's side, then the catalog it was read from.
  for (const n of nodes.values()) {
    if (n.kind === 'share' || n.kind === 'snapshot') {
      if (n.kind === 'snapshot') n.inferred = n.observedIn.size === 0;
      continue;
    }
    const account = storageAccountOf(n.qualifiedName);
    const owner = (account && storageOwner.get(account)) || n.roleTenant || (n.observedIn.size ? [...n.observedIn][0] : n.tenantId);
    n.tenantId = owner;
    n.inferred = !n.observedIn.has(owner) || undefined;
  }

  // 7. Edges: kinds, tenant crossing and what the snapshot says; neighbours still to load.
  const inCount = new Map<string, number>();
  const outCount = new Map<string, number>();
  for (const e of edges.values()) {
    const from = nodes.get(e.from)!;
    const to = nodes.get(e.to)!;
    e.crossTenant = from.tenantId !== to.tenantId;
    const snap = from.kind === 'snapshot' ? from : to.kind === 'snapshot' ? to : undefined;
    if (snap) {
      if (to.kind === 'snapshot') e.kind = 'snapshot';
      e.share = snap.share;
      e.subscription = snap.subscription;
      e.lastSnapshot = snap.lastSnapshot;
    }
    if (e.crossTenant && !snap && from.kind !== 'share') e.kind = 'snapshot';
    if (!e.observed) e.inferred = true;
    if (e.kind === 'lineage' || e.kind === 'snapshot') {
      inCount.set(e.to, (inCount.get(e.to) ?? 0) + 1);
      outCount.set(e.from, (outCount.get(e.from) ?? 0) + 1);
    }
  }
  for (const n of nodes.values()) {
    if (n.degreeIn > (inCount.get(n.id) ?? 0)) n.moreUpstream = true;
    if (n.degreeOut > (outCount.get(n.id) ?? 0)) n.moreDownstream = true;
  }

  const outNodes: LineageNode[] = [...nodes.values()].map(({ observedIn: _o, active: _a, degreeIn: _i, degreeOut: _d, roleTenant: _r, ...n }) => clean(n));
  const outEdges: LineageEdge[] = [...edges.values()].map(({ observed: _o, ...e }) => clean(e));
  const rootList = (input.roots ?? []).map((r) => (nodes.has(r) ? r : assetId(r))).filter((id) => nodes.has(id));
  const used = new Set(outNodes.map((n) => n.tenantId));
  return { tenants: [...tenants.values()].filter((t) => used.has(t.tenantId) || input.tenants.some((x) => x.tenantId === t.tenantId)), nodes: outNodes, edges: outEdges, rootIds: rootList };
}

function snapshotProviderAccount(snapshotInfo: Map<string, { attrs: Record<string, string> }>, sub: SubscriptionFact): string | undefined {
  for (const [id, info] of snapshotInfo) {
    if (id.startsWith(`s:${[sub.tenantId, sub.accountName, sub.name].map(lower).join('/')}/`) && info.attrs.providerAccountName) return info.attrs.providerAccountName;
  }
  return undefined;
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/** What changed from one graph to the next (the host sends only this after the first paint). */
export interface GraphDelta {
  added: LineageNode[];
  updated: LineageNode[];
  removed: string[];
  addedEdges: LineageEdge[];
  updatedEdges: LineageEdge[];
  removedEdges: string[];
}

export function diffGraphs(prev: LineageGraph | undefined, next: LineageGraph): GraphDelta {
  const before = new Map((prev?.nodes ?? []).map((n) => [n.id, n]));
  const beforeEdges = new Map((prev?.edges ?? []).map((e) => [e.id, e]));
  const delta: GraphDelta = { added: [], updated: [], removed: [], addedEdges: [], updatedEdges: [], removedEdges: [] };
  const nextIds = new Set<string>();
  for (const n of next.nodes) {
    nextIds.add(n.id);
    const old = before.get(n.id);
    if (!old) delta.added.push(n);
    else if (JSON.stringify(old) !== JSON.stringify(n)) delta.updated.push(n);
  }
  for (const id of before.keys()) if (!nextIds.has(id)) delta.removed.push(id);
  const nextEdgeIds = new Set<string>();
  for (const e of next.edges) {
    nextEdgeIds.add(e.id);
    const old = beforeEdges.get(e.id);
    if (!old) delta.addedEdges.push(e);
    else if (JSON.stringify(old) !== JSON.stringify(e)) delta.updatedEdges.push(e);
  }
  for (const id of beforeEdges.keys()) if (!nextEdgeIds.has(id)) delta.removedEdges.push(id);
  return delta;
}

export type { CatalogRef };
