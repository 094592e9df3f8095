/**
 * An in-memory `SandboxContext` for unit-testing resource providers at handler level: a map store,
 * a settable clock, a directory with two seeded tenants (plus a third, unrelated one), role
 * assignments, blobs held in maps, long-running operations that run their work right away (tests
 * `await sandbox.settle()`), and a tiny router that calls a provider's routes the way the core does.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies of ARM responses are checked field by field */
import * as crypto from 'node:crypto';
import {
  ArmError, type Authorization, type BlobData, type BlobItem, type Directory, type DirectoryObject, type LongRunningOperations,
  type Principal, type ResourceIndex, type ResourceProvider, type Route, type SandboxClock, type SandboxContext,
  type SandboxRequest, type SandboxResponse, type Store, type Tenant,
} from '../../../src/sandbox/core/contract';

export class FakeStore implements Store {
  readonly data = new Map<string, Map<string, unknown>>();
  commits = 0;

  private col(c: string): Map<string, unknown> {
    let m = this.data.get(c);
    if (!m) {
      m = new Map();
      this.data.set(c, m);
    }
    return m;
  }

  get<T>(collection: string, key: string): T | undefined {
    const v = this.data.get(collection)?.get(key.toLowerCase());
    return v === undefined ? undefined : (structuredClone(v) as T);
  }

  list<T>(collection: string, prefix?: string): T[] {
    const m = this.data.get(collection);
    if (!m) return [];
    const p = (prefix ?? '').toLowerCase();
    return [...m.keys()].filter((k) => k.startsWith(p)).sort().map((k) => structuredClone(m.get(k)) as T);
  }

  put<T>(collection: string, key: string, value: T): void {
    this.col(collection).set(key.toLowerCase(), structuredClone(value));
  }

  delete(collection: string, key: string): boolean {
    return this.data.get(collection)?.delete(key.toLowerCase()) ?? false;
  }

  collections(): string[] {
    return [...this.data.entries()].filter(([, m]) => m.size > 0).map(([c]) => c);
  }

  commit(): Promise<void> {
    this.commits++;
    return Promise.resolve();
  }

  keys(collection: string): string[] {
    return [...(this.data.get(collection)?.keys() ?? [])].sort();
  }
}

export class FakeClock implements SandboxClock {
  constructor(private t: Date = new Date('2030-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.t.getTime());
  }
  set(d: Date | string): void {
    this.t = new Date(d);
  }
  advance(ms: number): Date {
    this.t = new Date(this.t.getTime() + ms);
    return this.now();
  }
}

export class FakeDirectory implements Directory {
  readonly tenantList: Tenant[] = [];
  readonly objects = new Map<string, DirectoryObject>();
  constructor(private readonly newGuid: () => string) {}

  tenants(): Tenant[] {
    return [...this.tenantList];
  }
  tenant(tenantId: string): Tenant | undefined {
    return this.tenantList.find((t) => t.tenantId.toLowerCase() === tenantId.toLowerCase());
  }
  object(objectId: string): DirectoryObject | undefined {
    return this.objects.get(objectId.toLowerCase());
  }
  usersByEmail(email: string): DirectoryObject[] {
    return [...this.objects.values()].filter((o) => o.kind === 'User' && o.email?.toLowerCase() === email.toLowerCase());
  }
  ensureManagedIdentity(tenantId: string, resourceId: string, displayName: string): DirectoryObject {
    const existing = [...this.objects.values()].find((o) => o.kind === 'ManagedIdentity' && o.resourceId?.toLowerCase() === resourceId.toLowerCase());
    if (existing) return existing;
    const mi: DirectoryObject = { objectId: this.newGuid(), tenantId, kind: 'ManagedIdentity', displayName, appId: this.newGuid(), resourceId };
    this.objects.set(mi.objectId.toLowerCase(), mi);
    return mi;
  }
  deleteManagedIdentity(resourceId: string): void {
    for (const [k, o] of this.objects) {
      if (o.kind === 'ManagedIdentity' && o.resourceId?.toLowerCase() === resourceId.toLowerCase()) this.objects.delete(k);
    }
  }
  add(o: DirectoryObject): DirectoryObject {
    this.objects.set(o.objectId.toLowerCase(), o);
    return o;
  }
}

export class FakeResources implements ResourceIndex {
  readonly subs = new Map<string, { subscriptionId: string; tenantId: string; displayName: string }>();
  constructor(private readonly store: FakeStore) {}
  subscription(subscriptionId: string) {
    return this.subs.get(subscriptionId.toLowerCase());
  }
  resourceGroup(subscriptionId: string, name: string) {
    return this.store.get<{ id: string; name: string; location: string }>('resources', `/subscriptions/${subscriptionId}/resourceGroups/${name}`);
  }
  resource<T = Record<string, unknown>>(id: string): T | undefined {
    return this.store.get<T>('resources', id);
  }
}

export class FakeAuthorization implements Authorization {
  readonly assignments: { principalId: string; scope: string; roleId: string }[] = [];
  grant(principalId: string, scope: string, roleId: string): void {
    this.assignments.push({ principalId, scope, roleId });
  }
  revokeAll(principalId: string): void {
    for (let i = this.assignments.length - 1; i >= 0; i--) if (this.assignments[i].principalId === principalId) this.assignments.splice(i, 1);
  }
  hasRole(principalObjectId: string, scope: string, roleDefinitionGuid: string): boolean {
    const s = scope.toLowerCase().replace(/\/+$/, '');
    return this.assignments.some((a) => {
      const as = a.scope.toLowerCase().replace(/\/+$/, '');
      return a.principalId.toLowerCase() === principalObjectId.toLowerCase() && a.roleId.toLowerCase() === roleDefinitionGuid.toLowerCase() && (s === as || s.startsWith(as + '/'));
    });
  }
  isAllowed(): boolean {
    return true;
  }
}

interface FakeBlob {
  data: Buffer;
  etag: string;
  lastModified: Date;
}

export class FakeBlobs implements BlobData {
  /** account -> container -> blob name -> blob */
  readonly accounts = new Map<string, Map<string, Map<string, FakeBlob>>>();
  /** Delay per copy in ms (to test cancellation). */
  copyDelayMs = 0;
  copies = 0;
  private seq = 0;
  constructor(private readonly clock: FakeClock) {}

