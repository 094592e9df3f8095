/**
 * Handlers of the Atlas v2 surface (`/datamap/api/atlas/v2/...`, also under the legacy
 * `/catalog/api` prefix), search, moveTo and lineage paging. They parse requests, call the
 * catalog and shape Atlas responses; errors are AtlasErrors rendered by the route wrapper.
 */
import type { Principal, SandboxContext, SandboxRequest, SandboxResponse } from '../../core/contract';
import type { AccountCatalog, EntityRecord, RawEntity } from './catalog';
import { AtlasError, guidNotFound, invalidParams, typeGuidNotFound, typeNotFound, uniqueNotFound } from './errors';
import { getLineage, nextPage, parseDepth, parseDirection } from './lineage';
import { autocomplete, query, suggest } from './search';
import { CATEGORY_KEYS, KIND_SEGMENTS, type TypeCategory } from './types';

export interface Env {
  ctx: SandboxContext;
  cat: AccountCatalog;
  req: SandboxRequest;
  params: Record<string, string>;
  principal: Principal;
  /** Who the data map records as createdBy/updatedBy. */
  by: string;
  now: number;
}

export type EnvHandler = (env: Env) => SandboxResponse | Promise<SandboxResponse>;

const ok = (body: unknown): SandboxResponse => ({ status: 200, body });
const noContent = (): SandboxResponse => ({ status: 204 });

function bodyObject(req: SandboxRequest, what: string): Record<string, unknown> {
  const b = req.body;
  if (!b || typeof b !== 'object' || Array.isArray(b)) {
    throw invalidParams(`the request body must be ${what}`);
  }
  return b as Record<string, unknown>;
}

function flag(req: SandboxRequest, name: string): boolean {
  return (req.query.get(name) ?? '').toLowerCase() === 'true';
}

/** The entity named by `attr:qualifiedName` on a unique-attribute route. */
function byUniqueAttribute(env: Env): EntityRecord {
  const typeName = env.params.typeName;
  env.cat.types.entityType(typeName);
  const qn = env.req.query.get('attr:qualifiedName');
  if (!qn) {
    throw invalidParams("the query parameter 'attr:qualifiedName' is required (the sandbox matches entities by qualifiedName)");
  }
  const rec = env.cat.findByQn(typeName, qn);
  if (!rec) {
    throw uniqueNotFound(typeName, qn);
  }
  return rec;
}

function entityWithExt(env: Env, rec: EntityRecord) {
  return { entity: env.cat.entityView(rec, { ignoreRelationships: flag(env.req, 'ignoreRelationships') }), referredEntities: {} };
}

// ---------------------------------------------------------------- entities

export const createOrUpdateEntity: EnvHandler = (env) => {
  const body = bodyObject(env.req, 'an AtlasEntityWithExtInfo {entity, referredEntities?}');
  if (!body.entity || typeof body.entity !== 'object') {
    throw invalidParams("the body needs 'entity'");
  }
  const referred = Object.entries((body.referredEntities as Record<string, RawEntity> | undefined) ?? {}).map(([k, v]) => ({ guid: k, ...v }));
  return ok(env.cat.upsert([body.entity as RawEntity, ...referred], { collectionId: env.req.query.get('collectionId') ?? undefined, by: env.by, now: env.now }));
};

export const bulkCreateOrUpdate: EnvHandler = (env) => {
  const body = bodyObject(env.req, 'an AtlasEntitiesWithExtInfo {entities, referredEntities?}');
  if (!Array.isArray(body.entities)) {
    throw invalidParams("the body needs 'entities' (an array)");
  }
  const referred = Object.entries((body.referredEntities as Record<string, RawEntity> | undefined) ?? {}).map(([k, v]) => ({ guid: k, ...v }));
  return ok(env.cat.upsert([...(body.entities as RawEntity[]), ...referred], { collectionId: env.req.query.get('collectionId') ?? undefined, by: env.by, now: env.now }));
};

/** `guid` query parameters, repeated (`guid=a&guid=b`) or comma-separated (`guid=a,b`). */
function guidParams(env: Env): string[] {
  return env.req.query
    .getAll('guid')
    .flatMap((g) => g.split(','))
    .map((g) => g.trim())
    .filter(Boolean);
}

export const listByGuids: EnvHandler = (env) => {
  const guids = guidParams(env);
  if (guids.length === 0) {
    throw invalidParams("at least one 'guid' query parameter is required");
  }
  const entities = guids.map((g) => env.cat.entityView(env.cat.require(g), { ignoreRelationships: flag(env.req, 'ignoreRelationships') }));
  return ok({ entities, referredEntities: {} });
};

