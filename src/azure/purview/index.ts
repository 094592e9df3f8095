/** Purview data-plane clients: Data Map (Atlas v2 + search), scanning, collections. */
export { PurviewCaller, normalizeEndpoint as normalizePurviewEndpoint, type PurviewCallerOptions, type PurviewQueryValue, type PurviewResponse } from './caller';
export { PurviewDataPlaneClient, assertPurviewAccountName, isEndpointUrl, type PurviewDataPlaneOptions } from './client';
export {
  BusinessMetadataOperations,
  ClassificationsOperations,
  DataMapClient,
  DATAMAP_API_VERSION,
  DiscoveryOperations,
  EntitiesOperations,
  LabelsOperations,
  LineageOperations,
  RelationshipsOperations,
  TypeDefinitionsOperations,
  type DataMapOperationOptions,
  type EntityReadOptions,
  type EntityWriteOptions,
  type LineageNextPageOptions,
  type LineageOptions,
  type SearchPage,
  type SearchPagedIterable,
  type TypeListOptions,
} from './datamap';
export * from './datamapModels';
export {
  DataSourcesOperations,
  ScanningClient,
  SCANNING_API_VERSION,
  ScanRulesetsOperations,
  ScanRunsOperations,
  ScansOperations,
  SystemScanRulesetsOperations,
  ScanTriggersOperations,
  type RunScanOptions,
  type ScanningOperationOptions,
} from './scanning';
export * from './scanningModels';
export type { ScanRunPoller } from './scanRunPoller';
export {
  CollectionsClient,
  COLLECTIONS_API_VERSION,
  type CollectionNameResponse,
  type CollectionParentReference,
  type CollectionPathResponse,
  type CollectionProvisioningState,
  type CollectionsListOptions,
  type CollectionsOperationOptions,
  type PurviewCollection,
  type PurviewCollectionInput,
  type CollectionSystemData,
} from './collections';
