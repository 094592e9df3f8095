import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import { activateExtension } from './activation.test';
import type { ExtensionApi, TestingApi } from '../../src/ui/activate';
import { PasswordGrantCredential } from '../../src/auth/credentials';
import { tenantOfScopes } from '../../src/auth/tokenSource';
import type { SandboxDescription } from '../../src/auth/sandbox';

const PROVIDER_ID = 'gds-test-microsoft';
const EXTENSION_KEY = 'governed-data-share.governed-data-share';

/**
 * A stand-in for VS Code's Microsoft provider under its own id, whose sessions are real sandbox
 * tokens (password grant of the seeded users). Signed-in accounts get sessions for any tenant
 * they can reach, as MSAL does with a refresh token; tests can make a tenant fail (MFA) or its
 * session expire.
 */
class SandboxAuthProvider implements vscode.AuthenticationProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.emitter.event;
  readonly signedIn = new Set<string>();
  readonly failing = new Set<string>();
  readonly expired = new Set<string>();
  private readonly credentials = new Map<string, PasswordGrantCredential>();

  constructor(private readonly description: SandboxDescription, private readonly ca: string) {}

  private users() {
    return this.description.tenants.flatMap((t) => t.users.slice(0, 1).map((u) => ({ ...u, tenantId: t.tenantId })));
  }

  private async mint(user: ReturnType<SandboxAuthProvider['users']>[number], scopes: readonly string[]): Promise<vscode.AuthenticationSession | undefined> {
    const tenantId = tenantOfScopes(scopes) ?? user.tenantId;
    // Conditional access applies to tokens for that tenant, not to listing accounts or home tenants.
    if (tenantOfScopes(scopes) && this.failing.has(tenantId)) throw new Error(`AADSTS50076: Due to a configuration change made by your administrator, you must use multi-factor authentication to access tenant ${tenantId}.`);
    if (tenantOfScopes(scopes) && this.expired.has(tenantId)) return undefined;
    const resource = scopes.filter((s) => !s.startsWith('VSCODE_'));
    const key = `${user.objectId}|${tenantId}`;
    let credential = this.credentials.get(key);
    if (!credential) {
      credential = new PasswordGrantCredential({ authorityHost: this.description.authorityHost, tenantId, username: user.email, password: user.password, caPem: this.ca });
      this.credentials.set(key, credential);
    }
    try {
      const token = await credential.getToken(resource.length ? resource : ['https://management.core.windows.net/.default']);
      return { id: `${key}|${resource.join(' ')}`, accessToken: token.token, account: { id: user.objectId, label: user.email }, scopes };
    } catch {
      return undefined; // this user cannot sign in to that tenant
    }
  }

  async getSessions(scopes: readonly string[] | undefined, options: vscode.AuthenticationProviderSessionOptions): Promise<vscode.AuthenticationSession[]> {
    const users = this.users().filter((u) => this.signedIn.has(u.objectId) && (!options.account || options.account.id === u.objectId));
    const sessions = await Promise.all(users.map((u) => this.mint(u, scopes ?? [])));
    return sessions.filter((s): s is vscode.AuthenticationSession => s !== undefined);
  }

  async createSession(scopes: readonly string[], options: vscode.AuthenticationProviderSessionOptions): Promise<vscode.AuthenticationSession> {
    const tenantId = tenantOfScopes(scopes);
    const user = this.users().find((u) => (options.account ? u.objectId === options.account.id : u.tenantId === tenantId)) ?? this.users()[0];
    this.signedIn.add(user.objectId);
    const session = await this.mint(user, scopes);
    if (!session) throw new Error(`${user.email} cannot sign in to ${tenantId ?? 'its tenant'}.`);
    this.emitter.fire({ added: [session], removed: [], changed: [] });
    return session;
  }

  async removeSession(): Promise<void> { /* not needed */ }

  /** Something changed (a token refreshed or lost): VS Code tells the extensions. */
  changed(): void { this.emitter.fire({ added: [], removed: [], changed: [] }); }
}

interface TreeLine { label: string; children: TreeLine[] }

