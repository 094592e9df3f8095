import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import { classificationLabel } from '../workflows/classifications';
import type { SearchResultValue } from '../azure/purview/datamapModels';
import type { Connection } from './connection';
import {
  ConnectedTreeProvider, contextValue, infoNode, limiterFor, mapLimit, pagedChildren, PAGE_SIZE, resourceGroupOf,
  type InfoNode, type PagedChildren, type TenantNode,
} from './treeNodes';

/** Assets read per collection to build its storage hierarchy (beyond that: search). */
const COLLECTION_ASSET_CAP = 2000;

/** Purview type names as a person says them. */
const FRIENDLY: Record<string, string> = {
  azure_storage_account: 'Storage account',
  azure_blob_service: 'Blob service',
  azure_blob_container: 'Container',
  azure_blob_path: 'Blob file',
  azure_blob_resource_set: 'Resource set',
  azure_datalake_gen2_service: 'Data Lake service',
  azure_datalake_gen2_filesystem: 'File system',
  azure_datalake_gen2_path: 'Data Lake file',
  azure_datalake_gen2_resource_set: 'Resource set',
  azure_data_share: 'Data share',
  Process: 'Process',
  DataSet: 'Dataset',
};

/** `azure_blob_path` → "Blob file"; unknown types are humanised (`azure_sql_table` → "Azure sql table"). */
export function friendlyTypeName(typeName: string): string {
  if (FRIENDLY[typeName]) return FRIENDLY[typeName];
  const words = typeName.replace(/_/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'Asset';
}

interface Asset { guid: string; name: string; qualifiedName: string; entityType: string; classifications: string[]; tenantId: string; account: string }

/** A level of the storage hierarchy built from qualified names: storage account → container → folder → file. */
interface Place {
  level: 'storageAccount' | 'container' | 'folder';
  name: string;
  /** Qualified-name prefix of this level. */
  qn: string;
  /** The catalogued entity of this level, when there is one (folders are implied by paths). */
  asset?: Asset;
  places: Map<string, Place>;
  files: Asset[];
}

type Node =
  | { kind: 'account'; tenant: TenantSummary; name: string; subscriptionId: string; resourceGroup: string }
  | { kind: 'collection'; tenant: TenantSummary; account: string; name: string; friendlyName: string; children: string[]; all: Map<string, { friendlyName: string; children: string[] }> }
  | { kind: 'place'; tenantId: string; account: string; place: Place }
  | ({ kind: 'asset' } & Asset)
  | { kind: 'classification'; name: string }
  | { kind: 'search'; keywords: string; classification?: string }
  | { kind: 'searchAccount'; tenant: TenantSummary; account: string; keywords: string; classification?: string; count?: number };

function toAsset(v: SearchResultValue, tenantId: string, account: string): Asset {
  return {
    guid: v.id ?? '', name: v.name ?? v.qualifiedName ?? '', qualifiedName: v.qualifiedName ?? '', entityType: v.entityType ?? '',
    classifications: v.classification ?? [], tenantId, account,
  };
}

/** `https://acct.blob.core.windows.net/c/a/b.csv` → { account, container, segments } (storage assets only). */
function storagePath(qn: string): { account: string; container?: string; segments: string[] } | undefined {
  const m = /^https:\/\/([a-z0-9]+)\.(?:(?:blob|dfs)\.)?core\.windows\.net(?:\/(.*))?$/i.exec(qn);
  if (!m) return undefined;
  const parts = (m[2] ?? '').split('/').filter(Boolean);
  return { account: m[1].toLowerCase(), container: parts[0], segments: parts.slice(1) };
}

/** Arranges assets into storage account → container → folder → file; returns the places and the assets that are not storage. */
export function storageHierarchy(assets: Asset[]): { accounts: Place[]; others: Asset[] } {
  const accounts = new Map<string, Place>();
  const others: Asset[] = [];
  const place = (parent: Map<string, Place>, level: Place['level'], name: string, qn: string): Place => {
    let p = parent.get(name);
    if (!p) { p = { level, name, qn, places: new Map(), files: [] }; parent.set(name, p); }
    return p;
  };
  for (const a of assets) {
    const sp = storagePath(a.qualifiedName);
    if (!sp) { others.push(a); continue; }
    const acct = place(accounts, 'storageAccount', sp.account, `https://${sp.account}`);
    if (a.entityType === 'azure_storage_account') { acct.asset = a; continue; }
    if (!sp.container) continue; // the blob / data lake service: shown as its account
    const container = place(acct.places, 'container', sp.container, `${acct.qn}/${sp.container}`);
    if (sp.segments.length === 0) { container.asset = a; continue; }
    let cur = container;
    for (const seg of sp.segments.slice(0, -1)) cur = place(cur.places, 'folder', seg, `${cur.qn}/${seg}`);
    cur.files.push(a);
  }
  return { accounts: [...accounts.values()], others };
}

/** A fixed list shown a page at a time ("Load more" beyond PAGE_SIZE). */
function staticPages<T>(items: T[], empty?: InfoNode, noun?: string): PagedChildren<T> {
  let at = 0;
  return {
    kind: 'paged', empty, noun,
    pages: { next: async () => (at >= items.length ? { done: true, value: undefined } : { done: false, value: items.slice(at, (at += PAGE_SIZE)) }) },
  };
}

/**
 * Purview Catalog view: tenants → Purview accounts → collections (nested as in Purview) → the
 * collection's assets in their storage hierarchy (storage account → container → folder → file,
 * with friendly type names) and their classifications. A search (keywords and a classification)
 * shows its results as a section at the top. Each tenant uses its own clients and limiter; an
 * error shows under the node that failed, with Retry.
 */
export class CatalogTreeProvider extends ConnectedTreeProvider<Node> {
  private search: { keywords: string; classification?: string } | undefined;
  private searchNode: Extract<Node, { kind: 'search' }> | undefined;

  constructor(connection: Connection) {
    super(connection, 'catalog', vscode.TreeItemCollapsibleState.Collapsed);
  }

  /** Shows a search (keywords and/or a classification) as the first section of the view. */
  setSearch(search: { keywords: string; classification?: string } | undefined): void {
    this.search = search;
    this.searchNode = search ? { kind: 'search', keywords: search.keywords, classification: search.classification } : undefined;
    this.refresh();
  }

  get currentSearch(): { keywords: string; classification?: string } | undefined { return this.search; }

  protected override rootExtras(): Node[] {
    return this.searchNode ? [this.searchNode] : [];
  }

  protected async childrenOf(node: Node | TenantNode): Promise<Array<Node | InfoNode> | PagedChildren<Node | InfoNode>> {
    switch (node.kind) {
      case 'tenant': return await this.accounts(node.tenant);
      case 'account': return await this.rootCollection(node);
      case 'collection': return await this.collectionChildren(node);
      case 'place': return this.placeChildren(node);
      case 'asset': return node.classifications.length
        ? node.classifications.map((name) => ({ kind: 'classification', name }))
        : [infoNode('No classifications')];
      case 'search': return await this.searchChildren(node);
      case 'searchAccount': {
        const clients = await this.connection.azure().clients(node.tenant.tenantId);
        const list = clients.purviewDataPlane(node.account).dataMap.discovery.query({ keywords: node.keywords || '*', limit: PAGE_SIZE, filter: node.classification ? { classification: node.classification } : undefined });
        return pagedChildren(node.tenant.tenantId, list, (v): Node => ({ kind: 'asset', ...toAsset(v, node.tenant.tenantId, node.account) }), { empty: infoNode('No matches'), noun: 'results' });
      }
      default: return [];
    }
  }

  /** Purview accounts of every subscription of the tenant, listed in parallel. */
  private async accountsOf(tenant: TenantSummary): Promise<Array<Extract<Node, { kind: 'account' }>>> {
    const clients = await this.connection.azure().clients(tenant.tenantId);
    const limiter = limiterFor(tenant.tenantId);
    const perSub = await mapLimit(tenant.subscriptions, 4, (sub) => limiter.run(async () => {
      const { items } = await clients.purview(sub.subscriptionId).accounts.list().collect({ max: 500 });
      return items.map((a): Extract<Node, { kind: 'account' }> => ({ kind: 'account', tenant, name: a.name ?? '', subscriptionId: sub.subscriptionId, resourceGroup: resourceGroupOf(a.id) }));
    }));
    return perSub.flat();
  }

  private async accounts(tenant: TenantSummary): Promise<Array<Node | InfoNode>> {
    const nodes = await this.accountsOf(tenant);
    return nodes.length ? nodes : [infoNode('No Purview accounts in this tenant')];
  }

  /** Loads the account's collections once and shows the root collection's contents. */
  private async rootCollection(node: Extract<Node, { kind: 'account' }>): Promise<Array<Node | InfoNode> | PagedChildren<Node | InfoNode>> {
    const clients = await this.connection.azure().clients(node.tenant.tenantId);
    const { items } = await limiterFor(node.tenant.tenantId).run(() => clients.purviewDataPlane(node.name).collections.list().collect({ max: 1000 }));
    const all = new Map<string, { friendlyName: string; children: string[] }>();
    for (const c of items) all.set(c.name ?? '', { friendlyName: c.friendlyName ?? c.name ?? '', children: [] });
    for (const c of items) {
      const parent = c.parentCollection?.referenceName;
      if (parent && all.has(parent)) all.get(parent)!.children.push(c.name ?? '');
    }
    const root = all.get(node.name) ?? { friendlyName: node.name, children: [] };
    return this.collectionChildren({ kind: 'collection', tenant: node.tenant, account: node.name, name: node.name, friendlyName: root.friendlyName, children: root.children, all });
  }

  private async collectionChildren(node: Extract<Node, { kind: 'collection' }>): Promise<Array<Node | InfoNode> | PagedChildren<Node | InfoNode>> {
    const subCollections: Node[] = node.children.map((name) => {
      const c = node.all.get(name)!;
      return { kind: 'collection', tenant: node.tenant, account: node.account, name, friendlyName: c.friendlyName, children: c.children, all: node.all };
    });
    const clients = await this.connection.azure().clients(node.tenant.tenantId);
    const tenantId = node.tenant.tenantId;
    const limiter = limiterFor(tenantId);
    const pages = clients.purviewDataPlane(node.account).dataMap.discovery.query({ keywords: '*', limit: 1000, filter: { collectionId: node.name }, orderby: [{ name: 'ASC' }] }).byPage();
    const assets: Asset[] = [];
    let truncated = false;
    for (;;) {
      const r = await limiter.run(() => pages.next());
      if (r.done) break;
      assets.push(...r.value.map((v) => toAsset(v, tenantId, node.account)));
      if (assets.length >= COLLECTION_ASSET_CAP) { truncated = true; break; }
    }
    const { accounts, others } = storageHierarchy(assets);
    const places: Node[] = accounts.map((place) => ({ kind: 'place', tenantId, account: node.account, place }));
    const rest: Node[] = others.map((a) => ({ kind: 'asset', ...a }));
    const note: InfoNode[] = truncated ? [infoNode(`Showing the first ${COLLECTION_ASSET_CAP} assets; use Search the Catalog to narrow down`)] : [];
    const all = [...subCollections, ...places, ...rest, ...note];
    return all.length ? staticPages<Node | InfoNode>(all, undefined, 'assets') : [infoNode('No assets in this collection yet')];
  }

  private placeChildren(node: Extract<Node, { kind: 'place' }>): PagedChildren<Node | InfoNode> {
    const p = node.place;
    const sub: Node[] = [...p.places.values()].sort((a, b) => a.name.localeCompare(b.name)).map((place) => ({ kind: 'place', tenantId: node.tenantId, account: node.account, place }));
    const files: Node[] = [...p.files].sort((a, b) => a.name.localeCompare(b.name)).map((a) => ({ kind: 'asset', ...a }));
    return staticPages<Node | InfoNode>([...sub, ...files], infoNode(p.level === 'storageAccount' ? 'No containers catalogued' : 'Empty'), 'items');
  }

  /** One group per Purview account with hits, searched in parallel (each tenant through its limiter). */
  private async searchChildren(node: Extract<Node, { kind: 'search' }>): Promise<Array<Node | InfoNode>> {
    const discovery = await this.connection.discovery();
    const tenants: TenantSummary[] = discovery.tenants.filter((t) => t.state === 'signedIn').map((t) => ({
      tenantId: t.tenant.tenantId, displayName: t.tenant.displayName, domain: t.tenant.domain,
      subscriptions: t.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })),
    }));
    const groups = await Promise.all(tenants.map(async (tenant) => {
      try {
        const accounts = await this.accountsOf(tenant);
        const clients = await this.connection.azure().clients(tenant.tenantId);
        return await mapLimit(accounts, 4, async (a) => {
          const page = await limiterFor(tenant.tenantId).run(() => clients.purviewDataPlane(a.name).dataMap.discovery.queryPage({ keywords: node.keywords || '*', limit: 1, filter: node.classification ? { classification: node.classification } : undefined }));
          const count = page['@search.count'] ?? page.value?.length ?? 0;
          return count > 0 ? [{ kind: 'searchAccount', tenant, account: a.name, keywords: node.keywords, classification: node.classification, count } as Node] : [];
        }).then((x) => x.flat());
      } catch (error) {
        return [{ ...infoNode(`Error searching ${tenant.displayName}: ${(error as Error).message}`, 'error'), context: 'retry' } as InfoNode];
      }
    }));
    const flat = groups.flat();
    return flat.length ? flat : [infoNode('No matches')];
  }

  /** Classifications present in the catalogs (for the search filter), most used first. */
  async classificationsInUse(): Promise<Array<{ name: string; count: number }>> {
    const discovery = await this.connection.discovery();
    const counts = new Map<string, number>();
    await Promise.all(discovery.tenants.filter((t) => t.state === 'signedIn').map(async (t) => {
      const tenant: TenantSummary = { tenantId: t.tenant.tenantId, displayName: t.tenant.displayName, domain: t.tenant.domain, subscriptions: t.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })) };
      try {
        const clients = await this.connection.azure().clients(tenant.tenantId);
        for (const a of await this.accountsOf(tenant)) {
          const page = await limiterFor(tenant.tenantId).run(() => clients.purviewDataPlane(a.name).dataMap.discovery.queryPage({ keywords: '*', limit: 1000, facets: [{ facet: 'classification', count: 100 }] }));
          const facet = page['@search.facets']?.classification;
          if (facet?.length) for (const f of facet) { if (f.value) counts.set(f.value, (counts.get(f.value) ?? 0) + (f.count ?? 0)); }
          else for (const v of page.value ?? []) for (const c of v.classification ?? []) counts.set(c, (counts.get(c) ?? 0) + 1);
        }
      } catch { /* a tenant that fails offers no classifications; the tree shows its error */ }
    }));
    return [...counts.entries()].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
  }

  /** The entity behind an asset node as a read-only document (attributes, classifications, qualifiedName, JSON). */
  async assetDetails(node: { guid: string; tenantId: string; account: string }): Promise<string> {
    const clients = await this.connection.azure().clients(node.tenantId);
    const info = await limiterFor(node.tenantId).run(() => clients.purviewDataPlane(node.account).dataMap.entities.get(node.guid, { minExtInfo: true }));
    const e = info.entity ?? {};
    const attrs = (e.attributes ?? {}) as Record<string, unknown>;
    const name = String(attrs.name ?? node.guid);
    const classifications = (e.classifications ?? []).map((c) => c.typeName ?? '').filter(Boolean);
    const rows = Object.entries(attrs).filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object').map(([k, v]) => `| ${k} | ${String(v).replace(/\|/g, '\\|')} |`);
    return [
      `# ${name}`,
      '',
      `**Type:** ${friendlyTypeName(e.typeName ?? '')} (\`${e.typeName ?? ''}\`)  `,
      `**Qualified name:** \`${String(attrs.qualifiedName ?? '')}\`  `,
      `**GUID:** \`${e.guid ?? node.guid}\`  `,
      `**Purview account:** ${node.account}${e.collectionId ? ` · collection ${e.collectionId}` : ''}`,
      '',
      '## Classifications',
      '',
      classifications.length ? classifications.map((c) => `- ${classificationLabel(c)} (\`${c}\`)`).join('\n') : '_None_',
      '',
      '## Attributes',
      '',
      '| Attribute | Value |',
      '| --- | --- |',
      ...rows,
      '',
      '## Entity (JSON)',
      '',
      '```json',
      JSON.stringify(e, null, 2),
      '```',
      '',
    ].join('\n');
  }

  protected override resourceIdOf(node: Node | TenantNode): string | undefined {
    if (node.kind === 'asset') return `asset/${node.guid}`;
    return undefined;
  }

  protected itemFor(node: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'account': {
        const item = new vscode.TreeItem(node.name, C.Collapsed);
        item.id = `catalog/${node.tenant.tenantId}/${node.name}`;
        item.description = node.resourceGroup;
        item.tooltip = new vscode.MarkdownString(`**Purview account ${node.name}**\n\nResource group ${node.resourceGroup}\n\nTenant ${node.tenant.displayName}`);
        item.iconPath = new vscode.ThemeIcon('library');
        item.contextValue = 'purviewAccount';
        item.accessibilityInformation = { label: `Purview account ${node.name}` };
        return item;
      }
      case 'collection': {
        const item = new vscode.TreeItem(node.friendlyName, C.Collapsed);
        item.id = `catalog/${node.tenant.tenantId}/${node.account}/collection/${node.name}`;
        item.description = node.friendlyName !== node.name ? node.name : undefined;
        item.tooltip = `Collection ${node.friendlyName} (${node.name}) in ${node.account}`;
        item.iconPath = new vscode.ThemeIcon('folder-library');
        item.contextValue = 'purviewCollection';
        item.accessibilityInformation = { label: `Collection ${node.friendlyName}` };
        return item;
      }
      case 'place': {
        const p = node.place;
        const type = p.level === 'storageAccount' ? 'Storage account' : p.level === 'container' ? (p.asset && friendlyTypeName(p.asset.entityType) === 'File system' ? 'File system' : 'Container') : 'Folder';
        const labels = (p.asset?.classifications ?? []).map(classificationLabel);
        const item = new vscode.TreeItem(p.name, C.Collapsed);
        item.id = `catalog/${node.tenantId}/${node.account}/place/${p.qn}`;
        const counts = [p.places.size ? `${p.places.size} ${p.level === 'storageAccount' ? 'container' : 'folder'}${p.places.size === 1 ? '' : 's'}` : '', p.files.length ? `${p.files.length} file${p.files.length === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
        item.description = [type, counts].filter(Boolean).join(' · ');
        item.tooltip = new vscode.MarkdownString(`**${p.name}**\n\n${type}${p.asset ? `\n\n\`${p.asset.qualifiedName}\`` : ''}${labels.length ? `\n\nClassifications: ${labels.map((l) => `\`${l}\``).join(' ')}` : ''}`);
        item.iconPath = new vscode.ThemeIcon(p.level === 'storageAccount' ? 'server' : p.level === 'container' ? 'archive' : 'folder');
        item.contextValue = contextValue(p.asset ? 'purviewAsset' : 'purviewPlace', p.level, labels.length ? 'classified' : undefined);
        item.accessibilityInformation = { label: `${type} ${p.name}${counts ? `, ${counts}` : ''}` };
        return item;
      }
      case 'asset': {
        const item = new vscode.TreeItem(node.name, node.classifications.length ? C.Collapsed : C.None);
        item.id = `asset/${node.guid}`;
        const labels = node.classifications.map(classificationLabel);
        const type = friendlyTypeName(node.entityType);
        item.description = labels.length ? `${type} · ${labels.join(', ')}` : type;
        const tip = new vscode.MarkdownString(`**${node.name}**\n\n${type}\n\n\`${node.qualifiedName}\``);
        if (labels.length) tip.appendMarkdown(`\n\n**Classifications:** ${node.classifications.map((c) => `\`${classificationLabel(c)}\``).join(' ')}`);
        item.tooltip = tip;
        item.iconPath = new vscode.ThemeIcon(type === 'Container' || type === 'File system' ? 'archive' : type === 'Storage account' ? 'server' : type === 'Process' ? 'gear' : 'file', labels.length ? new vscode.ThemeColor('charts.orange') : undefined);
        item.contextValue = contextValue('purviewAsset', labels.length ? 'classified' : undefined, type === 'Blob file' || type === 'Data Lake file' ? 'file' : undefined);
        item.accessibilityInformation = { label: `${type} ${node.name}${labels.length ? `, classified ${labels.join(', ')}` : ''}` };
        return item;
      }
      case 'classification': {
        const item = new vscode.TreeItem(classificationLabel(node.name), C.None);
        item.description = node.name;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = 'classification';
        item.accessibilityInformation = { label: `Classification ${classificationLabel(node.name)}` };
        return item;
      }
      case 'search': {
        const what = [node.keywords ? `"${node.keywords}"` : '', node.classification ? `classified ${classificationLabel(node.classification)}` : ''].filter(Boolean).join(' · ') || 'all assets';
        const item = new vscode.TreeItem(`Search: ${what}`, C.Expanded);
        item.id = `catalog/search/${node.keywords}/${node.classification ?? ''}`;
        item.iconPath = new vscode.ThemeIcon('search');
        item.contextValue = 'catalogSearch';
        item.tooltip = `Search results for ${what}`;
        item.accessibilityInformation = { label: `Search results for ${what}` };
        return item;
      }
      case 'searchAccount': {
        const item = new vscode.TreeItem(node.account, C.Expanded);
        item.id = `catalog/search/${node.keywords}/${node.classification ?? ''}/${node.tenant.tenantId}/${node.account}`;
        item.description = `${node.tenant.displayName} · ${node.count ?? 0} result${node.count === 1 ? '' : 's'}`;
        item.iconPath = new vscode.ThemeIcon('library');
        item.contextValue = 'catalogSearchAccount';
        item.accessibilityInformation = { label: `${node.count ?? 0} results in ${node.account}` };
        return item;
      }
    }
  }
}
