/**
 * Microsoft.Web/connections (API connections of Logic Apps Consumption) for the one managed API the
 * approval template uses: `teams` (Microsoft Teams). ARM api-version 2016-06-01 (the GA one every
 * template and the portal use) and 2018-07-01-preview.
 *
 *  - `PUT/GET/DELETE /subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Web/connections/{name}`
 *    and the list by resource group. The body names the managed API
 *    (`properties.api.id = /subscriptions/{s}/providers/Microsoft.Web/locations/{location}/managedApis/teams`);
 *    another API, another subscription or a location other than the connection's gets 400
 *    `InvalidApiId` (ARM's `{error:{code,message}}`).
 *  - A new connection is not authenticated, as in Azure (an OAuth connection needs someone to sign in
 *    and consent): `statuses: [{status:'Error', target:'token', error:{code:'Unauthenticated', …}}]`,
 *    `overallStatus: 'Error'`. A PUT of an existing connection keeps its consent.
 *  - `POST …/connections/{name}/listConsentLinks` answers `{value:[{link, firstPartyLoginUri, displayName,
 *    status}]}`; `link` is `{arm}/teams/consent/{opaque id}` and stands for the sign-in page (valid one
 *    hour on the sandbox clock). `POST <link>` with a sandbox bearer token of a user of the
 *    connection's tenant is "that person signs in and consents": the connection becomes Connected
 *    with that user as `authenticatedUser`. A token of another tenant gets 403 `ConsentTenantMismatch`;
 *    a service principal gets 403 `ConsentNeedsUser`; an unknown or expired link 404 `ConsentLinkNotFound`.
 *  - `GET /subscriptions/{s}/providers/Microsoft.Web/locations/{location}/managedApis/teams` (and the
 *    list at `…/managedApis`) describes the managed API.
 *
 * RBAC as for every other ARM resource type: `Microsoft.Web/connections/read|write|delete`,
 * `Microsoft.Web/connections/listConsentLinks/action`, `Microsoft.Web/locations/managedApis/read`.
 *
 * logic.ts reads connections through `teamsConnection()` when an `ApiConnectionWebhook` action runs.
 */
import * as crypto from 'node:crypto';
import { paginate, systemData } from '../core/arm';
import { ArmError, type ResourceProvider, type SandboxContext, type SandboxRequest } from '../core/contract';
import { bodyObject, callerOf, LOCATIONS, normalizeLocation, propertiesOf, tagsOf } from './common';

export const WEB_CONNECTION_API_VERSIONS = ['2016-06-01', '2018-07-01-preview'];

const CONNECTION_TYPE = 'Microsoft.Web/connections';
const CONNECTIONS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/connections';
const TEAMS_ICON = 'https://connectoricons-prod.azureedge.net/releases/v1.0.1664/1.0.1664.3477/teams/icon.png';
const TEAMS_BRAND = '#4B53BC';
/** How long a consent link stays valid (sandbox clock), like the portal's sign-in session. */
const CONSENT_LINK_MS = 60 * 60_000;

export interface ConnectionRecord {
  id: string;
  name: string;
  type: typeof CONNECTION_TYPE;
  location: string;
  tags?: Record<string, string>;
  systemData: ReturnType<typeof systemData>;
  properties: {
    api: { id: string };
    displayName: string;
    createdTime: string;
    changedTime: string;
    /** Non-secret parameter values as sent (the `token` parameter is never stored: it is consent). */
    parameterValues: Record<string, unknown>;
  };
}

/** Who consented, kept beside the connection (`{connectionId}/consent`), removed with it. */
export interface ConnectionConsent {
  connectionId: string;
  tenantId: string;
  objectId: string;
  displayName: string;
  userPrincipalName?: string;
  consentedAt: string;
}

interface ConsentLink {
  id: string;
  connectionId: string;
  tenantId: string;
  redirectUrl?: string;
  createdAt: string;
  expiresAt: string;
}

function connectionId(p: Record<string, string>): string {
  return `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Web/connections/${p.connectionName}`;
}

