/**
 * Shared pieces of the Microsoft.DataShare provider: stored record shapes, ids, store access,
 * validation helpers and the constants (types, roles, api-versions) every handler uses.
 */
import { ArmError, type Principal, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../../core/contract';
import { paginate, systemData } from '../../core/arm';
import { applyODataQuery } from './odata';

export const NAMESPACE = 'Microsoft.DataShare';
/** The version we implement plus the older ones found in the published examples. */
export const API_VERSIONS = ['2021-08-01', '2020-09-01', '2019-11-01'];

export const RESOURCES = 'resources';
/** Synchronization (snapshot) runs, keyed `<shareSubscriptionId>/synchronizations/<id>`. */
export const SYNCS = 'datashare-synchronizations';
/** Incremental-copy state, keyed `<shareSubscriptionId>/syncstate/<mapping name>`. */
export const SYNC_STATE = 'datashare-syncstate';
/** Email registrations, keyed `/providers/microsoft.datashare/tenants/<tid>/emailregistrations/<oid>`. */
export const EMAIL_REGISTRATIONS = 'datashare-emailregistrations';
export const OWN_COLLECTIONS = [SYNCS, SYNC_STATE];

export const T = {
  account: 'Microsoft.DataShare/accounts',
  share: 'Microsoft.DataShare/accounts/shares',
  dataSet: 'Microsoft.DataShare/accounts/shares/dataSets',
  invitation: 'Microsoft.DataShare/accounts/shares/invitations',
  syncSetting: 'Microsoft.DataShare/accounts/shares/synchronizationSettings',
  providerShareSubscription: 'Microsoft.DataShare/accounts/shares/providerShareSubscriptions',
  shareSubscription: 'Microsoft.DataShare/accounts/shareSubscriptions',
  mapping: 'Microsoft.DataShare/accounts/shareSubscriptions/dataSetMappings',
  trigger: 'Microsoft.DataShare/accounts/shareSubscriptions/triggers',
  consumerSourceDataSet: 'Microsoft.DataShare/accounts/shareSubscriptions/consumerSourceDataSets',
  consumerInvitation: 'Microsoft.DataShare/locations/consumerInvitations',
} as const;

export const ROLE = {
  storageBlobDataReader: { id: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1', name: 'Storage Blob Data Reader' },
  storageBlobDataContributor: { id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe', name: 'Storage Blob Data Contributor' },
  storageBlobDataOwner: { id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', name: 'Storage Blob Data Owner' },
} as const;

export type Json = Record<string, unknown>;

export interface SystemDataShape {
  createdAt: string;
  createdBy: string;
  createdByType: string;
  lastModifiedAt: string;
  lastModifiedBy: string;
  lastModifiedByType: string;
}

/** What the provider keeps in the `resources` collection. `internal` is never rendered. */
export interface StoredResource<P extends Json = Json, I extends Json = Json> {
  id: string;
  name: string;
  type: string;
  kind?: string;
  location?: string;
  tags?: Record<string, string>;
  identity?: { type: string; principalId?: string; tenantId?: string };
  systemData: SystemDataShape;
  properties: P;
  internal: I;
}

export const key = (id: string): string => id.toLowerCase();

export function getResource<P extends Json = Json, I extends Json = Json>(ctx: SandboxContext, id: string): StoredResource<P, I> | undefined {
  return ctx.store.get<StoredResource<P, I>>(RESOURCES, key(id));
}

/** A resource for reading only (frozen, shared while unchanged: no parse per request). */
export function peekResource<P extends Json = Json, I extends Json = Json>(ctx: SandboxContext, id: string): Readonly<StoredResource<P, I>> | undefined {
  return ctx.store.getReadOnly ? ctx.store.getReadOnly<StoredResource<P, I>>(RESOURCES, key(id)) : getResource<P, I>(ctx, id);
}

export function putResource(ctx: SandboxContext, r: StoredResource<Json, Json>): void {
  ctx.store.put(RESOURCES, key(r.id), r);
}

/** Children of `parentId` of one type (direct or nested), in key order. */
export function listResources<P extends Json = Json, I extends Json = Json>(ctx: SandboxContext, parentId: string, type: string): StoredResource<P, I>[] {
  // An ARM id names its type in its next-to-last segment (…/dataSets/{name}): other keys are not read.
  const segment = '/' + type.slice(type.lastIndexOf('/') + 1).toLowerCase() + '/';
  const ofType = (k: string) => k.lastIndexOf(segment) === k.lastIndexOf('/') - segment.length + 1;
  return ctx.store
    .list<StoredResource<P, I>>(RESOURCES, key(parentId) + '/', ofType)
    .filter((r) => r && typeof r === 'object' && r.type?.toLowerCase() === type.toLowerCase());
}

/** Every stored resource of a type anywhere (the sandbox is small; scans are fine). */
export function allResources<P extends Json = Json, I extends Json = Json>(ctx: SandboxContext, type: string): StoredResource<P, I>[] {
  return ctx.store.list<StoredResource<P, I>>(RESOURCES).filter((r) => r && typeof r === 'object' && r.type?.toLowerCase() === type.toLowerCase());
}

/**
 * Removes a resource, everything under it and this provider's per-resource records, then lets the
 * core cascade through every other collection (`ctx.deleteTree`).
 */
export async function removeTree(ctx: SandboxContext, id: string): Promise<void> {
  removeOwn(ctx, id);
  await ctx.deleteTree(id);
}

function removeOwn(ctx: SandboxContext, id: string): void {
  const k = key(id);
  for (const r of ctx.store.list<StoredResource>(RESOURCES, k + '/')) {
    if (r && typeof r.id === 'string') ctx.store.delete(RESOURCES, key(r.id));
  }
  ctx.store.delete(RESOURCES, k);
  for (const c of OWN_COLLECTIONS) {
    for (const rec of ctx.store.list<{ key?: string }>(c, k + '/')) {
      if (rec && typeof rec.key === 'string') ctx.store.delete(c, rec.key);
    }
  }
}

/** The rendered (public) view of a stored resource: everything but `internal`. */
export function publicView(r: StoredResource<Json, Json>): Json {
  const out: Json = { id: r.id, name: r.name, type: r.type };
  if (r.kind !== undefined) out.kind = r.kind;
  if (r.location !== undefined) out.location = r.location;
  if (r.tags !== undefined) out.tags = { ...r.tags };
  if (r.identity !== undefined) out.identity = { ...r.identity };
  out.systemData = { ...r.systemData };
  out.properties = JSON.parse(JSON.stringify(r.properties)) as Json;
  return out;
}

export function requirePrincipal(req: SandboxRequest): Principal {
  if (!req.principal) {
    throw new ArmError(401, 'AuthenticationFailed', 'Authentication failed. The request has no valid bearer token; sign in and send an Authorization header.');
  }
  return req.principal;
}

export function userName(p: Principal | undefined): string {
  return p?.name ?? 'sandbox';
}

export function userEmail(p: Principal | undefined): string {
  return p?.email ?? p?.name ?? 'sandbox';
}

export function tenantName(ctx: SandboxContext, tenantId: string | undefined): string {
  if (!tenantId) return '';
  return ctx.directory.tenant(tenantId)?.displayName ?? tenantId;
}

export function nowIso(ctx: SandboxContext): string {
  return ctx.clock.now().toISOString();
}

/** systemData for a new or updated resource (keeps the creator on update). */
export function stamp(ctx: SandboxContext, req: SandboxRequest | undefined, existing?: SystemDataShape): SystemDataShape {
  const now = ctx.clock.now();
  if (existing) {
    return systemData(req?.principal, new Date(existing.createdAt), now, { name: existing.createdBy, type: existing.createdByType });
  }
  return systemData(req?.principal, now);
}

/** Azure location display names and short names compare equal: "East US 2" == "eastus2". */
export function normLocation(loc: string | undefined): string {
  return (loc ?? '').replace(/\s+/g, '').toLowerCase();
}

export function bodyObject(req: SandboxRequest, what: string): Json {
  const b = req.body;
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw new ArmError(400, 'InvalidRequestContent', `The request body must be a JSON object describing the ${what}.`);
  }
  return b as Json;
}

export function propertiesOf(body: Json, what: string, required = true): Json {
  const p = body.properties;
  if (p === undefined || p === null) {
    if (!required) return {};
    throw new ArmError(400, 'InvalidRequestContent', `The request content is missing 'properties' for the ${what}.`, 'properties');
  }
  if (typeof p !== 'object' || Array.isArray(p)) {
    throw new ArmError(400, 'InvalidRequestContent', `'properties' of the ${what} must be a JSON object.`, 'properties');
  }
  return p as Json;
}

export function optionalString(obj: Json, name: string, where = 'properties'): string | undefined {
  const v = obj[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    const full = where ? `${where}.${name}` : name;
    throw new ArmError(400, 'InvalidRequestContent', `'${full}' must be a string.`, full);
  }
  return v;
}

export function requiredString(obj: Json, name: string, where = 'properties', hint = ''): string {
  const v = optionalString(obj, name, where);
  if (v === undefined || v.trim() === '') {
    const full = where ? `${where}.${name}` : name;
    throw new ArmError(400, 'InvalidRequestContent', `The request content is missing the required property '${full}'.${hint ? ' ' + hint : ''}`, full);
  }
  return v;
}

export function enumValue<E extends string>(value: string | undefined, allowed: readonly E[], name: string, fallback?: E): E {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new ArmError(400, 'InvalidRequestContent', `The request content is missing '${name}'. Allowed values: ${allowed.join(', ')}.`, name);
  }
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) {
    throw new ArmError(400, 'InvalidRequestContent', `The value '${value}' of '${name}' is not valid. Allowed values: ${allowed.join(', ')}.`, name);
  }
  return found;
}

/** Parses an ISO date-time from a request, answering 400 with the field name when it is not one. */
export function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) {
    throw new ArmError(400, 'InvalidRequestContent', `'${name}' must be an ISO 8601 date-time such as 2030-01-31T00:00:00Z; got '${value}'.`, name);
  }
  return d;
}

