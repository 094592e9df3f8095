/**
 * Microsoft Purview scanning (`{endpoint}/scan`, api-version 2023-09-01): data sources, scans,
 * scan rule sets, system scan rule sets, the default trigger and scan runs. Runs are
 * long-running operations: `runs.beginRunScan(ds, scan)` → `ScanRunPoller` (an `LroPoller<ScanRun>`),
 * `runs.runScanAndWait(...)`. Lists are `PagedIterable`s following `nextLink`; every method takes
 * `{abortSignal}`.
 */
import { randomUUID } from 'node:crypto';
import type { LroOptions } from '../core/lro';
import type { PagedIterable } from '../core/paging';
import type { SignalLike } from '../pipeline';
import { seg, type PurviewCaller, type PurviewQueryValue } from './caller';
import { nextLinkPaged } from './paging';
import { beginScanRun, unwrapRun, type ScanRunPoller } from './scanRunPoller';
import type {
  CollectionReference,
  DataSource,
  DataSourceCreate,
  DataSourceType,
  Scan,
  ScanCreate,
  ScanLevelType,
  ScanRuleset,
  ScanRun,
  ScanRunOperation,
  SystemScanRuleset,
  ScanTrigger,
  ScanTriggerCreate,
} from './scanningModels';

export const SCANNING_API_VERSION = '2023-09-01';
const BASE = '/scan';

export interface ScanningOperationOptions {
  abortSignal?: SignalLike;
}

export interface RunScanOptions extends LroOptions<ScanRun> {
  /** `Full` or `Incremental` (service default: Incremental after the first full run). */
  scanLevel?: ScanLevelType;
}

const GUID = /^[{]?[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}[}]?$/;

class Ops {
  constructor(protected readonly caller: PurviewCaller) {}

  protected url(path: string, query: Record<string, PurviewQueryValue> = {}): string {
    return this.caller.url(`${BASE}${path}`, { 'api-version': SCANNING_API_VERSION, ...query });
  }

  protected call<T>(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body: unknown, options: ScanningOperationOptions | undefined, query?: Record<string, PurviewQueryValue>): Promise<T> {
    return this.caller.call<T>(method, this.url(path, query), body, options);
  }

  protected paged<T>(path: string, options: ScanningOperationOptions | undefined, query?: Record<string, PurviewQueryValue>): PagedIterable<T> {
    return nextLinkPaged<T>(this.caller, this.url(path, query), SCANNING_API_VERSION, { abortSignal: options?.abortSignal });
  }
}

const ds = (name: string): string => `/datasources/${seg(name, 'data source name')}`;
const scanPath = (dataSourceName: string, scanName: string): string => `${ds(dataSourceName)}/scans/${seg(scanName, 'scan name')}`;

// ---------------------------------------------------------------------------------------------

export class DataSourcesOperations extends Ops {
  /** DataSources_CreateOrReplace (200 updated / 201 created). Read-only fields are not sent. */
  createOrReplace(dataSourceName: string, dataSource: DataSourceCreate, options?: ScanningOperationOptions): Promise<DataSource> {
    return this.call('PUT', ds(dataSourceName), dataSourceBody(dataSource), options);
  }
  /** DataSources_Get */
  get(dataSourceName: string, options?: ScanningOperationOptions): Promise<DataSource> {
    return this.call('GET', ds(dataSourceName), undefined, options);
  }
  /** DataSources_Delete (204; some versions answer 200 with the deleted source). */
  async delete(dataSourceName: string, options?: ScanningOperationOptions): Promise<void> {
    await this.call('DELETE', ds(dataSourceName), undefined, options);
  }
  /** DataSources_List */
  list(options?: ScanningOperationOptions): PagedIterable<DataSource> {
    return this.paged('/datasources', options);
  }
}

export class ScansOperations extends Ops {
  /** Scans_CreateOrReplace. MSI kinds default to the System rule set of their kind. */
  createOrReplace(dataSourceName: string, scanName: string, scan: ScanCreate, options?: ScanningOperationOptions): Promise<Scan> {
    return this.call('PUT', scanPath(dataSourceName, scanName), scanBody(scan), options);
  }
  /** Scans_Get */
  get(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): Promise<Scan> {
    return this.call('GET', scanPath(dataSourceName, scanName), undefined, options);
  }
  /** Scans_Delete */
  async delete(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): Promise<void> {
    await this.call('DELETE', scanPath(dataSourceName, scanName), undefined, options);
  }
  /** Scans_ListByDataSource */
  listByDataSource(dataSourceName: string, options?: ScanningOperationOptions): PagedIterable<Scan> {
    return this.paged(`${ds(dataSourceName)}/scans`, options);
  }
}

