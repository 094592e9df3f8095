/**
 * Provider side of Microsoft.DataShare: accounts, shares, data sets, invitations, synchronization
 * settings, provider share subscriptions (revoke / reinstate / adjust) and the share's
 * synchronization history.
 */
import { ArmError, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../../core/contract';
import { notFound } from '../../core/arm';
import {
  T, type Json, type StoredResource, accountIdFor, bodyObject, checkName, deleteWithStatus, removeTree, enumValue, futureDate, getResource, peekResource,
  listResources, listResponse, viewListResponse, orderedView, nowIso, ok, optionalString, scheduleFrom, propertiesOf, publicView, putResource, requirePrincipal,
  requiredString, resourceGroupOrThrow, stamp, userEmail, userName, key,
} from './common';
import { DATASET_KINDS, type DataSetKind, blobLocation, dataSetInput, isKusto } from './kinds';
import {
  type Invitation, type InvitationInternal, type ProviderShareSubscription, type ProviderShareSubscriptionInternal, type Share,
  type ShareInternal, type ShareSubscriptionInternal, providerStatus, renderStatus,
} from './links';
import { type SyncRecord, abortRunsFor, peekSyncRecord, readSyncRecords, renderDetail, renderShareSynchronization } from './sync';

type P = Record<string, string>;

// ---------------------------------------------------------------- accounts

export function loadAccount(ctx: SandboxContext, p: P): StoredResource {
  return requireAccount(ctx, p, getResource);
}

/** The account for a handler that only reads it (frozen, not parsed per request). */
export function peekAccount(ctx: SandboxContext, p: P): Readonly<StoredResource> {
  return requireAccount(ctx, p, peekResource);
}

function requireAccount<R>(ctx: SandboxContext, p: P, read: (ctx: SandboxContext, id: string) => R | undefined): R {
  const { subscriptionId, rgName } = resourceGroupOrThrow(ctx, p.subscriptionId, p.resourceGroupName);
  const account = read(ctx, accountIdFor(subscriptionId, rgName, p.accountName));
  if (!account) {
    throw new ArmError(404, 'ResourceNotFound', `The Data Share account '${p.accountName}' was not found in resource group '${rgName}'. Create it first (PUT .../providers/Microsoft.DataShare/accounts/${p.accountName}).`);
  }
  return account;
}

export function putAccount(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  requirePrincipal(req);
  const { subscriptionId, rgName, tenantId } = resourceGroupOrThrow(ctx, p.subscriptionId, p.resourceGroupName);
  checkName(p.accountName, 'Data Share account');
  const body = bodyObject(req, 'Data Share account');
  const location = requiredString(body, 'location', '', 'Give the Azure region, e.g. "westus2".');
  const identity = body.identity as Json | undefined;
  if (!identity || typeof identity !== 'object' || typeof identity.type !== 'string') {
    throw new ArmError(400, 'InvalidRequestContent', "A Data Share account needs a managed identity: add \"identity\": {\"type\": \"SystemAssigned\"} to the request body.", 'identity');
  }
  if (identity.type.toLowerCase() !== 'systemassigned') {
    throw new ArmError(400, 'InvalidIdentityType', `Identity type '${identity.type}' is not supported for Data Share accounts; use "SystemAssigned".`, 'identity.type');
  }
  const tags = checkTags(body.tags);
  const id = accountIdFor(subscriptionId, rgName, p.accountName);
  const existing = getResource(ctx, id);
  if (existing) {
    if (existing.location && existing.location.replace(/\s+/g, '').toLowerCase() !== location.replace(/\s+/g, '').toLowerCase()) {
      throw new ArmError(400, 'LocationChangeNotAllowed', `The Data Share account '${existing.name}' is in '${existing.location}'; its location cannot change to '${location}'. Delete and re-create it to move it.`, 'location');
    }
    if (tags !== undefined) existing.tags = tags;
    existing.systemData = stamp(ctx, req, existing.systemData);
    putResource(ctx, existing);
    return ok(publicView(existing), 200);
  }
  const mi = ctx.directory.ensureManagedIdentity(tenantId, id, p.accountName);
  const now = nowIso(ctx);
  const account: StoredResource = {
    id,
    name: p.accountName,
    type: T.account,
    location,
    tags: tags ?? {},
    identity: { type: 'SystemAssigned', principalId: mi.objectId, tenantId: mi.tenantId },
    systemData: stamp(ctx, req),
    properties: { createdAt: now, provisioningState: 'Succeeded', userEmail: userEmail(req.principal), userName: userName(req.principal) },
    internal: {},
  };
  putResource(ctx, account);
  ctx.log(`datashare: account ${id} created with managed identity ${mi.objectId}`);
  return ok(publicView(account), 201);
}

function checkTags(tags: unknown): Record<string, string> | undefined {
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== 'object' || Array.isArray(tags) || Object.values(tags).some((v) => typeof v !== 'string')) {
    throw new ArmError(400, 'InvalidRequestContent', "'tags' must be an object whose values are strings.", 'tags');
  }
  return { ...(tags as Record<string, string>) };
}

