/**
 * Data Map (Atlas v2 + search) models, typed from the 2023-09-01 swagger
 * (`purview-datamap-2023-09-01.json`, host template `{endpoint}/datamap/api`). Names follow the
 * swagger definitions; timestamps are epoch milliseconds as the service sends them.
 */

// ---------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------

export type EntityStatus = 'ACTIVE' | 'DELETED';

/** Attribute bag; `qualifiedName` and `name` are on every asset type. */
export interface AtlasAttributes {
  qualifiedName?: string;
  name?: string;
  [attribute: string]: unknown;
}

/** A reference to an entity by GUID, or by type + unique attributes (e.g. `{qualifiedName}`). */
export interface AtlasObjectId {
  guid?: string;
  typeName?: string;
  uniqueAttributes?: Record<string, unknown>;
}

export interface AtlasStruct {
  typeName?: string;
  attributes?: Record<string, unknown>;
  lastModifiedTS?: string;
}

export interface TimeBoundary {
  startTime?: string;
  endTime?: string;
  timeZone?: string;
}

export interface AtlasClassification {
  /** e.g. `MICROSOFT.PERSONAL.EMAIL` or a custom classification type. */
  typeName?: string;
  attributes?: Record<string, unknown>;
  lastModifiedTS?: string;
  entityGuid?: string;
  entityStatus?: EntityStatus;
  removePropagationsOnEntityDelete?: boolean;
  validityPeriods?: TimeBoundary[];
}

/** `GET …/entity/guid/{guid}/classifications` (AtlasClassifications). */
export interface AtlasClassifications {
  list?: AtlasClassification[];
  pageSize?: number;
  sortBy?: string;
  sortType?: 'NONE' | 'ASC' | 'DESC';
  startIndex?: number;
  totalCount?: number;
}

export interface AtlasTermAssignmentHeader {
  confidence?: number;
  createdBy?: string;
  description?: string;
  displayText?: string;
  expression?: string;
  relationGuid?: string;
  status?: 'DISCOVERED' | 'PROPOSED' | 'IMPORTED' | 'VALIDATED' | 'DEPRECATED' | 'OBSOLETE' | 'OTHER';
  steward?: string;
  termGuid?: string;
}

export interface ContactInfo {
  /** Microsoft Entra object id. */
  id?: string;
  info?: string;
}

export interface AtlasEntity {
  typeName?: string;
  attributes?: AtlasAttributes;
  /** `-1`, `-2`, … as placeholders when creating; the service assigns real GUIDs. */
  guid?: string;
  relationshipAttributes?: Record<string, unknown>;
  businessAttributes?: Record<string, unknown>;
  classifications?: AtlasClassification[];
  customAttributes?: Record<string, string>;
  labels?: string[];
  meanings?: AtlasTermAssignmentHeader[];
  contacts?: Record<string, ContactInfo[]>;
  status?: EntityStatus;
  createTime?: number;
  createdBy?: string;
  updateTime?: number;
  updatedBy?: string;
  version?: number;
  homeId?: string;
  isIncomplete?: boolean;
  provenanceType?: number;
  proxy?: boolean;
  lastModifiedTS?: string;
  /** Read-only: the collection the entity belongs to. */
  readonly collectionId?: string;
}

export interface AtlasEntityWithExtInfo {
  entity?: AtlasEntity;
  referredEntities?: Record<string, AtlasEntity>;
}

export interface AtlasEntitiesWithExtInfo {
  entities?: AtlasEntity[];
  referredEntities?: Record<string, AtlasEntity>;
}

export interface AtlasEntityHeader {
  typeName?: string;
  attributes?: AtlasAttributes;
  guid?: string;
  displayText?: string;
  status?: EntityStatus;
  classificationNames?: string[];
  classifications?: AtlasClassification[];
  labels?: string[];
  meaningNames?: string[];
  meanings?: AtlasTermAssignmentHeader[];
  isIncomplete?: boolean;
  lastModifiedTS?: string;
}

export interface AtlasEntityHeaders {
  guidHeaderMap?: Record<string, AtlasEntityHeader>;
}

export type EntityOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'PARTIAL_UPDATE' | 'PURGE';

