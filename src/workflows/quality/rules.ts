/**
 * The data-quality rules file: one per share or per dataset, JSON (`*.dq.json`) or YAML
 * (`*.dq.yaml`), in the vocabulary Great Expectations, Soda and dbt share (schema, not null /
 * missing percent, unique, row count, regex, accepted values, numeric range, freshness). Checked
 * against schemas/quality-rules.schema.json's rules here too, with every problem at once and its
 * position in the source (0-based line and column), so the editor can show them as diagnostics.
 * Both JSON and YAML go through the `yaml` package's parser, whose nodes carry source ranges.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';

export type Severity = 'warn' | 'fail';
export type ColumnType = 'string' | 'number' | 'integer' | 'boolean' | 'timestamp';
export const COLUMN_TYPES: readonly ColumnType[] = ['string', 'number', 'integer', 'boolean', 'timestamp'];

/**
 * How many failing elements a rule tolerates before it is breached: a count of rows (`10`) or a
 * percentage of the rows checked (`"2%"`). Default: none.
 */
export type Tolerance = number | `${number}%`;

interface RuleBase {
  /** Stable id (default: kind and column, e.g. `not_null:email`). */
  id?: string;
  /** What a breach means: `fail` blocks the share (default), `warn` lets it pass and says so. */
  severity?: Severity;
  tolerance?: Tolerance;
  description?: string;
}

export interface SchemaRule extends RuleBase {
  kind: 'schema';
  required?: string[];
  forbidden?: string[];
  /** Expected type per column (CSV: every non-empty value must read as it; Parquet: the column's declared type). */
  types?: Record<string, ColumnType>;
}
export interface NotNullRule extends RuleBase { kind: 'not_null'; column: string }
export interface MissingPercentRule extends RuleBase { kind: 'missing_percent'; column: string; /** Most missing values allowed, in percent. */ max: number }
export interface UniqueRule extends RuleBase { kind: 'unique'; column?: string; /** Compound key. */ columns?: string[] }
export interface RowCountRule extends RuleBase { kind: 'row_count'; min?: number; max?: number }
export interface RegexRule extends RuleBase { kind: 'regex'; column: string; pattern: string; flags?: string }
export interface AcceptedValuesRule extends RuleBase { kind: 'accepted_values'; column: string; values: Array<string | number | boolean> }
export interface RangeRule extends RuleBase { kind: 'range'; column: string; min?: number; max?: number; /** Exclusive bounds (default inclusive). */ strict?: boolean }
export interface FreshnessRule extends RuleBase { kind: 'freshness'; column: string; /** Largest age of the newest timestamp: `30m`, `12h`, `3d`, `1w`. */ maxAge: string }

export type Rule = SchemaRule | NotNullRule | MissingPercentRule | UniqueRule | RowCountRule | RegexRule | AcceptedValuesRule | RangeRule | FreshnessRule;
export type RuleKind = Rule['kind'];
export const RULE_KINDS: readonly RuleKind[] = ['schema', 'not_null', 'missing_percent', 'unique', 'row_count', 'regex', 'accepted_values', 'range', 'freshness'];

export interface RuleSet {
  version: 1;
  /** Which dataset the rules describe (informational). */
  dataset?: string;
  /** `auto` (default) reads each file by its extension: `.parquet` as Parquet, anything else as CSV. */
  format?: 'auto' | 'csv' | 'parquet';
  csv?: { delimiter?: string; /** Default true: the first line names the columns. */ header?: boolean };
  /** Columns whose values are masked in failure samples (beside those the caller passes). */
  classifiedColumns?: string[];
  limits?: { /** Memory budget of each unique rule's set of seen values (default 64 MB). */ uniqueMemoryMB?: number };
  rules: Rule[];
}

export interface RuleProblem {
  message: string;
  /** JSON path of the offending value, e.g. `rules[2].column`. */
  path: string;
  /** 0-based positions in the source. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

type PathSeg = string | number;

function obj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function pathText(path: readonly PathSeg[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(file)';
}

/** `30m`, `12h`, `3d`, `1w` (also `90s`) in milliseconds; undefined when not a duration. */
export function parseDuration(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$/i.exec(v);
  if (!m) return undefined;
  const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2].toLowerCase() as 's'];
  return Number(m[1]) * unit;
}

