/**
 * The cross-tenant recipe as one step graph: both tenants' infrastructure in parallel, readiness,
 * scanning, the share behind the governance gate, invitation, accept, mapping, snapshot, trigger,
 * the consumer's scan and the lineage link. The editor's commands run single steps or sub-graphs
 * of it; the headless runner runs it whole.
 */
import { randomUUID } from 'node:crypto';
import type { AuditActor } from './audit';
import { runSteps, type RunOptions, type RunResult, type Step } from './engine';
import { actorOf, type RecipeEnv } from './env';
import { cleanupSteps } from './cleanup';
import { prepareEvents } from './events';
import { eventSubscriptionsStep, eventTopicStep } from './steps/events';
import { cmkStorageStep, keyVaultStep } from './steps/cmk';
import { dataRoleStep, dataShareAccountStep, purviewStep, registerStep, storageStep, uploadStep } from './steps/infra';
import { lineageStep, scanStep } from './steps/purview';
import { approvalStep } from './steps/approval';
import { readinessStep } from './steps/readiness';
import { acceptStep, datasetsStep, gateStep, inviteStep, mapStep, shareStep, snapshotStep, triggerStep } from './steps/sharing';

export function recipeSteps(): Step<RecipeEnv>[] {
  return [
    registerStep('provider'),
    registerStep('consumer'),
    storageStep('provider'),
    storageStep('consumer'),
    keyVaultStep('provider'),
    keyVaultStep('consumer'),
    cmkStorageStep('provider'),
    cmkStorageStep('consumer'),
    dataRoleStep('provider'),
    dataRoleStep('consumer'),
    after(uploadStep(), 'provider.cmk'),
    dataShareAccountStep('provider'),
    dataShareAccountStep('consumer'),
    purviewStep('provider'),
    purviewStep('consumer'),
    readinessStep(),
    scanStep('provider', ['provider.purview', 'provider.upload']),
    shareStep(),
    gateStep(),
    approvalStep(),
    after(datasetsStep(), 'provider.cmk'),
    inviteStep(),
    acceptStep(),
    after(mapStep(), 'consumer.cmk'),
    after(snapshotStep(), 'provider.cmk', 'consumer.cmk'),
    triggerStep(),
    scanStep('consumer', ['consumer.purview', 'consumer.snapshot', 'consumer.dataRole']),
    lineageStep(),
    eventTopicStep(),
    eventSubscriptionsStep(),
  ];
}

/** The step, also waiting for `ids` (data written or read only once the account's customer-managed key is set). */
function after(step: Step<RecipeEnv>, ...ids: string[]): Step<RecipeEnv> {
  return { ...step, dependsOn: [...new Set([...step.dependsOn, ...ids])] };
}

/** Steps for one command: the named step and everything it needs (already-done ones are no-ops). */
export function stepsFor(ids: readonly string[], all: Step<RecipeEnv>[] = recipeSteps(), options: { withDependencies?: boolean } = {}): Step<RecipeEnv>[] {
  const byId = new Map(all.map((s) => [s.id, s]));
  if (options.withDependencies === false) {
    // Just these steps, with dependencies outside the selection dropped (the caller knows they are done).
    const chosen = new Set(ids);
    return all.filter((s) => chosen.has(s.id)).map((s) => ({ ...s, dependsOn: s.dependsOn.filter((d) => chosen.has(d)) }));
  }
  const keep = new Set<string>();
  const add = (id: string) => {
    if (keep.has(id)) return;
    const s = byId.get(id);
    if (!s) throw new Error(`Unknown step ${id}.`);
    keep.add(id);
    s.dependsOn.forEach(add);
  };
  ids.forEach(add);
  return all.filter((s) => keep.has(s.id));
}

export { cleanupSteps };

/** The audit trail's "who" for a recipe step: the consumer's principal for consumer steps, else the provider's. */
export function recipeActor(env: RecipeEnv): (step: { side?: string }) => Promise<AuditActor> {
  return async (step) => actorOf(await (step.side === 'consumer' ? env.consumer : env.provider).principal());
}

/** Runs steps of the recipe (or cleanup) with the recipe's audit actor. */
export function runRecipeSteps(steps: readonly Step<RecipeEnv>[], env: RecipeEnv, options: RunOptions = {}): Promise<RunResult> {
  const runId = options.runId ?? randomUUID();
  prepareEvents(env, steps, options.audit, runId);
  return runSteps(steps, env, { actor: recipeActor(env), ...options, runId });
}
