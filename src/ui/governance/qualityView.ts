/**
 * The "Data Quality" view: the last check's rules with their outcome, observed value and failed
 * count, each failing rule's sample rows as children, and the files that were read. Created on the
 * first check (not at activation); the view's `when` clause shows it once the context key is set.
 */
import * as vscode from 'vscode';
import type { QualityReport } from '../../workflows/quality';

type RuleResult = QualityReport['results'][number];
type SampleRow = RuleResult['sample'][number];
type FileRead = QualityReport['files'][number];
type Outcome = QualityReport['outcome'];

/** One checked target (a dataset, a container, a folder or a file) and its report. */
export interface QualityTarget {
  label: string;
  /** Where the data is: `storage/container/path`. */
  where: string;
  report: QualityReport;
}

/** What one run of Check Data Quality produced. */
export interface QualityRun {
  title: string;
  rulesFile: string;
  targets: QualityTarget[];
  at: Date;
}

export const VIEW_ID = 'governedDataShare.quality';
export const HAS_RESULTS_KEY = 'governedDataShare.quality.hasResults';

type Node =
  | { kind: 'target'; target: QualityTarget; index: number }
  | { kind: 'files'; target: QualityTarget; index: number }
  | { kind: 'file'; file: FileRead; index: number; n: number }
  | { kind: 'rule'; result: RuleResult; index: number; n: number }
  | { kind: 'sample'; row: SampleRow; rule: RuleResult; index: number; n: number; m: number };

const ICONS: Record<Outcome, { icon: string; color: string; word: string }> = {
  pass: { icon: 'pass', color: 'testing.iconPassed', word: 'passed' },
  warn: { icon: 'warning', color: 'testing.iconQueued', word: 'warning' },
  fail: { icon: 'error', color: 'testing.iconFailed', word: 'failed' },
  error: { icon: 'circle-slash', color: 'testing.iconErrored', word: 'could not be checked' },
};

export function outcomeWord(o: Outcome): string {
  return ICONS[o]?.word ?? o;
}

function percent(p: number): string {
  return Number.isFinite(p) ? `${Math.round(p * 100) / 100}%` : '0%';
}

function num(n: number | undefined): string {
  return typeof n === 'number' ? n.toLocaleString('en-US') : '?';
}

