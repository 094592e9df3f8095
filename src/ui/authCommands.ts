/**
 * Sign-in commands: Sign In to Azure…, Sign in to a tenant (the tree's "Sign in to this tenant" /
 * "Sign in again"), Select Tenants and Subscriptions…, and Start Local Sandbox (start the
 * sandbox as a child process and sign in both of its tenants in one click).
 */
import * as vscode from 'vscode';
import * as fs from 'fs';
import * as path from 'path';
import { filterFromSelection } from '../auth/tenants';
import { VSCODE_ARM_SCOPE, type AuthAccount } from '../auth/tokenSource';
import { CancelledError, UserFacingError } from '../workflows/errors';
import type { CommandRegistry } from './commands';
import type { Connection } from './connection';
import type { Log } from './log';
import type { SandboxProcess } from './sandboxProcess';
import type { ActivityLog } from './activity';
import { configuredAuthProviderId } from './authVscode';

/** ARM, the audience every tenant sign-in asks for first. */
const ARM_SCOPES = ['https://management.azure.com/.default'];

export type CredentialSetting = 'vscode' | 'azureCli' | 'environment';

export function credentialSetting(): CredentialSetting {
  const v = vscode.workspace.getConfiguration('governedDataShare').get<string>('auth.credential');
  return v === 'azureCli' || v === 'environment' ? v : 'vscode';
}

export function cloudSetting(): 'AzureCloud' | 'sandbox' {
  return vscode.workspace.getConfiguration('governedDataShare').get<string>('cloud') === 'sandbox' ? 'sandbox' : 'AzureCloud';
}

export interface AuthCommandDeps {
  commands: CommandRegistry;
  connection: Connection;
  sandbox: SandboxProcess;
  log: Log;
  /** The Activity view's log (the demo estate's steps are recorded by Run Recipe). */
  activity?: ActivityLog;
}

export const DEMO_CHOICE = 'Populated demo estate (recommended)';
export const EMPTY_CHOICE = 'Empty sandbox';

/**
 * First run on an empty data folder: offer the populated demo estate (the example recipe, run
 * through the workflows with progress and each step in the Activity view) or an empty sandbox.
 * `choice` skips the question (tests, links).
 */
async function offerDemoEstate(deps: AuthCommandDeps, choice?: string): Promise<boolean> {
  const picked = choice ?? (await vscode.window.showQuickPick([
    { label: DEMO_CHOICE, detail: 'A provider share with datasets, a consumer that received snapshots, scanned and classified assets, lineage in both tenants (about a minute).' },
    { label: EMPTY_CHOICE, detail: 'Just the two seeded tenants; build everything yourself.' },
  ], { title: 'The local sandbox is new: what should it contain?', ignoreFocusOut: true }))?.label;
  if (picked !== DEMO_CHOICE) return false;
  // The example recipe through the workflows (Run Recipe: plan, progress, each step in the Activity view, Retry).
  const planFile = path.join(deps.sandbox.extensionPath, 'examples', 'sandbox.recipe.json');
  const result = await vscode.commands.executeCommand<{ ok: boolean; error?: string } | undefined>('governedDataShare.runRecipe', { answers: { planFile }, confirm: true });
  if (result?.ok) {
    deps.log.info('Demo estate populated from examples/sandbox.recipe.json.');
    deps.connection.refreshTenants();
  }
  return result?.ok === true;
}

/** True when the sandbox data folder has nothing in it yet (a first start). */
function isEmptyDataDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).filter((f) => !f.startsWith('.')).length === 0;
  } catch {
    return true;
  }
}

