/**
 * The sandbox core: one HTTPS server on 127.0.0.1 that serves the identity endpoints, the admin API
 * and every resource provider's ARM routes with ARM's conventions (api-version, case-insensitive
 * paths, `//` collapsed, error bodies, tenant isolation, provider registration, RBAC), plus the
 * store, clock, faults, long-running operations and Azurite.
 *
 * Pipeline for an ARM request (the order ARM itself uses, near enough):
 *   route match -> faults -> token (401) -> audience -> api-version (400) -> subscription exists (404)
 *   and belongs to the token's tenant (403) -> ARM throttling (429 when `throttle` is on; counted always)
 *   -> provider registered (409) -> resource group exists (404)
 *   -> RBAC (403) -> handler -> store commit (fsync) -> Azurite account sync -> response.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { AzuriteBlobData, type StorageKeysRecord } from './blobs';
import { AzuriteProcess } from './azurite';
import { accountsWithUnavailableKey } from './cmk';
import { ArmError, type Principal, type ResourceProvider, type SandboxContext, type SandboxRequest, type SandboxResponse } from './contract';
import { SandboxDirectory } from './directory';
import { FaultInjector, type FaultRule } from './faults';
import { armAudiences, identityProvider, mintToken, verifyBearer, type IdentityDeps, type TokenCheck } from './identity';
import { TokenSigner } from './jwt';
import { ArmRateLimiter, resolveLimits, type ThrottleOptions } from './throttle';
import { redactSecrets } from '../../common/redact';
import { SandboxOperations } from './operations';
import { authorizationFailed, deriveAction, roleGuidOf, SandboxAuthorization, scopeContains, type RoleAssignmentResource } from './rbac';
import type { BlobDataAccess } from '../azurite/host';
import { batchAnswerJson, batchResponseBody, innerTarget, JsonText, parseBatch } from './batch';
import { Router, type RouteMatch } from './router';
import { applyDirectoryRoleSeed, applySeed, type SeedName } from './seed';
import { JournaledStore } from './store';
import { ensureTls, type TlsMaterial } from './tls';

/** One answered request, as `SandboxCore.watchRequests` reports it. */
export interface RequestLogEntry {
  method: string;
  /** Path and query as received. */
  url: string;
  status: number;
  /** Tenant (`tid`) of the bearer token the request carried, if any (read, not verified: for telling callers apart). */
  tenantId?: string;
  /** Arrival and finish, ms since the epoch. */
  start: number;
  end: number;
  /** Sent inside an ARM batch (`POST /batch`), which is logged as well. */
  batched?: boolean;
}

export interface CoreOptions {
  /** HTTPS port for ARM, identity and admin routes (0 = any free port; default 0). */
  port?: number;
  /** Port for Azurite's blob service (default 0 = any free port). */
  blobPort?: number;
  /** Azurite package folder to run (default: found by Node from here, or env SANDBOX_AZURITE_DIR; see core/azurite.ts). */
  azuriteDir?: string;
  host?: string;
  /** Data folder: store, keys, TLS material, Azurite data, sandbox.json. */
  dataDir: string;
  /** Wipe the data folder (except tls/) before starting. */
  reset?: boolean;
  /** Seed for a fresh data folder (default 'demo'). Ignored when the folder already has state. */
  seed?: SeedName;
  faults?: FaultRule[];
  /** No log output. */
  quiet?: boolean;
  /** Retry-After seconds on long-running operations (default 1). */
  lroRetryAfterSeconds?: number;
  /** Period of the schedule tick loop (default 1000 ms; 0 disables it, ticks then run only on clock advances). */
  tickIntervalMs?: number;
  /**
   * ARM throttling: token buckets per (subscription, principal, operation type) as ARM applies them
   * (`true` = ARM's numbers: reads 250 + 25/s, writes and deletes 200 + 10/s; an object overrides
   * some of them). Off by default. See core/throttle.ts.
   */
  throttle?: boolean | ThrottleOptions;
  /** Providers to serve. */
  providers: ResourceProvider[];
}

/** What the sandbox's own providers (Resources, Storage, Authorization, Purview) may use beyond the contract. */
export interface CoreInternals {
  store: JournaledStore;
  directory: SandboxDirectory;
  authorization: SandboxAuthorization;
  blobs: AzuriteBlobData;
  providers(): ResourceProvider[];
  /** Registration state of a namespace in a subscription. */
  registrationState(subscriptionId: string, namespace: string): 'Registered' | 'NotRegistered' | 'Registering' | 'Unregistering';
  setRegistrationState(subscriptionId: string, namespace: string, state: 'Registered' | 'NotRegistered'): void;
  /** Pushes the storage account list to Azurite and waits until it has reloaded it. */
  syncAzurite(): Promise<void>;
  /** Checks a bearer token (signature, lifetime, issuer, audience, principal) for providers that render their own 401s (Graph). */
  verifyBearer(authorization: string | undefined, audiences: string[]): TokenCheck;
  /** PEM of the sandbox's CA (providers that call out over HTTPS, e.g. Event Grid webhooks, trust it). */
  caPem: string;
  /**
   * An extra HTTPS origin (same certificate) whose requests are served as `{prefix}{path}` on the
   * main server: for data planes whose clients need an origin of their own (Key Vault parses
   * `https://{vault}/keys/{name}/{version}` identifiers). Tries `preferredPort` first (stable URLs
   * across restarts); returns the port. Closed when the sandbox stops.
   */
  originFor(prefix: string, preferredPort?: number): Promise<number>;
  /** The port of an origin opened by originFor, if open. */
  originPort(prefix: string): number | undefined;
}

const contextInternals = new WeakMap<SandboxContext, CoreInternals>();

/** The core internals behind a context; only the sandbox's own providers use this. */
export function internals(ctx: SandboxContext): CoreInternals {
  const found = contextInternals.get(ctx);
  if (!found) {
    throw new Error('This provider needs the sandbox core context (internals are not available on a test double).');
  }
  return found;
}

