/**
 * Consumer side of Microsoft.DataShare: invitations addressed to the caller's tenant, email
 * registration, share subscriptions (accept = PUT), source data sets, data set mappings,
 * snapshots (synchronize / cancel / history) and triggers.
 */
import { ArmError, type Principal, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../../core/contract';
import {
  EMAIL_REGISTRATIONS, SYNC_STATE, T, type Json, type StoredResource, bodyObject, checkName, deleteWithStatus, removeTree, enumValue, futureDate, getResource,
  key, listResources, listResponse, viewListResponse, orderedView, normLocation, nowIso, ok, optionalString, scheduleFrom, propertiesOf, publicView, putResource,
  requirePrincipal, requiredString, stamp, storageAccountId, tenantName, userEmail, userName,
} from './common';
import { MAPPING_KINDS, blobLocation, compatibleMappingKinds, dataSetPath, isKusto, mappingInput } from './kinds';
import {
  type Invitation, type ProviderShareSubscription, type ShareInternal, type ShareSubscription,
  type ShareSubscriptionInternal, type TriggerInternal, effectiveStatus, findInvitationById, isExpired, locationMatches,
  providerRecord, renderStatus, sourceDataSets, sourceShare,
} from './links';
import { deletedLro, detachShareSubscription, loadAccount, synchronizationIdOf } from './provider';
import {
  type SyncMode, beginSynchronization, findSyncRecord, isTerminal, peekSyncRecord, readSyncRecords, renderDetail, renderSubscriptionSynchronization,
  requestCancel, triggerStatus,
} from './sync';

type P = Record<string, string>;

// ---------------------------------------------------------------- consumer invitations

interface EmailRegistrationRecord {
  key: string;
  email: string;
  tenantId: string;
  objectId: string;
  registrationStatus: 'ActivationPending' | 'Activated' | 'ActivationAttemptsExhausted';
  activationCode: string;
  activationExpirationDate: string;
  attempts: number;
}

function emailRegistrationKey(tenantId: string, objectId: string): string {
  return key(`/providers/Microsoft.DataShare/tenants/${tenantId}/emailRegistrations/${objectId}`);
}

/** True when the invitation is addressed to a user or principal of `tenantId`. */
export function invitationVisibleTo(ctx: SandboxContext, inv: Invitation, tenantId: string): boolean {
  const tid = tenantId.toLowerCase();
  const email = inv.properties.targetEmail;
  if (typeof email === 'string' && email) {
    if (ctx.directory.usersByEmail(email).some((u) => u.tenantId.toLowerCase() === tid)) return true;
    return ctx.store
      .list<EmailRegistrationRecord>(EMAIL_REGISTRATIONS, key(`/providers/Microsoft.DataShare/tenants/${tenantId}/`))
      .some((r) => r.registrationStatus === 'Activated' && r.email.toLowerCase() === email.toLowerCase());
  }
  return String(inv.properties.targetActiveDirectoryId ?? '').toLowerCase() === tid;
}

function renderConsumerInvitation(ctx: SandboxContext, inv: Invitation): Json {
  const share = getResource<Json, ShareInternal>(ctx, inv.internal.shareId);
  const liveShare = share && share.internal.uid === inv.internal.shareUid ? share : undefined;
  const loc = normLocation(inv.internal.location);
  const target = typeof inv.properties.targetObjectId === 'string' ? ctx.directory.object(inv.properties.targetObjectId) : undefined;
  const props: Json = {
    dataSetCount: liveShare ? listResources(ctx, liveShare.id, T.dataSet).length : 0,
    description: String(liveShare?.properties.description ?? ''),
  };
  if (inv.properties.expirationDate !== undefined) props.expirationDate = inv.properties.expirationDate;
  Object.assign(props, {
    invitationId: inv.properties.invitationId,
    invitationStatus: inv.properties.invitationStatus,
    location: loc,
    providerEmail: inv.properties.userEmail,
    providerName: inv.properties.userName,
    providerTenantName: tenantName(ctx, inv.internal.providerTenantId),
    respondedAt: inv.properties.respondedAt ?? null,
    sentAt: inv.properties.sentAt,
    shareName: liveShare?.name ?? inv.id.split('/').slice(-3)[0],
    termsOfUse: String(liveShare?.properties.terms ?? ''),
    userEmail: String(inv.properties.targetEmail ?? target?.email ?? ''),
    userName: String(target?.displayName ?? inv.properties.targetEmail ?? ''),
  });
  return {
    id: `providers/Microsoft.DataShare/locations/${loc}/consumerInvitations/${String(inv.properties.invitationId)}`,
    name: inv.name,
    type: T.consumerInvitation,
    systemData: { ...inv.systemData },
    properties: props,
  };
}

function loadConsumerInvitation(ctx: SandboxContext, principal: Principal, invitationId: string, location: string | undefined): Invitation {
  const inv = findInvitationById(ctx, invitationId);
  if (!inv || !invitationVisibleTo(ctx, inv, principal.tenantId) || (location !== undefined && !locationMatches(location, inv.internal.location))) {
    throw new ArmError(404, 'InvitationNotFound', `No invitation '${invitationId}'${location ? ` in location '${location}'` : ''} is addressed to a user or principal of tenant '${principal.tenantId}'. List the invitations you received with GET /providers/Microsoft.DataShare/listInvitations, and use the invitation's location.`);
  }
  return inv;
}

export function listConsumerInvitations(req: SandboxRequest, _p: P, ctx: SandboxContext): SandboxResponse {
  const principal = requirePrincipal(req);
  const items = ctx.store
    .list<Invitation>('resources')
    .filter((r) => r?.type === T.invitation && invitationVisibleTo(ctx, r, principal.tenantId))
    .sort((a, b) => String(b.properties.sentAt).localeCompare(String(a.properties.sentAt)));
  return listResponse(req, items.map((i) => renderConsumerInvitation(ctx, i)));
}

export function getConsumerInvitation(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const principal = requirePrincipal(req);
  return ok(renderConsumerInvitation(ctx, loadConsumerInvitation(ctx, principal, p.invitationId, p.location)));
}

export function rejectInvitation(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const principal = requirePrincipal(req);
  const props = propertiesOf(bodyObject(req, 'invitation'), 'invitation');
  const invitationId = requiredString(props, 'invitationId', 'properties', 'Take it from GET /providers/Microsoft.DataShare/listInvitations.');
  const inv = loadConsumerInvitation(ctx, principal, invitationId, p.location);
  const status = String(inv.properties.invitationStatus);
  if (status !== 'Pending') {
    throw new ArmError(409, 'InvitationNotPending', `Invitation '${invitationId}' is ${status}; only a Pending invitation can be rejected.`);
  }
  inv.properties.invitationStatus = 'Rejected';
  inv.properties.respondedAt = nowIso(ctx);
  inv.internal.rejectedBy = principal.objectId;
  putResource(ctx, inv);
  return ok(renderConsumerInvitation(ctx, inv));
}

// ---------------------------------------------------------------- email registrations

function renderEmailRegistration(r: EmailRegistrationRecord): Json {
  return { activationCode: null, activationExpirationDate: r.activationExpirationDate, email: r.email, registrationStatus: r.registrationStatus, tenantId: r.tenantId };
}

export function registerEmail(req: SandboxRequest, _p: P, ctx: SandboxContext): SandboxResponse {
  const principal = requirePrincipal(req);
  if (!principal.email) {
    throw new ArmError(400, 'EmailNotAvailable', `The caller '${principal.name}' has no email address to register (service principals have no mailbox). Invitations for it must use targetActiveDirectoryId + targetObjectId instead.`);
  }
  const k = emailRegistrationKey(principal.tenantId, principal.objectId);
  const existing = ctx.store.get<EmailRegistrationRecord>(EMAIL_REGISTRATIONS, k);
  if (existing && existing.registrationStatus === 'Activated' && existing.email.toLowerCase() === principal.email.toLowerCase()) {
    return ok(renderEmailRegistration(existing));
  }
  const code = String(100000 + (Number.parseInt(ctx.newGuid().replace(/-/g, '').slice(0, 8), 16) % 900000));
  const rec: EmailRegistrationRecord = {
    key: k,
    email: principal.email,
    tenantId: principal.tenantId,
    objectId: principal.objectId,
    registrationStatus: 'ActivationPending',
    activationCode: code,
    activationExpirationDate: new Date(ctx.clock.now().getTime() + 24 * 3_600_000).toISOString(),
    attempts: 0,
  };
  ctx.store.put(EMAIL_REGISTRATIONS, k, rec);
  ctx.log(`datashare: activation code for ${principal.email} (tenant ${principal.tenantId}): ${code}`);
  return ok(renderEmailRegistration(rec));
}

export function activateEmail(req: SandboxRequest, _p: P, ctx: SandboxContext): SandboxResponse {
  const principal = requirePrincipal(req);
  const body = bodyObject(req, 'email registration');
  const code = requiredString(body, 'activationCode', '', 'It is in the sandbox log line "activation code for ..." written by registerEmail.');
  const k = emailRegistrationKey(principal.tenantId, principal.objectId);
  const rec = ctx.store.get<EmailRegistrationRecord>(EMAIL_REGISTRATIONS, k);
  if (!rec) {
    throw new ArmError(404, 'EmailRegistrationNotFound', 'There is no pending email registration for the caller. Call POST /providers/Microsoft.DataShare/locations/{location}/registerEmail first.');
  }
  if (rec.registrationStatus === 'Activated') return ok(renderEmailRegistration(rec));
  if (rec.registrationStatus === 'ActivationAttemptsExhausted') {
    throw new ArmError(400, 'ActivationAttemptsExhausted', 'Too many wrong activation codes. Register the email again to get a new code.');
  }
  if (isExpired(ctx, rec.activationExpirationDate)) {
    throw new ArmError(400, 'ActivationCodeExpired', `The activation code expired at ${rec.activationExpirationDate}. Register the email again to get a new code.`);
  }
  if (code.trim() !== rec.activationCode) {
    rec.attempts += 1;
    if (rec.attempts >= 3) rec.registrationStatus = 'ActivationAttemptsExhausted';
    ctx.store.put(EMAIL_REGISTRATIONS, k, rec);
    throw new ArmError(400, 'InvalidActivationCode', `The activation code is wrong (${3 - rec.attempts} attempt(s) left).`);
  }
  rec.registrationStatus = 'Activated';
  ctx.store.put(EMAIL_REGISTRATIONS, k, rec);
  return ok(renderEmailRegistration(rec));
}

// ---------------------------------------------------------------- share subscriptions

export function renderShareSubscription(ctx: SandboxContext, ss: ShareSubscription): Json {
  const view = publicView(ss);
  const props = view.properties as Json;
  const share = sourceShare(ctx, ss);
  const psub = providerRecord(ctx, ss);
  const snap = ss.internal.snapshot;
  props.shareSubscriptionStatus = renderStatus(effectiveStatus(ctx, ss));
  props.shareName = share?.name ?? snap.shareName;
  props.shareKind = share?.properties.shareKind ?? snap.shareKind;
  const description = share ? share.properties.description : snap.shareDescription;
  const terms = share ? share.properties.terms : snap.shareTerms;
  if (description !== undefined) props.shareDescription = description;
  if (terms !== undefined) props.shareTerms = terms;
  props.providerName = snap.providerName;
  props.providerEmail = snap.providerEmail;
  props.providerTenantName = snap.providerTenantName;
  const expiry = psub ? psub.properties.expirationDate : props.expirationDate;
  if (expiry !== undefined) props.expirationDate = expiry;
  else delete props.expirationDate;
  return view;
}

export function loadShareSubscription(ctx: SandboxContext, p: P): ShareSubscription {
  const account = loadAccount(ctx, p);
  const ss = getResource<Json, ShareSubscriptionInternal>(ctx, `${account.id}/shareSubscriptions/${p.shareSubscriptionName}`);
  if (!ss) {
    throw new ArmError(404, 'ResourceNotFound', `The share subscription '${p.shareSubscriptionName}' was not found in Data Share account '${account.name}'. Accept an invitation first (PUT .../shareSubscriptions/${p.shareSubscriptionName} with invitationId and sourceShareLocation).`);
  }
  return ss;
}

export function putShareSubscription(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const principal = requirePrincipal(req);
  const account = loadAccount(ctx, p);
  checkName(p.shareSubscriptionName, 'share subscription');
  const props = propertiesOf(bodyObject(req, 'share subscription'), 'share subscription');
  const invitationId = requiredString(props, 'invitationId', 'properties', 'Take it from GET /providers/Microsoft.DataShare/listInvitations.');
  const sourceShareLocation = requiredString(props, 'sourceShareLocation', 'properties', "Use the invitation's location.");
  const requestedExpiry = futureDate(ctx, optionalString(props, 'expirationDate'), 'properties.expirationDate');
  const id = `${account.id}/shareSubscriptions/${p.shareSubscriptionName}`;
  const existing = getResource<Json, ShareSubscriptionInternal>(ctx, id);
  if (existing) {
    if (String(existing.properties.invitationId).toLowerCase() !== invitationId.toLowerCase()) {
      throw new ArmError(409, 'ShareSubscriptionAlreadyExists', `Share subscription '${existing.name}' already exists for another invitation. Use a new name to accept invitation '${invitationId}'.`);
    }
    existing.systemData = stamp(ctx, req, existing.systemData);
    putResource(ctx, existing);
    return ok(renderShareSubscription(ctx, existing), 200);
  }
  const inv = loadConsumerInvitation(ctx, principal, invitationId, undefined);
  if (!locationMatches(sourceShareLocation, inv.internal.location)) {
    throw new ArmError(400, 'InvalidSourceShareLocation', `Invitation '${invitationId}' belongs to a share in location '${normLocation(inv.internal.location)}', not '${sourceShareLocation}'. Set properties.sourceShareLocation to '${normLocation(inv.internal.location)}'.`, 'properties.sourceShareLocation');
  }
  const status = String(inv.properties.invitationStatus);
  if (status !== 'Pending') {
    throw new ArmError(409, status === 'Accepted' ? 'InvitationAlreadyAccepted' : 'InvitationNotPending', `Invitation '${invitationId}' is ${status} and cannot be accepted again. Ask the provider for a new invitation.`);
  }
  if (isExpired(ctx, inv.properties.expirationDate)) {
    throw new ArmError(400, 'InvitationExpired', `Invitation '${invitationId}' expired on ${String(inv.properties.expirationDate)}. Ask the provider for a new invitation.`);
  }
  const share = getResource<Json, ShareInternal>(ctx, inv.internal.shareId);
  if (!share || share.internal.uid !== inv.internal.shareUid) {
    throw new ArmError(404, 'SourceShareNotFound', `The share of invitation '${invitationId}' no longer exists. Ask the provider for a new invitation.`);
  }
  const invitationExpiry = inv.properties.expirationDate as string | undefined;
  if (requestedExpiry && invitationExpiry && new Date(requestedExpiry).getTime() > new Date(invitationExpiry).getTime()) {
    throw new ArmError(400, 'InvalidExpirationDate', `properties.expirationDate (${requestedExpiry}) is later than the expiration the provider set on the invitation (${invitationExpiry}). Leave it out or choose an earlier date.`, 'properties.expirationDate');
  }
  const expirationDate = requestedExpiry ?? invitationExpiry;
  const now = nowIso(ctx);
  const objectId = ctx.newGuid();
  const consumerSub = ctx.resources.subscription(p.subscriptionId);
  const consumerTenantId = consumerSub?.tenantId ?? principal.tenantId;
  const providerTenantName = tenantName(ctx, inv.internal.providerTenantId);
  const psubId = `${share.id}/providerShareSubscriptions/${objectId}`;
  const ss: ShareSubscription = {
    id,
    name: p.shareSubscriptionName,
    type: T.shareSubscription,
    systemData: stamp(ctx, req),
    properties: {
      createdAt: now,
      ...(expirationDate !== undefined ? { expirationDate } : {}),
      invitationId: String(inv.properties.invitationId),
      provisioningState: 'Succeeded',
      sourceShareLocation: normLocation(inv.internal.location),
      userEmail: userEmail(principal),
      userName: userName(principal),
    },
    internal: {
      objectId,
      providerShareId: share.id,
      providerShareUid: share.internal.uid,
      providerShareSubscriptionId: psubId,
      providerAccountId: inv.internal.providerAccountId,
      consumerTenantId,
      snapshot: {
        shareName: share.name,
        shareKind: String(share.properties.shareKind),
        ...(share.properties.description !== undefined ? { shareDescription: String(share.properties.description) } : {}),
        ...(share.properties.terms !== undefined ? { shareTerms: String(share.properties.terms) } : {}),
        providerName: String(inv.properties.userName),
        providerEmail: String(inv.properties.userEmail),
        providerTenantName,
      },
    },
  };
  const psub: ProviderShareSubscription = {
    id: psubId,
    name: objectId,
    type: T.providerShareSubscription,
    systemData: stamp(ctx, req),
    properties: {
      consumerEmail: userEmail(principal),
      consumerName: userName(principal),
      consumerTenantName: tenantName(ctx, consumerTenantId),
      createdAt: now,
      ...(expirationDate !== undefined ? { expirationDate } : {}),
      providerEmail: String(inv.properties.userEmail),
      providerName: String(inv.properties.userName),
      sharedAt: String(inv.properties.sentAt),
      shareSubscriptionObjectId: objectId,
      shareSubscriptionStatus: 'Active',
    },
    internal: { consumerShareSubscriptionId: id, consumerTenantId, invitationResourceId: inv.id, shareUid: share.internal.uid },
  };
  inv.properties.invitationStatus = 'Accepted';
  inv.properties.respondedAt = now;
  inv.internal.acceptedBy = id;
  putResource(ctx, inv);
  putResource(ctx, ss);
  putResource(ctx, psub);
  return ok(renderShareSubscription(ctx, ss), 201);
}

export function getShareSubscription(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  return ok(renderShareSubscription(ctx, loadShareSubscription(ctx, p)));
}

export function listShareSubscriptions(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const account = loadAccount(ctx, p);
  return listResponse(req, listResources<Json, ShareSubscriptionInternal>(ctx, account.id, T.shareSubscription).map((s) => renderShareSubscription(ctx, s)));
}

export async function deleteShareSubscription(req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const account = loadAccount(ctx, p);
  const id = `${account.id}/shareSubscriptions/${p.shareSubscriptionName}`;
  const ss = getResource<Json, ShareSubscriptionInternal>(ctx, id);
  if (!ss) return { status: 204 };
  await detachShareSubscription(ctx, ss.id, ss.internal);
  await removeTree(ctx, id);
  return deletedLro(req, ctx, id);
}

export function listConsumerSourceDataSets(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const share = sourceShare(ctx, ss);
  const providerAccount = getResource(ctx, ss.internal.providerAccountId);
  const items = (share ? listResources(ctx, share.id, T.dataSet) : []).map((ds) => ({
    id: `${ss.id}/consumerSourceDataSets/${String(ds.properties.dataSetId)}`,
    name: ds.name,
    type: T.consumerSourceDataSet,
    systemData: { ...ds.systemData },
    properties: {
      dataSetId: ds.properties.dataSetId,
      dataSetLocation: normLocation(providerAccount?.location),
      dataSetName: ds.name,
      dataSetPath: dataSetPath(String(ds.kind), ds.properties),
      dataSetType: ds.kind,
    },
  }));
  return listResponse(req, items);
}

export function listSourceShareSynchronizationSettings(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const share = sourceShare(ctx, ss);
  const items = (share ? listResources(ctx, share.id, T.syncSetting) : []).map((s) => ({
    kind: 'ScheduleBased',
    properties: { recurrenceInterval: s.properties.recurrenceInterval, synchronizationTime: s.properties.synchronizationTime },
  }));
  return listResponse(req, items);
}

// ---------------------------------------------------------------- data set mappings

function renderMapping(ctx: SandboxContext, ss: ShareSubscription, m: StoredResource): Json {
  const view = publicView(m);
  const props = view.properties as Json;
  const exists = sourceDataSets(ctx, ss).some((d) => String(d.properties.dataSetId).toLowerCase() === String(m.properties.dataSetId).toLowerCase());
  props.dataSetMappingStatus = exists ? 'Ok' : 'Broken';
  props.provisioningState = 'Succeeded';
  if (isKusto(String(m.kind))) props.location = getResource(ctx, loadAccountIdOf(ss))?.location ?? '';
  return view;
}

function loadAccountIdOf(ss: ShareSubscription): string {
  return ss.id.replace(/\/shareSubscriptions\/[^/]+$/i, '');
}

export function putMapping(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  checkName(p.dataSetMappingName, 'data set mapping');
  const body = bodyObject(req, 'data set mapping');
  const kind = enumValue(optionalString(body, 'kind', ''), MAPPING_KINDS, 'kind');
  const input = mappingInput(kind, propertiesOf(body, 'data set mapping'));
  const source = sourceDataSets(ctx, ss).find((d) => String(d.properties.dataSetId).toLowerCase() === String(input.dataSetId).toLowerCase());
  if (!source) {
    throw new ArmError(400, 'DataSetNotFound', `The source share of share subscription '${ss.name}' has no data set with dataSetId '${String(input.dataSetId)}'. List the valid ids with GET .../shareSubscriptions/${ss.name}/consumerSourceDataSets.`, 'properties.dataSetId');
  }
  const allowed = compatibleMappingKinds(String(source.kind));
  if (!allowed.includes(kind)) {
    throw new ArmError(400, 'InvalidDataSetMappingKind', `Source data set '${source.name}' is of kind '${String(source.kind)}' and cannot be received by a '${kind}' mapping. Use one of: ${allowed.join(', ')}.`, 'kind');
  }
  const loc = blobLocation(kind, input);
  if (loc && !ctx.resources.resource(loc.storageAccountId)) {
    throw new ArmError(400, 'StorageAccountNotFound', `The target storage account '${loc.account}' was not found (${storageAccountId(String(input.subscriptionId), String(input.resourceGroup), loc.account)}). Create it first, or fix storageAccountName/resourceGroup/subscriptionId of the mapping.`, 'properties.storageAccountName');
  }
  const id = `${ss.id}/dataSetMappings/${p.dataSetMappingName}`;
  const existing = getResource(ctx, id);
  const other = listResources(ctx, ss.id, T.mapping).find((m) => key(m.id) !== key(id) && String(m.properties.dataSetId).toLowerCase() === String(input.dataSetId).toLowerCase());
  if (other) {
    throw new ArmError(409, 'DataSetAlreadyMapped', `Data set '${source.name}' is already mapped by '${other.name}' in share subscription '${ss.name}'. Update or delete that mapping instead.`, 'properties.dataSetId');
  }
  const mapping: StoredResource = {
    id: existing?.id ?? id,
    name: existing?.name ?? p.dataSetMappingName,
    type: T.mapping,
    kind,
    systemData: stamp(ctx, req, existing?.systemData),
    properties: { ...input },
    internal: {},
  };
  putResource(ctx, mapping);
  return ok(renderMapping(ctx, ss, mapping), existing ? 200 : 201);
}

export function getMapping(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const m = getResource(ctx, `${ss.id}/dataSetMappings/${p.dataSetMappingName}`);
  if (!m) throw new ArmError(404, 'ResourceNotFound', `Share subscription '${ss.name}' has no data set mapping '${p.dataSetMappingName}'.`);
  return ok(renderMapping(ctx, ss, m));
}

export function listMappings(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  return listResponse(req, listResources(ctx, ss.id, T.mapping).map((m) => renderMapping(ctx, ss, m)));
}

export async function deleteMapping(_req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const ss = loadShareSubscription(ctx, p);
  const id = `${ss.id}/dataSetMappings/${p.dataSetMappingName}`;
  const m = getResource(ctx, id);
  if (!m) return { status: 204 };
  await removeTree(ctx, id);
  ctx.store.delete(SYNC_STATE, key(`${ss.id}/syncstate/${m.name}`));
  return { status: 200 };
}

// ---------------------------------------------------------------- snapshots

export function synchronize(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const body = req.body && typeof req.body === 'object' ? (req.body as Json) : {};
  const mode = enumValue(optionalString(body, 'synchronizationMode', ''), ['Incremental', 'FullSync'] as const, 'synchronizationMode', 'Incremental') as SyncMode;
  const started = beginSynchronization(ctx, ss, mode, { principal: req.principal });
  return ctx.operations.start(req, {
    status: 202,
    resourceId: ss.id,
    body: renderSubscriptionSynchronization(started.record),
    work: (signal) => started.run(signal),
  });
}

export function cancelSynchronization(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const syncId = synchronizationIdOf(req);
  const record = findSyncRecord(ctx, ss.id, syncId);
  if (!record) {
    throw new ArmError(404, 'SynchronizationNotFound', `Share subscription '${ss.name}' has no synchronization '${syncId}'. List them with POST .../listSynchronizations.`);
  }
  if (isTerminal(record.status)) return ok(renderSubscriptionSynchronization(record));
  const live = requestCancel(ctx, record, `Canceled by ${req.principal?.name ?? 'the consumer'}.`);
  if (!live) return ok(renderSubscriptionSynchronization(findSyncRecord(ctx, ss.id, syncId) ?? record));
  return ctx.operations.start(req, {
    status: 202,
    resourceId: ss.id,
    body: { ...renderSubscriptionSynchronization(record), status: 'Cancelling' },
    work: async (signal) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = findSyncRecord(ctx, ss.id, syncId);
        if (!r || isTerminal(r.status)) return r ? renderSubscriptionSynchronization(r) : { synchronizationId: syncId, status: 'Canceled' };
        if (signal.aborted || Date.now() > deadline) throw new ArmError(500, 'CancellationTimeout', 'The snapshot did not stop within 60 seconds; check listSynchronizations.');
        await new Promise((res) => setTimeout(res, 20));
      }
    },
  });
}

