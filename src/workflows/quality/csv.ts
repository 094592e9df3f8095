/**
 * CSV straight from the blob: the download stream (decoded as UTF-8 across chunk borders) into
 * papaparse in chunk mode, so memory holds one stream chunk of rows at a time. Rows whose field
 * count differs from the header are reported as malformed (with their row number) and left out of
 * the rules; papaparse's quote errors are reported the same way.
 */
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';
import Papa from 'papaparse';
import type { Batch, FileReadResult, ReadHandlers, SourceBlob } from './source';

export interface CsvOptions {
  delimiter?: string;
  header?: boolean;
}

/** Row-major CSV rows; columns are cut out once per batch on first use. */
class RowsBatch implements Batch {
  private readonly cols = new Map<number, string[]>();
  constructor(readonly rows: string[][], private readonly numbers: number | number[]) {}
  get length(): number {
    return this.rows.length;
  }
  get(r: number, c: number): unknown {
    return this.rows[r][c];
  }
  column(c: number): ArrayLike<unknown> {
    let col = this.cols.get(c);
    if (!col) {
      const rows = this.rows;
      col = new Array<string>(rows.length);
      for (let r = 0; r < rows.length; r++) col[r] = rows[r][c];
      this.cols.set(c, col);
    }
    return col;
  }
  rowNumber(r: number): number {
    return typeof this.numbers === 'number' ? this.numbers + r : this.numbers[r];
  }
}

/** Turns byte chunks into text without splitting a multi-byte character. */
function utf8Text(): Transform {
  const decoder = new StringDecoder('utf8');
  let first = true;
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _enc, done) {
      let text = decoder.write(chunk);
      if (first && text.length) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      done(null, text.length ? text : undefined);
    },
    flush(done) {
      const rest = decoder.end();
      done(null, rest.length ? rest : undefined);
    },
  });
}

/**
 * Reads one CSV blob. `handlers.onHeader` gets the column names (or `column1…` when the file has
 * no header row), then `onBatch` gets the rows in stream-sized batches.
 */
export async function readCsv(blob: SourceBlob, options: CsvOptions, handlers: ReadHandlers, signal?: AbortSignal): Promise<FileReadResult> {
  const input = await blob.stream(signal);
  const text = input.pipe(utf8Text());
  const header = options.header !== false;
  let columns: string[] | undefined;
  let width = 0;
  let row = 0;
  const malformed: FileReadResult['malformed'] = { count: 0, first: [] };
  const noteMalformed = (rowNumber: number, message: string) => {
    malformed.count++;
    if (malformed.first.length < 20) malformed.first.push({ row: rowNumber, message });
  };
  return new Promise<FileReadResult>((resolve, reject) => {
    let settled = false;
    let failure: Error | undefined;
    const onAbort = () => {
      failure = Object.assign(new Error('The check was cancelled.'), { name: 'AbortError' });
      input.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (e?: Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (e) reject(e);
      else resolve({ rows: row, columns: columns ?? [], malformed });
    };
    input.on('error', (e: Error) => finish(failure ?? e));
    text.on('error', (e: Error) => finish(failure ?? e));
    Papa.parse(text as unknown as NodeJS.ReadableStream, {
      header: false,
      delimiter: options.delimiter ?? '',
      skipEmptyLines: true,
      dynamicTyping: false,
      chunk(results: Papa.ParseResult<string[]>, parser: Papa.Parser) {
        if (failure) {
          parser.abort();
          return;
        }
        try {
          let data = results.data;
          if (!columns && data.length) {
            const first = data[0];
            columns = header ? first.map((c, i) => c.trim() || `column${i + 1}`) : first.map((_c, i) => `column${i + 1}`);
            width = columns.length;
            handlers.onHeader(columns);
            if (header) data = data.slice(1);
          }
          const bad = new Set<number>();
          for (const e of results.errors) {
            if (typeof e.row === 'number' && e.code !== 'UndetectableDelimiter') {
              const idx = e.row - (header && row === 0 && results.data.length > data.length ? 1 : 0);
              if (idx >= 0 && idx < data.length && !bad.has(idx)) {
                bad.add(idx);
                noteMalformed(row + idx + 1, `${e.message}`);
              }
            }
          }
          let good = data;
          for (let i = 0; i < data.length; i++) {
            if (data[i].length !== width && !bad.has(i)) {
              bad.add(i);
              noteMalformed(row + i + 1, `expected ${width} field(s) as in the header, found ${data[i].length}`);
            }
          }
          const firstRow = row + 1;
          if (bad.size) {
            // Keep row numbers right: malformed rows become empty placeholders the batch skips.
            good = data.filter((_r, i) => !bad.has(i));
            const numbers = data.map((_r, i) => firstRow + i).filter((_n, i) => !bad.has(i));
            row += data.length;
            if (good.length) handlers.onBatch(new RowsBatch(good, numbers));
            return;
          }
          row += data.length;
          if (good.length) handlers.onBatch(new RowsBatch(good, firstRow));
        } catch (e) {
          failure = e as Error;
          parser.abort();
        }
      },
      complete() {
        finish(failure);
      },
      error(e: Error) {
        finish(failure ?? e);
      },
    });
  });
}

/** The bare parser over the same bytes (the bench's baseline): papaparse alone, rows counted, nothing checked. */
export async function parseCsvOnly(blob: SourceBlob, options: CsvOptions = {}, signal?: AbortSignal): Promise<number> {
  const input = await blob.stream(signal);
  const text = input.pipe(utf8Text());
  let rows = 0;
  return new Promise<number>((resolve, reject) => {
    input.on('error', reject);
    Papa.parse(text as unknown as NodeJS.ReadableStream, {
      header: false,
      delimiter: options.delimiter ?? '',
      skipEmptyLines: true,
      chunk(results: Papa.ParseResult<string[]>) {
        rows += results.data.length;
      },
      complete: () => resolve(Math.max(0, rows - (options.header === false ? 0 : 1))),
      error: reject,
    });
  });
}