export class ScanRulesetsOperations extends Ops {
  /** ScanRulesets_Get */
  get(scanRulesetName: string, options?: ScanningOperationOptions): Promise<ScanRuleset> {
    return this.call('GET', `/scanrulesets/${seg(scanRulesetName, 'scan rule set name')}`, undefined, options);
  }
  /** ScanRulesets_List (custom rule sets of the account). */
  list(options?: ScanningOperationOptions): PagedIterable<ScanRuleset> {
    return this.paged('/scanrulesets', options);
  }
}

export class SystemScanRulesetsOperations extends Ops {
  /** SystemScanRulesets_List */
  list(options?: ScanningOperationOptions): PagedIterable<SystemScanRuleset> {
    return this.paged('/systemScanRulesets', options);
  }
  /** SystemScanRulesets_Get: the current system rule set of a data source type. */
  get(dataSourceType: DataSourceType, options?: ScanningOperationOptions): Promise<SystemScanRuleset> {
    return this.call('GET', `/systemScanRulesets/datasources/${seg(dataSourceType, 'data source type')}`, undefined, options);
  }
  /** SystemScanRulesets_GetLatest */
  getLatest(dataSourceType?: DataSourceType, options?: ScanningOperationOptions): Promise<SystemScanRuleset> {
    return this.call('GET', '/systemScanRulesets/versions/latest', undefined, options, { dataSourceType });
  }
  /** SystemScanRulesets_GetByVersion */
  getByVersion(version: number, dataSourceType?: DataSourceType, options?: ScanningOperationOptions): Promise<SystemScanRuleset> {
    return this.call('GET', `/systemScanRulesets/versions/${seg(version, 'version')}`, undefined, options, { dataSourceType });
  }
  /** SystemScanRulesets_ListVersionsByDataSource */
  listVersions(dataSourceType?: DataSourceType, options?: ScanningOperationOptions): PagedIterable<SystemScanRuleset> {
    return this.paged('/systemScanRulesets/versions', options, { dataSourceType });
  }
}

export class ScanTriggersOperations extends Ops {
  /** Triggers_CreateOrReplace: the scan's (only) trigger, `default`. */
  createOrReplace(dataSourceName: string, scanName: string, trigger: ScanTriggerCreate, options?: ScanningOperationOptions): Promise<ScanTrigger> {
    return this.call('PUT', `${scanPath(dataSourceName, scanName)}/triggers/default`, triggerBody(trigger), options);
  }
  /** Triggers_Get */
  get(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): Promise<ScanTrigger> {
    return this.call('GET', `${scanPath(dataSourceName, scanName)}/triggers/default`, undefined, options);
  }
  /** Triggers_Delete */
  async delete(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): Promise<void> {
    await this.call('DELETE', `${scanPath(dataSourceName, scanName)}/triggers/default`, undefined, options);
  }
  /** Triggers_Enable */
  enable(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): Promise<ScanTrigger> {
    return this.call('POST', `${scanPath(dataSourceName, scanName)}/triggers/default:enable`, undefined, options);
  }
  /** Triggers_Disable */
  disable(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): Promise<ScanTrigger> {
    return this.call('POST', `${scanPath(dataSourceName, scanName)}/triggers/default:disable`, undefined, options);
  }
}

