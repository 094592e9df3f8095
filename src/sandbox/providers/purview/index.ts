/**
 * The Purview data plane of the sandbox cloud, served per account under the account's endpoint
 * (`ctx.purviewEndpoint(name)` = `{sandbox}/purview/{account}`):
 *
 *  - `/datamap/api/...` (and the legacy `/catalog/api/...`): Atlas v2 types, entities,
 *    classifications, labels, business metadata, relationships, lineage; search (query, suggest,
 *    autocomplete); entity moveTo; lineage paging;
 *  - `/account/collections...`: collections;
 *  - `/scan/...`: data sources, scans, scan rule sets, triggers and runs.
 *
 * Every route takes a token for `https://purview.azure.net` (the core answers 401 otherwise) from
 * the account's own tenant (403 here otherwise). The ARM side of Purview accounts is
 * providers/purview.ts.
 */
import { ArmError, type ResourceProvider, type Route, type RouteHandler, type SandboxContext } from '../../core/contract';
import * as a from './atlas';
import type { Env, EnvHandler } from './atlas';
import { catalogFor, purviewAccounts } from './catalog';
import * as col from './collections';
import { AtlasError, atlasResponse } from './errors';
import * as s from './scanning';

export const PURVIEW_AUDIENCE = 'https://purview.azure.net';
const BASE = '/purview/{account}';

type Plane = 'atlas' | 'scan' | 'account';

function wrap(plane: Plane, handler: EnvHandler): RouteHandler {
  return async (req, params, ctx) => {
    const principal = req.principal;
    if (!principal) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. Send 'Authorization: Bearer <token>' with a token for https://purview.azure.net.");
    }
    const cat = catalogFor(ctx, params.account);
    if (!cat) {
      throw new ArmError(404, 'AccountNotFound', `There is no Purview account named '${params.account}' in the sandbox. Create it with Microsoft.Purview/accounts (ARM) first.`);
    }
    if (principal.tenantId.toLowerCase() !== cat.account.tenantId.toLowerCase()) {
      throw new ArmError(
        403,
        'Forbidden',
        `The caller's token was issued by tenant '${principal.tenantId}', but Purview account '${cat.account.name}' belongs to tenant '${cat.account.tenantId}'. A Purview account only accepts tokens of its own tenant: get a token from '${req.baseUrl || 'the sandbox authority'}/${cat.account.tenantId}' for scope 'https://purview.azure.net/.default'.`,
      );
    }
    const env: Env = {
      ctx,
      cat,
      req,
      params,
      principal,
      by: principal.email ?? principal.appId ?? principal.objectId,
      now: ctx.clock.now().getTime(),
    };
    try {
      return await handler(env);
    } catch (err) {
      if (err instanceof AtlasError) {
        if (plane === 'atlas') {
          return atlasResponse(err);
        }
        throw new ArmError(err.status, err.errorCode, err.message);
      }
      throw err;
    }
  };
}

interface RouteOptions {
  /** api-version required (the core answers 400 without it); Atlas routes take it as optional. */
  requireApiVersion?: boolean;
  apiVersions?: string[];
}

function route(plane: Plane, methods: string | string[], pattern: string, handler: EnvHandler, opts: RouteOptions = {}): Route {
  return {
    methods: Array.isArray(methods) ? methods : [methods],
    pattern,
    audiences: [PURVIEW_AUDIENCE],
    authorize: false,
    requireApiVersion: opts.requireApiVersion ?? false,
    ...(opts.apiVersions ? { apiVersions: opts.apiVersions } : {}),
    handler: wrap(plane, handler),
  };
}

