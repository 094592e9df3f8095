/**
 * Checks with Parquet files run in a worker thread with a small V8 heap of their own.
 *
 * Why: decoding a Parquet row group allocates tens of MB of short-lived arrays, strings and
 * buffers; what the rules keep is small (about 30 MB live on the bench's 1 GB file). In a heap with
 * no pressure, V8 lets the old generation grow to several times the live set before it collects,
 * and the more row groups, the higher it lets it go (bench: 240 MB RSS at 100 MB, 348 MB at 1 GB).
 * That memory is garbage that is never needed again, so the decoding and the rules run in a worker
 * whose old generation is capped (`resourceLimits`): V8 then collects it sooner, and the extension
 * host's own heap is left alone. Downloads stay on the calling thread (the credential lives there):
 * the worker asks for byte ranges (Parquet) or stream chunks (CSV in a mixed folder) and gets them
 * as transferred ArrayBuffers, one request in flight per range hyparquet asks for.
 *
 * If the worker cannot start (no worker file beside the code) or runs out of its capped heap (a file
 * whose row groups are too big for it), the check runs again on the calling thread, uncapped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkSources, type CheckOptions, type QualityReport } from './engine';
import type { RuleSet } from './rules';
import { formatOf, type SourceBlob } from './source';

/** Old-generation cap of the worker's heap (MB); a larger live set falls back to the caller's heap. */
export const WORKER_OLD_SPACE_MB = 96;
const WORKER_YOUNG_SPACE_MB = 24;

type ToWorker =
  | { type: 'start'; sources: Array<{ name: string; size: number }>; rules: RuleSet; classifiedColumns?: string[]; now: number }
  | { type: 'data'; id: number; buf: ArrayBuffer | null; error?: { name: string; message: string } }
  | { type: 'abort' };
type FromWorker =
  | { type: 'read'; id: number; index: number; start: number; end: number }
  | { type: 'open'; id: number; index: number }
  | { type: 'pull'; id: number; stream: number }
  | { type: 'close'; id: number }
  | { type: 'progress'; message: string }
  | { type: 'done'; report: QualityReport }
  | { type: 'error'; name: string; message: string };

const MARK = 'gds-quality-worker';

/** The worker script: beside this module (out/) or the bundle's own entry (dist/qualityWorker.js). */
function workerFile(): string | undefined {
  for (const f of [path.join(__dirname, 'worker.js'), path.join(__dirname, 'qualityWorker.js')]) {
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

const abortError = () => Object.assign(new Error('The check was cancelled.'), { name: 'AbortError' });

/**
 * `checkSources` with Parquet decoding in a heap-capped worker (see above); all-CSV checks, which
 * stream with flat memory already, run on the calling thread as before.
 */
export async function checkSourcesIsolated(sources: readonly SourceBlob[], rules: RuleSet, options: CheckOptions = {}, now = Date.now()): Promise<QualityReport> {
  const file = workerFile();
  if (!file || process.env.GDS_QUALITY_IN_PROCESS === '1' || !sources.some((s) => formatOf(s.name, rules.format) === 'parquet')) {
    return checkSources(sources, rules, options, now);
  }
  try {
    return await runInWorker(file, sources, rules, options, now);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_OUT_OF_MEMORY' && (e as { code?: string }).code !== 'GDS_WORKER_START') throw e;
    options.onProgress?.(`the capped worker could not finish (${(e as Error).message}); checking again on this thread`);
    return checkSources(sources, rules, options, now);
  }
}

function runInWorker(file: string, sources: readonly SourceBlob[], rules: RuleSet, options: CheckOptions, now: number): Promise<QualityReport> {
  return new Promise<QualityReport>((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) return reject(abortError());
    const worker = new Worker(file, {
      workerData: { mark: MARK },
      resourceLimits: { maxOldGenerationSizeMb: WORKER_OLD_SPACE_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_SPACE_MB },
      stdout: false,
      stderr: false,
    });
    const streams = new Map<number, AsyncIterator<Buffer | string>>();
    let settled = false;
    let started = false;
    const finish = (err: Error | undefined, report?: QualityReport) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      for (const it of streams.values()) void it.return?.();
      streams.clear();
      void worker.terminate();
      if (err) reject(err);
      else resolve(report as QualityReport);
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort' } satisfies ToWorker);
      finish(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const send = (id: number, buf: ArrayBuffer | null, error?: unknown) => {
      if (settled) return;
      const msg: ToWorker = { type: 'data', id, buf, ...(error ? { error: { name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) } } : {}) };
      worker.postMessage(msg, buf ? [buf] : []);
    };
    worker.on('online', () => (started = true));
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'read':
          sources[m.index].read(m.start, m.end, signal).then((buf) => send(m.id, buf), (e) => send(m.id, null, e));
          break;
        case 'open':
          sources[m.index].stream(signal).then((s) => {
            streams.set(m.id, s[Symbol.asyncIterator]());
            send(m.id, new ArrayBuffer(0));
          }, (e) => send(m.id, null, e));
          break;
        case 'pull': {
          const it = streams.get(m.stream);
          if (!it) return send(m.id, null, new Error('stream closed'));
          it.next().then((r) => {
            if (r.done) {
              streams.delete(m.stream);
              return send(m.id, null);
            }
            const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
            const copy = new ArrayBuffer(chunk.byteLength);
            new Uint8Array(copy).set(chunk);
            send(m.id, copy);
          }, (e) => send(m.id, null, e));
          break;
        }
        case 'close':
          void streams.get(m.id)?.return?.();
          streams.delete(m.id);
          break;
        case 'progress':
          options.onProgress?.(m.message);
          break;
        case 'done':
          finish(undefined, m.report);
          break;
        case 'error':
          finish(m.name === 'AbortError' ? abortError() : new Error(m.message));
          break;
      }
    });
    worker.on('error', (e) => finish(started ? e : Object.assign(e, { code: (e as { code?: string }).code ?? 'GDS_WORKER_START' })));
    worker.on('exit', (code) => finish(Object.assign(new Error(`the quality worker stopped (exit code ${code})`), { code: started ? 'GDS_WORKER_EXIT' : 'GDS_WORKER_START' })));
    const start: ToWorker = { type: 'start', sources: sources.map((s) => ({ name: s.name, size: s.size })), rules, classifiedColumns: options.classifiedColumns, now };
    worker.postMessage(start);
  });
}

