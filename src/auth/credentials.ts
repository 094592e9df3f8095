/**
 * Per-tenant TokenCredential sources for @azure/identity (service principals, Azure CLI) and the
 * sandbox's password grant. `@azure/identity` and the HTTP pipeline load with `await import()` on
 * the first token request. Bundlers still pull them in: UI code should import only ./bridge
 * statically and reach these through the lazy src/azure entry. Tokens are never logged.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { AzureRequestError, createAbortError, errorFromResponse, isAbortError, toAzureRequestError } from '../common/azureErrors';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../common/version';
import { tlsOptionsFor } from '../common/tls';

export type { AccessToken, GetTokenOptions, TokenCredential };
export { credentialFromGetToken, jwtExpiry, type GetTokenFunction, type GetTokenResult } from './bridge';

/** A credential whose real implementation is created (and its module loaded) on first use. */
export function lazyCredential(create: () => Promise<TokenCredential>): TokenCredential {
  let inner: Promise<TokenCredential> | undefined;
  /**
   * Identical requests while one is in flight share it: MSAL does not, so the first burst of a
   * tree level or the dashboard (every client's pipeline asking at once, with `enableCae`) sent one
   * token request per client to Entra instead of one.
   */
  const inflight = new Map<string, Promise<AccessToken | null>>();
  /**
   * Tokens handed out, while fresh: every client's pipeline asks once on its first request, and an
   * MSAL cache lookup (with its logging) costs a few milliseconds each, twenty clients at once on a
   * dashboard's first read. A claims challenge always goes through.
   */
  const fresh = new Map<string, AccessToken>();
  const isFresh = (t: AccessToken) => {
    const now = Date.now();
    const refreshAfter = (t as AccessToken & { refreshAfterTimestamp?: number }).refreshAfterTimestamp;
    return t.expiresOnTimestamp - now > 5 * 60_000 && (refreshAfter === undefined || now < refreshAfter);
  };
  const once = async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => {
    inner ??= create().catch((e: unknown) => {
      inner = undefined;
      throw e;
    });
    return (await inner).getToken(scopes, options);
  };
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const key = JSON.stringify([[scopes].flat().sort(), options?.tenantId ?? '', options?.claims ?? '', options?.enableCae === true]);
      try {
        // A claims challenge means a token was refused: none handed out so far is reused.
        if (options?.claims) fresh.clear();
        const cached = fresh.get(key);
        if (cached && isFresh(cached)) {
          if (options?.abortSignal?.aborted) throw createAbortError();
          return cached;
        }
        let p = inflight.get(key);
        if (!p) {
          // The shared request is not tied to one caller's abort signal; each caller still stops waiting on its own.
          p = once(scopes, { claims: options?.claims, tenantId: options?.tenantId, enableCae: options?.enableCae }).finally(() => inflight.delete(key));
          p.then((t) => { if (t && !options?.claims) fresh.set(key, t); }, () => fresh.delete(key));
          inflight.set(key, p);
        }
        return await abortable(p, options?.abortSignal);
      } catch (e) {
        if (isAbortError(e)) {
          throw e;
        }
        throw toAzureRequestError(e);
      }
    },
  };
}

function abortable<T>(p: Promise<T>, signal: GetTokenOptions['abortSignal']): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(createAbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(createAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => (signal.removeEventListener('abort', onAbort), resolve(v)), (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)));
  });
}

export interface IdentityCommonOptions {
  /** e.g. `https://login.microsoftonline.com` (default) or the sandbox's authority. */
  authorityHost?: string;
  /** PEM of a CA to trust for the authority (the sandbox). */
  caPem?: string;
}

/** A service principal with a client secret (CI against real Azure, or sandbox principals). */
export function clientSecretCredential(tenantId: string, clientId: string, clientSecret: string, options: IdentityCommonOptions = {}): TokenCredential {
  return lazyCredential(async () => {
    const { ClientSecretCredential } = await import('@azure/identity');
    return new ClientSecretCredential(tenantId, clientId, clientSecret, identityOptions(options));
  });
}

/** The Azure CLI's signed-in account, for one tenant (`az login --tenant <id>`). */
export function azureCliCredential(tenantId: string): TokenCredential {
  return lazyCredential(async () => {
    const { AzureCliCredential } = await import('@azure/identity');
    return new AzureCliCredential({ tenantId });
  });
}

