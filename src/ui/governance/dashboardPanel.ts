/**
 * The sharing dashboard panel (in the lazily loaded workflow host): gathers from every connected
 * tenant (src/workflows/dashboard), shows the figures in a webview (webview-ui/dashboard, strict
 * CSP with a nonce, no inline styles), recomputes them when a filter changes (no call to Azure),
 * fills the older snapshots' files and bytes in the background within the read budget, and does
 * what the webview asks: reveal a share or account in the Shares tree, open a lineage, export.
 */
import * as vscode from 'vscode';
import { computeFigures, FileDetailsCache, type DashboardData, type DashboardFigures, type DashboardFilter, type DashboardSession, type DashboardTenantAccess } from '../../workflows/dashboard';
import { UserFacingError } from '../../workflows/errors';
import type { HostToWebview, LoadState, WebviewToHost } from '../../../webview-ui/shared/dashboardProtocol';
import type { HostDeps } from '../wizard/host';

export const DASHBOARD_VIEW_TYPE = 'governedDataShare.dashboard';
/** Rows of the every-snapshot table the webview gets (it shows the most recent; the export has all). */
const WEBVIEW_SNAPSHOT_ROWS = 200;

export function tenantAccess(deps: HostDeps): DashboardTenantAccess[] {
  const info = deps.connection.info;
  if (!info) throw new UserFacingError('Not connected.', 'Run "Governed Data Share: Connect to Local Sandbox" or sign in to Azure first.');
  const session = deps.connection.azure();
  return info.tenants.map((t) => ({
    tenant: { tenantId: t.tenantId, displayName: t.displayName },
    subscriptionIds: t.subscriptions.map((s) => s.subscriptionId),
    clients: () => session.clients(t.tenantId),
  }));
}

