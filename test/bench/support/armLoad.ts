/**
 * Load generator for the sandbox ARM GET bench. Runs as a worker thread (so the client does not
 * share the sandbox's event loop), or in-process via `armGetLoad`: `concurrency` loops of
 * keep-alive HTTPS GETs for `durationMs` after a short warm-up, measuring each request's latency.
 */
import * as https from 'node:https';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface ArmLoadInput {
  url: string;
  token: string;
  ca: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface ArmLoadResult {
  requests: number;
  errors: number;
  statusCounts: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
  sockets: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export async function armGetLoad(input: ArmLoadInput): Promise<ArmLoadResult> {
  const url = new URL(input.url);
  const agent = new https.Agent({ keepAlive: true, maxSockets: input.concurrency, ca: input.ca });
  const sockets = new Set<unknown>();
  const options: https.RequestOptions = {
    method: 'GET',
    host: url.hostname,
    port: url.port,
    path: url.pathname + url.search,
    agent,
    headers: { authorization: `Bearer ${input.token}`, accept: 'application/json' },
  };
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const req = https.request(options, (res) => {
        sockets.add(res.socket);
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });

  const statusCounts: Record<string, number> = {};
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  const warmupEnd = Date.now() + input.warmupMs;
  let end = warmupEnd + input.durationMs;
  let measuredStart = 0;
  const loop = async () => {
    for (;;) {
      const now = Date.now();
      if (!measuring && now >= warmupEnd) {
        measuring = true;
        measuredStart = performance.now();
        end = now + input.durationMs;
      }
      if (now >= end) {
        return;
      }
      const t0 = performance.now();
      try {
        const status = await once();
        if (measuring) {
          latencies.push(performance.now() - t0);
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          if (status !== 200) {
            errors++;
          }
        }
      } catch {
        if (measuring) {
          errors++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, loop));
  const seconds = (performance.now() - measuredStart) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
  return {
    requests: latencies.length,
    errors,
    statusCounts,
    seconds: round(seconds, 3),
    requestsPerSecond: round(latencies.length / seconds, 1),
    latencyMs: { p50: round(quantile(latencies, 0.5)), p95: round(quantile(latencies, 0.95)), p99: round(quantile(latencies, 0.99)), max: round(latencies[latencies.length - 1] ?? 0), mean: round(mean) },
    sockets: sockets.size,
  };
}

if (!isMainThread && parentPort && workerData) {
  const port = parentPort;
  armGetLoad(workerData as ArmLoadInput).then(
    (r) => port.postMessage({ ok: true, result: r }),
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
}
