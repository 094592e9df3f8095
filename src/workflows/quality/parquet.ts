/**
 * Parquet straight from the blob with hyparquet: an AsyncBuffer whose `slice()` is a ranged blob
 * download, the footer first, then one row group at a time (only the columns the rules need), so
 * memory follows one row group, never the file. hyparquet is an ES module: loaded on first use.
 */
import type { Batch, FileReadResult, ReadHandlers, SourceBlob } from './source';
import type { ColumnType } from './rules';

interface ParquetSchemaElement {
  name: string;
  type?: string;
  converted_type?: string;
  logical_type?: { type: string };
  num_children?: number;
}
interface ParquetMeta {
  schema: ParquetSchemaElement[];
  num_rows: bigint;
  row_groups: Array<{ num_rows: bigint }>;
}
interface Hyparquet {
  parquetMetadataAsync(file: { byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer> }, options?: { parsers?: object }): Promise<ParquetMeta>;
  parquetRead(options: Record<string, unknown>): Promise<void>;
}

/**
 * Timestamps as epoch milliseconds (numbers), not Date objects: no allocation per value, which
 * hyparquet's default makes; the engine reads numbers in timestamp columns as epoch ms and shows
 * them as ISO text in samples. The bench's bare parser uses the same parsers.
 */
export const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => Number(v),
  timestampFromMicroseconds: (v: bigint) => Number(v) / 1e3,
  timestampFromNanoseconds: (v: bigint) => Number(v) / 1e6,
  dateFromDays: (d: number) => d * 86_400_000,
};

let loaded: Promise<Hyparquet> | undefined;
/** hyparquet (ESM) through a real dynamic import, bundled or not. */
export function hyparquet(): Promise<Hyparquet> {
  loaded ??= import('hyparquet') as unknown as Promise<Hyparquet>;
  return loaded;
}

/** The type a rules file speaks of, from a Parquet leaf column's physical and logical types. */
export function parquetColumnType(e: ParquetSchemaElement): ColumnType | undefined {
  const logical = e.logical_type?.type;
  const conv = e.converted_type;
  if (logical === 'TIMESTAMP' || logical === 'DATE' || conv === 'TIMESTAMP_MILLIS' || conv === 'TIMESTAMP_MICROS' || conv === 'DATE' || e.type === 'INT96') return 'timestamp';
  if (logical === 'DECIMAL' || conv === 'DECIMAL') return 'number';
  if (logical === 'STRING' || logical === 'ENUM' || logical === 'UUID' || logical === 'JSON' || conv === 'UTF8' || conv === 'ENUM' || conv === 'JSON') return 'string';
  switch (e.type) {
    case 'BOOLEAN': return 'boolean';
    case 'INT32': case 'INT64': return 'integer';
    case 'FLOAT': case 'DOUBLE': return 'number';
    case 'BYTE_ARRAY': case 'FIXED_LEN_BYTE_ARRAY': return 'string';
  }
  return undefined;
}

const NOT_READ: ArrayLike<unknown> = { length: 0 };

class ColumnsBatch implements Batch {
  constructor(private readonly cols: Array<ArrayLike<unknown> | undefined>, readonly length: number, private readonly firstRow: number, private readonly times: ReadonlySet<number>) {}
  get(r: number, c: number): unknown {
    const col = this.cols[c];
    return col ? col[r] : undefined;
  }
  column(c: number): ArrayLike<unknown> {
    return this.cols[c] ?? NOT_READ;
  }
  display(r: number, c: number): unknown {
    const v = this.get(r, c);
    return this.times.has(c) && typeof v === 'number' ? new Date(v).toISOString() : v;
  }
  rowNumber(r: number): number {
    return this.firstRow + r;
  }
}

function asBuffer(blob: SourceBlob, signal?: AbortSignal) {
  return {
    byteLength: blob.size,
    slice: (start: number, end?: number) => blob.read(start, end ?? blob.size, signal),
  };
}

