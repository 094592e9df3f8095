/**
 * What the approval journeys share: the provider infrastructure they run on, a second person of the
 * provider tenant with their own token and clients, one share per journey, the gate's steps, and
 * what a journey checks afterwards (the step's failure, the datasets added).
 */
import * as assert from 'node:assert/strict';
import { AzureClients, type CloudConfig } from '../../../src/azure';
import { sandboxCredentials, type SandboxDescription } from '../../../src/auth';
import type { RunResult, Step } from '../../../src/workflows/engine';
import type { Principal, RecipeEnv } from '../../../src/workflows/env';
import type { RecipePlan } from '../../../src/workflows/plan';
import { recipeSteps, stepsFor } from '../../../src/workflows/recipe';
import { approvalStep } from '../../../src/workflows/steps/approval';
import { shareRef } from '../../../src/workflows/steps/common';
import { FAST_CLIENTS } from './flow';
import { ARM_SCOPE, tokenFor } from './sandbox';

/** The provider steps the gate needs underneath (storage with data, the Data Share account). */
export const APPROVAL_INFRA = ['provider.register', 'provider.storage', 'provider.dataRole', 'provider.upload', 'provider.dataShareAccount'];

export interface Person {
  token: string;
  clients: AzureClients;
  principal: Principal;
}

/** The tenant's first seeded user, signed in with their own account (not the plan's service principal). */
export async function personOf(description: SandboxDescription, cloud: CloudConfig, tenantId: string): Promise<Person> {
  const tenant = description.tenants.find((t) => t.tenantId === tenantId)!;
  const credential = sandboxCredentials(description, tenantId, 'user', { caPem: cloud.caPem });
  return {
    token: await tokenFor(credential, ARM_SCOPE),
    clients: new AzureClients(cloud, tenantId, credential, FAST_CLIENTS),
    principal: { tenantId, objectId: tenant.users[0].objectId ?? '', name: tenant.users[0].displayName ?? '', kind: 'User', email: tenant.users[0].email },
  };
}

/** The env for one share (each journey asks about its own share, so its own request). */
export function shareEnv(base: RecipeEnv, plan: RecipePlan, shareName: string, changes: (p: RecipePlan) => void = () => undefined): RecipeEnv {
  const p = JSON.parse(JSON.stringify(plan)) as RecipePlan;
  p.share.name = shareName;
  changes(p);
  return { ...base, plan: p };
}

/** Create the share, the classification gate, the approval gate (on the sandbox clock), then `extra`. */
export function gateSteps(now: () => Date, extra: string[] = ['share.datasets'], step: Step<RecipeEnv> = approvalStep({ now })): Step<RecipeEnv>[] {
  const all = recipeSteps().map((s) => (s.id === 'governance.approval' ? step : s));
  return stepsFor(['share.create', 'governance.gate', 'governance.approval', ...extra], all, { withDependencies: false });
}

/** The failed step's message and next step, as a person reads them. */
export function stepFailure(r: RunResult, id = 'governance.approval'): string {
  const o = r.outcomes.find((x) => x.id === id);
  assert.equal(o?.status, 'failed', JSON.stringify(r.outcomes));
  return `${o?.error?.message ?? ''} Next: ${o?.error?.nextStep ?? ''}`;
}

export async function datasetNames(env: RecipeEnv): Promise<string[]> {
  return (await env.provider.clients.dataShare.dataSets.listByShare(shareRef(env)).collect()).items.map((d) => d.name ?? '').sort();
}
