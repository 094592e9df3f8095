/**
 * Purview scanning (`/scan`, api 2023-09-01) for Azure Storage and ADLS Gen2 sources: data
 * sources, scans, system and custom scan rule sets, triggers (recurrence on the sandbox clock) and
 * runs. A run reads the real blobs of the source's storage account (Azurite, through
 * `ctx.blobs`) with the Purview account's managed identity: it fails as Azure does when that
 * identity lacks Storage Blob Data Reader on the account, and otherwise creates or updates the
 * account, service, container and file assets (Purview's qualifiedName formats), classifies each
 * file from its first 64 KB, and marks assets of blobs deleted since the last scan as DELETED.
 *
 * Store (keys under the Purview account id): `purviewDataSources` `{acct}/datasources/{ds}`,
 * `purviewScans` `.../scans/{scan}`, `purviewScanTriggers` `.../triggers/default`,
 * `purviewScanRuns` `.../runs/{runId}`, `purviewScanRulesets` `{acct}/scanrulesets/{name}`.
 */
import { setMaxListeners } from 'node:events';
import { paginate } from '../../core/arm';
import { ArmError, type SandboxContext, type SandboxRequest, type SandboxResponse } from '../../core/contract';
import type { Env } from './atlas';
import { catalogFor, COL, worldOf, type AccountCatalog, type ClassificationRecord, type EntityRecord, type ObjectRef } from './catalog';
import { classifySample, SAMPLE_BYTES } from './classifiers';
import { nextOccurrence, recurrenceProblem, type Recurrence } from './recurrence';

export const SCAN_API_VERSIONS = ['2018-12-01-preview', '2021-10-01-preview', '2022-02-01-preview', '2022-07-01-preview', '2023-09-01'];
export const RULESETS = 'purviewScanRulesets';

/** Roles whose data actions include reading blobs (Reader, Contributor, Owner). */
export const BLOB_READ_ROLES = {
  reader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  contributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  owner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
};

const STORAGE_KINDS = ['AzureStorage', 'AdlsGen2'] as const;
type StorageKind = (typeof STORAGE_KINDS)[number];
const DATA_SOURCE_KINDS = [
  'AzureSubscription', 'AzureResourceGroup', 'AzureSynapseWorkspace', 'AzureSynapse', 'AdlsGen1', 'AdlsGen2', 'AmazonAccount', 'AmazonS3', 'AmazonSql',
  'AzureCosmosDb', 'AzureDataExplorer', 'AzureFileService', 'AzureSqlDatabase', 'AmazonPostgreSql', 'AzurePostgreSql', 'SqlServerDatabase',
  'AzureSqlDatabaseManagedInstance', 'AzureSqlDataWarehouse', 'AzureMySql', 'AzureStorage', 'Teradata', 'Oracle', 'SapS4Hana', 'SapEcc', 'PowerBI',
];
/** Blobs sampled at once by a scan run. */
const READ_CONCURRENCY = 32;
const RUNNABLE_SCAN_KINDS: Record<string, StorageKind> = { AzureStorageMsi: 'AzureStorage', AdlsGen2Msi: 'AdlsGen2' };

interface CollectionRef {
  referenceName: string;
  type: 'CollectionReference';
  lastModifiedAt?: string;
}

export interface DataSourceRecord {
  name: string;
  kind: string;
  id: string;
  creationType: 'Manual';
  properties: Record<string, unknown> & { endpoint?: string; resourceId?: string; resourceName?: string; collection: CollectionRef; createdAt: string; lastModifiedAt: string };
  /** Storage account name parsed from the endpoint (sandbox bookkeeping). */
  storageAccount?: string;
}

export interface ScanRecord {
  name: string;
  dataSourceName: string;
  kind: string;
  id: string;
  creationType: 'Manual';
  properties: Record<string, unknown> & { scanRulesetName: string; scanRulesetType: 'System' | 'Custom'; collection: CollectionRef; createdAt: string; lastModifiedAt: string };
}

export interface TriggerRecord {
  name: 'default';
  id: string;
  accountName: string;
  dataSourceName: string;
  scanName: string;
  properties: {
    recurrence: Recurrence;
    recurrenceInterval: string | null;
    createdAt: string;
    lastModifiedAt: string;
    lastScheduled: string | null;
    scanLevel: 'Full' | 'Incremental';
    state: 'Enabled' | 'Disabled';
    incrementalScanStartTime?: string;
  };
  /** Next firing on the sandbox clock (epoch ms), or null when the recurrence has ended. */
  nextRunAt: number | null;
}

export interface RunRecord {
  id: string;
  parentId: null;
  ingestionJobId: string;
  resourceId: string | null;
  status: 'Accepted' | 'Queued' | 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  startTime: string;
  endTime: string | null;
  scanRulesetVersion: number;
  scanRulesetType: 'System' | 'Custom';
  scanLevelType: 'Full' | 'Incremental';
  errorMessage: string | null;
  error: { code: string; message: string } | null;
  runType: 'Manual' | 'Scheduled';
  dataSourceType: string;
  diagnostics: { notifications: unknown[]; exceptionCountMap: Record<string, number> };
  discoveryExecutionDetails: Record<string, unknown>;
  ingestionExecutionDetails: Record<string, unknown>;
  /** Sandbox bookkeeping (not served). */
  accountId: string;
  dataSourceName: string;
  scanName: string;
}

// ---------------------------------------------------------------- keys and lookups

function dsKey(cat: AccountCatalog, ds: string): string {
  return `${cat.account.id}/datasources/${ds}`;
}
function scanKey(cat: AccountCatalog, ds: string, scan: string): string {
  return `${dsKey(cat, ds)}/scans/${scan}`;
}
function triggerKey(cat: AccountCatalog, ds: string, scan: string): string {
  return `${scanKey(cat, ds, scan)}/triggers/default`;
}
function runKey(cat: AccountCatalog, ds: string, scan: string, runId: string): string {
  return `${scanKey(cat, ds, scan)}/runs/${runId}`;
}

function getDataSource(env: Env, name: string): DataSourceRecord {
  const ds = env.ctx.store.get<DataSourceRecord>(COL.dataSources, dsKey(env.cat, name));
  if (!ds) {
    throw new ArmError(404, 'DataSourceNotFound', `Data source '${name}' is not registered in Purview account '${env.cat.account.name}'. Register it with PUT /scan/datasources/${name}.`);
  }
  return ds;
}

function getScan(env: Env, ds: string, name: string): ScanRecord {
  getDataSource(env, ds);
  const scan = env.ctx.store.get<ScanRecord>(COL.scans, scanKey(env.cat, ds, name));
  if (!scan) {
    throw new ArmError(404, 'ScanNotFound', `Scan '${name}' does not exist on data source '${ds}'. Create it with PUT /scan/datasources/${ds}/scans/${name}.`);
  }
  return scan;
}

