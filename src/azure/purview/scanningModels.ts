/**
 * Purview scanning models (`{endpoint}/scan`, 2023-09-01), typed from
 * `purview-scanning-2023-09-01.json` for the kinds this extension uses: Azure Blob Storage
 * (`AzureStorage`) and ADLS Gen2 (`AdlsGen2`) data sources, scanned with the account's managed
 * identity (`AzureStorageMsi`, `AdlsGen2Msi`). Other kinds read back as `OtherDataSource` / `OtherScan`.
 */

/** The swagger's DataSourceType enum. */
export const DATA_SOURCE_TYPES = [
  'None',
  'Fabric',
  'AzureSubscription',
  'AzureResourceGroup',
  'AzureSynapseWorkspace',
  'AzureSynapse',
  'AdlsGen1',
  'AdlsGen2',
  'AmazonAccount',
  'AmazonS3',
  'AmazonSql',
  'AzureCosmosDb',
  'AzureDataExplorer',
  'AzureFileService',
  'AzureSqlDatabase',
  'ArcEnabledSqlServer',
  'AmazonPostgreSql',
  'AzurePostgreSql',
  'Databricks',
  'SqlServerDatabase',
  'AzureSqlDatabaseManagedInstance',
  'AzureSqlDataWarehouse',
  'AzureMySql',
  'Hdfs',
  'TableauServer',
  'AzureStorage',
  'Teradata',
  'Oracle',
  'PostgreSql',
  'AmazonRedShift',
  'DatabricksHms',
  'SapS4Hana',
  'SapEcc',
  'Snowflake',
  'PowerBI',
  'Trident',
  'Dataverse',
  'DatabricksUnityCatalog',
] as const;
export type DataSourceType = (typeof DATA_SOURCE_TYPES)[number];

/** Data source kinds with typed properties here. */
export const TYPED_DATA_SOURCE_KINDS = ['AzureStorage', 'AdlsGen2'] as const;
/** Scan kinds with typed properties here. */
export const TYPED_SCAN_KINDS = ['AzureStorageMsi', 'AdlsGen2Msi'] as const;

export interface CollectionReference {
  referenceName: string;
  /** Always `CollectionReference`; filled in when omitted. */
  type?: 'CollectionReference' | (string & {});
  readonly lastModifiedAt?: string;
}

export type DataUseGovernance = 'Disabled' | 'DisabledByAnotherAccount' | 'Enabled' | 'EnabledAtAncestorScope';

/** AzureDataSourceProperties + endpoint (AzureStorageProperties / AdlsGen2Properties). */
export interface AzureStorageLikeProperties {
  /** `https://{account}.blob.core.windows.net/` (AzureStorage) or `https://{account}.dfs.core.windows.net/` (AdlsGen2). */
  endpoint?: string;
  resourceGroup?: string;
  subscriptionId?: string;
  location?: string;
  resourceName?: string;
  resourceId?: string;
  collection?: CollectionReference;
  dataUseGovernance?: DataUseGovernance;
  dataSourceCollectionMovingState?: 'Active' | 'Moving' | 'Failed' | (string & {});
  readonly createdAt?: string;
  readonly lastModifiedAt?: string;
}

interface DataSourceBase {
  readonly id?: string;
  readonly name?: string;
  creationType?: 'Manual' | 'AutoNative' | 'AutoManaged';
  readonly scans?: Scan[];
}

export interface AzureStorageDataSource extends DataSourceBase {
  kind: 'AzureStorage';
  properties?: AzureStorageLikeProperties;
}

export interface AdlsGen2DataSource extends DataSourceBase {
  kind: 'AdlsGen2';
  properties?: AzureStorageLikeProperties;
}

export interface OtherDataSource extends DataSourceBase {
  kind: Exclude<DataSourceType, (typeof TYPED_DATA_SOURCE_KINDS)[number]>;
  properties?: Record<string, unknown>;
}

export type DataSource = AzureStorageDataSource | AdlsGen2DataSource | OtherDataSource;

/** What `dataSources.createOrReplace` sends: the endpoint is required; read-only fields are dropped. */
export type DataSourceCreate =
  | { kind: 'AzureStorage'; properties: AzureStorageLikeProperties & { endpoint: string } }
  | { kind: 'AdlsGen2'; properties: AzureStorageLikeProperties & { endpoint: string } };

// ---------------------------------------------------------------------------------------------
// Scans
// ---------------------------------------------------------------------------------------------

export type ScanRulesetType = 'Custom' | 'System';
export type ScanLevelType = 'Full' | 'Incremental';

export interface ConnectedVia {
  referenceName?: string;
  readonly integrationRuntimeType?: string;
}

