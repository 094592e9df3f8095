import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import type { Connection } from './connection';

type Node = { kind: 'tenant'; tenant: TenantSummary } | { kind: 'info'; label: string };

/**
 * Purview Catalog view: one node per tenant of the connection; Purview accounts, collections
 * and assets with their classifications load beneath them once the Purview clients land.
 */
export class CatalogTreeProvider implements vscode.TreeDataProvider<Node> {
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
    if (node.kind === 'tenant') return [{ kind: 'info', label: 'No Purview accounts found in this tenant' }];
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'tenant') {
      const item = new vscode.TreeItem(node.tenant.displayName, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `catalog/tenant/${node.tenant.tenantId}`;
      item.description = node.tenant.domain;
      item.iconPath = new vscode.ThemeIcon('organization');
      item.contextValue = 'tenant';
      item.accessibilityInformation = { label: `Tenant ${node.tenant.displayName}` };
      return item;
    }
    const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
    item.iconPath = new vscode.ThemeIcon('info');
    item.contextValue = 'info';
    return item;
  }
}
