/**
 * Collections of the Purview account data plane (`/account/collections`, api 2019-11-01-preview):
 * a tree rooted at the collection named after the account. Assets (collectionId), data sources
 * and scans live in collections; a collection with children, assets or registered sources cannot
 * be deleted, as in Purview.
 */
import { paginate } from '../../core/arm';
import { ArmError, type SandboxResponse } from '../../core/contract';
import type { Env } from './atlas';
import { COL, type AccountCatalog, type CollectionRecord } from './catalog';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,35}$/;

function notFound(cat: AccountCatalog, name: string): ArmError {
  return new ArmError(404, 'CollectionNotFound', `Collection '${name}' does not exist in Purview account '${cat.account.name}'. List collections with GET /account/collections; the root collection is '${cat.rootCollection}'.`);
}

export function collectionView(c: CollectionRecord) {
  return {
    name: c.name,
    friendlyName: c.friendlyName,
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.parentCollection ? { parentCollection: c.parentCollection } : {}),
    collectionProvisioningState: c.collectionProvisioningState,
    systemData: c.systemData,
  };
}

function get(cat: AccountCatalog, name: string): CollectionRecord {
  const c = cat.collection(name);
  if (!c) {
    throw notFound(cat, name);
  }
  return c;
}

/** Names from the root down to `name`'s parent (a cycle guard stops at 64 levels). */
export function ancestors(cat: AccountCatalog, name: string): CollectionRecord[] {
  const chain: CollectionRecord[] = [];
  let current = cat.collection(name)?.parentCollection?.referenceName;
  while (current && chain.length < 64) {
    const c = cat.collection(current);
    if (!c) break;
    chain.unshift(c);
    current = c.parentCollection?.referenceName;
  }
  return chain;
}

/** Data sources and scans registered in a collection. */
function sourcesIn(env: Env, name: string): string[] {
  const prefix = `${env.cat.account.id}/datasources/`;
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const ds of env.ctx.store.list<{ name: string; properties?: { collection?: { referenceName?: string } } }>(COL.dataSources, prefix)) {
    if (ds.properties?.collection?.referenceName?.toLowerCase() === lower) out.push(`data source '${ds.name}'`);
  }
  for (const s of env.ctx.store.list<{ name: string; dataSourceName?: string; properties?: { collection?: { referenceName?: string } } }>(COL.scans, prefix)) {
    if (s.properties?.collection?.referenceName?.toLowerCase() === lower) out.push(`scan '${s.dataSourceName}/${s.name}'`);
  }
  return out;
}

export function putCollection(env: Env): SandboxResponse {
  const { cat } = env;
  const name = env.params.collectionName;
  const body = (env.req.body ?? {}) as { friendlyName?: unknown; description?: unknown; parentCollection?: { referenceName?: unknown } };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new ArmError(400, 'InvalidRequestBody', 'The body must be a collection {friendlyName?, description?, parentCollection:{referenceName}}.');
  }
  const existing = cat.collection(name);
  const isRoot = name.toLowerCase() === cat.rootCollection.toLowerCase();
  if (!existing && !NAME_RE.test(name)) {
    throw new ArmError(400, 'InvalidCollectionName', `Collection name '${name}' is invalid: use 1 to 36 letters, digits, '-' or '_', starting with a letter or digit.`);
  }
  const parentName = body.parentCollection?.referenceName !== undefined ? String(body.parentCollection.referenceName) : undefined;
  let parent = existing?.parentCollection?.referenceName;
  if (isRoot) {
    if (parentName) {
      throw new ArmError(400, 'InvalidParentCollection', `The root collection '${cat.rootCollection}' cannot have a parent.`);
    }
  } else {
    parent = parentName ?? parent ?? cat.rootCollection;
    const p = cat.collection(parent);
    if (!p) {
      throw new ArmError(400, 'ParentCollectionNotFound', `The parent collection '${parent}' does not exist. Create it first, or use the root collection '${cat.rootCollection}'.`);
    }
    parent = p.name;
    if (existing && (p.name.toLowerCase() === existing.name.toLowerCase() || ancestors(cat, p.name).some((a) => a.name.toLowerCase() === existing.name.toLowerCase()))) {
      throw new ArmError(400, 'InvalidParentCollection', `Collection '${existing.name}' cannot be moved under '${p.name}': that would make it its own ancestor.`);
    }
  }
  const by = env.principal.email ?? env.principal.appId ?? env.principal.objectId;
  const byType = env.principal.kind === 'User' ? 'User' : 'Application';
  const at = new Date(env.now).toISOString();
  const rec: CollectionRecord = {
    name: existing?.name ?? name,
    friendlyName: typeof body.friendlyName === 'string' && body.friendlyName !== '' ? body.friendlyName : (existing?.friendlyName ?? name),
    ...(typeof body.description === 'string' ? { description: body.description } : existing?.description !== undefined ? { description: existing.description } : {}),
    ...(parent ? { parentCollection: { type: 'CollectionReference' as const, referenceName: parent } } : {}),
    collectionProvisioningState: 'Succeeded',
    systemData: existing
      ? { ...existing.systemData, lastModifiedBy: by, lastModifiedByType: byType, lastModifiedAt: at }
      : { createdBy: by, createdByType: byType, createdAt: at, lastModifiedBy: by, lastModifiedByType: byType, lastModifiedAt: at },
  };
  cat.putCollection(rec);
  return { status: 200, body: collectionView(rec) };
}

