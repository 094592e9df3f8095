/**
 * The approval gate as a recipe step: after the classification gate, before the datasets, the
 * invitation and the snapshot. Passes at once when the plan's approval policy asks for nothing;
 * otherwise requests approval (the Logic App run), waits for the decision (cancellable) and fails
 * with a clear message (rejected, timed out, expired, self-approval) having changed nothing.
 */
import type { Step } from '../engine';
import type { RecipeEnv } from '../env';
import { approvalConfig, approvalGate, decisionsWorkflowName, workflowLocation, type ApprovalRunOptions } from '../approvals';

export const APPROVAL_STEP_ID = 'governance.approval';

export function approvalStep(options: ApprovalRunOptions = {}): Step<RecipeEnv> {
  return {
    id: APPROVAL_STEP_ID,
    title: 'Approval by a second person',
    dependsOn: ['governance.gate'],
    side: 'provider',
    plan: (env) => {
      const cfg = approvalConfig(env);
      if (!cfg?.required) return [];
      const loc = cfg.logicApp ? workflowLocation(env, cfg) : undefined;
      const connector = !!cfg.logicApp?.teams;
      return [
        ...(loc ? [{ action: 'create' as const, tenantId: env.provider.tenantId, resource: `${loc.resourceGroup}/${loc.name}`, detail: connector ? 'approval Logic App (Request trigger; the Teams connector posts the Adaptive Card to the channel and waits for the answer) when missing or different' : 'approval Logic App (Request trigger, Adaptive Card to Teams, wait for the answer) when missing or different', cost: 'Logic Apps Consumption: billed per action run' }] : []),
        ...(loc && connector
          ? [
              { action: 'create' as const, tenantId: env.provider.tenantId, resource: `${loc.resourceGroup}/${cfg.logicApp?.teams?.connectionName ?? `${loc.name}-teams`}`, detail: 'Teams API connection (Microsoft.Web/connections) when missing; a person authorizes it once in the portal' },
              { action: 'create' as const, tenantId: env.provider.tenantId, resource: `${loc.resourceGroup}/${decisionsWorkflowName(loc.name)}`, detail: 'decisions Logic App (Request trigger with Entra ID OAuth for the provider tenant) for decisions made in VS Code, when missing or different', cost: 'Logic Apps Consumption: billed per action run' },
            ]
          : []),
        { action: 'check', tenantId: env.provider.tenantId, resource: env.plan.share.name, detail: `approval by a second person when the policy asks for it (${cfg.channel === 'editor' ? 'decided in VS Code' : 'decided in Teams'})` },
      ];
    },
    execute: (env, ctx) => approvalGate(env, ctx, options),
  };
}
