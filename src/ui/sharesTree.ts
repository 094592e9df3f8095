import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import type { ConsumerInvitation, ConsumerSourceDataSet, Invitation, ProviderShareSubscription } from '../azure/datashare/models';
import type { Connection } from './connection';
import {
  ConnectedTreeProvider, contextValue, errorNode, infoNode, limiterFor, pagedChildren, resourceGroupOf,
  type InfoNode, type PagedChildren, type TenantNode,
} from './treeNodes';

type Account = { tenantId: string; subscriptionId: string; resourceGroup: string; account: string };
type SectionWhich = 'datasets' | 'invitations' | 'consumers' | 'schedule' | 'history' | 'storage' | 'sources' | 'mappings' | 'triggers';

/** First page fetched (for counts and summaries), the rest on "Load more". */
interface Prefetched<I> { first: I[]; more: boolean; rest: { byPage(): AsyncIterableIterator<I[]> } }

type Node =
  | { kind: 'subscription'; tenant: TenantSummary; subscriptionId: string; displayName: string }
  | { kind: 'account'; tenant: TenantSummary; subscriptionId: string; id: string; name: string; resourceGroup: string; location?: string }
  | { kind: 'group'; which: 'sent' | 'received'; tenant: TenantSummary; subscriptionId: string; resourceGroup: string; account: string; accountId: string }
  | { kind: 'share'; tenantId: string; ref: Account; id: string; name: string; description?: string; shareKind?: string; terms?: string; summary?: string; tags?: string[] }
  | { kind: 'received'; tenantId: string; ref: Account; id: string; name: string; shareName?: string; provider?: string; status?: string; terms?: string; expires?: string; summary?: string; tags?: string[] }
  | { kind: 'section'; which: SectionWhich; tenantId: string; parentId: string; label: string; count?: string; items?: Prefetched<unknown>; load?: () => PagedChildren<Node | InfoNode>; children?: Array<Node | InfoNode> }
  | { kind: 'invitations'; tenant: TenantSummary }
  | { kind: 'invitation'; tenantId: string; id: string; invitationId: string; location?: string; shareName: string; provider: string; providerEmail?: string; description?: string; terms?: string; sentAt?: string; expires?: string; datasets?: number }
  | { kind: 'leaf'; id?: string; label: string; description?: string; icon: string; color?: string; tooltip: string; context: string; a11y: string }
  | { kind: 'storageAccount'; id: string; name: string; subscriptionId: string; resourceGroup: string; containers: string[]; side: 'source' | 'target' };

const DATASET_ICONS: Record<string, string> = { Blob: 'file', BlobFolder: 'folder', Container: 'archive', AdlsGen2File: 'file', AdlsGen2Folder: 'folder', AdlsGen2FileSystem: 'archive' };
const DATASET_NAMES: Record<string, string> = { Blob: 'Blob file', BlobFolder: 'Blob folder', Container: 'Container', AdlsGen2File: 'Data Lake file', AdlsGen2Folder: 'Data Lake folder', AdlsGen2FileSystem: 'File system' };

/** Status → colour: passed, failed, warning (in progress / pending), or none. */
function statusColor(status: string | undefined): string | undefined {
  const s = (status ?? '').toLowerCase();
  if (/^(active|accepted|succeeded|ok|completed)$/.test(s)) return 'testing.iconPassed';
  if (/^(revoked|rejected|failed|broken|sourcedeleted|sourcesynchronizationsettingdeleted)$/.test(s)) return 'errorForeground';
  if (/^(pending|queued|inprogress|revoking|accepted_pending|transferinprogress)$/.test(s)) return 'list.warningForeground';
  return undefined;
}

function statusIcon(status: string | undefined): string {
  const s = (status ?? '').toLowerCase();
  if (/^(active|accepted|succeeded|ok|completed)$/.test(s)) return 'pass';
  if (/^(revoked|rejected|failed|broken|sourcedeleted)$/.test(s)) return 'error';
  if (/^(pending|queued|inprogress|revoking)$/.test(s)) return 'clock';
  if (/cancel|withdrawn|inactive/.test(s)) return 'circle-slash';
  return 'circle-outline';
}

/** `Day` + `2026-01-01T02:00:00Z` → "daily 02:00" (UTC). */
export function scheduleText(recurrence: string | undefined, time: string | undefined): string {
  const d = time ? new Date(time) : undefined;
  const hhmm = d && !Number.isNaN(d.getTime()) ? `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}` : '';
  const every = recurrence === 'Hour' ? 'hourly' : recurrence === 'Day' ? 'daily' : (recurrence ?? 'scheduled').toLowerCase();
  return recurrence === 'Hour' && hhmm ? `hourly at :${hhmm.slice(3)}` : `${every}${hhmm ? ` ${hhmm}` : ''}`;
}

function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function plural(n: number | string, noun: string): string {
  return `${n} ${noun}${n === 1 || n === '1' ? '' : 's'}`;
}

