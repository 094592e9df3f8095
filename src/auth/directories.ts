/**
 * TenantDirectory implementations and the non-VS Code token sources:
 * - ArmTenantDirectory: GET /tenants (home-tenant token) and GET /subscriptions (tenant token)
 *   over any TokenSource, against Azure's ARM or the sandbox's.
 * - SandboxTokenSource + sandboxDirectory: the sandbox's seeded users, signed in with no prompt.
 * - IdentityTokenSource: @azure/identity (Azure CLI or environment credentials) for headless use.
 * The HTTP pipeline and @azure/identity load with `await import()` on first use; src/ui reaches
 * this module through the lazy src/azure entry (dist/azure.js).
 */
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AzureRequestError, errorFromResponse, isAbortError, toAzureRequestError } from '../common/azureErrors';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../common/version';
import { tlsOptionsFor } from '../common/tls';
import { PasswordGrantCredential } from './credentials';
import { readSandboxCa, type SandboxDescription } from './sandbox';
import type { SubscriptionInfo, TenantDirectory, TenantInfo } from './tenants';
import { NotSignedInError, type AuthAccount, type TokenRequest, type TokenSource } from './tokenSource';

/** ARM's `.default` scope (the VS Code adapter sends it in the form VS Code's own app is consented for). */
export const ARM_SCOPE = 'https://management.azure.com/.default';
const SUBSCRIPTIONS_API_VERSION = '2022-12-01';

export interface ArmDirectoryOptions {
  /** e.g. `https://management.azure.com` or the sandbox's ARM endpoint. */
  armEndpoint: string;
  /** CA to trust (the sandbox). */
  caPem?: string;
  /** Most pages to follow per list (default 50). */
  maxPages?: number;
}

/** Tenants and subscriptions from ARM, with tokens from `source`. */
export class ArmTenantDirectory implements TenantDirectory {
  constructor(private readonly source: TokenSource, private readonly options: ArmDirectoryOptions) {}

  accounts(): Promise<AuthAccount[]> {
    return this.source.listAccounts();
  }

  async tenants(account: AuthAccount): Promise<TenantInfo[]> {
    const token = await this.source.getToken({ tenantId: account.homeTenantId, scopes: [ARM_SCOPE], account });
    const items = await this.list<{ tenantId?: string; displayName?: string; defaultDomain?: string; domains?: string[] }>('/tenants', token);
    return items
      .filter((t) => typeof t.tenantId === 'string' && t.tenantId)
      .map((t) => ({ tenantId: t.tenantId!, displayName: t.displayName || t.tenantId!, domain: t.defaultDomain ?? t.domains?.[0] ?? '' }));
  }

