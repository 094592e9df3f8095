/**
 * The lineage panel host (bundled apart as dist/lineagePanel.js, loaded on first use): opens a
 * webview on a share, a received share or a Purview asset, asks src/lineage for the graph
 * (depth and direction as asked; more on demand), and streams it to the webview in pages through
 * the typed protocol. Saves exports, reveals nodes and opens the portal when the webview asks.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import { diffGraphs } from '../lineage/builder';
import { LineageFetcher, type LineageStart, type TenantAccess } from '../lineage/fetcher';
import type { LineageGraph } from '../lineage/model';
import { isWebviewToHost, paginate, PROTOCOL_VERSION, type HostToWebview, type StartDescriptor, type ViewOptions, type WebviewToHost } from '../../webview-ui/shared/protocol';
import { CancelledError, UserFacingError } from '../workflows/errors';
import type { Connection } from './connection';
import { LINEAGE_VIEW_TYPE, type LineageDeps } from './lineage';

/** What tests (and the rest of the UI) can read of an open panel. */
export interface LineagePanelProbe {
  title(): string;
  /** Resolves when the current graph has been posted whole (every page). */
  loaded(): Promise<void>;
  /** The graph as delivered to the webview (pages and deltas applied). */
  deliveredGraph(): LineageGraph | undefined;
  /** How many `graph/page` messages the last load posted. */
  pagesPosted(): number;
  /** Messages the webview sent (types), oldest first. */
  received(): string[];
  /** Saves the next export to this path instead of asking (tests). */
  exportTo(path: string | undefined): void;
  expand(nodeId: string): Promise<number>;
  /** What refreshLineagePanels() does for this panel: read again, send what changed. */
  refresh(): Promise<void>;
  dispose(): void;
}

const panels = new Set<LineagePanel>();
let exportOverride: string | undefined;

function defaultOptions(): ViewOptions {
  const depth = vscode.workspace.getConfiguration('governedDataShare').get<number>('lineage.defaultDepth', 3);
  return { direction: 'both', depth: Math.max(1, Math.min(20, Math.round(depth) || 3)) };
}

function tenantAccess(connection: Connection): TenantAccess[] {
  const info = connection.info;
  if (!info) throw new UserFacingError('Not connected.', 'Run "Governed Data Share: Connect to Local Sandbox" first.');
  const session = connection.azure();
  return info.tenants.map((t) => ({
    tenant: { tenantId: t.tenantId, displayName: t.displayName },
    subscriptionIds: t.subscriptions.map((s) => s.subscriptionId),
    clients: () => session.clients(t.tenantId),
  }));
}

/** ARM id → the parts of a Data Share account child (share or share subscription). */
function parseArmId(id: string): { subscriptionId: string; resourceGroup: string; accountName: string; child: string } | undefined {
  const m = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataShare\/accounts\/([^/]+)\/(?:shares|shareSubscriptions)\/([^/]+)/i.exec(id);
  return m ? { subscriptionId: m[1], resourceGroup: m[2], accountName: m[3], child: decodeURIComponent(m[4]) } : undefined;
}

