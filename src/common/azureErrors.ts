/**
 * One error type for every Azure call the extension makes (ARM, Data Share, Purview, Storage,
 * token endpoints), carrying what a person needs to act: HTTP status, service error code,
 * message, request id, target and a `nextStep` sentence.
 *
 * This module is deliberately light (no SDK imports) so UI code may import it statically.
 * Nothing in here ever copies request headers, tokens or secrets into an error.
 */

export interface AzureErrorDetail {
  code: string;
  message: string;
  target?: string;
}

/**
 * The service family a request went to, when the caller knows it. Only used to pick a sharper
 * next step (for example Purview's collection roles instead of Azure RBAC for a 403).
 */
export type AzureService = 'arm' | 'storage' | 'purview' | 'graph';

export interface AzureRequestErrorInit {
  statusCode?: number;
  code: string;
  message: string;
  requestId?: string;
  target?: string;
  details?: AzureErrorDetail[];
  /** Overrides the mapped next step. */
  nextStep?: string;
  /** Server-requested delay for throttled requests, in milliseconds. */
  retryAfterMs?: number;
  /** HTTP method and URL (query stripped) of the failed request, for the activity log. */
  method?: string;
  url?: string;
  /** Which service answered; sharpens the mapped next step (see `nextStepFor`). */
  service?: AzureService;
}

export class AzureRequestError extends Error {
  override readonly name = 'AzureRequestError';
  /** HTTP status code; undefined for network, token-acquisition or cancellation failures. */
  readonly statusCode: number | undefined;
  /** Service error code (e.g. `AuthorizationFailed`), or a local code (`NetworkError`, `Canceled`). */
  readonly code: string;
  /** ARM `x-ms-request-id` / correlation id / Atlas `requestId`, when known. */
  readonly requestId: string | undefined;
  readonly target: string | undefined;
  readonly details: readonly AzureErrorDetail[];
  /** One sentence telling the person what to do next. */
  readonly nextStep: string;
  readonly retryAfterMs: number | undefined;
  readonly method: string | undefined;
  readonly url: string | undefined;

  constructor(init: AzureRequestErrorInit) {
    super(redactSecrets(init.message || init.code));
    this.statusCode = init.statusCode;
    this.code = init.code;
    this.requestId = init.requestId;
    this.target = init.target;
    this.details = (init.details ?? []).map((d) => ({ ...d, message: redactSecrets(d.message) }));
    this.retryAfterMs = init.retryAfterMs;
    this.method = init.method;
    this.url = init.url ? stripQuery(init.url) : undefined;
    this.nextStep = init.nextStep ?? nextStepFor(this.code, this.statusCode, this.message, this.retryAfterMs, init.service);
  }

  /** True when the service reports that the resource (or its parent) does not exist. */
  get isNotFound(): boolean {
    return this.statusCode === 404;
  }

  get isCanceled(): boolean {
    return this.code === 'Canceled';
  }

  /** A compact, secret-free summary for logs and tree error nodes. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      statusCode: this.statusCode,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      target: this.target,
      details: this.details,
      nextStep: this.nextStep,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      url: this.url,
    };
  }
}

export function isAzureRequestError(e: unknown): e is AzureRequestError {
  return e instanceof AzureRequestError;
}

/** True for any flavour of abort/cancellation error (DOM AbortError, core-util AbortError, ours). */
export function isAbortError(e: unknown): boolean {
  if (!e || typeof e !== 'object') {
    return false;
  }
  const err = e as { name?: unknown; code?: unknown };
  return err.name === 'AbortError' || err.code === 'ABORT_ERR' || (e instanceof AzureRequestError && e.code === 'Canceled');
}

/** The error thrown when an AbortSignal fires (name `AbortError`, like fetch and the Azure SDKs). */
export function createAbortError(message = 'The operation was canceled.'): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}

export function throwIfAborted(signal: { readonly aborted: boolean } | undefined): void {
  if (signal?.aborted) {
    throw createAbortError();
  }
}

// ---------------------------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------------------------