function dataSourceView(ds: DataSourceRecord) {
  const { storageAccount: _hidden, ...rest } = ds;
  return rest;
}

function runView(run: RunRecord) {
  const { accountId: _a, dataSourceName: _d, scanName: _s, ...rest } = run;
  return { ...rest, webScanResults: null };
}

function collectionRef(cat: AccountCatalog, ref: unknown, fallback: string, now: string): CollectionRef {
  const name = ref && typeof ref === 'object' && typeof (ref as { referenceName?: unknown }).referenceName === 'string' ? String((ref as { referenceName: string }).referenceName) : fallback;
  const c = cat.collection(name);
  if (!c) {
    throw new ArmError(400, 'CollectionNotFound', `Collection '${name}' does not exist in Purview account '${cat.account.name}'. Create it with PUT /account/collections/${name} or use the root collection '${cat.rootCollection}'.`);
  }
  return { referenceName: c.name, type: 'CollectionReference', lastModifiedAt: now };
}

function bodyOf(env: Env): Record<string, unknown> {
  const b = env.req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw new ArmError(400, 'InvalidRequestBody', 'The request body must be a JSON object.');
  }
  return b as Record<string, unknown>;
}

/** Storage account name from `https://{acct}.blob|dfs.core.windows.net/` or a path-style sandbox endpoint `https://127.0.0.1:port/{acct}/`. */
export function storageAccountFromEndpoint(endpoint: string): { account: string; service?: 'blob' | 'dfs' } | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9]{3,24})\.(blob|dfs)\.core\.windows\.net$/i.exec(url.hostname);
  if (m) {
    return { account: m[1].toLowerCase(), service: m[2].toLowerCase() as 'blob' | 'dfs' };
  }
  const m2 = /^([a-z0-9]{3,24})\.core\.windows\.net$/i.exec(url.hostname);
  if (m2) {
    return { account: m2[1].toLowerCase() };
  }
  const seg = url.pathname.split('/').filter(Boolean)[0];
  if ((url.hostname === '127.0.0.1' || url.hostname === 'localhost') && seg && /^[a-z0-9]{3,24}$/.test(seg)) {
    return { account: seg };
  }
  return undefined;
}

function findStorageAccount(ctx: SandboxContext, name: string): { id: string; name: string; location: string } | undefined {
  return ctx.store
    .list<{ id: string; name: string; type: string; location: string }>('resources', '/subscriptions/')
    .find((r) => r.type === 'Microsoft.Storage/storageAccounts' && r.name.toLowerCase() === name.toLowerCase());
}

// ---------------------------------------------------------------- data sources

export function putDataSource(env: Env): SandboxResponse {
  const { cat, ctx } = env;
  const name = env.params.dataSourceName;
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/.test(name)) {
    throw new ArmError(400, 'InvalidDataSourceName', `Data source name '${name}' is invalid: use up to 100 letters, digits, spaces, '.', '_' or '-'.`);
  }
  const body = bodyOf(env);
  const kind = String(body.kind ?? '');
  if (!DATA_SOURCE_KINDS.includes(kind)) {
    throw new ArmError(400, 'InvalidDataSourceKind', `'kind' must be a data source type such as AzureStorage or AdlsGen2; got '${kind}'.`);
  }
  const props = (body.properties ?? {}) as Record<string, unknown>;
  const existing = ctx.store.get<DataSourceRecord>(COL.dataSources, dsKey(cat, name));
  if (existing && existing.kind !== kind) {
    throw new ArmError(400, 'DataSourceKindChange', `Data source '${name}' is a ${existing.kind} source; its kind cannot change to ${kind}. Delete it and register it again.`);
  }
  const now = new Date(env.now).toISOString();
  const properties: DataSourceRecord['properties'] = {
    ...(existing?.properties ?? {}),
    ...props,
    collection: collectionRef(cat, props.collection, existing?.properties.collection.referenceName ?? cat.rootCollection, now),
    createdAt: existing?.properties.createdAt ?? now,
    lastModifiedAt: now,
  };
  let storageAccount: string | undefined;
  if ((STORAGE_KINDS as readonly string[]).includes(kind)) {
    const endpoint = typeof props.endpoint === 'string' ? props.endpoint : existing?.properties.endpoint;
    if (!endpoint) {
      throw new ArmError(400, 'MissingEndpoint', `A ${kind} data source needs properties.endpoint, e.g. 'https://{account}.${kind === 'AdlsGen2' ? 'dfs' : 'blob'}.core.windows.net/'.`);
    }
    const parsed = storageAccountFromEndpoint(endpoint);
    if (!parsed) {
      throw new ArmError(400, 'InvalidEndpoint', `properties.endpoint '${endpoint}' is not a storage endpoint; use 'https://{account}.${kind === 'AdlsGen2' ? 'dfs' : 'blob'}.core.windows.net/'.`);
    }
    storageAccount = parsed.account;
    const resource = typeof props.resourceId === 'string' ? ctx.resources.resource<{ id: string; name: string; location: string }>(props.resourceId) : findStorageAccount(ctx, parsed.account);
    properties.endpoint = `https://${parsed.account}.${kind === 'AdlsGen2' ? 'dfs' : 'blob'}.core.windows.net/`;
    if (resource) {
      const segs = resource.id.split('/');
      properties.resourceId = resource.id;
      properties.subscriptionId = segs[2];
      properties.resourceGroup = segs[4];
      properties.resourceName = resource.name;
      properties.location = resource.location;
    }
    properties.dataUseGovernance ??= 'Disabled';
  }
  properties.dataSourceCollectionMovingState = 'Active';
  properties.parentCollection ??= null;
  const rec: DataSourceRecord = { name, kind, id: `datasources/${name}`, creationType: 'Manual', properties, ...(storageAccount ? { storageAccount } : {}) };
  ctx.store.put(COL.dataSources, dsKey(cat, name), rec);
  return { status: existing ? 200 : 201, body: dataSourceView(rec) };
}

export function getDataSourceRoute(env: Env): SandboxResponse {
  const ds = getDataSource(env, env.params.dataSourceName);
  const scans = env.ctx.store.list<ScanRecord>(COL.scans, `${dsKey(env.cat, ds.name)}/scans/`);
  return { status: 200, body: { ...dataSourceView(ds), scans } };
}

export function listDataSources(env: Env): SandboxResponse {
  const all = env.ctx.store.list<DataSourceRecord>(COL.dataSources, `${env.cat.account.id}/datasources/`).filter((d) => !d.name.includes('/'));
  const page = paginate(env.req, all.map(dataSourceView));
  return { status: 200, body: { value: page.value, count: all.length, nextLink: page.nextLink ?? null } };
}

