/**
 * The recipe survives what real runs meet: the runner killed (SIGKILL) at several points, including
 * during a snapshot and during a scan, then run again; 10% injected faults; ARM throttling on. Each
 * time it completes, validates, and leaves no duplicate resource, entity or role assignment.
 */
import * as assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunningSandbox } from '../../src/sandbox';
import { AuditTrail } from '../../src/workflows/audit';
import { validateEstate } from '../../src/workflows/validation';
import { duplicateReport, duplicates, freshPlan, receivedBlobs, recipeEnv, runRecipe, runRecipeCli } from './support/recipe';
import { startTestSandbox } from './support/sandbox';

/** Runs the headless runner and SIGKILLs it when `kill.when` matches its output (or after `afterMs`). */
async function runAndKill(planFile: string, sandbox: RunningSandbox, kill: { when?: RegExp; afterMs?: number }): Promise<{ killed: boolean; output: string }> {
  let killed = false;
  let running: ChildProcess | undefined;
  const doKill = (child: ChildProcess | undefined) => {
    if (child && !killed && child.exitCode === null) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  const timer = kill.afterMs !== undefined ? setTimeout(() => doKill(running), kill.afterMs) : undefined;
  const r = await runRecipeCli(['--plan', planFile, '--sandbox', sandbox.descriptionPath, '--audit', path.join(path.dirname(planFile), 'audit.jsonl')], (output, child) => {
    running = child;
    if (kill.when?.test(output)) doKill(child);
  });
  if (timer) clearTimeout(timer);
  return { killed, output: r.stdout + r.stderr };
}

describe('recipe resilience: kills, faults, throttling (sandbox, HTTPS)', function () {
  this.timeout(300_000);

  describe('killed at random points, a re-run completes without duplicates', () => {
    let sandbox: RunningSandbox;
    before(async () => {
      ({ sandbox } = await startTestSandbox('recipe-kill'));
    });
    after(async () => {
      await sandbox?.stop();
    });

    const points: Array<[string, { when?: RegExp; afterMs?: number }]> = [
      ['while creating the infrastructure', { when: /creating Data Share account/ }],
      ['during the provider scan', { when: /… scanning/ }],
      ['during a snapshot', { when: /snapshot \(FullSync\) started/ }],
      ['at a random moment', { afterMs: 400 + Math.floor(Math.random() * 2500) }],
    ];
    for (const [label, kill] of points) {
      it(`killed ${label}`, async () => {
        const plan = freshPlan('kill');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-kill-'));
        const planFile = path.join(dir, 'plan.recipe.json');
        fs.writeFileSync(planFile, JSON.stringify(plan));
        const first = await runAndKill(planFile, sandbox, kill);
        assert.ok(first.killed || /check\(s\) passed/.test(first.output), `the runner neither got killed nor finished:\n${first.output}`);
        const env = await recipeEnv(sandbox, plan);
        const result = await runRecipe(env, new AuditTrail(path.join(dir, 'audit.jsonl')));
        assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'), null, 2));
        const report = await validateEstate(env);
        assert.deepEqual(report.checks.filter((c) => !c.ok), []);
        assert.deepEqual(duplicates(await duplicateReport(env)), []);
        assert.equal((await receivedBlobs(env)).size, 3);
        // The torn audit trail of the killed run is still readable.
        assert.ok(AuditTrail.read(path.join(dir, 'audit.jsonl')).length > 0);
      });
    }
  });

  it('with 10% injected faults (500, 503, 429) the recipe completes without duplicates', async () => {
    const { sandbox } = await startTestSandbox('recipe-faults', {
      faults: [
        { kind: 'error500', rate: 0.04, pattern: '.*' },
        { kind: 'error503', rate: 0.03, pattern: '.*' },
        { kind: 'throttle', rate: 0.03, pattern: '.*' },
      ],
    });
    try {
      const env = await recipeEnv(sandbox, freshPlan('faults'));
      const result = await runRecipe(env);
      assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'), null, 2));
      assert.deepEqual(duplicates(await duplicateReport(env)), []);
      assert.equal((await receivedBlobs(env)).size, 3);
      assert.ok(sandbox.core.faults.stats().some((s) => s.hits > 0), 'faults were injected');
    } finally {
      await sandbox.stop();
    }
  });

  it("with ARM's throttling on (small buckets) the recipe completes by waiting, never failing on 429", async () => {
    const { sandbox } = await startTestSandbox('recipe-throttle', { throttle: { reads: { burst: 8, refillPerSecond: 6 }, writes: { burst: 6, refillPerSecond: 4 }, deletes: { burst: 4, refillPerSecond: 2 } } });
    try {
      const env = await recipeEnv(sandbox, freshPlan('throttle'));
      const result = await runRecipe(env);
      assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status !== 'succeeded'), null, 2));
      const stats = sandbox.core.throttle.stats();
      assert.ok(stats.arm.throttled > 0, 'the small buckets did throttle');
      const again = await runRecipe(env);
      assert.ok(again.ok);
    } finally {
      await sandbox.stop();
    }
  });

  it("with ARM's real limits the whole recipe stays within the write budget (no 429)", async () => {
    const { sandbox } = await startTestSandbox('recipe-budget', { throttle: true });
    try {
      const env = await recipeEnv(sandbox, freshPlan('budget'));
      const result = await runRecipe(env);
      assert.ok(result.ok);
      const stats = sandbox.core.throttle.stats();
      assert.equal(stats.arm.throttled, 0);
      assert.ok(stats.arm.writes < 200, `${stats.arm.writes} ARM writes`);
    } finally {
      await sandbox.stop();
    }
  });
});
