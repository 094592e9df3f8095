/**
 * Registers the governance commands at activation; their implementation is in ./governance (part of
 * the lazily loaded workflow host bundle), so activation parses none of it.
 */
import type { CommandRegistry } from './commands';
import type { WorkflowCommandDeps } from './workflowCommands';
import type * as HostModule from './wizard/host';
import { refreshLineagePanels } from './lineage';

/** Command ids after `governedDataShare.`; each needs an entry in package.json and in ./governance. */
export const GOVERNANCE_COMMAND_IDS: string[] = [
  'openDashboard', 'exportForPowerBI',
  'enableCustomerManagedKey', 'rotateCustomerManagedKey',
  'requestApproval', 'reviewApprovalRequests', 'provisionApprovalLogicApp',
  'checkDataQuality', 'scaffoldQualityRules', 'openQualityReport',
  'createEventTopic', 'subscribeWebhook', 'watchForChanges', 'stopWatching',
];

let loaded: typeof HostModule | undefined;

function host(): typeof HostModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./wizard/host') as typeof HostModule;
  return loaded;
}

export function registerGovernanceCommands(commands: CommandRegistry, deps: WorkflowCommandDeps): void {
  const withLineage: WorkflowCommandDeps = { refreshLineage: refreshLineagePanels, ...deps };
  for (const id of GOVERNANCE_COMMAND_IDS) {
    commands.register(`governedDataShare.${id}`, (...args: unknown[]) => host().runWorkflowCommand(id, withLineage, args));
  }
}
