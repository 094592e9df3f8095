import * as assert from 'assert';
import { Limiter, limiterFor, TENANT_CONCURRENCY } from '../../src/ui/limiter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('view call pacing (src/ui/limiter)', () => {
  it('keeps a tenant under its connection budget across all its subscriptions', async () => {
    const tenant = `t-${Math.random()}`;
    let inFlight = 0;
    let peak = 0;
    const call = async () => { inFlight++; peak = Math.max(peak, inFlight); await sleep(5); inFlight--; };
    // Four subscriptions, 60 calls each: each subscription's own limit (128) would let all 240 run at once.
    await Promise.all(['a', 'b', 'c', 'd'].flatMap((sub) => Array.from({ length: 60 }, () => limiterFor(tenant, sub).run(call))));
    assert.strictEqual(peak, TENANT_CONCURRENCY, `peak ${peak} in flight`);
  });

  it('does not let one tenant use another tenant\'s budget', async () => {
    let inFlight = 0;
    let peak = 0;
    const call = async () => { inFlight++; peak = Math.max(peak, inFlight); await sleep(5); inFlight--; };
    await Promise.all(['x', 'y'].flatMap((t) => Array.from({ length: TENANT_CONCURRENCY }, () => limiterFor(`${t}-${Math.random()}`.slice(0, 3), 's').run(call))));
    assert.strictEqual(peak, 2 * TENANT_CONCURRENCY);
  });

  it('paces calls after the burst at the refill rate', async () => {
    const l = new Limiter(100, 5, 50);
    const started: number[] = [];
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 10 }, () => l.run(async () => { started.push(Date.now() - t0); })));
    started.sort((a, b) => a - b);
    assert.ok(started[4] < 30, `the burst of 5 starts at once (${started.join(',')})`);
    assert.ok(started[9] >= 80, `the 5 after the burst wait about 20 ms each (${started.join(',')})`);
  });

  it('releases the slot when a call fails', async () => {
    const l = new Limiter(1, 100, 100);
    await assert.rejects(l.run(() => Promise.reject(new Error('boom'))), /boom/);
    assert.strictEqual(await l.run(() => Promise.resolve(42)), 42);
  });
});