function md(lines: Array<string | undefined | false>): string {
  return lines.filter(Boolean).join('\n\n');
}

/** Escapes text for a markdown tooltip. */
function esc(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}

/** Where a storage data set or mapping points: account, container and path. */
function storagePlace(p: Record<string, unknown> | undefined): { account?: string; subscriptionId?: string; resourceGroup?: string; container?: string; path?: string } {
  if (!p) return {};
  const s = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  return {
    account: s('storageAccountName'), subscriptionId: s('subscriptionId'), resourceGroup: s('resourceGroup'),
    container: s('containerName') ?? s('fileSystem'),
    path: s('filePath') ?? s('prefix') ?? s('folderPath'),
  };
}

/**
 * Shares view: tenants → subscriptions → Data Share accounts → "Sent shares" (each share →
 * datasets, invitations, consumers, schedule, snapshot history, source storage) and "Received
 * shares" (each share subscription → source datasets, mappings, triggers, snapshot history,
 * target storage), plus each tenant's pending invitations. Every level loads on expand through
 * the tenant's own clients and shared limiter, is cached until refreshed, pages long lists with
 * "Load more", and shows a failure as an error node (with Retry) under the node that failed.
 */
export class SharesTreeProvider extends ConnectedTreeProvider<Node> {
  constructor(connection: Connection) {
    super(connection, 'shares', vscode.TreeItemCollapsibleState.Expanded);
  }

  private clients(tenantId: string) {
    return this.connection.azure().clients(tenantId);
  }

  /** Fetches the first page of a list through the tenant's limiter; the rest continues the same listing. */
  private async prefetch<I>(tenantId: string, list: { byPage(): AsyncIterableIterator<I[]> }, subscriptionId?: string): Promise<Prefetched<I>> {
    const it = list.byPage();
    const r = await limiterFor(tenantId, subscriptionId).run(() => it.next());
    const first = r.done ? [] : r.value;
    const more = !r.done && Boolean((r.value as { continuationToken?: string }).continuationToken);
    return { first, more, rest: { byPage: () => it } };
  }

  protected async childrenOf(node: Node | TenantNode): Promise<Array<Node | InfoNode> | PagedChildren<Node | InfoNode>> {
    switch (node.kind) {
      case 'tenant': {
        const subscriptions: Node[] = node.tenant.subscriptions.map((s) => ({ kind: 'subscription', tenant: node.tenant, subscriptionId: s.subscriptionId, displayName: s.displayName }));
        return [...(subscriptions.length ? subscriptions : [infoNode('No subscriptions in this tenant')]), { kind: 'invitations', tenant: node.tenant }];
      }
      case 'invitations': {
        const clients = await this.clients(node.tenant.tenantId);
        const tenantId = node.tenant.tenantId;
        return pagedChildren<ConsumerInvitation, Node>(tenantId, clients.dataShare.consumerInvitations.list(), (i) => {
          if ((i.properties.invitationStatus ?? 'Pending') !== 'Pending') return undefined;
          return {
            kind: 'invitation', tenantId, id: i.id ?? i.properties.invitationId, invitationId: i.properties.invitationId, location: i.properties.location,
            shareName: i.properties.shareName ?? i.name ?? '', provider: [i.properties.providerName, i.properties.providerTenantName].filter(Boolean).join(', '),
            providerEmail: i.properties.providerEmail, description: i.properties.description, terms: i.properties.termsOfUse,
            sentAt: i.properties.sentAt, expires: i.properties.expirationDate, datasets: i.properties.dataSetCount,
          };
        }, { empty: infoNode('No pending invitations'), noun: 'invitations' });
      }
      case 'subscription': {
        const clients = await this.clients(node.tenant.tenantId);
        return pagedChildren(node.tenant.tenantId, clients.dataShare.accounts.listBySubscription(node.subscriptionId), (a): Node => ({
          kind: 'account', tenant: node.tenant, subscriptionId: node.subscriptionId, id: a.id ?? '', name: a.name ?? '', resourceGroup: resourceGroupOf(a.id), location: a.location,
        }), { empty: infoNode('No Data Share accounts yet'), noun: 'accounts', subscriptionId: node.subscriptionId });
      }
      case 'account': {
        const group = { tenant: node.tenant, subscriptionId: node.subscriptionId, resourceGroup: node.resourceGroup, account: node.name, accountId: node.id };
        return [{ kind: 'group', which: 'sent', ...group }, { kind: 'group', which: 'received', ...group }];
      }
      case 'group': return this.groupChildren(node);
      case 'share': return this.shareChildren(node);
      case 'received': return this.receivedChildren(node);
      case 'section': return this.sectionChildren(node);
      case 'storageAccount': return node.containers.map((c): Node => ({
        kind: 'leaf', id: `${node.id}/blobServices/default/containers/${c}`, label: c, description: 'Container', icon: 'archive',
        tooltip: md([`**Container ${esc(c)}**`, `Storage account ${esc(node.name)}`]), context: 'storageContainer', a11y: `Container ${c} in storage account ${node.name}`,
      }));
      default:
        return [];
    }
  }

