/**
 * Serves the real lineage webview bundle (dist/webview/*) in a plain page for headless Chromium,
 * with a stand-in for `acquireVsCodeApi` that records what the webview posts. Graphs are delivered
 * exactly as the host does: `graph/reset` then `graph/page` messages of the typed protocol.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { generateLayeredGraph } from '../../webview-ui/lineage/layout';
import { paginate, PROTOCOL_VERSION, type HostToWebview, type LineageEdge, type LineageGraph, type LineageNode } from '../../webview-ui/shared/protocol';

export const REPO = path.resolve(__dirname, '../../..');

const PAGE = `<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8">
<link rel="stylesheet" href="/webview/lineage.css"><title>Lineage bench</title>
<script>
  window.__posted = [];
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => undefined, setState: () => undefined });
</script></head>
<body class="vscode-dark" data-worker-uri="/webview/lineageLayout.js"><div id="root"></div><script src="/webview/lineage.js"></script></body></html>`;

/** A local HTTP server for the harness page and the built webview files. */
export async function serveHarness(): Promise<{ url: string; close(): Promise<void> }> {
  const dist = path.join(REPO, 'dist');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/' || url.pathname === '/index.html') { res.writeHead(200, { 'content-type': 'text/html' }); res.end(PAGE); return; }
    const file = path.join(dist, path.normalize(url.pathname).replace(/^([/\\])+/, ''));
    if (!file.startsWith(dist) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const TENANTS = [
  { tenantId: 'tenant-provider', displayName: 'Contoso', role: 'provider' as const },
  { tenantId: 'tenant-consumer', displayName: 'Fabrikam', role: 'consumer' as const },
];

/** A generated layered lineage graph of `n` nodes across two tenants (seeded, so every run is the same). */
export function generatedLineage(n: number, seed = 42): LineageGraph {
  const g = generateLayeredGraph(n, { seed, tenants: 2 });
  const nodes: LineageNode[] = g.lanes.map((lane, i) => ({
    id: `n${i}`, kind: i % 3 === 1 ? 'process' : i % 7 === 0 ? 'folder' : 'file', label: `asset-${i}.csv`, typeName: i % 3 === 1 ? 'Process' : 'azure_blob_path',
    qualifiedName: `https://${lane ? 'fabrikam' : 'contoso'}data.blob.core.windows.net/c/asset-${i}.csv`, tenantId: TENANTS[lane].tenantId,
    classifications: i % 10 === 0 ? ['MICROSOFT.PERSONAL.EMAIL'] : [], refs: [],
  }));
  const edges: LineageEdge[] = g.edges.map(([s, t], k) => {
    const cross = g.lanes[s] !== g.lanes[t];
    return {
      id: `e${k}`, from: `n${s}`, to: `n${t}`, kind: cross ? 'snapshot' : 'lineage', crossTenant: cross,
      ...(cross ? { lastSnapshot: { status: k % 5 ? 'Succeeded' : 'Failed', mode: 'Incremental', time: '2026-12-01T10:00:00Z' }, share: { name: 'sales', tenantId: TENANTS[0].tenantId }, subscription: { name: 'sales-sub', account: 'fabrikam-share', tenantId: TENANTS[1].tenantId } } : {}),
    };
  });
  return { tenants: TENANTS, nodes, edges, rootIds: ['n0'] };
}

/** The messages the host would post for this graph. */
export function hostMessages(graph: LineageGraph, generation = 1): HostToWebview[] {
  const pages = paginate(graph);
  return [
    { type: 'graph/reset', generation, tenants: graph.tenants, rootIds: graph.rootIds, options: { direction: 'both', depth: 3 }, total: graph.nodes.length, totalEdges: graph.edges.length, start: { label: 'bench', start: { kind: 'asset' } }, warnings: [] },
    ...pages.map((p, i): HostToWebview => ({ type: 'graph/page', generation, page: i, nodes: p.nodes, edges: p.edges, hasMore: i < pages.length - 1 })),
  ];
}

export { PROTOCOL_VERSION };
