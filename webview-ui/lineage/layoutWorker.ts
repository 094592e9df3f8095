/**
 * Layout Web Worker (its own browser bundle, dist/webview/lineageLayout.js): lays the graph out
 * off the main thread so the page stays responsive on 20,000 nodes. Input and output are typed
 * arrays (transferred, not copied).
 */
import { layoutGraph } from './layout';

export interface LayoutRequest { id: number; lanes: Int32Array; edges: Int32Array }
export interface LayoutReply {
  id: number; x: Float64Array; y: Float64Array; layer: Int32Array; width: number; height: number;
  nodeWidth: number; nodeHeight: number; lanes: Array<{ lane: number; y: number; height: number }>; ms: number;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage(message: LayoutReply, transfer: Transferable[]): void };

scope.onmessage = (e) => {
  const t0 = performance.now();
  const { id, lanes, edges } = e.data;
  const pairs: Array<[number, number]> = new Array(edges.length / 2);
  for (let i = 0; i < pairs.length; i++) pairs[i] = [edges[2 * i], edges[2 * i + 1]];
  const nodes = Array.from(lanes, (lane) => ({ lane }));
  const r = layoutGraph({ nodes, edges: pairs });
  const reply: LayoutReply = { id, x: r.x, y: r.y, layer: r.layer, width: r.width, height: r.height, nodeWidth: r.nodeWidth, nodeHeight: r.nodeHeight, lanes: r.lanes, ms: performance.now() - t0 };
  scope.postMessage(reply, [r.x.buffer, r.y.buffer, r.layer.buffer]);
};