/** Reads a tree (two levels by default) as labels, the way a person sees it. */
async function readTree(provider: vscode.TreeDataProvider<unknown>, depth = 2, parent?: unknown): Promise<TreeLine[]> {
  const nodes = (await provider.getChildren(parent)) ?? [];
  const lines: TreeLine[] = [];
  for (const node of nodes) {
    const item = await provider.getTreeItem(node);
    const label = typeof item.label === 'string' ? item.label : item.label?.label ?? '';
    lines.push({ label, children: depth > 1 ? await readTree(provider, depth - 1, node) : [] });
  }
  return lines;
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  assert.fail(`${what}; last seen: ${JSON.stringify(last)}`);
}

/** The person chooses "Sign in with … to use Governed Data Share" in the Accounts menu. */
async function acceptSignInRequest(scopes: string[]): Promise<void> {
  // A passive request (no prompt): VS Code adds the Accounts-menu entry for it.
  await vscode.authentication.getSession(PROVIDER_ID, scopes, {});
  const prefix = `${PROVIDER_ID}:${EXTENSION_KEY}:signIn`;
  const ids = await eventually(async () => (await vscode.commands.getCommands(true)).filter((c) => c.startsWith(prefix)), (c) => c.length > 0, 'the Accounts menu offers a sign-in');
  await vscode.commands.executeCommand(ids[ids.length - 1]);
}

