/**
 * Data quality in a real VS Code, against the sandbox the extension starts: Check Data Quality… on
 * a sent share's dataset (from its Shares tree row) with a rules file found by name in the
 * workspace; problems of a rules file shown as diagnostics while it is edited; Scaffold Data
 * Quality Rules… writing a rules file from the data's own columns.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension } from './activation.test';
import type { ExtensionApi } from '../../src/ui/activate';
import type { SandboxDescription } from '../../src/auth/sandbox';
import { parseRules, type QualityReport } from '../../src/workflows/quality';

type AnyNode = { kind?: string; name?: string; id?: string };
interface Result { ok: boolean; summary?: string; error?: string; [k: string]: unknown }

/** Breadth-first through the tree to the first node that matches (only into nodes `into` allows). */
async function findNode(provider: vscode.TreeDataProvider<unknown>, match: (n: AnyNode) => boolean, into: (n: AnyNode) => boolean, depth = 8): Promise<unknown> {
  let level: unknown[] = [undefined];
  for (let d = 0; d < depth && level.length; d++) {
    const next: unknown[] = [];
    for (const parent of level) {
      for (const n of (await provider.getChildren(parent as never)) ?? []) {
        if (match(n as AnyNode)) return n;
        const item = await provider.getTreeItem(n as never);
        if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None && into(n as AnyNode)) next.push(n);
      }
    }
    level = next;
  }
  return undefined;
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const run = (command: string, answers: Record<string, unknown>) =>
  vscode.commands.executeCommand<Result | undefined>(`governedDataShare.${command}`, { answers, confirm: true });

// Order 1003 has no customer, 1004 a negative amount and an unknown status, 1002 appears twice.
const BAD_ORDERS = [
  'order_id,customer,status,amount,order_date',
  '1001,ada@contoso.example,shipped,120.50,2026-11-02',
  '1002,alan@contoso.example,open,80.00,2026-11-03',
  '1003,,shipped,45.10,2026-11-03',
  '1004,grace@contoso.example,lost,-5.00,2026-11-04',
  '1002,alan@contoso.example,open,80.00,2026-11-03',
].join('\n') + '\n';

const RULES = `version: 1
dataset: orders
classifiedColumns: [customer]
rules:
  - kind: schema
    required: [order_id, customer, status, amount, order_date]
  - kind: row_count
    min: 1
  - kind: not_null
    column: customer
  - kind: unique
    column: order_id
  - kind: accepted_values
    column: status
    values: [open, shipped, delivered]
    severity: warn
  - kind: range
    column: amount
    min: 0
`;