export function getAccount(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  return ok(publicView(loadAccount(ctx, p)));
}

export function patchAccount(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const account = loadAccount(ctx, p);
  const body = bodyObject(req, 'account update');
  const tags = checkTags(body.tags);
  if (tags !== undefined) account.tags = tags;
  account.systemData = stamp(ctx, req, account.systemData);
  putResource(ctx, account);
  return ok(publicView(account));
}

export async function deleteAccount(req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const { subscriptionId, rgName } = resourceGroupOrThrow(ctx, p.subscriptionId, p.resourceGroupName);
  const id = accountIdFor(subscriptionId, rgName, p.accountName);
  const account = getResource(ctx, id);
  if (!account) return { status: 204 };
  // Consumer side: detach every share subscription of this account from its provider.
  for (const ss of listResources<Json, ShareSubscriptionInternal>(ctx, id, T.shareSubscription)) await detachShareSubscription(ctx, ss.id, ss.internal);
  // Provider side: stop consumers' running copies of this account's shares.
  for (const share of listResources<Json, ShareInternal>(ctx, id, T.share)) abortRunsFor(ctx, (r) => r.providerShareUid === share.internal.uid, 'The source share was deleted.');
  await removeTree(ctx, id);
  ctx.directory.deleteManagedIdentity(id);
  return deletedLro(req, ctx, id);
}

/** Removes the provider-side record of a consumer share subscription and stops its runs. */
export async function detachShareSubscription(ctx: SandboxContext, ssId: string, internal: ShareSubscriptionInternal): Promise<void> {
  abortRunsFor(ctx, (r) => key(r.shareSubscriptionId) === key(ssId), 'The share subscription was deleted.');
  const psub = getResource<Json, ProviderShareSubscriptionInternal>(ctx, internal.providerShareSubscriptionId);
  if (psub && key(psub.internal.consumerShareSubscriptionId) === key(ssId)) await removeTree(ctx, psub.id);
}

/** Deletes answer as the swagger's LRO deletes do: 202 + Azure-AsyncOperation/Location. */
export function deletedLro(req: SandboxRequest, ctx: SandboxContext, resourceId: string): SandboxResponse {
  const startTime = nowIso(ctx);
  return ctx.operations.start(req, {
    status: 202,
    resourceId,
    work: () => Promise.resolve({ status: 'Succeeded', startTime, endTime: nowIso(ctx) }),
  });
}

function listAccounts(req: SandboxRequest, ctx: SandboxContext, prefix: string): SandboxResponse {
  const items = ctx.store.list<StoredResource>('resources', prefix.toLowerCase()).filter((r) => r?.type === T.account);
  return listResponse(req, items.map(publicView));
}

export function listAccountsBySubscription(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const sub = ctx.resources.subscription(p.subscriptionId);
  if (!sub) throw new ArmError(404, 'SubscriptionNotFound', `The subscription '${p.subscriptionId}' could not be found.`);
  return listAccounts(req, ctx, `/subscriptions/${sub.subscriptionId}/`);
}

export function listAccountsByResourceGroup(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const { subscriptionId, rgName } = resourceGroupOrThrow(ctx, p.subscriptionId, p.resourceGroupName);
  return listAccounts(req, ctx, `/subscriptions/${subscriptionId}/resourceGroups/${rgName}/`);
}

// ---------------------------------------------------------------- shares

export function loadShare(ctx: SandboxContext, p: P): Share {
  return requireShare(ctx, p, getResource<Json, ShareInternal>);
}

