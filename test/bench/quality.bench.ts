/**
 * Data-quality bench (run by scripts/bench.js, recorded under `quality`), against a sandbox it
 * starts, over HTTPS with the real storage client:
 *
 *  A 1 GB CSV (orders: id, region, amount, email, code, created_at, a 32-character note) and a 1 GB
 *  Parquet file (measurements: id, region, amount, code, created_at, six doubles; row groups of
 *  100,000 rows, snappy) are generated on the fly and
 *  streamed into the sandbox's blob storage, plus 100 MB versions of both. Each is then read, in a
 *  child process of its own, (a) by the bare parser alone (papaparse over the download stream;
 *  hyparquet row group by row group over ranged downloads, the same columns) and (b) by the engine
 *  with ten rules (CSV: schema with types, not_null, unique, row_count, two regexes,
 *  accepted_values, range, missing_percent, freshness; Parquet: the same with a second range
 *  instead of the second regex). Throughput is file MB per second of wall time; the ratio is
 *  engine / parser (target >= 0.5); peak memory is the child's max RSS (target < 256 MB), at 1 GB
 *  and at 100 MB to show it stays flat.
 *
 * Knobs: GDS_BENCH_QUALITY_MB (1024), GDS_BENCH_QUALITY_SMALL_MB (100).
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { once } from 'node:events';
import { AzureClientFactory, defaultStorageAccountParameters, sandboxCloud, sandboxCredentials, type AzureClients } from '../../src/azure';
import { startSandbox } from '../../src/sandbox';
import type { RuleSet } from '../../src/workflows/quality';

const num = (name: string, dflt: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const log = (m: string) => process.stderr.write(`[bench:quality] ${m}\n`);
const r2 = (x: number) => Math.round(x * 100) / 100;
const MB = 1024 * 1024;
const REGIONS = ['EU', 'US', 'APAC', 'LATAM'];
const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');

export const BENCH_RULES: RuleSet = {
  version: 1,
  rules: [
    { kind: 'schema', required: ['id', 'region', 'amount', 'email', 'created_at'], types: { id: 'integer', amount: 'number', created_at: 'timestamp' } },
    { kind: 'not_null', column: 'id' },
    { kind: 'unique', column: 'id' },
    { kind: 'row_count', min: 1 },
    { kind: 'regex', column: 'code', pattern: '^[A-Z]{3}-\\d{4}$' },
    { kind: 'accepted_values', column: 'region', values: REGIONS },
    { kind: 'range', column: 'amount', min: 0, max: 10000 },
    { kind: 'missing_percent', column: 'email', max: 1 },
    { kind: 'freshness', column: 'created_at', maxAge: '36500d' },
    { kind: 'regex', column: 'note', pattern: '^[0-9a-f]{32}$' },
  ],
};
const COLUMNS = ['id', 'region', 'amount', 'email', 'code', 'created_at', 'note'];

/** Parquet: a measurements table (id, region, amount, code, created_at and six measures m1…m6). */
export const PARQUET_RULES: RuleSet = {
  version: 1,
  rules: [
    { kind: 'schema', required: ['id', 'region', 'amount', 'code', 'created_at'], types: { id: 'integer', amount: 'number', created_at: 'timestamp', m1: 'number' } },
    { kind: 'not_null', column: 'id' },
    { kind: 'unique', column: 'id' },
    { kind: 'row_count', min: 1 },
    { kind: 'regex', column: 'code', pattern: '^[A-Z]{3}-\\d{4}$' },
    { kind: 'accepted_values', column: 'region', values: REGIONS },
    { kind: 'range', column: 'amount', min: 0, max: 10000 },
    { kind: 'missing_percent', column: 'code', max: 1 },
    { kind: 'freshness', column: 'created_at', maxAge: '36500d' },
    { kind: 'range', column: 'm1', min: 0, max: 1 },
  ],
};
const PARQUET_COLUMNS = ['id', 'region', 'amount', 'code', 'created_at', 'm1'];

