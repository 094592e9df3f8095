/**
 * Snapshots (synchronizations): checks, the real blob copy from the provider's source to the
 * consumer's mapped target through `ctx.blobs`, incremental state, cancellation, history records,
 * scheduled triggers on the sandbox clock, and recovery after a restart.
 */
import { cmkProblem } from '../../core/cmk';
import { ArmError, type BlobItem, type Principal, type SandboxContext, type Store } from '../../core/contract';
import {
  ROLE, SYNCS, SYNC_STATE, T, type Json, type StoredResource, accountIdOf, allResources, getResource, key, listResources,
  nowIso, putResource, tenantName,
} from './common';
import { type BlobLocation, blobLocation, isKusto, isSqlFamily, STORAGE_KINDS } from './kinds';
import {
  type ShareSubscription, type ShareSubscriptionInternal, type TriggerInternal, effectiveStatus, providerRecord, sourceShare,
} from './links';

export type SyncMode = 'Incremental' | 'FullSync';
export type SyncStatus = 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';

export interface DetailRecord {
  dataSetId: string;
  dataSetType: string;
  dataSetName: string;
  mappingName: string;
  status: 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  startTime: string;
  endTime?: string;
  durationMs?: number;
  filesRead: number;
  filesWritten: number;
  sizeRead: number;
  sizeWritten: number;
  message?: string;
  errorCode?: string;
}

export interface SyncRecord {
  key: string;
  synchronizationId: string;
  shareSubscriptionId: string;
  providerShareId: string;
  providerShareUid: string;
  consumerName: string;
  consumerEmail: string;
  consumerTenantName: string;
  status: SyncStatus;
  startTime: string;
  endTime?: string;
  durationMs?: number;
  message?: string;
  synchronizationMode: SyncMode;
  /** `Manual` (synchronize call) or `Scheduled:<trigger name>`. */
  initiatedBy: string;
  errorCode?: string;
  details: DetailRecord[];
}

interface SyncState {
  key: string;
  dataSetId: string;
  target: string;
  /** Source blob name -> etag and last-modified time as of the last successful copy. */
  blobs: Record<string, { etag: string; lastModified: string }>;
}

const TERMINAL: SyncStatus[] = ['Succeeded', 'Failed', 'Canceled'];
export const isTerminal = (s: string): boolean => (TERMINAL as string[]).includes(s);

// In-memory controllers of runs in this process (per sandbox store), for cancellation.
const controllers = new WeakMap<Store, Map<string, AbortController>>();
function runControllers(ctx: SandboxContext): Map<string, AbortController> {
  let m = controllers.get(ctx.store);
  if (!m) {
    m = new Map();
    controllers.set(ctx.store, m);
  }
  return m;
}

export function listSyncRecords(ctx: SandboxContext, prefix?: string): SyncRecord[] {
  return ctx.store.list<SyncRecord>(SYNCS, prefix ? key(prefix) : undefined).filter(isSyncRecord);
}

/** Stored values that are run records (anything else under the collection is skipped). */
function isSyncRecord(r: Readonly<SyncRecord> | undefined): boolean {
  return Boolean(r) && typeof r!.synchronizationId === 'string';
}

/** Read-only records (frozen, shared between calls): for listings that only render them. */
export function readSyncRecords(ctx: SandboxContext, prefix: string): ReadonlyArray<Readonly<SyncRecord>> {
  const all = ctx.store.listReadOnly ? ctx.store.listReadOnly<SyncRecord>(SYNCS, key(prefix)) : ctx.store.list<SyncRecord>(SYNCS, key(prefix));
  return all.filter(isSyncRecord);
}

/** A run record for reading only (frozen, shared while unchanged: no parse per request). */
export function peekSyncRecord(ctx: SandboxContext, shareSubscriptionId: string, synchronizationId: string): Readonly<SyncRecord> | undefined {
  const k = syncRecordKey(shareSubscriptionId, synchronizationId);
  return ctx.store.getReadOnly ? ctx.store.getReadOnly<SyncRecord>(SYNCS, k) : ctx.store.get<SyncRecord>(SYNCS, k);
}

