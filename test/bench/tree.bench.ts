/**
 * The Shares tree, fully expanded, in a real extension host (run by scripts/bench.js, recorded
 * under `tree`):
 *  - a sandbox with the `bench` seed (two tenants, two subscriptions each), where this process
 *    creates 3 Data Share accounts per subscription and 10 sent shares per account (120 shares)
 *    through the Data Share client, then injects 100 ms latency on every request;
 *  - code-server runs test/bench/treeHost.ts, which connects the extension and expands the whole
 *    Shares tree (every node, siblings at once), then expands it again without a refresh;
 *  - the sandbox logs every request: ARM calls in the first pass's window, calls in the second
 *    (must be 0: nothing fetched twice until a refresh), and the same call made twice in a pass;
 *  - the deepest chain: the number of dependent call levels the pass went through (subscription ->
 *    accounts -> shares -> a share's lists -> its snapshot history), each level being one round trip;
 *  - the target: wall time <= 1.5 x (deepest chain x 100 ms).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createAzureClients, loadSandboxCloud, sandboxCredentials } from '../../src/azure';
import { startSandbox, type RequestLogEntry } from '../../src/sandbox';
import { FAST_CLIENTS, LOCATION } from '../integration/support/flow';
import { startProfile } from './support/profile';

const log = (m: string) => process.stderr.write(`[bench:tree] ${m}\n`);
const REPO = path.resolve(__dirname, '../../..');
const LATENCY_MS = 100;
const ACCOUNTS_PER_SUBSCRIPTION = 3;
const SHARES_PER_ACCOUNT = 10;

/** What a request is, as a level of the tree's loading, and the level it depends on. */
const LEVELS: Array<{ level: string; after?: string; match: (method: string, p: string) => boolean }> = [
  { level: 'tenants', match: (m, p) => m === 'GET' && /^\/tenants$/i.test(p) },
  { level: 'subscriptions', after: 'tenants', match: (m, p) => m === 'GET' && /^\/subscriptions$/i.test(p) },
  { level: 'pendingInvitations', after: 'tenants', match: (m, p) => /^\/providers\/Microsoft\.DataShare\/listInvitations$/i.test(p) },
  { level: 'accounts', after: 'subscriptions', match: (m, p) => m === 'GET' && /^\/subscriptions\/[^/]+\/providers\/Microsoft\.DataShare\/accounts$/i.test(p) },
  { level: 'shares', after: 'accounts', match: (m, p) => m === 'GET' && /\/accounts\/[^/]+\/shares$/i.test(p) },
  { level: 'shareSubscriptions', after: 'accounts', match: (m, p) => m === 'GET' && /\/accounts\/[^/]+\/shareSubscriptions$/i.test(p) },
  { level: 'shareLists', after: 'shares', match: (m, p) => m === 'GET' && /\/shares\/[^/]+\/(dataSets|invitations|providerShareSubscriptions|synchronizationSettings)$/i.test(p) },
  { level: 'receivedLists', after: 'shareSubscriptions', match: (m, p) => /\/shareSubscriptions\/[^/]+\/(consumerSourceDataSets|dataSetMappings|triggers)$/i.test(p) },
  { level: 'shareHistory', after: 'shareLists', match: (m, p) => m === 'POST' && /\/shares\/[^/]+\/listSynchronizations$/i.test(p) },
  { level: 'receivedHistory', after: 'receivedLists', match: (m, p) => m === 'POST' && /\/shareSubscriptions\/[^/]+\/listSynchronizations$/i.test(p) },
];

const isArm = (url: string) => /^\/(subscriptions|providers|tenants)(\/|\?|$)/i.test(url);

