/**
 * Purview in the recipe: register the storage account as a source in the account's root
 * collection, an MSI scan with a weekly trigger, run it and wait (only when it never succeeded);
 * read the classifications of shared assets (for the gate); and record cross-tenant lineage after
 * each snapshot: one Data Share snapshot Process per (share subscription, dataset) in BOTH
 * catalogs, linking the provider asset to the consumer asset by canonical qualifiedNames.
 */
import { randomUUID } from 'node:crypto';
import type { PurviewDataPlaneClient, ShareSubscriptionSynchronization } from '../../azure';
import { blobQualifiedName, SNAPSHOT_PROCESS_TYPE, snapshotProcessQualifiedName, snapshotProcessTypeDef, type SnapshotProcessAttributes } from '../../lineage/snapshotProcess';
import type { Step } from '../engine';
import type { RecipeEnv, SideEnv } from '../env';
import { UserFacingError } from '../errors';
import { subjects } from '../events';
import type { DataSetPlan } from '../plan';
import { getOrUndefined, subscriptionRef } from './common';

type S = Step<RecipeEnv>;
export const SOURCE_NAME = (s: SideEnv) => `gds-${s.plan.storageAccount}`;
export const SCAN_NAME = 'gds-weekly-msi';

export function purviewOf(s: SideEnv): PurviewDataPlaneClient | undefined {
  return s.plan.purviewAccount ? s.clients.purviewDataPlane(s.plan.purviewAccount) : undefined;
}

/** Succeeded scan runs of the recipe's scan, newest first. */
export async function scanHistory(pv: PurviewDataPlaneClient, s: SideEnv, signal?: AbortSignal): Promise<Array<{ id?: string; status?: string; endTime?: string }>> {
  const out: Array<{ id?: string; status?: string; endTime?: string }> = [];
  const scan = await getOrUndefined(() => pv.scanning.scans.get(SOURCE_NAME(s), SCAN_NAME, { abortSignal: signal }));
  if (!scan) return out;
  for await (const run of pv.scanning.runs.listHistory(SOURCE_NAME(s), SCAN_NAME, { abortSignal: signal })) out.push(run as { id?: string; status?: string; endTime?: string });
  return out;
}

