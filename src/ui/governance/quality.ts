/**
 * Data quality in the editor: Check Data Quality… (a sent share, one of its datasets, a storage
 * container, folder or file; rules from a `*.dq.json` / `*.dq.yaml` file), Scaffold Data Quality
 * Rules… (a rules file from the data's own columns) and Open Data Quality Report. The checks run
 * in src/workflows/quality with the signed-in identity; results go to the Data Quality view, the
 * Activity view and the audit trail.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { actorOf } from '../../workflows/env';
import { CancelledError, UserFacingError } from '../../workflows/errors';
import { checkQuality, formatQualityReport, inferColumns, parseRules, scaffoldRules, type InferredColumn, type QualityReport } from '../../workflows/quality';
import type { CommandDef, HostToolkit, Outcome, Run } from '../wizard/host';
import { choiceStep, clientsFor, containerStep, parseArmId, shareStep, storageStep, str, subscriptionStep, tenantOfSubscription, tenantStep, textStep, type Ctx } from '../wizard/prompts';
import { runWizard, type PickItem } from '../wizard/wizard';
import { publishQualityEditorHook, RULES_FILE } from './qualityEditor';
import { lastQualityRun, outcomeWord, runOutcome, showQualityRun, type QualityRun, type QualityTarget } from './qualityView';

/** Where data to check lives: a whole container, a folder (prefix) or one file. */
interface Target {
  /** Shown to people: the dataset's name, or `storage/container/path`. */
  label: string;
  /** Names a rules file may be called by (share, dataset, container, folder or file). */
  names: string[];
  tenantId: string;
  storageAccount: string;
  container: string;
  path?: string;
  resourceId?: string;
}

const RULES_GLOB = '**/*.dq.{json,yaml,yml}';

/** `https://{account}.blob.core.windows.net/{container}/{path}` (or dfs) → its parts. */
function parseBlobUrl(url: string): { storageAccount: string; container: string; path?: string } | undefined {
  const m = /^https?:\/\/([^./]+)\.(?:blob|dfs)\.[^/]+\/([^/]+)(?:\/(.*))?$/i.exec(url.trim());
  if (!m) return undefined;
  const p = m[3]?.replace(/\/+$/, '');
  return { storageAccount: m[1], container: m[2], ...(p ? { path: decodeURIComponent(p) } : {}) };
}

/** What the tree node the command ran on says (the host's own prefill covers sent shares). */
function prefillTarget(run: Run): void {
  const { ctx } = run;
  const node = run.args.find((a) => typeof a === 'object' && a !== null && 'kind' in a && !('answers' in a)) as Record<string, unknown> | undefined;
  if (!node) return;
  const set = (k: string, v: unknown) => { if (typeof v === 'string' && v && ctx[k] === undefined) ctx[k] = v; };
  const id = typeof node.id === 'string' ? node.id : '';
  const arm = parseArmId(id);
  if (node.kind === 'leaf' && arm.datasets) {
    // A dataset of a sent share.
    set('pTenant', tenantOfSubscription(run.deps, arm.subscriptions));
    set('pSub', arm.subscriptions);
    set('pRg', arm.resourcegroups);
    set('pDsAccount', arm.accounts);
    set('shareName', arm.shares);
    set('datasetName', arm.datasets);
  } else if ((node.kind === 'leaf' && arm.containers) || node.kind === 'storageAccount') {
    set('pTenant', tenantOfSubscription(run.deps, arm.subscriptions));
    set('pSub', arm.subscriptions);
    set('pRg', arm.resourcegroups);
    set('pStorage', arm.storageaccounts);
    set('pContainer', arm.containers);
    if (arm.containers) ctx.qualityPath ??= '';
  } else if (node.kind === 'asset' || node.kind === 'place') {
    // The Purview Catalog: a file, folder or container by its qualified name.
    const qn = node.kind === 'asset' ? node.qualifiedName : (node.place as { qn?: string } | undefined)?.qn;
    const where = typeof qn === 'string' ? parseBlobUrl(qn) : undefined;
    if (!where) throw new UserFacingError(`${String(node.name ?? 'This item')} is not a blob container, folder or file.`, 'Run Check Data Quality… on a container, folder or file.');
    set('pTenant', node.tenantId);
    set('pStorage', where.storageAccount);
    set('pContainer', where.container);
    ctx.qualityPath ??= where.path ?? '';
  }
}

const DATASET_KINDS: Record<string, { container: string; path?: string }> = {
  Container: { container: 'containerName' },
  BlobFolder: { container: 'containerName', path: 'prefix' },
  Blob: { container: 'containerName', path: 'filePath' },
  AdlsGen2FileSystem: { container: 'fileSystemName' },
  AdlsGen2Folder: { container: 'fileSystemName', path: 'folderPath' },
  AdlsGen2File: { container: 'fileSystemName', path: 'filePath' },
};

