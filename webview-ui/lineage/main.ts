/**
 * Lineage webview (browser bundle dist/webview/lineage.js): receives the graph from the host in
 * pages, lays it out in a Web Worker (dist/webview/lineageLayout.js, loaded through a blob URL
 * built from the local resource), draws it on a canvas, and asks the host for more (expand a
 * node, another depth or direction) through the typed protocol. View state (zoom, pan, selection,
 * options) is kept with setState; the graph itself is always re-sent by the host.
 */
import './lineage.css';
import {
  isHostToWebview, isWebviewState, PROTOCOL_VERSION,
  type HostToWebview, type LineageDirectionChoice, type LineageEdge, type LineageNode, type LineageTenant, type StartDescriptor, type ViewOptions, type WebviewState, type WebviewToHost,
} from '../shared/protocol';
import { layoutGraph } from './layout';
import type { LayoutReply, LayoutRequest } from './layoutWorker';
import { classificationLabel, drawGraph, drawLaneTitles, hitNode, kindName, laneColor, onExpandButton, readTheme, type Decorations, type Placed, type Theme, type ViewTransform } from './renderer';
import { exportPng, exportSvg } from './exporter';

interface VsCodeApi { postMessage(message: WebviewToHost): void; getState(): unknown; setState(state: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost) => vscode.postMessage(m);

// --- state --------------------------------------------------------------------------------------

const saved = vscode.getState();
const state: WebviewState = isWebviewState(saved) && saved.version === PROTOCOL_VERSION
  ? saved
  : { version: PROTOCOL_VERSION, generation: -1, zoom: 1, panX: 0, panY: 0, hideProcesses: false, search: '' };
let restoreView = isWebviewState(saved) && saved.version === PROTOCOL_VERSION;
let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveState(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    state.zoom = view.scale; state.panX = view.tx; state.panY = view.ty;
    vscode.setState(state);
  }, 150);
}

const allNodes = new Map<string, LineageNode>();
const allEdges = new Map<string, LineageEdge>();
let tenants: LineageTenant[] = [];
let rootIds: string[] = [];
let start: StartDescriptor | undefined;
let receiving = false;
let warnings: string[] = [];

let placed: Placed | undefined;
let indexOf = new Map<string, number>();
let succ: number[][] = [];
let pred: number[][] = [];
const view: ViewTransform = { scale: state.zoom, tx: state.panX, ty: state.panY };
let theme: Theme;
const deco: Decorations & { matches: Set<number>; loading: Set<number>; failed: Set<number> } = { matches: new Set(), loading: new Set(), failed: new Set() };
let matchList: number[] = [];
let matchCursor = -1;
const pendingExpand = new Map<number, string>();
const pendingExport = new Map<number, string>();
let nextRequestId = 1;

// Measurements (read by the bench through window.__lineage).
const stats = { resetAt: 0, layoutMs: 0, layoutWallMs: 0, firstPaintMs: 0, fullPaintMs: 0, drawMs: 0, nodes: 0, edges: 0, worker: false };

// --- DOM ----------------------------------------------------------------------------------------

const root = document.getElementById('root') ?? document.body;
root.innerHTML = `
<div id="app">
  <div class="toolbar" role="toolbar" aria-label="Lineage controls">
    <label>Direction <select id="direction" aria-label="Direction">
      <option value="both">Both</option><option value="upstream">Upstream</option><option value="downstream">Downstream</option></select></label>
    <label>Depth <input id="depth" type="number" min="1" max="20" value="3" aria-label="Depth"></label>
    <span class="sep"></span>
    <input id="search" type="search" placeholder="Search nodes" aria-label="Search nodes">
    <button id="next" title="Jump to the next match (Enter)">Next</button>
    <span id="matches" aria-live="polite"></span>
    <span class="sep"></span>
    <label><input id="hideProcesses" type="checkbox"> Hide processes</label>
    <span class="sep"></span>
    <button id="fit" title="Fit the graph (F)">Fit</button>
    <button id="zoomIn" title="Zoom in (+)" aria-label="Zoom in">+</button>
    <button id="zoomOut" title="Zoom out (-)" aria-label="Zoom out">−</button>
    <span class="sep"></span>
    <button id="exportSvg">Export SVG</button>
    <button id="exportPng">Export PNG</button>
  </div>
  <div id="stage">
    <canvas id="graph" tabindex="0" role="application" aria-roledescription="lineage graph"
      aria-label="Lineage graph. Arrow keys move between nodes, Enter opens details, E expands neighbours, plus and minus zoom, F fits." aria-describedby="announcer"></canvas>
    <canvas id="minimap" aria-hidden="true"></canvas>
    <aside id="details" hidden aria-label="Node details" tabindex="-1"></aside>
  </div>
  <div id="status" role="status"></div>
  <div id="announcer" class="sr-only" aria-live="polite"></div>
  <section class="sr-only" aria-label="Nodes in view"><ul id="a11yNodes"></ul></section>
  <section class="sr-only" aria-label="Snapshots crossing tenants"><ul id="a11yCross"></ul></section>
</div>`;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const canvas = $<HTMLCanvasElement>('graph');
const minimap = $<HTMLCanvasElement>('minimap');
const details = $<HTMLElement>('details');
const statusEl = $<HTMLElement>('status');
const announcer = $<HTMLElement>('announcer');
const directionEl = $<HTMLSelectElement>('direction');
const depthEl = $<HTMLInputElement>('depth');
const searchEl = $<HTMLInputElement>('search');
const hideEl = $<HTMLInputElement>('hideProcesses');
const ctx = canvas.getContext('2d', { alpha: false, desynchronized: true })!;
const mctx = minimap.getContext('2d')!;

