/**
 * "Open Sharing Dashboard" and "Export Sharing Dashboard for Power BI…": the commands, run by the
 * workflow host with its toolkit (Activity row, progress with cancel). The panel is
 * ./dashboardPanel.ts; the gathering, figures and export are src/workflows/dashboard.
 */
import * as vscode from 'vscode';
import { computeFigures, dashboardExtras, exportForPowerBI, startDashboard, type DashboardFilter } from '../../workflows/dashboard';
import { CancelledError } from '../../workflows/errors';
import type { CommandDef, HostToolkit, Outcome, Run } from '../wizard/host';
import { DashboardPanel, detailsCache, openDashboardPanel, tenantAccess } from './dashboardPanel';

/** Days of history the dashboard's first view lists before it is shown (the rest is read in the background). */
const FIRST_VIEW_DAYS = 90;

async function openDashboard(tk: HostToolkit, run: Run): Promise<Outcome> {
  tk.startActivity(run, 'Open sharing dashboard');
  const panel = await DashboardPanel.open(run.deps, (tenants, cache) =>
    tk.withProgress(run, 'Gathering the sharing dashboard', (report, signal) => {
      report(`${tenants.length} tenant(s)`);
      // The first view lists the last 90 days of history; the older pages follow in the background.
      return startDashboard(tenants, { signal, cache, details: 'budget', historySince: new Date(Date.now() - FIRST_VIEW_DAYS * 86_400_000).toISOString(), extras: dashboardExtras() });
    }));
  const d = panel.data!;
  return {
    summary: `${d.shares.length} sent and ${d.received.length} received share(s), ${d.synchronizations.length} snapshot(s); ${d.stats.armCalls} ARM and ${d.stats.purviewCalls} Purview calls in ${(d.stats.elapsedMs / 1000).toFixed(1)} s${d.historyFrom ? ` (history before ${d.historyFrom.slice(0, 10)} loading in the background)` : ''}${d.stats.detailsPending ? ` (files and bytes of ${d.stats.detailsPending} older snapshot(s) loading in the background)` : ''}${d.warnings.length ? `; ${d.warnings.length} warning(s): ${d.warnings.slice(0, 2).join('; ')}` : ''}`,
    quiet: true,
    extra: { probe: panel.probe },
  };
}

async function exportDashboard(tk: HostToolkit, run: Run): Promise<Outcome> {
  const { deps, ctx } = run;
  let folder = typeof ctx.folder === 'string' ? ctx.folder : undefined;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Export here', title: 'Export the sharing dashboard for Power BI' });
    if (!picked?.[0]) throw new CancelledError();
    folder = picked[0].fsPath;
  }
  tk.startActivity(run, `Export sharing dashboard to ${folder}`);
  const open = openDashboardPanel();
  const given = ctx.filter as DashboardFilter | undefined;
  const result = await tk.withProgress(run, 'Exporting the sharing dashboard for Power BI', async (report, signal) => {
    let data = open?.data;
    let filter = given ?? open?.filter ?? {};
    if (!data || data.stats.detailsPending > 0 || data.historyFrom) {
      // The whole history and every snapshot's files and bytes (cached ones are not read again), within the read budget.
      report('gathering');
      data = (await startDashboard(tenantAccess(deps), { signal, cache: detailsCache(deps), details: 'all', extras: dashboardExtras() })).data;
      filter = given ?? open?.filter ?? {};
    }
    report('writing the tables');
    return { out: await exportForPowerBI(computeFigures(data, filter), folder!), data };
  });
  const summary = `${result.out.files.length} tables (CSV and Parquet), dashboard.pbids and README.md in ${result.out.folder}`;
  if (!run.testMode) {
    void vscode.window.showInformationMessage(`Exported the sharing dashboard: ${summary}.`, 'Open README', 'Reveal Folder').then((choice) => {
      if (choice === 'Open README') void vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(result.out.readme));
      if (choice === 'Reveal Folder') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.out.pbids));
    });
  }
  return { summary, quiet: true, extra: { folder: result.out.folder, files: result.out.files.map((f) => f.table), pbids: result.out.pbids } };
}

export function dashboardCommands(tk: HostToolkit): Record<string, CommandDef> {
  return {
    openDashboard: { title: 'Open sharing dashboard', side: 'p', impl: (run) => openDashboard(tk, run) },
    exportForPowerBI: { title: 'Export sharing dashboard for Power BI', side: 'p', impl: (run) => exportDashboard(tk, run) },
  };
}