export function deleteDataSource(env: Env): SandboxResponse {
  const key = dsKey(env.cat, env.params.dataSourceName);
  const ds = env.ctx.store.get<DataSourceRecord>(COL.dataSources, key);
  if (!ds) {
    return { status: 204 };
  }
  const scans = env.ctx.store.list<ScanRecord>(COL.scans, `${key}/scans/`);
  if (scans.length > 0) {
    throw new ArmError(409, 'DataSourceHasScans', `Data source '${ds.name}' has scans (${scans.map((s) => s.name).join(', ')}). Delete them first.`);
  }
  env.ctx.store.delete(COL.dataSources, key);
  return { status: 204 };
}

// ---------------------------------------------------------------- scans

export function putScan(env: Env): SandboxResponse {
  const { cat, ctx } = env;
  const ds = getDataSource(env, env.params.dataSourceName);
  const name = env.params.scanName;
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/.test(name)) {
    throw new ArmError(400, 'InvalidScanName', `Scan name '${name}' is invalid: use up to 100 letters, digits, spaces, '.', '_' or '-'.`);
  }
  const body = bodyOf(env);
  const kind = String(body.kind ?? '');
  if (!kind.startsWith(ds.kind)) {
    throw new ArmError(400, 'InvalidScanKind', `A scan of the ${ds.kind} data source '${ds.name}' must be of kind ${ds.kind}Msi or ${ds.kind}Credential; got '${kind}'.`);
  }
  const props = (body.properties ?? {}) as Record<string, unknown>;
  const key = scanKey(cat, ds.name, name);
  const existing = ctx.store.get<ScanRecord>(COL.scans, key);
  const now = new Date(env.now).toISOString();
  const rulesetType = String(props.scanRulesetType ?? existing?.properties.scanRulesetType ?? 'System');
  if (rulesetType !== 'System' && rulesetType !== 'Custom') {
    throw new ArmError(400, 'InvalidScanRulesetType', `scanRulesetType must be System or Custom; got '${rulesetType}'.`);
  }
  const rulesetName = String(props.scanRulesetName ?? existing?.properties.scanRulesetName ?? ds.kind);
  if (rulesetType === 'System' && rulesetName !== ds.kind) {
    throw new ArmError(400, 'ScanRulesetNotFound', `The system scan rule set of a ${ds.kind} source is '${ds.kind}'; got '${rulesetName}'.`);
  }
  if (rulesetType === 'Custom' && !ctx.store.get(RULESETS, `${cat.account.id}/scanrulesets/${rulesetName}`)) {
    throw new ArmError(400, 'ScanRulesetNotFound', `Custom scan rule set '${rulesetName}' does not exist. Create it with PUT /scan/scanrulesets/${rulesetName}.`);
  }
  const rec: ScanRecord = {
    name,
    dataSourceName: ds.name,
    kind,
    id: `datasources/${ds.name}/scans/${name}`,
    creationType: 'Manual',
    properties: {
      ...(existing?.properties ?? {}),
      ...props,
      // Purview's default governance domain carries the account's name.
      domain: typeof props.domain === 'string' ? props.domain : (existing?.properties.domain ?? cat.account.name),
      scanRulesetName: rulesetName,
      scanRulesetType: rulesetType,
      collection: collectionRef(cat, props.collection, existing?.properties.collection.referenceName ?? ds.properties.collection.referenceName, now),
      createdAt: existing?.properties.createdAt ?? now,
      lastModifiedAt: now,
    },
  };
  ctx.store.put(COL.scans, key, rec);
  return { status: existing ? 200 : 201, body: rec };
}

export function getScanRoute(env: Env): SandboxResponse {
  return { status: 200, body: getScan(env, env.params.dataSourceName, env.params.scanName) };
}

export function listScans(env: Env): SandboxResponse {
  const ds = getDataSource(env, env.params.dataSourceName);
  const all = env.ctx.store.list<ScanRecord>(COL.scans, `${dsKey(env.cat, ds.name)}/scans/`);
  const page = paginate(env.req, all);
  return { status: 200, body: { value: page.value.map((x) => ({ ...x, scanResults: null })), count: all.length, nextLink: page.nextLink ?? null } };
}

export function deleteScan(env: Env): SandboxResponse {
  const { ctx, cat } = env;
  getDataSource(env, env.params.dataSourceName);
  const key = scanKey(cat, env.params.dataSourceName, env.params.scanName);
  const scan = ctx.store.get<ScanRecord>(COL.scans, key);
  if (!scan) {
    return { status: 204 };
  }
  for (const run of ctx.store.list<RunRecord>(COL.runs, `${key}/runs/`)) {
    worldOf(ctx).running.get(runKey(cat, scan.dataSourceName, scan.name, run.id).toLowerCase())?.abort();
    ctx.store.delete(COL.runs, runKey(cat, scan.dataSourceName, scan.name, run.id));
  }
  ctx.store.delete(COL.triggers, triggerKey(cat, scan.dataSourceName, scan.name));
  ctx.store.delete(COL.scans, key);
  return { status: 204 };
}

// ---------------------------------------------------------------- scan rule sets

function systemRuleset(kind: string) {
  const extensions = ['AVRO', 'CSV', 'JSON', 'ORC', 'PARQUET', 'PSV', 'SSV', 'TSV', 'TXT', 'XML', 'GZIP', 'DOC', 'DOCM', 'DOCX', 'DOT', 'ODP', 'ODS', 'ODT', 'PDF', 'POT', 'PPS', 'PPSX', 'PPT', 'PPTM', 'PPTX', 'XLC', 'XLS', 'XLSB', 'XLSM', 'XLSX', 'XLT'];
  return {
    id: `systemscanrulesets/${kind}`,
    name: kind,
    kind,
    scanRulesetType: 'System',
    status: 'Enabled',
    version: 1,
    properties: {
      createdAt: '2023-09-01T00:00:00Z',
      lastModifiedAt: '2023-09-01T00:00:00Z',
      description: `System scan rule set for ${kind}: all system classifications, all supported file types.`,
      excludedSystemClassifications: [] as string[],
      includedCustomClassificationRuleNames: [] as string[],
      scanningRule: { fileExtensions: extensions, customFileExtensions: [] as unknown[] },
    },
  };
}

function dataSourceTypeParam(env: Env): string {
  const t = env.req.query.get('dataSourceType') ?? env.params.dataSourceType ?? 'AzureStorage';
  if (!(STORAGE_KINDS as readonly string[]).includes(t)) {
    throw new ArmError(404, 'ScanRulesetNotFound', `The sandbox has system scan rule sets for ${STORAGE_KINDS.join(' and ')}; not for '${t}'.`);
  }
  return t;
}

