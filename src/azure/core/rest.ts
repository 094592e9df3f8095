/**
 * A small JSON-over-HTTPS caller on `@azure/core-client`'s ServiceClient, for hand-written ARM
 * clients (Data Share today). It owns URL building (`api-version` on every call), the pipeline
 * (see ../pipeline.ts), error conversion and the same-origin rule for URLs the service hands back
 * (nextLink, Azure-AsyncOperation, Location): a bearer token is never sent to another host.
 */
import type { Client } from '@azure-rest/core-client';
import type { TokenCredential } from '@azure/core-auth';
import { ServiceClient } from '@azure/core-client';
import { createHttpHeaders, createPipelineRequest, type HttpHeaders } from '@azure/core-rest-pipeline';
import { AzureRequestError, errorFromResponse, isAbortError, requestIdFrom, toAzureRequestError, throwIfAborted } from '../../common/azureErrors';
import { answersOf, armBatchingEnabled, batchBody, batchRefused, BatchQueue, batchUrl, isBatchableRead, parsedBodyOf, type ArmBatchStats, type BatchAnswer, type BatchSender } from '../armBatch';
import { applyPipelinePolicies, commonPipelineOptions, type PipelineSettings, type SignalLike } from '../pipeline';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** What `@azure-rest/core-client` answers for one request. */
export interface RestClientResponse {
  status: string;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Sends one JSON request to a URL through an `@azure-rest/core-client` client (the Purview data
 * plane and Graph callers): the client's pipeline (auth, retries, TLS) applies; errors are the
 * caller's to map.
 */
export async function sendThroughRestClient(client: Client, method: HttpMethod, url: string, body: unknown, abortSignal?: SignalLike): Promise<RestClientResponse> {
  const request = client.pathUnchecked(url);
  const parameters = { abortSignal, ...(body !== undefined ? { body, contentType: 'application/json; charset=utf-8' } : {}) };
  switch (method) {
    case 'GET':
      return request.get(parameters);
    case 'PUT':
      return request.put(parameters);
    case 'POST':
      return request.post(parameters);
    case 'PATCH':
      return request.patch(parameters);
    case 'DELETE':
      return request.delete(parameters);
  }
}


export interface RestCallerOptions extends PipelineSettings {
  /** e.g. `https://management.azure.com` or the sandbox's ARM endpoint. */
  endpoint: string;
  credential: TokenCredential;
  /** Token scopes, set explicitly (never derived from the endpoint). */
  scopes: string[];
  apiVersion: string;
  /**
   * Sends concurrent reads (GETs and `list…` POSTs) through ARM's batch endpoint, one pipeline
   * request per batch of up to 20 (see ../armBatch.ts). For Resource Manager endpoints only.
   */
  batchReads?: boolean;
}

export interface RawResponse<T = unknown> {
  status: number;
  headers: HttpHeaders;
  body: T | undefined;
}

export interface SendOptions {
  abortSignal?: SignalLike;
}

export type QueryValue = string | number | boolean | undefined;

export class RestCaller {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly settings: PipelineSettings;
  private readonly service: ServiceClient;
  private readonly origin: URL;
  /** Reads waiting for the next batch (when `batchReads` is on and the endpoint has not refused batches). */
  private batch: BatchQueue | undefined;

  constructor(options: RestCallerOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.origin = new URL(this.endpoint);
    this.apiVersion = options.apiVersion;
    this.settings = options;
    this.service = new ServiceClient({
      ...commonPipelineOptions(options),
      endpoint: this.endpoint,
      credential: options.credential,
      credentialScopes: options.scopes,
    });
    applyPipelinePolicies(this.service.pipeline, options);
    // Raw JSON requests without operation specs: the (de)serialization and form policies had nothing
    // to do but parse every response body a second time.
    for (const name of ['serializationPolicy', 'deserializationPolicy', 'formDataPolicy', 'multipartPolicy']) this.service.pipeline.removePolicy({ name });
    if (options.batchReads && armBatchingEnabled()) this.batch = new BatchQueue();
  }

  /** Reads carried in batches so far (undefined when this caller does not batch). */
  get batchStats(): ArmBatchStats | undefined {
    return this.batch ? { ...this.batch.stats } : undefined;
  }

  /** One batch as one pipeline request (auth, retries and logging apply to it). */
  private readonly sendBatch: BatchSender = async (items, signal) => {
    const headers = createHttpHeaders({ accept: 'application/json', 'content-type': 'application/json; charset=utf-8' });
    const request = createPipelineRequest({ url: batchUrl(this.origin.origin), method: 'POST', headers, body: batchBody(items), abortSignal: signal });
    const response = await this.service.sendRequest(request);
    if (batchRefused(response.status)) this.batch = undefined;
    return answersOf(response.status, response.bodyAsText, items.length);
  };

  /** Exposed for tests and for adding policies. */
  get pipeline(): ServiceClient['pipeline'] {
    return this.service.pipeline;
  }