const MAX_BODY = 64 * 1024 * 1024;

interface ClockState {
  offsetMs: number;
}

export class SandboxCore {
  readonly store: JournaledStore;
  readonly directory: SandboxDirectory;
  readonly authorization: SandboxAuthorization;
  readonly faults = new FaultInjector();
  /** ARM request counters and (when `options.throttle` is set) the token buckets. */
  readonly throttle: ArmRateLimiter;
  readonly router = new Router();
  readonly operations: SandboxOperations;
  readonly context: SandboxContext;
  readonly blobs: AzuriteBlobData;
  baseUrl = '';
  adminKey = '';
  private server: http2.Http2SecureServer | undefined;
  private azurite: AzuriteProcess | undefined;
  private readonly requestWatchers = new Set<(entry: RequestLogEntry) => void>();
  /** Extra origins (see CoreInternals.originFor) by lower-cased prefix. */
  private readonly origins = new Map<string, { server: http2.Http2SecureServer; port: number }>();

  /**
   * Calls `watch` once per answered request (method, path with query, status, arrival and finish
   * times in ms since the epoch) until the returned function is called. For benches that need
   * the order and timing of calls (e.g. how many sequential waves a view's loading took).
   */
  watchRequests(watch: (entry: RequestLogEntry) => void): () => void {
    this.requestWatchers.add(watch);
    return () => this.requestWatchers.delete(watch);
  }
  private readonly afterResponse = new WeakMap<SandboxRequest, (() => void)[]>();
  private readonly slowLro = new WeakMap<SandboxRequest, number>();
  /** Headers the core adds to a request's response whatever it turns out to be (rate-limit counters). */
  private readonly extraHeaders = new WeakMap<SandboxRequest, Record<string, string>>();
  private tickTimer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private ready = false;
  /** Store writes and sandbox time of the last push to Azurite (see syncAzuriteIfChanged). */
  private azuriteSynced: { writes: number; at: number } | undefined;
  private stopping = false;
  private readonly sockets = new Set<import('node:stream').Duplex>();
  private readonly identityDeps: IdentityDeps;
  /** Per-run secret marking the sandbox's own server-side copies to Azurite (see azurite/host.ts). */
  private readonly trustedCopyKey = crypto.randomBytes(24).toString('base64url');

  private constructor(
    readonly options: CoreOptions,
    readonly tls: TlsMaterial,
    readonly signer: TokenSigner,
    store: JournaledStore,
  ) {
    this.store = store;
    this.directory = new SandboxDirectory(store);
    this.authorization = new SandboxAuthorization(store);
    this.identityDeps = { directory: this.directory, signer, baseUrl: () => this.baseUrl };
    this.throttle = new ArmRateLimiter(resolveLimits(options.throttle), () => this.now().getTime());
    this.operations = new SandboxOperations({
      store,
      now: () => this.now(),
      log: (m) => this.log(m),
      retryAfterSeconds: options.lroRetryAfterSeconds ?? 1,
      slowLroDelayMs: (req) => this.slowLro.get(req) ?? 0,
      afterResponse: (req, fn) => {
        const list = this.afterResponse.get(req);
        if (list) {
          list.push(fn);
        } else {
          setImmediate(fn);
        }
      },
      settle: () => this.syncAzurite(),
    });
    this.blobs = new AzuriteBlobData(tls.ca, (a) => this.blobEndpoint(a), (a) => this.accountKey(a), this.trustedCopyKey);
    this.context = {
      store,
      clock: { now: () => this.now() },
      directory: this.directory,
      resources: {
        subscription: (id) => {
          const s = this.directory.subscription(id);
          return s ? { subscriptionId: s.subscriptionId, tenantId: s.tenantId, displayName: s.displayName } : undefined;
        },
        resourceGroup: (sub, name) => store.getReadOnly<{ id: string; name: string; location: string }>('resources', `/subscriptions/${sub}/resourceGroups/${name}`),
        resource: <T>(id: string) => store.get<T>('resources', id),
      },
      authorization: this.authorization,
      blobs: this.blobs,
      operations: this.operations,
      blobEndpoint: (account) => this.blobEndpoint(account),
      purviewEndpoint: (account) => `${this.baseUrl}/purview/${account}`,
      newGuid: () => crypto.randomUUID(),
      log: (m) => this.log(m),
      deleteTree: (id) => this.deleteTree(id),
    };
    contextInternals.set(this.context, {
      store,
      directory: this.directory,
      authorization: this.authorization,
      blobs: this.blobs,
      providers: () => this.options.providers,
      registrationState: (s, ns) => this.registrationState(s, ns),
      setRegistrationState: (s, ns, state) => store.put('providerRegistrations', `/subscriptions/${s}/providers/${ns}`, { namespace: ns, state }),
      syncAzurite: () => this.syncAzurite(),
      verifyBearer: (authorization, audiences) => verifyBearer(authorization, this.identityDeps, audiences),
      caPem: tls.ca,
      originFor: (prefix, preferredPort) => this.originFor(prefix, preferredPort),
      originPort: (prefix) => this.origins.get(prefix.toLowerCase())?.port,
    });
    this.router.add(identityProvider(this.identityDeps));
    this.router.add(this.operationsProvider());
    for (const p of options.providers) {
      this.router.add(p);
    }
    this.faults.set(options.faults ?? []);
  }

