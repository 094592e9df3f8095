/** Resource references and path builders for Microsoft.DataShare (2021-08-01). */
import { encodePath } from '../core/rest';

export interface ResourceGroupRef {
  subscriptionId: string;
  resourceGroupName: string;
}
export interface AccountRef extends ResourceGroupRef {
  accountName: string;
}
export interface ShareRef extends AccountRef {
  shareName: string;
}
export interface DataSetRef extends ShareRef {
  dataSetName: string;
}
export interface InvitationRef extends ShareRef {
  invitationName: string;
}
export interface SynchronizationSettingRef extends ShareRef {
  synchronizationSettingName: string;
}
export interface ProviderShareSubscriptionRef extends ShareRef {
  /** The provider share subscription's name (a GUID, the consumer's `shareSubscriptionObjectId`). */
  providerShareSubscriptionId: string;
}
export interface ShareSubscriptionRef extends AccountRef {
  shareSubscriptionName: string;
}
export interface DataSetMappingRef extends ShareSubscriptionRef {
  dataSetMappingName: string;
}
export interface TriggerRef extends ShareSubscriptionRef {
  triggerName: string;
}

const NS = 'Microsoft.DataShare';

export const paths = {
  accountsBySubscription: (subscriptionId: string) => encodePath`/subscriptions/${subscriptionId}/providers/${NS}/accounts`,
  accountsByResourceGroup: (r: ResourceGroupRef) => encodePath`/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroupName}/providers/${NS}/accounts`,
  account: (r: AccountRef) =>
    encodePath`/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroupName}/providers/${NS}/accounts/${r.accountName}`,
  shares: (r: AccountRef) => `${paths.account(r)}/shares`,
  share: (r: ShareRef) => `${paths.shares(r)}/${enc(r.shareName)}`,
  dataSets: (r: ShareRef) => `${paths.share(r)}/dataSets`,
  dataSet: (r: DataSetRef) => `${paths.dataSets(r)}/${enc(r.dataSetName)}`,
  invitations: (r: ShareRef) => `${paths.share(r)}/invitations`,
  invitation: (r: InvitationRef) => `${paths.invitations(r)}/${enc(r.invitationName)}`,
  synchronizationSettings: (r: ShareRef) => `${paths.share(r)}/synchronizationSettings`,
  synchronizationSetting: (r: SynchronizationSettingRef) => `${paths.synchronizationSettings(r)}/${enc(r.synchronizationSettingName)}`,
  providerShareSubscriptions: (r: ShareRef) => `${paths.share(r)}/providerShareSubscriptions`,
  providerShareSubscription: (r: ProviderShareSubscriptionRef) => `${paths.providerShareSubscriptions(r)}/${enc(r.providerShareSubscriptionId)}`,
  shareSubscriptions: (r: AccountRef) => `${paths.account(r)}/shareSubscriptions`,
  shareSubscription: (r: ShareSubscriptionRef) => `${paths.shareSubscriptions(r)}/${enc(r.shareSubscriptionName)}`,
  consumerSourceDataSets: (r: ShareSubscriptionRef) => `${paths.shareSubscription(r)}/consumerSourceDataSets`,
  dataSetMappings: (r: ShareSubscriptionRef) => `${paths.shareSubscription(r)}/dataSetMappings`,
  dataSetMapping: (r: DataSetMappingRef) => `${paths.dataSetMappings(r)}/${enc(r.dataSetMappingName)}`,
  triggers: (r: ShareSubscriptionRef) => `${paths.shareSubscription(r)}/triggers`,
  trigger: (r: TriggerRef) => `${paths.triggers(r)}/${enc(r.triggerName)}`,
  listInvitations: () => `/providers/${NS}/listInvitations`,
  consumerInvitation: (location: string, invitationId: string) =>
    encodePath`/providers/${NS}/locations/${location}/consumerInvitations/${invitationId}`,
  locationAction: (location: string, action: 'rejectInvitation' | 'registerEmail' | 'activateEmail') =>
    encodePath`/providers/${NS}/locations/${location}/${action}`,
  operations: () => `/providers/${NS}/operations`,
};

function enc(segment: string): string {
  return encodePath`${segment}`;
}

/**
 * Parses a Data Share resource id (any depth) into references; segment names are matched
 * case-insensitively, as ARM does. Returns undefined when `id` is not a Data Share account id
 * or a child of one.
 */
export function parseDataShareId(id: string): {
  account: AccountRef;
  shareName?: string;
  shareSubscriptionName?: string;
  child?: { type: string; name: string };
} | undefined {
  const seg = id.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  const lower = seg.map((s) => s.toLowerCase());
  const at = (name: string): number => lower.indexOf(name.toLowerCase());
  const sub = at('subscriptions');
  const rg = at('resourceGroups');
  const prov = lower.findIndex((s, i) => s === 'providers' && lower[i + 1] === NS.toLowerCase());
  if (sub < 0 || rg < 0 || prov < 0 || lower[prov + 2] !== 'accounts' || !seg[prov + 3]) {
    return undefined;
  }
  const account: AccountRef = { subscriptionId: seg[sub + 1] as string, resourceGroupName: seg[rg + 1] as string, accountName: seg[prov + 3] as string };
  const rest = seg.slice(prov + 4);
  const result: ReturnType<typeof parseDataShareId> = { account };
  if (rest[0]?.toLowerCase() === 'shares' && rest[1]) {
    result.shareName = rest[1];
  } else if (rest[0]?.toLowerCase() === 'sharesubscriptions' && rest[1]) {
    result.shareSubscriptionName = rest[1];
  }
  if (rest[2] && rest[3]) {
    result.child = { type: rest[2], name: rest[3] };
  }
  return result;
}