function managedApiId(subscriptionId: string, location: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Web/locations/${location}/managedApis/teams`;
}

function getConnection(ctx: SandboxContext, p: Record<string, string>): ConnectionRecord {
  const rec = ctx.store.get<ConnectionRecord>('resources', connectionId(p));
  if (!rec || rec.type !== CONNECTION_TYPE) {
    throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Web/connections/${p.connectionName}' under resource group '${p.resourceGroupName}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
  }
  return rec;
}

/** A connection by resource id (case-insensitive) and its consent, for the Logic Apps runtime. */
export function teamsConnection(ctx: SandboxContext, id: string): { connection: ConnectionRecord; consent?: ConnectionConsent } | undefined {
  const connection = ctx.store.get<ConnectionRecord>('resources', id);
  if (!connection || connection.type !== CONNECTION_TYPE) return undefined;
  return { connection, consent: ctx.store.get<ConnectionConsent>('webConnectionConsents', `${connection.id}/consent`) };
}

function teamsApi(subscriptionId: string, location: string) {
  return {
    id: managedApiId(subscriptionId, location),
    name: 'teams',
    displayName: 'Microsoft Teams',
    description: 'Microsoft Teams enables you to get all your content, tools and conversations in the Team workspace with Microsoft 365.',
    iconUri: TEAMS_ICON,
    brandColor: TEAMS_BRAND,
    category: 'Standard',
    type: 'Microsoft.Web/locations/managedApis',
  };
}

function managedApiView(subscriptionId: string, location: string) {
  const api = teamsApi(subscriptionId, location);
  return {
    id: api.id,
    name: 'teams',
    type: 'Microsoft.Web/locations/managedApis',
    location,
    properties: {
      name: 'teams',
      displayName: api.displayName,
      description: api.description,
      iconUri: api.iconUri,
      brandColor: api.brandColor,
      tier: 'Standard',
      isCustomApi: false,
      capabilities: ['actions'],
      connectionParameters: {
        token: {
          type: 'oauthSetting',
          oAuthSettings: { identityProvider: 'aadcertificate', scopes: [], redirectMode: 'Direct', redirectUrl: 'https://global.consent.azure-apim.net/redirect', properties: { IsFirstParty: 'True' } },
          uiDefinition: { displayName: 'Login with your Microsoft Teams Credentials', description: 'Login with your Microsoft Teams Credentials', tooltip: 'Provide Microsoft Teams Credentials', constraints: { required: 'true' } },
        },
      },
      runtimeUrls: [`https://logic-apis-${location}.azure-apim.net/apim/teams`],
      generalInformation: { displayName: api.displayName, description: api.description, iconUrl: api.iconUri, releaseTag: 'Production', tier: 'Standard' },
      metadata: { source: 'marketplace', brandColor: api.brandColor, allowSharing: false },
    },
  };
}

function connectionView(ctx: SandboxContext, rec: ConnectionRecord) {
  const consent = ctx.store.get<ConnectionConsent>('webConnectionConsents', `${rec.id}/consent`);
  const subscriptionId = rec.id.split('/')[2];
  return {
    id: rec.id,
    name: rec.name,
    type: rec.type,
    location: rec.location,
    ...(rec.tags ? { tags: rec.tags } : {}),
    kind: 'V1',
    properties: {
      api: teamsApi(subscriptionId, rec.location),
      displayName: rec.properties.displayName,
      statuses: consent ? [{ status: 'Connected' }] : [{ status: 'Error', target: 'token', error: { code: 'Unauthenticated', message: 'This connection is not authenticated.' } }],
      overallStatus: consent ? 'Connected' : 'Error',
      connectionState: consent ? 'Enabled' : 'Error',
      createdTime: rec.properties.createdTime,
      changedTime: rec.properties.changedTime,
      authenticatedUser: consent ? { name: consent.userPrincipalName ?? consent.displayName } : {},
      parameterValues: rec.properties.parameterValues,
      customParameterValues: {},
      nonSecretParameterValues: {},
      testLinks: [],
      testRequests: [],
    },
  };
}

/** The `api.id` of a PUT must be this subscription's Teams managed API at the connection's location. */
function checkApiId(raw: unknown, subscriptionId: string, location: string): void {
  const bad = (why: string) => new ArmError(400, 'InvalidApiId', `The API id '${String(raw)}' is not valid: ${why} The sandbox serves the Microsoft Teams managed API: '${managedApiId(subscriptionId, location)}'.`);
  if (typeof raw !== 'string' || raw === '') throw bad("'properties.api.id' is required.");
  const m = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Web\/locations\/([^/]+)\/managedApis\/([^/]+)$/i.exec(raw);
  if (!m) throw bad("it must look like '/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis/{apiName}'.");
  if (m[1].toLowerCase() !== subscriptionId.toLowerCase()) throw bad(`it names subscription '${m[1]}', not the connection's subscription '${subscriptionId}'.`);
  if (m[2].replace(/\s+/g, '').toLowerCase() !== location) throw bad(`its location '${m[2]}' does not match the connection's location '${location}' (a connection uses the managed API of its own region).`);
  if (m[3].toLowerCase() !== 'teams') throw bad(`the managed API '${m[3]}' does not exist in the sandbox.`);
}

