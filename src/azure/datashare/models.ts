/**
 * Azure Data Share models, api-version 2021-08-01, typed from the original swagger
 * (`Microsoft.DataShare/stable/2021-08-01/DataShare.json`).
 *
 * Shapes are the wire shapes: resources keep their `properties` envelope (the swagger's
 * `x-ms-client-flatten` is not applied), dates are ISO 8601 strings, and polymorphic types are
 * discriminated unions on `kind`. Fields the service sets are `readonly` and optional; they are
 * stripped before a request is sent, so a GET result can be modified and PUT back.
 */

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

export type ProvisioningState = 'Succeeded' | 'Creating' | 'Deleting' | 'Moving' | 'Failed';
export type InvitationStatus = 'Pending' | 'Accepted' | 'Rejected' | 'Withdrawn';
export type ShareSubscriptionStatus = 'Active' | 'Revoked' | 'SourceDeleted' | 'Revoking';
/** `InPlace` is for Azure Data Explorer only. */
export type ShareKind = 'CopyBased' | 'InPlace';
export type SynchronizationMode = 'Incremental' | 'FullSync';
export type RecurrenceInterval = 'Hour' | 'Day';
export type TriggerStatus = 'Active' | 'Inactive' | 'SourceSynchronizationSettingDeleted';
export type DataSetMappingStatus = 'Ok' | 'Broken';
export type OutputType = 'Csv' | 'Parquet';
export type OperationStatus = 'Accepted' | 'InProgress' | 'TransientFailure' | 'Succeeded' | 'Failed' | 'Canceled';
export type RegistrationStatus = 'ActivationPending' | 'Activated' | 'ActivationAttemptsExhausted';
export type CreatedByType = 'User' | 'Application' | 'ManagedIdentity' | 'Key';

export const DATA_SET_KINDS = [
  'Blob',
  'Container',
  'BlobFolder',
  'AdlsGen2FileSystem',
  'AdlsGen2Folder',
  'AdlsGen2File',
  'AdlsGen1Folder',
  'AdlsGen1File',
  'KustoCluster',
  'KustoDatabase',
  'KustoTable',
  'SqlDBTable',
  'SqlDWTable',
  'SynapseWorkspaceSqlPoolTable',
] as const;
export type DataSetKind = (typeof DATA_SET_KINDS)[number];

/** Mapping kinds: the data set kinds without the retired ADLS Gen1 ones. */
export const DATA_SET_MAPPING_KINDS = [
  'Blob',
  'Container',
  'BlobFolder',
  'AdlsGen2FileSystem',
  'AdlsGen2Folder',
  'AdlsGen2File',
  'KustoCluster',
  'KustoDatabase',
  'KustoTable',
  'SqlDBTable',
  'SqlDWTable',
  'SynapseWorkspaceSqlPoolTable',
] as const;
export type DataSetMappingKind = (typeof DATA_SET_MAPPING_KINDS)[number];

// ---------------------------------------------------------------------------------------------
// Common envelopes
// ---------------------------------------------------------------------------------------------

export interface SystemData {
  createdAt?: string;
  createdBy?: string;
  createdByType?: CreatedByType;
  lastModifiedAt?: string;
  lastModifiedBy?: string;
  lastModifiedByType?: CreatedByType;
}

/** `ProxyDto`: every Data Share child resource. */
export interface ProxyResource {
  readonly id?: string;
  readonly name?: string;
  readonly type?: string;
  readonly systemData?: SystemData;
}

export interface DataShareErrorInfo {
  code: string;
  message: string;
  target?: string;
  details?: DataShareErrorInfo[];
}

/** Body of async-operation status URLs and of some DELETE responses. */
export interface OperationResponse {
  status: OperationStatus;
  startTime?: string;
  endTime?: string;
  error?: DataShareErrorInfo;
}

// ---------------------------------------------------------------------------------------------
// Account
// ---------------------------------------------------------------------------------------------

export interface Identity {
  readonly principalId?: string;
  readonly tenantId?: string;
  type?: 'SystemAssigned';
}

export interface AccountProperties {
  readonly createdAt?: string;
  readonly provisioningState?: ProvisioningState;
  readonly userEmail?: string;
  readonly userName?: string;
}

