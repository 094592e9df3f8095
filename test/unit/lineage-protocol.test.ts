import * as assert from 'node:assert/strict';
import { isHostToWebview, isWebviewState, isWebviewToHost, paginate, PROTOCOL_VERSION } from '../../webview-ui/shared/protocol';
import type { LineageGraph } from '../../src/lineage/model';

const node = (id: string, tenantId = 't1') => ({ id, kind: 'file' as const, label: id, typeName: 'azure_blob_path', tenantId, classifications: [], refs: [] });

describe('lineage webview protocol', () => {
  it('accepts the messages each side sends and rejects malformed ones', () => {
    assert.ok(isWebviewToHost({ type: 'ready', version: PROTOCOL_VERSION }));
    assert.ok(isWebviewToHost({ type: 'expand', requestId: 1, nodeId: 'a:x' }));
    assert.ok(isWebviewToHost({ type: 'setOptions', options: { direction: 'upstream', depth: 2 } }));
    assert.ok(isWebviewToHost({ type: 'export', requestId: 2, format: 'svg', data: '<svg/>' }));
    assert.ok(!isWebviewToHost({ type: 'expand', requestId: '1', nodeId: 'a:x' }), 'request id must be a number');
    assert.ok(!isWebviewToHost({ type: 'setOptions', options: { direction: 'sideways', depth: 2 } }));
    assert.ok(!isWebviewToHost({ type: 'export', requestId: 2, format: 'gif', data: '' }));
    assert.ok(!isWebviewToHost({ type: 'toString' }), 'no prototype keys as message types');
    assert.ok(!isWebviewToHost(null));
    assert.ok(!isWebviewToHost('ready'));

    assert.ok(isHostToWebview({ type: 'graph/page', generation: 1, page: 0, nodes: [node('a')], edges: [{ id: 'a>b', from: 'a', to: 'b', kind: 'lineage', crossTenant: false }], hasMore: false }));
    assert.ok(!isHostToWebview({ type: 'graph/page', generation: 1, page: 0, nodes: [{ id: 'a' }], edges: [], hasMore: false }), 'a node without its fields');
    assert.ok(isHostToWebview({ type: 'completion', requestId: 3, ok: false, error: 'denied' }));
    assert.ok(!isHostToWebview({ type: 'completion', requestId: 3 }));
    assert.ok(isWebviewState({ version: PROTOCOL_VERSION, generation: 1, zoom: 1, panX: 0, panY: 0, hideProcesses: false, search: '' }));
    assert.ok(!isWebviewState({ version: PROTOCOL_VERSION, generation: 1, zoom: 'big', panX: 0, panY: 0, hideProcesses: false, search: '' }));
  });

  it('pages nodes in order, each edge with the page that completes both of its ends', () => {
    const nodes = Array.from({ length: 5 }, (_, i) => node(`n${i}`));
    const graph: LineageGraph = { tenants: [], rootIds: [], nodes, edges: [
      { id: 'e1', from: 'n0', to: 'n1', kind: 'lineage', crossTenant: false },
      { id: 'e2', from: 'n0', to: 'n4', kind: 'lineage', crossTenant: false },
      { id: 'e3', from: 'n3', to: 'n2', kind: 'lineage', crossTenant: false },
    ] };
    const pages = paginate(graph, 2);
    assert.deepEqual(pages.map((p) => p.nodes.map((n) => n.id)), [['n0', 'n1'], ['n2', 'n3'], ['n4']]);
    assert.deepEqual(pages.map((p) => p.edges.map((e) => e.id)), [['e1'], ['e3'], ['e2']]);
    assert.equal(paginate({ ...graph, nodes: [], edges: [] }).length, 1, 'an empty graph is one empty page');
  });
});
