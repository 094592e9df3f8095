/**
 * The HTTP layer shared by the Purview data-plane clients (Data Map, scanning, collections):
 * one `@azure-rest/core-client` client per account endpoint, on the same pipeline story as every
 * other client in src/azure (our retry policy honouring Retry-After, the sandbox CA, User-Agent,
 * header redaction in logs) with the Purview token scope `https://purview.azure.net/.default`.
 *
 * URLs are built here, not by core-client's path templating, because Atlas needs things that
 * templating cannot express: repeated query names (`guid=a&guid=b`), literal `attr:qualifiedName`
 * names, and `api-version` only on the operations whose swagger declares it. Every response with
 * status >= 400 becomes an `AzureRequestError` (Atlas `{requestId, errorCode, errorMessage}` and
 * scanning `{error:{code,message}}` bodies alike) with a Purview-aware next step; aborts stay
 * AbortErrors; a bearer token is never sent to a host other than the account endpoint's.
 */
import type { TokenCredential } from '@azure/core-auth';
import { getClient, type Client } from '@azure-rest/core-client';
import { createHttpHeaders, type HttpHeaders } from '@azure/core-rest-pipeline';
import { SCOPES } from '../cloud';
import { AzureRequestError, errorFromResponse, isAbortError, requestIdFrom, throwIfAborted, toAzureRequestError } from '../../common/azureErrors';
import { sendThroughRestClient, type RestClientResponse } from '../core/rest';
import { applyPipelinePolicies, commonPipelineOptions, type PipelineSettings, type SignalLike } from '../pipeline';

export type PurviewHttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** A query value; arrays repeat the name (`guid=a&guid=b`); undefined and '' are left out. */
export type PurviewQueryValue = string | number | boolean | undefined | readonly (string | number | boolean)[];

export interface PurviewCallerOptions extends PipelineSettings {
  /** The account endpoint, e.g. `https://contoso.purview.azure.com` or the sandbox's `{base}/purview/{account}`. */
  endpoint: string;
  credential: TokenCredential;
  /** Token scopes; default `https://purview.azure.net/.default` (the same for every Purview data plane). */
  scopes?: string[];
}

export interface PurviewResponse<T = unknown> {
  status: number;
  headers: HttpHeaders;
  body: T | undefined;
}

export interface PurviewSendOptions {
  abortSignal?: SignalLike;
}

export class PurviewCaller {
  /** Account endpoint without trailing slash. */
  readonly endpoint: string;
  readonly settings: PipelineSettings;
  /** The underlying `@azure-rest/core-client` client (exposed for tests and extra policies). */
  readonly client: Client;
  private readonly origin: URL;

  constructor(options: PurviewCallerOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    this.origin = new URL(this.endpoint);
    this.settings = options;
    this.client = getClient(this.endpoint, options.credential, {
      ...commonPipelineOptions(options),
      credentials: { scopes: options.scopes ?? [SCOPES.purview] },
    });
    applyPipelinePolicies(this.client.pipeline, options);
  }

  get pipeline(): Client['pipeline'] {
    return this.client.pipeline;
  }

  /**
   * `endpoint + path + ?query`. Path segments must already be encoded (use `seg`). Query names
   * are written as is (`attr:qualifiedName`, `$skipToken`), values percent-encoded (spaces as %20).
   */
  url(path: string, query: Record<string, PurviewQueryValue> = {}): string {
    const parts: string[] = [];
    for (const [name, value] of Object.entries(query)) {
      const values = Array.isArray(value) ? (value as readonly (string | number | boolean)[]) : [value as string | number | boolean | undefined];
      for (const v of values) {
        if (v !== undefined && v !== '') {
          parts.push(`${name}=${encodeURIComponent(String(v))}`);
        }
      }
    }
    return `${this.endpoint}${path.startsWith('/') ? '' : '/'}${path}${parts.length ? `?${parts.join('&')}` : ''}`;
  }