/** Asks (or takes from the node or the answers) what to check, and returns where its data is. */
async function resolveTargets(tk: HostToolkit, run: Run, purpose: string): Promise<{ title: string; targets: Target[] }> {
  const { deps, ctx, ui } = run;
  prefillTarget(run);
  await runWizard(ctx, [
    choiceStep('qualityTarget', `What to ${purpose}?`, [
      { label: '$(export) A sent share', description: 'every dataset it shares', value: 'share' },
      { label: '$(archive) A storage container, folder or file', value: 'storage' },
    ], { shouldPrompt: (c) => !c.shareName && !c.pStorage && !c.pContainer }),
  ], ui);
  if (ctx.qualityTarget === 'share' || str(ctx, 'shareName')) {
    await runWizard(ctx, [...tk.accountSteps(deps, 'p'), shareStep(deps, 'existing')], ui);
    const clients = await clientsFor(deps, str(ctx, 'pTenant')!);
    const ref = { subscriptionId: str(ctx, 'pSub')!, resourceGroupName: str(ctx, 'pRg')!, accountName: str(ctx, 'pDsAccount')!, shareName: str(ctx, 'shareName')! };
    let sets = (await clients.dataShare.dataSets.listByShare(ref).collect({ max: 200 })).items;
    const only = str(ctx, 'datasetName');
    if (only) sets = sets.filter((d) => (d.name ?? '').toLowerCase() === only.toLowerCase());
    if (sets.length === 0) throw new UserFacingError(only ? `${ref.shareName} has no dataset ${only}.` : `${ref.shareName} has no datasets to check.`, 'Add Datasets… first, or check a storage container instead.');
    const targets = sets.map((d): Target => {
      const p = (d as unknown as { properties?: Record<string, string> }).properties ?? {};
      const k = DATASET_KINDS[d.kind ?? ''];
      if (!k || !p.storageAccountName) throw new UserFacingError(`Dataset ${d.name ?? '?'} (${d.kind ?? '?'}) is not in blob storage; only blob and Data Lake datasets can be checked.`);
      const inner = k.path ? p[k.path]?.replace(/^\/+|\/+$/g, '') : undefined;
      const container = p[k.container];
      return {
        label: d.name ?? '', names: [d.name ?? '', ref.shareName, ...(inner ? [inner.split('/').pop()!.replace(/\.[^.]+$/, '')] : []), container],
        tenantId: str(ctx, 'pTenant')!, storageAccount: p.storageAccountName, container, ...(inner ? { path: inner } : {}), resourceId: d.id,
      };
    });
    return { title: only ? `${ref.shareName}/${only}` : ref.shareName, targets };
  }
  // A container, folder or file: the storage account needs a subscription only to be listed.
  if (ui.options.noPrompts) ctx.qualityPath ??= '';
  await runWizard(ctx, [
    tenantStep(deps, 'p'),
    { ...subscriptionStep(deps, 'p'), shouldPrompt: (c: Ctx) => !str(c, 'pStorage') },
    storageStep(deps, 'p', false),
    containerStep(deps, 'p', false),
    textStep('qualityPath', 'Folder or file in the container to check (empty: the whole container)'),
  ], ui);
  const inner = (str(ctx, 'qualityPath') ?? '').replace(/^\/+|\/+$/g, '');
  const storageAccount = str(ctx, 'pStorage')!;
  const container = str(ctx, 'pContainer')!;
  const last = inner.split('/').pop() ?? '';
  return {
    title: [storageAccount, container, inner].filter(Boolean).join('/'),
    targets: [{
      label: [container, inner].filter(Boolean).join('/'), names: [...(last ? [last.replace(/\.[^.]+$/, ''), last] : []), container],
      tenantId: str(ctx, 'pTenant')!, storageAccount, container, ...(inner ? { path: inner } : {}),
    }],
  };
}

function workspaceFolder(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}

function absolute(file: string): string {
  return path.isAbsolute(file) ? file : path.join(workspaceFolder() ?? process.cwd(), file);
}

/** The rules name of a file: `sales.dq.yaml` → `sales`. */
function rulesName(file: string): string {
  return path.basename(file).replace(RULES_FILE, '').toLowerCase();
}