export function listSystemRulesets(_env: Env): SandboxResponse {
  const value = STORAGE_KINDS.map(systemRuleset);
  return { status: 200, body: { value, count: value.length, nextLink: null } };
}

export function getSystemRuleset(env: Env): SandboxResponse {
  return { status: 200, body: systemRuleset(dataSourceTypeParam(env)) };
}

export function getSystemRulesetVersion(env: Env): SandboxResponse {
  const kind = dataSourceTypeParam(env);
  if (env.params.version !== '1') {
    throw new ArmError(404, 'ScanRulesetVersionNotFound', `System scan rule set ${kind} has version 1 only; got '${env.params.version}'.`);
  }
  return { status: 200, body: systemRuleset(kind) };
}

export function listSystemRulesetVersions(env: Env): SandboxResponse {
  return { status: 200, body: { value: [systemRuleset(dataSourceTypeParam(env))], count: 1, nextLink: null } };
}

export function putRuleset(env: Env): SandboxResponse {
  const body = bodyOf(env);
  const kind = String(body.kind ?? '');
  if (!DATA_SOURCE_KINDS.includes(kind)) {
    throw new ArmError(400, 'InvalidScanRulesetKind', `'kind' must be a data source type such as AzureStorage; got '${kind}'.`);
  }
  const key = `${env.cat.account.id}/scanrulesets/${env.params.scanRulesetName}`;
  const existing = env.ctx.store.get<{ version: number; properties: { createdAt: string } }>(RULESETS, key);
  const now = new Date(env.now).toISOString();
  const rec = {
    id: `scanrulesets/${env.params.scanRulesetName}`,
    name: env.params.scanRulesetName,
    kind,
    scanRulesetType: 'Custom',
    status: 'Enabled',
    version: (existing?.version ?? 0) + 1,
    properties: {
      excludedSystemClassifications: null,
      includedCustomClassificationRuleNames: null,
      description: null,
      ...((body.properties as Record<string, unknown>) ?? {}),
      createdAt: existing?.properties.createdAt ?? now,
      lastModifiedAt: now,
    },
  };
  env.ctx.store.put(RULESETS, key, rec);
  return { status: existing ? 200 : 201, body: rec };
}

export function getRuleset(env: Env): SandboxResponse {
  const rec = env.ctx.store.get(RULESETS, `${env.cat.account.id}/scanrulesets/${env.params.scanRulesetName}`);
  if (!rec) {
    throw new ArmError(404, 'ScanRulesetNotFound', `Scan rule set '${env.params.scanRulesetName}' does not exist.`);
  }
  return { status: 200, body: rec };
}

export function listRulesets(env: Env): SandboxResponse {
  const all = env.ctx.store.list(RULESETS, `${env.cat.account.id}/scanrulesets/`);
  const page = paginate(env.req, all);
  return { status: 200, body: { value: page.value, count: all.length, nextLink: page.nextLink ?? null } };
}

export function deleteRuleset(env: Env): SandboxResponse {
  const key = `${env.cat.account.id}/scanrulesets/${env.params.scanRulesetName}`;
  const rec = env.ctx.store.get(RULESETS, key);
  if (!rec) {
    return { status: 204 };
  }
  const users = env.ctx.store
    .list<ScanRecord>(COL.scans, `${env.cat.account.id}/datasources/`)
    .filter((s) => s.properties.scanRulesetType === 'Custom' && s.properties.scanRulesetName === env.params.scanRulesetName);
  if (users.length > 0) {
    throw new ArmError(409, 'ScanRulesetInUse', `Scan rule set '${env.params.scanRulesetName}' is used by ${users.map((s) => `${s.dataSourceName}/${s.name}`).join(', ')}.`);
  }
  env.ctx.store.delete(RULESETS, key);
  return { status: 204 };
}

// ---------------------------------------------------------------- triggers

export function putTrigger(env: Env): SandboxResponse {
  const { ctx, cat } = env;
  const scan = getScan(env, env.params.dataSourceName, env.params.scanName);
  const body = bodyOf(env);
  const props = (body.properties ?? {}) as Record<string, unknown>;
  const problem = recurrenceProblem(props.recurrence);
  if (problem) {
    throw new ArmError(400, 'InvalidTrigger', `The trigger is invalid: ${problem}.`);
  }
  const scanLevel = String(props.scanLevel ?? 'Full');
  const state = String(props.state ?? 'Enabled');
  if (scanLevel !== 'Full' && scanLevel !== 'Incremental') {
    throw new ArmError(400, 'InvalidTrigger', `scanLevel must be Full or Incremental; got '${scanLevel}'.`);
  }
  if (state !== 'Enabled' && state !== 'Disabled') {
    throw new ArmError(400, 'InvalidTrigger', `state must be Enabled or Disabled; got '${state}'.`);
  }
  const key = triggerKey(cat, scan.dataSourceName, scan.name);
  const existing = ctx.store.get<TriggerRecord>(COL.triggers, key);
  const now = new Date(env.now);
  const recurrence = props.recurrence as Recurrence;
  const next = nextOccurrence(recurrence, now);
  const rec: TriggerRecord = {
    name: 'default',
    id: `datasources/${scan.dataSourceName}/scans/${scan.name}/triggers/default`,
    accountName: cat.account.name,
    dataSourceName: scan.dataSourceName,
    scanName: scan.name,
    properties: {
      recurrence,
      recurrenceInterval: (props.recurrenceInterval as string | null | undefined) ?? null,
      createdAt: existing?.properties.createdAt ?? now.toISOString(),
      lastModifiedAt: now.toISOString(),
      lastScheduled: existing?.properties.lastScheduled ?? null,
      scanLevel: scanLevel as 'Full' | 'Incremental',
      state: state as 'Enabled' | 'Disabled',
      ...(typeof props.incrementalScanStartTime === 'string' ? { incrementalScanStartTime: props.incrementalScanStartTime } : {}),
    },
    nextRunAt: next ? next.getTime() : null,
  };
  ctx.store.put(COL.triggers, key, rec);
  return { status: existing ? 200 : 201, body: triggerView(rec) };
}

function triggerView(t: TriggerRecord) {
  return { name: t.name, id: t.id, properties: t.properties };
}

function getTriggerRecord(env: Env): TriggerRecord {
  const scan = getScan(env, env.params.dataSourceName, env.params.scanName);
  const t = env.ctx.store.get<TriggerRecord>(COL.triggers, triggerKey(env.cat, scan.dataSourceName, scan.name));
  if (!t) {
    throw new ArmError(404, 'TriggerNotFound', `Scan '${scan.dataSourceName}/${scan.name}' has no trigger. Create one with PUT .../triggers/default.`);
  }
  return t;
}

