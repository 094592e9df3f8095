/**
 * Notifications: the plan's Event Grid custom topic (CloudEvents 1.0; the provider principal gets
 * EventGrid Data Sender on it, so events go out with its Microsoft Entra token, no key) and the
 * webhook subscriptions on it. Each reads first and writes only what is missing or different.
 */
import type { Step, StepContext, StepResult } from '../engine';
import type { RecipeEnv } from '../env';
import { UserFacingError } from '../errors';
import { eventGridSinkOf, SUBSCRIPTIONS_STEP_ID, TOPIC_STEP_ID, topicArmId, topicResourceGroup } from '../events';
import { GDS_EVENT_TYPES } from '../eventTypes';
import { getOrUndefined } from './common';

type S = Step<RecipeEnv>;

export const EVENTGRID_NAMESPACE = 'Microsoft.EventGrid';
const DATA_SENDER = 'd5a91429-5739-47e2-a06b-3470a27159e7';

export function eventTopicStep(): S {
  return {
    id: TOPIC_STEP_ID,
    title: 'Event Grid topic for notifications',
    dependsOn: [],
    side: 'provider',
    plan: (env) => {
      const eg = env.plan.notifications?.eventGrid;
      if (!eg) return [];
      return [
        { action: 'create', tenantId: env.provider.tenantId, resource: `${topicResourceGroup(env)}/${eg.topic}`, detail: 'Event Grid custom topic (CloudEvents 1.0 schema)', cost: 'Event Grid Basic: billed per million operations (the first 100,000 a month are free)' },
        { action: 'create', tenantId: env.provider.tenantId, resource: `${topicResourceGroup(env)}/${eg.topic}`, detail: 'role assignment: EventGrid Data Sender for the signed-in principal (publishes with its token, no keys)' },
      ];
    },
    async execute(env, ctx) {
      const eg = env.plan.notifications?.eventGrid;
      const sink = eventGridSinkOf(env);
      if (!eg) return { changed: false, summary: 'no notifications in the plan' };
      try {
        const sub = env.provider.subscriptionId;
        const o = { abortSignal: ctx.signal };
        let changed = false;
        const res = env.provider.clients.resources(sub);
        const reg = await res.providers.get(EVENTGRID_NAMESPACE, o);
        if (reg.registrationState?.toLowerCase() !== 'registered') {
          ctx.report(`registering ${EVENTGRID_NAMESPACE}`);
          await res.providers.register(EVENTGRID_NAMESPACE, { abortSignal: ctx.signal, pollIntervalInMs: env.pollIntervalMs });
          changed = true;
        }
        const rg = topicResourceGroup(env);
        if (!(await res.resourceGroups.exists(rg, o))) {
          await res.resourceGroups.createOrUpdate(rg, { location: env.plan.location }, o);
          changed = true;
        }
        const api = env.provider.clients.eventGrid(sub);
        let topic = await getOrUndefined(() => api.topics.get(rg, eg.topic, o));
        if (topic && topic.inputSchema !== 'CloudEventSchemaV1_0') {
          throw new UserFacingError(`The Event Grid topic ${eg.topic} exists with input schema ${topic.inputSchema ?? 'unknown'}; the extension publishes CloudEvents 1.0.`, 'Name another topic in notifications.eventGrid.topic (a topic\'s schema cannot change), or delete that one.');
        }
        if (!topic) {
          ctx.report(`creating topic ${eg.topic}`);
          topic = await api.topics.createAndWait(rg, eg.topic, { location: env.plan.location, inputSchema: 'CloudEventSchemaV1_0', tags: { 'governed-data-share': env.plan.share.name } }, o);
          changed = true;
        }
        const me = await env.provider.principal();
        const role = await env.provider.clients.authorization(sub).ensureRoleAssignment(
          { scope: topicArmId(env), role: DATA_SENDER, principalId: me.objectId, principalType: me.kind === 'User' ? 'User' : 'ServicePrincipal', description: 'Governed Data Share publishes its events' },
          { abortSignal: ctx.signal, principalNotFoundDelayInMs: env.pollIntervalMs * 4 },
        );
        changed ||= role.created;
        if (!topic.endpoint) throw new UserFacingError(`The topic ${eg.topic} has no endpoint (${topic.provisioningState ?? 'unknown state'}).`, 'Wait for it to finish provisioning, then run again.');
        sink?.topicReady(topic.endpoint);
        return { changed, summary: changed ? `topic ${eg.topic} ready at ${topic.endpoint}` : `topic ${eg.topic} already in place`, resourceIds: [topic.id ?? topicArmId(env)] };
      } catch (e) {
        sink?.topicFailed(e);
        throw e;
      }
    },
  };
}