/** Which rules file applies: answers, the setting, a workspace file named after the data, or a pick. */
async function findRulesFile(run: Run, names: string[]): Promise<string | 'scaffold'> {
  const { ctx, ui } = run;
  const given = str(ctx, 'rulesFile') ?? vscode.workspace.getConfiguration('governedDataShare').get<string>('quality.rulesFile');
  if (given) {
    const file = absolute(given);
    if (!fs.existsSync(file)) throw new UserFacingError(`The rules file ${file} does not exist.`, 'Fix governedDataShare.quality.rulesFile, or run Scaffold Data Quality Rules… to create one.');
    return file;
  }
  const found = (await vscode.workspace.findFiles(RULES_GLOB, '**/node_modules/**', 500)).map((u) => u.fsPath).sort();
  const wanted = names.filter(Boolean).map((n) => n.toLowerCase());
  for (const n of wanted) {
    const hit = found.find((f) => rulesName(f) === n);
    if (hit) return hit;
  }
  const what = names.filter(Boolean).slice(0, 2).join(' or ');
  if (ui.options.noPrompts) {
    throw new UserFacingError(`No data-quality rules file for ${what} (looked for ${wanted.map((n) => `${n}.dq.yaml`).slice(0, 2).join(', ')} in the workspace).`, 'Run Scaffold Data Quality Rules… or set governedDataShare.quality.rulesFile.');
  }
  const browse = '\u0000browse';
  const items: Array<PickItem<string>> = [
    ...found.map((f) => ({ label: `$(checklist) ${vscode.workspace.asRelativePath(f)}`, value: f })),
    { label: '$(new-file) Scaffold a rules file from the data\'s columns…', description: found.length ? undefined : `no *.dq.yaml or *.dq.json named ${what} in the workspace`, value: 'scaffold', alwaysShow: true },
    { label: '$(folder-opened) Browse…', value: browse, alwaysShow: true },
  ];
  const picked = await ui.pick(items, `Rules for ${what}`);
  if (picked !== browse) return picked;
  const chosen = await vscode.window.showOpenDialog({ title: 'Choose a data-quality rules file', canSelectMany: false, filters: { 'Data-quality rules': ['json', 'yaml', 'yml'] }, openLabel: 'Use Rules' });
  if (!chosen?.[0]) throw new CancelledError();
  return chosen[0].fsPath;
}

function readRules(file: string): NonNullable<ReturnType<typeof parseRules>['rules']> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserFacingError(`Cannot read the rules file ${file}: ${(e as Error).message}`);
  }
  const { rules, problems } = parseRules(text, path.basename(file));
  if (!rules || problems.length) {
    const list = problems.slice(0, 5).map((p) => `line ${p.line + 1}, column ${p.column + 1}: ${p.message}`).join('; ');
    throw new UserFacingError(`The rules file ${path.basename(file)} has ${problems.length} problem(s): ${list}${problems.length > 5 ? '; …' : ''}.`, 'Open it: each problem is marked in the editor (Problems view).');
  }
  return rules;
}

function progressText(p: unknown): string {
  if (typeof p === 'string') return p;
  if (typeof p !== 'object' || p === null) return '';
  const o = p as Record<string, unknown>;
  if (typeof o.message === 'string') return o.message;
  const bits = [typeof o.file === 'string' ? o.file : undefined, typeof o.rows === 'number' ? `${o.rows.toLocaleString('en-US')} rows` : undefined, typeof o.bytes === 'number' ? `${Math.round(o.bytes / 1048576)} MB` : undefined];
  return bits.filter(Boolean).join(' · ');
}

/** One report over several targets: every file and rule, the worst outcome. */
function mergeReports(targets: QualityTarget[]): QualityReport {
  if (targets.length === 1) return targets[0].report;
  const rank: Array<QualityReport['outcome']> = ['pass', 'warn', 'fail', 'error'];
  return {
    ...targets[0].report,
    outcome: targets.reduce<QualityReport['outcome']>((o, t) => (rank.indexOf(t.report.outcome) > rank.indexOf(o) ? t.report.outcome : o), 'pass'),
    files: targets.flatMap((t) => t.report.files),
    results: targets.flatMap((t) => t.report.results.map((r) => ({ ...r, ruleId: `${t.label}: ${r.ruleId}` }))),
    durationMs: targets.reduce((n, t) => n + t.report.durationMs, 0),
  };
}