/** The share for a handler that only reads it (frozen, not parsed per request). */
export function peekShare(ctx: SandboxContext, p: P): Readonly<Share> {
  return requireShare(ctx, p, peekResource<Json, ShareInternal>);
}

function requireShare<R>(ctx: SandboxContext, p: P, read: (ctx: SandboxContext, id: string) => R | undefined): R {
  const account = peekAccount(ctx, p);
  const share = read(ctx, `${account.id}/shares/${p.shareName}`);
  if (!share) {
    throw new ArmError(404, 'ResourceNotFound', `The share '${p.shareName}' was not found in Data Share account '${account.name}'. Create it first (PUT .../shares/${p.shareName}).`);
  }
  return share;
}

export function putShare(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const account = loadAccount(ctx, p);
  checkName(p.shareName, 'share');
  const props = propertiesOf(bodyObject(req, 'share'), 'share', false);
  const shareKind = enumValue(optionalString(props, 'shareKind'), ['CopyBased', 'InPlace'] as const, 'properties.shareKind', 'CopyBased');
  const description = optionalString(props, 'description');
  const terms = optionalString(props, 'terms');
  const id = `${account.id}/shares/${p.shareName}`;
  const existing = getResource<Json, ShareInternal>(ctx, id);
  if (existing) {
    if (existing.properties.shareKind !== shareKind) {
      throw new ArmError(400, 'ShareKindChangeNotAllowed', `Share '${existing.name}' is ${String(existing.properties.shareKind)}; its shareKind cannot change to ${shareKind}. Create a new share instead.`, 'properties.shareKind');
    }
    if (description !== undefined) existing.properties.description = description;
    if (terms !== undefined) existing.properties.terms = terms;
    existing.systemData = stamp(ctx, req, existing.systemData);
    putResource(ctx, existing);
    return ok(publicView(existing), 200);
  }
  const share: Share = {
    id,
    name: p.shareName,
    type: T.share,
    systemData: stamp(ctx, req),
    properties: {
      createdAt: nowIso(ctx),
      ...(description !== undefined ? { description } : {}),
      provisioningState: 'Succeeded',
      shareKind,
      ...(terms !== undefined ? { terms } : {}),
      userEmail: userEmail(req.principal),
      userName: userName(req.principal),
    },
    internal: { uid: ctx.newGuid() },
  };
  putResource(ctx, share);
  return ok(publicView(share), 201);
}

export function getShare(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  return ok(publicView(loadShare(ctx, p)));
}

export function listShares(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const account = peekAccount(ctx, p);
  return listResponse(req, listResources(ctx, account.id, T.share).map(publicView));
}

export async function deleteShare(req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const account = loadAccount(ctx, p);
  const id = `${account.id}/shares/${p.shareName}`;
  const share = getResource<Json, ShareInternal>(ctx, id);
  if (!share) return { status: 204 };
  abortRunsFor(ctx, (r) => r.providerShareUid === share.internal.uid, 'The source share was deleted.');
  await removeTree(ctx, id);
  return deletedLro(req, ctx, id);
}

// ---------------------------------------------------------------- data sets

function renderDataSet(ds: StoredResource, account: StoredResource | undefined): Json {
  const view = publicView(ds);
  if (isKusto(String(ds.kind))) {
    const props = view.properties as Json;
    props.location = account?.location ?? '';
    props.provisioningState = 'Succeeded';
  }
  return view;
}

