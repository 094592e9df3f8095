/**
 * The contract between the sandbox core (HTTPS server, identity, store, ARM conventions, RBAC,
 * clock, faults, blob access) and the resource providers that plug into it
 * (Microsoft.Resources, Microsoft.Storage, Microsoft.Authorization, Microsoft.Purview,
 * Microsoft.DataShare, and later the Purview data plane).
 *
 * Providers are plain modules exporting a `ResourceProvider`. They never touch HTTP, files or
 * Azurite directly: everything goes through `SandboxContext`, which keeps them testable and
 * keeps persistence and crash-safety in one place.
 */

/** Who is calling, taken from a verified sandbox token. */
export interface Principal {
  tenantId: string;
  objectId: string;
  /** Application (client) id for service principals and managed identities. */
  appId?: string;
  kind: 'User' | 'ServicePrincipal' | 'ManagedIdentity';
  /** Display name or UPN, as ARM reports it in `userName` / `userEmail` fields. */
  name: string;
  email?: string;
  /** The token audience the call was made with. */
  audience: string;
}

export interface SandboxRequest {
  method: string;
  /** Path as sent, with `//` collapsed and without the query string. Matching is case-insensitive. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (undefined when empty). */
  body: unknown;
  /** Undefined only for anonymous routes (identity endpoints). */
  principal?: Principal;
  /** e.g. `https://127.0.0.1:8443`, used to build absolute URLs (nextLink, LRO headers). */
  baseUrl: string;
  /** Value of the `api-version` query parameter (the core rejects missing ones on ARM routes). */
  apiVersion: string;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface SandboxResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by providers; the core renders `{error:{code,message,target?,details?}}` with `status`. */
export class ArmError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly target?: string,
    public readonly details?: { code: string; message: string; target?: string }[],
  ) {
    super(message);
    this.name = 'ArmError';
  }
}

export type RouteHandler = (req: SandboxRequest, params: Record<string, string>, ctx: SandboxContext) => Promise<SandboxResponse> | SandboxResponse;

export interface Route {
  /** HTTP methods (upper case). */
  methods: string[];
  /**
   * Path template, e.g. `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataShare/accounts/{accountName}`.
   * Literal segments match case-insensitively; `{name}` captures one segment (URL-decoded).
   * A trailing `{*rest}` captures the remaining segments joined by `/` (used for role-assignment scopes).
   */
  pattern: string;
  /** api-versions accepted; anything else gets 400 `InvalidApiVersionParameter`. Omit to accept any. */
  apiVersions?: string[];
  /** Identity endpoints and metadata are anonymous; every other route requires a valid token. */
  anonymous?: boolean;
  /** Token audiences accepted (default: ARM). */
  audiences?: string[];
  /**
   * Added by the core: the RBAC action checked before the handler runs. Default: derived from the
   * method and path as ARM names operations (`{ns}/{type}/read|write|delete`, `{ns}/{type}/{name}/action`).
   */
  action?: string;
  /** Added by the core: `false` skips the core's RBAC check (the handler checks access itself). Default true. */
  authorize?: boolean;
  /** Added by the core: `false` lets the route be called without `api-version` (data-plane routes). Default true. */
  requireApiVersion?: boolean;
  handler: RouteHandler;
}

export interface ResourceProvider {
  /** e.g. `Microsoft.DataShare`; `undefined` for core routes (identity, tenants). */
  namespace?: string;
  /** When true, the core answers 409 `MissingSubscriptionRegistration` for subscription-scoped routes until registered. */
  requiresRegistration?: boolean;
  routes: Route[];
  /** Called on every clock tick (real time passing or an admin clock advance) to fire schedules. */
  onTick?(ctx: SandboxContext, now: Date): Promise<void> | void;
  /** Called once after the store is loaded, e.g. to resume interrupted operations. */
  onStart?(ctx: SandboxContext): Promise<void> | void;
}

/**
 * Persistent key/value store with collections. Writes are durable when the returned promise of
 * `commit()` resolves (the core commits before it sends the HTTP response, so anything a client
 * saw acknowledged survives kill -9). Keys are compared case-insensitively (store lower-cased).
 *
 * Convention: ARM resources live in the `resources` collection keyed by their resource id; any other
 * per-resource record (synchronizations, operation records, ...) is keyed by a string that starts
 * with the owning resource id + '/'. Deleting a resource group (or any parent) removes every key in
 * every collection that starts with the parent id + '/', which is how cascades work.
 */
export interface Store {
  get<T>(collection: string, key: string): T | undefined;
  /**
   * All values in a collection whose key starts with `prefix` (case-insensitive), in key order;
   * `keyFilter` (given the lower-cased key) skips values before they are read. Stores may ignore it.
   */
  list<T>(collection: string, prefix?: string, keyFilter?: (key: string) => boolean): T[];
  /**
   * Like `list`, for callers that only read: the values are frozen and shared between calls while
   * their stored form is unchanged (no parse per request of a long history). Optional.
   */
  listReadOnly?<T>(collection: string, prefix?: string): ReadonlyArray<Readonly<T>>;
  /** Like `get`, for callers that only read: frozen and shared while unchanged. Optional. */
  getReadOnly?<T>(collection: string, key: string): Readonly<T> | undefined;
  /** Changes whenever the stored state does (optional: lets readers keep derived views while it stays). */
  readonly writes?: number;
  /** Changes whenever one collection does (optional, as `writes`). */
  writesTo?(collection: string): number;
  put<T>(collection: string, key: string, value: T): void;
  delete(collection: string, key: string): boolean;
  /** Names of all collections that hold at least one key. */
  collections(): string[];
  /** Flushes pending writes durably (fsync). */
  commit(): Promise<void>;
}

