/**
 * Data set and data set mapping kinds (the `kind` discriminator of the 2021-08-01 swagger):
 * required properties, which ones the sandbox backs with real blobs, and which mapping kinds can
 * receive which source kinds.
 */
import { ArmError } from '../../core/contract';
import { type Json, requiredString, storageAccountId } from './common';

export const DATASET_KINDS = [
  'Blob', 'Container', 'BlobFolder', 'AdlsGen2FileSystem', 'AdlsGen2Folder', 'AdlsGen2File', 'AdlsGen1Folder', 'AdlsGen1File',
  'KustoCluster', 'KustoDatabase', 'KustoTable', 'SqlDBTable', 'SqlDWTable', 'SynapseWorkspaceSqlPoolTable',
] as const;
export type DataSetKind = (typeof DATASET_KINDS)[number];

export const MAPPING_KINDS = DATASET_KINDS.filter((k) => !k.startsWith('AdlsGen1')) as Exclude<DataSetKind, 'AdlsGen1Folder' | 'AdlsGen1File'>[];

/** How a storage kind addresses blobs: container property, scope, and the path property. */
export interface StorageShape {
  containerProp: 'containerName' | 'fileSystem';
  scope: 'container' | 'folder' | 'file';
  pathProp?: 'filePath' | 'prefix' | 'folderPath';
}

export const STORAGE_KINDS: Partial<Record<DataSetKind, StorageShape>> = {
  Blob: { containerProp: 'containerName', scope: 'file', pathProp: 'filePath' },
  BlobFolder: { containerProp: 'containerName', scope: 'folder', pathProp: 'prefix' },
  Container: { containerProp: 'containerName', scope: 'container' },
  AdlsGen2File: { containerProp: 'fileSystem', scope: 'file', pathProp: 'filePath' },
  AdlsGen2Folder: { containerProp: 'fileSystem', scope: 'folder', pathProp: 'folderPath' },
  AdlsGen2FileSystem: { containerProp: 'fileSystem', scope: 'container' },
};

const STORAGE_COMMON = ['subscriptionId', 'resourceGroup', 'storageAccountName'];

/** Required input properties per data set kind (swagger `required`, minus read-only ones). */
export const DATASET_REQUIRED: Record<DataSetKind, string[]> = {
  Blob: ['containerName', 'filePath', ...STORAGE_COMMON],
  BlobFolder: ['containerName', 'prefix', ...STORAGE_COMMON],
  Container: ['containerName', ...STORAGE_COMMON],
  AdlsGen2File: ['fileSystem', 'filePath', ...STORAGE_COMMON],
  AdlsGen2Folder: ['fileSystem', 'folderPath', ...STORAGE_COMMON],
  AdlsGen2FileSystem: ['fileSystem', ...STORAGE_COMMON],
  AdlsGen1Folder: ['subscriptionId', 'resourceGroup', 'accountName', 'folderPath'],
  AdlsGen1File: ['subscriptionId', 'resourceGroup', 'accountName', 'folderPath', 'fileName'],
  KustoCluster: ['kustoClusterResourceId'],
  KustoDatabase: ['kustoDatabaseResourceId'],
  KustoTable: ['kustoDatabaseResourceId'],
  SqlDBTable: ['databaseName', 'tableName', 'schemaName', 'sqlServerResourceId'],
  SqlDWTable: ['dataWarehouseName', 'tableName', 'schemaName', 'sqlServerResourceId'],
  SynapseWorkspaceSqlPoolTable: ['synapseWorkspaceSqlPoolTableResourceId'],
};

/** Input properties accepted per kind (anything else is dropped, as ARM does with unknown properties). */
const DATASET_OPTIONAL: Partial<Record<DataSetKind, string[]>> = {
  KustoTable: ['tableLevelSharingProperties'],
};

export const MAPPING_REQUIRED: Record<string, string[]> = {
  Blob: ['containerName', 'filePath', ...STORAGE_COMMON],
  BlobFolder: ['containerName', 'prefix', ...STORAGE_COMMON],
  Container: ['containerName', ...STORAGE_COMMON],
  AdlsGen2File: ['fileSystem', 'filePath', ...STORAGE_COMMON],
  AdlsGen2Folder: ['fileSystem', 'folderPath', ...STORAGE_COMMON],
  AdlsGen2FileSystem: ['fileSystem', ...STORAGE_COMMON],
  KustoCluster: ['kustoClusterResourceId'],
  KustoDatabase: ['kustoClusterResourceId'],
  KustoTable: ['kustoClusterResourceId'],
  SqlDBTable: ['databaseName', 'tableName', 'schemaName', 'sqlServerResourceId'],
  SqlDWTable: ['dataWarehouseName', 'tableName', 'schemaName', 'sqlServerResourceId'],
  SynapseWorkspaceSqlPoolTable: ['synapseWorkspaceSqlPoolTableResourceId'],
};

const MAPPING_OPTIONAL: Record<string, string[]> = {
  Blob: ['outputType'],
  AdlsGen2File: ['outputType'],
};

export const isKusto = (k: string): boolean => k.startsWith('Kusto');
export const isSqlFamily = (k: string): boolean => k === 'SqlDBTable' || k === 'SqlDWTable' || k === 'SynapseWorkspaceSqlPoolTable';

