/**
 * Steps 5–8 of the recipe: the share (description, terms, schedule, the Data Share identity's
 * role), the governance gate, datasets, the invitation; the consumer's accept, mapping (its Data
 * Share identity gets Storage Blob Data Contributor), snapshot (followed to completion with its
 * details), and a trigger from the provider's schedule. Each reads first and writes what is missing.
 */
import type { ConsumerInvitation, DataSetCreate, DataSetMappingCreate, InvitationTarget, ShareSubscriptionSynchronization } from '../../azure';
import type { Step, StepContext } from '../engine';
import type { RecipeEnv } from '../env';
import { UserFacingError } from '../errors';
import { DEFAULT_POLICY, evaluatePolicy, type GateDecision } from '../governance';
import type { DataSetPlan } from '../plan';
import { qualityGate, snapshotQualityGate } from '../quality/gate';
import { rulesFileFor } from '../quality/planRules';
import { accountRef, getOrUndefined, rgPath, shareRef, storageId, subscriptionRef } from './common';
import { classificationsOf, recordLineage, snapshotFactsOf } from './purview';
import { snapshotFailed, subjects } from '../events';

type S = Step<RecipeEnv>;
export const SCHEDULE_NAME = 'schedule';
export const TRIGGER_NAME = 'from-provider-schedule';

export { shareRef, subscriptionRef };

/** Next occurrence of HH:MM UTC as the schedule's first run (a stable date keeps re-runs no-ops). */
function scheduleTime(time: string): string {
  return `2026-01-01T${time}:00Z`;
}

export function shareStep(): S {
  return {
    id: 'share.create',
    title: 'Create the share, its schedule and the Data Share identity\'s role',
    dependsOn: ['provider.dataShareAccount', 'provider.storage'],
    side: 'provider',
    plan: (env) => [
      { action: 'create', tenantId: env.provider.tenantId, resource: rgPath(env.provider, env.provider.plan.dataShareAccount, env.plan.share.name), detail: `CopyBased share${env.plan.share.terms ? ' with terms of use' : ''}` },
      ...(env.plan.share.schedule ? [{ action: 'create' as const, tenantId: env.provider.tenantId, resource: rgPath(env.provider, env.provider.plan.dataShareAccount, env.plan.share.name, SCHEDULE_NAME), detail: `snapshot schedule: ${env.plan.share.schedule.recurrence === 'Day' ? `daily at ${env.plan.share.schedule.time} UTC` : 'hourly'}`, cost: 'each scheduled snapshot is billed' }] : []),
      { action: 'create', tenantId: env.provider.tenantId, resource: rgPath(env.provider, env.provider.plan.storageAccount), detail: "role assignment: Storage Blob Data Reader for the Data Share account's identity" },
    ],
    async execute(env, ctx) {
      const ds = env.provider.clients.dataShare;
      const o = { abortSignal: ctx.signal };
      let changed = false;
      const wanted = { shareKind: 'CopyBased' as const, description: env.plan.share.description ?? '', terms: env.plan.share.terms ?? '' };
      const share = await getOrUndefined(() => ds.shares.get(shareRef(env), o));
      if (!share || (share.properties?.description ?? '') !== wanted.description || (share.properties?.terms ?? '') !== wanted.terms) {
        await ds.shares.createOrUpdate(shareRef(env), { properties: wanted }, o);
        if (!share) await env.events?.publish('GovernedDataShare.ShareCreated', subjects.share(env), { share: env.plan.share.name, shareKind: 'CopyBased', providerTenantId: env.provider.tenantId, description: wanted.description, hasTerms: wanted.terms !== '' });
        changed = true;
      }
      const sched = env.plan.share.schedule;
      if (sched) {
        const ref = { ...shareRef(env), synchronizationSettingName: SCHEDULE_NAME };
        const cur = await getOrUndefined(() => ds.synchronizationSettings.get(ref, o));
        const time = scheduleTime(sched.time);
        if (!cur || cur.properties.recurrenceInterval !== sched.recurrence || Date.parse(cur.properties.synchronizationTime) !== Date.parse(time)) {
          if (cur) await ds.synchronizationSettings.deleteAndWait(ref, o);
          await ds.synchronizationSettings.createOrUpdate(ref, { kind: 'ScheduleBased', properties: { recurrenceInterval: sched.recurrence, synchronizationTime: time } }, o);
          changed = true;
        }
      }
      const account = await ds.accounts.get(accountRef(env.provider), o);
      const role = await env.provider.clients.authorization(env.provider.subscriptionId).ensureRoleAssignment(
        { scope: storageId(env.provider), role: 'StorageBlobDataReader', principalId: account.identity.principalId as string, principalType: 'ServicePrincipal', description: 'Data Share account reads the shared data' },
        { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 },
      );
      changed ||= role.created;
      return { changed, summary: changed ? `share ${env.plan.share.name} ready` : 'share already in place', resourceIds: [`${account.id}/shares/${env.plan.share.name}`] };
    },
  };
}

