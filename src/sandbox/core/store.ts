/**
 * The sandbox's embedded database: an in-memory map of collections backed by a journal.
 *
 * On disk (in `<data-dir>/db/`):
 *  - `snapshot.json`   the whole state at some point, plus the generation of the journal that follows it;
 *  - `journal-<gen>.log` an append-only log of records written since that snapshot.
 *
 * Journal record = [u32 payload length][u32 CRC-32 of payload][payload], payload = UTF-8 JSON
 * `{c: collection, k: key, v?: json}` (no `v` means delete). Records are absolute (put/delete), so
 * replaying any prefix of the log over the snapshot reproduces the state at that point.
 *
 * Durability: `put`/`delete` change memory at once and queue a record; `commit()` resolves once every
 * record queued before the call is written and fdatasync'ed. Concurrent commits are grouped into one
 * write + one sync (group commit). The HTTP layer commits before it writes a response, so every change
 * a client saw acknowledged survives kill -9.
 *
 * Recovery: on open, load the snapshot, replay its journal and truncate a torn tail (short record,
 * bad CRC or unparsable JSON: everything from the first bad record on is dropped; it was never
 * acknowledged because its fsync never completed).
 *
 * Compaction: when the journal outgrows the snapshot, the state is written to `snapshot.json.tmp`,
 * fsync'ed, renamed over `snapshot.json` (the directory is fsync'ed too) with the next generation,
 * and appends continue in a fresh `journal-<gen+1>.log`. A crash at any point leaves either the old
 * snapshot + old journal or the new snapshot (+ new journal), both complete.
 */
import type * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { Store } from './contract';
import { crc32 } from './crc32';

const HEADER = 8;
/** Journal records larger than this are treated as corruption (a torn length field). */
const MAX_RECORD = 64 * 1024 * 1024;

interface SnapshotFile {
  format: 'governed-data-share-sandbox-store';
  version: 1;
  generation: number;
  collections: Record<string, Record<string, unknown>>;
}

interface Waiter {
  seq: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface JournaledStoreOptions {
  /** Compact when the journal is larger than this many bytes and larger than the last snapshot. Default 8 MB. */
  compactAfterBytes?: number;
}

export class JournaledStore implements Store {
  /** collection -> lower-cased key -> serialized JSON value. Values are kept serialized so callers never alias our state. */
  private readonly data = new Map<string, Map<string, string>>();
  /**
   * collection -> its keys in sorted order, built on the first `list`/`keys` of the collection and
   * then kept in step by `put` (new keys) and `delete`, so a prefix listing is a binary search plus
   * the matching keys rather than a sort of the whole collection. Memory only: never on disk.
   */
  private readonly sorted = new Map<string, string[]>();
  private generation = 0;
  private fd: fs.promises.FileHandle | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private pending: Buffer[] = [];
  /** Number of records queued so far / made durable so far. */
  private queuedSeq = 0;
  private durableSeq = 0;
  private waiters: Waiter[] = [];
  private flushing = false;
  private closed = false;
  private failure: Error | undefined;
  private readonly compactAfterBytes: number;

  private constructor(private readonly dir: string, options: JournaledStoreOptions) {
    this.compactAfterBytes = options.compactAfterBytes ?? 8 * 1024 * 1024;
  }

  /** Opens (creating if needed) the store in `dir`, recovering from any crash. */
  static async open(dir: string, options: JournaledStoreOptions = {}): Promise<JournaledStore> {
    const store = new JournaledStore(dir, options);
    await store.load();
    return store;
  }

  // ---- Store contract -------------------------------------------------------------------------

  get<T>(collection: string, key: string): T | undefined {
    const raw = this.data.get(collection)?.get(key.toLowerCase());
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }

  list<T>(collection: string, prefix = '', keyFilter?: (key: string) => boolean): T[] {
    const map = this.data.get(collection);
    if (!map) {
      return [];
    }
    const keys = this.keysWithPrefix(collection, map, prefix.toLowerCase());
    return (keyFilter ? keys.filter(keyFilter) : keys).map((k) => JSON.parse(map.get(k) as string) as T);
  }

