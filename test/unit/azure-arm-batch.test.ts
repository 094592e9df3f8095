/**
 * The batching HttpClient (src/azure/armBatch.ts) over a fake transport that plays ARM's batch
 * endpoint: which requests are batched, how answers map back to their callers, what happens when
 * the batch is refused, and aborts. The sandbox's endpoint over HTTPS: test/integration/arm-batch.test.ts.
 */
import * as assert from 'node:assert/strict';
import { createHttpHeaders, createPipelineRequest, type HttpClient, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { ArmBatchingHttpClient, parsedBodyOf } from '../../src/azure/armBatch';

const ARM = 'https://arm.example.test';

interface Sent {
  method: string;
  url: string;
  body?: { requests: Array<{ httpMethod: string; url: string; name: string; content?: unknown }> };
}

/** A transport that answers single requests and batches like ARM, or with `batchStatus` when set. */
class FakeArm implements HttpClient {
  sent: Sent[] = [];
  batchStatus = 200;
  answer: (method: string, url: string, content?: unknown) => { status: number; body?: unknown; headers?: Record<string, string> } = (method, url, content) => ({
    status: 200,
    body: { method, path: new URL(url).pathname, content },
    headers: { 'x-ms-ratelimit-remaining-subscription-reads': '249' },
  });

  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    await new Promise((r) => setTimeout(r, 1));
    const body = typeof request.body === 'string' ? JSON.parse(request.body) : undefined;
    this.sent.push({ method: request.method, url: request.url, body });
    if (new URL(request.url).pathname === '/batch') {
      if (this.batchStatus !== 200) return { request, status: this.batchStatus, headers: createHttpHeaders(), bodyAsText: '{"error":{"code":"NotFound","message":"no"}}' };
      const responses = body.requests.map((r: { httpMethod: string; url: string; name: string; content?: unknown }) => {
        const a = this.answer(r.httpMethod, r.url, r.content);
        return { name: r.name, httpStatusCode: a.status, headers: a.headers ?? {}, content: a.body, contentLength: 1 };
      });
      return { request, status: 200, headers: createHttpHeaders(), bodyAsText: JSON.stringify({ responses }) };
    }
    const a = this.answer(request.method, request.url, body);
    return { request, status: a.status, headers: createHttpHeaders(a.headers), bodyAsText: a.body === undefined ? undefined : JSON.stringify(a.body) };
  }

  batches(): Sent[] {
    return this.sent.filter((s) => s.url.includes('/batch?'));
  }
}

const get = (path: string, token = 'Bearer t1', init: { method?: 'GET' | 'POST' | 'PUT'; body?: string; abortSignal?: AbortSignal; url?: string } = {}) =>
  createPipelineRequest({ url: init.url ?? `${ARM}${path}`, method: init.method ?? 'GET', headers: createHttpHeaders({ authorization: token }), body: init.body, abortSignal: init.abortSignal });

const bodyOf = (r: PipelineResponse) => JSON.parse(r.bodyAsText ?? 'null') as { path: string; method: string; content?: unknown };