export function getTrigger(env: Env): SandboxResponse {
  return { status: 200, body: triggerView(getTriggerRecord(env)) };
}

export function deleteTrigger(env: Env): SandboxResponse {
  const scan = getScan(env, env.params.dataSourceName, env.params.scanName);
  const key = triggerKey(env.cat, scan.dataSourceName, scan.name);
  const t = env.ctx.store.get<TriggerRecord>(COL.triggers, key);
  if (!t) {
    return { status: 204 };
  }
  env.ctx.store.delete(COL.triggers, key);
  return { status: 204 };
}

/** POST .../triggers/default:enable | default:disable */
export function triggerAction(env: Env): SandboxResponse {
  const m = /^default:(enable|disable)$/i.exec(env.params.triggerAction);
  if (!m) {
    throw new ArmError(404, 'NotFound', `Unknown trigger action '${env.params.triggerAction}'; use default:enable or default:disable.`);
  }
  const t = getTriggerRecord(env);
  const enable = m[1].toLowerCase() === 'enable';
  const now = new Date(env.now);
  const next = enable ? nextOccurrence(t.properties.recurrence, now) : undefined;
  const rec: TriggerRecord = {
    ...t,
    properties: { ...t.properties, state: enable ? 'Enabled' : 'Disabled', lastModifiedAt: now.toISOString() },
    nextRunAt: enable ? (next?.getTime() ?? null) : t.nextRunAt,
  };
  env.ctx.store.put(COL.triggers, triggerKey(env.cat, t.dataSourceName, t.scanName), rec);
  return { status: 200, body: triggerView(rec) };
}

// ---------------------------------------------------------------- runs

function operationResponse(run: RunRecord, status: string) {
  return { scanResultId: run.id, startTime: run.startTime, endTime: run.endTime, status, error: run.error };
}

function runUrl(ctx: SandboxContext, cat: AccountCatalog, run: RunRecord, apiVersion: string): string {
  const enc = encodeURIComponent;
  return `${ctx.purviewEndpoint(cat.account.name)}/scan/datasources/${enc(run.dataSourceName)}/scans/${enc(run.scanName)}/runs/${enc(run.id)}?api-version=${enc(apiVersion || '2023-09-01')}`;
}

function activeRun(ctx: SandboxContext, cat: AccountCatalog, ds: string, scan: string): RunRecord | undefined {
  return ctx.store.list<RunRecord>(COL.runs, `${scanKey(cat, ds, scan)}/runs/`).find((r) => r.status === 'Accepted' || r.status === 'Queued' || r.status === 'InProgress');
}

/** Records a run and starts it in the background (through the core's operations, so shutdown waits for it). */
function startRun(ctx: SandboxContext, cat: AccountCatalog, req: SandboxRequest, scan: ScanRecord, runId: string, level: 'Full' | 'Incremental', runType: 'Manual' | 'Scheduled'): RunRecord {
  const ds = ctx.store.get<DataSourceRecord>(COL.dataSources, dsKey(cat, scan.dataSourceName));
  const now = ctx.clock.now().toISOString();
  const run: RunRecord = {
    id: runId,
    parentId: null,
    ingestionJobId: runId,
    resourceId: (ds?.properties.resourceId as string | undefined) ?? null,
    status: 'Accepted',
    startTime: now,
    endTime: null,
    scanRulesetVersion: 1,
    scanRulesetType: scan.properties.scanRulesetType,
    scanLevelType: level,
    errorMessage: null,
    error: null,
    runType,
    dataSourceType: ds?.kind ?? 'AzureStorage',
    diagnostics: { notifications: [], exceptionCountMap: {} },
    discoveryExecutionDetails: { status: 'Queued' },
    ingestionExecutionDetails: { status: 'Queued' },
    accountId: cat.account.id,
    dataSourceName: scan.dataSourceName,
    scanName: scan.name,
  };
  const key = runKey(cat, scan.dataSourceName, scan.name, runId);
  ctx.store.put(COL.runs, key, run);
  const cancel = new AbortController();
  worldOf(ctx).running.set(key.toLowerCase(), cancel);
  ctx.operations.start(req, {
    status: 202,
    resourceId: cat.account.id,
    work: async (signal) => {
      try {
        const combined = AbortSignal.any([signal, cancel.signal]);
        // Each concurrent blob read listens on it.
        setMaxListeners(READ_CONCURRENCY * 4, combined);
        await executeRun(ctx, cat, key, combined, cancel.signal);
      } finally {
        worldOf(ctx).running.delete(key.toLowerCase());
      }
      return undefined;
    },
  });
  return run;
}

export function runScan(env: Env): SandboxResponse {
  const { ctx, cat } = env;
  const scan = getScan(env, env.params.dataSourceName, env.params.scanName);
  const runId = env.params.runId;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(runId)) {
    throw new ArmError(400, 'InvalidRunId', `runId '${runId}' is invalid; use a GUID.`);
  }
  const level = env.req.query.get('scanLevel') ?? 'Full';
  if (level !== 'Full' && level !== 'Incremental') {
    throw new ArmError(400, 'InvalidScanLevel', `scanLevel must be Full or Incremental; got '${level}'.`);
  }
  if (ctx.store.get(COL.runs, runKey(cat, scan.dataSourceName, scan.name, runId))) {
    throw new ArmError(409, 'ScanRunAlreadyExists', `Run '${runId}' of scan '${scan.dataSourceName}/${scan.name}' already exists. Use a new run id for a new run.`);
  }
  const active = activeRun(ctx, cat, scan.dataSourceName, scan.name);
  if (active) {
    throw new ArmError(409, 'ScanAlreadyRunning', `Scan '${scan.dataSourceName}/${scan.name}' is already running (run '${active.id}'). Wait for it to finish or cancel it.`);
  }
  const run = startRun(ctx, cat, env.req, scan, runId, level, 'Manual');
  return { status: 202, body: operationResponse(run, 'Accepted'), headers: { 'Operation-Location': runUrl(ctx, cat, run, env.req.apiVersion) } };
}

function getRunRecord(env: Env, runId: string): RunRecord {
  const scan = getScan(env, env.params.dataSourceName, env.params.scanName);
  const run = env.ctx.store.get<RunRecord>(COL.runs, runKey(env.cat, scan.dataSourceName, scan.name, runId));
  if (!run) {
    throw new ArmError(404, 'ScanRunNotFound', `Run '${runId}' of scan '${scan.dataSourceName}/${scan.name}' does not exist.`);
  }
  return run;
}

