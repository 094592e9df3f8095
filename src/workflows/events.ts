/**
 * The recipe's events over Event Grid: an EventSink (eventTypes.ts) that sends each event as a
 * CloudEvent 1.0 to the plan's custom topic through @azure/eventgrid, with the provider tenant's
 * Microsoft Entra credential (the topic step gives it EventGrid Data Sender on the topic).
 *
 * - `type`: one of GDS_EVENT_TYPES; `source`: `/tenants/{provider tenant}/shares/{share}`;
 *   `subject`: the resource the event is about; `data`: facts only (keys whose names look like
 *   secrets are dropped and every string is redacted: tokens, keys, SAS never leave).
 * - Publishing never fails a step: a failure is logged and lands in the audit trail
 *   (`event.publish`, failed), the data work stands.
 * - When the run includes the topic step, events wait for it (the topic may not exist yet); when it
 *   does not (a single editor command), the topic's endpoint is read from ARM on first use.
 */
import { randomUUID } from 'node:crypto';
import type { AuditActor, AuditSink } from './audit';
import type { Step } from './engine';
import type { RecipeEnv } from './env';
import { describeError, isCancellation } from './errors';
import type { EventSink, GdsEventType } from './eventTypes';
import { redactSecrets } from '../common/redact';

export const TOPIC_STEP_ID = 'events.topic';
export const SUBSCRIPTIONS_STEP_ID = 'events.subscriptions';
/** How long an event waits for the run's topic step before it is given up (logged, audited). */
const TOPIC_WAIT_MS = 5 * 60_000;

const SECRET_KEY = /(key|secret|token|password|sas|signature|connectionstring|credential|sig)$/i;

/** Facts only: drops secret-looking keys (any depth) and redacts strings. */
export function eventData(data: Record<string, unknown>): Record<string, unknown> {
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return redactSecrets(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (!SECRET_KEY.test(k) && x !== undefined) out[k] = clean(x);
      return out;
    }
    return v;
  };
  return clean(data) as Record<string, unknown>;
}

export function topicResourceGroup(env: RecipeEnv): string {
  return env.plan.notifications?.eventGrid?.resourceGroup ?? env.provider.plan.resourceGroup;
}

export function topicArmId(env: RecipeEnv): string {
  return `/subscriptions/${env.provider.subscriptionId}/resourceGroups/${topicResourceGroup(env)}/providers/Microsoft.EventGrid/topics/${env.plan.notifications?.eventGrid?.topic ?? ''}`;
}

/** ARM ids the events name as their subject. */
export const subjects = {
  share: (env: RecipeEnv) => `/subscriptions/${env.provider.subscriptionId}/resourceGroups/${env.provider.plan.resourceGroup}/providers/Microsoft.DataShare/accounts/${env.provider.plan.dataShareAccount}/shares/${env.plan.share.name}`,
  dataSet: (env: RecipeEnv, name: string) => `${subjects.share(env)}/dataSets/${name}`,
  invitation: (env: RecipeEnv) => `${subjects.share(env)}/invitations/${env.plan.invitation.name}`,
  shareSubscription: (env: RecipeEnv) =>
    `/subscriptions/${env.consumer.subscriptionId}/resourceGroups/${env.consumer.plan.resourceGroup}/providers/Microsoft.DataShare/accounts/${env.consumer.plan.dataShareAccount}/shareSubscriptions/${env.plan.subscription.name}`,
};

export interface SentEvent {
  id: string;
  type: GdsEventType;
  subject: string;
}

export class EventGridSink implements EventSink {
  /** Events sent (ids, types, subjects), in order. */
  readonly sent: SentEvent[] = [];
  /** Events that could not be sent, with why. */
  readonly failed: Array<SentEvent & { error: string }> = [];
  audit?: AuditSink;
  runId = 'events';
  actor?: AuditActor;
  log: (message: string) => void = (m) => process.stderr.write(`${m}\n`);
  private endpoint: string | undefined;
  private gate: Promise<void> | undefined;
  private settle: { resolve(): void; reject(e: unknown): void } | undefined;
  /** Open while the run's webhook subscriptions step has not finished: Event Grid drops events no subscription exists for yet. */
  private subscribersGate: Promise<void> | undefined;
  private subscribersSettled: (() => void) | undefined;

  constructor(private readonly env: RecipeEnv) {}

  get source(): string {
    return `/tenants/${this.env.provider.tenantId}/shares/${this.env.plan.share.name}`;
  }

  /** The run includes the topic step: events wait until it says the topic is there (or failed). */
  expectTopicStep(): void {
    if (this.endpoint) return;
    this.gate = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.gate.catch(() => undefined);
  }

