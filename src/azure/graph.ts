/**
 * A typed Microsoft Graph v1.0 client for cross-tenant (B2B) readiness: guest invitations, guest
 * lookup and removal, and cross-tenant access partner configurations. Built on
 * `@azure-rest/core-client` with the same pipeline as every client in src/azure (our retry policy
 * honouring Retry-After, the sandbox CA, User-Agent, header redaction) and the Graph token scope
 * `https://graph.microsoft.com/.default`.
 *
 *   const graph = clients.graph();                 // per tenant, from the client factory
 *   const inv = await graph.inviteGuest('ben@fabrikam.onmicrosoft.com', 'https://myapps.microsoft.com');
 *   const partner = await graph.findPartner(fabrikamTenantId);  // undefined when none (getPartner: 404)
 *
 * Failures are `AzureRequestError`s (service `graph`); a 403 `Authorization_RequestDenied` carries a
 * next step naming the directory role (or application permission) the operation needs, e.g. "needs
 * the Guest Inviter role in <tenant>", so a workflow can fall back to a manual checklist.
 */
import type { TokenCredential } from '@azure/core-auth';
import { getClient, type Client } from '@azure-rest/core-client';
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { AzureRequestError, errorFromResponse, isAbortError, throwIfAborted, toAzureRequestError } from '../common/azureErrors';
import { SCOPES } from './cloud';
import { sendThroughRestClient, type RestClientResponse } from './core/rest';
import { applyPipelinePolicies, commonPipelineOptions, type PipelineSettings, type SignalLike } from './pipeline';

export const GRAPH_PUBLIC_ENDPOINT = 'https://graph.microsoft.com';

export interface GraphClientOptions extends PipelineSettings {
  /** Graph base without version, e.g. `https://graph.microsoft.com` or the sandbox's `{base}/graph` (default: public Graph). */
  endpoint?: string;
  /** Token scopes (default `https://graph.microsoft.com/.default`). */
  scopes?: string[];
  /** The tenant the credential signs in to; named in next steps ("needs … in <tenant>"). */
  tenantId?: string;
  /** A friendlier name for the tenant in next steps (e.g. its display name). */
  tenantLabel?: string;
}

export interface GraphOperationOptions {
  abortSignal?: SignalLike;
}

export interface GraphInvitation {
  id: string;
  inviteRedeemUrl: string;
  inviteRedirectUrl: string;
  invitedUserEmailAddress: string;
  invitedUserDisplayName?: string | null;
  invitedUserType?: string;
  sendInvitationMessage?: boolean;
  /** `PendingAcceptance` until the guest redeems, `Completed` after. */
  status: string;
  invitedUser: { id: string };
}

export interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  /** `Member` or `Guest`. */
  userType?: string | null;
  /** Guests: `PendingAcceptance` or `Accepted`. */
  externalUserState?: string | null;
  otherMails?: string[];
  createdDateTime?: string | null;
}

export interface CrossTenantAccessTarget {
  /** `AllUsers`, `AllApplications`, `Office365`, or an object id. */
  target: string;
  targetType: 'user' | 'group' | 'application';
}

export interface CrossTenantAccessTargetConfiguration {
  accessType?: 'allowed' | 'blocked';
  targets?: CrossTenantAccessTarget[];
}

export interface CrossTenantAccessB2BSetting {
  usersAndGroups?: CrossTenantAccessTargetConfiguration | null;
  applications?: CrossTenantAccessTargetConfiguration | null;
}

export interface CrossTenantAccessPartner {
  tenantId: string;
  isServiceProvider?: boolean | null;
  isInMultiTenantOrganization?: boolean | null;
  inboundTrust?: { isMfaAccepted?: boolean | null; isCompliantDeviceAccepted?: boolean | null; isHybridAzureADJoinedDeviceAccepted?: boolean | null } | null;
  b2bCollaborationInbound?: CrossTenantAccessB2BSetting | null;
  b2bCollaborationOutbound?: CrossTenantAccessB2BSetting | null;
  b2bDirectConnectInbound?: CrossTenantAccessB2BSetting | null;
  b2bDirectConnectOutbound?: CrossTenantAccessB2BSetting | null;
  tenantRestrictions?: CrossTenantAccessB2BSetting | null;
  automaticUserConsentSettings?: { inboundAllowed?: boolean | null; outboundAllowed?: boolean | null } | null;
}

export type CrossTenantAccessPartnerPatch = Partial<Omit<CrossTenantAccessPartner, 'tenantId'>>;

export interface DirectoryRoleInfo {
  id: string;
  displayName: string;
  roleTemplateId: string;
}

/** What each operation needs, for the next step of a 403 (delegated role first, then the app permission). */
export type GraphOperationKind = 'inviteGuest' | 'readUsers' | 'deleteUser' | 'readPartners' | 'writePartners';