  private async groupChildren(node: Extract<Node, { kind: 'group' }>): Promise<PagedChildren<Node | InfoNode>> {
    const clients = await this.clients(node.tenant.tenantId);
    const tenantId = node.tenant.tenantId;
    const ref = { subscriptionId: node.subscriptionId, resourceGroupName: node.resourceGroup, accountName: node.account };
    const acc: Account = { tenantId, subscriptionId: node.subscriptionId, resourceGroup: node.resourceGroup, account: node.account };
    if (node.which === 'sent') {
      return pagedChildren(tenantId, clients.dataShare.shares.listByAccount(ref), (s): Node => ({
        kind: 'share', tenantId, ref: acc, id: s.id ?? '', name: s.name ?? '', description: s.properties?.description, shareKind: s.properties?.shareKind, terms: s.properties?.terms,
      }), { empty: infoNode('No sent shares'), noun: 'shares', subscriptionId: ref.subscriptionId });
    }
    return pagedChildren(tenantId, clients.dataShare.shareSubscriptions.listByAccount(ref), (r): Node => ({
      kind: 'received', tenantId, ref: acc, id: r.id ?? '', name: r.name ?? '', shareName: r.properties?.shareName, status: r.properties?.shareSubscriptionStatus,
      provider: [r.properties?.providerName, r.properties?.providerTenantName].filter(Boolean).join(', '), terms: r.properties?.shareTerms, expires: r.properties?.expirationDate,
    }), { empty: infoNode('No received shares'), noun: 'received shares', subscriptionId: ref.subscriptionId });
  }

  /** A share's lists load in parallel (first page each), so its summary and section counts are known at once. */
  private async shareChildren(node: Extract<Node, { kind: 'share' }>): Promise<Node[]> {
    const ds = (await this.clients(node.tenantId)).dataShare;
    const ref = { subscriptionId: node.ref.subscriptionId, resourceGroupName: node.ref.resourceGroup, accountName: node.ref.account, shareName: node.name };
    const [datasets, invitations, consumers, schedules] = await Promise.all([
      this.prefetch(node.tenantId, ds.dataSets.listByShare(ref), ref.subscriptionId),
      this.prefetch(node.tenantId, ds.invitations.listByShare(ref), ref.subscriptionId),
      this.prefetch(node.tenantId, ds.providerShareSubscriptions.listByShare(ref), ref.subscriptionId),
      this.prefetch(node.tenantId, ds.synchronizationSettings.listByShare(ref), ref.subscriptionId),
    ]);
    const count = (p: Prefetched<unknown>) => `${p.first.length}${p.more ? '+' : ''}`;
    const scheduleLabel = schedules.first.map((s) => scheduleText(s.properties?.recurrenceInterval, s.properties?.synchronizationTime)).join(', ');
    const activeConsumers = consumers.first.filter((c) => c.properties?.shareSubscriptionStatus === 'Active');
    node.summary = [plural(count(datasets), 'dataset'), plural(count(consumers), 'consumer'), scheduleLabel || 'no schedule'].join(' · ');
    node.tags = [datasets.first.length ? 'hasDatasets' : '', consumers.first.length ? 'hasConsumers' : '', activeConsumers.length ? 'hasActiveConsumers' : '', invitations.first.some((i) => i.properties?.invitationStatus === 'Pending') ? 'hasPendingInvitations' : '', schedules.first.length ? 'scheduled' : 'unscheduled'];
    const section = (which: SectionWhich, label: string, items?: Prefetched<unknown>, countText?: string, children?: Array<Node | InfoNode>): Node =>
      ({ kind: 'section', which, tenantId: node.tenantId, parentId: node.id, label, items, count: countText ?? (items ? count(items) : undefined), children });
    const storage = this.storageNodes(datasets.first as unknown as Array<{ kind?: string; properties?: Record<string, unknown> }>, 'source');
    return [
      section('datasets', 'Datasets', datasets),
      section('invitations', 'Invitations', invitations),
      section('consumers', 'Consumers', consumers),
      section('schedule', 'Schedule', schedules, scheduleLabel || 'none'),
      section('history', 'Snapshot history', undefined, undefined),
      section('storage', 'Source storage', undefined, String(storage.length), storage.length ? storage : [infoNode('No storage datasets')]),
    ];
  }