  static async create(options: CoreOptions): Promise<SandboxCore> {
    const dataDir = path.resolve(options.dataDir);
    await fs.mkdir(dataDir, { recursive: true });
    await acquireLock(dataDir);
    try {
      if (options.reset) {
        // Keep tls/ so a CA the user already trusts stays valid; everything else starts over.
        for (const entry of await fs.readdir(dataDir)) {
          if (entry !== 'tls' && entry !== 'sandbox.lock') {
            await fs.rm(path.join(dataDir, entry), { recursive: true, force: true });
          }
        }
      }
      const [tls, signer, store] = await Promise.all([ensureTls(dataDir), TokenSigner.open(dataDir), JournaledStore.open(path.join(dataDir, 'db'))]);
      const core = new SandboxCore({ ...options, dataDir }, tls, signer, store);
      core.initializeState();
      return core;
    } catch (err) {
      await fs.rm(path.join(dataDir, 'sandbox.lock'), { force: true });
      throw err;
    }
  }

  private initializeState(): void {
    const meta = this.store.get<{ seed: string; adminKey: string; createdAt: string }>('meta', 'sandbox');
    if (!meta) {
      const seed = this.options.seed ?? 'demo';
      applySeed(seed, this.store, this.directory, new Date());
      this.adminKey = crypto.randomBytes(24).toString('base64url');
      this.store.put('meta', 'sandbox', { seed, adminKey: this.adminKey, createdAt: new Date().toISOString() });
    } else {
      this.adminKey = meta.adminKey;
      if (meta.seed === 'demo' || meta.seed === 'bench') {
        applyDirectoryRoleSeed(this.store, this.directory); // folders created before the Graph subset
      }
    }
  }

  now(): Date {
    return new Date(Date.now() + (this.store.get<ClockState>('meta', 'clock')?.offsetMs ?? 0));
  }

  /** The sandbox's log (stderr); SAS signatures, keys and tokens that errors may quote are masked. */
  log(message: string): void {
    if (!this.options.quiet) {
      process.stderr.write(`[sandbox] ${redactSecrets(message)}\n`);
    }
  }

  blobEndpoint(account: string): string {
    return `https://127.0.0.1:${this.azurite?.port ?? 0}/${account}/`;
  }

  get blobPort(): number {
    return this.azurite?.port ?? 0;
  }

  private accountKey(account: string): string | undefined {
    const rec = this.storageAccounts().find((r) => r.accountName === account);
    return rec?.keys[0]?.value;
  }

  private storageAccounts(): StorageKeysRecord[] {
    return this.store.list<StorageKeysRecord>('storageKeys');
  }

  private azuriteAccountsValue(): string {
    return this.storageAccounts()
      .map((r) => `${r.accountName}:${r.keys.map((k) => k.value).join(':')}`)
      .sort()
      .join(';');
  }

  /** Storage account name -> owning tenant, so Azurite refuses other tenants' tokens as Azure does. */
  private azuriteTenants(): Record<string, string> {
    const map: Record<string, string> = {};
    for (const r of this.storageAccounts()) {
      const sub = /\/subscriptions\/([^/]+)/i.exec(r.resourceId)?.[1];
      const tenant = sub ? this.directory.subscription(sub)?.tenantId : undefined;
      if (tenant) map[r.accountName] = tenant;
    }
    return map;
  }