if (state.options) { directionEl.value = state.options.direction; depthEl.value = String(state.options.depth); }
hideEl.checked = state.hideProcesses;
searchEl.value = state.search;

/** The outcome of the last expand or export, kept on the status line when the graph is redrawn. */
let note = '';

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', error);
}

// --- theme --------------------------------------------------------------------------------------

theme = readTheme();
new MutationObserver(() => { theme = readTheme(); minimapDirty = true; scheduleOverview(); requestDraw(); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

// --- graph -> displayed graph -> layout ---------------------------------------------------------

const hidden = (n: LineageNode) => state.hideProcesses && (n.kind === 'process' || n.kind === 'snapshot');

function orderedTenants(): LineageTenant[] {
  const rank = (t: LineageTenant) => (t.role === 'provider' ? 0 : t.role === 'consumer' ? 1 : 2);
  const used = new Set([...allNodes.values()].map((n) => n.tenantId));
  return tenants.filter((t) => used.has(t.tenantId)).sort((a, b) => rank(a) - rank(b));
}

/** Nodes and edges shown: with processes hidden, edges are contracted through them (keeping what the snapshot says). */
function displayed(): { nodes: LineageNode[]; edges: Array<{ edge: LineageEdge; s: number; t: number }>; lanes: Int32Array; tenantList: LineageTenant[] } {
  const tenantList = orderedTenants();
  const laneOf = new Map(tenantList.map((t, i) => [t.tenantId, i]));
  const nodes = [...allNodes.values()].filter((n) => !hidden(n));
  const idx = new Map(nodes.map((n, i) => [n.id, i]));
  const edges: Array<{ edge: LineageEdge; s: number; t: number }> = [];
  if (!state.hideProcesses) {
    for (const e of allEdges.values()) {
      const s = idx.get(e.from);
      const t = idx.get(e.to);
      if (s !== undefined && t !== undefined) edges.push({ edge: e, s, t });
    }
  } else {
    const out = new Map<string, LineageEdge[]>();
    for (const e of allEdges.values()) { const l = out.get(e.from) ?? []; l.push(e); out.set(e.from, l); }
    const seen = new Set<string>();
    for (const n of nodes) {
      const stack: Array<{ id: string; via?: LineageEdge }> = [{ id: n.id }];
      const visited = new Set<string>([n.id]);
      while (stack.length) {
        const cur = stack.pop()!;
        for (const e of out.get(cur.id) ?? []) {
          const to = allNodes.get(e.to);
          if (!to || visited.has(e.to)) continue;
          visited.add(e.to);
          const via = e.lastSnapshot || e.crossTenant ? e : cur.via;
          if (hidden(to)) { stack.push({ id: e.to, via }); continue; }
          const key = `${n.id}>${e.to}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const edge: LineageEdge = cur.id === n.id ? e : { ...(via ?? e), id: key, from: n.id, to: e.to, kind: via?.kind ?? e.kind, crossTenant: n.tenantId !== to.tenantId, inferred: e.inferred || via?.inferred };
          edges.push({ edge, s: idx.get(n.id)!, t: idx.get(e.to)! });
        }
      }
    }
  }
  const lanes = new Int32Array(nodes.length);
  nodes.forEach((n, i) => { lanes[i] = laneOf.get(n.tenantId) ?? tenantList.length; });
  return { nodes, edges, lanes, tenantList };
}

let worker: Worker | undefined;
let workerReady: Promise<Worker | undefined> | undefined;
const layoutWaiters = new Map<number, (r: LayoutReply) => void>();

function getWorker(): Promise<Worker | undefined> {
  workerReady ??= (async () => {
    const uri = document.body.dataset.workerUri;
    if (!uri) return undefined;
    try {
      // A webview resource is another origin than the webview itself, so the worker is started
      // from a blob built from the fetched bundle (CSP: worker-src blob:, connect-src the resource origin).
      const text = await (await fetch(uri)).text();
      worker = new Worker(URL.createObjectURL(new Blob([text], { type: 'text/javascript' })));
    } catch (e) {
      post({ type: 'log', level: 'warn', message: `Layout worker unavailable, laying out on the page: ${String(e)}` });
      return undefined;
    }
    worker.onmessage = (ev: MessageEvent<LayoutReply>) => { layoutWaiters.get(ev.data.id)?.(ev.data); layoutWaiters.delete(ev.data.id); };
    worker.onerror = (ev) => post({ type: 'log', level: 'error', message: `Layout worker failed: ${ev.message}` });
    stats.worker = true;
    return worker;
  })();
  return workerReady;
}

let layoutSeq = 0;
let painted = false;

async function relayout(): Promise<void> {
  const id = ++layoutSeq;
  const shown = displayed();
  const edgeArr = new Int32Array(shown.edges.length * 2);
  shown.edges.forEach((e, i) => { edgeArr[2 * i] = e.s; edgeArr[2 * i + 1] = e.t; });
  const t0 = performance.now();
  const w = await getWorker();
  let r: LayoutReply;
  if (w) {
    r = await new Promise<LayoutReply>((resolve) => {
      layoutWaiters.set(id, resolve);
      const req: LayoutRequest = { id, lanes: shown.lanes, edges: edgeArr };
      w.postMessage(req, [shown.lanes.buffer.slice(0), edgeArr.buffer]);
    });
  } else {
    const pairs: Array<[number, number]> = shown.edges.map((e) => [e.s, e.t]);
    const l = layoutGraph({ nodes: Array.from(shown.lanes, (lane) => ({ lane })), edges: pairs });
    r = { id, ...l, ms: performance.now() - t0 };
  }
  if (id !== layoutSeq && painted) return; // a newer layout is on its way
  const previous = placed && (state.focusedId ?? state.selectedId);
  placed = { nodes: shown.nodes, edges: shown.edges, tenants: shown.tenantList, lane: shown.lanes, x: r.x, y: r.y, width: r.width, height: r.height, nodeWidth: r.nodeWidth, nodeHeight: r.nodeHeight, lanes: r.lanes };
  indexOf = new Map(shown.nodes.map((n, i) => [n.id, i]));
  succ = shown.nodes.map(() => []);
  pred = shown.nodes.map(() => []);
  for (const { s, t } of shown.edges) { succ[s].push(t); pred[t].push(s); }
  stats.layoutMs = r.ms;
  stats.layoutWallMs = performance.now() - t0;
  stats.nodes = shown.nodes.length;
  stats.edges = shown.edges.length;
  refreshDecorations();
  if (restoreView && state.generation === currentGeneration) {
    view.scale = state.zoom; view.tx = state.panX; view.ty = state.panY;
    restoreView = false;
  } else if (!painted || !previous) {
    fit();
  }
  minimapDirty = true;
  scheduleOverview();
  const complete = id === layoutSeq && !receiving;
  drawNow();
  const paintedAt = performance.now() - stats.resetAt;
  if (!painted) { stats.firstPaintMs = paintedAt; painted = true; }
  if (complete) {
    stats.fullPaintMs = paintedAt;
    performance.mark('lineage-full-paint');
  }
  setStatus(`${shown.nodes.length} nodes, ${shown.edges.length} edges in ${shown.tenantList.length} tenant(s) · layout ${r.ms.toFixed(0)} ms${receiving ? ' · receiving more…' : ''}${note ? ` · ${note}` : ''}${warnings.length ? ` · ${warnings.join('; ')}` : ''}`);
  scheduleA11y();
}

let relayoutTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRelayout(delay = 0): void {
  clearTimeout(relayoutTimer);
  relayoutTimer = setTimeout(() => { void relayout(); }, delay);
}

// --- drawing ------------------------------------------------------------------------------------

let frameRequested = false;
let minimapDirty = true;
let cssW = 0;
let cssH = 0;

function resize(): void {
  const rect = canvas.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  cssW = Math.max(1, rect.width);
  cssH = Math.max(1, rect.height);
  canvas.width = Math.round(cssW * dpr);
  canvas.height = Math.round(cssH * dpr);
  minimap.width = minimap.clientWidth * dpr;
  minimap.height = minimap.clientHeight * dpr;
  minimapDirty = true;
  drawNow();
}
new ResizeObserver(resize).observe(canvas);

function requestDraw(): void {
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => { frameRequested = false; drawNow(); });
}

/**
 * Zoomed out, a frame would stroke tens of thousands of edges; while the person pans or zooms
 * there, the frame is the whole graph pre-drawn once into a bitmap (the overview), scaled. When
 * the view settles (150 ms without input), the exact drawing replaces it.
 */
const OVERVIEW_MAX_SCALE = 0.3;
const OVERVIEW_MAX_SIDE = 4096;
const OVERVIEW_PAD = 80;
let overview: { canvas: HTMLCanvasElement; scale: number } | undefined;
let overviewTimer: ReturnType<typeof setTimeout> | undefined;
let interacting = false;
/** Edges in view at the last exact frame; above the budget, moving frames use the overview for edges. */
let lastEdgesDrawn = 0;
const EDGE_BUDGET = 2500;
let settleTimer: ReturnType<typeof setTimeout> | undefined;

function interacted(): void {
  interacting = true;
  clearTimeout(settleTimer);
  settleTimer = setTimeout(() => { interacting = false; requestDraw(); }, 150);
}

function scheduleOverview(): void {
  overview = undefined;
  clearTimeout(overviewTimer);
  overviewTimer = setTimeout(buildOverview, 30);
}

function buildOverview(): void {
  if (!placed || placed.nodes.length < 1500) return; // small graphs draw fast enough as they are
  const w = placed.width + 2 * OVERVIEW_PAD;
  const h = placed.height + 2 * OVERVIEW_PAD;
  const scale = Math.min(OVERVIEW_MAX_SCALE, OVERVIEW_MAX_SIDE / w, OVERVIEW_MAX_SIDE / h);
  const c = document.createElement('canvas');
  c.width = Math.max(1, Math.ceil(w * scale));
  c.height = Math.max(1, Math.ceil(h * scale));
  const octx = c.getContext('2d', { alpha: false })!;
  drawGraph(octx, placed, { scale, tx: OVERVIEW_PAD * scale, ty: OVERVIEW_PAD * scale }, c.width, c.height, theme, {}, { laneTitles: false });
  overview = { canvas: c, scale };
}

function drawNow(): void {
  const t0 = performance.now();
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (!placed) {
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, cssW, cssH);
    return;
  }
  deco.selected = state.selectedId !== undefined ? indexOf.get(state.selectedId) : undefined;
  deco.focused = state.focusedId !== undefined ? indexOf.get(state.focusedId) : undefined;
  // While moving: zoomed out, or with more edges in view than a frame can stroke, the overview
  // stands in (nodes drawn crisp over it once they are big enough to read).
  if (interacting && overview && (view.scale < OVERVIEW_MAX_SCALE || lastEdgesDrawn > EDGE_BUDGET)) {
    ctx.fillStyle = theme.background;
    ctx.fillRect(0, 0, cssW, cssH);
    const k = view.scale / overview.scale;
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(overview.canvas, view.tx - OVERVIEW_PAD * view.scale, view.ty - OVERVIEW_PAD * view.scale, overview.canvas.width * k, overview.canvas.height * k);
    if (view.scale >= OVERVIEW_MAX_SCALE) drawGraph(ctx, placed, view, cssW, cssH, theme, deco, { backdrop: false, edges: false });
    else drawLaneTitles(ctx, placed, view, cssH, theme);
  } else {
    lastEdgesDrawn = drawGraph(ctx, placed, view, cssW, cssH, theme, deco).edges;
  }
  drawMinimap();
  stats.drawMs = performance.now() - t0;
}

let minimapImage: HTMLCanvasElement | undefined;
function minimapScale(): { s: number; ox: number; oy: number } {
  const g = placed!;
  const w = minimap.width;
  const h = minimap.height;
  const s = Math.min(w / Math.max(1, g.width + 120), h / Math.max(1, g.height));
  return { s, ox: (w - (g.width + 120) * s) / 2 + 60 * s, oy: (h - g.height * s) / 2 };
}
function drawMinimap(): void {
  if (!placed || minimap.width === 0) return;
  const g = placed;
  const { s, ox, oy } = minimapScale();
  if (minimapDirty || !minimapImage) {
    minimapImage ??= document.createElement('canvas');
    minimapImage.width = minimap.width;
    minimapImage.height = minimap.height;
    const m = minimapImage.getContext('2d')!;
    m.fillStyle = theme.nodeBackground;
    m.fillRect(0, 0, minimap.width, minimap.height);
    for (const box of g.lanes) { m.globalAlpha = 0.15; m.fillStyle = laneColor(theme, box.lane); m.fillRect(0, oy + box.y * s, minimap.width, box.height * s); }
    m.globalAlpha = 1;
    const w = Math.max(1, g.nodeWidth * s);
    const h = Math.max(1, g.nodeHeight * s);
    for (let i = 0; i < g.nodes.length; i++) { m.fillStyle = laneColor(theme, g.lane[i]); m.fillRect(ox + g.x[i] * s, oy + g.y[i] * s, w, h); }
    minimapDirty = false;
  }
  mctx.setTransform(1, 0, 0, 1, 0, 0);
  mctx.drawImage(minimapImage, 0, 0);
  const dpr = window.devicePixelRatio || 1;
  mctx.strokeStyle = theme.focus;
  mctx.lineWidth = 2;
  mctx.strokeRect(ox + (-view.tx / view.scale) * s, oy + (-view.ty / view.scale) * s, (cssW / view.scale) * s * 1, (cssH / view.scale) * s * 1);
  void dpr;
}

// --- view ---------------------------------------------------------------------------------------

function fit(): void {
  if (!placed) return;
  const pad = 40;
  const gw = placed.width + 120;
  const gh = Math.max(placed.height, 1);
  view.scale = Math.min(1, Math.max(0.005, Math.min((cssW - 2 * pad) / gw, (cssH - 2 * pad) / gh)));
  view.tx = (cssW - gw * view.scale) / 2 + 60 * view.scale;
  view.ty = (cssH - gh * view.scale) / 2;
  saveState();
  requestDraw();
}

function zoomAt(factor: number, sx = cssW / 2, sy = cssH / 2): void {
  const next = Math.min(4, Math.max(0.01, view.scale * factor));
  const f = next / view.scale;
  view.tx = sx - (sx - view.tx) * f;
  view.ty = sy - (sy - view.ty) * f;
  view.scale = next;
  interacted();
  saveState();
  requestDraw();
  scheduleA11y();
}

function panBy(dx: number, dy: number): void {
  view.tx += dx;
  view.ty += dy;
  interacted();
  saveState();
  requestDraw();
  scheduleA11y();
}

function centerOn(i: number, zoomIn = false): void {
  if (!placed) return;
  if (zoomIn && view.scale < 0.8) view.scale = 1;
  view.tx = cssW / 2 - (placed.x[i] + placed.nodeWidth / 2) * view.scale;
  view.ty = cssH / 2 - (placed.y[i] + placed.nodeHeight / 2) * view.scale;
  saveState();
  requestDraw();
  scheduleA11y();
}

function ensureVisible(i: number): void {
  if (!placed) return;
  const sx = placed.x[i] * view.scale + view.tx;
  const sy = placed.y[i] * view.scale + view.ty;
  if (sx < 0 || sy < 0 || sx + placed.nodeWidth * view.scale > cssW || sy + placed.nodeHeight * view.scale > cssH || view.scale < 0.45) centerOn(i, true);
}

// --- selection, details, a11y -------------------------------------------------------------------

const tenantName = (id: string) => tenants.find((t) => t.tenantId === id)?.displayName ?? id;

function describe(n: LineageNode): string {
  const i = indexOf.get(n.id);
  const up = i !== undefined ? pred[i].length : 0;
  const down = i !== undefined ? succ[i].length : 0;
  const classes = n.classifications.map(classificationLabel).join(', ');
  return [`${n.label}, ${kindName(n.kind)} in ${tenantName(n.tenantId)}`, classes ? `classified ${classes}` : '', n.inferred ? 'inferred' : '',
    `${up} upstream, ${down} downstream`, n.moreUpstream || n.moreDownstream ? 'more neighbours can be loaded' : '',
    n.lastSnapshot ? `last snapshot ${n.lastSnapshot.status ?? ''} ${n.lastSnapshot.time ?? ''}` : ''].filter(Boolean).join(', ');
}

function focusNode(id: string | undefined, announce = true): void {
  state.focusedId = id;
  saveState();
  const i = id !== undefined ? indexOf.get(id) : undefined;
  if (i !== undefined) {
    ensureVisible(i);
    if (announce) announcer.textContent = describe(placed!.nodes[i]);
  }
  requestDraw();
}

function select(id: string | undefined): void {
  state.selectedId = id;
  focusNode(id, true);
  renderDetails();
}

function renderDetails(): void {
  const n = state.selectedId ? allNodes.get(state.selectedId) : undefined;
  if (!n) { details.hidden = true; details.replaceChildren(); return; }
  details.hidden = false;
  details.replaceChildren();
  const close = el('button', { class: 'close', 'aria-label': 'Close details', title: 'Close (Escape)' }, '×');
  close.onclick = () => { select(undefined); canvas.focus(); };
  const h = el('h2', {}, n.label);
  const dl = el('dl');
  const row = (k: string, v: string | Node | undefined) => { if (v === undefined || v === '') return; dl.append(el('dt', {}, k), el('dd', {}, v)); };
  row('Type', `${n.typeName} (${kindName(n.kind)})`);
  row('Tenant', tenantName(n.tenantId));
  row('Qualified name', n.qualifiedName);
  const badges = el('span');
  for (const c of n.classifications) badges.append(el('span', { class: 'badge', title: c }, classificationLabel(c)));
  row('Classifications', n.classifications.length ? badges : 'None');
  if (n.quality) row('Data quality', { Pass: 'Passed its rules', Warn: 'Passed with warnings', Fail: 'Failed its rules' }[n.quality]);
  row('Owner', n.owner);
  if (n.share) row('Share', `${n.share.name}${n.share.account ? ` (${n.share.account})` : ''} in ${tenantName(n.share.tenantId)}`);
  if (n.subscription) row('Share subscription', `${n.subscription.name} (${n.subscription.account}) in ${tenantName(n.subscription.tenantId)}${n.subscription.status ? `, ${n.subscription.status}` : ''}`);
  const snap = n.lastSnapshot ?? crossEdgeOf(n)?.lastSnapshot;
  row('Last snapshot', snap ? [snap.status, snap.mode, snap.time].filter(Boolean).join(' · ') : undefined);
  if (n.inferred) row('Source', 'Inferred from Data Share facts or the other tenant\'s catalog');
  if (n.deleted) row('Status', 'Deleted');
  const actions = el('div', { class: 'actions' });
  const reveal = el('button', {}, 'Reveal in tree');
  reveal.onclick = () => post({ type: 'reveal', nodeId: n.id });
  const portal = el('button', {}, 'Open in portal');
  portal.onclick = () => post({ type: 'openPortal', nodeId: n.id });
  portal.toggleAttribute('disabled', n.refs.length === 0);
  const expand = el('button', { class: 'primary' }, 'Expand neighbours');
  expand.onclick = () => requestExpand(n.id);
  actions.append(expand, reveal, portal);
  details.append(close, h, dl, actions);
}

function crossEdgeOf(n: LineageNode): LineageEdge | undefined {
  for (const e of allEdges.values()) if (e.crossTenant && (e.from === n.id || e.to === n.id)) return e;
  return undefined;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, content?: string | Node): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (content !== undefined) e.append(content);
  return e;
}

let a11yTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleA11y(): void {
  clearTimeout(a11yTimer);
  a11yTimer = setTimeout(updateA11y, 250);
}

/** An offscreen list mirrors what is in view (up to 200 nodes) and every cross-tenant snapshot. */
function updateA11y(): void {
  if (!placed) return;
  const list = $<HTMLUListElement>('a11yNodes');
  const items: HTMLLIElement[] = [];
  const g = placed;
  for (let i = 0; i < g.nodes.length && items.length < 200; i++) {
    const sx = g.x[i] * view.scale + view.tx;
    const sy = g.y[i] * view.scale + view.ty;
    if (sx + g.nodeWidth * view.scale < 0 || sy + g.nodeHeight * view.scale < 0 || sx > cssW || sy > cssH) continue;
    const b = el('button', { 'data-node-id': g.nodes[i].id }, describe(g.nodes[i]));
    b.onclick = () => select(g.nodes[i].id);
    items.push(el('li', {}, b));
  }
  list.replaceChildren(...items);
  const cross = $<HTMLUListElement>('a11yCross');
  const rows: HTMLLIElement[] = [];
  for (const { edge } of g.edges) {
    if (!edge.crossTenant || rows.length >= 100) continue;
    const a = allNodes.get(edge.from);
    const b = allNodes.get(edge.to);
    if (!a || !b) continue;
    const snap = edge.lastSnapshot;
    rows.push(el('li', { 'data-edge-id': edge.id }, `${a.label} (${tenantName(a.tenantId)}) to ${b.label} (${tenantName(b.tenantId)})${edge.share ? `, share ${edge.share.name}` : ''}${edge.subscription ? `, subscription ${edge.subscription.name}` : ''}, last snapshot ${snap ? [snap.status, snap.mode, snap.time].filter(Boolean).join(' ') : 'none'}${edge.inferred ? ', inferred' : ''}`));
  }
  cross.replaceChildren(...rows);
}

// --- search -------------------------------------------------------------------------------------

function refreshDecorations(): void {
  deco.matches.clear();
  deco.loading.clear();
  deco.failed.clear();
  matchList = [];
  const q = state.search.trim().toLowerCase();
  if (placed && q) {
    placed.nodes.forEach((n, i) => { if (n.label.toLowerCase().includes(q) || (n.qualifiedName ?? '').toLowerCase().includes(q)) { deco.matches.add(i); matchList.push(i); } });
  }
  for (const id of pendingExpand.values()) { const i = indexOf.get(id); if (i !== undefined) deco.loading.add(i); }
  for (const id of failedExpand) { const i = indexOf.get(id); if (i !== undefined) deco.failed.add(i); }
  $('matches').textContent = q ? `${matchList.length} match${matchList.length === 1 ? '' : 'es'}` : '';
}

function jumpToMatch(): void {
  if (!matchList.length || !placed) return;
  matchCursor = (matchCursor + 1) % matchList.length;
  const i = matchList[matchCursor];
  $('matches').textContent = `${matchCursor + 1} of ${matchList.length}`;
  state.selectedId = placed.nodes[i].id;
  renderDetails();
  focusNode(placed.nodes[i].id);
  centerOn(i, true);
}

// --- expand, options, export ---------------------------------------------------------------------

const failedExpand = new Set<string>();

function requestExpand(nodeId: string): void {
  if ([...pendingExpand.values()].includes(nodeId)) return;
  const requestId = nextRequestId++;
  pendingExpand.set(requestId, nodeId);
  failedExpand.delete(nodeId);
  refreshDecorations();
  setStatus(`Expanding ${allNodes.get(nodeId)?.label ?? nodeId}…`);
  requestDraw();
  post({ type: 'expand', requestId, nodeId });
}

function sendOptions(): void {
  const options: ViewOptions = { direction: directionEl.value as LineageDirectionChoice, depth: Math.max(1, Math.min(20, Number(depthEl.value) || 3)) };
  state.options = options;
  saveState();
  post({ type: 'setOptions', options });
}

function requestExport(format: 'svg' | 'png'): void {
  if (!placed) return;
  const requestId = nextRequestId++;
  pendingExport.set(requestId, format);
  const data = format === 'svg' ? exportSvg(placed, theme) : exportPng(placed, theme);
  setStatus(`Exporting ${format.toUpperCase()}…`);
  post({ type: 'export', requestId, format, data });
}

// --- messages from the host ---------------------------------------------------------------------

let currentGeneration = -1;

function onHost(m: HostToWebview): void {
  switch (m.type) {
    case 'graph/reset':
      note = '';
      stats.resetAt = performance.now();
      painted = false;
      currentGeneration = m.generation;
      allNodes.clear();
      allEdges.clear();
      tenants = m.tenants;
      rootIds = m.rootIds;
      start = m.start;
      warnings = m.warnings;
      receiving = m.total > 0;
      if (state.generation !== m.generation) restoreView = false;
      stats.firstPaintMs = 0;
      stats.fullPaintMs = 0;
      state.generation = m.generation;
      state.start = start;
      state.options = m.options;
      directionEl.value = m.options.direction;
      depthEl.value = String(m.options.depth);
      saveState();
      if (m.total === 0) {
        placed = undefined;
        drawNow();
        setStatus(`No lineage found for ${m.start.label}.${warnings.length ? ` ${warnings.join('; ')}` : ''}`, warnings.length > 0);
      } else {
        setStatus(`Loading ${m.total} nodes for ${m.start.label}…`);
      }
      break;
    case 'graph/page':
      if (m.generation !== currentGeneration) return;
      for (const n of m.nodes) allNodes.set(n.id, n);
      for (const e of m.edges) allEdges.set(e.id, e);
      receiving = m.hasMore;
      // The first page is laid out at once (first paint); the rest once they have all arrived.
      if (m.page === 0 || !m.hasMore) scheduleRelayout(0);
      break;
    case 'graph/delta':
      if (m.generation !== currentGeneration) return;
      tenants = m.tenants;
      for (const id of m.removed) allNodes.delete(id);
      for (const id of m.removedEdges) allEdges.delete(id);
      for (const n of [...m.added, ...m.updated]) allNodes.set(n.id, n);
      for (const e of [...m.addedEdges, ...m.updatedEdges]) allEdges.set(e.id, e);
      scheduleRelayout(0);
      break;
    case 'status':
      setStatus(m.message ?? (m.loading ? 'Loading…' : ''));
      break;
    case 'completion': {
      const nodeId = pendingExpand.get(m.requestId);
      if (nodeId !== undefined) {
        pendingExpand.delete(m.requestId);
        const label = allNodes.get(nodeId)?.label ?? nodeId;
        if (m.ok) {
          note = `Expanded ${label}: ${m.added ?? 0} new node(s)`;
          setStatus(`${note}.`);
          announcer.textContent = note;
        } else {
          failedExpand.add(nodeId);
          note = '';
          setStatus(`Could not expand ${label}: ${m.error ?? 'unknown error'}. Press + on the node to retry.`, true);
        }
        refreshDecorations();
        requestDraw();
      }
      const format = pendingExport.get(m.requestId);
      if (format) {
        pendingExport.delete(m.requestId);
        note = m.ok ? `Exported ${format.toUpperCase()}${m.path ? ` to ${m.path}` : ''}` : '';
        setStatus(m.ok ? `${note}.` : `Export failed: ${m.error ?? 'cancelled'}`, !m.ok);
      }
      break;
    }
    case 'error':
      setStatus(m.message, true);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isHostToWebview(event.data)) onHost(event.data);
  else post({ type: 'log', level: 'warn', message: `Ignored a malformed message: ${JSON.stringify(event.data)?.slice(0, 200)}` });
});

// --- input --------------------------------------------------------------------------------------

let drag: { x: number; y: number; moved: boolean } | undefined;
const toWorld = (sx: number, sy: number) => ({ x: (sx - view.tx) / view.scale, y: (sy - view.ty) / view.scale });

canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY, moved: false }; canvas.setPointerCapture(e.pointerId); });
canvas.addEventListener('pointermove', (e) => {
  if (!drag) return;
  const dx = e.clientX - drag.x;
  const dy = e.clientY - drag.y;
  if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 3) return;
  drag.moved = true;
  canvas.classList.add('panning');
  drag.x = e.clientX;
  drag.y = e.clientY;
  panBy(dx, dy);
});
canvas.addEventListener('pointerup', (e) => {
  const wasDrag = drag?.moved;
  drag = undefined;
  canvas.classList.remove('panning');
  if (wasDrag || !placed) return;
  const r = canvas.getBoundingClientRect();
  const w = toWorld(e.clientX - r.left, e.clientY - r.top);
  const i = hitNode(placed, w.x, w.y);
  if (i < 0) return;
  if (onExpandButton(placed, i, w.x, w.y)) requestExpand(placed.nodes[i].id);
  else select(placed.nodes[i].id);
});
canvas.addEventListener('dblclick', (e) => {
  if (!placed) return;
  const r = canvas.getBoundingClientRect();
  const w = toWorld(e.clientX - r.left, e.clientY - r.top);
  const i = hitNode(placed, w.x, w.y);
  if (i >= 0) requestExpand(placed.nodes[i].id);
});
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  const r = canvas.getBoundingClientRect();
  if (e.ctrlKey || !e.shiftKey) zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  else panBy(-e.deltaX, -e.deltaY);
}, { passive: false });

function moveFocus(key: string): void {
  if (!placed || placed.nodes.length === 0) return;
  const g = placed;
  const cur = state.focusedId !== undefined ? indexOf.get(state.focusedId) : undefined;
  if (cur === undefined) {
    const firstRoot = rootIds.map((id) => indexOf.get(id)).find((i) => i !== undefined);
    focusNode(g.nodes[firstRoot ?? 0].id);
    return;
  }
  const nearest = (cands: number[]) => cands.reduce((best, c) => (best < 0 || Math.abs(g.y[c] - g.y[cur]) < Math.abs(g.y[best] - g.y[cur]) ? c : best), -1);
  let next = -1;
  if (key === 'ArrowRight' || key === 'ArrowLeft') {
    const right = key === 'ArrowRight';
    next = nearest(right ? succ[cur] : pred[cur]);
    if (next < 0) {
      // No edge that way: the nearest node in the next column.
      let bestD = Infinity;
      for (let i = 0; i < g.nodes.length; i++) {
        const dx = g.x[i] - g.x[cur];
        if (right ? dx <= 0 : dx >= 0) continue;
        const d = Math.abs(dx) * 4 + Math.abs(g.y[i] - g.y[cur]);
        if (d < bestD) { bestD = d; next = i; }
      }
    }
  } else {
    const down = key === 'ArrowDown';
    let bestD = Infinity;
    for (let i = 0; i < g.nodes.length; i++) {
      if (g.x[i] !== g.x[cur]) continue;
      const dy = g.y[i] - g.y[cur];
      if (down ? dy <= 0 : dy >= 0) continue;
      if (Math.abs(dy) < bestD) { bestD = Math.abs(dy); next = i; }
    }
  }
  if (next >= 0) focusNode(g.nodes[next].id);
}

canvas.addEventListener('keydown', (e) => {
  switch (e.key) {
    case 'ArrowRight': case 'ArrowLeft': case 'ArrowUp': case 'ArrowDown':
      e.preventDefault();
      moveFocus(e.key);
      break;
    case 'Enter':
      if (state.focusedId) { e.preventDefault(); select(state.focusedId); details.focus(); }
      break;
    case '+': case '=':
      e.preventDefault();
      zoomAt(1.25);
      break;
    case '-': case '_':
      e.preventDefault();
      zoomAt(0.8);
      break;
    case 'e': case 'E':
      if (state.focusedId) requestExpand(state.focusedId);
      break;
    case 'f': case 'F':
      fit();
      break;
    case 'Escape':
      select(undefined);
      break;
    case '/':
      e.preventDefault();
      searchEl.focus();
      break;
  }
});
canvas.addEventListener('focus', () => { if (!state.focusedId) moveFocus('ArrowRight'); });
details.addEventListener('keydown', (e) => { if (e.key === 'Escape') { select(undefined); canvas.focus(); } });

minimap.addEventListener('pointerdown', (e) => {
  if (!placed) return;
  const r = minimap.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  const { s, ox, oy } = minimapScale();
  const wx = ((e.clientX - r.left) * dpr - ox) / s;
  const wy = ((e.clientY - r.top) * dpr - oy) / s;
  view.tx = cssW / 2 - wx * view.scale;
  view.ty = cssH / 2 - wy * view.scale;
  saveState();
  requestDraw();
  scheduleA11y();
});

directionEl.addEventListener('change', sendOptions);
depthEl.addEventListener('change', sendOptions);
searchEl.addEventListener('input', () => { state.search = searchEl.value; matchCursor = -1; saveState(); refreshDecorations(); requestDraw(); });
searchEl.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); jumpToMatch(); } });
$('next').addEventListener('click', jumpToMatch);
hideEl.addEventListener('change', () => { state.hideProcesses = hideEl.checked; saveState(); scheduleRelayout(0); });
$('fit').addEventListener('click', fit);
$('zoomIn').addEventListener('click', () => zoomAt(1.25));
$('zoomOut').addEventListener('click', () => zoomAt(0.8));
$('exportSvg').addEventListener('click', () => requestExport('svg'));
$('exportPng').addEventListener('click', () => requestExport('png'));

// Hooks for the benchmark and tests (reading only what a person could see or do).
(window as unknown as { __lineage: unknown }).__lineage = {
  stats, panBy, zoomAt, fit, drawNow,
  nodeCount: () => placed?.nodes.length ?? 0,
  ready: () => stats.fullPaintMs > 0,
};

resize();
post({ type: 'ready', version: PROTOCOL_VERSION, generation: state.generation >= 0 ? state.generation : undefined });
