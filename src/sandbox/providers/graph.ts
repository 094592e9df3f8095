/**
 * A Microsoft Graph v1.0 subset for cross-tenant (B2B) readiness, served under `{sandbox}/graph`
 * (sandbox.json `graphEndpoint`; clients call `{graphEndpoint}/v1.0/...`):
 *
 *  - `POST /v1.0/invitations`: B2B guest invitation; creates (once per address) a guest user
 *    (`userType: Guest`, `#EXT#` user principal name) in the inviting tenant's directory;
 *  - `GET /v1.0/users` (`$filter` on mail, userPrincipalName, userType, displayName, id,
 *    `otherMails/any(…)`; `$select`; `$top` + `@odata.nextLink`), `GET|DELETE /v1.0/users/{id|upn}`;
 *  - `GET /v1.0/me`, `GET /v1.0/me/memberOf` (directory roles), `GET /v1.0/organization`;
 *  - `GET|POST /v1.0/policies/crossTenantAccessPolicy/partners`,
 *    `GET|PATCH|DELETE /v1.0/policies/crossTenantAccessPolicy/partners/{tenantId}`.
 *
 * Every call acts in the tenant of its token (as Graph does) and needs a token for
 * `https://graph.microsoft.com` signed by the sandbox authority; anything else is Graph's 401
 * `InvalidAuthenticationToken`. Permissions follow Graph: delegated users need a directory role,
 * apps a Graph application permission (core/entraRoles.ts); otherwise 403
 * `Authorization_RequestDenied`. Errors use Graph's body with `innerError`.
 */
import type { DirectoryObject, Principal, ResourceProvider, Route, SandboxContext, SandboxRequest, SandboxResponse, Store, Tenant } from '../core/contract';
import { ArmError } from '../core/contract';
import { directoryRolesOf, forgetPrincipal, isPermitted, type GraphOperation } from '../core/entraRoles';
import { AUDIENCE } from '../core/identity';
import { compileRoute } from '../core/router';
import { internals } from '../core/server';
import {
  badRequest,
  GraphError,
  graphErrorBody,
  guestUserPrincipalName,
  INSUFFICIENT_PRIVILEGES,
  isEmailAddress,
  matchesFilter,
  notFound,
  parseUserFilter,
  renderPartner,
  renderUser,
  selectProperties,
  validatePartnerBody,
} from './graphModel';

export const GRAPH_BASE = '/graph';
const V1 = `${GRAPH_BASE}/v1.0`;
const METADATA = 'https://graph.microsoft.com/v1.0/$metadata';
/** Graph accepts its resource URI and its application id as audience. */
const GRAPH_AUDIENCES = [AUDIENCE.graph, '00000003-0000-0000-c000-000000000000'];
const PARTNERS = 'crossTenantPartners';

interface Env {
  ctx: SandboxContext;
  req: SandboxRequest;
  params: Record<string, string>;
  principal: Principal;
  tenant: Tenant;
  store: Store;
}

type Handler = (env: Env) => SandboxResponse | Promise<SandboxResponse>;

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Graph's 401 message for a failed token check (the core's codes mapped to what Graph says). */
function unauthorizedMessage(code: string): string {
  switch (code) {
    case 'AuthenticationFailed':
      return 'Access token is empty.';
    case 'InvalidAuthenticationTokenAudience':
      return 'Access token validation failure. Invalid audience.';
    case 'ExpiredAuthenticationToken':
      return 'Lifetime validation failed, the token is expired.';
    case 'InvalidAuthenticationTokenIssuer':
      return 'Access token validation failure. Invalid issuer.';
    default:
      return 'Access token validation failure.';
  }
}

