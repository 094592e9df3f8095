/**
 * Bench entry loaded as extensionTestsPath inside a real extension host: activates the extension
 * (the production bundle) and writes what activation cost to GDS_BENCH_FILE.
 */
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/ui/activate';

export async function run(): Promise<void> {
  const ext = vscode.extensions.getExtension<ExtensionApi>('governed-data-share.governed-data-share');
  if (!ext) throw new Error('extension not found in the host');
  const api = ext.isActive ? ext.exports : await ext.activate();
  const out = process.env.GDS_BENCH_FILE;
  // VS Code's own marks around loading and activating us, to tell our cost from the host's.
  const marks = performance.getEntriesByType('mark').filter((m) => m.name.includes('governed-data-share')).map((m) => ({ name: m.name, at: m.startTime }));
  if (out) fs.writeFileSync(out, JSON.stringify({ ...api.activation, node: process.version, marks }));
}
