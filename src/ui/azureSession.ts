import type * as Azure from '../azure';
import type { TokenSource } from '../auth/tokenSource';
import type { Discovery, TenantFilter, TenantStatus } from '../auth/tenants';
import { UserFacingError } from '../workflows/errors';

let loading: Promise<typeof Azure> | undefined;

/**
 * Loads the Azure SDK bundle on first use. esbuild leaves this require pointing at dist/azure.js
 * (a separate bundle), so none of the SDKs is parsed while the extension activates.
 */
export function loadAzure(): Promise<typeof Azure> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loading ??= Promise.resolve().then(() => require('../azure/index.js') as typeof Azure);
  return loading;
}

/** How tokens are obtained: the sandbox's seeded users, VS Code accounts, or @azure/identity. */
export type AuthKind = 'sandbox' | 'vscode' | 'azureCli' | 'environment';

/** Which cloud and which sign-in a connection uses. */
export interface AuthPlan {
  /** The sandbox cloud's sandbox.json; undefined = Azure's public cloud. */
  sandboxDescriptionPath?: string;
  auth: AuthKind;
}

interface Setup {
  azure: typeof Azure;
  cloud: Azure.CloudConfig;
  source: TokenSource;
  directory: Azure.TenantDirectory;
  factory: Azure.AzureClientFactory;
  /** Set when the sandbox cannot be reached at all (every tenant's clients fail with it). */
  unreachable?: Error;
}

/**
 * Clients for each tenant of the current connection, built by one factory from one TokenSource:
 * the sandbox's seeded users, VS Code sessions or @azure/identity all end as the same
 * TokenCredential per tenant, so nothing after "a token for this tenant and scope" differs.
 * Also owns tenant discovery (accounts → tenants → subscriptions), cached until invalidated.
 */
export class AzureSession {
  private setup: Promise<Setup> | undefined;
  private discovered: Promise<Discovery> | undefined;
  private last: Discovery | undefined;

  constructor(readonly plan: AuthPlan, private readonly vscodeSource: () => TokenSource, private readonly filter: () => TenantFilter) {}

  private ready(): Promise<Setup> {
    this.setup ??= (async () => {
      const azure = await loadAzure();
      const { plan } = this;
      let cloud: Azure.CloudConfig;
      let description: Azure.SandboxDescription | undefined;
      let unreachable: Error | undefined;
      if (plan.sandboxDescriptionPath) {
        description = await azure.loadSandboxDescription(plan.sandboxDescriptionPath);
        let caPem = '';
        try {
          caPem = await azure.readSandboxCa(description);
        } catch (e) {
          // A stale sandbox.json (its data folder gone): the tenants still show, each with this error.
          unreachable = new UserFacingError(`The sandbox's certificate ${description.caCertPath} cannot be read (${(e as Error).message}).`, 'Start the sandbox again ("Start Local Sandbox" or `npm run sandbox`); it rewrites sandbox.json.');
        }
        cloud = azure.sandboxCloud(description, caPem);
      } else {
        cloud = azure.AZURE_PUBLIC_CLOUD;
      }
      let source: TokenSource;
      let directory: Azure.TenantDirectory;
      if (plan.auth === 'sandbox') {
        if (!description) throw new UserFacingError('Sandbox sign-in needs a sandbox.', 'Run "Governed Data Share: Connect to Local Sandbox".');
        source = new azure.SandboxTokenSource(description, cloud.caPem);
        directory = azure.sandboxDirectory(description);
      } else {
        source = plan.auth === 'vscode' ? this.vscodeSource() : new azure.IdentityTokenSource(plan.auth);
        directory = new azure.ArmTenantDirectory(source, { armEndpoint: cloud.armEndpoint, caPem: cloud.caPem });
      }
      return { azure, cloud, source, directory, factory: new azure.AzureClientFactory(), unreachable };
    })().catch((e: unknown) => {
      this.setup = undefined;
      throw e;
    });
    return this.setup;
  }

  /** Accounts, tenants (filtered) and each tenant's state and subscriptions; cached until invalidate(). */
  discovery(): Promise<Discovery> {
    this.discovered ??= (async () => {
      const { azure, directory } = await this.ready();
      const result = await azure.discoverTenants(directory, this.filter());
      this.last = result;
      this.warm(result);
      return result;
    })().catch((e: unknown) => {
      this.discovered = undefined;
      throw e;
    });
    return this.discovered;
  }

  /**
   * Once tenants are known, each signed-in tenant's clients are built and its ARM token fetched in
   * the background: the first expansion of a view then waits for neither (the token request is
   * shared with it if it is still in flight). A failure here is silent; the view shows it when asked.
   */
  private warm(result: Discovery): void {
    for (const t of result.tenants) {
      if (t.state !== 'signedIn' || t.subscriptions.length === 0) continue;
      void this.clients(t.tenant.tenantId)
        // As the SDK pipelines ask (with CAE), so theirs is the cached one.
        .then((c) => c.credential.getToken(c.armSettings.scopes, { enableCae: true }))
        .catch(() => undefined);
    }
  }

  /** The last completed discovery (synchronous, for pickers and names). */
  get lastDiscovery(): Discovery | undefined { return this.last; }

  /** Forget discovered tenants (after a sign-in, a session change or a filter change). */
  invalidate(): void { this.discovered = undefined; }

  private statusOf(tenantId: string): TenantStatus | undefined {
    return this.last?.tenants.find((t) => t.tenant.tenantId.toLowerCase() === tenantId.toLowerCase());
  }

  /** The token source (for sign-in actions). */
  async tokenSource(): Promise<TokenSource> { return (await this.ready()).source; }

  async clients(tenantId: string): Promise<Azure.AzureClients> {
    const { azure, cloud, source, factory, unreachable } = await this.ready();
    if (unreachable) throw unreachable;
    const account = this.statusOf(tenantId)?.account;
    // One credential object per (tenant, account): the factory keeps its clients (and their token caches).
    const key = `${tenantId.toLowerCase()}|${account?.id ?? ''}`;
    let credential = this.credentials.get(key);
    if (!credential) {
      credential = azure.credentialFor(source, tenantId, account);
      this.credentials.set(key, credential);
    }
    return factory.forTenant(cloud, tenantId, credential);
  }

  private readonly credentials = new Map<string, Azure.TokenCredential>();
}