/**
 * The body of a ScheduleBased synchronization setting or trigger: `kind` must be ScheduleBased and
 * the properties carry a recurrence (Hour or Day) and the time of the first run.
 */
export function scheduleFrom(req: SandboxRequest, what: string): { props: Json; recurrenceInterval: 'Hour' | 'Day'; synchronizationTime: string } {
  const body = bodyObject(req, what);
  enumValue(optionalString(body, 'kind', ''), ['ScheduleBased'] as const, 'kind');
  const props = propertiesOf(body, what);
  const recurrenceInterval = enumValue(requiredString(props, 'recurrenceInterval'), ['Hour', 'Day'] as const, 'properties.recurrenceInterval');
  const synchronizationTime = parseDate(requiredString(props, 'synchronizationTime'), 'properties.synchronizationTime')!.toISOString();
  return { props, recurrenceInterval, synchronizationTime };
}

export function futureDate(ctx: SandboxContext, value: string | undefined, name: string): string | undefined {
  const d = parseDate(value, name);
  if (!d) return undefined;
  if (d.getTime() <= ctx.clock.now().getTime()) {
    throw new ArmError(400, 'InvalidExpirationDate', `'${name}' (${value}) is in the past; the sandbox clock is at ${nowIso(ctx)}. Choose a date in the future.`, name);
  }
  return d.toISOString();
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,89}$/;
export function checkName(name: string, what: string): void {
  if (!NAME_RE.test(name) || name.endsWith('.')) {
    throw new ArmError(400, 'InvalidResourceName', `The ${what} name '${name}' is not valid. Use 1-90 letters, digits, '_', '-' or '.', starting with a letter or digit.`);
  }
}

