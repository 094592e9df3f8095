import * as assert from 'node:assert/strict';
import { checkSources, formatQualityReport, inferFromSources, memorySource, parseRules, type QualityReport, type RuleResult, type RuleSet } from '../../src/workflows/quality';

/** The same table as CSV text and as a Parquet file (written with hyparquet-writer, small row groups). */
interface Col {
  name: string;
  type: 'STRING' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';
  data: unknown[];
}

async function parquetOf(cols: Col[], rowGroupSize = 3): Promise<Uint8Array> {
  const w = (await import('hyparquet-writer')) as unknown as { parquetWriteBuffer(o: unknown): ArrayBuffer };
  return new Uint8Array(w.parquetWriteBuffer({ columnData: cols.map((c) => ({ name: c.name, data: c.data, type: c.type, nullable: true })), rowGroupSize }));
}

function csvOf(cols: Col[]): string {
  const n = cols[0].data.length;
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return '';
    const s = v instanceof Date ? v.toISOString() : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [cols.map((c) => c.name).join(',')];
  for (let i = 0; i < n; i++) lines.push(cols.map((c) => cell(c.data[i])).join(','));
  return lines.join('\n') + '\n';
}

function rules(yaml: string): RuleSet {
  const r = parseRules(`version: 1\nrules:\n${yaml}`, 't.dq.yaml');
  assert.deepEqual(r.problems, []);
  return r.rules as RuleSet;
}

async function both(cols: Col[], set: RuleSet, now?: number): Promise<Array<[string, QualityReport]>> {
  const csv = await checkSources([memorySource('t.csv', csvOf(cols))], set, {}, now);
  const pq = await checkSources([memorySource('t.parquet', await parquetOf(cols))], set, {}, now);
  return [['csv', csv], ['parquet', pq]];
}

function result(r: QualityReport, id: string): RuleResult {
  const x = r.results.find((y) => y.ruleId === id);
  assert.ok(x, `no result ${id} in ${r.results.map((y) => y.ruleId).join(', ')}`);
  return x;
}

