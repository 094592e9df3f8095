import * as assert from 'node:assert/strict';
import { generateLayeredGraph, layoutGraph, type LayoutResult } from '../../webview-ui/lineage/layout';

function overlaps(r: LayoutResult): number {
  // Nodes in the same column (layer) must not overlap vertically.
  const cols = new Map<number, number[]>();
  for (let i = 0; i < r.x.length; i++) {
    const list = cols.get(r.x[i]) ?? [];
    list.push(i);
    cols.set(r.x[i], list);
  }
  let bad = 0;
  for (const list of cols.values()) {
    list.sort((a, b) => r.y[a] - r.y[b]);
    for (let k = 1; k < list.length; k++) if (r.y[list[k]] < r.y[list[k - 1]] + r.nodeHeight) bad++;
  }
  return bad;
}

describe('lineage layered layout', () => {
  it('lays data flow out left to right: every edge of an acyclic graph points right', () => {
    const edges: Array<[number, number]> = [[0, 1], [1, 2], [2, 3], [0, 4], [4, 3], [5, 2]];
    const r = layoutGraph({ nodes: Array.from({ length: 6 }, () => ({ lane: 0 })), edges });
    for (const [a, b] of edges) assert.ok(r.x[b] > r.x[a], `edge ${a}->${b}`);
    assert.equal(r.layer[0], 0);
    assert.equal(r.layer[3], 3);
    assert.equal(r.layer[5], 1, 'a source sits just left of its first successor');
  });

  it('never overlaps nodes, and keeps each tenant in its own horizontal lane', () => {
    const g = generateLayeredGraph(2000, { seed: 7, tenants: 3 });
    const r = layoutGraph({ nodes: g.lanes.map((lane) => ({ lane })), edges: g.edges });
    assert.equal(overlaps(r), 0);
    assert.equal(r.lanes.length, 3);
    for (let i = 0; i < g.lanes.length; i++) {
      const box = r.lanes.find((l) => l.lane === g.lanes[i])!;
      assert.ok(r.y[i] >= box.y && r.y[i] + r.nodeHeight <= box.y + box.height, `node ${i} inside lane ${g.lanes[i]}`);
    }
    for (let k = 1; k < r.lanes.length; k++) assert.ok(r.lanes[k].y >= r.lanes[k - 1].y + r.lanes[k - 1].height, 'lanes do not overlap');
    for (const [a, b] of g.edges) assert.ok(r.x[b] > r.x[a]);
  });

  it('is deterministic: the same graph gives the same positions', () => {
    const g = generateLayeredGraph(3000, { seed: 3 });
    const nodes = g.lanes.map((lane) => ({ lane }));
    const a = layoutGraph({ nodes, edges: g.edges });
    const b = layoutGraph({ nodes, edges: g.edges });
    assert.deepEqual(Array.from(a.x), Array.from(b.x));
    assert.deepEqual(Array.from(a.y), Array.from(b.y));
  });

  it('copes with cycles, self loops and duplicate edges', () => {
    const edges: Array<[number, number]> = [[0, 1], [1, 2], [2, 0], [2, 2], [0, 1], [2, 3]];
    const r = layoutGraph({ nodes: Array.from({ length: 4 }, () => ({ lane: 0 })), edges });
    assert.equal(overlaps(r), 0);
    assert.ok(r.x[1] > r.x[0] && r.x[2] > r.x[1] && r.x[3] > r.x[2], 'the cycle is broken at its back edge');
  });

  it('orders a layer to follow its parents (barycenter), so a simple fan has no crossings', () => {
    // Two chains interleaved in input order: a0->a1, b0->b1 with b listed first in layer 1.
    const edges: Array<[number, number]> = [[0, 3], [1, 2]];
    const r = layoutGraph({ nodes: Array.from({ length: 4 }, () => ({ lane: 0 })), edges });
    assert.equal(Math.sign(r.y[0] - r.y[1]), Math.sign(r.y[3] - r.y[2]), 'children in their parents\' order');
  });

  it('lays out 20,000 nodes', () => {
    const g = generateLayeredGraph(20000, { seed: 1 });
    const r = layoutGraph({ nodes: g.lanes.map((lane) => ({ lane })), edges: g.edges });
    assert.equal(r.x.length, 20000);
    assert.equal(overlaps(r), 0);
  });
});