export interface EntityMutationResult {
  /** Placeholder GUID (`-1`) → assigned GUID. */
  guidAssignments?: Record<string, string>;
  mutatedEntities?: Partial<Record<EntityOperation, AtlasEntityHeader[]>> & Record<string, AtlasEntityHeader[] | undefined>;
  partialUpdatedEntities?: AtlasEntityHeader[];
}

export interface ClassificationAssociateOptions {
  classification?: AtlasClassification;
  entityGuids?: string[];
}

export interface MoveEntitiesOptions {
  entityGuids?: string[];
}

// ---------------------------------------------------------------------------------------------
// Relationships
// ---------------------------------------------------------------------------------------------

export type RelationshipStatus = 'ACTIVE' | 'DELETED';

export interface AtlasRelationship {
  typeName?: string;
  attributes?: Record<string, unknown>;
  end1?: AtlasObjectId;
  end2?: AtlasObjectId;
  guid?: string;
  homeId?: string;
  label?: string;
  provenanceType?: number;
  status?: RelationshipStatus;
  createTime?: number;
  createdBy?: string;
  updateTime?: number;
  updatedBy?: string;
  version?: number;
  lastModifiedTS?: string;
}

export interface AtlasRelationshipWithExtInfo {
  relationship?: AtlasRelationship;
  referredEntities?: Record<string, AtlasEntityHeader>;
}

// ---------------------------------------------------------------------------------------------
// Lineage
// ---------------------------------------------------------------------------------------------

export type LineageDirection = 'INPUT' | 'OUTPUT' | 'BOTH';

export interface LineageRelation {
  fromEntityId?: string;
  relationshipId?: string;
  toEntityId?: string;
}

export interface ParentRelation {
  childEntityId?: string;
  relationshipId?: string;
  parentEntityId?: string;
}

export interface AtlasLineageInfo {
  baseEntityGuid?: string;
  guidEntityMap?: Record<string, AtlasEntityHeader>;
  widthCounts?: Record<string, Record<string, unknown>>;
  lineageDepth?: number;
  lineageWidth?: number;
  childrenCount?: number;
  lineageDirection?: LineageDirection;
  parentRelations?: ParentRelation[];
  relations?: LineageRelation[];
}

// ---------------------------------------------------------------------------------------------
// Type definitions
// ---------------------------------------------------------------------------------------------

export type TypeCategory = 'PRIMITIVE' | 'OBJECT_ID_TYPE' | 'ENUM' | 'STRUCT' | 'CLASSIFICATION' | 'ENTITY' | 'ARRAY' | 'MAP' | 'RELATIONSHIP' | 'TERM_TEMPLATE';
export type CardinalityValue = 'SINGLE' | 'LIST' | 'SET';
export type RelationshipCategory = 'ASSOCIATION' | 'AGGREGATION' | 'COMPOSITION';

export interface AtlasConstraintDef {
  type?: string;
  params?: Record<string, unknown>;
}

export interface AtlasAttributeDef {
  name?: string;
  typeName?: string;
  cardinality?: CardinalityValue;
  constraints?: AtlasConstraintDef[];
  defaultValue?: string;
  description?: string;
  includeInNotification?: boolean;
  isIndexable?: boolean;
  isOptional?: boolean;
  isUnique?: boolean;
  options?: Record<string, string>;
  valuesMaxCount?: number;
  valuesMinCount?: number;
}

export interface AtlasRelationshipAttributeDef extends AtlasAttributeDef {
  isLegacyAttribute?: boolean;
  relationshipTypeName?: string;
}

/** Fields every type definition shares (AtlasBaseTypeDef in Atlas). */
export interface AtlasBaseTypeDef {
  name?: string;
  category?: TypeCategory;
  description?: string;
  guid?: string;
  options?: Record<string, string>;
  serviceType?: string;
  typeVersion?: string;
  version?: number;
  createTime?: number;
  createdBy?: string;
  updateTime?: number;
  updatedBy?: string;
  lastModifiedTS?: string;
  /** Java DateFormat description; opaque here. */
  dateFormatter?: Record<string, unknown>;
}

