/**
 * The governance commands (data quality, approvals, notifications, dashboard, customer-managed keys),
 * run by the workflow host (dist/workflowHost.js, loaded on first use) with the host's toolkit.
 * Each feature module exports a function from the toolkit to its command table; ids are the part
 * after `governedDataShare.` (registered at activation in ../governanceCommands.ts).
 */
import type { CommandDef, HostToolkit } from '../wizard/host';
import { dashboardCommands } from './dashboard';
import { cmkCommands } from './cmk';
import { approvalCommands } from './approvals';
import { qualityCommands } from './quality';
import { eventCommands } from './events';
import { watcherCommands } from './watcher';

type Feature = (tk: HostToolkit) => Record<string, CommandDef>;

/** One line per feature module (keep in step with GOVERNANCE_COMMAND_IDS in ../governanceCommands.ts). */
const FEATURES: Feature[] = [
  dashboardCommands,
  cmkCommands,
  approvalCommands,
  qualityCommands,
  eventCommands,
  watcherCommands,
];

export function governanceCommands(tk: HostToolkit): Record<string, CommandDef> {
  return Object.assign({}, ...FEATURES.map((f) => f(tk))) as Record<string, CommandDef>;
}