export function registerAuthCommands({ commands, connection, sandbox, log }: AuthCommandDeps): void {
  commands.register('governedDataShare.signIn', async () => {
    if (cloudSetting() === 'sandbox') {
      return vscode.commands.executeCommand('governedDataShare.connectSandbox');
    }
    const auth = credentialSetting();
    if (auth === 'vscode') {
      // Adds an account (or picks one) through VS Code's Microsoft sign-in.
      const session = await vscode.authentication.getSession(configuredAuthProviderId(), [VSCODE_ARM_SCOPE], { createIfNone: true, clearSessionPreference: true })
        .then((s) => s, (e: Error) => { if (/consent|cancel/i.test(e.message)) throw new CancelledError(); throw e; });
      log.info(`Signed in to Azure as ${session.account.label}.`);
    }
    if (connection.info?.kind === 'azure' && connection.info.auth === auth) connection.refreshTenants();
    else await connection.connectAzure(auth);
    return true;
  }, { activityTitle: 'Sign in to Azure' });

  commands.register('governedDataShare.signInToTenant', async (arg?: unknown) => {
    const target = tenantFromArg(arg) ?? await pickTenant(connection);
    const source = await connection.azure().tokenSource();
    await source.getToken({ tenantId: target.tenantId, scopes: ARM_SCOPES, account: target.account, interactive: true });
    log.info(`Signed in to tenant ${target.tenantId}${target.account ? ` as ${target.account.label}` : ''}.`);
    connection.refreshTenants();
    return true;
  }, { activityTitle: 'Sign in to tenant' });

  commands.register('governedDataShare.selectTenants', async () => {
    connection.azure(); // says how to connect when not connected
    const discovery = await connection.discovery();
    const tenants = [
      ...discovery.tenants.map((t) => ({ tenant: t.tenant, picked: true, subscriptions: t.allSubscriptions, shown: t.subscriptions })),
      ...discovery.hiddenTenants.map((h) => ({ tenant: h.tenant, picked: false, subscriptions: [] as typeof discovery.tenants[number]['allSubscriptions'], shown: [] as typeof discovery.tenants[number]['subscriptions'] })),
    ];
    if (tenants.length === 0) throw new UserFacingError('No tenants to choose from.', 'Sign in to Azure first.');
    const pickedTenants = await vscode.window.showQuickPick(
      tenants.map((t) => ({ label: t.tenant.displayName, description: t.tenant.domain, detail: t.tenant.tenantId, picked: t.picked, tenantId: t.tenant.tenantId })),
      { canPickMany: true, title: 'Select tenants to show', placeHolder: 'Tenants', matchOnDescription: true, matchOnDetail: true },
    );
    if (!pickedTenants) throw new CancelledError();
    const subsItems = tenants.filter((t) => pickedTenants.some((p) => p.tenantId === t.tenant.tenantId)).flatMap((t) =>
      t.subscriptions.map((s) => ({ label: s.displayName, description: t.tenant.displayName, detail: s.subscriptionId, picked: t.shown.some((x) => x.subscriptionId === s.subscriptionId), tenantId: t.tenant.tenantId, subscriptionId: s.subscriptionId })));
    let pickedSubs: Array<{ tenantId: string; subscriptionId: string }> = subsItems;
    if (subsItems.length) {
      const chosen = await vscode.window.showQuickPick(subsItems, { canPickMany: true, title: 'Select subscriptions to show', placeHolder: 'Subscriptions', matchOnDescription: true, matchOnDetail: true });
      if (!chosen) throw new CancelledError();
      pickedSubs = chosen;
    }
    const filter = filterFromSelection(
      tenants.map((t) => ({ tenantId: t.tenant.tenantId, subscriptionIds: t.subscriptions.map((s) => s.subscriptionId) })),
      pickedTenants.map((p) => p.tenantId),
      pickedSubs,
    );
    await connection.setFilter(filter);
    return filter;
  }, { activityTitle: 'Select tenants and subscriptions' });

  commands.register('governedDataShare.startSandbox', async (arg?: unknown) => {
    const firstRun = !sandbox.running && isEmptyDataDir(sandbox.dataDir);
    const descriptionPath = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Starting the local sandbox…' },
      () => sandbox.start(),
    );
    const info = await connection.connectSandbox(vscode.Uri.file(descriptionPath), 'sandbox');
    const given = (arg as { estate?: string } | undefined)?.estate;
    const populated = firstRun && (given || !sandbox.testMode) ? await offerDemoEstate({ commands, connection, sandbox, log }, given === 'demo' ? DEMO_CHOICE : given === 'empty' ? EMPTY_CHOICE : undefined) : false;
    void vscode.window.showInformationMessage(`Local sandbox started and signed in: ${info.tenants.map((t) => t.displayName).join(' and ')}${populated ? ', with the demo estate' : ''}.`);
    return info.tenants.map((t) => t.tenantId);
  }, { activityTitle: 'Start local sandbox' });
}

function tenantFromArg(arg: unknown): { tenantId: string; account?: AuthAccount } | undefined {
  const a = arg as { tenantId?: unknown; account?: AuthAccount; data?: Record<string, string>; status?: { tenant: { tenantId: string }; account: AuthAccount } } | undefined;
  if (typeof a?.tenantId === 'string' && a.tenantId) return { tenantId: a.tenantId, account: a.account };
  if (a?.data?.tenantId) return { tenantId: a.data.tenantId, account: a.data.accountId ? { id: a.data.accountId, label: a.data.accountLabel ?? a.data.accountId } : undefined };
  if (a?.status) return { tenantId: a.status.tenant.tenantId, account: a.status.account };
  return undefined;
}

async function pickTenant(connection: Connection): Promise<{ tenantId: string; account?: AuthAccount }> {
  const discovery = await connection.discovery();
  const items = discovery.tenants.filter((t) => t.state !== 'signedIn').map((t) => ({ label: t.tenant.displayName, description: t.account.label, detail: t.tenant.tenantId, target: { tenantId: t.tenant.tenantId, account: t.account } }));
  if (items.length === 0) throw new UserFacingError('Every tenant is already signed in.', 'Use "Sign In to Azure…" to add another account.');
  const picked = await vscode.window.showQuickPick(items, { title: 'Sign in to a tenant', placeHolder: 'Tenants not signed in yet' });
  if (!picked) throw new CancelledError();
  return picked.target;
}