  /**
   * `endpoint + path + ?api-version=…&…`. Path segments must already be encoded
   * (use `encodePath`). Query names are written as is (`$filter`), values percent-encoded.
   */
  url(path: string, query: Record<string, QueryValue> = {}): string {
    const parts = [`api-version=${encodeURIComponent(this.apiVersion)}`];
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== '') {
        parts.push(`${k}=${encodeURIComponent(String(v))}`);
      }
    }
    return `${this.endpoint}${path.startsWith('/') ? '' : '/'}${path}?${parts.join('&')}`;
  }

  /**
   * Throws unless `url` may receive this client's bearer token: https (or the endpoint's own
   * scheme) on the endpoint's host and port; loopback names are interchangeable for the sandbox.
   */
  assertFollowable(url: string): void {
    let u: URL;
    try {
      u = new URL(url, this.endpoint);
    } catch {
      throw new AzureRequestError({ code: 'InvalidResponse', message: 'The service returned a link that is not a valid URL.' });
    }
    const o = this.origin;
    const loopback = (h: string): boolean => h === 'localhost' || h === '127.0.0.1' || h === '[::1]' || h === '::1';
    const sameHost = u.hostname.toLowerCase() === o.hostname.toLowerCase() || (loopback(u.hostname) && loopback(o.hostname));
    if (u.protocol !== o.protocol || !sameHost || effectivePort(u) !== effectivePort(o)) {
      throw new AzureRequestError({
        code: 'UntrustedFollowUrl',
        message: `The service returned a link to ${u.protocol}//${u.host}, which is not the endpoint ${o.protocol}//${o.host}; it was not followed.`,
      });
    }
  }

  /**
   * Sends one JSON request. Resolves for 1xx-3xx and 2xx; rejects with `AzureRequestError` for
   * 4xx/5xx (after the pipeline's retries) and with an AbortError when `abortSignal` fires.
   */
  async send<T = unknown>(method: HttpMethod, url: string, body?: unknown, options: SendOptions = {}): Promise<RawResponse<T>> {
    throwIfAborted(options.abortSignal);
    if (this.batch && isBatchableRead(method, url) && (method === 'POST' || body === undefined)) {
      const answer = await this.batch.submit(this.endpoint, { httpMethod: method, url, ...(body !== undefined ? { content: body } : {}) }, this.sendBatch, options.abortSignal);
      // Throttling, server errors and token challenges go through the pipeline again, alone: it knows how to wait and re-authenticate.
      if (answer && !needsPipeline(answer.httpStatusCode)) return fromAnswer<T>(answer, method, url);
    }
    const headers = createHttpHeaders({ accept: 'application/json' });
    let payload: string | undefined;
    if (body !== undefined) {
      headers.set('content-type', 'application/json; charset=utf-8');
      payload = JSON.stringify(body);
    }
    const request = createPipelineRequest({ url, method, headers, body: payload, abortSignal: options.abortSignal });
    let response;
    try {
      response = await this.service.sendRequest(request);
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      throw toAzureRequestError(e);
    }
    if (response.status >= 400) {
      throw errorFromResponse({ status: response.status, headers: response.headers, bodyAsText: response.bodyAsText ?? undefined }, { method, url });
    }
    // An answer from an ARM batch arrives parsed.
    const fromBatch = parsedBodyOf(response);
    if (fromBatch) return { status: response.status, headers: response.headers, body: fromBatch.value as T };
    const text = response.bodyAsText ?? undefined;
    let parsed: T | undefined;
    if (text !== undefined && text.trim() !== '') {
      try {
        parsed = JSON.parse(text) as T;
      } catch {
        throw new AzureRequestError({
          statusCode: response.status,
          code: 'InvalidResponse',
          message: 'The service returned a body that is not valid JSON.',
          requestId: requestIdFrom(response.headers),
          method,
          url,
        });
      }
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}

function needsPipeline(status: number): boolean {
  return status === 401 || status === 408 || status === 429 || status >= 500;
}

/** A read's answer from a batch, as `send` would have returned (or thrown) it. */
function fromAnswer<T>(answer: BatchAnswer, method: HttpMethod, url: string): RawResponse<T> {
  const headers = createHttpHeaders(answer.headers);
  const content = answer.content;
  if (answer.httpStatusCode >= 400) {
    const bodyAsText = content === undefined ? undefined : typeof content === 'string' ? content : JSON.stringify(content);
    throw errorFromResponse({ status: answer.httpStatusCode, headers, bodyAsText }, { method, url });
  }
  return { status: answer.httpStatusCode, headers, body: (content ?? undefined) as T | undefined };
}

function effectivePort(u: URL): string {
  return u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
}

/** Encodes each path parameter as one segment. */
export function encodePath(strings: TemplateStringsArray, ...values: string[]): string {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    if (typeof v !== 'string' || v.length === 0) {
      throw new TypeError(`Path parameter ${i + 1} is empty; every resource name is required.`);
    }
    out += encodeURIComponent(v) + (strings[i + 1] ?? '');
  });
  return out;
}
