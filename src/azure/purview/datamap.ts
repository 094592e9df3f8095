/**
 * Microsoft Purview Data Map (`{endpoint}/datamap/api`, 2023-09-01): Atlas v2 type definitions,
 * entities, classifications, labels, relationships and lineage, plus search. Grouped like the
 * Azure SDKs: `dataMap.entities.get(guid)`, `dataMap.lineage.get(guid, {direction: 'BOTH'})`,
 * `dataMap.discovery.query({keywords, filter})` (a `PagedIterable` following continuation tokens).
 *
 * `api-version=2023-09-01` is sent exactly where the swagger declares it (required on search,
 * `moveTo`, lineage next page and term templates; optional on entity create/bulk and type lists);
 * the other Atlas routes take none. Every method accepts `{abortSignal}`.
 */
import type { PagedIterable, PageSettings } from '../core/paging';
import type { SignalLike } from '../pipeline';
import { seg, type PurviewCaller, type PurviewQueryValue } from './caller';
import { continuationPaged, type ContinuationPage } from './paging';
import type {
  AtlasClassification,
  AtlasClassifications,
  AtlasEntitiesWithExtInfo,
  AtlasEntityHeader,
  AtlasEntityHeaders,
  AtlasEntityWithExtInfo,
  AtlasLineageInfo,
  AtlasRelationship,
  AtlasRelationshipWithExtInfo,
  AtlasTypeDef,
  AtlasTypeDefHeader,
  AtlasTypesDef,
  AutoCompleteOptions,
  AutoCompleteResult,
  ClassificationAssociateOptions,
  EntityMutationResult,
  LineageDirection,
  QueryOptions,
  QueryResult,
  SearchPageInfo,
  SearchResultValue,
  SuggestOptions,
  SuggestResult,
  TermTemplateDef,
  TypeDefByKind,
  TypeDefListKind,
  TypeDefPathKind,
} from './datamapModels';

export const DATAMAP_API_VERSION = '2023-09-01';
const BASE = '/datamap/api';
const ATLAS = `${BASE}/atlas/v2`;

export interface DataMapOperationOptions {
  abortSignal?: SignalLike;
}

export interface EntityReadOptions extends DataMapOperationOptions {
  /** Return referred entities with minimal attributes only. */
  minExtInfo?: boolean;
  /** Leave out relationship attributes. */
  ignoreRelationships?: boolean;
}

export interface EntityWriteOptions extends DataMapOperationOptions {
  /** Create the entity in this collection (default: the account's root collection). */
  collectionId?: string;
  /** `ignore` (default) or `replace` business attributes. */
  businessAttributeUpdateBehavior?: 'ignore' | 'replace' | 'merge';
}

export interface TypeListOptions extends DataMapOperationOptions {
  /** Only definitions of this kind. */
  type?: TypeDefListKind;
  /** Include term template definitions. */
  includeTermTemplate?: boolean;
}

export interface LineageOptions extends DataMapOperationOptions {
  direction: LineageDirection;
  /** Hops from the base entity (service default 3). */
  depth?: number;
}

export interface LineageNextPageOptions extends DataMapOperationOptions {
  direction: LineageDirection;
  offset?: number;
  limit?: number;
}

/** A page of search results with the response's count and facets. */
export type SearchPage = ContinuationPage<SearchResultValue, SearchPageInfo>;

export interface SearchPagedIterable extends PagedIterable<SearchResultValue> {
  byPage(settings?: PageSettings): AsyncIterableIterator<SearchPage>;
}

/** Query string of a unique-attribute address: `attr:qualifiedName=<qn>`. */
function uniqueAttr(qualifiedName: string): Record<string, PurviewQueryValue> {
  if (!qualifiedName) {
    throw new TypeError('The qualifiedName is empty; it is required.');
  }
  return { 'attr:qualifiedName': qualifiedName };
}

class Ops {
  constructor(protected readonly caller: PurviewCaller) {}

  protected read<T>(path: string, query: Record<string, PurviewQueryValue>, options: DataMapOperationOptions | undefined): Promise<T> {
    return this.caller.call<T>('GET', this.caller.url(path, query), undefined, options);
  }