function checkLocation(location: string): void {
  if (!LOCATIONS.some((l) => l.name === location)) {
    throw new ArmError(400, 'LocationNotAvailableForResourceType', `The provided location '${location}' is not available for resource type 'Microsoft.Web/connections'. List of available regions for the resource type is '${LOCATIONS.map((l) => l.name).join(',')}'.`);
  }
}

function findLink(ctx: SandboxContext, id: string): ConsentLink | undefined {
  return ctx.store.list<ConsentLink>('webConsentLinks').find((l) => l.id === id);
}

function consent(req: SandboxRequest, ctx: SandboxContext, linkId: string) {
  const caller = callerOf(req);
  const link = findLink(ctx, linkId);
  const now = ctx.clock.now();
  if (!link || Date.parse(link.expiresAt) <= now.getTime()) {
    throw new ArmError(404, 'ConsentLinkNotFound', 'This sign-in link is unknown or expired. Get a new one with listConsentLinks (Edit API connection > Authorize in the portal).');
  }
  const connection = ctx.store.get<ConnectionRecord>('resources', link.connectionId);
  if (!connection) throw new ArmError(404, 'ConsentLinkNotFound', 'The API connection of this sign-in link was deleted.');
  if (caller.kind !== 'User') {
    throw new ArmError(403, 'ConsentNeedsUser', 'Only a person can sign in to the Microsoft Teams connection: the connector posts and reads as that user. Sign in with a user account.');
  }
  if (caller.tenantId.toLowerCase() !== link.tenantId.toLowerCase()) {
    throw new ArmError(403, 'ConsentTenantMismatch', `The account signing in belongs to tenant '${caller.tenantId}', but this connection's Microsoft Teams lives in tenant '${link.tenantId}'. Sign in with an account of that tenant.`);
  }
  const record: ConnectionConsent = { connectionId: connection.id, tenantId: caller.tenantId, objectId: caller.objectId, displayName: caller.name, ...(caller.email ? { userPrincipalName: caller.email } : {}), consentedAt: now.toISOString() };
  ctx.store.put('webConnectionConsents', `${connection.id}/consent`, record);
  ctx.store.put('resources', connection.id, { ...connection, properties: { ...connection.properties, changedTime: now.toISOString() } });
  ctx.store.delete('webConsentLinks', `${connection.id}/consentLinks/${link.id}`);
  return { status: 200, body: { status: 'Connected', connection: connection.id, authenticatedUser: { name: record.userPrincipalName ?? record.displayName }, ...(link.redirectUrl ? { redirectUrl: link.redirectUrl } : {}) } };
}