export function putDataSet(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = loadShare(ctx, p);
  const account = loadAccount(ctx, p);
  checkName(p.dataSetName, 'data set');
  const body = bodyObject(req, 'data set');
  const kind = enumValue(optionalString(body, 'kind', ''), DATASET_KINDS, 'kind') as DataSetKind;
  if (kind === 'AdlsGen1File' || kind === 'AdlsGen1Folder') {
    throw new ArmError(400, 'DataSetKindRetired', `Azure Data Lake Storage Gen1 was retired on 29 February 2024, so '${kind}' data sets cannot be added. Share the data from ADLS Gen2 (AdlsGen2File/AdlsGen2Folder/AdlsGen2FileSystem) or Blob storage instead.`, 'kind');
  }
  const shareKind = String(share.properties.shareKind);
  if (shareKind === 'InPlace' && !isKusto(kind)) {
    throw new ArmError(400, 'InvalidDataSetKindForShare', `Share '${share.name}' is InPlace, which only shares Azure Data Explorer (Kusto) data sets; '${kind}' needs a CopyBased share.`, 'kind');
  }
  if (shareKind === 'CopyBased' && isKusto(kind)) {
    throw new ArmError(400, 'InvalidDataSetKindForShare', `Share '${share.name}' is CopyBased; Azure Data Explorer data sets ('${kind}') are shared in place. Create a share with shareKind "InPlace" for them.`, 'kind');
  }
  const input = dataSetInput(kind, propertiesOf(body, 'data set'));
  const loc = blobLocation(kind, input);
  if (loc && !ctx.resources.resource(loc.storageAccountId)) {
    throw new ArmError(400, 'StorageAccountNotFound', `The storage account '${loc.account}' was not found in resource group '${String(input.resourceGroup)}' of subscription '${String(input.subscriptionId)}'. Create it first, or fix storageAccountName/resourceGroup/subscriptionId of the data set.`, 'properties.storageAccountName');
  }
  const id = `${share.id}/dataSets/${p.dataSetName}`;
  const existing = getResource(ctx, id);
  if (existing && existing.kind !== kind) {
    throw new ArmError(409, 'DataSetKindChangeNotAllowed', `Data set '${existing.name}' is of kind '${String(existing.kind)}' and cannot become '${kind}'. Delete it first, or use another name.`, 'kind');
  }
  const ds: StoredResource = {
    id: existing?.id ?? id,
    name: existing?.name ?? p.dataSetName,
    type: T.dataSet,
    kind,
    systemData: stamp(ctx, req, existing?.systemData),
    properties: { ...input, dataSetId: existing?.properties.dataSetId ?? ctx.newGuid() },
    internal: {},
  };
  putResource(ctx, ds);
  return ok(renderDataSet(ds, account), existing ? 200 : 201);
}

export function getDataSet(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = loadShare(ctx, p);
  const ds = getResource(ctx, `${share.id}/dataSets/${p.dataSetName}`);
  if (!ds) throw notFound(T.dataSet, `${share.name}/${p.dataSetName}`);
  return ok(renderDataSet(ds, loadAccount(ctx, p)));
}

export function listDataSets(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = peekShare(ctx, p);
  const account = peekAccount(ctx, p);
  return listResponse(req, listResources(ctx, share.id, T.dataSet).map((d) => renderDataSet(d, account)));
}

export async function deleteDataSet(_req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const share = loadShare(ctx, p);
  const id = `${share.id}/dataSets/${p.dataSetName}`;
  if (!getResource(ctx, id)) return { status: 204 };
  await removeTree(ctx, id);
  return { status: 200 };
}

// ---------------------------------------------------------------- invitations

const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function renderInvitation(inv: Invitation): Json {
  const view = publicView(inv);
  const props = view.properties as Json;
  if (props.respondedAt === undefined) props.respondedAt = null;
  return view;
}