export function findSyncRecord(ctx: SandboxContext, shareSubscriptionId: string, synchronizationId: string): SyncRecord | undefined {
  return ctx.store.get<SyncRecord>(SYNCS, syncRecordKey(shareSubscriptionId, synchronizationId));
}

function syncRecordKey(shareSubscriptionId: string, synchronizationId: string): string {
  return key(`${shareSubscriptionId}/synchronizations/${synchronizationId}`);
}

function saveRecord(ctx: SandboxContext, r: SyncRecord): void {
  ctx.store.put(SYNCS, r.key, r);
}

// ---------------------------------------------------------------- rendering

export function renderSubscriptionSynchronization(r: SyncRecord): Json {
  const out: Json = {};
  if (r.durationMs !== undefined) out.durationMs = r.durationMs;
  if (r.endTime !== undefined) out.endTime = r.endTime;
  out.message = r.message ?? '';
  out.startTime = r.startTime;
  out.status = r.status;
  out.synchronizationId = r.synchronizationId;
  out.synchronizationMode = r.synchronizationMode;
  return out;
}

export function renderShareSynchronization(r: SyncRecord): Json {
  return {
    consumerEmail: r.consumerEmail,
    consumerName: r.consumerName,
    consumerTenantName: r.consumerTenantName,
    ...renderSubscriptionSynchronization(r),
  };
}

export function renderDetail(d: DetailRecord, side: 'provider' | 'consumer'): Json {
  const out: Json = { dataSetId: d.dataSetId, dataSetType: d.dataSetType };
  if (d.durationMs !== undefined) out.durationMs = d.durationMs;
  if (d.endTime !== undefined) out.endTime = d.endTime;
  out.filesRead = d.filesRead;
  out.filesWritten = d.filesWritten;
  out.message = d.message ?? '';
  out.name = side === 'provider' ? d.dataSetName : d.mappingName;
  out.rowsCopied = 0;
  out.rowsRead = 0;
  out.sizeRead = d.sizeRead;
  out.sizeWritten = d.sizeWritten;
  out.startTime = d.startTime;
  out.status = d.status;
  out.vCore = 0;
  return out;
}

// ---------------------------------------------------------------- starting a run

export interface StartedRun {
  record: SyncRecord;
  /** Runs the copy; resolves with the rendered result, rejects with an ArmError when the run failed or was canceled. */
  run: (signal?: AbortSignal) => Promise<Json>;
}

/**
 * Checks that a snapshot may start (throws ArmError synchronously if not), records it as Queued and
 * returns the work that performs it.
 */
export function beginSynchronization(ctx: SandboxContext, ss: ShareSubscription, mode: SyncMode, by: { principal?: Principal; triggerName?: string }): StartedRun {
  const status = effectiveStatus(ctx, ss);
  const psub = providerRecord(ctx, ss);
  const snap = ss.internal.snapshot;
  const provider = `${snap.providerName} <${snap.providerEmail}>`;
  if (status === 'Revoked' || status === 'Revoking') {
    throw new ArmError(409, 'ShareSubscriptionRevoked', `The provider ${provider} revoked access to share '${snap.shareName}' for share subscription '${ss.name}', so snapshots are blocked. Ask the provider to reinstate the share subscription, then synchronize again.`);
  }
  if (status === 'Expired') {
    throw new ArmError(409, 'ShareSubscriptionExpired', `Share subscription '${ss.name}' expired on ${String(psub?.properties.expirationDate)} (sandbox clock: ${nowIso(ctx)}), so snapshots are blocked. Ask the provider ${provider} to extend it (adjust) or reinstate it with a later expiration date.`);
  }
  if (status === 'SourceDeleted') {
    throw new ArmError(409, 'SourceShareDeleted', `The provider deleted share '${snap.shareName}' that share subscription '${ss.name}' receives, so there is nothing to synchronize. Ask the provider ${provider} for a new invitation.`);
  }
  const running = listSyncRecords(ctx, `${ss.id}/synchronizations/`).find((r) => !isTerminal(r.status));
  if (running) {
    throw new ArmError(409, 'SynchronizationInProgress', `Snapshot '${running.synchronizationId}' of share subscription '${ss.name}' is still ${running.status}. Wait for it to finish, or cancel it (POST .../cancelSynchronization), before starting another.`);
  }
  const mappings = listResources(ctx, ss.id, T.mapping);
  if (mappings.length === 0) {
    throw new ArmError(400, 'NoDataSetMappings', `Share subscription '${ss.name}' has no data set mappings, so a snapshot would copy nothing. Map the source data sets (GET .../consumerSourceDataSets, then PUT .../dataSetMappings/{name}) first.`);
  }
  const account = getResource(ctx, accountIdOf(ss.id));
  const consumerTenantId = ss.internal.consumerTenantId;
  const synchronizationId = ctx.newGuid();
  const record: SyncRecord = {
    key: key(`${ss.id}/synchronizations/${synchronizationId}`),
    synchronizationId,
    shareSubscriptionId: ss.id,
    providerShareId: ss.internal.providerShareId,
    providerShareUid: ss.internal.providerShareUid,
    consumerName: by.principal?.name ?? String(ss.properties.userName ?? account?.name ?? ''),
    consumerEmail: by.principal?.email ?? String(ss.properties.userEmail ?? ''),
    consumerTenantName: tenantName(ctx, consumerTenantId),
    status: 'Queued',
    startTime: nowIso(ctx),
    synchronizationMode: mode,
    initiatedBy: by.triggerName ? `Scheduled:${by.triggerName}` : 'Manual',
    details: [],
  };
  saveRecord(ctx, record);
  const controller = new AbortController();
  runControllers(ctx).set(record.key, controller);
  return {
    record,
    run: async (signal?: AbortSignal) => {
      const combined = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
      try {
        return await execute(ctx, ss.id, record.key, combined);
      } finally {
        runControllers(ctx).delete(record.key);
      }
    },
  };
}