export interface SandboxClock {
  now(): Date;
}

export interface Tenant {
  tenantId: string;
  displayName: string;
  domain: string;
}

export interface DirectoryObject {
  objectId: string;
  tenantId: string;
  kind: 'User' | 'ServicePrincipal' | 'ManagedIdentity';
  displayName: string;
  email?: string;
  appId?: string;
  /** For managed identities: the resource id they belong to. */
  resourceId?: string;
  /** Users: `Member` (default when absent) or `Guest` (a B2B guest invited through Microsoft Graph). */
  userType?: 'Member' | 'Guest';
  /** Guests: Graph's `#EXT#` user principal name (members use their email). */
  userPrincipalName?: string;
  /** Guests: `PendingAcceptance` until redeemed, then `Accepted`. */
  externalUserState?: 'PendingAcceptance' | 'Accepted';
  /** ISO time the object was created (guests). */
  createdDateTime?: string;
}

export interface Directory {
  tenants(): Tenant[];
  tenant(tenantId: string): Tenant | undefined;
  object(objectId: string): DirectoryObject | undefined;
  /** Users whose email (case-insensitive) matches, in any tenant (members only: B2B guests are not home accounts). */
  usersByEmail(email: string): DirectoryObject[];
  /** Creates (or returns the existing) system-assigned identity for a resource. */
  ensureManagedIdentity(tenantId: string, resourceId: string, displayName: string): DirectoryObject;
  deleteManagedIdentity(resourceId: string): void;
}

/** What the core knows about ARM resources, for cross-provider lookups. */
export interface ResourceIndex {
  subscription(subscriptionId: string): { subscriptionId: string; tenantId: string; displayName: string } | undefined;
  resourceGroup(subscriptionId: string, name: string): { id: string; name: string; location: string } | undefined;
  /** A stored resource by id (case-insensitive), e.g. a storage account; undefined if absent. */
  resource<T = Record<string, unknown>>(id: string): T | undefined;
}

export interface Authorization {
  /** True when `principalObjectId` holds `roleDefinitionGuid` at `scope` or any parent scope. */
  hasRole(principalObjectId: string, scope: string, roleDefinitionGuid: string): boolean;
  /** Added by the core: true when a role the principal holds at `scope` (or above) allows the ARM `action`. */
  isAllowed(principalObjectId: string, action: string, scope: string): boolean;
}

export interface BlobItem {
  name: string;
  size: number;
  contentMD5?: string;
  lastModified: Date;
  etag: string;
}

/** Server-side access to blob data in Azurite (the core holds the account keys). */
export interface BlobData {
  listBlobs(account: string, container: string, prefix?: string, signal?: AbortSignal): Promise<BlobItem[]>;
  containerExists(account: string, container: string): Promise<boolean>;
  ensureContainer(account: string, container: string): Promise<void>;
  /** Copies one blob between accounts of the sandbox's Azurite; returns bytes copied. */
  copyBlob(src: { account: string; container: string; name: string }, dst: { account: string; container: string; name: string }, signal?: AbortSignal): Promise<number>;
  readBlob(account: string, container: string, name: string, maxBytes?: number, signal?: AbortSignal): Promise<Buffer>;
  /** Containers of an account (the Purview scanner discovers them); optional so test doubles may omit it. */
  listContainers?(account: string, prefix?: string): Promise<{ name: string; lastModified?: Date }[]>;
}

export interface OperationStatus {
  status: 'Accepted' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  error?: { code: string; message: string };
}

export interface LongRunningOperations {
  /**
   * Starts background work and answers as ARM does: `status` (201 for PUT, 202 for POST/DELETE)
   * with `Azure-AsyncOperation` and `Location` headers (and `Retry-After`) pointing at
   * `${operationUrlBase}/operationResults/{id}` style URLs served by the core.
   * `work` runs after the response is sent; its return value becomes the final result served on the
   * Location URL (200 + body), a thrown ArmError becomes `{status:'Failed', error}`.
   * The operation record is persisted; work interrupted by a restart is marked Failed with
   * code `OperationInterrupted` (a re-run completes it).
   */
  start(req: SandboxRequest, options: {
    status: 201 | 202;
    /** Resource id the operation belongs to (used to build the status URLs). */
    resourceId: string;
    body?: unknown;
    work: (signal: AbortSignal) => Promise<unknown>;
    /** Added by the core: send only `Location` (no `Azure-AsyncOperation`), as Microsoft.Storage does. */
    locationOnly?: boolean;
  }): SandboxResponse;
}

export interface SandboxContext {
  store: Store;
  clock: SandboxClock;
  directory: Directory;
  resources: ResourceIndex;
  authorization: Authorization;
  blobs: BlobData;
  operations: LongRunningOperations;
  /** The sandbox's own public blob endpoint for an account, e.g. `https://127.0.0.1:10000/acct/`. */
  blobEndpoint(account: string): string;
  /** The Purview data-plane base URL for an account. */
  purviewEndpoint(account: string): string;
  newGuid(): string;
  log(message: string): void;
  /**
   * Added by the core: deletes a resource and everything under it (every store key that starts with
   * `resourceId + '/'` in every collection, managed identities included) plus the Azurite data of
   * storage accounts in it. Providers call it from their DELETE handlers for cascades.
   */
  deleteTree(resourceId: string): Promise<void>;
}

/** Helpers every provider needs for ARM-shaped list responses. */
export interface Page<T> {
  value: T[];
  nextLink?: string;
}
