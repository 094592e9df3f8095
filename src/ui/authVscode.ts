/**
 * The VS Code side of the sign-in seam: accounts and sessions of VS Code's Microsoft
 * authentication provider (or `microsoft-sovereign-cloud`) as a TokenSource. Silent by default;
 * only an explicit sign-in action asks the person. Tokens never reach the log.
 */
import * as vscode from 'vscode';
import type { AccessToken } from '@azure/core-auth';
import { jwtExpiry } from '../auth/bridge';
import { NotSignedInError, vscodeSessionScopes, type AuthAccount, type TokenRequest, type TokenSource } from '../auth/tokenSource';
import { CancelledError } from '../workflows/errors';

export const MICROSOFT_PROVIDER_ID = 'microsoft';
export const SOVEREIGN_PROVIDER_ID = 'microsoft-sovereign-cloud';

let providerOverride: string | undefined;

/** Test hook: use another authentication provider id (the extension-host tests register one). */
export function setAuthProviderOverride(id: string | undefined): void {
  providerOverride = id;
}

/** `microsoft`, or `microsoft-sovereign-cloud` when `microsoft-sovereign-cloud.environment` names a sovereign cloud. */
export function configuredAuthProviderId(): string {
  if (providerOverride) return providerOverride;
  const env = vscode.workspace.getConfiguration('microsoft-sovereign-cloud').get<string>('environment');
  return env && env !== 'AzureCloud' ? SOVEREIGN_PROVIDER_ID : MICROSOFT_PROVIDER_ID;
}

/** The person's own app registration for Graph admin scopes (empty: VS Code's app). */
export function graphClientId(): string | undefined {
  return vscode.workspace.getConfiguration('governedDataShare').get<string>('graph.clientId')?.trim() || undefined;
}

function toVsAccount(account: AuthAccount | undefined): vscode.AuthenticationSessionAccountInformation | undefined {
  return account ? { id: account.id, label: account.label } : undefined;
}

export class VsCodeTokenSource implements TokenSource {
  readonly kind = 'vscode';

  constructor(private readonly providerId: () => string = configuredAuthProviderId) {}

  async listAccounts(): Promise<AuthAccount[]> {
    const accounts = await vscode.authentication.getAccounts(this.providerId());
    return accounts.map((a) => ({ id: a.id, label: a.label }));
  }

  async getToken(request: TokenRequest): Promise<AccessToken> {
    const providerId = this.providerId();
    const scopes = vscodeSessionScopes(request.scopes, request.tenantId, graphClientId());
    const account = toVsAccount(request.account);
    const where = request.tenantId ? `tenant ${request.tenantId}` : 'the home tenant';
    let session: vscode.AuthenticationSession | undefined;
    try {
      session = request.interactive
        ? await vscode.authentication.getSession(providerId, scopes, { createIfNone: true, ...(account ? { account } : { clearSessionPreference: true }) })
        : await vscode.authentication.getSession(providerId, scopes, { silent: true, ...(account ? { account } : {}) });
    } catch (e) {
      if (request.interactive && /did not consent|cancel/i.test((e as Error)?.message ?? '')) throw new CancelledError();
      throw e;
    }
    if (!session) {
      throw new NotSignedInError(`${request.account?.label ?? 'No account'} is not signed in to ${where}.`, request.tenantId, 'Choose "Sign in" on the tenant.');
    }
    const expires = jwtExpiry(session.accessToken);
    if (expires !== undefined && expires <= Date.now()) {
      throw new NotSignedInError(`The session of ${session.account.label} for ${where} has expired.`, request.tenantId, 'Choose "Sign in again" on the tenant.');
    }
    return { token: session.accessToken, expiresOnTimestamp: expires ?? Date.now() + 5 * 60_000, tokenType: 'Bearer' };
  }
}
