/**
 * Tree bench, extension-host side (extensionTestsPath, run by test/bench/tree.bench.ts through
 * scripts/lib/run-in-host.js): connects the extension to the sandbox named by GDS_TREE_SANDBOX,
 * then expands the whole Shares tree the way a person expanding every node would make VS Code ask
 * (getChildren and getTreeItem of every node, siblings at once), twice: the second pass must be
 * served from the tree's cache. Writes the node count and the epoch-ms windows of each pass to
 * GDS_BENCH_FILE; the bench process counts the sandbox's calls inside those windows.
 */
import * as fs from 'fs';
// eslint-disable-next-line no-restricted-imports -- runs inside the extension host, like test/bench/activation.ts
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/ui/activate';

type Provider = vscode.TreeDataProvider<unknown>;

/** Expands `parent` and everything below it, siblings in parallel; returns the number of nodes seen. */
async function expandAll(p: Provider, parent: unknown, depth = 12): Promise<number> {
  if (depth === 0) return 0;
  const children = (await p.getChildren(parent)) ?? [];
  const counts = await Promise.all(children.map(async (node) => {
    const item = await p.getTreeItem(node);
    const open = item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None;
    return 1 + (open ? await expandAll(p, node, depth - 1) : 0);
  }));
  return counts.reduce((a, b) => a + b, 0);
}

export async function run(): Promise<void> {
  const out = process.env.GDS_BENCH_FILE;
  const description = process.env.GDS_TREE_SANDBOX;
  if (!out || !description) throw new Error('GDS_BENCH_FILE and GDS_TREE_SANDBOX must be set');
  const ext = vscode.extensions.getExtension<ExtensionApi>('governed-data-share.governed-data-share');
  if (!ext) throw new Error('extension not found in the host');
  const api = ext.isActive ? ext.exports : await ext.activate();
  const shares = api.testing?.shares;
  if (!shares) throw new Error('the testing API is not there (the host must run in test mode)');
  // Connecting signs in both tenants and lists their subscriptions (not part of the expansion).
  await vscode.commands.executeCommand('governedDataShare.connectSandbox', description);
  const roots = (await shares.getChildren(undefined)) ?? [];
  if (roots.length === 0) throw new Error('the Shares view shows no tenant after connecting');

  const cold = { start: Date.now(), t0: performance.now() };
  const nodes = await expandAll(shares, undefined);
  const coldEnd = { end: Date.now(), t1: performance.now() };
  await new Promise((r) => setTimeout(r, 300)); // a gap between the windows
  const warm = { start: Date.now(), t0: performance.now() };
  const nodesAgain = await expandAll(shares, undefined);
  const warmEnd = { end: Date.now(), t1: performance.now() };
  fs.writeFileSync(out, JSON.stringify({
    node: process.version,
    tenants: roots.length,
    nodes,
    nodesAgain,
    cold: { start: cold.start, end: coldEnd.end, wallMs: coldEnd.t1 - cold.t0 },
    warm: { start: warm.start, end: warmEnd.end, wallMs: warmEnd.t1 - warm.t0 },
  }));
  await vscode.commands.executeCommand('governedDataShare.disconnect');
}
