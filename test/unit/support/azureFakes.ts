/**
 * Fakes for src/azure unit tests, only at the HTTP boundary: a scripted `HttpClient` passed
 * through the pipeline options, a fake TokenCredential, and a recording sleep.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import type { PipelineSettings, Sleep } from '../../../src/azure/pipeline';

export const SECRET_TOKEN = 'eyJhbGciOiJub25lIn0.eyJzZWNyZXQiOiJTRUNSRVQtVE9LRU4tOTk5In0.c2lnbmF0dXJl';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  bodyText?: string;
  body?: unknown;
  /** The CA the request would trust (set by the pipeline's TLS policy). */
  tlsCa?: unknown;
}

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  /** Object → JSON; string → sent as is. */
  body?: unknown;
}

export type Handler = (req: RecordedRequest, signal?: PipelineRequest['abortSignal']) => Scripted | Error | Promise<Scripted | Error>;

export class FakeHttpClient implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: (Scripted | Error | Handler)[] = [];

  constructor(private readonly fallback: Handler = () => ({ status: 200, body: { value: [] } })) {}

  /** Responses served in order; after the queue empties, the fallback handler answers. */
  enqueue(...responses: (Scripted | Error | Handler)[]): this {
    this.queue.push(...responses);
    return this;
  }

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    if (request.abortSignal?.aborted) {
      throw abortError();
    }
    const bodyText = typeof request.body === 'string' ? request.body : undefined;
    let body: unknown;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = bodyText;
      }
    }
    const rec: RecordedRequest = { method: request.method, url: request.url, headers: request.headers.toJSON(), bodyText, body, tlsCa: request.tlsSettings?.ca };
    this.requests.push(rec);
    const next = this.queue.shift() ?? this.fallback;
    const outcome = typeof next === 'function' ? await next(rec, request.abortSignal) : next;
    if (outcome instanceof Error) {
      throw outcome;
    }
    const text = outcome.body === undefined ? undefined : typeof outcome.body === 'string' ? outcome.body : JSON.stringify(outcome.body);
    const headers = createHttpHeaders({ ...(text !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...outcome.headers });
    return { request, status: outcome.status, headers, bodyAsText: text };
  }
}

export function abortError(): Error {
  const e = new Error('The operation was aborted.');
  e.name = 'AbortError';
  return e;
}

/** A handler that never answers until the request is aborted. */
export const hang: Handler = (_req, signal) =>
  new Promise<Error>((resolve) => {
    signal?.addEventListener('abort', () => resolve(abortError()));
  });

export class FakeCredential implements TokenCredential {
  readonly calls: { scopes: string[]; options?: GetTokenOptions }[] = [];
  constructor(private readonly token = SECRET_TOKEN) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.calls.push({ scopes: Array.isArray(scopes) ? scopes : [scopes], options });
    return { token: this.token, expiresOnTimestamp: Date.now() + 3600_000, tokenType: 'Bearer' };
  }
}

export interface Harness {
  http: FakeHttpClient;
  credential: FakeCredential;
  sleeps: number[];
  settings: PipelineSettings;
}

/** Pipeline settings with the fake network and a sleep that records and returns at once. */
export function harness(extra: Partial<PipelineSettings> = {}, http = new FakeHttpClient()): Harness {
  const sleeps: number[] = [];
  const sleep: Sleep = async (ms, signal) => {
    sleeps.push(ms);
    if (signal?.aborted) {
      throw abortError();
    }
  };
  return { http, credential: new FakeCredential(), sleeps, settings: { httpClient: http, sleep, ...extra } };
}

export const SUB = '00000000-0000-0000-0000-0000000000aa';
export const ARM = 'https://management.azure.com';
