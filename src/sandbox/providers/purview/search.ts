/**
 * Discovery (search/query, search/suggest, search/autocomplete) over a catalog's in-memory
 * indexes. A filter tree is planned into a predicate plus, where possible, an index-backed
 * candidate set (type, classification, collection, label, id), so a classification filter over
 * 100,000 assets touches only the assets that carry it. Results of a query are cached per catalog
 * version, so following continuation tokens is a slice, not a re-run.
 */
import * as crypto from 'node:crypto';
import type { AccountCatalog, SearchDoc } from './catalog';
import { invalidParams } from './errors';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 1000;

/** A superset of the matching guids from the indexes; iterated only if it is the smallest one. */
interface Candidates {
  /** Upper bound of the number of guids. */
  size: number;
  iterate(): Iterable<string>;
}

interface Plan {
  test(d: SearchDoc): boolean;
  /** Present when the filter allows an index-backed candidate set. */
  candidates?: Candidates;
}

const TIME_RANGES: Record<string, [number, number]> = {
  LAST_24H: [0, 24 * 3600e3],
  LAST_7D: [0, 7 * 24 * 3600e3],
  LAST_30D: [0, 30 * 24 * 3600e3],
  LAST_365D: [0, 365 * 24 * 3600e3],
  MORE_THAN_365D: [365 * 24 * 3600e3, Number.POSITIVE_INFINITY],
};

const EMPTY: Candidates = { size: 0, iterate: () => [] };

function fromSet(set: Set<string> | undefined): Candidates {
  return set ? { size: set.size, iterate: () => set } : EMPTY;
}

/** Union of candidate sets without copying a single one (duplicates removed only when there are several). */
function union(parts: Candidates[]): Candidates {
  const nonEmpty = parts.filter((p) => p.size > 0);
  if (nonEmpty.length === 0) return EMPTY;
  if (nonEmpty.length === 1) return nonEmpty[0];
  return {
    size: nonEmpty.reduce((n, p) => n + p.size, 0),
    iterate: function* () {
      const seen = new Set<string>();
      for (const p of nonEmpty) {
        for (const g of p.iterate()) {
          if (!seen.has(g)) {
            seen.add(g);
            yield g;
          }
        }
      }
    },
  };
}

function lc(v: unknown): string {
  return typeof v === 'string' ? v.toLowerCase() : String(v ?? '').toLowerCase();
}