const NOW = Date.parse('2026-12-06T00:00:00Z');
const table = (): Col[] => [
  { name: 'id', type: 'INT32', data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
  { name: 'email', type: 'STRING', data: ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com', 'f@x.com', 'g@x.com', 'h@x.com', 'i@x.com', 'j@x.com'] },
  { name: 'region', type: 'STRING', data: ['EU', 'EU', 'US', 'US', 'EU', 'US', 'EU', 'US', 'EU', 'APAC'] },
  { name: 'amount', type: 'DOUBLE', data: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
  { name: 'code', type: 'STRING', data: ['A-1', 'A-2', 'A-3', 'A-4', 'A-5', 'A-6', 'A-7', 'A-8', 'A-9', 'B10'] },
  { name: 'updated', type: 'TIMESTAMP', data: Array.from({ length: 10 }, (_v, i) => new Date(NOW - (10 - i) * 3600_000)) },
];

describe('data-quality engine on CSV and Parquet', () => {
  it('passes every rule kind on good data', async () => {
    const set = rules(`
  - { kind: schema, required: [id, email, amount], forbidden: [ssn], types: { id: integer, amount: number, updated: timestamp, email: string } }
  - { kind: not_null, column: email }
  - { kind: missing_percent, column: region, max: 0 }
  - { kind: unique, column: id }
  - { kind: unique, columns: [region, code] }
  - { kind: row_count, min: 10, max: 10 }
  - { kind: regex, column: code, pattern: "^[A-Z]-?\\\\d+$" }
  - { kind: accepted_values, column: region, values: [EU, US, APAC] }
  - { kind: range, column: amount, min: 10, max: 100 }
  - { kind: freshness, column: updated, maxAge: 2h }
`);
    for (const [fmt, r] of await both(table(), set, NOW)) {
      assert.equal(r.outcome, 'pass', `${fmt}: ${formatQualityReport(r)}`);
      assert.equal(r.results.length, 10);
      assert.equal(r.files[0].rows, 10);
      assert.equal(result(r, 'freshness:updated').observedValue, new Date(NOW - 3600_000).toISOString());
      assert.equal(result(r, 'unique:id').observedValue, 10);
    }
  });

  it('fails each kind just past its threshold, passes at it, and warn severity warns', async () => {
    const t = table();
    t[1].data[3] = null; // one missing email (10%)
    t[0].data[7] = 3; // a duplicate id
    t[3].data[9] = 100.5; // just over max
    const set = rules(`
  - { kind: not_null, column: email, tolerance: 1 }
  - { id: nn0, kind: not_null, column: email }
  - { kind: missing_percent, column: email, max: 10 }
  - { id: mp9, kind: missing_percent, column: email, max: 9.9 }
  - { kind: unique, column: id, severity: warn }
  - { kind: range, column: amount, max: 100 }
  - { id: range-tol, kind: range, column: amount, max: 100, tolerance: "10%" }
  - { kind: row_count, min: 11 }
  - { kind: regex, column: code, pattern: "^A-\\\\d$", tolerance: "9%" }
  - { kind: accepted_values, column: region, values: [EU, US] }
  - { kind: freshness, column: updated, maxAge: 59m }
  - { kind: range, column: id, min: 1, max: 10, strict: true }
`);
    for (const [fmt, r] of await both(t, set, NOW)) {
      const o = (id: string) => result(r, id).outcome;
      assert.equal(o('not_null:email'), 'pass', fmt); // 1 missing, 1 tolerated
      assert.equal(o('nn0'), 'fail', fmt);
      assert.equal(result(r, 'nn0').failedCount, 1);
      assert.equal(result(r, 'nn0').failedPercent, 10);
      assert.equal(o('missing_percent:email'), 'pass', fmt); // 10% allowed at 10%
      assert.equal(o('mp9'), 'fail', fmt);
      assert.equal(o('unique:id'), 'warn', fmt);
      assert.equal(result(r, 'unique:id').failedCount, 1);
      assert.equal(result(r, 'unique:id').sample[0].row, 8);
      assert.equal(o('range:amount'), 'fail', fmt);
      assert.deepEqual(result(r, 'range:amount').sample.map((s) => s.row), [10]);
      assert.equal(o('range-tol'), 'pass', fmt);
      assert.equal(o('row_count'), 'fail', fmt);
      assert.match(result(r, 'row_count').message ?? '', /10 row\(s\), expected at least 11/);
      assert.equal(o('regex:code'), 'fail', fmt); // 1 of 10 = 10% > 9%
      assert.equal(o('accepted_values:region'), 'fail', fmt);
      assert.equal(result(r, 'accepted_values:region').sample[0].values?.region, 'APAC');
      assert.equal(o('freshness:updated'), 'fail', fmt);
      assert.match(result(r, 'freshness:updated').message ?? '', /1\.0 h old \(at most 59m allowed\)/);
      assert.equal(o('range:id'), 'fail', fmt); // strict: 1 and 10 are outside (1, 10)
      assert.equal(result(r, 'range:id').failedCount, 2);
      assert.equal(r.outcome, 'fail');
      // The email column's values look like emails: masked in every sample.
      for (const res of r.results) for (const s of res.sample) if (s.values?.email) assert.equal(s.values.email, '[masked: email]');
    }
  });

  it('wrong schema: missing, forbidden and mistyped columns fail the schema rule; rules on absent columns cannot be checked', async () => {
    const t = table();
    t[3] = { name: 'amount', type: 'STRING', data: ['10', '20', 'thirty', '40', '50', '60', '70', '80', '90', '100'] };
    t.push({ name: 'ssn', type: 'STRING', data: Array(10).fill('123-45-6789') });
    const set = rules(`
  - { kind: schema, required: [id, customer], forbidden: [ssn], types: { amount: number } }
  - { kind: not_null, column: customer }
`);
    for (const [fmt, r] of await both(t, set, NOW)) {
      const schema = result(r, 'schema');
      assert.equal(schema.outcome, 'fail', fmt);
      assert.match(schema.message ?? '', /required column 'customer' is missing/);
      assert.match(schema.message ?? '', /forbidden column 'ssn' is present/);
      if (fmt === 'csv') assert.match(schema.message ?? '', /1 row\(s\) with a value of the wrong type/);
      else assert.match(schema.message ?? '', /column 'amount' is string, expected number/);
      const nn = result(r, 'not_null:customer');
      assert.equal(nn.outcome, 'error');
      assert.match(nn.message ?? '', /t\.(csv|parquet) has no column 'customer' \(its columns: id, email, region, amount, code, updated, ssn\)/);
      assert.equal(r.outcome, 'fail');
    }
  });

  it('an empty file and a header-only file are reported, never a crash', async () => {
    const set = rules('  - { kind: not_null, column: id }\n  - { kind: row_count, min: 1 }\n');
    const empty = await checkSources([memorySource('empty.csv', '')], set);
    assert.equal(empty.outcome, 'fail');
    assert.match(empty.files[0].error ?? '', /empty \(0 bytes\)/);
    assert.equal(result(empty, 'row_count').outcome, 'fail');
    const headerOnly = await checkSources([memorySource('h.csv', 'id,name\n')], set);
    assert.equal(result(headerOnly, 'file:h.csv').outcome, 'warn');
    assert.match(result(headerOnly, 'file:h.csv').message ?? '', /has a header \(id, name\) but no data rows/);
    assert.equal(result(headerOnly, 'row_count').outcome, 'fail');
    const notParquet = await checkSources([memorySource('x.parquet', 'id,name\n1,a\n')], set);
    assert.equal(notParquet.outcome, 'fail');
    assert.match(notParquet.files[0].error ?? '', /x\.parquet is not a readable Parquet file/);
    const emptyParquet = await checkSources([memorySource('z.parquet', await parquetOf([{ name: 'id', type: 'INT32', data: [] }]))], rules('  - { kind: not_null, column: id }\n'));
    assert.equal(emptyParquet.files[0].rows, 0);
    assert.match(result(emptyParquet, 'file:z.parquet').message ?? '', /but no data rows/);
  });

  it('malformed CSV rows are counted with their row number and left out of the rules', async () => {
    const text = 'id,name,amount\n1,a,10\n2,b\n3,c,30,extra\n4,"d,5\n';
    const r = await checkSources([memorySource('m.csv', text)], rules('  - { kind: range, column: amount, max: 100 }\n'));
    const parse = result(r, 'file:m.csv');
    assert.equal(parse.outcome, 'fail');
    assert.ok(parse.failedCount >= 2);
    assert.match(parse.message ?? '', /malformed row\(s\), left out of the checks; first at row 2: expected 3 field\(s\) as in the header, found 2/);
    assert.deepEqual(parse.sample.slice(0, 2).map((s) => s.row), [2, 3]);
    assert.equal(result(r, 'range:amount').outcome, 'pass');
    assert.equal(result(r, 'range:amount').elementCount, 1);
  });

  it('a folder dataset is one table: counts, uniqueness and samples span its files', async () => {
    const a = 'id,region\n1,EU\n2,US\n';
    const b = 'id,region\n3,EU\n2,XX\n';
    const set = rules('  - { kind: unique, column: id }\n  - { kind: row_count, min: 4, max: 4 }\n  - { kind: accepted_values, column: region, values: [EU, US] }\n');
    const r = await checkSources([memorySource('f/a.csv', a), memorySource('f/b.csv', b), memorySource('f/readme.md', '# not data')], set);
    assert.deepEqual(r.files.map((f) => [f.name, f.rows]), [['f/a.csv', 2], ['f/b.csv', 2]]);
    assert.deepEqual(r.skipped, ['f/readme.md']);
    assert.equal(result(r, 'row_count').outcome, 'pass');
    assert.deepEqual(result(r, 'unique:id').sample.map((s) => [s.file, s.row]), [['f/b.csv', 2]]);
    assert.deepEqual(result(r, 'accepted_values:region').sample.map((s) => [s.file, s.row]), [['f/b.csv', 2]]);
  });

  it('masks classified columns (from the caller and the rules file) and values that look like card numbers', async () => {
    const text = 'id,name,card,amount\n1,Ann,4111 1111 1111 1111,-5\n2,Bob,n/a,-7\n';
    const r = await checkSources([memorySource('c.csv', text)], parseRules('version: 1\nclassifiedColumns: [name]\nrules:\n  - { kind: range, column: amount, min: 0 }\n', 'r.dq.yaml').rules as RuleSet, { classifiedColumns: ['ID'] });
    const s = result(r, 'range:amount').sample;
    assert.equal(s.length, 2);
    assert.deepEqual(s[0].values, { id: '[masked: classified column]', name: '[masked: classified column]', card: '[masked: credit card number]', amount: '-5' });
    assert.equal(s[1].values?.card, 'n/a');
    assert.doesNotMatch(formatQualityReport(r), /4111|Ann/);
  });

  it('keeps at most 20 sample rows and counts every failure', async () => {
    const lines = ['id'];
    for (let i = 0; i < 500; i++) lines.push(String(i % 100));
    const r = await checkSources([memorySource('d.csv', lines.join('\n'))], rules('  - { kind: unique, column: id }\n'));
    const u = result(r, 'unique:id');
    assert.equal(u.failedCount, 400);
    assert.equal(u.sample.length, 20);
    assert.equal(u.failedPercent, 80);
  });

  it('a unique rule over its memory budget says so instead of claiming uniqueness', async () => {
    const lines = ['key'];
    for (let i = 0; i < 200_000; i++) lines.push(`k${i}`);
    const set = parseRules('version: 1\nlimits: { uniqueMemoryMB: 1 }\nrules:\n  - { kind: unique, column: key }\n', 'u.dq.yaml').rules as RuleSet;
    const r = await checkSources([memorySource('u.csv', lines.join('\n'))], set);
    const u = result(r, 'unique:key');
    assert.equal(u.outcome, 'error');
    assert.match(u.message ?? '', /reached its 1 MB budget after \d+ distinct value\(s\)/);
  });

  it('infers column types from CSV rows and from a Parquet footer', async () => {
    const cols = await inferFromSources([memorySource('t.csv', csvOf(table()))]);
    assert.deepEqual(cols, [
      { name: 'id', type: 'integer' }, { name: 'email', type: 'string' }, { name: 'region', type: 'string' },
      { name: 'amount', type: 'integer' }, { name: 'code', type: 'string' }, { name: 'updated', type: 'timestamp' },
    ]);
    const pq = await inferFromSources([memorySource('t.parquet', await parquetOf(table()))]);
    assert.deepEqual(pq.map((c) => c.type), ['integer', 'string', 'string', 'number', 'string', 'timestamp']);
  });
});