export function scanStep(which: 'provider' | 'consumer', dependsOn: string[]): S {
  return {
    id: `${which}.scan`,
    title: `Register and scan the storage in Purview (${which})`,
    dependsOn,
    side: which,
    plan: (env) => {
      const s = env[which];
      if (!s.plan.purviewAccount) return [];
      return [
        { action: 'create', tenantId: s.tenantId, resource: `${s.plan.purviewAccount}/sources/${SOURCE_NAME(s)}`, detail: `storage ${s.plan.storageAccount} registered in the root collection` },
        { action: 'create', tenantId: s.tenantId, resource: `${s.plan.purviewAccount}/sources/${SOURCE_NAME(s)}/scans/${SCAN_NAME}`, detail: 'MSI scan (system rule set), weekly trigger' },
        { action: 'run', tenantId: s.tenantId, resource: `${s.plan.purviewAccount}/scans/${SCAN_NAME}`, detail: 'a full scan when none has succeeded yet', cost: 'scanning vCore-hours (~0.63 USD each)' },
      ];
    },
    async execute(env, ctx) {
      const s = env[which];
      const pv = purviewOf(s);
      if (!pv) return { changed: false, summary: 'no Purview account in the plan' };
      const o = { abortSignal: ctx.signal };
      const collection = { referenceName: s.plan.purviewAccount as string, type: 'CollectionReference' as const };
      let changed = false;
      const source = await getOrUndefined(() => pv.scanning.dataSources.get(SOURCE_NAME(s), o));
      if (!source) {
        await pv.scanning.dataSources.createOrReplace(SOURCE_NAME(s), { kind: 'AzureStorage', properties: { endpoint: `https://${s.plan.storageAccount}.blob.core.windows.net/`, collection } }, o);
        changed = true;
      }
      const scan = await getOrUndefined(() => pv.scanning.scans.get(SOURCE_NAME(s), SCAN_NAME, o));
      if (!scan) {
        await pv.scanning.scans.createOrReplace(SOURCE_NAME(s), SCAN_NAME, { kind: 'AzureStorageMsi', properties: { scanRulesetName: 'AzureStorage', scanRulesetType: 'System', collection } }, o);
        changed = true;
      }
      const trigger = await getOrUndefined(() => pv.scanning.triggers.get(SOURCE_NAME(s), SCAN_NAME, o));
      if (!trigger) {
        await pv.scanning.triggers.createOrReplace(SOURCE_NAME(s), SCAN_NAME, { properties: { scanLevel: 'Incremental', recurrence: { frequency: 'Week', interval: 1, startTime: '2026-01-04T03:00:00Z', schedule: { weekDays: ['Sunday'], hours: [3], minutes: [0] } } } }, o);
        changed = true;
      }
      const history = await scanHistory(pv, s, ctx.signal);
      const inFlight = history.find((r) => r.status === 'InProgress' || r.status === 'Queued' || r.status === 'Accepted');
      if (history.some((r) => r.status === 'Succeeded') && !(await needsRescan(env, which))) {
        return { changed, summary: 'already scanned' };
      }
      ctx.report(inFlight ? 'a scan is already running: waiting for it' : 'scanning');
      const runId = inFlight?.id ?? randomUUID();
      const run = inFlight
        ? await waitRun(pv, s, runId, env.pollIntervalMs, ctx.signal)
        : await pv.scanning.runs.runScanAndWait(SOURCE_NAME(s), SCAN_NAME, runId, { scanLevel: 'Full', abortSignal: ctx.signal, intervalInMs: env.pollIntervalMs });
      if (run.status !== 'Succeeded') {
        const err = (run as { error?: { message?: string } }).error;
        throw new UserFacingError(`The Purview scan of ${s.plan.storageAccount} ended ${run.status}: ${err?.message ?? 'no details'}`, `Check that the Purview account's identity has Storage Blob Data Reader on ${s.plan.storageAccount}, then run again.`);
      }
      return { changed: true, summary: `scan ${run.status}` };
    },
  };
}

/** The consumer re-scans when received data arrived after its last successful scan. */
async function needsRescan(env: RecipeEnv, which: 'provider' | 'consumer'): Promise<boolean> {
  if (which === 'provider') return false;
  const s = env.consumer;
  const pv = purviewOf(s);
  if (!pv) return false;
  const qn = blobQualifiedName(s.plan.storageAccount, s.plan.container);
  const found = await pv.dataMap.discovery.queryPage({ limit: 1, filter: { and: [{ attributeName: 'qualifiedName', operator: 'startsWith', attributeValue: `${qn}/` }, { objectType: 'Files' }] } });
  return (found['@search.count'] ?? 0) === 0;
}