export const bulkDelete: EnvHandler = (env) => {
  const guids = guidParams(env);
  if (guids.length === 0) {
    throw invalidParams("at least one 'guid' query parameter is required");
  }
  return ok(env.cat.deleteEntities(guids, env.by, env.now));
};

export const listByUniqueAttributes: EnvHandler = (env) => {
  env.cat.types.entityType(env.params.typeName);
  const entities: unknown[] = [];
  for (const [k, v] of env.req.query.entries()) {
    if (/^attr_[^:]*:qualifiedName$/.test(k) || k === 'attr:qualifiedName') {
      const rec = env.cat.findByQn(env.params.typeName, v);
      if (rec) entities.push(env.cat.entityView(rec, { ignoreRelationships: flag(env.req, 'ignoreRelationships') }));
    }
  }
  return ok({ entities, referredEntities: {} });
};

export const getEntity: EnvHandler = (env) => ok(entityWithExt(env, env.cat.require(env.params.guid)));

export const partialUpdateByGuid: EnvHandler = (env) => ok(env.cat.partialUpdate(env.cat.require(env.params.guid).guid, env.req.query.get('name') ?? '', env.req.body, env.by, env.now));

export const deleteEntity: EnvHandler = (env) => ok(env.cat.deleteEntities([env.cat.require(env.params.guid).guid], env.by, env.now));

export const getHeader: EnvHandler = (env) => ok(env.cat.header(env.cat.require(env.params.guid)));

export const getByUniqueAttribute: EnvHandler = (env) => ok(entityWithExt(env, byUniqueAttribute(env)));

export const updateByUniqueAttribute: EnvHandler = (env) => {
  const rec = byUniqueAttribute(env);
  const body = bodyObject(env.req, 'an AtlasEntityWithExtInfo {entity}');
  const entity = (body.entity ?? body) as RawEntity;
  return ok(env.cat.upsert([{ ...entity, guid: rec.guid, typeName: rec.typeName }], { by: env.by, now: env.now }));
};

export const deleteByUniqueAttribute: EnvHandler = (env) => ok(env.cat.deleteEntities([byUniqueAttribute(env).guid], env.by, env.now));

// ---------------------------------------------------------------- classifications

export const getClassifications: EnvHandler = (env) => {
  const rec = env.cat.require(env.params.guid);
  const list = rec.classifications.map((c) => env.cat.classificationView(rec, c));
  return ok({ list, pageSize: list.length, sortType: 'NONE', startIndex: 0, totalCount: list.length });
};

export const getClassification: EnvHandler = (env) => {
  const rec = env.cat.require(env.params.guid);
  const c = rec.classifications.find((x) => x.typeName === env.params.classificationName);
  if (!c) {
    throw new AtlasError(404, 'ATLAS-404-00-00E', `Classification ${env.params.classificationName} is not associated with entity ${rec.guid}`);
  }
  return ok(env.cat.classificationView(rec, c));
};

export const addClassifications: EnvHandler = (env) => {
  env.cat.addClassifications(env.cat.require(env.params.guid), env.req.body, env.by, env.now, 'add');
  return noContent();
};

export const updateClassifications: EnvHandler = (env) => {
  env.cat.addClassifications(env.cat.require(env.params.guid), env.req.body, env.by, env.now, 'update');
  return noContent();
};

export const removeClassification: EnvHandler = (env) => {
  env.cat.removeClassification(env.cat.require(env.params.guid), env.params.classificationName, env.by, env.now);
  return noContent();
};

export const addClassificationsByUnique: EnvHandler = (env) => {
  env.cat.addClassifications(byUniqueAttribute(env), env.req.body, env.by, env.now, 'add');
  return noContent();
};

export const updateClassificationsByUnique: EnvHandler = (env) => {
  env.cat.addClassifications(byUniqueAttribute(env), env.req.body, env.by, env.now, 'update');
  return noContent();
};

export const removeClassificationByUnique: EnvHandler = (env) => {
  env.cat.removeClassification(byUniqueAttribute(env), env.params.classificationName, env.by, env.now);
  return noContent();
};

/** POST /entity/bulk/classification {classification, entityGuids}: adds (or replaces) one classification on many entities. */
export const bulkAddClassification: EnvHandler = (env) => {
  const body = bodyObject(env.req, '{classification, entityGuids}');
  const guids = body.entityGuids;
  if (!Array.isArray(guids) || guids.length === 0 || !body.classification) {
    throw invalidParams("the body needs 'classification' and a non-empty 'entityGuids'");
  }
  const recs = guids.map((g) => env.cat.require(String(g)));
  for (const rec of recs) {
    const name = String((body.classification as { typeName?: unknown }).typeName ?? '');
    const has = rec.classifications.some((c) => c.typeName === name);
    env.cat.addClassifications(rec, [body.classification], env.by, env.now, has ? 'update' : 'add');
  }
  return noContent();
};

