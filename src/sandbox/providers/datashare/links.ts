/**
 * Records that tie the provider and consumer sides together (invitation -> share subscription ->
 * provider share subscription) and the state derived from them (status, expiry, trigger status).
 */
import type { SandboxContext } from '../../core/contract';
import {
  T, type Json, type StoredResource, allResources, getResource, listResources, normLocation,
} from './common';

export interface ShareInternal extends Json { uid: string }

export interface InvitationInternal extends Json {
  shareId: string;
  shareUid: string;
  providerAccountId: string;
  providerTenantId: string;
  location: string;
  /** Consumer share subscription that accepted it. */
  acceptedBy?: string;
  rejectedBy?: string;
}

export interface ProviderShareSubscriptionInternal extends Json {
  consumerShareSubscriptionId: string;
  consumerTenantId: string;
  invitationResourceId: string;
  shareUid: string;
}

export interface ShareSubscriptionInternal extends Json {
  objectId: string;
  providerShareId: string;
  providerShareUid: string;
  providerShareSubscriptionId: string;
  providerAccountId: string;
  consumerTenantId: string;
  /** Provider-side facts as they were at acceptance (used when the source share is gone). */
  snapshot: {
    shareName: string;
    shareKind: string;
    shareDescription?: string;
    shareTerms?: string;
    providerName: string;
    providerEmail: string;
    providerTenantName: string;
  };
}

export interface TriggerInternal extends Json {
  /** The last scheduled time that fired (ISO). */
  lastFiredAt?: string;
}

export type Share = StoredResource<Json, ShareInternal>;
export type Invitation = StoredResource<Json, InvitationInternal>;
export type ProviderShareSubscription = StoredResource<Json, ProviderShareSubscriptionInternal>;
export type ShareSubscription = StoredResource<Json, ShareSubscriptionInternal>;
export type Trigger = StoredResource<Json, TriggerInternal>;

export function findInvitationById(ctx: SandboxContext, invitationId: string): Invitation | undefined {
  const want = invitationId.toLowerCase();
  return allResources<Json, InvitationInternal>(ctx, T.invitation).find((i) => String(i.properties.invitationId).toLowerCase() === want);
}

/** The live source share of a share subscription (undefined when it was deleted or replaced). */
export function sourceShare(ctx: SandboxContext, ss: ShareSubscription): Share | undefined {
  const share = getResource<Json, ShareInternal>(ctx, ss.internal.providerShareId);
  return share && share.internal.uid === ss.internal.providerShareUid ? share : undefined;
}

export function providerRecord(ctx: SandboxContext, ss: ShareSubscription): ProviderShareSubscription | undefined {
  return sourceShare(ctx, ss) ? getResource<Json, ProviderShareSubscriptionInternal>(ctx, ss.internal.providerShareSubscriptionId) : undefined;
}

export function isExpired(ctx: SandboxContext, expirationDate: unknown): boolean {
  if (typeof expirationDate !== 'string') return false;
  const t = new Date(expirationDate).getTime();
  return !Number.isNaN(t) && ctx.clock.now().getTime() > t;
}

export type EffectiveStatus = 'Active' | 'Revoked' | 'Revoking' | 'SourceDeleted' | 'Expired';

/** The status the sandbox acts on; `Expired` renders as `Revoked` (the enum has no Expired). */
export function effectiveStatus(ctx: SandboxContext, ss: ShareSubscription): EffectiveStatus {
  const psub = providerRecord(ctx, ss);
  if (!psub) return 'SourceDeleted';
  return providerStatus(ctx, psub);
}

export function providerStatus(ctx: SandboxContext, psub: ProviderShareSubscription): EffectiveStatus {
  const s = String(psub.properties.shareSubscriptionStatus);
  if (s === 'Revoked' || s === 'Revoking') return s;
  if (isExpired(ctx, psub.properties.expirationDate)) return 'Expired';
  return 'Active';
}

export function renderStatus(s: EffectiveStatus): string {
  return s === 'Expired' ? 'Revoked' : s;
}

/** Source data sets visible to a share subscription (the live share's data sets). */
export function sourceDataSets(ctx: SandboxContext, ss: ShareSubscription): StoredResource[] {
  const share = sourceShare(ctx, ss);
  return share ? listResources(ctx, share.id, T.dataSet) : [];
}

export function locationMatches(a: string | undefined, b: string | undefined): boolean {
  return normLocation(a) === normLocation(b);
}