export const webConnectionsProvider: ResourceProvider = {
  namespace: 'Microsoft.Web',
  routes: [
    {
      methods: ['GET'],
      pattern: CONNECTIONS,
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const all = ctx.store.list<ConnectionRecord>('resources', `/subscriptions/${p.subscriptionId}/resourceGroups/${p.resourceGroupName}/providers/Microsoft.Web/connections/`).filter((r) => r.type === CONNECTION_TYPE);
        return { status: 200, body: paginate(req, all.map((r) => connectionView(ctx, r))) };
      },
    },
    {
      methods: ['GET'],
      pattern: `${CONNECTIONS}/{connectionName}`,
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: (_req, p, ctx) => ({ status: 200, body: connectionView(ctx, getConnection(ctx, p)) }),
    },
    {
      methods: ['PUT'],
      pattern: `${CONNECTIONS}/{connectionName}`,
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const caller = callerOf(req);
        if (!/^[\w\-.()]{1,80}$/.test(p.connectionName)) throw new ArmError(400, 'InvalidResourceName', `The connection name '${p.connectionName}' is invalid: use up to 80 letters, digits, '-', '_', '.', '(' and ')'.`);
        const id = connectionId(p);
        const existing = ctx.store.get<ConnectionRecord>('resources', id);
        const body = bodyObject(req);
        const props = propertiesOf(body);
        const location = normalizeLocation(body.location ?? existing?.location);
        checkLocation(location);
        if (existing && existing.location !== location) {
          throw new ArmError(400, 'LocationMismatch', `The connection '${p.connectionName}' exists in '${existing.location}'; its location cannot change to '${location}'.`);
        }
        const api = props.api as { id?: unknown } | undefined;
        checkApiId(api?.id, p.subscriptionId, location);
        const params = props.parameterValues ?? {};
        if (typeof params !== 'object' || Array.isArray(params) || params === null) throw new ArmError(400, 'InvalidRequestContent', "'properties.parameterValues' must be an object.");
        if ('token' in params) throw new ArmError(400, 'InvalidParameterValues', "The 'token' parameter of the Microsoft Teams API is an OAuth setting: it cannot be set in parameterValues. Authorize the connection instead (listConsentLinks).");
        if (props.displayName !== undefined && typeof props.displayName !== 'string') throw new ArmError(400, 'InvalidRequestContent', "'properties.displayName' must be text.");
        const now = ctx.clock.now();
        const rec: ConnectionRecord = {
          id,
          name: p.connectionName,
          type: CONNECTION_TYPE,
          location,
          ...((tagsOf(body) ?? existing?.tags) ? { tags: tagsOf(body) ?? existing?.tags } : {}),
          systemData: existing ? existing.systemData : systemData(caller, now),
          properties: {
            api: { id: managedApiId(p.subscriptionId, location) },
            displayName: (props.displayName as string | undefined) ?? existing?.properties.displayName ?? p.connectionName,
            createdTime: existing?.properties.createdTime ?? now.toISOString(),
            changedTime: now.toISOString(),
            parameterValues: params as Record<string, unknown>,
          },
        };
        ctx.store.put('resources', id, rec);
        return { status: existing ? 200 : 201, body: connectionView(ctx, rec) };
      },
    },
    {
      methods: ['DELETE'],
      pattern: `${CONNECTIONS}/{connectionName}`,
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: async (_req, p, ctx) => {
        const id = connectionId(p);
        if (!ctx.store.get('resources', id)) return { status: 204 };
        await ctx.deleteTree(id);
        ctx.store.delete('resources', id);
        return { status: 200 };
      },
    },
    {
      methods: ['POST'],
      pattern: `${CONNECTIONS}/{connectionName}/listConsentLinks`,
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: (req, p, ctx) => {
        const rec = getConnection(ctx, p);
        const body = bodyObject(req);
        const parameters = body.parameters;
        if (!Array.isArray(parameters) || parameters.length === 0) throw new ArmError(400, 'InvalidRequestContent', "The body must be {parameters:[{parameterName:'token', redirectUrl, objectId?, tenantId?}]}.");
        const sub = ctx.resources.subscription(p.subscriptionId);
        const tenantId = sub?.tenantId ?? callerOf(req).tenantId;
        const connected = Boolean(ctx.store.get<ConnectionConsent>('webConnectionConsents', `${rec.id}/consent`));
        const now = ctx.clock.now();
        const value = (parameters as Array<{ parameterName?: unknown; redirectUrl?: unknown; tenantId?: unknown }>).map((param) => {
          if (param?.parameterName !== 'token') {
            throw new ArmError(400, 'InvalidConsentParameter', `The Microsoft Teams API has one OAuth parameter, 'token'; '${String(param?.parameterName)}' has no consent link.`);
          }
          if (param.tenantId !== undefined && String(param.tenantId).toLowerCase() !== tenantId.toLowerCase()) {
            throw new ArmError(400, 'InvalidConsentParameter', `The tenant '${String(param.tenantId)}' is not the connection's tenant '${tenantId}'.`);
          }
          const link: ConsentLink = {
            id: crypto.randomBytes(18).toString('base64url'),
            connectionId: rec.id,
            tenantId,
            ...(typeof param.redirectUrl === 'string' ? { redirectUrl: param.redirectUrl } : {}),
            createdAt: now.toISOString(),
            expiresAt: new Date(now.getTime() + CONSENT_LINK_MS).toISOString(),
          };
          ctx.store.put('webConsentLinks', `${rec.id}/consentLinks/${link.id}`, link);
          return { link: `${req.baseUrl}/teams/consent/${link.id}`, firstPartyLoginUri: '', displayName: 'Microsoft Teams', status: connected ? 'Authenticated' : 'Unauthenticated' };
        });
        return { status: 200, body: { value } };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis',
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: (req, p) => {
        const location = normalizeLocation(p.location);
        checkLocation(location);
        return { status: 200, body: paginate(req, [managedApiView(p.subscriptionId, location)]) };
      },
    },
    {
      methods: ['GET'],
      pattern: '/subscriptions/{subscriptionId}/providers/Microsoft.Web/locations/{location}/managedApis/{apiName}',
      apiVersions: WEB_CONNECTION_API_VERSIONS,
      handler: (_req, p) => {
        const location = normalizeLocation(p.location);
        checkLocation(location);
        if (p.apiName.toLowerCase() !== 'teams') throw new ArmError(404, 'ApiNotFound', `The API '${p.apiName}' could not be found in location '${location}'. The sandbox serves the managed API 'teams'.`);
        return { status: 200, body: managedApiView(p.subscriptionId, location) };
      },
    },
    // The sign-in page a consent link stands for: the person's own bearer token is the sign-in.
    {
      methods: ['POST'],
      pattern: '/teams/consent/{linkId}',
      requireApiVersion: false,
      authorize: false,
      handler: (req, p, ctx) => consent(req, ctx, p.linkId),
    },
  ],
};