/** A JSON list response with ARM paging and the small OData subset ($filter, $orderby). */
export function listResponse(req: SandboxRequest, items: Json[], extraQuery?: Record<string, string>): SandboxResponse {
  const filtered = applyODataQuery(items, req.query.get('$filter') ?? undefined, req.query.get('$orderby') ?? undefined);
  return pageResponse(req, filtered, extraQuery);
}

/** Filtered and ordered views of long listings, kept while the store is unchanged (per store). */
const views = new WeakMap<object, { writes: string; byKey: Map<string, readonly Json[]> }>();

/**
 * `listResponse` for a long listing whose every page would otherwise render, filter and sort the
 * whole list again (a year of snapshots): the ordered view is computed once per `$filter`/`$orderby`
 * and kept until the Data Share resources or run records change. `items` must render from those
 * alone (not the clock, not other collections).
 */
export function viewListResponse(req: SandboxRequest, ctx: SandboxContext, viewKey: string, items: () => Json[]): SandboxResponse {
  const view = orderedView(ctx, viewKey, req.query.get('$filter') ?? undefined, req.query.get('$orderby') ?? undefined, items);
  return view ? pageResponse(req, view as Json[]) : listResponse(req, items());
}

/**
 * The view `viewListResponse` serves for a `$filter`/`$orderby` (computed now if it is not kept);
 * undefined when the store cannot tell its changes. Also what warms the snapshot histories' views.
 */
