import * as assert from 'node:assert/strict';
import { AuditTrail } from '../../src/workflows/audit';
import { checkGraph, longestChain, planSteps, runSteps, type Step } from '../../src/workflows/engine';
import { UserFacingError } from '../../src/workflows/errors';

type Env = { log: string[]; running: number; maxRunning: number };

function step(id: string, dependsOn: string[] = [], run: (env: Env, signal: AbortSignal) => Promise<boolean> = async () => true, ms = 10): Step<Env> {
  return {
    id,
    title: `Step ${id}`,
    dependsOn,
    plan: () => [{ action: 'create', tenantId: 't', resource: id }],
    async execute(env, ctx) {
      env.running++;
      env.maxRunning = Math.max(env.maxRunning, env.running);
      try {
        await new Promise((r) => setTimeout(r, ms));
        ctx.throwIfCancelled();
        const changed = await run(env, ctx.signal);
        env.log.push(id);
        return { changed, summary: `${id} done` };
      } finally {
        env.running--;
      }
    },
  };
}

const fresh = (): Env => ({ log: [], running: 0, maxRunning: 0 });

describe('workflow engine', () => {
  it('runs steps after their dependencies and independent ones concurrently', async () => {
    const env = fresh();
    const steps = [step('a'), step('b'), step('c', ['a', 'b']), step('d', ['c'])];
    const r = await runSteps(steps, env, { concurrency: 4 });
    assert.ok(r.ok);
    assert.equal(env.maxRunning, 2, 'a and b ran at the same time');
    assert.ok(env.log.indexOf('c') > env.log.indexOf('a') && env.log.indexOf('c') > env.log.indexOf('b'));
    assert.equal(env.log.at(-1), 'd');
  });

  it('honours the concurrency limit', async () => {
    const env = fresh();
    await runSteps(['a', 'b', 'c', 'd', 'e'].map((id) => step(id)), env, { concurrency: 2 });
    assert.equal(env.maxRunning, 2);
  });

  it('a failure skips what depends on it, runs what does not, and keeps the next step', async () => {
    const env = fresh();
    const boom = step('b', [], async () => {
      throw new UserFacingError('b broke', 'fix b');
    });
    const r = await runSteps([step('a'), boom, step('c', ['b']), step('d', ['a'])], env);
    assert.equal(r.ok, false);
    const by = Object.fromEntries(r.outcomes.map((o) => [o.id, o]));
    assert.equal(by.b.status, 'failed');
    assert.deepEqual(by.b.error, { message: 'b broke', nextStep: 'fix b' });
    assert.equal(by.c.status, 'skipped');
    assert.match(by.c.summary, /b did not succeed/);
    assert.equal(by.d.status, 'succeeded');
  });

  it('cancellation stops the step in flight and everything after it', async () => {
    const env = fresh();
    const ac = new AbortController();
    const slow = step('a', [], async () => true, 200);
    setTimeout(() => ac.abort(), 50);
    const r = await runSteps([slow, step('b', ['a'])], env, { signal: ac.signal });
    assert.deepEqual(r.outcomes.map((o) => o.status), ['cancelled', 'cancelled']);
    assert.deepEqual(env.log, []);
  });

  it('writes each step to the audit trail with its actor and outcome', async () => {
    const audit = new AuditTrail();
    await runSteps([step('a', [], async () => false), step('b', [], async () => { throw new Error('nope'); })], fresh(), { audit, actor: async () => ({ tenantId: 't1', objectId: 'o1', name: 'Ava' }) });
    const a = audit.records.find((r) => r.action === 'a');
    assert.equal(a?.outcome, 'skipped', 'a step that changed nothing is recorded as skipped');
    assert.equal(a?.actor?.name, 'Ava');
    assert.equal(audit.records.find((r) => r.action === 'b')?.outcome, 'failed');
  });

  it('rejects unknown dependencies and cycles', () => {
    assert.throws(() => checkGraph([step('a', ['x'])]), /unknown step x/);
    assert.throws(() => checkGraph([step('a', ['b']), step('b', ['a'])]), /Cycle in the workflow: a -> b -> a|Cycle in the workflow: b -> a -> b/);
  });

  it('plans every step and measures the longest chain of dependent steps', async () => {
    const steps = [step('a'), step('b', ['a']), step('c', ['b']), step('d', ['a'])];
    const planned = await planSteps(steps, fresh());
    assert.deepEqual(planned.map((p) => p.changes[0].resource), ['a', 'b', 'c', 'd']);
    assert.deepEqual(longestChain(steps), { length: 3, path: ['a', 'b', 'c'] });
    assert.equal(longestChain(steps, (s) => (s.id === 'd' ? 10 : 1)).length, 11);
  });
});
