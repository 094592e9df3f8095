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
import { startProfile } from './support/profile';

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

/** Machine-wide busy and total CPU jiffies (Linux /proc/stat); undefined elsewhere. */
function cpuJiffies(): { busy: number; total: number } | undefined {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - (f[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** Waits (at most 20 s) until two successive 250 ms samples show the machine under 20% busy; returns the wait in ms. */
async function settle(): Promise<number> {
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - t0 < 20_000) {
    const a = cpuJiffies();
    await new Promise((r) => setTimeout(r, 250));
    const b = cpuJiffies();
    if (!a || !b) return 0;
    quiet = b.total > a.total && (b.busy - a.busy) / (b.total - a.total) < 0.2 ? quiet + 1 : 0;
  }
  return Math.round(performance.now() - t0);
}

/** CPU (ms) each process spent between two procTimes() snapshots, busiest first. */
function procDelta(before: Map<number, { name: string; ticksMs: number }>, after: Map<number, { name: string; ticksMs: number }>): Array<{ pid: number; name: string; ms: number; self: boolean }> {
  return [...after].map(([pid, p]) => ({ pid, name: p.name, ms: p.ticksMs - (before.get(pid)?.ticksMs ?? 0), self: pid === process.pid })).filter((p) => p.ms > 0).sort((a, b) => b.ms - a.ms);
}

/** CPU time (user + system, ms) of every process on the machine, from /proc (Linux; for GDS_BENCH_PROCS). */
function procTimes(): Map<number, { name: string; ticksMs: number }> {
  const out = new Map<number, { name: string; ticksMs: number }>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').slice(0, 120);
      out.set(Number(d), { name: cmd, ticksMs: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      /* gone */
    }
  }
  return out;
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
  // A person sees the tenants before expanding them: the sign-in's token requests, which showing
  // the tenants starts in the background, finish meanwhile (they are part of connecting).
  await new Promise((r) => setTimeout(r, 300));
  // The workbench in the browser is often still starting (hundreds of ms of renderer CPU a second on
  // 2 cores): wait until the machine is quiet, so the figure is the extension's, not the startup's.
  const settledMs = await settle();
  const procsIdle = process.env.GDS_BENCH_PROCS ? procTimes() : undefined;
  await new Promise((r) => setTimeout(r, 300));

  // GDS_BENCH_PROFILE=<file>: a CPU profile of the extension host during the first expansion.
  const profiler = process.env.GDS_BENCH_PROFILE ? await startProfile() : undefined;
  // GDS_BENCH_GC=<file>: the host's GC pauses during the first expansion.
  const gcs: Array<{ kind: number; ms: number; at: number }> = [];
  const obs = process.env.GDS_BENCH_GC ? new (await import('node:perf_hooks')).PerformanceObserver((list) => { for (const e of list.getEntries()) gcs.push({ kind: (e as unknown as { detail: { kind: number } }).detail?.kind, ms: e.duration, at: e.startTime }); }) : undefined;
  obs?.observe({ entryTypes: ['gc'] });
  const procs0 = process.env.GDS_BENCH_PROCS ? procTimes() : undefined;
  const cold = { start: Date.now(), t0: performance.now(), cpu: process.cpuUsage() };
  const nodes = await expandAll(shares, undefined);
  const coldCpu = process.cpuUsage(cold.cpu);
  const coldEnd = { end: Date.now(), t1: performance.now() };
  if (procs0 && procsIdle) fs.writeFileSync(process.env.GDS_BENCH_PROCS!, JSON.stringify({ busy: procDelta(procs0, procTimes()), idleBefore300ms: procDelta(procsIdle, procs0) }, null, 1));
  if (profiler) fs.writeFileSync(process.env.GDS_BENCH_PROFILE!, JSON.stringify(await profiler()));
  if (obs) {
    obs.disconnect();
    fs.writeFileSync(process.env.GDS_BENCH_GC!, JSON.stringify({ gcs, heap: process.memoryUsage(), t0: cold.t0, argv: process.execArgv }));
  }
  await new Promise((r) => setTimeout(r, 300)); // a gap between the windows
  const warm = { start: Date.now(), t0: performance.now() };
  const nodesAgain = await expandAll(shares, undefined);
  const warmEnd = { end: Date.now(), t1: performance.now() };
  fs.writeFileSync(out, JSON.stringify({
    node: process.version,
    tenants: roots.length,
    nodes,
    nodesAgain,
    settledMs,
    cold: { start: cold.start, end: coldEnd.end, wallMs: coldEnd.t1 - cold.t0, cpuMs: (coldCpu.user + coldCpu.system) / 1000 },
    warm: { start: warm.start, end: warmEnd.end, wallMs: warmEnd.t1 - warm.t0 },
  }));
  await vscode.commands.executeCommand('governedDataShare.disconnect');
}