/** POST /entity/bulk/setClassifications {guidHeaderMap}: replaces each entity's classifications. */
export const bulkSetClassifications: EnvHandler = (env) => {
  const body = bodyObject(env.req, '{guidHeaderMap}');
  const map = body.guidHeaderMap as Record<string, { classifications?: unknown[] }> | undefined;
  if (!map || typeof map !== 'object') {
    throw invalidParams("the body needs 'guidHeaderMap'");
  }
  const results: string[] = [];
  for (const [guid, header] of Object.entries(map)) {
    const rec = env.cat.require(guid);
    const before = new Set(rec.classifications.map((c) => c.typeName));
    const list = (header?.classifications ?? []) as { typeName?: unknown }[];
    const updated = env.cat.addClassifications({ ...rec, classifications: [] }, list, env.by, env.now, 'add');
    for (const c of updated.classifications) {
      results.push(`${before.has(c.typeName) ? 'Update' : 'Add'}:${rec.guid}:${rec.typeName}:qualifiedName -> ${c.typeName}:(Done)`);
    }
  }
  return ok(results);
};

// ---------------------------------------------------------------- labels and business metadata

function labels(mode: 'set' | 'add' | 'remove', unique: boolean): EnvHandler {
  return (env) => {
    const rec = unique ? byUniqueAttribute(env) : env.cat.require(env.params.guid);
    env.cat.setLabels(rec, env.req.body, mode, env.by, env.now);
    return noContent();
  };
}

export const setLabels = labels('set', false);
export const addLabels = labels('add', false);
export const removeLabels = labels('remove', false);
export const setLabelsByUnique = labels('set', true);
export const addLabelsByUnique = labels('add', true);
export const removeLabelsByUnique = labels('remove', true);

export const addBusinessMetadata: EnvHandler = (env) => {
  env.cat.setBusinessMetadata(env.cat.require(env.params.guid), env.req.body, flag(env.req, 'isOverwrite') ? 'overwrite' : 'merge', env.by, env.now);
  return noContent();
};

export const removeBusinessMetadata: EnvHandler = (env) => {
  env.cat.setBusinessMetadata(env.cat.require(env.params.guid), env.req.body, 'remove', env.by, env.now);
  return noContent();
};

export const addBusinessMetadataAttributes: EnvHandler = (env) => {
  env.cat.setBusinessMetadata(env.cat.require(env.params.guid), env.req.body, 'merge', env.by, env.now, env.params.businessMetadataName);
  return noContent();
};

export const removeBusinessMetadataAttributes: EnvHandler = (env) => {
  env.cat.setBusinessMetadata(env.cat.require(env.params.guid), env.req.body, 'remove', env.by, env.now, env.params.businessMetadataName);
  return noContent();
};

/** GET /entity/businessmetadata/import/template: the CSV header of a business metadata import. */
export const businessMetadataTemplate: EnvHandler = () => ok('EntityType,EntityUniqueAttributeValue,BusinessAttributeName,BusinessAttributeValue,EntityUniqueAttributeName[optional]');

export const moveTo: EnvHandler = (env) => {
  const collectionId = env.req.query.get('collectionId');
  if (!collectionId) {
    throw invalidParams("the query parameter 'collectionId' is required");
  }
  const body = bodyObject(env.req, '{entityGuids}');
  if (!Array.isArray(body.entityGuids) || body.entityGuids.length === 0) {
    throw invalidParams("the body needs a non-empty 'entityGuids'");
  }
  return ok(env.cat.moveTo(body.entityGuids.map(String), collectionId, env.by, env.now));
};

// ---------------------------------------------------------------- relationships

export const createRelationship: EnvHandler = (env) => ok(env.cat.relationshipView(env.cat.createRelationship(bodyObject(env.req, 'an AtlasRelationship'), env.by, env.now)));

export const updateRelationship: EnvHandler = (env) => ok(env.cat.relationshipView(env.cat.updateRelationship(bodyObject(env.req, 'an AtlasRelationship with guid'), env.by, env.now)));

export const getRelationship: EnvHandler = (env) => {
  const relationship = env.cat.getRelationship(env.params.guid);
  if (!flag(env.req, 'extendedInfo')) {
    return ok({ relationship, referredEntities: {} });
  }
  const referredEntities: Record<string, unknown> = {};
  for (const end of [relationship.end1, relationship.end2]) {
    const rec = env.cat.get(end.guid);
    if (rec) referredEntities[rec.guid] = env.cat.header(rec);
  }
  return ok({ relationship, referredEntities });
};

export const deleteRelationship: EnvHandler = (env) => {
  env.cat.deleteRelationship(env.params.guid);
  return noContent();
};

