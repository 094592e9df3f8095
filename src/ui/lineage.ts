/**
 * The lineage panel's activation-time part: the command, the panel serializer and
 * `refreshLineagePanels()`. Everything else (fetcher, builder, webview HTML) sits in
 * src/ui/lineagePanel.ts, bundled apart as dist/lineagePanel.js and loaded on first use.
 */
import * as vscode from 'vscode';
import type { CommandRegistry } from './commands';
import type { Connection } from './connection';
import type { Log } from './log';
import type * as LineagePanelModule from './lineagePanel';

export const LINEAGE_VIEW_TYPE = 'governedDataShare.lineage';

export interface LineageDeps {
  context: vscode.ExtensionContext;
  connection: Connection;
  log: Log;
  /** Shows a resource in the Shares view (by ARM id) or the Purview Catalog view (`asset/{guid}`); false when not found. */
  reveal?: { shares(resourceId: string): Promise<boolean>; catalog(resourceId: string): Promise<boolean> };
}

let loaded: typeof LineagePanelModule | undefined;

function panelModule(): typeof LineagePanelModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./lineagePanel') as typeof LineagePanelModule;
  return loaded;
}

export function registerLineage(commands: CommandRegistry, deps: LineageDeps): void {
  commands.register('governedDataShare.showLineage', (arg?: unknown) => panelModule().showLineage(deps, arg), { activityTitle: 'Show lineage' });
  deps.context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(LINEAGE_VIEW_TYPE, {
    deserializeWebviewPanel: (panel, state) => panelModule().restoreLineagePanel(deps, panel, state),
  }));
}

/**
 * Re-reads every open lineage panel (call when a snapshot completes or lineage was recorded);
 * the panels keep their zoom, pan and selection. Does nothing (and loads nothing) when no panel
 * was ever opened.
 */
export async function refreshLineagePanels(): Promise<void> {
  if (loaded) await loaded.refreshLineagePanels();
}