  async subscriptions(tenantId: string, account: AuthAccount): Promise<SubscriptionInfo[]> {
    const token = await this.source.getToken({ tenantId, scopes: [ARM_SCOPE], account });
    const items = await this.list<{ subscriptionId?: string; displayName?: string; tenantId?: string; state?: string }>('/subscriptions', token);
    return items
      .filter((s) => typeof s.subscriptionId === 'string' && (!s.tenantId || s.tenantId.toLowerCase() === tenantId.toLowerCase()))
      .map((s) => ({ subscriptionId: s.subscriptionId!, displayName: s.displayName || s.subscriptionId!, tenantId, state: s.state }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  private async list<T>(path: string, token: AccessToken): Promise<T[]> {
    const { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } = await import('@azure/core-rest-pipeline');
    const client = createDefaultHttpClient();
    const items: T[] = [];
    let url: string | undefined = `${this.options.armEndpoint.replace(/\/+$/, '')}${path}?api-version=${SUBSCRIPTIONS_API_VERSION}`;
    for (let page = 0; url && page < (this.options.maxPages ?? 50); page++) {
      const request = createPipelineRequest({
        url,
        method: 'GET',
        headers: createHttpHeaders({ authorization: `Bearer ${token.token}`, accept: 'application/json', 'user-agent': `${PRODUCT_NAME}/${PRODUCT_VERSION}` }),
      });
      if (this.options.caPem) request.tlsSettings = tlsOptionsFor(this.options.caPem);
      let response;
      try {
        response = await client.sendRequest(request);
      } catch (e) {
        if (isAbortError(e)) throw e;
        throw toAzureRequestError(e);
      }
      if (response.status !== 200) {
        throw errorFromResponse({ status: response.status, headers: response.headers, bodyAsText: response.bodyAsText }, { method: 'GET', url }, { service: 'arm' });
      }
      let body: { value?: T[]; nextLink?: string };
      try {
        body = JSON.parse(response.bodyAsText ?? '{}') as typeof body;
      } catch {
        throw new AzureRequestError({ statusCode: 200, code: 'InvalidResponse', message: `ARM returned a body that is not JSON for ${path}.`, service: 'arm' });
      }
      items.push(...(body.value ?? []));
      url = body.nextLink || undefined;
    }
    return items;
  }
}

/**
 * The sandbox's seeded directory, as sandbox.json describes it: each tenant's first user is an
 * account signed in to its home tenant. Tenants and subscriptions are read from the file (no
 * network), as the sandbox seeded them.
 */
export function sandboxDirectory(description: SandboxDescription): TenantDirectory {
  const accounts = sandboxAccounts(description);
  return {
    accounts: () => Promise.resolve(accounts),
    tenants: (account) =>
      Promise.resolve(description.tenants.filter((t) => t.tenantId === account.homeTenantId).map((t) => ({ tenantId: t.tenantId, displayName: t.displayName, domain: t.domain }))),
    subscriptions: (tenantId) =>
      Promise.resolve(
        (description.tenants.find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase())?.subscriptions ?? []).map((s) => ({ subscriptionId: s.subscriptionId, displayName: s.displayName, tenantId })),
      ),
  };
}

/** One account per seeded tenant: its first user (a tenant without users has a placeholder account). */
export function sandboxAccounts(description: SandboxDescription): AuthAccount[] {
  return description.tenants.map((t) => {
    const user = t.users[0];
    return user
      ? { id: user.objectId, label: user.email, homeTenantId: t.tenantId }
      : { id: `sandbox:${t.tenantId}`, label: `${t.displayName} (no seeded user)`, homeTenantId: t.tenantId };
  });
}

/**
 * Tokens for the sandbox's seeded users through its password grant: the sandbox's way of being
 * signed in without a browser. A user gets tokens only in its own tenant, as in Entra ID.
 */
export class SandboxTokenSource implements TokenSource {
  readonly kind = 'sandbox';
  private readonly credentials = new Map<string, TokenCredential>();
  private ca: Promise<string> | undefined;

  constructor(private readonly description: SandboxDescription, private readonly caPem?: string) {}

  listAccounts(): Promise<AuthAccount[]> {
    return Promise.resolve(sandboxAccounts(this.description));
  }

  async getToken(request: TokenRequest): Promise<AccessToken> {
    const tenantId = request.tenantId ?? request.account?.homeTenantId;
    const tenant = this.description.tenants.find((t) => t.tenantId.toLowerCase() === (tenantId ?? '').toLowerCase());
    const user = request.account
      ? this.description.tenants.flatMap((t) => t.users).find((u) => u.objectId === request.account!.id)
      : tenant?.users[0];
    if (!user || !tenant) {
      throw new NotSignedInError(`No sandbox user is signed in to tenant ${tenantId ?? '(none)'}.`, tenantId, 'Seed the sandbox with users (npm run sandbox -- --seed demo) and connect again.');
    }
    const key = `${user.objectId}|${tenant.tenantId}`;
    let credential = this.credentials.get(key);
    if (!credential) {
      credential = new PasswordGrantCredential({
        authorityHost: this.description.authorityHost,
        tenantId: tenant.tenantId,
        username: user.email,
        password: user.password,
        caPem: this.caPem ?? (() => (this.ca ??= readSandboxCa(this.description))),
      });
      this.credentials.set(key, credential);
    }
    const token = await credential.getToken(request.scopes, { abortSignal: request.abortSignal });
    if (!token) throw new NotSignedInError(`The sandbox gave no token for ${user.email} in ${tenant.displayName}.`, tenant.tenantId);
    return token;
  }
}

export type IdentityKind = 'azureCli' | 'environment';

/**
 * @azure/identity for headless use: the Azure CLI's login (`az login`) or the environment's
 * service principal (AZURE_CLIENT_ID / AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH /
 * AZURE_TENANT_ID). One account; tokens for any tenant it can reach.
 */
export class IdentityTokenSource implements TokenSource {
  private credential: Promise<TokenCredential> | undefined;

  constructor(readonly kind: IdentityKind, private readonly env: NodeJS.ProcessEnv = process.env) {}

  listAccounts(): Promise<AuthAccount[]> {
    if (this.kind === 'azureCli') return Promise.resolve([{ id: 'azureCli', label: 'Azure CLI' }]);
    const clientId = this.env.AZURE_CLIENT_ID;
    return Promise.resolve(clientId ? [{ id: `environment:${clientId}`, label: `Service principal ${clientId}`, homeTenantId: this.env.AZURE_TENANT_ID }] : []);
  }

  async getToken(request: TokenRequest): Promise<AccessToken> {
    this.credential ??= this.create().catch((e: unknown) => {
      this.credential = undefined;
      throw e;
    });
    const credential = await this.credential;
    try {
      const token = await credential.getToken(request.scopes, { tenantId: request.tenantId, abortSignal: request.abortSignal });
      if (!token) throw new NotSignedInError(`No ${this.kind === 'azureCli' ? 'Azure CLI' : 'environment'} token for tenant ${request.tenantId ?? '(home)'}.`, request.tenantId);
      return token;
    } catch (e) {
      if (e instanceof NotSignedInError || isAbortError(e)) throw e;
      const name = (e as { name?: unknown }).name;
      if (name === 'CredentialUnavailableError') {
        const next = this.kind === 'azureCli' ? `Run \`az login --tenant ${request.tenantId ?? '<tenant>'}\` in a terminal, then refresh.` : 'Set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET for the extension host.';
        throw new NotSignedInError((e as Error).message, request.tenantId, next);
      }
      throw toAzureRequestError(e);
    }
  }

  private async create(): Promise<TokenCredential> {
    const identity = await import('@azure/identity');
    if (this.kind === 'azureCli') return new identity.AzureCliCredential({ additionallyAllowedTenants: ['*'] });
    return new identity.EnvironmentCredential({ additionallyAllowedTenants: ['*'] });
  }
}
