import * as vscode from 'vscode';
import { describeError } from '../workflows/errors';

/** A leaf that tells something instead of showing a resource: an empty state or an error. */
export interface InfoNode { kind: 'info'; label: string; icon: string; tooltip?: string }

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
  item.contextValue = node.icon === 'error' ? 'error' : 'info';
  return item;
}

/** `/subscriptions/{s}/resourceGroups/{rg}/...` → rg. */
export function resourceGroupOf(id: string | undefined): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id ?? '')?.[1] ?? '';
}
