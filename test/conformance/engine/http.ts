/**
 * Plain HTTPS (or HTTP) JSON requests with a custom CA, bearer tokens, and the ARM long-running
 * operation protocol (Azure-AsyncOperation / Location polling, Retry-After), for replays and
 * setup steps. No SDK: what goes over the wire is exactly what the examples describe.
 */
import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  text: string;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Form body (application/x-www-form-urlencoded) instead of JSON. */
  form?: Record<string, string>;
  ca?: string | Buffer;
  timeoutMs?: number;
}

export function httpRequest(url: string, opts: HttpOptions = {}): Promise<HttpResponse> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  let payload: Buffer | undefined;
  if (opts.form) {
    payload = Buffer.from(new URLSearchParams(opts.form).toString());
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.body !== undefined) {
    payload = Buffer.from(JSON.stringify(opts.body));
    headers['content-type'] = 'application/json';
  }
  if (payload) headers['content-length'] = String(payload.length);
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: opts.method ?? 'GET', headers, ...(u.protocol === 'https:' && opts.ca ? { ca: opts.ca } : {}), timeout: opts.timeoutMs ?? 60_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          if (text.length > 0) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: h, body, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${opts.timeoutMs ?? 60_000} ms: ${opts.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export interface LroOutcome {
  /** `Succeeded`, `Failed`, `Canceled`, or `NotLongRunning` when the initial response needed no polling. */
  status: string;
  error?: { code?: string; message?: string };
  /** The final resource/result when one was served (Location 200 body or last status body). */
  result?: unknown;
  polls: number;
}

function retryAfterMs(h: Record<string, string>, fallback: number): number {
  const v = h['retry-after'];
  if (!v) return fallback;
  const secs = Number(v);
  if (!Number.isNaN(secs)) return Math.min(secs * 1000, 5000);
  const d = Date.parse(v);
  return Number.isNaN(d) ? fallback : Math.max(0, Math.min(d - Date.now(), 5000));
}

/** Follows an ARM long-running operation started by `initial` until it ends (core-lro's rules). */
export async function pollLro(initial: HttpResponse, opts: { token: string; ca?: string | Buffer; timeoutMs?: number; minDelayMs?: number }): Promise<LroOutcome> {
  const asyncUrl = initial.headers['azure-asyncoperation'] ?? initial.headers['operation-location'];
  const location = initial.headers.location;
  if (!asyncUrl && !location) return { status: 'NotLongRunning', result: initial.body, polls: 0 };
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const auth = { authorization: `Bearer ${opts.token}` };
  let polls = 0;
  let delay = retryAfterMs(initial.headers, 200);
  for (;;) {
    if (Date.now() > deadline) return { status: 'Timeout', polls, error: { code: 'Timeout', message: 'The operation did not finish in time.' } };
    await new Promise((r) => setTimeout(r, Math.max(opts.minDelayMs ?? 50, delay)));
    polls++;
    if (asyncUrl) {
      const r = await httpRequest(asyncUrl, { headers: auth, ca: opts.ca });
      const body = (r.body ?? {}) as { status?: string; error?: { code?: string; message?: string } };
      const s = String(body.status ?? '').toLowerCase();
      delay = retryAfterMs(r.headers, 200);
      if (r.status >= 400) return { status: 'Failed', error: body.error ?? { code: String(r.status), message: r.text }, polls };
      if (s.includes('succeeded')) {
        let result: unknown;
        if (location) {
          const fin = await httpRequest(location, { headers: auth, ca: opts.ca });
          result = fin.body;
        }
        return { status: 'Succeeded', result, polls };
      }
      if (s.includes('fail')) return { status: 'Failed', error: body.error, polls };
      if (s === 'canceled' || s === 'cancelled') return { status: 'Canceled', error: body.error, polls };
    } else if (location) {
      const r = await httpRequest(location, { headers: auth, ca: opts.ca });
      delay = retryAfterMs(r.headers, 200);
      if (r.status === 202) continue;
      if (r.status >= 400) return { status: 'Failed', error: (r.body as { error?: { code?: string; message?: string } } | undefined)?.error, polls };
      return { status: 'Succeeded', result: r.body, polls };
    }
  }
}
