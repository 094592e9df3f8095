import * as vscode from 'vscode';
import type { TenantSummary } from '../workflows/connection';
import type { Connection } from './connection';
import { ConnectedTreeProvider, errorNode, infoNode, resourceGroupOf, type InfoNode, type TenantNode } from './treeNodes';

type Node =
  | { kind: 'subscription'; tenant: TenantSummary; subscriptionId: string; displayName: string }
  | { kind: 'account'; tenant: TenantSummary; subscriptionId: string; id: string; name: string; resourceGroup: string; location?: string }
  | { kind: 'group'; which: 'sent' | 'received'; tenant: TenantSummary; subscriptionId: string; resourceGroup: string; account: string }
  | { kind: 'share'; id: string; name: string; description?: string; shareKind?: string }
  | { kind: 'received'; id: string; name: string; shareName?: string; provider?: string; status?: string }
  | { kind: 'invitations'; tenant: TenantSummary }
  | { kind: 'invitation'; id: string; shareName: string; provider: string; sentAt?: string; expires?: string; datasets?: number };

/**
 * Shares view: tenants → subscriptions → Data Share accounts → sent and received shares, plus
 * each tenant's pending invitations. Each level loads on expand through the tenant's own clients;
 * a failure shows as an error node under the node that failed (with what to do next in its
 * tooltip), never blanking the other tenants.
 */
export class SharesTreeProvider extends ConnectedTreeProvider<Node> {
  constructor(connection: Connection) {
    super(connection, 'shares', vscode.TreeItemCollapsibleState.Expanded);
  }

  protected async childrenOf(node: Node | TenantNode): Promise<Array<Node | InfoNode>> {
    switch (node.kind) {
      case 'tenant': {
        const subscriptions: Node[] = node.tenant.subscriptions.map((s) => ({ kind: 'subscription', tenant: node.tenant, subscriptionId: s.subscriptionId, displayName: s.displayName }));
        return [...(subscriptions.length ? subscriptions : [infoNode('No subscriptions in this tenant')]), { kind: 'invitations', tenant: node.tenant }];
      }
      case 'invitations': {
        const clients = await this.connection.azure().clients(node.tenant.tenantId);
        const { items } = await clients.dataShare.consumerInvitations.list().collect({ max: 200 });
        const pending = items.filter((i) => (i.properties.invitationStatus ?? 'Pending') === 'Pending');
        if (pending.length === 0) return [infoNode('No pending invitations')];
        return pending.map((i) => ({
          kind: 'invitation', id: i.id ?? i.properties.invitationId, shareName: i.properties.shareName ?? i.name ?? '',
          provider: [i.properties.providerName, i.properties.providerTenantName].filter(Boolean).join(', '),
          sentAt: i.properties.sentAt, expires: i.properties.expirationDate, datasets: i.properties.dataSetCount,
        }));
      }
      case 'subscription': {
        const clients = await this.connection.azure().clients(node.tenant.tenantId);
        const { items } = await clients.dataShare.accounts.listBySubscription(node.subscriptionId).collect({ max: 200 });
        if (items.length === 0) return [infoNode('No Data Share accounts yet')];
        return items.map((a) => ({ kind: 'account', tenant: node.tenant, subscriptionId: node.subscriptionId, id: a.id ?? '', name: a.name ?? '', resourceGroup: resourceGroupOf(a.id), location: a.location }));
      }
      case 'account': {
        const group = { tenant: node.tenant, subscriptionId: node.subscriptionId, resourceGroup: node.resourceGroup, account: node.name };
        return [{ kind: 'group', which: 'sent', ...group }, { kind: 'group', which: 'received', ...group }];
      }
      case 'group': {
        const clients = await this.connection.azure().clients(node.tenant.tenantId);
        const ref = { subscriptionId: node.subscriptionId, resourceGroupName: node.resourceGroup, accountName: node.account };
        if (node.which === 'sent') {
          const { items } = await clients.dataShare.shares.listByAccount(ref).collect({ max: 200 });
          if (items.length === 0) return [infoNode('No sent shares')];
          return items.map((s) => ({ kind: 'share', id: s.id ?? '', name: s.name ?? '', description: s.properties?.description, shareKind: s.properties?.shareKind }));
        }
        const { items } = await clients.dataShare.shareSubscriptions.listByAccount(ref).collect({ max: 200 });
        if (items.length === 0) return [infoNode('No received shares')];
        return items.map((r) => ({
          kind: 'received', id: r.id ?? '', name: r.name ?? '', shareName: r.properties?.shareName, status: r.properties?.shareSubscriptionStatus,
          provider: [r.properties?.providerName, r.properties?.providerTenantName].filter(Boolean).join(', '),
        }));
      }
      default:
        return [];
    }
  }