describe('Signing in through VS Code accounts (two tenants)', function () {
  this.timeout(180000);
  let api: ExtensionApi;
  let testing: TestingApi;
  let description: SandboxDescription;
  let descriptionPath: string;
  let provider: SandboxAuthProvider;
  let registration: vscode.Disposable;
  let contoso: SandboxDescription['tenants'][number];
  let fabrikam: SandboxDescription['tenants'][number];

  before(async () => {
    api = await activateExtension();
    assert.ok(api.testing, 'the extension exposes its test hooks in test mode');
    testing = api.testing;
  });

  after(async () => {
    testing?.useAuthProvider(undefined);
    registration?.dispose();
    await vscode.commands.executeCommand('governedDataShare.disconnect');
  });

  it('Start Local Sandbox runs the sandbox as a child process and signs in both seeded tenants in one click', async () => {
    const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.startSandbox');
    assert.ok(Array.isArray(tenants) && tenants.length === 2, `two tenants connected (activity: ${JSON.stringify(api.activities()[0])})`);
    const pid = testing.sandboxPid();
    assert.ok(pid && pid !== process.pid, 'the sandbox runs in its own process');
    assert.doesNotThrow(() => process.kill(pid, 0), 'the sandbox process is alive');
    const latest = api.activities()[0];
    assert.strictEqual(latest?.title, 'Start local sandbox');
    assert.strictEqual(latest?.status, 'succeeded');

    const tree = await eventually(() => readTree(testing.shares), (t) => t.length === 2 && t.every((x) => x.children.some((c) => !c.label.startsWith('Error') && !c.label.startsWith('Sign in') && c.label !== 'Pending invitations')), 'both tenants list their subscriptions');
    assert.deepStrictEqual(tree.map((t) => t.label).sort(), tenants.map((id) => {
      const json = JSON.parse(fs.readFileSync(descriptionPathOf(testing), 'utf8')) as SandboxDescription;
      return json.tenants.find((t) => t.tenantId === id)!.displayName;
    }).sort());
    descriptionPath = descriptionPathOf(testing);
    description = JSON.parse(fs.readFileSync(descriptionPath, 'utf8')) as SandboxDescription;
    contoso = description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    fabrikam = description.tenants.find((t) => t.displayName.startsWith('Fabrikam'))!;
  });

  it('shows both tenants signed in with two VS Code accounts side by side, each with its subscriptions', async () => {
    provider = new SandboxAuthProvider(description, fs.readFileSync(description.caCertPath, 'utf8'));
    registration = vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, 'Sandbox accounts (test)', provider, { supportsMultipleAccounts: true });
    testing.useAuthProvider(PROVIDER_ID);
    await testing.connectSandboxWithVsCodeAccounts(descriptionPath);

    // Nobody signed in yet: the view says so instead of showing tenants.
    const empty = await readTree(testing.shares, 1);
    assert.deepStrictEqual(empty.map((l) => l.label), ['Sign in to Azure…']);

    await acceptSignInRequest(['https://management.core.windows.net/.default', `VSCODE_TENANT:${contoso.tenantId}`]);
    await acceptSignInRequest(['https://management.core.windows.net/.default', `VSCODE_TENANT:${fabrikam.tenantId}`]);
    const accounts = await vscode.authentication.getAccounts(PROVIDER_ID);
    assert.strictEqual(accounts.length, 2, 'two accounts signed in');

    const tree = await eventually(() => readTree(testing.shares), (t) => t.length === 2 && t.every((x) => x.children.some((c) => c.label.includes(' ') && !/^(Error|Sign in|Pending)/.test(c.label))), 'both tenants signed in with subscriptions');
    const byName = new Map(tree.map((t) => [t.label, t.children.map((c) => c.label)]));
    assert.ok(byName.get(contoso.displayName)?.includes(contoso.subscriptions[0].displayName), `Contoso lists ${contoso.subscriptions[0].displayName}: ${JSON.stringify(tree)}`);
    assert.ok(byName.get(fabrikam.displayName)?.includes(fabrikam.subscriptions[0].displayName), `Fabrikam lists ${fabrikam.subscriptions[0].displayName}: ${JSON.stringify(tree)}`);
  });

  it('a tenant that fails (MFA required) shows an error under it alone; the other still lists its subscriptions', async () => {
    provider.failing.add(fabrikam.tenantId);
    provider.changed();
    const tree = await eventually(() => readTree(testing.shares), (t) => t.some((x) => x.label === fabrikam.displayName && x.children.some((c) => c.label.startsWith('Error'))), 'Fabrikam shows an error');
    const fab = tree.find((t) => t.label === fabrikam.displayName)!;
    assert.strictEqual(fab.children.length, 1, 'only the error under the failing tenant');
    assert.match(fab.children[0].label, /multi-factor/);
    const con = tree.find((t) => t.label === contoso.displayName)!;
    assert.ok(con.children.some((c) => c.label === contoso.subscriptions[0].displayName), `Contoso unaffected: ${JSON.stringify(con)}`);
    provider.failing.delete(fabrikam.tenantId);
    provider.changed();
  });

  it('a session that expires asks to sign in again under that tenant, and signing in again brings it back', async () => {
    await eventually(() => readTree(testing.shares), (t) => t.some((x) => x.label === fabrikam.displayName && x.children.some((c) => c.label === fabrikam.subscriptions[0].displayName)), 'Fabrikam back to normal');
    provider.expired.add(contoso.tenantId);
    provider.changed();
    const tree = await eventually(() => readTree(testing.shares), (t) => t.some((x) => x.label === contoso.displayName && x.children.some((c) => c.label === 'Sign in again')), 'Contoso offers Sign in again');
    assert.ok(tree.find((t) => t.label === fabrikam.displayName)!.children.some((c) => c.label === fabrikam.subscriptions[0].displayName), 'Fabrikam unaffected');

    // The person completes the sign-in; the node's own command signs that tenant in again.
    provider.expired.delete(contoso.tenantId);
    const contosoNode = ((await testing.shares.getChildren()) ?? []).find((n) => (n as { tenant?: { tenantId: string } }).tenant?.tenantId === contoso.tenantId)!;
    const signInNode = ((await testing.shares.getChildren(contosoNode)) ?? [])[0];
    const item = await testing.shares.getTreeItem(signInNode);
    assert.strictEqual(item.command?.command, 'governedDataShare.signInToTenant');
    const ok = await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
    assert.strictEqual(ok, true, `signed in again (activity: ${JSON.stringify(api.activities()[0])})`);
    await eventually(() => readTree(testing.shares), (t) => t.some((x) => x.label === contoso.displayName && x.children.some((c) => c.label === contoso.subscriptions[0].displayName)), 'Contoso lists its subscriptions again');
  });
});

function descriptionPathOf(testing: TestingApi): string {
  const file = testing.sandboxDescriptionPath?.();
  assert.ok(file, 'the started sandbox has a sandbox.json');
  return file;
}