/** Calls per level, the deepest chain of dependent levels seen, and calls made more than once (same caller tenant, method and URL). */
export function analyse(entries: RequestLogEntry[]): { calls: number; byLevel: Record<string, number>; deepestChainCalls: number; chain: string[]; duplicates: string[]; unclassified: string[] } {
  const byLevel: Record<string, number> = {};
  const seen = new Map<string, number>();
  const unclassified: string[] = [];
  for (const e of entries) {
    const p = e.url.split('?')[0];
    const hit = LEVELS.find((l) => l.match(e.method, p));
    if (hit) byLevel[hit.level] = (byLevel[hit.level] ?? 0) + 1;
    else unclassified.push(`${e.method} ${p}`);
    const key = `${e.tenantId ?? '-'} ${e.method} ${e.url}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  // Depth of a level: its own round trip (when it happened) plus the depth of what it waits for.
  const chainOf = (level: string | undefined): string[] => {
    if (!level) return [];
    const def = LEVELS.find((l) => l.level === level)!;
    return [...chainOf(def.after), ...(byLevel[level] ? [level] : [])];
  };
  const chain = LEVELS.map((l) => chainOf(l.level)).reduce((a, b) => (b.length > a.length ? b : a), [] as string[]);
  return {
    calls: entries.length, byLevel, deepestChainCalls: chain.length, chain,
    duplicates: [...seen.entries()].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`),
    unclassified,
  };
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-bench-tree-'));
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, lroRetryAfterSeconds: 0, seed: 'bench' });
  try {
    // The estate: 2 tenants x 2 subscriptions x 3 accounts x 10 shares, through the Data Share client.
    const { cloud, description } = await loadSandboxCloud(sandbox.descriptionPath);
    let shares = 0;
    await Promise.all(description.tenants.map(async (t) => {
      const clients = createAzureClients(cloud, t.tenantId, sandboxCredentials(description, t.tenantId, 'servicePrincipal', { caPem: cloud.caPem }), FAST_CLIENTS);
      await Promise.all(t.subscriptions.map(async (s, si) => {
        await clients.resources(s.subscriptionId).providers.register('Microsoft.DataShare', { pollIntervalInMs: 20 });
        const rg = `bench-tree-${si}`;
        await clients.resources(s.subscriptionId).resourceGroups.createOrUpdate(rg, { location: LOCATION });
        for (let a = 0; a < ACCOUNTS_PER_SUBSCRIPTION; a++) {
          const accountName = `${t.displayName.toLowerCase()}-s${si}-a${a}`;
          await clients.dataShare.accounts.createOrUpdateAndWait({ subscriptionId: s.subscriptionId, resourceGroupName: rg, accountName }, { location: LOCATION });
          await Promise.all(Array.from({ length: SHARES_PER_ACCOUNT }, (_, i) => clients.dataShare.shares.createOrUpdate(
            { subscriptionId: s.subscriptionId, resourceGroupName: rg, accountName, shareName: `share${String(i).padStart(2, '0')}` },
            { properties: { shareKind: 'CopyBased', description: `Bench share ${i}` } },
          )));
          shares += SHARES_PER_ACCOUNT;
        }
      }));
    }));
    const subscriptions = description.tenants.reduce((n, t) => n + t.subscriptions.length, 0);
    log(`estate: ${description.tenants.length} tenants, ${subscriptions} subscriptions, ${subscriptions * ACCOUNTS_PER_SUBSCRIPTION} accounts, ${shares} shares`);

    sandbox.setFaults([{ kind: 'latency', rate: 1, pattern: '.*', latencyMs: LATENCY_MS }]);
    const entries: RequestLogEntry[] = [];
    const unwatch = sandbox.core.watchRequests((e) => entries.push(e));
    const file = path.join(os.tmpdir(), `gds-tree-${process.pid}.json`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runInHost } = require(path.join(REPO, 'scripts/lib/run-in-host.js')) as { runInHost(o: { extensionTestsPath: string; extensionEnvironment?: Record<string, string>; onLog?: (l: string) => void; timeoutMs?: number }): Promise<number> };
    const lines: string[] = [];
    // GDS_BENCH_SANDBOX_PROFILE=<file>: a CPU profile of the sandbox's process while the host runs,
    // with the epoch and monotonic clocks at its start (to find the expansion's window in it).
    const sandboxProfile = process.env.GDS_BENCH_SANDBOX_PROFILE;
    const clocks = { epochMs: Date.now(), hrUs: Number(process.hrtime.bigint() / 1000n) };
    const stopProfile = sandboxProfile ? await startProfile() : undefined;
    // The host's diagnostics (see treeHost.ts) pass through when set.
    const passed = Object.fromEntries(['GDS_TENANT_CONCURRENCY', 'GDS_BENCH_PROFILE', 'GDS_BENCH_GC', 'GDS_BENCH_PROCS'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
    const code = await runInHost({
      extensionTestsPath: path.join(REPO, 'out/test/bench/treeHost.js'),
      extensionEnvironment: { GDS_BENCH_FILE: file, GDS_TREE_SANDBOX: sandbox.descriptionPath, ...passed },
      onLog: (l) => lines.push(l),
      timeoutMs: 300000,
    });
    unwatch();
    if (stopProfile) fs.writeFileSync(sandboxProfile!, JSON.stringify({ clocks, profile: await stopProfile() }));
    if (code !== 0 || !fs.existsSync(file)) throw new Error(`the tree bench failed in the extension host:\n${lines.slice(-20).join('\n')}`);
    const host = JSON.parse(fs.readFileSync(file, 'utf8')) as { node: string; tenants: number; nodes: number; nodesAgain: number; settledMs: number; cold: { start: number; end: number; wallMs: number; cpuMs: number }; warm: { start: number; end: number; wallMs: number } };
    fs.rmSync(file);

    const inWindow = (w: { start: number; end: number }) => entries.filter((e) => isArm(e.url) && e.start >= w.start && e.start <= w.end);
    // GDS_BENCH_DUMP=<file>: every request of the cold pass, for looking at where the time goes.
    if (process.env.GDS_BENCH_DUMP) fs.writeFileSync(process.env.GDS_BENCH_DUMP, JSON.stringify({ window: host.cold, entries: entries.filter((e) => e.start >= host.cold.start && e.start <= host.cold.end) }));
    const cold = analyse(inWindow(host.cold));
    const warm = analyse(inWindow(host.warm));
    const chainLatencyMs = cold.deepestChainCalls * LATENCY_MS;
    const wallMs = Math.round(host.cold.wallMs);
    log(`${host.nodes} nodes in ${wallMs} ms; ${cold.calls} ARM calls; deepest chain ${cold.deepestChainCalls} (${cold.chain.join(' -> ')}) = ${chainLatencyMs} ms; again without refresh: ${warm.calls} calls`);
    const ratio = chainLatencyMs ? wallMs / chainLatencyMs : Infinity;
    return {
      estate: { tenants: description.tenants.length, subscriptions, accounts: subscriptions * ACCOUNTS_PER_SUBSCRIPTION, shares },
      latencyMs: LATENCY_MS,
      hostNode: host.node,
      // How long the host waited for the workbench's startup to quieten before expanding.
      settledMs: host.settledMs,
      nodes: host.nodes,
      wallMs,
      // CPU the extension host spent in the expansion (user + system), all threads.
      hostCpuMs: Math.round(host.cold.cpuMs),
      armCalls: cold.calls,
      armCallsByLevel: cold.byLevel,
      deepestChainCalls: cold.deepestChainCalls,
      deepestChain: cold.chain,
      chainLatencyMs,
      ratioToChain: +ratio.toFixed(2),
      duplicateCalls: cold.duplicates.length,
      duplicateExamples: cold.duplicates.slice(0, 5),
      unclassifiedCalls: cold.unclassified.slice(0, 5),
      secondPass: { nodes: host.nodesAgain, wallMs: Math.round(host.warm.wallMs), armCalls: warm.calls },
      target: 'wallMs <= 1.5 x chainLatencyMs, no call made twice, no call on a second expansion',
      withinTarget: wallMs <= 1.5 * chainLatencyMs && cold.duplicates.length === 0 && warm.calls === 0,
    };
  } finally {
    await sandbox.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