  /** An unregistered resource provider gets an inline Register action on its error node. */
  protected override errorFor(node: Node | TenantNode, error: unknown): InfoNode {
    const shown = errorNode(error);
    const code = (error as { code?: unknown }).code;
    const namespace = /namespace '([^']+)'/i.exec(shown.label)?.[1];
    if (node.kind === 'subscription' && code === 'MissingSubscriptionRegistration' && namespace) {
      return { ...shown, context: 'missingRegistration', data: { tenantId: node.tenant.tenantId, subscriptionId: node.subscriptionId, namespace } };
    }
    return shown;
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
      case 'group': {
        const sent = node.which === 'sent';
        const item = new vscode.TreeItem(sent ? 'Sent shares' : 'Received shares', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `shares/${node.tenant.tenantId}/${node.subscriptionId}/${node.resourceGroup}/${node.account}/${node.which}`;
        item.iconPath = new vscode.ThemeIcon(sent ? 'export' : 'desktop-download');
        item.contextValue = sent ? 'sentShares' : 'receivedShares';
        item.accessibilityInformation = { label: `${sent ? 'Sent' : 'Received'} shares of ${node.account}` };
        return item;
      }
      case 'received': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = [node.shareName && node.shareName !== node.name ? node.shareName : undefined, node.status].filter(Boolean).join(' · ');
        item.tooltip = `Received share ${node.name}${node.shareName ? `\nShare ${node.shareName}` : ''}${node.provider ? `\nFrom ${node.provider}` : ''}${node.status ? `\n${node.status}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('desktop-download', node.status === 'Revoked' ? new vscode.ThemeColor('errorForeground') : undefined);
        item.contextValue = `receivedShare;${(node.status ?? 'unknown').toLowerCase()}`;
        item.accessibilityInformation = { label: `Received share ${node.name}${node.status ? `, ${node.status}` : ''}` };
        return item;
      }
      case 'invitations': {
        const item = new vscode.TreeItem('Pending invitations', vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `shares/${node.tenant.tenantId}/invitations`;
        item.iconPath = new vscode.ThemeIcon('mail');
        item.contextValue = 'invitations';
        item.accessibilityInformation = { label: `Pending invitations in ${node.tenant.displayName}` };
        return item;
      }
      case 'invitation': {
        const item = new vscode.TreeItem(node.shareName, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.description = node.provider ? `from ${node.provider}` : undefined;
        item.tooltip = `Invitation to share ${node.shareName}${node.provider ? `\nFrom ${node.provider}` : ''}${node.datasets !== undefined ? `\n${node.datasets} dataset(s)` : ''}${node.sentAt ? `\nSent ${node.sentAt}` : ''}${node.expires ? `\nExpires ${node.expires}` : ''}`;
        item.iconPath = new vscode.ThemeIcon('mail-read');
        item.contextValue = 'invitation;pending';
        item.accessibilityInformation = { label: `Invitation to ${node.shareName}${node.provider ? ` from ${node.provider}` : ''}` };
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