/** Evaluates the gate for the plan's datasets (reads Purview; writes nothing). */
export async function gateDecision(env: RecipeEnv, signal?: AbortSignal, datasets: readonly DataSetPlan[] = env.plan.share.datasets): Promise<GateDecision> {
  const assets = (await Promise.all(datasets.map((d) => classificationsOf(env, d, signal)))).flat();
  return evaluatePolicy(assets, { ...DEFAULT_POLICY, ...(env.plan.governance?.policy ?? {}) }, env.plan.governance?.justification);
}

export function gateStep(): S {
  return {
    id: 'governance.gate',
    title: 'Governance gate: classifications that may leave the tenant',
    dependsOn: ['share.create', 'provider.scan', 'provider.upload'],
    side: 'provider',
    plan: (env) => [
      { action: 'check', tenantId: env.provider.tenantId, resource: `${env.plan.share.datasets.length} dataset(s)`, detail: 'Purview classifications against the governance policy (scans first when never scanned)' },
      ...env.plan.share.datasets.filter((d) => rulesFileFor(env.plan, d)).map((d) => ({ action: 'check' as const, tenantId: env.provider.tenantId, resource: `${env.provider.plan.storageAccount}/${env.provider.plan.container}${d.path ? `/${d.path}` : ''}`, detail: `data quality of ${d.name} (rules ${rulesFileFor(env.plan, d)}); a failing rule blocks sharing` })),
    ],
    async execute(env, ctx) {
      const d = await gateDecision(env, ctx.signal);
      ctx.audit({ action: 'governance.decision', tenantId: env.provider.tenantId, outcome: d.decision === 'block' ? 'blocked' : 'allowed', governance: d, message: d.reasons.join('; ') });
      if (d.decision === 'block') {
        throw new UserFacingError(`The governance policy blocks sharing: ${d.reasons.join('; ')}.`, 'Remove the classified data from the datasets, or change the policy (or give a justification where the policy allows one), then run again.');
      }
      // Data quality (governance.quality): a failing rule throws here, before anything is shared.
      const quality = await qualityGate(env, ctx);
      const verdict = d.decision === 'allow' ? `allowed (${d.reasons.join('; ')})` : `allowed with justification: ${d.justification}`;
      return { changed: false, summary: quality ? `${verdict}; ${quality}` : verdict };
    },
  };
}

export function datasetBody(env: RecipeEnv, d: DataSetPlan): DataSetCreate {
  const loc = { resourceGroup: env.provider.plan.resourceGroup, storageAccountName: env.provider.plan.storageAccount, subscriptionId: env.provider.subscriptionId, containerName: env.provider.plan.container };
  if (d.kind === 'Container') return { kind: 'Container', properties: loc } as DataSetCreate;
  if (d.kind === 'Folder') return { kind: 'BlobFolder', properties: { ...loc, prefix: d.path as string } } as DataSetCreate;
  return { kind: 'Blob', properties: { ...loc, filePath: d.path as string } } as DataSetCreate;
}