/** The worker side: proxies of the caller's blobs, then the engine's own check. */
function workerMain(): void {
  const port = parentPort;
  if (!port) return;
  const controller = new AbortController();
  const pending = new Map<number, { resolve(b: ArrayBuffer | null): void; reject(e: Error): void }>();
  let nextId = 1;
  const ask = (msg: Extract<FromWorker, { type: 'read' | 'open' | 'pull' }>): Promise<ArrayBuffer | null> =>
    new Promise((resolve, reject) => {
      if (controller.signal.aborted) return reject(abortError());
      pending.set(msg.id, { resolve, reject });
      port.postMessage(msg);
    });
  const proxy = (index: number, name: string, size: number): SourceBlob => ({
    name,
    size,
    async read(start, end) {
      return (await ask({ type: 'read', id: nextId++, index, start, end })) as ArrayBuffer;
    },
    async stream() {
      const id = nextId++;
      await ask({ type: 'open', id, index });
      return Readable.from((async function* () {
        try {
          for (;;) {
            const buf = await ask({ type: 'pull', id: nextId++, stream: id });
            if (!buf) return;
            yield Buffer.from(buf);
          }
        } finally {
          port.postMessage({ type: 'close', id } satisfies FromWorker);
        }
      })(), { objectMode: false });
    },
  });
  port.on('message', (m: ToWorker) => {
    if (m.type === 'abort') {
      controller.abort();
      for (const p of pending.values()) p.reject(abortError());
      pending.clear();
    } else if (m.type === 'data') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
      else p.resolve(m.buf);
    } else if (m.type === 'start') {
      void (async () => {
        try {
          const sources = m.sources.map((s, i) => proxy(i, s.name, s.size));
          const report = await checkSources(sources, m.rules, {
            classifiedColumns: m.classifiedColumns,
            signal: controller.signal,
            onProgress: (message) => port.postMessage({ type: 'progress', message } satisfies FromWorker),
          }, m.now);
          port.postMessage({ type: 'done', report } satisfies FromWorker);
        } catch (e) {
          port.postMessage({ type: 'error', name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) } satisfies FromWorker);
        }
      })();
    }
  });
}

if (!isMainThread && (workerData as { mark?: string } | undefined)?.mark === MARK) workerMain();