  /** Called by the topic step. */
  topicReady(endpoint: string): void {
    this.endpoint = endpoint;
    this.settle?.resolve();
  }

  topicFailed(error: unknown): void {
    this.settle?.reject(error);
  }

  /** The run includes the webhook subscriptions step: events wait until it has finished (either way). */
  expectSubscriptionsStep(): void {
    this.subscribersGate = new Promise<void>((resolve) => (this.subscribersSettled = resolve));
  }

  /** Called by the subscriptions step when it ends, whatever its outcome. */
  subscriptionsSettled(): void {
    this.subscribersSettled?.();
  }

  private async resolveEndpoint(signal?: AbortSignal): Promise<string> {
    if (this.gate || this.subscribersGate) {
      let timer: NodeJS.Timeout | undefined;
      const gates = Promise.all([this.gate, this.subscribersGate]);
      await Promise.race([gates, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error('the notification steps did not finish in time')), TOPIC_WAIT_MS)))]).finally(() => clearTimeout(timer));
    }
    if (!this.endpoint) {
      const eg = this.env.plan.notifications?.eventGrid;
      if (!eg) throw new Error('the plan has no notifications.eventGrid topic');
      const topic = await this.env.provider.clients.eventGrid(this.env.provider.subscriptionId).topics.get(topicResourceGroup(this.env), eg.topic, { abortSignal: signal });
      if (!topic.endpoint) throw new Error(`topic ${eg.topic} has no endpoint yet (${topic.provisioningState ?? 'unknown state'})`);
      this.endpoint = topic.endpoint;
    }
    return this.endpoint;
  }

  async publish(type: GdsEventType, subject: string, data: Record<string, unknown>): Promise<void> {
    const id = randomUUID();
    try {
      const endpoint = await this.resolveEndpoint();
      await this.env.provider.clients.eventGridPublisher(endpoint).send([{ id, type, source: this.source, subject, time: new Date(), datacontenttype: 'application/json', data: eventData(data) }]);
      this.sent.push({ id, type, subject });
    } catch (e) {
      const error = redactSecrets(describeError(e).message);
      this.failed.push({ id, type, subject, error });
      this.log(`[events] ${type} for ${subject} was not published: ${error}`);
      this.audit?.append({ runId: this.runId, actor: this.actor, action: 'event.publish', tenantId: this.env.provider.tenantId, resourceIds: [subject], outcome: 'failed', message: `${type} not published: ${error}`, details: { eventType: type, eventId: id } });
    }
  }
}

/** The sink of an env when it publishes to Event Grid. */
export function eventGridSinkOf(env: RecipeEnv): EventGridSink | undefined {
  return env.events instanceof EventGridSink ? env.events : undefined;
}

/** Prepares the env's sink for a run: its audit trail, and whether events wait for the topic step. */
export function prepareEvents(env: RecipeEnv, steps: readonly Step<RecipeEnv>[], audit?: AuditSink, runId?: string): void {
  const sink = eventGridSinkOf(env);
  if (!sink) return;
  if (audit) sink.audit = audit;
  if (runId) sink.runId = runId;
  if (steps.some((s) => s.id === TOPIC_STEP_ID)) sink.expectTopicStep();
  if (steps.some((s) => s.id === SUBSCRIPTIONS_STEP_ID)) sink.expectSubscriptionsStep();
}

/**
 * A snapshot whose synchronization ended Failed (the service reports it as a failed operation):
 * publishes SnapshotFailed for the newest failed synchronization, then rethrows the error.
 */
export async function snapshotFailed(env: RecipeEnv, mode: string, error: unknown): Promise<never> {
  if (env.events && !isCancellation(error)) {
    let synchronizationId: string | undefined;
    let latest: string | undefined;
    try {
      for await (const s of env.consumer.clients.dataShare.shareSubscriptions.listSynchronizations({ subscriptionId: env.consumer.subscriptionId, resourceGroupName: env.consumer.plan.resourceGroup, accountName: env.consumer.plan.dataShareAccount, shareSubscriptionName: env.plan.subscription.name })) {
        if (s.status === 'Failed' && s.synchronizationId && (!synchronizationId || (s.startTime ?? '') >= (latest ?? ''))) {
          synchronizationId = s.synchronizationId;
          latest = s.startTime;
        }
      }
    } catch {
      /* the event still goes out, without the synchronization's id */
    }
    const subject = synchronizationId ? `${subjects.shareSubscription(env)}/synchronizations/${synchronizationId}` : subjects.shareSubscription(env);
    await env.events.publish('GovernedDataShare.SnapshotFailed', subject, { shareSubscription: env.plan.subscription.name, synchronizationId, mode, status: 'Failed', message: describeError(error).message });
  }
  throw error;
}