const SECRET_PATTERNS: [RegExp, string][] = [
  [/(Bearer|Basic|SharedKey)\s+[A-Za-z0-9\-._~+/:=]+/gi, '$1 <redacted>'],
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '<redacted-token>'],
  [/\b(access_token|refresh_token|id_token|client_secret|client_assertion|password|sig|AccountKey|SharedAccessSignature|code)=([^&\s;"']+)/gi, '$1=<redacted>'],
  [/"(access_token|refresh_token|id_token|client_secret|password|accessToken|secret|key|value)"\s*:\s*"[^"]*"/gi, '"$1":"<redacted>"'],
];

/** Removes anything that looks like a credential from a string. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

function stripQuery(url: string): string {
  const i = url.indexOf('?');
  return i < 0 ? url : url.slice(0, i);
}

// ---------------------------------------------------------------------------------------------
// Next steps
// ---------------------------------------------------------------------------------------------

type NextStep = string | ((message: string, retryAfterMs?: number) => string);

function quoted(message: string, re: RegExp): string | undefined {
  return re.exec(message)?.[1];
}

function waitPhrase(ms: number | undefined): string {
  if (ms === undefined) {
    return 'Wait a little';
  }
  const s = Math.max(1, Math.ceil(ms / 1000));
  return `Wait ${s} second${s === 1 ? '' : 's'}`;
}

const NEXT_STEPS: Record<string, NextStep> = {
  // --- authorization and identity -------------------------------------------------------------
  authorizationfailed:
    'Your identity lacks permission for this action at this scope: ask an Owner or User Access Administrator to grant a role that allows it (for example Contributor on the resource group), then try again.',
  linkedauthorizationfailed:
    'The action also needs permission on a linked resource named in the message: ask its owner to grant you access to that resource too, then try again.',
  authorizationpermissionmismatch:
    'Your identity reaches the storage account but lacks a data role: assign Storage Blob Data Contributor (to write) or Storage Blob Data Reader (to read) on the account, wait a few minutes for it to apply, and retry.',
  authorizationpermissiondenied:
    'Your identity lacks a data role on this storage account: assign Storage Blob Data Contributor or Reader, wait a few minutes, and retry.',
  invalidauthenticationtokentenant:
    'The token was issued by a different tenant than the one that owns this subscription: sign in to the owning tenant (pick it in the Tenants view) and try again.',
  expiredauthenticationtoken: 'Your sign-in has expired: sign in again for this tenant and retry.',
  invalidauthenticationtoken:
    'The access token was not accepted: sign out and sign in again for this tenant; if it keeps failing, check that the cloud setting (Azure or sandbox) matches the account.',
  invalidauthenticationtokenaudience:
    'The access token was issued for a different service: sign out and sign in again; if it keeps failing, check that the cloud setting (Azure or sandbox) matches the endpoint.',
  authenticationfailed: 'Authentication failed: sign in again for this tenant and retry.',
  credentialunavailable:
    'No sign-in is available for this tenant: sign in (VS Code accounts, or `az login --tenant <tenant>` for the CLI credential) and retry.',
  invalid_client:
    'The client id or secret was rejected: check the service principal credentials (a secret may have expired) and retry.',
  invalid_grant: 'The user name, password or refresh token was rejected: sign in again with valid credentials.',
  unauthorized_client: 'This application is not allowed to sign in to the tenant: ask an administrator to consent to it.',
  interaction_required:
    'This tenant needs an interactive sign-in (for example multi-factor authentication): sign in to it from the Accounts view, then retry.',
  principalnotfound:
    'The identity is not yet visible to Azure role assignments (new managed identities take a minute or two to replicate): wait a minute and retry.',
  roleassignmentexists: 'The role assignment already exists, so nothing more is needed.',
  // --- subscriptions, providers, policy ------------------------------------------------------
  missingsubscriptionregistration: (m) => {
    const ns = quoted(m, /namespace '([^']+)'/i) ?? 'the resource provider named in the message';
    return `Register ${ns} in this subscription (Governed Data Share: Register Resource Provider…, or \`az provider register --namespace ${ns.startsWith('the ') ? '<namespace>' : ns}\`), wait until it shows Registered, then retry.`;
  },
  subscriptionnotregistered: 'Register the resource provider in this subscription, wait until it shows Registered, then retry.',
  subscriptionnotfound: 'The subscription was not found for this sign-in: check you are signed in to the tenant that owns it and that you have access to it.',
  readonlydisabledsubscription: 'The subscription is disabled or read-only: re-enable it (or pick another subscription) before making changes.',
  requestdisallowedbypolicy:
    'An Azure Policy assignment blocked this request: check the policy named in the message and adjust the settings to comply, or ask an administrator for an exemption.',
  scopelocked: 'A resource lock prevents this change: remove the lock (or ask its owner to) and retry.',
  noregisteredproviderfound: 'The api-version or location is not supported for this resource type: check the region and update the extension.',
  invalidapiversionparameter: 'The service does not support the api-version this extension uses: update the extension or check the endpoint.',
  locationnotavailableforresourcetype: 'This resource type is not offered in the chosen region: pick another location.',
  // --- not found -----------------------------------------------------------------------------
  resourcenotfound:
    'The resource does not exist or you cannot see it: check the name, resource group and subscription, or create it first.',
  resourcegroupnotfound: 'The resource group does not exist in this subscription: create it first or choose an existing one.',
  parentresourcenotfound: 'A parent resource does not exist: create the parent first (for example the account or share), then retry.',
  invitationnotfound:
    'The invitation no longer exists or is not addressed to you (it may have been withdrawn, accepted, rejected or expired): ask the provider to send a new invitation to your sign-in email.',
  containernotfound: 'The blob container does not exist: create it first or check its name.',
  blobnotfound: 'The blob does not exist: check its name and container.',
  // --- names and conflicts -------------------------------------------------------------------
  storageaccountalreadytaken:
    'That storage account name is already used somewhere in Azure (names are global): choose another name of 3-24 lowercase letters and digits.',
  storageaccountalreadyexists: 'A storage account with that name already exists in another resource group or subscription: choose another name.',
  accountnameinvalid: 'Storage account names must be 3-24 characters of lowercase letters and digits only: choose a valid name.',
  alreadyexists: 'A resource with that name already exists: choose another name or use the existing one.',
  accountalreadyexists: 'An account with that name already exists: choose another name or use the existing one.',
  nameunavailable: 'That name is not available: choose another name.',
  containeralreadyexists: 'The container already exists, so it can be used as is.',
  conflict:
    'The resource is in a conflicting state (another operation may still be running): wait for it to finish, refresh, and retry.',
  anotheroperationinprogress: 'Another operation is running on this resource: wait for it to finish, refresh, and retry.',
  operationinterrupted: 'The operation was interrupted before it finished: run it again.',
  tenantquotaexceeded:
    'The tenant has reached its quota for this resource (for Microsoft Purview usually one account per tenant): reuse the existing account or request more quota.',
  quotaexceeded: 'A quota was exceeded: remove unused resources or request a higher quota, then retry.',
  // --- request content -----------------------------------------------------------------------
  invalidrequestcontent: 'Azure rejected the request content: correct the value named in the message and retry.',
  invalidparameter: 'A parameter is invalid: correct the value named in the message and retry.',
  badrequest: 'Azure rejected the request: correct the value named in the message and retry.',
  validationerror: 'Azure rejected the request content: correct the value named in the message and retry.',
  invalidskiptoken: 'The list position expired: refresh the list.',
  // --- throttling and transient --------------------------------------------------------------
  toomanyrequests: (_m, ms) => `Azure is throttling requests: ${waitPhrase(ms).toLowerCase()} before retrying, and avoid refreshing many views at once.`,
  throttled: (_m, ms) => `Azure is throttling requests: ${waitPhrase(ms).toLowerCase()} before retrying.`,
  serverbusy: (_m, ms) => `The service is busy: ${waitPhrase(ms).toLowerCase()} and retry.`,
  internalservererror: 'Azure hit a temporary problem: retry in a minute; if it persists, report the request id.',
  serviceunavailable: 'The service is temporarily unavailable: retry in a minute.',
  gatewaytimeout: 'The service took too long to answer: retry in a minute.',
  // --- local ---------------------------------------------------------------------------------
  canceled: 'The operation was canceled: run it again when you are ready.',
  networkerror:
    'The service could not be reached: check your network or proxy; if you use the sandbox, make sure it is running (npm run sandbox).',
  econnrefused: 'Nothing is listening at the endpoint: if you use the sandbox, start it (npm run sandbox); otherwise check the endpoint setting.',
  enotfound: 'The host name could not be resolved: check your network, proxy and the endpoint setting.',
  econnreset: 'The connection was reset: retry; if it keeps happening, check your network or proxy.',
  etimedout: 'The connection timed out: check your network or proxy and retry.',
  untrustedcertificate:
    'The server certificate is not trusted: for the sandbox make sure its CA (caCertPath in sandbox.json) is configured; for Azure check your proxy or corporate certificate settings.',
  untrustedfollowurl:
    'The service returned a link to a different host, which was not followed to protect your credentials: report this with the request id.',
  operationfailed: 'The long-running operation failed: check the message, fix the cause, and run it again.',
  // --- Azure Data Share --------------------------------------------------------------------------
  sharesubscriptionrevoked:
    'The provider revoked your access to this share: ask the provider to reinstate your share subscription (Reinstate on their side), then synchronize again.',
  sharesubscriptionrevoking: 'The provider is revoking this share subscription: wait for it to finish; ask the provider to reinstate it if that was not intended.',
  sharesubscriptionexpired:
    'The share subscription has passed its expiration date: ask the provider to extend it (Adjust expiry) or reinstate it with a later date, then synchronize again.',
  sourcesharedeleted: 'The provider deleted the share this subscription received: ask the provider to share the data again and accept the new invitation.',
  sourcesharenotfound: 'The provider share behind this invitation no longer exists: ask the provider to send a new invitation.',
  sourcestoragepermissiondenied:
    "The provider's Data Share account cannot read the source storage: the provider must assign Storage Blob Data Reader to the account's managed identity on the source storage account, then the snapshot can run again.",
  targetstoragepermissiondenied:
    "Your Data Share account cannot write to the target storage: assign Storage Blob Data Contributor to the account's managed identity on the target storage account, then synchronize again.",
  synchronizationinprogress: 'A snapshot is already running for this share subscription: wait for it to finish (or cancel it), then start another.',
  nodatasetmappings: 'Nothing is mapped yet: map the received datasets to a target container or folder, then synchronize.',
  invitationexpired: 'The invitation expired: ask the provider to send a new one.',
  invitationnotpending: 'The invitation was already accepted, rejected or withdrawn: refresh your invitations.',
  invitationalreadyexists: 'An invitation for that recipient already exists on this share: use it, or delete it before inviting again.',
  invalidinvitationtarget: 'Invite either an email address, or a tenant id together with a user or service principal object id, not both.',
  datasetalreadymapped: 'That received dataset is already mapped: edit or delete the existing mapping instead of adding another.',
  invaliddatasetkindforshare: 'That kind of dataset cannot be added to this kind of share (storage datasets need a snapshot-based share; Azure Data Explorer needs in-place): pick a matching share.',
  sourcesynchronizationsettingnotfound: 'The provider has no snapshot schedule to follow: ask the provider to add one, or trigger snapshots yourself.',
  // --- Microsoft Purview scanning ---------------------------------------------------------------
  collectionhasassets: 'The collection still holds assets: move them to another collection (or delete them), then delete the collection.',
  collectionhaschildcollections: 'The collection has child collections: delete or move them first, then delete this one.',
  collectionhasdatasources: 'Data sources are registered in this collection: delete them or move them to another collection first.',
  scanrunfailed:
    "The Purview scan run failed: check the run's error (most often the Purview account's managed identity lacks Storage Blob Data Reader on the storage account), fix it, and run the scan again.",
  scanruncanceled: 'The Purview scan run was canceled: run the scan again when you are ready.',
  invalidresponse: 'The service returned a response the extension could not read: retry; if it persists, report the request id.',
};

const AADSTS_STEPS: Record<string, string> = {
  '50076': 'This tenant requires multi-factor authentication: sign in to it interactively from the Accounts view, then retry.',
  '50079': 'This tenant requires you to register for multi-factor authentication: sign in to it in a browser first, then retry.',
  '53003': 'Conditional Access in this tenant blocked the sign-in: sign in from a compliant device or ask the tenant administrator.',
  '50034': 'That user does not exist in this tenant: check the account, or accept the B2B invitation first.',
  '50126': 'The user name or password is wrong: sign in again with valid credentials.',
  '700016': 'The application is not known in this tenant: ask a tenant administrator to consent to it, or check the client id.',
  '7000215': 'The client secret is invalid: check the secret, or create a new one if it expired.',
  '7000222': 'The client secret has expired: create a new secret for the service principal.',
  '90002': 'The tenant was not found: check the tenant id or domain.',
  '65001': 'The application has not been consented in this tenant: ask a tenant administrator to grant consent.',
  '50020': 'Your account is not a member or guest of this tenant: accept a B2B invitation to it first.',
};

// --- Microsoft Purview data plane (Atlas `ATLAS-<status>-…` codes, scanning, collections) ------

const PURVIEW_STEPS = {
  forbidden:
    'Your identity has no Purview role on this collection: ask a Collection Admin to add you as Data Reader (to read) or Data Curator (to change assets), or Data Source Admin (to register sources and scans), on the collection, then retry.',
  audience:
    'The token was issued for a different service: request it for the https://purview.azure.net/.default scope (the same for Data Map, scanning and collections), then retry.',
  unauthorized:
    'Purview did not accept the sign-in: sign in again for the tenant that owns the Purview account (tokens must be for the https://purview.azure.net/.default scope), then retry.',
  notFound:
    'The asset, type or collection does not exist in this Purview account, or it is in a collection you cannot see: check the GUID, type name or qualifiedName and the collection.',
  conflict: 'That Purview object already exists or is being changed: refresh, and update the existing one instead of creating it again.',
  badRequest: 'Purview rejected the request: correct the value named in the message (type name, attribute or qualifiedName) and retry.',
  otherTenant:
    "The token comes from a different tenant than the Purview account's: sign in to the tenant that owns the account (a Purview account accepts only its own tenant's tokens), then retry.",
  scanIdentity:
    "The Purview account's managed identity cannot read the data source: assign it Storage Blob Data Reader on the storage account (it can take a few minutes to apply), then run the scan again.",
} as const;

/** Purview-specific steps: Atlas codes always, status-based ones when the service is known to be Purview. */
function purviewStep(code: string, statusCode: number | undefined, message: string, service: AzureService | undefined): string | undefined {
  if (service === 'purview' && /^authorizationpermission(mismatch|denied)$/i.test(code)) {
    // Reported by a scan run: the storage data role is missing for Purview's identity, not the caller's.
    return PURVIEW_STEPS.scanIdentity;
  }
  const atlas = /^ATLAS-(\d{3})-/i.exec(code)?.[1];
  const status = atlas ? Number(atlas) : service === 'purview' ? statusCode : undefined;
  const audience = /audience/i.test(code) || /audience/i.test(message);
  if (status === 401 || (service === 'purview' && audience)) {
    return audience ? PURVIEW_STEPS.audience : PURVIEW_STEPS.unauthorized;
  }
  if (status === 403) {
    return /\btenant\b/i.test(message) ? PURVIEW_STEPS.otherTenant : PURVIEW_STEPS.forbidden;
  }
  if (!atlas) {
    return undefined;
  }
  switch (status) {
    case 404:
      return PURVIEW_STEPS.notFound;
    case 409:
      return PURVIEW_STEPS.conflict;
    case 400:
      return PURVIEW_STEPS.badRequest;
    default:
      return undefined;
  }
}

/**
 * Maps a code (case-insensitive) and HTTP status to a sentence telling the person what to do.
 * `service` (optional) sharpens status-based steps for services with their own role model.
 */
export function nextStepFor(code: string, statusCode?: number, message = '', retryAfterMs?: number, service?: AzureService): string {
  const aadsts = /AADSTS(\d{5,7})/.exec(message)?.[1] ?? /^AADSTS(\d+)$/i.exec(code)?.[1];
  if (aadsts && AADSTS_STEPS[aadsts]) {
    return AADSTS_STEPS[aadsts];
  }
  const purview = purviewStep(code, statusCode, message, service);
  if (purview) {
    return purview;
  }
  const step = NEXT_STEPS[code.toLowerCase()];
  if (step) {
    return typeof step === 'function' ? step(message, retryAfterMs) : step;
  }
  if (service === 'purview') {
    if (statusCode === 404) {
      return PURVIEW_STEPS.notFound;
    }
    if (statusCode === 409) {
      return PURVIEW_STEPS.conflict;
    }
  }
  if (/^(CERT_|UNABLE_TO_VERIFY|SELF_SIGNED|DEPTH_ZERO|ERR_TLS)/i.test(code)) {
    return NEXT_STEPS.untrustedcertificate as string;
  }
  switch (statusCode) {
    case 400:
      return 'Azure rejected the request: correct the value named in the message and retry.';
    case 401:
      return 'The sign-in was not accepted: sign in again for this tenant and retry.';
    case 403:
      return 'Your identity lacks permission for this action: ask an owner of the resource to grant you access, then retry.';
    case 404:
      return 'The resource does not exist or you cannot see it: check the name, resource group and subscription.';
    case 409:
      return 'The request conflicts with the current state of the resource: refresh, wait for other operations to finish, and retry.';
    case 412:
      return 'The resource changed since it was read: refresh and retry.';
    case 429:
      return `Azure is throttling requests: ${waitPhrase(retryAfterMs).toLowerCase()} before retrying.`;
    default:
      break;
  }
  if (statusCode !== undefined && statusCode >= 500) {
    return 'Azure hit a temporary problem: retry in a minute; if it persists, report the request id.';
  }
  return 'Retry the action; if it fails again, copy the request id from the details and report it.';
}

// ---------------------------------------------------------------------------------------------
// Conversion
// ---------------------------------------------------------------------------------------------

interface HeaderBag {
  get(name: string): string | undefined;
}

function headerGetter(headers: unknown): HeaderBag | undefined {
  if (!headers || typeof headers !== 'object') {
    return undefined;
  }
  const h = headers as { get?: unknown };
  if (typeof h.get === 'function') {
    return { get: (n) => (h as { get(n: string): string | undefined }).get(n) ?? undefined };
  }
  const rec = headers as Record<string, unknown>;
  return {
    get: (n) => {
      const key = Object.keys(rec).find((k) => k.toLowerCase() === n.toLowerCase());
      const v = key ? rec[key] : undefined;
      return typeof v === 'string' ? v : Array.isArray(v) ? String(v[0]) : undefined;
    },
  };
}

const REQUEST_ID_HEADERS = ['x-ms-request-id', 'x-ms-correlation-request-id', 'request-id', 'x-ms-client-request-id', 'client-request-id'];

export function requestIdFrom(headers: unknown): string | undefined {
  const bag = headerGetter(headers);
  if (!bag) {
    return undefined;
  }
  for (const name of REQUEST_ID_HEADERS) {
    const v = bag.get(name);
    if (v) {
      return v;
    }
  }
  return undefined;
}

/** Parses `Retry-After` (seconds or HTTP date) and the `retry-after-ms` variants; undefined when absent. */
export function retryAfterMsFrom(headers: unknown, now = Date.now()): number | undefined {
  const bag = headerGetter(headers);
  if (!bag) {
    return undefined;
  }
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const v = bag.get(name);
    if (v !== undefined && v.trim() !== '' && Number.isFinite(Number(v))) {
      return Math.max(0, Number(v));
    }
  }
  const ra = bag.get('retry-after');
  if (ra === undefined || ra.trim() === '') {
    return undefined;
  }
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) {
    return Math.max(0, Number(ra) * 1000);
  }
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

interface ParsedErrorBody {
  code?: string;
  message?: string;
  target?: string;
  details?: AzureErrorDetail[];
  requestId?: string;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function parseDetails(v: unknown): AzureErrorDetail[] | undefined {
  if (!Array.isArray(v)) {
    return undefined;
  }
  const out: AzureErrorDetail[] = [];
  for (const d of v) {
    if (d && typeof d === 'object') {
      const r = d as Record<string, unknown>;
      const code = asString(r.code) ?? 'Error';
      const message = asString(r.message) ?? '';
      out.push({ code, message, ...(asString(r.target) ? { target: asString(r.target) } : {}) });
    }
  }
  return out.length ? out : undefined;
}

/**
 * Reads every error body shape the extension meets: ARM / Data Share / scanning
 * `{error:{code,message,target,details}}`, flat `{code,message}`, Atlas `{requestId,errorCode,errorMessage}`,
 * OAuth `{error, error_description}`, Graph `{error:{code,message,innerError:{request-id}}}` and Storage XML.
 */
export function parseErrorBody(body: unknown): ParsedErrorBody | undefined {
  let value = body;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text) {
      return undefined;
    }
    if (text.startsWith('<')) {
      const code = /<Code>([^<]*)<\/Code>/i.exec(text)?.[1];
      const message = /<Message>([^<]*)<\/Message>/i.exec(text)?.[1];
      return code || message ? { code, message: message?.split('\n')[0] } : undefined;
    }
    try {
      value = JSON.parse(text);
    } catch {
      return { message: text.length > 500 ? `${text.slice(0, 500)}…` : text };
    }
  }
  if (!value || typeof value !== 'object') {
    return undefined;
  }
  const rec = value as Record<string, unknown>;
  if (rec.error && typeof rec.error === 'object') {
    const e = rec.error as Record<string, unknown>;
    const inner = (e.innerError ?? e.innererror) as Record<string, unknown> | undefined;
    return {
      code: asString(e.code),
      message: asString(e.message),
      target: asString(e.target),
      details: parseDetails(e.details),
      requestId: asString(inner?.['request-id']),
    };
  }
  if (typeof rec.error === 'string') {
    return { code: rec.error, message: asString(rec.error_description)?.split(/\r?\n/)[0] };
  }
  if (rec.errorCode || rec.errorMessage) {
    return { code: asString(rec.errorCode), message: asString(rec.errorMessage), requestId: asString(rec.requestId) };
  }
  if (rec.code || rec.message) {
    return { code: asString(rec.code), message: asString(rec.message), target: asString(rec.target), details: parseDetails(rec.details) };
  }
  return undefined;
}

