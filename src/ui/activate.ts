import * as vscode from 'vscode';
import { ActivityLog, ActivityTreeProvider } from './activity';
import { CommandRegistry } from './commands';
import { Connection } from './connection';
import { CatalogTreeProvider } from './catalogTree';
import { SharesTreeProvider } from './sharesTree';
import { Log } from './log';
import { registerCoreCommands } from './coreCommands';
import { registerProviderCommands } from './providerCommands';

/** What `activate()` returns: used by tests and the activation benchmark. */
export interface ExtensionApi {
  activation: {
    /** performance.now() when the bundle started and finished evaluating, and around activate(). */
    bundleLoadStartMs: number; bundleLoadEndMs: number; activateStartMs: number; activateEndMs: number;
    /** From the bundle starting to load to activate() returning (includes VS Code's own work in between). */
    totalMs: number;
  };
  /** Ids of every command this extension registered (checked against package.json by tests). */
  registeredCommands(): string[];
  /** Read-only view of the activity log, newest first. */
  activities(): ReadonlyArray<{ title: string; status: string; detail?: string }>;
}

export function activateUi(context: vscode.ExtensionContext): ExtensionApi {
  const log = new Log(vscode.window.createOutputChannel('Governed Data Share', { log: true }));
  const activity = new ActivityLog();
  const connection = new Connection(context, log);
  const commands = new CommandRegistry(context, log, activity);

  const shares = new SharesTreeProvider(connection);
  const catalog = new CatalogTreeProvider(connection);
  const activityTree = new ActivityTreeProvider(activity);
  context.subscriptions.push(
    log,
    connection,
    vscode.window.createTreeView('governedDataShare.shares', { treeDataProvider: shares, showCollapseAll: true }),
    vscode.window.createTreeView('governedDataShare.catalog', { treeDataProvider: catalog, showCollapseAll: true }),
    vscode.window.createTreeView('governedDataShare.activity', { treeDataProvider: activityTree }),
  );

  const refreshViews = () => { shares.refresh(); catalog.refresh(); };
  registerCoreCommands({ commands, connection, log, activity, refreshViews });
  registerProviderCommands(commands, connection, activity, refreshViews);
  connection.restore();

  return {
    activation: { bundleLoadStartMs: 0, bundleLoadEndMs: 0, activateStartMs: 0, activateEndMs: 0, totalMs: 0 },
    registeredCommands: () => commands.ids(),
    activities: () => activity.entries().map((a) => ({ title: a.title, status: a.status, detail: a.detail })),
  };
}