const COMMON = ['id', 'kind', 'severity', 'tolerance', 'description'];
const KEYS: Record<RuleKind, string[]> = {
  schema: ['required', 'forbidden', 'types'],
  not_null: ['column'],
  missing_percent: ['column', 'max'],
  unique: ['column', 'columns'],
  row_count: ['min', 'max'],
  regex: ['column', 'pattern', 'flags'],
  accepted_values: ['column', 'values'],
  range: ['column', 'min', 'max', 'strict'],
  freshness: ['column', 'maxAge'],
};

/** Default id of a rule (kind and its column(s)). */
export function ruleIdOf(rule: Rule, index: number): string {
  if (rule.id) return rule.id;
  const r = rule as { column?: string; columns?: string[] };
  if (r.columns?.length) return `${rule.kind}:${r.columns.join('+')}`;
  if (r.column) return `${rule.kind}:${r.column}`;
  return rule.kind === 'schema' || rule.kind === 'row_count' ? rule.kind : `${rule.kind}#${index + 1}`;
}

/** Checks a parsed rules document; returns problems as (path, message) pairs. */
export function checkRules(v: unknown): Array<{ path: PathSeg[]; message: string; onKey?: boolean }> {
  const out: Array<{ path: PathSeg[]; message: string; onKey?: boolean }> = [];
  const add = (path: PathSeg[], message: string, onKey = false) => out.push({ path, message, onKey });
  if (!obj(v)) {
    add([], 'A rules file must be an object with `version: 1` and a `rules` list.');
    return out;
  }
  for (const k of Object.keys(v)) {
    if (!['$schema', 'version', 'dataset', 'format', 'csv', 'classifiedColumns', 'limits', 'rules'].includes(k)) add([k], `'${k}' is not a known property of a rules file (version, dataset, format, csv, classifiedColumns, limits, rules).`, true);
  }
  if (v.version !== 1) add(v.version === undefined ? [] : ['version'], v.version === undefined ? '`version` is required and must be 1.' : '`version` must be 1.');
  if (v.dataset !== undefined && typeof v.dataset !== 'string') add(['dataset'], '`dataset` must be a string.');
  if (v.format !== undefined && !['auto', 'csv', 'parquet'].includes(String(v.format))) add(['format'], "`format` must be 'auto', 'csv' or 'parquet'.");
  if (v.csv !== undefined) {
    if (!obj(v.csv)) add(['csv'], '`csv` must be an object ({delimiter, header}).');
    else {
      for (const k of Object.keys(v.csv)) if (k !== 'delimiter' && k !== 'header') add(['csv', k], `'${k}' is not a CSV option (delimiter, header).`, true);
      if (v.csv.delimiter !== undefined && (typeof v.csv.delimiter !== 'string' || v.csv.delimiter.length !== 1)) add(['csv', 'delimiter'], '`delimiter` must be a single character.');
      if (v.csv.header !== undefined && typeof v.csv.header !== 'boolean') add(['csv', 'header'], '`header` must be true or false.');
    }
  }
  if (v.classifiedColumns !== undefined && !stringList(v.classifiedColumns)) add(['classifiedColumns'], '`classifiedColumns` must be a list of column names.');
  if (v.limits !== undefined) {
    if (!obj(v.limits)) add(['limits'], '`limits` must be an object.');
    else {
      for (const k of Object.keys(v.limits)) if (k !== 'uniqueMemoryMB') add(['limits', k], `'${k}' is not a known limit (uniqueMemoryMB).`, true);
      const mb = v.limits.uniqueMemoryMB;
      if (mb !== undefined && (typeof mb !== 'number' || !(mb >= 1 && mb <= 1024))) add(['limits', 'uniqueMemoryMB'], '`uniqueMemoryMB` must be a number from 1 to 1024.');
    }
  }
  if (!Array.isArray(v.rules)) {
    add(v.rules === undefined ? [] : ['rules'], v.rules === undefined ? '`rules` is required: a list of rules.' : '`rules` must be a list of rules.');
    return out;
  }
  if (v.rules.length === 0) add(['rules'], '`rules` is empty: add at least one rule.');
  const ids = new Map<string, number>();
  v.rules.forEach((r: unknown, i: number) => {
    const at = (...p: PathSeg[]): PathSeg[] => ['rules', i, ...p];
    if (!obj(r)) return add(at(), 'A rule must be an object with a `kind`.');
    const kind = r.kind as RuleKind;
    if (!RULE_KINDS.includes(kind)) {
      add(r.kind === undefined ? at() : at('kind'), r.kind === undefined ? `The rule has no \`kind\` (one of ${RULE_KINDS.join(', ')}).` : `'${String(r.kind)}' is not a rule kind (one of ${RULE_KINDS.join(', ')}).`);
      return;
    }
    for (const k of Object.keys(r)) if (!COMMON.includes(k) && !KEYS[kind].includes(k)) add(at(k), `'${k}' is not a property of a ${kind} rule (${[...KEYS[kind], 'id', 'severity', 'tolerance', 'description'].join(', ')}).`, true);
    if (r.id !== undefined && (typeof r.id !== 'string' || !r.id.trim())) add(at('id'), '`id` must be a non-empty string.');
    if (r.severity !== undefined && r.severity !== 'warn' && r.severity !== 'fail') add(at('severity'), "`severity` must be 'warn' or 'fail'.");
    if (r.tolerance !== undefined && !validTolerance(r.tolerance)) add(at('tolerance'), '`tolerance` must be a number of rows (e.g. 10) or a percentage (e.g. "2%").');
    if (r.description !== undefined && typeof r.description !== 'string') add(at('description'), '`description` must be a string.');
    const needColumn = () => {
      if (typeof r.column !== 'string' || !r.column) add(r.column === undefined ? at() : at('column'), `A ${kind} rule needs \`column\` (a column name).`);
    };
    const num = (k: string, what = 'a number') => {
      if (r[k] !== undefined && (typeof r[k] !== 'number' || !Number.isFinite(r[k]))) add(at(k), `\`${k}\` must be ${what}.`);
    };
    switch (kind) {
      case 'schema': {
        if (r.required === undefined && r.forbidden === undefined && r.types === undefined) add(at(), 'A schema rule needs at least one of `required`, `forbidden` or `types`.');
        for (const k of ['required', 'forbidden'] as const) if (r[k] !== undefined && !stringList(r[k])) add(at(k), `\`${k}\` must be a list of column names.`);
        if (r.types !== undefined) {
          if (!obj(r.types)) add(at('types'), '`types` must map column names to a type.');
          else for (const [c, t] of Object.entries(r.types)) if (!COLUMN_TYPES.includes(t as ColumnType)) add(at('types', c), `'${String(t)}' is not a column type (one of ${COLUMN_TYPES.join(', ')}).`);
        }
        if (stringList(r.required) && stringList(r.forbidden)) for (const c of r.required.filter((x) => (r.forbidden as string[]).includes(x))) add(at('forbidden'), `'${c}' is both required and forbidden.`);
        break;
      }
      case 'not_null': needColumn(); break;
      case 'missing_percent':
        needColumn();
        if (typeof r.max !== 'number' || !(r.max >= 0 && r.max <= 100)) add(r.max === undefined ? at() : at('max'), '`max` (the most missing values allowed, in percent) must be a number from 0 to 100.');
        break;
      case 'unique':
        if (r.column === undefined && r.columns === undefined) add(at(), 'A unique rule needs `column` or `columns` (a compound key).');
        if (r.column !== undefined && r.columns !== undefined) add(at('columns'), 'Give `column` or `columns`, not both.');
        if (r.column !== undefined && (typeof r.column !== 'string' || !r.column)) add(at('column'), '`column` must be a column name.');
        if (r.columns !== undefined && (!stringList(r.columns) || r.columns.length < 1)) add(at('columns'), '`columns` must be a non-empty list of column names.');
        break;
      case 'row_count':
        num('min', 'a whole number of rows');
        num('max', 'a whole number of rows');
        if (r.min === undefined && r.max === undefined) add(at(), 'A row_count rule needs `min`, `max` or both.');
        if (typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max) add(at('max'), `\`max\` (${r.max}) is below \`min\` (${r.min}).`);
        break;
      case 'regex':
        needColumn();
        if (typeof r.pattern !== 'string') add(r.pattern === undefined ? at() : at('pattern'), 'A regex rule needs `pattern` (a regular expression).');
        else {
          try {
            new RegExp(r.pattern, typeof r.flags === 'string' ? r.flags : undefined);
          } catch (e) {
            add(at(typeof r.flags === 'string' && /flag/i.test((e as Error).message) ? 'flags' : 'pattern'), `Not a valid regular expression: ${(e as Error).message}.`);
          }
        }
        if (r.flags !== undefined && (typeof r.flags !== 'string' || !/^[imsu]*$/.test(r.flags))) add(at('flags'), '`flags` may hold only i, m, s and u.');
        break;
      case 'accepted_values':
        needColumn();
        if (!Array.isArray(r.values) || r.values.length === 0 || !r.values.every((x) => ['string', 'number', 'boolean'].includes(typeof x))) add(r.values === undefined ? at() : at('values'), '`values` must be a non-empty list of strings, numbers or booleans.');
        break;
      case 'range':
        needColumn();
        num('min');
        num('max');
        if (r.min === undefined && r.max === undefined) add(at(), 'A range rule needs `min`, `max` or both.');
        if (typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max) add(at('max'), `\`max\` (${r.max}) is below \`min\` (${r.min}).`);
        if (r.strict !== undefined && typeof r.strict !== 'boolean') add(at('strict'), '`strict` must be true or false.');
        break;
      case 'freshness':
        needColumn();
        if (typeof r.maxAge !== 'string' || parseDuration(r.maxAge) === undefined) add(r.maxAge === undefined ? at() : at('maxAge'), '`maxAge` must be a duration such as "30m", "12h", "3d" or "1w".');
        break;
    }
    const id = ruleIdOf(r as unknown as Rule, i);
    if (ids.has(id)) add(r.id !== undefined ? at('id') : at(), `Two rules have the id '${id}' (rules[${ids.get(id)}] and rules[${i}]); give one an \`id\`.`);
    else ids.set(id, i);
  });
  return out;
}

function stringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);
}

function validTolerance(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0;
  return typeof v === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(v) && Number.parseFloat(v) <= 100;
}

/** Largest number of failing elements a rule tolerates among `elements`. */
export function allowedFailures(t: Tolerance | undefined, elements: number): number {
  if (t === undefined) return 0;
  if (typeof t === 'number') return t;
  return (Number.parseFloat(t) / 100) * elements;
}

/** Range of the node at `path` (or of its key when `onKey`), falling back to the nearest parent that exists. */
function rangeOf(doc: Document, path: readonly PathSeg[], onKey: boolean): [number, number] {
  let node: unknown = doc.contents;
  let best: [number, number] | undefined = rangeOfNode(node);
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (onKey && i === path.length - 1) return rangeOfNode(pair.key) ?? best ?? [0, 0];
      node = pair.value;
      // A key with no value (`column:`) points at its key.
      best = rangeOfNode(node) ?? rangeOfNode(pair.key) ?? best;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      best = rangeOfNode(node) ?? best;
    } else break;
  }
  return best ?? [0, 0];
}

function rangeOfNode(n: unknown): [number, number] | undefined {
  const r = (n as YamlNode | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/**
 * Parses a rules file (JSON or YAML: both go through the YAML parser, which keeps source
 * positions) and checks it. Returns the rules only when there is no problem at all.
 */
export function parseRules(text: string, fileName: string): { rules?: RuleSet; problems: RuleProblem[] } {
  const lc = new LineCounter();
  const isJson = /\.json$/i.test(fileName);
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, strict: true });
  const pos = (offset: number) => {
    const p = lc.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line - 1, col: p.col - 1 };
  };
  const problems: RuleProblem[] = [];
  const push = (message: string, path: string, start: number, end: number) => {
    const a = pos(start);
    const b = pos(Math.max(end, start));
    problems.push({ message, path, line: a.line, column: a.col, endLine: b.line, endColumn: b.col === a.col && b.line === a.line ? a.col + 1 : b.col });
  };
  for (const e of [...doc.errors, ...doc.warnings]) {
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    push(`${isJson ? 'JSON' : 'YAML'} syntax: ${message}`, '(file)', e.pos[0], e.pos[1]);
  }
  if (doc.errors.length) return { problems };
  if (!text.trim()) {
    push('The rules file is empty: it needs `version: 1` and a `rules` list.', '(file)', 0, 0);
    return { problems };
  }
  const value = doc.toJS({ maxAliasCount: 50 }) as unknown;
  for (const p of checkRules(value)) {
    const [s, e] = rangeOf(doc, p.path, p.onKey ?? false);
    push(p.message, pathText(p.path), s, e);
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return problems.length ? { problems } : { rules: value as RuleSet, problems };
}

/** One line per problem: `file:line:col: path: message` (1-based, as editors and compilers print them). */
export function formatRuleProblems(fileName: string, problems: readonly RuleProblem[]): string {
  return problems.map((p) => `${fileName}:${p.line + 1}:${p.column + 1}: ${p.path === '(file)' ? '' : `${p.path}: `}${p.message}`).join('\n');
}
