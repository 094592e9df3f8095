/**
 * Sharing dashboard webview (browser bundle dist/webview/dashboard.js + dashboard.css): summary
 * tiles, Chart.js charts (tree-shaken ESM imports; Chart.js needs no eval and injects no <style>:
 * it sizes its canvases through the CSSOM, which a CSP without 'unsafe-inline' allows) and, for
 * every chart, a text alternative (a summary on the canvas for screen readers and its data as a
 * table). Filters are native controls; colours come from the VS Code theme variables and are read
 * again when the theme changes. A click on a share, asset or snapshot asks the host to reveal it
 * in the Shares tree or open its lineage.
 */
import './dashboard.css';
import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type ChartEvent, type ActiveElement,
} from 'chart.js';
import { isHostToWebview, type DashboardFigures, type DashboardFilter, type LoadState, type WebviewToHost } from '../shared/dashboardProtocol.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, DoughnutController, ArcElement, Tooltip, Legend, Filler);

interface VsCodeApi { postMessage(message: WebviewToHost): void; getState(): unknown; setState(state: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();
const post = (m: WebviewToHost) => vscode.postMessage(m);

type Cell = string | number | boolean | null;
interface Table { name: string; title: string; description: string; columns: Array<{ name: string; type: string; description: string }>; rows: Cell[][] }

const cspViolations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => cspViolations.push(`${e.violatedDirective}: ${e.blockedURI || 'inline'}`));

const saved = (vscode.getState() ?? {}) as { filter?: DashboardFilter; side?: 'provider' | 'consumer' };
let filter: DashboardFilter = saved.filter ?? {};
let side: 'provider' | 'consumer' = saved.side ?? 'provider';
let figures: DashboardFigures | undefined;
let load: LoadState | undefined;
const charts = new Map<string, Chart>();

// --- helpers ------------------------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function table(name: string): Table | undefined {
  return figures?.tables.find((t) => t.name === name) as Table | undefined;
}

function colIndex(t: Table, name: string): number {
  return t.columns.findIndex((c) => c.name === name);
}

