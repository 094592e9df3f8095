import * as assert from 'assert';
import { Limiter, limiterFor, TENANT_CONCURRENCY } from '../../src/ui/limiter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('view call pacing (src/ui/limiter)', () => {
  it('keeps a tenant under its connection budget across all its subscriptions', async () => {
    const tenant = new Limiter(10, 1e9, 1e9);
    const subs = ['a', 'b', 'c', 'd'].map(() => new Limiter(128, 200, 20, tenant));
    let inFlight = 0;
    let peak = 0;
    const call = async () => { inFlight++; peak = Math.max(peak, inFlight); await sleep(5); inFlight--; };
    // Four subscriptions, 30 calls each: each subscription's own limit (128) would let all 120 run at once.
    await Promise.all(subs.flatMap((sub) => Array.from({ length: 30 }, () => sub.run(call))));
    assert.strictEqual(peak, 10, `peak ${peak} in flight`);
  });

  it('gives each tenant its own budget, shared by its subscriptions', async () => {
    const t = `t-${Math.random()}`;
    assert.strictEqual(limiterFor(t, 'a'), limiterFor(t.toUpperCase(), 'A'), 'one limiter per tenant and subscription, case-insensitive');
    assert.notStrictEqual(limiterFor(t, 'a'), limiterFor(t, 'b'));
    assert.ok(TENANT_CONCURRENCY >= 128, 'the tenant cap does not undercut one subscription\'s own limit');
    let inFlight = 0;
    let peak = 0;
    const call = async () => { inFlight++; peak = Math.max(peak, inFlight); await sleep(5); inFlight--; };
    await Promise.all(['x', 'y'].flatMap((tenant) => Array.from({ length: 100 }, () => limiterFor(`${tenant}-${t}`, 's').run(call))));
    assert.strictEqual(peak, 200, 'two tenants run side by side, each within its subscription limit');
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
