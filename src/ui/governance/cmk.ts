/**
 * Customer-managed keys in the editor: "Enable Customer-Managed Key…" switches an existing storage
 * account to a key in a Key Vault (vault, key, identity and role created when missing; the plan is
 * shown before anything changes), and "Rotate Key" makes a new key version and confirms the
 * account follows it. Both run src/workflows (the same steps as the recipe's `cmk`) with the
 * host's wizard, plan confirmation, progress with cancel, Activity row and audit trail.
 */
import { actorOf } from '../../workflows/env';
import { cmkState, rotateKey } from '../../workflows/cmk';
import { stepsFor, recipeSteps } from '../../workflows/recipe';
import { planSteps } from '../../workflows/engine';
import { UserFacingError } from '../../workflows/errors';
import { rules } from '../../workflows/validate';
import type { CommandDef, HostToolkit, Run } from '../wizard/host';
import { choiceStep, parseArmId, storageStep, str, subscriptionStep, tenantOfSubscription, tenantStep, type Ctx } from '../wizard/prompts';
import { runWizard, type PromptStep } from '../wizard/wizard';

/** A storage account node of the Shares tree (source or target storage) fills tenant, subscription, group and account. */
function prefillAccount(run: Run): void {
  const { ctx } = run;
  const node = run.args.find((a) => typeof a === 'object' && a !== null && 'kind' in a && !('answers' in a)) as Record<string, unknown> | undefined;
  if (node?.kind !== 'storageAccount') return;
  const arm = parseArmId(typeof node.id === 'string' ? node.id : '');
  const set = (k: string, v: unknown) => { if (typeof v === 'string' && v && ctx[k] === undefined) ctx[k] = v; };
  set('pSub', arm.subscriptions ?? node.subscriptionId);
  set('pTenant', tenantOfSubscription(run.deps, str(ctx, 'pSub')));
  set('pRg', arm.resourcegroups ?? node.resourceGroup);
  set('pStorage', arm.storageaccounts ?? node.name);
}

const accountSteps = (run: Run) => [tenantStep(run.deps, 'p'), subscriptionStep(run.deps, 'p'), storageStep(run.deps, 'p', false)];

/** The env for one account (the plan's provider side), in the account's own region. */
async function accountEnv(tk: HostToolkit, run: Run, cmk?: { keyVault: string; keyName: string; identity: string; keySize?: 2048 | 3072 | 4096 }) {
  const plan = tk.planFromCtx(run.deps, run.ctx);
  const probe = await tk.envFor(run.deps, plan);
  const account = await probe.provider.clients.storage(probe.provider.subscriptionId).accounts.get(plan.provider.resourceGroup, plan.provider.storageAccount);
  plan.location = account.location ?? plan.location;
  if (cmk) plan.provider = { ...plan.provider, cmk };
  return tk.envFor(run.deps, plan);
}

/** A name checked with Azure's rule as it is typed (and when pre-filled). */
function nameStep(key: string, prompt: string, value: (ctx: Ctx) => string, rule: (v: string) => string | undefined): PromptStep {
  return { key, validate: (v) => rule(String(v ?? '')), prompt: (ctx, ui) => ui.input({ prompt, value: value(ctx), validate: rule }) };
}

function defaults(ctx: Ctx): { vault: string; key: string; identity: string } {
  const acct = str(ctx, 'pStorage') ?? 'storage';
  return { vault: `kv-${acct}`.slice(0, 24).replace(/-+$/, ''), key: `${acct}-cmk`.slice(0, 127), identity: `id-${acct}-cmk`.slice(0, 128) };
}

