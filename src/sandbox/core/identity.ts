/**
 * The sandbox's OAuth 2.0 authority (a small Microsoft Entra ID): OpenID metadata, JWKS and a token
 * endpoint per tenant, enough for `@azure/identity`'s ClientSecretCredential (with `authorityHost` =
 * the sandbox and `disableInstanceDiscovery: true`) and for the resource-owner password grant.
 * Also the verification of bearer tokens on every other request.
 */
import * as crypto from 'node:crypto';
import { ArmError, type DirectoryObject, type Principal, type ResourceProvider, type SandboxRequest, type SandboxResponse } from './contract';
import { secretsEqual, type SandboxDirectory } from './directory';
import type { JwtClaims, TokenSigner } from './jwt';

/** Token lifetime, as Entra's default for access tokens (about an hour). */
export const TOKEN_LIFETIME_SECONDS = 3600;

export const AUDIENCE = {
  arm: 'https://management.azure.com',
  storage: 'https://storage.azure.com',
  purview: 'https://purview.azure.net',
  graph: 'https://graph.microsoft.com',
  eventGrid: 'https://eventgrid.azure.net',
  keyVault: 'https://vault.azure.net',
} as const;

/** Audiences ARM accepts (both spellings of the management resource, with and without slash). */
export function armAudiences(baseUrl: string): string[] {
  return [AUDIENCE.arm, 'https://management.core.windows.net', baseUrl];
}

export function normalizeAudience(aud: string): string {
  return aud.replace(/\/+$/, '').toLowerCase();
}

export interface IdentityDeps {
  directory: SandboxDirectory;
  signer: TokenSigner;
  /** The sandbox's base URL (authority host). */
  baseUrl(): string;
}

/** A failed token request, rendered in Entra's error shape. */
class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    description: string,
  ) {
    super(description);
  }
}

function aadResponse(err: AadError): SandboxResponse {
  const traceId = crypto.randomUUID();
  const correlationId = crypto.randomUUID();
  return {
    status: err.status,
    body: {
      error: err.error,
      error_description: `AADSTS${err.aadsts}: ${err.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${new Date().toISOString()}`,
      error_codes: [err.aadsts],
      timestamp: new Date().toISOString(),
      trace_id: traceId,
      correlation_id: correlationId,
    },
    headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' },
  };
}

/** Resources a token can be requested for (scope `{resource}/.default`), normalized. */
function knownResources(baseUrl: string): string[] {
  return [AUDIENCE.arm, 'https://management.core.windows.net', AUDIENCE.storage, AUDIENCE.purview, AUDIENCE.graph, AUDIENCE.eventGrid, AUDIENCE.keyVault, baseUrl].map(normalizeAudience);
}

