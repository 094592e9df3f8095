/**
 * Column types of a CSV file from its header and first rows (one ranged read of 256 KB), and a
 * starting rules file built from a dataset's own columns.
 */
import Papa from 'papaparse';
import { stringify } from 'yaml';
import type { InferredColumn } from './engine';
import { COLUMN_TYPES, type ColumnType, type Rule, type RuleSet } from './rules';
import type { SourceBlob } from './source';
import { isMissing, textType, widen } from './values';

const SAMPLE_BYTES = 256 * 1024;

export async function inferCsvColumns(src: SourceBlob, delimiter?: string, signal?: AbortSignal): Promise<InferredColumn[]> {
  const end = Math.min(src.size, SAMPLE_BYTES);
  let text = Buffer.from(await src.read(0, end, signal)).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // A cut read ends mid-row: keep whole lines only.
  if (end < src.size) text = text.slice(0, Math.max(text.lastIndexOf('\n'), 0));
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: true, delimiter: delimiter ?? '', preview: 1001 });
  const [header, ...rows] = parsed.data;
  if (!header) throw new Error(`${src.name} has no header row.`);
  const types: Array<ColumnType | undefined> = header.map(() => undefined);
  for (const row of rows) {
    if (row.length !== header.length) continue;
    row.forEach((v, i) => {
      if (!isMissing(v)) types[i] = widen(types[i], textType(v));
    });
  }
  return header.map((h, i) => ({ name: h.trim() || `column${i + 1}`, type: types[i] ?? 'string' }));
}

/**
 * A starting rules file from a dataset's columns: the columns required with their types, at least
 * one row, `id`-like columns unique and not null, and the newest timestamp at most a day old.
 * Everything else is left for the author (regexes, accepted values and ranges need knowledge of the data).
 */
export function scaffoldRules(columns: ReadonlyArray<InferredColumn | { name: string; type: string }>, format: 'json' | 'yaml'): string {
  columns = columns.map((c) => ({ name: c.name, type: (COLUMN_TYPES as readonly string[]).includes(c.type) ? c.type : 'string' }));
  const rules: Rule[] = [
    { kind: 'schema', required: columns.map((c) => c.name), types: Object.fromEntries(columns.map((c) => [c.name, c.type as ColumnType])) },
    { kind: 'row_count', min: 1 },
  ];
  const key = columns.find((c) => /^(id|.*[_-]id|.*Id|key)$/.test(c.name));
  if (key) {
    rules.push({ kind: 'not_null', column: key.name });
    rules.push({ kind: 'unique', column: key.name });
  }
  for (const c of columns) if (c !== key) rules.push({ kind: 'missing_percent', column: c.name, max: 5, severity: 'warn' });
  const ts = columns.find((c) => (c.type as ColumnType) === 'timestamp');
  if (ts) rules.push({ kind: 'freshness', column: ts.name, maxAge: '1d', severity: 'warn' });
  const set: RuleSet = { version: 1, rules };
  if (format === 'json') return JSON.stringify(set, null, 2) + '\n';
  return `# Data-quality rules (Governed Data Share). Kinds: schema, not_null, missing_percent, unique,\n# row_count, regex, accepted_values, range, freshness; each with severity warn|fail and an optional tolerance.\n${stringify(set)}`;
}