const STATUS_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'AuthenticationFailed',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** Builds an error from a raw HTTP response (status, headers, body text or parsed JSON). */
export function errorFromResponse(
  response: { status: number; headers?: unknown; bodyAsText?: string | null; parsedBody?: unknown },
  request?: { method?: string; url?: string },
  context?: { service?: AzureService },
): AzureRequestError {
  const parsed = parseErrorBody(response.parsedBody ?? response.bodyAsText ?? undefined);
  const code = parsed?.code ?? STATUS_CODES[response.status] ?? `Http${response.status}`;
  return new AzureRequestError({
    statusCode: response.status,
    code,
    message: parsed?.message ?? `The request failed with status ${response.status}.`,
    target: parsed?.target,
    details: parsed?.details,
    requestId: parsed?.requestId ?? requestIdFrom(response.headers),
    retryAfterMs: response.status === 429 || response.status === 503 ? retryAfterMsFrom(response.headers) : undefined,
    method: request?.method,
    url: request?.url,
    service: context?.service,
  });
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'REQUEST_SEND_ERROR']);

/**
 * Converts anything thrown by an Azure client (core `RestError`, `@azure/identity` errors,
 * storage errors, Node network errors, aborts, or an already-converted error) into an
 * `AzureRequestError`. Never copies request headers or the original error object.
 */
