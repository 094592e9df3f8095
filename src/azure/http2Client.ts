/**
 * An HttpClient for the Azure SDK pipelines that speaks HTTP/2 where the server offers it (ALPN `h2`)
 * and hands everything else to the SDK's own HTTP/1.1 client.
 *
 * Why: the trees and the dashboard fan out hundreds of reads at once. Over HTTP/1.1 each concurrent
 * request needs its own TLS connection, and the handshakes, not the requests, became the cost (about
 * 7 ms of CPU per connection measured locally; 600 parallel GETs took 4.3 s of CPU over HTTP/1.1 and
 * 0.86 s over one HTTP/2 connection). One multiplexed connection per origin removes them.
 *
 * What goes to HTTP/1.1 instead: origins that did not negotiate `h2` (remembered), plain http,
 * proxies, custom agents, streamed request bodies and responses the caller wants as a stream (blob
 * downloads), form data and progress callbacks. `GDS_HTTP2=0` turns HTTP/2 off.
 */
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import * as zlib from 'node:zlib';
import { createDefaultHttpClient, createHttpHeaders, RestError, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { createAbortError } from '../common/azureErrors';
import { ArmBatchingHttpClient, type ArmBatchStats } from './armBatch';

/** HTTP/1.1-only headers that HTTP/2 forbids. */
const CONNECTION_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te']);
/** How long an idle session stays open. */
const IDLE_MS = 60_000;
/** How long a new connection may take to negotiate. */
const CONNECT_MS = 30_000;

interface Session {
  session: http2.ClientHttp2Session;
  inflight: number;
}

export class Http2HttpClient implements HttpClient {
  private readonly sessions = new Map<string, Promise<Session | undefined>>();
  private readonly live = new Map<string, Session>();
  private readonly http1Origins = new Set<string>();
  private readonly tlsIds = new WeakMap<object, number>();
  private nextTlsId = 1;

  constructor(private readonly fallback: HttpClient = createDefaultHttpClient()) {}

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    if (!this.suitable(request)) return this.fallback.sendRequest(request);
    const url = new URL(request.url);
    const key = this.keyOf(url.origin, request);
    if (this.http1Origins.has(key)) return this.fallback.sendRequest(request);
    if (request.abortSignal?.aborted) throw createAbortError();
    let s = await this.session(key, url, request);
    if (s && (s.session.closed || s.session.destroyed)) {
      this.drop(key, s);
      s = await this.session(key, url, request);
    }
    if (!s) return this.fallback.sendRequest(request);
    return this.send(s, url, request);
  }

  /** Closes every session (tests, shutdown). */
  close(): void {
    for (const s of this.live.values()) s.session.close();
    this.live.clear();
    this.sessions.clear();
  }

  private drop(key: string, s: Session): void {
    if (this.live.get(key) !== s) return;
    this.live.delete(key);
    this.sessions.delete(key);
  }

  private suitable(request: PipelineRequest): boolean {
    if (!request.url.startsWith('https:')) return false;
    if (request.proxySettings || request.agent || request.multipartBody || request.onUploadProgress || request.onDownloadProgress) return false;
    if (request.streamResponseStatusCodes && request.streamResponseStatusCodes.size > 0) return false;
    const b = request.body;
    return b === undefined || b === null || typeof b === 'string' || b instanceof Uint8Array || b instanceof ArrayBuffer;
  }

  /** Sessions are per origin and TLS settings (the sandbox's CA is not the public roots). */
  private keyOf(origin: string, request: PipelineRequest): string {
    const t = request.tlsSettings as object | undefined;
    if (!t) return origin;
    let id = this.tlsIds.get(t);
    if (!id) {
      id = this.nextTlsId++;
      this.tlsIds.set(t, id);
    }
    return `${origin}#${id}`;
  }

  private session(key: string, url: URL, request: PipelineRequest): Promise<Session | undefined> {
    let p = this.sessions.get(key);
    if (!p) {
      p = this.connect(key, url, request).catch((e) => {
        this.sessions.delete(key);
        throw e;
      });
      this.sessions.set(key, p);
    }
    return p;
  }

  /** TLS with ALPN first: `h2` gets a session; anything else is remembered as HTTP/1.1. */
  private connect(key: string, url: URL, request: PipelineRequest): Promise<Session | undefined> {
    const settings = (request.tlsSettings ?? {}) as tls.ConnectionOptions;
    return new Promise<Session | undefined>((resolve, reject) => {
      const socket = tls.connect({
        ...settings,
        host: url.hostname,
        port: Number(url.port || 443),
        servername: /^[\d.]+$|:/.test(url.hostname) ? undefined : url.hostname,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`Connecting to ${url.origin} took longer than ${CONNECT_MS / 1000} s.`), { code: 'ETIMEDOUT' })), CONNECT_MS);
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new RestError(e.message, { code: (e as NodeJS.ErrnoException).code ?? RestError.REQUEST_SEND_ERROR, request }));
      });
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        if (socket.alpnProtocol !== 'h2') {
          this.http1Origins.add(key);
          this.sessions.delete(key);
          socket.end();
          resolve(undefined);
          return;
        }
        const session = http2.connect(url.origin, { createConnection: () => socket });
        const s: Session = { session, inflight: 0 };
        this.live.set(key, s);
        const forget = () => this.drop(key, s);
        session.on('error', forget);
        session.on('goaway', forget);
        session.on('close', forget);
        session.setTimeout(IDLE_MS, () => {
          if (s.inflight === 0) session.close();
        });
        session.unref();
        resolve(s);
      });
    });
  }

  private send(s: Session, url: URL, request: PipelineRequest): Promise<PipelineResponse> {
    const headers: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': `${url.pathname}${url.search}`, ':scheme': 'https', ':authority': url.host };
    for (const [name, value] of request.headers) {
      const n = name.toLowerCase();
      if (!CONNECTION_HEADERS.has(n) && n !== 'accept-encoding') headers[n] = value;
    }
    headers['accept-encoding'] = 'gzip, deflate';
    const body = request.body as string | Uint8Array | ArrayBuffer | undefined | null;
    const payload = body === undefined || body === null ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body instanceof ArrayBuffer ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (payload) headers['content-length'] = String(payload.length);

    return new Promise<PipelineResponse>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = s.session.request(headers, { endStream: !payload });
      } catch (e) {
        reject(new RestError((e as Error).message, { code: RestError.REQUEST_SEND_ERROR, request }));
        return;
      }
      s.inflight++;
      if (s.inflight === 1) s.session.ref();
      let settled = false;
      const done = () => {
        s.inflight--;
        if (s.inflight === 0 && !s.session.destroyed) s.session.unref();
        request.abortSignal?.removeEventListener('abort', onAbort);
      };
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        done();
        reject(e);
      };
      const onAbort = () => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        fail(createAbortError());
      };
      request.abortSignal?.addEventListener('abort', onAbort, { once: true });
      if (request.timeout > 0) {
        stream.setTimeout(request.timeout, () => {
          stream.close(http2.constants.NGHTTP2_CANCEL);
          fail(new RestError(`The request timed out after ${request.timeout} ms.`, { code: RestError.REQUEST_SEND_ERROR, request }));
        });
      }
      stream.on('error', (e) => fail(new RestError(e.message, { code: (e as NodeJS.ErrnoException).code ?? RestError.REQUEST_SEND_ERROR, request })));
      stream.on('response', (h) => {
        const status = Number(h[':status']);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (settled) return;
          const responseHeaders = createHttpHeaders();
          for (const [k, v] of Object.entries(h)) {
            if (k.startsWith(':') || v === undefined) continue;
            responseHeaders.set(k, Array.isArray(v) ? v.join(', ') : String(v));
          }
          let buf = Buffer.concat(chunks);
          try {
            const enc = String(h['content-encoding'] ?? '').toLowerCase();
            if (enc === 'gzip') buf = zlib.gunzipSync(buf);
            else if (enc === 'deflate') buf = zlib.inflateSync(buf);
          } catch (e) {
            fail(new RestError(`Could not decompress the response: ${(e as Error).message}`, { code: RestError.PARSE_ERROR, request }));
            return;
          }
          settled = true;
          done();
          resolve({ request, status, headers: responseHeaders, bodyAsText: buf.toString('utf8') });
        });
      });
      if (payload) stream.end(payload);
    });
  }
}

let shared: HttpClient | undefined;
let batching: ArmBatchingHttpClient | undefined;

/**
 * The one HttpClient every Azure client of this process shares (its sessions are the connection
 * pool): HTTP/2 where offered, and concurrent reads of registered ARM endpoints batched (armBatch.ts).
 */
export function sharedHttpClient(): HttpClient {
  if (!shared) {
    const transport = process.env.GDS_HTTP2 === '0' ? createDefaultHttpClient() : new Http2HttpClient();
    if (process.env.GDS_ARM_BATCH === '0') shared = transport;
    else shared = batching = new ArmBatchingHttpClient(transport);
  }
  return shared;
}

/** Lets the shared client batch reads of this Resource Manager endpoint (no-op when batching is off). */
export function allowArmBatching(armEndpoint: string): void {
  sharedHttpClient();
  batching?.addArmOrigin(armEndpoint);
}

/** The shared client's batching counters (undefined when batching is off). */
export function armBatchStats(): ArmBatchStats | undefined {
  return batching ? { ...batching.stats } : undefined;
}