  private async receivedChildren(node: Extract<Node, { kind: 'received' }>): Promise<Node[]> {
    const ds = (await this.clients(node.tenantId)).dataShare;
    const ref = { subscriptionId: node.ref.subscriptionId, resourceGroupName: node.ref.resourceGroup, accountName: node.ref.account, shareSubscriptionName: node.name };
    const [sources, mappings, triggers] = await Promise.all([
      this.prefetch(node.tenantId, ds.consumerSourceDataSets.listByShareSubscription(ref), ref.subscriptionId),
      this.prefetch(node.tenantId, ds.dataSetMappings.listByShareSubscription(ref), ref.subscriptionId),
      this.prefetch(node.tenantId, ds.triggers.listByShareSubscription(ref), ref.subscriptionId),
    ]);
    const count = (p: Prefetched<unknown>) => `${p.first.length}${p.more ? '+' : ''}`;
    const triggerLabel = triggers.first.map((t) => scheduleText(t.properties?.recurrenceInterval, t.properties?.synchronizationTime)).join(', ');
    const broken = mappings.first.filter((m) => m.properties?.dataSetMappingStatus === 'Broken').length;
    node.summary = [node.status, plural(count(sources), 'dataset'), `${count(mappings)} mapped${broken ? ` (${broken} broken)` : ''}`, triggerLabel ? `trigger ${triggerLabel}` : 'no trigger'].filter(Boolean).join(' · ');
    node.tags = [mappings.first.length ? 'mapped' : 'unmapped', broken ? 'hasBrokenMappings' : '', triggers.first.length ? 'hasTrigger' : 'noTrigger', mappings.first.length < sources.first.length ? 'hasUnmappedDatasets' : ''];
    const section = (which: SectionWhich, label: string, items?: Prefetched<unknown>, countText?: string, children?: Array<Node | InfoNode>): Node =>
      ({ kind: 'section', which, tenantId: node.tenantId, parentId: node.id, label, items, count: countText ?? (items ? count(items) : undefined), children });
    const storage = this.storageNodes(mappings.first as unknown as Array<{ kind?: string; properties?: Record<string, unknown> }>, 'target');
    const history: Node = {
      kind: 'section', which: 'history', tenantId: node.tenantId, parentId: node.id, label: 'Snapshot history',
      load: () => pagedChildren(node.tenantId, ds.shareSubscriptions.listSynchronizations(ref, { orderby: 'startTime desc' }), (s) => snapshotLeaf(node.id, s), { empty: infoNode('No snapshots yet'), noun: 'snapshots', subscriptionId: ref.subscriptionId }),
    };
    return [
      section('sources', 'Source datasets', sources),
      section('mappings', 'Mappings', mappings),
      section('triggers', 'Triggers', triggers, triggerLabel || 'none'),
      history,
      section('storage', 'Target storage', undefined, String(storage.length), storage.length ? storage : [infoNode('No mapped storage yet')]),
    ];
  }

  /** Storage accounts and their containers that data sets come from (or mappings write to), without extra calls. */
  private storageNodes(items: Array<{ kind?: string; properties?: Record<string, unknown> }>, side: 'source' | 'target'): Node[] {
    const byAccount = new Map<string, Extract<Node, { kind: 'storageAccount' }>>();
    for (const i of items) {
      const p = storagePlace(i.properties);
      if (!p.account) continue;
      const id = `/subscriptions/${p.subscriptionId ?? ''}/resourceGroups/${p.resourceGroup ?? ''}/providers/Microsoft.Storage/storageAccounts/${p.account}`;
      let n = byAccount.get(id);
      if (!n) {
        n = { kind: 'storageAccount', id, name: p.account, subscriptionId: p.subscriptionId ?? '', resourceGroup: p.resourceGroup ?? '', containers: [], side };
        byAccount.set(id, n);
      }
      if (p.container && !n.containers.includes(p.container)) n.containers.push(p.container);
    }
    return [...byAccount.values()];
  }

  private async sectionChildren(node: Extract<Node, { kind: 'section' }>): Promise<Array<Node | InfoNode> | PagedChildren<Node | InfoNode>> {
    if (node.children) return node.children;
    if (node.load) return node.load();
    if (node.which === 'history') {
      // The provider's view of snapshots: loaded only when opened (a POST list per share).
      const share = this.shareOf(node);
      if (!share) return [];
      const ds = (await this.clients(share.tenantId)).dataShare;
      const ref = { subscriptionId: share.ref.subscriptionId, resourceGroupName: share.ref.resourceGroup, accountName: share.ref.account, shareName: share.name };
      return pagedChildren(share.tenantId, ds.shares.listSynchronizations(ref, { orderby: 'startTime desc' }), (s) => snapshotLeaf(share.id, s), { empty: infoNode('No snapshots yet'), noun: 'snapshots', subscriptionId: ref.subscriptionId });
    }
    const items = node.items;
    if (!items) return [];
    const map = (i: unknown) => this.leafFor(node, i);
    let first = true;
    const rest = items.rest.byPage();
    const pages: AsyncIterator<Array<Node | InfoNode>> = {
      next: async () => {
        if (first) {
          first = false;
          return { done: false, value: items.first.map(map) };
        }
        if (!items.more) return { done: true, value: undefined };
        const r = await limiterFor(node.tenantId, subscriptionOf(node.parentId)).run(() => rest.next());
        return r.done ? { done: true, value: undefined } : { done: false, value: r.value.map(map) };
      },
    };
    const empty: Record<string, string> = { datasets: 'No datasets', invitations: 'No invitations sent', consumers: 'No consumers yet', schedule: 'No snapshot schedule', sources: 'No source datasets', mappings: 'No mappings yet', triggers: 'No trigger' };
    return { kind: 'paged', pages, empty: infoNode(empty[node.which] ?? 'None'), noun: node.label.toLowerCase() };
  }

