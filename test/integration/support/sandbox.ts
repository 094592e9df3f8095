/** Helpers for integration tests that run against an in-process sandbox cloud. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';
import { startSandbox, type RunningSandbox, type SandboxOptions, type SandboxTenantDescription } from '../../../src/sandbox';
import { pipelineTrusting } from '../../../src/sandbox/core/blobs';

export const ARM_SCOPE = 'https://management.azure.com/.default';
export const BLOB_DATA_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';
export const STORAGE_SCOPE = 'https://storage.azure.com/.default';

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gds-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes the data folders this process created (call after the sandboxes are stopped). */
export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTestSandbox(prefix: string, options: Partial<SandboxOptions> = {}): Promise<{ sandbox: RunningSandbox; dataDir: string }> {
  const dataDir = options.dataDir ?? tempDir(prefix);
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, lroRetryAfterSeconds: 0, ...options });
  return { sandbox, dataDir };
}

export function tenantOf(sandbox: RunningSandbox, displayName: string): SandboxTenantDescription {
  const t = sandbox.description.tenants.find((x) => x.displayName === displayName);
  if (!t) {
    throw new Error(`no tenant ${displayName}`);
  }
  return t;
}

/** ClientSecretCredential for a tenant's seeded service principal, against the sandbox authority. */
export function spCredential(sandbox: RunningSandbox, tenant: SandboxTenantDescription, sp = tenant.servicePrincipals[0]): ClientSecretCredential {
  return new ClientSecretCredential(tenant.tenantId, sp.clientId, sp.secret, {
    authorityHost: sandbox.description.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: sandbox.ca },
  });
}

/** Options every ARM SDK client gets: endpoint, scopes, trust, fast LRO polling. */
export function armOptions(sandbox: RunningSandbox) {
  return { endpoint: sandbox.armEndpoint, credentialScopes: [ARM_SCOPE], tlsOptions: { ca: sandbox.ca } };
}

/** A BlobServiceClient for an account endpoint with a bearer token credential, trusting the sandbox CA. */
export function blobClient(sandbox: RunningSandbox, endpoint: string, credential: TokenCredential): BlobServiceClient {
  const agent = new https.Agent({ ca: sandbox.ca, keepAlive: true });
  return new BlobServiceClient(endpoint, pipelineTrusting(credential, agent));
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** A plain HTTPS request to the sandbox (for checking exact wire behaviour). */
export function request(sandbox: RunningSandbox, method: string, urlOrPath: string, options: { token?: string; body?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<RawResponse> {
  return httpsRequest(method, new URL(urlOrPath, sandbox.armEndpoint), { ...options, ca: sandbox.ca });
}

/** A plain HTTPS request with a JSON or form body, trusting `ca` or going through `agent`. */
export function httpsRequest(
  method: string,
  url: string | URL,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; form?: Record<string, string>; ca?: string; agent?: https.Agent },
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let payload: string | undefined;
  if (options.form) {
    payload = new URLSearchParams(options.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  if (options.token) {
    headers.authorization = `Bearer ${options.token}`;
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, ...(options.agent ? { agent: options.agent } : { ca: options.ca }) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function tokenFor(credential: TokenCredential, scope: string): Promise<string> {
  const t = await credential.getToken(scope);
  if (!t) {
    throw new Error('no token');
  }
  return t.token;
}

export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export async function adminToken(sandbox: RunningSandbox, objectId: string, audience: string, lifetimeSeconds?: number): Promise<string> {
  const res = await request(sandbox, 'POST', '/admin/tokens', { headers: { 'x-sandbox-admin-key': sandbox.adminKey }, body: { objectId, audience, lifetimeSeconds } });
  if (res.status !== 200) {
    throw new Error(`admin token failed: ${res.text}`);
  }
  return res.body.access_token as string;
}

/**
 * Gives a principal (default: the tenant's service principal) Storage Blob Data Contributor on a
 * storage account, as Azure requires before blob data can be read or written with a token.
 */
export async function grantBlobData(sandbox: RunningSandbox, tenant: SandboxTenantDescription, storageAccountId: string, principalId = tenant.servicePrincipals[0].objectId): Promise<void> {
  const { AuthorizationManagementClient } = await import('@azure/arm-authorization');
  const sub = /\/subscriptions\/([^/]+)/i.exec(storageAccountId)?.[1] ?? tenant.subscriptions[0].subscriptionId;
  await new AuthorizationManagementClient(spCredential(sandbox, tenant), sub, armOptions(sandbox)).roleAssignments.create(storageAccountId, crypto.randomUUID(), {
    roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${BLOB_DATA_CONTRIBUTOR}`,
    principalId,
    principalType: 'ServicePrincipal',
  });
}
