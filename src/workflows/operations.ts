/**
 * Single actions the editor runs outside a whole recipe plan: the consumer's pending invitations
 * (with their terms), accept into a chosen account, reject. Each validates its input first, acts
 * once, and lands in the audit trail.
 */
import type { AzureClients, ConsumerInvitation, ShareSubscription } from '../azure';
import type { AuditActor, AuditSink } from './audit';
import type { EventSink } from './eventTypes';
import { UserFacingError } from './errors';
import { rules } from './validate';

export interface PendingInvitation {
  invitationId: string;
  location: string;
  shareName?: string;
  providerName?: string;
  providerEmail?: string;
  providerTenantName?: string;
  description?: string;
  termsOfUse?: string;
  dataSetCount?: number;
  expirationDate?: string;
  sentAt?: string;
}

export async function listPendingInvitations(clients: AzureClients, signal?: AbortSignal): Promise<PendingInvitation[]> {
  const out: PendingInvitation[] = [];
  for await (const i of clients.dataShare.consumerInvitations.list({ abortSignal: signal })) {
    if (i.properties.invitationStatus !== 'Pending') continue;
    out.push(pending(i));
  }
  return out;
}

function pending(i: ConsumerInvitation): PendingInvitation {
  const p = i.properties;
  return { invitationId: p.invitationId, location: p.location as string, shareName: p.shareName, providerName: p.providerName, providerEmail: p.providerEmail, providerTenantName: p.providerTenantName, description: p.description, termsOfUse: p.termsOfUse, dataSetCount: p.dataSetCount, expirationDate: p.expirationDate, sentAt: p.sentAt };
}

export interface AcceptInput {
  invitationId: string;
  location: string;
  subscriptionId: string;
  resourceGroupName: string;
  accountName: string;
  shareSubscriptionName: string;
  /** Must be true: the person read and accepted the terms of use. */
  termsAccepted: boolean;
}

export async function acceptInvitation(clients: AzureClients, input: AcceptInput, actor?: AuditActor, audit?: AuditSink, signal?: AbortSignal, events?: EventSink): Promise<ShareSubscription> {
  const bad = [rules.guid(input.subscriptionId), rules.resourceGroup(input.resourceGroupName), rules.dataShareAccount(input.accountName), rules.dataShareName(input.shareSubscriptionName)].filter(Boolean);
  if (bad.length) throw new UserFacingError(bad.join(' '), 'Correct the name and try again; nothing was changed.');
  if (!input.termsAccepted) throw new UserFacingError('The terms of use were not accepted.', 'Read the terms and accept them to receive the data.');
  const inv = await clients.dataShare.consumerInvitations.get(input.location, input.invitationId, { abortSignal: signal });
  if (inv.properties.invitationStatus !== 'Pending') throw new UserFacingError(`The invitation is ${inv.properties.invitationStatus}.`, 'Ask the provider for a new invitation.');
  if (inv.properties.expirationDate && Date.parse(inv.properties.expirationDate) < Date.now()) throw new UserFacingError(`The invitation expired on ${inv.properties.expirationDate}.`, 'Ask the provider for a new invitation.');
  const ref = { subscriptionId: input.subscriptionId, resourceGroupName: input.resourceGroupName, accountName: input.accountName, shareSubscriptionName: input.shareSubscriptionName };
  const sub = await clients.dataShare.shareSubscriptions.accept(ref, { invitationId: input.invitationId, sourceShareLocation: input.location }, { abortSignal: signal });
  await events?.publish('GovernedDataShare.InvitationAccepted', sub.id ?? `/subscriptions/${input.subscriptionId}/resourceGroups/${input.resourceGroupName}/providers/Microsoft.DataShare/accounts/${input.accountName}/shareSubscriptions/${input.shareSubscriptionName}`, { share: inv.properties.shareName, shareSubscription: input.shareSubscriptionName, invitationId: input.invitationId, consumerTenantId: clients.tenantId });
  audit?.append({ runId: 'editor', actor, action: 'consumer.accept', tenantId: clients.tenantId, resourceIds: [sub.id ?? ''], outcome: 'succeeded', message: `accepted ${inv.properties.shareName ?? input.invitationId} from ${inv.properties.providerEmail ?? inv.properties.providerName ?? '?'}; terms accepted` });
  return sub;
}

export async function rejectInvitation(clients: AzureClients, location: string, invitationId: string, actor?: AuditActor, audit?: AuditSink, signal?: AbortSignal): Promise<void> {
  const guid = rules.guid(invitationId);
  if (guid) throw new UserFacingError(guid, 'Pick the invitation from the list.');
  const inv = await clients.dataShare.consumerInvitations.get(location, invitationId, { abortSignal: signal });
  if (inv.properties.invitationStatus === 'Rejected') return;
  if (inv.properties.invitationStatus !== 'Pending') throw new UserFacingError(`The invitation is ${inv.properties.invitationStatus} and cannot be rejected.`);
  await clients.dataShare.consumerInvitations.reject(location, invitationId, { abortSignal: signal });
  audit?.append({ runId: 'editor', actor, action: 'consumer.reject', tenantId: clients.tenantId, resourceIds: [invitationId], outcome: 'succeeded', message: `rejected ${inv.properties.shareName ?? invitationId} from ${inv.properties.providerEmail ?? '?'}` });
}
