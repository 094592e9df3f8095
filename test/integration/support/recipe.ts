/**
 * Drives the product's workflows (src/workflows) against a sandbox in tests: a plan with fresh
 * names built from the shipped example, the env the runner would build, and what a person checks
 * afterwards (blobs received, duplicates, catalog contents).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type AuditTrail } from '../../../src/workflows/audit';
import type { RunResult, Step } from '../../../src/workflows/engine';
import { createRecipeEnv, type RecipeEnv } from '../../../src/workflows/env';
import { checkPlan, type RecipePlan } from '../../../src/workflows/plan';
import { recipeSteps, runRecipeSteps } from '../../../src/workflows/recipe';
import type { RunningSandbox } from '../../../src/sandbox';
import { FAST_CLIENTS } from './flow';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const EXAMPLE_PLAN = path.join(REPO, 'examples', 'sandbox.recipe.json');

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** The example plan with names made unique for this run (storage names are global). */
export function freshPlan(tag: string, overrides: DeepPartial<RecipePlan> = {}): RecipePlan {
  const base = JSON.parse(fs.readFileSync(EXAMPLE_PLAN, 'utf8')) as RecipePlan & { $schema?: string };
  delete base.$schema;
  const s = `${tag}${crypto.randomBytes(3).toString('hex')}`.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 14);
  base.provider = { ...base.provider, resourceGroup: `contoso-${s}`, storageAccount: `cso${s}`, dataShareAccount: `contoso-share-${s}`, purviewAccount: `contoso-pv-${s}` };
  base.consumer = { ...base.consumer, resourceGroup: `fabrikam-${s}`, storageAccount: `fab${s}`, dataShareAccount: `fabrikam-share-${s}`, purviewAccount: `fabrikam-pv-${s}` };
  const merged = merge(base, overrides) as RecipePlan;
  return checkPlan(merged, `test plan ${tag}`);
}

function merge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (typeof a !== 'object' || a === null || Array.isArray(a) || typeof b !== 'object' || b === null || Array.isArray(b)) return b;
  const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
  return out;
}

export function recipeEnv(sandbox: RunningSandbox, plan: RecipePlan): Promise<RecipeEnv> {
  return createRecipeEnv(plan, { sandboxJson: sandbox.descriptionPath, clientOptions: FAST_CLIENTS });
}

export async function runRecipe(env: RecipeEnv, audit?: AuditTrail, steps: Step<RecipeEnv>[] = recipeSteps(), signal?: AbortSignal): Promise<RunResult> {
  return runRecipeSteps(steps, env, { audit, signal });
}

/** Everything the recipe can create more than once if it is not idempotent, counted per identity. */
export async function duplicateReport(env: RecipeEnv): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const bump = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  for (const s of [env.provider, env.consumer]) {
    const scope = `/subscriptions/${s.subscriptionId}`;
    for await (const a of s.clients.authorization(s.subscriptionId).sdk.roleAssignments.listForScope(scope)) {
      bump(`role ${(a.scope ?? '').toLowerCase()} ${a.roleDefinitionId?.split('/').pop()} ${a.principalId}`);
    }
    if (s.plan.purviewAccount) {
      const pv = s.clients.purviewDataPlane(s.plan.purviewAccount);
      for await (const hit of pv.dataMap.discovery.query({ limit: 1000 })) {
        const h = hit as { qualifiedName?: string; entityType?: string };
        bump(`entity ${s.side} ${h.entityType} ${h.qualifiedName}`);
      }
    }
  }
  const p = env.provider;
  const shareRef = { subscriptionId: p.subscriptionId, resourceGroupName: p.plan.resourceGroup, accountName: p.plan.dataShareAccount, shareName: env.plan.share.name };
  for (const s of (await p.clients.dataShare.providerShareSubscriptions.listByShare(shareRef).collect()).items) bump(`consumer of share ${s.properties?.consumerEmail ?? s.properties?.consumerName}`);
  for (const i of (await p.clients.dataShare.invitations.listByShare(shareRef).collect()).items) bump(`invitation ${i.properties?.targetEmail ?? i.properties?.targetObjectId}`);
  return counts;
}

export function duplicates(report: Record<string, number>): string[] {
  return Object.entries(report).filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

export async function receivedBlobs(env: RecipeEnv): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const blob = env.consumer.clients.blobForAccount(env.consumer.plan.storageAccount);
  for await (const b of blob.list(env.consumer.plan.container)) out.set(b.name, b.size);
  return out;
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command from the repository as a child process and collects its output (asynchronously:
 * a sandbox started by the test answers from this process). `watch` sees the output so far after
 * each chunk, and once with nothing when it starts (e.g. to kill the child at a given moment).
 */
export function runCli(command: string, args: string[], watch?: (output: string, child: ChildProcess) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    watch?.('', child);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      watch?.(stdout + stderr, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The headless runner as built (dist/recipe.js). */
export function runRecipeCli(args: string[], watch?: (output: string, child: ChildProcess) => void): Promise<CliRun> {
  return runCli(process.execPath, [path.join(REPO, 'dist', 'recipe.js'), ...args], watch);
}