export function qualitySummary(run: QualityRun): string {
  const all = run.targets.flatMap((t) => t.report.results);
  const count = (o: string) => all.filter((r) => r.outcome === o).length;
  const files = run.targets.reduce((n, t) => n + t.report.files.length, 0);
  const rows = run.targets.reduce((n, t) => n + t.report.files.reduce((m, f) => m + (f.rows ?? 0), 0), 0);
  const outcome = runOutcome(run);
  const parts = [
    `${count('pass')} of ${all.length} rule(s) passed`,
    count('fail') ? `${count('fail')} failed` : '',
    count('warn') ? `${count('warn')} warned` : '',
    count('error') ? `${count('error')} could not be checked` : '',
  ].filter(Boolean).join(', ');
  return `Data quality of ${run.title}: ${outcome.toUpperCase()} (${parts}; ${files} file(s), ${rows.toLocaleString('en-US')} row(s); rules ${path.basename(run.rulesFile)}).`;
}

function reportMarkdown(run: QualityRun): string {
  const rules = `Rules \`${run.rulesFile}\`, checked ${run.at.toISOString()}.`;
  if (run.targets.length === 1) {
    const [first, ...rest] = formatQualityReport(run.targets[0].report, `Data quality of ${run.title}`).split('\n');
    return [first, '', `\`${run.targets[0].where}\` · ${rules}`, ...rest].join('\n');
  }
  // Several datasets: one section each, their headings a level down.
  const head = `# Data quality of ${run.title}: ${outcomeWord(runOutcome(run))}\n\n${rules}\n`;
  return [head, ...run.targets.map((t) => formatQualityReport(t.report, t.label).replace(/^#/gm, '##').replace(/^(## .*)$/m, `$1\n\n\`${t.where}\``))].join('\n');
}

async function openMarkdown(run: Run, markdown: string): Promise<void> {
  if (run.testMode) return;
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(doc, { preview: false });
}

// ---------------------------------------------------------------------------------------------
// Scaffold
// ---------------------------------------------------------------------------------------------

function freeName(dir: string, base: string, ext: string): string {
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'data';
  for (let i = 1; ; i++) {
    const file = path.join(dir, `${safe}${i > 1 ? `-${i}` : ''}.dq.${ext}`);
    if (!fs.existsSync(file)) return file;
  }
}

async function scaffold(tk: HostToolkit, run: Run, title: string, targets: Target[]): Promise<Outcome> {
  const { ctx, ui } = run;
  await runWizard(ctx, [choiceStep('format', 'Rules file format', [{ label: 'YAML', description: '*.dq.yaml', value: 'yaml' }, { label: 'JSON', description: '*.dq.json, checked against its JSON Schema', value: 'json' }])], ui);
  const format = ctx.format === 'json' ? 'json' : 'yaml';
  tk.startActivity(run, `Scaffold data-quality rules for ${title}`);
  const columns = await tk.withProgress(run, `Reading the columns of ${title}`, async (report, signal) => {
    const seen = new Map<string, InferredColumn>();
    for (const t of targets) {
      report(`${t.label}: reading the header`);
      const clients = await clientsFor(run.deps, t.tenantId);
      for (const c of await inferColumns({ clients, storageAccount: t.storageAccount, container: t.container, ...(t.path ? { path: t.path } : {}), signal })) {
        if (!seen.has(c.name)) seen.set(c.name, c);
      }
    }
    return [...seen.values()];
  });
  if (columns.length === 0) throw new UserFacingError(`Found no CSV or Parquet columns in ${title}.`, 'Check a folder or file that holds CSV or Parquet data.');
  const text = scaffoldRules(columns, format);
  const folder = workspaceFolder();
  const base = (ctx.datasetName as string | undefined) ?? targets[0].names[0] ?? title;
  let file: string | undefined = str(ctx, 'saveTo');
  if (!file && folder) file = freeName(folder, base, format);
  let uri: vscode.Uri;
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { encoding: 'utf8', flag: 'wx' });
    uri = vscode.Uri.file(file);
  } else {
    // No folder open: an untitled file with the right name, saved where the person chooses.
    uri = vscode.Uri.parse(`untitled:${base}.dq.${format}`);
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  if (!file) {
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), text);
    await vscode.workspace.applyEdit(edit);
  }
  if (!run.testMode) await vscode.window.showTextDocument(doc, { preview: false });
  return {
    summary: `Scaffolded ${file ? vscode.workspace.asRelativePath(file) : `${base}.dq.${format}`} with ${columns.length} column(s) of ${title}: review the rules, then run Check Data Quality….`,
    quiet: true,
    extra: { file, columns, text },
  };
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

async function checkImpl(tk: HostToolkit, run: Run): Promise<Outcome> {
  const { deps, ctx } = run;
  const { title, targets } = await resolveTargets(tk, run, 'check');
  const names = [...new Set([str(ctx, 'datasetName') ?? '', str(ctx, 'shareName') ?? '', ...targets.flatMap((t) => t.names)])].filter(Boolean);
  const rulesFile = await findRulesFile(run, names);
  if (rulesFile === 'scaffold') {
    const made = await scaffold(tk, run, title, targets);
    return { ...made, summary: `No rules for ${title} yet. ${made.summary}` };
  }
  const rules = readRules(rulesFile);
  tk.startActivity(run, `Check data quality of ${title}`);
  // The audit trail's "who": the signed-in identity of the data's tenant.
  const actor = await (async () => {
    try {
      const env = await tk.envFor(deps, tk.planFromCtx(deps, { pTenant: targets[0].tenantId, pSub: ctx.pSub }));
      return actorOf(await env.provider.principal());
    } catch {
      return undefined;
    }
  })();
  const checked: QualityTarget[] = await tk.withProgress(run, run.title, async (report, signal) => {
    const out: QualityTarget[] = [];
    for (const [i, t] of targets.entries()) {
      const prefix = targets.length > 1 ? `(${i + 1}/${targets.length}) ${t.label}` : t.label;
      report(`${prefix}: reading`);
      const clients = await clientsFor(deps, t.tenantId);
      const r = await checkQuality({
        clients, storageAccount: t.storageAccount, container: t.container, ...(t.path ? { path: t.path } : {}), rules, signal,
        onProgress: (p: unknown) => { const s = progressText(p); if (s) report(`${prefix}: ${s}`); },
      });
      out.push({ label: t.label, where: [t.storageAccount, t.container, t.path].filter(Boolean).join('/'), report: r });
    }
    return out;
  });
  const result: QualityRun = { title, rulesFile, targets: checked, at: new Date() };
  const outcome = runOutcome(result);
  const summary = qualitySummary(result);
  tk.auditTrail(deps).append({
    runId: crypto.randomUUID(), ...(actor ? { actor } : {}), action: 'quality.check', tenantId: targets[0].tenantId,
    resourceIds: targets.map((t) => t.resourceId ?? `https://${t.storageAccount}.blob.core.windows.net/${t.container}${t.path ? `/${t.path}` : ''}`),
    outcome: outcome === 'fail' || outcome === 'error' ? 'failed' : 'succeeded', message: summary,
    details: {
      rulesFile: path.basename(rulesFile), outcome,
      rules: checked.reduce((n, t) => n + t.report.results.length, 0),
      failedRules: checked.reduce((n, t) => n + t.report.results.filter((r) => r.outcome === 'fail').length, 0),
      warnedRules: checked.reduce((n, t) => n + t.report.results.filter((r) => r.outcome === 'warn').length, 0),
      files: checked.reduce((n, t) => n + t.report.files.length, 0),
    },
  });
  await showQualityRun(deps.context, result, !run.testMode);
  // A failing check is a failed row in the Activity view (the command itself worked: its result says so).
  if ((outcome === 'fail' || outcome === 'error') && run.entry) deps.activity.finish(run.entry, 'failed', summary);
  if (!run.testMode) {
    const show = outcome === 'pass' ? vscode.window.showInformationMessage : outcome === 'warn' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(summary, 'Open Report', 'Open Rules').then((choice) => {
      if (choice === 'Open Report') void openMarkdown(run, reportMarkdown(result));
      if (choice === 'Open Rules') void vscode.window.showTextDocument(vscode.Uri.file(rulesFile));
    });
  }
  deps.log.info(summary);
  return { summary, quiet: true, extra: { outcome, report: mergeReports(checked), reports: checked.map((t) => ({ label: t.label, where: t.where, report: t.report })), rulesFile } };
}

async function scaffoldImpl(tk: HostToolkit, run: Run): Promise<Outcome> {
  const { title, targets } = await resolveTargets(tk, run, 'read the columns of');
  return scaffold(tk, run, title, targets);
}

async function openReportImpl(run: Run): Promise<Outcome> {
  const last = lastQualityRun();
  if (!last) throw new UserFacingError('No data-quality check has run in this window yet.', 'Run Check Data Quality… first.');
  const markdown = reportMarkdown(last);
  await openMarkdown(run, markdown);
  return { summary: `Opened the data-quality report of ${last.title}.`, quiet: true, extra: { markdown } };
}

export function qualityCommands(tk: HostToolkit): Record<string, CommandDef> {
  publishQualityEditorHook();
  return {
    checkDataQuality: { title: 'Check data quality', side: 'p', impl: (run) => checkImpl(tk, run) },
    scaffoldQualityRules: { title: 'Scaffold data-quality rules', side: 'p', impl: (run) => scaffoldImpl(tk, run) },
    openQualityReport: { title: 'Open data-quality report', side: 'p', impl: (run) => openReportImpl(run) },
  };
}
