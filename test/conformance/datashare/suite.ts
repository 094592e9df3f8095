/**
 * Data Share replay suite: which tenant each example runs in, and the setup that creates what the
 * example refers to (resource group, registration, storage accounts, role assignments, accounts,
 * shares, data sets, invitations, accepted share subscriptions, mappings, a finished snapshot...)
 * through plain HTTPS requests to the target. Setups are idempotent "ensure" steps, so examples
 * can run alone or in any order; the engine's ordering still puts deletes last.
 *
 * Names follow the examples (SampleResourceGroup, Account1, Share1, ShareSubscription1, ...).
 * Where an example value cannot exist in the target it is substituted (ids, GUIDs, emails,
 * locations, storage account names, which are global), and dates in request bodies move into
 * the future (an expirationDate of 2020 would be rejected).
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import * as path from 'node:path';
import { StorageSharedKeyCredential, BlobServiceClient } from '@azure/storage-blob';
import { pipelineTrusting } from '../../../src/sandbox/core/blobs';
import type { ExampleFile, Substitution } from '../engine/example';
import { type HttpResponse, httpRequest, pollLro } from '../engine/http';
import type { CasePlan, ExampleSuite, ReplayCase, ReplayTarget } from '../engine/replay';
import { defaultOrder } from '../engine/replay';
import type { TargetDescription } from '../engine/target';

/* eslint-disable @typescript-eslint/no-explicit-any */
export const DS_API = '2021-08-01';
const RESOURCES_API = '2021-04-01';
const STORAGE_API = '2023-05-01';
const AUTHZ_API = '2022-04-01';
const READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
const CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';

const RG = 'SampleResourceGroup';
const LOCATION = 'West US 2';
const SHORT_LOCATION = 'westus2';
const P_STORAGE = 'storage2';
const C_STORAGE = 'cstorage2';
const SOURCE_CONTAINER = 'conformance';
const TARGET_CONTAINER = 'received';
const SYNC_DATASET = 'SyncData';
const SYNC_MAPPING = 'SyncMapping';
const REVOKE_SHARE = 'RevokeShare';
const SYNC_BLOB = 'sales/2024.csv';

interface Tenant {
  role: 'provider' | 'consumer';
  tenantId: string;
  displayName: string;
  subscriptionId: string;
  email: string;
}

export class DataShareWorld {
  readonly P: Tenant;
  readonly C: Tenant;
  private readonly registered = new Set<string>();
  private readonly done = new Set<string>();

  constructor(readonly target: ReplayTarget & { description: TargetDescription }) {
    const d = target.description;
    if (d.tenants.length < 2) throw new Error('the Data Share replay needs two tenants (provider and consumer) in the target');
    const mk = (i: number, role: Tenant['role']): Tenant => ({
      role,
      tenantId: d.tenants[i].tenantId,
      displayName: d.tenants[i].displayName,
      subscriptionId: d.tenants[i].subscriptions[0].subscriptionId,
      email: d.tenants[i].users[0]?.email ?? '',
    });
    this.P = mk(0, 'provider');
    this.C = mk(1, 'consumer');
  }

  // ---- plain ARM calls --------------------------------------------------------------------------