export interface ScanProperties {
  /** `AzureStorage` / `AdlsGen2` for the system rule sets. */
  scanRulesetName?: string;
  scanRulesetType?: ScanRulesetType;
  businessRuleSetName?: string;
  collection?: CollectionReference;
  domain?: string;
  workers?: number;
  connectedVia?: ConnectedVia | null;
  isPresetScan?: boolean;
  isLiveViewEnabled?: boolean;
  parallelScanCount?: number;
  logLevel?: string;
  readonly createdAt?: string;
  readonly lastModifiedAt?: string;
}

/** The swagger's Scan.kind enum (ScanAuthorizationType). */
export type ScanKind =
  | 'AzureSubscriptionCredential'
  | 'AzureSubscriptionMsi'
  | 'AzureResourceGroupCredential'
  | 'AzureResourceGroupMsi'
  | 'AzureSynapseWorkspaceCredential'
  | 'AzureSynapseWorkspaceMsi'
  | 'AzureSynapseCredential'
  | 'AzureSynapseMsi'
  | 'AdlsGen1Credential'
  | 'AdlsGen1Msi'
  | 'AdlsGen2Credential'
  | 'AdlsGen2Msi'
  | 'AmazonAccountCredential'
  | 'AmazonS3Credential'
  | 'AmazonS3RoleARN'
  | 'AmazonSqlCredential'
  | 'AzureCosmosDbCredential'
  | 'AzureDataExplorerCredential'
  | 'AzureDataExplorerMsi'
  | 'AzureFileServiceCredential'
  | 'AzureSqlDatabaseCredential'
  | 'AzureSqlDatabaseMsi'
  | 'AzureSqlDatabaseNativeAuth'
  | 'ArcEnabledSqlServerCredential'
  | 'ArcEnabledSqlServerNativeAuth'
  | 'AmazonPostgreSqlCredential'
  | 'AzurePostgreSqlCredential'
  | 'DatabricksCredential'
  | 'SqlServerDatabaseCredential'
  | 'AzureSqlDatabaseManagedInstanceCredential'
  | 'AzureSqlDatabaseManagedInstanceMsi'
  | 'AzureSqlDatabaseManagedInstanceNativeAuth'
  | 'AzureSqlDataWarehouseCredential'
  | 'AzureSqlDataWarehouseMsi'
  | 'AzureMySqlCredential'
  | 'HdfsCredential'
  | 'AzureStorageCredential'
  | 'AzureStorageMsi'
  | 'TeradataTeradataCredential'
  | 'TeradataTeradataUserPass'
  | 'TeradataUserPass'
  | 'OracleOracleCredential'
  | 'OracleOracleUserPass'
  | 'DatabricksHmsCredential'
  | 'SapS4HanaSapS4HanaCredential'
  | 'SapS4HanaSapS4HanaUserPass'
  | 'SapEccSapEccCredential'
  | 'SapEccSapEccUserPass'
  | 'SnowflakeCredential'
  | 'PowerBICredential'
  | 'PowerBIDelegated'
  | 'PowerBIFpa'
  | 'PowerBIMsi'
  | 'FabricCredential'
  | 'FabricDelegated'
  | 'FabricFpa'
  | 'FabricMsi'
  | 'TridentCredential'
  | 'TridentDelegated'
  | 'TridentMsi'
  | 'DataverseCredential'
  | 'DataverseMsi';

interface ScanBase {
  readonly id?: string;
  readonly name?: string;
  scanId?: string;
  dataSourceName?: string;
  creationType?: 'Manual' | 'AutoNative' | 'AutoManaged';
  readonly scanResults?: ScanRun[];
  readonly scanResultsWithIngestion?: ScanRun[];
  /** Returned by the service on GET (not in the 2023-09-01 swagger). */
  readonly lastRunResult?: ScanRun | null;
}

export interface AzureStorageMsiScan extends ScanBase {
  kind: 'AzureStorageMsi';
  properties?: ScanProperties;
}

export interface AdlsGen2MsiScan extends ScanBase {
  kind: 'AdlsGen2Msi';
  properties?: ScanProperties;
}

export interface OtherScan extends ScanBase {
  kind: Exclude<ScanKind, (typeof TYPED_SCAN_KINDS)[number]>;
  properties?: Record<string, unknown>;
}

export type Scan = AzureStorageMsiScan | AdlsGen2MsiScan | OtherScan;

/**
 * What `scans.createOrReplace` sends. `scanRulesetName` defaults to the system rule set of the
 * kind (`AzureStorage` / `AdlsGen2`) and `scanRulesetType` to `System`.
 */
export type ScanCreate =
  | { kind: 'AzureStorageMsi'; properties: ScanProperties & { collection: CollectionReference } }
  | { kind: 'AdlsGen2Msi'; properties: ScanProperties & { collection: CollectionReference } };

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

export interface ErrorInfo {
  code?: string;
  message?: string;
  target?: string;
  details?: ErrorInfo[];
}

/** OperationResponse: the body of RunScan / CancelScan (202). */
export interface ScanRunOperation {
  scanResultId?: string;
  startTime?: string;
  endTime?: string | null;
  status?: 'Accepted' | 'InProgress' | 'TransientFailure' | 'Succeeded' | 'Failed' | 'Canceled' | (string & {});
  error?: ErrorInfo | null;
}