export function putInvitation(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = loadShare(ctx, p);
  const account = loadAccount(ctx, p);
  checkName(p.invitationName, 'invitation');
  const props = propertiesOf(bodyObject(req, 'invitation'), 'invitation');
  const targetEmail = optionalString(props, 'targetEmail');
  const targetActiveDirectoryId = optionalString(props, 'targetActiveDirectoryId');
  const targetObjectId = optionalString(props, 'targetObjectId');
  if (targetEmail !== undefined && (targetActiveDirectoryId !== undefined || targetObjectId !== undefined)) {
    throw new ArmError(400, 'InvalidInvitationTarget', 'An invitation goes either to an email address (targetEmail) or to a principal (targetActiveDirectoryId + targetObjectId), not both. Remove one of them.');
  }
  if (targetEmail === undefined && targetActiveDirectoryId === undefined && targetObjectId === undefined) {
    throw new ArmError(400, 'InvalidInvitationTarget', 'The invitation has no recipient. Set properties.targetEmail, or properties.targetActiveDirectoryId (tenant id) together with properties.targetObjectId (user or service principal object id).');
  }
  if (targetEmail === undefined && (!targetActiveDirectoryId || !targetObjectId)) {
    throw new ArmError(400, 'InvalidInvitationTarget', 'An invitation to a principal needs both properties.targetActiveDirectoryId (the tenant id) and properties.targetObjectId (the object id).');
  }
  if (targetEmail !== undefined && !EMAIL_RE.test(targetEmail)) {
    throw new ArmError(400, 'InvalidInvitationTarget', `'${targetEmail}' is not a valid email address for properties.targetEmail.`, 'properties.targetEmail');
  }
  const expirationDate = futureDate(ctx, optionalString(props, 'expirationDate'), 'properties.expirationDate');
  const id = `${share.id}/invitations/${p.invitationName}`;
  const existing = getResource<Json, InvitationInternal>(ctx, id);
  if (existing) {
    const sameTarget = (existing.properties.targetEmail ?? '') === (targetEmail ?? '')
      && (existing.properties.targetActiveDirectoryId ?? '') === (targetActiveDirectoryId ?? '')
      && (existing.properties.targetObjectId ?? '') === (targetObjectId ?? '');
    if (!sameTarget) {
      throw new ArmError(409, 'InvitationAlreadyExists', `Invitation '${existing.name}' already exists for another recipient. Delete it first, or use a new invitation name.`);
    }
    if (existing.properties.invitationStatus === 'Pending') {
      if (expirationDate !== undefined) existing.properties.expirationDate = expirationDate;
      existing.systemData = stamp(ctx, req, existing.systemData);
      putResource(ctx, existing);
    }
    return ok(renderInvitation(existing), 200);
  }
  const sub = ctx.resources.subscription(p.subscriptionId);
  const inv: Invitation = {
    id,
    name: p.invitationName,
    type: T.invitation,
    systemData: stamp(ctx, req),
    properties: {
      ...(expirationDate !== undefined ? { expirationDate } : {}),
      invitationId: ctx.newGuid(),
      invitationStatus: 'Pending',
      sentAt: nowIso(ctx),
      ...(targetActiveDirectoryId !== undefined ? { targetActiveDirectoryId } : {}),
      ...(targetEmail !== undefined ? { targetEmail } : {}),
      ...(targetObjectId !== undefined ? { targetObjectId } : {}),
      userEmail: userEmail(req.principal),
      userName: userName(req.principal),
    },
    internal: {
      shareId: share.id,
      shareUid: share.internal.uid,
      providerAccountId: account.id,
      providerTenantId: sub?.tenantId ?? req.principal?.tenantId ?? '',
      location: account.location ?? '',
    },
  };
  putResource(ctx, inv);
  return ok(renderInvitation(inv), 201);
}

export function getInvitation(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = loadShare(ctx, p);
  const inv = getResource<Json, InvitationInternal>(ctx, `${share.id}/invitations/${p.invitationName}`);
  if (!inv) throw notFound(T.invitation, `${share.name}/${p.invitationName}`);
  return ok(renderInvitation(inv));
}

export function listInvitations(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = peekShare(ctx, p);
  return listResponse(req, listResources<Json, InvitationInternal>(ctx, share.id, T.invitation).map(renderInvitation));
}

export async function deleteInvitation(_req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const share = loadShare(ctx, p);
  const id = `${share.id}/invitations/${p.invitationName}`;
  const inv = getResource<Json, InvitationInternal>(ctx, id);
  if (!inv) return { status: 204 };
  await removeTree(ctx, id);
  return { status: 200 };
}

// ---------------------------------------------------------------- synchronization settings

export function putSyncSetting(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = loadShare(ctx, p);
  checkName(p.synchronizationSettingName, 'synchronization setting');
  const { recurrenceInterval, synchronizationTime } = scheduleFrom(req, 'synchronization setting');
  const id = `${share.id}/synchronizationSettings/${p.synchronizationSettingName}`;
  const existing = getResource(ctx, id);
  const setting: StoredResource = {
    id: existing?.id ?? id,
    name: existing?.name ?? p.synchronizationSettingName,
    type: T.syncSetting,
    kind: 'ScheduleBased',
    systemData: stamp(ctx, req, existing?.systemData),
    properties: {
      createdAt: existing?.properties.createdAt ?? nowIso(ctx),
      provisioningState: 'Succeeded',
      recurrenceInterval,
      synchronizationTime,
      userName: userName(req.principal),
    },
    internal: {},
  };
  putResource(ctx, setting);
  return ok(publicView(setting), existing ? 200 : 201);
}

