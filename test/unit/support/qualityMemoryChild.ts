/**
 * Child process of quality-memory.test.ts, so each measurement is one process's own peak RSS:
 *  `node qualityMemoryChild.js write <file> <groups>`: a Parquet file of `groups` row groups of
 *    100,000 rows (id, region, amount, code, created_at, m1), like the bench's measurements table;
 *  `node qualityMemoryChild.js check <file> [ballastMB]`: with a live heap of ballastMB beside it, checks it with the bench's ten rules the way the editor and the
 *    gate do (checkQuality's path: checkSourcesIsolated), from the file by ranged reads, and prints
 *    `{ rows, outcome, peakRssMB }` (Linux VmHWM).
 */
import * as fs from 'node:fs';
import type { SourceBlob } from '../../../src/workflows/quality';
import { checkSourcesIsolated } from '../../../src/workflows/quality/worker';

const REGIONS = ['EU', 'US', 'APAC', 'LATAM'];
const BASE = Date.parse('2026-01-01T00:00:00Z');
const GROUP = 100_000;

async function write(file: string, groups: number): Promise<void> {
  const w = (await import('hyparquet-writer')) as unknown as {
    fileWriter(f: string): unknown;
    ParquetWriter: new (o: unknown) => { write(o: unknown): void | Promise<void>; finish(): void | Promise<void> };
    schemaFromColumnData(o: unknown): unknown;
  };
  const batch = (start: number) => [
    { name: 'id', type: 'INT32', data: Int32Array.from({ length: GROUP }, (_v, i) => start + i + 1), nullable: false },
    { name: 'region', type: 'STRING', data: Array.from({ length: GROUP }, (_v, i) => REGIONS[(start + i) % 4]) },
    { name: 'amount', type: 'DOUBLE', data: Float64Array.from({ length: GROUP }, (_v, i) => (((start + i) * 7919) % 100000) / 10), nullable: false },
    { name: 'code', type: 'STRING', data: Array.from({ length: GROUP }, (_v, i) => `ABC-${String((start + i) % 10000).padStart(4, '0')}`) },
    { name: 'created_at', type: 'TIMESTAMP', data: Array.from({ length: GROUP }, (_v, i) => new Date(BASE + (start + i) * 1000)) },
    { name: 'm1', type: 'DOUBLE', data: Float64Array.from({ length: GROUP }, () => Math.random()), nullable: false },
  ];
  const first = batch(0);
  const pw = new w.ParquetWriter({ writer: w.fileWriter(file), schema: w.schemaFromColumnData({ columnData: first }), statistics: false });
  for (let g = 0; g < groups; g++) await pw.write({ columnData: g ? batch(g * GROUP) : first, rowGroupSize: GROUP });
  await pw.finish();
}

function fileSource(file: string): SourceBlob {
  const fd = fs.openSync(file, 'r');
  return {
    name: file,
    size: fs.fstatSync(fd).size,
    stream: async () => fs.createReadStream(file),
    read: (start, end) => new Promise((resolve, reject) => {
      const ab = new ArrayBuffer(end - start);
      fs.read(fd, new Uint8Array(ab), 0, end - start, start, (e) => (e ? reject(e) : resolve(ab)));
    }),
  };
}

function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

async function main(): Promise<void> {
  const [mode, file, arg] = process.argv.slice(2);
  if (mode === 'write') return write(file, Number(arg));
  // Ballast: a live JavaScript heap of about `arg` MB that stays reachable, as the extension host's
  // own (other extensions, the editor's state) does; V8 sizes its heap from what is live.
  const ballast: Array<{ a: number; b: string }[]> = [];
  for (let mb = 0; mb < Number(arg ?? 0); mb++) ballast.push(Array.from({ length: 16_384 }, (_v, i) => ({ a: i, b: `v${mb}:${i}` })));
  (globalThis as { __ballast?: unknown }).__ballast = ballast;
  const report = await checkSourcesIsolated([fileSource(file)], {
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
  });
  process.stdout.write(`${JSON.stringify({ rows: report.files[0]?.rows, outcome: report.outcome, peakRssMB: peakRssMB() })}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
