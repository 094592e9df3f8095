import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import type { Connection } from './connection';
import { ConnectedTreeProvider, infoNode, resourceGroupOf, type InfoNode, type TenantNode } from './treeNodes';

type Node =
  | { kind: 'subscription'; tenant: TenantSummary; subscriptionId: string; displayName: string }
  | { kind: 'account'; tenant: TenantSummary; subscriptionId: string; id: string; name: string; resourceGroup: string; location?: string }
  | { kind: 'share'; id: string; name: string; description?: string; shareKind?: string };

/**
 * Shares view: tenants → subscriptions → Data Share accounts → sent shares. Each level loads on
 * expand through the tenant's own clients; a failure shows as an error node under the node that
 * failed (with what to do next in its tooltip), never blanking the other tenants.
 */
export class SharesTreeProvider extends ConnectedTreeProvider<Node> {
  constructor(connection: Connection) {
    super(connection, 'shares', vscode.TreeItemCollapsibleState.Expanded);
  }

  protected async childrenOf(node: Node | TenantNode): Promise<Array<Node | InfoNode>> {
    switch (node.kind) {
      case 'tenant':
        if (node.tenant.subscriptions.length === 0) return [infoNode('No subscriptions in this tenant')];
        return node.tenant.subscriptions.map((s) => ({ kind: 'subscription', tenant: node.tenant, subscriptionId: s.subscriptionId, displayName: s.displayName }));
      case 'subscription': {
        const clients = await this.connection.azure().clients(node.tenant.tenantId);
        const { items } = await clients.dataShare.accounts.listBySubscription(node.subscriptionId).collect({ max: 200 });
        if (items.length === 0) return [infoNode('No Data Share accounts yet')];
        return items.map((a) => ({ kind: 'account', tenant: node.tenant, subscriptionId: node.subscriptionId, id: a.id ?? '', name: a.name ?? '', resourceGroup: resourceGroupOf(a.id), location: a.location }));
      }
      case 'account': {
        const clients = await this.connection.azure().clients(node.tenant.tenantId);
        const { items } = await clients.dataShare.shares.listByAccount({ subscriptionId: node.subscriptionId, resourceGroupName: node.resourceGroup, accountName: node.name }).collect({ max: 200 });
        if (items.length === 0) return [infoNode('No sent shares')];
        return items.map((s) => ({ kind: 'share', id: s.id ?? '', name: s.name ?? '', description: s.properties?.description, shareKind: s.properties?.shareKind }));
      }
      default:
        return [];
    }
  }

  protected itemFor(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'subscription': {
        const item = new vscode.TreeItem(node.displayName, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `tenant/${node.tenant.tenantId}/subscription/${node.subscriptionId}`;
        item.description = node.subscriptionId;
        item.tooltip = `Subscription ${node.displayName}\n${node.subscriptionId}`;
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = 'subscription';
        item.accessibilityInformation = { label: `Subscription ${node.displayName}` };
        return item;
      }
      case 'account': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = node.id;
        item.description = node.resourceGroup;
        item.tooltip = `Data Share account ${node.name}\nResource group ${node.resourceGroup}${node.location ? `\n${node.location}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('repo');
        item.contextValue = 'dataShareAccount';
        item.accessibilityInformation = { label: `Data Share account ${node.name}` };
        return item;
      }
      case 'share': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.shareKind;
        item.tooltip = `Sent share ${node.name}${node.description ? `\n${node.description}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('export');
        item.contextValue = 'sentShare';
        item.accessibilityInformation = { label: `Sent share ${node.name}` };
        return item;
      }
    }
  }
}
