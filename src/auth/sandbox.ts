/**
 * The sandbox cloud's self-description (`sandbox.json`, written by src/sandbox when it starts)
 * and credentials for its seeded identities. Light module: no SDK is loaded until a token is
 * requested.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import { clientSecretCredential, PasswordGrantCredential } from './credentials';

export interface SandboxSubscription {
  subscriptionId: string;
  displayName: string;
}

export interface SandboxUser {
  email: string;
  objectId: string;
  password: string;
  displayName?: string;
}

export interface SandboxServicePrincipal {
  displayName: string;
  clientId: string;
  secret: string;
  objectId: string;
}

export interface SandboxTenant {
  tenantId: string;
  displayName: string;
  domain: string;
  subscriptions: SandboxSubscription[];
  users: SandboxUser[];
  servicePrincipals: SandboxServicePrincipal[];
}

/** Shape of `sandbox.json`. Field names are a contract with src/sandbox: keep them exact. */
export interface SandboxDescription {
  /** e.g. `https://127.0.0.1:8443` */
  armEndpoint: string;
  /** PEM file of the CA that signed the sandbox's TLS certificate. */
  caCertPath: string;
  /** e.g. `https://127.0.0.1:8443` (serves `/{tenant}/oauth2/v2.0/token`). */
  authorityHost: string;
  /** Key for the sandbox's admin API (clock, faults); absent when disabled. */
  adminKey?: string;
  /** Base of the sandbox's path-style blob endpoint, e.g. `https://127.0.0.1:10000`. */
  blobEndpoint?: string;
  tenants: SandboxTenant[];
  // Extra fields the sandbox writes (optional here; not needed by the clients).
  version?: number;
  /** Base of the Purview data plane: an account's endpoint is `{purviewEndpoint}/{account}`. */
  purviewEndpoint?: string;
  /** Base of the sandbox's Microsoft Graph subset: calls go to `{graphEndpoint}/v1.0/...`. */
  graphEndpoint?: string;
  /** Token audiences the sandbox accepts (the same as Azure's). */
  audiences?: { arm: string; storage: string; purview: string; graph: string };
  dataDir?: string;
  pid?: number;
  startedAt?: string;
}

/**
 * Reads `sandbox.json`; a relative `caCertPath` is resolved against the file's folder (the
 * returned description always has an absolute path).
 */
export async function loadSandboxDescription(file: string): Promise<SandboxDescription> {
  const text = await readFile(file, 'utf8');
  const description = JSON.parse(text) as SandboxDescription;
  for (const key of ['armEndpoint', 'caCertPath', 'authorityHost'] as const) {
    if (typeof description[key] !== 'string' || !description[key]) {
      throw new Error(`${file} is missing "${key}"; restart the sandbox to rewrite it.`);
    }
  }
  if (!Array.isArray(description.tenants)) {
    throw new Error(`${file} is missing "tenants"; restart the sandbox to rewrite it.`);
  }
  return { ...description, caCertPath: path.resolve(path.dirname(file), description.caCertPath) };
}

export function readSandboxCa(description: SandboxDescription): Promise<string> {
  return readFile(description.caCertPath, 'utf8');
}

export function sandboxTenant(description: SandboxDescription, tenantId: string): SandboxTenant {
  const tenant = description.tenants.find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase() || t.domain.toLowerCase() === tenantId.toLowerCase());
  if (!tenant) {
    throw new Error(`The sandbox has no tenant ${tenantId}; known tenants: ${description.tenants.map((t) => `${t.displayName} (${t.tenantId})`).join(', ')}.`);
  }
  return tenant;
}

export interface SandboxCredentialOptions {
  /** Pick a specific identity: a user's email, or a service principal's clientId or displayName (default: the first). */
  identity?: string;
  /** CA PEM, if already read (otherwise read from `caCertPath` on first use). */
  caPem?: string;
}

/**
 * A TokenCredential for one sandbox tenant: a service principal through `@azure/identity`'s
 * ClientSecretCredential (authority = sandbox, instance discovery off, the sandbox CA trusted),
 * or a seeded user through the password grant.
 */
export function sandboxCredentials(
  description: SandboxDescription,
  tenantId: string,
  who: 'servicePrincipal' | 'user' = 'servicePrincipal',
  options: SandboxCredentialOptions = {},
): TokenCredential {
  const tenant = sandboxTenant(description, tenantId);
  const pick = options.identity?.toLowerCase();
  if (who === 'user') {
    const user = pick ? tenant.users.find((u) => u.email.toLowerCase() === pick) : tenant.users[0];
    if (!user) {
      throw new Error(`The sandbox tenant ${tenant.displayName} has no user ${options.identity ?? ''}`.trim() + '.');
    }
    return new PasswordGrantCredential({
      authorityHost: description.authorityHost,
      tenantId: tenant.tenantId,
      username: user.email,
      password: user.password,
      caPem: options.caPem ?? (() => readSandboxCa(description)),
    });
  }
  const sp = pick
    ? tenant.servicePrincipals.find((s) => s.clientId.toLowerCase() === pick || s.displayName.toLowerCase() === pick)
    : tenant.servicePrincipals[0];
  if (!sp) {
    throw new Error(`The sandbox tenant ${tenant.displayName} has no service principal ${options.identity ?? ''}`.trim() + '.');
  }
  if (options.caPem) {
    return clientSecretCredential(tenant.tenantId, sp.clientId, sp.secret, { authorityHost: description.authorityHost, caPem: options.caPem });
  }
  let inner: TokenCredential | undefined;
  return {
    async getToken(scopes, getTokenOptions) {
      inner ??= clientSecretCredential(tenant.tenantId, sp.clientId, sp.secret, {
        authorityHost: description.authorityHost,
        caPem: await readSandboxCa(description),
      });
      return inner.getToken(scopes, getTokenOptions);
    },
  };
}