/** The next step for a 403 `Authorization_RequestDenied` on `operation` in `tenant`. */
export function graphPermissionStep(operation: GraphOperationKind, tenant: string): string {
  switch (operation) {
    case 'inviteGuest':
      return `Inviting guests needs the Guest Inviter role in ${tenant} (or User Administrator / Global Administrator; an app needs the Microsoft Graph application permission User.Invite.All): ask an administrator of ${tenant} to assign it, or send the invitation by hand (manual checklist).`;
    case 'writePartners':
      return `Changing cross-tenant access settings needs Security Administrator in ${tenant} (or Global Administrator; an app needs Policy.ReadWrite.CrossTenantAccess): ask an administrator of ${tenant} to make the change, or follow the manual checklist.`;
    case 'readPartners':
      return `Reading cross-tenant access settings needs Security Administrator, Security Reader or Global Reader in ${tenant} (an app needs Policy.Read.All): ask an administrator of ${tenant} to check them, or follow the manual checklist.`;
    case 'deleteUser':
      return `Removing a guest needs the User Administrator role in ${tenant} (or Global Administrator; an app needs User.ReadWrite.All): ask an administrator of ${tenant} to remove it.`;
    case 'readUsers':
      return `Reading users needs membership of ${tenant} (an app needs the Microsoft Graph application permission User.Read.All): ask an administrator of ${tenant} to grant it.`;
  }
}