export function listSubscriptionSynchronizations(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const h = subscriptionHistory(ctx, loadShareSubscription(ctx, p).id);
  return viewListResponse(req, ctx, h.viewKey, h.items);
}

/** Builds (or finds) the view a listing of this share subscription's runs with `$orderby` would page through. */
export function warmSubscriptionSynchronizations(ctx: SandboxContext, shareSubscriptionId: string, orderby: string): void {
  const h = subscriptionHistory(ctx, shareSubscriptionId);
  orderedView(ctx, h.viewKey, undefined, orderby, h.items);
}

/** A share subscription's run listing: the key its views are kept under, and its items (newest first; ISO times compare as text). */
function subscriptionHistory(ctx: SandboxContext, shareSubscriptionId: string): { viewKey: string; items: () => Json[] } {
  return {
    viewKey: `${shareSubscriptionId}/synchronizations`,
    items: () => [...readSyncRecords(ctx, `${shareSubscriptionId}/synchronizations/`)]
      .sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0)).map(renderSubscriptionSynchronization),
  };
}

export function listSubscriptionSynchronizationDetails(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const syncId = synchronizationIdOf(req);
  const record = peekSyncRecord(ctx, ss.id, syncId);
  if (!record) {
    throw new ArmError(404, 'SynchronizationNotFound', `Share subscription '${ss.name}' has no synchronization '${syncId}'. List them with POST .../listSynchronizations.`);
  }
  return listResponse(req, record.details.map((d) => renderDetail(d, 'consumer')), { synchronizationId: record.synchronizationId });
}

