/**
 * The only data-quality code in the extension bundle: a listener that looks at file names. When a
 * rules file (`*.dq.json`, `*.dq.yaml`) is open it loads the workflow host bundle, whose
 * ./qualityEditor.ts parses rules files and shows their problems as diagnostics.
 */
import * as vscode from 'vscode';

const RULES_FILE = /\.dq\.(json|ya?ml)$/i;
const HOOK = Symbol.for('governedDataShare.quality.editor');

export function watchQualityRules(context: vscode.ExtensionContext): void {
  let done = false;
  const load = () => {
    if (done) return;
    done = true;
    listener.dispose();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../wizard/host');
    (globalThis as unknown as Record<symbol, { attach(c: vscode.ExtensionContext): void } | undefined>)[HOOK]?.attach(context);
  };
  const listener = vscode.workspace.onDidOpenTextDocument((d) => { if (RULES_FILE.test(d.fileName)) load(); });
  context.subscriptions.push(listener);
  if (vscode.workspace.textDocuments.some((d) => RULES_FILE.test(d.fileName))) setTimeout(load, 0);
}
