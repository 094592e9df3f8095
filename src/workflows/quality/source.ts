/**
 * Where the engine reads data from: blobs of one container (a file, a folder prefix, or the whole
 * container), each readable as a stream (CSV) or by byte ranges (Parquet), with the signed-in
 * identity's credential through the repo's blob client. In-memory sources serve the unit tests.
 */
import { Readable } from 'node:stream';
import type { AzureClients } from '../../azure';
import { UserFacingError } from '../errors';

/** Rows of one file, in batches: `get(row, column)` by column index in the file's header. */
export interface Batch {
  readonly length: number;
  get(row: number, column: number): unknown;
  /** Row-major rows when the reader has them (CSV): rules read `rows[r][c]` without copying columns. */
  readonly rows?: ReadonlyArray<ReadonlyArray<unknown>>;
  /** All values of one column (cached per batch: rules over the same column share it). */
  column(column: number): ArrayLike<unknown>;
  /** A value as a person reads it (Parquet timestamps as ISO text). */
  display?(row: number, column: number): unknown;
  /** 1-based data row number in the file (the header is not a data row). */
  rowNumber(row: number): number;
}

export interface ReadHandlers {
  /** Column names (and, for Parquet, their declared types) before the first batch. */
  onHeader(columns: string[], declared?: Array<import('./rules').ColumnType | undefined>): void;
  onBatch(batch: Batch): void;
}

export interface FileReadResult {
  rows: number;
  columns: string[];
  malformed: { count: number; first: Array<{ row: number; message: string }> };
}

export interface SourceBlob {
  name: string;
  size: number;
  /** The whole blob as a byte stream (one GET). */
  stream(signal?: AbortSignal): Promise<Readable>;
  /** Bytes [start, end) (one ranged GET). */
  read(start: number, end: number, signal?: AbortSignal): Promise<ArrayBuffer>;
}

export interface QualityTarget {
  clients: AzureClients;
  storageAccount: string;
  container: string;
  /** Folder prefix or file; omit for the whole container. */
  path?: string;
  signal?: AbortSignal;
}

/** A blob of the target's container, read with the clients' credential. */
export function blobSource(target: QualityTarget, name: string, size: number): SourceBlob {
  const client = target.clients.blobForAccount(target.storageAccount).container(target.container).getBlobClient(name);
  return {
    name,
    size,
    async stream(signal) {
      const res = await client.download(0, undefined, { abortSignal: signal, maxRetryRequests: 5 });
      if (!res.readableStreamBody) throw new Error(`The download of ${name} returned no body.`);
      return res.readableStreamBody as unknown as Readable;
    },
    async read(start, end, signal) {
      const ab = new ArrayBuffer(end - start);
      if (end > start) await client.downloadToBuffer(Buffer.from(ab), start, end - start, { abortSignal: signal, blockSize: 8 * 1024 * 1024, concurrency: 4, maxRetryRequestsPerBlock: 5 });
      return ab;
    },
  };
}

/** An in-memory blob (unit tests, scaffolding from local files). */
export function memorySource(name: string, data: Uint8Array | string): SourceBlob {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return {
    name,
    size: bytes.byteLength,
    async stream() {
      // Several chunks, so chunk borders are exercised as with a download.
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 7919) parts.push(bytes.subarray(i, i + 7919));
      return Readable.from(parts, { objectMode: false });
    },
    async read(start, end) {
      return bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end) as ArrayBuffer;
    },
  };
}

/**
 * The files a target holds: the blob itself when `path` names one, else every blob under the
 * folder prefix (or the whole container). Folder markers (empty blobs ending in `/`) are skipped.
 */
export async function listTarget(target: QualityTarget): Promise<SourceBlob[]> {
  const blob = target.clients.blobForAccount(target.storageAccount);
  const path = target.path?.replace(/^\/+/, '');
  const out: SourceBlob[] = [];
  if (path && !path.endsWith('/')) {
    for await (const b of blob.list(target.container, { prefix: path, abortSignal: target.signal })) {
      if (b.name === path) return [blobSource(target, b.name, b.size)];
    }
  }
  const prefix = path ? path.replace(/\/?$/, '/') : undefined;
  for await (const b of blob.list(target.container, { prefix, abortSignal: target.signal })) {
    if (b.name.endsWith('/') && b.size === 0) continue;
    out.push(blobSource(target, b.name, b.size));
  }
  if (!out.length) {
    throw new UserFacingError(
      `Nothing to check: ${target.storageAccount}/${target.container}${path ? `/${path}` : ''} holds no file.`,
      'Check the dataset path (a file, or a folder with files), or upload the data first.',
    );
  }
  return out;
}

/** CSV or Parquet by the rules' `format`, or by extension (`auto`); undefined: not a data file. */
export function formatOf(name: string, format: 'auto' | 'csv' | 'parquet' = 'auto'): 'csv' | 'parquet' | undefined {
  if (format !== 'auto') return format;
  if (/\.(parquet|pq)$/i.test(name)) return 'parquet';
  if (/\.(csv|tsv|txt)$/i.test(name)) return 'csv';
  return undefined;
}
