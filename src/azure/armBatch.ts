/**
 * Coalesces concurrent Resource Manager reads into ARM's batch endpoint
 * (`POST {arm}/batch?api-version=2020-06-01`, the one the Azure portal reads through), at most 20
 * per batch.
 *
 * Why: expanding a tree or gathering the dashboard fans out hundreds of reads at once. Each one sent
 * alone costs a trip through the pipeline, a stream, headers and a response on both ends; in a batch
 * they share one. ARM runs a batch's requests in parallel, and each still counts against the
 * subscription's read budget and answers on its own (status, headers, body, throttling included).
 *
 * What is batched: GETs, and the read-only `list…` POST actions with a JSON body or none, issued in
 * the same turn of the event loop as at least one other such read for the same endpoint and token.
 * A lone read goes out as itself.
 *
 * Two users of one queue (`BatchQueue`):
 *  - `ArmBatchingHttpClient`, under every SDK pipeline (auth, logging and retry ran per request;
 *    only the transport differs; inner answers become ordinary PipelineResponses, so a 429 inside a
 *    batch is retried by the retry policy like any other);
 *  - `RestCaller` (core/rest.ts), the Data Share client's caller, above its pipeline: the batch is
 *    one pipeline request, and a read whose answer needs the pipeline (429, 5xx, 401) is sent again
 *    on its own through it.
 *
 * When the batch itself is not answered 200 (an endpoint without it, a token to refresh, a throttled
 * batch), every read in it is sent again on its own, so nothing is lost. An origin that answers
 * 404/405/501 is not batched again. `GDS_ARM_BATCH=0` turns batching off.
 */
import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createAbortError } from '../common/azureErrors';

export const ARM_BATCH_API_VERSION = '2020-06-01';
export const ARM_BATCH_MAX = 20;

/** Whether batching is on in this process (`GDS_ARM_BATCH=0` turns it off). */
export function armBatchingEnabled(): boolean {
  return process.env.GDS_ARM_BATCH !== '0';
}

/** One read as ARM's batch envelope carries it. */
export interface BatchItem {
  httpMethod: string;
  url: string;
  content?: unknown;
}

/** One inner answer of a batch. */
export interface BatchAnswer {
  name?: string;
  httpStatusCode: number;
  headers?: Record<string, string>;
  content?: unknown;
}

/** Sends one batch; resolves to the answers in the items' order (undefined where one is missing), or undefined when the batch was not answered. */
export type BatchSender = (items: BatchItem[], signal: AbortSignal) => Promise<Array<BatchAnswer | undefined> | undefined>;

interface Pending {
  item: BatchItem;
  resolve(answer: BatchAnswer | undefined): void;
  reject(error: unknown): void;
  done: boolean;
  detach(): void;
  signal?: AbortSignalLike;
}

type AbortSignalLike = NonNullable<PipelineRequest['abortSignal']>;

export interface ArmBatchStats {
  /** Batches sent and the reads they carried. */
  batches: number;
  batched: number;
  /** Reads sent on their own after their batch (or their answer in it) could not be used. */
  resent: number;
}

/**
 * Collects reads per key until the event loop turns (or a batch is full), then sends them in
 * batches of at most `max`.
 * `submit` resolves to the read's answer, or to undefined when the caller must send it alone (it
 * was the only one, or its batch was not answered).
 */
export class BatchQueue {
  readonly stats: ArmBatchStats = { batches: 0, batched: 0, resent: 0 };
  private readonly queues = new Map<string, { sender: BatchSender; items: Pending[] }>();
  private scheduled = false;

  constructor(private readonly max = ARM_BATCH_MAX) {}

