/**
 * Pure parts of the sandbox's Microsoft Graph subset (providers/graph.ts): Graph's error shape,
 * the `$filter` subset for users, `$select`, user and invitation rendering, guest user principal
 * names, and validation of cross-tenant access partner configurations.
 */
import type { DirectoryObject } from '../core/contract';

/** A Graph error: `{error:{code, message, innerError:{date, request-id, client-request-id}}}`. */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

export function graphErrorBody(err: GraphError, requestId: string, clientRequestId: string | undefined, now: Date): unknown {
  return {
    error: {
      code: err.code,
      message: err.message,
      innerError: { date: now.toISOString().replace(/\.\d{3}Z$/, ''), 'request-id': requestId, 'client-request-id': clientRequestId ?? requestId },
    },
  };
}

export const INSUFFICIENT_PRIVILEGES = 'Insufficient privileges to complete the operation.';

export function badRequest(message: string, code = 'Request_BadRequest'): GraphError {
  return new GraphError(400, code, message);
}

export function notFound(id: string): GraphError {
  return new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

// ---- $filter on users ---------------------------------------------------------------------------

/** One clause of the supported filter: `prop eq 'v'` or `otherMails/any(x:x eq 'v')`. */
export interface FilterClause {
  property: 'mail' | 'userPrincipalName' | 'userType' | 'displayName' | 'id' | 'otherMails';
  value: string;
}

const FILTER_PROPERTIES: Record<string, FilterClause['property']> = {
  mail: 'mail',
  userprincipalname: 'userPrincipalName',
  usertype: 'userType',
  displayname: 'displayName',
  id: 'id',
};

/**
 * Parses the `$filter` subset the sandbox supports on `/users`: `and`-joined equality clauses on
 * mail, userPrincipalName, userType, displayName and id, and `otherMails/any(x:x eq '…')`.
 * Quotes inside values are doubled as in OData (`'o''brien'`). Anything else is Graph's
 * 400 `Request_UnsupportedQuery`.
 */
export function parseUserFilter(filter: string | null | undefined): FilterClause[] {
  if (filter === null || filter === undefined || filter.trim() === '') return [];
  const clauses: FilterClause[] = [];
  // Split on ` and ` outside quotes.
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (c === "'") quoted = !quoted;
    if (!quoted && /^\s+and\s+/i.test(filter.slice(i)) && current.trim() !== '') {
      const m = /^\s+and\s+/i.exec(filter.slice(i));
      parts.push(current);
      current = '';
      i += (m?.[0].length ?? 1) - 1;
      continue;
    }
    current += c;
  }
  if (quoted) {
    throw badRequest(`Invalid filter clause: unterminated string literal in '${filter}'.`, 'BadRequest');
  }
  parts.push(current);
  for (const raw of parts) {
    const part = raw.trim();
    const any = /^otherMails\/any\(\s*(\w+)\s*:\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*\)$/i.exec(part);
    if (any && any[1] === any[2]) {
      clauses.push({ property: 'otherMails', value: any[3].replace(/''/g, "'") });
      continue;
    }
    const eq = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(part);
    const property = eq ? FILTER_PROPERTIES[eq[1].toLowerCase()] : undefined;
    if (!eq || !property) {
      throw new GraphError(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property '${(eq?.[1] ?? part).slice(0, 80)}' of resource 'User'. The sandbox supports eq on mail, userPrincipalName, userType, displayName, id and otherMails/any(x:x eq '…').`);
    }
    clauses.push({ property, value: eq[2].replace(/''/g, "'") });
  }
  return clauses;
}

/** True when the rendered user matches every clause (string comparisons are case-insensitive, as Graph's). */
export function matchesFilter(user: Record<string, unknown>, clauses: FilterClause[]): boolean {
  return clauses.every((c) => {
    const want = c.value.toLowerCase();
    if (c.property === 'otherMails') {
      return Array.isArray(user.otherMails) && user.otherMails.some((m) => String(m).toLowerCase() === want);
    }
    const v = user[c.property];
    return typeof v === 'string' && v.toLowerCase() === want;
  });
}

// ---- users --------------------------------------------------------------------------------------

/** Graph's default user properties (returned without `$select`). */
export const DEFAULT_USER_PROPERTIES = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];

/** Every property the sandbox knows for a user. */
export function renderUser(obj: DirectoryObject): Record<string, unknown> {
  const guest = obj.userType === 'Guest';
  const mail = obj.email ?? null;
  return {
    id: obj.objectId,
    businessPhones: [],
    displayName: obj.displayName,
    givenName: null,
    jobTitle: null,
    mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: null,
    userPrincipalName: obj.userPrincipalName ?? obj.email ?? obj.objectId,
    userType: guest ? 'Guest' : 'Member',
    otherMails: guest && mail ? [mail] : [],
    externalUserState: guest ? (obj.externalUserState ?? 'PendingAcceptance') : null,
    creationType: guest ? 'Invitation' : null,
    createdDateTime: obj.createdDateTime ?? null,
    accountEnabled: true,
  };
}

/** Applies `$select` (comma list; unknown names are Graph's 400) or the default property set. */
export function selectProperties(user: Record<string, unknown>, select: string | null | undefined): Record<string, unknown> {
  const names = select && select.trim() !== '' ? select.split(',').map((s) => s.trim()).filter((s) => s.length > 0) : DEFAULT_USER_PROPERTIES;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const key = Object.keys(user).find((k) => k.toLowerCase() === name.toLowerCase());
    if (!key) {
      throw badRequest(`Could not find a property named '${name}' on type 'microsoft.graph.user'.`);
    }
    out[key] = user[key];
  }
  if (!('id' in out)) out.id = user.id;
  return out;
}

/** Graph's guest UPN: the address with `@` replaced by `_`, then `#EXT#@` and the inviting tenant's initial domain. */
export function guestUserPrincipalName(email: string, tenantDomain: string): string {
  return `${email.replace(/@/g, '_')}#EXT#@${tenantDomain}`;
}

const EMAIL = /^[^\s@'"<>]+@[^\s@'"<>]+\.[^\s@'"<>]+$/;

export function isEmailAddress(s: unknown): s is string {
  return typeof s === 'string' && s.length <= 256 && EMAIL.test(s);
}

// ---- cross-tenant access partners ---------------------------------------------------------------

/** Properties of a crossTenantAccessPolicyConfigurationPartner (v1.0) the sandbox stores. */
export const PARTNER_PROPERTIES = [
  'tenantId',
  'isServiceProvider',
  'isInMultiTenantOrganization',
  'inboundTrust',
  'b2bCollaborationInbound',
  'b2bCollaborationOutbound',
  'b2bDirectConnectInbound',
  'b2bDirectConnectOutbound',
  'tenantRestrictions',
  'automaticUserConsentSettings',
] as const;

const B2B_SETTINGS = ['b2bCollaborationInbound', 'b2bCollaborationOutbound', 'b2bDirectConnectInbound', 'b2bDirectConnectOutbound', 'tenantRestrictions'];
const ACCESS_TYPES = ['allowed', 'blocked'];
const TARGET_TYPES = ['user', 'group', 'application'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkTargetConfiguration(where: string, v: unknown): void {
  if (v === null || v === undefined) return;
  if (!isObject(v)) throw badRequest(`Invalid value for '${where}': expected an object with accessType and targets.`);
  if (v.accessType !== undefined && !ACCESS_TYPES.includes(String(v.accessType))) {
    throw badRequest(`Invalid value '${String(v.accessType)}' for '${where}.accessType'; use 'allowed' or 'blocked'.`);
  }
  if (v.targets !== undefined) {
    if (!Array.isArray(v.targets)) throw badRequest(`'${where}.targets' must be an array of {target, targetType}.`);
    for (const t of v.targets as unknown[]) {
      if (!isObject(t) || typeof t.target !== 'string' || !TARGET_TYPES.includes(String(t.targetType))) {
        throw badRequest(`Each of '${where}.targets' needs 'target' (a keyword such as AllUsers / AllApplications, or an object id) and 'targetType' (user, group or application).`);
      }
    }
  }
}

/**
 * Validates a partner body (POST: `tenantId` required; PATCH: `tenantId` not allowed to change).
 * Unknown properties are Graph's 400 (`Invalid property '…'`). Returns the known properties given.
 */
export function validatePartnerBody(body: unknown, mode: 'create' | 'update'): Record<string, unknown> {
  if (!isObject(body)) throw badRequest('The request body must be a JSON object (a crossTenantAccessPolicyConfigurationPartner).');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('@odata.')) continue;
    const known = PARTNER_PROPERTIES.find((p) => p === name);
    if (!known) throw badRequest(`Invalid property '${name}'.`);
    out[known] = value;
  }
  if (mode === 'create') {
    if (typeof out.tenantId !== 'string' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(out.tenantId)) {
      throw badRequest("'tenantId' is required: the partner tenant's id (a GUID).");
    }
  }
  for (const setting of B2B_SETTINGS) {
    const v = out[setting];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) throw badRequest(`Invalid value for '${setting}': expected an object.`);
    for (const [k, inner] of Object.entries(v)) {
      if (k !== 'usersAndGroups' && k !== 'applications') throw badRequest(`Invalid property '${setting}.${k}'.`);
      checkTargetConfiguration(`${setting}.${k}`, inner);
    }
  }
  for (const setting of ['inboundTrust', 'automaticUserConsentSettings']) {
    const v = out[setting];
    if (v === undefined || v === null) continue;
    if (!isObject(v) || Object.values(v).some((x) => x !== null && typeof x !== 'boolean')) {
      throw badRequest(`Invalid value for '${setting}': expected an object of booleans.`);
    }
  }
  for (const flag of ['isServiceProvider', 'isInMultiTenantOrganization']) {
    const v = out[flag];
    if (v !== undefined && v !== null && typeof v !== 'boolean') throw badRequest(`Invalid value for '${flag}': expected true or false.`);
  }
  return out;
}

/** A stored partner with every property Graph returns (absent ones null). */
export function renderPartner(stored: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of PARTNER_PROPERTIES) {
    out[p] = stored[p] ?? (p === 'isInMultiTenantOrganization' ? false : p === 'automaticUserConsentSettings' ? { inboundAllowed: null, outboundAllowed: null } : null);
  }
  return out;
}