/** Aborts running snapshots matching `match` (revoke, delete). */
export function abortRunsFor(ctx: SandboxContext, match: (r: SyncRecord) => boolean, reason: string): void {
  for (const r of listSyncRecords(ctx)) {
    if (isTerminal(r.status) || !match(r)) continue;
    const c = runControllers(ctx).get(r.key);
    if (c) c.abort(new Error(reason));
    else finishStale(ctx, r, 'Canceled', reason);
  }
}

/** Requests cancellation; returns true if a live run was signalled. */
export function requestCancel(ctx: SandboxContext, r: SyncRecord, reason: string): boolean {
  const c = runControllers(ctx).get(r.key);
  if (c) {
    c.abort(new Error(reason));
    return true;
  }
  if (!isTerminal(r.status)) finishStale(ctx, r, 'Canceled', reason);
  return false;
}

function finishStale(ctx: SandboxContext, r: SyncRecord, status: SyncStatus, message: string, code?: string): void {
  const end = nowIso(ctx);
  r.status = status;
  r.endTime = end;
  r.durationMs = Math.max(0, new Date(end).getTime() - new Date(r.startTime).getTime());
  r.message = message;
  if (code) r.errorCode = code;
  for (const d of r.details) {
    if (!isTerminal(d.status)) {
      d.status = status === 'Canceled' ? 'Canceled' : 'Failed';
      d.endTime = end;
      d.message = message;
    }
  }
  saveRecord(ctx, r);
}

// ---------------------------------------------------------------- the copy

class StepFailure extends Error {
  constructor(public readonly code: string, message: string) {
    super(message);
  }
}

function hasAnyRole(ctx: SandboxContext, principalId: string | undefined, scope: string, roles: { id: string }[]): boolean {
  if (!principalId) return false;
  return roles.some((r) => ctx.authorization.hasRole(principalId, scope, r.id));
}

