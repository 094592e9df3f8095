import * as vscode from 'vscode';
import type { ActivityLog } from './activity';
import type { CommandRegistry } from './commands';
import type { Connection } from './connection';
import type { Log } from './log';
import { CancelledError } from '../workflows/errors';

export interface CoreCommandDeps {
  commands: CommandRegistry;
  connection: Connection;
  log: Log;
  activity: ActivityLog;
  refreshViews(): void;
}

/** Connection, refresh, log and walkthrough commands: the frame every later command joins. */
export function registerCoreCommands({ commands, connection, log, activity, refreshViews }: CoreCommandDeps): void {
  commands.register('governedDataShare.connectSandbox', async (arg?: unknown) => {
    // Accepts a path (from tests, the launcher or a link) or asks the person.
    let uri = typeof arg === 'string' ? vscode.Uri.file(arg) : arg instanceof vscode.Uri ? arg : undefined;
    if (!uri) {
      const suggested = connection.defaultDescriptionUri();
      const exists = suggested ? await vscode.workspace.fs.stat(suggested).then(() => true, () => false) : false;
      if (suggested && exists) {
        uri = suggested;
      } else {
        const picked = await vscode.window.showOpenDialog({
          title: 'Choose the sandbox description (sandbox.json)',
          openLabel: 'Connect',
          canSelectMany: false,
          filters: { 'Sandbox description': ['json'] },
          defaultUri: suggested,
        });
        if (!picked?.[0]) throw new CancelledError();
        uri = picked[0];
      }
    }
    const info = await connection.connectSandbox(uri);
    void vscode.window.showInformationMessage(`Connected to the local sandbox: ${info.tenants.map((t) => t.displayName).join(' and ')}.`);
    return info.tenants.map((t) => t.tenantId);
  }, { activityTitle: 'Connect to local sandbox' });

  commands.register('governedDataShare.disconnect', async () => {
    if (!connection.info) return;
    await connection.disconnect();
  }, { activityTitle: 'Disconnect' });

  commands.register('governedDataShare.refresh', () => refreshViews());
  commands.register('governedDataShare.showLog', () => log.show());
  commands.register('governedDataShare.clearActivity', () => activity.clear());
  commands.register('governedDataShare.openWalkthrough', () =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', 'governed-data-share.governed-data-share#governedDataShare.gettingStarted', false));
}
