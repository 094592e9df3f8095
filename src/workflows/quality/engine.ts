/**
 * The data-quality engine: runs a rules file over every file of a dataset (CSV streamed, Parquet
 * one row group at a time) in one pass, each rule keeping only counters, a bounded sample of
 * failing rows and (unique) a bounded set of seen values. The files of a folder or container
 * dataset are one table: counts, uniqueness and freshness span all of them.
 *
 * Result per rule, in the vocabulary GX/Soda/dbt share: outcome (pass, warn, fail, error),
 * observed value, element count, failed count and percent, and at most 20 failing rows whose
 * classified values are masked.
 */
import { readCsv } from './csv';
import { inferCsvColumns } from './infer';
import { parquetColumns, readParquet } from './parquet';
import { checkSourcesIsolated } from './worker';
import { allowedFailures, parseDuration, ruleIdOf, type ColumnType, type Rule, type RuleSet } from './rules';
import { formatOf, listTarget, type Batch, type QualityTarget, type SourceBlob } from './source';
import { isMissing, isUtcIso, SeenSet, sampleValue, textIsType, textOf, toNumber, toTime, typeSatisfies } from './values';

export type Outcome = 'pass' | 'warn' | 'fail' | 'error';

export interface SampleRow {
  file: string;
  /** 1-based data row in the file (absent for a file-level finding). */
  row?: number;
  /** The row's values (classified columns and sensitive-looking values masked). */
  values?: Record<string, string | number | boolean | null>;
  /** Why the row (or file) fails. */
  note?: string;
}

export interface RuleResult {
  ruleId: string;
  kind: Rule['kind'] | 'file';
  column?: string;
  severity: 'warn' | 'fail';
  outcome: Outcome;
  observedValue: string | number | null;
  elementCount: number;
  failedCount: number;
  failedPercent: number;
  sample: SampleRow[];
  durationMs: number;
  /** Why the rule could not be checked, or what it found, in a sentence. */
  message?: string;
}

export interface QualityFile {
  name: string;
  format: 'csv' | 'parquet';
  rows: number;
  bytes: number;
  error?: string;
}

export interface QualityReport {
  outcome: Outcome;
  files: QualityFile[];
  results: RuleResult[];
  /** Blobs that are neither CSV nor Parquet (by extension), left out. */
  skipped?: string[];
  startedAt: string;
  durationMs: number;
}

export interface CheckOptions {
  classifiedColumns?: string[];
  signal?: AbortSignal;
  onProgress?(message: string): void;
}

const SAMPLE_MAX = 20;
const DEFAULT_UNIQUE_MB = 64;

/** One rule's running state over all files. */
abstract class Check {
  readonly id: string;
  elements = 0;
  failed = 0;
  readonly sample: SampleRow[] = [];
  errors: string[] = [];
  /** Column indices of the current file (-1: missing). */
  protected idx: number[] = [];
  protected file = '';
  protected names: string[] = [];
  elapsed = 0;

  constructor(readonly rule: Rule, index: number, protected readonly classified: ReadonlySet<string>) {
    this.id = ruleIdOf(rule, index);
  }

  /** Columns this rule reads. */
  abstract get columns(): string[];

  /** A new file: resolves the rule's columns in it (a missing one is an error of this rule). */
  begin(file: string, names: string[], _declared?: Array<ColumnType | undefined>): void {
    this.file = file;
    this.names = names;
    const lower = names.map((n) => n.toLowerCase());
    this.idx = this.columns.map((c) => {
      const i = names.indexOf(c);
      return i >= 0 ? i : lower.indexOf(c.toLowerCase());
    });
    const missing = this.columns.filter((_c, k) => this.idx[k] < 0);
    if (missing.length && this.needsColumns) this.errors.push(`${file} has no column ${missing.map((m) => `'${m}'`).join(', ')} (its columns: ${names.join(', ') || 'none'})`);
  }