export function toAzureRequestError(e: unknown): AzureRequestError {
  if (e instanceof AzureRequestError) {
    return e;
  }
  if (isAbortError(e)) {
    return new AzureRequestError({ code: 'Canceled', message: 'The operation was canceled.' });
  }
  if (!e || typeof e !== 'object') {
    return new AzureRequestError({ code: 'UnknownError', message: String(e) });
  }
  const err = e as {
    name?: string;
    message?: string;
    code?: unknown;
    statusCode?: unknown;
    status?: unknown;
    response?: { status?: number; headers?: unknown; bodyAsText?: string | null; parsedBody?: unknown };
    request?: { method?: string; url?: string };
    details?: unknown;
    errorResponse?: { error?: string; errorDescription?: string; correlationId?: string; traceId?: string };
    errors?: unknown[];
  };

  // @azure/identity AuthenticationError / AggregateAuthenticationError / CredentialUnavailableError.
  if (err.name === 'CredentialUnavailableError') {
    return new AzureRequestError({ code: 'CredentialUnavailable', message: firstLine(err.message ?? 'No credential is available.') });
  }
  if (err.name === 'AggregateAuthenticationError' && Array.isArray(err.errors) && err.errors.length) {
    return toAzureRequestError(err.errors[err.errors.length - 1]);
  }
  if (err.name === 'AuthenticationError' && err.errorResponse) {
    const desc = err.errorResponse.errorDescription ?? err.message ?? '';
    return new AzureRequestError({
      statusCode: typeof err.statusCode === 'number' ? err.statusCode : undefined,
      code: err.errorResponse.error ?? 'AuthenticationFailed',
      message: firstLine(desc),
      requestId: err.errorResponse.traceId ?? err.errorResponse.correlationId,
    });
  }

  const statusCode = typeof err.statusCode === 'number' ? err.statusCode : typeof err.response?.status === 'number' ? err.response.status : typeof err.status === 'number' ? err.status : undefined;
  const fromBody = err.response ? parseErrorBody(err.response.parsedBody ?? err.response.bodyAsText ?? undefined) : undefined;
  const fromDetails = !fromBody && err.details ? parseErrorBody(err.details) : undefined;
  const parsed = fromBody ?? fromDetails;
  const rawCode = typeof err.code === 'string' && err.code ? err.code : undefined;

  if (statusCode === undefined && rawCode && (NETWORK_CODES.has(rawCode) || /^(CERT_|UNABLE_TO_VERIFY|SELF_SIGNED|DEPTH_ZERO|ERR_TLS)/.test(rawCode))) {
    const code = rawCode === 'REQUEST_SEND_ERROR' ? networkCodeFromMessage(err.message) : rawCode;
    return new AzureRequestError({ code, message: firstLine(err.message ?? code), method: err.request?.method, url: err.request?.url });
  }

  const code = parsed?.code ?? rawCode ?? (statusCode !== undefined ? (STATUS_CODES[statusCode] ?? `Http${statusCode}`) : 'UnknownError');
  const message = parsed?.message ?? firstLine(err.message ?? code);
  return new AzureRequestError({
    statusCode,
    code,
    message,
    target: parsed?.target,
    details: parsed?.details,
    requestId: parsed?.requestId ?? requestIdFrom(err.response?.headers),
    retryAfterMs: statusCode === 429 || statusCode === 503 ? retryAfterMsFrom(err.response?.headers) : undefined,
    method: err.request?.method,
    url: err.request?.url,
  });
}

function networkCodeFromMessage(message: string | undefined): string {
  const m = /\b(E[A-Z]{4,}|CERT_[A-Z_]+|UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT)\b/.exec(message ?? '');
  return m?.[1] ?? 'NetworkError';
}

function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim().length > 0) ?? text;
  return line.trim();
}

/**
 * Runs `fn` and resolves `undefined` when it fails with "not found"; other errors propagate
 * (converted). Handy for idempotent "create if missing" steps.
 */
export async function undefinedIfNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isAbortError(e)) {
      throw e;
    }
    const err = toAzureRequestError(e);
    if (err.isNotFound) {
      return undefined;
    }
    throw err;
  }
}

/** Rethrows aborts untouched and everything else as an `AzureRequestError`. */
export function rethrowAsAzureError(e: unknown): never {
  if (isAbortError(e)) {
    throw e;
  }
  throw toAzureRequestError(e);
}
