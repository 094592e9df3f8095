/**
 * The Power BI hand-off: every dashboard table as CSV (`csv/<table>.csv`, RFC 4180, UTF-8, header
 * row) and as Parquet (`parquet/<table>.parquet`, typed columns through hyparquet-writer), a
 * `.pbids` file that opens the Parquet folder in Power BI Desktop (folder protocol, Import mode:
 * one data source per file, no credentials), and a README.md describing each table and column.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Cell, Column, DashboardFigures, Table } from './figures';

export interface ExportResult {
  folder: string;
  pbids: string;
  readme: string;
  files: Array<{ table: string; csv: string; parquet: string; rows: number }>;
}

type ParquetWriter = { parquetWriteBuffer(o: { columnData: Array<{ name: string; data: unknown[]; type?: string }> }): ArrayBuffer };
let writer: Promise<ParquetWriter> | undefined;
function hyparquetWriter(): Promise<ParquetWriter> {
  // ESM package: a real dynamic import (kept as import() by the node16 module setting and by esbuild).
  writer ??= import('hyparquet-writer') as unknown as Promise<ParquetWriter>;
  return writer;
}

function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function tableToCsv(t: Table): string {
  const lines = [t.columns.map((c) => csvCell(c.name)).join(',')];
  for (const r of t.rows) lines.push(r.map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

const PARQUET_TYPE: Record<Column['type'], string> = { string: 'STRING', number: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP' };

export async function tableToParquet(t: Table): Promise<Uint8Array> {
  const { parquetWriteBuffer } = await hyparquetWriter();
  const columnData = t.columns.map((c, i) => ({
    name: c.name,
    type: PARQUET_TYPE[c.type],
    data: t.rows.map((r) => {
      const v = r[i];
      if (v === null || v === undefined || v === '') return c.type === 'string' ? (v === '' ? '' : null) : null;
      if (c.type === 'timestamp') return new Date(String(v));
      if (c.type === 'number') return Number(v);
      if (c.type === 'boolean') return Boolean(v);
      return String(v);
    }),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

export function pbidsFor(folder: string): string {
  return JSON.stringify({ version: '0.1', connections: [{ details: { protocol: 'folder', address: { path: folder } }, mode: 'Import' }] }, null, 2) + '\n';
}

function readmeFor(figures: DashboardFigures, files: ExportResult['files']): string {
  const f = figures.filter;
  const lines = [
    '# Governed Data Share: sharing dashboard export',
    '',
    `Figures as of ${figures.now}${f.from || f.to ? `, snapshots from ${f.from ?? 'the start'} to ${f.to ?? 'now'}` : ''}${f.tenantIds?.length ? `, tenants ${f.tenantIds.join(', ')}` : ''}${f.shareIds?.length ? `, ${f.shareIds.length} share(s)` : ''}.`,
    '',
    '## Opening it in Power BI Desktop',
    '',
    '- Open `dashboard.pbids`: Power BI Desktop starts its Get Data flow on the `parquet` folder (folder connector, Import mode).',
    '  The Navigator lists one row per file: choose **Transform Data**, then open each file\'s `Binary` to load it as its own table',
    '  (do not "Combine": the files are different tables).',
    '- Or use **Get Data → Parquet** (typed columns) or **Text/CSV** on a single file of `parquet/` or `csv/`.',
    '- Times are UTC. Rates are 0..1. Bytes are bytes.',
    '',
    '## Tables',
    '',
  ];
  for (const t of figures.tables) {
    const file = files.find((x) => x.table === t.name);
    lines.push(`### ${t.name} — ${t.title}`, '', t.description, '', `Files: \`csv/${t.name}.csv\`, \`parquet/${t.name}.parquet\` (${file?.rows ?? t.rows.length} rows).`, '', '| Column | Type | Description |', '|---|---|---|');
    for (const c of t.columns) lines.push(`| ${c.name} | ${c.type} | ${c.description.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Writes the tables, the .pbids and the README into `folder` (created if needed; files of the same names are replaced). */
export async function exportForPowerBI(figures: DashboardFigures, folder: string): Promise<ExportResult> {
  const abs = path.resolve(folder);
  fs.mkdirSync(path.join(abs, 'csv'), { recursive: true });
  fs.mkdirSync(path.join(abs, 'parquet'), { recursive: true });
  const files: ExportResult['files'] = [];
  for (const t of figures.tables) {
    const csv = path.join(abs, 'csv', `${t.name}.csv`);
    const parquet = path.join(abs, 'parquet', `${t.name}.parquet`);
    fs.writeFileSync(csv, tableToCsv(t), 'utf8');
    fs.writeFileSync(parquet, await tableToParquet(t));
    files.push({ table: t.name, csv, parquet, rows: t.rows.length });
  }
  const pbids = path.join(abs, 'dashboard.pbids');
  fs.writeFileSync(pbids, pbidsFor(path.join(abs, 'parquet')), 'utf8');
  const readme = path.join(abs, 'README.md');
  fs.writeFileSync(readme, readmeFor(figures, files), 'utf8');
  return { folder: abs, pbids, readme, files };
}
