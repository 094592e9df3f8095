import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as Papa from 'papaparse';
import { computeFigures, exportForPowerBI, type DashboardData } from '../../src/workflows/dashboard';

/**
 * The Power BI hand-off read back: every table's CSV parsed with papaparse and its Parquet read
 * with hyparquet hold the same rows and columns as the figures; the .pbids opens the Parquet folder
 * (folder protocol, Import mode); the README describes every table and column.
 */
const P = 'c0a70000-0000-4000-8000-000000000001';
const share = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataShare/accounts/a/shares/sales, "q4"';
const DATA: DashboardData = {
  gatheredAt: '2026-12-10T12:00:00.000Z',
  tenants: [{ tenantId: P, displayName: 'Contoso' }],
  shares: [{
    id: share, tenantId: P, subscriptionId: 's', resourceGroup: 'rg', accountName: 'a', shareName: 'sales, "q4"',
    schedules: [{ recurrenceInterval: 'Day', synchronizationTime: '2026-01-01T02:00:00Z', source: 'synchronizationSetting' }],
    dataSets: [{ dataSetId: 'd1', name: 'sales', kind: 'Container', storageAccountName: 'contosodata', container: 'sales', qualifiedName: 'https://contosodata.blob.core.windows.net/sales' }],
    consumers: [{ consumerName: 'ben', consumerEmail: 'ben@fabrikam.com', consumerTenantName: 'Fabrikam', status: 'Active', sharedAt: '2026-01-02T00:00:00Z' }],
  }],
  received: [],
  synchronizations: [
    { side: 'provider', ownerId: share, tenantId: P, shareName: 'sales', synchronizationId: 'r1', status: 'Succeeded', startTime: '2026-12-09T02:00:00Z', endTime: '2026-12-09T02:01:00Z', durationMs: 60000, mode: 'Incremental', consumerTenantName: 'Fabrikam', message: 'Copied 3 file(s),\nfine', filesWritten: 3, sizeWritten: 3_000_000_000 },
    { side: 'provider', ownerId: share, tenantId: P, shareName: 'sales', synchronizationId: 'r2', status: 'Failed', startTime: '2026-12-10T02:00:00Z', consumerTenantName: 'Fabrikam', message: 'role missing' },
  ],
  assets: [{ tenantId: P, qualifiedName: 'https://contosodata.blob.core.windows.net/sales', name: 'sales', typeName: 'azure_blob_container', guid: 'g1', classifications: ['MICROSOFT.PERSONAL.EMAIL'], shareIds: [share], consumerTenants: ['Fabrikam'], lineageLinked: true }],
  storageAccounts: [{ id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/contosodata', tenantId: P, name: 'contosodata', keySource: 'Microsoft.Storage' }],
  qualityAvailable: false,
  warnings: [],
  stats: { armCalls: 0, purviewCalls: 0, chainDepth: 0, elapsedMs: 0, detailsRead: 1, detailsCached: 0, detailsPending: 0 },
};

type Hyparquet = { parquetReadObjects(o: { file: ArrayBuffer }): Promise<Array<Record<string, unknown>>>; parquetMetadata(b: ArrayBuffer): { schema: Array<{ name: string; type?: string; converted_type?: string; logical_type?: { type: string } }> } };

describe('dashboard export for Power BI', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gds-export-'));
  after(() => fs.rmSync(folder, { recursive: true, force: true }));
  const figures = computeFigures(DATA, {}, new Date(DATA.gatheredAt));

  it('writes every table as CSV and Parquet that read back as the same rows', async () => {
    const out = await exportForPowerBI(figures, folder);
    assert.equal(out.files.length, figures.tables.length);
    const hp = (await import('hyparquet')) as unknown as Hyparquet;
    for (const t of figures.tables) {
      const csv = Papa.parse<string[]>(fs.readFileSync(path.join(folder, 'csv', `${t.name}.csv`), 'utf8'), { skipEmptyLines: true });
      assert.deepEqual(csv.errors, [], t.name);
      assert.deepEqual(csv.data[0], t.columns.map((c) => c.name), `${t.name} header`);
      assert.deepEqual(csv.data.slice(1), t.rows.map((r) => r.map((v) => (v === null ? '' : String(v)))), `${t.name} CSV rows`);

      const buf = fs.readFileSync(path.join(folder, 'parquet', `${t.name}.parquet`));
      const file = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const objects = await hp.parquetReadObjects({ file });
      assert.equal(objects.length, t.rows.length, `${t.name} parquet rows`);
      objects.forEach((o, i) => t.columns.forEach((c, j) => {
        const want = t.rows[i][j];
        const got = o[c.name];
        if (want === null) assert.equal(got ?? null, null, `${t.name}.${c.name}[${i}]`);
        else if (c.type === 'timestamp') assert.equal((got as Date).toISOString(), new Date(String(want)).toISOString(), `${t.name}.${c.name}[${i}]`);
        else assert.equal(got, want, `${t.name}.${c.name}[${i}]`);
      }));
      const meta = hp.parquetMetadata(file);
      const types = Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, s.type]));
      for (const c of t.columns) assert.equal(types[c.name], { string: 'BYTE_ARRAY', number: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'INT64' }[c.type], `${t.name}.${c.name} parquet type`);
    }
    // The awkward values survive: a comma and quotes in a name, a newline in a message, a big byte count.
    const snaps = Papa.parse<Record<string, string>>(fs.readFileSync(path.join(folder, 'csv', 'snapshots.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
    assert.equal(snaps[0].message, 'Copied 3 file(s),\nfine');
    assert.equal(snaps[0].bytes_written, '3000000000');
    assert.equal(snaps[1].files_written, '');
  });

  it('writes a .pbids that opens the Parquet folder in Import mode, and a README of every table and column', () => {
    const pbids = JSON.parse(fs.readFileSync(path.join(folder, 'dashboard.pbids'), 'utf8')) as { version: string; connections: Array<{ details: { protocol: string; address: { path: string } }; mode: string }> };
    assert.equal(pbids.version, '0.1');
    assert.equal(pbids.connections.length, 1);
    assert.equal(pbids.connections[0].details.protocol, 'folder');
    assert.equal(pbids.connections[0].details.address.path, path.join(folder, 'parquet'));
    assert.equal(pbids.connections[0].mode, 'Import');
    const readme = fs.readFileSync(path.join(folder, 'README.md'), 'utf8');
    for (const t of figures.tables) {
      assert.ok(readme.includes(`### ${t.name} — ${t.title}`), t.name);
      for (const c of t.columns) assert.ok(readme.includes(`| ${c.name} | ${c.type} |`), `${t.name}.${c.name}`);
    }
  });
});
