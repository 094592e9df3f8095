import * as vscode from 'vscode';
import * as path from 'path';
import { parseSandboxDescription, type SandboxConnectionInfo, type TenantSummary } from '../workflows/connection';
import { UserFacingError } from '../workflows/errors';
import { EMPTY_FILTER, parseFilter, type Discovery, type TenantFilter } from '../auth/tenants';
import type { Log } from './log';
import { AzureSession, type AuthKind } from './azureSession';
import { configuredAuthProviderId, VsCodeTokenSource } from './authVscode';

const STATE_KEY = 'governedDataShare.connection.descriptionPath';
/** Which sign-in the sandbox connection (or the Azure connection) used: see AuthKind. */
const AUTH_STATE_KEY = 'governedDataShare.connection.auth';
const KIND_STATE_KEY = 'governedDataShare.connection.kind';
const FILTER_STATE_KEY = 'governedDataShare.tenantFilter';
const CONTEXT_KEY = 'governedDataShare.connected';

/** Azure's public cloud through VS Code accounts or @azure/identity; tenants come from discovery. */
export interface AzureConnectionInfo {
  kind: 'azure';
  auth: Exclude<AuthKind, 'sandbox'>;
  /** Signed-in tenants with their (filtered) subscriptions, as last discovered. */
  tenants: TenantSummary[];
}

export type ConnectionInfo = SandboxConnectionInfo | AzureConnectionInfo;

/** Holds the current connection, persists which sandbox was chosen, and drives the welcome views. */
export class Connection implements vscode.Disposable {
  private current: ConnectionInfo | undefined;
  private auth: AuthKind = 'sandbox';
  private session: AzureSession | undefined;
  private readonly vscodeSource = new VsCodeTokenSource();
  private readonly changed = new vscode.EventEmitter<ConnectionInfo | undefined>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log) {
    // A session added, removed or refreshed in VS Code's accounts: look at the tenants again.
    this.disposables.push(vscode.authentication.onDidChangeSessions((e) => {
      if (this.auth === 'vscode' && e.provider.id === configuredAuthProviderId()) this.refreshTenants();
    }));
  }

  get info(): ConnectionInfo | undefined { return this.current; }

  /** Clients for the current connection, shared by every view (one factory, one token cache per tenant). */
  azure(): AzureSession {
    if (!this.current) throw new UserFacingError('Not connected.', 'Run "Governed Data Share: Connect to Local Sandbox" or "Governed Data Share: Sign In to Azure…" first.');
    this.session ??= new AzureSession(
      { sandboxDescriptionPath: this.current.kind === 'sandbox' ? this.current.descriptionPath : undefined, auth: this.auth },
      () => this.vscodeSource,
      () => this.filter(),
    );
    return this.session;
  }

  /** Tenants as the views show them; for Azure, also updates `info.tenants` to the signed-in ones. */
  async discovery(): Promise<Discovery> {
    const current = this.current;
    const result = await this.azure().discovery();
    if (current?.kind === 'azure' && this.current === current) {
      current.tenants = result.tenants.filter((t) => t.state === 'signedIn').map((t) => ({
        tenantId: t.tenant.tenantId, displayName: t.tenant.displayName, domain: t.tenant.domain,
        subscriptions: t.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName })),
      }));
    }
    return result;
  }

  /** Discover tenants again (after signing in, a session change or a filter change) and redraw. */
  refreshTenants(): void {
    this.session?.invalidate();
    this.changed.fire(this.current);
  }

  /** The tenant and subscription filter, remembered across restarts. */
  filter(): TenantFilter {
    return parseFilter(this.context.globalState.get(FILTER_STATE_KEY) ?? EMPTY_FILTER);
  }

  async setFilter(filter: TenantFilter): Promise<void> {
    await this.context.globalState.update(FILTER_STATE_KEY, filter.tenants.length || filter.subscriptions.length ? filter : undefined);
    this.refreshTenants();
  }

  /** Re-opens the connection chosen last time, quietly: a missing file just leaves us disconnected. */
  restore(): void {
    const kind = this.context.globalState.get<string>(KIND_STATE_KEY);
    const auth = this.context.globalState.get<AuthKind>(AUTH_STATE_KEY);
    const saved = this.context.globalState.get<string>(STATE_KEY);
    void this.setContext();
    if (kind === 'azure' && auth && auth !== 'sandbox') {
      void this.connectAzure(auth).catch((e: Error) => this.log.warn(`Could not reconnect to Azure: ${e.message}`));
      return;
    }
    if (!saved) return;
    void this.connectSandbox(vscode.Uri.file(saved), auth === 'vscode' ? 'vscode' : 'sandbox')
      .catch((e: Error) => this.log.warn(`Could not reconnect to the sandbox at ${saved}: ${e.message}`));
  }

  /** The sandbox.json to use when the person does not pick one: the setting, else the workspace's .sandbox folder. */
  defaultDescriptionUri(): vscode.Uri | undefined {
    const configured = vscode.workspace.getConfiguration('governedDataShare').get<string>('sandbox.descriptionFile');
    if (configured) return vscode.Uri.file(configured);
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, '.sandbox', 'sandbox.json') : undefined;
  }

  /**
   * Connects to a sandbox cloud. `auth` 'sandbox' signs in its seeded users (both tenants, no
   * prompt); 'vscode' uses VS Code accounts against the sandbox's ARM (the tests' provider).
   */
  async connectSandbox(uri: vscode.Uri, auth: 'sandbox' | 'vscode' = 'sandbox'): Promise<SandboxConnectionInfo> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch {
      throw new UserFacingError(`No sandbox description at ${uri.fsPath}.`, 'Start the sandbox with `npm run sandbox` in the repository (it writes .sandbox/sandbox.json), or choose the file.');
    }
    const info = parseSandboxDescription(Buffer.from(bytes).toString('utf8'), uri.fsPath);
    this.current = info;
    this.auth = auth;
    this.session = undefined;
    await this.context.globalState.update(STATE_KEY, uri.fsPath);
    await this.context.globalState.update(KIND_STATE_KEY, 'sandbox');
    await this.context.globalState.update(AUTH_STATE_KEY, auth);
    await this.setContext();
    this.log.info(`Connected to the sandbox at ${info.armEndpoint} (${path.basename(uri.fsPath)}): ${info.tenants.map((t) => t.displayName).join(', ')}`);
    this.changed.fire(info);
    return info;
  }

  /** Azure's public cloud (or the sovereign cloud VS Code is set to) through VS Code accounts or @azure/identity. */
  async connectAzure(auth: Exclude<AuthKind, 'sandbox'>): Promise<AzureConnectionInfo> {
    const info: AzureConnectionInfo = { kind: 'azure', auth, tenants: [] };
    this.current = info;
    this.auth = auth;
    this.session = undefined;
    await this.context.globalState.update(KIND_STATE_KEY, 'azure');
    await this.context.globalState.update(AUTH_STATE_KEY, auth);
    await this.setContext();
    this.log.info(`Connected to Azure (${auth === 'vscode' ? `VS Code accounts, provider ${configuredAuthProviderId()}` : auth}).`);
    this.changed.fire(info);
    return info;
  }

  async disconnect(): Promise<void> {
    this.current = undefined;
    this.session = undefined;
    await this.context.globalState.update(STATE_KEY, undefined);
    await this.context.globalState.update(KIND_STATE_KEY, undefined);
    await this.context.globalState.update(AUTH_STATE_KEY, undefined);
    await this.setContext();
    this.changed.fire(undefined);
  }

  private async setContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, this.current !== undefined);
  }

  dispose(): void {
    this.changed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