async function waitRun(pv: PurviewDataPlaneClient, s: SideEnv, runId: string, interval: number, signal: AbortSignal) {
  for (;;) {
    const run = await pv.scanning.runs.getStatus(SOURCE_NAME(s), SCAN_NAME, runId, { abortSignal: signal });
    if (run.status && !['InProgress', 'Queued', 'Accepted'].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** qualifiedName of each dataset's asset in the provider's storage. */
export function datasetQualifiedName(env: RecipeEnv, d: DataSetPlan): string {
  return blobQualifiedName(env.provider.plan.storageAccount, env.provider.plan.container, d.kind === 'Container' ? undefined : d.path);
}

export function consumerQualifiedName(env: RecipeEnv, d: DataSetPlan): string {
  return blobQualifiedName(env.consumer.plan.storageAccount, env.consumer.plan.container, d.kind === 'Container' ? undefined : d.path);
}

/**
 * Classifications of everything a dataset would share (the asset and, for containers and folders,
 * the files under it), per file; undefined classifications when the catalog has none of it.
 */
export async function classificationsOf(env: RecipeEnv, d: DataSetPlan, signal?: AbortSignal): Promise<Array<{ qualifiedName: string; classifications: string[] | undefined }>> {
  const pv = purviewOf(env.provider);
  const qn = datasetQualifiedName(env, d);
  if (!pv) return [{ qualifiedName: qn, classifications: undefined }];
  const filter = d.kind === 'File'
    ? { attributeName: 'qualifiedName', operator: 'eq', attributeValue: qn }
    : { or: [{ attributeName: 'qualifiedName', operator: 'eq', attributeValue: qn }, { attributeName: 'qualifiedName', operator: 'startsWith', attributeValue: `${qn}/` }] };
  const out: Array<{ qualifiedName: string; classifications: string[] | undefined }> = [];
  for await (const hit of pv.dataMap.discovery.query({ limit: 1000, filter, abortSignal: signal } as never)) {
    const h = hit as { qualifiedName?: string; classification?: string[] };
    out.push({ qualifiedName: h.qualifiedName ?? qn, classifications: h.classification ?? [] });
  }
  return out.length ? out : [{ qualifiedName: qn, classifications: undefined }];
}

/** Ensures the snapshot Process type exists in one catalog (registered once). */
async function ensureTypeDef(pv: PurviewDataPlaneClient, signal?: AbortSignal): Promise<boolean> {
  const existing = await getOrUndefined(() => pv.dataMap.typeDefinitions.getByName(SNAPSHOT_PROCESS_TYPE, { abortSignal: signal }));
  if (existing) return false;
  await pv.dataMap.typeDefinitions.create(snapshotProcessTypeDef() as never, { abortSignal: signal });
  return true;
}

function assetTypeFor(d: DataSetPlan): string {
  return d.kind === 'Container' ? 'azure_blob_container' : 'azure_blob_path';
}

/** Upserts the asset if missing (a stub for the other tenant's asset), returns whether it wrote. */
async function ensureAsset(pv: PurviewDataPlaneClient, typeName: string, qualifiedName: string, name: string, remoteTenant: string | undefined, signal?: AbortSignal): Promise<boolean> {
  const existing = await getOrUndefined(() => pv.dataMap.entities.getByUniqueAttribute(typeName, qualifiedName, { abortSignal: signal, minExtInfo: true } as never));
  if (existing?.entity && existing.entity.status !== 'DELETED') return false;
  await pv.dataMap.entities.createOrUpdate({ entity: { typeName, attributes: { qualifiedName, name, ...(remoteTenant ? { description: `In tenant ${remoteTenant} (shared through Azure Data Share); recorded by Governed Data Share.` } : {}) } } }, { abortSignal: signal });
  return true;
}

export interface SnapshotFacts {
  synchronizationId: string;
  synchronizationMode: string;
  status: string;
  endTime: string;
}

/** Records (or updates) the snapshot processes in both catalogs; writes nothing when they already say the same. */
export async function recordLineage(env: RecipeEnv, sync: SnapshotFacts, signal?: AbortSignal): Promise<{ changed: boolean; written: number }> {
  let written = 0;
  for (const s of [env.provider, env.consumer]) {
    const pv = purviewOf(s);
    if (!pv) continue;
    if (await ensureTypeDef(pv, signal)) written++;
    for (const d of env.plan.share.datasets) {
      const attrs: SnapshotProcessAttributes = {
        providerTenantId: env.provider.tenantId,
        consumerTenantId: env.consumer.tenantId,
        providerAccountName: env.provider.plan.dataShareAccount,
        shareName: env.plan.share.name,
        consumerAccountName: env.consumer.plan.dataShareAccount,
        shareSubscriptionName: env.plan.subscription.name,
        dataSetName: d.name,
        synchronizationId: sync.synchronizationId,
        synchronizationMode: sync.synchronizationMode,
        synchronizationStatus: sync.status,
        snapshotTime: sync.endTime,
      };
      const type = assetTypeFor(d);
      const inQn = datasetQualifiedName(env, d);
      const outQn = consumerQualifiedName(env, d);
      const name = (q: string) => q.split('/').filter(Boolean).pop() ?? q;
      if (await ensureAsset(pv, type, inQn, name(inQn), s === env.consumer ? env.provider.tenantName : undefined, signal)) written++;
      if (await ensureAsset(pv, type, outQn, name(outQn), s === env.provider ? env.consumer.tenantName : undefined, signal)) written++;
      const qualifiedName = snapshotProcessQualifiedName(attrs);
      const current = await getOrUndefined(() => pv.dataMap.entities.getByUniqueAttribute(SNAPSHOT_PROCESS_TYPE, qualifiedName, { abortSignal: signal } as never));
      const cur = current?.entity?.attributes as Record<string, unknown> | undefined;
      const same = cur && current?.entity?.status !== 'DELETED' && (Object.keys(attrs) as Array<keyof SnapshotProcessAttributes>).every((k) => cur[k] === attrs[k]);
      if (same) continue;
      await pv.dataMap.entities.createOrUpdate(
        {
          entity: {
            typeName: SNAPSHOT_PROCESS_TYPE,
            attributes: {
              ...attrs,
              qualifiedName,
              name: `${env.plan.share.name} → ${env.plan.subscription.name} (${d.name})`,
              inputs: [{ typeName: type, uniqueAttributes: { qualifiedName: inQn } }],
              outputs: [{ typeName: type, uniqueAttributes: { qualifiedName: outQn } }],
            },
          },
        },
        { abortSignal: signal },
      );
      written++;
    }
  }
  if (written > 0) await env.events?.publish('GovernedDataShare.LineageRecorded', `${subjects.shareSubscription(env)}/synchronizations/${sync.synchronizationId}`, { synchronizationId: sync.synchronizationId, writes: written, dataSets: env.plan.share.datasets.map((d) => d.name), purviewAccounts: [env.provider.plan.purviewAccount, env.consumer.plan.purviewAccount].filter(Boolean) });
  return { changed: written > 0, written };
}

export function lineageStep(): S {
  return {
    id: 'lineage.link',
    title: 'Record cross-tenant lineage in both Purview accounts',
    dependsOn: ['consumer.snapshot', 'provider.scan', 'consumer.scan'],
    side: 'both',
    plan: (env) =>
      [env.provider, env.consumer].filter((s) => s.plan.purviewAccount).map((s) => ({ action: 'update' as const, tenantId: s.tenantId, resource: `${s.plan.purviewAccount}/${SNAPSHOT_PROCESS_TYPE}`, detail: `one snapshot process per dataset (${env.plan.share.datasets.length}), updated after each snapshot` })),
    async execute(env, ctx) {
      if (!env.provider.plan.purviewAccount && !env.consumer.plan.purviewAccount) return { changed: false, summary: 'no Purview account in the plan: no lineage to record' };
      const last = await lastSucceededSync(env, ctx.signal);
      if (!last) throw new UserFacingError('No successful snapshot to record lineage for.', 'Run a snapshot first.');
      const r = await recordLineage(env, last, ctx.signal);
      return { changed: r.changed, summary: r.changed ? `lineage recorded (${r.written} write(s))` : 'lineage already recorded' };
    },
  };
}

/** What the lineage records of a synchronization (its mode, when the service leaves it out, is `mode`). */
export function snapshotFactsOf(sync: ShareSubscriptionSynchronization, mode: string): SnapshotFacts {
  return { synchronizationId: sync.synchronizationId, synchronizationMode: sync.synchronizationMode ?? mode, status: sync.status ?? 'Succeeded', endTime: sync.endTime ?? sync.startTime ?? new Date().toISOString() };
}

export async function lastSucceededSync(env: RecipeEnv, signal?: AbortSignal): Promise<SnapshotFacts | undefined> {
  let best: SnapshotFacts | undefined;
  for await (const s of env.consumer.clients.dataShare.shareSubscriptions.listSynchronizations(subscriptionRef(env), { abortSignal: signal })) {
    if (s.status !== 'Succeeded' || !s.synchronizationId) continue;
    const facts = snapshotFactsOf(s, 'Incremental');
    if (!best || facts.endTime > best.endTime) best = facts;
  }
  return best;
}
