/**
 * Coalesces concurrent Resource Manager reads into ARM's batch endpoint
 * (`POST {arm}/batch?api-version=2020-06-01`, the one the Azure portal reads through), at most 20
 * per batch.
 *
 * Why: expanding a tree or gathering the dashboard fans out hundreds of GETs at once. Each one sent
 * alone costs a stream, headers and a response on both ends; in a batch they share one round trip.
 * ARM runs a batch's requests in parallel, and each still counts against the subscription's read
 * budget and answers on its own (status, headers, body, throttling included).
 *
 * How it stays invisible: it is an HttpClient, under every pipeline policy. Each request went
 * through auth, logging and retry as usual; only its transport differs. Inner answers become
 * ordinary PipelineResponses, so a 429 inside a batch is retried by the retry policy like any other.
 *
 * What is batched: GETs without a body to an origin registered as ARM (`addArmOrigin`), carrying a
 * bearer token, issued in the same turn of the event loop as at least one other such GET with the
 * same token. A lone request goes out as itself. Anything else passes straight through.
 *
 * When the batch itself is not answered 200 (an endpoint without it, a token to refresh, a throttled
 * batch), every request in it is sent again on its own, so nothing is lost. An origin that answers
 * 404/405/501 is not batched again. `GDS_ARM_BATCH=0` turns batching off.
 */
import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createAbortError } from '../common/azureErrors';

export const ARM_BATCH_API_VERSION = '2020-06-01';
export const ARM_BATCH_MAX = 20;

/** The parsed content of an answer that came out of a batch (saves a stringify and a parse). */
const PARSED = Symbol('gds.armBatch.parsed');

export function parsedBodyOf(response: PipelineResponse): { value: unknown } | undefined {
  return (response as PipelineResponse & { [PARSED]?: { value: unknown } })[PARSED];
}

interface Pending {
  request: PipelineRequest;
  resolve(response: PipelineResponse): void;
  reject(error: unknown): void;
  done: boolean;
  detach(): void;
}

interface BatchAnswer {
  name?: string;
  httpStatusCode?: number;
  headers?: Record<string, string>;
  content?: unknown;
}

export interface ArmBatchStats {
  /** Batches sent and the requests they carried. */
  batches: number;
  batched: number;
  /** Requests sent on their own after their batch was not answered 200. */
  resent: number;
}

export class ArmBatchingHttpClient implements HttpClient {
  readonly stats: ArmBatchStats = { batches: 0, batched: 0, resent: 0 };
  private readonly armOrigins = new Set<string>();
  private readonly unsupported = new Set<string>();
  private readonly queues = new Map<string, Pending[]>();
  private readonly tlsIds = new WeakMap<object, number>();
  private nextTlsId = 1;
  private scheduled = false;

  constructor(
    private readonly inner: HttpClient,
    private readonly maxPerBatch = ARM_BATCH_MAX,
  ) {}

  /** Registers a Resource Manager endpoint whose reads may be batched. */
  addArmOrigin(endpoint: string): void {
    this.armOrigins.add(new URL(endpoint).origin);
  }

  sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const key = this.keyOf(request);
    if (key === undefined) return this.inner.sendRequest(request);
    if (request.abortSignal?.aborted) return Promise.reject(createAbortError());
    return new Promise<PipelineResponse>((resolve, reject) => {
      const signal = request.abortSignal;
      const onAbort = (): void => settle(() => reject(createAbortError()));
      const p: Pending = {
        request,
        done: false,
        resolve: (r) => settle(() => resolve(r)),
        reject: (e) => settle(() => reject(e)),
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      const settle = (fn: () => void): void => {
        if (p.done) return;
        p.done = true;
        p.detach();
        fn();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      let q = this.queues.get(key);
      if (!q) this.queues.set(key, (q = []));
      q.push(p);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** The queue a request joins, or undefined when it is not a batchable ARM read. */
  private keyOf(request: PipelineRequest): string | undefined {
    if (request.method !== 'GET' || (request.body !== undefined && request.body !== null)) return undefined;
    if (request.proxySettings || request.agent || request.onDownloadProgress || (request.streamResponseStatusCodes && request.streamResponseStatusCodes.size > 0)) return undefined;
    const auth = request.headers.get('authorization');
    if (!auth || !/^bearer /i.test(auth)) return undefined;
    const url = request.url;
    const slash = url.indexOf('/', url.indexOf('//') + 2);
    const origin = slash < 0 ? url : url.slice(0, slash);
    if (!this.armOrigins.has(origin) || this.unsupported.has(origin)) return undefined;
    if (/^\/batch(\?|\/|$)/i.test(url.slice(slash))) return undefined;
    return `${origin}\n${this.tlsId(request)}\n${auth}`;
  }

  private tlsId(request: PipelineRequest): number {
    const t = request.tlsSettings as object | undefined;
    if (!t) return 0;
    let id = this.tlsIds.get(t);
    if (!id) this.tlsIds.set(t, (id = this.nextTlsId++));
    return id;
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.queues.values()];
    this.queues.clear();
    for (const q of queues) {
      const live = q.filter((p) => !p.done);
      if (live.length === 1) {
        this.alone(live[0]);
        continue;
      }
      for (let i = 0; i < live.length; i += this.maxPerBatch) {
        const chunk = live.slice(i, i + this.maxPerBatch);
        if (chunk.length === 1) this.alone(chunk[0]);
        else void this.sendBatch(chunk);
      }
    }
  }

  private alone(p: Pending): void {
    if (p.done) return;
    this.inner.sendRequest(p.request).then(p.resolve, p.reject);
  }

  private async sendBatch(items: Pending[]): Promise<void> {
    const first = items[0].request;
    const slash = first.url.indexOf('/', first.url.indexOf('//') + 2);
    const origin = first.url.slice(0, slash);
    const headers = createHttpHeaders({
      authorization: first.headers.get('authorization')!,
      accept: 'application/json',
      'content-type': 'application/json; charset=utf-8',
    });
    const ua = first.headers.get('user-agent');
    if (ua) headers.set('user-agent', ua);
    // The batch is abandoned only when every request in it was.
    const controller = new AbortController();
    let open = items.length;
    for (const p of items) {
      const signal = p.request.abortSignal;
      if (!signal) continue;
      const onAbort = (): void => {
        if (--open === 0) controller.abort();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const detach = p.detach;
      p.detach = () => {
        detach();
        signal.removeEventListener('abort', onAbort);
      };
    }
    const batch = createPipelineRequest({
      url: `${origin}/batch?api-version=${ARM_BATCH_API_VERSION}`,
      method: 'POST',
      headers,
      body: JSON.stringify({ requests: items.map((p, i) => ({ httpMethod: 'GET', url: p.request.url, name: String(i) })) }),
      abortSignal: controller.signal,
      timeout: Math.max(0, ...items.map((p) => p.request.timeout)),
    });
    batch.tlsSettings = first.tlsSettings;
    headers.set('x-ms-client-request-id', batch.requestId);
    this.stats.batches++;
    this.stats.batched += items.length;
    let response: PipelineResponse;
    try {
      response = await this.inner.sendRequest(batch);
    } catch (e) {
      for (const p of items) p.reject(e);
      return;
    }
    let answers: BatchAnswer[] | undefined;
    if (response.status === 200 && response.bodyAsText) {
      try {
        const parsed = JSON.parse(response.bodyAsText) as { responses?: unknown };
        if (Array.isArray(parsed.responses)) answers = parsed.responses as BatchAnswer[];
      } catch {
        answers = undefined;
      }
    }
    if (!answers) {
      if (response.status === 404 || response.status === 405 || response.status === 501) this.unsupported.add(origin);
      this.resend(items);
      return;
    }
    const byName = new Map<string, BatchAnswer>();
    for (const a of answers) if (a && typeof a.name === 'string') byName.set(a.name, a);
    const missing: Pending[] = [];
    items.forEach((p, i) => {
      const a = byName.get(String(i)) ?? (byName.size === 0 ? answers[i] : undefined);
      if (!a || typeof a.httpStatusCode !== 'number') missing.push(p);
      else p.resolve(toResponse(p.request, a));
    });
    this.resend(missing);
  }

  private resend(items: Pending[]): void {
    for (const p of items) {
      if (p.done) continue;
      this.stats.resent++;
      this.alone(p);
    }
  }
}

function toResponse(request: PipelineRequest, a: BatchAnswer): PipelineResponse {
  const headers = createHttpHeaders();
  for (const [k, v] of Object.entries(a.headers ?? {})) if (v !== undefined && v !== null) headers.set(k, String(v));
  const response: PipelineResponse = { request, status: a.httpStatusCode!, headers };
  const content = a.content;
  if (content === undefined || content === null) return response;
  if (typeof content === 'string') {
    response.bodyAsText = content;
    return response;
  }
  // The body's text only when someone reads it (the SDK's deserializer does; our callers take the parsed value).
  let text: string | undefined;
  Object.defineProperty(response, 'bodyAsText', {
    enumerable: true,
    configurable: true,
    get: () => (text ??= JSON.stringify(content)),
    set: (v: string | null | undefined) => {
      text = v ?? undefined;
      delete (response as PipelineResponse & { [PARSED]?: unknown })[PARSED];
    },
  });
  (response as PipelineResponse & { [PARSED]?: { value: unknown } })[PARSED] = { value: content };
  return response;
}