// ---------------------------------------------------------------- lineage

export const lineageByGuid: EnvHandler = (env) => {
  const width = env.req.query.get('width');
  return ok(getLineage(env.cat, env.params.guid, parseDirection(env.req.query.get('direction')), parseDepth(env.req.query.get('depth')), width ? Number(width) : -1));
};

export const lineageByUniqueAttribute: EnvHandler = (env) => {
  const rec = byUniqueAttribute(env);
  return ok(getLineage(env.cat, rec.guid, parseDirection(env.req.query.get('direction')), parseDepth(env.req.query.get('depth'))));
};

export const lineageNext: EnvHandler = (env) => {
  const offset = Number(env.req.query.get('offset') ?? '0');
  const limit = Number(env.req.query.get('limit') ?? '10');
  return ok(nextPage(env.cat, env.params.guid, parseDirection(env.req.query.get('direction')), offset, limit));
};

// ---------------------------------------------------------------- search

export const searchQuery: EnvHandler = (env) => ok(query(env.cat, bodyObject(env.req, 'a search request {keywords?, filter?, facets?, limit?, continuationToken?, orderby?}'), env.now));
export const searchSuggest: EnvHandler = (env) => ok(suggest(env.cat, bodyObject(env.req, 'a suggest request {keywords, filter?, limit?}'), env.now));
export const searchAutocomplete: EnvHandler = (env) => ok(autocomplete(env.cat, bodyObject(env.req, 'an autocomplete request {keywords, filter?, limit?}'), env.now));

// ---------------------------------------------------------------- types

function typeFilter(env: Env): TypeCategory | 'NONE' | undefined {
  const t = env.req.query.get('type');
  if (!t) return undefined;
  const upper = t.toUpperCase();
  if (upper === 'TERM_TEMPLATE' || upper === 'PRIMITIVE' || upper === 'ARRAY' || upper === 'MAP' || upper === 'OBJECT_ID_TYPE') return 'NONE';
  if (!(upper in CATEGORY_KEYS)) {
    throw invalidParams(`type must be one of ${Object.keys(CATEGORY_KEYS).join(', ')}, TERM_TEMPLATE`);
  }
  return upper as TypeCategory;
}

export const listTypes: EnvHandler = (env) => {
  const filter = typeFilter(env);
  const defs = filter === 'NONE' ? [] : env.cat.types.all().filter((d) => !filter || d.category === filter);
  const body: Record<string, unknown> = env.cat.typesDefBody(defs.map((d) => env.cat.types.view(d)));
  body.termTemplateDefs = [];
  return ok(body);
};

export const listTypeHeaders: EnvHandler = (env) => {
  const filter = typeFilter(env);
  const defs = filter === 'NONE' ? [] : env.cat.types.all().filter((d) => !filter || d.category === filter);
  return ok(defs.map((d) => ({ category: d.category, guid: d.guid, name: d.name })));
};

export const createTypes: EnvHandler = (env) => ok(env.cat.createOrUpdateTypes(env.req.body, 'create', env.by, env.now));
export const updateTypes: EnvHandler = (env) => ok(env.cat.createOrUpdateTypes(env.req.body, 'update', env.by, env.now));

export const deleteTypes: EnvHandler = (env) => {
  const defs = env.cat.typeDefsOf(env.req.body);
  env.cat.deleteTypes(defs.map((d) => String(d.def.name ?? '')));
  return noContent();
};

export const deleteTypeByName: EnvHandler = (env) => {
  env.cat.deleteTypes([env.params.name]);
  return noContent();
};

function typeByKind(env: Env, by: 'name' | 'guid') {
  const kind = env.params.kind.toLowerCase();
  if (!(kind in KIND_SEGMENTS)) {
    throw new AtlasError(404, 'ATLAS-404-00-001', `Unknown type kind '${env.params.kind}'; use entitydef, classificationdef, relationshipdef, enumdef, structdef, businessmetadatadef or typedef`);
  }
  const category = KIND_SEGMENTS[kind];
  const key = by === 'name' ? env.params.name : env.params.guid;
  const def = by === 'name' ? env.cat.types.get(key) : env.cat.types.byGuid(key);
  if (!def || (category && def.category !== category)) {
    throw by === 'name' ? typeNotFound(key) : typeGuidNotFound(key);
  }
  return ok(env.cat.types.view(def));
}

export const getTypeByName: EnvHandler = (env) => typeByKind(env, 'name');
export const getTypeByGuid: EnvHandler = (env) => typeByKind(env, 'guid');

export const termTemplateNotFound: EnvHandler = (env) => {
  throw env.params.name ? typeNotFound(env.params.name) : guidNotFound(env.params.guid);
};
