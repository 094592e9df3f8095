/**
 * Value helpers shared by the rules: what counts as missing, numbers and timestamps out of CSV
 * text or Parquet values, the CSV type test of the schema rule, masking of sample values, and the
 * bounded set of seen values the unique rule uses.
 */
import type { ColumnType } from './rules';

/** Missing: null/undefined (Parquet) or an empty field (CSV). */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const INTEGER = /^\s*[+-]?\d+\s*$/;
const BOOLEAN = /^(?:true|false)$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** A number, or NaN when the value is not one. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    // Number() first (fast); it also reads '', '0x1F', '0b1', 'Infinity', which are not decimal numbers.
    const n = Number(v);
    if (Number.isFinite(n) && v.length > 0) {
      const c1 = v.length > 1 ? v.charCodeAt(1) : 0;
      if (c1 < 65 || (c1 !== 120 && c1 !== 88 && c1 !== 98 && c1 !== 66 && c1 !== 111 && c1 !== 79)) return v.trim() === '' ? NaN : n;
    }
    return NUMERIC.test(v) ? Number(v) : NaN;
  }
  if (typeof v === 'boolean') return NaN;
  return NaN;
}

/** Epoch milliseconds, or NaN when the value is not a timestamp (ISO 8601 text or a Date). */
export function toTime(v: unknown): number {
  if (typeof v === 'number') return v; // Parquet timestamps arrive as epoch milliseconds
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') return ISO_TIME.test(v) ? Date.parse(v) : ISO_TIME.test(v.trim()) ? Date.parse(v.trim()) : NaN;
  return NaN;
}

/**
 * Whether `v` has the fixed UTC shape `YYYY-MM-DDTHH:MM:SS…Z`, in which later times sort later
 * as text at least to the second: lets freshness skip parsing values older than the newest.
 */
export function isUtcIso(v: string): boolean {
  return v.length >= 20 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45 && v.charCodeAt(10) === 84 && v.charCodeAt(13) === 58 && v.charCodeAt(16) === 58 && v.charCodeAt(v.length - 1) === 90;
}

/** Does a CSV field read as the type? (every non-empty field reads as a string) */
export function textIsType(v: string, t: ColumnType): boolean {
  switch (t) {
    case 'string': return true;
    case 'integer': return isIntegerText(v);
    case 'number': return !Number.isNaN(toNumber(v));
    case 'boolean': return BOOLEAN.test(v.trim());
    case 'timestamp': return ISO_TIME.test(v) ? validDate(v) : !Number.isNaN(toTime(v));
  }
}

/** Month 01–12 and day 01–31 of an ISO date (the shape is already checked). */
function validDate(v: string): boolean {
  const m = (v.charCodeAt(5) - 48) * 10 + v.charCodeAt(6) - 48;
  const d = (v.charCodeAt(8) - 48) * 10 + v.charCodeAt(9) - 48;
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/** Optional sign and digits (surrounding blanks allowed), by char codes: the schema rule's hot path. */
function isIntegerText(v: string): boolean {
  let i = 0;
  let end = v.length;
  while (i < end && v.charCodeAt(i) === 32) i++;
  while (end > i && v.charCodeAt(end - 1) === 32) end--;
  if (i < end && (v.charCodeAt(i) === 43 || v.charCodeAt(i) === 45)) i++;
  if (i >= end) return false;
  for (; i < end; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return INTEGER.test(v);
  }
  return true;
}

/** The narrowest type a CSV field reads as. */
export function textType(v: string): ColumnType {
  if (INTEGER.test(v)) return 'integer';
  if (NUMERIC.test(v)) return 'number';
  if (BOOLEAN.test(v.trim())) return 'boolean';
  if (!Number.isNaN(toTime(v))) return 'timestamp';
  return 'string';
}

/** Widens two inferred types (integer ⊂ number; anything else mixed is a string). */
export function widen(a: ColumnType | undefined, b: ColumnType): ColumnType {
  if (!a || a === b) return b;
  if ((a === 'integer' && b === 'number') || (a === 'number' && b === 'integer')) return 'number';
  return 'string';
}

/** Does a declared type satisfy an expected one (an integer column is also a number column)? */
export function typeSatisfies(declared: ColumnType, expected: ColumnType): boolean {
  return declared === expected || (expected === 'number' && declared === 'integer');
}

/** Text of a value for regexes, accepted values and samples. */
export function textOf(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    try {
      return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
    } catch {
      return String(v);
    }
  }
  return String(v);
}

// ------------------------------------------------------------------ masking

const EMAIL = /[^\s@]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;
const CARD_CANDIDATE = /(?:\d[ -]?){12,18}\d/;
const IBAN = /\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}\b/;
const US_SSN = /\b\d{3}-\d{2}-\d{4}\b/;
const PHONE = /(?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}\b/;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * What a value looks like to the classifiers Purview's system rule set (and the sandbox's scanner)
 * apply: an email address, a credit card number (Luhn-checked), an IBAN, a US SSN or a phone
 * number; undefined when none. Only used on sample values (at most 20 rows per rule), so it costs
 * nothing on the scan itself.
 */