export function datasetsStep(): S {
  return {
    id: 'share.datasets',
    title: 'Add the datasets to the share',
    dependsOn: ['governance.gate', 'governance.approval'],
    side: 'provider',
    plan: (env) => env.plan.share.datasets.map((d) => ({ action: 'create' as const, tenantId: env.provider.tenantId, resource: rgPath(env.provider, env.provider.plan.dataShareAccount, env.plan.share.name, d.name), detail: `${d.kind} dataset ${env.provider.plan.container}${d.path ? `/${d.path}` : ''}` })),
    async execute(env, ctx) {
      const ds = env.provider.clients.dataShare;
      let added = 0;
      for (const d of env.plan.share.datasets) {
        const ref = { ...shareRef(env), dataSetName: d.name };
        if (await getOrUndefined(() => ds.dataSets.get(ref, { abortSignal: ctx.signal }))) continue;
        await ds.dataSets.createOrUpdate(ref, datasetBody(env, d), { abortSignal: ctx.signal });
        await env.events?.publish('GovernedDataShare.DataSetAdded', subjects.dataSet(env, d.name), { share: env.plan.share.name, dataSet: d.name, kind: d.kind, container: env.provider.plan.container, path: d.path });
        added++;
      }
      return { changed: added > 0, summary: added ? `added ${added} dataset(s)` : 'datasets already in the share' };
    },
  };
}

/** Whom the invitation addresses: the plan's target, else the consumer's signed-in principal. */
export async function invitationTarget(env: RecipeEnv): Promise<InvitationTarget> {
  const inv = env.plan.invitation;
  if (inv.targetEmail) return { targetEmail: inv.targetEmail };
  if (inv.targetTenantId && inv.targetObjectId) return { targetActiveDirectoryId: inv.targetTenantId, targetObjectId: inv.targetObjectId };
  const me = await env.consumer.principal();
  return { targetActiveDirectoryId: env.consumer.tenantId, targetObjectId: me.objectId };
}

export function inviteStep(): S {
  return {
    id: 'share.invite',
    title: 'Invite the consumer',
    dependsOn: ['share.datasets', 'readiness', 'governance.approval'],
    side: 'provider',
    plan: (env) => [{ action: 'create', tenantId: env.provider.tenantId, resource: rgPath(env.provider, env.provider.plan.dataShareAccount, env.plan.share.name, env.plan.invitation.name), detail: `invitation to ${env.plan.invitation.targetEmail ?? `${env.plan.invitation.targetObjectId ?? 'the consumer principal'} in ${env.consumer.tenantId}`}${env.plan.invitation.expiresOn ? ` (expires ${env.plan.invitation.expiresOn})` : ''}` }],
    async execute(env, ctx) {
      const ds = env.provider.clients.dataShare;
      const ref = { ...shareRef(env), invitationName: env.plan.invitation.name };
      const existing = await getOrUndefined(() => ds.invitations.get(ref, { abortSignal: ctx.signal }));
      if (existing && existing.properties?.invitationStatus !== 'Withdrawn' && existing.properties?.invitationStatus !== 'Rejected') {
        return { changed: false, summary: `invitation already ${existing.properties?.invitationStatus ?? 'sent'}` };
      }
      const target = await invitationTarget(env);
      const created = await ds.invitations.createOrUpdate(ref, { properties: { ...target, ...(env.plan.invitation.expiresOn ? { expirationDate: new Date(env.plan.invitation.expiresOn).toISOString() } : {}) } as InvitationTarget }, { abortSignal: ctx.signal });
      await env.events?.publish('GovernedDataShare.InvitationSent', subjects.invitation(env), { share: env.plan.share.name, invitation: env.plan.invitation.name, invitationId: created.properties?.invitationId, consumerTenantId: env.consumer.tenantId, targetEmail: env.plan.invitation.targetEmail, expiresOn: env.plan.invitation.expiresOn });
      return { changed: true, summary: `invitation ${created.properties?.invitationId} sent`, resourceIds: [created.id ?? ''] };
    },
  };
}

/** The consumer's view of the invitation: by id from the provider's invitation. */
export async function findConsumerInvitation(env: RecipeEnv, signal?: AbortSignal): Promise<ConsumerInvitation | undefined> {
  const inv = await env.provider.clients.dataShare.invitations.get({ ...shareRef(env), invitationName: env.plan.invitation.name }, { abortSignal: signal });
  const id = inv.properties?.invitationId;
  for await (const ci of env.consumer.clients.dataShare.consumerInvitations.list({ abortSignal: signal })) {
    if (ci.properties.invitationId === id) return ci;
  }
  return undefined;
}

