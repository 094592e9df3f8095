/**
 * RS256 JSON Web Tokens signed with the sandbox's own key (kept in `<data-dir>/keys/`), shaped like
 * Microsoft Entra v1 access tokens (`iss` = `https://sts.windows.net/{tid}/`, which Azurite's OAuth
 * "basic" mode requires).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { deepFreeze } from './store';

export interface JwtClaims {
  aud: string;
  iss: string;
  iat: number;
  nbf: number;
  exp: number;
  tid: string;
  oid: string;
  sub: string;
  [claim: string]: unknown;
}

export interface Jwk {
  kty: string;
  use: string;
  kid: string;
  x5t: string;
  n: string;
  e: string;
  alg: string;
}

export class TokenSigner {
  /** Token -> its claims, for tokens whose signature was verified (see verifySignature). */
  private readonly verified = new Map<string, JwtClaims>();

  private constructor(private readonly privateKey: crypto.KeyObject, private readonly publicKey: crypto.KeyObject, readonly kid: string) {}

  /** Loads the signing key from `<dataDir>/keys/`, creating it on first run. */
  static async open(dataDir: string): Promise<TokenSigner> {
    const dir = path.join(dataDir, 'keys');
    const file = path.join(dir, 'token-signing-key.pem');
    let pem: string;
    try {
      pem = await fs.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
      await fs.mkdir(dir, { recursive: true });
      const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      await fs.writeFile(file, pem, { mode: 0o600 });
    }
    const privateKey = crypto.createPrivateKey(pem);
    const publicKey = crypto.createPublicKey(privateKey);
    const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    // RFC 7638 thumbprint as key id.
    const kid = crypto.createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url');
    return new TokenSigner(privateKey, publicKey, kid);
  }

  jwks(): { keys: Jwk[] } {
    const jwk = this.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, alg: 'RS256' }] };
  }

  sign(claims: JwtClaims): string {
    const header = { typ: 'JWT', alg: 'RS256', kid: this.kid, x5t: this.kid };
    const input = `${b64(header)}.${b64(claims)}`;
    const signature = crypto.sign('RSA-SHA256', Buffer.from(input), this.privateKey).toString('base64url');
    return `${input}.${signature}`;
  }

  /**
   * Checks structure and signature only; the caller checks times, issuer and audience so that it can
   * answer with the precise ARM error code.
   */
  /** The public half of the signing key (PEM), for services that verify tokens themselves (Azurite host). */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  verifySignature(token: string): { ok: true; claims: JwtClaims } | { ok: false; reason: string } {
    // A token whose signature checked out once is the same bytes signed by the same key: its claims
    // are remembered (times, issuer and audience are still checked by the caller on every request).
    // Shared and frozen: nothing may change a token's claims.
    const known = this.verified.get(token);
    if (known) {
      return { ok: true, claims: known };
    }
    const result = this.verifyUncached(token);
    if (result.ok) {
      if (this.verified.size >= VERIFIED_TOKENS) {
        this.verified.delete(this.verified.keys().next().value as string);
      }
      const claims = deepFreeze(result.claims);
      this.verified.set(token, claims);
      return { ok: true, claims };
    }
    return result;
  }

  private verifyUncached(token: string): { ok: true; claims: JwtClaims } | { ok: false; reason: string } {
    const parts = token.split('.');
    if (parts.length !== 3) {
      return { ok: false, reason: 'The access token is not a well-formed JWT (it must have three dot-separated parts).' };
    }
    let header: { alg?: string; kid?: string };
    let claims: JwtClaims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string; kid?: string };
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as JwtClaims;
    } catch {
      return { ok: false, reason: 'The access token is not a well-formed JWT (its header or payload is not base64url JSON).' };
    }
    if (header.alg !== 'RS256') {
      return { ok: false, reason: `The access token is signed with '${String(header.alg)}'; only RS256 tokens issued by the sandbox authority are accepted.` };
    }
    if (header.kid !== this.kid) {
      return { ok: false, reason: 'The access token was signed with an unknown key. Get a new token from the sandbox authority (tokens from an earlier sandbox data folder are not valid).' };
    }
    const valid = crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), this.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!valid) {
      return { ok: false, reason: 'The access token signature is invalid. Get a new token from the sandbox authority.' };
    }
    return { ok: true, claims };
  }
}

/** Tokens whose signature was verified, remembered (oldest forgotten first). */
const VERIFIED_TOKENS = 512;

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
