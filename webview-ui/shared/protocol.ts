/**
 * Messages between the extension host and the lineage webview, typed once for both sides.
 * The webview announces `ready`; the host answers with the graph; the webview asks for more.
 */
export interface LineageNode {
  id: string;
  label: string;
  tenantId: string;
  kind: 'asset' | 'process' | 'snapshot';
}

export interface LineageEdge {
  from: string;
  to: string;
  /** True when the edge crosses a tenant boundary (a Data Share snapshot). */
  crossTenant: boolean;
}

export type HostToWebview =
  | { type: 'graph'; nodes: LineageNode[]; edges: LineageEdge[]; tenants: { tenantId: string; displayName: string }[] }
  | { type: 'error'; message: string };

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'expand'; nodeId: string; direction: 'INPUT' | 'OUTPUT' | 'BOTH' };

export function isHostToWebview(value: unknown): value is HostToWebview {
  const type = (value as { type?: unknown } | null)?.type;
  return type === 'graph' || type === 'error';
}