export function acceptStep(): S {
  return {
    id: 'consumer.accept',
    title: 'Accept the invitation (consumer)',
    dependsOn: ['share.invite', 'consumer.dataShareAccount'],
    side: 'consumer',
    plan: (env) => [{ action: 'create', tenantId: env.consumer.tenantId, resource: rgPath(env.consumer, env.consumer.plan.dataShareAccount, env.plan.subscription.name), detail: 'share subscription (accepts the invitation and its terms)' }],
    async execute(env, ctx) {
      const ds = env.consumer.clients.dataShare;
      const existing = await getOrUndefined(() => ds.shareSubscriptions.get(subscriptionRef(env), { abortSignal: ctx.signal }));
      if (existing) {
        if (existing.properties.shareSubscriptionStatus === 'Revoked') throw new UserFacingError(`The share subscription ${env.plan.subscription.name} was revoked by the provider.`, 'Ask the provider to reinstate it (Reinstate Consumer), then run again.');
        return { changed: false, summary: `share subscription already ${existing.properties.shareSubscriptionStatus ?? 'in place'}` };
      }
      const inv = await findConsumerInvitation(env, ctx.signal);
      if (!inv) throw new UserFacingError(`The invitation ${env.plan.invitation.name} is not visible to the consumer (${(await env.consumer.principal()).name}).`, 'Check that it was sent to this identity (email, or tenant id + object id) and has not expired or been withdrawn.');
      if (inv.properties.invitationStatus !== 'Pending') throw new UserFacingError(`The invitation is ${inv.properties.invitationStatus} and cannot be accepted.`, 'Ask the provider for a new invitation.');
      ctx.report(`accepting; terms of use: ${inv.properties.termsOfUse ?? '(none)'}`);
      const sub = await ds.shareSubscriptions.accept(subscriptionRef(env), { invitationId: inv.properties.invitationId, sourceShareLocation: inv.properties.location as string });
      await env.events?.publish('GovernedDataShare.InvitationAccepted', subjects.shareSubscription(env), { share: env.plan.share.name, shareSubscription: env.plan.subscription.name, invitationId: inv.properties.invitationId, consumerTenantId: env.consumer.tenantId });
      return { changed: true, summary: `accepted into ${sub.name}`, resourceIds: [sub.id ?? ''] };
    },
  };
}

export function mapStep(): S {
  return {
    id: 'consumer.map',
    title: 'Map the datasets to the consumer container',
    dependsOn: ['consumer.accept', 'consumer.storage'],
    side: 'consumer',
    plan: (env) => [
      { action: 'create', tenantId: env.consumer.tenantId, resource: rgPath(env.consumer, env.consumer.plan.storageAccount), detail: "role assignment: Storage Blob Data Contributor for the consumer Data Share account's identity" },
      ...env.plan.share.datasets.map((d) => ({ action: 'create' as const, tenantId: env.consumer.tenantId, resource: rgPath(env.consumer, env.consumer.plan.dataShareAccount, env.plan.subscription.name, `map-${d.name}`), detail: `${d.name} → ${env.consumer.plan.container}`, cost: 'received data is billed as storage in the consumer account' })),
    ],
    async execute(env, ctx) {
      const ds = env.consumer.clients.dataShare;
      const o = { abortSignal: ctx.signal };
      const account = await ds.accounts.get(accountRef(env.consumer), o);
      const role = await env.consumer.clients.authorization(env.consumer.subscriptionId).ensureRoleAssignment(
        { scope: storageId(env.consumer), role: 'StorageBlobDataContributor', principalId: account.identity.principalId as string, principalType: 'ServicePrincipal', description: 'Data Share account writes received data' },
        { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 },
      );
      let changed = role.created;
      const sources = (await ds.consumerSourceDataSets.listByShareSubscription(subscriptionRef(env), o).collect()).items;
      const existing = (await ds.dataSetMappings.listByShareSubscription(subscriptionRef(env), o).collect()).items;
      for (const d of env.plan.share.datasets) {
        const src = sources.find((s) => s.properties?.dataSetName === d.name);
        if (!src?.properties?.dataSetId) throw new UserFacingError(`The share has no dataset ${d.name} visible to the consumer.`, 'Check the provider added it, then run again.');
        if (existing.some((m) => (m.properties as { dataSetId?: string } | undefined)?.dataSetId === src.properties?.dataSetId)) continue;
        const loc = { dataSetId: src.properties.dataSetId, containerName: env.consumer.plan.container, resourceGroup: env.consumer.plan.resourceGroup, storageAccountName: env.consumer.plan.storageAccount, subscriptionId: env.consumer.subscriptionId };
        const body = (d.kind === 'Container' ? { kind: 'Container', properties: loc } : d.kind === 'Folder' ? { kind: 'BlobFolder', properties: { ...loc, prefix: d.path } } : { kind: 'Blob', properties: { ...loc, filePath: d.path } }) as DataSetMappingCreate;
        await ds.dataSetMappings.createOrUpdate({ ...subscriptionRef(env), dataSetMappingName: `map-${d.name}` }, body, o);
        changed = true;
      }
      return { changed, summary: changed ? `mapped ${env.plan.share.datasets.length} dataset(s) to ${env.consumer.plan.container}` : 'datasets already mapped' };
    },
  };
}