  protected get needsColumns(): boolean {
    return true;
  }

  protected get usable(): boolean {
    return this.idx.every((i) => i >= 0);
  }

  abstract consume(b: Batch): void;

  protected addSample(b: Batch, r: number, note?: string): void {
    if (this.sample.length >= SAMPLE_MAX) return;
    const values: Record<string, string | number | boolean | null> = {};
    for (let c = 0; c < this.names.length; c++) {
      const v = b.display ? b.display(r, c) : b.get(r, c);
      if (v !== undefined) values[this.names[c]] = sampleValue(this.names[c], v, this.classified);
    }
    this.sample.push({ file: this.file, row: b.rowNumber(r), values, ...(note ? { note } : {}) });
  }

  /** Observed value once every file is read. */
  abstract observed(): string | number | null;

  /** Whether the rule is breached (before severity). */
  breached(): boolean {
    return this.failed > allowedFailures(this.rule.tolerance, this.elements);
  }

  message(): string | undefined {
    return undefined;
  }

  result(): RuleResult {
    const severity = this.rule.severity ?? 'fail';
    const breached = this.breached();
    const outcome: Outcome = breached && severity === 'fail' ? 'fail' : this.errors.length ? 'error' : breached ? 'warn' : 'pass';
    const col = (this.rule as { column?: string; columns?: string[] }).column ?? (this.rule as { columns?: string[] }).columns?.join(', ');
    const msgs = [...this.errors, ...(this.message() ? [this.message() as string] : [])];
    return {
      ruleId: this.id,
      kind: this.rule.kind,
      ...(col ? { column: col } : {}),
      severity,
      outcome,
      observedValue: this.observed(),
      elementCount: this.elements,
      failedCount: this.failed,
      failedPercent: this.elements ? round((this.failed / this.elements) * 100) : 0,
      sample: this.sample,
      durationMs: Math.round(this.elapsed),
      ...(msgs.length ? { message: msgs.join('; ') } : {}),
    };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** Row-level rules over one column: failing rows counted, nulls skipped unless the rule is about nulls. */
abstract class ColumnCheck extends Check {
  get columns(): string[] {
    return [(this.rule as { column: string }).column];
  }
  consume(b: Batch): void {
    if (!this.usable) return;
    const c = this.idx[0];
    const rows = b.rows;
    const col = rows ? undefined : b.column(c);
    const n = b.length;
    this.elements += n;
    for (let r = 0; r < n; r++) {
      const v = rows ? rows[r][c] : (col as ArrayLike<unknown>)[r];
      if (this.fails(v)) {
        this.failed++;
        if (this.sample.length < SAMPLE_MAX) this.addSample(b, r, this.why(v));
      }
    }
  }
  abstract fails(v: unknown): boolean;
  why(_v: unknown): string | undefined {
    return undefined;
  }
  observed(): string | number | null {
    return this.failed;
  }
}

class NotNullCheck extends ColumnCheck {
  fails(v: unknown): boolean {
    return isMissing(v);
  }
  override observed(): number {
    return this.elements ? round((this.failed / this.elements) * 100) : 0;
  }
  override message(): string | undefined {
    return this.failed ? `${this.failed} missing value(s) in ${this.elements} row(s)` : undefined;
  }
}

class MissingPercentCheck extends NotNullCheck {
  override breached(): boolean {
    const max = (this.rule as { max: number }).max;
    return this.elements > 0 && (this.failed / this.elements) * 100 > max;
  }
  override message(): string | undefined {
    return `${this.observed()}% missing (at most ${(this.rule as { max: number }).max}% allowed)`;
  }
}

class RegexCheck extends ColumnCheck {
  private readonly re: RegExp;
  constructor(rule: Rule, index: number, classified: ReadonlySet<string>) {
    super(rule, index, classified);
    const r = rule as { pattern: string; flags?: string };
    this.re = new RegExp(r.pattern, r.flags);
  }
  fails(v: unknown): boolean {
    if (isMissing(v)) return false;
    return !this.re.test(typeof v === 'string' ? v : textOf(v));
  }
  override why(): string {
    return `does not match /${(this.rule as { pattern: string }).pattern}/`;
  }
}

class AcceptedValuesCheck extends ColumnCheck {
  private readonly allowed: Set<string>;
  constructor(rule: Rule, index: number, classified: ReadonlySet<string>) {
    super(rule, index, classified);
    this.allowed = new Set((rule as { values: unknown[] }).values.map((x) => String(x)));
  }
  fails(v: unknown): boolean {
    if (isMissing(v)) return false;
    return !this.allowed.has(typeof v === 'string' ? v : textOf(v));
  }
  override why(): string {
    return 'not an accepted value';
  }
}

class RangeCheck extends ColumnCheck {
  private min = Infinity;
  private max = -Infinity;
  fails(v: unknown): boolean {
    if (isMissing(v)) return false;
    const n = toNumber(v);
    if (Number.isNaN(n)) return true;
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
    const r = this.rule as { min?: number; max?: number; strict?: boolean };
    if (r.strict) return (r.min !== undefined && n <= r.min) || (r.max !== undefined && n >= r.max);
    return (r.min !== undefined && n < r.min) || (r.max !== undefined && n > r.max);
  }
  override why(v: unknown): string {
    const r = this.rule as { min?: number; max?: number; strict?: boolean };
    return Number.isNaN(toNumber(v)) ? 'not a number' : `outside ${r.strict ? '(' : '['}${r.min ?? '-∞'}, ${r.max ?? '∞'}${r.strict ? ')' : ']'}`;
  }
  override observed(): string | null {
    return this.min <= this.max ? `min ${this.min}, max ${this.max}` : null;
  }
}

class UniqueCheck extends Check {
  private readonly seen: SeenSet;
  constructor(rule: Rule, index: number, classified: ReadonlySet<string>, private readonly budgetMB: number) {
    super(rule, index, classified);
    this.seen = new SeenSet(budgetMB * 1024 * 1024);
  }
  get columns(): string[] {
    const r = this.rule as { column?: string; columns?: string[] };
    return r.columns ?? [r.column as string];
  }
  consume(b: Batch): void {
    if (!this.usable) return;
    const idx = this.idx;
    const n = b.length;
    this.elements += n;
    const rows = b.rows;
    const single = idx.length === 1 ? idx[0] : -1;
    const singleCol = single >= 0 && !rows ? b.column(single) : undefined;
    const cols = idx.length > 1 ? idx.map((i) => b.column(i)) : [];
    for (let r = 0; r < n; r++) {
      let key: string;
      if (single >= 0) {
        const v = rows ? rows[r][single] : (singleCol as ArrayLike<unknown>)[r];
        // Rows with a missing key are not compared (as SQL UNIQUE and GX do): not_null covers them.
        if (isMissing(v)) continue;
        if (typeof v === 'number') {
          if (this.seen.addNumber(v)) this.duplicate(b, r);
          continue;
        }
        key = typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : `\u0002${textOf(v)}`;
      } else {
        let any = false;
        key = '';
        for (let k = 0; k < idx.length; k++) {
          const v = cols[k][r];
          if (isMissing(v)) {
            any = true;
            break;
          }
          key += (k ? '\u0001' : '') + textOf(v);
        }
        if (any) continue;
      }
      if (this.seen.addText(key)) this.duplicate(b, r);
    }
  }
  private duplicate(b: Batch, r: number): void {
    this.failed++;
    if (this.sample.length < SAMPLE_MAX) this.addSample(b, r, 'duplicate of an earlier row');
  }
  observed(): number {
    return this.seen.distinct;
  }
  override result(): RuleResult {
    if (this.seen.overflowed && !this.breached()) {
      this.errors.push(`the set of seen values reached its ${this.budgetMB} MB budget after ${this.seen.distinct} distinct value(s): duplicates among later values cannot be ruled out (raise limits.uniqueMemoryMB, or check a narrower key)`);
    }
    return super.result();
  }
  override message(): string | undefined {
    return this.failed ? `${this.failed} duplicate row(s); ${this.seen.distinct} distinct value(s)` : undefined;
  }
}

class RowCountCheck extends Check {
  get columns(): string[] {
    return [];
  }
  consume(b: Batch): void {
    this.elements += b.length;
  }
  override breached(): boolean {
    const r = this.rule as { min?: number; max?: number };
    return (r.min !== undefined && this.elements < r.min) || (r.max !== undefined && this.elements > r.max);
  }
  observed(): number {
    return this.elements;
  }
  override result(): RuleResult {
    const res = super.result();
    const r = this.rule as { min?: number; max?: number };
    const breached = this.breached();
    return { ...res, failedCount: breached ? 1 : 0, failedPercent: breached ? 100 : 0, message: breached ? `${this.elements} row(s), expected ${r.min !== undefined && r.max !== undefined ? `between ${r.min} and ${r.max}` : r.min !== undefined ? `at least ${r.min}` : `at most ${r.max}`}` : res.message };
  }
}

class FreshnessCheck extends Check {
  private newest = -Infinity;
  private newestText: string | undefined;
  private unreadable = 0;
  constructor(rule: Rule, index: number, classified: ReadonlySet<string>, private readonly now: number) {
    super(rule, index, classified);
  }
  get columns(): string[] {
    return [(this.rule as { column: string }).column];
  }
  consume(b: Batch): void {
    if (!this.usable) return;
    const c = this.idx[0];
    const rows = b.rows;
    const col = rows ? undefined : b.column(c);
    this.elements += b.length;
    let newest = this.newest;
    // UTC ISO text of one length (YYYY-MM-DDTHH:MM:SS[.fff]Z) sorts exactly like time: the newest
    // such text is kept as text and parsed once at the end; other values are parsed.
    let best = this.newestText;
    for (let r = 0; r < b.length; r++) {
      const v = rows ? rows[r][c] : (col as ArrayLike<unknown>)[r];
      if (isMissing(v)) continue;
      if (typeof v === 'string' && isUtcIso(v)) {
        if (best === undefined) {
          if (!Number.isNaN(toTime(v))) {
            best = v;
            continue;
          }
        } else if (v.length === best.length) {
          if (v > best) best = v;
          continue;
        }
      }
      const t = toTime(v);
      if (Number.isNaN(t)) this.unreadable++;
      else if (t > newest) newest = t;
    }
    this.newest = newest;
    this.newestText = best;
  }
  /** Newest of the parsed values and the newest UTC ISO text. */
  private get newestMs(): number {
    const t = this.newestText !== undefined ? toTime(this.newestText) : NaN;
    return Number.isNaN(t) ? this.newest : Math.max(t, this.newest);
  }
  private get maxAgeMs(): number {
    return parseDuration((this.rule as { maxAge: string }).maxAge) as number;
  }
  override breached(): boolean {
    if (this.elements === 0 && this.errors.length) return false;
    const newest = this.newestMs;
    return !(newest > -Infinity) || this.now - newest > this.maxAgeMs;
  }
  observed(): string | null {
    const newest = this.newestMs;
    return newest > -Infinity ? new Date(newest).toISOString() : null;
  }
  override message(): string | undefined {
    const newest = this.newestMs;
    const age = newest > -Infinity ? humanAge(this.now - newest) : undefined;
    const parts = [age ? `newest value is ${age} old (at most ${(this.rule as { maxAge: string }).maxAge} allowed)` : 'no timestamp value found'];
    if (this.unreadable) parts.push(`${this.unreadable} value(s) are not timestamps`);
    return parts.join('; ');
  }
  override result(): RuleResult {
    const res = super.result();
    const breached = this.breached();
    return { ...res, failedCount: breached ? 1 : 0, failedPercent: breached ? 100 : 0 };
  }
}

export function humanAge(ms: number): string {
  const abs = Math.abs(ms);
  const s = abs < 6e4 ? `${Math.round(abs / 1e3)} s` : abs < 3.6e6 ? `${(abs / 6e4).toFixed(1)} min` : abs < 8.64e7 * 2 ? `${(abs / 3.6e6).toFixed(1)} h` : `${(abs / 8.64e7).toFixed(1)} d`;
  return ms < 0 ? `${s} in the future (so 0 s)` : s;
}

class SchemaCheck extends Check {
  private headerProblems = 0;
  private typed: Array<{ name: string; type: ColumnType; at: number }> = [];
  private typedFailed = 0;
  get columns(): string[] {
    return [];
  }
  protected override get needsColumns(): boolean {
    return false;
  }
  override begin(file: string, names: string[], declared?: Array<ColumnType | undefined>): void {
    super.begin(file, names, declared);
    const r = this.rule as { required?: string[]; forbidden?: string[]; types?: Record<string, ColumnType> };
    const lower = names.map((n) => n.toLowerCase());
    const at = (c: string) => {
      const i = names.indexOf(c);
      return i >= 0 ? i : lower.indexOf(c.toLowerCase());
    };
    const fileNote = (note: string) => {
      this.headerProblems++;
      if (this.sample.length < SAMPLE_MAX) this.sample.push({ file, note });
    };
    for (const c of r.required ?? []) if (at(c) < 0) fileNote(`required column '${c}' is missing`);
    for (const c of r.forbidden ?? []) if (at(c) >= 0) fileNote(`forbidden column '${c}' is present`);
    this.typed = [];
    for (const [c, t] of Object.entries(r.types ?? {})) {
      const i = at(c);
      if (i < 0) {
        if (!(r.required ?? []).includes(c)) fileNote(`column '${c}' (expected ${t}) is missing`);
        continue;
      }
      if (declared) {
        const d = declared[i];
        if (!d || !typeSatisfies(d, t)) fileNote(`column '${names[i]}' is ${d ?? 'a nested type'}, expected ${t}`);
      } else if (t !== 'string') this.typed.push({ name: names[i], type: t, at: i });
    }
  }
  consume(b: Batch): void {
    this.elements += b.length;
    if (!this.typed.length) return;
    const rows = b.rows;
    const cols = rows ? [] : this.typed.map((t) => b.column(t.at));
    const typed = this.typed;
    for (let r = 0; r < b.length; r++) {
      const row = rows ? rows[r] : undefined;
      for (let k = 0; k < typed.length; k++) {
        const t = typed[k];
        const v = row ? row[t.at] : cols[k][r];
        if (typeof v === 'string' && v !== '' && !textIsType(v, t.type)) {
          this.typedFailed++;
          this.failed++;
          if (this.sample.length < SAMPLE_MAX) this.addSample(b, r, `'${t.name}' is not ${t.type === 'integer' ? 'an' : 'a'} ${t.type}`);
          break;
        }
      }
    }
  }
  override breached(): boolean {
    return this.headerProblems > 0 || super.breached();
  }
  observed(): string {
    const parts: string[] = [];
    if (this.headerProblems) parts.push(`${this.headerProblems} column problem(s)`);
    if (this.typedFailed) parts.push(`${this.typedFailed} row(s) with a value of the wrong type`);
    return parts.join('; ') || 'as expected';
  }
  override result(): RuleResult {
    const res = super.result();
    return { ...res, failedCount: res.failedCount + this.headerProblems, message: this.headerProblems || this.typedFailed ? this.sample.filter((s) => !s.row).map((s) => `${s.file}: ${s.note}`).concat(this.typedFailed ? [`${this.typedFailed} row(s) with a value of the wrong type`] : []).join('; ') : undefined };
  }
}

function makeCheck(rule: Rule, index: number, classified: ReadonlySet<string>, set: RuleSet, now: number): Check {
  switch (rule.kind) {
    case 'schema': return new SchemaCheck(rule, index, classified);
    case 'not_null': return new NotNullCheck(rule, index, classified);
    case 'missing_percent': return new MissingPercentCheck(rule, index, classified);
    case 'unique': return new UniqueCheck(rule, index, classified, set.limits?.uniqueMemoryMB ?? DEFAULT_UNIQUE_MB);
    case 'row_count': return new RowCountCheck(rule, index, classified);
    case 'regex': return new RegexCheck(rule, index, classified);
    case 'accepted_values': return new AcceptedValuesCheck(rule, index, classified);
    case 'range': return new RangeCheck(rule, index, classified);
    case 'freshness': return new FreshnessCheck(rule, index, classified, now);
  }
}

const ORDER: Record<Outcome, number> = { pass: 0, warn: 1, error: 2, fail: 3 };

/** The worst of outcomes (fail > error > warn > pass). */
export function worst(outcomes: Iterable<Outcome>): Outcome {
  let w: Outcome = 'pass';
  for (const o of outcomes) if (ORDER[o] > ORDER[w]) w = o;
  return w;
}

function isAbort(e: unknown): boolean {
  return (e as Error)?.name === 'AbortError';
}

/**
 * Checks a rules file over the given files in one pass each. Never throws for bad data: an
 * unreadable, empty or malformed file is reported on the file and as a `file` result.
 * Throws only when cancelled.
 */
export async function checkSources(sources: readonly SourceBlob[], rules: RuleSet, options: CheckOptions = {}, now = Date.now()): Promise<QualityReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const classified = new Set([...(options.classifiedColumns ?? []), ...(rules.classifiedColumns ?? [])].map((c) => c.toLowerCase()));
  const checks = rules.rules.map((r, i) => makeCheck(r, i, classified, rules, now));
  // Parquet reads only the columns the rules name (samples then show those columns).
  const wanted = new Set<string>();
  for (const c of checks) {
    if (c instanceof SchemaCheck) Object.keys((c.rule as { types?: Record<string, ColumnType> }).types ?? {}).forEach((k) => wanted.add(k));
    else c.columns.forEach((k) => wanted.add(k));
  }
  const files: QualityFile[] = [];
  const skipped: string[] = [];
  const fileResults: RuleResult[] = [];
  const fileFinding = (name: string, outcome: Outcome, message: string, count = 0, sample: SampleRow[] = []) =>
    fileResults.push({ ruleId: `file:${name}`, kind: 'file', severity: 'fail', outcome, observedValue: count || null, elementCount: 0, failedCount: count, failedPercent: 0, sample, durationMs: 0, message });
  let bytesDone = 0;
  const totalBytes = sources.reduce((n, s) => n + s.size, 0);
  for (const src of sources) {
    const format = formatOf(src.name, rules.format);
    if (!format) {
      skipped.push(src.name);
      continue;
    }
    if (options.signal?.aborted) throw Object.assign(new Error('The check was cancelled.'), { name: 'AbortError' });
    options.onProgress?.(`checking ${src.name} (${format}, ${mb(src.size)})`);
    const entry: QualityFile = { name: src.name, format, rows: 0, bytes: src.size };
    files.push(entry);
    if (src.size === 0) {
      entry.error = `${src.name} is empty (0 bytes): no header and no rows`;
      fileFinding(src.name, 'error', entry.error);
      for (const c of checks) c.begin(src.name, []);
      continue;
    }
    let lastReport = performance.now();
    let rowsSoFar = 0;
    const handlers = {
      onHeader: (names: string[], declared?: Array<ColumnType | undefined>) => {
        for (const c of checks) c.begin(src.name, names, declared);
      },
      onBatch: (b: Batch) => {
        for (const c of checks) {
          const s = performance.now();
          c.consume(b);
          c.elapsed += performance.now() - s;
        }
        rowsSoFar += b.length;
        if (options.onProgress && performance.now() - lastReport > 2000) {
          lastReport = performance.now();
          options.onProgress(`${src.name}: ${rowsSoFar.toLocaleString('en-US')} row(s) checked`);
        }
      },
    };
    try {
      const res = format === 'csv'
        ? await readCsv(src, { delimiter: rules.csv?.delimiter, header: rules.csv?.header }, handlers, options.signal)
        : await readParquet(src, wanted, handlers, options.signal);
      entry.rows = res.rows;
      if (res.columns.length === 0) {
        entry.error = `${src.name} has no header row and no data`;
        fileFinding(src.name, 'error', entry.error);
        for (const c of checks) c.begin(src.name, []);
      } else if (res.rows === 0) {
        fileFinding(src.name, 'warn', `${src.name} has a header (${res.columns.join(', ')}) but no data rows`);
      }
      if (res.malformed.count) {
        const first = res.malformed.first[0];
        entry.error = `${res.malformed.count} malformed row(s), left out of the checks; first at row ${first.row}: ${first.message}`;
        fileFinding(src.name, 'fail', `${src.name}: ${entry.error}`, res.malformed.count, res.malformed.first.map((m) => ({ file: src.name, row: m.row, note: m.message })));
      }
    } catch (e) {
      if (isAbort(e) || options.signal?.aborted) throw Object.assign(new Error('The check was cancelled.'), { name: 'AbortError' });
      entry.error = `cannot be read: ${(e as Error).message}`;
      fileFinding(src.name, 'error', `${src.name} ${entry.error}`);
    }
    bytesDone += src.size;
    options.onProgress?.(`${src.name}: ${entry.rows.toLocaleString('en-US')} row(s)${entry.error ? ` (${entry.error})` : ''}; ${mb(bytesDone)} of ${mb(totalBytes)}`);
  }
  if (!files.length) fileFinding('(dataset)', 'error', `No CSV or Parquet file to check${skipped.length ? ` (left out: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? '…' : ''})` : ''}.`);
  const results = [...fileResults, ...checks.map((c) => c.result())];
  return {
    outcome: worst(results.map((r) => r.outcome)),
    files,
    results,
    ...(skipped.length ? { skipped } : {}),
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
  };
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

export interface CheckQualityInput extends QualityTarget {
  rules: RuleSet;
  classifiedColumns?: string[];
  onProgress?(message: string): void;
}

/** Checks the rules over a file, a folder or a whole container, read straight from the blob. */
export async function checkQuality(input: CheckQualityInput): Promise<QualityReport> {
  const sources = await listTarget(input);
  return checkSourcesIsolated(sources, input.rules, { classifiedColumns: input.classifiedColumns, signal: input.signal, onProgress: input.onProgress });
}

export interface InferredColumn {
  name: string;
  type: ColumnType;
}

/**
 * Column names and types of a dataset's first data file: Parquet from its footer, CSV from the
 * header and up to 1000 rows of a first ranged read (256 KB).
 */
export async function inferColumns(input: QualityTarget & { format?: 'auto' | 'csv' | 'parquet'; delimiter?: string }): Promise<InferredColumn[]> {
  const sources = await listTarget(input);
  return inferFromSources(sources, input.format, input.delimiter, input.signal);
}

export async function inferFromSources(sources: readonly SourceBlob[], format: 'auto' | 'csv' | 'parquet' = 'auto', delimiter?: string, signal?: AbortSignal): Promise<InferredColumn[]> {
  const src = sources.find((s) => formatOf(s.name, format) && s.size > 0);
  if (!src) throw new Error('No non-empty CSV or Parquet file to read the columns from.');
  if (formatOf(src.name, format) === 'parquet') return (await parquetColumns(src, signal)).map((c) => ({ name: c.name, type: c.type ?? 'string' }));
  return inferCsvColumns(src, delimiter, signal);
}