/** Picks the resource from a v2 `scope` (e.g. `https://management.azure.com/.default openid profile`) or a v1 `resource`. */
function resourceFromRequest(form: Record<string, string>): string {
  if (form.resource) {
    return form.resource;
  }
  const scopes = (form.scope ?? '').split(/\s+/).filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
  if (scopes.length === 0) {
    throw new AadError(400, 'invalid_scope', 70011, "The provided request must include a 'scope' input parameter, e.g. 'https://management.azure.com/.default'.");
  }
  const resources = new Set(
    scopes.map((s) => {
      if (s.endsWith('/.default')) {
        return s.slice(0, -'/.default'.length);
      }
      try {
        const u = new URL(s);
        return `${u.protocol}//${u.host}`;
      } catch {
        throw new AadError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope '${s}' is not a URL or '.default' scope.`);
      }
    }),
  );
  if (resources.size > 1) {
    throw new AadError(400, 'invalid_scope', 28000, `Provided value for the input parameter scope is not valid because it contains more than one resource (${[...resources].join(', ')}). Request one token per resource.`);
  }
  return [...resources][0];
}

export function identityProvider(deps: IdentityDeps): ResourceProvider {
  const { directory, signer } = deps;

  const resolveTenant = (tenant: string) => {
    const t = directory.tenant(tenant);
    if (!t) {
      throw new AadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check the tenant id or domain in sandbox.json; the sandbox knows: ${directory.tenants().map((x) => `${x.tenantId} (${x.domain})`).join(', ') || 'no tenants (start it with --seed demo)'}.`);
    }
    return t;
  };

  const metadata = (req: SandboxRequest, params: Record<string, string>, v2: boolean): SandboxResponse => {
    const base = deps.baseUrl();
    const t = directory.tenant(params.tenant);
    const tid = t?.tenantId ?? params.tenant;
    const prefix = `${base}/${tid}`;
    return {
      status: 200,
      body: {
        token_endpoint: `${prefix}/oauth2${v2 ? '/v2.0' : ''}/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        jwks_uri: `${prefix}/discovery${v2 ? '/v2.0' : ''}/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: v2 ? `${prefix}/v2.0` : `https://sts.windows.net/${tid}/`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${prefix}/oauth2${v2 ? '/v2.0' : ''}/authorize`,
        device_authorization_endpoint: `${prefix}/oauth2${v2 ? '/v2.0' : ''}/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${prefix}/oauth2${v2 ? '/v2.0' : ''}/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'oid', 'tid', 'upn', 'email', 'name', 'appid'],
        tenant_region_scope: 'WW',
        cloud_instance_name: 'sandbox.local',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
      },
    };
  };

  const token = (req: SandboxRequest, params: Record<string, string>): SandboxResponse => {
    try {
      const form = (req.body ?? {}) as Record<string, string>;
      // client_secret_basic: credentials in the Authorization header.
      const basic = /^Basic\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      if (basic) {
        const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
        form.client_id ??= decodeURIComponent(id ?? '');
        form.client_secret ??= decodeURIComponent(secret ?? '');
      }
      const grant = form.grant_type;
      const resource = resourceFromRequest(form);
      if (!knownResources(deps.baseUrl()).includes(normalizeAudience(resource))) {
        throw new AadError(
          400,
          'invalid_resource',
          500011,
          `The resource principal named ${resource} was not found in the tenant named ${params.tenant}. The sandbox issues tokens for ${AUDIENCE.arm}, ${AUDIENCE.storage}, ${AUDIENCE.purview} and ${AUDIENCE.graph}.`,
        );
      }
      if (grant === 'client_credentials') {
        return clientCredentials(form, params.tenant, resource);
      }
      if (grant === 'password') {
        return password(form, params.tenant, resource);
      }
      throw new AadError(400, 'unsupported_grant_type', 70003, `The sandbox authority supports grant_type 'client_credentials' and 'password', not '${String(grant)}'.`);
    } catch (err) {
      if (err instanceof AadError) {
        return aadResponse(err);
      }
      throw err;
    }
  };

  const clientCredentials = (form: Record<string, string>, tenantParam: string, resource: string): SandboxResponse => {
    const tenant = resolveTenant(tenantParam);
    if (!form.client_id) {
      throw new AadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    }
    const sp = directory.servicePrincipalByAppId(tenant.tenantId, form.client_id);
    if (!sp) {
      throw new AadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id}' was not found in the directory '${tenant.displayName}'. Check the client id in sandbox.json for this tenant.`,
      );
    }
    if (!form.client_secret) {
      throw new AadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const cred = directory.credential(sp.objectId);
    if (!cred || !secretsEqual(cred.secret, form.client_secret)) {
      throw new AadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value from sandbox.json for app '${form.client_id}'.`);
    }
    return issue(sp, resource, sp.appId ?? form.client_id, false);
  };

  const password = (form: Record<string, string>, tenantParam: string, resource: string): SandboxResponse => {
    const username = form.username ?? '';
    const candidates = directory.usersByEmail(username);
    const generic = ['organizations', 'common'].includes(tenantParam.toLowerCase());
    const tenant = generic ? undefined : resolveTenant(tenantParam);
    const user = candidates.find((u) => !tenant || u.tenantId.toLowerCase() === tenant.tenantId.toLowerCase());
    const cred = user ? directory.credential(user.objectId) : undefined;
    if (!user || !cred || !secretsEqual(cred.secret, form.password ?? '')) {
      throw new AadError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password. Use a user and password listed in sandbox.json.');
    }
    return issue(user, resource, form.client_id || '04b07795-8ddb-461a-bbee-02f9e1bf7b46', true);
  };

  const issue = (obj: DirectoryObject, resource: string, appId: string, isUser: boolean): SandboxResponse => {
    const now = Math.floor(Date.now() / 1000);
    const claims: JwtClaims = {
      aud: resource,
      iss: `https://sts.windows.net/${obj.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      tid: obj.tenantId,
      oid: obj.objectId,
      sub: obj.objectId,
      appid: appId,
      appidacr: isUser ? '0' : '1',
      idtyp: isUser ? 'user' : 'app',
      ver: '1.0',
      uti: crypto.randomBytes(16).toString('base64url'),
      ...(isUser ? { upn: obj.email, email: obj.email, unique_name: obj.email, name: obj.displayName, scp: 'user_impersonation' } : { app_displayname: obj.displayName }),
    };
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_SECONDS - 1,
      ext_expires_in: TOKEN_LIFETIME_SECONDS - 1,
      access_token: signer.sign(claims),
    };
    if (isUser) {
      // MSAL builds the account from the id token and client_info.
      body.scope = `${resource.replace(/\/$/, '')}/.default`;
      body.id_token = signer.sign({
        aud: appId,
        iss: `${deps.baseUrl()}/${obj.tenantId}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + TOKEN_LIFETIME_SECONDS,
        tid: obj.tenantId,
        oid: obj.objectId,
        sub: obj.objectId,
        name: obj.displayName,
        preferred_username: obj.email,
        ver: '2.0',
      });
      body.client_info = Buffer.from(JSON.stringify({ uid: obj.objectId, utid: obj.tenantId })).toString('base64url');
    }
    return { status: 200, body, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } };
  };

  const jwks = (): SandboxResponse => ({ status: 200, body: signer.jwks() });

  return {
    routes: [
      { methods: ['GET'], pattern: '/{tenant}/v2.0/.well-known/openid-configuration', anonymous: true, handler: (r, p) => metadata(r, p, true) },
      { methods: ['GET'], pattern: '/{tenant}/.well-known/openid-configuration', anonymous: true, handler: (r, p) => metadata(r, p, false) },
      { methods: ['GET'], pattern: '/{tenant}/discovery/v2.0/keys', anonymous: true, handler: jwks },
      { methods: ['GET'], pattern: '/{tenant}/discovery/keys', anonymous: true, handler: jwks },
      { methods: ['POST'], pattern: '/{tenant}/oauth2/v2.0/token', anonymous: true, handler: token },
      { methods: ['POST'], pattern: '/{tenant}/oauth2/token', anonymous: true, handler: token },
    ],
  };
}

/** Result of checking a bearer token: a principal, or the 401 ARM would answer. */
export type TokenCheck = { ok: true; principal: Principal; claims: JwtClaims } | { ok: false; error: ArmError };

export function verifyBearer(authorization: string | undefined, deps: IdentityDeps, audiences: string[]): TokenCheck {
  const fail = (code: string, message: string): TokenCheck => ({ ok: false, error: new ArmError(401, code, message) });
  if (!authorization) {
    return fail('AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing. Get a token from the sandbox authority (see sandbox.json) and send it as 'Authorization: Bearer <token>'.");
  }
  const m = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!m) {
    return fail('InvalidAuthenticationToken', "Authentication failed. The 'Authorization' header is provided in an invalid format; use 'Bearer <token>'.");
  }
  const checked = deps.signer.verifySignature(m[1]);
  if (!checked.ok) {
    return fail('InvalidAuthenticationToken', `The access token is invalid. ${checked.reason}`);
  }
  const claims = checked.claims;
  const now = Date.now() / 1000;
  if (typeof claims.exp !== 'number' || claims.exp < now) {
    const expiry = new Date((claims.exp ?? 0) * 1000);
    return fail('ExpiredAuthenticationToken', `The access token expiry UTC time '${expiry.toUTCString()}' is earlier than current UTC time '${new Date().toUTCString()}'. Get a new token.`);
  }
  if (typeof claims.nbf === 'number' && claims.nbf > now + 300) {
    return fail('InvalidAuthenticationToken', `The access token is not yet valid (nbf '${new Date(claims.nbf * 1000).toUTCString()}').`);
  }
  if (typeof claims.iss !== 'string' || !claims.iss.startsWith('https://sts.windows.net/') || !claims.iss.includes(String(claims.tid))) {
    return fail('InvalidAuthenticationTokenIssuer', `The access token has an invalid issuer '${String(claims.iss)}'.`);
  }
  const allowed = audiences.map(normalizeAudience);
  if (!allowed.includes(normalizeAudience(String(claims.aud)))) {
    return fail(
      'InvalidAuthenticationTokenAudience',
      `The access token has been obtained for wrong audience or resource '${String(claims.aud)}'. It should exactly match with one of the allowed audiences '${audiences.join("','")}'.`,
    );
  }
  const obj = deps.directory.object(claims.oid);
  if (!obj || obj.tenantId.toLowerCase() !== String(claims.tid).toLowerCase()) {
    return fail('InvalidAuthenticationToken', `The access token is invalid: its object id '${claims.oid}' does not exist in tenant '${String(claims.tid)}' (was it deleted?).`);
  }
  const principal: Principal = {
    tenantId: obj.tenantId,
    objectId: obj.objectId,
    appId: typeof claims.appid === 'string' ? claims.appid : obj.appId,
    kind: obj.kind,
    name: obj.displayName,
    email: obj.email,
    audience: String(claims.aud),
  };
  return { ok: true, principal, claims };
}

/**
 * Mints a token for any directory object with a chosen lifetime (negative = already expired). Only
 * reachable through the admin API; tests use it for expiry and for identities without secrets
 * (managed identities).
 */
export function mintToken(deps: IdentityDeps, objectId: string, audience: string, lifetimeSeconds = TOKEN_LIFETIME_SECONDS): string {
  const obj = deps.directory.object(objectId);
  if (!obj) {
    throw new ArmError(404, 'PrincipalNotFound', `Principal ${objectId} does not exist in the sandbox directory.`);
  }
  const now = Math.floor(Date.now() / 1000);
  const isUser = obj.kind === 'User';
  const issuedAt = Math.min(now, now + lifetimeSeconds - 60);
  return deps.signer.sign({
    aud: audience,
    iss: `https://sts.windows.net/${obj.tenantId}/`,
    iat: issuedAt,
    nbf: issuedAt,
    exp: now + lifetimeSeconds,
    tid: obj.tenantId,
    oid: obj.objectId,
    sub: obj.objectId,
    appid: obj.appId ?? '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
    idtyp: isUser ? 'user' : 'app',
    ver: '1.0',
    ...(isUser ? { upn: obj.email, email: obj.email, name: obj.displayName } : {}),
    ...(obj.kind === 'ManagedIdentity' && obj.resourceId ? { xms_mirid: obj.resourceId } : {}),
  });
}
