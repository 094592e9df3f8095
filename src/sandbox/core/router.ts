/** Case-insensitive route matching for the sandbox's path templates (see `Route.pattern`). */
import type { ResourceProvider, Route } from './contract';

export interface CompiledRoute {
  route: Route;
  provider: ResourceProvider;
  regex: RegExp;
  names: string[];
  /** Higher sorts first: literal segments count, wildcards last. */
  score: number;
}

export interface RouteMatch {
  compiled: CompiledRoute;
  params: Record<string, string>;
}

export function compileRoute(route: Route, provider: ResourceProvider): CompiledRoute {
  const names: string[] = [];
  let literals = 0;
  let wildcard = false;
  const parts = route.pattern.split('/').filter((s) => s.length > 0);
  const body = parts
    .map((seg) => {
      const star = /^\{\*(\w+)\}$/.exec(seg);
      if (star) {
        names.push(star[1]);
        wildcard = true;
        return '(?:/(.+?))?';
      }
      const param = /^\{(\w+)\}$/.exec(seg);
      if (param) {
        names.push(param[1]);
        return '/([^/]+)';
      }
      literals++;
      return '/' + seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  const regex = new RegExp(`^${body === '' ? '/' : body}/?$`, 'i');
  return { route, provider, regex, names, score: (wildcard ? 0 : 1000) + literals * 10 + parts.length };
}

export class Router {
  private readonly routes: CompiledRoute[] = [];
  /**
   * The candidates for a path, best first: a pattern without a wildcard matches only paths with as
   * many segments, and one ending in a literal only paths ending in it (case aside). Keyed by
   * segment count and last literal (`*` for a parameter), with every wildcard route merged in, so a
   * request tests a handful of patterns, not all few hundred. Built on first use.
   */
  private index: { byKey: Map<string, CompiledRoute[]>; literals: Set<string> } | undefined;

  add(provider: ResourceProvider): void {
    for (const route of provider.routes) {
      this.routes.push(compileRoute(route, provider));
    }
    this.routes.sort((a, b) => b.score - a.score);
    this.index = undefined;
  }

  private candidates(path: string): CompiledRoute[] {
    if (!this.index) {
      const groups = new Map<string, Set<CompiledRoute>>();
      const wildcards: CompiledRoute[] = [];
      const literals = new Set<string>();
      for (const r of this.routes) {
        const shape = shapeOf(r.route.pattern);
        if (!shape) { wildcards.push(r); continue; }
        if (shape.last !== '*') literals.add(shape.last);
        const k = `${shape.segments}|${shape.last}`;
        (groups.get(k) ?? groups.set(k, new Set()).get(k)!).add(r);
      }
      const byKey = new Map<string, CompiledRoute[]>();
      const counts = new Set([...groups.keys()].map((k) => k.split('|')[0]));
      for (const n of counts) {
        const open = groups.get(`${n}|*`) ?? new Set();
        byKey.set(`${n}|*`, this.routes.filter((r) => open.has(r) || wildcards.includes(r)));
        for (const l of literals) {
          const exact = groups.get(`${n}|${l}`);
          if (exact) byKey.set(`${n}|${l}`, this.routes.filter((r) => exact.has(r) || open.has(r) || wildcards.includes(r)));
        }
      }
      byKey.set('', wildcards);
      this.index = { byKey, literals };
    }
    const segs = path.split('/').filter((x) => x.length > 0);
    const last = (segs[segs.length - 1] ?? '').toLowerCase();
    const { byKey, literals } = this.index;
    return byKey.get(`${segs.length}|${literals.has(last) ? last : '*'}`) ?? byKey.get(`${segs.length}|*`) ?? byKey.get('')!;
  }

  /** Routes whose pattern matches `path`, best first, and whether any of them accepts `method`. */
  match(method: string, path: string): { match?: RouteMatch; pathMatched: boolean; allowed: string[] } {
    const allowed = new Set<string>();
    for (const compiled of this.candidates(path)) {
      const m = compiled.regex.exec(path);
      if (!m) {
        continue;
      }
      compiled.route.methods.forEach((x) => allowed.add(x));
      if (!compiled.route.methods.includes(method)) {
        continue;
      }
      const params: Record<string, string> = {};
      compiled.names.forEach((name, i) => {
        const raw = m[i + 1] ?? '';
        params[name] = safeDecode(raw);
      });
      return { match: { compiled, params }, pathMatched: true, allowed: [...allowed] };
    }
    return { pathMatched: allowed.size > 0, allowed: [...allowed] };
  }

  /** Known provider namespaces (lower-cased). */
  namespaces(): Set<string> {
    return new Set(this.routes.map((r) => r.provider.namespace?.toLowerCase()).filter((n): n is string => !!n));
  }
}

/** A pattern's segment count and last literal (lower case; `*` for a parameter); undefined with a wildcard. */
function shapeOf(pattern: string): { segments: number; last: string } | undefined {
  const parts = pattern.split('/').filter((x) => x.length > 0);
  if (parts.some((x) => /^\{\*/.test(x))) return undefined;
  const last = parts[parts.length - 1];
  return { segments: parts.length, last: last === undefined ? '' : /^\{/.test(last) ? '*' : last.toLowerCase() };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