function respond(ctx: SandboxContext, req: SandboxRequest, requestId: string, run: () => SandboxResponse | Promise<SandboxResponse>): Promise<SandboxResponse> {
  const clientRequestId = firstHeader(req.headers['client-request-id']);
  const ids: Record<string, string> = { 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId };
  const asError = (err: GraphError, extra: Record<string, string> = {}): SandboxResponse => ({
    status: err.status,
    body: graphErrorBody(err, requestId, clientRequestId, ctx.clock.now()),
    headers: { ...ids, ...extra },
  });
  return (async () => {
    try {
      const res = await run();
      return { ...res, headers: { ...ids, ...(res.headers ?? {}) } };
    } catch (err) {
      if (err instanceof GraphError) {
        return asError(err, err.status === 401 ? { 'WWW-Authenticate': `Bearer realm="", authorization_uri="${req.baseUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"` } : {});
      }
      if (err instanceof ArmError) {
        return asError(new GraphError(err.status, err.status === 400 ? 'BadRequest' : err.code, err.message));
      }
      throw err;
    }
  })();
}

function wrap(handler: Handler): Route['handler'] {
  return (req, params, ctx) =>
    respond(ctx, req, ctx.newGuid(), () => {
      const check = internals(ctx).verifyBearer(firstHeader(req.headers.authorization), GRAPH_AUDIENCES);
      if (!check.ok) {
        throw new GraphError(401, 'InvalidAuthenticationToken', unauthorizedMessage(check.error.code));
      }
      const principal = check.principal;
      const tenant = ctx.directory.tenant(principal.tenantId);
      if (!tenant) {
        throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid tenant.');
      }
      req.principal = principal;
      return handler({ ctx, req, params, principal, tenant, store: ctx.store });
    });
}

function route(methods: string[], path: string, handler: Handler): Route {
  return { methods, pattern: `${V1}${path}`, anonymous: true, authorize: false, requireApiVersion: false, handler: wrap(handler) };
}

function requirePermission(env: Env, operation: GraphOperation): void {
  if (!isPermitted(env.store, env.principal, operation)) {
    throw new GraphError(403, 'Authorization_RequestDenied', INSUFFICIENT_PRIVILEGES);
  }
}

function bodyOf(req: SandboxRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw badRequest('The request body must be a JSON object.', 'BadRequest');
  return b as Record<string, unknown>;
}

function usersOf(env: Env): DirectoryObject[] {
  return internals(env.ctx)
    .directory.objects(env.tenant.tenantId)
    .filter((o) => o.kind === 'User');
}

/** A user of the caller's tenant by object id or user principal name (404 otherwise, also for other tenants' users). */
function findUser(env: Env, idOrUpn: string): DirectoryObject {
  const lower = idOrUpn.toLowerCase();
  const user = usersOf(env).find((u) => u.objectId.toLowerCase() === lower || (u.userPrincipalName ?? u.email ?? '').toLowerCase() === lower);
  if (!user) throw notFound(idOrUpn);
  return user;
}

// ---- invitations ------------------------------------------------------------------------------