/** CSV rows until `bytes` (one header line), in ~1 MB chunks. */
function csvStream(bytes: number): Readable {
  let written = 0;
  let id = 0;
  return Readable.from((function* () {
    const header = `${COLUMNS.join(',')}\n`;
    written += header.length;
    yield Buffer.from(header);
    while (written < bytes) {
      const rows = 8000;
      const notes = crypto.randomBytes(16 * rows).toString('hex');
      let chunk = '';
      for (let k = 0; k < rows && written + chunk.length < bytes; k++) {
        id++;
        chunk += `${id},${REGIONS[id % 4]},${((id * 7919) % 100000) / 10},user${id}@example.com,ABC-${String(id % 10000).padStart(4, '0')},${new Date(BASE_TIME + id * 1000).toISOString()},${notes.slice(k * 32, k * 32 + 32)}\n`;
      }
      written += chunk.length;
      yield Buffer.from(chunk);
    }
  })(), { objectMode: false });
}

/** Parquet with row groups of 100,000 rows until about `bytes`, written as it is uploaded. */
async function parquetStream(bytes: number, out: PassThrough): Promise<number> {
  const w = (await import('hyparquet-writer')) as unknown as {
    ByteWriter: new () => Record<string, unknown> & { buffer: ArrayBuffer; view: DataView; index: number; offset: number };
    ParquetWriter: new (o: unknown) => { write(o: unknown): void | Promise<void>; finish(): void | Promise<void> };
    schemaFromColumnData(o: unknown): unknown;
  };
  const writer = new w.ByteWriter();
  const push = () => {
    if (writer.index > 0) {
      out.write(Buffer.from(writer.buffer.slice(0, writer.index)));
      writer.index = 0;
    }
  };
  writer.ensure = (size: number) => {
    if (writer.index > MB) push();
    if (writer.index + size > writer.buffer.byteLength) {
      const grown = new ArrayBuffer(Math.max(writer.buffer.byteLength * 2, writer.index + size));
      new Uint8Array(grown).set(new Uint8Array(writer.buffer, 0, writer.index));
      writer.buffer = grown;
      writer.view = new DataView(grown);
    }
  };
  writer.flush = async () => {
    push();
    if (out.writableNeedDrain) await once(out, 'drain');
  };
  writer.finish = () => {
    push();
    out.end();
  };
  const group = 100_000;
  const batch = (start: number) => {
    return [
      { name: 'id', type: 'INT32', data: Int32Array.from({ length: group }, (_v, i) => start + i + 1), nullable: false },
      { name: 'region', type: 'STRING', data: Array.from({ length: group }, (_v, i) => REGIONS[(start + i + 1) % 4]) },
      { name: 'amount', type: 'DOUBLE', data: Float64Array.from({ length: group }, (_v, i) => (((start + i + 1) * 7919) % 100000) / 10), nullable: false },
      { name: 'code', type: 'STRING', data: Array.from({ length: group }, (_v, i) => `ABC-${String((start + i + 1) % 10000).padStart(4, '0')}`) },
      { name: 'created_at', type: 'TIMESTAMP', data: Array.from({ length: group }, (_v, i) => new Date(BASE_TIME + (start + i + 1) * 1000)) },
      ...[1, 2, 3, 4, 5, 6].map((k) => ({ name: `m${k}`, type: 'DOUBLE', data: Float64Array.from({ length: group }, () => Math.random()), nullable: false })),
    ];
  };
  const first = batch(0);
  const pw = new w.ParquetWriter({ writer, schema: w.schemaFromColumnData({ columnData: first }), statistics: false });
  let rows = 0;
  let data = first;
  while (writer.offset < bytes) {
    await pw.write({ columnData: data, rowGroupSize: group });
    rows += group;
    data = batch(rows);
  }
  await pw.finish();
  return rows;
}

interface ChildResult {
  ms: number;
  rows: number;
  bytes: number;
  maxRssMB: number;
  outcome?: string;
}

function child(job: object): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(__dirname, 'qualityChild.js'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`bench child failed (${code}): ${err}`));
      if (err.trim()) log(`child: ${err.trim().slice(0, 500)}`);
      resolve(JSON.parse(out.trim().split('\n').pop() as string) as ChildResult);
    });
  });
}