export interface AtlasStructDef extends AtlasBaseTypeDef {
  attributeDefs?: AtlasAttributeDef[];
}

export interface AtlasEntityDef extends AtlasStructDef {
  superTypes?: string[];
  subTypes?: string[];
  relationshipAttributeDefs?: AtlasRelationshipAttributeDef[];
}

export interface AtlasClassificationDef extends AtlasStructDef {
  entityTypes?: string[];
  superTypes?: string[];
  subTypes?: string[];
}

export interface AtlasEnumElementDef {
  value?: string;
  ordinal?: number;
  description?: string;
}

export interface AtlasEnumDef extends AtlasBaseTypeDef {
  defaultValue?: string;
  elementDefs?: AtlasEnumElementDef[];
}

export interface AtlasRelationshipEndDef {
  type?: string;
  name?: string;
  cardinality?: CardinalityValue;
  description?: string;
  isContainer?: boolean;
  isLegacyAttribute?: boolean;
}

export interface AtlasRelationshipDef extends AtlasStructDef {
  endDef1?: AtlasRelationshipEndDef;
  endDef2?: AtlasRelationshipEndDef;
  relationshipCategory?: RelationshipCategory;
  relationshipLabel?: string;
}

export type AtlasBusinessMetadataDef = AtlasStructDef;
export type TermTemplateDef = AtlasStructDef;

/** `GET /atlas/v2/types/typedef/name/{name}`: any kind of definition (fields of all kinds). */
export interface AtlasTypeDef extends AtlasBaseTypeDef {
  attributeDefs?: AtlasAttributeDef[];
  superTypes?: string[];
  subTypes?: string[];
  entityTypes?: string[];
  relationshipAttributeDefs?: AtlasRelationshipAttributeDef[];
  defaultValue?: string;
  elementDefs?: AtlasEnumElementDef[];
  endDef1?: AtlasRelationshipEndDef;
  endDef2?: AtlasRelationshipEndDef;
  relationshipCategory?: RelationshipCategory;
  relationshipLabel?: string;
}

export interface AtlasTypesDef {
  businessMetadataDefs?: AtlasBusinessMetadataDef[];
  classificationDefs?: AtlasClassificationDef[];
  entityDefs?: AtlasEntityDef[];
  enumDefs?: AtlasEnumDef[];
  relationshipDefs?: AtlasRelationshipDef[];
  structDefs?: AtlasStructDef[];
  termTemplateDefs?: TermTemplateDef[];
}

export interface AtlasTypeDefHeader {
  category?: TypeCategory;
  guid?: string;
  name?: string;
}

/** The `type` filter of `GET /atlas/v2/types/typedefs` (and `/headers`). */
export type TypeDefListKind = 'enum' | 'entity' | 'classification' | 'relationship' | 'struct' | 'term_template' | 'business_metadata' | 'primitive' | 'array' | 'map' | 'object_id_type';

/** Path segment of the typed `GET /atlas/v2/types/{kind}/name|guid/{…}` operations. */
export type TypeDefPathKind = 'typedef' | 'entitydef' | 'classificationdef' | 'relationshipdef' | 'enumdef' | 'structdef' | 'businessmetadatadef';

export interface TypeDefByKind {
  typedef: AtlasTypeDef;
  entitydef: AtlasEntityDef;
  classificationdef: AtlasClassificationDef;
  relationshipdef: AtlasRelationshipDef;
  enumdef: AtlasEnumDef;
  structdef: AtlasStructDef;
  businessmetadatadef: AtlasBusinessMetadataDef;
}

// ---------------------------------------------------------------------------------------------
// Search (discovery)
// ---------------------------------------------------------------------------------------------

export type AttributeOperator = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'contains' | 'prefix' | 'timerange' | (string & {});
export type TimeRange = 'LAST_24H' | 'LAST_7D' | 'LAST_30D' | 'LAST_365D' | 'MORE_THAN_365D' | (string & {});