const invite: Handler = (env) => {
  requirePermission(env, 'inviteGuest');
  const body = bodyOf(env.req);
  const email = body.invitedUserEmailAddress;
  if (!isEmailAddress(email)) {
    throw badRequest("The invitedUserEmailAddress property is required and must be a valid email address.", 'BadRequest');
  }
  const redirect = body.inviteRedirectUrl;
  if (typeof redirect !== 'string' || !/^https?:\/\/\S+$/i.test(redirect)) {
    throw badRequest('The inviteRedirectUrl property is required and must be an absolute http(s) URL.', 'BadRequest');
  }
  const displayName = typeof body.invitedUserDisplayName === 'string' && body.invitedUserDisplayName.trim() !== '' ? body.invitedUserDisplayName : undefined;
  const { ctx, tenant } = env;
  const directory = internals(ctx).directory;
  const member = usersOf(env).find((u) => u.userType !== 'Guest' && u.email?.toLowerCase() === email.toLowerCase());
  if (member) {
    throw badRequest(`The invited user already exists in the directory as a member (object ID '${member.objectId}'); a member needs no invitation.`, 'BadRequest');
  }
  let guest = directory.guestsByEmail(tenant.tenantId, email)[0];
  if (!guest) {
    guest = {
      objectId: ctx.newGuid(),
      tenantId: tenant.tenantId,
      kind: 'User',
      userType: 'Guest',
      displayName: displayName ?? email,
      email,
      userPrincipalName: guestUserPrincipalName(email, tenant.domain),
      externalUserState: 'PendingAcceptance',
      createdDateTime: ctx.clock.now().toISOString(),
    };
    directory.addObject(guest);
    ctx.log(`graph: ${env.principal.name} invited ${email} as a guest of ${tenant.displayName} (object ${guest.objectId})`);
  }
  const send = body.sendInvitationMessage === true;
  if (send) {
    ctx.log(`graph: an invitation email to ${email} would be sent now (the sandbox sends no mail)`);
  }
  const id = ctx.newGuid();
  const info = body.invitedUserMessageInfo && typeof body.invitedUserMessageInfo === 'object' ? (body.invitedUserMessageInfo as Record<string, unknown>) : {};
  return {
    status: 201,
    body: {
      '@odata.context': `${METADATA}#invitations/$entity`,
      id,
      inviteRedeemUrl: `${env.req.baseUrl}/${tenant.tenantId}/redeem?rd=${encodeURIComponent(id)}&tenant=${encodeURIComponent(tenant.tenantId)}&user=${encodeURIComponent(guest.objectId)}`,
      invitedUserDisplayName: displayName ?? guest.displayName,
      invitedUserType: 'Guest',
      invitedUserEmailAddress: email,
      sendInvitationMessage: send,
      resetRedemption: false,
      inviteRedirectUrl: redirect,
      status: guest.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance',
      invitedUserMessageInfo: {
        messageLanguage: typeof info.messageLanguage === 'string' ? info.messageLanguage : null,
        ccRecipients: Array.isArray(info.ccRecipients) ? info.ccRecipients : [{ emailAddress: { name: null, address: null } }],
        customizedMessageBody: typeof info.customizedMessageBody === 'string' ? info.customizedMessageBody : null,
      },
      invitedUser: { id: guest.objectId },
    },
  };
};

// ---- users ------------------------------------------------------------------------------------

const listUsers: Handler = (env) => {
  requirePermission(env, 'readUsers');
  const q = env.req.query;
  const clauses = parseUserFilter(q.get('$filter'));
  const topRaw = q.get('$top');
  const top = topRaw === null ? 100 : Number(topRaw);
  if (!Number.isInteger(top) || top < 1 || top > 999) {
    throw badRequest(`Invalid page size specified: '${String(topRaw)}'. Must be between 1 and 999 inclusive.`, 'Request_UnsupportedQuery');
  }
  const skipRaw = q.get('$skiptoken');
  const skip = skipRaw === null ? 0 : Number(Buffer.from(skipRaw, 'base64url').toString('utf8'));
  if (!Number.isInteger(skip) || skip < 0) {
    throw badRequest('The $skiptoken is not valid; follow @odata.nextLink as returned.', 'Request_BadRequest');
  }
  const select = q.get('$select');
  const all = usersOf(env)
    .map(renderUser)
    .filter((u) => matchesFilter(u, clauses));
  const page = all.slice(skip, skip + top).map((u) => selectProperties(u, select));
  const body: Record<string, unknown> = { '@odata.context': `${METADATA}#users`, value: page };
  if (skip + top < all.length) {
    const next = new URLSearchParams();
    for (const [k, v] of q.entries()) {
      if (k !== '$skiptoken') next.set(k, v);
    }
    next.set('$skiptoken', Buffer.from(String(skip + top)).toString('base64url'));
    body['@odata.nextLink'] = `${env.req.baseUrl}${V1}/users?${next.toString()}`;
  }
  return { status: 200, body };
};