/** A tracked resource (`DefaultDto`): has `location` and `tags`; `identity` is required. */
export interface Account extends ProxyResource {
  location?: string;
  tags?: Record<string, string>;
  identity: Identity;
  properties?: AccountProperties;
}

export interface AccountUpdateParameters {
  tags?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Share, synchronizations
// ---------------------------------------------------------------------------------------------

export interface ShareProperties {
  readonly createdAt?: string;
  description?: string;
  readonly provisioningState?: ProvisioningState;
  shareKind?: ShareKind;
  terms?: string;
  readonly userEmail?: string;
  readonly userName?: string;
}

export interface Share extends ProxyResource {
  properties?: ShareProperties;
}

/** A provider-side view of one consumer's synchronization. */
export interface ShareSynchronization {
  consumerEmail?: string;
  consumerName?: string;
  consumerTenantName?: string;
  durationMs?: number;
  endTime?: string;
  message?: string;
  startTime?: string;
  /** Free-form ("Raw Status"), e.g. `Accepted`, `Queued`, `InProgress`, `Succeeded`, `Failed`. */
  status?: string;
  synchronizationId?: string;
  readonly synchronizationMode?: SynchronizationMode;
}

export interface SynchronizationDetails {
  readonly dataSetId?: string;
  readonly dataSetType?: DataSetKind;
  readonly durationMs?: number;
  readonly endTime?: string;
  readonly filesRead?: number;
  readonly filesWritten?: number;
  readonly message?: string;
  readonly name?: string;
  readonly rowsCopied?: number;
  readonly rowsRead?: number;
  readonly sizeRead?: number;
  readonly sizeWritten?: number;
  readonly startTime?: string;
  /** Free-form, e.g. `Completed`. */
  readonly status?: string;
  readonly vCore?: number;
}

/** A consumer-side synchronization (also the body of synchronize / cancelSynchronization). */
export interface ShareSubscriptionSynchronization {
  readonly durationMs?: number;
  readonly endTime?: string;
  readonly message?: string;
  readonly startTime?: string;
  /** Free-form ("Raw Status"). */
  readonly status?: string;
  synchronizationId: string;
  readonly synchronizationMode?: SynchronizationMode;
}

export interface Synchronize {
  synchronizationMode?: SynchronizationMode;
}

// ---------------------------------------------------------------------------------------------
// Data sets (polymorphic on kind)
// ---------------------------------------------------------------------------------------------

interface StorageLocation {
  subscriptionId: string;
  resourceGroup: string;
  storageAccountName: string;
}

/** Read-only on every data set kind: the id consumers map with. */
interface DataSetIdReadOnly {
  readonly dataSetId?: string;
}

export interface BlobProperties extends StorageLocation, DataSetIdReadOnly {
  containerName: string;
  filePath: string;
}
export interface BlobContainerProperties extends StorageLocation, DataSetIdReadOnly {
  containerName: string;
}
export interface BlobFolderProperties extends StorageLocation, DataSetIdReadOnly {
  containerName: string;
  prefix: string;
}
export interface AdlsGen2FileSystemProperties extends StorageLocation, DataSetIdReadOnly {
  fileSystem: string;
}
export interface AdlsGen2FolderProperties extends StorageLocation, DataSetIdReadOnly {
  fileSystem: string;
  folderPath: string;
}
export interface AdlsGen2FileProperties extends StorageLocation, DataSetIdReadOnly {
  fileSystem: string;
  filePath: string;
}
/** ADLS Gen1 was retired in February 2024; typed for completeness. */
export interface AdlsGen1FolderProperties extends DataSetIdReadOnly {
  accountName: string;
  folderPath: string;
  resourceGroup: string;
  subscriptionId: string;
}
export interface AdlsGen1FileProperties extends AdlsGen1FolderProperties {
  fileName: string;
}
interface KustoReadOnly extends DataSetIdReadOnly {
  readonly location?: string;
  readonly provisioningState?: ProvisioningState;
}
export interface KustoClusterDataSetProperties extends KustoReadOnly {
  kustoClusterResourceId: string;
}
export interface KustoDatabaseDataSetProperties extends KustoReadOnly {
  kustoDatabaseResourceId: string;
}
export interface TableLevelSharingProperties {
  externalTablesToExclude?: string[];
  externalTablesToInclude?: string[];
  materializedViewsToExclude?: string[];
  materializedViewsToInclude?: string[];
  tablesToExclude?: string[];
  tablesToInclude?: string[];
}
export interface KustoTableDataSetProperties extends KustoReadOnly {
  kustoDatabaseResourceId: string;
  tableLevelSharingProperties: TableLevelSharingProperties;
}
export interface SqlDBTableProperties extends DataSetIdReadOnly {
  databaseName: string;
  schemaName: string;
  sqlServerResourceId: string;
  tableName: string;
}
export interface SqlDWTableProperties extends DataSetIdReadOnly {
  dataWarehouseName: string;
  schemaName: string;
  sqlServerResourceId: string;
  tableName: string;
}
export interface SynapseWorkspaceSqlPoolTableDataSetProperties extends DataSetIdReadOnly {
  synapseWorkspaceSqlPoolTableResourceId: string;
}

interface Kinded<K extends string, P> extends ProxyResource {
  kind: K;
  properties: P;
}

export type BlobDataSet = Kinded<'Blob', BlobProperties>;
export type BlobContainerDataSet = Kinded<'Container', BlobContainerProperties>;
export type BlobFolderDataSet = Kinded<'BlobFolder', BlobFolderProperties>;
export type AdlsGen2FileSystemDataSet = Kinded<'AdlsGen2FileSystem', AdlsGen2FileSystemProperties>;
export type AdlsGen2FolderDataSet = Kinded<'AdlsGen2Folder', AdlsGen2FolderProperties>;
export type AdlsGen2FileDataSet = Kinded<'AdlsGen2File', AdlsGen2FileProperties>;
export type AdlsGen1FolderDataSet = Kinded<'AdlsGen1Folder', AdlsGen1FolderProperties>;
export type AdlsGen1FileDataSet = Kinded<'AdlsGen1File', AdlsGen1FileProperties>;
export type KustoClusterDataSet = Kinded<'KustoCluster', KustoClusterDataSetProperties>;
export type KustoDatabaseDataSet = Kinded<'KustoDatabase', KustoDatabaseDataSetProperties>;
export type KustoTableDataSet = Kinded<'KustoTable', KustoTableDataSetProperties>;
/** The swagger does not mark `properties` required for the SQL kinds; the service needs them. */
export type SqlDBTableDataSet = Kinded<'SqlDBTable', SqlDBTableProperties>;
export type SqlDWTableDataSet = Kinded<'SqlDWTable', SqlDWTableProperties>;
export type SynapseWorkspaceSqlPoolTableDataSet = Kinded<'SynapseWorkspaceSqlPoolTable', SynapseWorkspaceSqlPoolTableDataSetProperties>;

export type StorageDataSet = BlobDataSet | BlobContainerDataSet | BlobFolderDataSet | AdlsGen2FileSystemDataSet | AdlsGen2FolderDataSet | AdlsGen2FileDataSet;

export type DataSet =
  | StorageDataSet
  | AdlsGen1FolderDataSet
  | AdlsGen1FileDataSet
  | KustoClusterDataSet
  | KustoDatabaseDataSet
  | KustoTableDataSet
  | SqlDBTableDataSet
  | SqlDWTableDataSet
  | SynapseWorkspaceSqlPoolTableDataSet;

// ---------------------------------------------------------------------------------------------
// Data set mappings (polymorphic on kind)
// ---------------------------------------------------------------------------------------------

interface MappingCommon {
  /** The source data set id (from consumerSourceDataSets) this mapping receives. Required. */
  dataSetId: string;
  readonly dataSetMappingStatus?: DataSetMappingStatus;
  readonly provisioningState?: ProvisioningState;
}

export interface BlobMappingProperties extends StorageLocation, MappingCommon {
  containerName: string;
  filePath: string;
  outputType?: OutputType;
}
export interface BlobContainerMappingProperties extends StorageLocation, MappingCommon {
  containerName: string;
}
export interface BlobFolderMappingProperties extends StorageLocation, MappingCommon {
  containerName: string;
  prefix: string;
}
export interface AdlsGen2FileSystemDataSetMappingProperties extends StorageLocation, MappingCommon {
  fileSystem: string;
}
export interface AdlsGen2FolderDataSetMappingProperties extends StorageLocation, MappingCommon {
  fileSystem: string;
  folderPath: string;
}
export interface AdlsGen2FileDataSetMappingProperties extends StorageLocation, MappingCommon {
  fileSystem: string;
  filePath: string;
  outputType?: OutputType;
}
export interface KustoClusterDataSetMappingProperties extends MappingCommon {
  kustoClusterResourceId: string;
  readonly location?: string;
}
export type KustoDatabaseDataSetMappingProperties = KustoClusterDataSetMappingProperties;
export type KustoTableDataSetMappingProperties = KustoClusterDataSetMappingProperties;
export interface SqlDBTableDataSetMappingProperties extends MappingCommon {
  databaseName: string;
  schemaName: string;
  sqlServerResourceId: string;
  tableName: string;
}
export interface SqlDWTableDataSetMappingProperties extends MappingCommon {
  dataWarehouseName: string;
  schemaName: string;
  sqlServerResourceId: string;
  tableName: string;
}
export interface SynapseWorkspaceSqlPoolTableDataSetMappingProperties extends MappingCommon {
  synapseWorkspaceSqlPoolTableResourceId: string;
}

export type BlobDataSetMapping = Kinded<'Blob', BlobMappingProperties>;
export type BlobContainerDataSetMapping = Kinded<'Container', BlobContainerMappingProperties>;
export type BlobFolderDataSetMapping = Kinded<'BlobFolder', BlobFolderMappingProperties>;
export type AdlsGen2FileSystemDataSetMapping = Kinded<'AdlsGen2FileSystem', AdlsGen2FileSystemDataSetMappingProperties>;
export type AdlsGen2FolderDataSetMapping = Kinded<'AdlsGen2Folder', AdlsGen2FolderDataSetMappingProperties>;
export type AdlsGen2FileDataSetMapping = Kinded<'AdlsGen2File', AdlsGen2FileDataSetMappingProperties>;
export type KustoClusterDataSetMapping = Kinded<'KustoCluster', KustoClusterDataSetMappingProperties>;
export type KustoDatabaseDataSetMapping = Kinded<'KustoDatabase', KustoDatabaseDataSetMappingProperties>;
export type KustoTableDataSetMapping = Kinded<'KustoTable', KustoTableDataSetMappingProperties>;
export type SqlDBTableDataSetMapping = Kinded<'SqlDBTable', SqlDBTableDataSetMappingProperties>;
export type SqlDWTableDataSetMapping = Kinded<'SqlDWTable', SqlDWTableDataSetMappingProperties>;
export type SynapseWorkspaceSqlPoolTableDataSetMapping = Kinded<'SynapseWorkspaceSqlPoolTable', SynapseWorkspaceSqlPoolTableDataSetMappingProperties>;

export type StorageDataSetMapping =
  | BlobDataSetMapping
  | BlobContainerDataSetMapping
  | BlobFolderDataSetMapping
  | AdlsGen2FileSystemDataSetMapping
  | AdlsGen2FolderDataSetMapping
  | AdlsGen2FileDataSetMapping;

export type DataSetMapping =
  | StorageDataSetMapping
  | KustoClusterDataSetMapping
  | KustoDatabaseDataSetMapping
  | KustoTableDataSetMapping
  | SqlDBTableDataSetMapping
  | SqlDWTableDataSetMapping
  | SynapseWorkspaceSqlPoolTableDataSetMapping;

// ---------------------------------------------------------------------------------------------
// Synchronization settings and triggers (kind: ScheduleBased)
// ---------------------------------------------------------------------------------------------

export interface ScheduledSynchronizationSettingProperties {
  readonly createdAt?: string;
  readonly provisioningState?: ProvisioningState;
  recurrenceInterval: RecurrenceInterval;
  /** First run time; the schedule repeats every hour or day from it. */
  synchronizationTime: string;
  readonly userName?: string;
}
export type ScheduledSynchronizationSetting = Kinded<'ScheduleBased', ScheduledSynchronizationSettingProperties>;
/** Polymorphic on `kind`; the only kind in 2021-08-01 is `ScheduleBased`. */
export type SynchronizationSetting = ScheduledSynchronizationSetting;

export interface ScheduledTriggerProperties {
  readonly createdAt?: string;
  readonly provisioningState?: ProvisioningState;
  recurrenceInterval: RecurrenceInterval;
  synchronizationMode?: SynchronizationMode;
  synchronizationTime: string;
  readonly triggerStatus?: TriggerStatus;
  readonly userName?: string;
}
export type ScheduledTrigger = Kinded<'ScheduleBased', ScheduledTriggerProperties>;
/** Polymorphic on `kind`; the only kind in 2021-08-01 is `ScheduleBased`. */
export type Trigger = ScheduledTrigger;

/** The provider's schedule as the consumer sees it (not a proxy resource). */
export interface ScheduledSourceSynchronizationSetting {
  kind: 'ScheduleBased';
  properties?: {
    recurrenceInterval?: RecurrenceInterval;
    synchronizationTime?: string;
  };
}
export type SourceShareSynchronizationSetting = ScheduledSourceSynchronizationSetting;

// ---------------------------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------------------------

interface InvitationReadOnly {
  readonly invitationId?: string;
  readonly invitationStatus?: InvitationStatus;
  readonly respondedAt?: string;
  readonly sentAt?: string;
  readonly userEmail?: string;
  readonly userName?: string;
}

export interface InvitationProperties extends InvitationReadOnly {
  /** Applies to the invitation and to the share subscription created from it. */
  expirationDate?: string;
  targetActiveDirectoryId?: string;
  targetEmail?: string;
  targetObjectId?: string;
}

export interface Invitation extends ProxyResource {
  properties?: InvitationProperties;
}

/** Invite by email, or by tenant id + user/application object id (never both). */
export type InvitationTarget =
  | { targetEmail: string; expirationDate?: string; targetActiveDirectoryId?: never; targetObjectId?: never }
  | { targetActiveDirectoryId: string; targetObjectId: string; expirationDate?: string; targetEmail?: never };

export interface InvitationCreate {
  properties: InvitationTarget;
}

export interface ConsumerInvitationProperties {
  readonly dataSetCount?: number;
  readonly description?: string;
  readonly expirationDate?: string;
  invitationId: string;
  readonly invitationStatus?: InvitationStatus;
  /** The provider share's location: pass it as `sourceShareLocation` when accepting. */
  readonly location?: string;
  readonly providerEmail?: string;
  readonly providerName?: string;
  readonly providerTenantName?: string;
  readonly respondedAt?: string;
  readonly sentAt?: string;
  readonly shareName?: string;
  readonly termsOfUse?: string;
  readonly userEmail?: string;
  readonly userName?: string;
}

export interface ConsumerInvitation extends ProxyResource {
  properties: ConsumerInvitationProperties;
}

// ---------------------------------------------------------------------------------------------
// Share subscriptions (provider and consumer side)
// ---------------------------------------------------------------------------------------------

export interface ProviderShareSubscriptionProperties {
  readonly consumerEmail?: string;
  readonly consumerName?: string;
  readonly consumerTenantName?: string;
  readonly createdAt?: string;
  expirationDate?: string;
  readonly providerEmail?: string;
  readonly providerName?: string;
  readonly sharedAt?: string;
  readonly shareSubscriptionObjectId?: string;
  readonly shareSubscriptionStatus?: ShareSubscriptionStatus;
}

export interface ProviderShareSubscription extends ProxyResource {
  properties?: ProviderShareSubscriptionProperties;
}

export interface ShareSubscriptionProperties {
  readonly createdAt?: string;
  expirationDate?: string;
  invitationId: string;
  readonly providerEmail?: string;
  readonly providerName?: string;
  readonly providerTenantName?: string;
  readonly provisioningState?: ProvisioningState;
  readonly shareDescription?: string;
  readonly shareKind?: ShareKind;
  readonly shareName?: string;
  readonly shareSubscriptionStatus?: ShareSubscriptionStatus;
  readonly shareTerms?: string;
  /** The invitation's `location`. */
  sourceShareLocation: string;
  readonly userEmail?: string;
  readonly userName?: string;
}

export interface ShareSubscription extends ProxyResource {
  properties: ShareSubscriptionProperties;
}

export interface ConsumerSourceDataSetProperties {
  readonly dataSetId?: string;
  readonly dataSetLocation?: string;
  readonly dataSetName?: string;
  readonly dataSetPath?: string;
  readonly dataSetType?: DataSetKind;
}

export interface ConsumerSourceDataSet extends ProxyResource {
  properties?: ConsumerSourceDataSetProperties;
}

// ---------------------------------------------------------------------------------------------
// Email registration, operations
// ---------------------------------------------------------------------------------------------

export interface EmailRegistration {
  activationCode?: string;
  readonly activationExpirationDate?: string;
  readonly email?: string;
  readonly registrationStatus?: RegistrationStatus;
  readonly tenantId?: string;
}

export interface OperationModelProperties {
  description?: string;
  operation?: string;
  provider?: string;
  resource?: string;
}

export interface DimensionProperties {
  displayName?: string;
  name?: string;
}

export interface OperationMetaMetricSpecification {
  aggregationType?: string;
  dimensions?: DimensionProperties[];
  displayDescription?: string;
  displayName?: string;
  enableRegionalMdmAccount?: string;
  fillGapWithZero?: boolean;
  internalMetricName?: string;
  name?: string;
  resourceIdDimensionNameOverride?: string;
  supportedAggregationTypes?: string[];
  supportedTimeGrainTypes?: string[];
  unit?: string;
}

export interface OperationMetaLogSpecification {
  blobDuration?: string;
  displayName?: string;
  name?: string;
}

export interface OperationModel {
  display?: OperationModelProperties;
  name?: string;
  origin?: string;
  properties?: {
    serviceSpecification?: {
      logSpecifications?: OperationMetaLogSpecification[];
      metricSpecifications?: OperationMetaMetricSpecification[];
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Envelope = 'id' | 'name' | 'type' | 'systemData';

export type AccountCreate = Omit<Account, Envelope> & { location: string };
export type ShareCreate = Omit<Share, Envelope>;
export type DataSetCreate = DistributiveOmit<DataSet, Envelope>;
export type DataSetMappingCreate = DistributiveOmit<DataSetMapping, Envelope>;
export type SynchronizationSettingCreate = Omit<SynchronizationSetting, Envelope>;
export type TriggerCreate = Omit<Trigger, Envelope>;
export type ShareSubscriptionCreate = Omit<ShareSubscription, Envelope>;

/**
 * Service-set property names per model, removed from request bodies so a GET result can be
 * PUT back. (Envelope fields `id`, `name`, `type`, `systemData` are always removed.)
 */
export const READ_ONLY_PROPERTIES = {
  account: ['createdAt', 'provisioningState', 'userEmail', 'userName'],
  share: ['createdAt', 'provisioningState', 'userEmail', 'userName'],
  dataSet: ['dataSetId', 'location', 'provisioningState'],
  dataSetMapping: ['dataSetMappingStatus', 'provisioningState', 'location'],
  invitation: ['invitationId', 'invitationStatus', 'respondedAt', 'sentAt', 'userEmail', 'userName'],
  synchronizationSetting: ['createdAt', 'provisioningState', 'userName'],
  trigger: ['createdAt', 'provisioningState', 'triggerStatus', 'userName'],
  shareSubscription: [
    'createdAt',
    'providerEmail',
    'providerName',
    'providerTenantName',
    'provisioningState',
    'shareDescription',
    'shareKind',
    'shareName',
    'shareSubscriptionStatus',
    'shareTerms',
    'userEmail',
    'userName',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Removes envelope and read-only fields (including `identity.principalId/tenantId`). */
export function toRequestBody<T extends object>(model: T, readOnly: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(model)) {
    if (k === 'id' || k === 'name' || k === 'type' || k === 'systemData' || v === undefined) {
      continue;
    }
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Record<string, unknown> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, unknown>)) {
        if (!readOnly.includes(pk) && pv !== undefined) {
          props[pk] = pv;
        }
      }
      out.properties = props;
    } else if (k === 'identity' && v && typeof v === 'object') {
      const { principalId: _p, tenantId: _t, ...rest } = v as Record<string, unknown>;
      out.identity = rest;
    } else {
      out[k] = v;
    }
  }
  return out;
}
