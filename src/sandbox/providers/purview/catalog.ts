/**
 * The data map of one sandbox Purview account: entities, relationships, collections and custom
 * types, persisted through `ctx.store` and mirrored in memory with the indexes search and lineage
 * need (by guid, by qualifiedName, by type, classification, collection and label, lineage
 * adjacency). The mirror is rebuilt from the store when the account is first used after a start
 * and maintained on every write, so queries never parse stored JSON.
 *
 * Store layout (every key starts with the account's resource id, so deleting the account removes
 * its data map): `purviewEntities` `{acct}/entities/{guid}`, `purviewRelationships`
 * `{acct}/relationships/{guid}`, `purviewTypes` `{acct}/types/{name}`, `purviewCollections`
 * `{acct}/collections/{name}`. Scanning keeps its own collections (scanning.ts).
 */
import type { SandboxContext } from '../../core/contract';
import { AtlasError, guidNotFound, invalidParams, referencedNotFound, relationshipNotFound, typeHasReferences, typeNotFound } from './errors';
import { isBuiltIn, stableGuid, TypeRegistry, type TypeCategory, type TypeDef } from './types';

export const COL = {
  entities: 'purviewEntities',
  relationships: 'purviewRelationships',
  types: 'purviewTypes',
  collections: 'purviewCollections',
  dataSources: 'purviewDataSources',
  scans: 'purviewScans',
  triggers: 'purviewScanTriggers',
  runs: 'purviewScanRuns',
} as const;

export interface AccountInfo {
  id: string;
  name: string;
  tenantId: string;
  location: string;
  principalId?: string;
  createdAt: string;
}

export interface ObjectRef {
  guid: string;
  typeName: string;
  uniqueAttributes: { qualifiedName: string };
}

export interface ClassificationRecord {
  typeName: string;
  attributes?: Record<string, unknown>;
  propagate?: boolean;
  removePropagationsOnEntityDelete?: boolean;
  validityPeriods?: unknown[];
}

export interface EntityRecord {
  guid: string;
  typeName: string;
  attributes: Record<string, unknown>;
  relationshipAttributes?: Record<string, unknown>;
  classifications: ClassificationRecord[];
  labels: string[];
  businessAttributes?: Record<string, Record<string, unknown>>;
  customAttributes?: Record<string, string>;
  contacts?: Record<string, unknown>;
  collectionId: string;
  status: 'ACTIVE' | 'DELETED';
  createTime: number;
  updateTime: number;
  createdBy: string;
  updatedBy: string;
  version: number;
  /** Sandbox bookkeeping: which scan discovered the asset, and which classifications scans applied. */
  scan?: { dataSource: string; scan: string; runId: string };
  scanClassifications?: string[];
}

export interface RelationshipRecord {
  guid: string;
  typeName: string;
  end1: ObjectRef;
  end2: ObjectRef;
  attributes: Record<string, unknown>;
  label?: string;
  status: 'ACTIVE' | 'DELETED';
  createTime: number;
  updateTime: number;
  createdBy: string;
  updatedBy: string;
  version: number;
}

export interface CollectionRecord {
  name: string;
  friendlyName: string;
  description?: string;
  parentCollection?: { type: 'CollectionReference'; referenceName: string };
  collectionProvisioningState: 'Succeeded';
  systemData: { createdBy: string; createdByType: string; createdAt: string; lastModifiedBy: string; lastModifiedByType: string; lastModifiedAt: string };
}

/** A lineage edge: data flows `from` -> `to`. */
export interface LineageEdge {
  id: string;
  from: string;
  to: string;
  /** `inputs` (dataset -> process), `outputs` (process -> dataset) or `direct` (dataset -> dataset). */
  kind: 'inputs' | 'outputs' | 'direct';
  typeName: string;
  /** Set when the edge comes from a stored relationship rather than a Process's attributes. */
  relationship?: boolean;
}

/** What search needs of an entity, precomputed at write time. */
export interface SearchDoc {
  rec: EntityRecord;
  seq: number;
  nameLc: string;
  qnLc: string;
  descLc: string;
  assetType: string[];
  objectType: string;
}

/** An Atlas object reference as sent by clients: `{guid}` or `{typeName, uniqueAttributes:{qualifiedName}}`. */
export interface RefInput {
  guid?: unknown;
  typeName?: unknown;
  uniqueAttributes?: { qualifiedName?: unknown };
}

/** Entities of one write request, so they may refer to each other before they exist. */
interface PendingRefs {
  /** request placeholder guid -> assigned guid */
  byGuid: Map<string, string>;
  /** `typeName\u0000qualifiedName` -> guid */
  byQn: Map<string, string>;
  /** guid -> typeName / qualifiedName */
  types: Map<string, string>;
  qns: Map<string, string>;
}

export interface RawEntity {
  guid?: unknown;
  typeName?: unknown;
  attributes?: Record<string, unknown>;
  relationshipAttributes?: Record<string, unknown>;
  classifications?: { typeName?: unknown; attributes?: Record<string, unknown> }[];
  labels?: unknown;
  businessAttributes?: Record<string, Record<string, unknown>>;
  customAttributes?: Record<string, string>;
  contacts?: Record<string, unknown>;
  status?: unknown;
}

export interface MutationResult {
  mutatedEntities: Partial<Record<'CREATE' | 'UPDATE' | 'DELETE' | 'PARTIAL_UPDATE', ReturnType<AccountCatalog['header']>[]>>;
  guidAssignments: Record<string, string>;
}

const OBJECT_TYPE_RULES: [string, string][] = [
  ['azure_blob_path', 'Files'],
  ['azure_datalake_gen2_path', 'Files'],
  ['azure_blob_resource_set', 'Files'],
  ['azure_datalake_gen2_resource_set', 'Files'],
  ['azure_blob_container', 'Folders'],
  ['azure_datalake_gen2_filesystem', 'Folders'],
  ['Process', 'Data pipelines'],
  ['column', 'Columns'],
];

const HEADER_ATTRIBUTES = ['name', 'description', 'owner', 'createTime'];

