import * as vscode from 'vscode';
import * as path from 'path';
import { ActivityLog, ActivityTreeProvider } from './activity';
import { CommandRegistry } from './commands';
import { Connection } from './connection';
import type { CatalogTreeProvider } from './catalogTree';
import type { SharesTreeProvider } from './sharesTree';
import type * as TreesModule from './trees';
import { LazyTreeProvider } from './lazyTree';
import { Log } from './log';
import { registerCoreCommands } from './coreCommands';
import { registerProviderCommands } from './providerCommands';
import { registerLineage } from './lineage';
import { registerAuthCommands } from './authCommands';
import { registerWorkflowCommands } from './workflowCommands';
import { setAuthProviderOverride } from './authVscode';
import { SandboxProcess } from './sandboxProcess';
import { registerTreeCommands } from './treeCommands';
import { registerGovernanceCommands } from './governanceCommands';
import { watchQualityRules } from './governance/qualityActivation';

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
  /** Shows a resource (by ARM id) in the Shares view, e.g. a share just created; false when not found. */
  revealInShares(resourceId: string): Promise<boolean>;
  /** Only when running under tests (ExtensionMode.Test). */
  testing?: TestingApi;
}

/** Test hooks: sign in through a test authentication provider and read the trees. */
export interface TestingApi {
  /** Use this VS Code authentication provider id instead of `microsoft` (undefined: back to normal). */
  useAuthProvider(id: string | undefined): void;
  /** Connect to a sandbox cloud, signing in through VS Code accounts (the provider above). */
  connectSandboxWithVsCodeAccounts(sandboxJsonPath: string): Promise<void>;
  shares: vscode.TreeDataProvider<unknown>;
  catalog: vscode.TreeDataProvider<unknown>;
  /** The activity log itself (steps, errors, retry) and the Activity view's provider. */
  activityLog: ActivityLog;
  activity: vscode.TreeDataProvider<unknown>;
  /** The running "Start Local Sandbox" child, if any, and the sandbox.json it wrote. */
  sandboxPid(): number | undefined;
  sandboxDescriptionPath(): string | undefined;
  /** Stops the "Start Local Sandbox" child and empties its data folder (the next start is a first start). */
  resetSandbox(): Promise<void>;
}

export function activateUi(context: vscode.ExtensionContext): ExtensionApi {
  const log = new Log(vscode.window.createOutputChannel('Governed Data Share', { log: true }));
  const activity = new ActivityLog();
  const connection = new Connection(context, log);
  const commands = new CommandRegistry(context, log, activity);
  const sandbox = new SandboxProcess(context, log);

  // The tree providers' code (dist/trees.js) loads when a view first asks for its items or a
  // command needs a tree; until then these stand-ins are registered (see ./lazyTree.ts).
  const shares = new LazyTreeProvider<unknown, SharesTreeProvider>(() => new (loadTrees().SharesTreeProvider)(connection));
  const catalog = new LazyTreeProvider<unknown, CatalogTreeProvider>(() => new (loadTrees().CatalogTreeProvider)(connection));
  const activityTree = new ActivityTreeProvider(activity);
  const sharesView = vscode.window.createTreeView('governedDataShare.shares', { treeDataProvider: shares, showCollapseAll: true });
  const catalogView = vscode.window.createTreeView('governedDataShare.catalog', { treeDataProvider: catalog, showCollapseAll: true });
  shares.attach(sharesView);
  catalog.attach(catalogView);
  context.subscriptions.push(
    log,
    connection,
    sandbox,
    sharesView,
    catalogView,
    shares,
    catalog,
    activityTree,
    vscode.window.createTreeView('governedDataShare.activity', { treeDataProvider: activityTree }),
  );

  // Refresh also looks at accounts and tenants again (a sign-in elsewhere, a new subscription).
  const refreshViews = () => { if (connection.info) connection.refreshTenants(); else { shares.refresh(); catalog.refresh(); } };
  registerCoreCommands({ commands, connection, log, activity, refreshViews });
  registerProviderCommands(commands, connection, activity, refreshViews);
  registerLineage(commands, { context, connection, log, reveal: { shares: (id) => shares.reveal(id), catalog: (id) => catalog.reveal(id) } });
  registerAuthCommands({ commands, connection, sandbox, log, activity });
  registerTreeCommands({ context, commands, shares, catalog, activity });
  registerWorkflowCommands(commands, { context, connection, log, activity, refreshViews, reveal: (id) => shares.reveal(id) });
  registerGovernanceCommands(commands, { context, connection, log, activity, refreshViews, reveal: (id) => shares.reveal(id) });
  // Event notifications: the watcher starts after a connection (never at activation), once per connection, in the lazy workflow host.
  let watched: unknown; context.subscriptions.push(connection.onDidChange((c) => { if (c && c !== watched && context.extensionMode !== vscode.ExtensionMode.Test && vscode.workspace.getConfiguration('governedDataShare.notifications').get('watch', true)) { watched = c; void vscode.commands.executeCommand('governedDataShare.watchForChanges', { answers: { auto: true } }); } }));
  watchQualityRules(context);
  connection.restore();

  const testing: TestingApi | undefined = context.extensionMode === vscode.ExtensionMode.Test ? {
    useAuthProvider: (id) => setAuthProviderOverride(id),
    connectSandboxWithVsCodeAccounts: async (file) => { await connection.connectSandbox(vscode.Uri.file(file), 'vscode'); },
    shares,
    catalog,
    activityLog: activity,
    activity: activityTree as vscode.TreeDataProvider<unknown>,
    sandboxPid: () => sandbox.pid,
    sandboxDescriptionPath: () => (sandbox.running ? path.join(sandbox.dataDir, 'sandbox.json') : undefined),
    resetSandbox: () => sandbox.reset(),
  } : undefined;

  return {
    activation: { bundleLoadStartMs: 0, bundleLoadEndMs: 0, activateStartMs: 0, activateEndMs: 0, totalMs: 0 },
    registeredCommands: () => commands.ids(),
    activities: () => activity.entries().map((a) => ({ title: a.title, status: a.status, detail: a.detail })),
    revealInShares: (resourceId) => shares.reveal(resourceId),
    ...(testing ? { testing } : {}),
  };
}

/** The lazily-loaded tree providers (dist/trees.js in the bundle; esbuild keeps this require at runtime). */
function loadTrees(): typeof TreesModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./trees') as typeof TreesModule;
}
