/**
 * A webhook subscriber for Event Grid tests: an HTTPS server on 127.0.0.1 with the sandbox's own
 * certificate (so the sandbox trusts it, as Azure trusts a public certificate). It answers the
 * validation handshake (Event Grid schema: `{validationResponse}`; CloudEvents: `OPTIONS` with
 * `WebHook-Allowed-Origin`) and records every notification it receives, in order.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import type { IncomingHttpHeaders } from 'node:http';

export interface Receipt {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed body (an array for Event Grid schema, an object for a CloudEvent). */
  body: unknown;
  /** What this subscriber answered. */
  status: number;
  at: number;
}

export interface WebhookOptions {
  /** `auto` answers the handshake; `ignore` answers 200 without the code (manual validation); `refuse` answers 403. */
  validation?: 'auto' | 'ignore' | 'refuse';
}

export class TestWebhook {
  readonly receipts: Receipt[] = [];
  /** Answers the next N notifications with 500 (then 200 again). */
  failNext = 0;
  /** Leaves the next N notifications unanswered (the sender times out). */
  hangNext = 0;
  /** Validation events received (their data: validationCode, validationUrl). */
  readonly validations: { validationCode: string; validationUrl: string }[] = [];
  private server: https.Server | undefined;
  port = 0;

  constructor(private readonly dataDir: string, private readonly options: WebhookOptions = {}) {}

  url(p = '/hook'): string {
    return `https://127.0.0.1:${this.port}${p}`;
  }

  /** Notifications answered 2xx (what a subscriber keeps). */
  get delivered(): Receipt[] {
    return this.receipts.filter((r) => r.method === 'POST' && r.headers['aeg-event-type'] === 'Notification' && r.status >= 200 && r.status < 300);
  }

  /** The CloudEvents (or Event Grid events) of successful deliveries, flattened. */
  events<T = Record<string, unknown>>(): T[] {
    return this.delivered.flatMap((r) => (Array.isArray(r.body) ? (r.body as T[]) : [r.body as T]));
  }

  async start(): Promise<this> {
    const tls = path.join(this.dataDir, 'tls');
    this.server = https.createServer({ cert: fs.readFileSync(path.join(tls, 'server-cert.pem')), key: fs.readFileSync(path.join(tls, 'server-key.pem')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        const mode = this.options.validation ?? 'auto';
        const record = (status: number) => this.receipts.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, status, at: Date.now() });
        if (req.method === 'OPTIONS') {
          if (mode === 'refuse') {
            record(403);
            res.writeHead(403).end();
            return;
          }
          record(200);
          res.writeHead(200, { 'WebHook-Allowed-Origin': String(req.headers['webhook-request-origin'] ?? '') }).end();
          return;
        }
        if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
          const data = (Array.isArray(body) ? (body[0] as { data?: { validationCode: string; validationUrl: string } }) : undefined)?.data;
          if (data) this.validations.push(data);
          if (mode === 'refuse') {
            record(403);
            res.writeHead(403).end();
          } else if (mode === 'ignore') {
            record(200);
            res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          } else {
            record(200);
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ validationResponse: data?.validationCode }));
          }
          return;
        }
        if (this.hangNext > 0) {
          this.hangNext--;
          record(0);
          return;
        }
        if (this.failNext > 0) {
          this.failNext--;
          record(500);
          res.writeHead(500).end('try later');
          return;
        }
        record(200);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** Resolves when `predicate` holds (polling), or rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'webhook condition'): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}; receipts: ${JSON.stringify(this.receipts.map((r) => [r.method, r.headers['aeg-event-type'], r.status]))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