/**
 * Runs a snapshot and follows it to completion; returns it with its details (files, bytes,
 * duration). A successful snapshot updates the cross-tenant lineage in both catalogs (a lineage
 * failure is reported, never hides the snapshot's own outcome).
 */
export async function runSnapshot(env: RecipeEnv, mode: 'FullSync' | 'Incremental', ctx: Pick<StepContext, 'signal' | 'report'> & Partial<Pick<StepContext, 'audit'>>): Promise<{ sync: ShareSubscriptionSynchronization; files: number; bytes: number; lineageError?: string }> {
  // Data quality of the provider's datasets when the plan has rules (reuses this run's gate result).
  await snapshotQualityGate(env, ctx);
  const ds = env.consumer.clients.dataShare;
  ctx.report(`snapshot (${mode}) started`);
  const sync = await ds.shareSubscriptions.synchronizeAndWait(subscriptionRef(env), { synchronizationMode: mode, abortSignal: ctx.signal, intervalInMs: env.pollIntervalMs }).catch((e: unknown) => snapshotFailed(env, mode, e));
  const details = await syncDetails(env, sync.synchronizationId, ctx.signal);
  await env.events?.publish(sync.status === 'Succeeded' ? 'GovernedDataShare.SnapshotSucceeded' : 'GovernedDataShare.SnapshotFailed', `${subjects.shareSubscription(env)}/synchronizations/${sync.synchronizationId}`, { shareSubscription: env.plan.subscription.name, synchronizationId: sync.synchronizationId, mode, status: sync.status, message: sync.message, files: details.files, bytes: details.bytes, durationMs: sync.durationMs });
  let lineageError: string | undefined;
  if (sync.status === 'Succeeded') {
    await recordLineage(env, snapshotFactsOf(sync, mode), ctx.signal).catch((e: unknown) => {
      lineageError = (e as Error).message;
      ctx.report(`lineage not recorded: ${lineageError}`);
    });
  }
  return { sync, ...details, lineageError };
}

export async function syncDetails(env: RecipeEnv, synchronizationId: string, signal?: AbortSignal): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for await (const d of env.consumer.clients.dataShare.shareSubscriptions.listSynchronizationDetails(subscriptionRef(env), { synchronizationId }, { abortSignal: signal })) {
    files += d.filesWritten ?? 0;
    bytes += d.sizeWritten ?? 0;
  }
  return { files, bytes };
}