/** A value as text, short (for labels) or whole (for tooltips). */
export function valueText(v: unknown, max = 40): string {
  let s: string;
  if (v === null) s = 'null';
  else if (v === undefined) s = '';
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') s = String(v);
  else if (v instanceof Date) s = v.toISOString();
  else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function esc(s: string): string {
  return s.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}

/** `rule kind on column`, e.g. "not_null on email". */
function ruleWhat(r: RuleResult): string {
  return `${r.kind}${r.column ? ` on ${r.column}` : ''}`;
}

export function ruleDescription(r: RuleResult): string {
  const parts = [outcomeWord(r.outcome)];
  if (r.observedValue !== undefined && r.observedValue !== null && r.observedValue !== '') parts.push(`observed ${valueText(r.observedValue, 30)}`);
  if (r.failedCount > 0 || r.outcome !== 'pass') parts.push(`${num(r.failedCount)} of ${num(r.elementCount)} failed (${percent(r.failedPercent)})`);
  return parts.join(' · ');
}

function sampleLabel(row: SampleRow): string {
  const values = row.values ?? {};
  if (!Object.keys(values).length) return row.note ?? row.file;
  return Object.entries(values).slice(0, 4).map(([k, v]) => `${k}: ${valueText(v, 24)}`).join(', ') + (Object.keys(values).length > 4 ? ', …' : '');
}

function worst(a: Outcome, b: Outcome): Outcome {
  const rank: Outcome[] = ['pass', 'warn', 'fail', 'error'];
  return rank.indexOf(b) > rank.indexOf(a) ? b : a;
}

/** The worst outcome over every target. */
export function runOutcome(run: QualityRun): Outcome {
  return run.targets.reduce<Outcome>((o, t) => worst(o, t.report.outcome), 'pass');
}

export class QualityTreeProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private current: QualityRun | undefined;
  private generation = 0;

  get run(): QualityRun | undefined { return this.current; }

  show(run: QualityRun): void {
    this.current = run;
    this.generation++;
    this.changed.fire(undefined);
  }

  dispose(): void { this.changed.dispose(); }

  getChildren(node?: Node): Node[] {
    const run = this.current;
    if (!run) return [];
    if (!node) {
      if (run.targets.length === 1) return this.targetChildren(run.targets[0], 0);
      return run.targets.map((target, index) => ({ kind: 'target', target, index }));
    }
    switch (node.kind) {
      case 'target': return this.targetChildren(node.target, node.index);
      case 'files': return node.target.report.files.map((file, n) => ({ kind: 'file', file, index: node.index, n }));
      case 'rule': return (node.result.sample ?? []).map((row, m) => ({ kind: 'sample', row, rule: node.result, index: node.index, n: node.n, m }));
      default: return [];
    }
  }

  private targetChildren(target: QualityTarget, index: number): Node[] {
    return [
      ...target.report.results.map((result, n): Node => ({ kind: 'rule', result, index, n })),
      ...(target.report.files.length ? [{ kind: 'files', target, index } as Node] : []),
    ];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    const id = (s: string) => `quality/${this.generation}/${node.index}/${s}`;
    switch (node.kind) {
      case 'target': {
        const r = node.target.report;
        const failed = r.results.filter((x) => x.outcome === 'fail').length;
        const item = new vscode.TreeItem(node.target.label, r.outcome === 'pass' ? C.Collapsed : C.Expanded);
        item.id = id('target');
        const { icon, color } = ICONS[r.outcome] ?? ICONS.error;
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.description = `${outcomeWord(r.outcome)} · ${r.results.length} rule(s)${failed ? `, ${failed} failed` : ''}`;
        item.tooltip = new vscode.MarkdownString(`**${esc(node.target.label)}**\n\n\`${node.target.where}\`\n\nOutcome: **${outcomeWord(r.outcome)}** · ${r.results.length} rule(s) · ${r.files.length} file(s)`);
        item.contextValue = `qualityTarget;${r.outcome}`;
        item.accessibilityInformation = { label: `${node.target.label}, data quality ${outcomeWord(r.outcome)}, ${r.results.length} rules, ${failed} failed` };
        return item;
      }
      case 'files': {
        const files = node.target.report.files;
        const rows = files.reduce((n, f) => n + (f.rows ?? 0), 0);
        const bad = files.filter((f) => f.error).length;
        const item = new vscode.TreeItem('Files read', bad ? C.Expanded : C.Collapsed);
        item.id = id('files');
        item.iconPath = new vscode.ThemeIcon('files', bad ? new vscode.ThemeColor('testing.iconErrored') : undefined);
        item.description = `${files.length} file(s) · ${num(rows)} row(s)${bad ? ` · ${bad} unreadable` : ''}`;
        item.contextValue = 'qualityFiles';
        item.accessibilityInformation = { label: `Files read: ${files.length}, ${rows} rows${bad ? `, ${bad} could not be read` : ''}` };
        return item;
      }
      case 'file': {
        const f = node.file;
        const item = new vscode.TreeItem(f.name, C.None);
        item.id = id(`file/${node.n}`);
        item.iconPath = new vscode.ThemeIcon(f.error ? 'error' : 'file', f.error ? new vscode.ThemeColor('testing.iconErrored') : undefined);
        item.description = f.error ? f.error : `${f.format} · ${num(f.rows)} row(s) · ${num(f.bytes)} byte(s)`;
        item.tooltip = new vscode.MarkdownString(`**${esc(f.name)}**\n\n${f.format} · ${num(f.rows)} row(s) · ${num(f.bytes)} byte(s)${f.error ? `\n\n**Error:** ${esc(f.error)}` : ''}`);
        item.contextValue = f.error ? 'qualityFile;error' : 'qualityFile';
        item.accessibilityInformation = { label: `File ${f.name}, ${f.error ? `error: ${f.error}` : `${f.format}, ${f.rows} rows`}` };
        return item;
      }
      case 'rule': {
        const r = node.result;
        const samples = r.sample?.length ?? 0;
        const item = new vscode.TreeItem(r.ruleId, samples ? (r.outcome === 'pass' ? C.Collapsed : C.Expanded) : C.None);
        item.id = id(`rule/${node.n}`);
        const { icon, color } = ICONS[r.outcome] ?? ICONS.error;
        item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
        item.description = ruleDescription(r);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**${esc(r.ruleId)}** — ${esc(ruleWhat(r))}\n\n`);
        md.appendMarkdown(`| | |\n|---|---|\n| Outcome | **${outcomeWord(r.outcome)}** (severity ${r.severity}) |\n| Observed | ${esc(valueText(r.observedValue, 200))} |\n| Checked | ${num(r.elementCount)} |\n| Failed | ${num(r.failedCount)} (${percent(r.failedPercent)}) |\n| Took | ${num(Math.round(r.durationMs))} ms |\n`);
        if (r.message) md.appendMarkdown(`\n${esc(r.message)}\n`);
        if (samples) md.appendMarkdown(`\n${samples} failing row(s) below (values of classified columns masked).`);
        item.tooltip = md;
        item.contextValue = `qualityRule;${r.outcome}${samples ? ';hasSample' : ''}`;
        item.accessibilityInformation = { label: `Rule ${r.ruleId}, ${ruleWhat(r)}, ${ruleDescription(r).replace(/ · /g, ', ')}${samples ? `, ${samples} sample rows` : ''}` };
        return item;
      }
      case 'sample': {
        const row = node.row;
        const item = new vscode.TreeItem(sampleLabel(row), C.None);
        item.id = id(`rule/${node.n}/sample/${node.m}`);
        item.iconPath = new vscode.ThemeIcon('debug-stackframe-dot', new vscode.ThemeColor(ICONS[node.rule.outcome]?.color ?? 'testing.iconFailed'));
        const where = `${row.file.split('/').pop() ?? row.file}${row.row !== undefined ? ` row ${row.row}` : ''}`;
        item.description = [where, row.note].filter(Boolean).join(' · ');
        const values = row.values ?? {};
        const cols = Object.keys(values);
        const md = new vscode.MarkdownString();
        md.appendMarkdown(`**Failing row ${node.m + 1}** of rule ${esc(node.rule.ruleId)}\n\n\`${row.file}\`${row.row !== undefined ? `, row ${row.row}` : ''}${row.note ? `\n\n${esc(row.note)}` : ''}\n\n`);
        if (cols.length) {
          md.appendMarkdown('| Column | Value |\n|---|---|\n');
          for (const c of cols) md.appendMarkdown(`| ${esc(c)} | ${esc(valueText(values[c], 200))} |\n`);
        }
        item.tooltip = md;
        item.contextValue = 'qualitySample';
        item.accessibilityInformation = { label: `Failing row ${node.m + 1} of rule ${node.rule.ruleId}${row.row !== undefined ? `, ${where}` : ''}: ${cols.map((c) => `${c} ${valueText(values[c], 60)}`).join(', ')}${row.note ? `. ${row.note}` : ''}` };
        return item;
      }
    }
  }
}

