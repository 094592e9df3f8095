/**
 * The small OData subset Data Share list operations accept:
 *   $filter  := expr; expr := term (and|or term)*; term := not term | ( expr ) | path op literal | contains(path,'x') | startswith(path,'x')
 *   op       := eq | ne | gt | ge | lt | le; literal := 'string' ('' escapes a quote) | number | true | false | null
 *   path     := name ('/' name)*  e.g. name, properties/targetEmail, consumerTenantName
 *   $orderby := path [asc|desc] (, path [asc|desc])*
 * A path that is not found at the top level is also looked up under `properties`, and string
 * comparisons ignore case (resource names in ARM are case-insensitive).
 */
import { ArmError } from '../../core/contract';

type Tok = { t: 'id' | 'str' | 'num' | 'op' | '(' | ')' | ','; v: string };
type Node =
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'cmp'; op: string; path: string; lit: unknown }
  | { k: 'fn'; fn: string; path: string; lit: string };

function badFilter(filter: string, why: string): ArmError {
  return new ArmError(400, 'InvalidFilter', `The $filter '${filter}' is not supported: ${why}. Use expressions such as name eq 'x' or properties/targetEmail eq 'a@b.com', joined with and/or.`);
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '(' || c === ')' || c === ',') { out.push({ t: c, v: c }); i++; continue; }
    if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw badFilter(s, 'unterminated string literal');
        if (s[i] === "'") {
          if (s[i + 1] === "'") { v += "'"; i += 2; continue; }
          i++;
          break;
        }
        v += s[i++];
      }
      out.push({ t: 'str', v });
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(s.slice(i));
    if (num && (out.length === 0 || out[out.length - 1].t === 'op')) { out.push({ t: 'num', v: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_$][A-Za-z0-9_$/.]*/.exec(s.slice(i));
    if (id) {
      const v = id[0];
      const lower = v.toLowerCase();
      if (['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not'].includes(lower)) out.push({ t: 'op', v: lower });
      else out.push({ t: 'id', v });
      i += v.length;
      continue;
    }
    throw badFilter(s, `unexpected character '${c}'`);
  }
  return out;
}

function parse(filter: string): Node {
  const toks = tokenize(filter);
  let pos = 0;
  const peek = () => toks[pos];
  const next = () => toks[pos++];
  const literal = (): unknown => {
    const t = next();
    if (!t) throw badFilter(filter, 'missing value after the operator');
    if (t.t === 'str') return t.v;
    if (t.t === 'num') return Number(t.v);
    if (t.t === 'id' && ['true', 'false', 'null'].includes(t.v.toLowerCase())) return t.v.toLowerCase() === 'null' ? null : t.v.toLowerCase() === 'true';
    throw badFilter(filter, `expected a value, found '${t.v}'`);
  };
  const term = (): Node => {
    const t = peek();
    if (!t) throw badFilter(filter, 'the expression ends too early');
    if (t.t === 'op' && t.v === 'not') { next(); return { k: 'not', a: term() }; }
    if (t.t === '(') {
      next();
      const e = expr();
      if (next()?.t !== ')') throw badFilter(filter, "missing ')'");
      return e;
    }
    if (t.t === 'id') {
      next();
      const fn = t.v.toLowerCase();
      if ((fn === 'contains' || fn === 'startswith' || fn === 'endswith') && peek()?.t === '(') {
        next();
        const p = next();
        if (p?.t !== 'id') throw badFilter(filter, `${fn}() needs a property path first`);
        if (next()?.t !== ',') throw badFilter(filter, `${fn}() needs two arguments`);
        const lit = literal();
        if (next()?.t !== ')') throw badFilter(filter, `missing ')' after ${fn}()`);
        return { k: 'fn', fn, path: p.v, lit: String(lit) };
      }
      const op = next();
      if (!op || op.t !== 'op' || !['eq', 'ne', 'gt', 'ge', 'lt', 'le'].includes(op.v)) throw badFilter(filter, `expected eq, ne, gt, ge, lt or le after '${t.v}'`);
      return { k: 'cmp', op: op.v, path: t.v, lit: literal() };
    }
    throw badFilter(filter, `unexpected '${t.v}'`);
  };
  const expr = (): Node => {
    let left = term();
    for (;;) {
      const t = peek();
      if (t && t.t === 'op' && (t.v === 'and' || t.v === 'or')) {
        next();
        left = { k: t.v, a: left, b: term() };
      } else return left;
    }
  };
  const e = expr();
  if (pos < toks.length) throw badFilter(filter, `unexpected '${toks[pos].v}'`);
  return e;
}