const pct = (v: number | null) => (v === null ? 'no data' : `${(v * 100).toFixed(1)} %`);
function bytes(n: number): string {
  const u = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i ? 1 : 0)} ${u[i]}`;
}
const fmt = (v: Cell): string => (v === null ? '—' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : typeof v === 'number' ? String(v) : v);

interface Theme { fg: string; muted: string; grid: string; blue: string; green: string; red: string; yellow: string; purple: string; orange: string; font: string }
function readTheme(): Theme {
  const s = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => s.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-foreground', '#cccccc'),
    muted: v('--vscode-descriptionForeground', '#999999'),
    grid: v('--vscode-editorWidget-border', v('--vscode-panel-border', '#444444')),
    blue: v('--vscode-charts-blue', '#3794ff'),
    green: v('--vscode-charts-green', '#89d185'),
    red: v('--vscode-charts-red', '#f14c4c'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    orange: v('--vscode-charts-orange', '#d18616'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}
let theme = readTheme();

// --- layout -------------------------------------------------------------------------------------

const root = document.getElementById('root')!;
const status = el('div', { id: 'status', role: 'status', 'aria-live': 'polite' }, 'Gathering the dashboard…');
const tenantSel = el('select', { id: 'f-tenant', 'aria-label': 'Tenant' });
const shareSel = el('select', { id: 'f-share', 'aria-label': 'Share' });
const rangeSel = el('select', { id: 'f-range', 'aria-label': 'Time range' });
const sideSel = el('select', { id: 'f-side', 'aria-label': 'Side for the snapshot charts' });
for (const [v, l] of [['30', 'Last 30 days'], ['90', 'Last 90 days'], ['365', 'Last 365 days'], ['all', 'All history']]) rangeSel.append(el('option', { value: v }, l));
for (const [v, l] of [['provider', 'Provider side (sent)'], ['consumer', 'Consumer side (received)']]) sideSel.append(el('option', { value: v }, l));
sideSel.value = side;
const refreshBtn = el('button', { type: 'button', id: 'refresh' }, 'Refresh');
const exportBtn = el('button', { type: 'button', id: 'export', class: 'primary' }, 'Export for Power BI…');
const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Dashboard filters' },
  el('label', {}, 'Tenant ', tenantSel), el('label', {}, 'Share ', shareSel), el('label', {}, 'Time ', rangeSel), el('label', {}, 'Snapshots of ', sideSel), refreshBtn, exportBtn);
const tiles = el('section', { id: 'tiles', 'aria-label': 'Summary' });
const grid = el('div', { id: 'grid' });
root.append(toolbar, status, tiles, grid);

function rangeValue(): string {
  if (!filter.from) return 'all';
  const days = Math.round((Date.parse(figures?.now ?? new Date().toISOString()) - Date.parse(filter.from)) / 86_400_000);
  return ['30', '90', '365'].find((d) => Math.abs(Number(d) - days) <= 1) ?? 'all';
}

function sendFilter(): void {
  const now = Date.parse(figures?.now ?? new Date().toISOString());
  const r = rangeSel.value;
  filter = {
    ...(tenantSel.value ? { tenantIds: [tenantSel.value] } : {}),
    ...(shareSel.value ? { shareIds: [shareSel.value] } : {}),
    ...(r !== 'all' ? { from: new Date(now - Number(r) * 86_400_000).toISOString() } : {}),
  };
  vscode.setState({ filter, side });
  status.textContent = 'Updating…';
  post({ type: 'filter', filter });
}
tenantSel.addEventListener('change', sendFilter);
shareSel.addEventListener('change', sendFilter);
rangeSel.addEventListener('change', sendFilter);
sideSel.addEventListener('change', () => { side = sideSel.value as 'provider' | 'consumer'; vscode.setState({ filter, side }); render(); });
refreshBtn.addEventListener('click', () => { status.textContent = 'Gathering again…'; post({ type: 'refresh' }); });
exportBtn.addEventListener('click', () => post({ type: 'export' }));

function fillChoices(): void {
  if (!figures) return;
  const c = figures.choices;
  tenantSel.replaceChildren(el('option', { value: '' }, 'All tenants'), ...c.tenants.map((t) => el('option', { value: t.id }, t.name)));
  tenantSel.value = filter.tenantIds?.[0] ?? '';
  shareSel.replaceChildren(el('option', { value: '' }, 'All shares'), ...c.shares.map((s) => el('option', { value: s.id }, `${s.name} (${c.tenants.find((t) => t.id === s.tenantId)?.name ?? ''})`)));
  shareSel.value = filter.shareIds?.[0] ?? '';
  rangeSel.value = rangeValue();
}

// --- charts and their text alternatives ---------------------------------------------------------

function dataTable(t: Table, columns: string[], opts: { caption?: string; actions?: (row: Cell[]) => HTMLElement[]; maxRows?: number } = {}): HTMLTableElement {
  const idx = columns.map((c) => colIndex(t, c));
  const tbl = el('table', { class: 'data' });
  if (opts.caption) tbl.append(el('caption', {}, opts.caption));
  const head = el('tr', {}, ...columns.map((c, i) => el('th', { scope: 'col', title: t.columns[idx[i]]?.description ?? '' }, c.replace(/_/g, ' '))));
  if (opts.actions) head.append(el('th', { scope: 'col' }, 'actions'));
  tbl.append(el('thead', {}, head));
  const body = el('tbody');
  const rows = opts.maxRows ? t.rows.slice(0, opts.maxRows) : t.rows;
  for (const r of rows) {
    const tr = el('tr', {}, ...idx.map((i) => el('td', {}, fmt(r[i] ?? null))));
    if (opts.actions) tr.append(el('td', {}, ...opts.actions(r)));
    body.append(tr);
  }
  tbl.append(body);
  if (opts.maxRows && t.rows.length > opts.maxRows) tbl.append(el('tfoot', {}, el('tr', {}, el('td', { colspan: String(columns.length + (opts.actions ? 1 : 0)) }, `${t.rows.length - opts.maxRows} more rows in the export.`))));
  return tbl;
}

let alternatives = 0;
/** A chart card: title, the canvas (focusable, role img, the summary as its label), and a table with its data. */
function chartCard(id: string, title: string, summary: string, config: ChartConfiguration, alt: HTMLTableElement): HTMLElement {
  const canvas = el('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': `${title}. ${summary}`, tabindex: '0' });
  const card = el('figure', { class: 'card', id: `card-${id}` },
    el('figcaption', {}, el('h2', {}, title), el('p', { class: 'summary', id: `summary-${id}` }, summary)),
    el('div', { class: 'chart' }, canvas),
    el('details', { class: 'alt' }, el('summary', {}, `${title}: data table`), alt));
  alternatives++;
  grid.append(card);
  const chart = new Chart(canvas, config);
  charts.set(id, chart);
  return card;
}

function baseOptions(extra: Record<string, unknown> = {}): ChartConfiguration['options'] {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    color: theme.fg,
    font: { family: theme.font },
    plugins: { legend: { labels: { color: theme.fg } }, tooltip: { enabled: true } },
    scales: {
      x: { ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { color: theme.grid } },
      y: { ticks: { color: theme.muted }, grid: { color: theme.grid }, beginAtZero: true },
    },
    ...extra,
  } as ChartConfiguration['options'];
}

function noData(id: string, title: string, message: string): void {
  grid.append(el('section', { class: 'card nodata', id: `card-${id}`, 'aria-label': title }, el('h2', {}, title), el('p', {}, message)));
}

function linkButton(label: string, m: WebviewToHost, describedBy: string): HTMLButtonElement {
  const b = el('button', { type: 'button', class: 'link', 'aria-label': `${label} ${describedBy}` }, label);
  b.addEventListener('click', () => post(m));
  return b;
}

function tile(label: string, value: string, detail?: string): HTMLElement {
  return el('div', { class: 'tile', role: 'group', 'aria-label': label }, el('div', { class: 'tile-value' }, value), el('div', { class: 'tile-label' }, label), ...(detail ? [el('div', { class: 'tile-detail' }, detail)] : []));
}

function render(): void {
  if (!figures) return;
  const started = performance.now();
  theme = readTheme();
  for (const c of charts.values()) c.destroy();
  charts.clear();
  alternatives = 0;
  grid.replaceChildren();
  const s = figures.summary;
  tiles.replaceChildren(
    tile('Sent shares', String(s.shares), `${s.received} received`),
    tile('Consumers', String(s.consumers), `in ${s.consumerTenants} tenant(s)`),
    tile('Snapshot success rate', pct(s.successRate), `${s.succeeded} of ${s.succeeded + s.failed} finished`),
    tile('Written', bytes(s.bytesWritten), `${s.filesWritten} files in ${s.detailsKnown} of ${s.snapshots} snapshots${load?.detailsPending ? ` (${load.detailsPending} still loading)` : ''}`),
    tile('Overdue shares', String(s.overdue), 'against their schedule'),
    tile('Classified assets shared', String(s.classifiedAssetsShared), `of ${s.sharedAssets} shared assets`),
    tile('Lineage coverage', pct(s.lineageCoverage), `${s.lineageLinked} of ${s.sharedAssets} linked`),
    tile('Data-quality pass rate', s.qualityPassRate === null ? 'no data' : pct(s.qualityPassRate)),
    tile('Approval lead time', s.approvalLeadTimeHours === null ? 'no data' : `${s.approvalLeadTimeHours} h`, s.approvalLeadTimeHours === null ? undefined : 'median'),
    tile('Storage accounts with CMK', `${s.cmkAccounts} of ${s.storageAccounts}`),
  );

  // Shares per consumer tenant.
  const byTenant = table('shares_by_consumer_tenant')!;
  chartCard('consumers', 'Shares per consumer tenant',
    byTenant.rows.length ? byTenant.rows.map((r) => `${String(r[0])}: ${String(r[1])} share(s), ${String(r[2])} consumer(s)`).join('; ') + '.' : 'No consumers.',
    { type: 'bar', data: { labels: byTenant.rows.map((r) => String(r[0])), datasets: [{ label: 'Shares', data: byTenant.rows.map((r) => Number(r[1])), backgroundColor: theme.blue }, { label: 'Consumers', data: byTenant.rows.map((r) => Number(r[2])), backgroundColor: theme.purple }] }, options: baseOptions() },
    dataTable(byTenant, ['consumer_tenant', 'shares', 'consumers']));

  // Snapshot outcomes and volume per day (the chosen side, tenants summed).
  const daily = table('snapshots_daily')!;
  const [iDate, iSide, iN, iOk, iFail, iFiles, iBytes, iKnown] = ['date', 'side', 'snapshots', 'succeeded', 'failed', 'files_written', 'bytes_written', 'details_known'].map((c) => colIndex(daily, c));
  const days = new Map<string, { n: number; ok: number; fail: number; files: number; bytes: number; known: number }>();
  for (const r of daily.rows) {
    if (r[iSide] !== side) continue;
    const d = days.get(String(r[iDate])) ?? { n: 0, ok: 0, fail: 0, files: 0, bytes: 0, known: 0 };
    d.n += Number(r[iN]); d.ok += Number(r[iOk]); d.fail += Number(r[iFail]); d.files += Number(r[iFiles]); d.bytes += Number(r[iBytes]); d.known += Number(r[iKnown]);
    days.set(String(r[iDate]), d);
  }
  const labels = [...days.keys()].sort();
  const series = labels.map((l) => days.get(l)!);
  const totalOk = series.reduce((n, d) => n + d.ok, 0);
  const totalFail = series.reduce((n, d) => n + d.fail, 0);
  const worst = [...days.entries()].filter(([, d]) => d.fail > 0).sort((a, b) => b[1].fail - a[1].fail).slice(0, 3);
  const perDay: Table = { name: 'per_day', title: 'Per day', description: '', columns: [{ name: 'date', type: 'string', description: 'Day (UTC)' }, { name: 'snapshots', type: 'number', description: '' }, { name: 'succeeded', type: 'number', description: '' }, { name: 'failed', type: 'number', description: '' }, { name: 'success_rate', type: 'string', description: '' }, { name: 'files_written', type: 'number', description: '' }, { name: 'bytes_written', type: 'string', description: '' }],
    rows: [...labels].reverse().map((l) => { const d = days.get(l)!; return [l, d.n, d.ok, d.fail, d.ok + d.fail ? pct(d.ok / (d.ok + d.fail)) : null, d.known ? d.files : null, d.known ? bytes(d.bytes) : null]; }) };
  const sideName = side === 'provider' ? 'provider side' : 'consumer side';
  chartCard('outcomes', `Snapshot outcomes per day (${sideName})`,
    labels.length ? `${labels.length} day(s) from ${labels[0]} to ${labels[labels.length - 1]}: ${totalOk} succeeded, ${totalFail} failed (${pct(totalOk + totalFail ? totalOk / (totalOk + totalFail) : null)} success).${worst.length ? ` Most failures: ${worst.map(([d, v]) => `${d} (${v.fail})`).join(', ')}.` : ''}` : 'No snapshots in range.',
    { type: 'bar', data: { labels, datasets: [{ label: 'Succeeded', data: series.map((d) => d.ok), backgroundColor: theme.green, stack: 's' }, { label: 'Failed', data: series.map((d) => d.fail), backgroundColor: theme.red, stack: 's' }] }, options: baseOptions({ scales: { x: { stacked: true, ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { display: false } }, y: { stacked: true, ticks: { color: theme.muted, precision: 0 }, grid: { color: theme.grid }, beginAtZero: true } } }) },
    dataTable(perDay, ['date', 'snapshots', 'succeeded', 'failed', 'success_rate'], { maxRows: 60 }));
  const knownDays = series.filter((d) => d.known);
  chartCard('volume', `Files and bytes written per day (${sideName})`,
    knownDays.length ? `${bytes(knownDays.reduce((n, d) => n + d.bytes, 0))} in ${knownDays.reduce((n, d) => n + d.files, 0)} files over ${knownDays.length} day(s) with details; largest day ${bytes(Math.max(...knownDays.map((d) => d.bytes)))}.` : 'No snapshot details read yet.',
    { type: 'line', data: { labels, datasets: [{ label: 'MB written', data: series.map((d) => (d.known ? +(d.bytes / 1048576).toFixed(2) : null)), borderColor: theme.blue, backgroundColor: theme.blue, pointRadius: 0, yAxisID: 'y', spanGaps: false }, { label: 'Files written', data: series.map((d) => (d.known ? d.files : null)), borderColor: theme.orange, backgroundColor: theme.orange, pointRadius: 0, yAxisID: 'y1' }] },
      options: baseOptions({ scales: { x: { ticks: { color: theme.muted, maxRotation: 0, autoSkip: true }, grid: { display: false } }, y: { position: 'left', ticks: { color: theme.muted }, grid: { color: theme.grid }, beginAtZero: true, title: { display: true, text: 'MB', color: theme.muted } }, y1: { position: 'right', ticks: { color: theme.muted, precision: 0 }, grid: { display: false }, beginAtZero: true, title: { display: true, text: 'files', color: theme.muted } } } }) },
    dataTable(perDay, ['date', 'files_written', 'bytes_written'], { maxRows: 60 }));

  // Time since the last successful snapshot, overdue in red; a click reveals the share.
  const last = table('last_snapshot')!;
  const [lTenant, lSide, lShare, lId, lHours, lOverdue] = ['tenant', 'side', 'share', 'id', 'hours_since_success', 'overdue'].map((c) => colIndex(last, c));
  const lastRows = last.rows.slice(0, 40);
  const overdueRows = last.rows.filter((r) => r[lOverdue] === true);
  const lastChart = chartCard('last', 'Hours since the last successful snapshot',
    `${last.rows.length} share(s); ${overdueRows.length} overdue against their schedule${overdueRows.length ? `: ${overdueRows.slice(0, 5).map((r) => `${String(r[lShare])} (${String(r[lTenant])}, ${r[lHours] === null ? 'never' : `${String(r[lHours])} h`})`).join(', ')}${overdueRows.length > 5 ? '…' : ''}` : ''}.`,
    { type: 'bar', data: { labels: lastRows.map((r) => `${String(r[lShare])} (${String(r[lSide])})`), datasets: [{ label: 'Hours since success', data: lastRows.map((r) => (r[lHours] === null ? 0 : Number(r[lHours]))), backgroundColor: lastRows.map((r) => (r[lOverdue] === true ? theme.red : theme.green)) }] },
      options: baseOptions({ indexAxis: 'y', plugins: { legend: { display: false } }, onClick: (_e: ChartEvent, els: ActiveElement[]) => { const r = lastRows[els[0]?.index ?? -1]; if (r) post({ type: 'reveal', id: String(r[lId]) }); } }) },
    dataTable(last, ['tenant', 'side', 'share', 'last_snapshot', 'last_status', 'hours_since_success', 'schedule', 'overdue'], {
      actions: (r) => [linkButton('Reveal', { type: 'reveal', id: String(r[lId]) }, String(r[lShare])), linkButton('Lineage', { type: 'lineage', id: String(r[lId]) }, String(r[lShare]))],
    }));
  lastChart.classList.add('tall');

  // Classified assets that left the tenant.
  const cls = table('classified_assets_shared')!;
  if (cls.rows.length) {
    chartCard('classified', 'Classified assets that left the tenant',
      cls.rows.map((r) => `${String(r[0])}: ${String(r[1])} asset(s) to ${String(r[2])} tenant(s)`).join('; ') + '.',
      { type: 'bar', data: { labels: cls.rows.map((r) => String(r[0]).replace(/^MICROSOFT\./, '')), datasets: [{ label: 'Assets', data: cls.rows.map((r) => Number(r[1])), backgroundColor: theme.yellow }] }, options: baseOptions({ plugins: { legend: { display: false } } }) },
      dataTable(cls, ['classification', 'assets', 'consumer_tenants']));
  } else {
    noData('classified', 'Classified assets that left the tenant', 'No classified asset was sent to another tenant (or no Purview catalog could say).');
  }

  // Lineage coverage, with the shared assets (a click opens an asset's lineage).
  const cov = table('lineage_coverage')!;
  const assets = table('shared_assets')!;
  const [aTenant, aName, aQn, aType, aGuid, aLinked] = ['tenant', 'asset', 'qualified_name', 'type', 'guid', 'lineage_linked'].map((c) => colIndex(assets, c));
  const linked = cov.rows.reduce((n, r) => n + Number(r[3]), 0);
  const known = cov.rows.reduce((n, r) => n + Number(r[2]), 0);
  if (known) {
    chartCard('coverage', 'Lineage coverage of shared assets',
      `${linked} of ${known} shared assets have a recorded cross-tenant lineage link (${pct(known ? linked / known : null)}). ${cov.rows.map((r) => `${String(r[0])}: ${String(r[3])} of ${String(r[2])}`).join('; ')}.`,
      { type: 'doughnut', data: { labels: ['Linked', 'Not linked'], datasets: [{ data: [linked, known - linked], backgroundColor: [theme.green, theme.grid], borderColor: theme.grid }] }, options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { labels: { color: theme.fg } } } } },
      dataTable(assets, ['tenant', 'asset', 'classifications', 'consumer_tenants', 'lineage_linked'], {
        actions: (r) => {
          const tenantId = figures!.choices.tenants.find((t) => t.name === r[aTenant])?.id ?? '';
          return [linkButton('Lineage', { type: 'lineage', asset: { tenantId, qualifiedName: String(r[aQn]), typeName: r[aType] === null ? undefined : String(r[aType]), guid: r[aGuid] === null ? undefined : String(r[aGuid]), name: String(r[aName]) } }, String(r[aName]))];
        },
      }));
  } else {
    noData('coverage', 'Lineage coverage of shared assets', `No Purview catalog answered for the ${assets.rows.length} shared asset(s).${assets.rows.some((r) => r[aLinked] === null) ? '' : ''}`);
  }

  // Data quality, approvals, CMK.
  const dq = table('data_quality')!;
  if (dq.rows.length) grid.append(el('section', { class: 'card', id: 'card-quality', 'aria-label': 'Data-quality pass rate' }, el('h2', {}, 'Data-quality pass rate'), dataTable(dq, ['tenant', 'asset', 'passed', 'failed', 'pass_rate'])));
  else noData('quality', 'Data-quality pass rate', 'No data: no data-quality results are recorded on the shared assets.');
  const ap = table('approvals')!;
  if (ap.rows.length) grid.append(el('section', { class: 'card', id: 'card-approvals', 'aria-label': 'Approval lead time' }, el('h2', {}, 'Approval lead time'), dataTable(ap, ['tenant', 'share', 'requested_at', 'decided_at', 'status', 'lead_time_hours'])));
  else noData('approvals', 'Approval lead time', 'No data: no approval requests were found.');
  const st = table('storage_encryption')!;
  const stId = colIndex(st, 'id');
  const stName = colIndex(st, 'account');
  grid.append(el('section', { class: 'card wide', id: 'card-cmk', 'aria-label': 'Customer-managed keys per storage account' }, el('h2', {}, 'Customer-managed keys per storage account'),
    dataTable(st, ['tenant', 'account', 'key_source', 'cmk', 'key_vault_uri', 'key_name', 'state'], { actions: (r) => [linkButton('Reveal', { type: 'reveal', id: String(r[stId]) }, String(r[stName]))] })));

  // Recent snapshots (a click reveals the share or share subscription it belongs to).
  const snaps = table('snapshots')!;
  const sOwner = colIndex(snaps, 'owner_id');
  const sShare = colIndex(snaps, 'share');
  const recent: Table = { ...snaps, rows: [...snaps.rows].reverse() };
  grid.append(el('section', { class: 'card wide', id: 'card-snapshots', 'aria-label': 'Recent snapshots' }, el('h2', {}, 'Recent snapshots'),
    dataTable(recent, ['start_time', 'tenant', 'share', 'consumer_tenant', 'status', 'files_written', 'bytes_written', 'message'], { maxRows: 25, actions: (r) => [linkButton('Reveal', { type: 'reveal', id: String(r[sOwner]) }, String(r[sShare]))] })));

  const ms = performance.now() - started;
  const l = load;
  status.textContent = `${s.snapshots} snapshot(s) of ${s.shares} sent and ${s.received} received share(s) · gathered ${new Date(figures.now).toLocaleString()}${l ? ` with ${l.armCalls} ARM and ${l.purviewCalls} Purview calls` : ''}${figures.historyFrom ? ` · snapshots shown from ${figures.historyFrom.slice(0, 10)}; older history still loading` : ''}${l?.detailsPending ? ` · files and bytes of ${l.detailsPending} older snapshot(s) still loading` : ''}${l?.warnings.length ? ` · ${l.warnings.length} warning(s): ${l.warnings.slice(0, 2).join('; ')}` : ''}`;
  requestAnimationFrame(() => post({ type: 'rendered', ms: Math.round(performance.now() - started), charts: charts.size, alternatives, cspViolations: [...cspViolations] }));
  void ms;
}

// Theme changes: VS Code swaps the body's classes (vscode-light, vscode-dark, vscode-high-contrast).
new MutationObserver(() => { const t = readTheme(); if (JSON.stringify(t) !== JSON.stringify(theme)) render(); }).observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });

window.addEventListener('message', (e: MessageEvent) => {
  const m: unknown = e.data;
  if (!isHostToWebview(m)) return;
  if (m.type === 'loading') { status.textContent = m.message; status.className = ''; return; }
  if (m.type === 'error') { status.textContent = m.message; status.className = 'error'; return; }
  figures = m.figures;
  load = m.load;
  filter = m.figures.filter;
  status.className = '';
  fillChoices();
  render();
});

post({ type: 'ready' });
