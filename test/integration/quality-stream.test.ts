/**
 * The data-quality engine reading straight from sandbox blob storage over HTTPS with the signed-in
 * identity (the real storage-blob client): a CSV streamed, a Parquet file read by ranged downloads
 * one row group at a time, a folder dataset of several files checked as one table, and a starting
 * rules file scaffolded from the data's own columns.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type { RunningSandbox } from '../../src/sandbox';
import type { RecipeEnv } from '../../src/workflows/env';
import { blobSource, checkQuality, checkSources, inferColumns, listTarget, parseRules, scaffoldRules, type QualityTarget, type RuleSet, type SourceBlob } from '../../src/workflows/quality';
import { stepsFor } from '../../src/workflows/recipe';
import { freshPlan, recipeEnv, runRecipe } from './support/recipe';
import { startTestSandbox } from './support/sandbox';

const ROWS = 40_000;

function csvRows(from: number, n: number, bad: (i: number) => boolean = () => false): string {
  const lines = ['order_id,region,amount,email,updated'];
  for (let i = from; i < from + n; i++) lines.push(`${i},${['EU', 'US', 'APAC'][i % 3]},${bad(i) ? -1 : (i % 500) + 0.5},user${i}@contoso.com,2026-12-0${1 + (i % 5)}T10:00:00Z`);
  return lines.join('\n') + '\n';
}

function rulesOf(yaml: string): RuleSet {
  const r = parseRules(`version: 1\nrules:\n${yaml}`, 'x.dq.yaml');
  assert.deepEqual(r.problems, []);
  return r.rules as RuleSet;
}

describe('data-quality engine over sandbox blob storage (HTTPS, real clients)', function () {
  this.timeout(240_000);
  let sandbox: RunningSandbox;
  let env: RecipeEnv;
  let target: Omit<QualityTarget, 'path'>;

  before(async () => {
    ({ sandbox } = await startTestSandbox('quality-stream'));
    env = await recipeEnv(sandbox, freshPlan('dqstream'));
    const r = await runRecipe(env, undefined, stepsFor(['provider.upload']));
    assert.ok(r.ok, JSON.stringify(r.outcomes.filter((o) => o.status !== 'succeeded')));
    const blob = env.provider.clients.blobForAccount(env.provider.plan.storageAccount);
    const c = env.provider.plan.container;
    await blob.upload(c, 'big/orders.csv', csvRows(1, ROWS, (i) => i === 31_337));
    const w = (await import('hyparquet-writer')) as unknown as { parquetWriteBuffer(o: unknown): ArrayBuffer };
    const n = ROWS;
    const pq = w.parquetWriteBuffer({
      columnData: [
        { name: 'order_id', type: 'INT32', data: Int32Array.from({ length: n }, (_v, i) => (i === 25_000 ? 7 : i + 1)) },
        { name: 'region', type: 'STRING', data: Array.from({ length: n }, (_v, i) => ['EU', 'US', 'APAC'][i % 3]) },
        { name: 'amount', type: 'DOUBLE', data: Float64Array.from({ length: n }, (_v, i) => (i % 500) + 0.5) },
        { name: 'note', type: 'STRING', data: Array.from({ length: n }, () => crypto.randomBytes(48).toString('hex')) },
      ],
      rowGroupSize: 5_000,
    });
    await blob.upload(c, 'pq/orders.parquet', new Uint8Array(pq));
    await blob.upload(c, 'parts/2026/a.csv', csvRows(1, 100));
    await blob.upload(c, 'parts/2026/b.csv', csvRows(101, 100, (i) => i === 150));
    await blob.upload(c, 'parts/2026/c.csv', csvRows(200, 10));
    await blob.upload(c, 'parts/2026/notes.md', '# not data\n');
    target = { clients: env.provider.clients, storageAccount: env.provider.plan.storageAccount, container: c };
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('streams a CSV blob and finds the one bad row among 40 000, with its sample masked', async () => {
    const progress: string[] = [];
    const report = await checkQuality({
      ...target,
      path: 'big/orders.csv',
      rules: rulesOf('  - { kind: range, column: amount, min: 0 }\n  - { kind: unique, column: order_id }\n  - { kind: row_count, min: 40000, max: 40000 }\n  - { kind: regex, column: email, pattern: "@contoso\\\\.com$" }\n'),
      onProgress: (m) => progress.push(m),
    });
    assert.deepEqual(report.files.map((f) => [f.name, f.format, f.rows]), [['big/orders.csv', 'csv', ROWS]]);
    const range = report.results.find((r) => r.ruleId === 'range:amount');
    assert.equal(range?.outcome, 'fail');
    assert.equal(range?.failedCount, 1);
    assert.equal(range?.sample[0].row, 31_337);
    assert.deepEqual(range?.sample[0].values, { order_id: '31337', region: 'APAC', amount: '-1', email: '[masked: email]', updated: '2026-12-03T10:00:00Z' });
    assert.deepEqual(report.results.filter((r) => r.outcome !== 'fail').map((r) => r.outcome), ['pass', 'pass', 'pass']);
    assert.equal(report.outcome, 'fail');
    assert.ok(progress.some((m) => /big\/orders\.csv: 40,000 row\(s\)/.test(m)), progress.join('\n'));
  });

  it('reads a Parquet blob by ranged downloads, one row group at a time, never the whole file at once', async () => {
    const [src] = await listTarget({ ...target, path: 'pq/orders.parquet' });
    const ranges: Array<[number, number]> = [];
    const spy: SourceBlob = { ...src, read: (s, e, sig) => (ranges.push([s, e]), src.read(s, e, sig)), stream: () => Promise.reject(new Error('Parquet must not be streamed whole')) };
    const report = await checkSources([spy], rulesOf('  - { kind: unique, column: order_id }\n  - { kind: range, column: amount, min: 0, max: 500 }\n  - { kind: accepted_values, column: region, values: [EU, US, APAC] }\n'));
    assert.equal(report.files[0].rows, ROWS);
    const unique = report.results.find((r) => r.ruleId === 'unique:order_id');
    assert.equal(unique?.outcome, 'fail');
    assert.equal(unique?.failedCount, 1);
    assert.equal(unique?.sample[0].row, 25_001);
    assert.equal(report.results.filter((r) => r.outcome === 'pass').length, 2);
    // The footer, then the needed column chunks of each of the 8 row groups; the wide `note` column is never read.
    assert.ok(ranges.length >= 9, `${ranges.length} ranged reads`);
    const largest = Math.max(...ranges.map(([s, e]) => e - s));
    assert.ok(largest < src.size / 4, `largest read ${largest} of ${src.size} bytes`);
    assert.ok(ranges.reduce((n, [s, e]) => n + e - s, 0) < src.size * 0.75, 'only the columns the rules use are downloaded');
    // Same through blobSource directly: a range is a 206 of exactly those bytes.
    const direct = blobSource(target, 'pq/orders.parquet', src.size);
    const tail = new Uint8Array(await direct.read(src.size - 4, src.size));
    assert.equal(Buffer.from(tail).toString('latin1'), 'PAR1');
  });

  it('checks every file of a folder dataset as one table, leaving out what is not data', async () => {
    const report = await checkQuality({
      ...target,
      path: 'parts/2026',
      rules: rulesOf('  - { kind: unique, column: order_id }\n  - { kind: range, column: amount, min: 0 }\n  - { kind: row_count, min: 210, max: 210 }\n  - { kind: freshness, column: updated, maxAge: 10000d }\n'),
    });
    assert.deepEqual(report.files.map((f) => [f.name, f.rows]), [['parts/2026/a.csv', 100], ['parts/2026/b.csv', 100], ['parts/2026/c.csv', 10]]);
    assert.deepEqual(report.skipped, ['parts/2026/notes.md']);
    const u = report.results.find((r) => r.ruleId === 'unique:order_id');
    assert.equal(u?.failedCount, 1);
    assert.deepEqual(u?.sample.map((s) => [s.file, s.row]), [['parts/2026/c.csv', 1]]);
    const range = report.results.find((r) => r.ruleId === 'range:amount');
    assert.deepEqual(range?.sample.map((s) => [s.file, s.row]), [['parts/2026/b.csv', 50]]);
    assert.equal(report.results.find((r) => r.kind === 'row_count')?.outcome, 'pass');
    assert.equal(report.results.find((r) => r.kind === 'freshness')?.observedValue, '2026-12-05T10:00:00.000Z');
    await assert.rejects(checkQuality({ ...target, path: 'nothing/here', rules: rulesOf('  - { kind: row_count, min: 1 }\n') }), /Nothing to check: .*nothing\/here holds no file/);
  });

  it('infers the columns of a CSV and a Parquet blob and scaffolds rules that pass on that data', async () => {
    const cols = await inferColumns({ ...target, path: 'big/orders.csv' });
    assert.deepEqual(cols, [{ name: 'order_id', type: 'integer' }, { name: 'region', type: 'string' }, { name: 'amount', type: 'number' }, { name: 'email', type: 'string' }, { name: 'updated', type: 'timestamp' }]);
    const pq = await inferColumns({ ...target, path: 'pq' });
    assert.deepEqual(pq.map((c) => `${c.name}:${c.type}`), ['order_id:integer', 'region:string', 'amount:number', 'note:string']);
    const scaffold = parseRules(scaffoldRules(cols, 'yaml'), 'orders.dq.yaml');
    assert.deepEqual(scaffold.problems, []);
    const report = await checkQuality({ ...target, path: 'parts/2026/a.csv', rules: { ...(scaffold.rules as RuleSet), rules: (scaffold.rules as RuleSet).rules.filter((r) => r.kind !== 'freshness') } });
    assert.equal(report.outcome, 'pass', JSON.stringify(report.results.filter((r) => r.outcome !== 'pass')));
  });
});
