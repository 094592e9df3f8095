/**
 * The Power BI hand-off headless, as a person runs it: `npm run recipe -- --plan <file> --export
 * <folder>` after the recipe ran, over real HTTPS against a sandbox with the real clients. The
 * folder must open as the tables it claims: every table as CSV and Parquet that read back with the
 * same rows, a .pbids pointing at the Parquet folder, and a README describing each table.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as Papa from 'papaparse';
import type { RunningSandbox } from '../../src/sandbox';
import { freshPlan, recipeEnv, runRecipe, runRecipeCli } from './support/recipe';
import { startTestSandbox, tempDir } from './support/sandbox';

type Hyparquet = { parquetReadObjects(o: { file: ArrayBuffer }): Promise<Array<Record<string, unknown>>> };

describe('Export for Power BI from the headless runner (sandbox, HTTPS)', function () {
  this.timeout(300_000);
  let sandbox: RunningSandbox;
  let dir: string;
  before(async () => {
    ({ sandbox } = await startTestSandbox('dashboard-export'));
    dir = tempDir('dashboard-export');
  });
  after(async () => {
    await sandbox?.stop();
  });

  it('writes the shares, consumers and snapshots of the recipe as CSV and Parquet with a .pbids and a README', async () => {
    const plan = freshPlan('pbi');
    const env = await recipeEnv(sandbox, plan);
    const result = await runRecipe(env);
    assert.ok(result.ok, JSON.stringify(result.outcomes.filter((o) => o.status === 'failed').map((o) => [o.id, o.error?.message])));
    const file = path.join(dir, 'pbi.recipe.json');
    fs.writeFileSync(file, JSON.stringify(plan, null, 2));
    const folder = path.join(dir, 'export');

    const run = await runRecipeCli(['--plan', file, '--sandbox', sandbox.descriptionPath, '--export', folder]);
    assert.equal(run.status, 0, run.stdout + run.stderr);

    const consumers = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(folder, 'csv', 'share_consumers.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
    const mine = consumers.filter((r) => r.share === plan.share.name);
    assert.equal(mine.length, 1, `one consumer of ${plan.share.name}: ${JSON.stringify(consumers)}`);
    const snapshots = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(folder, 'csv', 'snapshots.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
    assert.ok(snapshots.length >= 1, 'the recipe\'s snapshot is exported');

    // Every CSV table has its Parquet twin with as many rows, and the README names it.
    const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
    const hp = (await import('hyparquet')) as unknown as Hyparquet;
    const tables = fs.readdirSync(path.join(folder, 'csv')).filter((f) => f.endsWith('.csv')).map((f) => f.replace(/\.csv$/, ''));
    assert.ok(tables.includes('snapshots_daily') && tables.includes('lineage_coverage') && tables.includes('storage_encryption'), tables.join(', '));
    for (const t of tables) {
      const rows = Papa.parse(fs.readFileSync(path.join(folder, 'csv', `${t}.csv`), 'utf8'), { header: true, skipEmptyLines: true }).data.length;
      const buf = fs.readFileSync(path.join(folder, 'parquet', `${t}.parquet`));
      const objects = await hp.parquetReadObjects({ file: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) });
      assert.equal(objects.length, rows, `${t}: Parquet and CSV hold the same rows`);
      assert.match(readme, new RegExp(t), `the README describes ${t}`);
    }
    const pbids = JSON.parse(fs.readFileSync(path.join(folder, 'dashboard.pbids'), 'utf8')) as { connections: Array<{ details: { protocol: string; address: { path: string } }; mode: string }> };
    assert.equal(pbids.connections[0].details.protocol, 'folder');
    assert.equal(pbids.connections[0].details.address.path, path.join(folder, 'parquet'));
    assert.equal(pbids.connections[0].mode, 'Import');
  });
});
