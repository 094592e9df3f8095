/**
 * Messages between the extension host and the lineage webview, typed once for both sides and
 * checked on receipt by small hand-written validators (`isHostToWebview`, `isWebviewToHost`).
 *
 * Flow: the webview says `ready`; the host answers `graph/reset` (tenants, roots, options, total)
 * and then the nodes and edges in `graph/page` messages (first paint does not wait for the last
 * page). Requests that expect an answer carry a `requestId`, answered by one `completion`
 * (ok, or the error for that request): `expand` (a node's neighbours, delivered as a
 * `graph/delta` before the completion), `export` (the host saves the file). `setOptions` (depth,
 * direction) makes the host read again and start over with `graph/reset`.
 */
import type { LineageDirectionChoice, LineageEdge, LineageGraph, LineageNode, LineageTenant } from '../../src/lineage/model';

export type { LineageDirectionChoice, LineageEdge, LineageGraph, LineageNode, LineageTenant };

export const PROTOCOL_VERSION = 2;

/** Nodes (and edges) per `graph/page` message. */
export const PAGE_SIZE = 2000;

export interface ViewOptions {
  direction: LineageDirectionChoice;
  depth: number;
}

/** What the panel was opened on, kept in the webview state so a reload can read it again. */
export interface StartDescriptor {
  label: string;
  /** Opaque to the webview; the host's start (share, received share or asset). */
  start: Record<string, string>;
}

export type HostToWebview =
  | { type: 'graph/reset'; generation: number; tenants: LineageTenant[]; rootIds: string[]; options: ViewOptions; total: number; totalEdges: number; start: StartDescriptor; warnings: string[] }
  | { type: 'graph/page'; generation: number; page: number; nodes: LineageNode[]; edges: LineageEdge[]; hasMore: boolean }
  | { type: 'graph/delta'; generation: number; tenants: LineageTenant[]; added: LineageNode[]; updated: LineageNode[]; removed: string[]; addedEdges: LineageEdge[]; updatedEdges: LineageEdge[]; removedEdges: string[] }
  | { type: 'status'; loading: boolean; message?: string }
  | { type: 'completion'; requestId: number; ok: boolean; error?: string; added?: number; path?: string }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready'; version: number; generation?: number }
  | { type: 'expand'; requestId: number; nodeId: string }
  | { type: 'setOptions'; options: ViewOptions }
  | { type: 'reveal'; nodeId: string }
  | { type: 'openPortal'; nodeId: string }
  | { type: 'export'; requestId: number; format: 'svg' | 'png'; data: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** View state the webview keeps with setState (never the graph itself). */
export interface WebviewState {
  version: number;
  generation: number;
  start?: StartDescriptor;
  options?: ViewOptions;
  zoom: number;
  panX: number;
  panY: number;
  selectedId?: string;
  focusedId?: string;
  hideProcesses: boolean;
  search: string;
}

// --- validation -----------------------------------------------------------------------------

type Check = (v: unknown) => boolean;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const opt = (c: Check): Check => (v) => v === undefined || c(v);
const arr = (c: Check): Check => (v) => Array.isArray(v) && v.every(c);
const oneOf = (...vals: string[]): Check => (v) => typeof v === 'string' && vals.includes(v);
const shape = (fields: Record<string, Check>): Check => (v) => isObj(v) && Object.entries(fields).every(([k, c]) => c(v[k]));

const direction = oneOf('upstream', 'downstream', 'both');
const viewOptions = shape({ direction, depth: num });
const tenant = shape({ tenantId: str, displayName: str, role: opt(oneOf('provider', 'consumer', 'other')) });
const node = shape({ id: str, kind: oneOf('container', 'folder', 'file', 'asset', 'process', 'snapshot', 'share'), label: str, typeName: str, tenantId: str, classifications: arr(str), refs: arr(shape({ tenantId: str, account: str, guid: str, typeName: str })) });
const edge = shape({ id: str, from: str, to: str, kind: oneOf('lineage', 'snapshot', 'share'), crossTenant: bool });
const start = shape({ label: str, start: (v) => isObj(v) && Object.values(v).every(str) });

const HOST: Record<HostToWebview['type'], Check> = {
  'graph/reset': shape({ generation: num, tenants: arr(tenant), rootIds: arr(str), options: viewOptions, total: num, totalEdges: num, start, warnings: arr(str) }),
  'graph/page': shape({ generation: num, page: num, nodes: arr(node), edges: arr(edge), hasMore: bool }),
  'graph/delta': shape({ generation: num, tenants: arr(tenant), added: arr(node), updated: arr(node), removed: arr(str), addedEdges: arr(edge), updatedEdges: arr(edge), removedEdges: arr(str) }),
  status: shape({ loading: bool, message: opt(str) }),
  completion: shape({ requestId: num, ok: bool, error: opt(str), added: opt(num), path: opt(str) }),
  error: shape({ message: str }),
};

const WEBVIEW: Record<WebviewToHost['type'], Check> = {
  ready: shape({ version: num, generation: opt(num) }),
  expand: shape({ requestId: num, nodeId: str }),
  setOptions: shape({ options: viewOptions }),
  reveal: shape({ nodeId: str }),
  openPortal: shape({ nodeId: str }),
  export: shape({ requestId: num, format: oneOf('svg', 'png'), data: str }),
  log: shape({ level: oneOf('info', 'warn', 'error'), message: str }),
};

export function isHostToWebview(value: unknown): value is HostToWebview {
  return isObj(value) && typeof value.type === 'string' && Object.hasOwn(HOST, value.type) && HOST[value.type as HostToWebview['type']](value);
}

export function isWebviewToHost(value: unknown): value is WebviewToHost {
  return isObj(value) && typeof value.type === 'string' && Object.hasOwn(WEBVIEW, value.type) && WEBVIEW[value.type as WebviewToHost['type']](value);
}

export function isWebviewState(value: unknown): value is WebviewState {
  return shape({ version: num, generation: num, zoom: num, panX: num, panY: num, hideProcesses: bool, search: str, options: opt(viewOptions), start: opt(start) })(value);
}

/** Splits a graph into pages of nodes; each edge goes with the page that completes both ends. */
export function paginate(graph: LineageGraph, pageSize = PAGE_SIZE): Array<{ nodes: LineageNode[]; edges: LineageEdge[] }> {
  const pageOf = new Map<string, number>();
  const pages: Array<{ nodes: LineageNode[]; edges: LineageEdge[] }> = [];
  graph.nodes.forEach((n, i) => {
    const p = Math.floor(i / pageSize);
    pages[p] ??= { nodes: [], edges: [] };
    pages[p].nodes.push(n);
    pageOf.set(n.id, p);
  });
  if (pages.length === 0) pages.push({ nodes: [], edges: [] });
  for (const e of graph.edges) {
    const p = Math.max(pageOf.get(e.from) ?? 0, pageOf.get(e.to) ?? 0);
    pages[p].edges.push(e);
  }
  return pages;
}