function tenantOfSubscription(connection: Connection, subscriptionId: string): string | undefined {
  return connection.info?.tenants.find((t) => t.subscriptions.some((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase()))?.tenantId;
}

/** A tree node (Shares view: sent or received share; Purview Catalog view: an asset or a place with one), a LineageStart, or nothing. */
function startFromArg(connection: Connection, arg: unknown): { start: LineageStart; label: string } | undefined {
  type AssetLike = { guid?: string; name?: string; qualifiedName?: string; entityType?: string; tenantId?: string; account?: string };
  const node = arg as (AssetLike & { kind?: string; id?: string; place?: { asset?: AssetLike }; start?: LineageStart; label?: string }) | undefined;
  if (!node || typeof node !== 'object') return undefined;
  if (node.start && node.label) return { start: node.start, label: node.label };
  if ((node.kind === 'share' || node.kind === 'received') && node.id) {
    const p = parseArmId(node.id);
    const tenantId = node.tenantId ?? (p && tenantOfSubscription(connection, p.subscriptionId));
    if (!p || !tenantId) return undefined;
    const ref = { tenantId, subscriptionId: p.subscriptionId, resourceGroup: p.resourceGroup, accountName: p.accountName };
    return node.kind === 'share'
      ? { start: { kind: 'share', ...ref, shareName: p.child }, label: `share ${p.child}` }
      : { start: { kind: 'received', ...ref, shareSubscriptionName: p.child }, label: `received share ${p.child}` };
  }
  const asset: AssetLike | undefined = node.kind === 'asset' ? node : node.kind === 'place' ? { ...node.place?.asset, tenantId: node.tenantId, account: node.account } : undefined;
  if (asset?.qualifiedName && asset.tenantId) {
    return { start: { kind: 'asset', tenantId: asset.tenantId, qualifiedName: asset.qualifiedName, typeName: asset.entityType, account: asset.account, guid: asset.guid }, label: asset.name ?? asset.qualifiedName };
  }
  return undefined;
}

/** From the palette: the shares, received shares and catalog assets to start from. */
async function pickStart(connection: Connection): Promise<{ start: LineageStart; label: string }> {
  const fetcher = new LineageFetcher(tenantAccess(connection));
  type Item = vscode.QuickPickItem & { value?: { start: LineageStart; label: string } };
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Show lineage: choose where to start';
  qp.placeholder = 'A share, a received share or a Purview asset';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  qp.show();
  const tenantName = (id: string) => connection.info?.tenants.find((t) => t.tenantId === id)?.displayName ?? id;
  const load = (async () => {
    const [facts, accounts] = await Promise.all([fetcher.loadFacts(), fetcher.purviewAccounts()]);
    const items: Item[] = [];
    if (facts.shares.length) items.push({ label: 'Sent shares', kind: vscode.QuickPickItemKind.Separator });
    for (const s of facts.shares) {
      items.push({ label: `$(export) ${s.shareName}`, description: `${tenantName(s.tenantId)} · ${s.accountName}`, detail: `${s.dataSets.length} data set(s)`, value: { start: { kind: 'share', tenantId: s.tenantId, subscriptionId: '', resourceGroup: '', accountName: s.accountName, shareName: s.shareName }, label: `share ${s.shareName}` } });
    }
    if (facts.subscriptions.length) items.push({ label: 'Received shares', kind: vscode.QuickPickItemKind.Separator });
    for (const s of facts.subscriptions) {
      items.push({ label: `$(desktop-download) ${s.name}`, description: `${tenantName(s.tenantId)} · ${s.accountName}`, detail: `Share ${s.shareName}${s.providerTenantName ? ` from ${s.providerTenantName}` : ''}`, value: { start: { kind: 'received', tenantId: s.tenantId, subscriptionId: '', resourceGroup: '', accountName: s.accountName, shareSubscriptionName: s.name }, label: `received share ${s.name}` } });
    }
    const assets: Item[] = [];
    await Promise.all(accounts.map(async (a) => {
      try {
        const clients = await connection.azure().clients(a.tenantId);
        const page = await clients.purviewDataPlane(a.account).dataMap.discovery.queryPage({ keywords: '*', limit: 100, orderby: [{ name: 'ASC' }] });
        for (const v of page.value ?? []) {
          if (!v.qualifiedName || /process|snapshot/i.test(v.entityType ?? '')) continue;
          assets.push({ label: `$(file) ${v.name ?? v.qualifiedName}`, description: `${tenantName(a.tenantId)} · ${a.account} · ${v.entityType ?? ''}`, detail: v.qualifiedName, value: { start: { kind: 'asset', tenantId: a.tenantId, qualifiedName: v.qualifiedName, typeName: v.entityType, account: a.account, guid: v.id }, label: v.name ?? v.qualifiedName } });
        }
      } catch { /* a catalog we cannot search adds no assets */ }
    }));
    if (assets.length) items.push({ label: 'Purview assets', kind: vscode.QuickPickItemKind.Separator }, ...assets);
    qp.items = items;
    qp.busy = false;
    if (!items.some((i) => i.value)) qp.placeholder = 'No shares or assets found in the connected tenants';
  })();
  const choice = await new Promise<Item | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]));
    qp.onDidHide(() => resolve(undefined));
  });
  await load.catch(() => undefined);
  qp.dispose();
  if (!choice?.value) throw new CancelledError();
  return choice.value;
}

export async function showLineage(deps: LineageDeps, arg?: unknown): Promise<LineagePanelProbe> {
  tenantAccess(deps.connection); // says how to connect when not connected
  const picked = startFromArg(deps.connection, arg) ?? await pickStart(deps.connection);
  const panel = vscode.window.createWebviewPanel(LINEAGE_VIEW_TYPE, `Lineage: ${picked.label}`, vscode.ViewColumn.Active, webviewOptions(deps.context));
  return new LineagePanel(deps, panel, picked.start, picked.label, defaultOptions()).probe;
}