  private shareOf(node: Node): Extract<Node, { kind: 'share' }> | undefined {
    const p = this.getParent(node);
    return p && p.kind === 'share' ? (p as Extract<Node, { kind: 'share' }>) : undefined;
  }

  private leafFor(section: Extract<Node, { kind: 'section' }>, raw: unknown): Node {
    const base = section.parentId;
    switch (section.which) {
      case 'datasets': {
        const d = raw as { id?: string; name?: string; kind?: string; properties?: Record<string, unknown> };
        const p = storagePlace(d.properties);
        const where = [p.container, p.path].filter(Boolean).join('/');
        const kindName = DATASET_NAMES[d.kind ?? ''] ?? d.kind ?? 'Dataset';
        return {
          kind: 'leaf', id: d.id, label: d.name ?? '', description: `${kindName}${where ? ` · ${where}` : ''}`, icon: DATASET_ICONS[d.kind ?? ''] ?? 'database',
          tooltip: md([`**Dataset ${esc(d.name ?? '')}**`, kindName, p.account && `Storage account \`${p.account}\``, where && `Path \`${where}\``, typeof d.properties?.dataSetId === 'string' && `Dataset id \`${d.properties.dataSetId}\``]),
          context: contextValue('dataset', d.kind ? `kind-${d.kind}` : undefined), a11y: `Dataset ${d.name ?? ''}, ${kindName}${where ? ` at ${where}` : ''}`,
        };
      }
      case 'invitations': {
        const i = raw as Invitation;
        const p = i.properties ?? {};
        const target = p.targetEmail ?? (p.targetObjectId ? `object ${p.targetObjectId}` : i.name ?? '');
        const status = p.invitationStatus ?? 'Pending';
        return {
          kind: 'leaf', id: i.id, label: target, description: `${status}${p.expirationDate ? ` · expires ${when(p.expirationDate).slice(0, 10)}` : ''}`, icon: status === 'Pending' ? 'mail' : statusIcon(status), color: statusColor(status),
          tooltip: md([`**Invitation ${esc(i.name ?? '')}**`, `To ${esc(target)}${p.targetActiveDirectoryId ? ` (tenant \`${p.targetActiveDirectoryId}\`)` : ''}`, `Status: ${status}`, p.sentAt && `Sent ${when(p.sentAt)}`, p.respondedAt && `Responded ${when(p.respondedAt)}`, p.expirationDate && `Expires ${when(p.expirationDate)}`]),
          context: contextValue('sentInvitation', status.toLowerCase()), a11y: `Invitation to ${target}, ${status}`,
        };
      }
      case 'consumers': {
        const c = raw as ProviderShareSubscription;
        const p = c.properties ?? {};
        const who = p.consumerEmail ?? p.consumerName ?? c.name ?? '';
        const status = p.shareSubscriptionStatus ?? 'Unknown';
        const expiry = p.expirationDate ? `expires ${when(p.expirationDate).slice(0, 10)}` : 'no expiry';
        return {
          kind: 'leaf', id: c.id, label: who, description: `${status} · ${expiry}`, icon: statusIcon(status), color: statusColor(status),
          tooltip: md([`**Consumer ${esc(who)}**`, p.consumerTenantName && `Tenant ${esc(p.consumerTenantName)}`, `Status: ${status}`, p.sharedAt && `Shared ${when(p.sharedAt)}`, `Expiry: ${p.expirationDate ? when(p.expirationDate) : 'none'}`]),
          context: contextValue('consumer', status.toLowerCase()), a11y: `Consumer ${who}, ${status}, ${expiry}`,
        };
      }
      case 'schedule':
      case 'triggers': {
        const s = raw as { id?: string; name?: string; properties?: { recurrenceInterval?: string; synchronizationTime?: string; triggerStatus?: string; synchronizationMode?: string; userName?: string } };
        const text = scheduleText(s.properties?.recurrenceInterval, s.properties?.synchronizationTime);
        const status = s.properties?.triggerStatus;
        const label = text.charAt(0).toUpperCase() + text.slice(1);
        return {
          kind: 'leaf', id: s.id, label, description: [s.name, status, s.properties?.synchronizationMode].filter(Boolean).join(' · '), icon: section.which === 'triggers' ? 'watch' : 'calendar', color: statusColor(status),
          tooltip: md([`**${section.which === 'triggers' ? 'Trigger' : 'Snapshot schedule'} ${esc(s.name ?? '')}**`, `${label} (UTC)`, s.properties?.synchronizationTime && `Starting ${when(s.properties.synchronizationTime)}`, status && `Status: ${status}`, s.properties?.userName && `Created by ${esc(s.properties.userName)}`]),
          context: contextValue(section.which === 'triggers' ? 'trigger' : 'schedule', status?.toLowerCase()), a11y: `${section.which === 'triggers' ? 'Trigger' : 'Snapshot schedule'} ${label}${status ? `, ${status}` : ''}`,
        };
      }
      case 'sources': {
        const d = raw as ConsumerSourceDataSet;
        const p = d.properties ?? {};
        const kindName = DATASET_NAMES[p.dataSetType ?? ''] ?? p.dataSetType ?? 'Dataset';
        return {
          kind: 'leaf', id: `${base}/consumerSourceDataSets/${p.dataSetId ?? d.name ?? ''}`, label: p.dataSetName ?? d.name ?? '', description: `${kindName}${p.dataSetPath ? ` · ${p.dataSetPath}` : ''}`, icon: DATASET_ICONS[p.dataSetType ?? ''] ?? 'database',
          tooltip: md([`**Source dataset ${esc(p.dataSetName ?? '')}**`, kindName, p.dataSetPath && `Path \`${p.dataSetPath}\``, p.dataSetLocation && `Location ${p.dataSetLocation}`, p.dataSetId && `Dataset id \`${p.dataSetId}\``]),
          context: contextValue('sourceDataset', p.dataSetType ? `kind-${p.dataSetType}` : undefined), a11y: `Source dataset ${p.dataSetName ?? ''}, ${kindName}`,
        };
      }
      case 'mappings': {
        const m = raw as { id?: string; name?: string; kind?: string; properties?: Record<string, unknown> & { dataSetMappingStatus?: string; dataSetId?: string } };
        const p = storagePlace(m.properties);
        const status = m.properties?.dataSetMappingStatus ?? 'Unknown';
        const where = [p.account, p.container, p.path].filter(Boolean).join('/');
        return {
          kind: 'leaf', id: m.id, label: m.name ?? '', description: `${status}${where ? ` → ${where}` : ''}`, icon: statusIcon(status), color: statusColor(status),
          tooltip: md([`**Mapping ${esc(m.name ?? '')}**`, `Status: ${status}`, where && `Target \`${where}\``, m.properties?.dataSetId && `Dataset id \`${m.properties.dataSetId}\``]),
          context: contextValue('mapping', status.toLowerCase()), a11y: `Mapping ${m.name ?? ''}, ${status}${where ? `, to ${where}` : ''}`,
        };
      }
      default:
        return { kind: 'leaf', label: String((raw as { name?: string }).name ?? ''), icon: 'circle-outline', tooltip: '', context: 'item', a11y: String((raw as { name?: string }).name ?? '') };
    }
  }