/** `{and: [...]}` (the typed form adds `kind: 'AndFilter'`). */
export interface AndFilter {
  kind?: 'AndFilter';
  and: SearchFilter[];
}
export interface OrFilter {
  kind?: 'OrFilter';
  or: SearchFilter[];
}
export interface NotFilter {
  kind?: 'NotFilter';
  not: SearchFilter;
}
/** Typed form of an entity-type filter: `{kind: 'TypeFilter', typeName}`. */
export interface TypeFilter {
  kind: 'TypeFilter';
  typeName: string;
  includeSubTypes?: boolean;
}
/** Classic form of an entity-type filter: `{entityType}`. */
export interface EntityTypeFilter {
  kind?: undefined;
  entityType: string;
  includeSubTypes?: boolean;
}
export interface ObjectTypeFilter {
  kind?: 'ObjectTypeFilter';
  /** e.g. `Files`, `Tables`, `Dashboards`, `Glossary terms`. */
  objectType: string;
}
export interface AssetTypeFilter {
  kind?: 'AssetTypeFilter';
  /** e.g. `Azure Blob Storage`. */
  assetType: string;
}
export interface CollectionFilter {
  kind?: 'CollectionFilter';
  collectionId: string;
}
export interface ClassificationFilter {
  kind?: 'ClassificationFilter';
  classification: string;
  includeSubClassifications?: boolean;
}
export interface LabelFilter {
  kind?: 'LabelFilter';
  label: string;
}
export interface TermFilter {
  kind?: 'TermFilter';
  term: string;
  glossary?: string;
}
export interface TermGuidFilter {
  kind?: 'TermGuidFilter';
  termGuid: string;
}
export interface GlossaryTypeFilter {
  kind?: 'GlossaryTypeFilter';
  glossaryType: string;
}
export interface IdFilter {
  kind?: 'IdFilter';
  id: string;
}
export interface FileExtensionFilter {
  kind?: 'FileExtensionFilter';
  fileExtension: string;
}
export interface ContactFilter {
  kind?: 'ContactFilter';
  contactId: string;
  contactType?: 'Expert' | 'Owner' | (string & {});
}
export interface AttributeFilter {
  kind?: 'AttributeFilter';
  attributeName: string;
  operator: AttributeOperator;
  attributeValue: string | number | boolean;
}
export interface CreateTimeFilter {
  kind: 'CreateTimeFilter';
  createTime: { operator: AttributeOperator; timeThreshold: number } | TimeRange;
}
export interface UpdateTimeFilter {
  kind: 'UpdateTimeFilter';
  updateTime: { operator: AttributeOperator; timeThreshold: number } | TimeRange;
}

/**
 * The search filter tree: `and` / `or` / `not` nodes over leaves. The service accepts both the
 * classic shape (`{entityType}`, `{collectionId}`, …) and the typed one (`{kind: 'TypeFilter', typeName}`).
 */
export type SearchFilter =
  | AndFilter
  | OrFilter
  | NotFilter
  | TypeFilter
  | EntityTypeFilter
  | ObjectTypeFilter
  | AssetTypeFilter
  | CollectionFilter
  | ClassificationFilter
  | LabelFilter
  | TermFilter
  | TermGuidFilter
  | GlossaryTypeFilter
  | IdFilter
  | FileExtensionFilter
  | ContactFilter
  | AttributeFilter
  | CreateTimeFilter
  | UpdateTimeFilter;

/** Small builders for the classic filter shape. */
export const searchFilter = {
  and: (...filters: SearchFilter[]): AndFilter => ({ and: filters }),
  or: (...filters: SearchFilter[]): OrFilter => ({ or: filters }),
  not: (filter: SearchFilter): NotFilter => ({ not: filter }),
  entityType: (entityType: string, includeSubTypes?: boolean): EntityTypeFilter =>
    includeSubTypes === undefined ? { entityType } : { entityType, includeSubTypes },
  objectType: (objectType: string): ObjectTypeFilter => ({ objectType }),
  assetType: (assetType: string): AssetTypeFilter => ({ assetType }),
  collection: (collectionId: string): CollectionFilter => ({ collectionId }),
  classification: (classification: string): ClassificationFilter => ({ classification }),
  label: (label: string): LabelFilter => ({ label }),
  term: (term: string, glossary?: string): TermFilter => (glossary === undefined ? { term } : { term, glossary }),
  id: (id: string): IdFilter => ({ id }),
  attribute: (attributeName: string, operator: AttributeOperator, attributeValue: string | number | boolean): AttributeFilter => ({ attributeName, operator, attributeValue }),
};