export function sensitiveKind(text: string): string | undefined {
  if (EMAIL.test(text)) return 'email';
  const card = CARD_CANDIDATE.exec(text);
  if (card) {
    const digits = card[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && !/^(\d)\1+$/.test(digits) && luhn(digits)) return 'credit card number';
  }
  if (IBAN.test(text)) return 'IBAN';
  if (US_SSN.test(text)) return 'US SSN';
  if (PHONE.test(text)) return 'phone number';
  return undefined;
}

/** A sample value as shown: classified columns and values that look sensitive are masked; long text is cut. */
export function sampleValue(column: string, v: unknown, classified: ReadonlySet<string>): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (classified.has(column.toLowerCase())) return '[masked: classified column]';
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  const text = textOf(v);
  const kind = sensitiveKind(text);
  if (kind) return `[masked: ${kind}]`;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

// ------------------------------------------------------------------ seen values (unique)

/**
 * The set of values a unique rule has seen, within a memory budget:
 * - whole numbers from 0 to 2^27 (typical ids) go into a bitmap (at most 16 MB, grown as needed);
 * - everything else goes into an open-addressing table of 64-bit hashes (8 bytes a value), grown
 *   by doubling while it fits the budget. Two different values share a 64-bit hash with
 *   probability about n²/2^65 (≈3·10⁻⁶ for ten million values): a false duplicate is possible in
 *   principle, never a missed one while the set is within budget.
 * When the table is full at its budget, new values are no longer remembered (`overflowed`), so
 * duplicates among them can be missed; the rule says so instead of claiming uniqueness.
 */
export class SeenSet {
  private bits = new Uint8Array(0);
  private static readonly BIT_LIMIT = 1 << 27;
  private hi = new Uint32Array(1 << 12);
  private lo = new Uint32Array(1 << 12);
  private size = 0;
  distinct = 0;
  overflowed = false;

  constructor(private readonly budgetBytes: number) {}

  /** Memory held, in bytes. */
  get bytes(): number {
    return this.bits.byteLength + this.hi.byteLength + this.lo.byteLength;
  }

  /** A number (Parquet): whole numbers in the bitmap's range go there directly, as their text would. */
  addNumber(n: number): boolean {
    if (Number.isInteger(n) && n >= 0 && n < SeenSet.BIT_LIMIT) return this.addInt(n);
    return this.addHash(Number.isInteger(n) ? String(n) : `\u0002${n}`);
  }

  /** true when the value was seen before. */
  addText(key: string): boolean {
    const len = key.length;
    if (len > 0 && len <= 9) {
      const c0 = key.charCodeAt(0);
      if (c0 >= 49 && c0 <= 57 || (len === 1 && c0 === 48)) {
        let n = 0;
        let ok = true;
        for (let i = 0; i < len; i++) {
          const c = key.charCodeAt(i) - 48;
          if (c < 0 || c > 9) {
            ok = false;
            break;
          }
          n = n * 10 + c;
        }
        if (ok && n < SeenSet.BIT_LIMIT) return this.addInt(n);
      }
    }
    return this.addHash(key);
  }

  private addInt(n: number): boolean {
    const byte = n >>> 3;
    if (byte >= this.bits.length) {
      let next = Math.max(this.bits.length * 2, 1 << 16);
      while (next <= byte) next *= 2;
      const grown = new Uint8Array(Math.min(next, SeenSet.BIT_LIMIT >>> 3));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (n & 7);
    if (this.bits[byte] & mask) return true;
    this.bits[byte] |= mask;
    this.distinct++;
    return false;
  }

  private addHash(key: string): boolean {
    // Two independent 32-bit hashes (FNV-1a and a multiplicative one); 0 marks an empty slot.
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    h1 = (h1 ^ (h1 >>> 16)) >>> 0;
    h2 = ((h2 ^ (h2 >>> 13)) >>> 0) | 1;
    if (this.size * 4 >= this.hi.length * 3 && !this.grow()) {
      if (this.find(h1, h2) >= 0) return true;
      this.overflowed = true;
      return false;
    }
    const cap = this.hi.length;
    let i = h1 & (cap - 1);
    for (;;) {
      const lo = this.lo[i];
      if (lo === 0) {
        this.hi[i] = h1;
        this.lo[i] = h2;
        this.size++;
        this.distinct++;
        return false;
      }
      if (lo === h2 && this.hi[i] === h1) return true;
      i = (i + 1) & (cap - 1);
    }
  }

  private find(h1: number, h2: number): number {
    const cap = this.hi.length;
    let i = h1 & (cap - 1);
    for (let n = 0; n < cap; n++) {
      const lo = this.lo[i];
      if (lo === 0) return -1;
      if (lo === h2 && this.hi[i] === h1) return i;
      i = (i + 1) & (cap - 1);
    }
    return -1;
  }

  private grow(): boolean {
    const cap = this.hi.length * 2;
    if (cap * 8 + this.bits.byteLength > this.budgetBytes) return false;
    const hi = new Uint32Array(cap);
    const lo = new Uint32Array(cap);
    for (let j = 0; j < this.hi.length; j++) {
      const l = this.lo[j];
      if (l === 0) continue;
      const h = this.hi[j];
      let i = h & (cap - 1);
      while (lo[i] !== 0) i = (i + 1) & (cap - 1);
      hi[i] = h;
      lo[i] = l;
    }
    this.hi = hi;
    this.lo = lo;
    return true;
  }
}
