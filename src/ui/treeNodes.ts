import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import { describeError } from '../workflows/errors';
import type { AuthAccount } from '../auth/tokenSource';
import type { Discovery, TenantStatus } from '../auth/tenants';
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
  /** Runs when the node is clicked (sign-in actions). */
  command?: vscode.Command;
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
  if (node.command) item.command = node.command;
  return item;
}

/** "Sign in to this tenant" / "Sign in again": clicking it signs the account in to that tenant. */
export function signInNode(tenantId: string, account: AuthAccount | undefined, again: boolean, reason?: string): InfoNode {
  const label = again ? 'Sign in again' : 'Sign in to this tenant';
  return {
    kind: 'info', label, icon: 'sign-in', context: 'signIn',
    tooltip: [reason, account ? `Account ${account.label}` : undefined].filter(Boolean).join('\n') || undefined,
    data: { tenantId, ...(account ? { accountId: account.id, accountLabel: account.label } : {}) },
    command: { command: 'governedDataShare.signInToTenant', title: label, arguments: [{ tenantId, account }] },
  };
}

/** The tenant-level outcome of discovery, shown instead of its children when it is not signed in. */
export function tenantStatusNodes(status: TenantStatus, wasSignedIn: boolean): InfoNode[] | undefined {
  if (status.state === 'signedIn') return undefined;
  if (status.state === 'signInRequired') return [signInNode(status.tenant.tenantId, status.account, wasSignedIn, describeError(status.error).message)];
  return [errorNode(status.error)];
}

/** `/subscriptions/{s}/resourceGroups/{rg}/...` → rg. */
export function resourceGroupOf(id: string | undefined): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';
}

export interface TenantNode { kind: 'tenant'; tenant: TenantSummary; status?: TenantStatus }

/** Tenants signed in at some point in this window: a later silent failure offers "Sign in again". */
const signedInTenants = new Set<string>();

/** Root nodes for a discovery: tenants, then accounts that need attention, then a hint when empty. */
function rootNodes(d: Discovery): Array<TenantNode | InfoNode> {
  const tenants: Array<TenantNode | InfoNode> = d.tenants.map((status) => {
    if (status.state === 'signedIn') signedInTenants.add(status.tenant.tenantId.toLowerCase());
    return {
      kind: 'tenant', status,
      tenant: {
        tenantId: status.tenant.tenantId, displayName: status.tenant.displayName, domain: status.tenant.domain,
        subscriptions: status.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })),
      },
    };
  });
  for (const problem of d.accountProblems) {
    tenants.push(problem.state === 'signInRequired'
      ? { ...signInNode(problem.account.homeTenantId ?? '', problem.account, true, describeError(problem.error).message), label: `Sign in again: ${problem.account.label}` }
      : { ...errorNode(problem.error), label: `Error (${problem.account.label}): ${describeError(problem.error).message}` });
  }
  if (d.accounts.length === 0) {
    tenants.push({ kind: 'info', label: 'Sign in to Azure…', icon: 'sign-in', context: 'signIn', command: { command: 'governedDataShare.signIn', title: 'Sign In to Azure…' } });
  } else if (d.tenants.length === 0 && d.accountProblems.length === 0) {
    tenants.push(infoNode(d.hiddenTenants.length ? 'Every tenant is hidden by the filter: Select Tenants and Subscriptions…' : 'No tenants for the signed-in accounts'));
  }
  return tenants;
}

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
    if (!node) {
      try {
        return rootNodes(await this.connection.discovery());
      } catch (error) {
        return [errorNode(error)];
      }
    }
    if (node.kind === 'info') return [];
    if (node.kind === 'tenant' && (node as TenantNode).status) {
      const status = (node as TenantNode).status!;
      const instead = tenantStatusNodes(status, signedInTenants.has(status.tenant.tenantId.toLowerCase()));
      if (instead) return instead;
    }
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
      const status = (node as TenantNode).status;
      item.tooltip = `Tenant ${tenant.displayName}\n${tenant.domain}\n${tenant.tenantId}${status ? `\nAccount ${status.account.label}` : ''}`;
      item.iconPath = new vscode.ThemeIcon('organization', status && status.state !== 'signedIn' ? new vscode.ThemeColor(status.state === 'error' ? 'errorForeground' : 'list.warningForeground') : undefined);
      item.contextValue = status && status.state !== 'signedIn' ? `tenant;${status.state}` : 'tenant';
      item.accessibilityInformation = { label: `Tenant ${tenant.displayName}` };
      return item;
    }
    return this.itemFor(node as N);
  }

  protected abstract childrenOf(node: N | TenantNode): Promise<Array<N | InfoNode>>;
  protected abstract itemFor(node: N): vscode.TreeItem;
}
