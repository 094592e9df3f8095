/**
 * Lineage panel bench (run by scripts/bench.js, recorded under `lineage`: one row per size).
 * The real webview bundle in headless Chromium (playwright-core, /usr/bin/chromium), fed generated
 * layered graphs through the typed protocol as the host feeds it:
 *   layoutMs      the layered layout in the Web Worker (the worker's own clock);
 *   firstPaintMs  from `graph/reset` to the first paint of the WHOLE graph (all pages delivered,
 *                 laid out and drawn), page clock;
 *   maxBlockMs    the longest task on the page's main thread meanwhile (Long Tasks API; 0: none over 50 ms);
 *   frameMs       mean requestAnimationFrame interval while zooming from fit-to-view to 1:1 and
 *                 panning (120 frames, the real renderer: below 30 % zoom it shows its pre-drawn
 *                 overview bitmap while input continues), plus drawMs (JS draw time per frame);
 *   exactFrameMs  the same renderer drawing everything exactly, nothing moving (at 1:1, and
 *                 exactFitFrameMs fitted to the whole graph: the worst case);
 *   heapMB        JS heap used after the graph is shown (CDP, after a GC);
 *   elkjsLayoutMs the same graph laid out by elkjs (layered, direction RIGHT; elk.bundled.js in a
 *                 Node worker thread), capped by a timeout: null with a note when it did not finish.
 * Knobs: GDS_BENCH_LINEAGE_SIZES (1000,5000,20000), GDS_BENCH_ELK_TIMEOUT_MS (180000; 60000 at 20k).
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Page } from 'playwright-core';
import { generatedLineage, hostMessages, REPO, serveHarness } from './lineageHarness';

const log = (m: string) => process.stderr.write(`[bench:lineage] ${m}\n`);
const r1 = (x: number) => Math.round(x * 10) / 10;

export interface LineageBenchRow {
  nodes: number;
  edges: number;
  layoutMs: number;
  firstPaintMs: number;
  maxBlockMs: number;
  frameMs: number | null;
  drawMs: number | null;
  /** Frames drawn exactly (nothing moving): at 1:1 and fitted to the whole graph. */
  exactFrameMs: number | null;
  exactFitFrameMs: number | null;
  heapMB: number;
  elkjsLayoutMs: number | null;
  note?: string;
}

async function showGraph(page: Page, n: number): Promise<{ layoutMs: number; firstPaintMs: number; maxBlockMs: number; edges: number }> {
  await page.reload();
  await page.waitForFunction(() => !!(window as unknown as { __lineage?: unknown }).__lineage);
  const graph = generatedLineage(n);
  const messages = hostMessages(graph);
  return page.evaluate(async (msgs) => {
    const w = window as unknown as { __lineage: { stats: { layoutMs: number; fullPaintMs: number; edges: number }; ready(): boolean } };
    // The longest task on the page's main thread from the first message to the full paint
    // (Long Tasks API: every task over 50 ms), i.e. how long the page could not respond.
    let maxBlock = 0;
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) maxBlock = Math.max(maxBlock, e.duration); });
    observer.observe({ type: 'longtask' });
    for (const m of msgs) window.postMessage(m, '*');
    await new Promise<void>((resolve) => { const check = () => (w.__lineage.ready() ? resolve() : setTimeout(check, 10)); check(); });
    await new Promise((r) => setTimeout(r, 100));
    observer.disconnect();
    return { layoutMs: w.__lineage.stats.layoutMs, firstPaintMs: w.__lineage.stats.fullPaintMs, maxBlockMs: Math.max(0, maxBlock), edges: w.__lineage.stats.edges };
  }, messages);
}

/** Frames that draw everything exactly (no input in progress, so no overview bitmap): at 1:1 where the frames() loop ended, then fitted. */
async function exactFrames(page: Page): Promise<{ oneToOneMs: number; fitMs: number }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __lineage: { fit(): void; drawNow(): void } };
    const measure = async () => {
      await new Promise((r) => setTimeout(r, 300)); // input settles
      const xs: number[] = [];
      let prev = performance.now();
      for (let i = 0; i < 30; i++) {
        w.__lineage.drawNow();
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        xs.push(now - prev);
        prev = now;
      }
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    const oneToOneMs = await measure();
    w.__lineage.fit();
    const fitMs = await measure();
    return { oneToOneMs, fitMs };
  });
}

