/**
 * Child-process entry that runs Azurite's blob server for the sandbox (forked with IPC by
 * `core/azurite.ts`; bundled to dist/azurite-host.js).
 *
 * Why our own host instead of the `azurite-blob` CLI: Azurite reads storage accounts from
 * `AZURITE_ACCOUNTS` only about once a minute, but an account created through the sandbox's ARM
 * must work at once. Here we hold the BlobServer object, so on an IPC `accounts` message we set the
 * variable and call `accountDataStore.refresh()` ourselves, then acknowledge.
 *
 * Configuration comes as JSON in env `SANDBOX_AZURITE_CONFIG` (see `AzuriteHostConfig`).
 */
import * as crypto from 'node:crypto';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export interface AzuriteHostConfig {
  /**
   * Root folder of the Azurite package to run (the folder holding its package.json and
   * dist/src/blob): the repository's node_modules/azurite, a copy installed on first use, or the
   * Azurite VS Code extension's folder. Its own dependencies resolve from there.
   */
  azuriteDir: string;
  host: string;
  port: number;
  /** Folder for Azurite's metadata databases and blob extents. */
  location: string;
  cert: string;
  key: string;
  /** Write Azurite's debug log to this file (optional). */
  debugLogPath?: string;
  /**
   * Secret the sandbox's own server-side copies carry in `x-sandbox-trusted-copy`: such copies skip
   * Azurite's copy-source validation (an HTTPS round trip to itself per blob). Every other client
   * gets Azurite's normal validation (SAS or public source, else CannotVerifyCopySource).
   */
  trustedCopyKey?: string;
  /**
   * Token checks Azurite's "basic" OAuth mode leaves out, done here as Azure Storage does them:
   * the signature (against the sandbox's signing key) and the tenant (a token may only be used on
   * storage accounts of its own tenant). `tenants` maps account name to owning tenant id.
   */
  tokenPublicKeyPem?: string;
  tenants?: Record<string, string>;
  /** Account name -> object ids holding a blob data role on it (or on one of its containers). */
  dataRoles?: Record<string, BlobDataAccess>;
  /**
   * Account name -> why its customer-managed key cannot be used: blob reads and writes of those
   * accounts answer 403 KeyVaultEncryptionKeyNotFound whoever asks (shared key, SAS, token), as
   * Azure Storage does when the key is disabled, deleted or out of reach.
   */
  keyUnavailable?: Record<string, string>;
}

/** Object ids (lower case) allowed to read / write an account's blob data with a token. */
export interface BlobDataAccess {
  read: string[];
  write: string[];
  /** Grants scoped to one container (name lower case). */
  containers: Record<string, { read: string[]; write: string[] }>;
}

export type HostMessage = { type: 'accounts'; id: number; value: string; tenants?: Record<string, string>; dataRoles?: Record<string, BlobDataAccess>; keyUnavailable?: Record<string, string> } | { type: 'stop' };
export type HostReply = { type: 'ready'; port: number } | { type: 'ack'; id: number } | { type: 'error'; message: string };

/* Minimal shapes of the Azurite internals we use (the package ships no typings for them). */
interface AzuriteBlobServer {
  start(): Promise<void>;
  close(): Promise<void>;
  accountDataStore: { refresh(): void };
  httpServer: import('node:events').EventEmitter & { address(): { port: number } | string | null };
}
type BlobServerCtor = new (config: unknown) => AzuriteBlobServer;
type BlobConfigurationCtor = new (...args: unknown[]) => unknown;

/** See `AzuriteHostConfig.trustedCopyKey`. */
function trustCopiesFromSandbox(azurite: NodeRequire, key: string): void {
  type Validate = (copySource: string, sourceAccount: string, context: unknown) => Promise<void>;
  const handler = (azurite('./dist/src/blob/handlers/BlobHandler') as { default: { prototype: { validateCopySource: Validate } } }).default;
  const StorageContext = (azurite('./dist/src/blob/context/BlobStorageContext') as { default: new (context: unknown) => { request?: { getHeader(name: string): string | undefined } } }).default;
  const original = handler.prototype.validateCopySource;
  if (typeof original !== 'function') {
    return; // Azurite changed; keep its own validation
  }
  handler.prototype.validateCopySource = async function (this: unknown, copySource, sourceAccount, context) {
    const header = new StorageContext(context).request?.getHeader('x-sandbox-trusted-copy');
    if (header === key) {
      return;
    }
    return original.call(this, copySource, sourceAccount, context);
  };
}