/** Data map routes, served under both `/datamap/api` and `/catalog/api`. */
function dataMapRoutes(prefix: string): Route[] {
  const P = `${BASE}${prefix}`;
  const A = `${P}/atlas/v2`;
  const E = `${A}/entity`;
  const G = `${E}/guid/{guid}`;
  const U = `${E}/uniqueAttribute/type/{typeName}`;
  const atlas = (m: string | string[], p: string, h: EnvHandler, o?: RouteOptions) => route('atlas', m, p, h, o);
  const required = { requireApiVersion: true };
  return [
    // entities
    atlas('POST', E, a.createOrUpdateEntity),
    atlas('GET', `${E}/bulk`, a.listByGuids),
    atlas('POST', `${E}/bulk`, a.bulkCreateOrUpdate),
    atlas('DELETE', `${E}/bulk`, a.bulkDelete),
    atlas('POST', `${E}/bulk/classification`, a.bulkAddClassification),
    atlas('POST', `${E}/bulk/setClassifications`, a.bulkSetClassifications),
    atlas('GET', `${E}/bulk/uniqueAttribute/type/{typeName}`, a.listByUniqueAttributes),
    atlas('GET', `${E}/businessmetadata/import/template`, a.businessMetadataTemplate),
    atlas('GET', G, a.getEntity),
    atlas('PUT', G, a.partialUpdateByGuid),
    atlas('DELETE', G, a.deleteEntity),
    atlas('GET', `${G}/header`, a.getHeader),
    atlas('GET', `${G}/classifications`, a.getClassifications),
    atlas('POST', `${G}/classifications`, a.addClassifications),
    atlas('PUT', `${G}/classifications`, a.updateClassifications),
    atlas('GET', `${G}/classification/{classificationName}`, a.getClassification),
    atlas('DELETE', `${G}/classification/{classificationName}`, a.removeClassification),
    atlas('POST', `${G}/labels`, a.setLabels),
    atlas('PUT', `${G}/labels`, a.addLabels),
    atlas('DELETE', `${G}/labels`, a.removeLabels),
    atlas('POST', `${G}/businessmetadata`, a.addBusinessMetadata),
    atlas('DELETE', `${G}/businessmetadata`, a.removeBusinessMetadata),
    atlas('POST', `${G}/businessmetadata/{businessMetadataName}`, a.addBusinessMetadataAttributes),
    atlas('DELETE', `${G}/businessmetadata/{businessMetadataName}`, a.removeBusinessMetadataAttributes),
    atlas('GET', U, a.getByUniqueAttribute),
    atlas('PUT', U, a.updateByUniqueAttribute),
    atlas('DELETE', U, a.deleteByUniqueAttribute),
    atlas('POST', `${U}/classifications`, a.addClassificationsByUnique),
    atlas('PUT', `${U}/classifications`, a.updateClassificationsByUnique),
    atlas('DELETE', `${U}/classification/{classificationName}`, a.removeClassificationByUnique),
    atlas('POST', `${U}/labels`, a.setLabelsByUnique),
    atlas('PUT', `${U}/labels`, a.addLabelsByUnique),
    atlas('DELETE', `${U}/labels`, a.removeLabelsByUnique),
    atlas('POST', `${P}/entity/moveTo`, a.moveTo, required),
    // relationships
    atlas('POST', `${A}/relationship`, a.createRelationship),
    atlas('PUT', `${A}/relationship`, a.updateRelationship),
    atlas('GET', `${A}/relationship/guid/{guid}`, a.getRelationship),
    atlas('DELETE', `${A}/relationship/guid/{guid}`, a.deleteRelationship),
    // lineage
    atlas('GET', `${A}/lineage/uniqueAttribute/type/{typeName}`, a.lineageByUniqueAttribute),
    atlas('GET', `${A}/lineage/{guid}`, a.lineageByGuid),
    atlas('GET', `${P}/lineage/{guid}/next`, a.lineageNext, required),
    // types
    atlas('GET', `${A}/types/typedefs/headers`, a.listTypeHeaders),
    atlas('GET', `${A}/types/typedefs`, a.listTypes),
    atlas('POST', `${A}/types/typedefs`, a.createTypes),
    atlas('PUT', `${A}/types/typedefs`, a.updateTypes),
    atlas('DELETE', `${A}/types/typedefs`, a.deleteTypes),
    atlas('DELETE', `${A}/types/typedef/name/{name}`, a.deleteTypeByName),
    atlas('GET', `${A}/types/{kind}/name/{name}`, a.getTypeByName),
    atlas('GET', `${A}/types/{kind}/guid/{guid}`, a.getTypeByGuid),
    atlas('GET', `${P}/types/termtemplatedef/name/{name}`, a.termTemplateNotFound, required),
    atlas('GET', `${P}/types/termtemplatedef/guid/{guid}`, a.termTemplateNotFound, required),
    // discovery
    atlas('POST', `${P}/search/query`, a.searchQuery, required),
    atlas('POST', `${P}/search/suggest`, a.searchSuggest, required),
    atlas('POST', `${P}/search/autocomplete`, a.searchAutocomplete, required),
  ];
}