const getUser: Handler = (env) => {
  requirePermission(env, 'readUsers');
  const user = findUser(env, env.params.id);
  return { status: 200, body: { '@odata.context': `${METADATA}#users/$entity`, ...selectProperties(renderUser(user), env.req.query.get('$select')) } };
};

const deleteUser: Handler = (env) => {
  requirePermission(env, 'deleteUser');
  const user = findUser(env, env.params.id);
  if (user.userType !== 'Guest') {
    throw badRequest(`The sandbox removes only guest users; '${user.email ?? user.objectId}' is a member of ${env.tenant.displayName} (seeded identities stay, sandbox.json lists them).`);
  }
  internals(env.ctx).directory.deleteObject(user.objectId);
  forgetPrincipal(env.store, user.objectId);
  env.ctx.log(`graph: ${env.principal.name} removed the guest ${user.email ?? user.objectId} from ${env.tenant.displayName}`);
  return { status: 204 };
};

const me: Handler = (env) => {
  if (env.principal.kind !== 'User') {
    throw badRequest('/me request is only valid with delegated authentication flow.', 'BadRequest');
  }
  const user = findUser(env, env.principal.objectId);
  return { status: 200, body: { '@odata.context': `${METADATA}#users/$entity`, ...selectProperties(renderUser(user), env.req.query.get('$select')) } };
};

const myMemberOf: Handler = (env) => {
  if (env.principal.kind !== 'User') {
    throw badRequest('/me request is only valid with delegated authentication flow.', 'BadRequest');
  }
  const value = directoryRolesOf(env.store, env.principal.objectId).map((a) => ({
    '@odata.type': '#microsoft.graph.directoryRole',
    id: a.roleTemplateId,
    displayName: a.roleDisplayName,
    roleTemplateId: a.roleTemplateId,
    description: null,
  }));
  return { status: 200, body: { '@odata.context': `${METADATA}#directoryObjects`, value } };
};

const organization: Handler = (env) => ({
  status: 200,
  body: {
    '@odata.context': `${METADATA}#organization`,
    value: [
      {
        id: env.tenant.tenantId,
        displayName: env.tenant.displayName,
        tenantType: 'AAD',
        verifiedDomains: [{ name: env.tenant.domain, type: 'Managed', isDefault: true, isInitial: true, capabilities: 'Email, OfficeCommunicationsOnline' }],
      },
    ],
  },
});

// ---- cross-tenant access partners ---------------------------------------------------------------

function partnerKey(tenantId: string, partnerTenantId: string): string {
  return `${tenantId}/${partnerTenantId}`;
}

function storedPartner(env: Env, partnerTenantId: string): Record<string, unknown> {
  const stored = env.store.get<Record<string, unknown>>(PARTNERS, partnerKey(env.tenant.tenantId, partnerTenantId));
  if (!stored) throw notFound(partnerTenantId);
  return stored;
}

const listPartners: Handler = (env) => {
  requirePermission(env, 'readCrossTenantPolicy');
  const value = env.store.list<Record<string, unknown>>(PARTNERS, `${env.tenant.tenantId}/`).map(renderPartner);
  return { status: 200, body: { '@odata.context': `${METADATA}#policies/crossTenantAccessPolicy/partners`, value } };
};

const createPartner: Handler = (env) => {
  requirePermission(env, 'writeCrossTenantPolicy');
  const props = validatePartnerBody(env.req.body, 'create');
  const partnerTenantId = String(props.tenantId).toLowerCase();
  if (partnerTenantId === env.tenant.tenantId.toLowerCase()) {
    throw badRequest('A partner configuration cannot name the tenant itself.');
  }
  const key = partnerKey(env.tenant.tenantId, partnerTenantId);
  if (env.store.get(PARTNERS, key)) {
    throw new GraphError(
      409,
      'Request_MultipleObjectsWithSameKeyValue',
      `A partner configuration for tenant '${partnerTenantId}' already exists. Update it with PATCH /policies/crossTenantAccessPolicy/partners/${partnerTenantId}.`,
    );
  }
  const stored = { ...props, tenantId: partnerTenantId };
  env.store.put(PARTNERS, key, stored);
  env.ctx.log(`graph: ${env.principal.name} added cross-tenant access partner ${partnerTenantId} to ${env.tenant.displayName}`);
  return { status: 201, body: { '@odata.context': `${METADATA}#policies/crossTenantAccessPolicy/partners/$entity`, ...renderPartner(stored) } };
};