describe('ARM batching HttpClient', () => {
  let fake: FakeArm;
  let client: ArmBatchingHttpClient;
  beforeEach(() => {
    fake = new FakeArm();
    client = new ArmBatchingHttpClient(fake);
    client.addArmOrigin(ARM);
  });

  it('sends reads made together as one batch and gives each caller its own answer', async () => {
    const paths = ['/subscriptions/s/a', '/subscriptions/s/b', '/subscriptions/s/c'];
    const responses = await Promise.all(paths.map((p) => client.sendRequest(get(`${p}?api-version=1`))));
    assert.equal(fake.sent.length, 1);
    assert.equal(fake.sent[0].method, 'POST');
    assert.equal(fake.sent[0].url, `${ARM}/batch?api-version=2020-06-01`);
    assert.deepEqual(fake.sent[0].body!.requests.map((r) => r.url), paths.map((p) => `${ARM}${p}?api-version=1`));
    assert.deepEqual(responses.map((r) => bodyOf(r).path), paths);
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
    assert.equal(responses[0].headers.get('x-ms-ratelimit-remaining-subscription-reads'), '249');
    assert.deepEqual((parsedBodyOf(responses[1])!.value as { path: string }).path, paths[1], 'the parsed answer travels with the response');
    assert.equal(responses[2].request.url, `${ARM}${paths[2]}?api-version=1`, 'each response names its own request');
  });

  it('splits 45 reads into batches of 20, 20 and 5', async () => {
    await Promise.all(Array.from({ length: 45 }, (_, i) => client.sendRequest(get(`/subscriptions/s/r${i}`))));
    assert.deepEqual(fake.batches().map((b) => b.body!.requests.length), [20, 20, 5]);
    assert.deepEqual(client.stats, { batches: 3, batched: 45, resent: 0 });
  });

  it('sends a lone read, writes, other hosts and requests without a token as they are', async () => {
    await client.sendRequest(get('/subscriptions/s/alone'));
    await Promise.all([
      client.sendRequest(get('/subscriptions/s/put', 'Bearer t1', { method: 'PUT', body: '{}' })),
      client.sendRequest(get('/subscriptions/s/post', 'Bearer t1', { method: 'POST', body: '{}' })),
      client.sendRequest(get('', 'Bearer t1', { url: 'https://purview.example.test/datamap/api/x' })),
      client.sendRequest(get('', 'Bearer t1', { url: 'https://purview.example.test/datamap/api/y' })),
      client.sendRequest(createPipelineRequest({ url: `${ARM}/subscriptions/s/anonymous1`, method: 'GET' })),
      client.sendRequest(createPipelineRequest({ url: `${ARM}/subscriptions/s/anonymous2`, method: 'GET' })),
    ]);
    assert.equal(fake.batches().length, 0);
    assert.equal(fake.sent.length, 7);
  });

  it("batches the read-only list actions (POST …/listSynchronizations) with their JSON body", async () => {
    const [a, b] = await Promise.all([
      client.sendRequest(get('/subscriptions/s/shares/x/listSynchronizations?api-version=1', 'Bearer t1', { method: 'POST', body: '{"$orderby":"x"}' })),
      client.sendRequest(get('/subscriptions/s/shares/y/listSynchronizations?api-version=1', 'Bearer t1', { method: 'POST' })),
    ]);
    const batch = fake.batches()[0].body!.requests;
    assert.deepEqual(batch.map((r) => [r.httpMethod, r.content]), [['POST', { $orderby: 'x' }], ['POST', undefined]]);
    assert.deepEqual(bodyOf(a), { method: 'POST', path: '/subscriptions/s/shares/x/listSynchronizations', content: { $orderby: 'x' } });
    assert.equal(bodyOf(b).path, '/subscriptions/s/shares/y/listSynchronizations');
  });

  it('keeps tokens apart: one batch per token', async () => {
    await Promise.all([get('/s/1', 'Bearer a'), get('/s/2', 'Bearer b'), get('/s/3', 'Bearer a'), get('/s/4', 'Bearer b')].map((r) => client.sendRequest(r)));
    assert.equal(fake.batches().length, 2);
    for (const b of fake.batches()) assert.equal(b.body!.requests.length, 2);
  });

  it('passes an inner error answer through as that request\'s response (the retry policy sees its 429)', async () => {
    fake.answer = (method, url) => (url.endsWith('/busy') ? { status: 429, body: { error: { code: 'TooManyRequests', message: 'slow down' } }, headers: { 'retry-after': '3' } } : { status: 200, body: { ok: true } });
    const [busy, fine] = await Promise.all([client.sendRequest(get('/s/busy')), client.sendRequest(get('/s/fine'))]);
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get('retry-after'), '3');
    assert.equal(JSON.parse(busy.bodyAsText!).error.code, 'TooManyRequests');
    assert.equal(fine.status, 200);
  });

  it('when the batch is refused, sends each request on its own; after a 404 the origin is not batched again', async () => {
    fake.batchStatus = 404;
    const first = await Promise.all([client.sendRequest(get('/s/1')), client.sendRequest(get('/s/2'))]);
    assert.deepEqual(first.map((r) => bodyOf(r).path), ['/s/1', '/s/2']);
    assert.equal(client.stats.resent, 2);
    const sentBefore = fake.sent.length;
    await Promise.all([client.sendRequest(get('/s/3')), client.sendRequest(get('/s/4'))]);
    assert.equal(fake.sent.length - sentBefore, 2);
    assert.equal(fake.sent.slice(sentBefore).filter((s) => s.url.includes('/batch')).length, 0);
  });

  it('a refused batch for another reason (401, 429) is resent request by request and batching stays on', async () => {
    fake.batchStatus = 401;
    await Promise.all([client.sendRequest(get('/s/1')), client.sendRequest(get('/s/2'))]);
    fake.batchStatus = 200;
    await Promise.all([client.sendRequest(get('/s/3')), client.sendRequest(get('/s/4'))]);
    assert.equal(fake.batches().length, 2);
  });

  it('an aborted read rejects at once and leaves the others to complete', async () => {
    const controller = new AbortController();
    const aborted = client.sendRequest(get('/s/cancelled', 'Bearer t1', { abortSignal: controller.signal }));
    const others = [client.sendRequest(get('/s/1')), client.sendRequest(get('/s/2'))];
    controller.abort();
    await assert.rejects(aborted, (e: Error) => e.name === 'AbortError');
    const done = await Promise.all(others);
    assert.deepEqual(done.map((r) => bodyOf(r).path), ['/s/1', '/s/2']);
    assert.deepEqual(fake.batches()[0].body!.requests.map((r) => new URL(r.url).pathname), ['/s/1', '/s/2'], 'the cancelled read is not sent');
  });

  it('a transport failure of the batch reaches every caller', async () => {
    const failing: HttpClient = { sendRequest: async () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })) };
    const c = new ArmBatchingHttpClient(failing);
    c.addArmOrigin(ARM);
    const results = await Promise.allSettled([c.sendRequest(get('/s/1')), c.sendRequest(get('/s/2'))]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.match(String((results[0] as PromiseRejectedResult).reason.message), /socket hang up/);
  });
});