  protected override childrenLoaded(node: Node | TenantNode | undefined, children: Array<Node | InfoNode>): void {
    // The share's summary is known once its lists are loaded: redraw it.
    if (node && (node.kind === 'share' || node.kind === 'received') && node.summary && !children.some((c) => c.kind === 'info' && (c as InfoNode).icon === 'error')) {
      this.changed.fire(node);
    }
  }

  /** An unregistered resource provider gets an inline Register action on its error node. */
  protected override errorFor(node: Node | TenantNode, error: unknown): InfoNode {
    const shown = errorNode(error);
    const code = (error as { code?: unknown }).code;
    const namespace = /namespace '([^']+)'/i.exec(shown.label)?.[1];
    if (node.kind === 'subscription' && code === 'MissingSubscriptionRegistration' && namespace) {
      return { ...shown, context: 'missingRegistration;retry', data: { tenantId: node.tenant.tenantId, subscriptionId: node.subscriptionId, namespace } };
    }
    return shown;
  }

  protected override resourceIdOf(node: Node | TenantNode): string | undefined {
    switch (node.kind) {
      case 'tenant': return undefined;
      case 'subscription': return `/subscriptions/${node.subscriptionId}`;
      case 'account': return node.id;
      case 'group': return `${node.accountId}/${node.which === 'sent' ? 'shares' : 'shareSubscriptions'}`;
      case 'share': case 'received': return node.id;
      case 'section': {
        const suffix: Partial<Record<SectionWhich, string>> = { datasets: 'dataSets', invitations: 'invitations', consumers: 'providerShareSubscriptions', schedule: 'synchronizationSettings', mappings: 'dataSetMappings', triggers: 'triggers', sources: 'consumerSourceDataSets' };
        return suffix[node.which] ? `${node.parentId}/${suffix[node.which]}` : undefined;
      }
      case 'invitations': return `/providers/Microsoft.DataShare/tenants/${node.tenant.tenantId}/invitations`;
      case 'invitation': return node.id;
      case 'leaf': return node.id;
      default: return undefined;
    }
  }

  protected override locate(node: Node | TenantNode | InfoNode, resourceId: string): 'exact' | 'ancestor' | undefined {
    if (node.kind === 'tenant') {
      const subs = (node as TenantNode).tenant.subscriptions.map((s) => s.subscriptionId.toLowerCase());
      const m = /^\/subscriptions\/([^/]+)/i.exec(resourceId);
      if (m && subs.includes(m[1].toLowerCase())) return 'ancestor';
      return undefined;
    }
    return super.locate(node, resourceId);
  }

  protected itemFor(node: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'subscription': {
        const item = new vscode.TreeItem(node.displayName, C.Collapsed);
        item.id = `tenant/${node.tenant.tenantId}/subscription/${node.subscriptionId}`;
        item.description = node.subscriptionId;
        item.tooltip = new vscode.MarkdownString(md([`**Subscription ${esc(node.displayName)}**`, `\`${node.subscriptionId}\``, `Tenant ${esc(node.tenant.displayName)}`]));
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = 'subscription';
        item.accessibilityInformation = { label: `Subscription ${node.displayName}` };
        return item;
      }
      case 'account': {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.id = node.id;
        item.description = [node.resourceGroup, node.location].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(md([`**Data Share account ${esc(node.name)}**`, `Resource group ${esc(node.resourceGroup)}`, node.location && `Location ${node.location}`]));
        item.iconPath = new vscode.ThemeIcon('repo');
        item.contextValue = 'dataShareAccount';
        item.accessibilityInformation = { label: `Data Share account ${node.name} in resource group ${node.resourceGroup}` };
        return item;
      }
      case 'group': {
        const sent = node.which === 'sent';
        const item = new vscode.TreeItem(sent ? 'Sent shares' : 'Received shares', C.Collapsed);
        item.id = `shares/${node.tenant.tenantId}/${node.subscriptionId}/${node.resourceGroup}/${node.account}/${node.which}`;
        item.iconPath = new vscode.ThemeIcon(sent ? 'export' : 'desktop-download');
        item.contextValue = sent ? 'sentShares' : 'receivedShares';
        item.tooltip = sent ? `Shares that ${node.account} sends to consumers` : `Shares that ${node.account} receives from providers`;
        item.accessibilityInformation = { label: `${sent ? 'Sent' : 'Received'} shares of ${node.account}` };
        return item;
      }
      case 'share': {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.id = node.id;
        item.description = node.summary ?? node.shareKind;
        item.tooltip = new vscode.MarkdownString(md([`**Sent share ${esc(node.name)}**`, node.description && esc(node.description), node.summary, node.terms && `Terms of use: ${esc(node.terms)}`, `Account ${esc(node.ref.account)} · ${esc(node.ref.resourceGroup)}`]));
        item.iconPath = new vscode.ThemeIcon('export', node.tags?.includes('hasActiveConsumers') ? new vscode.ThemeColor('testing.iconPassed') : undefined);
        item.contextValue = contextValue('sentShare', 'share', 'sent', ...(node.tags ?? []));
        item.accessibilityInformation = { label: `Sent share ${node.name}${node.summary ? `, ${node.summary.replace(/ · /g, ', ')}` : ''}` };
        return item;
      }
      case 'received': {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.id = node.id;
        item.description = node.summary ?? [node.shareName && node.shareName !== node.name ? node.shareName : undefined, node.status].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(md([`**Received share ${esc(node.name)}**`, node.shareName && `Share ${esc(node.shareName)}`, node.provider && `From ${esc(node.provider)}`, node.status && `Status: ${node.status}`, node.summary, node.expires && `Expires ${when(node.expires)}`, node.terms && `Terms of use: ${esc(node.terms)}`]));
        item.iconPath = new vscode.ThemeIcon('desktop-download', node.status === 'Revoked' || node.status === 'SourceDeleted' ? new vscode.ThemeColor('errorForeground') : node.status === 'Active' ? new vscode.ThemeColor('testing.iconPassed') : undefined);
        item.contextValue = contextValue('receivedShare', (node.status ?? 'unknown').toLowerCase(), 'share', 'received', ...(node.tags ?? []));
        item.accessibilityInformation = { label: `Received share ${node.name}${node.status ? `, ${node.status}` : ''}${node.summary ? `, ${node.summary.replace(/ · /g, ', ')}` : ''}` };
        return item;
      }
      case 'section': {
        const icons: Record<SectionWhich, string> = { datasets: 'database', invitations: 'mail', consumers: 'person', schedule: 'calendar', history: 'history', storage: 'server', sources: 'database', mappings: 'arrow-swap', triggers: 'watch' };
        const item = new vscode.TreeItem(node.label, C.Collapsed);
        item.id = `${node.parentId}/section/${node.which}`;
        item.description = node.count;
        item.iconPath = new vscode.ThemeIcon(icons[node.which]);
        item.contextValue = contextValue('section', node.which);
        item.tooltip = `${node.label}${node.count ? `: ${node.count}` : ''}`;
        item.accessibilityInformation = { label: `${node.label}${node.count ? `, ${node.count}` : ''}` };
        return item;
      }
      case 'invitations': {
        const item = new vscode.TreeItem('Pending invitations', C.Collapsed);
        item.id = `shares/${node.tenant.tenantId}/invitations`;
        item.iconPath = new vscode.ThemeIcon('mail');
        item.contextValue = 'invitations';
        item.tooltip = `Invitations to ${node.tenant.displayName} waiting for an answer`;
        item.accessibilityInformation = { label: `Pending invitations in ${node.tenant.displayName}` };
        return item;
      }
      case 'invitation': {
        const item = new vscode.TreeItem(node.shareName, C.None);
        item.id = node.id;
        item.description = [node.provider ? `from ${node.provider}` : undefined, node.datasets !== undefined ? plural(node.datasets, 'dataset') : undefined].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(md([
          `**Invitation to share ${esc(node.shareName)}**`, node.provider && `From ${esc(node.provider)}${node.providerEmail ? ` (${esc(node.providerEmail)})` : ''}`,
          node.description && esc(node.description), node.datasets !== undefined && plural(node.datasets, 'dataset'),
          `**Terms of use:** ${node.terms ? esc(node.terms) : 'none stated'}`, node.sentAt && `Sent ${when(node.sentAt)}`, node.expires && `Expires ${when(node.expires)}`,
        ]));
        item.iconPath = new vscode.ThemeIcon('mail-read', new vscode.ThemeColor('list.warningForeground'));
        item.contextValue = contextValue('invitation', 'pending', node.terms ? 'hasTerms' : undefined);
        item.accessibilityInformation = { label: `Invitation to ${node.shareName}${node.provider ? ` from ${node.provider}` : ''}, pending${node.terms ? `, terms: ${node.terms}` : ''}` };
        return item;
      }
      case 'storageAccount': {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.id = `${node.side}:${node.id}`;
        item.description = `Storage account · ${plural(node.containers.length, 'container')}`;
        item.tooltip = new vscode.MarkdownString(md([`**Storage account ${esc(node.name)}**`, node.resourceGroup && `Resource group ${esc(node.resourceGroup)}`, `Containers: ${node.containers.map(esc).join(', ') || 'none'}`]));
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = contextValue('storageAccount', node.side);
        item.accessibilityInformation = { label: `Storage account ${node.name}, ${plural(node.containers.length, 'container')}` };
        return item;
      }
      case 'leaf': {
        const item = new vscode.TreeItem(node.label, C.None);
        if (node.id) item.id = node.id;
        item.description = node.description;
        item.tooltip = new vscode.MarkdownString(node.tooltip);
        item.iconPath = new vscode.ThemeIcon(node.icon, node.color ? new vscode.ThemeColor(node.color) : undefined);
        item.contextValue = node.context;
        item.accessibilityInformation = { label: node.a11y };
        return item;
      }
    }
  }
}