export function getCollection(env: Env): SandboxResponse {
  return { status: 200, body: collectionView(get(env.cat, env.params.collectionName)) };
}

export function listCollections(env: Env): SandboxResponse {
  const root = env.cat.rootCollection.toLowerCase();
  const all = [...env.cat.collections.values()].sort((a, b) => (a.name.toLowerCase() === root ? -1 : b.name.toLowerCase() === root ? 1 : a.name.localeCompare(b.name)));
  const page = paginate(env.req, all.map(collectionView));
  return { status: 200, body: { value: page.value, count: all.length, ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
}

export function deleteCollection(env: Env): SandboxResponse {
  const { cat } = env;
  const c = cat.collection(env.params.collectionName);
  if (!c) {
    return { status: 204 };
  }
  if (c.name.toLowerCase() === cat.rootCollection.toLowerCase()) {
    throw new ArmError(400, 'CannotDeleteRootCollection', `The root collection '${c.name}' cannot be deleted; it goes away with the Purview account.`);
  }
  const children = cat.childCollections(c.name);
  if (children.length > 0) {
    throw new ArmError(409, 'CollectionHasChildCollections', `Collection '${c.name}' has child collections (${children.map((x) => x.name).join(', ')}). Delete or move them first.`);
  }
  const assets = cat.assetCount(c.name);
  if (assets > 0) {
    throw new ArmError(409, 'CollectionHasAssets', `Collection '${c.name}' still holds ${assets} asset(s). Move them to another collection (POST /datamap/api/entity/moveTo) or delete them first.`);
  }
  const sources = sourcesIn(env, c.name);
  if (sources.length > 0) {
    throw new ArmError(409, 'CollectionHasDataSources', `Collection '${c.name}' has registered ${sources.join(', ')}. Delete or move them first.`);
  }
  cat.removeCollection(c.name);
  return { status: 204 };
}

export function getCollectionPath(env: Env): SandboxResponse {
  get(env.cat, env.params.collectionName);
  const chain = ancestors(env.cat, env.params.collectionName);
  return { status: 200, body: { parentFriendlyNameChain: chain.map((c) => c.friendlyName), parentNameChain: chain.map((c) => c.name) } };
}

export function getChildCollectionNames(env: Env): SandboxResponse {
  const c = get(env.cat, env.params.collectionName);
  const children = env.cat.childCollections(c.name).sort((a, b) => a.name.localeCompare(b.name));
  const page = paginate(env.req, children.map((x) => ({ name: x.name, friendlyName: x.friendlyName })));
  return { status: 200, body: { value: page.value, count: children.length, ...(page.nextLink ? { nextLink: page.nextLink } : {}) } };
}
