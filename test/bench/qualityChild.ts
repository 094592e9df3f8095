/**
 * One measured run of the data-quality bench in its own process, so the peak RSS it reports is
 * the checker's (or the bare parser's) own: `node qualityChild.js '<json>'` with
 * `{ mode: 'check'|'parse', sandboxJson, tenantId, account, container, blob, format, rules }`;
 * prints one JSON line `{ ms, rows, bytes, maxRssMB, outcome? }`.
 */
import * as fs from 'node:fs';
import { AzureClients, loadSandboxCloud, sandboxCredentials } from '../../src/azure';
import { parseCsvOnly } from '../../src/workflows/quality/csv';
import { checkQuality, listTarget, type RuleSet } from '../../src/workflows/quality';
import { parseParquetOnly } from '../../src/workflows/quality/parquet';

interface Job {
  mode: 'check' | 'parse';
  sandboxJson: string;
  tenantId: string;
  account: string;
  container: string;
  blob: string;
  format: 'csv' | 'parquet';
  rules: RuleSet;
  /** Columns the rules read (the parser reads the same ones from Parquet). */
  columns: string[];
}

/**
 * This process's own peak RSS: Linux's VmHWM (the high-water mark of this address space). Not
 * getrusage's maxrss, which on Linux keeps the parent's RSS from before exec.
 */
function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    /* not Linux */
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2]) as Job;
  const { cloud, description } = await loadSandboxCloud(job.sandboxJson);
  const clients = new AzureClients(cloud, job.tenantId, sandboxCredentials(description, job.tenantId, 'servicePrincipal', { caPem: cloud.caPem }));
  const target = { clients, storageAccount: job.account, container: job.container, path: job.blob };
  const [src] = await listTarget(target);
  const t0 = performance.now();
  let rows = 0;
  let outcome: string | undefined;
  if (job.mode === 'parse') {
    rows = job.format === 'csv' ? await parseCsvOnly(src) : await parseParquetOnly(src, job.columns);
  } else {
    const report = await checkQuality({ ...target, rules: job.rules });
    rows = report.files.reduce((n, f) => n + f.rows, 0);
    outcome = report.outcome;
    const notPassing = report.results.filter((r) => r.outcome !== 'pass');
    if (notPassing.length) process.stderr.write(`${JSON.stringify(notPassing.map((r) => [r.ruleId, r.outcome, r.message]))}\n`);
  }
  const ms = performance.now() - t0;
  process.stdout.write(JSON.stringify({ ms, rows, bytes: src.size, maxRssMB: peakRssMB(), outcome }) + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
