/**
 * The sandbox router's index (routes by segment count and last literal) answers exactly as testing
 * every route in order would: same route, same parameters, same allowed methods, for every route
 * of every provider the sandbox serves and for paths that match none.
 */
import { strict as assert } from 'node:assert';
import type { ResourceProvider } from '../../src/sandbox/core/contract';
import { compileRoute, Router, type CompiledRoute } from '../../src/sandbox/core/router';
import { providers } from '../../src/sandbox/providers';

/** The reference: every route, best first, as the router matched before it had an index. */
function linear(routes: CompiledRoute[], method: string, path: string) {
  const allowed = new Set<string>();
  for (const c of routes) {
    const m = c.regex.exec(path);
    if (!m) continue;
    c.route.methods.forEach((x) => allowed.add(x));
    if (!c.route.methods.includes(method)) continue;
    return { pattern: c.route.pattern, params: Object.fromEntries(c.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')])), allowed: [...allowed] };
  }
  return { pattern: undefined, params: {}, allowed: [...allowed] };
}

function samplePaths(pattern: string): string[] {
  const fill = (v: string) => pattern.split('/').map((seg) => (/^\{\*/.test(seg) ? 'a/b/c' : /^\{/.test(seg) ? v : seg)).join('/') || '/';
  const base = fill('x1');
  return [base, `${base}/`, base.toUpperCase(), fill('shares'), fill('dataSets'), fill('a%20b'), `${base}/extra`, base.split('/').slice(0, -1).join('/') || '/'];
}

describe('sandbox router: the route index', () => {
  const all: ResourceProvider[] = providers;
  const router = new Router();
  for (const p of all) router.add(p);
  const reference = all.flatMap((p) => p.routes.map((r) => compileRoute(r, p))).sort((a, b) => b.score - a.score);

  it('matches as a scan of every route would, for every route of every provider and paths next to them', () => {
    let checked = 0;
    for (const c of reference) {
      for (const path of samplePaths(c.route.pattern)) {
        for (const method of ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']) {
          const got = router.match(method, path);
          const want = linear(reference, method, path);
          assert.equal(got.match?.compiled.route.pattern, want.pattern, `${method} ${path}`);
          assert.deepEqual(got.match?.params ?? {}, want.params, `${method} ${path}`);
          assert.deepEqual([...got.allowed].sort(), [...want.allowed].sort(), `${method} ${path}`);
          assert.equal(got.pathMatched, want.allowed.length > 0);
          checked++;
        }
      }
    }
    assert.ok(checked > 5000, `${checked} paths checked`);
  });

  it('finds nothing for paths no route has, and routes added later are found', () => {
    assert.equal(router.match('GET', '/no/such/thing/here').pathMatched, false);
    const extra: ResourceProvider = { name: 'extra', routes: [{ methods: ['GET'], pattern: '/no/such/{thing}/here', handler: () => ({ status: 200 }) }] } as unknown as ResourceProvider;
    router.add(extra);
    assert.deepEqual(router.match('GET', '/No/Such/thing/HERE').match?.params, { thing: 'thing' });
  });
});