export interface DiscoveryExecutionDetails {
  discoveryStartTime?: string;
  discoveryEndTime?: string;
  status?: 'Queued' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled' | 'Delayed' | 'Throttled' | 'CompletedWithExceptions' | 'CompleteWithWarning' | (string & {});
  statistics?: Record<string, unknown>;
  isErrorLogAvailable?: boolean;
}

export interface IngestionExecutionDetails {
  ingestionStartTime?: string;
  ingestionEndTime?: string;
  status?: 'None' | 'Succeeded' | 'Queued' | 'InProgress' | 'SourceUnknown' | 'PartialSucceeded' | 'Failed' | 'Canceled' | 'Canceling' | (string & {});
  statistics?: Record<string, unknown>;
  estimatedTimeRemainingInSeconds?: number;
  isErrorLogAvailable?: boolean;
  lastUpdatedAt?: string;
}

export interface ScanDiagnostics {
  notifications?: { message?: string; code?: number }[];
  exceptionCountMap?: Record<string, number>;
}

/** ScanResultWithIngestion: one run of a scan (status, timings, discovery and ingestion details). */
export interface ScanRun {
  /** The run id. */
  id?: string;
  parentId?: string | null;
  ingestionJobId?: string;
  resourceId?: string;
  /** e.g. `Accepted`, `InProgress`, `Succeeded`, `Failed`, `Canceled`. */
  status?: string;
  startTime?: string;
  endTime?: string | null;
  scanRulesetVersion?: number;
  scanRulesetType?: ScanRulesetType;
  scanLevelType?: ScanLevelType;
  errorMessage?: string | null;
  error?: ErrorInfo | null;
  runType?: string;
  dataSourceType?: DataSourceType;
  diagnostics?: ScanDiagnostics;
  discoveryExecutionDetails?: DiscoveryExecutionDetails;
  ingestionExecutionDetails?: IngestionExecutionDetails;
}

// ---------------------------------------------------------------------------------------------
// Triggers
// ---------------------------------------------------------------------------------------------

export type DayOfWeek = 'Sunday' | 'Monday' | 'Tuesday' | 'Wednesday' | 'Thursday' | 'Friday' | 'Saturday';

export interface RecurrenceSchedule {
  minutes?: number[] | null;
  hours?: number[] | null;
  weekDays?: DayOfWeek[] | null;
  monthDays?: number[] | null;
  monthlyOccurrences?: { day?: DayOfWeek; occurrence?: number }[] | null;
}

export interface ScanTriggerRecurrence {
  frequency?: 'Week' | 'Month' | 'Day' | 'Hour';
  interval?: number;
  startTime?: string;
  endTime?: string;
  schedule?: RecurrenceSchedule;
  timeZone?: string;
}

export interface ScanTriggerProperties {
  recurrence?: ScanTriggerRecurrence;
  recurrenceInterval?: string | null;
  state?: 'Enabled' | 'Disabled';
  scanLevel?: ScanLevelType;
  incrementalScanStartTime?: string;
  readonly createdAt?: string;
  readonly lastModifiedAt?: string;
  readonly lastScheduled?: string | null;
}

export interface ScanTrigger {
  readonly id?: string;
  readonly name?: string;
  properties?: ScanTriggerProperties;
  validationErrorInfo?: string;
}

/** What `triggers.createOrReplace` sends. */
export interface ScanTriggerCreate {
  properties: Omit<ScanTriggerProperties, 'createdAt' | 'lastModifiedAt' | 'lastScheduled'> & { recurrence: ScanTriggerRecurrence };
}

// ---------------------------------------------------------------------------------------------
// Scan rule sets
// ---------------------------------------------------------------------------------------------

export interface ScanningRule {
  fileExtensions?: string[];
  customFileExtensions?: { customFileType?: { builtInType?: string; customDelimiter?: string }; description?: string; enabled?: boolean; fileExtension?: string }[];
}

export interface ScanRulesetProperties {
  description?: string;
  excludedSystemClassifications?: string[];
  includedCustomClassificationRuleNames?: string[];
  scanningRule?: ScanningRule;
  readonly createdAt?: string;
  readonly lastModifiedAt?: string;
  [property: string]: unknown;
}

/** ScanRuleset / SystemScanRuleset (VersionedScanRuleset with a kind). */
export interface ScanRuleset {
  readonly id?: string;
  readonly name?: string;
  kind: DataSourceType;
  scanRulesetType?: ScanRulesetType;
  readonly status?: 'Enabled' | 'Disabled';
  readonly version?: number;
  properties?: ScanRulesetProperties;
}

export type SystemScanRuleset = ScanRuleset;

/** Scanning error body: `{error: {code, message, target?, details?}}`. */
export interface ScanningErrorResponse {
  error?: ErrorInfo;
}