function scanRoutes(): Route[] {
  const S = `${BASE}/scan`;
  const DS = `${S}/datasources/{dataSourceName}`;
  const SC = `${DS}/scans/{scanName}`;
  const opts = { requireApiVersion: true, apiVersions: s.SCAN_API_VERSIONS };
  const scan = (m: string | string[], p: string, h: EnvHandler) => route('scan', m, p, h, opts);
  return [
    scan('GET', `${S}/datasources`, s.listDataSources),
    scan('PUT', DS, s.putDataSource),
    scan('GET', DS, s.getDataSourceRoute),
    scan('DELETE', DS, s.deleteDataSource),
    scan('GET', `${DS}/scans`, s.listScans),
    scan('PUT', SC, s.putScan),
    scan('GET', SC, s.getScanRoute),
    scan('DELETE', SC, s.deleteScan),
    scan('GET', `${SC}/runs`, s.listRuns),
    scan('PUT', `${SC}/runs/{runId}`, s.runScan),
    scan('GET', `${SC}/runs/{runId}`, s.getRun),
    scan('POST', `${SC}/runs/{runId}`, s.cancelRun),
    scan('PUT', `${SC}/triggers/default`, s.putTrigger),
    scan('GET', `${SC}/triggers/default`, s.getTrigger),
    scan('DELETE', `${SC}/triggers/default`, s.deleteTrigger),
    scan('POST', `${SC}/triggers/{triggerAction}`, s.triggerAction),
    scan('GET', `${S}/systemScanRulesets`, s.listSystemRulesets),
    scan('GET', `${S}/systemScanRulesets/datasources/{dataSourceType}`, s.getSystemRuleset),
    scan('GET', `${S}/systemScanRulesets/versions/latest`, s.getSystemRuleset),
    scan('GET', `${S}/systemScanRulesets/versions`, s.listSystemRulesetVersions),
    scan('GET', `${S}/systemScanRulesets/versions/{version}`, s.getSystemRulesetVersion),
    scan('GET', `${S}/scanrulesets`, s.listRulesets),
    scan('PUT', `${S}/scanrulesets/{scanRulesetName}`, s.putRuleset),
    scan('GET', `${S}/scanrulesets/{scanRulesetName}`, s.getRuleset),
    scan('DELETE', `${S}/scanrulesets/{scanRulesetName}`, s.deleteRuleset),
  ];
}

function accountRoutes(): Route[] {
  const C = `${BASE}/account/collections`;
  const opts = { requireApiVersion: true };
  const acct = (m: string | string[], p: string, h: EnvHandler) => route('account', m, p, h, opts);
  return [
    acct('GET', C, col.listCollections),
    acct('PUT', `${C}/{collectionName}`, col.putCollection),
    acct('GET', `${C}/{collectionName}`, col.getCollection),
    acct('DELETE', `${C}/{collectionName}`, col.deleteCollection),
    acct('GET', `${C}/{collectionName}/getCollectionPath`, col.getCollectionPath),
    acct('GET', `${C}/{collectionName}/getChildCollectionNames`, col.getChildCollectionNames),
  ];
}

/**
 * Paths under an account's endpoint that the sandbox does not serve (glossary, integration runtimes,
 * ...): answered with a clear 404 in the plane's error shape, after the Purview token checks,
 * instead of falling through to ARM's routing.
 */
function notServedRoutes(): Route[] {
  const all = ['GET', 'PUT', 'POST', 'PATCH', 'DELETE'];
  const notServed = (plane: Plane, what: string): EnvHandler => (env) => {
    const message = `The sandbox does not serve ${env.req.method} ${env.req.path.replace(/^\/purview\/[^/]+/, '')} (${what}). See src/sandbox/providers/purview/index.ts for what it serves.`;
    if (plane === 'atlas') throw new AtlasError(404, 'ATLAS-404-00-000', message);
    throw new ArmError(404, 'NotServed', message);
  };
  return [
    route('atlas', all, `${BASE}/datamap/api/{*rest}`, notServed('atlas', 'data map')),
    route('atlas', all, `${BASE}/catalog/api/{*rest}`, notServed('atlas', 'data map')),
    route('scan', all, `${BASE}/scan/{*rest}`, notServed('scan', 'scanning')),
    route('account', all, `${BASE}/account/{*rest}`, notServed('account', 'account data plane')),
    route('account', all, `${BASE}/{*rest}`, notServed('account', 'Purview data plane')),
  ];
}

export const purviewDataPlaneRoutes: Route[] = [...dataMapRoutes('/datamap/api'), ...dataMapRoutes('/catalog/api'), ...accountRoutes(), ...scanRoutes(), ...notServedRoutes()];

/** Loads every account's data map into memory (so the first query after a restart is fast) and fails runs a restart interrupted. */
function start(ctx: SandboxContext): void {
  for (const acct of purviewAccounts(ctx)) {
    catalogFor(ctx, acct.name);
  }
  s.recoverRuns(ctx);
}

export const purviewDataPlaneProvider: ResourceProvider = {
  routes: purviewDataPlaneRoutes,
  onStart: (ctx) => start(ctx),
  onTick: (ctx, now) => s.tickTriggers(ctx, now),
};

export default purviewDataPlaneProvider;