async function execute(ctx: SandboxContext, ssId: string, recordKey: string, signal: AbortSignal): Promise<Json> {
  const record = ctx.store.get<SyncRecord>(SYNCS, recordKey);
  const ss = getResource<Json, ShareSubscriptionInternal>(ctx, ssId);
  if (!record) throw new ArmError(404, 'SynchronizationNotFound', 'The synchronization record disappeared (its share subscription was deleted).');
  if (!ss) {
    finishStale(ctx, record, 'Canceled', 'The share subscription was deleted.');
    throw new ArmError(409, 'SynchronizationCanceled', 'The share subscription was deleted before the snapshot ran.');
  }
  record.status = 'InProgress';
  saveRecord(ctx, record);

  const share = sourceShare(ctx, ss);
  const providerAccount = getResource(ctx, ss.internal.providerAccountId);
  const consumerAccount = getResource(ctx, accountIdOf(ss.id));
  const mappings = listResources(ctx, ss.id, T.mapping).sort((a, b) => a.name.localeCompare(b.name));
  const dataSets = share ? listResources(ctx, share.id, T.dataSet) : [];

  for (const mapping of mappings) {
    const ds = dataSets.find((d) => String(d.properties.dataSetId).toLowerCase() === String(mapping.properties.dataSetId).toLowerCase());
    const detail: DetailRecord = {
      dataSetId: String(mapping.properties.dataSetId),
      dataSetType: String(ds?.kind ?? mapping.kind),
      dataSetName: ds?.name ?? '',
      mappingName: mapping.name,
      status: 'InProgress',
      startTime: nowIso(ctx),
      filesRead: 0,
      filesWritten: 0,
      sizeRead: 0,
      sizeWritten: 0,
    };
    record.details.push(detail);
    saveRecord(ctx, record);
    try {
      if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('Canceled');
      if (!ds) throw new StepFailure('SourceDataSetNotFound', `The provider removed the source data set (dataSetId ${detail.dataSetId}) of mapping '${mapping.name}'. Delete the mapping, or ask the provider to add the data set again.`);
      const copied = await copyMapping(ctx, { ss, mapping, ds, providerAccount, consumerAccount, mode: record.synchronizationMode, signal, detail });
      detail.status = 'Succeeded';
      detail.message = copied;
    } catch (e) {
      if (signal.aborted) {
        detail.status = 'Canceled';
        detail.message = signal.reason instanceof Error ? signal.reason.message : 'Canceled.';
      } else if (e instanceof StepFailure) {
        detail.status = 'Failed';
        detail.errorCode = e.code;
        detail.message = e.message;
      } else {
        detail.status = 'Failed';
        detail.errorCode = 'CopyFailed';
        detail.message = `Copying data set '${detail.dataSetName}' failed: ${e instanceof Error ? e.message : String(e)}. Check that the source and target storage accounts and containers exist, then synchronize again.`;
      }
    }
    detail.endTime = nowIso(ctx);
    detail.durationMs = Math.max(0, new Date(detail.endTime).getTime() - new Date(detail.startTime).getTime());
    saveRecord(ctx, record);
    if (detail.status === 'Canceled') break;
  }

  const end = nowIso(ctx);
  record.endTime = end;
  record.durationMs = Math.max(0, new Date(end).getTime() - new Date(record.startTime).getTime());
  const failed = record.details.filter((d) => d.status === 'Failed');
  const files = record.details.reduce((n, d) => n + d.filesWritten, 0);
  const bytes = record.details.reduce((n, d) => n + d.sizeWritten, 0);
  if (signal.aborted || record.details.some((d) => d.status === 'Canceled')) {
    record.status = 'Canceled';
    record.message = `Canceled: ${signal.reason instanceof Error ? signal.reason.message : 'the snapshot was canceled.'} ${files} file(s) were copied before it stopped.`;
    record.errorCode = 'SynchronizationCanceled';
  } else if (failed.length > 0) {
    record.status = 'Failed';
    record.errorCode = failed[0].errorCode;
    record.message = failed.length === 1 ? failed[0].message : `${failed.length} of ${record.details.length} data sets failed. First: ${failed[0].message}`;
  } else {
    record.status = 'Succeeded';
    record.message = `Copied ${files} file(s), ${bytes} byte(s), for ${record.details.length} data set(s).`;
  }
  saveRecord(ctx, record);
  await ctx.store.commit();
  ctx.log(`datashare: snapshot ${record.synchronizationId} of ${ssId}: ${record.status} - ${record.message}`);
  if (record.status === 'Failed') {
    throw new ArmError(400, record.errorCode ?? 'SynchronizationFailed', record.message ?? 'The snapshot failed.', undefined,
      failed.map((d) => ({ code: d.errorCode ?? 'SynchronizationFailed', message: d.message ?? '', target: d.mappingName })));
  }
  if (record.status === 'Canceled') throw new ArmError(409, 'SynchronizationCanceled', record.message ?? 'The snapshot was canceled.');
  return renderSubscriptionSynchronization(record);
}