  async arm(t: Tenant, method: string, p: string, body?: unknown, apiVersion = DS_API): Promise<HttpResponse> {
    const token = await this.target.getToken(t.tenantId);
    const url = `${this.target.armEndpoint}${p}${p.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
    return httpRequest(url, { method, body, headers: { authorization: `Bearer ${token}` }, ca: this.target.ca });
  }

  /** A call that must succeed; long-running answers are followed to the end. */
  async ok(t: Tenant, method: string, p: string, body?: unknown, apiVersion = DS_API): Promise<any> {
    const res = await this.arm(t, method, p, body, apiVersion);
    if (res.status >= 400) throw new Error(`setup: ${method} ${p} -> ${res.status} ${res.text.slice(0, 500)}`);
    if ((res.status === 201 || res.status === 202) && (res.headers['azure-asyncoperation'] || res.headers.location)) {
      const outcome = await pollLro(res, { token: await this.target.getToken(t.tenantId), ca: this.target.ca });
      if (outcome.status !== 'Succeeded') throw new Error(`setup: ${method} ${p} ended ${outcome.status}: ${JSON.stringify(outcome.error)}`);
      return outcome.result ?? res.body;
    }
    return res.body;
  }

  async get(t: Tenant, p: string, apiVersion = DS_API): Promise<any | undefined> {
    const res = await this.arm(t, 'GET', p, undefined, apiVersion);
    if (res.status === 404) return undefined;
    if (res.status >= 400) throw new Error(`setup: GET ${p} -> ${res.status} ${res.text.slice(0, 500)}`);
    return res.body;
  }

  async remove(t: Tenant, p: string, apiVersion = DS_API): Promise<void> {
    const res = await this.arm(t, 'DELETE', p, undefined, apiVersion);
    if (res.status === 404 || res.status === 204) return;
    if (res.status >= 400) throw new Error(`setup: DELETE ${p} -> ${res.status} ${res.text.slice(0, 500)}`);
    if (res.status === 202) {
      const outcome = await pollLro(res, { token: await this.target.getToken(t.tenantId), ca: this.target.ca });
      if (outcome.status !== 'Succeeded') throw new Error(`setup: DELETE ${p} ended ${outcome.status}`);
    }
  }

  // ---- paths ------------------------------------------------------------------------------------

  rgPath(t: Tenant): string {
    return `/subscriptions/${t.subscriptionId}/resourceGroups/${RG}`;
  }
  account(t: Tenant, name = 'Account1'): string {
    return `${this.rgPath(t)}/providers/Microsoft.DataShare/accounts/${name}`;
  }
  share(name = 'Share1', account = 'Account1'): string {
    return `${this.account(this.P, account)}/shares/${name}`;
  }
  ss(name: string, account = 'Account1'): string {
    return `${this.account(this.C, account)}/shareSubscriptions/${name}`;
  }
  storageId(t: Tenant, name: string): string {
    return `${this.rgPath(t)}/providers/Microsoft.Storage/storageAccounts/${name}`;
  }

  // ---- ensure steps -----------------------------------------------------------------------------

  async ensureBase(t: Tenant): Promise<void> {
    if (this.registered.has(t.tenantId)) return;
    for (const ns of ['Microsoft.DataShare', 'Microsoft.Storage']) {
      await this.ok(t, 'POST', `/subscriptions/${t.subscriptionId}/providers/${ns}/register`, undefined, RESOURCES_API);
    }
    await this.ok(t, 'PUT', `/subscriptions/${t.subscriptionId}/resourcegroups/${RG}`, { location: SHORT_LOCATION }, RESOURCES_API);
    this.registered.add(t.tenantId);
  }

  async ensureStorage(t: Tenant, name: string): Promise<void> {
    await this.ensureBase(t);
    if (await this.get(t, this.storageId(t, name), STORAGE_API)) return;
    await this.ok(t, 'PUT', this.storageId(t, name), { location: SHORT_LOCATION, kind: 'StorageV2', sku: { name: 'Standard_LRS' } }, STORAGE_API);
  }

  async ensureContainer(t: Tenant, account: string, container: string): Promise<void> {
    await this.ensureStorage(t, account);
    await this.ok(t, 'PUT', `${this.storageId(t, account)}/blobServices/default/containers/${container}`, { properties: {} }, STORAGE_API);
  }

  /** Puts one blob in a container through the storage data plane (shared key from listKeys). */
  async uploadBlob(t: Tenant, account: string, container: string, name: string, content: string): Promise<void> {
    const client = await this.blobService(t, account);
    const body = Buffer.from(content);
    await client.getContainerClient(container).getBlockBlobClient(name).upload(body, body.length);
  }

  /** Names of the blobs in a container (storage data plane, shared key). */
  async blobNames(t: Tenant, account: string, container: string): Promise<string[]> {
    const client = await this.blobService(t, account);
    const names: string[] = [];
    for await (const b of client.getContainerClient(container).listBlobsFlat()) names.push(b.name);
    return names;
  }

  private async blobService(t: Tenant, account: string): Promise<BlobServiceClient> {
    const acct = await this.ok(t, 'GET', this.storageId(t, account), undefined, STORAGE_API);
    const keys = await this.ok(t, 'POST', `${this.storageId(t, account)}/listKeys`, undefined, STORAGE_API);
    const cred = new StorageSharedKeyCredential(account, String(keys.keys[0].value));
    return new BlobServiceClient(String(acct.properties.primaryEndpoints.blob), pipelineTrusting(cred, new https.Agent({ ca: this.target.ca })));
  }

  async grant(t: Tenant, scope: string, principalId: string, roleId: string): Promise<void> {
    const key = `${scope}|${principalId}|${roleId}`.toLowerCase();
    if (this.done.has(key)) return;
    const id = cryptoGuid();
    const res = await this.arm(t, 'PUT', `${scope}/providers/Microsoft.Authorization/roleAssignments/${id}`, {
      properties: { roleDefinitionId: `/subscriptions/${t.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`, principalId, principalType: 'ServicePrincipal' },
    }, AUTHZ_API);
    if (res.status >= 400 && (res.body as any)?.error?.code !== 'RoleAssignmentExists') throw new Error(`setup: role assignment -> ${res.status} ${res.text}`);
    this.done.add(key);
  }

  async ensureAccount(t: Tenant, name = 'Account1'): Promise<any> {
    await this.ensureBase(t);
    const existing = await this.get(t, this.account(t, name));
    if (existing) return existing;
    return this.ok(t, 'PUT', this.account(t, name), { location: LOCATION, tags: { tag1: 'Red', tag2: 'White' }, identity: { type: 'SystemAssigned' } });
  }

  async ensureShare(name = 'Share1', shareKind = 'CopyBased', account = 'Account1'): Promise<any> {
    await this.ensureAccount(this.P, account);
    const existing = await this.get(this.P, this.share(name, account));
    if (existing) return existing;
    return this.ok(this.P, 'PUT', this.share(name, account), { properties: { description: 'share description', terms: 'Confidential', shareKind } });
  }

  /** A data set with exactly this kind (re-created when a replay left another kind under the name). */
  async ensureDataSet(name: string, body: { kind: string; properties: Record<string, unknown> }, share = 'Share1'): Promise<any> {
    await this.ensureShare(share, body.kind.startsWith('Kusto') ? 'InPlace' : 'CopyBased');
    const p = `${this.share(share)}/dataSets/${name}`;
    const existing = await this.get(this.P, p);
    if (existing && existing.kind === body.kind) return existing;
    if (existing) await this.remove(this.P, p);
    return this.ok(this.P, 'PUT', p, body);
  }

  blobDataSet(): { kind: string; properties: Record<string, unknown> } {
    return { kind: 'Blob', properties: { storageAccountName: P_STORAGE, filePath: 'file21', containerName: 'C1', subscriptionId: this.P.subscriptionId, resourceGroup: RG } };
  }

  async ensureBlobDataSet(): Promise<any> {
    await this.ensureStorage(this.P, P_STORAGE);
    return this.ensureDataSet('Dataset1', this.blobDataSet());
  }

  sqlDataSet(kind: 'SqlDBTable' | 'SqlDWTable' | 'SynapseWorkspaceSqlPoolTable'): { kind: string; properties: Record<string, unknown> } {
    const sub = this.P.subscriptionId;
    if (kind === 'SqlDBTable') return { kind, properties: { sqlServerResourceId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Sql/servers/Server1`, databaseName: 'SqlDB1', tableName: 'Table1', schemaName: 'dbo' } };
    if (kind === 'SqlDWTable') return { kind, properties: { sqlServerResourceId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Sql/servers/Server1`, dataWarehouseName: 'DataWarehouse1', tableName: 'Table1', schemaName: 'dbo' } };
    return { kind, properties: { synapseWorkspaceSqlPoolTableResourceId: `/subscriptions/${sub}/resourceGroups/${RG}/providers/Microsoft.Synapse/workspaces/ExampleWorkspace/sqlPools/ExampleSqlPool/schemas/dbo/tables/table1` } };
  }

  async ensureSyncSetting(name = 'SynchronizationSetting1'): Promise<any> {
    await this.ensureShare();
    const p = `${this.share()}/synchronizationSettings/${name}`;
    return (await this.get(this.P, p)) ?? this.ok(this.P, 'PUT', p, { kind: 'ScheduleBased', properties: { synchronizationTime: '2018-11-14T04:47:52.9614956Z', recurrenceInterval: 'Day' } });
  }

  /** A fresh Pending invitation on Share1 for the consumer's user; returns the invitation. */
  async freshInvitation(name: string, share = 'Share1'): Promise<any> {
    await this.ensureShare(share);
    const p = `${this.share(share)}/invitations/${name}`;
    await this.remove(this.P, p);
    return this.ok(this.P, 'PUT', p, { properties: { targetEmail: this.C.email, expirationDate: inDays(365) } });
  }

  async ensureInvitation(name: string): Promise<any> {
    await this.ensureShare();
    const p = `${this.share()}/invitations/${name}`;
    return (await this.get(this.P, p)) ?? this.ok(this.P, 'PUT', p, { properties: { targetEmail: this.C.email, expirationDate: inDays(365) } });
  }

  /** An accepted, Active share subscription of `share` (default Share1) in a consumer account. */
  async ensureShareSubscription(name: string, account = 'Account1', share = 'Share1'): Promise<any> {
    await this.ensureAccount(this.C, account);
    if (share === 'Share1') await this.ensureBlobDataSet();
    else await this.ensureShare(share);
    const p = this.ss(name, account);
    const existing = await this.get(this.C, p);
    if (existing && existing.properties.shareSubscriptionStatus === 'Active' && existing.properties.shareName === share) return existing;
    if (existing) await this.remove(this.C, p);
    const inv = await this.freshInvitation(`inv-${account}-${name}`, share);
    return this.ok(this.C, 'PUT', p, { properties: { invitationId: inv.properties.invitationId, sourceShareLocation: SHORT_LOCATION, expirationDate: inDays(180) } });
  }

  /**
   * The provider-side record of the consumer's `RevokeTarget` subscription. It subscribes to a
   * share of its own (`RevokeShare`), so revoking it blocks no other example.
   */
  async revocable(): Promise<any> {
    await this.ensureShareSubscription('RevokeTarget', 'Account1', REVOKE_SHARE);
    const list = await this.ok(this.P, 'GET', `${this.share(REVOKE_SHARE)}/providerShareSubscriptions`);
    const all = list.value as any[];
    if (all.length === 0) throw new Error('setup: the provider sees no share subscription of RevokeShare');
    return all[all.length - 1];
  }

  async ensureMapping(ssName: string, name: string, account = 'Account1'): Promise<any> {
    const ds = await this.ensureBlobDataSet();
    await this.ensureShareSubscription(ssName, account);
    await this.ensureStorage(this.C, C_STORAGE);
    const p = `${this.ss(ssName, account)}/dataSetMappings/${name}`;
    const existing = await this.get(this.C, p);
    if (existing && existing.kind === 'Blob' && existing.properties.dataSetId === ds.properties.dataSetId) return existing;
    await this.clearMappingsOf(ssName, account, ds.properties.dataSetId);
    return this.ok(this.C, 'PUT', p, { kind: 'Blob', properties: { dataSetId: ds.properties.dataSetId, containerName: 'C1', filePath: 'file21', storageAccountName: C_STORAGE, resourceGroup: RG, subscriptionId: this.C.subscriptionId } });
  }

  /** Deletes the mappings of a share subscription that map `dataSetId` (or all but `keep`). */
  async clearMappingsOf(ssName: string, account: string, dataSetId?: string, keep?: string): Promise<void> {
    const list = await this.get(this.C, `${this.ss(ssName, account)}/dataSetMappings`);
    for (const m of (list?.value ?? []) as any[]) {
      if (keep !== undefined ? m.name !== keep : m.properties.dataSetId === dataSetId) await this.remove(this.C, `${this.ss(ssName, account)}/dataSetMappings/${m.name}`);
    }
  }

  async ensureTrigger(ssName: string, name: string): Promise<any> {
    await this.ensureSyncSetting();
    await this.ensureShareSubscription(ssName);
    const p = `${this.ss(ssName)}/triggers/${name}`;
    return (await this.get(this.C, p)) ?? this.ok(this.C, 'PUT', p, { kind: 'ScheduleBased', properties: { synchronizationTime: '2018-11-14T04:47:52.9614956Z', recurrenceInterval: 'Day', synchronizationMode: 'Incremental' } });
  }

  /**
   * A share subscription that can take a snapshot that succeeds: a container data set with one
   * real blob, the roles the two account identities need, one container mapping, nothing else.
   */
  async ensureSyncReady(ssName: string, account = 'Account1'): Promise<void> {
    const pAccount = await this.ensureAccount(this.P);
    await this.ensureContainer(this.P, P_STORAGE, SOURCE_CONTAINER);
    if (!this.done.has('uploaded')) {
      await this.uploadBlob(this.P, P_STORAGE, SOURCE_CONTAINER, SYNC_BLOB, 'id,amount\n1,10\n2,20\n');
      this.done.add('uploaded');
    }
    await this.grant(this.P, this.storageId(this.P, P_STORAGE), pAccount.identity.principalId, READER);
    const ds = await this.ensureDataSet(SYNC_DATASET, { kind: 'Container', properties: { containerName: SOURCE_CONTAINER, storageAccountName: P_STORAGE, resourceGroup: RG, subscriptionId: this.P.subscriptionId } });
    await this.ensureShareSubscription(ssName, account);
    const cAccount = await this.ensureAccount(this.C, account);
    await this.ensureStorage(this.C, C_STORAGE);
    await this.grant(this.C, this.storageId(this.C, C_STORAGE), cAccount.identity.principalId, CONTRIBUTOR);
    await this.clearMappingsOf(ssName, account, undefined, SYNC_MAPPING);
    const p = `${this.ss(ssName, account)}/dataSetMappings/${SYNC_MAPPING}`;
    const existing = await this.get(this.C, p);
    if (!existing || existing.properties.dataSetId !== ds.properties.dataSetId) {
      await this.ok(this.C, 'PUT', p, { kind: 'Container', properties: { dataSetId: ds.properties.dataSetId, containerName: TARGET_CONTAINER, storageAccountName: C_STORAGE, resourceGroup: RG, subscriptionId: this.C.subscriptionId } });
    }
  }

  /** The id of a finished, successful snapshot of the share subscription (taking one if needed). */
  async ensureCompletedSync(ssName: string, account = 'Account1'): Promise<string> {
    await this.ensureSyncReady(ssName, account);
    const runs = await this.ok(this.C, 'POST', `${this.ss(ssName, account)}/listSynchronizations`);
    const done = (runs.value as any[]).find((r) => r.status === 'Succeeded');
    if (done) return String(done.synchronizationId);
    const started = await this.arm(this.C, 'POST', `${this.ss(ssName, account)}/synchronize`, { synchronizationMode: 'FullSync' });
    if (started.status !== 202 && started.status !== 200) throw new Error(`setup: synchronize -> ${started.status} ${started.text}`);
    const outcome = await pollLro(started, { token: await this.target.getToken(this.C.tenantId), ca: this.target.ca });
    if (outcome.status !== 'Succeeded') throw new Error(`setup: the snapshot ended ${outcome.status}: ${JSON.stringify(outcome.error)}`);
    return String((started.body as any).synchronizationId);
  }
}

function cryptoGuid(): string {
  return crypto.randomUUID();
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString();
}

// ---- substitutions ------------------------------------------------------------------------------

/** Every subscription id the example mentions (path parameter, body fields, inside resource ids). */
function exampleSubscriptionIds(example: ExampleFile): string[] {
  const found = new Set<string>();
  const visit = (v: unknown, key?: string) => {
    if (typeof v === 'string') {
      if (key === 'subscriptionId') found.add(v);
      for (const m of v.matchAll(/\/subscriptions\/([^/]+)/gi)) found.add(m[1]);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  visit(example.parameters);
  return [...found];
}

function subscriptionSubs(c: ReplayCase, t: Tenant): Substitution[] {
  return exampleSubscriptionIds(c.example).map((from) => ({ from, to: t.subscriptionId, mode: 'substring' as const }));
}

const exact = (from: string, to: string): Substitution => ({ from, to, mode: 'exact' });

/** Replaces every `expirationDate` in a request body by a date `days` ahead. */
function futureExpiry(days: number): (body: unknown) => unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = k === 'expirationDate' ? inDays(days) : walk(x);
      return out;
    }
    return v;
  };
  return walk;
}

function bodyValue(c: ReplayCase, ...keys: string[]): string {
  let v: any = c.example.parameters;
  for (const k of keys) v = v?.[k];
  if (typeof v !== 'string') throw new Error(`${c.name}: example has no ${keys.join('.')}`);
  return v;
}

// ---- the per-example setups -----------------------------------------------------------------------

type Setup = (c: ReplayCase, w: DataShareWorld) => Promise<CasePlan>;

const provider = (c: ReplayCase, w: DataShareWorld, extra: Partial<CasePlan> = {}): CasePlan => ({
  tenantId: w.P.tenantId,
  ...extra,
  substitutions: [...subscriptionSubs(c, w.P), ...(extra.substitutions ?? [])],
});

const consumer = (c: ReplayCase, w: DataShareWorld, extra: Partial<CasePlan> = {}): CasePlan => ({
  tenantId: w.C.tenantId,
  ...extra,
  substitutions: [...subscriptionSubs(c, w.C), ...(extra.substitutions ?? [])],
});

const SQL_CREATES: Record<string, 'SqlDBTable' | 'SqlDWTable' | 'SynapseWorkspaceSqlPoolTable'> = {
  DataSets_SqlDBTable_Create: 'SqlDBTable',
  DataSets_SqlDWTable_Create: 'SqlDWTable',
  DataSets_SynapseWorkspaceSqlPoolTable_Create: 'SynapseWorkspaceSqlPoolTable',
};

async function mappingCreate(c: ReplayCase, w: DataShareWorld, source: { name: string; body: { kind: string; properties: Record<string, unknown> } }, account = 'Account1'): Promise<CasePlan> {
  const ds = await w.ensureDataSet(source.name, source.body);
  const ssName = String(c.example.parameters.shareSubscriptionName);
  await w.ensureShareSubscription(ssName, account);
  await w.ensureStorage(w.C, C_STORAGE);
  const mappingName = String(c.example.parameters.dataSetMappingName);
  await w.remove(w.C, `${w.ss(ssName, account)}/dataSetMappings/${mappingName}`);
  await w.clearMappingsOf(ssName, account, ds.properties.dataSetId);
  return consumer(c, w, { substitutions: [exact(bodyValue(c, 'dataSetMapping', 'properties', 'dataSetId'), ds.properties.dataSetId), exact(P_STORAGE, C_STORAGE)] });
}

export const setups: Record<string, Setup> = {
  Operations_List: (c, w) => Promise.resolve(provider(c, w)),

  // accounts
  Accounts_Create: async (c, w) => {
    await w.ensureBase(w.P);
    return provider(c, w);
  },
  Accounts_Get: async (c, w) => (await w.ensureAccount(w.P), provider(c, w)),
  Accounts_Update: async (c, w) => (await w.ensureAccount(w.P), provider(c, w)),
  Accounts_ListByResourceGroup: async (c, w) => (await w.ensureAccount(w.P), provider(c, w)),
  Accounts_ListBySubscription: async (c, w) => (await w.ensureAccount(w.P), provider(c, w)),
  Accounts_Delete: async (c, w) => (await w.ensureAccount(w.P), provider(c, w)),

  // shares
  Shares_Create: async (c, w) => {
    await w.ensureAccount(w.P);
    await w.remove(w.P, w.share());
    return provider(c, w);
  },
  Shares_Get: async (c, w) => (await w.ensureShare(), provider(c, w)),
  Shares_ListByAccount: async (c, w) => (await w.ensureShare(), provider(c, w)),
  Shares_Delete: async (c, w) => (await w.ensureShare(), provider(c, w)),
  Shares_ListSynchronizations: async (c, w) => {
    await w.ensureCompletedSync('ShareSub1');
    return provider(c, w, { overrides: { $filter: `consumerTenantName eq '${w.C.displayName}'` } });
  },
  Shares_ListSynchronizationDetails: async (c, w) => {
    const id = await w.ensureCompletedSync('ShareSub1');
    return provider(c, w, { substitutions: [exact(bodyValue(c, 'shareSynchronization', 'synchronizationId'), id)], overrides: { $filter: `name eq '${SYNC_DATASET}'` } });
  },

  // data sets
  DataSets_Create: async (c, w) => {
    await w.ensureShare();
    await w.ensureStorage(w.P, P_STORAGE);
    await w.remove(w.P, `${w.share()}/dataSets/Dataset1`);
    return provider(c, w);
  },
  DataSets_KustoCluster_Create: (c, w) => kustoCreate(c, w),
  DataSets_KustoDatabase_Create: (c, w) => kustoCreate(c, w),
  DataSets_KustoTable_Create: (c, w) => kustoCreate(c, w),
  DataSets_SqlDBTable_Create: (c, w) => sqlCreate(c, w),
  DataSets_SqlDWTable_Create: (c, w) => sqlCreate(c, w),
  DataSets_SynapseWorkspaceSqlPoolTable_Create: (c, w) => sqlCreate(c, w),
  DataSets_Get: async (c, w) => (await w.ensureBlobDataSet(), provider(c, w)),
  DataSets_ListByShare: async (c, w) => (await w.ensureBlobDataSet(), provider(c, w)),
  DataSets_Delete: async (c, w) => (await w.ensureBlobDataSet(), provider(c, w)),

  // synchronization settings
  SynchronizationSettings_Create: async (c, w) => {
    await w.ensureShare();
    await w.remove(w.P, `${w.share()}/synchronizationSettings/${String(c.example.parameters.synchronizationSettingName)}`);
    return provider(c, w);
  },
  SynchronizationSettings_Get: async (c, w) => (await w.ensureSyncSetting(), provider(c, w)),
  SynchronizationSettings_ListByShare: async (c, w) => (await w.ensureSyncSetting(), provider(c, w)),
  SynchronizationSettings_Delete: async (c, w) => (await w.ensureSyncSetting(), provider(c, w)),

  // invitations
  Invitations_Create: async (c, w) => {
    await w.ensureShare();
    await w.remove(w.P, `${w.share()}/invitations/Invitation1`);
    return provider(c, w, { substitutions: [exact(bodyValue(c, 'invitation', 'properties', 'targetEmail'), w.C.email)], transformBody: futureExpiry(365) });
  },
  Invitations_Get: async (c, w) => (await w.ensureInvitation('Invitation1'), provider(c, w)),
  Invitations_ListByShare: async (c, w) => {
    await w.ensureInvitation('Invitation1');
    return provider(c, w, { substitutions: [{ from: 'johnsmith@microsoft.com', to: w.C.email, mode: 'substring' }] });
  },
  Invitations_Delete: async (c, w) => (await w.ensureInvitation('Invitation1'), provider(c, w)),

  // provider share subscriptions (on a dedicated consumer subscription, so revoking it blocks nothing else)
  ProviderShareSubscriptions_ListByShare: async (c, w) => (await w.revocable(), provider(c, w, { overrides: { shareName: REVOKE_SHARE } })),
  ProviderShareSubscriptions_GetByShare: (c, w) => psubCase(c, w),
  ProviderShareSubscriptions_Adjust: async (c, w) => ({ ...(await psubCase(c, w)), transformBody: futureExpiry(200) }),
  ProviderShareSubscriptions_Revoke: (c, w) => psubCase(c, w),
  ProviderShareSubscriptions_Reinstate: async (c, w) => {
    const plan = await psubCase(c, w);
    const id = plan.overrides!.providerShareSubscriptionId as string;
    await w.ok(w.P, 'POST', `${w.share(REVOKE_SHARE)}/providerShareSubscriptions/${id}/revoke`);
    return { ...plan, transformBody: futureExpiry(200) };
  },

  // consumer invitations
  ConsumerInvitations_ListInvitations: async (c, w) => (await w.freshInvitation('inv-listed'), consumer(c, w)),
  ConsumerInvitations_Get: async (c, w) => {
    const inv = await w.freshInvitation('inv-get');
    return consumer(c, w, { substitutions: [exact(String(c.example.parameters.invitationId), inv.properties.invitationId), exact(String(c.example.parameters.location), SHORT_LOCATION)] });
  },
  ConsumerInvitations_RejectInvitation: async (c, w) => {
    const inv = await w.freshInvitation('inv-reject');
    return consumer(c, w, { substitutions: [exact(bodyValue(c, 'invitation', 'properties', 'invitationId'), inv.properties.invitationId), exact(String(c.example.parameters.location), SHORT_LOCATION)] });
  },
  EmailRegistrations_RegisterEmail: async (c, w) => consumer(c, w, { substitutions: [exact(String(c.example.parameters.location), SHORT_LOCATION)] }),

  // share subscriptions
  ShareSubscriptions_Create: async (c, w) => {
    await w.ensureAccount(w.C);
    await w.ensureBlobDataSet();
    await w.remove(w.C, w.ss('ShareSubscription1'));
    const inv = await w.freshInvitation('inv-Account1-ShareSubscription1');
    return consumer(c, w, {
      substitutions: [exact(bodyValue(c, 'shareSubscription', 'properties', 'invitationId'), inv.properties.invitationId), exact(bodyValue(c, 'shareSubscription', 'properties', 'sourceShareLocation'), SHORT_LOCATION)],
      transformBody: futureExpiry(180),
    });
  },
  ShareSubscriptions_Get: async (c, w) => (await w.ensureShareSubscription('ShareSubscription1'), consumer(c, w)),
  ShareSubscriptions_ListByAccount: async (c, w) => (await w.ensureShareSubscription('ShareSubscription1'), consumer(c, w)),
  ShareSubscriptions_Delete: async (c, w) => (await w.ensureShareSubscription('ShareSubscription1'), consumer(c, w)),
  ConsumerSourceDataSets_ListByShareSubscription: async (c, w) => (await w.ensureShareSubscription(String(c.example.parameters.shareSubscriptionName)), consumer(c, w)),
  ShareSubscriptions_ListSourceShareSynchronizationSettings: async (c, w) => {
    await w.ensureSyncSetting();
    await w.ensureShareSubscription(String(c.example.parameters.shareSubscriptionName));
    return consumer(c, w);
  },
  ShareSubscriptions_Synchronize: async (c, w) => {
    await w.ensureSyncReady('ShareSubscription1');
    // A blob the subscription has not received yet: the example's Incremental snapshot must copy it.
    const fresh = `sales/new-${Date.now()}.csv`;
    await w.uploadBlob(w.P, P_STORAGE, SOURCE_CONTAINER, fresh, 'id,amount\n3,30\n');
    return consumer(c, w, {
      expectLro: 'Succeeded',
      verify: async (r) => {
        const id = String((r.body as any).synchronizationId);
        const details = await w.ok(w.C, 'POST', `${w.ss('ShareSubscription1')}/listSynchronizationDetails`, { synchronizationId: id });
        const d = (details.value as any[])[0];
        const problems: string[] = [];
        if (!d || d.status !== 'Succeeded' || d.filesWritten < 1 || d.sizeWritten < 1) problems.push(`the snapshot details do not show a copied file: ${JSON.stringify(details.value)}`);
        const listed = await w.blobNames(w.C, C_STORAGE, TARGET_CONTAINER);
        for (const name of [SYNC_BLOB, fresh]) if (!listed.includes(name)) problems.push(`the consumer container '${TARGET_CONTAINER}' does not hold ${name}: [${listed.join(', ')}]`);
        return problems;
      },
    });
  },
  ShareSubscriptions_CancelSynchronization: async (c, w) => {
    const id = await w.ensureCompletedSync('ShareSubscription1');
    return consumer(c, w, { substitutions: [exact(bodyValue(c, 'shareSubscriptionSynchronization', 'synchronizationId'), id)] });
  },
  ShareSubscriptions_ListSynchronizations: async (c, w) => (await w.ensureCompletedSync('ShareSub1'), consumer(c, w)),
  ShareSubscriptions_ListSynchronizationDetails: async (c, w) => {
    const id = await w.ensureCompletedSync('ShareSub1');
    return consumer(c, w, { substitutions: [exact(bodyValue(c, 'shareSubscriptionSynchronization', 'synchronizationId'), id)], overrides: { $filter: `name eq '${SYNC_MAPPING}'` } });
  },

  // data set mappings
  DataSetMappings_Create: async (c, w) => {
    await w.ensureStorage(w.P, P_STORAGE);
    return mappingCreate(c, w, { name: 'Dataset1', body: w.blobDataSet() });
  },
  DataSetMappings_SqlDB_Create: (c, w) => mappingCreate(c, w, { name: 'SqlDBTable1', body: w.sqlDataSet('SqlDBTable') }),
  DataSetMappings_SqlDW_Create: (c, w) => mappingCreate(c, w, { name: 'SqlDWTable1', body: w.sqlDataSet('SqlDWTable') }),
  DataSetMappings_SqlDWDataSetToAdlsGen2File_Create: (c, w) => mappingCreate(c, w, { name: 'SqlDWTable1', body: w.sqlDataSet('SqlDWTable') }),
  DataSetMappings_SynapseWorkspaceSqlPoolTable_Create: async (c, w) => {
    await w.ensureAccount(w.C, 'consumerAccount');
    return mappingCreate(c, w, { name: 'SynapseTable1', body: w.sqlDataSet('SynapseWorkspaceSqlPoolTable') }, 'consumerAccount');
  },
  DataSetMappings_Get: async (c, w) => (await w.ensureMapping('ShareSubscription1', 'DatasetMapping1'), consumer(c, w)),
  DataSetMappings_ListByShareSubscription: async (c, w) => (await w.ensureMapping('ShareSubscription1', 'DatasetMapping1'), consumer(c, w)),
  DataSetMappings_Delete: async (c, w) => (await w.ensureMapping('ShareSubscription1', 'DatasetMapping1'), consumer(c, w)),

  // triggers
  Triggers_Create: async (c, w) => {
    await w.ensureSyncSetting();
    await w.ensureShareSubscription('ShareSubscription1');
    await w.remove(w.C, `${w.ss('ShareSubscription1')}/triggers/Trigger1`);
    return consumer(c, w);
  },
  Triggers_Get: async (c, w) => (await w.ensureTrigger('ShareSubscription1', 'Trigger1'), consumer(c, w)),
  Triggers_ListByShareSubscription: async (c, w) => (await w.ensureTrigger('ShareSubscription1', 'Trigger1'), consumer(c, w)),
  Triggers_Delete: async (c, w) => (await w.ensureTrigger('ShareSubscription1', 'Trigger1'), consumer(c, w)),
};

async function kustoCreate(c: ReplayCase, w: DataShareWorld): Promise<CasePlan> {
  // Azure Data Explorer data sets live in InPlace shares; the example's Share1 is CopyBased here.
  await w.ensureShare('KustoShare1', 'InPlace');
  const name = `${c.example.parameters.dataSet.kind as string}1`;
  await w.remove(w.P, `${w.share('KustoShare1')}/dataSets/${name}`);
  return provider(c, w, { overrides: { shareName: 'KustoShare1', dataSetName: name } });
}

async function sqlCreate(c: ReplayCase, w: DataShareWorld): Promise<CasePlan> {
  const account = String(c.example.parameters.accountName);
  const share = String(c.example.parameters.shareName);
  await w.ensureShare(share, 'CopyBased', account);
  const name = `${SQL_CREATES[c.name]}1`;
  await w.remove(w.P, `${w.share(share, account)}/dataSets/${name}`);
  return provider(c, w, { overrides: { dataSetName: name } });
}

async function psubCase(c: ReplayCase, w: DataShareWorld): Promise<CasePlan> {
  const psub = await w.revocable();
  if (psub.properties.shareSubscriptionStatus !== 'Active') {
    await w.ok(w.P, 'POST', `${w.share(REVOKE_SHARE)}/providerShareSubscriptions/${psub.name}/reinstate`, { properties: { expirationDate: inDays(100) } });
  }
  return provider(c, w, { overrides: { shareName: REVOKE_SHARE, providerShareSubscriptionId: psub.name } });
}

/** `examplesRoot` is the folder holding `datashare/` (the spec JSON sits in its parent). */
export function dataShareSuite(examplesRoot: string, notServedFile: string): ExampleSuite<DataShareWorld> {
  return {
    name: 'datashare',
    specFile: path.resolve(examplesRoot, '..', 'datashare-2021-08-01.json'),
    examplesDir: path.join(examplesRoot, 'datashare'),
    apiVersion: DS_API,
    notServedFile,
    createWorld: (target) => new DataShareWorld(target as ReplayTarget & { description: TargetDescription }),
    order: defaultOrder,
    setup: (c, w) => {
      const s = setups[c.name];
      if (!s) throw new Error(`no setup for ${c.name}: add one to test/conformance/datashare/suite.ts, or list the example in not-served.json with a reason`);
      return s(c, w);
    },
  };
}
