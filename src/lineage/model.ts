/**
 * The cross-tenant lineage graph: what the builder returns, what the host streams to the webview
 * (webview-ui/shared/protocol.ts re-exports these types), and the plain inputs the builder takes.
 * Types only: no runtime code, so the webview bundle can share them for free.
 */

/** A tenant lane. `role` is what the Data Share facts say the tenant is in the graph shown. */
export interface LineageTenant {
  tenantId: string;
  displayName: string;
  role?: 'provider' | 'consumer' | 'other';
}

export type LineageNodeKind = 'container' | 'folder' | 'file' | 'asset' | 'process' | 'snapshot' | 'share';

/** Where a node was read: one catalog entity (the webview's "Open in portal" and expand use it). */
export interface CatalogRef {
  tenantId: string;
  /** Purview account name. */
  account: string;
  guid: string;
  typeName: string;
}

export interface LastSnapshot {
  time?: string;
  mode?: string;
  status?: string;
  synchronizationId?: string;
}

export interface LineageNode {
  /** Stable across catalogs: assets by canonical qualifiedName, snapshots by (consumer, subscription, dataset). */
  id: string;
  kind: LineageNodeKind;
  label: string;
  /** Atlas type name (or `datashare_share` for a share). */
  typeName: string;
  qualifiedName?: string;
  /** The tenant the node belongs to (the storage account's / share's / share subscription's). */
  tenantId: string;
  classifications: string[];
  /** The data-quality outcome recorded on the asset (its `DataQuality_Pass|Warn|Fail` label), if any. */
  quality?: 'Pass' | 'Warn' | 'Fail';
  owner?: string;
  /** True when the node was not read from its own tenant's catalog (a stub in another catalog, or Data Share facts only). */
  inferred?: boolean;
  /** Present only when deleted entities were asked for. */
  deleted?: boolean;
  /** The catalog entities this node was read from. */
  refs: CatalogRef[];
  /** Neighbours exist that the graph does not show yet (expand on demand). */
  moreUpstream?: boolean;
  moreDownstream?: boolean;
  /** Snapshots and shares: the last synchronization. */
  lastSnapshot?: LastSnapshot;
  /** Shares and snapshots: Data Share names for the details panel (and the ARM id, to reveal it). */
  share?: ShareRefInfo;
  subscription?: SubscriptionRefInfo;
}

export interface ShareRefInfo { name: string; account?: string; tenantId: string; resourceId?: string }
export interface SubscriptionRefInfo { name: string; account: string; tenantId: string; status?: string; resourceId?: string }

export type LineageEdgeKind = 'lineage' | 'snapshot' | 'share';

export interface LineageEdge {
  id: string;
  from: string;
  to: string;
  kind: LineageEdgeKind;
  /** True when the edge crosses a tenant boundary (a Data Share snapshot). */
  crossTenant: boolean;
  inferred?: boolean;
  share?: ShareRefInfo;
  subscription?: SubscriptionRefInfo;
  lastSnapshot?: LastSnapshot;
}

export interface LineageGraph {
  tenants: LineageTenant[];
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** The nodes the graph was started from. */
  rootIds: string[];
}

export type LineageDirectionChoice = 'upstream' | 'downstream' | 'both';