let provider: QualityTreeProvider | undefined;
let view: vscode.TreeView<Node> | undefined;

/** Shows a run in the Data Quality view, creating the view on first use. */
export async function showQualityRun(context: vscode.ExtensionContext, run: QualityRun, reveal: boolean): Promise<QualityTreeProvider> {
  if (!provider) {
    provider = new QualityTreeProvider();
    view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
    context.subscriptions.push(provider, view, { dispose: () => { provider = undefined; view = undefined; } });
  }
  provider.show(run);
  const outcome = runOutcome(run);
  if (view) {
    view.description = outcomeWord(outcome);
    view.message = `${run.title}: ${outcomeWord(outcome)} · rules ${vscode.workspace.asRelativePath(run.rulesFile)} · ${run.at.toLocaleTimeString()}`;
  }
  await vscode.commands.executeCommand('setContext', HAS_RESULTS_KEY, true);
  if (reveal) await vscode.commands.executeCommand(`${VIEW_ID}.focus`).then(undefined, () => undefined);
  return provider;
}

/** The last run shown in this window (for Open Report). */
export function lastQualityRun(): QualityRun | undefined {
  return provider?.run;
}

/** The view's provider when it exists (tests read the tree through the command's result instead). */
export function qualityTree(): QualityTreeProvider | undefined {
  return provider;
}