async function frames(page: Page): Promise<{ frameMs: number; drawMs: number }> {
  return page.evaluate(async () => {
    const w = window as unknown as { __lineage: { stats: { drawMs: number }; fit(): void; zoomAt(f: number): void; panBy(dx: number, dy: number): void } };
    w.__lineage.fit();
    await new Promise((r) => setTimeout(r, 500));
    const intervals: number[] = [];
    const draws: number[] = [];
    let prev = performance.now();
    for (let i = 0; i < 120; i++) {
      if (i < 60) w.__lineage.zoomAt(1.06); else w.__lineage.panBy(i % 20 < 10 ? -25 : 25, i % 40 < 20 ? -12 : 12);
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      intervals.push(now - prev);
      draws.push(w.__lineage.stats.drawMs);
      prev = now;
    }
    // The first frames include warm-up; the mean is over all 120.
    return { frameMs: intervals.reduce((a, b) => a + b, 0) / intervals.length, drawMs: draws.reduce((a, b) => a + b, 0) / draws.length };
  });
}

async function heapMB(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 1024 / 1024;
}

/** elkjs on the same graph in a worker thread, stopped at `timeoutMs`. */
function elkLayout(n: number, timeoutMs: number): Promise<{ ms: number | null; note?: string }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const ELK = require(workerData.elk);
    const { generatedLineage } = require(workerData.harness);
    const g = generatedLineage(workerData.n);
    const graph = { id: 'root', layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT' },
      children: g.nodes.map((x) => ({ id: x.id, width: 180, height: 40 })), edges: g.edges.map((e) => ({ id: e.id, sources: [e.from], targets: [e.to] })) };
    const t0 = performance.now();
    new ELK().layout(graph).then(() => parentPort.postMessage({ ms: performance.now() - t0 }), (e) => parentPort.postMessage({ error: String(e && e.message || e) }));
  `;
  return new Promise((resolve) => {
    const worker = new Worker(code, { eval: true, workerData: { n, elk: require.resolve('elkjs/lib/elk.bundled.js'), harness: path.join(REPO, 'out/test/bench/lineageHarness.js') } });
    const timer = setTimeout(() => { void worker.terminate(); resolve({ ms: null, note: `elkjs did not finish within ${timeoutMs / 1000} s` }); }, timeoutMs);
    worker.on('message', (m: { ms?: number; error?: string }) => { clearTimeout(timer); void worker.terminate(); resolve(m.error ? { ms: null, note: `elkjs failed: ${m.error}` } : { ms: m.ms! }); });
    worker.on('error', (e) => { clearTimeout(timer); resolve({ ms: null, note: `elkjs crashed: ${e.message}` }); });
  });
}

export async function run(): Promise<LineageBenchRow[]> {
  const sizes = (process.env.GDS_BENCH_LINEAGE_SIZES ?? '1000,5000,20000').split(',').map(Number).filter((x) => x > 0);
  const elkTimeout = Number(process.env.GDS_BENCH_ELK_TIMEOUT_MS) || 180000;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { launchBrowser } = require(path.join(REPO, 'scripts/lib/code-server')) as typeof import('../../scripts/lib/code-server');
  const server = await serveHarness();
  const browser = await launchBrowser();
  const rows: LineageBenchRow[] = [];
  try {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    await page.goto(server.url);
    for (const n of sizes) {
      const shown = await showGraph(page, n);
      const f = n >= 5000 ? await frames(page) : undefined;
      const exact = n >= 5000 ? await exactFrames(page) : undefined;
      const heap = await heapMB(page);
      log(`${n} nodes: layout ${r1(shown.layoutMs)} ms, first paint ${r1(shown.firstPaintMs)} ms, max block ${r1(shown.maxBlockMs)} ms${f ? `, frame ${r1(f.frameMs)} ms (draw ${r1(f.drawMs)} ms)` : ''}${exact ? `, exact frame ${r1(exact.oneToOneMs)} ms at 1:1, ${r1(exact.fitMs)} ms fitted` : ''}, heap ${r1(heap)} MB`);
      rows.push({ nodes: n, edges: shown.edges, layoutMs: r1(shown.layoutMs), firstPaintMs: r1(shown.firstPaintMs), maxBlockMs: r1(shown.maxBlockMs), frameMs: f ? r1(f.frameMs) : null, drawMs: f ? r1(f.drawMs) : null, exactFrameMs: exact ? r1(exact.oneToOneMs) : null, exactFitFrameMs: exact ? r1(exact.fitMs) : null, heapMB: r1(heap), elkjsLayoutMs: null });
    }
  } finally {
    await browser.close();
    await server.close();
  }
  for (const row of rows) {
    const cap = row.nodes >= 20000 ? Math.min(elkTimeout, 60000) : elkTimeout;
    log(`elkjs at ${row.nodes} nodes (cap ${cap / 1000} s)…`);
    const elk = await elkLayout(row.nodes, cap);
    row.elkjsLayoutMs = elk.ms === null ? null : r1(elk.ms);
    if (elk.note) row.note = elk.note;
    log(`elkjs at ${row.nodes}: ${elk.ms === null ? elk.note : `${r1(elk.ms)} ms`}`);
  }
  return rows;
}
