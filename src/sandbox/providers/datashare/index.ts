/**
 * Microsoft.DataShare resource provider of the sandbox cloud (api-version 2021-08-01, provider and
 * consumer surface of the original swagger). Routes only; the behaviour lives in provider.ts
 * (sharing side), consumer.ts (receiving side) and sync.ts (snapshots and schedules).
 */
import type { ResourceProvider, Route, RouteHandler, SandboxContext } from '../../core/contract';
import { allResources, API_VERSIONS, T } from './common';
import type { Share } from './links';
import * as c from './consumer';
import { listOperations } from './operations';
import * as p from './provider';
import { recover, tick } from './sync';

const SUB = '/subscriptions/{subscriptionId}';
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;
const A = `${RG}/providers/Microsoft.DataShare/accounts/{accountName}`;
const SHARE = `${A}/shares/{shareName}`;
const SS = `${A}/shareSubscriptions/{shareSubscriptionName}`;
const PSS = `${SHARE}/providerShareSubscriptions/{providerShareSubscriptionId}`;
const LOC = '/providers/Microsoft.DataShare/locations/{location}';

function route(methods: string | string[], pattern: string, handler: RouteHandler): Route {
  return { methods: Array.isArray(methods) ? methods : [methods], pattern, apiVersions: API_VERSIONS, handler };
}

/** POST list actions are pageable; their nextLinks may be followed with GET. */
const LIST_ACTION = ['POST', 'GET'];

export const dataShareRoutes: Route[] = [
  // tenant level
  route('GET', '/providers/Microsoft.DataShare/operations', listOperations),
  route('GET', '/providers/Microsoft.DataShare/listInvitations', c.listConsumerInvitations),
  route('GET', `${LOC}/consumerInvitations/{invitationId}`, c.getConsumerInvitation),
  route('POST', `${LOC}/rejectInvitation`, c.rejectInvitation),
  route('POST', `${LOC}/registerEmail`, c.registerEmail),
  route('POST', `${LOC}/activateEmail`, c.activateEmail),

  // accounts
  route('GET', `${SUB}/providers/Microsoft.DataShare/accounts`, p.listAccountsBySubscription),
  route('GET', `${RG}/providers/Microsoft.DataShare/accounts`, p.listAccountsByResourceGroup),
  route('GET', A, p.getAccount),
  route('PUT', A, p.putAccount),
  route('PATCH', A, p.patchAccount),
  route('DELETE', A, p.deleteAccount),

  // shares (provider)
  route('GET', `${A}/shares`, p.listShares),
  route('GET', SHARE, p.getShare),
  route('PUT', SHARE, p.putShare),
  route('DELETE', SHARE, p.deleteShare),
  route(LIST_ACTION, `${SHARE}/listSynchronizations`, p.listShareSynchronizations),
  route(LIST_ACTION, `${SHARE}/listSynchronizationDetails`, p.listShareSynchronizationDetails),
  route('GET', `${SHARE}/dataSets`, p.listDataSets),
  route('GET', `${SHARE}/dataSets/{dataSetName}`, p.getDataSet),
  route('PUT', `${SHARE}/dataSets/{dataSetName}`, p.putDataSet),
  route('DELETE', `${SHARE}/dataSets/{dataSetName}`, p.deleteDataSet),
  route('GET', `${SHARE}/invitations`, p.listInvitations),
  route('GET', `${SHARE}/invitations/{invitationName}`, p.getInvitation),
  route('PUT', `${SHARE}/invitations/{invitationName}`, p.putInvitation),
  route('DELETE', `${SHARE}/invitations/{invitationName}`, p.deleteInvitation),
  route('GET', `${SHARE}/synchronizationSettings`, p.listSyncSettings),
  route('GET', `${SHARE}/synchronizationSettings/{synchronizationSettingName}`, p.getSyncSetting),
  route('PUT', `${SHARE}/synchronizationSettings/{synchronizationSettingName}`, p.putSyncSetting),
  route('DELETE', `${SHARE}/synchronizationSettings/{synchronizationSettingName}`, p.deleteSyncSetting),
  route('GET', `${SHARE}/providerShareSubscriptions`, p.listProviderShareSubscriptions),
  route('GET', PSS, p.getProviderShareSubscription),
  route('POST', `${PSS}/revoke`, p.revokeProviderShareSubscription),
  route('POST', `${PSS}/reinstate`, p.reinstateProviderShareSubscription),
  route('POST', `${PSS}/adjust`, p.adjustProviderShareSubscription),

  // share subscriptions (consumer)
  route('GET', `${A}/shareSubscriptions`, c.listShareSubscriptions),
  route('GET', SS, c.getShareSubscription),
  route('PUT', SS, c.putShareSubscription),
  route('DELETE', SS, c.deleteShareSubscription),
  route('GET', `${SS}/consumerSourceDataSets`, c.listConsumerSourceDataSets),
  route(LIST_ACTION, `${SS}/listSourceShareSynchronizationSettings`, c.listSourceShareSynchronizationSettings),
  route('POST', `${SS}/synchronize`, c.synchronize),
  route('POST', `${SS}/cancelSynchronization`, c.cancelSynchronization),
  route(LIST_ACTION, `${SS}/listSynchronizations`, c.listSubscriptionSynchronizations),
  route(LIST_ACTION, `${SS}/listSynchronizationDetails`, c.listSubscriptionSynchronizationDetails),
  route('GET', `${SS}/dataSetMappings`, c.listMappings),
  route('GET', `${SS}/dataSetMappings/{dataSetMappingName}`, c.getMapping),
  route('PUT', `${SS}/dataSetMappings/{dataSetMappingName}`, c.putMapping),
  route('DELETE', `${SS}/dataSetMappings/{dataSetMappingName}`, c.deleteMapping),
  route('GET', `${SS}/triggers`, c.listTriggers),
  route('GET', `${SS}/triggers/{triggerName}`, c.getTrigger),
  route('PUT', `${SS}/triggers/{triggerName}`, c.putTrigger),
  route('DELETE', `${SS}/triggers/{triggerName}`, c.deleteTrigger),
];

/**
 * Builds every snapshot history's newest-first view (`$orderby=startTime desc`, what the Shares tree
 * and the dashboard list) at start and after a seed wrote history, as a service's index on start
 * time would be there: the first listing of a year of snapshots then pages through it instead of
 * rendering and sorting the year (about 1.4 ms a share on this machine, on the first read of each).
 * The views are dropped by any Data Share write, as before, and built again on first use.
 */
export function warmHistoryViews(ctx: SandboxContext): void {
  for (const share of allResources(ctx, T.share)) p.warmShareSynchronizations(ctx, share as unknown as Share, 'startTime desc');
  for (const ss of allResources(ctx, T.shareSubscription)) c.warmSubscriptionSynchronizations(ctx, ss.id, 'startTime desc');
}

export const dataShareProvider: ResourceProvider = {
  namespace: 'Microsoft.DataShare',
  requiresRegistration: true,
  routes: dataShareRoutes,
  onTick: (ctx, now) => tick(ctx, now),
  onStart: async (ctx) => {
    await recover(ctx);
    warmHistoryViews(ctx);
  },
};

export default dataShareProvider;
