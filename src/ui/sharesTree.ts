import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import type { Connection } from './connection';

type Node =
  | { kind: 'tenant'; tenant: TenantSummary }
  | { kind: 'subscription'; tenant: TenantSummary; subscriptionId: string; displayName: string }
  | { kind: 'info'; label: string; icon: string };

/**
 * Shares view: tenants → subscriptions of the connected cloud. Data Share accounts, sent and
 * received shares and invitations hang under subscriptions as the sharing workflows land.
 */
export class SharesTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly connection: Connection) {
    connection.onDidChange(() => this.refresh());
  }

  refresh(): void { this.changed.fire(undefined); }

  getChildren(node?: Node): Node[] {
    const info = this.connection.info;
    if (!info) return [];
    if (!node) return info.tenants.map((tenant) => ({ kind: 'tenant', tenant }));
    if (node.kind === 'tenant') {
      if (node.tenant.subscriptions.length === 0) return [{ kind: 'info', label: 'No subscriptions in this tenant', icon: 'info' }];
      return node.tenant.subscriptions.map((s) => ({ kind: 'subscription', tenant: node.tenant, subscriptionId: s.subscriptionId, displayName: s.displayName }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'tenant': {
        const item = new vscode.TreeItem(node.tenant.displayName, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `tenant/${node.tenant.tenantId}`;
        item.description = node.tenant.domain;
        item.tooltip = `Tenant ${node.tenant.displayName}\n${node.tenant.domain}\n${node.tenant.tenantId}`;
        item.iconPath = new vscode.ThemeIcon('organization');
        item.contextValue = 'tenant';
        item.accessibilityInformation = { label: `Tenant ${node.tenant.displayName}` };
        return item;
      }
      case 'subscription': {
        const item = new vscode.TreeItem(node.displayName, vscode.TreeItemCollapsibleState.None);
        item.id = `tenant/${node.tenant.tenantId}/subscription/${node.subscriptionId}`;
        item.description = node.subscriptionId;
        item.tooltip = `Subscription ${node.displayName}\n${node.subscriptionId}`;
        item.iconPath = new vscode.ThemeIcon('key');
        item.contextValue = 'subscription';
        item.accessibilityInformation = { label: `Subscription ${node.displayName}` };
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'info';
        return item;
      }
    }
  }
}