function snapshotLeaf(parentId: string, s: { synchronizationId?: string; status?: string; startTime?: string; endTime?: string; durationMs?: number; message?: string; synchronizationMode?: string; consumerEmail?: string; consumerName?: string }): Extract<Node, { kind: 'leaf' }> {
  const status = s.status ?? 'Unknown';
  const secs = s.durationMs !== undefined ? `${Math.round(s.durationMs / 1000)} s` : undefined;
  const who = s.consumerEmail ?? s.consumerName;
  return {
    kind: 'leaf', id: `${parentId}/synchronizations/${s.synchronizationId ?? s.startTime ?? ''}`, label: when(s.startTime) || (s.synchronizationId ?? 'Snapshot'),
    description: [status, secs, s.synchronizationMode, who].filter(Boolean).join(' · '), icon: statusIcon(status), color: statusColor(status),
    tooltip: md([`**Snapshot ${s.synchronizationId ? `\`${s.synchronizationId}\`` : ''}**`, `Status: ${status}`, s.startTime && `Started ${when(s.startTime)}`, s.endTime && `Ended ${when(s.endTime)}`, secs && `Took ${secs}`, who && `Consumer ${esc(who)}`, s.message && esc(s.message)]),
    context: contextValue('snapshot', status.toLowerCase()), a11y: `Snapshot ${when(s.startTime)}, ${status}${secs ? `, took ${secs}` : ''}`,
  };
}

/** The subscription id in an ARM resource id (the limiter's budget key), if any. */
function subscriptionOf(resourceId: string): string | undefined {
  return /\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1];
}
