/**
 * The VS Code authentication bridge's adapter: any "token for these scopes" function becomes a
 * TokenCredential. Dependency-free (types only), so src/ui may import it statically.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { AzureRequestError } from '../common/azureErrors';

/** What a `getToken` bridge may return: a full AccessToken, or just the token string. */
export type GetTokenResult = AccessToken | string | null | undefined;
export type GetTokenFunction = (scopes: string[], options?: GetTokenOptions) => Promise<GetTokenResult>;

/**
 * Adapts any "give me a token for these scopes" function (the VS Code authentication bridge)
 * to a TokenCredential. A bare string's expiry is read from its JWT `exp` claim when present,
 * otherwise assumed to be five minutes away so the pipeline asks again soon.
 */
export function credentialFromGetToken(fn: GetTokenFunction): TokenCredential {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
      const list = Array.isArray(scopes) ? scopes : [scopes];
      const result = await fn(list, options);
      if (!result) {
        throw new AzureRequestError({ code: 'CredentialUnavailable', message: `No token is available for ${list.join(' ')}.` });
      }
      if (typeof result === 'string') {
        return { token: result, expiresOnTimestamp: jwtExpiry(result) ?? Date.now() + 5 * 60_000, tokenType: 'Bearer' };
      }
      return result;
    },
  };
}

/** Reads a JWT's `exp` (ms since epoch) without validating it; undefined if not a JWT. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) {
    return undefined;
  }
  try {
    const payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