  protected async write<T>(method: 'PUT' | 'POST' | 'DELETE', path: string, query: Record<string, PurviewQueryValue>, body: unknown, options: DataMapOperationOptions | undefined): Promise<T> {
    return this.caller.call<T>(method, this.caller.url(path, query), body, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Type definitions
// ---------------------------------------------------------------------------------------------

export class TypeDefinitionsOperations extends Ops {
  /** Type_List: every definition (optionally of one kind). */
  list(options?: TypeListOptions): Promise<AtlasTypesDef> {
    return this.read(`${ATLAS}/types/typedefs`, { 'api-version': DATAMAP_API_VERSION, includeTermTemplate: options?.includeTermTemplate, type: options?.type }, options);
  }
  /** Type_ListHeaders */
  listHeaders(options?: TypeListOptions): Promise<AtlasTypeDefHeader[]> {
    return this.read(`${ATLAS}/types/typedefs/headers`, { 'api-version': DATAMAP_API_VERSION, includeTermTemplate: options?.includeTermTemplate, type: options?.type }, options);
  }
  /** Type_GetByName: a definition of any kind. */
  getByName(name: string, options?: DataMapOperationOptions): Promise<AtlasTypeDef> {
    return this.read(`${ATLAS}/types/typedef/name/${seg(name, 'type name')}`, {}, options);
  }
  /** Type_GetByGuid */
  getByGuid(guid: string, options?: DataMapOperationOptions): Promise<AtlasTypeDef> {
    return this.read(`${ATLAS}/types/typedef/guid/${seg(guid, 'type GUID')}`, {}, options);
  }
  /** Type_Get{Entity,Classification,Relationship,Enum,Struct,BusinessMetadata}DefByName */
  getDefByName<K extends TypeDefPathKind>(kind: K, name: string, options?: DataMapOperationOptions): Promise<TypeDefByKind[K]> {
    return this.read(`${ATLAS}/types/${kind}/name/${seg(name, 'type name')}`, {}, options);
  }
  /** Type_Get{Entity,Classification,Relationship,Enum,Struct,BusinessMetadata}DefByGuid */
  getDefByGuid<K extends TypeDefPathKind>(kind: K, guid: string, options?: DataMapOperationOptions): Promise<TypeDefByKind[K]> {
    return this.read(`${ATLAS}/types/${kind}/guid/${seg(guid, 'type GUID')}`, {}, options);
  }
  /** Type_GetTermTemplateDefByName */
  getTermTemplateDefByName(name: string, options?: DataMapOperationOptions): Promise<TermTemplateDef> {
    return this.read(`${BASE}/types/termtemplatedef/name/${seg(name, 'type name')}`, { 'api-version': DATAMAP_API_VERSION }, options);
  }
  /** Type_GetTermTemplateDefByGuid */
  getTermTemplateDefByGuid(guid: string, options?: DataMapOperationOptions): Promise<TermTemplateDef> {
    return this.read(`${BASE}/types/termtemplatedef/guid/${seg(guid, 'type GUID')}`, { 'api-version': DATAMAP_API_VERSION }, options);
  }
  /** Type_BulkCreate: creates new definitions only (existing names fail with 409). */
  create(types: AtlasTypesDef, options?: DataMapOperationOptions): Promise<AtlasTypesDef> {
    return this.write('POST', `${ATLAS}/types/typedefs`, {}, types, options);
  }
  /** Type_BulkUpdate: updates existing definitions. */
  update(types: AtlasTypesDef, options?: DataMapOperationOptions): Promise<AtlasTypesDef> {
    return this.write('PUT', `${ATLAS}/types/typedefs`, {}, types, options);
  }
  /** Type_BulkDelete */
  async delete(types: AtlasTypesDef, options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/types/typedefs`, {}, types, options);
  }
  /** Type_Delete: one definition by name. */
  async deleteByName(name: string, options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/types/typedef/name/${seg(name, 'type name')}`, {}, undefined, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Entities
// ---------------------------------------------------------------------------------------------

export class EntitiesOperations extends Ops {
  /** Entity_CreateOrUpdate: one entity (with referred entities); matched by qualifiedName. */
  createOrUpdate(entity: AtlasEntityWithExtInfo, options?: EntityWriteOptions): Promise<EntityMutationResult> {
    return this.write('POST', `${ATLAS}/entity`, writeQuery(options), entity, options);
  }
  /** Entity_BulkCreateOrUpdate */
  bulkCreateOrUpdate(entities: AtlasEntitiesWithExtInfo, options?: EntityWriteOptions): Promise<EntityMutationResult> {
    return this.write('POST', `${ATLAS}/entity/bulk`, writeQuery(options), entities, options);
  }
  /** Entity_Get */
  get(guid: string, options?: EntityReadOptions): Promise<AtlasEntityWithExtInfo> {
    return this.read(`${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}`, readQuery(options), options);
  }
  /** Entity_GetByUniqueAttributes: `GET …/uniqueAttribute/type/{typeName}?attr:qualifiedName=…` */
  getByUniqueAttribute(typeName: string, qualifiedName: string, options?: EntityReadOptions): Promise<AtlasEntityWithExtInfo> {
    return this.read(`${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}`, { ...readQuery(options), ...uniqueAttr(qualifiedName) }, options);
  }
  /** Entity_ListByGuids: `?guid=a&guid=b`. */
  listByGuids(guids: readonly string[], options?: EntityReadOptions): Promise<AtlasEntitiesWithExtInfo> {
    requireSome(guids, 'entity GUID');
    return this.read(`${ATLAS}/entity/bulk`, { 'api-version': DATAMAP_API_VERSION, guid: guids, ...readQuery(options) }, options);
  }
  /** Entity_ListByUniqueAttributes: `?attr_1:qualifiedName=…&attr_2:qualifiedName=…` */
  listByUniqueAttributes(typeName: string, qualifiedNames: readonly string[], options?: EntityReadOptions): Promise<AtlasEntitiesWithExtInfo> {
    requireSome(qualifiedNames, 'qualifiedName');
    const query: Record<string, PurviewQueryValue> = { ...readQuery(options) };
    qualifiedNames.forEach((qn, i) => {
      query[`attr_${i + 1}:qualifiedName`] = qn;
    });
    return this.read(`${ATLAS}/entity/bulk/uniqueAttribute/type/${seg(typeName, 'type name')}`, query, options);
  }
  /** Entity_GetHeader */
  getHeader(guid: string, options?: DataMapOperationOptions): Promise<AtlasEntityHeader> {
    return this.read(`${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/header`, {}, options);
  }
  /** Entity_PartialUpdateAttributeByGuid: sets one attribute. */
  updateAttribute(guid: string, name: string, value: unknown, options?: DataMapOperationOptions): Promise<EntityMutationResult> {
    if (!name) {
      throw new TypeError('The attribute name is empty; it is required.');
    }
    return this.write('PUT', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}`, { name }, value, options);
  }
  /** Entity_PartialUpdateByUniqueAttributes */
  updateByUniqueAttribute(typeName: string, qualifiedName: string, entity: AtlasEntityWithExtInfo, options?: DataMapOperationOptions): Promise<EntityMutationResult> {
    return this.write('PUT', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}`, uniqueAttr(qualifiedName), entity, options);
  }
  /** Entity_Delete */
  delete(guid: string, options?: DataMapOperationOptions): Promise<EntityMutationResult> {
    return this.write('DELETE', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}`, {}, undefined, options);
  }
  /** Entity_DeleteByUniqueAttribute */
  deleteByUniqueAttribute(typeName: string, qualifiedName: string, options?: DataMapOperationOptions): Promise<EntityMutationResult> {
    return this.write('DELETE', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}`, uniqueAttr(qualifiedName), undefined, options);
  }
  /** Entity_BulkDelete: `?guid=a&guid=b`. */
  bulkDelete(guids: readonly string[], options?: DataMapOperationOptions): Promise<EntityMutationResult> {
    requireSome(guids, 'entity GUID');
    return this.write('DELETE', `${ATLAS}/entity/bulk`, { guid: guids }, undefined, options);
  }
  /** Entity_MoveEntitiesToCollection */
  moveToCollection(collectionId: string, entityGuids: readonly string[], options?: DataMapOperationOptions): Promise<EntityMutationResult> {
    if (!collectionId) {
      throw new TypeError('The collection id is empty; it is required.');
    }
    requireSome(entityGuids, 'entity GUID');
    return this.write('POST', `${BASE}/entity/moveTo`, { 'api-version': DATAMAP_API_VERSION, collectionId }, { entityGuids: [...entityGuids] }, options);
  }
}

function writeQuery(options: EntityWriteOptions | undefined): Record<string, PurviewQueryValue> {
  return { 'api-version': DATAMAP_API_VERSION, collectionId: options?.collectionId, businessAttributeUpdateBehavior: options?.businessAttributeUpdateBehavior };
}

function readQuery(options: EntityReadOptions | undefined): Record<string, PurviewQueryValue> {
  return { minExtInfo: options?.minExtInfo, ignoreRelationships: options?.ignoreRelationships };
}

function requireSome(values: readonly string[], what: string): void {
  if (!values.length || values.some((v) => !v)) {
    throw new TypeError(`At least one ${what} is required, and none may be empty.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Classifications and labels
// ---------------------------------------------------------------------------------------------

export class ClassificationsOperations extends Ops {
  /** Entity_GetClassifications */
  list(guid: string, options?: DataMapOperationOptions): Promise<AtlasClassifications> {
    return this.read(`${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/classifications`, {}, options);
  }
  /** Entity_GetClassification */
  get(guid: string, classificationName: string, options?: DataMapOperationOptions): Promise<AtlasClassification> {
    return this.read(`${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/classification/${seg(classificationName, 'classification name')}`, {}, options);
  }
  /** Entity_AddClassifications (204). */
  async add(guid: string, classifications: readonly AtlasClassification[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/classifications`, {}, [...classifications], options);
  }
  /** Entity_UpdateClassifications (204). */
  async update(guid: string, classifications: readonly AtlasClassification[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('PUT', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/classifications`, {}, [...classifications], options);
  }
  /** Entity_RemoveClassification (204). */
  async remove(guid: string, classificationName: string, options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/classification/${seg(classificationName, 'classification name')}`, {}, undefined, options);
  }
  /** Entity_AddClassificationsByUniqueAttribute (204). */
  async addByUniqueAttribute(typeName: string, qualifiedName: string, classifications: readonly AtlasClassification[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}/classifications`, uniqueAttr(qualifiedName), [...classifications], options);
  }
  /** Entity_UpdateClassificationsByUniqueAttribute (204). */
  async updateByUniqueAttribute(typeName: string, qualifiedName: string, classifications: readonly AtlasClassification[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('PUT', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}/classifications`, uniqueAttr(qualifiedName), [...classifications], options);
  }
  /** Entity_RemoveClassificationByUniqueAttribute (204). */
  async removeByUniqueAttribute(typeName: string, qualifiedName: string, classificationName: string, options?: DataMapOperationOptions): Promise<void> {
    await this.write(
      'DELETE',
      `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}/classification/${seg(classificationName, 'classification name')}`,
      uniqueAttr(qualifiedName),
      undefined,
      options,
    );
  }
  /** Entity_AddClassification: one classification on many entities (204). */
  async addToEntities(request: ClassificationAssociateOptions, options?: DataMapOperationOptions): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/bulk/classification`, {}, request, options);
  }
  /** Entity_BulkSetClassifications: `{guidHeaderMap}` → the GUIDs that were updated. */
  bulkSet(headers: AtlasEntityHeaders, options?: DataMapOperationOptions): Promise<string[]> {
    return this.write('POST', `${ATLAS}/entity/bulk/setClassifications`, {}, headers, options);
  }
}

export class LabelsOperations extends Ops {
  /** Entity_AddLabel: adds to the existing labels (204). */
  async add(guid: string, labels: readonly string[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('PUT', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/labels`, {}, [...labels], options);
  }
  /** Entity_SetLabels: replaces all labels (204). */
  async set(guid: string, labels: readonly string[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/labels`, {}, [...labels], options);
  }
  /** Entity_RemoveLabels (204). */
  async remove(guid: string, labels: readonly string[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/labels`, {}, [...labels], options);
  }
  /** Entity_AddLabelsByUniqueAttribute (204). */
  async addByUniqueAttribute(typeName: string, qualifiedName: string, labels: readonly string[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('PUT', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}/labels`, uniqueAttr(qualifiedName), [...labels], options);
  }
  /** Entity_SetLabelsByUniqueAttribute (204). */
  async setByUniqueAttribute(typeName: string, qualifiedName: string, labels: readonly string[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}/labels`, uniqueAttr(qualifiedName), [...labels], options);
  }
  /** Entity_RemoveLabelsByUniqueAttribute (204). */
  async removeByUniqueAttribute(typeName: string, qualifiedName: string, labels: readonly string[], options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/entity/uniqueAttribute/type/${seg(typeName, 'type name')}/labels`, uniqueAttr(qualifiedName), [...labels], options);
  }
}

export class BusinessMetadataOperations extends Ops {
  /** Entity_AddOrUpdateBusinessMetadata: `{bmName: {attribute: value}}`; `isOverwrite` replaces all (204). */
  async addOrUpdate(guid: string, businessMetadata: Record<string, Record<string, unknown>>, options?: DataMapOperationOptions & { isOverwrite?: boolean }): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/businessmetadata`, { isOverwrite: options?.isOverwrite }, businessMetadata, options);
  }
  /** Entity_RemoveBusinessMetadata (204). */
  async remove(guid: string, businessMetadata: Record<string, Record<string, unknown>>, options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/businessmetadata`, {}, businessMetadata, options);
  }
  /** Entity_AddOrUpdateBusinessMetadataAttributes: attributes of one business metadata type (204). */
  async addOrUpdateAttributes(guid: string, businessMetadataName: string, attributes: Record<string, unknown>, options?: DataMapOperationOptions): Promise<void> {
    await this.write('POST', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/businessmetadata/${seg(businessMetadataName, 'business metadata name')}`, {}, attributes, options);
  }
  /** Entity_RemoveBusinessMetadataAttributes (204). */
  async removeAttributes(guid: string, businessMetadataName: string, attributes: Record<string, unknown>, options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/entity/guid/${seg(guid, 'entity GUID')}/businessmetadata/${seg(businessMetadataName, 'business metadata name')}`, {}, attributes, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Relationships and lineage
// ---------------------------------------------------------------------------------------------

export class RelationshipsOperations extends Ops {
  /** Relationship_Create */
  create(relationship: AtlasRelationship, options?: DataMapOperationOptions): Promise<AtlasRelationship> {
    return this.write('POST', `${ATLAS}/relationship`, {}, relationship, options);
  }
  /** Relationship_Update (the body carries the GUID). */
  update(relationship: AtlasRelationship, options?: DataMapOperationOptions): Promise<AtlasRelationship> {
    return this.write('PUT', `${ATLAS}/relationship`, {}, relationship, options);
  }
  /** Relationship_Get */
  get(guid: string, options?: DataMapOperationOptions & { extendedInfo?: boolean }): Promise<AtlasRelationshipWithExtInfo> {
    return this.read(`${ATLAS}/relationship/guid/${seg(guid, 'relationship GUID')}`, { extendedInfo: options?.extendedInfo }, options);
  }
  /** Relationship_Delete (204). */
  async delete(guid: string, options?: DataMapOperationOptions): Promise<void> {
    await this.write('DELETE', `${ATLAS}/relationship/guid/${seg(guid, 'relationship GUID')}`, {}, undefined, options);
  }
}

export class LineageOperations extends Ops {
  /** Lineage_Get: `?direction=INPUT|OUTPUT|BOTH&depth=N`. */
  get(guid: string, options: LineageOptions): Promise<AtlasLineageInfo> {
    return this.read(`${ATLAS}/lineage/${seg(guid, 'entity GUID')}`, lineageQuery(options), options);
  }
  /** Lineage_GetByUniqueAttribute */
  getByUniqueAttribute(typeName: string, qualifiedName: string, options: LineageOptions): Promise<AtlasLineageInfo> {
    return this.read(`${ATLAS}/lineage/uniqueAttribute/type/${seg(typeName, 'type name')}`, { ...lineageQuery(options), ...uniqueAttr(qualifiedName) }, options);
  }
  /** Lineage_GetNextPage: more children of a node, `offset`/`limit`. */
  getNextPage(guid: string, options: LineageNextPageOptions): Promise<AtlasLineageInfo> {
    requireDirection(options?.direction);
    return this.read(
      `${BASE}/lineage/${seg(guid, 'entity GUID')}/next`,
      { 'api-version': DATAMAP_API_VERSION, direction: options.direction, offset: options.offset, limit: options.limit },
      options,
    );
  }
}

function lineageQuery(options: LineageOptions): Record<string, PurviewQueryValue> {
  requireDirection(options?.direction);
  return { depth: options.depth, direction: options.direction };
}

function requireDirection(direction: string | undefined): void {
  if (direction !== 'INPUT' && direction !== 'OUTPUT' && direction !== 'BOTH') {
    throw new TypeError(`Lineage direction must be INPUT, OUTPUT or BOTH (got ${String(direction)}).`);
  }
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

export class DiscoveryOperations extends Ops {
  /**
   * Discovery_Query over every page: yields results, following `continuationToken`. Pages
   * (`byPage()`) carry `count`, `countApproximate` and `facets` from their response.
   */
  query(options: QueryOptions & DataMapOperationOptions = {}): SearchPagedIterable {
    const { abortSignal, ...request } = options;
    return continuationPaged<SearchResultValue, QueryOptions, QueryResult, SearchPageInfo>(
      this.caller,
      this.caller.url(`${BASE}/search/query`, { 'api-version': DATAMAP_API_VERSION }),
      stripUndefined(request),
      (r) => stripUndefined({ count: r['@search.count'], countApproximate: r['@search.count.approximate'], facets: r['@search.facets'] }),
      { abortSignal },
    );
  }
  /** Discovery_Query, one page as the service returns it. */
  queryPage(options: QueryOptions & DataMapOperationOptions = {}): Promise<QueryResult> {
    const { abortSignal, ...request } = options;
    return this.write('POST', `${BASE}/search/query`, { 'api-version': DATAMAP_API_VERSION }, stripUndefined(request), { abortSignal });
  }
  /** Discovery_Suggest */
  suggest(options: SuggestOptions & DataMapOperationOptions): Promise<SuggestResult> {
    const { abortSignal, ...request } = options;
    return this.write('POST', `${BASE}/search/suggest`, { 'api-version': DATAMAP_API_VERSION }, stripUndefined(request), { abortSignal });
  }
  /** Discovery_AutoComplete */
  autoComplete(options: AutoCompleteOptions & DataMapOperationOptions): Promise<AutoCompleteResult> {
    const { abortSignal, ...request } = options;
    return this.write('POST', `${BASE}/search/autocomplete`, { 'api-version': DATAMAP_API_VERSION }, stripUndefined(request), { abortSignal });
  }
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export class DataMapClient {
  readonly typeDefinitions: TypeDefinitionsOperations;
  readonly entities: EntitiesOperations;
  readonly classifications: ClassificationsOperations;
  readonly labels: LabelsOperations;
  readonly businessMetadata: BusinessMetadataOperations;
  readonly relationships: RelationshipsOperations;
  readonly lineage: LineageOperations;
  readonly discovery: DiscoveryOperations;

  constructor(readonly caller: PurviewCaller) {
    this.typeDefinitions = new TypeDefinitionsOperations(caller);
    this.entities = new EntitiesOperations(caller);
    this.classifications = new ClassificationsOperations(caller);
    this.labels = new LabelsOperations(caller);
    this.businessMetadata = new BusinessMetadataOperations(caller);
    this.relationships = new RelationshipsOperations(caller);
    this.lineage = new LineageOperations(caller);
    this.discovery = new DiscoveryOperations(caller);
  }

  /** `{endpoint}/datamap/api` */
  get baseUrl(): string {
    return `${this.caller.endpoint}${BASE}`;
  }
}