// ---------------------------------------------------------------- triggers

function renderTrigger(ctx: SandboxContext, ss: ShareSubscription, t: StoredResource<Json, TriggerInternal>): Json {
  const view = publicView(t);
  (view.properties as Json).triggerStatus = triggerStatus(ctx, ss);
  return view;
}

export function putTrigger(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  checkName(p.triggerName, 'trigger');
  const { props, recurrenceInterval, synchronizationTime } = scheduleFrom(req, 'trigger');
  const synchronizationMode = enumValue(optionalString(props, 'synchronizationMode'), ['Incremental', 'FullSync'] as const, 'properties.synchronizationMode', 'Incremental');
  const share = sourceShare(ctx, ss);
  if (!share || listResources(ctx, share.id, T.syncSetting).length === 0) {
    throw new ArmError(400, 'SourceSynchronizationSettingNotFound', `The provider has not set a snapshot schedule on share '${ss.internal.snapshot.shareName}', so share subscription '${ss.name}' cannot have a trigger. Check POST .../listSourceShareSynchronizationSettings, or ask the provider to add a synchronization setting.`);
  }
  const id = `${ss.id}/triggers/${p.triggerName}`;
  const existing = getResource<Json, TriggerInternal>(ctx, id);
  const scheduleChanged = !existing || existing.properties.synchronizationTime !== synchronizationTime || existing.properties.recurrenceInterval !== recurrenceInterval;
  const trigger: StoredResource<Json, TriggerInternal> = {
    id: existing?.id ?? id,
    name: existing?.name ?? p.triggerName,
    type: T.trigger,
    kind: 'ScheduleBased',
    systemData: stamp(ctx, req, existing?.systemData),
    properties: {
      createdAt: scheduleChanged ? nowIso(ctx) : existing.properties.createdAt,
      provisioningState: 'Succeeded',
      recurrenceInterval,
      synchronizationMode,
      synchronizationTime,
      userName: userName(req.principal),
    },
    internal: scheduleChanged ? {} : { ...existing.internal },
  };
  putResource(ctx, trigger);
  return ok(renderTrigger(ctx, ss, trigger), existing ? 200 : 201);
}

export function getTrigger(_req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  const t = getResource<Json, TriggerInternal>(ctx, `${ss.id}/triggers/${p.triggerName}`);
  if (!t) throw new ArmError(404, 'ResourceNotFound', `Share subscription '${ss.name}' has no trigger '${p.triggerName}'.`);
  return ok(renderTrigger(ctx, ss, t));
}

export function listTriggers(req: SandboxRequest, p: P, ctx: SandboxContext): SandboxResponse {
  const ss = loadShareSubscription(ctx, p);
  return listResponse(req, listResources<Json, TriggerInternal>(ctx, ss.id, T.trigger).map((t) => renderTrigger(ctx, ss, t)));
}

export async function deleteTrigger(_req: SandboxRequest, p: P, ctx: SandboxContext): Promise<SandboxResponse> {
  const ss = loadShareSubscription(ctx, p);
  return deleteWithStatus(ctx, `${ss.id}/triggers/${p.triggerName}`);
}