/** OData string literal: quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

const USER_SELECT = 'id,displayName,mail,userPrincipalName,userType,externalUserState,otherMails,createdDateTime';

export class GraphApi {
  /** Graph base with version, e.g. `https://graph.microsoft.com/v1.0`. */
  readonly baseUrl: string;
  readonly client: Client;
  private readonly origin: URL;
  private readonly tenant: string;

  constructor(credential: TokenCredential, options: GraphClientOptions = {}) {
    const endpoint = (options.endpoint ?? GRAPH_PUBLIC_ENDPOINT).trim().replace(/\/+$/, '');
    this.origin = new URL(endpoint);
    if (this.origin.protocol !== 'https:' && this.origin.protocol !== 'http:') {
      throw new TypeError(`Not a Graph endpoint URL: ${endpoint}`);
    }
    this.baseUrl = `${endpoint}/v1.0`;
    this.tenant = options.tenantLabel ?? options.tenantId ?? 'this tenant';
    this.client = getClient(this.baseUrl, credential, {
      ...commonPipelineOptions(options),
      credentials: { scopes: options.scopes ?? [SCOPES.graph] },
    });
    applyPipelinePolicies(this.client.pipeline, options);
  }

  // ---- invitations and guests -----------------------------------------------------------------

  /**
   * Invites `email` as a B2B guest of the signed-in tenant (no email is sent unless asked).
   * Inviting the same address again returns the same guest (`invitedUser.id`).
   */
  inviteGuest(email: string, redirectUrl: string, displayName?: string, options: GraphOperationOptions & { sendInvitationMessage?: boolean } = {}): Promise<GraphInvitation> {
    const body: Record<string, unknown> = {
      invitedUserEmailAddress: email,
      inviteRedirectUrl: redirectUrl,
      sendInvitationMessage: options.sendInvitationMessage ?? false,
      ...(displayName ? { invitedUserDisplayName: displayName } : {}),
    };
    return this.call<GraphInvitation>('inviteGuest', 'POST', '/invitations', body, options);
  }

  /** The user (member or guest) of the signed-in tenant whose mail is `email`, or undefined. */
  async findUserByMail(email: string, options: GraphOperationOptions = {}): Promise<GraphUser | undefined> {
    const query = new URLSearchParams({ $filter: `mail eq ${odataString(email)}`, $select: USER_SELECT });
    const page = await this.call<{ value: GraphUser[] }>('readUsers', 'GET', `/users?${query.toString()}`, undefined, options);
    return page.value[0];
  }

  /** A user by object id or user principal name (404 is an AzureRequestError). */
  getUser(idOrUpn: string, options: GraphOperationOptions = {}): Promise<GraphUser> {
    return this.call<GraphUser>('readUsers', 'GET', `/users/${encodeURIComponent(idOrUpn)}?$select=${USER_SELECT}`, undefined, options);
  }

  /** Removes a user (a guest) by object id. */
  async deleteUser(id: string, options: GraphOperationOptions = {}): Promise<void> {
    await this.call('deleteUser', 'DELETE', `/users/${encodeURIComponent(id)}`, undefined, options);
  }

  /** Directory roles of the signed-in user (delegated sign-in only). */
  async myDirectoryRoles(options: GraphOperationOptions = {}): Promise<DirectoryRoleInfo[]> {
    const page = await this.call<{ value: (DirectoryRoleInfo & { '@odata.type'?: string })[] }>('readUsers', 'GET', '/me/memberOf', undefined, options);
    return page.value.filter((o) => !o['@odata.type'] || o['@odata.type'] === '#microsoft.graph.directoryRole').map((o) => ({ id: o.id, displayName: o.displayName, roleTemplateId: o.roleTemplateId }));
  }

  // ---- cross-tenant access partners -------------------------------------------------------------

  /** Every partner configuration of the signed-in tenant (all pages). */
  async listPartners(options: GraphOperationOptions = {}): Promise<CrossTenantAccessPartner[]> {
    const out: CrossTenantAccessPartner[] = [];
    let url: string | undefined = `${this.baseUrl}/policies/crossTenantAccessPolicy/partners`;
    while (url) {
      const page: { value: CrossTenantAccessPartner[]; '@odata.nextLink'?: string } = await this.callUrl('readPartners', 'GET', url, undefined, options);
      out.push(...page.value.map(stripOData));
      url = page['@odata.nextLink'] ? this.followable(page['@odata.nextLink']) : undefined;
    }
    return out;
  }

  /** The partner configuration for `tenantId`; a tenant without one is a 404 AzureRequestError (see findPartner). */
  async getPartner(tenantId: string, options: GraphOperationOptions = {}): Promise<CrossTenantAccessPartner> {
    return stripOData(await this.call<CrossTenantAccessPartner>('readPartners', 'GET', `/policies/crossTenantAccessPolicy/partners/${encodeURIComponent(tenantId)}`, undefined, options));
  }

  /** The partner configuration for `tenantId`, or undefined when the tenant has none. */
  async findPartner(tenantId: string, options: GraphOperationOptions = {}): Promise<CrossTenantAccessPartner | undefined> {
    try {
      return await this.getPartner(tenantId, options);
    } catch (e) {
      if (e instanceof AzureRequestError && e.statusCode === 404) {
        return undefined;
      }
      throw e;
    }
  }

  /** Adds a partner configuration (409 when one exists: use updatePartner). */
  async createPartner(policy: CrossTenantAccessPartner, options: GraphOperationOptions = {}): Promise<CrossTenantAccessPartner> {
    return stripOData(await this.call<CrossTenantAccessPartner>('writePartners', 'POST', '/policies/crossTenantAccessPolicy/partners', policy, options));
  }

  /** Replaces the given properties of a partner configuration. */
  async updatePartner(tenantId: string, patch: CrossTenantAccessPartnerPatch, options: GraphOperationOptions = {}): Promise<void> {
    await this.call('writePartners', 'PATCH', `/policies/crossTenantAccessPolicy/partners/${encodeURIComponent(tenantId)}`, patch, options);
  }

  async deletePartner(tenantId: string, options: GraphOperationOptions = {}): Promise<void> {
    await this.call('writePartners', 'DELETE', `/policies/crossTenantAccessPolicy/partners/${encodeURIComponent(tenantId)}`, undefined, options);
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private call<T>(operation: GraphOperationKind, method: Method, path: string, body: unknown, options: GraphOperationOptions): Promise<T> {
    return this.callUrl<T>(operation, method, `${this.baseUrl}${path}`, body, options);
  }

  /** Throws unless `url` is on the Graph endpoint's scheme, host and port (the token goes nowhere else). */
  private followable(url: string): string {
    const u = new URL(url, this.baseUrl);
    const o = this.origin;
    if (u.protocol !== o.protocol || u.host.toLowerCase() !== o.host.toLowerCase()) {
      throw new AzureRequestError({ code: 'UntrustedFollowUrl', message: `Graph returned a link to ${u.protocol}//${u.host}, which is not the Graph endpoint ${o.protocol}//${o.host}; it was not followed.`, service: 'graph' });
    }
    return u.toString();
  }

  private async callUrl<T>(operation: GraphOperationKind, method: Method, url: string, body: unknown, options: GraphOperationOptions): Promise<T> {
    throwIfAborted(options.abortSignal);
    let raw: RestClientResponse;
    try {
      raw = await sendThroughRestClient(this.client, method, url, body, options.abortSignal);
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      const err = toAzureRequestError(e);
      throw new AzureRequestError({ ...initOf(err), service: 'graph' });
    }
    const status = Number(raw.status);
    if (status >= 400) {
      const err = errorFromResponse({ status, headers: createHttpHeaders(raw.headers), parsedBody: raw.body ?? undefined }, { method, url }, { service: 'graph' });
      if (status === 403 && /^Authorization_RequestDenied$/i.test(err.code)) {
        throw new AzureRequestError({ ...initOf(err), service: 'graph', nextStep: graphPermissionStep(operation, this.tenant) });
      }
      throw err;
    }
    let parsed: unknown = raw.body ?? undefined;
    if (typeof parsed === 'string') {
      const text = parsed.trim();
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new AzureRequestError({ statusCode: status, code: 'InvalidResponse', message: 'Microsoft Graph returned a body that is not valid JSON.', method, url, service: 'graph' });
      }
    }
    return parsed as T;
  }
}

function initOf(err: AzureRequestError) {
  return {
    statusCode: err.statusCode,
    code: err.code,
    message: err.message,
    requestId: err.requestId,
    target: err.target,
    details: [...err.details],
    retryAfterMs: err.retryAfterMs,
    method: err.method,
    url: err.url,
  };
}

function stripOData<T>(value: T): T {
  if (!value || typeof value !== 'object') {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!k.startsWith('@odata.')) {
      out[k] = v;
    }
  }
  return out as T;
}
