/**
 * The one sign-in seam: "give me a token for this tenant and these scopes" (TokenSource) and
 * "which accounts, tenants and subscriptions can I see" (TenantDirectory). VS Code sessions (the
 * adapter lives in src/ui), @azure/identity credentials and the local sandbox's seeded users all
 * implement it; clients and trees only ever see a TokenCredential built by `credentialFor`.
 * Dependency-free (types only), so src/ui may import it statically.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';

/** Someone who can sign in: a VS Code account, the Azure CLI's login, a sandbox user. */
export interface AuthAccount {
  /** Stable id (VS Code account id, sandbox object id, 'azureCli'...). */
  id: string;
  /** What a person recognises: an email or a name. */
  label: string;
  /** The account's home tenant, when known without asking the network. */
  homeTenantId?: string;
}

export interface TokenRequest {
  /** The tenant to get a token for; undefined = the account's home tenant. */
  tenantId?: string;
  /** Resource scopes, e.g. `https://management.azure.com/.default`. */
  scopes: string[];
  account?: AuthAccount;
  /** May the source show UI (a sign-in page, a consent prompt)? Default false: silent only. */
  interactive?: boolean;
  abortSignal?: AbortSignal;
}

/** Where tokens come from. One implementation per way of signing in. */
export interface TokenSource {
  /** `vscode`, `azureCli`, `environment` or `sandbox`. */
  readonly kind: string;
  /** Accounts that are signed in now (no prompt). */
  listAccounts(): Promise<AuthAccount[]>;
  /**
   * A token, or NotSignedInError when none can be had without prompting (silent) or the person
   * declined. Other failures (MFA required, tenant locked, no access) throw as they are.
   */
  getToken(request: TokenRequest): Promise<AccessToken>;
}

/** No session for this tenant/account without asking the person: the tree offers "Sign in". */
export class NotSignedInError extends Error {
  readonly code = 'NotSignedIn';
  constructor(message: string, readonly tenantId?: string, readonly nextStep?: string) {
    super(message);
    this.name = 'NotSignedInError';
  }
}

export function isNotSignedInError(e: unknown): e is NotSignedInError {
  return e instanceof NotSignedInError || (e instanceof Error && e.name === 'NotSignedInError');
}

/** Token audiences the extension uses. */
export type Audience = 'arm' | 'storage' | 'purview' | 'graph';

const AUDIENCE_HOSTS: Record<Audience, RegExp> = {
  arm: /^https:\/\/management\.(azure\.com|core\.windows\.net)\/*/i,
  storage: /^https:\/\/storage\.azure\.com\/*/i,
  purview: /^https:\/\/purview\.azure\.net\/*/i,
  graph: /^https:\/\/graph\.microsoft\.com\/*/i,
};

/** Which audience a scope belongs to (undefined for anything else). */
export function audienceOf(scope: string): Audience | undefined {
  return (Object.keys(AUDIENCE_HOSTS) as Audience[]).find((a) => AUDIENCE_HOSTS[a].test(scope));
}

/**
 * A TokenCredential for one tenant (and optionally one account) over any TokenSource: what the
 * client factory is given, the same object for VS Code sessions, @azure/identity and the sandbox.
 * Silent: a missing session surfaces as NotSignedInError (the tree shows "Sign in again").
 */
export function credentialFor(source: TokenSource, tenantId: string, account?: AuthAccount): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      return source.getToken({ tenantId, scopes: list, account, interactive: false, abortSignal: options?.abortSignal as AbortSignal | undefined });
    },
  };
}

/** The ARM scope VS Code's own Microsoft app is consented for (auth.md: getSessionFromVSCode's default). */
export const VSCODE_ARM_SCOPE = 'https://management.core.windows.net/.default';

/**
 * The scope list for `vscode.authentication.getSession('microsoft', …)`: ARM scopes in the form
 * VS Code's app is consented for, `VSCODE_TENANT:<id>` for the tenant, and `VSCODE_CLIENT_ID:<id>`
 * for Graph when the person registered their own app (VS Code's app lacks Graph admin scopes).
 */
export function vscodeSessionScopes(scopes: string[], tenantId: string | undefined, graphClientId?: string): string[] {
  const out: string[] = [];
  for (const scope of scopes) {
    const s = audienceOf(scope) === 'arm' ? VSCODE_ARM_SCOPE : scope;
    if (!out.includes(s)) out.push(s);
  }
  if (graphClientId && scopes.some((s) => audienceOf(s) === 'graph')) out.push(`VSCODE_CLIENT_ID:${graphClientId}`);
  if (tenantId) out.push(`VSCODE_TENANT:${tenantId}`);
  return out;
}

/** Reads `VSCODE_TENANT:` back out of a scope list (for providers, including the test provider). */
export function tenantOfScopes(scopes: readonly string[]): string | undefined {
  return scopes.find((s) => s.startsWith('VSCODE_TENANT:'))?.slice('VSCODE_TENANT:'.length) || undefined;
}