/** Mapping kinds that can receive a source data set of `sourceKind`. */
export function compatibleMappingKinds(sourceKind: string): string[] {
  switch (sourceKind) {
    case 'Blob':
    case 'AdlsGen2File':
      return ['Blob', 'AdlsGen2File'];
    case 'BlobFolder':
    case 'AdlsGen2Folder':
      return ['BlobFolder', 'AdlsGen2Folder'];
    case 'Container':
    case 'AdlsGen2FileSystem':
      return ['Container', 'AdlsGen2FileSystem'];
    case 'KustoCluster':
    case 'KustoDatabase':
    case 'KustoTable':
      return [sourceKind];
    case 'SqlDBTable':
    case 'SqlDWTable':
    case 'SynapseWorkspaceSqlPoolTable':
      return ['SqlDBTable', 'SqlDWTable', 'SynapseWorkspaceSqlPoolTable', 'Blob', 'AdlsGen2File'];
    default:
      return [];
  }
}

function pick(props: Json, names: string[], where: string, required: boolean): Json {
  const out: Json = {};
  for (const n of names) {
    if (required) out[n] = requiredString(props, n, where);
    else if (props[n] !== undefined && props[n] !== null) out[n] = props[n];
  }
  return out;
}

/** Validates and normalizes data set input properties for `kind`. */
export function dataSetInput(kind: DataSetKind, props: Json): Json {
  const out: Json = { ...pick(props, DATASET_REQUIRED[kind], 'properties', true) };
  if (kind === 'KustoTable') {
    const t = props.tableLevelSharingProperties;
    if (t === undefined || t === null || typeof t !== 'object' || Array.isArray(t)) {
      throw new ArmError(400, 'InvalidRequestContent', "A KustoTable data set needs 'properties.tableLevelSharingProperties' (tablesToInclude, tablesToExclude, ...).", 'properties.tableLevelSharingProperties');
    }
    const clean: Json = {};
    for (const [k, v] of Object.entries(t as Json)) {
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
        throw new ArmError(400, 'InvalidRequestContent', `'properties.tableLevelSharingProperties.${k}' must be an array of strings.`, `properties.tableLevelSharingProperties.${k}`);
      }
      clean[k] = [...new Set(v as string[])];
    }
    out.tableLevelSharingProperties = clean;
  }
  Object.assign(out, pick(props, (DATASET_OPTIONAL[kind] ?? []).filter((n) => n !== 'tableLevelSharingProperties'), 'properties', false));
  return out;
}

export function mappingInput(kind: string, props: Json): Json {
  const out: Json = { dataSetId: requiredString(props, 'dataSetId', 'properties', 'Use the dataSetId of one of the share subscription\'s consumerSourceDataSets.') };
  Object.assign(out, pick(props, MAPPING_REQUIRED[kind] ?? [], 'properties', true));
  const opt = pick(props, MAPPING_OPTIONAL[kind] ?? [], 'properties', false);
  if (opt.outputType !== undefined && opt.outputType !== 'Csv' && opt.outputType !== 'Parquet') {
    throw new ArmError(400, 'InvalidRequestContent', `'properties.outputType' must be Csv or Parquet; got '${String(opt.outputType)}'.`, 'properties.outputType');
  }
  Object.assign(out, opt);
  return out;
}

/** Where a storage data set or mapping points: account resource id, account, container and path. */
export interface BlobLocation {
  storageAccountId: string;
  account: string;
  container: string;
  scope: StorageShape['scope'];
  /** File path (scope file) or folder prefix without trailing '/' (scope folder); '' for a container. */
  path: string;
}

export function blobLocation(kind: string, props: Json): BlobLocation | undefined {
  const shape = STORAGE_KINDS[kind as DataSetKind];
  if (!shape) return undefined;
  const sub = String(props.subscriptionId);
  const rg = String(props.resourceGroup);
  const account = String(props.storageAccountName);
  const rawPath = shape.pathProp ? String(props[shape.pathProp] ?? '') : '';
  const path = rawPath.replace(/^\/+/, '').replace(/\/+$/, '');
  return { storageAccountId: storageAccountId(sub, rg, account), account, container: String(props[shape.containerProp]), scope: shape.scope, path };
}

/** `dataSetPath` as the consumer sees it in consumerSourceDataSets. */
export function dataSetPath(kind: string, props: Json): string {
  const loc = blobLocation(kind, props);
  if (loc) return loc.path ? `${loc.container}/${loc.path}` : loc.container;
  switch (kind) {
    case 'SqlDBTable':
      return `${String(props.databaseName)}.${String(props.schemaName)}.${String(props.tableName)}`;
    case 'SqlDWTable':
      return `${String(props.dataWarehouseName)}.${String(props.schemaName)}.${String(props.tableName)}`;
    case 'SynapseWorkspaceSqlPoolTable':
      return String(props.synapseWorkspaceSqlPoolTableResourceId);
    case 'KustoCluster':
      return String(props.kustoClusterResourceId);
    case 'KustoDatabase':
    case 'KustoTable':
      return String(props.kustoDatabaseResourceId);
    default:
      return '';
  }
}