/**
 * Restores a panel after a reload (WebviewPanelSerializer): the webview state says where it
 * started. The connection is restored asynchronously at activation, so the panel waits for it
 * (showing so) before reading the lineage again.
 */
export async function restoreLineagePanel(deps: LineageDeps, panel: vscode.WebviewPanel, state: unknown): Promise<void> {
  const s = state as { start?: StartDescriptor; options?: ViewOptions } | undefined;
  const start = s?.start?.start as unknown as LineageStart | undefined;
  panel.webview.options = webviewOptions(deps.context);
  const message = (text: string) => { panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head><body><p>${text}</p></body></html>`; };
  if (!start || !s?.start) {
    message('Nothing to show: run "Governed Data Share: Show Lineage".');
    return;
  }
  const open = () => new LineagePanel(deps, panel, start, s.start!.label, s.options ?? defaultOptions());
  if (deps.connection.info) {
    open();
    return;
  }
  message('Reading the lineage again once the extension is connected (Governed Data Share: Connect to Local Sandbox)…');
  let opened = false;
  const waiting = deps.connection.onDidChange(() => {
    if (!deps.connection.info || opened) return;
    opened = true;
    waiting.dispose();
    open();
  });
  panel.onDidDispose(() => waiting.dispose());
  await Promise.resolve();
}

export async function refreshLineagePanels(): Promise<void> {
  await Promise.all([...panels].map((p) => p.refresh()));
}

/** All open panels (tests). */
export function openLineagePanels(): LineagePanelProbe[] {
  return [...panels].map((p) => p.probe);
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')], retainContextWhenHidden: false };
}

function nonce(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars.charAt(Math.floor(Math.random() * chars.length));
  return s;
}

/** Nodes in breadth-first order from the roots, so the first page holds what the person asked about. */
function rootsFirst(graph: LineageGraph): LineageGraph {
  const adj = new Map<string, string[]>();
  for (const e of graph.edges) {
    (adj.get(e.from) ?? adj.set(e.from, []).get(e.from)!).push(e.to);
    (adj.get(e.to) ?? adj.set(e.to, []).get(e.to)!).push(e.from);
  }
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const order: string[] = [];
  const seen = new Set<string>();
  const queue = [...graph.rootIds];
  for (const id of queue) seen.add(id);
  while (queue.length) {
    const id = queue.shift()!;
    order.push(id);
    for (const next of adj.get(id) ?? []) if (!seen.has(next)) { seen.add(next); queue.push(next); }
  }
  for (const n of graph.nodes) if (!seen.has(n.id)) order.push(n.id);
  return { ...graph, nodes: order.map((id) => byId.get(id)!).filter(Boolean) };
}

class LineagePanel {
  private generation = 0;
  private fetcher: LineageFetcher;
  private delivered: LineageGraph | undefined;
  private pages = 0;
  private loading: Promise<void> = Promise.resolve();
  private readonly messages: string[] = [];
  private exportPath: string | undefined;
  private webviewReady = false;
  private markReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => { this.markReady = resolve; });
  readonly probe: LineagePanelProbe;

  constructor(private readonly deps: LineageDeps, private readonly panel: vscode.WebviewPanel, private readonly start: LineageStart, private readonly label: string, private options: ViewOptions) {
    this.fetcher = new LineageFetcher(tenantAccess(deps.connection));
    panels.add(this);
    panel.webview.html = this.html();
    panel.onDidDispose(() => panels.delete(this));
    panel.webview.onDidReceiveMessage((m: unknown) => this.onMessage(m));
    this.loading = this.load();
    this.probe = {
      title: () => panel.title,
      loaded: () => this.loading,
      deliveredGraph: () => this.delivered,
      pagesPosted: () => this.pages,
      received: () => [...this.messages],
      exportTo: (p) => { this.exportPath = p; },
      expand: async (nodeId) => this.expand(nodeId),
      refresh: () => this.refresh(),
      dispose: () => panel.dispose(),
    };
  }

  private html(): string {
    const webview = this.panel.webview;
    const base = vscode.Uri.joinPath(this.deps.context.extensionUri, 'dist', 'webview');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(base, 'lineage.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(base, 'lineage.css'));
    const worker = webview.asWebviewUri(vscode.Uri.joinPath(base, 'lineageLayout.js'));
    const n = nonce();
    // worker-src blob:: the worker is started from a blob built from the fetched local bundle
    // (a webview resource is another origin, so `new Worker(resourceUri)` is refused).
    const csp = [`default-src 'none'`, `img-src ${webview.cspSource} data: blob:`, `style-src ${webview.cspSource}`, `script-src 'nonce-${n}'`, `worker-src blob:`, `connect-src ${webview.cspSource}`, `font-src ${webview.cspSource}`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Lineage</title>
</head>
<body data-worker-uri="${worker}">
<div id="root"></div>
<script nonce="${n}" src="${script}"></script>
</body>
</html>`;
  }

  private post(m: HostToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private descriptor(): StartDescriptor {
    return { label: this.label, start: Object.fromEntries(Object.entries(this.start).map(([k, v]) => [k, String(v ?? '')])) };
  }

  private async load(): Promise<void> {
    this.generation++;
    const generation = this.generation;
    this.post({ type: 'status', loading: true, message: `Reading lineage for ${this.label} (depth ${this.options.depth}, ${this.options.direction})…` });
    try {
      const graph = this.delivered && this.fetcher.graph() ? await this.fetcher.reload({ ...this.options }) : await this.fetcher.load(this.start, { ...this.options });
      // Posted once the webview listens (its `ready`), so no page is lost to a page still loading.
      await this.ready;
      if (generation !== this.generation) return;
      this.send(graph, generation);
    } catch (e) {
      this.deps.log.error(`Lineage for ${this.label}: ${e instanceof Error ? e.message : String(e)}`);
      this.post({ type: 'error', message: `Could not read the lineage: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  /** Posts the whole graph: a reset, then pages (roots' neighbourhood first). */
  private send(graph: LineageGraph, generation: number): void {
    const ordered = rootsFirst(graph);
    const pages = paginate(ordered);
    this.post({ type: 'graph/reset', generation, tenants: graph.tenants, rootIds: graph.rootIds, options: this.options, total: graph.nodes.length, totalEdges: graph.edges.length, start: this.descriptor(), warnings: [...this.fetcher.warnings] });
    pages.forEach((p, i) => this.post({ type: 'graph/page', generation, page: i, nodes: p.nodes, edges: p.edges, hasMore: i < pages.length - 1 }));
    this.pages = pages.length;
    this.delivered = graph;
    this.deps.log.info(`Lineage for ${this.label}: ${graph.nodes.length} nodes, ${graph.edges.length} edges in ${pages.length} page(s)${this.fetcher.warnings.length ? `; ${this.fetcher.warnings.join('; ')}` : ''}`);
  }

  private sendDelta(next: LineageGraph): number {
    const d = diffGraphs(this.delivered, next);
    this.post({ type: 'graph/delta', generation: this.generation, tenants: next.tenants, ...d });
    this.delivered = next;
    return d.added.length;
  }

  async expand(nodeId: string): Promise<number> {
    await this.loading;
    const next = await this.fetcher.expand(nodeId);
    return this.sendDelta(next);
  }

  /** Reads everything again with fresh Data Share facts and sends what changed (the view stays where it is). */
  async refresh(): Promise<void> {
    await this.loading.catch(() => undefined);
    this.fetcher = new LineageFetcher(tenantAccess(this.deps.connection));
    this.loading = (async () => {
      try {
        const graph = await this.fetcher.load(this.start, { ...this.options });
        await this.ready;
        if (this.delivered) this.sendDelta(graph); else this.send(graph, this.generation);
      } catch (e) {
        this.post({ type: 'error', message: `Could not refresh the lineage: ${e instanceof Error ? e.message : String(e)}` });
      }
    })();
    await this.loading;
  }

  private onMessage(raw: unknown): void {
    if (!isWebviewToHost(raw)) {
      this.deps.log.warn(`Lineage panel: ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const m: WebviewToHost = raw;
    this.messages.push(m.type);
    switch (m.type) {
      case 'ready':
        if (m.version !== PROTOCOL_VERSION) this.deps.log.warn(`Lineage webview speaks protocol ${m.version}, the host ${PROTOCOL_VERSION}.`);
        // A webview shown again (or reloaded) gets the graph again; the first one gets it when the first load is done.
        if (this.webviewReady) void this.loading.then(() => { if (this.delivered) this.send(this.delivered, this.generation); });
        this.webviewReady = true;
        this.markReady();
        break;
      case 'expand':
        void this.expand(m.nodeId).then(
          (added) => this.post({ type: 'completion', requestId: m.requestId, ok: true, added }),
          (e: unknown) => this.post({ type: 'completion', requestId: m.requestId, ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
        break;
      case 'setOptions':
        this.options = { direction: m.options.direction, depth: Math.max(1, Math.min(20, Math.round(m.options.depth))) };
        this.loading = this.load();
        break;
      case 'reveal':
        void this.reveal(m.nodeId);
        break;
      case 'openPortal':
        void this.openPortal(m.nodeId);
        break;
      case 'export':
        void this.saveExport(m.format, m.data).then(
          (path) => this.post({ type: 'completion', requestId: m.requestId, ok: !!path, path, error: path ? undefined : 'cancelled' }),
          (e: unknown) => this.post({ type: 'completion', requestId: m.requestId, ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
        break;
      case 'log':
        this.deps.log[m.level](`Lineage webview: ${m.message}`);
        break;
    }
  }

  private node(nodeId: string) {
    return this.delivered?.nodes.find((n) => n.id === nodeId);
  }

  /** Shows the node in its tree: shares and snapshots in the Shares view, assets in the Purview Catalog. */
  private async reveal(nodeId: string): Promise<void> {
    const n = this.node(nodeId);
    if (!n) return;
    const reveal = this.deps.reveal;
    const inCatalog = n.kind !== 'share' && n.kind !== 'snapshot';
    const resourceId = n.kind === 'share' ? n.share?.resourceId : n.kind === 'snapshot' ? n.subscription?.resourceId : undefined;
    try {
      if (!inCatalog && resourceId && reveal && await reveal.shares(resourceId)) return;
      for (const ref of inCatalog ? [...n.refs].sort((a, b) => Number(b.tenantId === n.tenantId) - Number(a.tenantId === n.tenantId)) : []) {
        if (reveal && await reveal.catalog(`asset/${ref.guid}`)) return;
      }
    } catch (e) {
      this.deps.log.warn(`Reveal ${n.label}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Not found in the tree (not loaded, or another page): show the view and say where it is.
    const tenant = this.deps.connection.info?.tenants.find((t) => t.tenantId === n.tenantId)?.displayName ?? n.tenantId;
    await vscode.commands.executeCommand(inCatalog ? 'governedDataShare.catalog.focus' : 'governedDataShare.shares.focus');
    const where = inCatalog ? `${tenant} › ${n.refs.find((r) => r.tenantId === n.tenantId)?.account ?? 'Purview'} › ${n.label}` : `${tenant} › ${n.share?.account ?? n.subscription?.account ?? ''} › ${n.share?.name ?? n.subscription?.name ?? n.label}`;
    void vscode.window.showInformationMessage(`${n.label} is under ${where} in the ${inCatalog ? 'Purview Catalog' : 'Shares'} view.`);
  }

  private async openPortal(nodeId: string): Promise<void> {
    const n = this.node(nodeId);
    const ref = n?.refs.find((r) => r.tenantId === n.tenantId) ?? n?.refs[0];
    if (!n || !ref) return;
    const url = `https://web.purview.azure.com/resource/${encodeURIComponent(ref.account)}/main/catalog/entity?guid=${encodeURIComponent(ref.guid)}&feature.tenant=${encodeURIComponent(ref.tenantId)}`;
    await vscode.env.openExternal(vscode.Uri.parse(url));
  }

  private async saveExport(format: 'svg' | 'png', data: string): Promise<string | undefined> {
    const bytes = format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data, 'base64');
    const given = this.exportPath ?? exportOverride;
    if (!given) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        title: `Export lineage as ${format.toUpperCase()}`,
        saveLabel: 'Export',
        filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
        defaultUri: folder ? vscode.Uri.joinPath(folder, `lineage.${format}`) : undefined,
      });
      if (!uri) return undefined;
      await vscode.workspace.fs.writeFile(uri, bytes);
      this.deps.log.info(`Lineage exported to ${uri.fsPath}`);
      return uri.fsPath;
    }
    fs.writeFileSync(given, bytes);
    this.deps.log.info(`Lineage exported to ${given}`);
    return given;
  }
}

/** Tests: every export of every panel goes to `path` (undefined: ask again). */
export function setLineageExportPath(path: string | undefined): void {
  exportOverride = path;
}