export function cmkCommands(tk: HostToolkit): Record<string, CommandDef> {
  return {
    enableCustomerManagedKey: {
      title: 'Enable customer-managed key',
      side: 'p',
      impl: async (run) => {
        prefillAccount(run);
        const { ctx, ui } = run;
        await runWizard(ctx, [
          ...accountSteps(run),
          nameStep('cmkVault', 'Key Vault for the key (created with soft delete, purge protection and RBAC when missing; names are global)', (c) => defaults(c).vault, rules.keyVault),
          nameStep('cmkKey', 'Key name (an RSA key, created when missing)', (c) => defaults(c).key, rules.keyVaultKey),
          nameStep('cmkIdentity', 'User-assigned identity the account reaches the key with (created when missing)', (c) => defaults(c).identity, rules.userAssignedIdentity),
          choiceStep('cmkKeySize', 'RSA key size (used when the key is created)', [{ label: '2048 bits', value: 2048 }, { label: '3072 bits', value: 3072 }, { label: '4096 bits', value: 4096 }]),
        ], ui);
        const cmk = { keyVault: str(ctx, 'cmkVault')!, keyName: str(ctx, 'cmkKey')!, identity: str(ctx, 'cmkIdentity')!, keySize: (Number(ctx.cmkKeySize) || 2048) as 2048 | 3072 | 4096 };
        const account = str(ctx, 'pStorage')!;
        tk.startActivity(run, `Enable customer-managed key on ${account}`);
        const env = await accountEnv(tk, run, cmk);
        const steps = stepsFor(['provider.keyVault', 'provider.cmk'], recipeSteps(), { withDependencies: false });
        await tk.confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Enable', `Encrypt ${account} with a customer-managed key: this will make these changes.`);
        await tk.runSteps(run, steps, env);
        const s = env.provider;
        const state = await cmkState(s.clients, s.subscriptionId, s.plan.resourceGroup, s.plan.storageAccount);
        const issues = state.problems.map((p) => `${p.problem} Fix: ${p.fix}`);
        return {
          summary: `${account} is encrypted with ${cmk.keyVault}/${cmk.keyName} (version ${state.keyUri?.split('/').pop() ?? '?'}, follows new versions)${issues.length ? `. Check: ${issues.join(' ')}` : '.'}`,
          tenantId: s.tenantId,
          resourceId: `/subscriptions/${s.subscriptionId}/resourceGroups/${s.plan.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${account}`,
          extra: { cmk: state },
        };
      },
    },
    rotateCustomerManagedKey: {
      title: 'Rotate key',
      side: 'p',
      impl: async (run) => {
        prefillAccount(run);
        const { ctx, ui } = run;
        await runWizard(ctx, accountSteps(run), ui);
        const account = str(ctx, 'pStorage')!;
        tk.startActivity(run, `Rotate the key of ${account}`);
        const env = await accountEnv(tk, run);
        const s = env.provider;
        const before = await cmkState(s.clients, s.subscriptionId, s.plan.resourceGroup, s.plan.storageAccount);
        if (before.keySource.toLowerCase() !== 'microsoft.keyvault') {
          throw new UserFacingError(`${account} uses Microsoft-managed keys: there is no key of yours to rotate.`, 'Run Enable Customer-Managed Key… on it first.');
        }
        const keyBase = (before.keyUri ?? '').replace(/\/[^/]+$/, '');
        await tk.confirmPlan(run, [{ action: 'create', tenantId: s.tenantId, resource: keyBase, detail: `new key version; ${account} ${before.keyVersion ? `is pinned to version ${before.keyVersion} and keeps it` : 'follows it (older versions stay enabled for data written before)'}` }], 'Rotate');
        const result = await tk.withProgress(run, run.title, (report, signal) => {
          report('creating a new key version');
          return rotateKey(env, 'provider', { signal });
        });
        tk.auditTrail(run.deps).append({ runId: `rotate-${Date.now()}`, actor: actorOf(await s.principal()), action: 'cmk.rotate', resourceIds: [keyBase], outcome: 'succeeded', message: result.summary });
        return { summary: result.summary, tenantId: s.tenantId, extra: { rotation: result } };
      },
    },
  };
}