function bool(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

/** The value a filter or sort refers to by name. */
function fieldValue(d: SearchDoc, name: string): unknown {
  const rec = d.rec;
  switch (name) {
    case 'id':
    case 'guid':
      return rec.guid;
    case 'entityType':
    case 'typeName':
      return rec.typeName;
    case 'createTime':
      return rec.createTime;
    case 'updateTime':
      return rec.updateTime;
    case 'collectionId':
      return rec.collectionId;
    case 'classification':
      return rec.classifications.map((c) => c.typeName);
    case 'label':
      return rec.labels;
    case 'assetType':
      return d.assetType;
    case 'objectType':
      return d.objectType;
    default:
      break;
  }
  if (name in rec.attributes) {
    return rec.attributes[name];
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    return rec.businessAttributes?.[name.slice(0, dot)]?.[name.slice(dot + 1)];
  }
  return undefined;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))) return a - Number(b);
  const x = lc(a);
  const y = lc(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function timeInRange(value: unknown, range: unknown, now: number): boolean {
  if (typeof value !== 'number') return false;
  const names = String(range).split('|');
  return names.some((n) => {
    const r = TIME_RANGES[n.trim().toUpperCase()];
    if (!r) {
      throw invalidParams(`time range '${n}' is not one of ${Object.keys(TIME_RANGES).join(', ')}`);
    }
    const age = now - value;
    return age >= r[0] && age < r[1];
  });
}

function attributeTest(name: string, operator: string, expected: unknown, now: number): (d: SearchDoc) => boolean {
  const op = operator.toLowerCase();
  const one = (v: unknown): boolean => {
    switch (op) {
      case 'eq':
        return v !== undefined && v !== null && compare(v, expected) === 0;
      case 'ne':
        return v === undefined || v === null || compare(v, expected) !== 0;
      case 'gt':
        return v !== undefined && v !== null && compare(v, expected) > 0;
      case 'ge':
        return v !== undefined && v !== null && compare(v, expected) >= 0;
      case 'lt':
        return v !== undefined && v !== null && compare(v, expected) < 0;
      case 'le':
        return v !== undefined && v !== null && compare(v, expected) <= 0;
      case 'contains':
        return lc(v).includes(lc(expected));
      case 'prefix':
      case 'startswith':
        return lc(v).startsWith(lc(expected));
      case 'endswith':
        return lc(v).endsWith(lc(expected));
      case 'timerange':
        return timeInRange(v, expected, now);
      default:
        throw invalidParams(`filter operator '${operator}' is not supported; use eq, ne, gt, ge, lt, le, contains, prefix (startsWith), endsWith or timerange`);
    }
  };
  one(undefined); // validates the operator once, even on an empty catalog
  return (d) => {
    const v = fieldValue(d, name);
    if (Array.isArray(v)) {
      return op === 'ne' ? v.every((x) => one(x)) : v.some((x) => one(x));
    }
    return one(v);
  };
}

function timeTest(field: 'createTime' | 'updateTime', spec: unknown, now: number): (d: SearchDoc) => boolean {
  if (typeof spec === 'string') {
    timeInRange(now, spec, now);
    return (d) => timeInRange(fieldValue(d, field), spec, now);
  }
  const s = (spec ?? {}) as { operator?: unknown; timeThreshold?: unknown };
  const op = String(s.operator ?? 'timerange');
  const value = op.toLowerCase() === 'timerange' ? s.timeThreshold : Number(s.timeThreshold);
  return attributeTest(field, op, value, now);
}

/** Plans a filter tree (both the plain and the `kind`-typed shapes of the examples). */
/** Text fields results highlight (`@search.highlights`). */
const HIGHLIGHT_FIELDS = ['name', 'qualifiedName', 'description'];

export function planFilter(filter: unknown, cat: AccountCatalog, now: number, terms?: string[]): Plan {
  if (filter === undefined || filter === null) {
    return { test: () => true };
  }
  if (typeof filter !== 'object' || Array.isArray(filter)) {
    throw invalidParams('filter must be an object such as {"and":[...]}, {"entityType":"..."} or {"kind":"TypeFilter",...}');
  }
  const f = filter as Record<string, unknown>;
  if (Array.isArray(f.and)) {
    const parts = f.and.map((x) => planFilter(x, cat, now, terms));
    const indexed = parts.filter((p) => p.candidates).sort((a, b) => (a.candidates as Candidates).size - (b.candidates as Candidates).size);
    return { test: (d) => parts.every((p) => p.test(d)), candidates: indexed[0]?.candidates };
  }
  if (Array.isArray(f.or)) {
    const parts = f.or.map((x) => planFilter(x, cat, now, terms));
    const allIndexed = parts.length > 0 && parts.every((p) => p.candidates);
    return { test: (d) => parts.some((p) => p.test(d)), candidates: allIndexed ? union(parts.map((p) => p.candidates as Candidates)) : undefined };
  }
  if (f.not !== undefined) {
    const inner = planFilter(f.not, cat, now);
    return { test: (d) => !inner.test(d) };
  }
  const typeName = f.entityType ?? f.typeName;
  if (typeName !== undefined) {
    const names = bool(f.includeSubTypes, true) ? cat.types.withSubTypes(String(typeName)) : [String(typeName)];
    const set = new Set(names);
    return { test: (d) => set.has(d.rec.typeName), candidates: union(names.map((n) => fromSet(cat.byType.get(n)))) };
  }
  if (f.classification !== undefined) {
    const names = bool(f.includeSubClassifications, true) ? cat.types.withSubTypes(String(f.classification)) : [String(f.classification)];
    if (!names.includes(String(f.classification))) names.push(String(f.classification));
    const set = new Set(names);
    return { test: (d) => d.rec.classifications.some((c) => set.has(c.typeName)), candidates: union(names.map((n) => fromSet(cat.byClassification.get(n)))) };
  }
  if (f.collectionId !== undefined) {
    const id = lc(f.collectionId);
    return { test: (d) => d.rec.collectionId.toLowerCase() === id, candidates: fromSet(cat.byCollection.get(id)) };
  }
  if (f.id !== undefined) {
    const id = lc(f.id);
    return { test: (d) => d.rec.guid === id, candidates: fromSet(new Set([id])) };
  }
  if (f.label !== undefined) {
    const l = String(f.label);
    return { test: (d) => d.rec.labels.includes(l), candidates: fromSet(cat.byLabel.get(l)) };
  }
  if (f.objectType !== undefined) {
    const o = lc(f.objectType);
    return { test: (d) => d.objectType.toLowerCase() === o };
  }
  if (f.assetType !== undefined) {
    const a = lc(f.assetType);
    return { test: (d) => d.assetType.some((x) => x.toLowerCase() === a) };
  }
  if (f.fileExtension !== undefined) {
    const ext = '.' + lc(f.fileExtension).replace(/^\./, '');
    return { test: (d) => d.nameLc.endsWith(ext) };
  }
  if (f.term !== undefined || f.termGuid !== undefined || f.glossary !== undefined || f.glossaryType !== undefined || f.termStatus !== undefined || f.termTemplate !== undefined) {
    // The sandbox serves no glossary: nothing carries a term.
    return { test: () => false, candidates: EMPTY };
  }
  if (f.createTime !== undefined) {
    return { test: timeTest('createTime', f.createTime, now) };
  }
  if (f.updateTime !== undefined) {
    return { test: timeTest('updateTime', f.updateTime, now) };
  }
  if (f.attributeName !== undefined) {
    if (typeof f.attributeName !== 'string' || typeof f.operator !== 'string') {
      throw invalidParams('an attribute filter needs attributeName, operator and attributeValue');
    }
    if (terms && HIGHLIGHT_FIELDS.includes(f.attributeName) && typeof f.attributeValue === 'string' && ['eq', 'contains', 'prefix', 'startswith'].includes(f.operator.toLowerCase())) {
      terms.push(f.attributeValue);
    }
    return { test: attributeTest(f.attributeName, f.operator, f.attributeValue, now) };
  }
  const kind = typeof f.kind === 'string' ? f.kind : undefined;
  throw invalidParams(`unsupported filter ${kind ? `kind '${kind}'` : JSON.stringify(filter).slice(0, 200)}`);
}

// ---------------------------------------------------------------- keywords

function tokens(keywords: unknown): string[] {
  if (keywords === undefined || keywords === null) return [];
  const s = String(keywords).trim().toLowerCase();
  if (s === '' || s === '*') return [];
  return s
    .split(/\s+/)
    .map((t) => t.replace(/^["']|["']$/g, '').replace(/\*$/, ''))
    .filter((t) => t.length > 0);
}

/** 0 when a token matches nothing; otherwise a relevance score. */
function keywordScore(d: SearchDoc, toks: string[]): number {
  let score = 0;
  for (const t of toks) {
    let s = 0;
    if (d.nameLc === t) s = 10;
    else if (d.nameLc.startsWith(t)) s = 6;
    else if (d.nameLc.includes(t)) s = 4;
    else if (d.qnLc.includes(t)) s = 2;
    else if (d.descLc.includes(t) || d.rec.classifications.some((c) => c.typeName.toLowerCase().includes(t)) || d.rec.labels.some((l) => l.toLowerCase().includes(t))) s = 1;
    if (s === 0) return 0;
    score += s;
  }
  return score / toks.length;
}

// ---------------------------------------------------------------- query

interface CachedQuery {
  version: number;
  docs: SearchDoc[];
  /** Keywords and filter values to highlight in results. */
  terms: string[];
  scores: Map<string, number> | undefined;
  facets: Map<string, unknown>;
}

const caches = new WeakMap<AccountCatalog, Map<string, CachedQuery>>();
const CACHE_ENTRIES = 32;

function cacheOf(cat: AccountCatalog): Map<string, CachedQuery> {
  let c = caches.get(cat);
  if (!c) {
    c = new Map();
    caches.set(cat, c);
  }
  return c;
}

type SortSpec = { field: string; desc: boolean }[];

function sortSpec(orderby: unknown): SortSpec {
  if (orderby === undefined || orderby === null) return [];
  if (!Array.isArray(orderby)) {
    throw invalidParams('orderby must be an array such as [{"name":"ASC"}] or ["name"]');
  }
  return orderby.map((o) => {
    if (typeof o === 'string') {
      const [field, dir] = o.trim().split(/\s+/);
      return { field, desc: lc(dir) === 'desc' };
    }
    if (o && typeof o === 'object') {
      const [field, dir] = Object.entries(o as Record<string, unknown>)[0] ?? [];
      if (!field) throw invalidParams('an orderby entry is empty');
      return { field, desc: lc(dir) === 'desc' };
    }
    throw invalidParams('orderby entries must be {"field":"ASC"|"DESC"}');
  });
}

function run(cat: AccountCatalog, keywords: unknown, filter: unknown, orderby: unknown, now: number, key: string): CachedQuery {
  const cache = cacheOf(cat);
  const hit = cache.get(key);
  if (hit && hit.version === cat.version) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const toks = tokens(keywords);
  const terms: string[] = [...toks];
  const plan = planFilter(filter, cat, now, terms);
  const spec = sortSpec(orderby);
  const matched: SearchDoc[] = [];
  const scores = toks.length ? new Map<string, number>() : undefined;
  const consider = (d: SearchDoc | undefined) => {
    if (!d || d.rec.status !== 'ACTIVE' || !plan.test(d)) return;
    if (scores) {
      const s = keywordScore(d, toks);
      if (s === 0) return;
      scores.set(d.rec.guid, s);
    }
    matched.push(d);
  };
  if (plan.candidates) {
    for (const g of plan.candidates.iterate()) consider(cat.docs.get(g));
  } else {
    for (const d of cat.docs.values()) consider(d);
  }
  if (spec.length > 0) {
    matched.sort((a, b) => {
      for (const s of spec) {
        const va = s.field === '@search.score' ? (scores?.get(a.rec.guid) ?? 1) : s.field === 'name' ? a.nameLc : fieldValue(a, s.field);
        const vb = s.field === '@search.score' ? (scores?.get(b.rec.guid) ?? 1) : s.field === 'name' ? b.nameLc : fieldValue(b, s.field);
        const c = va === undefined ? (vb === undefined ? 0 : 1) : vb === undefined ? -1 : compare(va, vb);
        if (c !== 0) return s.desc ? -c : c;
      }
      return a.seq - b.seq;
    });
  } else if (scores) {
    matched.sort((a, b) => (scores.get(b.rec.guid) as number) - (scores.get(a.rec.guid) as number) || a.seq - b.seq);
  } else if (plan.candidates) {
    matched.sort((a, b) => a.seq - b.seq);
  }
  const result: CachedQuery = { version: cat.version, docs: matched, terms, scores, facets: new Map() };
  cache.set(key, result);
  if (cache.size > CACHE_ENTRIES) {
    cache.delete(cache.keys().next().value as string);
  }
  return result;
}

const FACET_FIELDS = ['assetType', 'classification', 'contactId', 'contactType', 'label', 'term', 'entityType', 'glossaryType', 'termStatus', 'termTemplate', 'objectType', 'collectionId'];

/** Counts the values of the requested facets over the matches, in one pass, without allocating per document. */
function countFacets(q: CachedQuery, facets: string[]): void {
  const todo = facets.filter((f) => !q.facets.has(f));
  if (todo.length === 0) return;
  const maps = todo.map(() => new Map<string, number>());
  const inc = (m: Map<string, number>, v: string) => m.set(v, (m.get(v) ?? 0) + 1);
  for (const d of q.docs) {
    for (let i = 0; i < todo.length; i++) {
      const m = maps[i];
      switch (todo[i]) {
        case 'classification':
          for (const c of d.rec.classifications) inc(m, c.typeName);
          break;
        case 'label':
          for (const l of d.rec.labels) inc(m, l);
          break;
        case 'assetType':
          for (const a of d.assetType) inc(m, a);
          break;
        case 'entityType':
          inc(m, d.rec.typeName);
          break;
        case 'objectType':
          inc(m, d.objectType);
          break;
        case 'collectionId':
          inc(m, d.rec.collectionId);
          break;
        default:
          break;
      }
    }
  }
  todo.forEach((f, i) => q.facets.set(f, maps[i]));
}

function computeFacets(q: CachedQuery, facets: unknown): Record<string, { count: number; value: string }[]> | undefined {
  if (facets === undefined || facets === null) return undefined;
  if (!Array.isArray(facets)) {
    throw invalidParams('facets must be an array of {facet, count?, sort?}');
  }
  const specs = facets as { facet?: unknown; count?: unknown; sort?: Record<string, unknown> }[];
  for (const spec of specs) {
    if (!FACET_FIELDS.includes(String(spec?.facet ?? ''))) {
      throw invalidParams(`facet '${String(spec?.facet ?? '')}' is not supported; use one of ${FACET_FIELDS.join(', ')}`);
    }
  }
  countFacets(q, specs.map((f) => String(f.facet)));
  const out: Record<string, { count: number; value: string }[]> = {};
  for (const spec of specs) {
    const facet = String(spec.facet);
    const counts = q.facets.get(facet) as Map<string, number>;
    const limit = typeof spec.count === 'number' && spec.count > 0 ? spec.count : spec.count === 0 ? Number.POSITIVE_INFINITY : 10;
    const sortBy = spec.sort && typeof spec.sort === 'object' ? Object.entries(spec.sort)[0] : undefined;
    const byValue = sortBy?.[0] === 'value';
    const desc = sortBy ? lc(sortBy[1]) === 'desc' : !byValue;
    const items = [...counts.entries()].map(([value, count]) => ({ count, value }));
    items.sort((a, b) => {
      const c = byValue ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.count - b.count;
      return (desc ? -c : c) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
    });
    out[facet] = items.slice(0, limit);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `{field: ['text with <em>match</em>']}` for the text fields a keyword or filter value matched, or undefined. */
function highlight(item: Record<string, unknown>, terms: string[]): Record<string, string[]> | undefined {
  if (terms.length === 0) return undefined;
  const re = new RegExp(terms.map(escapeRegExp).join('|'), 'gi');
  const out: Record<string, string[]> = {};
  for (const f of HIGHLIGHT_FIELDS) {
    const v = item[f];
    if (typeof v !== 'string' || v === '') continue;
    re.lastIndex = 0;
    if (re.test(v)) {
      re.lastIndex = 0;
      out[f] = [v.replace(re, (m) => `<em>${m}</em>`)];
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Entity contacts `{Expert:[{id, info}], Owner:[...]}` as search results list them. */
function contactsOf(d: SearchDoc): { id: string; info?: string; contactType: string }[] {
  const out: { id: string; info?: string; contactType: string }[] = [];
  for (const [contactType, list] of Object.entries(d.rec.contacts ?? {})) {
    if (!Array.isArray(list)) continue;
    for (const c of list as { id?: unknown; info?: unknown }[]) {
      if (typeof c?.id === 'string') out.push({ id: c.id, ...(typeof c.info === 'string' ? { info: c.info } : {}), contactType });
    }
  }
  return out;
}

export function searchItem(cat: AccountCatalog, d: SearchDoc, score: number) {
  const a = d.rec.attributes;
  return {
    '@search.score': score,
    id: d.rec.guid,
    qualifiedName: typeof a.qualifiedName === 'string' ? a.qualifiedName : '',
    name: typeof a.name === 'string' ? a.name : '',
    description: typeof a.description === 'string' ? a.description : typeof a.userDescription === 'string' ? a.userDescription : null,
    owner: typeof a.owner === 'string' ? a.owner : null,
    entityType: d.rec.typeName,
    objectType: d.objectType,
    classification: d.rec.classifications.map((c) => c.typeName),
    label: [...d.rec.labels],
    assetType: [...d.assetType],
    term: [] as unknown[],
    contact: contactsOf(d),
    collectionId: d.rec.collectionId,
    createTime: d.rec.createTime,
    updateTime: d.rec.updateTime,
  };
}

function limitOf(v: unknown, fallback: number, max: number): number {
  if (v === undefined || v === null) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw invalidParams(`limit must be an integer from 1 to ${max}; got ${JSON.stringify(v)}`);
  }
  return n;
}

/** POST /search/query */
export function query(cat: AccountCatalog, body: Record<string, unknown>, now: number) {
  const limit = limitOf(body.limit, DEFAULT_LIMIT, MAX_LIMIT);
  const key = JSON.stringify({ k: body.keywords ?? null, f: body.filter ?? null, o: body.orderby ?? null });
  const hash = crypto.createHash('sha1').update(key).digest('base64url').slice(0, 12);
  let offset = 0;
  if (typeof body.continuationToken === 'string' && body.continuationToken !== '') {
    let parsed: { o?: unknown; h?: unknown } | undefined;
    try {
      parsed = JSON.parse(Buffer.from(body.continuationToken, 'base64url').toString('utf8')) as { o?: unknown; h?: unknown };
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed.o !== 'number' || parsed.o < 0) {
      throw invalidParams('continuationToken is not valid; send the token of the previous page unchanged');
    }
    if (parsed.h !== hash) {
      throw invalidParams('continuationToken belongs to another query; send the same keywords, filter and orderby as the first page');
    }
    offset = parsed.o;
  } else if (body.offset !== undefined) {
    offset = Number(body.offset);
    if (!Number.isInteger(offset) || offset < 0) throw invalidParams('offset must be a non-negative integer');
  }
  const q = run(cat, body.keywords, body.filter, body.orderby, now, key);
  const facets = computeFacets(q, body.facets);
  const page = q.docs.slice(offset, offset + limit);
  const value = page.map((d) => {
    const item: Record<string, unknown> = searchItem(cat, d, q.scores?.get(d.rec.guid) ?? 1);
    const highlights = highlight(item, q.terms);
    return highlights ? { '@search.score': item['@search.score'], '@search.highlights': highlights, ...item } : item;
  });
  const next = offset + limit < q.docs.length ? Buffer.from(JSON.stringify({ o: offset + limit, h: hash })).toString('base64url') : undefined;
  return {
    '@search.count': q.docs.length,
    '@search.count.approximate': false,
    ...(next ? { continuationToken: next } : {}),
    ...(facets ? { '@search.facets': facets } : {}),
    value,
  };
}

/** POST /search/suggest: assets whose name (or a word of it) starts with the keywords. */
export function suggest(cat: AccountCatalog, body: Record<string, unknown>, now: number) {
  const kw = typeof body.keywords === 'string' ? body.keywords.trim().toLowerCase() : '';
  if (kw.length < 1 || kw.length > 100) {
    throw invalidParams('keywords must be 1 to 100 characters');
  }
  const limit = limitOf(body.limit, 5, 100);
  const plan = planFilter(body.filter, cat, now);
  const hits: { d: SearchDoc; score: number }[] = [];
  const source = plan.candidates ? [...plan.candidates.iterate()].map((g) => cat.docs.get(g)) : cat.docs.values();
  for (const d of source) {
    if (!d || d.rec.status !== 'ACTIVE' || !plan.test(d)) continue;
    let score = 0;
    if (d.nameLc.startsWith(kw)) score = 10;
    else if (d.nameLc.split(/[^a-z0-9]+/).some((w) => w.startsWith(kw))) score = 5;
    else if (d.qnLc.includes(kw)) score = 1;
    if (score > 0) hits.push({ d, score });
  }
  hits.sort((a, b) => b.score - a.score || a.d.nameLc.length - b.d.nameLc.length || a.d.seq - b.d.seq);
  return {
    value: hits.slice(0, limit).map(({ d, score }) => {
      const item = searchItem(cat, d, score);
      return { '@search.text': `<em>${item.name || item.qualifiedName}</em>`, ...item };
    }),
  };
}

/** POST /search/autocomplete: words of asset names that complete the last keyword. */
export function autocomplete(cat: AccountCatalog, body: Record<string, unknown>, now: number) {
  const raw = typeof body.keywords === 'string' ? body.keywords : '';
  if (raw.trim().length < 1 || raw.length > 100) {
    throw invalidParams('keywords must be 1 to 100 characters');
  }
  const limit = limitOf(body.limit, 50, 100);
  const words = raw.trimEnd().split(/\s+/);
  const last = (words.pop() ?? '').toLowerCase();
  const prefix = words.length ? words.join(' ') + ' ' : '';
  const plan = planFilter(body.filter, cat, now);
  const counts = new Map<string, number>();
  const source = plan.candidates ? [...plan.candidates.iterate()].map((g) => cat.docs.get(g)) : cat.docs.values();
  for (const d of source) {
    if (!d || d.rec.status !== 'ACTIVE' || !plan.test(d)) continue;
    for (const w of d.nameLc.split(/[^a-z0-9]+/)) {
      if (w.length > last.length - 1 && w.startsWith(last)) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { value: ranked.slice(0, limit).map(([text]) => ({ text, queryPlusText: prefix + text })) };
}
