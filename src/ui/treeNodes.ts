import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import { describeError } from '../workflows/errors';
import type { Connection } from './connection';

/** A leaf that tells something instead of showing a resource: an empty state or an error. */
export interface InfoNode {
  kind: 'info';
  label: string;
  icon: string;
  tooltip?: string;
  /** Extra context value (menus act on it), e.g. `missingRegistration`. */
  context?: string;
  /** What an action on this node needs (e.g. the subscription and namespace to register). */
  data?: Record<string, string>;
}

export function infoNode(label: string, icon = 'info'): InfoNode {
  return { kind: 'info', label, icon };
}

/** The error of a failed load, shown in place of the children it prevented (next step in the tooltip). */
export function errorNode(error: unknown): InfoNode {
  const { message, nextStep } = describeError(error);
  return { kind: 'info', label: `Error: ${message}`, icon: 'error', tooltip: nextStep ? `${message}\n${nextStep}` : message };
}

export function infoTreeItem(node: InfoNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(node.icon, node.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
  item.tooltip = node.tooltip;
  item.contextValue = [node.icon === 'error' ? 'error' : 'info', node.context].filter(Boolean).join(';');
  return item;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/...` → rg. */
export function resourceGroupOf(id: string | undefined): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';
}

export interface TenantNode { kind: 'tenant'; tenant: TenantSummary }

/**
 * A view over the current connection: one root per tenant, children loaded on expand, a load
 * failure shown as an error node in place of the children it prevented (other tenants unaffected).
 * Subclasses say what a node's children are and how a node looks.
 */
export abstract class ConnectedTreeProvider<N extends { kind: string }> implements vscode.TreeDataProvider<N | TenantNode | InfoNode> {
  private readonly changed = new vscode.EventEmitter<N | TenantNode | InfoNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(protected readonly connection: Connection, private readonly view: string, private readonly tenantState: vscode.TreeItemCollapsibleState) {
    connection.onDidChange(() => this.refresh());
  }

  refresh(): void { this.changed.fire(undefined); }

  async getChildren(node?: N | TenantNode | InfoNode): Promise<Array<N | TenantNode | InfoNode>> {
    const info = this.connection.info;
    if (!info) return [];
    if (!node) return info.tenants.map((tenant) => ({ kind: 'tenant', tenant }));
    if (node.kind === 'info') return [];
    try {
      return await this.childrenOf(node as N | TenantNode);
    } catch (error) {
      return [this.errorFor(node as N | TenantNode, error)];
    }
  }

  /** The node shown when loading `node`'s children failed; subclasses can attach an action. */
  protected errorFor(_node: N | TenantNode, error: unknown): InfoNode {
    return errorNode(error);
  }

  getTreeItem(node: N | TenantNode | InfoNode): vscode.TreeItem {
    if (node.kind === 'info') return infoTreeItem(node as InfoNode);
    if (node.kind === 'tenant') {
      const { tenant } = node as TenantNode;
      const item = new vscode.TreeItem(tenant.displayName, this.tenantState);
      item.id = `${this.view}/tenant/${tenant.tenantId}`;
      item.description = tenant.domain;
      item.tooltip = `Tenant ${tenant.displayName}\n${tenant.domain}\n${tenant.tenantId}`;
      item.iconPath = new vscode.ThemeIcon('organization');
      item.contextValue = 'tenant';
      item.accessibilityInformation = { label: `Tenant ${tenant.displayName}` };
      return item;
    }
    return this.itemFor(node as N);
  }

  protected abstract childrenOf(node: N | TenantNode): Promise<Array<N | InfoNode>>;
  protected abstract itemFor(node: N): vscode.TreeItem;
}