export function getSyncSetting(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = loadShare(ctx, p);
  const s = getResource(ctx, `${share.id}/synchronizationSettings/${p.synchronizationSettingName}`);
  if (!s) throw notFound(T.syncSetting, `${share.name}/${p.synchronizationSettingName}`);
  return ok(publicView(s));
}

export function listSyncSettings(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = peekShare(ctx, p);
  return listResponse(req, listResources(ctx, share.id, T.syncSetting).map(publicView));
}

export async function deleteSyncSetting(_req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const share = loadShare(ctx, p);
  return deleteWithStatus(ctx, `${share.id}/synchronizationSettings/${p.synchronizationSettingName}`);
}

// ---------------------------------------------------------------- provider share subscriptions

export function renderProviderShareSubscription(ctx: SandboxContext, psub: ProviderShareSubscription): Json {
  const view = publicView(psub);
  (view.properties as Json).shareSubscriptionStatus = renderStatus(providerStatus(ctx, psub));
  return view;
}

function loadProviderShareSubscription(ctx: SandboxContext, p: P): ProviderShareSubscription {
  const share = loadShare(ctx, p);
  const psub = getResource<Json, ProviderShareSubscriptionInternal>(ctx, `${share.id}/providerShareSubscriptions/${p.providerShareSubscriptionId}`);
  if (!psub) {
    throw new ArmError(404, 'ResourceNotFound', `Share '${share.name}' has no share subscription with id '${p.providerShareSubscriptionId}'. List them with GET .../shares/${share.name}/providerShareSubscriptions.`);
  }
  return psub;
}

export function listProviderShareSubscriptions(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = peekShare(ctx, p);
  return listResponse(req, listResources<Json, ProviderShareSubscriptionInternal>(ctx, share.id, T.providerShareSubscription).map((x) => renderProviderShareSubscription(ctx, x)));
}

export function getProviderShareSubscription(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  return ok(renderProviderShareSubscription(ctx, loadProviderShareSubscription(ctx, p)));
}

export function revokeProviderShareSubscription(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const psub = loadProviderShareSubscription(ctx, p);
  const status = String(psub.properties.shareSubscriptionStatus);
  if (status === 'Revoked') return ok(renderProviderShareSubscription(ctx, psub), 200);
  psub.properties.shareSubscriptionStatus = 'Revoking';
  psub.systemData = stamp(ctx, req, psub.systemData);
  putResource(ctx, psub);
  const body = renderProviderShareSubscription(ctx, psub);
  return ctx.operations.start(req, {
    status: 202,
    resourceId: psub.id,
    body,
    work: async () => {
      abortRunsFor(ctx, (r) => key(r.shareSubscriptionId) === key(psub.internal.consumerShareSubscriptionId), 'The provider revoked the share subscription.');
      const current = getResource<Json, ProviderShareSubscriptionInternal>(ctx, psub.id);
      if (!current) throw new ArmError(404, 'ResourceNotFound', 'The share subscription was deleted while it was being revoked.');
      current.properties.shareSubscriptionStatus = 'Revoked';
      putResource(ctx, current);
      await ctx.store.commit();
      return renderProviderShareSubscription(ctx, current);
    },
  });
}

export function reinstateProviderShareSubscription(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const psub = loadProviderShareSubscription(ctx, p);
  const body = req.body && typeof req.body === 'object' ? (req.body as Json) : {};
  const props = propertiesOf(body, 'reinstate request', false);
  const expirationDate = futureDate(ctx, optionalString(props, 'expirationDate'), 'properties.expirationDate');
  const status = providerStatus(ctx, psub);
  if (status === 'Active') {
    throw new ArmError(409, 'ShareSubscriptionNotRevoked', `The share subscription '${psub.name}' is Active; only a revoked or expired share subscription can be reinstated. Use adjust to change its expiration date.`);
  }
  if (status === 'Revoking') {
    throw new ArmError(409, 'ShareSubscriptionRevoking', `The share subscription '${psub.name}' is still being revoked; wait for the revoke operation to finish, then reinstate it.`);
  }
  const newExpiry = expirationDate ?? (status === 'Expired' ? undefined : (psub.properties.expirationDate as string | undefined));
  if (status === 'Expired' && newExpiry === undefined) {
    throw new ArmError(400, 'InvalidExpirationDate', `The share subscription '${psub.name}' expired on ${String(psub.properties.expirationDate)}. Reinstate it with a new properties.expirationDate in the future.`, 'properties.expirationDate');
  }
  psub.properties.shareSubscriptionStatus = 'Active';
  if (newExpiry !== undefined) psub.properties.expirationDate = newExpiry;
  else delete psub.properties.expirationDate;
  psub.systemData = stamp(ctx, req, psub.systemData);
  putResource(ctx, psub);
  return ok(renderProviderShareSubscription(ctx, psub));
}