  createAccount(account: string): void {
    if (!this.accounts.has(account)) this.accounts.set(account, new Map());
  }
  private containerMap(account: string, container: string, create = false): Map<string, FakeBlob> | undefined {
    const a = this.accounts.get(account);
    if (!a) {
      if (create) throw new Error(`The storage account '${account}' does not exist in Azurite.`);
      return undefined;
    }
    let c = a.get(container);
    if (!c && create) {
      c = new Map();
      a.set(container, c);
    }
    return c;
  }
  upload(account: string, container: string, name: string, content: string | Buffer): void {
    const c = this.containerMap(account, container, true)!;
    c.set(name, { data: Buffer.from(content), etag: `"0x${(++this.seq).toString(16)}"`, lastModified: this.clock.now() });
  }
  names(account: string, container: string): string[] {
    return [...(this.containerMap(account, container)?.keys() ?? [])].sort();
  }
  text(account: string, container: string, name: string): string | undefined {
    return this.containerMap(account, container)?.get(name)?.data.toString('utf8');
  }

  listBlobs(account: string, container: string, prefix?: string): Promise<BlobItem[]> {
    const c = this.containerMap(account, container);
    if (!c) return Promise.reject(new Error(`The specified container '${container}' does not exist.`));
    const items = [...c.entries()]
      .filter(([n]) => !prefix || n.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, b]) => ({ name, size: b.data.length, etag: b.etag, lastModified: b.lastModified, contentMD5: crypto.createHash('md5').update(b.data).digest('base64') }));
    return Promise.resolve(items);
  }
  containerExists(account: string, container: string): Promise<boolean> {
    return Promise.resolve(!!this.containerMap(account, container));
  }
  ensureContainer(account: string, container: string): Promise<void> {
    this.containerMap(account, container, true);
    return Promise.resolve();
  }
  async copyBlob(src: { account: string; container: string; name: string }, dst: { account: string; container: string; name: string }, signal?: AbortSignal): Promise<number> {
    if (this.copyDelayMs > 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.copyDelayMs);
        signal?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        }, { once: true });
      });
    }
    const b = this.containerMap(src.account, src.container)?.get(src.name);
    if (!b) throw new Error(`The specified blob '${src.name}' does not exist.`);
    this.containerMap(dst.account, dst.container, true)!.set(dst.name, { data: Buffer.from(b.data), etag: `"0x${(++this.seq).toString(16)}"`, lastModified: this.clock.now() });
    this.copies++;
    return b.data.length;
  }
  readBlob(account: string, container: string, name: string, maxBytes?: number): Promise<Buffer> {
    const b = this.containerMap(account, container)?.get(name);
    if (!b) return Promise.reject(new Error(`The specified blob '${name}' does not exist.`));
    return Promise.resolve(maxBytes !== undefined ? b.data.subarray(0, maxBytes) : Buffer.from(b.data));
  }
}

