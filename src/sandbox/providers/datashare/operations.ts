/** `GET /providers/Microsoft.DataShare/operations`: the provider's operation catalogue. */
import type { SandboxContext, SandboxRequest, SandboxResponse } from '../../core/contract';
import { listResponse } from './common';

const PROVIDER = 'Microsoft Data Share';

const RESOURCES: { path: string; resource: string; actions: [string, string][] }[] = [
  { path: '', resource: 'Data Share Resource Provider', actions: [['operations/read', 'List operations'], ['register/action', 'Register the subscription for Data Share'], ['unregister/action', 'Unregister the subscription for Data Share']] },
  { path: 'accounts', resource: 'Data Share Account', actions: [['read', 'Read account'], ['write', 'Create or update account'], ['delete', 'Delete account']] },
  { path: 'accounts/shares', resource: 'Share', actions: [['read', 'Read share'], ['write', 'Create or update share'], ['delete', 'Delete share'], ['listSynchronizations/action', 'List share synchronizations'], ['listSynchronizationDetails/action', 'List share synchronization details']] },
  { path: 'accounts/shares/dataSets', resource: 'Data Set', actions: [['read', 'Read data set'], ['write', 'Add data set'], ['delete', 'Delete data set']] },
  { path: 'accounts/shares/invitations', resource: 'Invitation', actions: [['read', 'Read invitation'], ['write', 'Send invitation'], ['delete', 'Delete invitation']] },
  { path: 'accounts/shares/synchronizationSettings', resource: 'Synchronization Setting', actions: [['read', 'Read synchronization setting'], ['write', 'Create synchronization setting'], ['delete', 'Delete synchronization setting']] },
  { path: 'accounts/shares/providerShareSubscriptions', resource: 'Provider Share Subscription', actions: [['read', 'Read provider share subscription'], ['revoke/action', 'Revoke share subscription'], ['reinstate/action', 'Reinstate share subscription'], ['adjust/action', 'Adjust share subscription expiration']] },
  { path: 'accounts/shareSubscriptions', resource: 'Share Subscription', actions: [['read', 'Read share subscription'], ['write', 'Accept invitation (create share subscription)'], ['delete', 'Delete share subscription'], ['synchronize/action', 'Start a snapshot'], ['cancelSynchronization/action', 'Cancel a snapshot'], ['listSynchronizations/action', 'List snapshots'], ['listSynchronizationDetails/action', 'List snapshot details'], ['listSourceShareSynchronizationSettings/action', 'List source share synchronization settings']] },
  { path: 'accounts/shareSubscriptions/dataSetMappings', resource: 'Data Set Mapping', actions: [['read', 'Read data set mapping'], ['write', 'Create data set mapping'], ['delete', 'Delete data set mapping']] },
  { path: 'accounts/shareSubscriptions/triggers', resource: 'Trigger', actions: [['read', 'Read trigger'], ['write', 'Create trigger'], ['delete', 'Delete trigger']] },
  { path: 'accounts/shareSubscriptions/consumerSourceDataSets', resource: 'Consumer Source Data Set', actions: [['read', 'Read source data sets']] },
  { path: 'locations/consumerInvitations', resource: 'Consumer Invitation', actions: [['read', 'Read received invitations'], ['reject/action', 'Reject invitation']] },
  { path: 'locations', resource: 'Email Registration', actions: [['registerEmail/action', 'Register email'], ['activateEmail/action', 'Activate email']] },
];

export function operationCatalogue(): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of RESOURCES) {
    for (const [action, text] of r.actions) {
      out.push({
        name: `Microsoft.DataShare/${r.path ? r.path + '/' : ''}${action}`,
        display: { provider: PROVIDER, resource: r.resource, operation: text, description: `${text}.` },
        origin: 'user,system',
      });
    }
  }
  return out;
}

export function listOperations(req: SandboxRequest, _p: Record<string, string>, _ctx: SandboxContext): SandboxResponse {
  return listResponse(req, operationCatalogue());
}