export type SearchSortOrder = 'asc' | 'desc';
export type OrderByDirection = 'asc' | 'desc' | 'ASC' | 'DESC';

export type SearchFacetName =
  | 'entityType'
  | 'assetType'
  | 'classification'
  | 'term'
  | 'contactId'
  | 'contactType'
  | 'label'
  | 'glossaryType'
  | 'termStatus'
  | 'termTemplate'
  | (string & {});

export interface SearchFacetItem {
  facet?: SearchFacetName;
  count?: number;
  sort?: { count?: SearchSortOrder; value?: SearchSortOrder };
}

export interface SearchTaxonomySetting {
  assetTypes?: string[];
  facet?: SearchFacetItem;
}

/** Body of `POST /search/query`. */
export interface QueryOptions {
  keywords?: string | null;
  /** Page size (the service caps it at 1000). */
  limit?: number;
  continuationToken?: string;
  /** e.g. `[{name: 'ASC'}, {updateTime: 'DESC'}]`. */
  orderby?: (string | Record<string, OrderByDirection>)[];
  filter?: SearchFilter;
  facets?: SearchFacetItem[];
  taxonomySetting?: SearchTaxonomySetting;
}

export interface SearchFacetItemValue {
  count?: number;
  value?: string;
}

export type SearchFacetResultValue = Partial<Record<SearchFacetName, SearchFacetItemValue[]>>;

export interface SearchHighlights {
  id?: string[];
  qualifiedName?: string[];
  name?: string[];
  description?: string[];
  entityType?: string[];
}

export interface TermSearchResultValue {
  name?: string;
  glossaryName?: string;
  guid?: string;
}

export interface ContactSearchResultValue {
  id?: string;
  info?: string;
  contactType?: string;
}

export interface SearchResultValue {
  '@search.score'?: number;
  '@search.highlights'?: SearchHighlights;
  objectType?: string;
  createTime?: number;
  updateTime?: number;
  /** The entity GUID. */
  id?: string;
  name?: string;
  qualifiedName?: string;
  entityType?: string;
  description?: string;
  endorsement?: string;
  owner?: string;
  classification?: string[];
  label?: string[];
  term?: TermSearchResultValue[];
  contact?: ContactSearchResultValue[];
  assetType?: string[];
  glossaryType?: string;
  glossary?: string;
  termStatus?: string;
  termTemplate?: string[];
  longDescription?: string;
  /** Not in the 2023-09-01 swagger but returned by the service. */
  collectionId?: string;
}

/** Response of `POST /search/query`. */
export interface QueryResult {
  '@search.count'?: number;
  '@search.count.approximate'?: boolean;
  continuationToken?: string;
  '@search.facets'?: SearchFacetResultValue;
  value?: SearchResultValue[];
}

/** Extra fields on each page of `dataMap.discovery.query(...).byPage()`. */
export interface SearchPageInfo {
  /** `@search.count`: total matches. */
  count?: number;
  /** `@search.count.approximate` */
  countApproximate?: boolean;
  /** `@search.facets` (when facets were requested). */
  facets?: SearchFacetResultValue;
}

export interface SuggestOptions {
  keywords?: string;
  limit?: number;
  filter?: SearchFilter;
}

export interface SuggestResultValue extends Omit<SearchResultValue, '@search.highlights'> {
  '@search.text'?: string;
}

export interface SuggestResult {
  value?: SuggestResultValue[];
}

export interface AutoCompleteOptions {
  keywords?: string;
  limit?: number;
  filter?: SearchFilter;
}

export interface AutoCompleteResultValue {
  text?: string;
  queryPlusText?: string;
}

export interface AutoCompleteResult {
  value?: AutoCompleteResultValue[];
}

/** Atlas error body: `{requestId, errorCode, errorMessage}`. */
export interface AtlasErrorResponse {
  requestId?: string;
  errorCode?: string;
  errorMessage?: string;
}
