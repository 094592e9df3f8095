/**
 * Atlas type system of a sandbox Purview account: the built-in types the sandbox knows (Atlas
 * base types, Azure storage assets, Process, lineage relationships, the system classifications
 * its scanner applies) plus the account's own typedefs, which are persisted.
 */
import * as crypto from 'node:crypto';
import { CLASSIFICATION } from './classifiers';
import { invalidParams, typeExists, typeNotFound } from './errors';

export type TypeCategory = 'ENTITY' | 'CLASSIFICATION' | 'RELATIONSHIP' | 'ENUM' | 'STRUCT' | 'BUSINESS_METADATA';

export interface AttributeDef {
  name: string;
  typeName: string;
  isOptional?: boolean;
  isUnique?: boolean;
  isIndexable?: boolean;
  cardinality?: 'SINGLE' | 'LIST' | 'SET';
  valuesMinCount?: number;
  valuesMaxCount?: number;
  includeInNotification?: boolean;
  [k: string]: unknown;
}

/** A typedef as served (AtlasEntityDef / AtlasClassificationDef / AtlasRelationshipDef / ...). */
export interface TypeDef {
  category: TypeCategory;
  name: string;
  guid: string;
  description?: string;
  serviceType?: string;
  typeVersion?: string;
  version?: number;
  createTime?: number;
  updateTime?: number;
  createdBy?: string;
  updatedBy?: string;
  lastModifiedTS?: string;
  superTypes?: string[];
  attributeDefs?: AttributeDef[];
  relationshipAttributeDefs?: unknown[];
  entityTypes?: string[];
  endDef1?: { type: string; name: string; cardinality?: string; isContainer?: boolean; isLegacyAttribute?: boolean };
  endDef2?: { type: string; name: string; cardinality?: string; isContainer?: boolean; isLegacyAttribute?: boolean };
  relationshipCategory?: string;
  relationshipLabel?: string;
  propagateTags?: string;
  elementDefs?: unknown[];
  options?: Record<string, string>;
  [k: string]: unknown;
}

export const CATEGORY_KEYS: Record<TypeCategory, string> = {
  ENTITY: 'entityDefs',
  CLASSIFICATION: 'classificationDefs',
  RELATIONSHIP: 'relationshipDefs',
  ENUM: 'enumDefs',
  STRUCT: 'structDefs',
  BUSINESS_METADATA: 'businessMetadataDefs',
};

/** Path segment of `/types/{kind}/name/{name}` -> category (typedef = any). */
export const KIND_SEGMENTS: Record<string, TypeCategory | undefined> = {
  entitydef: 'ENTITY',
  classificationdef: 'CLASSIFICATION',
  relationshipdef: 'RELATIONSHIP',
  enumdef: 'ENUM',
  structdef: 'STRUCT',
  businessmetadatadef: 'BUSINESS_METADATA',
  typedef: undefined,
};