  /**
   * Who may read or write each account's blob data with a token: holders of Storage Blob Data
   * Reader (read), Contributor or Owner (read and write) at the account or above, or on one of its
   * containers. Owner or Contributor of the subscription is not enough, as in Azure.
   */
  private azuriteDataRoles(): Record<string, BlobDataAccess> {
    const READ = new Set(['2a2b9908-6ea1-4ae2-8e65-a410df84e7d1']);
    const WRITE = new Set(['ba92f5b4-2d11-453d-a403-e96b0029c9fe', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b']);
    const assignments = this.store.list<RoleAssignmentResource>('roleAssignments')
      .map((a) => ({ scope: a.properties.scope, principal: a.properties.principalId.toLowerCase(), role: roleGuidOf(a.properties.roleDefinitionId) }))
      .filter((a) => READ.has(a.role) || WRITE.has(a.role));
    const out: Record<string, BlobDataAccess> = {};
    for (const account of this.storageAccounts()) {
      const access: BlobDataAccess = { read: [], write: [], containers: {} };
      for (const a of assignments) {
        let target: { read: string[]; write: string[] } | undefined;
        if (scopeContains(a.scope, account.resourceId)) {
          target = access;
        } else if (scopeContains(account.resourceId, a.scope)) {
          const container = /\/blobServices\/default\/containers\/([^/]+)/i.exec(a.scope)?.[1];
          if (container) target = access.containers[container.toLowerCase()] ??= { read: [], write: [] };
        }
        if (!target) continue;
        target.read.push(a.principal);
        if (WRITE.has(a.role)) target.write.push(a.principal);
      }
      out[account.accountName] = access;
    }
    return out;
  }

  async syncAzurite(): Promise<void> {
    const synced = { writes: this.store.writes, at: this.now().getTime() };
    await this.azurite?.setAccounts(this.azuriteAccountsValue(), this.azuriteTenants(), this.azuriteDataRoles(), accountsWithUnavailableKey(this.store, synced.at));
    this.azuriteSynced = synced;
  }

  /**
   * After a request that is not a GET: what Azurite is told (accounts, keys, data roles, keys
   * unusable) depends only on the store and, through key expiry, on the clock, so it is not
   * recomputed (a scan of every resource and role assignment) when the store has not changed and
   * less than a second of sandbox time has passed since the last push: a POST that only reads (such
   * as listSynchronizations) no longer costs that scan; the tick refreshes it every second anyway.
   */
  private async syncAzuriteIfChanged(): Promise<void> {
    const last = this.azuriteSynced;
    if (last && last.writes === this.store.writes && this.now().getTime() - last.at < 1000) {
      return;
    }
    await this.syncAzurite();
  }

  private async originFor(prefix: string, preferredPort?: number): Promise<number> {
    const key = prefix.toLowerCase();
    const open = this.origins.get(key);
    if (open) return open.port;
    const main = this.server;
    if (!main) throw new Error('The sandbox is not listening yet.');
    const server = this.createServer((req, res) => {
      req.url = `${prefix}${req.url?.startsWith('/') ? '' : '/'}${req.url ?? ''}`;
      main.emit('request', req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    const listen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.options.host ?? '127.0.0.1', () => {
          server.off('error', reject);
          const address = server.address();
          resolve(typeof address === 'object' && address ? address.port : 0);
        });
      });
    let port: number;
    try {
      port = await listen(preferredPort ?? 0);
    } catch {
      port = await listen(0);
    }
    const again = this.origins.get(key);
    if (again) {
      server.close();
      return again.port;
    }
    this.origins.set(key, { server, port });
    return port;
  }

  registrationState(subscriptionId: string, namespace: string): 'Registered' | 'NotRegistered' | 'Registering' | 'Unregistering' {
    const rec = this.store.getReadOnly<{ state: 'Registered' | 'NotRegistered' }>('providerRegistrations', `/subscriptions/${subscriptionId}/providers/${namespace}`);
    if (rec) {
      return rec.state;
    }
    const provider = this.options.providers.find((p) => p.namespace?.toLowerCase() === namespace.toLowerCase());
    return provider?.requiresRegistration ? 'NotRegistered' : 'Registered';
  }

  async deleteTree(resourceId: string): Promise<void> {
    const prefix = resourceId.replace(/\/+$/, '');
    // Azurite data first, while the keys are still known.
    const accounts = this.storageAccounts().filter((r) => r.resourceId.toLowerCase() === prefix.toLowerCase() || r.resourceId.toLowerCase().startsWith(prefix.toLowerCase() + '/'));
    for (const acct of accounts) {
      try {
        await this.blobs.deleteAccountData(acct.accountName);
      } catch (err) {
        this.log(`could not delete blob data of ${acct.accountName}: ${(err as Error).message}`);
      }
    }
    for (const collection of this.store.collections()) {
      this.store.delete(collection, prefix);
    }
    this.store.deletePrefix(prefix + '/');
    await this.store.commit();
    await this.syncAzurite();
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /**
   * HTTPS that speaks HTTP/2 (ALPN `h2`, as ARM's front door does) and HTTP/1.1 alike: clients that
   * fan out hundreds of reads share one connection instead of a TLS handshake each. Handlers see the
   * same request and response API either way (HTTP/2 through Node's compatibility layer).
   */
  private createServer(handler: (req: IncomingMessage, res: ServerResponse) => void): http2.Http2SecureServer {
    return http2.createSecureServer({ cert: this.tls.cert, key: this.tls.key, allowHTTP1: true, settings: { maxConcurrentStreams: 1000 } }, handler as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
  }

  async listen(): Promise<void> {
    const server = this.createServer((req, res) => {
      if (this.requestWatchers.size > 0) {
        const start = Date.now();
        res.once('finish', () => {
          const entry: RequestLogEntry = { method: req.method ?? 'GET', url: req.url ?? '/', status: res.statusCode, tenantId: bearerTenant(req.headers.authorization), start, end: Date.now() };
          for (const w of this.requestWatchers) w(entry);
        });
      }
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`Port ${String(this.options.port)} is already in use. Stop the other process or start the sandbox with --port 0 (any free port).`) : err),
      );
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.baseUrl = `https://127.0.0.1:${port}`;

    this.azurite = new AzuriteProcess({
      dataDir: this.options.dataDir,
      host: '127.0.0.1',
      port: this.options.blobPort ?? 0,
      azuriteDir: this.options.azuriteDir,
      certPath: this.tls.certPath,
      keyPath: this.tls.keyPath,
      caPath: this.tls.caPath,
      accounts: this.azuriteAccountsValue(),
      trustedCopyKey: this.trustedCopyKey,
      tokenPublicKeyPem: this.signer.publicKeyPem(),
      tenants: this.azuriteTenants(),
      dataRoles: this.azuriteDataRoles(),
      keyUnavailable: accountsWithUnavailableKey(this.store, this.now().getTime()),
      log: (m) => this.log(m),
    });
    await this.azurite.start();

    this.operations.failInterrupted();
    for (const p of this.options.providers) {
      await p.onStart?.(this.context);
    }
    await this.store.commit();
    this.ready = true;
    const interval = this.options.tickIntervalMs ?? 1000;
    if (interval > 0) {
      this.tickTimer = setInterval(() => void this.tick(), interval);
      this.tickTimer.unref();
    }
  }

  /** Runs every provider's onTick once (never two at a time). */
  tick(at?: Date): Promise<void> {
    if (this.ticking) {
      return this.ticking;
    }
    this.ticking = (async () => {
      const now = at ?? this.now();
      for (const p of this.options.providers) {
        if (!p.onTick) {
          continue;
        }
        try {
          await p.onTick(this.context, now);
        } catch (err) {
          this.log(`onTick of ${p.namespace ?? 'provider'} failed: ${(err as Error).stack ?? String(err)}`);
        }
      }
      await this.store.commit();
      await this.syncAzurite();
    })().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  async advanceClock(seconds: number): Promise<Date> {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new ArmError(400, 'InvalidClockAdvance', `'seconds' must be a non-negative number; got '${String(seconds)}'. The sandbox clock only moves forward.`);
    }
    if (this.ticking) {
      await this.ticking;
    }
    const offset = this.store.get<ClockState>('meta', 'clock')?.offsetMs ?? 0;
    this.store.put<ClockState>('meta', 'clock', { offsetMs: offset + seconds * 1000 });
    await this.store.commit();
    const now = this.now();
    await this.tick(now);
    return now;
  }

  async stop(): Promise<void> {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    if (this.tickTimer) {
      clearInterval(this.tickTimer);
    }
    this.operations.abortAll();
    await this.operations.idle(3000);
    if (this.ticking) {
      await this.ticking.catch(() => undefined);
    }
    for (const o of this.origins.values()) o.server.close();
    this.origins.clear();
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of this.sockets) {
        s.destroy();
      }
      await closed;
    }
    await this.azurite?.stop();
    this.blobs.close();
    await this.store.close();
    await fs.rm(path.join(this.options.dataDir, 'sandbox.lock'), { force: true });
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = crypto.randomUUID();
    const correlationId = firstHeader(req.headers['x-ms-correlation-request-id']) ?? requestId;
    const baseHeaders: Record<string, string> = {
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': correlationId,
    };
    const clientRequestId = firstHeader(req.headers['x-ms-client-request-id']);
    if (clientRequestId) {
      baseHeaders['x-ms-client-request-id'] = clientRequestId;
    }
    // The request's AbortSignal, made only when a handler asks for it (most never do).
    let controller: AbortController | undefined;
    let closedEarly = false;
    let finished = false;
    res.once('finish', () => (finished = true));
    res.on('close', () => {
      if (!finished) {
        closedEarly = true;
        controller?.abort();
      }
    });
    const signal = (): AbortSignal => {
      if (!controller) {
        controller = new AbortController();
        if (closedEarly) controller.abort();
      }
      return controller.signal;
    };
    let sreq: SandboxRequest | undefined;
    try {
      if (!this.ready || this.stopping) {
        throw Object.assign(new ArmError(503, 'ServiceUnavailable', 'The sandbox is starting or stopping. Retry in a moment.'), { retryAfter: 1 });
      }
      // A leading `//` would make the URL parser read the first segment as a host: collapse it first.
      const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), this.baseUrl);
      const pathname = normalizedPath(url.pathname);
      const method = (req.method ?? 'GET').toUpperCase();
      const body = await readBody(req, firstHeader(req.headers['content-type']));
      sreq = {
        method,
        path: pathname,
        query: url.searchParams,
        // HTTP/2's pseudo-headers (:method, :path, …) are not request headers to a handler.
        headers: withoutPseudoHeaders(req.headers),
        body,
        baseUrl: this.baseUrl,
        apiVersion: url.searchParams.get('api-version') ?? '',
        get signal() {
          return signal();
        },
      };
      this.afterResponse.set(sreq, []);
      let response: SandboxResponse;
      if (/^\/admin(\/|$)/i.test(pathname)) {
        response = await this.handleAdmin(sreq);
      } else if (method === 'POST' && /^\/batch$/i.test(pathname)) {
        response = await this.handleBatch(sreq);
      } else {
        response = await this.dispatch(sreq);
      }
      await this.store.commit();
      if (sreq.method !== 'GET' && sreq.method !== 'HEAD') {
        await this.syncAzuriteIfChanged(); // reads change no accounts, keys or roles
      }
      send(res, response, { ...baseHeaders, ...(this.extraHeaders.get(sreq) ?? {}) });
    } catch (err) {
      const response = this.errorResponse(err, sreq);
      try {
        await this.store.commit();
      } catch {
        /* reported on the next write */
      }
      send(res, response, { ...baseHeaders, ...((sreq && this.extraHeaders.get(sreq)) ?? {}) });
    } finally {
      const callbacks = sreq ? this.afterResponse.get(sreq) : undefined;
      if (sreq) {
        this.afterResponse.delete(sreq);
      }
      for (const fn of callbacks ?? []) {
        setImmediate(fn);
      }
    }
  }

  /**
   * ARM's batch endpoint (see batch.ts): the batch is authenticated once, then every inner request
   * goes through `dispatch` as if sent alone (faults, throttling, RBAC), all in parallel; each is
   * logged to the request watchers like any other request. Store commit and the Azurite sync run
   * after the batch as after any write.
   */
  private async handleBatch(outer: SandboxRequest): Promise<SandboxResponse> {
    const authorization = firstHeader(outer.headers.authorization);
    const tenantId = this.authenticate(authorization, armAudiences(this.baseUrl), 'common').tenantId;
    const items = parseBatch(outer.body, outer.apiVersion);
    const outerCallbacks = this.afterResponse.get(outer);
    const base = new URL(this.baseUrl);
    const responses = await Promise.all(items.map(async (item): Promise<string> => {
      const start = Date.now();
      const requestId = crypto.randomUUID();
      const target = innerTarget(item.url, base);
      let response: SandboxResponse;
      let inner: SandboxRequest | undefined;
      if (!target) {
        response = { status: 400, body: { error: { code: 'InvalidBatchRequestUrl', message: `The batch request URL '${item.url}' is not a Resource Manager URL of this endpoint (${this.baseUrl}).` } } };
      } else {
        inner = {
          method: item.httpMethod,
          path: normalizedPath(target.pathname),
          query: target.searchParams,
          headers: { authorization, ...(item.content !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: item.content,
          baseUrl: this.baseUrl,
          apiVersion: target.searchParams.get('api-version') ?? '',
          get signal() {
            return outer.signal;
          },
        };
        this.afterResponse.set(inner, []);
        try {
          response = await this.dispatch(inner);
        } catch (err) {
          response = this.errorResponse(err, inner);
        }
        for (const fn of this.afterResponse.get(inner) ?? []) (outerCallbacks ?? []).push(fn);
        this.afterResponse.delete(inner);
      }
      const answer = batchAnswerJson(item.name, response, { 'x-ms-request-id': requestId, ...((inner && this.extraHeaders.get(inner)) ?? {}) });
      if (this.requestWatchers.size > 0) {
        const entry: RequestLogEntry = { method: item.httpMethod, url: target ? `${target.pathname}${target.search}` : item.url, status: response.status, tenantId, start, end: Date.now(), batched: true };
        for (const w of this.requestWatchers) w(entry);
      }
      return answer;
    }));
    return { status: 200, body: batchResponseBody(responses) };
  }

  /** The bearer token's principal, or a 401 whose challenge names the tenant to sign in to. */
  private authenticate(authorization: string | undefined, audiences: string[], tenantHint: string): Principal {
    const check = verifyBearer(authorization, this.identityDeps, audiences);
    if (!check.ok) {
      const description = check.error.message.replace(/"/g, "'");
      throw Object.assign(check.error, {
        wwwAuthenticate: `Bearer authorization_uri="${this.baseUrl}/${tenantHint}", error="invalid_token", error_description="${description}"`,
      });
    }
    return check.principal;
  }

  private errorResponse(err: unknown, req: SandboxRequest | undefined): SandboxResponse {
    if (err instanceof ArmError) {
      const headers: Record<string, string> = {};
      const retryAfter = (err as ArmError & { retryAfter?: number }).retryAfter;
      if (retryAfter !== undefined) {
        headers['Retry-After'] = String(retryAfter);
      }
      const wwwAuth = (err as ArmError & { wwwAuthenticate?: string }).wwwAuthenticate;
      if (wwwAuth) {
        headers['WWW-Authenticate'] = wwwAuth;
      }
      return { status: err.status, body: armErrorBody(err), headers };
    }
    if ((err as Error)?.name === 'AbortError') {
      return { status: 499, body: { error: { code: 'ClientClosedRequest', message: 'The client closed the request.' } } };
    }
    this.log(`unhandled error on ${req?.method ?? ''} ${req?.path ?? ''}: ${(err as Error)?.stack ?? String(err)}`);
    return {
      status: 500,
      body: { error: { code: 'InternalServerError', message: `The sandbox hit an unexpected error: ${(err as Error)?.message ?? String(err)}. Retry; if it persists, restart the sandbox and report the log line.` } },
    };
  }

  private async dispatch(req: SandboxRequest): Promise<SandboxResponse> {
    let { match, pathMatched, allowed } = this.router.match(req.method, req.path);
    if (!match && req.method === 'POST' && req.query.has('$skipToken')) {
      // Clients may follow any nextLink with the method of the first call: a POST to a GET list's nextLink reads the page.
      const viaGet = this.router.match('GET', req.path);
      if (viaGet.match) {
        ({ match, pathMatched, allowed } = viaGet);
        req.method = 'GET';
      }
    }
    if (match?.compiled.route.anonymous) {
      return match.compiled.route.handler(req, match.params, this.context);
    }

    // Faults (never on /admin or identity routes, which returned above).
    const decision = this.faults.decide(req.method, req.path);
    if (decision.delayMs > 0) {
      await new Promise((r) => setTimeout(r, decision.delayMs));
    }
    if (decision.error) {
      const e = new ArmError(decision.error.status, decision.error.code, decision.error.message);
      if (decision.error.retryAfterSeconds !== undefined) {
        Object.assign(e, { retryAfter: decision.error.retryAfterSeconds });
      }
      throw e;
    }
    if (decision.slowLroMs > 0) {
      this.slowLro.set(req, decision.slowLroMs);
    }

    // Authentication.
    const route = match?.compiled.route;
    const audiences = route?.audiences ?? armAudiences(this.baseUrl);
    const principal = this.authenticate(firstHeader(req.headers.authorization), audiences, this.tenantHint(req.path));
    req.principal = principal;

    // api-version.
    if (route?.requireApiVersion !== false && !req.apiVersion) {
      throw new ArmError(400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    }

    // Subscription: exists and belongs to the caller's tenant.
    const segs = req.path.split('/').filter((s) => s.length > 0);
    const lower = segs.map((s) => s.toLowerCase());
    let subscriptionId: string | undefined;
    if (lower[0] === 'subscriptions' && segs[1]) {
      subscriptionId = decodeURIComponent(segs[1]);
      const sub = this.directory.subscription(subscriptionId);
      if (!sub) {
        throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found. Check the subscription id (sandbox.json lists them).`);
      }
      if (sub.tenantId.toLowerCase() !== principal.tenantId.toLowerCase()) {
        throw new ArmError(
          403,
          'InvalidAuthenticationTokenTenant',
          `The access token is from the wrong issuer 'https://sts.windows.net/${principal.tenantId}/'. It must match the tenant 'https://sts.windows.net/${sub.tenantId}/' associated with this subscription. Please use the authority (URL) '${this.baseUrl}/${sub.tenantId}' to get the token. Note, if the subscription is transferred to another tenant there is no impact to the services, but information about new tenant could take time to propagate (up to an hour). If you just transferred your subscription and see this error message, please try back later.`,
        );
      }
      subscriptionId = sub.subscriptionId;
      // ARM throttling: every authenticated request on an existing subscription counts (and takes a token).
      const decision = this.throttle.take(subscriptionId, principal.objectId, req.method);
      this.extraHeaders.set(req, decision.headers);
      if (decision.error) {
        throw decision.error;
      }
    }

    if (!match) {
      if (pathMatched) {
        throw new ArmError(405, 'HttpMethodNotAllowed', `The HTTP method '${req.method}' is not supported for '${req.path}'. Supported methods: ${allowed.join(', ')}.`);
      }
      this.checkResourceGroup(subscriptionId, lower, segs);
      throw this.unknownRoute(req, segs, lower);
    }
    if (route?.apiVersions && !route.apiVersions.includes(req.apiVersion)) {
      const type = resourceTypeOf(segs, lower);
      throw new ArmError(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${req.apiVersion}' is invalid${type ? ` for resource type '${type}'` : ''}. The supported versions are '${route.apiVersions.join(',')}'. Use one of them in ?api-version=.`,
      );
    }

    // Provider registration.
    const provider = match.compiled.provider;
    if (subscriptionId && provider.namespace && provider.requiresRegistration) {
      const state = this.registrationState(subscriptionId, provider.namespace);
      if (state !== 'Registered' && !isRegistrationRoute(lower)) {
        throw new ArmError(
          409,
          'MissingSubscriptionRegistration',
          `The subscription is not registered to use namespace '${provider.namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions. (Register it with POST /subscriptions/${subscriptionId}/providers/${provider.namespace}/register.)`,
          undefined,
          [{ code: 'MissingSubscriptionRegistration', target: provider.namespace, message: `The subscription is not registered to use namespace '${provider.namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.` }],
        );
      }
    }

    this.checkResourceGroup(subscriptionId, lower, segs);

    // RBAC.
    if (route && route.authorize !== false && subscriptionId) {
      this.authorize(principal, req, route.action);
    }
    return await match.compiled.route.handler(req, match.params, this.context);
  }

  /** 403 AuthorizationFailed unless the principal may perform the request's action at its scope. */
  authorize(principal: Principal, req: SandboxRequest, actionOverride?: string): void {
    const derived = deriveAction(req.method, req.path);
    const action = actionOverride ?? derived.action;
    if (!this.authorization.isAllowed(principal.objectId, action, derived.scope)) {
      throw authorizationFailed(principal, action, derived.scope);
    }
  }

  private checkResourceGroup(subscriptionId: string | undefined, lower: string[], segs: string[]): void {
    if (subscriptionId && lower[2] === 'resourcegroups' && segs.length > 4) {
      const rg = decodeURIComponent(segs[3]);
      if (!this.store.getReadOnly('resources', `/subscriptions/${subscriptionId}/resourceGroups/${rg}`)) {
        throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found. Create it first (PUT /subscriptions/${subscriptionId}/resourcegroups/${rg}).`);
      }
    }
  }

  private unknownRoute(req: SandboxRequest, segs: string[], lower: string[]): ArmError {
    const p = lower.lastIndexOf('providers');
    if (p >= 0 && segs[p + 1]) {
      const ns = segs[p + 1];
      if (!this.router.namespaces().has(ns.toLowerCase())) {
        return new ArmError(404, 'InvalidResourceNamespace', `The resource namespace '${ns}' is invalid. The sandbox serves: ${[...this.router.namespaces()].join(', ')}.`);
      }
      const type = segs.slice(p + 2).filter((_, i) => i % 2 === 0).join('/');
      return new ArmError(404, 'InvalidResourceType', `The resource type '${type}' could not be found in the namespace '${ns}' for api version '${req.apiVersion}'.`);
    }
    return new ArmError(404, 'InvalidResourceType', `The resource type could not be found for path '${req.path}' and api version '${req.apiVersion}'. Check the URL.`);
  }

  private tenantHint(path: string): string {
    const m = /^\/subscriptions\/([^/]+)/i.exec(path);
    const sub = m ? this.directory.subscription(decodeURIComponent(m[1])) : undefined;
    return sub?.tenantId ?? 'common';
  }

  // ---- operation status routes ---------------------------------------------------------------

  private operationsProvider(): ResourceProvider {
    const find = (req: SandboxRequest, params: Record<string, string>) => {
      const record = this.operations.get(params.operationId);
      if (!record || (record.tenantId && req.principal && record.tenantId.toLowerCase() !== req.principal.tenantId.toLowerCase())) {
        throw new ArmError(404, 'OperationNotFound', `The operation '${params.operationId}' was not found. It may belong to another tenant or to a sandbox data folder that was reset.`);
      }
      return record;
    };
    const retry = String(this.options.lroRetryAfterSeconds ?? 1);
    return {
      routes: [
        {
          methods: ['GET'],
          pattern: '/{*prefix}/providers/{namespace}/operationStatuses/{operationId}',
          authorize: false,
          handler: (req, params) => {
            const record = find(req, params);
            const body = this.operations.statusBody(record);
            const headers: Record<string, string> = body.status === 'InProgress' ? { 'Retry-After': retry } : {};
            return { status: 200, body, headers };
          },
        },
        {
          methods: ['GET'],
          pattern: '/{*prefix}/providers/{namespace}/operationResults/{operationId}',
          authorize: false,
          handler: (req, params) => {
            const record = find(req, params);
            const status = this.operations.effectiveStatus(record);
            if (status === 'InProgress' || status === 'Accepted') {
              return { status: 202, headers: { Location: this.operations.locationUrl(req.baseUrl, record), 'Retry-After': retry } };
            }
            if (status === 'Failed' || status === 'Canceled') {
              const e = record.error ?? { code: 'OperationFailed', message: 'The operation failed.' };
              return { status: 400, body: { error: e } };
            }
            return record.hasResult ? { status: 200, body: record.result } : { status: 204 };
          },
        },
      ],
    };
  }

  // ---- admin API -------------------------------------------------------------------------------

  private async handleAdmin(req: SandboxRequest): Promise<SandboxResponse> {
    const key = firstHeader(req.headers['x-sandbox-admin-key']);
    if (!key) {
      throw new ArmError(401, 'AdminKeyMissing', "The admin API needs the 'x-sandbox-admin-key' header; its value is 'adminKey' in sandbox.json.");
    }
    if (!safeEqual(key, this.adminKey)) {
      throw new ArmError(403, 'AdminKeyInvalid', "The 'x-sandbox-admin-key' header does not match 'adminKey' in sandbox.json.");
    }
    const route = `${req.method} ${req.path.toLowerCase()}`;
    const body = (req.body ?? {}) as Record<string, unknown>;
    switch (route) {
      case 'GET /admin/clock':
        return { status: 200, body: this.clockBody() };
      case 'POST /admin/clock/advance': {
        await this.advanceClock(Number(body.seconds));
        return { status: 200, body: this.clockBody() };
      }
      case 'GET /admin/faults':
        return { status: 200, body: { rules: this.faults.list() } };
      case 'POST /admin/faults': {
        const rules = Array.isArray(body) ? (body as FaultRule[]) : Array.isArray(body.rules) ? (body.rules as FaultRule[]) : [body as unknown as FaultRule];
        if (body.replace === true) {
          this.faults.set(rules);
        } else {
          this.faults.add(rules);
        }
        return { status: 200, body: { rules: this.faults.list() } };
      }
      case 'DELETE /admin/faults':
        this.faults.set([]);
        return { status: 200, body: { rules: [] } };
      case 'POST /admin/tokens': {
        const objectId = String(body.objectId ?? '');
        const audience = String(body.audience ?? 'https://management.azure.com');
        const lifetime = body.lifetimeSeconds === undefined ? undefined : Number(body.lifetimeSeconds);
        return { status: 200, body: { access_token: mintToken(this.identityDeps, objectId, audience, lifetime) } };
      }
      case 'POST /admin/tick':
        await this.tick();
        return { status: 200, body: this.clockBody() };
      case 'GET /admin/stats':
        return { status: 200, body: this.throttle.stats() };
      case 'DELETE /admin/stats':
        this.throttle.resetCounters();
        return { status: 200, body: this.throttle.stats() };
      case 'POST /admin/throttle/refill':
        this.throttle.refillAll();
        return { status: 200, body: this.throttle.stats() };
      default:
        throw new ArmError(
          404,
          'AdminRouteNotFound',
          `Unknown admin route '${req.method} ${req.path}'. Available: GET /admin/clock, POST /admin/clock/advance {seconds}, GET|POST|DELETE /admin/faults, POST /admin/tokens {objectId, audience, lifetimeSeconds}, POST /admin/tick, GET|DELETE /admin/stats, POST /admin/throttle/refill.`,
        );
    }
  }

  private clockBody() {
    const offsetMs = this.store.get<ClockState>('meta', 'clock')?.offsetMs ?? 0;
    return { now: this.now().toISOString(), offsetSeconds: offsetMs / 1000 };
  }
}

// ---- helpers -------------------------------------------------------------------------------------

/**
 * One sandbox per data folder: two processes appending to one journal would corrupt it. A lock
 * left by a process that died (kill -9) is taken over.
 */
async function acquireLock(dataDir: string): Promise<void> {
  const lock = path.join(dataDir, 'sandbox.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw err;
      }
      const pid = Number((await fs.readFile(lock, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(`Another sandbox (pid ${pid}) is using the data folder ${dataDir}. Stop it first, or start this one with another --data-dir.`);
      }
      await fs.rm(lock, { force: true });
    }
  }
  throw new Error(`Could not lock the data folder ${dataDir}; remove ${lock} if no sandbox is running.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A request path with `//` collapsed and no trailing slash (a leading `//` is collapsed before parsing). */
function normalizedPath(pathname: string): string {
  const p = pathname.replace(/\/{2,}/g, '/');
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && crypto.timingSafeEqual(ba, bb);
}

export function armErrorBody(err: ArmError): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.target) {
    error.target = err.target;
  }
  if (err.details) {
    error.details = err.details;
  }
  return { error };
}

function isRegistrationRoute(lower: string[]): boolean {
  // Exactly /subscriptions/{s}/providers[/{ns}[/register|/unregister]]; a namespace's own resource
  // listings (e.g. /subscriptions/{s}/providers/Microsoft.DataShare/accounts) are not.
  if (lower[0] !== 'subscriptions' || lower[2] !== 'providers') return false;
  return lower.length <= 4 || (lower.length === 5 && (lower[4] === 'register' || lower[4] === 'unregister'));
}

function resourceTypeOf(segs: string[], lower: string[]): string | undefined {
  const p = lower.lastIndexOf('providers');
  if (p < 0 || !segs[p + 1]) {
    return lower[2] === 'resourcegroups' ? 'resourceGroups' : lower[0] === 'subscriptions' ? 'subscriptions' : undefined;
  }
  const types = segs.slice(p + 2).filter((_, i) => i % 2 === 0);
  return `${segs[p + 1]}/${types.join('/')}`;
}

async function readBody(req: IncomingMessage, contentType: string | undefined): Promise<unknown> {
  // HTTP/2 requests that ended with their headers (every GET) have no body to wait for.
  if ((req as unknown as { stream?: { endAfterHeaders?: boolean } }).stream?.endAfterHeaders) {
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      throw new ArmError(413, 'RequestEntityTooLarge', `The request body is larger than ${MAX_BODY} bytes.`);
    }
    chunks.push(chunk as Buffer);
  }
  if (size === 0) {
    return undefined;
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (contentType?.toLowerCase().includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ArmError(400, 'InvalidRequestContent', `The request content was invalid and could not be deserialized: ${(err as Error).message}. Send a JSON body.`);
  }
}

function send(res: ServerResponse, response: SandboxResponse, baseHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) {
    return;
  }
  const headers: Record<string, string> = { ...baseHeaders, ...(response.headers ?? {}) };
  let payload: Buffer | undefined;
  if (response.body !== undefined && response.status !== 204) {
    payload = Buffer.from(response.body instanceof JsonText ? response.body.text : JSON.stringify(response.body), 'utf8');
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
    headers['Content-Length'] = String(payload.length);
  } else if (response.status !== 204) {
    headers['Content-Length'] = '0';
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

export type { RouteMatch };

function withoutPseudoHeaders(headers: IncomingMessage['headers']): IncomingMessage['headers'] {
  let out: IncomingMessage['headers'] | undefined;
  for (const k in headers) {
    if (k.charCodeAt(0) === 58 /* ':' */) {
      if (!out) {
        out = {};
        for (const j in headers) if (j.charCodeAt(0) !== 58) out[j] = headers[j];
      }
      break;
    }
  }
  return out ?? headers;
}

/** `tid` claims already read, by token (a request log sees the same few tokens over and over). */
const bearerTenants = new Map<string, string | undefined>();

/** The `tid` claim of a bearer token, unverified (only to tell callers apart in a request log). */
function bearerTenant(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  if (bearerTenants.has(token)) return bearerTenants.get(token);
  let tid: string | undefined;
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { tid?: unknown };
    tid = typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    tid = undefined;
  }
  if (bearerTenants.size >= 256) bearerTenants.delete(bearerTenants.keys().next().value as string);
  bearerTenants.set(token, tid);
  return tid;
}
