/**
 * The whole cross-tenant recipe (src/workflows) against a sandbox it starts, over HTTPS with the
 * real clients (run by scripts/bench.js, recorded under `recipe`):
 *  - wall time with 0 ms and with 100 ms injected latency on every sandbox request;
 *  - its ARM calls (reads, writes, deletes) and Purview/data-plane calls;
 *  - the longest chain of dependent calls: the longest path through the step graph, each step
 *    weighted by its round-trip "waves" (calls that had to wait for the step's previous ones);
 *  - the target: at 100 ms, wall time <= 1.5 x (chain length x 100 ms).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startSandbox, type FaultRule } from '../../src/sandbox';
import { longestChain } from '../../src/workflows/engine';
import { recipeSteps } from '../../src/workflows/recipe';
import { freshPlan, recipeEnv, runRecipe } from '../integration/support/recipe';

const log = (m: string) => process.stderr.write(`[bench:recipe] ${m}\n`);

async function once(latencyMs: number) {
  const faults: FaultRule[] = latencyMs ? [{ kind: 'latency', rate: 1, pattern: '.*', latencyMs }] : [];
  const sandbox = await startSandbox({ port: 0, dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gds-bench-recipe-')), quiet: true, lroRetryAfterSeconds: 0, faults });
  try {
    const env = await recipeEnv(sandbox, freshPlan(`bench${latencyMs}`));
    // Sign-in is not part of the recipe's own chain: take both tokens first.
    await Promise.all([env.provider.principal(), env.consumer.principal()]);
    const t0 = performance.now();
    const result = await runRecipe(env);
    const wallMs = performance.now() - t0;
    if (!result.ok) throw new Error(`the recipe failed: ${JSON.stringify(result.outcomes.filter((o) => !['succeeded'].includes(o.status)))}`);
    const steps = recipeSteps();
    const chain = longestChain(steps, (s) => env.counter.perStep.get(s.id)?.waves ?? 0);
    const calls = [...env.counter.perStep.values()].reduce((n, s) => n + s.calls, 0);
    return { wallMs: Math.round(wallMs), arm: { ...env.counter.arm, total: env.counter.armTotal }, dataPlane: { ...env.counter.dataPlane }, calls, chainCalls: chain.length, chainPath: chain.path, steps: steps.length };
  } finally {
    await sandbox.stop();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  log('recipe at 0 ms latency');
  const fast = await once(0);
  log(`  ${fast.wallMs} ms, ${fast.arm.total} ARM calls`);
  log('recipe at 100 ms latency');
  const slow = await once(100);
  const chainLatencyMs = slow.chainCalls * 100;
  log(`  ${slow.wallMs} ms; longest chain ${slow.chainCalls} calls = ${chainLatencyMs} ms`);
  return {
    steps: fast.steps,
    wallMs0: fast.wallMs,
    wallMs100: slow.wallMs,
    armCalls: fast.arm.total,
    arm: fast.arm,
    dataPlaneCalls: fast.dataPlane.reads + fast.dataPlane.writes,
    totalCalls: fast.calls,
    longestChainCalls: slow.chainCalls,
    longestChainPath: slow.chainPath,
    chainLatencyMs100: chainLatencyMs,
    ratioToChain: +(slow.wallMs / chainLatencyMs).toFixed(2),
    target: 'wallMs100 <= 1.5 x chainLatencyMs100',
    withinTarget: slow.wallMs <= 1.5 * chainLatencyMs,
  };
}