  /**
   * Throws unless `url` may receive this client's bearer token: the endpoint's scheme, host and
   * port (loopback names are interchangeable, for the sandbox). Returns the absolute URL.
   */
  assertFollowable(url: string, base: string = this.endpoint): string {
    let u: URL;
    try {
      u = new URL(url, base);
    } catch {
      throw new AzureRequestError({ code: 'InvalidResponse', message: 'The service returned a link that is not a valid URL.', service: 'purview' });
    }
    const o = this.origin;
    const loopback = (h: string): boolean => h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h === '::1';
    const sameHost = u.hostname.toLowerCase() === o.hostname.toLowerCase() || (loopback(u.hostname) && loopback(o.hostname));
    if (u.protocol !== o.protocol || !sameHost || effectivePort(u) !== effectivePort(o)) {
      throw new AzureRequestError({
        code: 'UntrustedFollowUrl',
        message: `The service returned a link to ${u.protocol}//${u.host}, which is not the Purview endpoint ${o.protocol}//${o.host}; it was not followed.`,
      });
    }
    return u.toString();
  }

  /**
   * Sends one JSON request. Resolves for statuses below 400; rejects with `AzureRequestError`
   * for 4xx/5xx (after the pipeline's retries) and with an AbortError when `abortSignal` fires.
   */
  async send<T = unknown>(method: PurviewHttpMethod, url: string, body?: unknown, options: PurviewSendOptions = {}): Promise<PurviewResponse<T>> {
    throwIfAborted(options.abortSignal);
    let raw: RestClientResponse;
    try {
      raw = await sendThroughRestClient(this.client, method, url, body, options.abortSignal);
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      const err = toAzureRequestError(e);
      const response = (e as { response?: { status?: number; headers?: unknown; bodyAsText?: string | null } }).response;
      if (err.code === 'PARSE_ERROR' && response?.status !== undefined && response.status >= 400) {
        // An error status whose body claims JSON but is not: still an HTTP error, mapped by status.
        throw errorFromResponse({ status: response.status, headers: response.headers, bodyAsText: response.bodyAsText }, { method, url }, { service: 'purview' });
      }
      if (err.code === 'PARSE_ERROR') {
        throw new AzureRequestError({
          statusCode: err.statusCode,
          code: 'InvalidResponse',
          message: 'The service returned a body that is not valid JSON.',
          requestId: err.requestId,
          method,
          url,
          service: 'purview',
        });
      }
      throw err;
    }
    const status = Number(raw.status);
    const headers = createHttpHeaders(raw.headers);
    if (status >= 400) {
      throw errorFromResponse({ status, headers, parsedBody: raw.body ?? undefined }, { method, url }, { service: 'purview' });
    }
    let parsed: unknown = raw.body ?? undefined;
    if (typeof parsed === 'string') {
      // Read as text (e.g. served as text/plain): Purview answers JSON, so parse it or fail clearly.
      const text = parsed.trim();
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new AzureRequestError({
          statusCode: status,
          code: 'InvalidResponse',
          message: 'The service returned a body that is not valid JSON.',
          requestId: requestIdFrom(headers),
          method,
          url,
          service: 'purview',
        });
      }
    }
    return { status, headers, body: parsed as T | undefined };
  }

  /** `send` and return the body. */
  async call<T>(method: PurviewHttpMethod, url: string, body?: unknown, options?: PurviewSendOptions): Promise<T> {
    const res = await this.send<T>(method, url, body, options);
    return res.body as T;
  }
}

/** The account endpoint without trailing slashes; throws for anything but an absolute http(s) URL. */
export function normalizeEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, '');
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    throw new TypeError(`Not a Purview endpoint URL: ${endpoint}`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new TypeError(`Not a Purview endpoint URL: ${endpoint}`);
  }
  if (u.search || u.hash) {
    throw new TypeError(`A Purview endpoint has no query or fragment: ${endpoint}`);
  }
  return trimmed;
}

function effectivePort(u: URL): string {
  return u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
}

/** Encodes one path segment (throws for an empty value: every name is required). */
export function seg(value: string | number, what = 'name'): string {
  if ((typeof value !== 'string' && typeof value !== 'number') || (typeof value === 'number' && !Number.isFinite(value))) {
    throw new TypeError(`The ${what} is missing; it is required.`);
  }
  const s = String(value);
  if (s.length === 0) {
    throw new TypeError(`The ${what} is empty; it is required.`);
  }
  return encodeURIComponent(s);
}