/** A stable guid for a built-in type (same in every account, every run). */
export function stableGuid(seed: string): string {
  const h = crypto.createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const BUILT_IN_TIME = Date.UTC(2023, 8, 1);

function attr(name: string, typeName: string, extra: Partial<AttributeDef> = {}): AttributeDef {
  return { name, typeName, isOptional: true, cardinality: 'SINGLE', valuesMinCount: 0, valuesMaxCount: 1, isUnique: false, isIndexable: false, includeInNotification: false, ...extra };
}

function entity(name: string, superTypes: string[], attributeDefs: AttributeDef[], serviceType: string, description: string): TypeDef {
  return { category: 'ENTITY', name, guid: stableGuid(`type:${name}`), description, serviceType, typeVersion: '1.0', superTypes, attributeDefs };
}

function classification(name: string, description: string): TypeDef {
  return { category: 'CLASSIFICATION', name, guid: stableGuid(`type:${name}`), description, serviceType: 'Microsoft Purview', typeVersion: '1.0', superTypes: [], attributeDefs: [], entityTypes: [] };
}

function relationship(name: string, end1: [string, string, string, boolean?], end2: [string, string, string, boolean?], category = 'ASSOCIATION'): TypeDef {
  return {
    category: 'RELATIONSHIP',
    name,
    guid: stableGuid(`type:${name}`),
    description: name,
    serviceType: 'atlas_core',
    typeVersion: '1.0',
    attributeDefs: [],
    relationshipCategory: category,
    relationshipLabel: `r:${name}`,
    propagateTags: 'NONE',
    endDef1: { type: end1[0], name: end1[1], cardinality: end1[2], isContainer: end1[3] ?? false, isLegacyAttribute: false },
    endDef2: { type: end2[0], name: end2[1], cardinality: end2[2], isContainer: end2[3] ?? false, isLegacyAttribute: false },
  };
}

const BLOB = 'Azure Blob Storage';
const ADLS = 'Azure Data Lake Storage Gen2';
const STORAGE = 'Azure Storage Account';

function builtIns(): TypeDef[] {
  const list = (name: string, t: string) => attr(name, `array<${t}>`, { cardinality: 'SET', valuesMaxCount: 2147483647 });
  const defs: TypeDef[] = [
    entity('Referenceable', [], [attr('qualifiedName', 'string', { isOptional: false, isUnique: true, isIndexable: true })], 'atlas_core', 'Base type of every entity with a unique qualifiedName.'),
    entity('Asset', ['Referenceable'], [attr('name', 'string', { isOptional: false, isIndexable: true }), attr('description', 'string'), attr('owner', 'string'), attr('displayName', 'string'), attr('userDescription', 'string')], 'atlas_core', 'Base type of assets.'),
    entity('DataSet', ['Asset'], [], 'atlas_core', 'A data set; inputs and outputs of processes.'),
    entity('Process', ['Asset'], [list('inputs', 'DataSet'), list('outputs', 'DataSet')], 'atlas_core', 'A process that reads its inputs and writes its outputs (the lineage edges).'),
    entity('azure_resource', ['DataSet'], [], 'Azure', 'An Azure resource.'),
    entity('azure_storage_account', ['azure_resource'], [attr('location', 'string'), attr('resourceId', 'string')], STORAGE, 'Azure Storage account.'),
    entity('azure_blob_service', ['DataSet'], [], BLOB, 'Blob service of an Azure Storage account.'),
    entity('azure_blob_container', ['DataSet'], [attr('publicAccessLevel', 'string'), attr('lastModifiedTime', 'long')], BLOB, 'Blob container.'),
    entity(
      'azure_blob_path',
      ['DataSet'],
      [attr('path', 'string'), attr('size', 'long'), attr('modifiedTime', 'long'), attr('createTime', 'long'), attr('contentType', 'string'), attr('isBlob', 'boolean'), attr('eTag', 'string'), attr('contentMD5', 'string')],
      BLOB,
      'Blob (file) in a container.',
    ),
    entity('azure_blob_resource_set', ['DataSet'], [attr('path', 'string')], BLOB, 'Resource set of blobs.'),
    entity('azure_datalake_gen2_service', ['DataSet'], [], ADLS, 'Data Lake Storage Gen2 service of an Azure Storage account.'),
    entity('azure_datalake_gen2_filesystem', ['DataSet'], [attr('lastModifiedTime', 'long')], ADLS, 'Data Lake Storage Gen2 file system.'),
    entity(
      'azure_datalake_gen2_path',
      ['DataSet'],
      [attr('path', 'string'), attr('size', 'long'), attr('modifiedTime', 'long'), attr('createTime', 'long'), attr('isFile', 'boolean'), attr('eTag', 'string'), attr('contentMD5', 'string')],
      ADLS,
      'Path (file) in a Data Lake Storage Gen2 file system.',
    ),
    entity('azure_datalake_gen2_resource_set', ['DataSet'], [attr('path', 'string')], ADLS, 'Resource set of Data Lake Storage Gen2 paths.'),
    entity('column', ['DataSet'], [attr('type', 'string')], 'atlas_core', 'A column of a tabular schema.'),
    relationship('dataset_process_inputs', ['Process', 'inputs', 'SET'], ['DataSet', 'inputToProcesses', 'SET']),
    relationship('process_dataset_outputs', ['Process', 'outputs', 'SET'], ['DataSet', 'outputFromProcesses', 'SET']),
    relationship('direct_lineage_dataset_dataset', ['DataSet', 'sinks', 'SET'], ['DataSet', 'sources', 'SET']),
    relationship('azure_storage_account_blob_services', ['azure_storage_account', 'services', 'SET', true], ['azure_blob_service', 'account', 'SINGLE'], 'COMPOSITION'),
    relationship('azure_storage_account_datalake_services', ['azure_storage_account', 'services', 'SET', true], ['azure_datalake_gen2_service', 'account', 'SINGLE'], 'COMPOSITION'),
    relationship('azure_blob_service_containers', ['azure_blob_service', 'containers', 'SET', true], ['azure_blob_container', 'blobService', 'SINGLE'], 'COMPOSITION'),
    relationship('azure_blob_container_blobs', ['azure_blob_container', 'blobs', 'SET', true], ['azure_blob_path', 'container', 'SINGLE'], 'COMPOSITION'),
    relationship('azure_datalake_gen2_service_filesystems', ['azure_datalake_gen2_service', 'filesystems', 'SET', true], ['azure_datalake_gen2_filesystem', 'datalakeService', 'SINGLE'], 'COMPOSITION'),
    relationship('azure_datalake_gen2_filesystem_paths', ['azure_datalake_gen2_filesystem', 'paths', 'SET', true], ['azure_datalake_gen2_path', 'filesystem', 'SINGLE'], 'COMPOSITION'),
    classification(CLASSIFICATION.email, 'Email'),
    classification(CLASSIFICATION.creditCard, 'Credit Card Number'),
    classification(CLASSIFICATION.iban, 'International Banking Account Number (IBAN)'),
    classification(CLASSIFICATION.usPhone, 'U.S. Phone Number'),
    classification(CLASSIFICATION.euPhone, 'EU Phone Number'),
    classification(CLASSIFICATION.ipAddress, 'IP Address'),
    classification(CLASSIFICATION.usSsn, 'U.S. Social Security Number (SSN)'),
    classification('MICROSOFT.MISCELLANEOUS.IPADDRESS', 'IP Address'),
    classification('MICROSOFT.PERSONAL.NAME', "Person's Name"),
    classification('MICROSOFT.PERSONAL.PHYSICALADDRESS', "Person's Address"),
    classification('MICROSOFT.PERSONAL.DATE_OF_BIRTH', 'Date of Birth'),
    classification('MICROSOFT.FINANCIAL.US.ABA_ROUTING_NUMBER', 'ABA Routing Number'),
    classification('MICROSOFT.FINANCIAL.SWIFT_CODE', 'SWIFT Code'),
    classification('MICROSOFT.FINANCIAL.AUSTRALIA.BANK_ACCOUNT_NUMBER', 'Australia Bank Account Number'),
    classification('MICROSOFT.GOVERNMENT.US.PASSPORT_NUMBER', 'U.S. Passport Number'),
    classification('MICROSOFT.GOVERNMENT.CITY_NAME', 'World Cities'),
    classification('MICROSOFT.GOVERNMENT.COUNTRY_NAME', 'Country/Region'),
    classification('MICROSOFT.GOVERNMENT.US.STATE', 'U.S. States'),
    classification('MICROSOFT.SYSTEM.TEMP_FILE', 'Temporary file'),
    {
      category: 'ENUM',
      name: 'glossary_term_status_value',
      guid: stableGuid('type:glossary_term_status_value'),
      description: 'glossary_term_status_value',
      typeVersion: '1.0',
      serviceType: 'atlas_core',
      elementDefs: ['Approved', 'Alert', 'Expired', 'Draft'].map((value, ordinal) => ({ value, ordinal })),
    },
  ];
  for (const d of defs) {
    d.version = 1;
    d.createTime = BUILT_IN_TIME;
    d.updateTime = BUILT_IN_TIME;
    d.createdBy = 'admin';
    d.updatedBy = 'admin';
    d.lastModifiedTS = '1';
  }
  return defs;
}

const BUILT_INS: ReadonlyMap<string, TypeDef> = new Map(builtIns().map((d) => [d.name, d]));

export function isBuiltIn(name: string): boolean {
  return BUILT_INS.has(name);
}

/** The types of one account: built-ins plus persisted custom types (which may also override built-ins). */
export class TypeRegistry {
  private readonly custom = new Map<string, TypeDef>();
  private ancestorsCache = new Map<string, Set<string>>();
  private subtypesCache = new Map<string, string[]>();
  private relationshipCache: TypeDef[] | undefined;

  constructor(customDefs: TypeDef[] = []) {
    for (const d of customDefs) {
      this.custom.set(d.name, d);
    }
  }

  get(name: string): TypeDef | undefined {
    return this.custom.get(name) ?? BUILT_INS.get(name);
  }

  byGuid(guid: string): TypeDef | undefined {
    const lower = guid.toLowerCase();
    return this.all().find((d) => d.guid.toLowerCase() === lower);
  }

  all(): TypeDef[] {
    const out = new Map(BUILT_INS);
    for (const [k, v] of this.custom) {
      out.set(k, v);
    }
    return [...out.values()];
  }

  entityType(name: string): TypeDef {
    const d = this.get(name);
    if (!d || d.category !== 'ENTITY') {
      throw typeNotFound(name);
    }
    return d;
  }

  /** All relationship typedefs (cached). */
  relationshipDefs(): TypeDef[] {
    this.relationshipCache ??= this.all().filter((d) => d.category === 'RELATIONSHIP');
    return this.relationshipCache;
  }

  /** The type itself and all its supertypes, transitively. */
  ancestors(name: string): Set<string> {
    let set = this.ancestorsCache.get(name);
    if (!set) {
      set = new Set<string>();
      const walk = (n: string) => {
        if (set!.has(n)) return;
        set!.add(n);
        for (const s of this.get(n)?.superTypes ?? []) walk(s);
      };
      walk(name);
      this.ancestorsCache.set(name, set);
    }
    return set;
  }

  isA(name: string, superName: string): boolean {
    return name === superName || this.ancestors(name).has(superName);
  }

  /** The type and every type that has it as an ancestor (same category). */
  withSubTypes(name: string): string[] {
    let list = this.subtypesCache.get(name);
    if (!list) {
      list = this.all()
        .filter((d) => d.name === name || ((d.category === 'ENTITY' || d.category === 'CLASSIFICATION') && this.isA(d.name, name)))
        .map((d) => d.name);
      this.subtypesCache.set(name, list);
    }
    return list;
  }

  /** Direct subtypes (as Atlas reports them in `subTypes`). */
  directSubTypes(name: string): string[] {
    return this.all()
      .filter((d) => d.superTypes?.includes(name))
      .map((d) => d.name);
  }

  /** Attribute definitions of an entity type including inherited ones. */
  attributeDefs(name: string): AttributeDef[] {
    const out: AttributeDef[] = [];
    for (const t of this.ancestors(name)) {
      out.push(...(this.get(t)?.attributeDefs ?? []));
    }
    return out;
  }

  /** Served shape (adds subTypes). */
  view(d: TypeDef): TypeDef {
    return d.category === 'ENTITY' || d.category === 'CLASSIFICATION' ? { ...d, subTypes: this.directSubTypes(d.name) } : { ...d };
  }

  /**
   * Validates and prepares typedefs for create (`mode: 'create'`: must not exist) or update
   * (`mode: 'update'`: must exist). Returns the records to persist; apply them with `commit`.
   */
  prepare(defs: { category: TypeCategory; def: Record<string, unknown> }[], mode: 'create' | 'update', by: string, now: number): TypeDef[] {
    const out: TypeDef[] = [];
    const incoming = new Set(defs.map((d) => String(d.def.name ?? '')));
    for (const { category, def } of defs) {
      const name = typeof def.name === 'string' ? def.name.trim() : '';
      if (!name) {
        throw invalidParams(`a ${category.toLowerCase()} definition has no name`);
      }
      if (!/^[A-Za-z_][A-Za-z0-9_. -]*$/.test(name)) {
        throw invalidParams(`type name '${name}' has invalid characters; use letters, digits, '_', '.', ' ' and '-'`);
      }
      const existing = this.get(name);
      if (mode === 'create' && existing) {
        throw typeExists(name);
      }
      if (mode === 'update' && !existing) {
        throw typeNotFound(name);
      }
      if (existing && existing.category !== category) {
        throw invalidParams(`type ${name} is a ${existing.category} type, not ${category}`);
      }
      const known = (t: string) => this.get(t) !== undefined || incoming.has(t);
      for (const s of (def.superTypes as string[] | undefined) ?? []) {
        if (!known(s)) {
          throw typeNotFound(s);
        }
      }
      if (category === 'RELATIONSHIP') {
        for (const end of [def.endDef1, def.endDef2] as { type?: string; name?: string }[]) {
          if (!end?.type || !end.name) {
            throw invalidParams(`relationship ${name} needs endDef1 and endDef2 with 'type' and 'name'`);
          }
          if (!known(end.type)) {
            throw typeNotFound(end.type);
          }
        }
      }
      const version = (existing?.version ?? 0) + 1;
      const record: TypeDef = {
        ...(def as Partial<TypeDef>),
        category,
        name,
        guid: existing?.guid ?? (typeof def.guid === 'string' && /^[0-9a-f-]{36}$/i.test(def.guid) ? def.guid : crypto.randomUUID()),
        description: (def.description as string | undefined) ?? existing?.description ?? name,
        typeVersion: (def.typeVersion as string | undefined) ?? existing?.typeVersion ?? '1.0',
        version,
        createTime: existing?.createTime ?? now,
        updateTime: now,
        createdBy: existing?.createdBy ?? by,
        updatedBy: by,
        lastModifiedTS: String(version),
        attributeDefs: ((def.attributeDefs as AttributeDef[] | undefined) ?? existing?.attributeDefs ?? []).map((a) => {
          const optional = a.isOptional ?? true;
          const cardinality = a.cardinality ?? 'SINGLE';
          return {
            isOptional: optional,
            cardinality,
            valuesMinCount: optional ? 0 : 1,
            valuesMaxCount: cardinality === 'SINGLE' ? 1 : 2147483647,
            isUnique: false,
            isIndexable: false,
            includeInNotification: false,
            ...a,
          };
        }),
      };
      delete (record as { subTypes?: unknown }).subTypes;
      if (category === 'ENTITY' || category === 'CLASSIFICATION') {
        record.superTypes = (def.superTypes as string[] | undefined) ?? existing?.superTypes ?? [];
      }
      if (category === 'RELATIONSHIP') {
        record.relationshipCategory ??= existing?.relationshipCategory ?? 'ASSOCIATION';
        record.relationshipLabel ??= existing?.relationshipLabel ?? `r:${name}`;
        record.propagateTags ??= existing?.propagateTags ?? 'NONE';
      }
      if (category === 'ENTITY' && !record.serviceType) {
        record.serviceType = existing?.serviceType ?? 'Custom';
      }
      out.push(record);
    }
    return out;
  }

  commit(defs: TypeDef[]): void {
    for (const d of defs) {
      this.custom.set(d.name, d);
    }
    this.invalidate();
  }

  remove(name: string): void {
    this.custom.delete(name);
    this.invalidate();
  }

  hasCustom(name: string): boolean {
    return this.custom.has(name);
  }

  private invalidate(): void {
    this.ancestorsCache = new Map();
    this.subtypesCache = new Map();
    this.relationshipCache = undefined;
  }
}