function isPlaceholder(guid: string): boolean {
  return guid.startsWith('-');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function addTo<K>(map: Map<K, Set<string>>, key: K, guid: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(guid);
}

function removeFrom<K>(map: Map<K, Set<string>>, key: K, guid: string): void {
  const set = map.get(key);
  if (set) {
    set.delete(guid);
    if (set.size === 0) {
      map.delete(key);
    }
  }
}

export class AccountCatalog {
  readonly types: TypeRegistry;
  readonly entities = new Map<string, EntityRecord>();
  readonly docs = new Map<string, SearchDoc>();
  readonly byType = new Map<string, Set<string>>();
  readonly byClassification = new Map<string, Set<string>>();
  readonly byCollection = new Map<string, Set<string>>();
  readonly byLabel = new Map<string, Set<string>>();
  private readonly byQn = new Map<string, string[]>();
  readonly edges = new Map<string, LineageEdge>();
  /** guid -> ids of edges leaving / entering it. */
  readonly outEdges = new Map<string, Set<string>>();
  readonly inEdges = new Map<string, Set<string>>();
  readonly relationships = new Map<string, RelationshipRecord>();
  readonly collections = new Map<string, CollectionRecord>();
  /** Bumped on every write (search caches compare it). */
  version = 0;
  private seq = 0;
  private placeholderSeq = 0;

  constructor(
    readonly ctx: SandboxContext,
    readonly account: AccountInfo,
  ) {
    const prefix = `${account.id}/`;
    this.types = new TypeRegistry(ctx.store.list<TypeDef>(COL.types, `${prefix}types/`));
    for (const c of ctx.store.list<CollectionRecord>(COL.collections, `${prefix}collections/`)) {
      this.collections.set(c.name.toLowerCase(), c);
    }
    if (!this.collections.has(account.name.toLowerCase())) {
      const at = account.createdAt;
      const root: CollectionRecord = {
        name: account.name,
        friendlyName: account.name,
        description: 'The root collection.',
        collectionProvisioningState: 'Succeeded',
        systemData: { createdBy: 'sandbox', createdByType: 'Application', createdAt: at, lastModifiedBy: 'sandbox', lastModifiedByType: 'Application', lastModifiedAt: at },
      };
      this.collections.set(account.name.toLowerCase(), root);
      ctx.store.put(COL.collections, this.collectionKey(root.name), root);
    }
    for (const r of ctx.store.list<RelationshipRecord>(COL.relationships, `${prefix}relationships/`)) {
      this.relationships.set(r.guid, r);
    }
    const loaded = ctx.store.list<EntityRecord>(COL.entities, `${prefix}entities/`);
    loaded.sort((a, b) => a.createTime - b.createTime);
    for (const rec of loaded) {
      this.entities.set(rec.guid, rec);
      this.index(rec);
    }
    for (const r of this.relationships.values()) {
      this.indexRelationship(r);
    }
  }

  get rootCollection(): string {
    return this.account.name;
  }

  // ---------------------------------------------------------------- keys

  entityKey(guid: string): string {
    return `${this.account.id}/entities/${guid}`;
  }

  relationshipKey(guid: string): string {
    return `${this.account.id}/relationships/${guid}`;
  }

  typeKey(name: string): string {
    return `${this.account.id}/types/${name}`;
  }

  collectionKey(name: string): string {
    return `${this.account.id}/collections/${name}`;
  }

  // ---------------------------------------------------------------- lookups

  get(guid: string): EntityRecord | undefined {
    return this.entities.get(guid) ?? this.entities.get(guid.toLowerCase());
  }

  require(guid: string): EntityRecord {
    const rec = this.get(guid);
    if (!rec) {
      throw guidNotFound(guid);
    }
    return rec;
  }

  /** Active entity of `typeName` (or a subtype) with this qualifiedName. */
  findByQn(typeName: string, qualifiedName: string, includeDeleted = false): EntityRecord | undefined {
    const guids = this.byQn.get(qualifiedName);
    if (!guids) {
      return undefined;
    }
    let fallback: EntityRecord | undefined;
    for (const g of guids) {
      const rec = this.entities.get(g);
      if (!rec || (!includeDeleted && rec.status !== 'ACTIVE')) {
        continue;
      }
      if (rec.typeName === typeName) {
        return rec;
      }
      if (!fallback && this.types.isA(rec.typeName, typeName)) {
        fallback = rec;
      }
    }
    return fallback;
  }

  isProcess(rec: EntityRecord | undefined): boolean {
    return !!rec && this.types.isA(rec.typeName, 'Process');
  }

  collection(name: string): CollectionRecord | undefined {
    return this.collections.get(name.toLowerCase());
  }

  requireCollection(name: string): CollectionRecord {
    const c = this.collection(name);
    if (!c) {
      throw new AtlasError(404, 'ATLAS-404-00-013', `Collection '${name}' was not found in account '${this.account.name}'. Create it first (PUT /account/collections/${name}) or use the root collection '${this.rootCollection}'.`);
    }
    return c;
  }

  // ---------------------------------------------------------------- views

  classificationView(rec: EntityRecord, c: ClassificationRecord) {
    return { ...c, attributes: c.attributes ?? {}, entityGuid: rec.guid, entityStatus: rec.status, lastModifiedTS: String(rec.version) };
  }

  header(rec: EntityRecord) {
    const name = str(rec.attributes.name);
    const qualifiedName = str(rec.attributes.qualifiedName) ?? '';
    // Atlas header attributes: the unique ones plus name, description, owner and createTime when set.
    const attributes: Record<string, unknown> = { qualifiedName };
    for (const k of HEADER_ATTRIBUTES) {
      const v = rec.attributes[k];
      if (v !== undefined && v !== null) attributes[k] = v;
    }
    return {
      typeName: rec.typeName,
      attributes,
      guid: rec.guid,
      status: rec.status,
      displayText: name ?? qualifiedName,
      classificationNames: rec.classifications.map((c) => c.typeName),
      classifications: rec.classifications.map((c) => this.classificationView(rec, c)),
      labels: [...rec.labels],
      meaningNames: [] as string[],
      meanings: [] as unknown[],
      isIncomplete: false,
      lastModifiedTS: String(rec.version),
    };
  }

  /** AtlasEntity as served by GET entity. */
  entityView(rec: EntityRecord, opts: { ignoreRelationships?: boolean } = {}) {
    const relationshipAttributes: Record<string, unknown> = {};
    if (!opts.ignoreRelationships) {
      // Every relationship attribute the type has, empty unless set (as Atlas lists them).
      for (const d of this.types.relationshipDefs()) {
        for (const end of [d.endDef1, d.endDef2]) {
          if (end && this.types.isA(rec.typeName, end.type) && !(end.name in relationshipAttributes)) {
            relationshipAttributes[end.name] = end.cardinality === 'SINGLE' ? null : [];
          }
        }
      }
      Object.assign(relationshipAttributes, rec.relationshipAttributes ?? {});
      if (this.isProcess(rec)) {
        relationshipAttributes.inputs = this.relatedRefs(rec, 'inputs');
        relationshipAttributes.outputs = this.relatedRefs(rec, 'outputs');
      } else if (this.types.isA(rec.typeName, 'DataSet')) {
        relationshipAttributes.inputToProcesses = this.relatedRefs(rec, 'inputToProcesses');
        relationshipAttributes.outputFromProcesses = this.relatedRefs(rec, 'outputFromProcesses');
      }
      relationshipAttributes.meanings ??= [];
    }
    return {
      typeName: rec.typeName,
      attributes: { ...rec.attributes },
      guid: rec.guid,
      status: rec.status,
      createdBy: rec.createdBy,
      updatedBy: rec.updatedBy,
      createTime: rec.createTime,
      updateTime: rec.updateTime,
      version: rec.version,
      lastModifiedTS: String(rec.version),
      collectionId: rec.collectionId,
      isIncomplete: false,
      provenanceType: 0,
      proxy: false,
      relationshipAttributes,
      classifications: rec.classifications.map((c) => this.classificationView(rec, c)),
      labels: [...rec.labels],
      meanings: [] as unknown[],
      ...(rec.businessAttributes ? { businessAttributes: rec.businessAttributes } : {}),
      ...(rec.customAttributes ? { customAttributes: rec.customAttributes } : {}),
      ...(rec.contacts ? { contacts: rec.contacts } : {}),
    };
  }

  /** Related-object ids for the lineage relationship attributes of an entity. */
  private relatedRefs(rec: EntityRecord, which: 'inputs' | 'outputs' | 'inputToProcesses' | 'outputFromProcesses') {
    const out: unknown[] = [];
    const edgeIds = which === 'inputs' || which === 'outputFromProcesses' ? this.inEdges.get(rec.guid) : this.outEdges.get(rec.guid);
    const kind = which === 'inputs' || which === 'inputToProcesses' ? 'inputs' : 'outputs';
    for (const id of edgeIds ?? []) {
      const e = this.edges.get(id);
      if (!e || e.kind !== kind) {
        continue;
      }
      const other = this.entities.get(e.from === rec.guid ? e.to : e.from);
      if (!other) {
        continue;
      }
      out.push({
        guid: other.guid,
        typeName: other.typeName,
        uniqueAttributes: { qualifiedName: other.attributes.qualifiedName },
        displayText: str(other.attributes.name) ?? str(other.attributes.qualifiedName),
        entityStatus: other.status,
        relationshipType: e.typeName,
        relationshipGuid: e.id,
        relationshipStatus: 'ACTIVE',
        relationshipAttributes: { typeName: e.typeName },
      });
    }
    return out;
  }

  refOf(rec: EntityRecord): ObjectRef {
    return { guid: rec.guid, typeName: rec.typeName, uniqueAttributes: { qualifiedName: String(rec.attributes.qualifiedName ?? '') } };
  }

  // ---------------------------------------------------------------- indexing

  private docOf(rec: EntityRecord, seq: number): SearchDoc {
    const service = (() => {
      for (const t of this.types.ancestors(rec.typeName)) {
        const s = this.types.get(t)?.serviceType;
        if (s && s !== 'atlas_core' && s !== 'Azure') return s;
      }
      return 'Custom';
    })();
    let objectType = 'Other';
    for (const [t, o] of OBJECT_TYPE_RULES) {
      if (this.types.isA(rec.typeName, t)) {
        objectType = o;
        break;
      }
    }
    if (objectType === 'Other' && /table/i.test(rec.typeName)) {
      objectType = 'Tables';
    }
    return {
      rec,
      seq,
      nameLc: (str(rec.attributes.name) ?? '').toLowerCase(),
      qnLc: (str(rec.attributes.qualifiedName) ?? '').toLowerCase(),
      descLc: [str(rec.attributes.description), str(rec.attributes.userDescription), rec.typeName].filter(Boolean).join(' ').toLowerCase(),
      assetType: [service],
      objectType,
    };
  }

  private index(rec: EntityRecord): void {
    const qn = str(rec.attributes.qualifiedName);
    if (qn !== undefined) {
      const list = this.byQn.get(qn);
      if (list) {
        if (!list.includes(rec.guid)) list.push(rec.guid);
      } else {
        this.byQn.set(qn, [rec.guid]);
      }
    }
    addTo(this.byType, rec.typeName, rec.guid);
    addTo(this.byCollection, rec.collectionId.toLowerCase(), rec.guid);
    for (const c of rec.classifications) addTo(this.byClassification, c.typeName, rec.guid);
    for (const l of rec.labels) addTo(this.byLabel, l, rec.guid);
    if (this.isProcess(rec)) {
      for (const kind of ['inputs', 'outputs'] as const) {
        for (const ref of (rec.attributes[kind] as ObjectRef[] | undefined) ?? []) {
          if (!ref?.guid) continue;
          const id = stableGuid(`lineage:${rec.guid}:${kind}:${ref.guid}`);
          this.addEdge({ id, from: kind === 'inputs' ? ref.guid : rec.guid, to: kind === 'inputs' ? rec.guid : ref.guid, kind, typeName: kind === 'inputs' ? 'dataset_process_inputs' : 'process_dataset_outputs' });
        }
      }
    }
    const existing = this.docs.get(rec.guid);
    this.docs.set(rec.guid, this.docOf(rec, existing?.seq ?? this.seq++));
  }

  private unindex(rec: EntityRecord): void {
    const qn = str(rec.attributes.qualifiedName);
    if (qn !== undefined) {
      const list = this.byQn.get(qn);
      if (list) {
        const i = list.indexOf(rec.guid);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.byQn.delete(qn);
      }
    }
    removeFrom(this.byType, rec.typeName, rec.guid);
    removeFrom(this.byCollection, rec.collectionId.toLowerCase(), rec.guid);
    for (const c of rec.classifications) removeFrom(this.byClassification, c.typeName, rec.guid);
    for (const l of rec.labels) removeFrom(this.byLabel, l, rec.guid);
    if (this.isProcess(rec)) {
      for (const id of [...(this.inEdges.get(rec.guid) ?? []), ...(this.outEdges.get(rec.guid) ?? [])]) {
        const e = this.edges.get(id);
        if (e && !e.relationship && (e.kind === 'inputs' ? e.to : e.from) === rec.guid) {
          this.removeEdge(id);
        }
      }
    }
  }

  private addEdge(e: LineageEdge): void {
    this.edges.set(e.id, e);
    addTo(this.outEdges, e.from, e.id);
    addTo(this.inEdges, e.to, e.id);
  }

  private removeEdge(id: string): void {
    const e = this.edges.get(id);
    if (!e) return;
    this.edges.delete(id);
    removeFrom(this.outEdges, e.from, id);
    removeFrom(this.inEdges, e.to, id);
  }

  private indexRelationship(r: RelationshipRecord): void {
    if (r.status !== 'ACTIVE') return;
    if (r.typeName === 'dataset_process_inputs') {
      this.addEdge({ id: r.guid, from: r.end2.guid, to: r.end1.guid, kind: 'inputs', typeName: r.typeName, relationship: true });
    } else if (r.typeName === 'process_dataset_outputs') {
      this.addEdge({ id: r.guid, from: r.end1.guid, to: r.end2.guid, kind: 'outputs', typeName: r.typeName, relationship: true });
    } else if (r.typeName === 'direct_lineage_dataset_dataset') {
      this.addEdge({ id: r.guid, from: r.end1.guid, to: r.end2.guid, kind: 'direct', typeName: r.typeName, relationship: true });
    }
  }

  /** Writes an entity (memory, indexes, store). `rec` must be a fresh object, not the stored one mutated. */
  save(rec: EntityRecord): void {
    const previous = this.entities.get(rec.guid);
    if (previous) {
      this.unindex(previous);
    }
    this.entities.set(rec.guid, rec);
    this.index(rec);
    this.ctx.store.put(COL.entities, this.entityKey(rec.guid), rec);
    this.version++;
  }

  // ---------------------------------------------------------------- entity writes

  private nextPlaceholder(): string {
    this.placeholderSeq++;
    return `-${Date.now()}${String(this.placeholderSeq).padStart(6, '0')}`;
  }

  private mandatoryMissing(typeName: string, attributes: Record<string, unknown>): string | undefined {
    for (const a of this.types.attributeDefs(typeName)) {
      if (a.isOptional === false) {
        const v = attributes[a.name];
        if (v === undefined || v === null || v === '') {
          return `${a.name}: mandatory attribute value missing in type ${typeName}`;
        }
      }
    }
    return undefined;
  }

  private checkClassifications(list: unknown): ClassificationRecord[] {
    if (list === undefined || list === null) {
      return [];
    }
    if (!Array.isArray(list)) {
      throw invalidParams('classifications must be an array of {typeName, attributes?}');
    }
    return list.map((c: { typeName?: unknown; attributes?: unknown; propagate?: unknown; removePropagationsOnEntityDelete?: unknown; validityPeriods?: unknown }) => {
      const name = str(c?.typeName);
      if (!name) {
        throw invalidParams('a classification has no typeName');
      }
      const def = this.types.get(name);
      if (!def || def.category !== 'CLASSIFICATION') {
        throw new AtlasError(404, 'ATLAS-404-00-001', `Given typename ${name} was invalid (no classification of that name; create it with POST /types/typedefs)`);
      }
      const rec: ClassificationRecord = { typeName: name };
      if (c.attributes && typeof c.attributes === 'object') rec.attributes = c.attributes as Record<string, unknown>;
      if (typeof c.propagate === 'boolean') rec.propagate = c.propagate;
      if (typeof c.removePropagationsOnEntityDelete === 'boolean') rec.removePropagationsOnEntityDelete = c.removePropagationsOnEntityDelete;
      if (Array.isArray(c.validityPeriods)) rec.validityPeriods = c.validityPeriods;
      return rec;
    });
  }

  /**
   * Resolves an object reference. `pending` maps request placeholders and `type|qn` of entities in
   * the same request to their guids, so entities of one request may refer to each other.
   */
  resolveRef(ref: RefInput, pending?: PendingRefs): ObjectRef {
    const guid = str(ref?.guid);
    if (guid) {
      const mapped = pending?.byGuid.get(guid) ?? guid;
      const rec = this.get(mapped);
      if (rec) {
        return this.refOf(rec);
      }
      const pendingType = pending?.types.get(mapped);
      if (pendingType) {
        return { guid: mapped, typeName: pendingType, uniqueAttributes: { qualifiedName: pending?.qns.get(mapped) ?? '' } };
      }
      throw referencedNotFound(`AtlasObjectId{guid='${guid}'}`);
    }
    const typeName = str(ref?.typeName);
    const qn = str(ref?.uniqueAttributes?.qualifiedName);
    if (!typeName || !qn) {
      throw invalidParams("an object reference needs 'guid', or 'typeName' and 'uniqueAttributes.qualifiedName'");
    }
    const inRequest = pending?.byQn.get(`${typeName}\u0000${qn}`);
    if (inRequest) {
      return { guid: inRequest, typeName, uniqueAttributes: { qualifiedName: qn } };
    }
    const rec = this.findByQn(typeName, qn);
    if (!rec) {
      throw referencedNotFound(`AtlasObjectId{typeName='${typeName}', uniqueAttributes={qualifiedName=${qn}}}`);
    }
    return this.refOf(rec);
  }

  private resolveRefValue(v: unknown, pending: Parameters<AccountCatalog['resolveRef']>[1]): unknown {
    const isRef = (x: unknown) => !!x && typeof x === 'object' && !Array.isArray(x) && ('guid' in (x as object) || 'uniqueAttributes' in (x as object));
    if (Array.isArray(v)) {
      return v.map((x) => (isRef(x) ? this.resolveRef(x as RefInput, pending) : x));
    }
    return isRef(v) ? this.resolveRef(v as RefInput, pending) : v;
  }

  /**
   * Creates or updates entities (POST /entity, /entity/bulk). Entities are matched by guid, then by
   * (typeName, qualifiedName); all are validated before any is written.
   */
  upsert(raws: RawEntity[], opts: { collectionId?: string; by: string; now: number }): MutationResult {
    if (raws.length === 0) {
      throw invalidParams('no entities to create or update');
    }
    const collection = opts.collectionId ? this.requireCollection(opts.collectionId).name : undefined;
    const pending: PendingRefs = { byGuid: new Map(), byQn: new Map(), types: new Map(), qns: new Map() };
    const guidAssignments: Record<string, string> = {};
    const plans: { raw: RawEntity; guid: string; existing?: EntityRecord; placeholder: string }[] = [];

    // Phase 1: identities.
    for (const raw of raws) {
      if (!raw || typeof raw !== 'object') {
        throw invalidParams('an entity must be an object');
      }
      const typeName = str(raw.typeName);
      if (!typeName) {
        throw invalidParams('typeName is required');
      }
      this.types.entityType(typeName);
      if (raw.attributes !== undefined && (typeof raw.attributes !== 'object' || raw.attributes === null || Array.isArray(raw.attributes))) {
        throw invalidParams(`attributes of a ${typeName} must be an object`);
      }
      const qn = str(raw.attributes?.qualifiedName);
      const givenGuid = raw.guid === undefined || raw.guid === null ? undefined : String(raw.guid);
      let existing: EntityRecord | undefined;
      let guid: string | undefined;
      if (givenGuid && !isPlaceholder(givenGuid)) {
        existing = this.get(givenGuid);
        if (!existing && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(givenGuid)) {
          throw guidNotFound(givenGuid);
        }
        guid = existing?.guid ?? givenGuid.toLowerCase();
      }
      if (!existing && qn !== undefined) {
        existing = this.findByQn(typeName, qn);
        if (existing && existing.typeName !== typeName) {
          existing = undefined; // a supertype lookup hit: a different entity type with this name is a separate entity
        }
        guid = existing?.guid ?? guid ?? pending.byQn.get(`${typeName}\u0000${qn}`);
      }
      guid ??= this.ctx.newGuid();
      const placeholder = givenGuid && isPlaceholder(givenGuid) ? givenGuid : this.nextPlaceholder();
      pending.byGuid.set(placeholder, guid);
      pending.types.set(guid, typeName);
      if (qn !== undefined) {
        pending.byQn.set(`${typeName}\u0000${qn}`, guid);
        pending.qns.set(guid, qn);
      }
      guidAssignments[placeholder] = guid;
      plans.push({ raw, guid, existing, placeholder });
    }

    // Phase 2: build records (may throw; nothing written yet).
    const records: { rec: EntityRecord; created: boolean }[] = [];
    const built = new Map<string, EntityRecord>();
    for (const { raw, guid, existing } of plans) {
      const typeName = String(raw.typeName);
      const prior = built.get(guid) ?? existing;
      if (prior && prior.typeName !== typeName) {
        throw invalidParams(`entity ${guid} is a ${prior.typeName}; its type cannot change to ${typeName}`);
      }
      const attributes: Record<string, unknown> = { ...(prior?.attributes ?? {}), ...(raw.attributes ?? {}) };
      const missing = this.mandatoryMissing(typeName, attributes);
      if (missing) {
        throw invalidParams(missing);
      }
      const relAttrs: Record<string, unknown> = { ...(prior?.relationshipAttributes ?? {}) };
      for (const [k, v] of Object.entries(raw.relationshipAttributes ?? {})) {
        relAttrs[k] = this.resolveRefValue(v, pending);
      }
      if (this.types.isA(typeName, 'Process')) {
        for (const kind of ['inputs', 'outputs'] as const) {
          const value = raw.attributes?.[kind] ?? raw.relationshipAttributes?.[kind];
          if (value === undefined || value === null) {
            attributes[kind] = prior?.attributes[kind] ?? [];
            continue;
          }
          if (!Array.isArray(value)) {
            throw invalidParams(`${kind} of a ${typeName} must be an array of object ids`);
          }
          attributes[kind] = value.map((r) => this.resolveRef(r as RefInput, pending));
          delete relAttrs[kind];
        }
      }
      const classifications = this.checkClassifications(raw.classifications);
      let merged: ClassificationRecord[] = prior ? [...prior.classifications] : [];
      for (const c of classifications) {
        const i = merged.findIndex((m) => m.typeName === c.typeName);
        if (i >= 0) merged[i] = c;
        else merged.push(c);
      }
      if (!prior) merged = classifications;
      const labels = Array.isArray(raw.labels) ? [...new Set(raw.labels.map(String))] : (prior?.labels ?? []);
      const rec: EntityRecord = {
        guid,
        typeName,
        attributes,
        ...(Object.keys(relAttrs).length ? { relationshipAttributes: relAttrs } : {}),
        classifications: merged,
        labels,
        ...((raw.businessAttributes ?? prior?.businessAttributes) ? { businessAttributes: { ...(prior?.businessAttributes ?? {}), ...(raw.businessAttributes ?? {}) } } : {}),
        ...((raw.customAttributes ?? prior?.customAttributes) ? { customAttributes: { ...(prior?.customAttributes ?? {}), ...(raw.customAttributes ?? {}) } } : {}),
        ...((raw.contacts ?? prior?.contacts) ? { contacts: raw.contacts ?? prior?.contacts } : {}),
        collectionId: collection ?? prior?.collectionId ?? this.rootCollection,
        status: 'ACTIVE',
        createTime: prior?.createTime ?? opts.now,
        updateTime: opts.now,
        createdBy: prior?.createdBy ?? opts.by,
        updatedBy: opts.by,
        version: (existing?.version ?? -1) + 1,
        ...(prior?.scan ? { scan: prior.scan } : {}),
        ...(prior?.scanClassifications ? { scanClassifications: prior.scanClassifications } : {}),
      };
      const already = records.findIndex((r) => r.rec.guid === guid);
      if (already >= 0) {
        records[already] = { rec, created: records[already].created };
      } else {
        records.push({ rec, created: !existing });
      }
      built.set(guid, rec);
    }

    // Phase 3: write.
    const created: ReturnType<AccountCatalog['header']>[] = [];
    const updated: ReturnType<AccountCatalog['header']>[] = [];
    for (const { rec, created: isNew } of records) {
      this.save(rec);
      (isNew ? created : updated).push(this.header(rec));
    }
    const mutatedEntities: MutationResult['mutatedEntities'] = {};
    if (created.length) mutatedEntities.CREATE = created;
    if (updated.length) mutatedEntities.UPDATE = updated;
    return { mutatedEntities, guidAssignments };
  }

  /** A copy of the record with `changes` applied, version and update time bumped. */
  revise(rec: EntityRecord, by: string, now: number, changes: Partial<EntityRecord>): EntityRecord {
    return { ...rec, ...changes, updateTime: now, updatedBy: by, version: rec.version + 1 };
  }

  /** PUT /entity/guid/{guid}?name=attr: sets one attribute. */
  partialUpdate(guid: string, name: string, value: unknown, by: string, now: number): MutationResult {
    const rec = this.require(guid);
    if (!name) {
      throw invalidParams("the 'name' query parameter (attribute to update) is required");
    }
    const defs = this.types.attributeDefs(rec.typeName);
    if (!defs.some((a) => a.name === name)) {
      throw invalidParams(`${name}: attribute is not defined in type ${rec.typeName}`);
    }
    if (name === 'qualifiedName' && (typeof value !== 'string' || value === '')) {
      throw invalidParams('qualifiedName must be a non-empty string');
    }
    const attributes = { ...rec.attributes, [name]: name === 'inputs' || name === 'outputs' ? (Array.isArray(value) ? value.map((r) => this.resolveRef(r as RefInput)) : []) : value };
    const next = this.revise(rec, by, now, { attributes });
    this.save(next);
    return { mutatedEntities: { PARTIAL_UPDATE: [this.header(next)] }, guidAssignments: {} };
  }

  /** Soft delete (status DELETED), as Atlas does; deleting a deleted entity changes nothing. */
  deleteEntities(guids: string[], by: string, now: number): MutationResult {
    const recs = guids.map((g) => this.require(g));
    const deleted: ReturnType<AccountCatalog['header']>[] = [];
    for (const rec of recs) {
      if (rec.status === 'DELETED') continue;
      const next = this.revise(rec, by, now, { status: 'DELETED' });
      this.save(next);
      deleted.push(this.header(next));
    }
    return { mutatedEntities: deleted.length ? { DELETE: deleted } : {}, guidAssignments: {} };
  }

  moveTo(guids: string[], collectionId: string, by: string, now: number): MutationResult {
    const target = this.requireCollection(collectionId);
    const recs = guids.map((g) => this.require(g));
    const updated = recs.map((rec) => {
      const next = this.revise(rec, by, now, { collectionId: target.name });
      this.save(next);
      return this.header(next);
    });
    return { mutatedEntities: { UPDATE: updated }, guidAssignments: {} };
  }

  // ---------------------------------------------------------------- classifications and labels

  addClassifications(rec: EntityRecord, list: unknown, by: string, now: number, mode: 'add' | 'update'): EntityRecord {
    const incoming = this.checkClassifications(list);
    const current = [...rec.classifications];
    for (const c of incoming) {
      const i = current.findIndex((x) => x.typeName === c.typeName);
      if (mode === 'add' && i >= 0) {
        throw invalidParams(`classification ${c.typeName} is already associated with entity ${rec.guid}`);
      }
      if (mode === 'update' && i < 0) {
        throw new AtlasError(400, 'ATLAS-400-00-06D', `Classification ${c.typeName} is not associated with entity ${rec.guid}; add it with POST first`);
      }
      if (i >= 0) current[i] = c;
      else current.push(c);
    }
    const next = this.revise(rec, by, now, { classifications: current });
    this.save(next);
    return next;
  }

  removeClassification(rec: EntityRecord, name: string, by: string, now: number): void {
    if (!rec.classifications.some((c) => c.typeName === name)) {
      throw new AtlasError(400, 'ATLAS-400-00-06D', `Classification ${name} is not associated with entity ${rec.guid}`);
    }
    this.save(
      this.revise(rec, by, now, {
        classifications: rec.classifications.filter((c) => c.typeName !== name),
        scanClassifications: rec.scanClassifications?.filter((c) => c !== name),
      }),
    );
  }

  setLabels(rec: EntityRecord, labels: unknown, mode: 'set' | 'add' | 'remove', by: string, now: number): void {
    if (labels !== undefined && labels !== null && !Array.isArray(labels)) {
      throw invalidParams('the body must be an array of label strings');
    }
    const list = ((labels as unknown[] | undefined) ?? []).map(String);
    for (const l of list) {
      if (!/^[A-Za-z0-9_.:-]{1,50}$/.test(l)) {
        throw invalidParams(`label '${l}' is invalid: use up to 50 letters, digits, '_', '.', ':' or '-'`);
      }
    }
    let next: string[];
    if (mode === 'set') next = [...new Set(list)];
    else if (mode === 'add') next = [...new Set([...rec.labels, ...list])];
    else next = rec.labels.filter((l) => !list.includes(l));
    this.save(this.revise(rec, by, now, { labels: next }));
  }

  setBusinessMetadata(rec: EntityRecord, body: unknown, mode: 'merge' | 'overwrite' | 'remove', by: string, now: number, only?: string): void {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw invalidParams('the body must be an object of business metadata attributes');
    }
    const current: Record<string, Record<string, unknown>> = JSON.parse(JSON.stringify(rec.businessAttributes ?? {})) as Record<string, Record<string, unknown>>;
    const incoming = (only ? { [only]: body } : body) as Record<string, Record<string, unknown>>;
    if (mode === 'overwrite') {
      for (const k of Object.keys(current)) delete current[k];
    }
    for (const [bm, attrs] of Object.entries(incoming)) {
      if (mode === 'remove') {
        if (!attrs || typeof attrs !== 'object' || Object.keys(attrs).length === 0) delete current[bm];
        else for (const a of Object.keys(attrs)) delete current[bm]?.[a];
        if (current[bm] && Object.keys(current[bm]).length === 0) delete current[bm];
      } else {
        current[bm] = { ...(current[bm] ?? {}), ...(attrs ?? {}) };
      }
    }
    this.save(this.revise(rec, by, now, { businessAttributes: current }));
  }

  // ---------------------------------------------------------------- relationships

  private resolveEnd(end: unknown, name: string): ObjectRef {
    if (!end || typeof end !== 'object') {
      throw invalidParams(`${name} is required ({guid} or {typeName, uniqueAttributes:{qualifiedName}})`);
    }
    return this.resolveRef(end as RefInput);
  }

  relationshipView(r: RelationshipRecord) {
    const end = (ref: ObjectRef) => {
      const rec = this.entities.get(ref.guid);
      return { guid: ref.guid, typeName: rec?.typeName ?? ref.typeName, uniqueAttributes: { qualifiedName: rec ? String(rec.attributes.qualifiedName ?? '') : ref.uniqueAttributes.qualifiedName } };
    };
    return {
      guid: r.guid,
      typeName: r.typeName,
      end1: end(r.end1),
      end2: end(r.end2),
      attributes: r.attributes,
      label: r.label ?? `r:${r.typeName}`,
      status: r.status,
      createTime: r.createTime,
      updateTime: r.updateTime,
      createdBy: r.createdBy,
      updatedBy: r.updatedBy,
      version: r.version,
      lastModifiedTS: String(r.version),
      provenanceType: 0,
    };
  }

  createRelationship(body: Record<string, unknown>, by: string, now: number): RelationshipRecord {
    const typeName = str(body.typeName);
    if (!typeName) {
      throw invalidParams('typeName is required');
    }
    const def = this.types.get(typeName);
    if (!def || def.category !== 'RELATIONSHIP') {
      throw typeNotFound(typeName);
    }
    const end1 = this.resolveEnd(body.end1, 'end1');
    const end2 = this.resolveEnd(body.end2, 'end2');
    for (const [ref, endDef, label] of [
      [end1, def.endDef1, 'end1'],
      [end2, def.endDef2, 'end2'],
    ] as const) {
      if (endDef && !this.types.isA(ref.typeName, endDef.type)) {
        throw invalidParams(`${label} of a ${typeName} must be a ${endDef.type} (or subtype); got ${ref.typeName}`);
      }
    }
    for (const r of this.relationships.values()) {
      if (r.status === 'ACTIVE' && r.typeName === typeName && r.end1.guid === end1.guid && r.end2.guid === end2.guid) {
        throw new AtlasError(409, 'ATLAS-409-00-009', `Relationship ${typeName} between ${end1.guid} and ${end2.guid} already exists (guid ${r.guid})`);
      }
    }
    const guid = str(body.guid) && !isPlaceholder(String(body.guid)) ? String(body.guid) : this.ctx.newGuid();
    const rec: RelationshipRecord = {
      guid,
      typeName,
      end1,
      end2,
      attributes: (body.attributes as Record<string, unknown> | undefined) ?? {},
      ...(str(body.label) ? { label: String(body.label) } : {}),
      status: 'ACTIVE',
      createTime: now,
      updateTime: now,
      createdBy: by,
      updatedBy: by,
      version: 0,
    };
    this.putRelationship(rec);
    return rec;
  }

  private putRelationship(rec: RelationshipRecord): void {
    const prev = this.relationships.get(rec.guid);
    if (prev) {
      this.removeEdge(prev.guid);
    }
    this.relationships.set(rec.guid, rec);
    this.indexRelationship(rec);
    this.ctx.store.put(COL.relationships, this.relationshipKey(rec.guid), rec);
    this.version++;
  }

  updateRelationship(body: Record<string, unknown>, by: string, now: number): RelationshipRecord {
    const guid = str(body.guid);
    if (!guid) {
      throw invalidParams('guid of the relationship to update is required');
    }
    const prev = this.relationships.get(guid);
    if (!prev) {
      throw relationshipNotFound(guid);
    }
    if (body.typeName !== undefined && body.typeName !== prev.typeName) {
      throw invalidParams(`relationship ${guid} is a ${prev.typeName}; its type cannot change`);
    }
    const end1 = body.end1 ? this.resolveEnd(body.end1, 'end1') : prev.end1;
    const end2 = body.end2 ? this.resolveEnd(body.end2, 'end2') : prev.end2;
    const next: RelationshipRecord = {
      ...prev,
      end1,
      end2,
      attributes: { ...prev.attributes, ...((body.attributes as Record<string, unknown> | undefined) ?? {}) },
      ...(str(body.label) ? { label: String(body.label) } : {}),
      updateTime: now,
      updatedBy: by,
      version: prev.version + 1,
    };
    this.putRelationship(next);
    return next;
  }

  /** A stored relationship, or one implied by a Process's inputs/outputs. */
  getRelationship(guid: string) {
    const r = this.relationships.get(guid) ?? this.relationships.get(guid.toLowerCase());
    if (r) {
      return this.relationshipView(r);
    }
    const e = this.edges.get(guid) ?? this.edges.get(guid.toLowerCase());
    if (e && !e.relationship) {
      const proc = this.entities.get(e.kind === 'inputs' ? e.to : e.from);
      const ds = this.entities.get(e.kind === 'inputs' ? e.from : e.to);
      if (proc && ds) {
        return this.relationshipView({
          guid: e.id,
          typeName: e.typeName,
          end1: this.refOf(proc),
          end2: this.refOf(ds),
          attributes: {},
          status: 'ACTIVE',
          createTime: proc.updateTime,
          updateTime: proc.updateTime,
          createdBy: proc.updatedBy,
          updatedBy: proc.updatedBy,
          version: 0,
        });
      }
    }
    throw relationshipNotFound(guid);
  }

  deleteRelationship(guid: string): void {
    const r = this.relationships.get(guid) ?? this.relationships.get(guid.toLowerCase());
    if (!r) {
      if (this.edges.has(guid)) {
        throw invalidParams(`relationship ${guid} comes from a Process's inputs/outputs; update the Process to remove it`);
      }
      throw relationshipNotFound(guid);
    }
    this.removeEdge(r.guid);
    this.relationships.delete(r.guid);
    this.ctx.store.delete(COL.relationships, this.relationshipKey(r.guid));
    this.version++;
  }

  // ---------------------------------------------------------------- types

  createOrUpdateTypes(body: unknown, mode: 'create' | 'update', by: string, now: number): Record<string, TypeDef[]> {
    const defs = this.typeDefsOf(body);
    const prepared = this.types.prepare(defs, mode, by, now);
    this.types.commit(prepared);
    for (const d of prepared) {
      this.ctx.store.put(COL.types, this.typeKey(d.name), d);
    }
    this.version++;
    return this.typesDefBody(prepared.map((d) => this.types.view(d)));
  }

  deleteTypes(names: string[]): void {
    for (const name of names) {
      const def = this.types.get(name);
      if (!def) {
        throw typeNotFound(name);
      }
      if (isBuiltIn(name) && !this.types.hasCustom(name)) {
        throw invalidParams(`${name} is a system type of the data map and cannot be deleted`);
      }
      if (isBuiltIn(name)) {
        throw invalidParams(`${name} is a system type of the data map; its customization cannot be deleted`);
      }
      const entityCount = this.byType.get(name)?.size ?? 0;
      if (entityCount > 0) throw typeHasReferences(name, `${entityCount} entities of this type exist`);
      if (this.byClassification.get(name)?.size) throw typeHasReferences(name, `${this.byClassification.get(name)?.size} entities carry this classification`);
      const sub = this.types.directSubTypes(name).filter((s) => !names.includes(s));
      if (sub.length) throw typeHasReferences(name, `subtypes: ${sub.join(', ')}`);
      if ([...this.relationships.values()].some((r) => r.typeName === name)) throw typeHasReferences(name, 'relationships of this type exist');
    }
    for (const name of names) {
      this.types.remove(name);
      this.ctx.store.delete(COL.types, this.typeKey(name));
    }
    this.version++;
  }

  typeDefsOf(body: unknown): { category: TypeCategory; def: Record<string, unknown> }[] {
    if (!body || typeof body !== 'object') {
      throw invalidParams('the body must be an AtlasTypesDef {entityDefs, classificationDefs, relationshipDefs, enumDefs, structDefs, businessMetadataDefs}');
    }
    const b = body as Record<string, unknown>;
    const out: { category: TypeCategory; def: Record<string, unknown> }[] = [];
    const map: [string, TypeCategory][] = [
      ['entityDefs', 'ENTITY'],
      ['classificationDefs', 'CLASSIFICATION'],
      ['relationshipDefs', 'RELATIONSHIP'],
      ['enumDefs', 'ENUM'],
      ['structDefs', 'STRUCT'],
      ['businessMetadataDefs', 'BUSINESS_METADATA'],
    ];
    for (const [key, category] of map) {
      const list = b[key];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw invalidParams(`${key} must be an array`);
      for (const def of list) out.push({ category, def: def as Record<string, unknown> });
    }
    return out;
  }

  typesDefBody(defs: TypeDef[]): Record<string, TypeDef[]> {
    const body: Record<string, TypeDef[]> = { enumDefs: [], structDefs: [], classificationDefs: [], entityDefs: [], relationshipDefs: [], businessMetadataDefs: [] };
    for (const d of defs) {
      const key = { ENTITY: 'entityDefs', CLASSIFICATION: 'classificationDefs', RELATIONSHIP: 'relationshipDefs', ENUM: 'enumDefs', STRUCT: 'structDefs', BUSINESS_METADATA: 'businessMetadataDefs' }[d.category];
      body[key].push(d);
    }
    return body;
  }

  // ---------------------------------------------------------------- collections

  putCollection(rec: CollectionRecord): void {
    this.collections.set(rec.name.toLowerCase(), rec);
    this.ctx.store.put(COL.collections, this.collectionKey(rec.name), rec);
    this.version++;
  }

  removeCollection(name: string): void {
    const rec = this.collection(name);
    if (rec) {
      this.collections.delete(name.toLowerCase());
      this.ctx.store.delete(COL.collections, this.collectionKey(rec.name));
      this.version++;
    }
  }

  childCollections(name: string): CollectionRecord[] {
    const lower = name.toLowerCase();
    return [...this.collections.values()].filter((c) => c.parentCollection?.referenceName.toLowerCase() === lower);
  }

  assetCount(collection: string): number {
    let n = 0;
    for (const g of this.byCollection.get(collection.toLowerCase()) ?? []) {
      if (this.entities.get(g)?.status === 'ACTIVE') n++;
    }
    return n;
  }
}