export function resolvePath(obj: unknown, path: string): unknown {
  const segs = path.split('/').filter(Boolean);
  const walk = (o: unknown): unknown => {
    let cur: unknown = o;
    for (const s of segs) {
      if (cur === null || typeof cur !== 'object') return undefined;
      const rec = cur as Record<string, unknown>;
      const k = Object.keys(rec).find((x) => x.toLowerCase() === s.toLowerCase());
      cur = k === undefined ? undefined : rec[k];
    }
    return cur;
  };
  const top = walk(obj);
  if (top !== undefined) return top;
  if (obj && typeof obj === 'object' && 'properties' in obj) return walk((obj as Record<string, unknown>).properties);
  return undefined;
}

function compare(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a).toLowerCase();
  const sb = String(b).toLowerCase();
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A value as `compare` sees it: absent, a number, and its lower-cased string form. */
interface SortValue { absent: boolean; num: number | undefined; str: string }
function sortValue(v: unknown): SortValue {
  const absent = v === undefined || v === null;
  return { absent, num: typeof v === 'number' ? v : undefined, str: absent ? '' : String(v).toLowerCase() };
}

/** `compare` over precomputed sort values. */
function compareSortValues(a: SortValue, b: SortValue): number {
  if (a.absent) return b.absent ? 0 : -1;
  if (b.absent) return 1;
  if (a.num !== undefined && b.num !== undefined) return a.num - b.num;
  return a.str < b.str ? -1 : a.str > b.str ? 1 : 0;
}

function evaluate(n: Node, obj: unknown): boolean {
  switch (n.k) {
    case 'and': return evaluate(n.a, obj) && evaluate(n.b, obj);
    case 'or': return evaluate(n.a, obj) || evaluate(n.b, obj);
    case 'not': return !evaluate(n.a, obj);
    case 'fn': {
      const v = resolvePath(obj, n.path);
      if (typeof v !== 'string') return false;
      const a = v.toLowerCase();
      const b = n.lit.toLowerCase();
      return n.fn === 'contains' ? a.includes(b) : n.fn === 'startswith' ? a.startsWith(b) : a.endsWith(b);
    }
    case 'cmp': {
      const v = resolvePath(obj, n.path);
      const c = compare(v, n.lit);
      switch (n.op) {
        case 'eq': return c === 0;
        case 'ne': return c !== 0;
        case 'gt': return c > 0;
        case 'ge': return c >= 0;
        case 'lt': return c < 0;
        default: return c <= 0;
      }
    }
  }
}

export function applyODataQuery<T>(items: T[], filter?: string, orderby?: string): T[] {
  let out = items;
  if (filter && filter.trim()) {
    const node = parse(filter);
    out = out.filter((i) => evaluate(node, i));
  }
  if (orderby && orderby.trim()) {
    const keys = orderby.split(',').map((part) => {
      const [path, dir, extra] = part.trim().split(/\s+/);
      if (!path || extra !== undefined || (dir !== undefined && !/^(asc|desc)$/i.test(dir))) {
        throw new ArmError(400, 'InvalidOrderBy', `The $orderby '${orderby}' is not supported. Use 'path [asc|desc]', e.g. properties/sentAt desc.`);
      }
      return { path, desc: dir?.toLowerCase() === 'desc' };
    });
    // Each item's sort values resolved (and lower-cased) once, not once per comparison: a page of a
    // year of history sorts a few hundred items. Same order as `compare` on the raw values (stable).
    const decorated = out.map((item) => ({ item, values: keys.map((k) => sortValue(resolvePath(item, k.path))) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareSortValues(a.values[i], b.values[i]);
        if (c !== 0) return keys[i].desc ? -c : c;
      }
      return 0;
    });
    out = decorated.map((d) => d.item);
  }
  return out;
}