export interface FakeOperation {
  id: string;
  resourceId: string;
  status: 'InProgress' | 'Succeeded' | 'Failed';
  result?: unknown;
  error?: { code: string; message: string; details?: unknown };
  done: Promise<void>;
}

export class FakeOperations implements LongRunningOperations {
  readonly ops = new Map<string, FakeOperation>();
  constructor(private readonly newGuid: () => string) {}

  start(req: SandboxRequest, options: { status: 201 | 202; resourceId: string; body?: unknown; work: (signal: AbortSignal) => Promise<unknown> }): SandboxResponse {
    const id = this.newGuid();
    const op: FakeOperation = { id, resourceId: options.resourceId, status: 'InProgress', done: Promise.resolve() };
    const controller = new AbortController();
    // Like the core: the work starts after the response is written (next macrotask).
    op.done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => options.work(controller.signal))
      .then(
        (result) => {
          op.status = 'Succeeded';
          op.result = result;
        },
        (err: unknown) => {
          op.status = 'Failed';
          op.error = err instanceof ArmError ? { code: err.code, message: err.message, details: err.details } : { code: 'InternalServerError', message: String(err) };
        },
      );
    this.ops.set(id, op);
    const base = `${req.baseUrl}${options.resourceId}`;
    return {
      status: options.status,
      body: options.body,
      headers: {
        'Azure-AsyncOperation': `${base}/operationStatuses/${id}?api-version=${req.apiVersion}`,
        Location: `${base}/operationResults/${id}?api-version=${req.apiVersion}`,
        'Retry-After': '0',
      },
    };
  }

  /** The operation a 201/202 response points at. */
  of(res: SandboxResponse): FakeOperation {
    const url = res.headers?.['Azure-AsyncOperation'] ?? '';
    const m = /operationStatuses\/([^?]+)/.exec(url);
    const op = m ? this.ops.get(m[1]) : undefined;
    if (!op) throw new Error(`response ${res.status} has no operation (headers: ${JSON.stringify(res.headers)})`);
    return op;
  }

  async settle(): Promise<void> {
    for (;;) {
      const pending = [...this.ops.values()].filter((o) => o.status === 'InProgress');
      if (pending.length === 0) return;
      await Promise.all(pending.map((o) => o.done));
    }
  }
}

// ---------------------------------------------------------------- router

interface Compiled {
  route: Route;
  segs: string[];
}

function compile(routes: Route[]): Compiled[] {
  return routes.map((route) => ({ route, segs: route.pattern.split('/').filter(Boolean) }));
}

function match(c: Compiled, pathSegs: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < c.segs.length; i++) {
    const s = c.segs[i];
    if (s.startsWith('{*')) {
      params[s.slice(2, -1)] = pathSegs.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const p = pathSegs[i];
    if (p === undefined) return undefined;
    if (s.startsWith('{')) params[s.slice(1, -1)] = decodeURIComponent(p);
    else if (s.toLowerCase() !== p.toLowerCase()) return undefined;
  }
  return pathSegs.length === c.segs.length ? params : undefined;
}

export interface CallOptions {
  body?: unknown;
  as?: Principal;
  query?: Record<string, string>;
  apiVersion?: string;
}

export interface Seeded {
  tenantId: string;
  subscriptionId: string;
  user: Principal;
  sp: Principal;
}

// ---------------------------------------------------------------- the sandbox