// ---------------------------------------------------------------- per-sandbox state

interface PurviewAccountRecord {
  id: string;
  name: string;
  type: string;
  location: string;
  identity?: { type: string; principalId?: string; tenantId?: string };
  properties: { provisioningState: string; createdAt: string };
}

export interface PurviewWorld {
  catalogs: Map<string, AccountCatalog>;
  nameToId: Map<string, string>;
  /** Running scan runs by store key, for cancellation. */
  running: Map<string, AbortController>;
}

const worlds = new WeakMap<object, PurviewWorld>();

export function worldOf(ctx: SandboxContext): PurviewWorld {
  let w = worlds.get(ctx.store);
  if (!w) {
    w = { catalogs: new Map(), nameToId: new Map(), running: new Map() };
    worlds.set(ctx.store, w);
  }
  return w;
}

function accountInfo(ctx: SandboxContext, rec: PurviewAccountRecord): AccountInfo {
  const sub = rec.id.split('/')[2] ?? '';
  const tenantId = ctx.resources.subscription(sub)?.tenantId ?? rec.identity?.tenantId ?? '';
  return { id: rec.id, name: rec.name, tenantId, location: rec.location, principalId: rec.identity?.principalId, createdAt: rec.properties.createdAt };
}

/** All Purview accounts in the sandbox (ARM records). */
export function purviewAccounts(ctx: SandboxContext): PurviewAccountRecord[] {
  return ctx.store.list<PurviewAccountRecord>('resources').filter((r) => r.type === 'Microsoft.Purview/accounts');
}

/** The catalog of the Purview account named `name`, loading it on first use; undefined when there is no such account. */
export function catalogFor(ctx: SandboxContext, name: string): AccountCatalog | undefined {
  const world = worldOf(ctx);
  const lower = name.toLowerCase();
  let id = world.nameToId.get(lower);
  let rec = id ? ctx.store.get<PurviewAccountRecord>('resources', id) : undefined;
  if (!rec) {
    rec = purviewAccounts(ctx).find((r) => r.name.toLowerCase() === lower);
    if (!rec) {
      if (id) {
        world.catalogs.delete(id.toLowerCase());
        world.nameToId.delete(lower);
      }
      return undefined;
    }
    id = rec.id;
    world.nameToId.set(lower, id);
  }
  if (rec.properties.provisioningState === 'Deleting') {
    return undefined;
  }
  const key = rec.id.toLowerCase();
  const cached = world.catalogs.get(key);
  if (cached && cached.account.createdAt === rec.properties.createdAt) {
    if (!cached.account.principalId && rec.identity?.principalId) {
      cached.account.principalId = rec.identity.principalId;
    }
    return cached;
  }
  const catalog = new AccountCatalog(ctx, accountInfo(ctx, rec));
  world.catalogs.set(key, catalog);
  return catalog;
}
