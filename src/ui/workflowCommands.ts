/**
 * The workflow commands (provision, share, invite, accept, map, snapshot, control, scan, lineage,
 * validate, clean up, audit export, run a plan): registered here at activation, implemented in
 * ./wizard/host (its own bundle, dist/workflowHost.js, loaded on the first run so activation does
 * not parse the workflows or the Azure SDKs).
 *
 * Every command takes an optional tree node (prefills its prompts) or, for tests and scripts,
 * `{ answers: {...}, confirm: true }` (answered prompts are skipped; confirm is honoured in test mode only).
 */
import type * as vscode from 'vscode';
import type { ActivityLog } from './activity';
import type { CommandRegistry } from './commands';
import type { Connection } from './connection';
import type { Log } from './log';
import { refreshLineagePanels } from './lineage';
import type * as HostModule from './wizard/host';

export interface WorkflowCommandDeps {
  context: vscode.ExtensionContext;
  connection: Connection;
  log: Log;
  activity: ActivityLog;
  refreshViews(): void;
  /** Shows a resource (by ARM id) in the Shares view; false when it is not there. */
  reveal?(resourceId: string): Promise<boolean>;
  /** Refreshes open lineage panels (after a snapshot or a lineage link). */
  refreshLineage?(): Promise<void>;
}

let loaded: typeof HostModule | undefined;

function host(): typeof HostModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./wizard/host') as typeof HostModule;
  return loaded;
}

export function registerWorkflowCommands(commands: CommandRegistry, deps: WorkflowCommandDeps): void {
  // The lineage panels live in the extension bundle: hand the host the refresh, not the module.
  const withLineage: WorkflowCommandDeps = { refreshLineage: refreshLineagePanels, ...deps };
  const run = (id: string) => (...args: unknown[]) => host().runWorkflowCommand(id, withLineage, args);
  commands.register('governedDataShare.provisionProvider', run('provisionProvider'));
  commands.register('governedDataShare.provisionConsumer', run('provisionConsumer'));
  commands.register('governedDataShare.checkReadiness', run('checkReadiness'));
  commands.register('governedDataShare.createShare', run('createShare'));
  commands.register('governedDataShare.addDatasets', run('addDatasets'));
  commands.register('governedDataShare.setSchedule', run('setSchedule'));
  commands.register('governedDataShare.inviteConsumer', run('inviteConsumer'));
  commands.register('governedDataShare.acceptInvitation', run('acceptInvitation'));
  commands.register('governedDataShare.rejectInvitation', run('rejectInvitation'));
  commands.register('governedDataShare.mapDatasets', run('mapDatasets'));
  commands.register('governedDataShare.snapshotNow', run('snapshotNow'));
  commands.register('governedDataShare.revokeConsumer', run('revokeConsumer'));
  commands.register('governedDataShare.reinstateConsumer', run('reinstateConsumer'));
  commands.register('governedDataShare.adjustExpiry', run('adjustExpiry'));
  commands.register('governedDataShare.registerAndScan', run('registerAndScan'));
  commands.register('governedDataShare.linkLineage', run('linkLineage'));
  commands.register('governedDataShare.validate', run('validate'));
  commands.register('governedDataShare.cleanUp', run('cleanUp'));
  commands.register('governedDataShare.exportAudit', run('exportAudit'));
  commands.register('governedDataShare.runRecipe', run('runRecipe'));
}
