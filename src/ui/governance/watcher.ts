/**
 * The in-editor watcher: runs src/workflows/watch.ts over the connected tenants and shows what it
 * notices as notifications and Activity rows (new invitations, snapshots finished or failed,
 * revoked subscriptions, invitations and access expiring soon, lineage recorded).
 *
 * - Starts after a connection (the extension runs "Watch for Changes" when one is made), never at
 *   activation; `governedDataShare.notifications.watch: false` keeps it off and stops it.
 * - Pauses while the window is not focused (nothing is polled), resumes on focus.
 * - Polls every `governedDataShare.notifications.intervalSeconds` (default 60), backing off when
 *   quiet or failing, inside a read budget far below ARM's read limits.
 */
import * as vscode from 'vscode';
import { Watcher, type Notice, type WatchSource } from '../../workflows/watch';
import type { CommandDef, HostToolkit, Run } from '../wizard/host';
import type { WorkflowCommandDeps } from '../workflowCommands';

interface Running {
  watcher: Watcher;
  stop: AbortController;
  disposables: vscode.Disposable[];
  connection: unknown;
}

let running: Running | undefined;

function settings() {
  const c = vscode.workspace.getConfiguration('governedDataShare.notifications');
  return { watch: c.get<boolean>('watch', true), intervalSeconds: Math.max(15, c.get<number>('intervalSeconds', 60)) };
}

async function sourcesOf(deps: WorkflowCommandDeps): Promise<WatchSource[]> {
  const info = deps.connection.info;
  if (!info) return [];
  const azure = deps.connection.azure();
  return Promise.all(info.tenants.map(async (t) => ({ tenantId: t.tenantId, tenantName: t.displayName, clients: await azure.clients(t.tenantId), subscriptionIds: t.subscriptions.map((s) => s.subscriptionId) })));
}

function show(deps: WorkflowCommandDeps, notices: Notice[]): void {
  for (const n of notices) {
    const tenant = deps.connection.info?.tenants.find((t) => t.tenantId.toLowerCase() === n.tenantId.toLowerCase())?.displayName ?? n.tenantId;
    const entry = deps.activity.start(`${n.message}`);
    deps.activity.finish(entry, n.kind === 'snapshot.failed' || n.kind === 'subscription.revoked' ? 'failed' : 'succeeded', `${tenant}: ${n.resourceId}`);
    deps.log.info(`Watcher (${tenant}): ${n.message}`);
    const text = `${tenant}: ${n.message}`;
    if (n.kind === 'snapshot.failed' || n.kind === 'subscription.revoked') void vscode.window.showWarningMessage(text, 'Show Activity').then((c) => c && vscode.commands.executeCommand('governedDataShare.activity.focus'));
    else void vscode.window.showInformationMessage(text, ...(n.kind === 'invitation.new' ? ['Show Invitations'] : [])).then((c) => c && vscode.commands.executeCommand('governedDataShare.shares.focus'));
  }
}

export function stopWatcher(): void {
  if (!running) return;
  running.stop.abort();
  running.disposables.forEach((d) => d.dispose());
  running = undefined;
}

/** Starts (or restarts for a new connection) the watcher; returns what it watches. */
export function startWatcher(deps: WorkflowCommandDeps): string {
  const s = settings();
  if (!s.watch) {
    stopWatcher();
    return 'The watcher is off (governedDataShare.notifications.watch is false).';
  }
  const info = deps.connection.info;
  if (!info) return 'Not connected: nothing to watch.';
  if (running && running.connection === info) return `Already watching ${info.tenants.length} tenant(s).`;
  stopWatcher();
  const watcher = new Watcher({ sources: () => sourcesOf(deps), intervalMs: s.intervalSeconds * 1000, maxIntervalMs: Math.max(15 * 60_000, s.intervalSeconds * 4000), onError: (e) => deps.log.warn(`Watcher: ${(e as Error).message}`) });
  const stop = new AbortController();
  const disposables: vscode.Disposable[] = [
    vscode.window.onDidChangeWindowState((w) => (w.focused ? watcher.resume() : watcher.pause())),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('governedDataShare.notifications') && running?.watcher === watcher) {
        stopWatcher();
        if (settings().watch) startWatcher(deps);
      }
    }),
    deps.connection.onDidChange((c) => {
      if (!c && running?.watcher === watcher) stopWatcher();
    }),
  ];
  if (!vscode.window.state.focused) watcher.pause();
  running = { watcher, stop, disposables, connection: info };
  void (async () => {
    for await (const batch of watcher.notices(stop.signal)) show(deps, batch);
  })().catch((e: unknown) => deps.log.error(`Watcher stopped: ${(e as Error).message}`));
  return `Watching ${info.tenants.length} tenant(s) every ${s.intervalSeconds} s (paused while the window is not focused).`;
}

/** For tests and the status of the command. */
export function watcherState(): { running: boolean; paused: boolean; polls: number } {
  return { running: !!running, paused: running?.watcher.isPaused ?? false, polls: running?.watcher.polls ?? 0 };
}

export function watcherCommands(_tk: HostToolkit): Record<string, CommandDef> {
  return {
    watchForChanges: {
      title: 'Watch for changes',
      side: 'p',
      impl: (run: Run) => Promise.resolve({ summary: startWatcher(run.deps), quiet: run.ctx.auto === true, extra: { watcher: watcherState() } }),
    },
    stopWatching: {
      title: 'Stop watching for changes',
      side: 'p',
      impl: (run: Run) => {
        const was = !!running;
        stopWatcher();
        return Promise.resolve({ summary: was ? 'The watcher stopped (it starts again with the next connection unless governedDataShare.notifications.watch is false).' : 'The watcher was not running.', quiet: run.ctx.auto === true });
      },
    },
  };
}