interface CopyInput {
  ss: ShareSubscription;
  mapping: StoredResource;
  ds: StoredResource;
  providerAccount: StoredResource | undefined;
  consumerAccount: StoredResource | undefined;
  mode: SyncMode;
  signal: AbortSignal;
  detail: DetailRecord;
}

function unsupported(kind: string, what: string): StepFailure {
  const family = isKusto(kind) ? 'Azure Data Explorer' : isSqlFamily(kind) ? 'SQL / Synapse' : 'this';
  return new StepFailure('DataSetKindNotSupportedBySandbox', `The sandbox cannot snapshot ${what} of kind '${kind}': it stores ${family} data sets and mappings as Azure does but has no ${family} engine to copy data. Only Blob, BlobFolder, Container and ADLS Gen2 data sets are copied; remove this mapping to snapshot the others.`);
}

async function copyMapping(ctx: SandboxContext, c: CopyInput): Promise<string> {
  const srcKind = String(c.ds.kind);
  const dstKind = String(c.mapping.kind);
  if (!STORAGE_KINDS[srcKind as keyof typeof STORAGE_KINDS]) throw unsupported(srcKind, 'source data sets');
  if (!STORAGE_KINDS[dstKind as keyof typeof STORAGE_KINDS]) throw unsupported(dstKind, 'mappings');
  const src = blobLocation(srcKind, c.ds.properties)!;
  const dst = blobLocation(dstKind, c.mapping.properties)!;

  if (!ctx.resources.resource(src.storageAccountId)) {
    throw new StepFailure('SourceStorageAccountNotFound', `The provider's source storage account '${src.account}' (${src.storageAccountId}) no longer exists. Ask the provider to fix data set '${c.ds.name}'.`);
  }
  const providerMi = c.providerAccount?.identity?.principalId;
  if (!hasAnyRole(ctx, providerMi, src.storageAccountId, [ROLE.storageBlobDataReader, ROLE.storageBlobDataContributor, ROLE.storageBlobDataOwner])) {
    throw new StepFailure('SourceStoragePermissionDenied', `The managed identity of the provider's Data Share account '${c.providerAccount?.name ?? '?'}' (principal id ${providerMi ?? 'unknown'}) lacks the '${ROLE.storageBlobDataReader.name}' role (${ROLE.storageBlobDataReader.id}) on scope '${src.storageAccountId}'. The provider must assign that role to the account's managed identity on the source storage account, then the snapshot can run again.`);
  }
  if (!ctx.resources.resource(dst.storageAccountId)) {
    throw new StepFailure('TargetStorageAccountNotFound', `The target storage account '${dst.account}' (${dst.storageAccountId}) of mapping '${c.mapping.name}' does not exist. Create it or fix the mapping.`);
  }
  const consumerMi = c.consumerAccount?.identity?.principalId;
  if (!hasAnyRole(ctx, consumerMi, dst.storageAccountId, [ROLE.storageBlobDataContributor, ROLE.storageBlobDataOwner])) {
    throw new StepFailure('TargetStoragePermissionDenied', `The managed identity of Data Share account '${c.consumerAccount?.name ?? '?'}' (principal id ${consumerMi ?? 'unknown'}) lacks the '${ROLE.storageBlobDataContributor.name}' role (${ROLE.storageBlobDataContributor.id}) on scope '${dst.storageAccountId}'. Assign that role to the account's managed identity on the target storage account, then synchronize again.`);
  }
  // Customer-managed keys: an account whose key is disabled, deleted or out of reach cannot be read or written.
  for (const [where, loc] of [['source', src], ['target', dst]] as const) {
    const acct = ctx.resources.resource<Parameters<typeof cmkProblem>[1]>(loc.storageAccountId);
    const problem = acct ? cmkProblem(ctx.store, acct, ctx.clock.now().getTime()) : undefined;
    if (problem) {
      throw new StepFailure(
        'KeyVaultEncryptionKeyNotFound',
        `The ${where} storage account '${loc.account}' is encrypted with a customer-managed key that cannot be used: ${problem}. Azure Storage refuses reads and writes (403 KeyVaultEncryptionKeyNotFound) until the ${where === 'source' ? 'provider' : 'consumer'} restores the key (enable or recover it, or give the account's identity back 'Key Vault Crypto Service Encryption User'), then synchronize again.`,
      );
    }
  }
  for (const [where, loc] of [['source', src], ['target', dst]] as const) {
    if (!CONTAINER_RE.test(loc.container) || loc.container.includes('--')) {
      throw new StepFailure('InvalidContainerName', `The ${where} container name '${loc.container}' is not valid in Azure Storage: use 3-63 lowercase letters, digits and single hyphens. Fix ${where === 'source' ? `data set '${c.ds.name}' (the provider)` : `mapping '${c.mapping.name}'`}.`);
    }
  }
  if (!(await ctx.blobs.containerExists(src.account, src.container))) {
    throw new StepFailure('SourceContainerNotFound', `The source container '${src.container}' does not exist in storage account '${src.account}'. Ask the provider to fix data set '${c.ds.name}'.`);
  }

  const listPrefix = src.scope === 'file' ? src.path : src.scope === 'folder' ? (src.path ? src.path + '/' : undefined) : undefined;
  let blobs = await ctx.blobs.listBlobs(src.account, src.container, listPrefix, c.signal);
  if (src.scope === 'file') {
    blobs = blobs.filter((b) => b.name === src.path);
    if (blobs.length === 0) {
      throw new StepFailure('SourceFileNotFound', `The source file '${src.path}' does not exist in container '${src.container}' of storage account '${src.account}'. Ask the provider to fix data set '${c.ds.name}'.`);
    }
  }

  const stateKey = key(`${c.ss.id}/syncstate/${c.mapping.name}`);
  const target = `${dst.storageAccountId}/${dst.container}/${dst.path}`.toLowerCase();
  const prev = ctx.store.get<SyncState>(SYNC_STATE, stateKey);
  const usable = c.mode === 'Incremental' && prev && prev.dataSetId === String(c.ds.properties.dataSetId) && prev.target === target ? prev : undefined;
  const changed = (b: BlobItem): boolean => {
    const seen = usable?.blobs[b.name];
    return !seen || seen.etag !== b.etag || new Date(b.lastModified).getTime() > new Date(seen.lastModified).getTime();
  };
  const toCopy = usable ? blobs.filter(changed) : blobs;

  await ctx.blobs.ensureContainer(dst.account, dst.container);
  const state: SyncState = { key: stateKey, dataSetId: String(c.ds.properties.dataSetId), target, blobs: {} };
  if (usable) Object.assign(state.blobs, usable.blobs);
  for (const b of toCopy) {
    if (c.signal.aborted) throw c.signal.reason instanceof Error ? c.signal.reason : new Error('Canceled');
    const bytes = await ctx.blobs.copyBlob({ account: src.account, container: src.container, name: b.name }, { account: dst.account, container: dst.container, name: targetName(src, dst, b.name) }, c.signal);
    c.detail.filesRead += 1;
    c.detail.sizeRead += b.size;
    c.detail.filesWritten += 1;
    c.detail.sizeWritten += bytes;
    state.blobs[b.name] = { etag: b.etag, lastModified: new Date(b.lastModified).toISOString() };
  }
  for (const b of blobs) state.blobs[b.name] = { etag: b.etag, lastModified: new Date(b.lastModified).toISOString() };
  ctx.store.put(SYNC_STATE, stateKey, state);
  const skipped = blobs.length - toCopy.length;
  return `Copied ${toCopy.length} file(s) (${c.detail.sizeWritten} bytes) from ${src.account}/${src.container}${src.path ? '/' + src.path : ''} to ${dst.account}/${dst.container}${dst.path ? '/' + dst.path : ''}${skipped ? `; ${skipped} unchanged file(s) skipped (incremental)` : ''}.`;
}