describe('Data quality in the editor', function () {
  this.timeout(600000);
  let api: ExtensionApi;
  const s = crypto.randomBytes(3).toString('hex');
  let p: Record<string, string | null | boolean>;
  const shareName = `orders-${s}`;
  const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const latest = () => api.activities()[0];
  const expectOk = (r: Result | undefined, what: string) => assert.ok(r?.ok, `${what} succeeded (result ${JSON.stringify(r)}; activity ${JSON.stringify(latest())})`);

  before(async () => {
    api = await activateExtension();
    const tenants = await vscode.commands.executeCommand<string[]>('governedDataShare.startSandbox');
    assert.ok(Array.isArray(tenants) && tenants.length === 2, `sandbox started: ${JSON.stringify(latest())}`);
    const description = JSON.parse(fs.readFileSync(api.testing!.sandboxDescriptionPath()!, 'utf8')) as SandboxDescription;
    const contoso = description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    p = { pTenant: contoso.tenantId, pSub: contoso.subscriptions[0].subscriptionId, pRg: `dq-${s}`, pStorage: `dq${s}`, pContainer: 'data', pDsAccount: `dq-share-${s}` };
    const files = { 'orders/2026/orders.csv': BAD_ORDERS, 'customers/list.csv': 'name,email\nAda Lovelace,ada@contoso.example\n' };
    expectOk(await run('provisionProvider', { ...p, pRgNew: true, location: 'westeurope', pPurview: null, files, sampleData: false }), 'Provision Provider');
    expectOk(await run('createShare', { ...p, shareName, description: 'Orders', terms: '' }), 'Create Share');
    expectOk(await run('addDatasets', { ...p, shareName, pPurview: null, datasets: [{ name: 'orders', kind: 'Folder', path: 'orders' }], justification: 'Test data with no personal data' }), 'Add Datasets');
    fs.writeFileSync(path.join(folder(), 'orders.dq.yaml'), RULES);
  });

  it('Check Data Quality… on a dataset row with a bad CSV fails, with the failing rows as a sample', async () => {
    const shares = api.testing!.shares;
    const node = await findNode(shares, (n) => n.kind === 'leaf' && /\/dataSets\/orders$/i.test(n.id ?? '') && (n.id ?? '').includes(shareName),
      (n) => n.kind !== 'received' && !(n.kind === 'group' && (n as { which?: string }).which === 'received') && !(n.kind === 'share' && n.name !== shareName) && !(n.kind === 'account' && n.name !== p.pDsAccount));
    assert.ok(node, 'the dataset shows under the share in the Shares view');
    const r = await vscode.commands.executeCommand<Result>('governedDataShare.checkDataQuality', node, { answers: {}, confirm: true });
    expectOk(r, 'Check Data Quality');
    const report = r.report as QualityReport;
    assert.strictEqual(report.outcome, 'fail', r.summary);
    assert.match(r.summary ?? '', /^Data quality of .*orders: FAIL/);
    assert.match(String(r.rulesFile), /orders\.dq\.yaml$/);
    assert.deepStrictEqual(report.files.map((f) => [f.name.replace(/^.*\//, ''), f.rows]), [['orders.csv', 5]]);
    const byKind = (k: string) => report.results.find((x) => x.kind === k)!;
    assert.strictEqual(byKind('schema').outcome, 'pass');
    assert.strictEqual(byKind('row_count').outcome, 'pass');
    const notNull = byKind('not_null');
    assert.strictEqual(notNull.outcome, 'fail');
    assert.strictEqual(notNull.failedCount, 1);
    assert.strictEqual(notNull.elementCount, 5);
    assert.strictEqual(String(notNull.sample[0].values?.order_id), '1003');
    const range = byKind('range');
    assert.strictEqual(range.outcome, 'fail');
    assert.strictEqual(range.failedCount, 1);
    const bad = range.sample[0].values ?? {};
    assert.strictEqual(String(bad.order_id), '1004');
    assert.notStrictEqual(bad.customer, 'grace@contoso.example', 'the classified column is masked in the sample');
    assert.strictEqual(byKind('unique').outcome, 'fail');
    assert.strictEqual(byKind('accepted_values').outcome, 'warn');
    // The Activity row says the data failed; the audit trail has the check.
    assert.match(latest()?.title ?? '', /^Check data quality of/);
    assert.strictEqual(latest()?.status, 'failed');
    assert.match(latest()?.detail ?? '', /FAIL/);
    const csv = path.join(os.tmpdir(), `gds-dq-audit-${s}.csv`);
    expectOk(await run('exportAudit', { format: 'csv', saveTo: csv }), 'Export Audit Trail');
    const line = fs.readFileSync(csv, 'utf8').split('\n').find((l) => l.includes('quality.check') && l.includes(shareName));
    assert.ok(line, 'the audit trail records the check');
    assert.match(line, /failed/);
    // Open Report gives the markdown report of that check.
    const opened = await vscode.commands.executeCommand<Result>('governedDataShare.openQualityReport', { answers: {}, confirm: true });
    expectOk(opened, 'Open Report');
    assert.match(String(opened.markdown), /not_null/);
  });

  it('Check Data Quality… on a whole share checks each of its datasets (rules found by the dataset\'s name)', async () => {
    const r = await run('checkDataQuality', { pTenant: p.pTenant, pSub: p.pSub, pRg: p.pRg, pDsAccount: p.pDsAccount, shareName });
    expectOk(r, 'Check Data Quality on the share');
    assert.match(r!.summary ?? '', new RegExp(`^Data quality of ${shareName}: FAIL`));
    const reports = r!.reports as Array<{ label: string; where: string; report: QualityReport }>;
    assert.deepStrictEqual(reports.map((x) => [x.label, x.where]), [['orders', `${String(p.pStorage)}/${String(p.pContainer)}/orders`]]);
    assert.strictEqual(reports[0].report.results.find((x) => x.kind === 'not_null')?.failedCount, 1);
  });

  it('a container with no rules file says so and offers the scaffold', async () => {
    const r = await run('checkDataQuality', { pTenant: p.pTenant, pStorage: p.pStorage, pContainer: p.pContainer, qualityPath: 'customers' });
    assert.strictEqual(r?.ok, false);
    assert.match(r?.error ?? '', /No data-quality rules file for .*customers/);
    assert.match(r?.error ?? '', /Scaffold Data Quality Rules/);
  });

  it('problems in a rules file show as diagnostics on their line, and go away when fixed', async () => {
    const file = path.join(folder(), `broken-${s}.dq.yaml`);
    // Line 4 (0-based 3): a rule kind that does not exist.
    fs.writeFileSync(file, 'version: 1\nrules:\n  - kind: not_null\n    column: customer\n  - kind: no_such_rule\n    column: amount\n');
    const opened = Date.now();
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('diagnostics on the broken rules file', () => {
      const d = vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'Data quality rules');
      return d.length ? d : undefined;
    });
    // The first rules file opened in the window starts the diagnostics (the host bundle is already loaded here).
    console.log(`    diagnostics ${Date.now() - opened} ms after opening the first rules file`);
    assert.ok(diags.some((d) => d.range.start.line === 4 && /no_such_rule|kind/i.test(d.message)), JSON.stringify(diags.map((d) => [d.range.start.line, d.message])));
    assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
    // As you type: fixing the kind clears it.
    const line = doc.lineAt(4);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, line.range, '  - kind: not_null');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitFor('the diagnostics to clear', () => (vscode.languages.getDiagnostics(doc.uri).filter((x) => x.source === 'Data quality rules').length === 0 ? true : undefined));

    // JSON rules files too: a not_null rule without its column, on line 3 (0-based 2).
    const json = path.join(folder(), `broken-${s}.dq.json`);
    fs.writeFileSync(json, '{\n  "version": 1,\n  "rules": [{ "kind": "not_null" }]\n}\n');
    const jdoc = await vscode.workspace.openTextDocument(json);
    const jd = await waitFor('diagnostics on the broken JSON rules file', () => {
      const d = vscode.languages.getDiagnostics(jdoc.uri).filter((x) => x.source === 'Data quality rules');
      return d.length ? d : undefined;
    });
    assert.ok(jd.some((d) => d.range.start.line === 2 && /column/i.test(d.message)), JSON.stringify(jd.map((d) => [d.range.start.line, d.message])));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Scaffold Data Quality Rules… writes a rules file from the data\'s own columns', async () => {
    const r = await run('scaffoldQualityRules', { pTenant: p.pTenant, pStorage: p.pStorage, pContainer: p.pContainer, qualityPath: 'orders', format: 'yaml' });
    expectOk(r, 'Scaffold');
    const file = String(r!.file);
    assert.ok(file.startsWith(folder()), `written in the workspace: ${file}`);
    assert.match(path.basename(file), /^orders-2\.dq\.yaml$/, 'orders.dq.yaml already exists, so it is not overwritten');
    assert.strictEqual(fs.readFileSync(path.join(folder(), 'orders.dq.yaml'), 'utf8'), RULES);
    const text = fs.readFileSync(file, 'utf8');
    const columns = (r!.columns as Array<{ name: string; type: string }>).map((c) => c.name);
    assert.deepStrictEqual(columns, ['order_id', 'customer', 'status', 'amount', 'order_date']);
    for (const c of columns) assert.match(text, new RegExp(`\\b${c}\\b`), `the rules name ${c}`);
    const parsed = parseRules(text, path.basename(file));
    assert.deepStrictEqual(parsed.problems, [], 'the scaffold is a valid rules file');
    assert.ok(parsed.rules!.rules.length >= 2);
    // The scaffold opened in the editor shows no problems either.
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    assert.ok(doc, 'the new rules file is open');
    await new Promise((res) => setTimeout(res, 500));
    assert.deepStrictEqual(vscode.languages.getDiagnostics(doc.uri).filter((d) => d.source === 'Data quality rules'), []);
  });
});
