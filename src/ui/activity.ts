import * as vscode from 'vscode';
import { redactSecrets } from '../common/redact';

export type ActivityStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface Activity {
  id: number;
  title: string;
  status: ActivityStatus;
  startedAt: Date;
  endedAt?: Date;
  detail?: string;
}

/** In-memory record of what the person ran in this window, newest first. */
export class ActivityLog {
  private readonly items: Activity[] = [];
  private nextId = 1;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  start(title: string): Activity {
    const activity: Activity = { id: this.nextId++, title, status: 'running', startedAt: new Date() };
    this.items.unshift(activity);
    this.changed.fire();
    return activity;
  }

  finish(activity: Activity, status: Exclude<ActivityStatus, 'running'>, detail?: string): void {
    activity.status = status;
    activity.endedAt = new Date();
    activity.detail = detail === undefined ? undefined : redactSecrets(detail);
    this.changed.fire();
  }

  clear(): void {
    const running = this.items.filter((a) => a.status === 'running');
    this.items.splice(0, this.items.length, ...running);
    this.changed.fire();
  }

  entries(): readonly Activity[] { return this.items; }
}

const ICONS: Record<ActivityStatus, vscode.ThemeIcon> = {
  running: new vscode.ThemeIcon('loading~spin'),
  succeeded: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
};

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export class ActivityTreeProvider implements vscode.TreeDataProvider<Activity> {
  private readonly changed = new vscode.EventEmitter<Activity | undefined>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly log: ActivityLog) {
    log.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: Activity): Activity[] {
    return element ? [] : [...this.log.entries()];
  }

  getTreeItem(a: Activity): vscode.TreeItem {
    const item = new vscode.TreeItem(a.title, vscode.TreeItemCollapsibleState.None);
    const elapsed = a.endedAt ? formatDuration(a.endedAt.getTime() - a.startedAt.getTime()) : undefined;
    item.description = a.status === 'running' ? 'Running…' : `${a.status === 'succeeded' ? 'Succeeded' : a.status === 'failed' ? 'Failed' : 'Cancelled'} in ${elapsed}`;
    item.iconPath = ICONS[a.status];
    item.tooltip = a.detail ? `${a.title}\n${a.detail}` : a.title;
    item.accessibilityInformation = { label: `${a.title}, ${item.description}` };
    item.contextValue = `activity;${a.status}`;
    return item;
  }
}