const CONTAINER_RE = /^(\$root|[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/;

function targetName(src: BlobLocation, dst: BlobLocation, name: string): string {
  if (src.scope === 'file') return dst.path || name.split('/').pop() || name;
  const rel = src.scope === 'folder' && src.path ? name.slice(src.path.length + 1) : name;
  return dst.path ? `${dst.path}/${rel}` : rel;
}

// ---------------------------------------------------------------- schedules

const INTERVAL_MS: Record<string, number> = { Hour: 3_600_000, Day: 86_400_000 };

export function triggerStatus(ctx: SandboxContext, ss: ShareSubscription | undefined): 'Active' | 'Inactive' | 'SourceSynchronizationSettingDeleted' {
  if (!ss) return 'Inactive';
  const share = sourceShare(ctx, ss);
  if (!share || listResources(ctx, share.id, T.syncSetting).length === 0) return 'SourceSynchronizationSettingDeleted';
  return effectiveStatus(ctx, ss) === 'Active' ? 'Active' : 'Inactive';
}

/** The latest scheduled time at or before `now` that has not fired yet, if any. */
export function dueTime(trigger: StoredResource<Json, TriggerInternal>, now: Date): Date | undefined {
  const interval = INTERVAL_MS[String(trigger.properties.recurrenceInterval)];
  const base = new Date(String(trigger.properties.synchronizationTime)).getTime();
  if (!interval || Number.isNaN(base) || now.getTime() < base) return undefined;
  const k = Math.floor((now.getTime() - base) / interval);
  const t = base + k * interval;
  const last = trigger.internal.lastFiredAt ? new Date(trigger.internal.lastFiredAt).getTime() : undefined;
  if (last !== undefined) return t > last ? new Date(t) : undefined;
  const created = new Date(String(trigger.properties.createdAt)).getTime();
  return t >= created ? new Date(t) : undefined;
}

export async function tick(ctx: SandboxContext, now: Date): Promise<void> {
  let changed = false;
  for (const trigger of allResources<Json, TriggerInternal>(ctx, T.trigger)) {
    const due = dueTime(trigger, now);
    if (!due) continue;
    changed = true;
    const ssId = trigger.id.replace(/\/triggers\/[^/]+$/i, '');
    const ss = getResource<Json, ShareSubscriptionInternal>(ctx, ssId);
    trigger.internal.lastFiredAt = due.toISOString();
    putResource(ctx, trigger);
    const status = triggerStatus(ctx, ss);
    if (!ss || status !== 'Active') {
      ctx.log(`datashare: trigger ${trigger.id} due at ${due.toISOString()} skipped (${status}).`);
      continue;
    }
    const mode = (trigger.properties.synchronizationMode === 'FullSync' ? 'FullSync' : 'Incremental') as SyncMode;
    try {
      const started = beginSynchronization(ctx, ss, mode, { triggerName: trigger.name });
      ctx.log(`datashare: trigger ${trigger.name} fired snapshot ${started.record.synchronizationId} (${mode}) for ${ss.id}`);
      await started.run().catch((e: unknown) => ctx.log(`datashare: scheduled snapshot failed: ${e instanceof Error ? e.message : String(e)}`));
    } catch (e) {
      ctx.log(`datashare: trigger ${trigger.name} could not start a snapshot: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (changed) await ctx.store.commit();
}

/** After a restart: runs that were going are marked Failed; revokes that were going complete. */
export async function recover(ctx: SandboxContext): Promise<void> {
  // Read through the frozen cache: the first history listing then finds every record parsed (a
  // year of snapshots is tens of thousands of records), as a service's read model would be warm.
  for (const frozen of readSyncRecords(ctx, '')) {
    const r = !isTerminal(frozen.status) && !runControllers(ctx).has(frozen.key) ? ctx.store.get<SyncRecord>(SYNCS, frozen.key) : undefined;
    if (r) {
      finishStale(ctx, r, 'Failed', 'The sandbox stopped while this snapshot was running. Run the snapshot again (POST .../synchronize).', 'SynchronizationInterrupted');
    }
  }
  for (const psub of allResources(ctx, T.providerShareSubscription)) {
    if (psub.properties.shareSubscriptionStatus === 'Revoking') {
      psub.properties.shareSubscriptionStatus = 'Revoked';
      putResource(ctx, psub);
    }
  }
  await ctx.store.commit();
}