export class ScanRunsOperations extends Ops {
  /**
   * ScanResult_RunScan (LRO): starts a run (`runId` defaults to a new GUID) and returns a poller
   * whose result is the finished run. `poller.runId` and `getOperationState().initialResult`
   * (`{scanResultId, status: 'Accepted'}`) are available at once.
   */
  beginRunScan(dataSourceName: string, scanName: string, runId?: string, options: RunScanOptions = {}): Promise<ScanRunPoller> {
    const id = runId ?? randomUUID();
    if (!GUID.test(id)) {
      throw new TypeError(`A scan run id must be a GUID (got ${id}).`);
    }
    const path = `${scanPath(dataSourceName, scanName)}/runs/${seg(id, 'run id')}`;
    const { scanLevel, ...lro } = options;
    return beginScanRun(this.caller, { runId: id, startUrl: this.url(path, { scanLevel }), runUrl: this.url(path) }, lro);
  }
  /** Starts a run and waits until it ends; rejects with the run's error if it fails or is canceled. */
  async runScanAndWait(dataSourceName: string, scanName: string, runId?: string, options: RunScanOptions = {}): Promise<ScanRun> {
    const poller = await this.beginRunScan(dataSourceName, scanName, runId, options);
    return poller.pollUntilDone({ abortSignal: options.abortSignal });
  }
  /** ScanResult_GetScanStatus (the run, bare or unwrapped from `{value: …}`). */
  async getStatus(dataSourceName: string, scanName: string, runId: string, options?: ScanningOperationOptions): Promise<ScanRun> {
    const body = await this.call<unknown>('GET', `${scanPath(dataSourceName, scanName)}/runs/${seg(runId, 'run id')}`, undefined, options);
    return unwrapRun<ScanRun>(body) ?? {};
  }
  /** ScanResult_ListScanHistory: newest first as the service orders them. */
  listHistory(dataSourceName: string, scanName: string, options?: ScanningOperationOptions): PagedIterable<ScanRun> {
    return this.paged(`${scanPath(dataSourceName, scanName)}/runs`, options);
  }
  /** ScanResult_CancelScan (202 `{scanResultId, status}`): asks the service to cancel a run. */
  cancel(dataSourceName: string, scanName: string, runId: string, options?: ScanningOperationOptions): Promise<ScanRunOperation> {
    return this.call('POST', `${scanPath(dataSourceName, scanName)}/runs/${seg(runId, 'run id')}:cancel`, undefined, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Request bodies (read-only fields dropped, collection references completed)
// ---------------------------------------------------------------------------------------------

function collectionRef(c: CollectionReference | undefined): CollectionReference | undefined {
  return c ? { referenceName: c.referenceName, type: c.type ?? 'CollectionReference' } : undefined;
}

function dataSourceBody(d: DataSourceCreate): unknown {
  const { createdAt: _c, lastModifiedAt: _m, collection, ...props } = d.properties;
  return { kind: d.kind, properties: stripUndefined({ ...props, collection: collectionRef(collection) }) };
}

const SYSTEM_RULESET: Record<ScanCreate['kind'], string> = { AzureStorageMsi: 'AzureStorage', AdlsGen2Msi: 'AdlsGen2' };

function scanBody(s: ScanCreate): unknown {
  const { createdAt: _c, lastModifiedAt: _m, collection, connectedVia, ...props } = s.properties;
  return {
    kind: s.kind,
    properties: stripUndefined({
      ...props,
      scanRulesetName: props.scanRulesetName ?? SYSTEM_RULESET[s.kind],
      scanRulesetType: props.scanRulesetType ?? 'System',
      collection: collectionRef(collection),
      connectedVia: connectedVia ? { referenceName: connectedVia.referenceName } : connectedVia,
    }),
  };
}

function triggerBody(t: ScanTriggerCreate): unknown {
  const { createdAt: _c, lastModifiedAt: _m, lastScheduled: _l, ...props } = t.properties as ScanTriggerCreate['properties'] & { createdAt?: string; lastModifiedAt?: string; lastScheduled?: string | null };
  return { properties: stripUndefined({ state: 'Enabled', ...props }) };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------

export class ScanningClient {
  readonly dataSources: DataSourcesOperations;
  readonly scans: ScansOperations;
  readonly scanRulesets: ScanRulesetsOperations;
  readonly systemScanRulesets: SystemScanRulesetsOperations;
  readonly triggers: ScanTriggersOperations;
  readonly runs: ScanRunsOperations;

  constructor(readonly caller: PurviewCaller) {
    this.dataSources = new DataSourcesOperations(caller);
    this.scans = new ScansOperations(caller);
    this.scanRulesets = new ScanRulesetsOperations(caller);
    this.systemScanRulesets = new SystemScanRulesetsOperations(caller);
    this.triggers = new ScanTriggersOperations(caller);
    this.runs = new ScanRunsOperations(caller);
  }

  /** `{endpoint}/scan` */
  get baseUrl(): string {
    return `${this.caller.endpoint}${BASE}`;
  }
}
