import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A Parquet check's memory follows a row group, not the file: the same table with N and 4N row
 * groups of 100,000 rows is checked with the bench's ten rules in a fresh process each, beside a
 * live JavaScript heap of about 100 MB (ballast standing in for the extension host's own, since V8
 * sizes its heap from what is live), and the larger file's peak RSS may not be more than a little
 * above the smaller one's. Measured on Linux through VmHWM; machine load changes how fast, not how
 * much, so the bound is on memory only. Measured: in the heap-capped worker +5 MB (241 -> 245);
 * with the check on the calling thread as before (GDS_QUALITY_IN_PROCESS=1) +103 MB (242 -> 345).
 */
const CHILD = path.join(__dirname, 'support', 'qualityMemoryChild.js');
const GROUPS = 6;
const MAX_GROWTH_MB = 30;
const BALLAST = '64';

function run(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, ...args], { maxBuffer: 1 << 20 }, (e, out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve(out)));
  });
}

describe('data-quality engine memory (Parquet)', function () {
  this.timeout(600_000);
  let dir: string;
  before(function () {
    if (process.platform !== 'linux') this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-quality-memory-'));
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('peak memory of a check does not grow with the number of row groups (N vs 4N)', async () => {
    const small = path.join(dir, 'n.parquet');
    const big = path.join(dir, '4n.parquet');
    await run('write', small, String(GROUPS));
    await run('write', big, String(4 * GROUPS));
    const a = JSON.parse(await run('check', small, BALLAST)) as { rows: number; outcome: string; peakRssMB: number };
    const b = JSON.parse(await run('check', big, BALLAST)) as { rows: number; outcome: string; peakRssMB: number };
    assert.equal(a.rows, GROUPS * 100_000);
    assert.equal(b.rows, 4 * GROUPS * 100_000);
    assert.equal(a.outcome, 'pass');
    assert.equal(b.outcome, 'pass');
    assert.ok(b.peakRssMB - a.peakRssMB < MAX_GROWTH_MB,
      `peak RSS ${a.peakRssMB.toFixed(0)} MB for ${GROUPS} row groups, ${b.peakRssMB.toFixed(0)} MB for ${4 * GROUPS}: grows with the row count`);
  });
});
