import * as vscode from 'vscode';
import * as path from 'path';
import { parseSandboxDescription, type SandboxConnectionInfo } from '../workflows/connection';
import { UserFacingError } from '../workflows/errors';
import type { Log } from './log';
import { AzureSession } from './azureSession';

const STATE_KEY = 'governedDataShare.connection.descriptionPath';
const CONTEXT_KEY = 'governedDataShare.connected';

/** Holds the current connection, persists which sandbox was chosen, and drives the welcome views. */
export class Connection implements vscode.Disposable {
  private current: SandboxConnectionInfo | undefined;
  private session: AzureSession | undefined;
  private readonly changed = new vscode.EventEmitter<SandboxConnectionInfo | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log) {}

  get info(): SandboxConnectionInfo | undefined { return this.current; }

  /** Clients for the current connection, shared by every view (one factory, one token cache per tenant). */
  azure(): AzureSession {
    if (!this.current) throw new UserFacingError('Not connected.', 'Run "Governed Data Share: Connect to Local Sandbox" first.');
    this.session ??= new AzureSession(this.current);
    return this.session;
  }

  /** Re-opens the sandbox chosen last time, quietly: a missing file just leaves us disconnected. */
  restore(): void {
    const saved = this.context.globalState.get<string>(STATE_KEY);
    void this.setContext();
    if (!saved) return;
    void this.connectSandbox(vscode.Uri.file(saved)).catch((e: Error) => this.log.warn(`Could not reconnect to the sandbox at ${saved}: ${e.message}`));
  }

  /** The sandbox.json to use when the person does not pick one: the setting, else the workspace's .sandbox folder. */
  defaultDescriptionUri(): vscode.Uri | undefined {
    const configured = vscode.workspace.getConfiguration('governedDataShare').get<string>('sandbox.descriptionFile');
    if (configured) return vscode.Uri.file(configured);
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, '.sandbox', 'sandbox.json') : undefined;
  }

  async connectSandbox(uri: vscode.Uri): Promise<SandboxConnectionInfo> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch {
      throw new UserFacingError(`No sandbox description at ${uri.fsPath}.`, 'Start the sandbox with `npm run sandbox` in the repository (it writes .sandbox/sandbox.json), or choose the file.');
    }
    const info = parseSandboxDescription(Buffer.from(bytes).toString('utf8'), uri.fsPath);
    this.current = info;
    this.session = undefined;
    await this.context.globalState.update(STATE_KEY, uri.fsPath);
    await this.setContext();
    this.log.info(`Connected to the sandbox at ${info.armEndpoint} (${path.basename(uri.fsPath)}): ${info.tenants.map((t) => t.displayName).join(', ')}`);
    this.changed.fire(info);
    return info;
  }

  async disconnect(): Promise<void> {
    this.current = undefined;
    this.session = undefined;
    await this.context.globalState.update(STATE_KEY, undefined);
    await this.setContext();
    this.changed.fire(undefined);
  }

  private async setContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, this.current !== undefined);
  }

  dispose(): void { this.changed.dispose(); }
}
