/**
 * Event notifications in the editor: "Create Event Topic…" provisions the Event Grid custom topic
 * the workflows publish to (CloudEvents 1.0; the signed-in identity gets EventGrid Data Sender),
 * and "Subscribe a Webhook to Events…" adds a webhook subscription to it (the endpoint must answer
 * Event Grid's validation handshake). Both run the recipe's own steps (src/workflows/steps/events.ts)
 * with the host's wizard, plan confirmation, progress with cancel, Activity row and audit trail.
 */
import { SUBSCRIPTIONS_STEP_ID, TOPIC_STEP_ID, topicArmId } from '../../workflows/events';
import { GDS_EVENT_TYPES } from '../../workflows/eventTypes';
import { planSteps } from '../../workflows/engine';
import { subscriptionNameProblem, topicNameProblem, webhookUrlProblem } from '../../workflows/notificationsPlan';
import type { RecipePlan } from '../../workflows/plan';
import { recipeSteps, stepsFor } from '../../workflows/recipe';
import type { CommandDef, HostToolkit, Run } from '../wizard/host';
import { choiceStep, resourceGroupStep, str, subscriptionStep, tenantStep, type Ctx } from '../wizard/prompts';
import { runWizard, type PromptStep } from '../wizard/wizard';

/** A name or URL checked as it is typed (and when pre-filled). */
function checkedInput(key: string, prompt: string, value: (ctx: Ctx) => string, rule: (v: string) => string | undefined): PromptStep {
  return { key, validate: (v) => rule(String(v ?? '')), prompt: (ctx, ui) => ui.input({ prompt, value: value(ctx), validate: rule }) };
}

const topicStep = checkedInput('egTopic', 'Event Grid topic name (3–50 letters, digits, hyphens; unique in its region)', (c) => str(c, 'egTopic') ?? 'gds-events', (v) => topicNameProblem(v));

const EVENT_GROUPS: Array<{ label: string; description: string; value: string[] | undefined }> = [
  { label: 'Every event', description: GDS_EVENT_TYPES.length + ' types', value: undefined },
  { label: 'Sharing', description: 'share created, dataset added, invitation sent or accepted', value: ['GovernedDataShare.ShareCreated', 'GovernedDataShare.DataSetAdded', 'GovernedDataShare.InvitationSent', 'GovernedDataShare.InvitationAccepted'] },
  { label: 'Snapshots and lineage', description: 'snapshot succeeded or failed, lineage recorded', value: ['GovernedDataShare.SnapshotSucceeded', 'GovernedDataShare.SnapshotFailed', 'GovernedDataShare.LineageRecorded'] },
  { label: 'Governance', description: 'data-quality failures, approvals requested and decided', value: ['GovernedDataShare.DataQualityFailed', 'GovernedDataShare.ApprovalRequested', 'GovernedDataShare.ApprovalDecided'] },
];

/** The plan for the wizard's answers with `notifications` set. */
function notificationPlan(tk: HostToolkit, run: Run, subscription?: { name: string; endpointUrl: string; includedEventTypes?: string[] }): RecipePlan {
  const plan = tk.planFromCtx(run.deps, run.ctx);
  const rg = str(run.ctx, 'pRg') ?? plan.provider.resourceGroup;
  plan.provider = { ...plan.provider, resourceGroup: rg };
  plan.notifications = { eventGrid: { topic: str(run.ctx, 'egTopic') as string, resourceGroup: rg, ...(subscription ? { subscriptions: [subscription] } : {}) } };
  return plan;
}

const where = (run: Run) => [tenantStep(run.deps, 'p'), subscriptionStep(run.deps, 'p'), resourceGroupStep(run.deps, 'p', false)];

export function eventCommands(tk: HostToolkit): Record<string, CommandDef> {
  return {
    createEventTopic: {
      title: 'Create event topic',
      side: 'p',
      impl: async (run) => {
        await runWizard(run.ctx, [...where(run), topicStep], run.ui);
        const topic = str(run.ctx, 'egTopic') as string;
        tk.startActivity(run, `Create event topic ${topic}`);
        const env = await tk.envFor(run.deps, notificationPlan(tk, run));
        const steps = stepsFor([TOPIC_STEP_ID], recipeSteps(), { withDependencies: false });
        await tk.confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Create', `Create the Event Grid topic ${topic}: this will make these changes.`);
        const r = await tk.runSteps(run, steps, env);
        return { summary: `${r.outcomes[0]?.summary ?? `topic ${topic} ready`}. The recipe publishes to it when the plan names it in notifications.eventGrid.topic.`, tenantId: env.provider.tenantId, resourceId: topicArmId(env) };
      },
    },
    subscribeWebhook: {
      title: 'Subscribe a webhook to events',
      side: 'p',
      impl: async (run) => {
        await runWizard(
          run.ctx,
          [
            ...where(run),
            topicStep,
            checkedInput('egSubscription', 'Subscription name (3–64 letters, digits, hyphens)', (c) => str(c, 'egSubscription') ?? 'webhook', (v) => subscriptionNameProblem(v)),
            checkedInput('egEndpoint', 'Webhook URL (https://…; it must answer Event Grid\'s validation handshake)', (c) => str(c, 'egEndpoint') ?? 'https://', (v) => webhookUrlProblem(v)),
            choiceStep('egTypes', 'Which events?', EVENT_GROUPS.map((g) => ({ label: g.label, description: g.description, value: g.value ?? 'all' }))),
          ],
          run.ui,
        );
        const types = Array.isArray(run.ctx.egTypes) ? (run.ctx.egTypes as string[]) : undefined;
        const sub = { name: str(run.ctx, 'egSubscription') as string, endpointUrl: str(run.ctx, 'egEndpoint') as string, ...(types ? { includedEventTypes: types } : {}) };
        tk.startActivity(run, `Subscribe ${sub.name} to ${str(run.ctx, 'egTopic')}`);
        const env = await tk.envFor(run.deps, notificationPlan(tk, run, sub));
        const steps = stepsFor([SUBSCRIPTIONS_STEP_ID], recipeSteps(), { withDependencies: false });
        await tk.confirmPlan(run, (await planSteps(steps, env)).flatMap((s) => s.changes), 'Subscribe');
        const r = await tk.runSteps(run, steps, env);
        return { summary: r.outcomes[0]?.summary ?? `subscribed ${sub.name}`, tenantId: env.provider.tenantId, resourceId: `${topicArmId(env)}/providers/Microsoft.EventGrid/eventSubscriptions/${sub.name}` };
      },
    },
  };
}