  submit(key: string, item: BatchItem, sender: BatchSender, signal?: AbortSignalLike): Promise<BatchAnswer | undefined> {
    if (signal?.aborted) return Promise.reject(createAbortError());
    return new Promise<BatchAnswer | undefined>((resolve, reject) => {
      const onAbort = (): void => settle(() => reject(createAbortError()));
      const p: Pending = {
        item,
        signal,
        done: false,
        resolve: (a) => settle(() => resolve(a)),
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
      if (!q) this.queues.set(key, (q = { sender, items: [] }));
      q.items.push(p);
      if (q.items.length >= this.max) {
        // A full batch goes now: the reads still to come in this turn need not hold it back.
        const full = q.items.splice(0, q.items.length).filter((x) => !x.done);
        if (full.length > 1) void this.send(full, q.sender);
        else full.forEach((x) => x.resolve(undefined));
        return;
      }
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queues = [...this.queues.values()];
    this.queues.clear();
    for (const q of queues) {
      const live = q.items.filter((p) => !p.done);
      for (let i = 0; i < live.length; i += this.max) {
        const chunk = live.slice(i, i + this.max);
        if (chunk.length === 1) chunk[0].resolve(undefined);
        else void this.send(chunk, q.sender);
      }
    }
  }

  private async send(items: Pending[], sender: BatchSender): Promise<void> {
    // The batch is abandoned only when every read in it was.
    const controller = new AbortController();
    let open = items.length;
    for (const p of items) {
      const signal = p.signal;
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
    this.stats.batches++;
    this.stats.batched += items.length;
    let answers: Array<BatchAnswer | undefined> | undefined;
    try {
      answers = await sender(items.map((p) => p.item), controller.signal);
    } catch (e) {
      for (const p of items) p.reject(e);
      return;
    }
    items.forEach((p, i) => {
      const a = answers?.[i];
      if (!a && !p.done) this.stats.resent++;
      p.resolve(a);
    });
  }
}

/** The answers of a batch response body in the items' order, or undefined when it is not one. */
export function answersOf(status: number, bodyAsText: string | null | undefined, count: number): Array<BatchAnswer | undefined> | undefined {
  if (status !== 200 || !bodyAsText) return undefined;
  let responses: unknown;
  try {
    responses = (JSON.parse(bodyAsText) as { responses?: unknown }).responses;
  } catch {
    return undefined;
  }
  if (!Array.isArray(responses)) return undefined;
  const byName = new Map<string, BatchAnswer>();
  for (const a of responses as BatchAnswer[]) if (a && typeof a.name === 'string') byName.set(a.name, a);
  return Array.from({ length: count }, (_, i) => {
    const a = byName.get(String(i)) ?? (byName.size === 0 ? (responses as BatchAnswer[])[i] : undefined);
    return a && typeof a.httpStatusCode === 'number' ? a : undefined;
  });
}

/** The batch envelope's body: each read named by its position. */
export function batchBody(items: BatchItem[]): string {
  return JSON.stringify({ requests: items.map((it, i) => ({ httpMethod: it.httpMethod, url: it.url, name: String(i), ...(it.content !== undefined ? { content: it.content } : {}) })) });
}

export function batchUrl(origin: string): string {
  return `${origin}/batch?api-version=${ARM_BATCH_API_VERSION}`;
}

/** ARM's read-only actions are POSTs named `list…` (listSynchronizations, listKeys, …): they read. */
export function isListAction(path: string): boolean {
  return /\/list[A-Za-z]*$/.test(path);
}

/** An endpoint without the batch endpoint answers it so: it is not asked again. */
export function batchRefused(status: number): boolean {
  return status === 404 || status === 405 || status === 501;
}

/**
 * Whether a request is a read ARM's batch can carry: a GET, or a POST to a read-only `list…` action,
 * never the batch endpoint itself.
 */
export function isBatchableRead(method: string, url: string): boolean {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (isBatchPath(path.slice(originOf(path).length))) return false;
  return method === 'GET' || (method === 'POST' && isListAction(path));
}

/** Whether a URL path (no origin, no query) is ARM's batch endpoint. */
export function isBatchPath(pathname: string): boolean {
  return /^\/batch$/i.test(pathname);
}

export function originOf(url: string): string {
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? url : url.slice(0, slash);
}

/** The parsed content of an answer that came out of a batch (saves a stringify and a parse). */
const PARSED = Symbol('gds.armBatch.parsed');

export function parsedBodyOf(response: PipelineResponse): { value: unknown } | undefined {
  return (response as PipelineResponse & { [PARSED]?: { value: unknown } })[PARSED];
}

/** An inner answer as a PipelineResponse to `request`; the body's text only when someone reads it. */
export function toPipelineResponse(request: PipelineRequest, a: BatchAnswer): PipelineResponse {
  const headers = createHttpHeaders();
  for (const [k, v] of Object.entries(a.headers ?? {})) if (v !== undefined && v !== null) headers.set(k, String(v));
  const response: PipelineResponse = { request, status: a.httpStatusCode, headers };
  const content = a.content;
  if (content === undefined || content === null) return response;
  if (typeof content === 'string') {
    response.bodyAsText = content;
    return response;
  }
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

const INVALID = Symbol('invalid');

/** A request's JSON body as batch content: undefined without one, INVALID when it is not JSON text. */
function batchContent(request: PipelineRequest): unknown {
  const b = request.body;
  if (b === undefined || b === null || b === '') return undefined;
  if (typeof b !== 'string' || request.method === 'GET') return INVALID;
  try {
    return JSON.parse(b);
  } catch {
    return INVALID;
  }
}

/** Batches the reads of registered ARM origins that reach it, under every pipeline policy. */
export class ArmBatchingHttpClient implements HttpClient {
  private readonly queue: BatchQueue;
  private readonly armOrigins = new Set<string>();
  private readonly unsupported = new Set<string>();
  private readonly tlsIds = new WeakMap<object, number>();
  private nextTlsId = 1;

  constructor(
    private readonly inner: HttpClient,
    max = ARM_BATCH_MAX,
  ) {
    this.queue = new BatchQueue(max);
  }

  get stats(): ArmBatchStats {
    return this.queue.stats;
  }

  /** Registers a Resource Manager endpoint whose reads may be batched. */
  addArmOrigin(endpoint: string): void {
    this.armOrigins.add(new URL(endpoint).origin);
  }

  /** Whether reads of this origin may go in batches (registered, and the endpoint has not refused them). */
  batches(origin: string): boolean {
    return this.armOrigins.has(origin) && !this.unsupported.has(origin);
  }

  /** Sends one batch through the transport (no pipeline: the reads in it went through theirs). */
  senderFor(first: PipelineRequest): BatchSender {
    return async (items, signal) => {
      const origin = originOf(first.url);
      const headers = createHttpHeaders({ authorization: first.headers.get('authorization')!, accept: 'application/json', 'content-type': 'application/json; charset=utf-8' });
      const ua = first.headers.get('user-agent');
      if (ua) headers.set('user-agent', ua);
      const batch = createPipelineRequest({ url: batchUrl(origin), method: 'POST', headers, body: batchBody(items), abortSignal: signal, timeout: first.timeout });
      batch.tlsSettings = first.tlsSettings;
      headers.set('x-ms-client-request-id', batch.requestId);
      const response = await this.inner.sendRequest(batch);
      if (batchRefused(response.status)) this.unsupported.add(origin);
      return answersOf(response.status, response.bodyAsText, items.length);
    };
  }


  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const key = this.keyOf(request);
    const content = key === undefined ? INVALID : batchContent(request);
    if (key === undefined || content === INVALID) return this.inner.sendRequest(request);
    const answer = await this.queue.submit(key, { httpMethod: request.method, url: request.url, ...(content !== undefined ? { content } : {}) }, this.senderFor(request), request.abortSignal);
    return answer ? toPipelineResponse(request, answer) : this.inner.sendRequest(request);
  }

  /** The queue a request joins, or undefined when it is not a batchable ARM read. */
  private keyOf(request: PipelineRequest): string | undefined {
    if (!isBatchableRead(request.method, request.url)) return undefined;
    if (request.proxySettings || request.agent || request.onDownloadProgress || (request.streamResponseStatusCodes && request.streamResponseStatusCodes.size > 0)) return undefined;
    const auth = request.headers.get('authorization');
    if (!auth || !/^bearer /i.test(auth)) return undefined;
    const origin = originOf(request.url);
    if (!this.batches(origin)) return undefined;
    return `${origin}\n${this.tlsId(request)}\n${auth}`;
  }

  private tlsId(request: PipelineRequest): number {
    const t = request.tlsSettings as object | undefined;
    if (!t) return 0;
    let id = this.tlsIds.get(t);
    if (!id) this.tlsIds.set(t, (id = this.nextTlsId++));
    return id;
  }
}