export function getRun(env: Env): SandboxResponse {
  return { status: 200, body: runView(getRunRecord(env, env.params.runId)) };
}

export function listRuns(env: Env): SandboxResponse {
  const scan = getScan(env, env.params.dataSourceName, env.params.scanName);
  const all = env.ctx.store.list<RunRecord>(COL.runs, `${scanKey(env.cat, scan.dataSourceName, scan.name)}/runs/`).sort((a, b) => (a.startTime < b.startTime ? 1 : a.startTime > b.startTime ? -1 : 0));
  const page = paginate(env.req, all.map(runView));
  return { status: 200, body: { value: page.value, count: all.length, nextLink: page.nextLink ?? null } };
}

/** POST .../runs/{runId}:cancel */
export function cancelRun(env: Env): SandboxResponse {
  const m = /^(.+):cancel$/i.exec(env.params.runId);
  if (!m) {
    throw new ArmError(405, 'HttpMethodNotAllowed', `POST is only served for '.../runs/{runId}:cancel'.`);
  }
  const run = getRunRecord(env, m[1]);
  if (run.status !== 'Accepted' && run.status !== 'Queued' && run.status !== 'InProgress') {
    throw new ArmError(409, 'ScanRunNotInProgress', `Run '${run.id}' has already finished with status ${run.status}; there is nothing to cancel.`);
  }
  const key = runKey(env.cat, run.dataSourceName, run.scanName, run.id);
  const controller = worldOf(env.ctx).running.get(key.toLowerCase());
  if (controller) {
    controller.abort();
  } else {
    // Not running in this process (e.g. queued before a restart): cancel the record directly.
    const now = env.ctx.clock.now().toISOString();
    env.ctx.store.put(COL.runs, key, { ...run, status: 'Canceled', endTime: now });
  }
  return { status: 202, body: operationResponse(run, 'Accepted'), headers: { 'Operation-Location': runUrl(env.ctx, env.cat, run, env.req.apiVersion) } };
}

// ---------------------------------------------------------------- the scanner

class ScanFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface ScanStats {
  discovered: number;
  /** Files whose content could not be sampled. */
  failed: number;
  files: number;
  folders: number;
  classified: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  relationships: number;
}

