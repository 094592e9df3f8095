/**
 * The process-wide HttpClient (src/azure/http2Client.ts) over real TLS on this machine: HTTP/2 with
 * one connection for many parallel requests where the server negotiates `h2`, the SDK's HTTP/1.1
 * client where it does not, and the pipeline request's body, headers, compression, abort and
 * timeout honoured either way.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { Http2HttpClient } from '../../src/azure';
import { tlsOptionsFor } from '../../src/azure/pipeline';
import { ensureTls, type TlsMaterial } from '../../src/sandbox/core/tls';

describe('the HTTP/2 client with HTTP/1.1 fallback (local TLS servers)', function () {
  this.timeout(60_000);
  let tlsMaterial: TlsMaterial;
  let h2: http2.Http2SecureServer;
  let h1: https.Server;
  let h2Url: string;
  let h1Url: string;
  let sessions = 0;
  let h1Connections = 0;
  const seen: Array<{ version: string; method: string; path: string; headers: Record<string, unknown>; body: string }> = [];

  const handler = (req: http2.Http2ServerRequest | import('node:http').IncomingMessage, res: http2.Http2ServerResponse | import('node:http').ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ version: req.httpVersion, method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body });
      const url = new URL(req.url ?? '/', 'https://x');
      const wait = Number(url.searchParams.get('wait') ?? 0);
      setTimeout(() => {
        const payload = JSON.stringify({ path: url.pathname, method: req.method, body, version: req.httpVersion });
        if (url.pathname === '/gzip') {
          const z = zlib.gzipSync(payload);
          (res as import('node:http').ServerResponse).writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(z.length) });
          res.end(z);
          return;
        }
        (res as import('node:http').ServerResponse).writeHead(url.pathname === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-ms-request-id': 'r1' });
        res.end(payload);
      }, wait);
    });
  };

  before(async () => {
    tlsMaterial = await ensureTls(fs.mkdtempSync(path.join(os.tmpdir(), 'gds-h2-')));
    h2 = http2.createSecureServer({ cert: tlsMaterial.cert, key: tlsMaterial.key, allowHTTP1: true }, handler);
    h2.on('session', () => sessions++);
    h1 = https.createServer({ cert: tlsMaterial.cert, key: tlsMaterial.key }, handler);
    h1.on('secureConnection', () => h1Connections++);
    await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
    h2Url = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    h1Url = `https://127.0.0.1:${(h1.address() as AddressInfo).port}`;
  });
  after(() => {
    h2.close();
    h1.close();
  });

  const req = (url: string, init: { method?: 'GET' | 'POST' | 'PUT'; body?: string; headers?: Record<string, string>; abortSignal?: AbortSignal; timeout?: number } = {}) => {
    const r = createPipelineRequest({ url, method: init.method ?? 'GET', headers: createHttpHeaders(init.headers ?? {}), body: init.body, abortSignal: init.abortSignal, timeout: init.timeout });
    r.tlsSettings = tlsOptionsFor(tlsMaterial.ca);
    return r;
  };

  it('a hundred parallel requests share one HTTP/2 connection and each gets its own answer', async () => {
    const client = new Http2HttpClient();
    const before = sessions;
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => client.sendRequest(req(`${h2Url}/item/${i}?wait=20`))));
    assert.equal(sessions - before, 1, 'one connection');
    answers.forEach((a, i) => {
      assert.equal(a.status, 200);
      assert.equal(JSON.parse(a.bodyAsText!).path, `/item/${i}`);
      assert.equal(JSON.parse(a.bodyAsText!).version, '2.0');
      assert.equal(a.headers.get('x-ms-request-id'), 'r1');
    });
    client.close();
  });

  it('sends the method, headers and JSON body; drops HTTP/1-only headers; reports 404 as a response', async () => {
    const client = new Http2HttpClient();
    const a = await client.sendRequest(req(`${h2Url}/things?api-version=1`, { method: 'PUT', body: '{"name":"x"}', headers: { 'content-type': 'application/json', authorization: 'Bearer abc', connection: 'keep-alive' } }));
    assert.equal(a.status, 200);
    const got = seen[seen.length - 1];
    assert.equal(got.method, 'PUT');
    assert.equal(got.path, '/things?api-version=1');
    assert.equal(got.body, '{"name":"x"}');
    assert.equal(got.headers.authorization, 'Bearer abc');
    assert.equal(got.headers.connection, undefined);
    const missing = await client.sendRequest(req(`${h2Url}/missing`));
    assert.equal(missing.status, 404);
    const zipped = await client.sendRequest(req(`${h2Url}/gzip`));
    assert.equal(JSON.parse(zipped.bodyAsText!).path, '/gzip', 'gzip bodies come back decompressed');
    client.close();
  });

  it('a server without h2 gets HTTP/1.1 through the SDK client, and is remembered', async () => {
    const client = new Http2HttpClient();
    const first = await client.sendRequest(req(`${h1Url}/plain`));
    assert.equal(first.status, 200);
    assert.equal(JSON.parse(first.bodyAsText!).version, '1.1');
    const probes = h1Connections;
    const again = await client.sendRequest(req(`${h1Url}/plain`));
    assert.equal(JSON.parse(again.bodyAsText!).version, '1.1');
    assert.ok(h1Connections - probes <= 1, 'no second ALPN probe: at most the HTTP/1.1 connection itself');
    client.close();
  });

  it('abort and timeout end the request with the SDK\'s errors; the connection serves the next request', async () => {
    const client = new Http2HttpClient();
    const ac = new AbortController();
    const pending = client.sendRequest(req(`${h2Url}/slow?wait=2000`, { abortSignal: ac.signal }));
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
    await assert.rejects(client.sendRequest(req(`${h2Url}/slow?wait=2000`, { timeout: 100 })), /timed out after 100 ms/);
    const ok = await client.sendRequest(req(`${h2Url}/after`));
    assert.equal(ok.status, 200);
    client.close();
  });
});
