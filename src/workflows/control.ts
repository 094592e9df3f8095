/**
 * Provider control (step 8): consumers and their status; revoke, reinstate, adjust expiry; snapshot
 * history on both sides. Each action validates its input, acts once (a repeat changes nothing)
 * and lands in the audit trail.
 */
import type { ProviderShareSubscription, ShareSubscriptionSynchronization } from '../azure';
import type { AuditSink } from './audit';
import { actorOf, type RecipeEnv } from './env';
import { UserFacingError } from './errors';
import { subscriptionRef, shareRef } from './steps/sharing';
import { futureDate } from './validate';

export interface ConsumerInfo {
  id: string;
  name: string;
  consumerName?: string;
  consumerEmail?: string;
  consumerTenantName?: string;
  status?: string;
  expirationDate?: string;
  sharedAt?: string;
}

export async function listConsumers(env: RecipeEnv, signal?: AbortSignal): Promise<ConsumerInfo[]> {
  const items = (await env.provider.clients.dataShare.providerShareSubscriptions.listByShare(shareRef(env), { abortSignal: signal }).collect()).items;
  return items.map((s: ProviderShareSubscription) => ({
    id: s.name as string,
    name: s.name as string,
    consumerName: s.properties?.consumerName,
    consumerEmail: s.properties?.consumerEmail,
    consumerTenantName: s.properties?.consumerTenantName,
    status: s.properties?.shareSubscriptionStatus,
    expirationDate: s.properties?.expirationDate,
    sharedAt: s.properties?.sharedAt,
  }));
}

async function consumerOrThrow(env: RecipeEnv, id: string, signal?: AbortSignal): Promise<ConsumerInfo> {
  const all = await listConsumers(env, signal);
  const found = all.find((c) => c.id === id) ?? (all.length === 1 && !id ? all[0] : undefined);
  if (!found) throw new UserFacingError(`The share ${env.plan.share.name} has no consumer ${id || '(none given)'}.`, all.length ? `Consumers: ${all.map((c) => `${c.id} (${c.consumerEmail ?? c.consumerName ?? '?'})`).join(', ')}.` : 'Nobody has accepted an invitation to this share yet.');
  return found;
}

async function actor(env: RecipeEnv) {
  return actorOf(await env.provider.principal());
}

export async function revokeConsumer(env: RecipeEnv, id: string, audit?: AuditSink, signal?: AbortSignal): Promise<{ changed: boolean; status?: string }> {
  const c = await consumerOrThrow(env, id, signal);
  if (c.status === 'Revoked' || c.status === 'Revoking') return { changed: false, status: c.status };
  const r = await env.provider.clients.dataShare.providerShareSubscriptions.revokeAndWait({ ...shareRef(env), providerShareSubscriptionId: c.id }, { abortSignal: signal, intervalInMs: env.pollIntervalMs });
  audit?.append({ runId: 'control', actor: await actor(env), action: 'subscription.revoke', tenantId: env.provider.tenantId, resourceIds: [r.id ?? c.id], outcome: 'succeeded', message: `revoked ${c.consumerEmail ?? c.consumerName ?? c.id}` });
  return { changed: true, status: r.properties?.shareSubscriptionStatus };
}

export async function reinstateConsumer(env: RecipeEnv, id: string, expirationDate: string | undefined, audit?: AuditSink, signal?: AbortSignal): Promise<{ changed: boolean; status?: string }> {
  if (expirationDate) {
    const bad = futureDate(expirationDate);
    if (bad) throw new UserFacingError(bad, 'Give a future date, or none for no expiry.');
  }
  const c = await consumerOrThrow(env, id, signal);
  if (c.status === 'Active') return { changed: false, status: c.status };
  const r = await env.provider.clients.dataShare.providerShareSubscriptions.reinstate({ ...shareRef(env), providerShareSubscriptionId: c.id }, expirationDate ? { expirationDate: new Date(expirationDate).toISOString() } : {}, { abortSignal: signal });
  audit?.append({ runId: 'control', actor: await actor(env), action: 'subscription.reinstate', tenantId: env.provider.tenantId, resourceIds: [r.id ?? c.id], outcome: 'succeeded', message: `reinstated ${c.consumerEmail ?? c.consumerName ?? c.id}${expirationDate ? ` until ${expirationDate}` : ''}` });
  return { changed: true, status: r.properties?.shareSubscriptionStatus };
}

export async function adjustExpiry(env: RecipeEnv, id: string, expirationDate: string, audit?: AuditSink, signal?: AbortSignal): Promise<{ changed: boolean; expirationDate?: string }> {
  const bad = futureDate(expirationDate);
  if (bad) throw new UserFacingError(bad, 'Give a future date.');
  const c = await consumerOrThrow(env, id, signal);
  const iso = new Date(expirationDate).toISOString();
  if (c.expirationDate && Date.parse(c.expirationDate) === Date.parse(iso)) return { changed: false, expirationDate: c.expirationDate };
  const r = await env.provider.clients.dataShare.providerShareSubscriptions.adjust({ ...shareRef(env), providerShareSubscriptionId: c.id }, { expirationDate: iso }, { abortSignal: signal });
  audit?.append({ runId: 'control', actor: await actor(env), action: 'subscription.adjustExpiry', tenantId: env.provider.tenantId, resourceIds: [r.id ?? c.id], outcome: 'succeeded', message: `expiry of ${c.consumerEmail ?? c.id} set to ${iso}` });
  return { changed: true, expirationDate: r.properties?.expirationDate };
}

/** Snapshot history: the provider's view of the share and the consumer's of its subscription. */
export async function snapshotHistory(env: RecipeEnv, signal?: AbortSignal): Promise<{ provider: Array<{ synchronizationId?: string; status?: string; startTime?: string; endTime?: string; consumerEmail?: string }>; consumer: ShareSubscriptionSynchronization[] }> {
  const [provider, consumer] = await Promise.all([
    env.provider.clients.dataShare.shares.listSynchronizations(shareRef(env), { abortSignal: signal }).collect(),
    env.consumer.clients.dataShare.shareSubscriptions.listSynchronizations(subscriptionRef(env), { abortSignal: signal }).collect(),
  ]);
  return { provider: provider.items as never, consumer: consumer.items };
}