/** See `AzuriteHostConfig.tokenPublicKeyPem`; `tenants` and `dataRoles` are kept current by `accounts` messages. */
function checkTokensLikeAzure(azurite: NodeRequire, publicKeyPem: string, tenants: Map<string, string>, dataRoles: Map<string, BlobDataAccess>): void {
  type Authenticate = (token: string, context: unknown) => Promise<unknown>;
  const authenticator = (azurite('./dist/src/blob/authentication/BlobTokenAuthenticator') as { default: { prototype: { authenticateBasic: Authenticate } } }).default;
  const StorageContext = (azurite('./dist/src/blob/context/BlobStorageContext') as {
    default: new (context: unknown) => { account?: string; container?: string; contextId?: string; request?: { getMethod(): string } };
  }).default;
  const errors = (azurite('./dist/src/blob/errors/StorageErrorFactory') as { default: { getAuthenticationFailed(contextId: string | undefined, detail: string): Error } }).default;
  const StorageError = (azurite('./dist/src/blob/errors/StorageError') as { default: new (status: number, code: string, message: string, contextId?: string) => Error }).default;
  const original = authenticator.prototype.authenticateBasic;
  if (typeof original !== 'function') {
    return; // Azurite changed; keep its own checks
  }
  const key = crypto.createPublicKey(publicKeyPem);
  authenticator.prototype.authenticateBasic = async function (this: unknown, token, context) {
    const ctx = new StorageContext(context);
    const parts = token.split('.');
    const signed = parts.length === 3 && crypto.verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2], 'base64url'));
    if (!signed) {
      throw errors.getAuthenticationFailed(ctx.contextId, 'Signature validation failed. The token was not issued by this sandbox.');
    }
    let claims: { tid?: unknown; oid?: unknown } = {};
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof claims;
    } catch {
      claims = {};
    }
    const owner = ctx.account ? tenants.get(ctx.account) : undefined;
    if (owner && claims.tid !== owner) {
      throw errors.getAuthenticationFailed(ctx.contextId, `Issuer validation failed. Issuer did not match: the token is from tenant ${String(claims.tid)}, storage account ${ctx.account} belongs to tenant ${owner}. Sign in to the account's tenant.`);
    }
    // Authenticated: now the data role, as Azure Storage checks it (management roles do not count).
    const access = ctx.account ? dataRoles.get(ctx.account) : undefined;
    if (access) {
      const oid = String(claims.oid ?? '').toLowerCase();
      const method = ctx.request?.getMethod().toUpperCase() ?? 'GET';
      const want: 'read' | 'write' = method === 'GET' || method === 'HEAD' ? 'read' : 'write';
      const scoped = ctx.container ? access.containers[ctx.container.toLowerCase()] : undefined;
      if (!access[want].includes(oid) && !scoped?.[want].includes(oid)) {
        throw new StorageError(403, 'AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.', ctx.contextId);
      }
    }
    return original.call(this, token, context);
  };
}

/**
 * Operations Azure refuses while an account's key is unavailable (Learn: "Revoke access to
 * customer-managed keys"): blob reads and writes (Get/Put Blob, Put Block, Copy, metadata,
 * properties) and List Blobs with metadata. Container operations and deletes still work.
 */