export function orderedView(ctx: SandboxContext, viewKey: string, filter: string | undefined, orderby: string | undefined, items: () => Json[]): readonly Json[] | undefined {
  // The views read the Data Share resources and the run records only: other collections' writes (a
  // scan, an event delivery) leave them valid.
  const store = ctx.store;
  const writes = store.writesTo ? `${store.writesTo(RESOURCES)}/${store.writesTo(SYNCS)}` : store.writes === undefined ? undefined : String(store.writes);
  if (writes === undefined) return undefined;
  let v = views.get(ctx.store);
  if (!v || v.writes !== writes) views.set(ctx.store, (v = { writes, byKey: new Map() }));
  const k = `${key(viewKey)}\n${filter?.trim() ?? ''}\n${orderby?.trim().replace(/\s+/g, ' ') ?? ''}`;
  let view = v.byKey.get(k);
  if (!view) v.byKey.set(k, (view = applyODataQuery(items(), filter, orderby)));
  return view;
}

function pageResponse(req: SandboxRequest, filtered: Json[], extraQuery?: Record<string, string>): SandboxResponse {
  let pageReq = req;
  if (extraQuery) {
    const q = new URLSearchParams(req.query);
    for (const [k, v] of Object.entries(extraQuery)) q.set(k, v);
    pageReq = { ...req, query: q };
  }
  return { status: 200, body: paginate(pageReq, filtered) };
}

/**
 * Deletes a child resource the way the swagger's synchronous status-returning deletes answer:
 * 204 when it is already gone, else 200 with an OperationResponse.
 */
export async function deleteWithStatus(ctx: SandboxContext, id: string): Promise<SandboxResponse> {
  if (!getResource(ctx, id)) return { status: 204 };
  const startTime = nowIso(ctx);
  await removeTree(ctx, id);
  return ok({ status: 'Succeeded', startTime, endTime: nowIso(ctx) });
}

export function ok(body: unknown, status = 200): SandboxResponse {
  return { status, body };
}

export function resourceGroupOrThrow(ctx: SandboxContext, subscriptionId: string, resourceGroupName: string): { subscriptionId: string; rgName: string; tenantId: string } {
  const sub = ctx.resources.subscription(subscriptionId);
  if (!sub) {
    throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found. Check the subscription id, or list the subscriptions your account can see.`);
  }
  const rg = ctx.resources.resourceGroup(sub.subscriptionId, resourceGroupName);
  if (!rg) {
    throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${resourceGroupName}' could not be found in subscription '${sub.subscriptionId}'. Create it first.`);
  }
  return { subscriptionId: sub.subscriptionId, rgName: rg.name, tenantId: sub.tenantId };
}

export function accountIdFor(subscriptionId: string, rgName: string, accountName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${rgName}/providers/${NAMESPACE}/accounts/${accountName}`;
}

export function storageAccountId(subscriptionId: string, resourceGroup: string, account: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}`;
}

/** `{id}` of the account that owns a child resource id. */
export function accountIdOf(childId: string): string {
  const m = /^(.*\/providers\/Microsoft\.DataShare\/accounts\/[^/]+)/i.exec(childId);
  return m ? m[1] : childId;
}