  /** Parsed, frozen values served by listReadOnly, with the stored text they came from. */
  private readonly frozen = new Map<string, Map<string, { raw: string; value: unknown }>>();

  listReadOnly<T>(collection: string, prefix = ''): ReadonlyArray<Readonly<T>> {
    const map = this.data.get(collection);
    if (!map) {
      return [];
    }
    const cache = this.frozenOf(collection);
    return this.keysWithPrefix(collection, map, prefix.toLowerCase()).map((k) => this.frozenValue<T>(cache, k, map.get(k) as string));
  }

  getReadOnly<T>(collection: string, key: string): Readonly<T> | undefined {
    const k = key.toLowerCase();
    const raw = this.data.get(collection)?.get(k);
    return raw === undefined ? undefined : this.frozenValue<T>(this.frozenOf(collection), k, raw);
  }

  private frozenOf(collection: string): Map<string, { raw: string; value: unknown }> {
    let cache = this.frozen.get(collection);
    if (!cache) {
      cache = new Map();
      this.frozen.set(collection, cache);
    }
    return cache;
  }

  private frozenValue<T>(cache: Map<string, { raw: string; value: unknown }>, key: string, raw: string): T {
    const hit = cache.get(key);
    if (hit && hit.raw === raw) return hit.value as T;
    const value = deepFreeze(JSON.parse(raw) as T);
    cache.set(key, { raw, value });
    return value;
  }

  /** Keys (lower-cased) of a collection that start with `prefix`, in order. */
  keys(collection: string, prefix = ''): string[] {
    const map = this.data.get(collection);
    if (!map) {
      return [];
    }
    return this.keysWithPrefix(collection, map, prefix.toLowerCase());
  }

  /** Number of put/delete records queued since the store was opened: changes whenever the state does. */
  get writes(): number {
    return this.queuedSeq;
  }

  /** Puts and deletes in one collection since the store was opened (changes whenever that collection does). */
  writesTo(collection: string): number {
    return this.collectionWrites.get(collection) ?? 0;
  }

  private readonly collectionWrites = new Map<string, number>();

  private wrote(collection: string): void {
    this.collectionWrites.set(collection, (this.collectionWrites.get(collection) ?? 0) + 1);
  }

  put<T>(collection: string, key: string, value: T): void {
    this.assertWritable();
    if (value === undefined) {
      throw new Error(`Store.put(${collection}, ${key}): value is undefined; use delete() to remove a key.`);
    }
    const k = key.toLowerCase();
    const raw = JSON.stringify(value);
    let map = this.data.get(collection);
    if (!map) {
      map = new Map();
      this.data.set(collection, map);
    }
    if (!map.has(k)) {
      this.indexInsert(collection, k);
    }
    map.set(k, raw);
    this.wrote(collection);
    this.enqueue(`{"c":${JSON.stringify(collection)},"k":${JSON.stringify(k)},"v":${raw}}`);
  }

  delete(collection: string, key: string): boolean {
    this.assertWritable();
    const k = key.toLowerCase();
    const map = this.data.get(collection);
    if (!map || !map.has(k)) {
      return false;
    }
    map.delete(k);
    this.wrote(collection);
    this.frozen.get(collection)?.delete(k);
    this.indexRemove(collection, k);
    if (map.size === 0) {
      this.data.delete(collection);
      this.sorted.delete(collection);
    }
    this.enqueue(JSON.stringify({ c: collection, k }));
    return true;
  }

  /** Deletes every key starting with `prefix` in every collection; returns how many were removed. */
  deletePrefix(prefix: string): number {
    let removed = 0;
    for (const collection of [...this.data.keys()]) {
      for (const key of this.keys(collection, prefix)) {
        if (this.delete(collection, key)) {
          removed++;
        }
      }
    }
    return removed;
  }

  collections(): string[] {
    return [...this.data.keys()].sort();
  }

