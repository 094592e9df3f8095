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

  add(provider: ResourceProvider): void {
    for (const route of provider.routes) {
      this.routes.push(compileRoute(route, provider));
    }
    this.routes.sort((a, b) => b.score - a.score);
  }

  /** Routes whose pattern matches `path`, best first, and whether any of them accepts `method`. */
  match(method: string, path: string): { match?: RouteMatch; pathMatched: boolean; allowed: string[] } {
    const allowed = new Set<string>();
    for (const compiled of this.routes) {
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

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