export class FakeSandbox {
  private counter = 0;
  readonly newGuid = (): string => {
    this.counter++;
    const hex = this.counter.toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${hex}`;
  };
  readonly store = new FakeStore();
  readonly clock = new FakeClock();
  readonly directory = new FakeDirectory(this.newGuid);
  readonly resources = new FakeResources(this.store);
  readonly authorization = new FakeAuthorization();
  readonly blobs = new FakeBlobs(this.clock);
  readonly operations = new FakeOperations(this.newGuid);
  readonly logs: string[] = [];
  readonly ctx: SandboxContext;
  private readonly compiled: Compiled[];
  readonly baseUrl = 'https://127.0.0.1:8443';

  /** Contoso-like provider tenant, Fabrikam-like consumer tenant, and an unrelated third tenant. */
  readonly provider: Seeded;
  readonly consumer: Seeded;
  readonly outsider: Seeded;

  constructor(readonly rp: ResourceProvider) {
    this.ctx = {
      store: this.store,
      clock: this.clock,
      directory: this.directory,
      resources: this.resources,
      authorization: this.authorization,
      blobs: this.blobs,
      operations: this.operations,
      blobEndpoint: (account) => `https://127.0.0.1:10000/${account}/`,
      purviewEndpoint: (account) => `https://127.0.0.1:8443/purview/${account}`,
      newGuid: this.newGuid,
      log: (m) => {
        this.logs.push(m);
      },
      deleteTree: (id) => {
        const p = id.toLowerCase().replace(/\/+$/, '');
        for (const c of this.store.collections()) {
          for (const k of this.store.keys(c)) if (k === p || k.startsWith(p + '/')) this.store.delete(c, k);
        }
        this.directory.deleteManagedIdentity(id);
        return Promise.resolve();
      },
    };
    this.compiled = compile(rp.routes);
    this.provider = this.seedTenant('Contoso', 'contoso.example', 'ava@contoso.example', 'Ava Provider');
    this.consumer = this.seedTenant('Fabrikam', 'fabrikam.example', 'ben@fabrikam.example', 'Ben Consumer');
    this.outsider = this.seedTenant('Northwind', 'northwind.example', 'nina@northwind.example', 'Nina Outsider');
  }

  seedTenant(displayName: string, domain: string, email: string, userName: string): Seeded {
    const tenantId = this.newGuid();
    this.directory.tenantList.push({ tenantId, displayName, domain });
    const subscriptionId = this.newGuid();
    this.resources.subs.set(subscriptionId, { subscriptionId, tenantId, displayName: `${displayName} subscription` });
    const u = this.directory.add({ objectId: this.newGuid(), tenantId, kind: 'User', displayName: userName, email });
    const s = this.directory.add({ objectId: this.newGuid(), tenantId, kind: 'ServicePrincipal', displayName: `${displayName.toLowerCase()}-automation`, appId: this.newGuid() });
    return {
      tenantId,
      subscriptionId,
      user: { tenantId, objectId: u.objectId, kind: 'User', name: userName, email, audience: 'https://management.azure.com' },
      sp: { tenantId, objectId: s.objectId, appId: s.appId, kind: 'ServicePrincipal', name: s.displayName, audience: 'https://management.azure.com' },
    };
  }

  addResourceGroup(subscriptionId: string, name: string, location = 'westus2'): string {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
    this.store.put('resources', id, { id, name, location, type: 'Microsoft.Resources/resourceGroups', properties: { provisioningState: 'Succeeded' } });
    return id;
  }

  addStorageAccount(subscriptionId: string, rg: string, name: string, location = 'westus2'): string {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Storage/storageAccounts/${name}`;
    this.store.put('resources', id, { id, name, location, type: 'Microsoft.Storage/storageAccounts', kind: 'StorageV2', properties: { provisioningState: 'Succeeded' } });
    this.blobs.createAccount(name);
    return id;
  }

  /** Calls the provider's route for `method path` as the core would, rendering ArmErrors. */
  async call(method: string, path: string, opts: CallOptions = {}): Promise<SandboxResponse & { body: any }> {
    const pathSegs = path.split('?')[0].split('/').filter(Boolean);
    const query = new URLSearchParams(path.includes('?') ? path.split('?')[1] : '');
    for (const [k, v] of Object.entries(opts.query ?? {})) query.set(k, v);
    const apiVersion = opts.apiVersion ?? query.get('api-version') ?? '2021-08-01';
    query.set('api-version', apiVersion);
    const req: SandboxRequest = {
      method: method.toUpperCase(),
      path: '/' + pathSegs.join('/'),
      query,
      headers: {},
      body: opts.body,
      principal: opts.as,
      baseUrl: this.baseUrl,
      apiVersion,
      signal: new AbortController().signal,
    };
    let pathMatched = false;
    for (const c of this.compiled) {
      const params = match(c, pathSegs);
      if (!params) continue;
      pathMatched = true;
      if (!c.route.methods.includes(req.method)) continue;
      try {
        if (c.route.apiVersions && !c.route.apiVersions.includes(apiVersion)) {
          throw new ArmError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid.`);
        }
        const res = await c.route.handler(req, params, this.ctx);
        await this.store.commit();
        return res as SandboxResponse & { body: any };
      } catch (e) {
        if (e instanceof ArmError) {
          return { status: e.status, body: { error: { code: e.code, message: e.message, ...(e.target ? { target: e.target } : {}), ...(e.details ? { details: e.details } : {}) } } };
        }
        throw e;
      }
    }
    return pathMatched
      ? { status: 405, body: { error: { code: 'HttpMethodNotAllowed', message: `${method} not allowed on ${path}` } } }
      : { status: 404, body: { error: { code: 'InvalidResourceType', message: `no route for ${path}` } } };
  }

  /** Awaits every running long-running operation. */
  settle(): Promise<void> {
    return this.operations.settle();
  }

  async tick(): Promise<void> {
    await this.rp.onTick?.(this.ctx, this.clock.now());
  }
}