export function detailsCache(deps: HostDeps): FileDetailsCache {
  return new FileDetailsCache(vscode.Uri.joinPath(deps.context.globalStorageUri, 'dashboard-details.json').fsPath);
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** What tests can read of the open panel. */
export interface DashboardProbe {
  data(): DashboardData | undefined;
  filter(): DashboardFilter;
  /** Resolves after the webview reported drawing the current figures. */
  rendered(): Promise<{ ms: number; charts: number; alternatives: number; cspViolations: string[] }>;
  received(): string[];
}

let current: DashboardPanel | undefined;

export function openDashboardPanel(): DashboardPanel | undefined {
  return current;
}

export class DashboardPanel {
  private session: DashboardSession | undefined;
  private filterValue: DashboardFilter = {};
  private fill: AbortController | undefined;
  private readonly messages: string[] = [];
  private lastRendered: { ms: number; charts: number; alternatives: number; cspViolations: string[] } | undefined;
  private renderWaiters: Array<(r: { ms: number; charts: number; alternatives: number; cspViolations: string[] }) => void> = [];
  private ready = false;

  private constructor(private readonly deps: HostDeps, readonly panel: vscode.WebviewPanel) {
    panel.webview.html = this.html();
    panel.onDidDispose(() => {
      this.fill?.abort();
      if (current === this) current = undefined;
    });
    panel.webview.onDidReceiveMessage((m: WebviewToHost) => this.onMessage(m));
  }

  /** Opens (or shows) the panel; `gather` reads the data with the caller's progress and cancellation. */
  static async open(deps: HostDeps, gather: (tenants: DashboardTenantAccess[], cache: FileDetailsCache) => Promise<DashboardSession>): Promise<DashboardPanel> {
    const tenants = tenantAccess(deps);
    let panel = current;
    if (panel) {
      panel.panel.reveal(vscode.ViewColumn.Active);
    } else {
      const webviewPanel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Sharing Dashboard', vscode.ViewColumn.Active, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(deps.context.extensionUri, 'dist', 'webview')],
      });
      panel = new DashboardPanel(deps, webviewPanel);
      current = panel;
    }
    panel.post({ type: 'loading', message: `Gathering from ${tenants.map((t) => t.tenant.displayName).join(' and ')}…` });
    try {
      await panel.load(await gather(tenants, detailsCache(deps)));
    } catch (e) {
      panel.post({ type: 'error', message: `The dashboard could not be gathered: ${e instanceof Error ? e.message : String(e)}` });
      throw e;
    }
    return panel;
  }

  get probe(): DashboardProbe {
    return {
      data: () => this.session?.data,
      filter: () => this.filterValue,
      rendered: () => (this.lastRendered ? Promise.resolve(this.lastRendered) : new Promise((r) => this.renderWaiters.push(r))),
      received: () => [...this.messages],
    };
  }

  get data(): DashboardData | undefined {
    return this.session?.data;
  }

  get filter(): DashboardFilter {
    return this.filterValue;
  }

  private async load(session: DashboardSession): Promise<void> {
    this.fill?.abort();
    this.session = session;
    this.lastRendered = undefined;
    this.postFigures();
    if (session.data.stats.detailsPending > 0 || session.data.historyFrom) {
      const fill = new AbortController();
      this.fill = fill;
      // The older history pages, then the older snapshots' files and bytes, within the read budget; the figures follow each batch.
      session.fillPending({ signal: fill.signal, batch: 500, onBatch: () => { if (!fill.signal.aborted) this.postFigures(); } })
        .catch((e: unknown) => { if (!fill.signal.aborted) this.deps.log.error(`Dashboard: reading snapshot details failed: ${e instanceof Error ? e.message : String(e)}`); });
    }
  }

  figures(): DashboardFigures | undefined {
    return this.session ? computeFigures(this.session.data, this.filterValue) : undefined;
  }

  private postFigures(): void {
    const data = this.session?.data;
    if (!data || !this.ready) return;
    const figures = computeFigures(data, this.filterValue);
    const tables = figures.tables.map((t) => (t.name === 'snapshots' && t.rows.length > WEBVIEW_SNAPSHOT_ROWS ? { ...t, rows: t.rows.slice(-WEBVIEW_SNAPSHOT_ROWS) } : t));
    const load: LoadState = { detailsPending: data.stats.detailsPending, warnings: data.warnings, gatheredAt: data.gatheredAt, armCalls: data.stats.armCalls, purviewCalls: data.stats.purviewCalls, elapsedMs: data.stats.elapsedMs };
    this.post({ type: 'figures', figures: { ...figures, tables }, load });
  }

  private post(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private onMessage(m: WebviewToHost): void {
    this.messages.push(m.type);
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postFigures();
        break;
      case 'filter':
        this.filterValue = m.filter;
        this.postFigures();
        break;
      case 'refresh':
        void vscode.commands.executeCommand('governedDataShare.openDashboard');
        break;
      case 'export':
        void vscode.commands.executeCommand('governedDataShare.exportForPowerBI');
        break;
      case 'reveal':
        void this.reveal(m.id);
        break;
      case 'lineage':
        void this.lineage(m);
        break;
      case 'rendered': {
        this.lastRendered = { ms: m.ms, charts: m.charts, alternatives: m.alternatives, cspViolations: m.cspViolations };
        if (m.cspViolations.length) this.deps.log.error(`Dashboard webview: CSP violations: ${m.cspViolations.join('; ')}`);
        const waiters = this.renderWaiters;
        this.renderWaiters = [];
        waiters.forEach((w) => w(this.lastRendered!));
        break;
      }
    }
  }

  private async reveal(id: string): Promise<void> {
    const found = (await this.deps.reveal?.(id)) ?? false;
    if (!found) void vscode.window.showInformationMessage(`Not found in the Shares view: ${id.split('/').pop() ?? id}. Refresh the view and try again.`);
  }

  private async lineage(m: Extract<WebviewToHost, { type: 'lineage' }>): Promise<void> {
    if (m.asset) {
      await vscode.commands.executeCommand('governedDataShare.showLineage', { kind: 'asset', tenantId: m.asset.tenantId, qualifiedName: m.asset.qualifiedName, entityType: m.asset.typeName, guid: m.asset.guid, account: m.asset.account, name: m.asset.name });
      return;
    }
    if (!m.id) return;
    const kind = /\/shareSubscriptions\//i.test(m.id) ? 'received' : 'share';
    const sub = /\/subscriptions\/([^/]+)/i.exec(m.id)?.[1]?.toLowerCase();
    const tenantId = this.deps.connection.info?.tenants.find((t) => t.subscriptions.some((s) => s.subscriptionId.toLowerCase() === sub))?.tenantId;
    await vscode.commands.executeCommand('governedDataShare.showLineage', { kind, id: m.id, tenantId });
  }

  private html(): string {
    const webview = this.panel.webview;
    const base = vscode.Uri.joinPath(this.deps.context.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'dashboard.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(base, 'dashboard.css'));
    const n = nonce();
    const csp = [`default-src 'none'`, `script-src 'nonce-${n}'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `font-src ${webview.cspSource}`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Sharing Dashboard</title>
</head>
<body>
<main id="root" aria-label="Sharing dashboard"></main>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
  }
}