export function snapshotStep(): S {
  return {
    id: 'consumer.snapshot',
    title: 'Snapshot: copy the data to the consumer',
    dependsOn: ['consumer.map', 'governance.approval'],
    side: 'consumer',
    plan: (env) => [{ action: 'run', tenantId: env.consumer.tenantId, resource: rgPath(env.consumer, env.consumer.plan.dataShareAccount, env.plan.subscription.name), detail: `${env.plan.subscription.mode ?? 'FullSync'} snapshot when none succeeded yet`, cost: 'one snapshot execution and the data moved' }],
    async execute(env, ctx) {
      const ds = env.consumer.clients.dataShare;
      const history = (await ds.shareSubscriptions.listSynchronizations(subscriptionRef(env), { abortSignal: ctx.signal }).collect()).items;
      if (history.some((s) => s.status === 'Succeeded')) return { changed: false, summary: 'a snapshot already succeeded' };
      const running = history.find((s) => s.status === 'Queued' || s.status === 'InProgress' || s.status === 'Accepted');
      let sync: ShareSubscriptionSynchronization;
      let details: { files: number; bytes: number };
      if (running) {
        ctx.report('a snapshot is already running: waiting for it');
        sync = await waitSync(env, running.synchronizationId, ctx.signal);
        if (sync.status === 'Succeeded') await recordLineage(env, snapshotFactsOf(sync, 'FullSync'), ctx.signal).catch(() => undefined);
        details = await syncDetails(env, sync.synchronizationId, ctx.signal);
      } else {
        ({ sync, ...details } = await runSnapshot(env, env.plan.subscription.mode ?? 'FullSync', ctx));
      }
      if (sync.status !== 'Succeeded') throw new UserFacingError(`The snapshot ended ${sync.status}: ${sync.message ?? 'no details'}.`, 'Check the roles of both Data Share identities on their storage accounts, then run again.');
      ctx.audit({ action: 'snapshot.completed', tenantId: env.consumer.tenantId, outcome: 'succeeded', message: `${details.files} file(s), ${details.bytes} byte(s) in ${sync.durationMs ?? '?'} ms`, details: { files: details.files, bytes: details.bytes, synchronizationId: sync.synchronizationId } });
      return { changed: true, summary: `snapshot Succeeded: ${details.files} file(s), ${details.bytes} byte(s)` };
    },
  };
}

async function waitSync(env: RecipeEnv, id: string, signal: AbortSignal): Promise<ShareSubscriptionSynchronization> {
  for (;;) {
    const all = (await env.consumer.clients.dataShare.shareSubscriptions.listSynchronizations(subscriptionRef(env), { abortSignal: signal }).collect()).items;
    const s = all.find((x) => x.synchronizationId === id);
    if (!s || !['Queued', 'InProgress', 'Accepted'].includes(s.status ?? '')) return s ?? { synchronizationId: id, status: 'Unknown' };
    await new Promise((r) => setTimeout(r, env.pollIntervalMs));
  }
}

export function triggerStep(): S {
  return {
    id: 'consumer.trigger',
    title: "Turn the provider's schedule into a trigger",
    dependsOn: ['consumer.map'],
    side: 'consumer',
    plan: (env) => (env.plan.share.schedule && env.plan.subscription.trigger !== false ? [{ action: 'create' as const, tenantId: env.consumer.tenantId, resource: rgPath(env.consumer, env.consumer.plan.dataShareAccount, env.plan.subscription.name, TRIGGER_NAME), detail: 'scheduled snapshots (Incremental)', cost: 'each scheduled snapshot is billed' }] : []),
    async execute(env, ctx) {
      if (!env.plan.share.schedule || env.plan.subscription.trigger === false) return { changed: false, summary: 'no schedule to follow' };
      const ds = env.consumer.clients.dataShare;
      const ref = { ...subscriptionRef(env), triggerName: TRIGGER_NAME };
      if (await getOrUndefined(() => ds.triggers.get(ref, { abortSignal: ctx.signal }))) return { changed: false, summary: 'trigger already in place' };
      const settings = (await ds.shareSubscriptions.listSourceShareSynchronizationSettings(subscriptionRef(env), { abortSignal: ctx.signal }).collect()).items;
      const s = settings[0]?.properties;
      if (!s?.recurrenceInterval || !s.synchronizationTime) throw new UserFacingError('The provider has no snapshot schedule on this share.', 'Ask the provider to set one (Set Snapshot Schedule), or set subscription.trigger to false.');
      await ds.triggers.createOrUpdateAndWait(ref, { kind: 'ScheduleBased', properties: { recurrenceInterval: s.recurrenceInterval, synchronizationTime: s.synchronizationTime, synchronizationMode: 'Incremental' } }, { abortSignal: ctx.signal, intervalInMs: env.pollIntervalMs });
      return { changed: true, summary: `trigger follows the provider's ${s.recurrenceInterval === 'Day' ? 'daily' : 'hourly'} schedule` };
    },
  };
}
