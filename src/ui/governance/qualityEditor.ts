/**
 * Problems in data-quality rules files (`*.dq.json`, `*.dq.yaml`) as diagnostics, as you type.
 * Part of the lazily loaded workflow host: ./qualityActivation.ts (in the extension bundle) loads
 * it only once such a file is open, and reaches it through a global hook because the host bundle
 * exports nothing else.
 */
import * as vscode from 'vscode';
import { parseRules } from '../../workflows/quality';

export const RULES_FILE = /\.dq\.(json|ya?ml)$/i;
/** The hook ./qualityActivation.ts calls after loading the host bundle. */
export const EDITOR_HOOK = Symbol.for('governedDataShare.quality.editor');

export interface QualityEditorHook {
  attach(context: vscode.ExtensionContext): void;
}

let collection: vscode.DiagnosticCollection | undefined;

/** The parser's problems as diagnostics of `doc` (0-based positions, clamped to the document). */
export function diagnosticsFor(doc: Pick<vscode.TextDocument, 'getText' | 'fileName' | 'lineCount' | 'lineAt'>): vscode.Diagnostic[] {
  let problems: ReturnType<typeof parseRules>['problems'];
  try {
    problems = parseRules(doc.getText(), doc.fileName).problems;
  } catch (e) {
    problems = [{ message: (e as Error).message, path: '', line: 0, column: 0, endLine: 0, endColumn: 1 }];
  }
  const last = Math.max(0, doc.lineCount - 1);
  const clampLine = (l: number) => Math.min(Math.max(0, l || 0), last);
  return problems.map((p) => {
    const line = clampLine(p.line);
    const endLine = clampLine(p.endLine ?? p.line);
    const width = doc.lineAt(endLine).text.length;
    const start = new vscode.Position(line, Math.max(0, p.column || 0));
    let end = new vscode.Position(endLine, Math.min(Math.max(0, p.endColumn ?? 0), Math.max(width, 1)));
    if (!end.isAfter(start)) end = new vscode.Position(line, Math.max(doc.lineAt(line).text.length, start.character + 1));
    const d = new vscode.Diagnostic(new vscode.Range(start, end), p.message, vscode.DiagnosticSeverity.Error);
    d.source = 'Data quality rules';
    if (p.path) d.code = p.path;
    return d;
  });
}

function check(doc: vscode.TextDocument): void {
  if (!collection || !RULES_FILE.test(doc.fileName)) return;
  collection.set(doc.uri, diagnosticsFor(doc));
}

/** Starts watching rules files (once): open, edited (debounced), closed. */
export function attachQualityDiagnostics(context: vscode.ExtensionContext): void {
  if (collection) {
    for (const doc of vscode.workspace.textDocuments) check(doc);
    return;
  }
  collection = vscode.languages.createDiagnosticCollection('governedDataShare.quality');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  context.subscriptions.push(
    collection,
    { dispose: () => { for (const t of timers.values()) clearTimeout(t); collection = undefined; } },
    vscode.workspace.onDidOpenTextDocument(check),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (!RULES_FILE.test(e.document.fileName)) return;
      const k = e.document.uri.toString();
      clearTimeout(timers.get(k));
      timers.set(k, setTimeout(() => { timers.delete(k); check(e.document); }, 200));
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => { if (RULES_FILE.test(doc.fileName)) collection?.delete(doc.uri); }),
  );
  for (const doc of vscode.workspace.textDocuments) check(doc);
}

/** Publishes the hook (called when the host bundle is evaluated). */
export function publishQualityEditorHook(): void {
  (globalThis as unknown as Record<symbol, QualityEditorHook>)[EDITOR_HOOK] = { attach: attachQualityDiagnostics };
}