export function eventSubscriptionsStep(): S {
  return {
    id: SUBSCRIPTIONS_STEP_ID,
    title: 'Webhook subscriptions to the events',
    dependsOn: [TOPIC_STEP_ID],
    side: 'provider',
    plan: (env) =>
      (env.plan.notifications?.eventGrid?.subscriptions ?? []).map((s) => ({
        action: 'create' as const,
        tenantId: env.provider.tenantId,
        resource: `${topicResourceGroup(env)}/${env.plan.notifications?.eventGrid?.topic}/${s.name}`,
        detail: `webhook ${new URL(s.endpointUrl).origin}${new URL(s.endpointUrl).pathname} (${s.includedEventTypes?.length ? s.includedEventTypes.join(', ') : 'every event type'}); the endpoint must answer the validation handshake`,
      })),
    async execute(env, ctx) {
      try {
        return await ensureSubscriptions(env, ctx);
      } finally {
        eventGridSinkOf(env)?.subscriptionsSettled();
      }
    },
  };
}

async function ensureSubscriptions(env: RecipeEnv, ctx: StepContext): Promise<StepResult> {
  const subs = env.plan.notifications?.eventGrid?.subscriptions ?? [];
  if (!subs.length) return { changed: false, summary: 'no webhook subscriptions in the plan' };
  const api = env.provider.clients.eventGrid(env.provider.subscriptionId);
  const scope = topicArmId(env);
  const o = { abortSignal: ctx.signal };
  const done: string[] = [];
  const waiting: string[] = [];
  for (const s of subs) {
    const wanted = [...(s.includedEventTypes ?? GDS_EVENT_TYPES)].sort();
    const cur = await getOrUndefined(() => api.subscriptions.get(scope, s.name, o));
    if (cur && cur.provisioningState === 'Succeeded') {
      const types = [...(cur.filter?.includedEventTypes ?? [])].sort();
      const url = await api.subscriptions.getFullUrl(scope, s.name, o);
      if (url === s.endpointUrl && JSON.stringify(types) === JSON.stringify(wanted)) continue;
    }
    ctx.report(`subscribing ${s.name} (validation handshake)`);
    const created = await api.subscriptions.createWebhookAndWait(scope, s.name, { endpointUrl: s.endpointUrl, includedEventTypes: wanted }, o);
    if (created.provisioningState === 'AwaitingManualAction') waiting.push(s.name);
    else if (created.provisioningState !== 'Succeeded') {
      throw new UserFacingError(`The webhook subscription ${s.name} ended ${created.provisioningState ?? 'in an unknown state'}.`, 'Make the endpoint answer Event Grid\'s validation handshake (200 with {"validationResponse": code}, or the OPTIONS request for CloudEvents), then run again.');
    }
    done.push(s.name);
  }
  const summary = done.length ? `subscribed ${done.join(', ')}${waiting.length ? `; awaiting manual validation: ${waiting.join(', ')} (open the validationUrl the endpoint received within 10 minutes)` : ''}` : 'webhook subscriptions already in place';
  return { changed: done.length > 0, summary };
}