interface AssetSpec {
  typeName: string;
  qualifiedName: string;
  name: string;
  attributes: Record<string, unknown>;
  relationshipAttributes?: Record<string, ObjectRef>;
  detected?: string[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** Creates or updates one scanned asset; returns its record and what happened. */
function upsertAsset(cat: AccountCatalog, spec: AssetSpec, ctx: { collection: string; dataSource: string; scan: string; runId: string; now: number }, stats: ScanStats): EntityRecord {
  const existing = cat.findByQn(spec.typeName, spec.qualifiedName, true);
  const attributes = { ...spec.attributes, qualifiedName: spec.qualifiedName, name: spec.name };
  const scanInfo = { dataSource: ctx.dataSource, scan: ctx.scan, runId: ctx.runId };
  if (!existing) {
    const classifications: ClassificationRecord[] = (spec.detected ?? []).map((typeName) => ({ typeName }));
    const rec: EntityRecord = {
      guid: cat.ctx.newGuid(),
      typeName: spec.typeName,
      attributes,
      ...(spec.relationshipAttributes ? { relationshipAttributes: spec.relationshipAttributes } : {}),
      classifications,
      labels: [],
      collectionId: ctx.collection,
      status: 'ACTIVE',
      createTime: ctx.now,
      updateTime: ctx.now,
      createdBy: 'ServiceAdmin',
      updatedBy: 'ServiceAdmin',
      version: 0,
      scan: scanInfo,
      scanClassifications: [...(spec.detected ?? [])],
    };
    cat.save(rec);
    stats.created++;
    return rec;
  }
  let classifications = existing.classifications;
  let scanClassifications = existing.scanClassifications ?? [];
  if (spec.detected) {
    const previousScan = new Set(scanClassifications);
    const manual = existing.classifications.filter((c) => !previousScan.has(c.typeName));
    const detected = spec.detected.filter((d) => !manual.some((m) => m.typeName === d));
    classifications = [...manual, ...detected.map((typeName) => ({ typeName }))];
    scanClassifications = detected;
  }
  const attrsChanged = Object.entries(attributes).some(([k, v]) => !sameValue(existing.attributes[k], v));
  const classChanged = !sameValue(
    existing.classifications.map((c) => c.typeName).sort(),
    classifications.map((c) => c.typeName).sort(),
  );
  const relChanged = spec.relationshipAttributes !== undefined && !sameValue(existing.relationshipAttributes ?? {}, { ...(existing.relationshipAttributes ?? {}), ...spec.relationshipAttributes });
  if (!attrsChanged && !classChanged && !relChanged && existing.status === 'ACTIVE') {
    stats.unchanged++;
    if (existing.scan?.runId !== ctx.runId) {
      // Bookkeeping only (which run saw it last); not a new version of the asset.
      existing.scan = scanInfo;
      cat.ctx.store.put(COL.entities, cat.entityKey(existing.guid), existing);
    }
    return existing;
  }
  const next = cat.revise(existing, 'ServiceAdmin', ctx.now, {
    attributes: { ...existing.attributes, ...attributes },
    ...(spec.relationshipAttributes ? { relationshipAttributes: { ...(existing.relationshipAttributes ?? {}), ...spec.relationshipAttributes } } : {}),
    classifications,
    scanClassifications,
    status: 'ACTIVE',
    scan: scanInfo,
  });
  cat.save(next);
  stats.updated++;
  return next;
}

async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) {
      const item = items[i++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}

async function executeRun(ctx: SandboxContext, cat: AccountCatalog, key: string, signal: AbortSignal, cancelSignal: AbortSignal): Promise<void> {
  const initial = ctx.store.get<RunRecord>(COL.runs, key);
  if (!initial) return;
  const started = ctx.clock.now().toISOString();
  let run: RunRecord = { ...initial, status: 'InProgress', discoveryExecutionDetails: { discoveryStartTime: started, status: 'Running' }, ingestionExecutionDetails: { ingestionStartTime: started, status: 'InProgress' } };
  ctx.store.put(COL.runs, key, run);
  await ctx.store.commit();
  const stats: ScanStats = { discovered: 0, failed: 0, files: 0, folders: 0, classified: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, relationships: 0 };
  const exceptions: Record<string, number> = {};
  try {
    // scanStorage only looks at the signal per container: a run canceled before it started, or
    // while there was nothing (left) to visit, must still end Canceled rather than Succeeded.
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    await scanStorage(ctx, cat, run, signal, stats, exceptions);
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const end = ctx.clock.now().toISOString();
    run = {
      ...run,
      status: 'Succeeded',
      endTime: end,
      diagnostics: { notifications: [], exceptionCountMap: exceptions },
      discoveryExecutionDetails: {
        discoveryStartTime: started,
        discoveryEndTime: end,
        status: stats.failed > 0 ? 'CompletedWithExceptions' : 'Succeeded',
        statistics: {
          assets: { discovered: stats.discovered, classified: stats.classified, failed: stats.failed },
          files: { discovered: stats.files, classified: stats.classified, failed: stats.failed },
          folders: { discovered: stats.folders, classified: 0, failed: 0 },
        },
        isErrorLogAvailable: false,
      },
      ingestionExecutionDetails: {
        ingestionStartTime: started,
        ingestionEndTime: end,
        status: 'Succeeded',
        statistics: {
          assets: { succeeded: stats.discovered, failed: 0, processing: 0, created: stats.created, updated: stats.updated, unchanged: stats.unchanged, deleted: stats.deleted },
          relationships: { succeeded: stats.relationships, failed: 0, processing: 0 },
        },
        estimatedTimeRemainingInSeconds: 0,
        isErrorLogAvailable: false,
        lastUpdatedAt: end,
      },
    };
  } catch (err) {
    const end = ctx.clock.now().toISOString();
    const canceled = cancelSignal.aborted || (signal.aborted && !(err instanceof ScanFailure));
    const error = err instanceof ScanFailure ? { code: err.code, message: err.message } : canceled ? { code: 'ScanCanceled', message: 'The scan run was canceled.' } : { code: 'InternalError', message: `The scan failed unexpectedly: ${(err as Error).message}` };
    if (!(err instanceof ScanFailure) && !canceled) {
      ctx.log(`purview scan ${key} failed: ${(err as Error).stack ?? String(err)}`);
    }
    run = {
      ...run,
      status: canceled ? 'Canceled' : 'Failed',
      endTime: end,
      error: canceled ? null : error,
      errorMessage: canceled ? null : error.message,
      discoveryExecutionDetails: { discoveryStartTime: started, discoveryEndTime: end, status: canceled ? 'Cancelled' : 'Failed', statistics: { assets: { discovered: stats.discovered, classified: stats.classified, failed: 0 } }, isErrorLogAvailable: false },
      ingestionExecutionDetails: {
        ingestionStartTime: started,
        ingestionEndTime: end,
        status: canceled ? 'Canceled' : 'Failed',
        statistics: { assets: { succeeded: stats.created + stats.updated + stats.unchanged, failed: 0, processing: 0, created: stats.created, updated: stats.updated, unchanged: stats.unchanged, deleted: stats.deleted } },
        isErrorLogAvailable: false,
        lastUpdatedAt: end,
      },
    };
  }
  if (ctx.store.get(COL.runs, key)) {
    ctx.store.put(COL.runs, key, run);
  }
  await ctx.store.commit();
}

async function scanStorage(ctx: SandboxContext, cat: AccountCatalog, run: RunRecord, signal: AbortSignal, stats: ScanStats, exceptions: Record<string, number>): Promise<void> {
  const ds = ctx.store.get<DataSourceRecord>(COL.dataSources, dsKey(cat, run.dataSourceName));
  const scan = ctx.store.get<ScanRecord>(COL.scans, scanKey(cat, run.dataSourceName, run.scanName));
  if (!ds || !scan) {
    throw new ScanFailure('DataSourceNotFound', `The data source or scan of run '${run.id}' was deleted.`);
  }
  const kind = RUNNABLE_SCAN_KINDS[scan.kind];
  if (!kind) {
    throw new ScanFailure('ScanKindNotSupported', `The sandbox runs managed-identity scans of Azure Storage and ADLS Gen2 sources (kinds AzureStorageMsi, AdlsGen2Msi); scan '${scan.name}' is of kind ${scan.kind}.`);
  }
  const account = ds.storageAccount;
  if (!account) {
    throw new ScanFailure('InvalidEndpoint', `Data source '${ds.name}' has no storage endpoint.`);
  }
  const resource = (ds.properties.resourceId ? ctx.resources.resource<{ id: string; name: string; location: string }>(String(ds.properties.resourceId)) : undefined) ?? findStorageAccount(ctx, account);
  if (!resource) {
    throw new ScanFailure('DataSourceNotFound', `Failed to access the data source: storage account '${account}' (${ds.properties.endpoint}) does not exist. Check the data source endpoint.`);
  }
  const principalId = cat.account.principalId;
  if (!principalId) {
    throw new ScanFailure('ManagedIdentityNotFound', `Purview account '${cat.account.name}' has no system-assigned managed identity, so it cannot scan with MSI. Recreate it with identity type SystemAssigned.`);
  }
  const mi = ctx.directory.object(principalId);
  const canRead = Object.values(BLOB_READ_ROLES).some((role) => ctx.authorization.hasRole(principalId, resource.id, role));
  if (!canRead) {
    throw new ScanFailure(
      'AuthorizationPermissionMismatch',
      `Failed to access the data source: the managed identity of Purview account '${cat.account.name}' ('${mi?.displayName ?? cat.account.name}', object id ${principalId}) does not have the 'Storage Blob Data Reader' role (2a2b9908-6ea1-4ae2-8e65-a410df84e7d1) on storage account '${resource.name}' (${resource.id}). Assign the role to the managed identity on the storage account and run the scan again.`,
    );
  }
  const listContainers = ctx.blobs.listContainers?.bind(ctx.blobs);
  if (!listContainers) {
    throw new ScanFailure('InternalError', 'This sandbox cannot list the containers of a storage account (BlobData.listContainers is missing).');
  }

  let excluded = new Set<string>();
  if (scan.properties.scanRulesetType === 'Custom') {
    const rs = ctx.store.get<{ properties?: { excludedSystemClassifications?: string[] } }>(RULESETS, `${cat.account.id}/scanrulesets/${scan.properties.scanRulesetName}`);
    excluded = new Set(rs?.properties?.excludedSystemClassifications ?? []);
  }
  const adls = kind === 'AdlsGen2';
  const collection = cat.collection(scan.properties.collection.referenceName)?.name ?? cat.rootCollection;
  const now = ctx.clock.now().getTime();
  const assetCtx = { collection, dataSource: ds.name, scan: scan.name, runId: run.id, now };
  const serviceQn = `https://${account}.${adls ? 'dfs' : 'blob'}.core.windows.net`;
  const types = adls
    ? { service: 'azure_datalake_gen2_service', folder: 'azure_datalake_gen2_filesystem', file: 'azure_datalake_gen2_path', parentAttr: 'datalakeService', fileParentAttr: 'filesystem' }
    : { service: 'azure_blob_service', folder: 'azure_blob_container', file: 'azure_blob_path', parentAttr: 'blobService', fileParentAttr: 'container' };
  const seen = new Set<string>();

  const containers = await listContainers(account);
  const acct = upsertAsset(cat, { typeName: 'azure_storage_account', qualifiedName: `https://${account}.core.windows.net`, name: account, attributes: { location: resource.location, resourceId: resource.id } }, assetCtx, stats);
  const service = upsertAsset(cat, { typeName: types.service, qualifiedName: serviceQn, name: account, attributes: {}, relationshipAttributes: { account: cat.refOf(acct) } }, assetCtx, stats);
  stats.discovered += 2;
  stats.relationships += 1;
  for (const c of containers) {
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    const folderQn = `${serviceQn}/${c.name}`;
    const folder = upsertAsset(
      cat,
      { typeName: types.folder, qualifiedName: folderQn, name: c.name, attributes: c.lastModified ? { lastModifiedTime: new Date(c.lastModified).getTime() } : {}, relationshipAttributes: { [types.parentAttr]: cat.refOf(service) } },
      assetCtx,
      stats,
    );
    seen.add(folder.guid);
    stats.discovered++;
    stats.folders++;
    stats.relationships++;
    const blobs = await ctx.blobs.listBlobs(account, c.name, undefined, signal);
    await mapLimit(blobs, READ_CONCURRENCY, async (b) => {
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      let detected: string[] | undefined;
      // Same ETag as at the last scan: same content, same classifications; no need to read it again.
      const known = cat.findByQn(types.file, `${folderQn}/${b.name}`, true);
      if (known?.scanClassifications && known.attributes.eTag === b.etag && known.scan?.dataSource === ds.name) {
        detected = known.scanClassifications.filter((x) => !excluded.has(x));
      } else try {
        // Never ask for more than the blob holds: Azurite's ranged download fails past the end.
        const sample = b.size > 0 ? await ctx.blobs.readBlob(account, c.name, b.name, Math.min(SAMPLE_BYTES, b.size), signal) : Buffer.alloc(0);
        detected = classifySample(sample).filter((x) => !excluded.has(x));
      } catch (err) {
        if (signal.aborted) throw err;
        // The blob changed or vanished between listing and reading: keep the asset, skip classification.
        stats.failed++;
        exceptions[(err as { code?: string }).code ?? 'BlobReadFailed'] = (exceptions[(err as { code?: string }).code ?? 'BlobReadFailed'] ?? 0) + 1;
      }
      const leaf = b.name.split('/').filter(Boolean).pop() ?? b.name;
      const modified = new Date(b.lastModified).getTime();
      const file = upsertAsset(
        cat,
        {
          typeName: types.file,
          qualifiedName: `${folderQn}/${b.name}`,
          name: leaf,
          attributes: {
            path: `/${c.name}/${b.name}`,
            size: b.size,
            modifiedTime: modified,
            eTag: b.etag,
            ...(b.contentMD5 ? { contentMD5: b.contentMD5 } : {}),
            ...(adls ? { isFile: true } : { isBlob: true }),
          },
          relationshipAttributes: { [types.fileParentAttr]: cat.refOf(folder) },
          detected,
        },
        assetCtx,
        stats,
      );
      seen.add(file.guid);
      stats.discovered++;
      stats.files++;
      stats.relationships++;
      if (detected && detected.length > 0) stats.classified++;
    });
  }

  // Assets this data source discovered earlier whose blobs or containers are gone.
  const prefix = `${serviceQn}/`;
  for (const typeName of [types.folder, types.file]) {
    for (const guid of [...(cat.byType.get(typeName) ?? [])]) {
      const rec = cat.entities.get(guid);
      if (!rec || rec.status !== 'ACTIVE' || seen.has(guid) || rec.scan?.dataSource !== ds.name) continue;
      if (!String(rec.attributes.qualifiedName ?? '').startsWith(prefix)) continue;
      cat.save(cat.revise(rec, 'ServiceAdmin', now, { status: 'DELETED', scan: { dataSource: ds.name, scan: scan.name, runId: run.id } }));
      stats.deleted++;
    }
  }
}

// ---------------------------------------------------------------- schedules and recovery

/** Fires due triggers (called from the provider's onTick). */
export function tickTriggers(ctx: SandboxContext, now: Date): void {
  for (const t of ctx.store.list<TriggerRecord>(COL.triggers)) {
    if (t.properties.state !== 'Enabled' || t.nextRunAt === null || t.nextRunAt > now.getTime()) continue;
    const cat = catalogFor(ctx, t.accountName);
    if (!cat) continue;
    const key = triggerKey(cat, t.dataSourceName, t.scanName);
    const scan = ctx.store.get<ScanRecord>(COL.scans, scanKey(cat, t.dataSourceName, t.scanName));
    const next = nextOccurrence(t.properties.recurrence, now);
    ctx.store.put<TriggerRecord>(COL.triggers, key, { ...t, properties: { ...t.properties, lastScheduled: new Date(t.nextRunAt).toISOString() }, nextRunAt: next ? next.getTime() : null });
    if (!scan || activeRun(ctx, cat, t.dataSourceName, t.scanName)) continue;
    const runId = ctx.newGuid();
    const path = `/purview/${cat.account.name}/scan/datasources/${t.dataSourceName}/scans/${t.scanName}/runs/${runId}`;
    const req: SandboxRequest = {
      method: 'PUT',
      path,
      query: new URLSearchParams({ 'api-version': '2023-09-01' }),
      headers: {},
      body: undefined,
      baseUrl: '',
      apiVersion: '2023-09-01',
      signal: new AbortController().signal,
    };
    startRun(ctx, cat, req, scan, runId, t.properties.scanLevel, 'Scheduled');
    ctx.log(`purview trigger started run ${runId} of ${cat.account.name}/${t.dataSourceName}/${t.scanName}`);
  }
}

/** Runs left unfinished by a previous process cannot resume: mark them failed (a new run completes the scan). */
export function recoverRuns(ctx: SandboxContext): void {
  const running = worldOf(ctx).running;
  for (const run of ctx.store.list<RunRecord>(COL.runs)) {
    if (run.status !== 'Accepted' && run.status !== 'Queued' && run.status !== 'InProgress') continue;
    const key = `${run.accountId}/datasources/${run.dataSourceName}/scans/${run.scanName}/runs/${run.id}`;
    if (running.has(key.toLowerCase())) continue;
    const message = 'The sandbox restarted while this scan was running. Run the scan again.';
    ctx.store.put(COL.runs, key, { ...run, status: 'Failed', endTime: ctx.clock.now().toISOString(), error: { code: 'ScanInterrupted', message }, errorMessage: message });
  }
}