/** Environment credentials (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or a certificate), for one tenant. */
export function environmentCredential(tenantId: string): TokenCredential {
  return lazyCredential(async () => {
    const { EnvironmentCredential } = await import('@azure/identity');
    return new EnvironmentCredential({ additionallyAllowedTenants: [tenantId] });
  });
}

function identityOptions(options: IdentityCommonOptions): { authorityHost?: string; disableInstanceDiscovery?: boolean; tlsOptions?: { ca: string } } {
  const isCustomAuthority = options.authorityHost !== undefined && !/^https:\/\/login\.microsoftonline\.com\/?$/i.test(options.authorityHost);
  return {
    ...(options.authorityHost ? { authorityHost: options.authorityHost } : {}),
    ...(isCustomAuthority ? { disableInstanceDiscovery: true } : {}),
    ...(options.caPem ? { tlsOptions: { ca: options.caPem } } : {}),
  };
}

/** The Azure CLI's public client id, accepted by the sandbox for password sign-in. */
export const DEFAULT_PUBLIC_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

export interface PasswordCredentialOptions {
  authorityHost: string;
  tenantId: string;
  username: string;
  password: string;
  clientId?: string;
  /** PEM string, or a loader called once on first use. */
  caPem?: string | (() => Promise<string | undefined>);
  /** Replaces the network layer (tests). */
  httpClient?: HttpClient;
}

/**
 * OAuth2 resource-owner password grant against `{authorityHost}/{tenant}/oauth2/v2.0/token`.
 * Meant for the sandbox's seeded users only (real Entra ID tenants should use interactive
 * sign-in). Tokens are cached per scope set until two minutes before expiry.
 */
export class PasswordGrantCredential implements TokenCredential {
  private readonly cache = new Map<string, AccessToken>();
  private readonly inflight = new Map<string, Promise<AccessToken>>();
  private ca: Promise<string | undefined> | undefined;

  constructor(private readonly options: PasswordCredentialOptions) {}

  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    const key = list.join(' ');
    const cached = this.cache.get(key);
    if (cached && cached.expiresOnTimestamp - 120_000 > Date.now()) {
      return cached;
    }
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.request(list, options).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const token = await pending;
    this.cache.set(key, token);
    return token;
  }

  private async request(scopes: string[], options: GetTokenOptions | undefined): Promise<AccessToken> {
    const o = this.options;
    const { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } = await import('@azure/core-rest-pipeline');
    this.ca ??= typeof o.caPem === 'function' ? o.caPem() : Promise.resolve(o.caPem);
    const ca = await this.ca;
    const url = `${o.authorityHost.replace(/\/+$/, '')}/${encodeURIComponent(o.tenantId)}/oauth2/v2.0/token`;
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: o.clientId ?? DEFAULT_PUBLIC_CLIENT_ID,
      username: o.username,
      password: o.password,
      scope: scopes.join(' '),
    });
    const request = createPipelineRequest({
      url,
      method: 'POST',
      headers: createHttpHeaders({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': `${PRODUCT_NAME}/${PRODUCT_VERSION}` }),
      body: form.toString(),
      abortSignal: options?.abortSignal,
    });
    if (ca) {
      // Set after creation: createPipelineRequest does not copy tlsSettings.
      request.tlsSettings = tlsOptionsFor(ca);
    }
    let response;
    try {
      response = await (o.httpClient ?? createDefaultHttpClient()).sendRequest(request);
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      throw toAzureRequestError(e);
    }
    if (response.status !== 200) {
      throw errorFromResponse({ status: response.status, headers: response.headers, bodyAsText: response.bodyAsText }, { method: 'POST', url });
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(response.bodyAsText ?? '') as typeof body;
    } catch {
      throw new AzureRequestError({ statusCode: 200, code: 'InvalidResponse', message: 'The token endpoint returned a body that is not valid JSON.' });
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw new AzureRequestError({ statusCode: 200, code: 'InvalidResponse', message: 'The token endpoint returned no access token.' });
    }
    const expiresIn = Number(body.expires_in);
    return {
      token: body.access_token,
      expiresOnTimestamp: Date.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : 3600_000),
      tokenType: 'Bearer',
    };
  }
}
