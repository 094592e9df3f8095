import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import { classificationLabel } from '../workflows/classifications';
import type { Connection } from './connection';
import { ConnectedTreeProvider, infoNode, resourceGroupOf, type InfoNode, type TenantNode } from './treeNodes';

const ASSET_PAGE = 100;

type Node =
  | { kind: 'account'; tenant: TenantSummary; name: string; subscriptionId: string; resourceGroup: string }
  | { kind: 'collection'; tenant: TenantSummary; account: string; name: string; friendlyName: string; children: string[]; all: Map<string, { friendlyName: string; children: string[] }> }
  | { kind: 'asset'; guid: string; name: string; qualifiedName: string; entityType: string; classifications: string[] }
  | { kind: 'classification'; name: string };

/**
 * Purview Catalog view: tenants → Purview accounts → collections (nested as in Purview) → assets
 * with their classifications. Each tenant uses its own clients; an error shows under the node
 * that failed, with what to do next in its tooltip.
 */
export class CatalogTreeProvider extends ConnectedTreeProvider<Node> {
  constructor(connection: Connection) {
    super(connection, 'catalog', vscode.TreeItemCollapsibleState.Collapsed);
  }

  protected async childrenOf(node: Node | TenantNode): Promise<Array<Node | InfoNode>> {
    switch (node.kind) {
      case 'tenant': return await this.accounts(node.tenant);
      case 'account': return await this.rootCollection(node);
      case 'collection': return await this.collectionChildren(node);
      case 'asset': return node.classifications.length
        ? node.classifications.map((name) => ({ kind: 'classification', name }))
        : [infoNode('No classifications')];
      default: return [];
    }
  }

  private async accounts(tenant: TenantSummary): Promise<Array<Node | InfoNode>> {
    const clients = await this.connection.azure().clients(tenant.tenantId);
    const nodes: Node[] = [];
    for (const sub of tenant.subscriptions) {
      const { items } = await clients.purview(sub.subscriptionId).accounts.list().collect({ max: 100 });
      for (const a of items) {
        nodes.push({ kind: 'account', tenant, name: a.name ?? '', subscriptionId: sub.subscriptionId, resourceGroup: resourceGroupOf(a.id) });
      }
    }
    return nodes.length ? nodes : [infoNode('No Purview accounts in this tenant')];
  }

  /** Loads the account's collections once and shows the root collection's contents. */
  private async rootCollection(node: Extract<Node, { kind: 'account' }>): Promise<Array<Node | InfoNode>> {
    const clients = await this.connection.azure().clients(node.tenant.tenantId);
    const { items } = await clients.purviewDataPlane(node.name).collections.list().collect({ max: 1000 });
    const all = new Map<string, { friendlyName: string; children: string[] }>();
    for (const c of items) all.set(c.name ?? '', { friendlyName: c.friendlyName ?? c.name ?? '', children: [] });
    for (const c of items) {
      const parent = c.parentCollection?.referenceName;
      if (parent && all.has(parent)) all.get(parent)!.children.push(c.name ?? '');
    }
    const root = all.get(node.name) ?? { friendlyName: node.name, children: [] };
    return this.collectionChildren({ kind: 'collection', tenant: node.tenant, account: node.name, name: node.name, friendlyName: root.friendlyName, children: root.children, all });
  }

  private async collectionChildren(node: Extract<Node, { kind: 'collection' }>): Promise<Array<Node | InfoNode>> {
    const subCollections: Node[] = node.children.map((name) => {
      const c = node.all.get(name)!;
      return { kind: 'collection', tenant: node.tenant, account: node.account, name, friendlyName: c.friendlyName, children: c.children, all: node.all };
    });
    const clients = await this.connection.azure().clients(node.tenant.tenantId);
    const page = await clients.purviewDataPlane(node.account).dataMap.discovery.queryPage({ keywords: '*', limit: ASSET_PAGE, filter: { collectionId: node.name }, orderby: [{ name: 'ASC' }] });
    const assets: Node[] = (page.value ?? []).map((v) => ({
      kind: 'asset', guid: v.id ?? '', name: v.name ?? v.qualifiedName ?? '', qualifiedName: v.qualifiedName ?? '', entityType: v.entityType ?? '', classifications: v.classification ?? [],
    }));
    const total = page['@search.count'] ?? assets.length;
    const more: InfoNode[] = total > assets.length ? [infoNode(`Showing ${assets.length} of ${total} assets; search the catalog to narrow down`)] : [];
    const all = [...subCollections, ...assets, ...more];
    return all.length ? all : [infoNode('No assets in this collection yet')];
  }

  protected itemFor(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'account': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `catalog/${node.tenant.tenantId}/${node.name}`;
        item.description = node.resourceGroup;
        item.iconPath = new vscode.ThemeIcon('library');
        item.contextValue = 'purviewAccount';
        item.accessibilityInformation = { label: `Purview account ${node.name}` };
        return item;
      }
      case 'collection': {
        const item = new vscode.TreeItem(node.friendlyName, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `catalog/${node.tenant.tenantId}/${node.account}/collection/${node.name}`;
        item.iconPath = new vscode.ThemeIcon('folder-library');
        item.contextValue = 'purviewCollection';
        item.accessibilityInformation = { label: `Collection ${node.friendlyName}` };
        return item;
      }
      case 'asset': {
        const item = new vscode.TreeItem(node.name, node.classifications.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `asset/${node.guid}`;
        const labels = node.classifications.map(classificationLabel);
        item.description = labels.length ? `${node.entityType} · ${labels.join(', ')}` : node.entityType;
        item.tooltip = new vscode.MarkdownString(`**${node.name}**\n\n${node.entityType}\n\n\`${node.qualifiedName}\`${labels.length ? `\n\nClassifications: ${labels.join(', ')}` : ''}`);
        item.iconPath = new vscode.ThemeIcon(node.entityType.includes('container') || node.entityType.includes('filesystem') ? 'archive' : 'file', labels.length ? new vscode.ThemeColor('charts.orange') : undefined);
        item.contextValue = labels.length ? 'purviewAsset;classified' : 'purviewAsset';
        item.accessibilityInformation = { label: `Asset ${node.name}${labels.length ? `, classified ${labels.join(', ')}` : ''}` };
        return item;
      }
      case 'classification': {
        const item = new vscode.TreeItem(classificationLabel(node.name), vscode.TreeItemCollapsibleState.None);
        item.description = node.name;
        item.iconPath = new vscode.ThemeIcon('tag');
        item.contextValue = 'classification';
        item.accessibilityInformation = { label: `Classification ${classificationLabel(node.name)}` };
        return item;
      }
    }
  }
}