export async function run(): Promise<object> {
  const bigMB = num('GDS_BENCH_QUALITY_MB', 1024);
  const smallMB = num('GDS_BENCH_QUALITY_SMALL_MB', 100);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-bench-quality-'));
  const sandbox = await startSandbox({ port: 0, dataDir, quiet: true, lroRetryAfterSeconds: 0 });
  try {
    const contoso = sandbox.description.tenants.find((t) => t.displayName.startsWith('Contoso'))!;
    const sub = contoso.subscriptions[0].subscriptionId;
    const clients: AzureClients = new AzureClientFactory({ lro: { intervalInMs: 100 } }).forTenant(
      sandboxCloud(sandbox.description, sandbox.ca), contoso.tenantId, sandboxCredentials(sandbox.description, contoso.tenantId, 'servicePrincipal', { caPem: sandbox.ca }));
    await clients.resources(sub).resourceGroups.createOrUpdate('rg-bench', { location: 'westeurope' });
    const account = 'benchquality';
    const storage = await clients.storage(sub).accounts.createAndWait('rg-bench', account, defaultStorageAccountParameters('westeurope'));
    await clients.storage(sub).containers.create('rg-bench', account, 'dqbench');
    await clients.authorization(sub).ensureRoleAssignment({ scope: storage.id!, role: 'StorageBlobDataContributor', principalId: contoso.servicePrincipals[0].objectId, principalType: 'ServicePrincipal' });
    const container = clients.blobForAccount(account).container('dqbench');

    const files: Record<string, { name: string; bytes: number }> = {};
    for (const [label, mb] of [['small', smallMB], ['big', bigMB]] as const) {
      const csvName = `orders-${mb}mb.csv`;
      let t0 = performance.now();
      await container.getBlockBlobClient(csvName).uploadStream(csvStream(mb * MB), 8 * MB, 4);
      log(`uploaded ${csvName} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const pqName = `orders-${mb}mb.parquet`;
      t0 = performance.now();
      const pass = new PassThrough({ highWaterMark: 8 * MB });
      const [, rows] = await Promise.all([container.getBlockBlobClient(pqName).uploadStream(pass, 8 * MB, 4), parquetStream(mb * MB, pass)]);
      log(`uploaded ${pqName} (${rows} rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      files[`csv-${label}`] = { name: csvName, bytes: (await container.getBlobClient(csvName).getProperties()).contentLength ?? 0 };
      files[`parquet-${label}`] = { name: pqName, bytes: (await container.getBlobClient(pqName).getProperties()).contentLength ?? 0 };
    }

    const job = (format: 'csv' | 'parquet', mode: 'check' | 'parse', size: 'small' | 'big') => ({
      mode, format, sandboxJson: sandbox.descriptionPath, tenantId: contoso.tenantId, account, container: 'dqbench', blob: files[`${format}-${size}`].name, rules: format === 'csv' ? BENCH_RULES : PARQUET_RULES, columns: format === 'csv' ? COLUMNS : PARQUET_COLUMNS,
    });
    const out: Record<string, unknown> = {};
    let within = true;
    for (const format of ['csv', 'parquet'] as const) {
      const parse = await child(job(format, 'parse', 'big'));
      log(`${format} parser: ${parse.rows} rows in ${(parse.ms / 1000).toFixed(1)} s, ${parse.maxRssMB.toFixed(0)} MB RSS`);
      const check = await child(job(format, 'check', 'big'));
      log(`${format} engine: ${check.rows} rows in ${(check.ms / 1000).toFixed(1)} s, ${check.maxRssMB.toFixed(0)} MB RSS, outcome ${check.outcome}`);
      const small = await child(job(format, 'check', 'small'));
      log(`${format} engine at ${smallMB} MB: ${(small.ms / 1000).toFixed(1)} s, ${small.maxRssMB.toFixed(0)} MB RSS`);
      const sizeMB = check.bytes / MB;
      const engineMBps = sizeMB / (check.ms / 1000);
      const parserMBps = sizeMB / (parse.ms / 1000);
      const ratio = engineMBps / parserMBps;
      const peak = Math.max(check.maxRssMB, small.maxRssMB);
      within &&= ratio >= 0.5 && peak < 256 && check.outcome === 'pass';
      out[format] = {
        sizeMB: r2(sizeMB), rows: check.rows, rules: 10, outcome: check.outcome,
        engineMBps: r2(engineMBps), parserMBps: r2(parserMBps), ratio: r2(ratio),
        peakRssMB: r2(check.maxRssMB), peakRssMB100: r2(small.maxRssMB), parserPeakRssMB: r2(parse.maxRssMB),
        engineSeconds: r2(check.ms / 1000), parserSeconds: r2(parse.ms / 1000),
      };
    }
    return { ...out, targets: { ratio: 0.5, peakRssMB: 256 }, withinTargets: within };
  } finally {
    await sandbox.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