function refuseWhileKeyUnavailable(server: AzuriteBlobServer, unavailable: Map<string, string>): void {
  const listeners = server.httpServer.listeners('request') as ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)[];
  server.httpServer.removeAllListeners('request');
  server.httpServer.on('request', (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const segs = url.pathname.split('/').filter((x) => x.length > 0);
    const account = segs[0]?.toLowerCase();
    const method = (req.method ?? 'GET').toUpperCase();
    const blobOp = segs.length >= 3 && method !== 'DELETE' && method !== 'OPTIONS';
    const listWithMetadata = segs.length === 2 && url.searchParams.get('comp') === 'list' && /metadata/i.test(url.searchParams.get('include') ?? '');
    if (account && unavailable.has(account) && (blobOp || listWithMetadata)) {
      const requestId = crypto.randomUUID();
      const body = `<?xml version="1.0" encoding="utf-8"?><Error><Code>KeyVaultEncryptionKeyNotFound</Code><Message>The key vault key is not found to unwrap the encryption key.\nRequestId:${requestId}\nTime:${new Date().toISOString()}</Message></Error>`;
      res.writeHead(403, {
        'Content-Type': 'application/xml',
        'x-ms-error-code': 'KeyVaultEncryptionKeyNotFound',
        'x-ms-request-id': requestId,
        'x-ms-version': '2025-01-05',
        ...(method === 'HEAD' ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
      });
      req.resume();
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    for (const l of listeners) l.call(server.httpServer, req, res);
  });
}

function send(reply: HostReply): void {
  process.send?.(reply);
}

async function main(): Promise<void> {
  const raw = process.env.SANDBOX_AZURITE_CONFIG;
  if (!raw) {
    throw new Error('SANDBOX_AZURITE_CONFIG is not set; this script is started by the sandbox, not by hand.');
  }
  const config = JSON.parse(raw) as AzuriteHostConfig;
  if (!config.azuriteDir) {
    throw new Error('SANDBOX_AZURITE_CONFIG has no azuriteDir (the Azurite package folder).');
  }
  // Azurite's modules (and through them its dependencies) load from the folder we were given.
  const azurite = createRequire(path.join(config.azuriteDir, 'package.json'));
  const BlobServer = (azurite('./dist/src/blob/BlobServer') as { default: BlobServerCtor }).default;
  const BlobConfiguration = (azurite('./dist/src/blob/BlobConfiguration') as { default: BlobConfigurationCtor }).default;
  const constants = azurite('./dist/src/blob/utils/constants') as {
    DEFAULT_BLOB_LOKI_DB_PATH: string;
    DEFAULT_BLOB_EXTENT_LOKI_DB_PATH: string;
    DEFAULT_BLOB_PERSISTENCE_PATH: string;
    DEFAULT_BLOB_PERSISTENCE_ARRAY: { locationId: string; locationPath: string; maxConcurrency: number }[];
  };
  const telemetry = azurite('./dist/src/common/Telemetry') as { AzuriteTelemetryClient: { init(location: string, enable: boolean, env: unknown): void } };

  if (config.trustedCopyKey) {
    trustCopiesFromSandbox(azurite, config.trustedCopyKey);
  }
  const tenants = new Map(Object.entries(config.tenants ?? {}));
  const dataRoles = new Map(Object.entries(config.dataRoles ?? {}));
  if (config.tokenPublicKeyPem) {
    checkTokensLikeAzure(azurite, config.tokenPublicKeyPem, tenants, dataRoles);
  }

  // The equivalent of `--disableTelemetry`: a sandbox never phones home.
  telemetry.AzuriteTelemetryClient.init(config.location, false, undefined);

  const persistence = constants.DEFAULT_BLOB_PERSISTENCE_ARRAY.map((p) => ({ ...p, locationPath: path.join(config.location, constants.DEFAULT_BLOB_PERSISTENCE_PATH) }));
  const blobConfig = new BlobConfiguration(
    config.host,
    config.port,
    5, // keep-alive timeout (s)
    path.join(config.location, constants.DEFAULT_BLOB_LOKI_DB_PATH),
    path.join(config.location, constants.DEFAULT_BLOB_EXTENT_LOKI_DB_PATH),
    persistence,
    false, // access log
    undefined,
    config.debugLogPath !== undefined, // debug log
    config.debugLogPath,
    true, // --loose
    true, // --skipApiVersionCheck
    config.cert,
    config.key,
    '', // pfx password
    'basic', // --oauth basic
    false, // disableProductStyleUrl
    false, // in-memory persistence
  );
  const server = new BlobServer(blobConfig);
  const keyUnavailable = new Map(Object.entries(config.keyUnavailable ?? {}));
  refuseWhileKeyUnavailable(server, keyUnavailable);
  await server.start();
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    try {
      await server.close();
    } finally {
      process.exit(0);
    }
  };

  process.on('message', (msg: HostMessage) => {
    if (msg.type === 'accounts') {
      process.env.AZURITE_ACCOUNTS = msg.value;
      server.accountDataStore.refresh();
      if (msg.tenants) {
        tenants.clear();
        for (const [account, tenant] of Object.entries(msg.tenants)) tenants.set(account, tenant);
      }
      if (msg.keyUnavailable) {
        keyUnavailable.clear();
        for (const [account, why] of Object.entries(msg.keyUnavailable)) keyUnavailable.set(account, why);
      }
      if (msg.dataRoles) {
        dataRoles.clear();
        for (const [account, access] of Object.entries(msg.dataRoles)) dataRoles.set(account, access);
      }
      send({ type: 'ack', id: msg.id });
    } else if (msg.type === 'stop') {
      void stop();
    }
  });
  // If the sandbox dies (even kill -9) the IPC channel closes: do not outlive it.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  send({ type: 'ready', port });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: (err as Error).stack ?? String(err) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