  commit(): Promise<void> {
    if (this.failure) {
      return Promise.reject(this.failure);
    }
    const target = this.queuedSeq;
    if (this.durableSeq >= target) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ seq: target, resolve, reject });
      void this.flushLoop();
    });
  }

  /** Commits, compacts and closes the files. The store is unusable afterwards. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    await this.commit();
    while (this.flushing) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await this.compact();
    this.closed = true;
    await this.fd?.close();
    this.fd = undefined;
  }

  /** Size of the current journal in bytes (for tests and diagnostics). */
  get journalSize(): number {
    return this.journalBytes;
  }

  // ---- internals --------------------------------------------------------------------------------

  private sortedKeys(collection: string, map: Map<string, string>): string[] {
    let keys = this.sorted.get(collection);
    if (!keys) {
      keys = [...map.keys()].sort();
      this.sorted.set(collection, keys);
    }
    return keys;
  }

  private keysWithPrefix(collection: string, map: Map<string, string>, p: string): string[] {
    const keys = this.sortedKeys(collection, map);
    // Every key with the prefix sorts at or after it and before the prefix followed by the highest
    // code unit: two binary searches and a slice, not a comparison per key.
    const from = lowerBound(keys, p);
    return p === '' ? keys.slice() : keys.slice(from, lowerBound(keys, `${p}\uffff`, from));
  }

  private indexInsert(collection: string, k: string): void {
    const keys = this.sorted.get(collection);
    if (keys) {
      keys.splice(lowerBound(keys, k), 0, k);
    }
  }

  private indexRemove(collection: string, k: string): void {
    const keys = this.sorted.get(collection);
    if (keys) {
      const i = lowerBound(keys, k);
      if (keys[i] === k) {
        keys.splice(i, 1);
      }
    }
  }

  private assertWritable(): void {
    if (this.closed) {
      throw new Error('The sandbox store is closed; the sandbox is shutting down.');
    }
    if (this.failure) {
      throw this.failure;
    }
  }

  private enqueue(payload: string): void {
    const body = Buffer.from(payload, 'utf8');
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(body.length, 0);
    header.writeUInt32LE(crc32(body), 4);
    this.pending.push(header, body);
    this.queuedSeq++;
  }

  private async flushLoop(): Promise<void> {
    if (this.flushing) {
      return;
    }
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const buf = Buffer.concat(this.pending);
        const upTo = this.queuedSeq;
        this.pending = [];
        const fd = this.fd;
        if (!fd) {
          throw new Error('The sandbox store journal is not open.');
        }
        let written = 0;
        while (written < buf.length) {
          const { bytesWritten } = await fd.write(buf, written, buf.length - written, null);
          written += bytesWritten;
        }
        await fd.datasync();
        this.journalBytes += buf.length;
        this.durableSeq = upTo;
        this.releaseWaiters();
        if (this.journalBytes > this.compactAfterBytes && this.journalBytes > this.snapshotBytes) {
          await this.compact();
        }
      }
    } catch (err) {
      // A failed write or fsync leaves the journal in an unknown state: refuse further writes
      // rather than acknowledge changes that may not be durable.
      this.failure = new Error(`The sandbox store could not write its journal (${(err as Error).message}). Restart the sandbox; it recovers from the last durable state.`);
      for (const w of this.waiters.splice(0)) {
        w.reject(this.failure);
      }
    } finally {
      this.flushing = false;
    }
  }

  private releaseWaiters(): void {
    const still: Waiter[] = [];
    for (const w of this.waiters) {
      if (w.seq <= this.durableSeq) {
        w.resolve();
      } else {
        still.push(w);
      }
    }
    this.waiters = still;
  }

  private journalPath(gen: number): string {
    return path.join(this.dir, `journal-${gen}.log`);
  }

  private async load(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    const snapshotPath = path.join(this.dir, 'snapshot.json');
    try {
      const text = await fsp.readFile(snapshotPath, 'utf8');
      this.snapshotBytes = Buffer.byteLength(text);
      const snap = JSON.parse(text) as SnapshotFile;
      if (snap.format !== 'governed-data-share-sandbox-store') {
        throw new Error(`${snapshotPath} is not a sandbox store snapshot. Start the sandbox with --reset to begin from scratch.`);
      }
      this.generation = snap.generation;
      for (const [collection, entries] of Object.entries(snap.collections)) {
        const map = new Map<string, string>();
        for (const [k, v] of Object.entries(entries)) {
          map.set(k, JSON.stringify(v));
        }
        this.data.set(collection, map);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
    }
    const journal = this.journalPath(this.generation);
    let validLength = 0;
    try {
      const buf = await fsp.readFile(journal);
      validLength = this.replay(buf);
      if (validLength < buf.length) {
        // Torn tail from a crash mid-write: drop it so later appends start on a record boundary.
        await fsp.truncate(journal, validLength);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw err;
      }
    }
    this.sorted.clear();
    this.fd = await fsp.open(journal, 'a');
    await this.fd.datasync();
    this.journalBytes = validLength;
    // Journals of other generations are leftovers of an interrupted compaction.
    for (const name of await fsp.readdir(this.dir)) {
      const m = /^journal-(\d+)\.log$/.exec(name);
      if (m && Number(m[1]) !== this.generation) {
        await fsp.rm(path.join(this.dir, name), { force: true });
      }
    }
  }

  /** Applies journal records; returns the length of the valid prefix. */
  private replay(buf: Buffer): number {
    let offset = 0;
    while (offset + HEADER <= buf.length) {
      const length = buf.readUInt32LE(offset);
      const crc = buf.readUInt32LE(offset + 4);
      const start = offset + HEADER;
      const end = start + length;
      if (length > MAX_RECORD || end > buf.length || crc32(buf, start, end) !== crc) {
        break;
      }
      let record: { c: string; k: string; v?: unknown };
      try {
        record = JSON.parse(buf.toString('utf8', start, end)) as { c: string; k: string; v?: unknown };
      } catch {
        break;
      }
      let map = this.data.get(record.c);
      if ('v' in record) {
        if (!map) {
          map = new Map();
          this.data.set(record.c, map);
        }
        map.set(record.k, JSON.stringify(record.v));
      } else if (map) {
        map.delete(record.k);
        if (map.size === 0) {
          this.data.delete(record.c);
        }
      }
      offset = end;
    }
    return offset;
  }

  /** Writes a snapshot of the current state and switches to a fresh journal. Call only while no flush is writing. */
  private async compact(): Promise<void> {
    if (!this.fd) {
      return;
    }
    const next = this.generation + 1;
    const collections: Record<string, Record<string, unknown>> = {};
    for (const [name, map] of this.data) {
      const entries: Record<string, unknown> = {};
      for (const [k, raw] of map) {
        entries[k] = JSON.parse(raw);
      }
      collections[name] = entries;
    }
    const snap: SnapshotFile = { format: 'governed-data-share-sandbox-store', version: 1, generation: next, collections };
    const text = JSON.stringify(snap);
    const tmp = path.join(this.dir, 'snapshot.json.tmp');
    const handle = await fsp.open(tmp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Open the next journal before the rename so that a crash after the rename finds it (empty).
    const nextFd = await fsp.open(this.journalPath(next), 'a');
    await fsp.rename(tmp, path.join(this.dir, 'snapshot.json'));
    await syncDir(this.dir);
    const oldFd = this.fd;
    const oldGen = this.generation;
    this.fd = nextFd;
    this.generation = next;
    this.journalBytes = 0;
    this.snapshotBytes = Buffer.byteLength(text);
    await oldFd.close();
    await fsp.rm(this.journalPath(oldGen), { force: true });
  }
}

/** First index whose key is not less than `k` (keys sorted by code unit, as Array.prototype.sort orders strings). */
function lowerBound(keys: string[], k: string, from = 0): number {
  let lo = from;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < k) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') {
    return; // directories cannot be fsync'ed on Windows; rename is atomic enough there
  }
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Freezes a parsed JSON value and everything in it (shared read-only values). */
export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}
