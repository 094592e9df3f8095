/**
 * The watcher (src/workflows/watch.ts) against a sandbox with ARM throttling on (ARM's own limits:
 * 250 reads burst, 25/s per subscription and principal): polling as fast as it is allowed, while the
 * recipe invites the consumer and takes a snapshot, it notices the new invitation and the finished
 * snapshot, and the sandbox answers no request with 429.
 */
import * as assert from 'node:assert/strict';
import { recipeSteps, stepsFor } from '../../src/workflows/recipe';
import { DEFAULT_BUDGET, Watcher, type Notice } from '../../src/workflows/watch';
import type { RunningSandbox } from '../../src/sandbox';
import { freshPlan, recipeEnv, runRecipe } from './support/recipe';
import { removeTempDirs, startTestSandbox } from './support/sandbox';

describe('watcher against a throttled sandbox', function () {
  this.timeout(300_000);
  let sandbox: RunningSandbox;

  before(async () => {
    ({ sandbox } = await startTestSandbox('watcher', { throttle: true }));
  });

  after(async () => {
    await sandbox?.stop();
    removeTempDirs();
  });

  it('sees a new invitation and a finished snapshot with zero 429s', async () => {
    const plan = freshPlan('watch');
    const env = await recipeEnv(sandbox, plan);
    const all = recipeSteps();
    const setup = await runRecipe(env, undefined, stepsFor(['share.datasets', 'consumer.dataShareAccount', 'consumer.storage', 'consumer.dataRole'], all));
    assert.ok(setup.ok, JSON.stringify(setup.outcomes.filter((o) => o.status !== 'succeeded')));
    sandbox.core.throttle.refillAll();
    sandbox.core.throttle.resetCounters();

    const sources = [
      { tenantId: env.provider.tenantId, clients: env.provider.clients, subscriptionIds: [env.provider.subscriptionId] },
      { tenantId: env.consumer.tenantId, clients: env.consumer.clients, subscriptionIds: [env.consumer.subscriptionId] },
    ];
    // As fast as the budget lets it: the interval alone would poll ~50 times a second.
    const errors: string[] = [];
    const watcher = new Watcher({ sources: () => sources, intervalMs: 20, maxIntervalMs: 20, onError: (e) => errors.push((e as Error).message) });
    const seen: Notice[] = [];
    const stop = new AbortController();
    const started = Date.now();
    const loop = (async () => {
      for await (const batch of watcher.notices(stop.signal)) seen.push(...batch);
    })();
    const until = async (what: string, predicate: () => boolean, ms = 60_000) => {
      const end = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > end) throw new Error(`the watcher did not report ${what}; it reported: ${JSON.stringify(seen.map((n) => n.kind))}; errors: ${errors.slice(0, 3).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until('its baseline', () => watcher.polls >= 1);
    const baselineNotices = seen.length;

    const invited = await runRecipe(env, undefined, stepsFor(['share.invite'], all, { withDependencies: false }));
    assert.ok(invited.ok);
    await until('the new invitation', () => seen.some((n) => n.kind === 'invitation.new' && n.tenantId === env.consumer.tenantId));

    const received = await runRecipe(env, undefined, stepsFor(['consumer.accept', 'consumer.map', 'consumer.snapshot'], all, { withDependencies: false }));
    assert.ok(received.ok, JSON.stringify(received.outcomes.filter((o) => o.status !== 'succeeded')));
    await until('the finished snapshot', () => seen.some((n) => n.kind === 'snapshot.succeeded'));
    // Keep polling a little longer at full speed: still no 429.
    await new Promise((r) => setTimeout(r, 3000));
    stop.abort();
    await loop;
    const seconds = (Date.now() - started) / 1000;

    const stats = sandbox.core.throttle.stats();
    assert.equal(stats.arm.throttled, 0, `429s served: ${JSON.stringify(stats.subscriptions)}`);
    assert.equal(baselineNotices, 0, 'the baseline reports nothing that merely exists');
    assert.equal(seen.filter((n) => n.kind === 'invitation.new').length, 1, 'the invitation is reported once');
    assert.equal(seen.filter((n) => n.kind === 'snapshot.succeeded').length, 1, 'the snapshot is reported once');
    // The budget, not the 20 ms interval, paced the polls: per subscription at most burst + rate x time.
    for (const sub of [env.provider.subscriptionId, env.consumer.subscriptionId]) {
      const reads = watcher.budget.taken.get(sub.toLowerCase()) ?? 0;
      assert.ok(reads <= DEFAULT_BUDGET.burst + DEFAULT_BUDGET.perSecond * seconds + 1, `${reads} reads in ${seconds.toFixed(1)} s on ${sub}`);
      assert.ok(reads >= DEFAULT_BUDGET.burst, `the watcher did use its budget on ${sub} (${reads} reads)`);
    }
    assert.ok(watcher.polls < seconds * 50 * 0.5, `${watcher.polls} polls in ${seconds.toFixed(1)} s: paced by the budget`);
  });
});