const getPartner: Handler = (env) => {
  requirePermission(env, 'readCrossTenantPolicy');
  return { status: 200, body: { '@odata.context': `${METADATA}#policies/crossTenantAccessPolicy/partners/$entity`, ...renderPartner(storedPartner(env, env.params.tenantId)) } };
};

const updatePartner: Handler = (env) => {
  requirePermission(env, 'writeCrossTenantPolicy');
  const stored = storedPartner(env, env.params.tenantId);
  const patch = validatePartnerBody(env.req.body, 'update');
  if (patch.tenantId !== undefined && String(patch.tenantId).toLowerCase() !== String(stored.tenantId).toLowerCase()) {
    throw badRequest("'tenantId' of a partner configuration cannot be changed.");
  }
  env.store.put(PARTNERS, partnerKey(env.tenant.tenantId, String(stored.tenantId)), { ...stored, ...patch, tenantId: stored.tenantId });
  return { status: 204 };
};

const deletePartner: Handler = (env) => {
  requirePermission(env, 'writeCrossTenantPolicy');
  const stored = storedPartner(env, env.params.tenantId);
  env.store.delete(PARTNERS, partnerKey(env.tenant.tenantId, String(stored.tenantId)));
  return { status: 204 };
};

// ---- provider ---------------------------------------------------------------------------------

const P = '/policies/crossTenantAccessPolicy/partners';

const routes: Route[] = [
  route(['POST'], '/invitations', invite),
  route(['GET'], '/users', listUsers),
  route(['GET'], '/users/{id}', getUser),
  route(['DELETE'], '/users/{id}', deleteUser),
  route(['GET'], '/me', me),
  route(['GET'], '/me/memberOf', myMemberOf),
  route(['GET'], '/organization', organization),
  route(['GET'], P, listPartners),
  route(['POST'], P, createPartner),
  route(['GET'], `${P}/{tenantId}`, getPartner),
  route(['PATCH'], `${P}/{tenantId}`, updatePartner),
  route(['DELETE'], `${P}/{tenantId}`, deletePartner),
];

/** Anything else under /graph (after the token check): Graph's 405 for a known path with another method, 400 for an unknown segment. */
const catchAll: Route = {
  methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  pattern: `${GRAPH_BASE}/{*rest}`,
  anonymous: true,
  authorize: false,
  requireApiVersion: false,
  handler: wrap(({ req }) => {
    const known = routes.filter((r) => compileRoute(r, graphProvider).regex.test(req.path));
    if (known.length > 0) {
      throw new GraphError(405, 'Request_BadRequest', `Specified HTTP method '${req.method}' is not allowed for the request target. Allowed: ${[...new Set(known.flatMap((r) => r.methods))].join(', ')}.`);
    }
    const segs = req.path.split('/').filter((s) => s.length > 0);
    if (segs[1]?.toLowerCase() !== 'v1.0') {
      throw badRequest(`Invalid version: the sandbox's Graph serves v1.0 ('${segs[1] ?? ''}' given).`, 'BadRequest');
    }
    throw badRequest(`Resource not found for the segment '${segs[2] ?? ''}'. The sandbox's Graph serves invitations, users, me, organization and policies/crossTenantAccessPolicy/partners.`, 'BadRequest');
  }),
};

export const graphProvider: ResourceProvider = {
  routes: [...routes, catchAll],
};