export function adjustProviderShareSubscription(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const psub = loadProviderShareSubscription(ctx, p);
  const props = propertiesOf(bodyObject(req, 'adjust request'), 'adjust request');
  const expirationDate = futureDate(ctx, requiredString(props, 'expirationDate', 'properties', 'Give the new expiration date of the share subscription.'), 'properties.expirationDate');
  psub.properties.expirationDate = expirationDate;
  psub.systemData = stamp(ctx, req, psub.systemData);
  putResource(ctx, psub);
  return ok(renderProviderShareSubscription(ctx, psub));
}

// ---------------------------------------------------------------- provider-side synchronizations

export function listShareSynchronizations(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const h = shareHistory(ctx, peekShare(ctx, p));
  return viewListResponse(req, ctx, h.viewKey, h.items);
}

/** Builds (or finds) the view a listing of this share's runs with `$orderby` would page through. */
export function warmShareSynchronizations(ctx: SandboxContext, share: Readonly<Share>, orderby: string): void {
  const h = shareHistory(ctx, share);
  orderedView(ctx, h.viewKey, undefined, orderby, h.items);
}

/** A share's run listing: the key its views are kept under, and its items as served. */
function shareHistory(ctx: SandboxContext, share: Readonly<Share>): { viewKey: string; items: () => Json[] } {
  return { viewKey: `${share.id}/synchronizations`, items: () => shareRuns(ctx, share).map(renderShareSynchronization) };
}

export function listShareSynchronizationDetails(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const share = peekShare(ctx, p);
  const syncId = synchronizationIdOf(req);
  // Straight to the record under each consumer's share subscription (no scan of the share's history).
  const run = shareSubscriptionIds(ctx, share).map((ssId) => peekSyncRecord(ctx, ssId, syncId))
    .find((r) => r !== undefined && r.providerShareUid === share.internal.uid);
  if (!run) {
    throw new ArmError(404, 'SynchronizationNotFound', `Share '${share.name}' has no synchronization '${syncId}'. List them with POST .../shares/${share.name}/listSynchronizations.`);
  }
  return listResponse(req, run.details.map((d) => renderDetail(d, 'provider')), { synchronizationId: run.synchronizationId });
}

/**
 * A share's runs: read under each of its consumers' share subscriptions (records are keyed by the
 * share subscription), so a share with a year of history is not found by scanning every record.
 */
function shareRuns(ctx: SandboxContext, share: Share): ReadonlyArray<Readonly<SyncRecord>> {
  return shareSubscriptionIds(ctx, share).flatMap((ssId) => readSyncRecords(ctx, `${ssId}/synchronizations/`)).filter((r) => r.providerShareUid === share.internal.uid);
}

function shareSubscriptionIds(ctx: SandboxContext, share: Share): string[] {
  return [...new Set(listResources<Json, ProviderShareSubscriptionInternal>(ctx, share.id, T.providerShareSubscription).map((ps) => ps.internal.consumerShareSubscriptionId).filter(Boolean))];
}

/** `synchronizationId` from the POST body, or from the query when a nextLink is followed with GET. */
export function synchronizationIdOf(req: SandboxRequest): string {
  const fromBody = req.body && typeof req.body === 'object' ? (req.body as Json).synchronizationId : undefined;
  const id = typeof fromBody === 'string' && fromBody ? fromBody : req.query.get('synchronizationId');
  if (!id) {
    throw new ArmError(400, 'InvalidRequestContent', "The request content is missing the required property 'synchronizationId'. Take it from listSynchronizations.", 'synchronizationId');
  }
  return id;
}