/** Top-level columns of the file (nested columns count as one, typed undefined). */
function topColumns(meta: ParquetMeta): Array<{ name: string; type: ColumnType | undefined }> {
  const out: Array<{ name: string; type: ColumnType | undefined }> = [];
  const schema = meta.schema;
  let i = 1;
  const skip = (idx: number): number => {
    let next = idx + 1;
    for (let k = 0; k < (schema[idx].num_children ?? 0); k++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    const e = schema[i];
    out.push({ name: e.name, type: e.num_children ? undefined : parquetColumnType(e) });
    i = skip(i);
  }
  return out;
}

/**
 * Reads one Parquet blob: the footer, then each row group with the `wanted` columns (all when
 * undefined). A file that is not Parquet (no PAR1 magic, a broken footer) fails with a message.
 */
export async function readParquet(blob: SourceBlob, wanted: ReadonlySet<string> | undefined, handlers: ReadHandlers, signal?: AbortSignal): Promise<FileReadResult> {
  const hp = await hyparquet();
  const file = asBuffer(blob, signal);
  if (blob.size < 12) throw new Error(`${blob.name} is not a Parquet file (${blob.size} byte(s); a Parquet file has at least 12).`);
  let meta: ParquetMeta;
  try {
    meta = await hp.parquetMetadataAsync(file, { parsers: PARSERS });
  } catch (e) {
    throw new Error(`${blob.name} is not a readable Parquet file: ${(e as Error).message}`);
  }
  const cols = topColumns(meta);
  const names = cols.map((c) => c.name);
  handlers.onHeader(names, cols.map((c) => c.type));
  const read = names.filter((n) => !wanted || wanted.has(n));
  const times = new Set(cols.map((c, i) => (c.type === 'timestamp' ? i : -1)).filter((i) => i >= 0));
  let start = 0;
  for (const group of meta.row_groups) {
    if (signal?.aborted) throw Object.assign(new Error('The check was cancelled.'), { name: 'AbortError' });
    const rows = Number(group.num_rows);
    const chunks = new Map<string, Array<{ rowStart: number; data: ArrayLike<unknown> }>>();
    if (read.length && rows > 0) {
      await hp.parquetRead({
        file,
        metadata: meta,
        parsers: PARSERS,
        columns: read,
        rowStart: start,
        rowEnd: start + rows,
        onChunk: (c: { columnName: string; columnData: ArrayLike<unknown>; rowStart: number }) => {
          const list = chunks.get(c.columnName) ?? [];
          list.push({ rowStart: c.rowStart, data: c.columnData });
          chunks.set(c.columnName, list);
        },
      });
    }
    const arrays = names.map((n) => {
      const list = chunks.get(n);
      if (!list) return undefined;
      if (list.length === 1 && list[0].rowStart === start) return list[0].data;
      const all = new Array<unknown>(rows);
      for (const part of list) for (let i = 0; i < part.data.length; i++) {
        const at = part.rowStart - start + i;
        if (at >= 0 && at < rows) all[at] = part.data[i];
      }
      return all;
    });
    if (rows > 0) handlers.onBatch(new ColumnsBatch(arrays, rows, start + 1, times));
    start += rows;
  }
  return { rows: start, columns: names, malformed: { count: 0, first: [] } };
}

/** The bare parser over the same bytes (the bench's baseline): every row group decoded, nothing checked. */
export async function parseParquetOnly(blob: SourceBlob, columns?: string[], signal?: AbortSignal): Promise<number> {
  const hp = await hyparquet();
  const file = asBuffer(blob, signal);
  const meta = await hp.parquetMetadataAsync(file, { parsers: PARSERS });
  let start = 0;
  for (const group of meta.row_groups) {
    const rows = Number(group.num_rows);
    await hp.parquetRead({ file, metadata: meta, parsers: PARSERS, columns, rowStart: start, rowEnd: start + rows, onChunk: () => undefined });
    start += rows;
  }
  return start;
}

/** Column names and types of a Parquet blob (its footer only). */
export async function parquetColumns(blob: SourceBlob, signal?: AbortSignal): Promise<Array<{ name: string; type: ColumnType | undefined }>> {
  const hp = await hyparquet();
  return topColumns(await hp.parquetMetadataAsync(asBuffer(blob, signal)));
}
