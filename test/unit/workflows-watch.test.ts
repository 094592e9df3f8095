/** The watcher's pure parts with a fake clock: the diff, the read budget and the backoff. */
import * as assert from 'node:assert/strict';
import { Backoff, diffWatchState, EMPTY_STATE, ReadBudget, Watcher, type WatchClock, type WatchState } from '../../src/workflows/watch';

const T = 'fab00000-0000-4000-8000-000000000001';
const HOUR = 3600_000;

class FakeClock implements WatchClock {
  t = Date.parse('2026-03-01T00:00:00Z');
  slept: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.slept.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

function state(partial: Partial<WatchState>): WatchState {
  return { ...EMPTY_STATE, ...partial };
}

describe('watcher: diff of two polls', () => {
  const now = Date.parse('2026-03-01T00:00:00Z');
  const inv = (id: string, expirationDate?: string) => ({ tenantId: T, invitationId: id, shareName: 'sales', from: 'ana@contoso.com', expirationDate });
  const sync = (id: string, status: string) => ({ tenantId: T, shareSubscriptionId: '/ss/1', shareSubscriptionName: 'received', synchronizationId: id, status });

  it('the baseline poll reports nothing that merely exists, only what expires soon', () => {
    const next = state({ invitations: [inv('i1'), inv('i2', new Date(now + 5 * HOUR).toISOString())], synchronizations: [sync('s1', 'Succeeded')] });
    const notices = diffWatchState(undefined, next, now);
    assert.deepEqual(notices.map((n) => n.kind), ['invitation.expiring']);
    assert.match(notices[0].message, /expires in 5 h/);
  });

  it('a new invitation, a snapshot that finished and one that failed, each once', () => {
    const prev = state({ invitations: [inv('i1')], synchronizations: [sync('s1', 'InProgress'), sync('s2', 'Succeeded')] });
    const next = state({ invitations: [inv('i1'), inv('i9')], synchronizations: [sync('s1', 'Succeeded'), sync('s2', 'Succeeded'), sync('s3', 'Failed'), sync('s4', 'Queued')] });
    const notices = diffWatchState(prev, next, now);
    assert.deepEqual(notices.map((n) => `${n.kind} ${n.resourceId}`), ['invitation.new i9', 'snapshot.succeeded /ss/1', 'snapshot.failed /ss/1']);
    // The next poll sees the same state: nothing new.
    assert.deepEqual(diffWatchState(next, next, now), []);
  });

  it('a revoked subscription, expiring access and lineage recorded or updated; expiry is reported once', () => {
    const sub = (status: string, expirationDate?: string) => ({ tenantId: T, id: '/pss/1', name: 'pss1', status, expirationDate, label: 'bob of sales' });
    const lin = (updateTime: number) => ({ tenantId: T, purviewAccount: 'pv', id: 'g1', qualifiedName: 'datashare://x', name: 'sales → received', updateTime });
    const prev = state({ subscriptions: [sub('Active')], lineage: [lin(1)] });
    const next = state({ subscriptions: [sub('Revoked')], lineage: [lin(2), { ...lin(5), id: 'g2' }] });
    assert.deepEqual(diffWatchState(prev, next, now).map((n) => n.kind), ['subscription.revoked', 'lineage.changed', 'lineage.changed']);
    const expiring = state({ subscriptions: [sub('Active', new Date(now + 30 * HOUR).toISOString())], sentInvitations: [{ tenantId: T, id: '/inv/1', name: 'inv1', status: 'Pending', expirationDate: new Date(now + 2 * 24 * HOUR).toISOString() }] });
    const first = diffWatchState(expiring, expiring, now);
    assert.deepEqual(first.map((n) => n.kind), ['invitation.expiring', 'subscription.expiring']);
    const reported = new Set(first.map((n) => n.key));
    assert.deepEqual(diffWatchState(expiring, expiring, now + HOUR, reported), []);
    // Already past, or far away: not "soon".
    assert.deepEqual(diffWatchState(expiring, expiring, now + 60 * 24 * HOUR), []);
    assert.deepEqual(diffWatchState(expiring, expiring, now - 30 * 24 * HOUR), []);
  });
});

describe('watcher: read budget', () => {
  it('gives its burst at once, then waits on the clock at the refill rate', async () => {
    const clock = new FakeClock();
    const b = new ReadBudget({ burst: 5, perSecond: 2 }, clock);
    for (let i = 0; i < 5; i++) await b.take('sub-a');
    assert.deepEqual(clock.slept, []);
    await b.take('sub-a');
    assert.deepEqual(clock.slept, [500]);
    await b.take('sub-a');
    assert.deepEqual(clock.slept, [500, 500]);
    // Another subscription has its own bucket.
    await b.take('sub-b');
    assert.equal(clock.slept.length, 2);
    assert.equal(b.taken.get('sub-a'), 7);
  });

  it('over any window, reads stay within burst + rate × time (the ARM-safe envelope)', async () => {
    const clock = new FakeClock();
    const b = new ReadBudget({ burst: 25, perSecond: 2.5 }, clock);
    const start = clock.now();
    for (let i = 0; i < 200; i++) await b.take('s');
    const seconds = (clock.now() - start) / 1000;
    assert.ok(200 <= 25 + 2.5 * seconds + 1e-9, `${seconds}s`);
    assert.ok(seconds >= (200 - 25) / 2.5 - 0.01);
    // 200 reads at ARM's limits (250 burst, 25/s) would never be throttled: far under them.
    assert.ok(200 / seconds < 25);
  });

  it('refills while idle but never beyond its burst', () => {
    const clock = new FakeClock();
    const b = new ReadBudget({ burst: 10, perSecond: 1 }, clock);
    clock.t += 3600_000;
    assert.equal(b.available('x'), 10);
    assert.equal(b.waitMs('x', 11), 1000);
  });
});

describe('watcher: backoff', () => {
  it('doubles after errors up to the cap, honours Retry-After, grows slowly when quiet, resets on news', () => {
    const b = new Backoff({ intervalMs: 1000, maxIntervalMs: 10_000, quietPolls: 2 });
    assert.equal(b.onResult({ notices: 0, error: new Error('x') }), 2000);
    assert.equal(b.onResult({ notices: 0, error: new Error('x') }), 4000);
    assert.equal(b.onResult({ notices: 0, error: new Error('429'), retryAfterMs: 9000 }), 9000);
    assert.equal(b.onResult({ notices: 0, error: new Error('x') }), 10_000);
    assert.equal(b.onResult({ notices: 1 }), 1000);
    assert.equal(b.onResult({ notices: 0 }), 1000);
    assert.equal(b.onResult({ notices: 0 }), 1000);
    assert.equal(b.onResult({ notices: 0 }), 1500);
    assert.equal(b.onResult({ notices: 0 }), 2250);
    assert.equal(b.onResult({ notices: 2 }), 1000);
  });
});

describe('watcher: one tenant failing', () => {
  const pages = <T>(items: T[]) => ({ byPage: () => (async function* () { yield Object.assign([...items], { continuationToken: undefined }); })() });
  const failing = () => ({ byPage: () => ({ next: () => Promise.reject(Object.assign(new Error('AADSTS50076: MFA required'), { code: 'InteractionRequired' })), [Symbol.asyncIterator]() { return this; } }) });
  const clients = (invitations: () => ReturnType<typeof pages> | ReturnType<typeof failing>) =>
    ({ dataShare: { consumerInvitations: { list: invitations }, accounts: { listBySubscription: () => pages([]) } }, purview: () => ({ accounts: { list: () => pages([]) } }) }) as never;
  const invitation = (id: string) => ({ properties: { invitationId: id, invitationStatus: 'Pending', shareName: 'sales' } });

  it('never blanks the others, keeps what it knew of the failing tenant, and reports nothing false when it recovers', async () => {
    const clock = new FakeClock();
    let bFails = false;
    const errors: unknown[] = [];
    const sources = [
      { tenantId: 'a', clients: clients(() => pages([invitation('ia')])), subscriptionIds: ['s-a'] },
      { tenantId: 'b', clients: clients(() => (bFails ? failing() : pages([invitation('ib')]))), subscriptionIds: ['s-b'] },
    ];
    const w = new Watcher({ sources: () => sources, clock, onError: (e) => errors.push(e) });
    assert.deepEqual(await w.pollOnce(), []);
    bFails = true;
    assert.deepEqual(await w.pollOnce(), []);
    assert.equal(errors.length, 1);
    assert.deepEqual(w.state?.invitations.map((i) => i.invitationId).sort(), ['ia', 'ib'], "b's invitation is carried over");
    bFails = false;
    assert.deepEqual(await w.pollOnce(), [], 'b answering again is not news');
    sources[0].clients = clients(() => pages([invitation('ia'), invitation('new')]));
    assert.deepEqual((await w.pollOnce()).map((n) => n.resourceId), ['new']);
    // Every tenant failing fails the poll (the loop backs off).
    sources[0].clients = clients(failing);
    bFails = true;
    await assert.rejects(w.pollOnce(), /MFA required/);
  });
});
